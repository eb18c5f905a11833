//! Engine tests: layouts are checked with exact geometry (arcs enclosed by
//! circumscribed polygons at 1e-4 mm, which can only under-estimate distances).

use nesting::engine::convert::enclosing_polygon;
use nesting::engine::{NestError, NestOptions, NestOutcome, Progress, StopReason, nest};
use nesting::{
    BBox, Contour, Layout, NestProblem, Part, PartDemand, Point, Rotations, SheetSpec, Vertex,
};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn part(name: &str, outer: Contour) -> Arc<Part> {
    Arc::new(Part::new(name, outer, vec![]).normalized())
}

fn demand(p: Arc<Part>, quantity: u32, rotations: Rotations, mirror: bool) -> PartDemand {
    PartDemand {
        part: p,
        quantity,
        rotations,
        mirror,
        min_quality: None,
        priority: nesting::DEFAULT_PRIORITY,
    }
}

fn sheet(w: f64, h: f64, count: Option<u32>) -> SheetSpec {
    SheetSpec {
        width_mm: w,
        height_mm: h,
        count,
        cost: None,
        outline: None,
    }
}

fn l_shape(w: f64, h: f64, t: f64) -> Contour {
    Contour::polygon([
        Point::new(0.0, 0.0),
        Point::new(w, 0.0),
        Point::new(w, t),
        Point::new(t, t),
        Point::new(t, h),
        Point::new(0.0, h),
    ])
}

fn slot(len: f64, width: f64) -> Contour {
    let r = width / 2.0;
    Contour::new(vec![
        Vertex::line(0.0, 0.0),
        Vertex::new(len, 0.0, 1.0),
        Vertex::line(len, width),
        Vertex::new(0.0, width, 1.0),
    ])
    .translated(r, 0.0)
}

fn opts(time_limit_s: f64, max_iterations: Option<u64>, threads: Option<usize>) -> NestOptions {
    NestOptions {
        time_limit_s,
        seed: 7,
        max_iterations,
        threads,
        part_in_part: true,
    }
}

fn run(problem: &NestProblem, o: &NestOptions) -> NestOutcome {
    nest(problem, o, &AtomicBool::new(false), &|_: &Progress| {}).expect("nest")
}

fn seg_dist(a: Point, b: Point, c: Point, d: Point) -> f64 {
    fn pt_seg(p: Point, a: Point, b: Point) -> f64 {
        let ab = b.sub(a);
        let l2 = ab.dot(ab);
        let t = if l2 == 0.0 {
            0.0
        } else {
            (p.sub(a).dot(ab) / l2).clamp(0.0, 1.0)
        };
        p.dist(a.add(ab.scale(t)))
    }
    let o = |p: Point, q: Point, r: Point| (q.sub(p)).cross(r.sub(p));
    let (d1, d2, d3, d4) = (o(a, b, c), o(a, b, d), o(c, d, a), o(c, d, b));
    if ((d1 > 0.0 && d2 < 0.0) || (d1 < 0.0 && d2 > 0.0))
        && ((d3 > 0.0 && d4 < 0.0) || (d3 < 0.0 && d4 > 0.0))
    {
        return 0.0;
    }
    pt_seg(a, c, d)
        .min(pt_seg(b, c, d))
        .min(pt_seg(c, a, b))
        .min(pt_seg(d, a, b))
}

fn inside(p: Point, poly: &[Point]) -> bool {
    let mut r = false;
    let n = poly.len();
    for i in 0..n {
        let (a, b) = (poly[i], poly[(i + 1) % n]);
        if (a.y > p.y) != (b.y > p.y) && p.x < a.x + (p.y - a.y) / (b.y - a.y) * (b.x - a.x) {
            r = !r;
        }
    }
    r
}

fn poly_dist(a: &[Point], b: &[Point]) -> f64 {
    if inside(a[0], b) || inside(b[0], a) {
        return 0.0;
    }
    let mut d = f64::INFINITY;
    for i in 0..a.len() {
        for j in 0..b.len() {
            d = d.min(seg_dist(
                a[i],
                a[(i + 1) % a.len()],
                b[j],
                b[(j + 1) % b.len()],
            ));
        }
    }
    d
}

/// Checks counts, rotations, mirrors, margin and spacing; returns the
/// worst (smallest) part-part distance seen.
fn check_layout(problem: &NestProblem, layout: &Layout) -> f64 {
    let mut placed = vec![0u32; problem.parts.len()];
    let mut copies: Vec<Vec<u32>> = vec![vec![]; problem.parts.len()];
    let mut worst = f64::INFINITY;
    for s in &layout.sheets {
        let spec = &problem.sheets[s.sheet];
        let polys: Vec<(Vec<Point>, BBox)> = s
            .placements
            .iter()
            .map(|p| {
                let d = &problem.parts[p.part];
                assert!(
                    d.rotations.allows(p.transform.angle_deg),
                    "part {} placed at {}° not allowed by {:?}",
                    p.part,
                    p.transform.angle_deg,
                    d.rotations
                );
                assert!(
                    !p.transform.mirrored || d.mirror,
                    "part {} mirrored",
                    p.part
                );
                placed[p.part] += 1;
                copies[p.part].push(p.copy);
                let c = d.part.outer.transformed(&p.transform).oriented(true);
                let poly = enclosing_polygon(&c, 1e-4);
                let bb = BBox::from_points(poly.iter().copied());
                let m = problem.margin_mm - 1e-6;
                assert!(
                    bb.min.x >= m
                        && bb.min.y >= m
                        && bb.max.x <= spec.width_mm - m
                        && bb.max.y <= spec.height_mm - m,
                    "part {} copy {} violates the margin: {bb:?}",
                    p.part,
                    p.copy
                );
                (poly, bb)
            })
            .collect();
        for i in 0..polys.len() {
            for j in i + 1..polys.len() {
                if !polys[i]
                    .1
                    .expanded(problem.spacing_mm + 1.0)
                    .intersects(&polys[j].1)
                {
                    continue;
                }
                let d = poly_dist(&polys[i].0, &polys[j].0);
                worst = worst.min(d);
                assert!(
                    d >= problem.spacing_mm - 1e-6,
                    "parts {i} and {j} on sheet {} are {d} mm apart (spacing {})",
                    s.sheet,
                    problem.spacing_mm
                );
            }
        }
    }
    for (i, d) in problem.parts.iter().enumerate() {
        let unplaced: u32 = layout
            .unplaced
            .iter()
            .filter(|u| u.part == i)
            .map(|u| u.count)
            .sum();
        assert_eq!(placed[i] + unplaced, d.quantity, "part {i} count");
        copies[i].sort_unstable();
        assert_eq!(copies[i], (1..=placed[i]).collect::<Vec<_>>(), "copies");
    }
    worst
}

#[test]
fn rectangles_fill_one_sheet() {
    let problem = NestProblem {
        parts: vec![demand(
            part("r", Contour::rectangle(0.0, 0.0, 100.0, 50.0)),
            16,
            Rotations::Step90,
            false,
        )],
        sheets: vec![sheet(1000.0, 500.0, None)],
        spacing_mm: 2.0,
        margin_mm: 5.0,
    };
    let out = run(&problem, &opts(1.0, Some(4), None));
    assert!(out.layout.unplaced.is_empty());
    assert_eq!(out.layout.sheets.len(), 1);
    let worst = check_layout(&problem, &out.layout);
    assert!(
        worst < 2.5,
        "parts should pack tightly, closest pair {worst}"
    );
    // 16 parts of 100x50 fit in well under half the length.
    let len = out.layout.used_length(&problem, 0);
    assert!(len < 450.0, "used length {len}");
}

#[test]
fn parts_with_arcs_keep_spacing_and_margin() {
    let problem = NestProblem {
        parts: vec![
            demand(
                part("disc", Contour::circle(Point::new(0.0, 0.0), 40.0)),
                6,
                Rotations::None,
                false,
            ),
            demand(part("slot", slot(120.0, 30.0)), 6, Rotations::Step90, false),
        ],
        sheets: vec![sheet(600.0, 300.0, None)],
        spacing_mm: 3.0,
        margin_mm: 10.0,
    };
    let out = run(&problem, &opts(1.0, Some(4), None));
    assert!(out.layout.unplaced.is_empty(), "{:?}", out.layout.unplaced);
    let worst = check_layout(&problem, &out.layout);
    assert!(worst < 3.5, "closest pair {worst}");
}

fn mixed_problem() -> NestProblem {
    NestProblem {
        parts: vec![
            demand(
                part("a", Contour::rectangle(0.0, 0.0, 200.0, 100.0)),
                8,
                Rotations::Step90,
                false,
            ),
            demand(
                part("b", Contour::rectangle(0.0, 0.0, 150.0, 80.0)),
                8,
                Rotations::Step90,
                false,
            ),
            demand(
                part("c", Contour::rectangle(0.0, 0.0, 90.0, 60.0)),
                8,
                Rotations::Step90,
                false,
            ),
            demand(
                part("l1", l_shape(180.0, 140.0, 50.0)),
                8,
                Rotations::Step90,
                true,
            ),
            demand(
                part("l2", l_shape(120.0, 90.0, 35.0)),
                8,
                Rotations::Step90,
                false,
            ),
        ],
        sheets: vec![sheet(1000.0, 600.0, None)],
        spacing_mm: 2.0,
        margin_mm: 5.0,
    }
}

#[test]
fn forty_mixed_parts_reach_good_utilization() {
    let problem = mixed_problem();
    let out = run(&problem, &opts(2.0, None, None));
    assert!(out.layout.unplaced.is_empty());
    check_layout(&problem, &out.layout);
    let n = out.layout.sheets.len();
    let full: f64 = (0..n - 1)
        .map(|i| out.layout.sheet_utilization(&problem, i))
        .sum::<f64>();
    let area: f64 = problem
        .parts
        .iter()
        .map(|d| d.part.area() * d.quantity as f64)
        .sum();
    // Utilization of the used length: parts area over sheets used up to the last sheet's used length.
    let len = out.layout.used_length(&problem, n - 1);
    let strip_util = area / ((n - 1) as f64 * 600_000.0 + len * 600.0);
    eprintln!(
        "40 mixed parts: {n} sheets, utilization {:.3}, length-based utilization {strip_util:.3}, last length {len:.1} mm, {} restarts, full-sheet sum {full:.3}",
        out.layout.utilization(&problem),
        out.iterations
    );
    assert!(strip_util > 0.70, "length-based utilization {strip_util}");
}

#[test]
fn rotation_modes_and_mirroring_are_honoured() {
    let tri = Contour::polygon([
        Point::new(0.0, 0.0),
        Point::new(80.0, 0.0),
        Point::new(0.0, 30.0),
    ]);
    let problem = NestProblem {
        parts: vec![
            demand(
                part("fixed", l_shape(60.0, 40.0, 15.0)),
                4,
                Rotations::None,
                false,
            ),
            demand(
                part("list", tri.clone()),
                4,
                Rotations::List(vec![0.0, 180.0]),
                false,
            ),
            demand(
                part("free", l_shape(70.0, 50.0, 12.0)),
                4,
                Rotations::Free,
                false,
            ),
            demand(part("mirror", tri), 4, Rotations::None, true),
        ],
        sheets: vec![sheet(400.0, 200.0, None)],
        spacing_mm: 1.0,
        margin_mm: 2.0,
    };
    let out = run(&problem, &opts(1.0, Some(4), None));
    assert!(out.layout.unplaced.is_empty(), "{:?}", out.layout.unplaced);
    // check_layout asserts allowed angles and mirror permissions.
    check_layout(&problem, &out.layout);
    let all: Vec<_> = out
        .layout
        .sheets
        .iter()
        .flat_map(|s| &s.placements)
        .collect();
    for p in &all {
        match p.part {
            0 | 3 => assert_eq!(p.transform.angle_deg, 0.0),
            1 => assert!(p.transform.angle_deg == 0.0 || p.transform.angle_deg == 180.0),
            _ => {}
        }
    }
    assert!(
        all.iter()
            .filter(|p| p.part != 3)
            .all(|p| !p.transform.mirrored)
    );
}

#[test]
fn free_rotation_can_use_any_angle() {
    // A long bar only fits diagonally on a square sheet.
    let problem = NestProblem {
        parts: vec![demand(
            part("bar", Contour::rectangle(0.0, 0.0, 130.0, 10.0)),
            1,
            Rotations::Free,
            false,
        )],
        sheets: vec![sheet(110.0, 110.0, None)],
        spacing_mm: 0.0,
        margin_mm: 0.0,
    };
    let out = run(&problem, &opts(1.0, Some(2), Some(1)));
    assert!(out.layout.unplaced.is_empty(), "{:?}", out.layout.unplaced);
    check_layout(&problem, &out.layout);
    let a = out.layout.sheets[0].placements[0]
        .transform
        .angle_deg
        .rem_euclid(90.0);
    assert!(a > 1.0 && a < 89.0, "angle {a}");
}

#[test]
fn too_large_part_is_unplaced_with_reason() {
    let problem = NestProblem {
        parts: vec![
            demand(
                part("huge", Contour::rectangle(0.0, 0.0, 3200.0, 200.0)),
                1,
                Rotations::Step90,
                false,
            ),
            demand(
                part("ok", Contour::rectangle(0.0, 0.0, 100.0, 100.0)),
                2,
                Rotations::Step90,
                false,
            ),
        ],
        sheets: vec![sheet(3000.0, 1500.0, None)],
        spacing_mm: 2.0,
        margin_mm: 10.0,
    };
    let out = run(&problem, &opts(1.0, Some(2), None));
    check_layout(&problem, &out.layout);
    assert_eq!(out.layout.placed_count(), 2);
    assert_eq!(out.layout.unplaced.len(), 1);
    let u = &out.layout.unplaced[0];
    assert_eq!((u.part, u.count), (0, 1));
    assert!(
        u.reason.contains("larger than every sheet") && u.reason.contains("3200.0 x 200.0"),
        "{}",
        u.reason
    );
}

#[test]
fn stock_exhausted_leaves_parts_unplaced() {
    let problem = NestProblem {
        parts: vec![demand(
            part("sq", Contour::rectangle(0.0, 0.0, 90.0, 90.0)),
            7,
            Rotations::None,
            false,
        )],
        sheets: vec![sheet(200.0, 200.0, Some(1))],
        spacing_mm: 2.0,
        margin_mm: 5.0,
    };
    let out = run(&problem, &opts(1.0, Some(2), None));
    check_layout(&problem, &out.layout);
    assert_eq!(out.layout.sheets.len(), 1);
    assert_eq!(out.layout.placed_count(), 4);
    assert_eq!(out.layout.unplaced.len(), 1);
    assert_eq!(out.layout.unplaced[0].count, 3);
    assert_eq!(out.layout.unplaced[0].reason, "no sheet left in stock");
}

/// One 1000 x 500 sheet in stock: a 600 x 400 panel and one 300 x 300
/// square fit together, or the three squares without the panel.
fn panel_and_squares(square_priority: u32) -> NestProblem {
    let squares = PartDemand {
        priority: square_priority,
        ..demand(
            part("square", Contour::rectangle(0.0, 0.0, 300.0, 300.0)),
            3,
            Rotations::None,
            false,
        )
    };
    NestProblem {
        parts: vec![
            demand(
                part("panel", Contour::rectangle(0.0, 0.0, 600.0, 400.0)),
                1,
                Rotations::None,
                false,
            ),
            squares,
        ],
        sheets: vec![sheet(1000.0, 500.0, Some(1))],
        spacing_mm: 0.0,
        margin_mm: 0.0,
    }
}

#[test]
fn urgent_parts_are_placed_first_when_the_stock_runs_out() {
    let placed = |l: &Layout, part: usize| {
        l.sheets
            .iter()
            .flat_map(|s| &s.placements)
            .filter(|p| p.part == part)
            .count()
    };
    // Same priority: least unplaced area, so the panel and one square.
    let problem = panel_and_squares(nesting::DEFAULT_PRIORITY);
    let out = run(&problem, &opts(1.0, Some(20), None));
    check_layout(&problem, &out.layout);
    assert_eq!((placed(&out.layout, 0), placed(&out.layout, 1)), (1, 1));
    // The squares first: all three, and the panel is left out.
    let problem = panel_and_squares(nesting::PRIORITY_FIRST);
    let out = run(&problem, &opts(1.0, Some(20), None));
    check_layout(&problem, &out.layout);
    assert_eq!((placed(&out.layout, 0), placed(&out.layout, 1)), (0, 3));
    assert_eq!(out.layout.unplaced.len(), 1);
    assert_eq!(out.layout.unplaced[0].part, 0);
    assert_eq!(out.layout.unplaced[0].reason, "no sheet left in stock");
    // Out of range.
    let problem = panel_and_squares(nesting::PRIORITY_LAST + 1);
    match nest(
        &problem,
        &opts(1.0, Some(1), None),
        &AtomicBool::new(false),
        &|_: &Progress| {},
    ) {
        Err(NestError::InvalidPart { part, reason }) => {
            assert_eq!(part, 1);
            assert!(
                reason.contains("priority 10") && reason.contains("`square`"),
                "{reason}"
            );
        }
        other => panic!("expected InvalidPart, got {other:?}"),
    }
}

#[test]
fn several_sheet_sizes_and_stock() {
    let problem = NestProblem {
        parts: vec![
            demand(
                part("a", Contour::rectangle(0.0, 0.0, 300.0, 200.0)),
                6,
                Rotations::Step90,
                false,
            ),
            demand(
                part("b", l_shape(150.0, 150.0, 40.0)),
                6,
                Rotations::Step90,
                false,
            ),
        ],
        sheets: vec![sheet(500.0, 400.0, None), sheet(1000.0, 500.0, Some(1))],
        spacing_mm: 2.0,
        margin_mm: 5.0,
    };
    let out = run(&problem, &opts(1.5, Some(8), None));
    assert!(out.layout.unplaced.is_empty());
    check_layout(&problem, &out.layout);
    let big = out.layout.sheets.iter().filter(|s| s.sheet == 1).count();
    assert!(big <= 1, "stock of the large sheet is 1");
    // Part area 6*60000 + 6*(150*40+110*40) = 422400 mm²: at least 2 sheets, 3 is reasonable.
    assert!(
        out.layout.sheets.len() <= 3,
        "{} sheets",
        out.layout.sheets.len()
    );
}

#[test]
fn sheet_costs_prefer_the_cheaper_sheet() {
    let mut small = sheet(400.0, 400.0, None);
    small.cost = Some(1.0);
    let mut big = sheet(1000.0, 1000.0, None);
    big.cost = Some(10.0);
    let problem = NestProblem {
        parts: vec![demand(
            part("a", Contour::rectangle(0.0, 0.0, 100.0, 100.0)),
            4,
            Rotations::None,
            false,
        )],
        sheets: vec![big, small],
        spacing_mm: 2.0,
        margin_mm: 5.0,
    };
    let out = run(&problem, &opts(1.0, Some(2), None));
    check_layout(&problem, &out.layout);
    assert_eq!(out.layout.sheets.len(), 1);
    assert_eq!(
        out.layout.sheets[0].sheet, 1,
        "the 400 x 400 sheet is cheaper"
    );
}

#[test]
fn cancel_from_another_thread_returns_best_so_far() {
    let problem = mixed_problem();
    let cancel = AtomicBool::new(false);
    let reports = AtomicUsize::new(0);
    let start = Instant::now();
    let out = std::thread::scope(|s| {
        s.spawn(|| {
            std::thread::sleep(Duration::from_millis(800));
            cancel.store(true, Ordering::Relaxed);
        });
        nest(
            &problem,
            &opts(60.0, None, None),
            &cancel,
            &|_: &Progress| {
                reports.fetch_add(1, Ordering::Relaxed);
            },
        )
        .expect("nest")
    });
    let took = start.elapsed().as_secs_f64();
    assert_eq!(out.stopped, StopReason::Cancelled);
    assert!(took < 3.0, "cancel took until {took} s");
    assert!(reports.load(Ordering::Relaxed) >= 2);
    check_layout(&problem, &out.layout);
    assert!(out.layout.placed_count() > 0);
}

#[test]
fn cancel_before_the_parts_are_converted_leaves_every_copy_unplaced() {
    let problem = mixed_problem();
    let out = nest(
        &problem,
        &opts(60.0, None, None),
        &AtomicBool::new(true),
        &|_: &Progress| {},
    )
    .expect("a cancelled nest is a result, not an error");
    assert_eq!(out.stopped, StopReason::Cancelled);
    assert!(out.layout.sheets.is_empty());
    let unplaced: u32 = out.layout.unplaced.iter().map(|u| u.count).sum();
    assert_eq!(unplaced, problem.total_quantity());
    assert!(
        out.layout
            .unplaced
            .iter()
            .all(|u| u.reason.contains("cancelled")),
        "{:?}",
        out.layout.unplaced
    );
}

#[test]
fn time_limit_is_respected_and_progress_reported() {
    let problem = mixed_problem();
    let last = Mutex::new(None::<Progress>);
    let improvements = AtomicUsize::new(0);
    let start = Instant::now();
    let out = nest(
        &problem,
        &opts(1.0, None, None),
        &AtomicBool::new(false),
        &|p: &Progress| {
            if p.improved {
                assert!(p.best.is_some());
                improvements.fetch_add(1, Ordering::Relaxed);
            }
            *last.lock().unwrap() = Some(p.clone());
        },
    )
    .expect("nest");
    let took = start.elapsed().as_secs_f64();
    assert_eq!(out.stopped, StopReason::TimeLimit);
    assert!(took < 2.0, "took {took} s for a 1 s limit");
    assert!(improvements.load(Ordering::Relaxed) >= 1);
    let p = last.lock().unwrap().clone().expect("progress");
    assert_eq!(p.total, 40);
}

#[test]
fn same_seed_and_iterations_give_same_layout_on_any_thread_count() {
    let problem = mixed_problem();
    let a = run(&problem, &opts(60.0, Some(5), Some(1)));
    let b = run(&problem, &opts(60.0, Some(5), Some(2)));
    assert_eq!(a.stopped, StopReason::IterationLimit);
    assert_eq!(a.iterations, 5);
    assert_eq!(a.layout, b.layout);
}

#[test]
fn bad_input_is_reported() {
    let p = part("r", Contour::rectangle(0.0, 0.0, 10.0, 10.0));
    let no_sheets = NestProblem {
        parts: vec![demand(p.clone(), 1, Rotations::None, false)],
        sheets: vec![],
        spacing_mm: 0.0,
        margin_mm: 0.0,
    };
    let e = nest(
        &no_sheets,
        &NestOptions::default(),
        &AtomicBool::new(false),
        &|_: &Progress| {},
    );
    assert!(matches!(e, Err(NestError::NoSheets)));
    let flat = Arc::new(Part::new(
        "flat",
        Contour::polygon([
            Point::new(0.0, 0.0),
            Point::new(10.0, 0.0),
            Point::new(20.0, 0.0),
        ]),
        vec![],
    ));
    let bad = NestProblem {
        parts: vec![
            demand(p, 1, Rotations::None, false),
            demand(flat, 1, Rotations::None, false),
        ],
        sheets: vec![sheet(100.0, 100.0, None)],
        spacing_mm: 0.0,
        margin_mm: 0.0,
    };
    match nest(
        &bad,
        &NestOptions::default(),
        &AtomicBool::new(false),
        &|_: &Progress| {},
    ) {
        Err(NestError::InvalidPart { part, reason }) => {
            assert_eq!(part, 1);
            assert!(reason.contains("no area"), "{reason}");
        }
        other => panic!("expected InvalidPart, got {other:?}"),
    }
}

#[test]
fn urgent_parts_stay_on_the_first_sheet_while_the_sheets_are_shortened() {
    // Eight urgent plates fill a third of one 1000 x 500 sheet; the filler
    // L-shapes need about three more sheets.
    let urgent = PartDemand {
        priority: nesting::PRIORITY_FIRST,
        ..demand(
            part("urgent", Contour::rectangle(0.0, 0.0, 200.0, 100.0)),
            8,
            Rotations::Step90,
            false,
        )
    };
    let filler = PartDemand {
        priority: nesting::PRIORITY_LAST,
        ..demand(
            part("filler", l_shape(180.0, 140.0, 50.0)),
            60,
            Rotations::Step90,
            false,
        )
    };
    let problem = NestProblem {
        parts: vec![urgent, filler],
        sheets: vec![sheet(1000.0, 500.0, None)],
        spacing_mm: 2.0,
        margin_mm: 5.0,
    };
    for seed in [1, 2, 3] {
        let o = NestOptions {
            seed,
            ..opts(4.0, None, None)
        };
        let out = run(&problem, &o);
        check_layout(&problem, &out.layout);
        let on_first = out.layout.sheets[0]
            .placements
            .iter()
            .filter(|p| p.part == 0)
            .count();
        assert_eq!(
            on_first,
            8,
            "seed {seed}: {} sheets",
            out.layout.sheets.len()
        );
    }
}
