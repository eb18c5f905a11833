fn main() {
    for a in std::env::args().skip(1) {
        match nesting::import::import_file(std::path::Path::new(&a), &Default::default()) {
            Ok(f) => println!("{}", f.report),
            Err(e) => println!("ERR {e}"),
        }
    }
}
