//! Part-in-part: small parts go into the holes of larger parts, the option
//! switches it off, and the validator accepts the result.

use nesting::engine::{NestOptions, nest};
use nesting::validate::validate_layout;
use nesting::{Contour, NestProblem, Part, PartDemand, Point, Rotations, SheetSpec};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

fn problem() -> NestProblem {
    // A 100 x 100 plate with a round hole of radius 36, and four 20 x 20 squares.
    let plate = Part::new(
        "plate",
        Contour::rectangle(0.0, 0.0, 100.0, 100.0),
        vec![Contour::circle(Point::new(50.0, 50.0), 36.0)],
    );
    let square = Part::new("square", Contour::rectangle(0.0, 0.0, 20.0, 20.0), vec![]);
    NestProblem {
        parts: vec![
            PartDemand {
                part: Arc::new(plate),
                quantity: 1,
                rotations: Rotations::Step90,
                mirror: false,
                min_quality: None,
                priority: nesting::DEFAULT_PRIORITY,
            },
            PartDemand {
                part: Arc::new(square),
                quantity: 4,
                rotations: Rotations::Step90,
                mirror: false,
                min_quality: None,
                priority: nesting::DEFAULT_PRIORITY,
            },
        ],
        // Only the plate fits beside the margin: the squares must go into the hole.
        sheets: vec![SheetSpec {
            width_mm: 106.0,
            height_mm: 106.0,
            count: None,
            cost: None,
            outline: None,
        }],
        spacing_mm: 2.0,
        margin_mm: 2.0,
    }
}

fn options(part_in_part: bool) -> NestOptions {
    NestOptions {
        time_limit_s: 2.0,
        seed: 3,
        max_iterations: Some(4),
        threads: Some(1),
        part_in_part,
    }
}

#[test]
fn small_parts_go_into_the_hole() {
    let p = problem();
    let out = nest(&p, &options(true), &AtomicBool::new(false), &|_| {}).expect("nest");
    let report = validate_layout(&p, &out.layout);
    assert!(report.is_valid(), "{report}");
    assert!(out.layout.unplaced.is_empty(), "{:?}", out.layout.unplaced);
    assert_eq!(out.layout.sheets.len(), 1, "{:?}", out.layout);
    assert_eq!(out.layout.placed_count(), 5);
    // Copies are numbered 1.. per part.
    let mut squares: Vec<u32> = out.layout.sheets[0]
        .placements
        .iter()
        .filter(|q| q.part == 1)
        .map(|q| q.copy)
        .collect();
    squares.sort_unstable();
    assert_eq!(squares, vec![1, 2, 3, 4]);
}

#[test]
fn switched_off_the_hole_stays_empty() {
    let p = problem();
    let out = nest(&p, &options(false), &AtomicBool::new(false), &|_| {}).expect("nest");
    let report = validate_layout(&p, &out.layout);
    assert!(report.is_valid(), "{report}");
    assert_eq!(out.layout.placed_count(), 5);
    assert_eq!(out.layout.sheets.len(), 2, "{:?}", out.layout);
}

#[test]
fn every_plate_gets_what_is_left() {
    // Three plates and six squares: the first plate takes four, the next two,
    // so every square lies in a hole and each plate fills one sheet.
    let mut p = problem();
    p.parts[0].quantity = 3;
    p.parts[1].quantity = 6;
    let out = nest(&p, &options(true), &AtomicBool::new(false), &|_| {}).expect("nest");
    let report = validate_layout(&p, &out.layout);
    assert!(report.is_valid(), "{report}");
    assert!(out.layout.unplaced.is_empty(), "{:?}", out.layout.unplaced);
    assert_eq!(out.layout.placed_count(), 9);
    assert_eq!(out.layout.sheets.len(), 3, "{:?}", out.layout);
    let mut squares: Vec<u32> = out
        .layout
        .sheets
        .iter()
        .flat_map(|s| s.placements.iter())
        .filter(|q| q.part == 1)
        .map(|q| q.copy)
        .collect();
    squares.sort_unstable();
    assert_eq!(squares, (1..=6).collect::<Vec<_>>());
}
