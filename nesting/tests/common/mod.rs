//! Helpers shared by the engine's integration tests (each test crate uses
//! some of them, so the others would count as dead code there).
#![allow(dead_code)]

use nesting::{Contour, Placement, Point, QualityZone, SheetOutline, SheetSpec, Transform};

/// A copy of part 0 at `(x_mm, y_mm)`, turned by `angle_deg`, not mirrored.
pub fn at(copy: u32, x_mm: f64, y_mm: f64, angle_deg: f64) -> Placement {
    Placement {
        part: 0,
        copy,
        transform: Transform {
            x_mm,
            y_mm,
            angle_deg,
            mirrored: false,
        },
    }
}

/// An L-shaped remnant: 400 × 300 minus the 200 × 150 upper-right corner,
/// with a round defect of radius 20 at (100, 100) and a quality-1 zone
/// 300..380 × 20..100.
pub fn l_remnant() -> SheetSpec {
    let outer = Contour::polygon([
        Point::new(0.0, 0.0),
        Point::new(400.0, 0.0),
        Point::new(400.0, 150.0),
        Point::new(200.0, 150.0),
        Point::new(200.0, 300.0),
        Point::new(0.0, 300.0),
    ]);
    let (outline, shift) = SheetOutline::normalized(
        outer,
        vec![Contour::circle(Point::new(100.0, 100.0), 20.0)],
        vec![QualityZone {
            quality: 1,
            contour: Contour::rectangle(300.0, 20.0, 80.0, 80.0),
        }],
    );
    assert_eq!(shift, (0.0, 0.0));
    let mut spec = SheetSpec::rect(400.0, 300.0, Some(1), None);
    spec.outline = Some(outline);
    spec
}
