//! Layout metrics on hand-built layouts, with the expected figures computed
//! by hand in the comments.

use nesting::metrics::{ContourKind, layout_metrics, mass_kg};
use nesting::{
    Contour, Layout, NestProblem, Part, PartDemand, Placement, Point, Rotations, SheetLayout,
    SheetSpec, Transform, Vertex,
};
use std::f64::consts::PI;
use std::sync::Arc;

fn demand(part: Part, quantity: u32) -> PartDemand {
    PartDemand {
        part: Arc::new(part),
        quantity,
        rotations: Rotations::Step90,
        mirror: false,
        min_quality: None,
        priority: nesting::DEFAULT_PRIORITY,
    }
}

fn at(part: usize, copy: u32, x: f64, y: f64, angle_deg: f64) -> Placement {
    Placement {
        part,
        copy,
        transform: Transform {
            x_mm: x,
            y_mm: y,
            angle_deg,
            mirrored: false,
        },
    }
}

fn problem(parts: Vec<PartDemand>) -> NestProblem {
    NestProblem {
        parts,
        sheets: vec![SheetSpec {
            width_mm: 1000.0,
            height_mm: 500.0,
            count: None,
            cost: None,
            outline: None,
        }],
        spacing_mm: 5.0,
        margin_mm: 10.0,
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

#[test]
fn plate_with_hole_holes_first_from_the_origin() {
    // 100 x 50 plate with a Ø20 hole at (50, 25), placed at (10, 10).
    let plate = Part::new(
        "plate",
        Contour::rectangle(0.0, 0.0, 100.0, 50.0),
        vec![Contour::circle(Point::new(50.0, 25.0), 10.0)],
    );
    let problem = problem(vec![demand(plate, 1)]);
    let layout = Layout {
        sheets: vec![SheetLayout {
            sheet: 0,
            placements: vec![at(0, 1, 10.0, 10.0, 0.0)],
        }],
        unplaced: vec![],
    };
    let m = layout_metrics(&problem, &layout).unwrap();
    let s = &m.sheets[0];
    // Cut: outline 2 x (100 + 50) = 300, hole 2π x 10 = 20π (exact arcs).
    assert!(close(s.cut_length_mm, 300.0 + 20.0 * PI));
    assert_eq!(s.pierces, 2);
    // Hole first: its vertices on the sheet are (70, 35) and (50, 35); the
    // nearest to the origin is (50, 35): √(50² + 35²) = √3725.
    assert_eq!(s.steps[0].contour, ContourKind::Hole(0));
    assert_eq!(s.steps[0].pierce, Point::new(50.0, 35.0));
    // Then the outline from (50, 35): corners (10, 10) and (10, 60) are both
    // √(40² + 25²) = √2225 away; the first in contour order, (10, 10), wins.
    assert_eq!(s.steps[1].contour, ContourKind::Outer);
    assert_eq!(s.steps[1].pierce, Point::new(10.0, 10.0));
    assert!(close(s.rapid_length_mm, 3725f64.sqrt() + 2225f64.sqrt()));
    // Areas: net 5000 - 100π; used length 110 (x of the right edge), used area 110 x 500.
    assert!(close(s.parts_area_mm2, 5000.0 - 100.0 * PI));
    assert!(close(s.used_length_mm, 110.0));
    assert!(close(s.used_area_mm2, 55_000.0));
    assert_eq!(s.sheet_area_mm2, 500_000.0);
    assert_eq!(
        (s.parts_bbox.min, s.parts_bbox.max),
        (Point::new(10.0, 10.0), Point::new(110.0, 60.0))
    );
    let p = &m.parts[0];
    assert_eq!(p.pierces, 2);
    assert!(close(p.cut_length_mm, 300.0 + 20.0 * PI));
}

#[test]
fn nearest_neighbour_visits_the_closest_part_next() {
    // Three 10 x 10 squares listed far, near, middle; the order must be near, middle, far.
    let sq = Part::new("sq", Contour::rectangle(0.0, 0.0, 10.0, 10.0), vec![]);
    let problem = problem(vec![demand(sq, 3)]);
    let layout = Layout {
        sheets: vec![SheetLayout {
            sheet: 0,
            placements: vec![
                at(0, 1, 500.0, 0.0, 0.0),
                at(0, 2, 20.0, 0.0, 0.0),
                at(0, 3, 100.0, 0.0, 0.0),
            ],
        }],
        unplaced: vec![],
    };
    let s = &layout_metrics(&problem, &layout).unwrap().sheets[0];
    let order: Vec<usize> = s.steps.iter().map(|st| st.placement).collect();
    assert_eq!(order, vec![1, 2, 0]);
    // Rapids: origin -> (20, 0) = 20; (20, 0) -> (100, 0) = 80; (100, 0) -> (500, 0) = 400.
    assert!(close(s.rapid_length_mm, 500.0));
    assert_eq!(s.pierces, 3);
    assert!(close(s.cut_length_mm, 120.0));
}

#[test]
fn part_in_a_hole_is_cut_before_the_enclosing_outline() {
    // A 300 x 300 frame with a 200 x 200 window, and a 50 x 50 square in the window.
    let frame = Part::new(
        "frame",
        Contour::rectangle(0.0, 0.0, 300.0, 300.0),
        vec![Contour::rectangle(50.0, 50.0, 200.0, 200.0)],
    );
    let sq = Part::new("sq", Contour::rectangle(0.0, 0.0, 50.0, 50.0), vec![]);
    let problem = problem(vec![demand(frame, 1), demand(sq, 1)]);
    let layout = Layout {
        sheets: vec![SheetLayout {
            sheet: 0,
            placements: vec![at(0, 1, 10.0, 10.0, 0.0), at(1, 1, 135.0, 135.0, 0.0)],
        }],
        unplaced: vec![],
    };
    let s = &layout_metrics(&problem, &layout).unwrap().sheets[0];
    let order: Vec<(usize, ContourKind)> = s.steps.iter().map(|st| (st.part, st.contour)).collect();
    assert_eq!(
        order,
        vec![
            (1, ContourKind::Outer),
            (0, ContourKind::Hole(0)),
            (0, ContourKind::Outer)
        ]
    );
    // Net areas: 90 000 - 40 000 + 2 500.
    assert!(close(s.parts_area_mm2, 52_500.0));
}

#[test]
fn rotated_slot_keeps_exact_arc_length() {
    // 40 x 10 slot with semicircular ends (r = 5): 2 x 40 + 2π x 5.
    let slot = Part::new(
        "slot",
        Contour::new(vec![
            Vertex::line(0.0, 0.0),
            Vertex::new(40.0, 0.0, 1.0),
            Vertex::line(40.0, 10.0),
            Vertex::new(0.0, 10.0, 1.0),
        ]),
        vec![],
    );
    let problem = problem(vec![demand(slot, 1)]);
    let layout = Layout {
        sheets: vec![SheetLayout {
            sheet: 0,
            placements: vec![at(0, 1, 100.0, 100.0, 37.0)],
        }],
        unplaced: vec![],
    };
    let s = &layout_metrics(&problem, &layout).unwrap().sheets[0];
    assert!((s.cut_length_mm - (80.0 + 10.0 * PI)).abs() < 1e-9);
    assert!((s.parts_area_mm2 - (400.0 + 25.0 * PI)).abs() < 1e-9);
}

#[test]
fn mass_from_area_thickness_density() {
    // 100 x 50 mm, 3 mm S235 at 7850 kg/m³: 5000 x 3 = 15 000 mm³ = 1.5e-5 m³ -> 0.11775 kg.
    assert!((mass_kg(5000.0, 3.0, 7850.0) - 0.11775).abs() < 1e-12);
}

#[test]
fn layout_naming_a_missing_part_is_an_error() {
    let sq = Part::new("sq", Contour::rectangle(0.0, 0.0, 10.0, 10.0), vec![]);
    let problem = problem(vec![demand(sq, 1)]);
    let layout = Layout {
        sheets: vec![SheetLayout {
            sheet: 0,
            placements: vec![at(3, 1, 0.0, 0.0, 0.0)],
        }],
        unplaced: vec![],
    };
    let err = layout_metrics(&problem, &layout).unwrap_err().to_string();
    assert!(err.contains("part index 3"), "{err}");
}
