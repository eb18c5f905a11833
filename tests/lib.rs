//! Helpers shared by the end-to-end tests.

use std::path::PathBuf;

/// The shared DXF corpus (`../shared/dxf-corpus` beside the repository), if present.
pub fn corpus_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/dxf-corpus");
    dir.is_dir().then_some(dir)
}

/// Every `.dxf` file of the corpus, sorted by name.
pub fn corpus_files() -> Vec<PathBuf> {
    let Some(dir) = corpus_dir() else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("the corpus folder is readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| e.eq_ignore_ascii_case("dxf"))
        })
        .collect();
    files.sort();
    files
}
