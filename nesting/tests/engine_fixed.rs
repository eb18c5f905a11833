//! Locked parts: `nest_with_fixed` keeps fixed placements exactly where they
//! are and nests the remaining copies around them.

mod common;

use common::at;
use nesting::engine::{NestError, NestOptions, nest_with_fixed};
use nesting::validate::validate_layout;
use nesting::{
    Contour, Layout, NestProblem, Part, PartDemand, Placement, Point, Rotations, SheetLayout,
    SheetSpec,
};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

fn rect_part(name: &str, w: f64, h: f64) -> Arc<Part> {
    let outer = Contour::polygon([
        Point::new(0.0, 0.0),
        Point::new(w, 0.0),
        Point::new(w, h),
        Point::new(0.0, h),
    ]);
    Arc::new(Part::new(name, outer, vec![]).normalized())
}

fn problem(quantity: u32) -> NestProblem {
    NestProblem {
        parts: vec![PartDemand {
            part: rect_part("plate", 100.0, 60.0),
            quantity,
            rotations: Rotations::Step90,
            mirror: false,
            min_quality: None,
            priority: nesting::DEFAULT_PRIORITY,
        }],
        sheets: vec![SheetSpec {
            width_mm: 500.0,
            height_mm: 300.0,
            count: None,
            cost: None,
            outline: None,
        }],
        spacing_mm: 5.0,
        margin_mm: 10.0,
    }
}

fn options() -> NestOptions {
    NestOptions {
        time_limit_s: 5.0,
        seed: 3,
        max_iterations: Some(8),
        threads: Some(2),
        part_in_part: true,
    }
}

fn fixed(placements: Vec<Placement>) -> Layout {
    Layout {
        sheets: vec![SheetLayout {
            sheet: 0,
            placements,
        }],
        unplaced: vec![],
    }
}

fn run(p: &NestProblem, f: &Layout) -> Result<Layout, NestError> {
    nest_with_fixed(p, f, &options(), &AtomicBool::new(false), &|_| {}).map(|o| o.layout)
}

#[test]
fn fixed_placements_stay_and_the_rest_is_nested_around_them() {
    let p = problem(12);
    // Two locked copies in the middle of the sheet, one of them turned 90°.
    let locked = vec![at(3, 200.0, 120.0, 0.0), at(7, 380.0, 100.0, 90.0)];
    let layout = run(&p, &fixed(locked.clone())).expect("nesting with locked parts");
    let report = validate_layout(&p, &layout);
    assert!(report.is_valid(), "{report}");
    assert_eq!(layout.placed_count(), 12);
    // The locked copies are the first placements of the first sheet, unchanged.
    assert_eq!(layout.sheets[0].sheet, 0);
    assert_eq!(layout.sheets[0].placements[..2], locked[..]);
    // Copy numbers 1..=12 each used once.
    let mut copies: Vec<u32> = layout
        .sheets
        .iter()
        .flat_map(|s| s.placements.iter().map(|p| p.copy))
        .collect();
    copies.sort_unstable();
    assert_eq!(copies, (1..=12).collect::<Vec<_>>());
    // Other parts were nested on the locked sheet too (it has room for ~15).
    assert!(layout.sheets[0].placements.len() > 2);
}

#[test]
fn a_fully_locked_job_comes_back_unchanged() {
    let p = problem(2);
    let locked = vec![at(1, 20.0, 20.0, 0.0), at(2, 200.0, 20.0, 0.0)];
    let layout = run(&p, &fixed(locked.clone())).expect("nothing left to nest");
    assert_eq!(layout.sheets.len(), 1);
    assert_eq!(layout.sheets[0].placements, locked);
    assert!(validate_layout(&p, &layout).is_valid());
}

#[test]
fn overlapping_locked_parts_are_refused_with_the_reason() {
    let p = problem(4);
    let locked = vec![at(1, 20.0, 20.0, 0.0), at(2, 60.0, 40.0, 0.0)];
    let err = run(&p, &fixed(locked)).expect_err("overlap must be refused");
    let msg = err.to_string();
    assert!(matches!(err, NestError::InvalidFixed(_)), "{msg}");
    assert!(
        msg.contains("plate #1") && msg.contains("plate #2"),
        "{msg}"
    );
}

#[test]
fn more_locked_copies_than_asked_are_refused() {
    let p = problem(1);
    let locked = vec![at(1, 20.0, 20.0, 0.0), at(2, 200.0, 20.0, 0.0)];
    let err = run(&p, &fixed(locked)).expect_err("too many copies");
    assert!(
        err.to_string().contains("more copies of plate are locked"),
        "{err}"
    );
}
