//! Damaged input gives `Ok` or `Err`, never a panic: truncated corpus files,
//! seeded random bytes, and random bytes after a valid header.

use nesting::import::{ImportError, ImportOptions, import_bytes};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::PathBuf;

fn corpus_files() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/dxf-corpus");
    if !dir.is_dir() {
        eprintln!("SKIP: DXF corpus not found at {}", dir.display());
        return Vec::new();
    }
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x.eq_ignore_ascii_case("dxf")))
        .collect();
    files.sort();
    files
}

/// Imports and checks that any error carries a message.
fn try_import(name: &str, bytes: &[u8]) -> bool {
    match import_bytes(name, bytes, &ImportOptions::default()) {
        Ok(f) => {
            for p in &f.parts {
                assert!(p.area().is_finite(), "{name}: non-finite area");
            }
            true
        }
        Err(e) => {
            assert!(!e.to_string().is_empty());
            false
        }
    }
}

#[test]
fn truncated_corpus_files_never_panic() {
    let mut errors = 0;
    let mut total = 0;
    for path in corpus_files() {
        let bytes = std::fs::read(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        for frac in [0.0, 0.01, 0.1, 0.33, 0.5, 0.77, 0.9, 0.99] {
            let cut = (bytes.len() as f64 * frac) as usize;
            total += 1;
            if !try_import(&name, &bytes[..cut]) {
                errors += 1;
            }
        }
        // Cut in the middle of a line and in the middle of a group pair.
        for cut in [bytes.len() / 2 + 1, bytes.len().saturating_sub(7)] {
            total += 1;
            if !try_import(&name, &bytes[..cut]) {
                errors += 1;
            }
        }
    }
    eprintln!("{errors} of {total} truncated inputs were rejected with an error");
    if total > 0 {
        assert!(errors > 0, "truncation must be detected at least sometimes");
    }
}

#[test]
fn empty_input_is_a_parse_error() {
    let e = import_bytes("empty.dxf", b"", &ImportOptions::default()).unwrap_err();
    assert!(matches!(e, ImportError::Parse { .. }), "{e}");
    assert!(e.to_string().contains("empty"));
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = ChaCha8Rng::seed_from_u64(0x5eed);
    for i in 0..300 {
        let len = rng.random_range(0..4096);
        let bytes: Vec<u8> = (0..len).map(|_| rng.random()).collect();
        let ok = try_import(&format!("random{i}.dxf"), &bytes);
        assert!(!ok || len > 0);
    }
}

#[test]
fn random_text_pairs_after_a_valid_header_never_panic() {
    let header = "0\nSECTION\n2\nHEADER\n9\n$ACADVER\n1\nAC1015\n9\n$INSUNITS\n70\n4\n0\nENDSEC\n0\nSECTION\n2\nENTITIES\n";
    let words = [
        "LINE",
        "ARC",
        "CIRCLE",
        "LWPOLYLINE",
        "INSERT",
        "SPLINE",
        "ELLIPSE",
        "POLYLINE",
        "VERTEX",
        "SEQEND",
        "ENDSEC",
        "EOF",
        "x",
        "1e308",
        "-0",
        "nan",
    ];
    let codes = [
        0, 8, 10, 20, 11, 21, 40, 42, 50, 51, 70, 71, 72, 73, 90, 2, 41, 43,
    ];
    let mut rng = ChaCha8Rng::seed_from_u64(42);
    for i in 0..300 {
        let mut text = header.to_string();
        for _ in 0..rng.random_range(0..200) {
            let code = codes[rng.random_range(0..codes.len())];
            let value = if rng.random_bool(0.5) {
                words[rng.random_range(0..words.len())].to_string()
            } else {
                format!("{}", rng.random_range(-1000.0..1000.0f64))
            };
            text.push_str(&format!("{code}\n{value}\n"));
        }
        if rng.random_bool(0.5) {
            text.push_str("0\nENDSEC\n0\nEOF\n");
        }
        try_import(&format!("pairs{i}.dxf"), text.as_bytes());
        // Raw random bytes after the header too.
        let mut bytes = header.as_bytes().to_vec();
        bytes.extend((0..rng.random_range(0..512)).map(|_| rng.random::<u8>()));
        try_import(&format!("tail{i}.dxf"), &bytes);
    }
}

#[test]
fn valid_minimal_file_imports_a_square() {
    let text = "0\nSECTION\n2\nHEADER\n9\n$INSUNITS\n70\n4\n0\nENDSEC\n0\nSECTION\n2\nENTITIES\n\
0\nLWPOLYLINE\n8\nCUT\n90\n4\n70\n1\n10\n0\n20\n0\n10\n10\n20\n0\n10\n10\n20\n10\n10\n0\n20\n10\n\
0\nCIRCLE\n8\nCUT\n10\n5\n20\n5\n40\n2\n0\nENDSEC\n0\nEOF\n";
    let f = import_bytes("sq.dxf", text.as_bytes(), &ImportOptions::default()).unwrap();
    assert_eq!(f.parts.len(), 1);
    assert_eq!(f.parts[0].name, "sq");
    assert_eq!(f.parts[0].holes.len(), 1);
    // The circle stays an exact arc hole.
    assert!((f.parts[0].area() - (100.0 - std::f64::consts::PI * 4.0)).abs() < 1e-9);
}

#[test]
fn mirrored_and_non_uniform_inserts_transform_arcs() {
    // Block: slot (two lines + two half arcs as LWPOLYLINE bulges) around base point (0,0).
    let text = "0\nSECTION\n2\nHEADER\n9\n$INSUNITS\n70\n4\n0\nENDSEC\n\
0\nSECTION\n2\nBLOCKS\n0\nBLOCK\n2\nS\n70\n0\n10\n0\n20\n0\n\
0\nLWPOLYLINE\n8\n0\n90\n4\n70\n1\n10\n0\n20\n0\n10\n10\n20\n0\n42\n1\n10\n10\n20\n4\n10\n0\n20\n4\n42\n1\n0\nENDBLK\n0\nENDSEC\n\
0\nSECTION\n2\nENTITIES\n\
0\nINSERT\n8\nA\n2\nS\n10\n100\n20\n0\n41\n-2\n42\n2\n50\n0\n\
0\nINSERT\n8\nA\n2\nS\n10\n200\n20\n0\n41\n2\n42\n1\n50\n90\n\
0\nINSERT\n8\nA\n2\nMISSING\n10\n0\n20\n0\n0\nENDSEC\n0\nEOF\n";
    let f = import_bytes("blocks.dxf", text.as_bytes(), &ImportOptions::default()).unwrap();
    assert_eq!(f.parts.len(), 2, "{}", f.report);
    let slot = 40.0 + std::f64::consts::PI * 4.0;
    let mut areas: Vec<f64> = f.parts.iter().map(|p| p.area()).collect();
    areas.sort_by(f64::total_cmp);
    // Mirrored ×2 uniform: exact arcs, area ×4.
    assert!((areas[1] - 4.0 * slot).abs() < 1e-9, "{areas:?}");
    let mirrored = f
        .parts
        .iter()
        .find(|p| (p.area() - 4.0 * slot).abs() < 1e-9)
        .unwrap();
    assert!(mirrored.outer.has_arcs() && mirrored.outer.is_ccw());
    // Non-uniform (2, 1): arcs flattened into an ellipse-ended slot, area 2× within tolerance.
    let stretched = f
        .parts
        .iter()
        .find(|p| (p.area() - 4.0 * slot).abs() >= 1e-9)
        .unwrap();
    assert!(!stretched.outer.has_arcs());
    assert!(
        (stretched.area() - 2.0 * slot).abs() < 0.5,
        "{}",
        stretched.area()
    );
    assert!(
        f.report
            .warnings
            .iter()
            .any(|w| w.contains("missing block 'MISSING'"))
    );
}
