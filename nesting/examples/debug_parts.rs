fn main() {
    let f = nesting::import::import_file(std::path::Path::new(&std::env::args().nth(1).unwrap()), &Default::default()).unwrap();
    for p in &f.parts {
        let bb = p.outer.bbox();
        println!("{} origin ({:.3},{:.3}) size {:.3}x{:.3} verts {} area {:.3} signed {:.3}", p.name, p.source_origin.x, p.source_origin.y, bb.width(), bb.height(), p.outer.vertices.len(), p.outer.area(), p.outer.signed_area());
        if p.outer.vertices.len() < 12 { println!("   {:?}", p.outer.vertices); }
    }
}
