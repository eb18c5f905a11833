//! Every corpus file imports (or fails with a specific message) and its
//! contour counts agree with MANIFEST.tsv, except where documented below.

use nesting::import::{ImportError, ImportOptions, Unit, import_file};
use std::collections::HashMap;
use std::path::PathBuf;

fn corpus() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/dxf-corpus");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("SKIP: DXF corpus not found at {}", dir.display());
        None
    }
}

struct Expected {
    outer: usize,
    holes: usize,
    open: usize,
}

fn manifest(dir: &std::path::Path) -> HashMap<String, Option<Expected>> {
    let text = std::fs::read_to_string(dir.join("MANIFEST.tsv")).expect("MANIFEST.tsv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (cf, co, ch, cp) = (col("file"), col("expected_outer_contours"), col("hole_contours"), col("open_chains"));
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let exp = match (f[co].parse(), f[ch].parse(), f[cp].parse()) {
                (Ok(outer), Ok(holes), Ok(open)) => Some(Expected { outer, holes, open }),
                _ => None,
            };
            (f[cf].to_string(), exp)
        })
        .collect()
}

/// Files where our counts honestly differ from the manifest's probe, with why.
/// Our values are asserted so that regressions still fail.
const DEVIATIONS: &[(&str, usize, usize, usize, &str)] = &[];

#[test]
fn corpus_counts_match_manifest() {
    let Some(dir) = corpus() else { return };
    let man = manifest(&dir);
    let mut failures = Vec::new();
    let mut names: Vec<_> = man.keys().cloned().collect();
    names.sort();
    for name in names {
        let path = dir.join(&name);
        let result = import_file(&path, &ImportOptions::default());
        match (&man[&name], result) {
            (None, Err(e)) => {
                assert!(matches!(e, ImportError::Parse { .. }), "{name}: {e}");
                let msg = e.to_string();
                assert!(msg.contains("line/offset"), "{name}: parse error without position: {msg}");
                eprintln!("{name}: fails as expected: {msg}");
            }
            (None, Ok(_)) => failures.push(format!("{name}: expected a parse error, imported")),
            (Some(_), Err(e)) => failures.push(format!("{name}: import failed: {e}")),
            (Some(exp), Ok(f)) => {
                let outer = f.report.parts.len();
                let holes = f.report.hole_count;
                let open = f.report.open_chains.len();
                let (eo, eh, ep) = match DEVIATIONS.iter().find(|d| d.0 == name) {
                    Some(d) => (d.1, d.2, d.3),
                    None => (exp.outer, exp.holes, exp.open),
                };
                let line = format!(
                    "{name}: outer {outer}/{eo} holes {holes}/{eh} open {open}/{ep} (manifest {}/{}/{})",
                    exp.outer, exp.holes, exp.open
                );
                eprintln!("{line}");
                if (outer, holes, open) != (eo, eh, ep) {
                    failures.push(line);
                }
                for p in &f.parts {
                    assert!(p.outer.is_ccw() && p.holes.iter().all(|h| !h.is_ccw()), "{name}: orientation");
                    let bb = p.bbox();
                    assert!(bb.min.x.abs() < 1e-6 && bb.min.y.abs() < 1e-6, "{name}: not normalized");
                    assert!(p.area() > 0.0, "{name}: part {} without area", p.name);
                }
            }
        }
    }
    assert!(failures.is_empty(), "count mismatches:\n{}", failures.join("\n"));
}

fn import(name: &str) -> Option<nesting::import::ImportedFile> {
    let dir = corpus()?;
    Some(import_file(&dir.join(name), &ImportOptions::default()).unwrap_or_else(|e| panic!("{name}: {e}")))
}
