//! Part shapes prepared once for drawing: flattened contours and a
//! triangulated fill (holes left open), in the part's local frame (mm, y up).
//! Built on worker threads at import time; the preview only maps them.

use egui::epaint::{Mesh, Vertex};
use egui::{Color32, Pos2, pos2};
use nesting::geometry::{BBox, Point, Transform};
use nesting::{Contour, Part};

/// A part ready to draw: flattened outer contour and holes, fill triangles.
#[derive(Clone, Debug)]
pub struct PartShape {
    /// Flattened outer contour (local frame, mm).
    pub outer: Vec<Point>,
    /// Flattened holes (local frame, mm).
    pub holes: Vec<Vec<Point>>,
    /// Triangles over `points()` (outer then holes, in that order).
    pub triangles: Vec<u32>,
    /// Bounding box of the outer contour (local frame).
    pub bbox: BBox,
}

/// Chord tolerance for drawing: fine enough to look exact at full-screen zoom.
fn draw_tolerance_mm(c: &Contour) -> f64 {
    (c.bbox().diagonal() / 800.0).clamp(0.02, 0.5)
}

fn flatten_open(c: &Contour, tol: f64) -> Vec<Point> {
    let mut pts = c.flatten(tol);
    if pts.len() > 1 && pts.first() == pts.last() {
        pts.pop();
    }
    pts
}

impl PartShape {
    /// Flattens and triangulates `part`.
    pub fn new(part: &Part) -> Self {
        let tol = draw_tolerance_mm(&part.outer);
        let outer = flatten_open(&part.outer, tol);
        let holes: Vec<Vec<Point>> = part
            .holes
            .iter()
            .map(|h| flatten_open(h, tol))
            .filter(|h| h.len() >= 3)
            .collect();
        let mut hole_starts = Vec::with_capacity(holes.len());
        let mut coords: Vec<[f64; 2]> = outer.iter().map(|p| [p.x, p.y]).collect();
        for h in &holes {
            hole_starts.push(coords.len() as u32);
            coords.extend(h.iter().map(|p| [p.x, p.y]));
        }
        let mut triangles = Vec::new();
        earcut::Earcut::new().earcut(coords, &hole_starts, &mut triangles);
        PartShape {
            outer,
            holes,
            triangles,
            bbox: part.outer.bbox(),
        }
    }

    /// All contour points: outer first, then each hole.
    pub fn points(&self) -> impl Iterator<Item = &Point> {
        self.outer.iter().chain(self.holes.iter().flatten())
    }

    /// Every contour (outer first).
    pub fn contours(&self) -> impl Iterator<Item = &Vec<Point>> {
        std::iter::once(&self.outer).chain(self.holes.iter())
    }

    /// Appends the fill, placed by `t` and then mapped by `map` (mm -> drawing
    /// coordinates), to `mesh` in `color`.
    pub fn append_fill(
        &self,
        mesh: &mut Mesh,
        t: &Transform,
        color: Color32,
        map: impl Fn(Point) -> Pos2,
    ) {
        let base = mesh.vertices.len() as u32;
        mesh.vertices.extend(self.points().map(|p| Vertex {
            pos: map(t.apply(*p)),
            uv: egui::epaint::WHITE_UV,
            color,
        }));
        mesh.indices.extend(self.triangles.iter().map(|i| base + i));
    }

    /// True when `p` (local frame) is material: inside the outer contour and
    /// outside every hole.
    pub fn contains_local(&self, p: Point) -> bool {
        point_in_polygon(p, &self.outer) && !self.holes.iter().any(|h| point_in_polygon(p, h))
    }
}

/// Even-odd point-in-polygon test on a flattened contour.
pub fn point_in_polygon(p: Point, poly: &[Point]) -> bool {
    let mut inside = false;
    let n = poly.len();
    let mut j = n.wrapping_sub(1);
    for i in 0..n {
        let (a, b) = (poly[i], poly[j]);
        if (a.y > p.y) != (b.y > p.y) && p.x < (b.x - a.x) * (p.y - a.y) / (b.y - a.y) + a.x {
            inside = !inside;
        }
        j = i;
    }
    inside
}

/// Fill colour of part type `i`: hues spread by the golden angle, like the
/// SVG export, so both show the same part in the same colour.
pub fn part_color(i: usize) -> Color32 {
    let hue = (i as f32 * 137.507_77) % 360.0;
    hsl(hue, 0.55, 0.58)
}

/// Colour from hue (degrees), saturation and lightness (0..1).
pub fn hsl(h: f32, s: f32, l: f32) -> Color32 {
    let c = (1.0 - (2.0 * l - 1.0).abs()) * s;
    let hp = h / 60.0;
    let x = c * (1.0 - (hp % 2.0 - 1.0).abs());
    let (r, g, b) = match hp as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = l - c / 2.0;
    let to = |v: f32| ((v + m) * 255.0).round().clamp(0.0, 255.0) as u8;
    Color32::from_rgb(to(r), to(g), to(b))
}

/// Maps local part coordinates into a thumbnail square `rect` (y up).
pub fn thumb_mapper(bbox: BBox, rect: egui::Rect) -> impl Fn(Point) -> Pos2 {
    let w = bbox.width().max(1e-9);
    let h = bbox.height().max(1e-9);
    let k = ((rect.width() as f64) / w).min((rect.height() as f64) / h);
    let ox = rect.center().x as f64 - (bbox.min.x + w / 2.0) * k;
    let oy = rect.center().y as f64 + (bbox.min.y + h / 2.0) * k;
    move |p: Point| pos2((ox + p.x * k) as f32, (oy - p.y * k) as f32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plate_with_hole_fill_leaves_the_hole_open() {
        let outer = Contour::rectangle(0.0, 0.0, 100.0, 50.0);
        let hole = Contour::circle(Point::new(50.0, 25.0), 10.0);
        let part = Part::new("plate", outer, vec![hole]);
        let s = PartShape::new(&part);
        assert_eq!(s.holes.len(), 1);
        assert!(!s.triangles.is_empty() && s.triangles.len().is_multiple_of(3));
        // Triangulated area equals the net area within the chord error:
        // at most the hole's perimeter times the drawing tolerance.
        let pts: Vec<Point> = s.points().copied().collect();
        let area: f64 = s
            .triangles
            .chunks(3)
            .map(|t| {
                let (a, b, c) = (pts[t[0] as usize], pts[t[1] as usize], pts[t[2] as usize]);
                (b.sub(a).cross(c.sub(a)) / 2.0).abs()
            })
            .sum();
        let chord_error = 2.0 * std::f64::consts::PI * 10.0 * draw_tolerance_mm(&part.outer);
        assert!(
            (area - part.area()).abs() < chord_error,
            "{area} vs {}",
            part.area()
        );
        // Without the hole the fill would cover 5000 mm².
        assert!(area < 5000.0 - 300.0);
        assert!(s.contains_local(Point::new(5.0, 5.0)));
        assert!(!s.contains_local(Point::new(50.0, 25.0)));
        assert!(!s.contains_local(Point::new(150.0, 25.0)));
    }
}
