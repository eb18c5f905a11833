//! A part to cut: one outer contour, its holes and the marking geometry
//! (engraving, text) that travels with it but is not nested.

use crate::geometry::{BBox, Contour, Point, Transform, Vertex};
use serde::{Deserialize, Serialize};

/// Non-cut geometry that moves with its part (engraving lines, text labels).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Marking {
    /// An open or closed path on a marking layer.
    Path {
        layer: String,
        vertices: Vec<Vertex>,
        closed: bool,
    },
    /// A single line of text.
    Text {
        layer: String,
        position: Point,
        height_mm: f64,
        angle_deg: f64,
        text: String,
    },
}

impl Marking {
    /// The marking moved by `t`.
    pub fn transformed(&self, t: &Transform) -> Marking {
        match self {
            Marking::Path {
                layer,
                vertices,
                closed,
            } => {
                let sign = if t.mirrored { -1.0 } else { 1.0 };
                Marking::Path {
                    layer: layer.clone(),
                    vertices: vertices
                        .iter()
                        .map(|v| {
                            let p = t.apply(v.point());
                            Vertex::new(p.x, p.y, v.bulge * sign)
                        })
                        .collect(),
                    closed: *closed,
                }
            }
            Marking::Text {
                layer,
                position,
                height_mm,
                angle_deg,
                text,
            } => Marking::Text {
                layer: layer.clone(),
                position: t.apply(*position),
                height_mm: *height_mm,
                angle_deg: angle_deg + t.angle_deg,
                text: text.clone(),
            },
        }
    }
}

/// A part in its local frame (millimetres). Importers put the bounding box's
/// lower-left corner at the origin and remember the original offset.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Part {
    /// Display name, unique within a job (file stem, plus `#n` for several parts per file).
    pub name: String,
    /// Counter-clockwise outer contour.
    pub outer: Contour,
    /// Clockwise hole contours, each inside `outer`.
    pub holes: Vec<Contour>,
    /// Marking geometry in the same local frame.
    pub marking: Vec<Marking>,
    /// Where the local origin was in the source drawing (mm), for reference.
    pub source_origin: Point,
}

impl Part {
    /// A part from contours; orients the outer CCW and the holes CW.
    pub fn new(name: impl Into<String>, outer: Contour, holes: Vec<Contour>) -> Self {
        Self {
            name: name.into(),
            outer: outer.oriented(true),
            holes: holes.into_iter().map(|h| h.oriented(false)).collect(),
            marking: Vec::new(),
            source_origin: Point::default(),
        }
    }

    /// Moves the geometry so that the bounding box starts at the origin,
    /// adding the shift to `source_origin`.
    pub fn normalized(mut self) -> Self {
        let bb = self.outer.bbox();
        let (dx, dy) = (-bb.min.x, -bb.min.y);
        if dx != 0.0 || dy != 0.0 {
            let shift = Transform {
                x_mm: dx,
                y_mm: dy,
                ..Transform::IDENTITY
            };
            self.outer = self.outer.translated(dx, dy);
            self.holes = self.holes.iter().map(|h| h.translated(dx, dy)).collect();
            self.marking = self.marking.iter().map(|m| m.transformed(&shift)).collect();
            self.source_origin = Point::new(self.source_origin.x - dx, self.source_origin.y - dy);
        }
        self
    }

    /// Net material area in mm² (outer minus holes).
    pub fn area(&self) -> f64 {
        self.outer.area() - self.holes.iter().map(Contour::area).sum::<f64>()
    }

    /// Bounding box of the outer contour in the local frame.
    pub fn bbox(&self) -> BBox {
        self.outer.bbox()
    }

    /// Outer contour and holes moved by `t`.
    pub fn placed_contours(&self, t: &Transform) -> (Contour, Vec<Contour>) {
        (
            self.outer.transformed(t),
            self.holes.iter().map(|h| h.transformed(t)).collect(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plate_with_hole_area_and_normalization() {
        let outer = Contour::rectangle(100.0, 50.0, 40.0, 20.0).reversed();
        let hole = Contour::circle(Point::new(120.0, 60.0), 5.0);
        let p = Part::new("plate", outer, vec![hole]).normalized();
        assert!(p.outer.is_ccw());
        assert!(!p.holes[0].is_ccw());
        assert!((p.area() - (800.0 - std::f64::consts::PI * 25.0)).abs() < 1e-9);
        assert_eq!(p.bbox().min, Point::new(0.0, 0.0));
        assert_eq!(p.source_origin, Point::new(100.0, 50.0));
    }
}
