//! Inputs shared by the benchmarks: the sample parts of `assets/samples/`.

use nesting::import::{ImportOptions, import_file};
use nesting::{NestProblem, PartDemand, Rotations, SheetSpec};
use std::path::PathBuf;
use std::sync::Arc;

/// Paths of the sample DXF files.
pub fn sample_files() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../assets/samples");
    ["bracket", "flange", "gusset", "panel", "cover", "tabs"]
        .iter()
        .map(|n| dir.join(format!("{n}.dxf")))
        .collect()
}

/// The sample parts, `quantity` copies each, on 3000 × 1500 mm sheets.
pub fn sample_problem(quantity: u32) -> NestProblem {
    let parts = sample_files()
        .iter()
        .flat_map(|f| {
            import_file(f, &ImportOptions::default())
                .expect("the sample parts import")
                .parts
        })
        .map(|p| PartDemand {
            part: Arc::new(p),
            quantity,
            rotations: Rotations::Step90,
            mirror: false,
            min_quality: None,
            priority: nesting::DEFAULT_PRIORITY,
        })
        .collect();
    NestProblem {
        parts,
        sheets: vec![SheetSpec {
            width_mm: 3000.0,
            height_mm: 1500.0,
            count: None,
            cost: None,
            outline: None,
        }],
        spacing_mm: 5.0,
        margin_mm: 10.0,
    }
}
