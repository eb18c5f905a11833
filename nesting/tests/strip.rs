//! Strip packing (overlap minimisation), last-sheet compaction and the
//! benchmark instance reader.

mod common;

use common::{at, l_remnant};
use nesting::bench_instance::{BenchInstance, InstanceKind};
use nesting::engine::convert::{Converted, FREE_ROTATION_STEP_DEG, convert_parts};
use nesting::engine::last_sheet::compact_last_sheet;
use nesting::engine::strip::sheets::Chained;
use nesting::engine::{NestOptions, StopReason, StripOutcome, nest_strip};
use nesting::validate::validate_layout;
use nesting::{
    Contour, Layout, NestProblem, Part, PartDemand, Placement, Rotations, SheetLayout, SheetSpec,
    Transform,
};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

fn rect_part(name: &str, w: f64, h: f64, quantity: u32, rotations: Rotations) -> PartDemand {
    PartDemand {
        part: Arc::new(Part::new(name, Contour::rectangle(0.0, 0.0, w, h), vec![])),
        quantity,
        rotations,
        mirror: false,
        min_quality: None,
        priority: nesting::DEFAULT_PRIORITY,
    }
}

/// The copy numbers on `sheets`, sorted.
fn sorted_copies(sheets: &[SheetLayout]) -> Vec<u32> {
    let placements = sheets.iter().flat_map(|s| &s.placements);
    let mut copies: Vec<u32> = placements.map(|p| p.copy).collect();
    copies.sort_unstable();
    copies
}

fn strip(parts: Vec<PartDemand>, height: f64, max_len: f64) -> NestProblem {
    NestProblem {
        parts,
        sheets: vec![SheetSpec {
            width_mm: max_len,
            height_mm: height,
            count: Some(1),
            cost: None,
            outline: None,
        }],
        spacing_mm: 0.0,
        margin_mm: 0.0,
    }
}

fn opts(time_limit_s: f64, max_iterations: Option<u64>, threads: usize) -> NestOptions {
    NestOptions {
        time_limit_s,
        seed: 7,
        max_iterations,
        threads: Some(threads),
        part_in_part: true,
    }
}

/// Validates a strip layout on a sheet exactly as long as the used length.
fn check_strip(problem: &NestProblem, layout: &Layout, length: f64) {
    let mut p = problem.clone();
    p.sheets[0].width_mm = length;
    let report = validate_layout(&p, layout);
    assert!(report.is_valid(), "{report}");
    assert_eq!(layout.placed_count() as u32, problem.total_quantity());
}

#[test]
fn strip_search_shortens_the_first_layout_and_stays_valid() {
    // 6 squares 50 x 50 and 6 bars 100 x 25 on a 100 high strip: 450 long at best.
    let problem = strip(
        vec![
            rect_part("sq", 50.0, 50.0, 6, Rotations::None),
            rect_part("bar", 100.0, 25.0, 6, Rotations::Step90),
        ],
        100.0,
        2000.0,
    );
    let first = std::sync::Mutex::new(None::<f64>);
    let out = nest_strip(
        &problem,
        &opts(4.0, None, 2),
        &AtomicBool::new(false),
        &|p| {
            let mut g = first.lock().unwrap();
            if g.is_none() && p.improved {
                *g = Some(p.utilization);
            }
        },
    )
    .expect("strip");
    check_strip(&problem, &out.layout, out.length_mm);
    assert_eq!(out.stopped, StopReason::TimeLimit);
    let first = first.lock().unwrap().expect("a first layout was reported");
    let density = 30_000.0 / (out.length_mm * 100.0);
    assert!(density >= first - 1e-9, "{density} < first {first}");
    assert!(out.length_mm < 500.0, "length {}", out.length_mm);
}

/// Nine rectangles on a 60 high strip, searched for `iterations`
/// separations per worker on `threads` threads.
fn small_strip_limited(iterations: u64, threads: usize) -> (NestProblem, StripOutcome) {
    let problem = strip(
        vec![
            rect_part("a", 30.0, 20.0, 5, Rotations::Step90),
            rect_part("b", 15.0, 40.0, 4, Rotations::Step90),
        ],
        60.0,
        1000.0,
    );
    let out = nest_strip(
        &problem,
        &opts(60.0, Some(iterations), threads),
        &AtomicBool::new(false),
        &|_| {},
    )
    .expect("strip");
    (problem, out)
}

#[test]
fn strip_search_is_repeatable_with_an_iteration_limit() {
    let ((problem, a), (_, b)) = (small_strip_limited(8, 2), small_strip_limited(8, 2));
    assert_eq!(a.stopped, StopReason::IterationLimit);
    assert_eq!(a.layout, b.layout);
    check_strip(&problem, &a.layout, a.length_mm);
}

#[test]
fn strip_with_an_odd_thread_count_uses_every_thread() {
    // Workers are teams of two separators; with three threads the second
    // worker is a team of one, so both run their 2 separations.
    let (problem, out) = small_strip_limited(2, 3);
    assert_eq!(out.stopped, StopReason::IterationLimit);
    assert_eq!((out.threads, out.iterations), (3, 4));
    check_strip(&problem, &out.layout, out.length_mm);
}

#[test]
fn strip_cancel_answers_quickly() {
    let problem = strip(
        vec![rect_part("a", 30.0, 20.0, 30, Rotations::Step90)],
        100.0,
        5000.0,
    );
    let cancel = AtomicBool::new(false);
    let start = std::time::Instant::now();
    let out = std::thread::scope(|s| {
        s.spawn(|| {
            std::thread::sleep(std::time::Duration::from_millis(500));
            cancel.store(true, std::sync::atomic::Ordering::Relaxed);
        });
        nest_strip(&problem, &opts(60.0, None, 2), &cancel, &|_| {}).expect("strip")
    });
    let took = start.elapsed().as_secs_f64();
    assert_eq!(out.stopped, StopReason::Cancelled);
    assert!(took < 1.0, "cancel took until {took} s");
    check_strip(&problem, &out.layout, out.length_mm);
}

#[test]
fn last_sheet_compaction_shortens_a_spread_out_sheet() {
    let problem = NestProblem {
        parts: vec![rect_part("sq", 40.0, 40.0, 4, Rotations::None)],
        sheets: vec![SheetSpec {
            width_mm: 300.0,
            height_mm: 100.0,
            count: None,
            cost: None,
            outline: None,
        }],
        spacing_mm: 2.0,
        margin_mm: 5.0,
    };
    let at = |copy: u32, x: f64| Placement {
        part: 0,
        copy,
        transform: Transform {
            x_mm: x,
            y_mm: 5.0,
            angle_deg: 0.0,
            mirrored: false,
        },
    };
    let spread = Layout {
        sheets: vec![SheetLayout {
            sheet: 0,
            placements: vec![at(1, 5.0), at(2, 75.0), at(3, 145.0), at(4, 215.0)],
        }],
        unplaced: vec![],
    };
    assert!(validate_layout(&problem, &spread).is_valid());
    let cancel = AtomicBool::new(false);
    let parts = convert_parts(&problem, FREE_ROTATION_STEP_DEG, &cancel).expect("valid parts");
    let converted = Converted {
        problem: &problem,
        parts: &parts,
    };
    let (out, _) = compact_last_sheet(
        converted,
        &spread,
        0,
        &opts(2.0, None, 2),
        2.0,
        &cancel,
        &|_| {},
    );
    let report = validate_layout(&problem, &out);
    assert!(report.is_valid(), "{report}");
    let before = spread.used_length(&problem, 0);
    let after = out.used_length(&problem, 0);
    // A 2 x 2 block: 5 + 40 + 2 + 40 = 87 mm.
    assert!(after < 100.0 && after < before, "{after} vs {before}");
    let mut copies: Vec<u32> = out.sheets[0].placements.iter().map(|p| p.copy).collect();
    copies.sort_unstable();
    assert_eq!(copies, vec![1, 2, 3, 4]);
}

fn instances() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/bench/instances")
}

#[test]
fn reads_the_shared_benchmark_instances() {
    let dir = instances();
    if !dir.is_dir() {
        eprintln!("{} not found; skipped", dir.display());
        return;
    }
    let albano = BenchInstance::load(&dir.join("albano.json")).expect("albano");
    assert_eq!(albano.kind, InstanceKind::Strip { height: 4900.0 });
    assert_eq!(albano.items.iter().map(|i| i.demand).sum::<u32>(), 24);
    assert_eq!(albano.items[0].rotations, Rotations::List(vec![0.0, 180.0]));
    let swim_c = BenchInstance::load(&dir.join("swim_c.json")).expect("swim_c");
    assert!(swim_c.items.iter().all(|i| i.rotations == Rotations::Free));
    let hides = BenchInstance::load(&dir.join("bin/baldacci1.json")).expect("baldacci1");
    let InstanceKind::Bins(bins) = &hides.kind else {
        panic!("baldacci1 is a bin instance");
    };
    assert!(bins.iter().map(|b| b.shape.holes.len()).sum::<usize>() > 0);
    assert!(bins.iter().any(|b| !b.zones.is_empty()));
    assert_eq!(hides.items.iter().map(|i| i.demand).sum::<u32>(), 54);
}

#[test]
fn strip_search_on_a_benchmark_instance_is_valid() {
    let dir = instances();
    if !dir.is_dir() {
        eprintln!("{} not found; skipped", dir.display());
        return;
    }
    let inst = BenchInstance::load(&dir.join("shapes0.json")).expect("shapes0");
    let scale = inst.unit_scale();
    let problem = inst.strip_problem(scale, 100.0 * scale).expect("strip");
    let out = nest_strip(
        &problem,
        &opts(2.0, None, 2),
        &AtomicBool::new(false),
        &|_| {},
    )
    .expect("strip");
    check_strip(&problem, &out.layout, out.length_mm);
    let density = inst.item_area() * scale * scale / (out.length_mm * 40.004 * scale);
    assert!(density > 0.45, "density {density}");
}

#[test]
fn chained_sheets_search_removes_a_sheet() {
    let problem = NestProblem {
        parts: vec![rect_part("sq", 45.0, 45.0, 8, Rotations::None)],
        sheets: vec![SheetSpec {
            width_mm: 100.0,
            height_mm: 100.0,
            count: None,
            cost: None,
            outline: None,
        }],
        spacing_mm: 0.0,
        margin_mm: 0.0,
    };
    // 4 + 2 + 2 squares: two sheets are enough.
    let sheet = |placements| SheetLayout {
        sheet: 0,
        placements,
    };
    let spread = Layout {
        sheets: vec![
            sheet(vec![
                at(1, 0.0, 0.0, 0.0),
                at(2, 50.0, 0.0, 0.0),
                at(3, 0.0, 50.0, 0.0),
                at(4, 50.0, 50.0, 0.0),
            ]),
            sheet(vec![at(5, 0.0, 0.0, 0.0), at(6, 50.0, 50.0, 0.0)]),
            sheet(vec![at(7, 0.0, 0.0, 0.0), at(8, 0.0, 50.0, 0.0)]),
        ],
        unplaced: vec![],
    };
    let out = chained_search(&problem, Chained::Type(0), None, &spread).expect("a better layout");
    assert_eq!(out.placed_count(), 8);
    assert_eq!(out.sheets.len(), 2, "{out:?}");
}

/// The chained-sheet search over the `chained` sheets of `spread` (a valid
/// layout of `problem`) for 3 s, or with `absorb` over those sheets (of one
/// type) and the last one (of type `absorb`), which must go: the better
/// layout, checked valid, if any.
fn chained_search(
    problem: &NestProblem,
    chained: Chained,
    absorb: Option<usize>,
    spread: &Layout,
) -> Option<Layout> {
    use nesting::engine::convert::{FREE_ROTATION_STEP_DEG, convert_parts, convert_sheets};
    use nesting::engine::strip::sheets::{improve_on_sheets, last_sheet_as};
    let before = validate_layout(problem, spread);
    assert!(before.is_valid(), "{before}");
    let parts =
        convert_parts(problem, FREE_ROTATION_STEP_DEG, &AtomicBool::new(false)).expect("parts");
    let sheets = convert_sheets(problem, &AtomicBool::new(false)).expect("sheets");
    let shape = |k: usize| sheets[k].as_ref().expect("usable sheet");
    let (from, max) = match absorb {
        None => (spread.clone(), None),
        Some(j) => {
            let Chained::Type(sheet) = chained else {
                panic!("only sheets of one type take in a last sheet");
            };
            let (moved, n) = last_sheet_as(problem, spread, sheet, shape(sheet), shape(j))
                .expect("the last sheet fits inside the other size");
            (moved, Some(n))
        }
    };
    let (out, _) = improve_on_sheets(
        problem,
        &parts,
        &sheets,
        chained,
        &from,
        max,
        &opts(3.0, None, 2),
        3.0,
        &AtomicBool::new(false),
        &|_| {},
    )?;
    let report = validate_layout(problem, &out);
    assert!(report.is_valid(), "{report}");
    Some(out)
}

/// Two sheet sizes: the parts of a smaller last sheet join the sheets of
/// the other size when they fit there, and the smaller sheet goes; when
/// they do not fit, nothing changes.
#[test]
fn a_smaller_last_sheet_is_taken_into_the_other_sheets() {
    let problem = |quantity| NestProblem {
        parts: vec![rect_part("sq", 45.0, 45.0, quantity, Rotations::None)],
        sheets: vec![
            SheetSpec::rect(100.0, 100.0, None, None),
            SheetSpec::rect(60.0, 60.0, None, None),
        ],
        spacing_mm: 0.0,
        margin_mm: 0.0,
    };
    let full = |first: u32| SheetLayout {
        sheet: 0,
        placements: vec![
            at(first, 0.0, 0.0, 0.0),
            at(first + 1, 50.0, 0.0, 0.0),
            at(first + 2, 0.0, 50.0, 0.0),
            at(first + 3, 50.0, 50.0, 0.0),
        ],
    };
    let small = |copy| SheetLayout {
        sheet: 1,
        placements: vec![at(copy, 0.0, 0.0, 0.0)],
    };
    // 4 + 2 squares on two large sheets and 1 on a small one: two large hold all 7.
    let half = SheetLayout {
        sheet: 0,
        placements: vec![at(5, 0.0, 0.0, 0.0), at(6, 50.0, 50.0, 0.0)],
    };
    let spread = Layout {
        sheets: vec![full(1), half, small(7)],
        unplaced: vec![],
    };
    let out =
        chained_search(&problem(7), Chained::Type(0), Some(1), &spread).expect("one sheet fewer");
    assert_eq!(
        out.sheets.iter().map(|s| s.sheet).collect::<Vec<_>>(),
        vec![0, 0],
        "{out:?}"
    );
    assert_eq!(sorted_copies(&out.sheets), (1..=7).collect::<Vec<_>>());
    // 4 + 4 and 1: the ninth square needs a third large sheet, so the small one stays.
    let packed = Layout {
        sheets: vec![full(1), full(5), small(9)],
        unplaced: vec![],
    };
    assert!(chained_search(&problem(9), Chained::Type(0), Some(1), &packed).is_none());
}

/// Remnants and standard sheets in one layout: the standard sheets are
/// searched as one chained strip after the remnant, which stays as it was.
#[test]
fn standard_sheets_after_a_remnant_are_searched_as_one_strip() {
    let problem = NestProblem {
        parts: vec![rect_part("sq", 45.0, 45.0, 9, Rotations::None)],
        sheets: vec![l_remnant(), SheetSpec::rect(100.0, 100.0, None, None)],
        spacing_mm: 0.0,
        margin_mm: 0.0,
    };
    let sheet = |sheet, placements| SheetLayout { sheet, placements };
    // One square on the remnant, then 4 + 2 + 2 on standard sheets: two are enough.
    let spread = Layout {
        sheets: vec![
            sheet(0, vec![at(9, 10.0, 10.0, 0.0)]),
            sheet(
                1,
                vec![
                    at(1, 0.0, 0.0, 0.0),
                    at(2, 50.0, 0.0, 0.0),
                    at(3, 0.0, 50.0, 0.0),
                    at(4, 50.0, 50.0, 0.0),
                ],
            ),
            sheet(1, vec![at(5, 0.0, 0.0, 0.0), at(6, 50.0, 50.0, 0.0)]),
            sheet(1, vec![at(7, 0.0, 0.0, 0.0), at(8, 0.0, 50.0, 0.0)]),
        ],
        unplaced: vec![],
    };
    let out = chained_search(&problem, Chained::Type(1), None, &spread).expect("a better layout");
    assert_eq!(
        out.sheets.iter().map(|s| s.sheet).collect::<Vec<_>>(),
        vec![0, 1, 1],
        "{out:?}"
    );
    assert_eq!(
        out.sheets[0], spread.sheets[0],
        "the remnant is kept as it was"
    );
    assert_eq!(sorted_copies(&out.sheets[1..]), (1..=8).collect::<Vec<_>>());
}

/// Irregular sheets (remnants with a hole and a zone) are chained with their
/// outlines, holes and zones as obstacles: 4 + 4 squares on two remnants go
/// onto one, around its hole and off its zone.
#[test]
fn irregular_sheets_are_searched_as_one_strip_with_their_obstacles() {
    let mut remnants = l_remnant();
    remnants.count = Some(2);
    let problem = NestProblem {
        parts: vec![rect_part("sq", 45.0, 45.0, 8, Rotations::None)],
        sheets: vec![remnants],
        spacing_mm: 0.0,
        margin_mm: 0.0,
    };
    let row = |first: u32| SheetLayout {
        sheet: 0,
        placements: vec![
            at(first, 0.0, 0.0, 0.0),
            at(first + 1, 50.0, 0.0, 0.0),
            at(first + 2, 0.0, 200.0, 0.0),
            at(first + 3, 100.0, 200.0, 0.0),
        ],
    };
    let spread = Layout {
        sheets: vec![row(1), row(5)],
        unplaced: vec![],
    };
    let out = chained_search(&problem, Chained::Irregular, None, &spread).expect("one remnant");
    assert_eq!(out.sheets.len(), 1, "{out:?}");
    assert_eq!(sorted_copies(&out.sheets), (1..=8).collect::<Vec<_>>());
}

/// Every progress tick shows the figures of the last layout reported, also
/// while the search tries to do without a smaller last sheet (it starts from
/// that sheet relabelled as the larger size, a layout nobody was shown).
#[test]
fn progress_ticks_show_the_figures_of_the_last_layout_reported() {
    use nesting::engine::Progress;
    use std::sync::Mutex;
    // Four squares fill a large sheet; the fifth goes on a small one, and
    // the search for a layout without it finds none.
    let problem = NestProblem {
        parts: vec![rect_part("sq", 45.0, 45.0, 5, Rotations::None)],
        sheets: vec![
            SheetSpec::rect(100.0, 100.0, None, None),
            SheetSpec::rect(60.0, 60.0, None, None),
        ],
        spacing_mm: 0.0,
        margin_mm: 0.0,
    };
    let reports: Mutex<Vec<Progress>> = Mutex::new(Vec::new());
    let out = nesting::engine::nest(
        &problem,
        &opts(2.0, None, 2),
        &AtomicBool::new(false),
        &|p| reports.lock().unwrap().push(p.clone()),
    )
    .expect("nest");
    let kinds: Vec<usize> = out.layout.sheets.iter().map(|s| s.sheet).collect();
    assert_eq!(kinds, vec![0, 1], "a large and a small sheet");
    let reports = reports.into_inner().unwrap();
    let mut shown: Option<(usize, f64)> = None;
    let mut ticks = 0;
    for p in &reports {
        if p.improved {
            let best = p.best.as_ref().expect("an improvement carries its layout");
            assert_eq!(p.sheets, best.sheets.len());
            shown = Some((p.sheets, p.utilization));
        } else if let Some(s) = shown {
            assert_eq!(
                (p.sheets, p.utilization),
                s,
                "a tick at {:.2} s",
                p.elapsed_s
            );
            ticks += 1;
        }
    }
    assert!(ticks > 0, "no ticks after the first layout");
    let last = shown.expect("a layout was reported");
    assert_eq!(last.0, 2);
    assert!((last.1 - out.layout.utilization(&problem)).abs() < 1e-12);
}
