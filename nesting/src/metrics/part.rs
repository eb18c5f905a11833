//! Metrics of one part in its own frame (independent of where it is placed).

use crate::geometry::Contour;
use crate::part::Part;
use serde::{Deserialize, Serialize};

/// What cutting one copy of a part involves, before any rapid move.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct PartMetrics {
    /// Length of the outer contour, mm.
    pub outer_length_mm: f64,
    /// Total length of the holes, mm.
    pub holes_length_mm: f64,
    /// Outer plus holes, mm.
    pub cut_length_mm: f64,
    /// One pierce per closed contour: the outer one and each hole.
    pub pierces: u32,
    /// Net material area (outer minus holes), mm².
    pub area_mm2: f64,
    /// Bounding rectangle of the outer contour in the part's frame, mm.
    pub width_mm: f64,
    pub height_mm: f64,
}

/// Cut length, pierces, net area and bounding rectangle of one copy of `part`.
pub fn part_metrics(part: &Part) -> PartMetrics {
    let outer_length_mm = part.outer.length();
    let holes_length_mm: f64 = part.holes.iter().map(Contour::length).sum();
    let bb = part.bbox();
    PartMetrics {
        outer_length_mm,
        holes_length_mm,
        cut_length_mm: outer_length_mm + holes_length_mm,
        pierces: 1 + part.holes.len() as u32,
        area_mm2: part.area(),
        width_mm: bb.width(),
        height_mm: bb.height(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::Point;
    use std::f64::consts::PI;

    #[test]
    fn plate_with_round_hole() {
        let part = Part::new(
            "plate",
            Contour::rectangle(0.0, 0.0, 100.0, 50.0),
            vec![Contour::circle(Point::new(50.0, 25.0), 10.0)],
        );
        let m = part_metrics(&part);
        assert!((m.outer_length_mm - 300.0).abs() < 1e-9);
        // Circumference 2πr = 20π, exact from the bulge arcs.
        assert!((m.holes_length_mm - 20.0 * PI).abs() < 1e-9);
        assert_eq!(m.pierces, 2);
        assert!((m.area_mm2 - (5000.0 - 100.0 * PI)).abs() < 1e-9);
        assert_eq!((m.width_mm, m.height_mm), (100.0, 50.0));
    }
}
