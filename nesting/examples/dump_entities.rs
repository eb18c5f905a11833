fn main() {
    let d = dxf::Drawing::load_file(std::env::args().nth(1).unwrap()).unwrap();
    for e in d.entities() {
        println!("{} {:?}", e.common.layer, e.specific);
    }
}
