//! Every importable file of the real DXF corpus is nested (a few copies of
//! each part) and the independent validator accepts every result.

use nesting::engine::{NestOptions, nest};
use nesting::import::{ImportOptions, import_file};
use nesting::validate::validate_layout;
use nesting::{NestProblem, PartDemand, Rotations, SheetSpec};
use nestwork_e2e::corpus_files;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

/// At most this many copies are nested per file, so the test stays quick.
const MAX_COPIES_PER_FILE: u32 = 40;

#[test]
fn every_importable_corpus_file_nests_validly() {
    let files = corpus_files();
    if files.is_empty() {
        eprintln!("skipped: ../shared/dxf-corpus is not beside the repository");
        return;
    }
    let mut nested_files = 0;
    let mut failures = Vec::new();
    for file in &files {
        let Ok(imported) = import_file(file, &ImportOptions::default()) else {
            continue; // import failures are covered by the import tests
        };
        if imported.parts.is_empty() {
            continue;
        }
        let copies = (MAX_COPIES_PER_FILE / imported.parts.len() as u32).clamp(1, 3);
        let max_dim = imported
            .parts
            .iter()
            .map(|p| p.bbox().width().max(p.bbox().height()))
            .fold(0.0, f64::max);
        let side = (max_dim * 3.0 + 20.0).max(200.0);
        let problem = NestProblem {
            parts: imported
                .parts
                .into_iter()
                .map(|p| PartDemand {
                    part: Arc::new(p),
                    quantity: copies,
                    rotations: Rotations::Step90,
                    mirror: true,
                    min_quality: None,
                    priority: nesting::DEFAULT_PRIORITY,
                })
                .collect(),
            sheets: vec![SheetSpec {
                width_mm: side,
                height_mm: side * 0.6,
                count: None,
                cost: None,
                outline: None,
            }],
            spacing_mm: (max_dim * 0.01).min(2.0),
            margin_mm: (max_dim * 0.02).min(5.0),
        };
        let options = NestOptions {
            time_limit_s: 3.0,
            seed: 7,
            max_iterations: Some(2),
            threads: None,
            part_in_part: true,
        };
        let outcome = nest(&problem, &options, &AtomicBool::new(false), &|_| {})
            .unwrap_or_else(|e| panic!("{}: nesting failed: {e}", file.display()));
        let report = validate_layout(&problem, &outcome.layout);
        if !report.is_valid() {
            failures.push(format!("{}:\n{report}", file.display()));
        }
        assert!(
            outcome.layout.unplaced.is_empty(),
            "{}: every part fits a sheet three times its size, yet some are unplaced: {:?}",
            file.display(),
            outcome.layout.unplaced
        );
        nested_files += 1;
    }
    assert!(
        failures.is_empty(),
        "invalid layouts:\n{}",
        failures.join("\n")
    );
    assert!(
        nested_files >= 40,
        "only {nested_files} corpus files were nested"
    );
}
