//! Irregular sheets (remnants, hides): the validator checks parts against
//! the outline, its holes and its quality zones, and the engine nests on
//! them, remnants first.

mod common;

use common::l_remnant;
use nesting::engine::{NestOptions, nest};
use nesting::validate::{PlacedShape, SheetArea, Violation, validate_layout, validate_sheet};
use nesting::{Contour, Layout, NestProblem, Part, PartDemand, SheetSpec};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

fn square(label: &str, x: f64, y: f64, side: f64, min_quality: Option<u32>) -> PlacedShape {
    PlacedShape {
        label: label.into(),
        outer: Contour::rectangle(x, y, side, side),
        holes: vec![],
        min_quality,
    }
}

fn check(shapes: &[PlacedShape], margin: f64) -> Vec<Violation> {
    validate_sheet(0, &l_remnant(), shapes, 2.0, margin)
}

#[test]
fn parts_inside_the_remnant_are_valid() {
    let shapes = [
        square("a", 10.0, 10.0, 50.0, None),
        square("b", 10.0, 200.0, 80.0, None),
        square("c", 150.0, 20.0, 60.0, None),
        // On the zone, allowed by its minimum quality.
        square("d", 310.0, 30.0, 50.0, Some(1)),
    ];
    assert_eq!(check(&shapes, 5.0), vec![]);
}

#[test]
fn a_part_in_the_cut_away_corner_is_outside_the_outline() {
    // Inside the 400 × 300 box, but in the missing upper-right corner.
    let v = check(&[square("x", 250.0, 200.0, 40.0, None)], 5.0);
    assert!(
        matches!(v.as_slice(), [Violation::OffSheet { area: SheetArea::Outline, part, .. }] if part == "x"),
        "{v:?}"
    );
    assert!(
        v[0].to_string().contains("outside the sheet outline"),
        "{}",
        v[0]
    );
}

#[test]
fn a_part_across_the_reflex_corner_is_caught() {
    // Straddles the inner corner at (200, 150).
    let v = check(&[square("x", 180.0, 130.0, 40.0, None)], 0.0);
    assert!(
        v.iter().any(|v| matches!(
            v,
            Violation::OffSheet {
                area: SheetArea::Outline,
                ..
            }
        )),
        "{v:?}"
    );
}

#[test]
fn a_part_over_the_defect_is_caught_and_so_is_one_too_close() {
    // Covers the defect entirely (no boundary crossing).
    let v = check(&[square("over", 60.0, 60.0, 80.0, None)], 5.0);
    assert!(
        matches!(
            v.as_slice(),
            [Violation::OffSheet {
                area: SheetArea::Hole(0),
                ..
            }]
        ),
        "{v:?}"
    );
    // 3 mm from the defect's edge, margin 5.
    let v = check(&[square("near", 123.0, 90.0, 20.0, None)], 5.0);
    match v.as_slice() {
        [
            Violation::SheetMargin {
                area: SheetArea::Hole(0),
                distance_mm,
                ..
            },
        ] => assert!((distance_mm - 3.0).abs() < 1e-9, "{distance_mm}"),
        other => panic!("{other:?}"),
    }
    assert!(v[0].to_string().contains("hole 1 of the sheet"), "{}", v[0]);
    // The same part with no margin asked is fine.
    assert_eq!(
        check(&[square("near", 123.0, 90.0, 20.0, None)], 0.0),
        vec![]
    );
}

#[test]
fn a_full_quality_part_may_not_lie_on_a_zone() {
    let v = check(&[square("fine", 310.0, 30.0, 50.0, None)], 5.0);
    assert!(
        matches!(
            v.as_slice(),
            [Violation::OffSheet {
                area: SheetArea::Zone {
                    index: 0,
                    quality: 1
                },
                ..
            }]
        ),
        "{v:?}"
    );
    // A part that needs quality 2 may not either.
    assert_eq!(
        check(&[square("q2", 310.0, 30.0, 50.0, Some(2))], 5.0).len(),
        1
    );
}

#[test]
fn the_margin_to_the_outline_is_checked() {
    let v = check(&[square("edge", 2.0, 100.0, 40.0, None)], 5.0);
    match v.as_slice() {
        [
            Violation::SheetMargin {
                area: SheetArea::Outline,
                distance_mm,
                required_mm,
                ..
            },
        ] => {
            assert!((distance_mm - 2.0).abs() < 1e-9, "{distance_mm}");
            assert_eq!(*required_mm, 5.0);
        }
        other => panic!("{other:?}"),
    }
}

fn demand(name: &str, side: f64, quantity: u32, min_quality: Option<u32>) -> PartDemand {
    let part = Part::new(name, Contour::rectangle(0.0, 0.0, side, side), vec![]);
    PartDemand {
        min_quality,
        ..PartDemand::new(Arc::new(part), quantity)
    }
}

fn nest_quickly(problem: &NestProblem) -> Layout {
    let options = NestOptions {
        time_limit_s: 5.0,
        seed: 7,
        max_iterations: Some(6),
        threads: Some(2),
        part_in_part: true,
    };
    nest(problem, &options, &AtomicBool::new(false), &|_| {})
        .unwrap()
        .layout
}

#[test]
fn the_engine_nests_on_a_remnant_around_its_defect_and_zone() {
    // 40 mm squares: the L holds about 50 without the defect and the zone;
    // 30 are asked, 4 of them may use the zone.
    let problem = NestProblem {
        parts: vec![
            demand("sq", 40.0, 26, None),
            demand("ok-on-zone", 40.0, 4, Some(1)),
        ],
        sheets: vec![l_remnant()],
        spacing_mm: 2.0,
        margin_mm: 5.0,
    };
    let layout = nest_quickly(&problem);
    let report = validate_layout(&problem, &layout);
    assert!(report.is_valid(), "{report}");
    assert_eq!(layout.sheets.len(), 1);
    assert_eq!(layout.placed_count(), 30, "unplaced: {:?}", layout.unplaced);
}

#[test]
fn a_full_remnant_leaves_the_rest_unplaced_with_a_reason() {
    let problem = NestProblem {
        parts: vec![demand("big", 120.0, 8, None)],
        sheets: vec![l_remnant()],
        spacing_mm: 2.0,
        margin_mm: 5.0,
    };
    let layout = nest_quickly(&problem);
    assert!(validate_layout(&problem, &layout).is_valid());
    let placed = layout.placed_count();
    // The L (with its defect) holds at most 4 squares of 120 mm.
    assert!((1..=4).contains(&placed), "{placed} placed");
    let unplaced: u32 = layout.unplaced.iter().map(|u| u.count).sum();
    assert_eq!(placed as u32 + unplaced, 8);
    assert!(layout.unplaced.iter().all(|u| !u.reason.is_empty()));
}

#[test]
fn remnants_are_used_before_new_sheets() {
    let mut problem = NestProblem {
        parts: vec![demand("sq", 40.0, 10, None)],
        sheets: vec![SheetSpec::rect(300.0, 200.0, None, None), l_remnant()],
        spacing_mm: 2.0,
        margin_mm: 5.0,
    };
    let layout = nest_quickly(&problem);
    assert!(validate_layout(&problem, &layout).is_valid());
    assert_eq!(
        layout.sheets.iter().map(|s| s.sheet).collect::<Vec<_>>(),
        vec![1],
        "the remnant (sheet type 2) should take all ten squares"
    );
    // An outline reaching outside the declared size is refused up front.
    problem.sheets[1].width_mm = 300.0;
    let err = nest(
        &problem,
        &NestOptions::default(),
        &AtomicBool::new(false),
        &|_| {},
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("outline"), "{err}");
}

/// The leather hides of the shared benchmark set: irregular bins with about
/// a hundred holes and quality zones, free rotation, parts with and without
/// a minimum quality.
#[test]
fn leather_hides_with_holes_and_zones_nest_validly() {
    use nesting::bench_instance::BenchInstance;
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/bench/instances/bin/baldacci1.json");
    if !path.is_file() {
        eprintln!("{} not found; skipped", path.display());
        return;
    }
    let inst = BenchInstance::load(&path).expect("baldacci1");
    let problem = NestProblem {
        parts: inst.parts(1.0),
        sheets: inst.bin_sheets(1.0).expect("a bin instance"),
        spacing_mm: 0.0,
        margin_mm: 0.0,
    };
    assert!(problem.sheets.iter().all(|s| s.outline.is_some()));
    assert!(problem.parts.iter().any(|p| p.min_quality.is_some()));
    let options = NestOptions {
        time_limit_s: 60.0,
        seed: 42,
        max_iterations: Some(1),
        threads: Some(2),
        part_in_part: true,
    };
    let layout = nest(&problem, &options, &AtomicBool::new(false), &|_| {})
        .unwrap()
        .layout;
    let report = validate_layout(&problem, &layout);
    assert!(report.is_valid(), "{report}");
    assert_eq!(layout.placed_count(), 54, "unplaced: {:?}", layout.unplaced);
    // Twelve hides in stock; an area lower bound of 4.
    assert!(
        (4..=9).contains(&layout.sheets.len()),
        "{} hides",
        layout.sheets.len()
    );
}

/// A timed run with a remnant and standard sheets in stock: when everything
/// fits on the remnant the run uses the whole time (the restarts, then the
/// remnant's chained search); when it does not, the standard sheets follow
/// the remnant. Both layouts are valid and complete.
#[test]
fn a_timed_nest_with_remnants_and_standard_sheets_uses_its_time() {
    let timed = NestOptions {
        time_limit_s: 1.5,
        seed: 7,
        max_iterations: None,
        threads: Some(2),
        part_in_part: true,
    };
    for (quantity, standard_sheets) in [(6, 0), (40, 1)] {
        let problem = NestProblem {
            parts: vec![demand("sq", 40.0, quantity, None)],
            sheets: vec![SheetSpec::rect(300.0, 200.0, None, None), l_remnant()],
            spacing_mm: 2.0,
            margin_mm: 5.0,
        };
        let out = nest(&problem, &timed, &AtomicBool::new(false), &|_| {}).expect("nest");
        let report = validate_layout(&problem, &out.layout);
        assert!(report.is_valid(), "{report}");
        assert_eq!(out.layout.placed_count(), quantity as usize);
        assert_eq!(
            out.layout.sheets[0].sheet,
            1,
            "{quantity} squares: the remnant comes first: {:?}",
            out.layout
                .sheets
                .iter()
                .map(|s| (s.sheet, s.placements.len()))
                .collect::<Vec<_>>()
        );
        let standard = out.layout.sheets.iter().filter(|s| s.sheet == 0).count();
        assert!(
            (standard > 0) == (standard_sheets > 0),
            "{quantity} squares: {standard} standard sheet(s)"
        );
        assert!(
            out.elapsed_s >= 0.9 * timed.time_limit_s,
            "{quantity} squares: stopped after {:.2} s of {}",
            out.elapsed_s,
            timed.time_limit_s
        );
    }
}

/// A restart that opens a random sheet type still opens a remnant in stock
/// before a new standard sheet (the randomness picks among the remnants).
#[test]
fn randomised_restarts_open_the_remnant_before_a_new_sheet() {
    use nesting::engine::construct::{Ctx, Params, construct};
    use nesting::engine::convert::{FREE_ROTATION_STEP_DEG, convert_parts, convert_sheets};
    use rand_chacha::ChaCha8Rng;
    use rand_chacha::rand_core::SeedableRng;
    let problem = NestProblem {
        parts: vec![demand("sq", 40.0, 40, None)],
        sheets: vec![SheetSpec::rect(300.0, 200.0, None, None), l_remnant()],
        spacing_mm: 2.0,
        margin_mm: 5.0,
    };
    let parts =
        convert_parts(&problem, FREE_ROTATION_STEP_DEG, &AtomicBool::new(false)).expect("parts");
    let sheets = convert_sheets(&problem, &AtomicBool::new(false)).expect("sheets");
    let ctx = Ctx {
        problem: &problem,
        parts: &parts,
        sheets: &sheets,
        cost_mode: false,
        fixed: &[],
    };
    let params = Params {
        sheet_randomness: 1.0,
        ..Params::greedy()
    };
    for seed in 0..16 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let sol = construct(&ctx, &[0; 40], &params, &mut rng, &|| false, false).expect("layout");
        let kinds: Vec<usize> = sol.sheets.iter().map(|(k, _)| *k).collect();
        assert_eq!(kinds.first(), Some(&1), "seed {seed}: sheets {kinds:?}");
        assert!(sol.unplaced.is_empty(), "seed {seed}: {:?}", sol.unplaced);
    }
}
