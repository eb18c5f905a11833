//! The independent validator catches every kind of broken layout on purpose,
//! exactly (arcs included), and passes valid ones.

use nesting::geometry::{Contour, Point, Transform, Vertex};
use nesting::validate::{
    PlacedShape, SheetEdge, TOLERANCE_MM, Violation, validate_layout, validate_sheet,
};
use nesting::{
    Layout, NestProblem, Part, PartDemand, Placement, Rotations, SheetLayout, SheetSpec, Unplaced,
};
use std::f64::consts::PI;
use std::sync::Arc;
use std::time::Instant;

fn shape(label: &str, outer: Contour) -> PlacedShape {
    PlacedShape {
        label: label.into(),
        outer,
        holes: Vec::new(),
        min_quality: None,
    }
}

fn rect(label: &str, x: f64, y: f64, w: f64, h: f64) -> PlacedShape {
    shape(label, Contour::rectangle(x, y, w, h))
}

fn circle(label: &str, cx: f64, cy: f64, r: f64) -> PlacedShape {
    shape(label, Contour::circle(Point::new(cx, cy), r))
}

/// A 200 × 200 plate at (x, y) with a round hole of radius `r` in its middle.
fn plate_with_hole(label: &str, x: f64, y: f64, r: f64) -> PlacedShape {
    PlacedShape {
        label: label.into(),
        outer: Contour::rectangle(x, y, 200.0, 200.0),
        holes: vec![Contour::circle(Point::new(x + 100.0, y + 100.0), r).reversed()],
        min_quality: None,
    }
}

fn sheet(shapes: &[PlacedShape], spacing: f64, margin: f64) -> Vec<Violation> {
    validate_sheet(
        0,
        &SheetSpec::rect(3000.0, 1500.0, None, None),
        shapes,
        spacing,
        margin,
    )
}

fn spacing_distance(v: &[Violation]) -> f64 {
    match v {
        [Violation::Spacing { distance_mm, .. }] => *distance_mm,
        other => panic!("expected exactly one spacing violation, got {other:?}"),
    }
}

#[test]
fn well_spaced_parts_are_valid() {
    let shapes = [
        rect("a #1", 10.0, 10.0, 100.0, 50.0),
        rect("b #1", 115.0, 10.0, 100.0, 50.0),
        circle("c #1", 300.0, 300.0, 50.0),
        circle("c #2", 405.0, 300.0, 50.0),
    ];
    let v = sheet(&shapes, 5.0, 10.0);
    assert!(v.is_empty(), "{v:?}");
}

#[test]
fn crossing_parts_overlap() {
    let shapes = [
        rect("a #1", 100.0, 100.0, 100.0, 20.0),
        rect("b #1", 140.0, 60.0, 20.0, 100.0),
    ];
    let v = sheet(&shapes, 5.0, 0.0);
    assert!(
        matches!(&v[..], [Violation::Overlap { a, b, at, .. }]
        if a == "a #1" && b == "b #1" && at.x >= 140.0 && at.x <= 160.0 && at.y >= 100.0 && at.y <= 120.0),
        "{v:?}"
    );
    assert!(
        v[0].to_string()
            .starts_with("sheet 1: `a #1` and `b #1` overlap at ("),
        "{}",
        v[0]
    );
}

#[test]
fn identical_placements_overlap_although_no_edge_crosses() {
    let shapes = [
        circle("a #1", 500.0, 500.0, 30.0),
        circle("a #2", 500.0, 500.0, 30.0),
    ];
    let v = sheet(&shapes, 0.0, 0.0);
    assert!(matches!(&v[..], [Violation::Overlap { .. }]), "{v:?}");
}

#[test]
fn part_inside_material_of_another_is_overlap() {
    let shapes = [
        rect("big #1", 100.0, 100.0, 500.0, 500.0),
        rect("small #1", 300.0, 300.0, 20.0, 20.0),
    ];
    let v = sheet(&shapes, 5.0, 0.0);
    assert!(
        matches!(&v[..], [Violation::Overlap { a, b, .. }] if a == "big #1" && b == "small #1"),
        "{v:?}"
    );
}

#[test]
fn touching_and_too_close_lines_break_spacing() {
    // Touching along an edge: fine without spacing, a violation with 5 mm.
    let touching = [
        rect("a #1", 100.0, 100.0, 100.0, 50.0),
        rect("b #1", 200.0, 100.0, 100.0, 50.0),
    ];
    assert!(sheet(&touching, 0.0, 0.0).is_empty());
    let v = sheet(&touching, 5.0, 0.0);
    assert_eq!(spacing_distance(&v), 0.0);
    assert!(v[0].to_string().contains("touch"), "{}", v[0]);
    // Overlapping by 0.01 mm along a shared edge is an overlap even without spacing.
    let overlapping = [
        rect("a #1", 100.0, 100.0, 100.0, 50.0),
        rect("b #1", 199.99, 100.0, 100.0, 50.0),
    ];
    assert!(matches!(
        &sheet(&overlapping, 0.0, 0.0)[..],
        [Violation::Overlap { .. }]
    ));
    // 4.213 mm apart with 5 mm spacing.
    let close = [
        rect("bracket #3", 100.0, 100.0, 100.0, 50.0),
        rect("flange #1", 204.213, 120.0, 100.0, 50.0),
    ];
    let v = sheet(&close, 5.0, 0.0);
    assert!((spacing_distance(&v) - 4.213).abs() < 1e-9);
    assert_eq!(
        v[0].to_string(),
        "sheet 1: `bracket #3` and `flange #1` are 4.213 mm apart at (202.1, 120.0), spacing is 5 mm"
    );
    // Exactly at the spacing is fine.
    let exact = [
        rect("a #1", 100.0, 100.0, 100.0, 50.0),
        rect("b #1", 205.0, 100.0, 100.0, 50.0),
    ];
    assert!(sheet(&exact, 5.0, 0.0).is_empty());
}

#[test]
fn arc_vs_arc_spacing_is_exact() {
    // Two circles r = 50 whose gap is 0.0005 mm short of 5 mm. Chords of any
    // flattening lie inside the circles, so a polygon check would see more
    // than 5 mm unless it were finer than 0.00025 mm.
    let gap = 5.0 - 0.0005;
    let shapes = [
        circle("disc #1", 500.0, 500.0, 50.0),
        circle("disc #2", 600.0 + gap, 500.0, 50.0),
    ];
    let v = sheet(&shapes, 5.0, 0.0);
    assert!((spacing_distance(&v) - gap).abs() < 1e-9, "{v:?}");
    assert!(v[0].to_string().contains("4.9995 mm apart"), "{}", v[0]);
    // The same circles in a diagonal direction (no vertex on the centre line).
    let d = 100.0 + gap;
    let (dx, dy) = (d * (PI / 5.0).cos(), d * (PI / 5.0).sin());
    let diag = [
        circle("disc #1", 500.0, 500.0, 50.0),
        circle("disc #2", 500.0 + dx, 500.0 + dy, 50.0),
    ];
    assert!((spacing_distance(&sheet(&diag, 5.0, 0.0)) - gap).abs() < 1e-9);
    // 0.0005 mm more than the spacing: valid.
    let ok = [
        circle("disc #1", 500.0, 500.0, 50.0),
        circle("disc #2", 605.0005, 500.0, 50.0),
    ];
    assert!(sheet(&ok, 5.0, 0.0).is_empty());
}

#[test]
fn arc_vs_line_spacing_is_exact() {
    // A circle under a rectangle's bottom edge, 0.0005 mm short of 5 mm, its
    // nearest point in the middle of the arc and of the line.
    let gap = 5.0 - 0.0005;
    let shapes = [
        rect("plate #1", 400.0, 600.0, 300.0, 100.0),
        circle("disc #1", 550.0, 600.0 - gap - 40.0, 40.0),
    ];
    let v = sheet(&shapes, 5.0, 0.0);
    assert!((spacing_distance(&v) - gap).abs() < 1e-9, "{v:?}");
    // A slot's rounded end next to a straight edge.
    let slot = Contour::new(vec![
        Vertex::line(100.0, 100.0),
        Vertex::new(200.0, 100.0, 1.0),
        Vertex::line(200.0, 120.0),
        Vertex::new(100.0, 120.0, 1.0),
    ]);
    let shapes = [
        shape("slot #1", slot.clone()),
        rect("bar #1", 210.0 + gap, 50.0, 20.0, 100.0),
    ];
    assert!((spacing_distance(&sheet(&shapes, 5.0, 0.0)) - gap).abs() < 1e-9);
    let shapes = [
        shape("slot #1", slot),
        rect("bar #1", 215.0, 50.0, 20.0, 100.0),
    ];
    assert!(sheet(&shapes, 5.0, 0.0).is_empty());
}

#[test]
fn part_in_a_hole_is_valid_with_clearance_only() {
    // Hole r = 60; disc r = 50 in its middle: 10 mm clearance.
    let shapes = [
        plate_with_hole("frame #1", 100.0, 100.0, 60.0),
        circle("disc #1", 200.0, 200.0, 50.0),
    ];
    assert!(sheet(&shapes, 5.0, 0.0).is_empty());
    // Clearance 10 mm but spacing 12 mm.
    let v = sheet(&shapes, 12.0, 0.0);
    assert!((spacing_distance(&v) - 10.0).abs() < 1e-9);
    // Disc larger than the hole: overlap with the frame's material.
    let big = [
        plate_with_hole("frame #1", 100.0, 100.0, 60.0),
        circle("disc #1", 200.0, 200.0, 70.0),
    ];
    assert!(matches!(
        &sheet(&big, 5.0, 0.0)[..],
        [Violation::Overlap { .. }]
    ));
    // Disc exactly filling the hole: touching, no overlap.
    let fill = [
        plate_with_hole("frame #1", 100.0, 100.0, 60.0),
        circle("disc #1", 200.0, 200.0, 60.0),
    ];
    assert!(sheet(&fill, 0.0, 0.0).is_empty());
    assert_eq!(spacing_distance(&sheet(&fill, 1.0, 0.0)), 0.0);
}

#[test]
fn margin_and_outside_sheet() {
    let shapes = [rect("a #1", 3.0, 100.0, 50.0, 50.0)];
    let v = sheet(&shapes, 0.0, 5.0);
    assert!(
        matches!(&v[..], [Violation::Margin { edge: SheetEdge::Left, distance_mm, .. }] if (*distance_mm - 3.0).abs() < 1e-12),
        "{v:?}"
    );
    assert_eq!(
        v[0].to_string(),
        "sheet 1: `a #1` is 3.000 mm from the left edge, margin is 5 mm"
    );
    // A circle whose arc extreme (not a vertex) crosses the top edge.
    let shapes = [shape(
        "disc #1",
        Contour::new(vec![
            Vertex::new(1000.0, 1450.0, 1.0),
            Vertex::new(1100.0, 1450.0, 1.0),
        ]),
    )];
    let v = validate_sheet(
        1,
        &SheetSpec::rect(3000.0, 1480.0, None, None),
        &shapes,
        0.0,
        0.0,
    );
    assert!(
        matches!(&v[..], [Violation::OutsideSheet { edge: SheetEdge::Top, overhang_mm, .. }] if (*overhang_mm - 20.0).abs() < 1e-9),
        "{v:?}"
    );
    assert!(
        v[0].to_string()
            .starts_with("sheet 2: `disc #1` sticks out 20.000 mm over the top edge"),
        "{}",
        v[0]
    );
    // Exactly at the margin is fine; within the tolerance too.
    let shapes = [rect("a #1", 5.0 - TOLERANCE_MM / 2.0, 5.0, 2990.0, 1490.0)];
    assert!(sheet(&shapes, 0.0, 5.0).is_empty());
}

#[test]
fn nan_placement_is_reported_not_ignored() {
    let shapes = [rect("a #1", f64::NAN, 100.0, 50.0, 50.0)];
    assert!(matches!(
        &sheet(&shapes, 0.0, 5.0)[..],
        [Violation::NonFiniteGeometry { .. }]
    ));
}

/// A 100 × 60 part with a 15 mm rounded corner and a slot hole.
fn bracket() -> Part {
    let outer = Contour::new(vec![
        Vertex::line(0.0, 0.0),
        Vertex::line(100.0, 0.0),
        Vertex::new(100.0, 45.0, (PI / 8.0).tan()),
        Vertex::line(85.0, 60.0),
        Vertex::line(0.0, 60.0),
    ]);
    let hole = Contour::new(vec![
        Vertex::line(20.0, 20.0),
        Vertex::new(50.0, 20.0, 1.0),
        Vertex::line(50.0, 30.0),
        Vertex::new(20.0, 30.0, 1.0),
    ]);
    Part::new("bracket", outer, vec![hole])
}

fn problem(quantity: u32, stock: Option<u32>, rotations: Rotations, mirror: bool) -> NestProblem {
    NestProblem {
        parts: vec![PartDemand {
            part: Arc::new(bracket()),
            quantity,
            rotations,
            mirror,
            min_quality: None,
            priority: nesting::DEFAULT_PRIORITY,
        }],
        sheets: vec![SheetSpec {
            width_mm: 500.0,
            height_mm: 300.0,
            count: stock,
            cost: None,
            outline: None,
        }],
        spacing_mm: 5.0,
        margin_mm: 10.0,
    }
}

fn at(copy: u32, x: f64, y: f64, angle_deg: f64, mirrored: bool) -> Placement {
    Placement {
        part: 0,
        copy,
        transform: Transform {
            x_mm: x,
            y_mm: y,
            angle_deg,
            mirrored,
        },
    }
}

#[test]
fn valid_layout_with_rotation_and_mirror_passes() {
    let p = problem(3, Some(1), Rotations::Step90, true);
    let layout = Layout {
        sheets: vec![SheetLayout {
            sheet: 0,
            placements: vec![
                at(1, 10.0, 10.0, 0.0, false),
                // Rotated 90°: occupies x in [115-60, 115], y in [10, 110].
                at(2, 175.0, 10.0, 90.0, false),
                // Mirrored: occupies x in [180, 280].
                at(3, 280.0, 10.0, 0.0, true),
            ],
        }],
        unplaced: vec![],
    };
    let report = validate_layout(&p, &layout);
    assert!(report.is_valid(), "{report}");
    assert_eq!(report.to_string(), "layout is valid");
}

#[test]
fn layout_bookkeeping_errors_are_all_caught() {
    let p = problem(2, Some(1), Rotations::List(vec![0.0, 180.0]), false);
    let layout = Layout {
        sheets: vec![
            SheetLayout {
                sheet: 0,
                placements: vec![
                    at(1, 10.0, 10.0, 90.0, false),
                    at(1, 150.0, 10.0, 0.0, true),
                ],
            },
            SheetLayout {
                sheet: 0,
                placements: vec![
                    at(3, 10.0, 10.0, 180.0, false),
                    Placement {
                        part: 7,
                        ..at(1, 10.0, 150.0, 0.0, false)
                    },
                ],
            },
            SheetLayout {
                sheet: 4,
                placements: vec![],
            },
        ],
        unplaced: vec![Unplaced {
            part: 9,
            count: 1,
            reason: "test".into(),
        }],
    };
    let report = validate_layout(&p, &layout);
    let v = &report.violations;
    let has = |f: &dyn Fn(&Violation) -> bool| v.iter().any(f);
    assert!(
        has(
            &|x| matches!(x, Violation::RotationNotAllowed { sheet: 0, angle_deg, .. } if *angle_deg == 90.0)
        ),
        "{report}"
    );
    assert!(
        has(&|x| matches!(x, Violation::MirrorNotAllowed { sheet: 0, .. })),
        "{report}"
    );
    assert!(
        has(&|x| matches!(
            x,
            Violation::DuplicateCopy {
                copy: 1,
                first_sheet: 0,
                sheet: 0,
                ..
            }
        )),
        "{report}"
    );
    assert!(
        has(&|x| matches!(
            x,
            Violation::CopyOutOfRange {
                sheet: 1,
                copy: 3,
                quantity: 2,
                ..
            }
        )),
        "{report}"
    );
    assert!(
        has(&|x| matches!(
            x,
            Violation::UnknownPart {
                sheet: Some(1),
                part_index: 7,
                ..
            }
        )),
        "{report}"
    );
    assert!(
        has(&|x| matches!(
            x,
            Violation::UnknownPart {
                sheet: None,
                part_index: 9,
                ..
            }
        )),
        "{report}"
    );
    assert!(
        has(&|x| matches!(
            x,
            Violation::UnknownSheet {
                sheet: 2,
                sheet_spec: 4,
                ..
            }
        )),
        "{report}"
    );
    assert!(
        has(&|x| matches!(
            x,
            Violation::StockExceeded {
                used: 2,
                available: 1,
                ..
            }
        )),
        "{report}"
    );
    assert!(
        has(&|x| matches!(
            x,
            Violation::QuantityMismatch {
                requested: 2,
                placed: 3,
                unplaced: 0,
                ..
            }
        )),
        "{report}"
    );
    // The mirrored copy on sheet 1 overlaps nothing, but copy 1 at (10,10) on
    // sheet 2 is fine too: the only geometric violations are none.
    assert!(
        !has(&|x| matches!(x, Violation::Overlap { .. } | Violation::Spacing { .. })),
        "{report}"
    );
    let text = report.to_string();
    assert!(
        text.contains("sheet 1: `bracket #1` is rotated 90°, allowed rotations: 0,180"),
        "{text}"
    );
    assert!(
        text.contains("2 sheets of 500 x 300 mm used, only 1 in stock"),
        "{text}"
    );
    assert!(
        text.contains("`bracket`: 2 requested but 3 placed + 0 unplaced = 3"),
        "{text}"
    );
    assert!(!report.is_valid());
}

#[test]
fn layout_geometry_violations_name_copies_and_sheets() {
    let p = problem(2, None, Rotations::None, false);
    let layout = Layout {
        sheets: vec![SheetLayout {
            sheet: 0,
            placements: vec![
                at(1, 10.0, 10.0, 0.0, false),
                at(2, 112.0, 10.0, 0.0, false),
            ],
        }],
        unplaced: vec![],
    };
    let report = validate_layout(&p, &layout);
    assert!(
        matches!(&report.violations[..], [Violation::Spacing { a, b, distance_mm, .. }]
        if a == "bracket #1" && b == "bracket #2" && (*distance_mm - 2.0).abs() < 1e-9),
        "{report}"
    );
}

/// A star-like part with `n` teeth, each tooth tip an arc: 2n + n segments.
fn gear(n: usize, r_out: f64, r_in: f64) -> Contour {
    let mut v = Vec::new();
    for k in 0..n {
        let a0 = k as f64 * 2.0 * PI / n as f64;
        let a1 = a0 + 0.5 * 2.0 * PI / n as f64;
        let a2 = a0 + 0.75 * 2.0 * PI / n as f64;
        v.push(Vertex::line(r_in * a0.cos(), r_in * a0.sin()));
        // Arc on the outer circle from a1 to a2 (CCW).
        v.push(Vertex::new(
            r_out * a1.cos(),
            r_out * a1.sin(),
            ((a2 - a1) / 4.0).tan(),
        ));
        v.push(Vertex::line(r_out * a2.cos(), r_out * a2.sin()));
    }
    Contour::new(v)
}

#[test]
fn thousand_parts_with_hundreds_of_segments_validate_fast() {
    let g = gear(100, 20.0, 17.0); // 300 segments, 100 arcs
    let mut shapes = Vec::new();
    for i in 0..40 {
        for j in 0..25 {
            let (cx, cy) = (25.0 + i as f64 * 45.0, 25.0 + j as f64 * 45.0);
            shapes.push(PlacedShape {
                label: format!("gear #{}", shapes.len() + 1),
                outer: g.translated(cx, cy),
                holes: vec![Contour::circle(Point::new(cx, cy), 5.0).reversed()],
                min_quality: None,
            });
        }
    }
    assert_eq!(shapes.len(), 1000);
    let t = Instant::now();
    let v = validate_sheet(
        0,
        &SheetSpec::rect(1830.0, 1150.0, None, None),
        &shapes,
        5.0,
        5.0,
    );
    let elapsed = t.elapsed().as_secs_f64();
    eprintln!("1000 parts x 302 segments validated in {elapsed:.3} s");
    assert!(v.is_empty(), "{:?}", &v[..v.len().min(3)]);
    // The same with every other column pushed 0.5 mm too close.
    for s in shapes
        .iter_mut()
        .filter(|s| s.outer.bbox().min.x > 60.0 && s.outer.bbox().min.x < 110.0)
    {
        s.outer = s.outer.translated(-0.5, 0.0);
        s.holes = s.holes.iter().map(|h| h.translated(-0.5, 0.0)).collect();
    }
    let v = validate_sheet(
        0,
        &SheetSpec::rect(1830.0, 1150.0, None, None),
        &shapes,
        5.0,
        5.0,
    );
    assert_eq!(v.len(), 25, "{:?}", &v[..v.len().min(3)]);
    // Teeth are not all on the centre line: the gap is between 4.5 and 5 mm.
    assert!(
        v.iter().all(|x| matches!(x, Violation::Spacing { distance_mm, .. } if *distance_mm >= 4.5 - 1e-9 && *distance_mm < 5.0)),
        "{:?}",
        &v[..3]
    );
    assert!(elapsed < 3.0, "validation took {elapsed:.3} s");
}
