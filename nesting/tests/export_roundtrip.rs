//! Nest real parts, write every sheet as DXF (R2000 and R12), re-import the
//! files with our importer and find the same parts at the same places.

use nesting::engine::{NestOptions, nest};
use nesting::export::{DxfExportOptions, DxfVersion, write_sheet_dxf};
use nesting::import::{ImportOptions, import_file};
use nesting::{BBox, NestProblem, PartDemand, Rotations, SheetSpec};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

fn sample(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../assets/samples")
        .join(name)
}

fn same_box(a: &BBox, b: &BBox) -> bool {
    [
        a.min.x - b.min.x,
        a.min.y - b.min.y,
        a.max.x - b.max.x,
        a.max.y - b.max.y,
    ]
    .iter()
    .all(|d| d.abs() < 1e-6)
}

#[test]
fn written_sheets_reimport_to_the_same_parts_at_the_same_places() {
    let mut parts = Vec::new();
    for (file, quantity, mirror) in [
        ("bracket.dxf", 6, true),
        ("flange.dxf", 3, false),
        ("tabs.dxf", 4, false),
    ] {
        for part in import_file(&sample(file), &ImportOptions::default())
            .unwrap()
            .parts
        {
            parts.push(PartDemand {
                part: Arc::new(part),
                quantity,
                rotations: Rotations::Step90,
                mirror,
                min_quality: None,
                priority: nesting::DEFAULT_PRIORITY,
            });
        }
    }
    let problem = NestProblem {
        parts,
        sheets: vec![SheetSpec {
            width_mm: 600.0,
            height_mm: 400.0,
            count: None,
            cost: None,
            outline: None,
        }],
        spacing_mm: 4.0,
        margin_mm: 6.0,
    };
    let options = NestOptions {
        time_limit_s: 30.0,
        seed: 3,
        max_iterations: Some(1),
        threads: None,
        part_in_part: true,
    };
    let layout = nest(&problem, &options, &AtomicBool::new(false), &|_| {})
        .unwrap()
        .layout;
    assert!(layout.unplaced.is_empty());
    assert!(layout.sheets.len() >= 2, "the test wants several sheets");

    let dir = tempfile::tempdir().unwrap();
    for version in [DxfVersion::R2000, DxfVersion::R12] {
        for (i, sheet) in layout.sheets.iter().enumerate() {
            let path = dir.path().join(format!("sheet-{i}.dxf"));
            let export = DxfExportOptions {
                version,
                ..DxfExportOptions::default()
            };
            write_sheet_dxf(&path, &problem, &layout, i, &export).unwrap();
            let options = ImportOptions {
                cut_layers: Some(vec!["CUT_OUTER".into(), "CUT_INNER".into()]),
                ..ImportOptions::default()
            };
            let back = import_file(&path, &options).unwrap();
            assert_eq!(
                back.parts.len(),
                sheet.placements.len(),
                "{version:?} sheet {i}"
            );
            for p in &sheet.placements {
                let part = &problem.parts[p.part].part;
                let (outer, holes) = part.placed_contours(&p.transform);
                let found = back.parts.iter().find(|b| {
                    let o = b.outer.translated(b.source_origin.x, b.source_origin.y);
                    same_box(&o.bbox(), &outer.bbox()) && (o.area() - outer.area()).abs() < 1e-6
                });
                let found = found.unwrap_or_else(|| {
                    panic!(
                        "{version:?}: {} #{} not found at its place",
                        part.name, p.copy
                    )
                });
                assert_eq!(found.holes.len(), holes.len(), "{} #{}", part.name, p.copy);
                assert!(
                    (found.area() - part.area()).abs() < 1e-6,
                    "{} #{}",
                    part.name,
                    p.copy
                );
            }
        }
    }
}
