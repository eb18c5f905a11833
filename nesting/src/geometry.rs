//! Exact 2-D part geometry in millimetres: closed contours made of straight
//! segments and circular arcs (stored as DXF-style bulges), bounding boxes and
//! rigid transforms. Everything here is `f64`; the collision engine's `f32`
//! copies are derived from it, never the other way round.

use serde::{Deserialize, Serialize};
use std::f64::consts::{PI, TAU};

/// A point or vector in millimetres.
#[derive(Clone, Copy, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

impl Point {
    pub const fn new(x: f64, y: f64) -> Self {
        Self { x, y }
    }
    pub fn dist(self, o: Point) -> f64 {
        (self.x - o.x).hypot(self.y - o.y)
    }
    #[allow(clippy::should_implement_trait)] // plain methods read better in the formulas here
    pub fn sub(self, o: Point) -> Point {
        Point::new(self.x - o.x, self.y - o.y)
    }
    #[allow(clippy::should_implement_trait)]
    pub fn add(self, o: Point) -> Point {
        Point::new(self.x + o.x, self.y + o.y)
    }
    pub fn scale(self, k: f64) -> Point {
        Point::new(self.x * k, self.y * k)
    }
    pub fn cross(self, o: Point) -> f64 {
        self.x * o.y - self.y * o.x
    }
    pub fn dot(self, o: Point) -> f64 {
        self.x * o.x + self.y * o.y
    }
    pub fn norm(self) -> f64 {
        self.x.hypot(self.y)
    }
    /// Distance to the straight segment `a`-`b`.
    pub fn dist_to_segment(self, a: Point, b: Point) -> f64 {
        let ab = b.sub(a);
        let len2 = ab.dot(ab);
        if len2 == 0.0 {
            return self.dist(a);
        }
        let t = (self.sub(a).dot(ab) / len2).clamp(0.0, 1.0);
        self.dist(a.add(ab.scale(t)))
    }
    /// Distance to the nearest side of the closed polygon `ring`.
    pub fn dist_to_ring(self, ring: &[Point]) -> f64 {
        let n = ring.len();
        (0..n)
            .map(|i| self.dist_to_segment(ring[i], ring[(i + 1) % n]))
            .fold(f64::INFINITY, f64::min)
    }
}

/// A polygon ring as a `geo` line string (for the `geo` buffer and boolean
/// operations).
pub(crate) fn to_geo_ring(points: &[Point]) -> geo::LineString<f64> {
    geo::LineString::from(points.iter().map(|p| (p.x, p.y)).collect::<Vec<_>>())
}

/// The points of a `geo` ring, without its closing repeat of the first.
pub(crate) fn from_geo_ring(ring: &geo::LineString<f64>) -> Vec<Point> {
    let mut out: Vec<Point> = ring.coords().map(|c| Point::new(c.x, c.y)).collect();
    if out.len() > 1 && out.first() == out.last() {
        out.pop();
    }
    out
}

/// The largest piece of a `geo` result that has any area.
pub(crate) fn largest_piece(pieces: geo::MultiPolygon<f64>) -> Option<geo::Polygon<f64>> {
    use geo::Area;
    pieces
        .0
        .into_iter()
        .filter(|p| p.unsigned_area() > 0.0)
        .max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area()))
}

/// A contour vertex. `bulge` describes the segment from this vertex to the next
/// one: 0 is a straight line, otherwise `tan(sweep / 4)` of a circular arc
/// (positive = counter-clockwise), exactly as in a DXF LWPOLYLINE.
#[derive(Clone, Copy, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct Vertex {
    pub x: f64,
    pub y: f64,
    pub bulge: f64,
}

impl Vertex {
    pub const fn new(x: f64, y: f64, bulge: f64) -> Self {
        Self { x, y, bulge }
    }
    pub const fn line(x: f64, y: f64) -> Self {
        Self { x, y, bulge: 0.0 }
    }
    pub const fn point(&self) -> Point {
        Point::new(self.x, self.y)
    }
}

/// Bulges smaller than this are straight lines.
pub const BULGE_EPS: f64 = 1e-12;

/// One piece of a contour: a straight line or a circular arc.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Segment {
    Line {
        a: Point,
        b: Point,
    },
    /// Arc from `a` to `b`; `bulge = tan(sweep/4)`, positive counter-clockwise.
    Arc {
        a: Point,
        b: Point,
        bulge: f64,
    },
}

/// Centre, radius, start angle and signed sweep (radians) of a bulge arc.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ArcGeom {
    pub center: Point,
    pub radius: f64,
    pub start_angle: f64,
    /// Signed sweep in radians, positive counter-clockwise, |sweep| < 2π.
    pub sweep: f64,
}

impl ArcGeom {
    /// Point on the arc at parameter `t` in [0, 1].
    pub fn point_at(&self, t: f64) -> Point {
        let ang = self.start_angle + self.sweep * t;
        Point::new(
            self.center.x + self.radius * ang.cos(),
            self.center.y + self.radius * ang.sin(),
        )
    }
    /// True when the direction `angle` (radians, from the centre) lies within the sweep.
    pub fn contains_angle(&self, angle: f64) -> bool {
        let rel = if self.sweep >= 0.0 {
            (angle - self.start_angle).rem_euclid(TAU)
        } else {
            (self.start_angle - angle).rem_euclid(TAU)
        };
        rel <= self.sweep.abs() + 1e-15
    }
}

impl Segment {
    pub fn start(&self) -> Point {
        match *self {
            Segment::Line { a, .. } | Segment::Arc { a, .. } => a,
        }
    }
    pub fn end(&self) -> Point {
        match *self {
            Segment::Line { b, .. } | Segment::Arc { b, .. } => b,
        }
    }

    /// The arc's circle, or `None` for a line (or a degenerate arc).
    pub fn arc(&self) -> Option<ArcGeom> {
        match *self {
            Segment::Line { .. } => None,
            Segment::Arc { a, b, bulge } => arc_from_bulge(a, b, bulge),
        }
    }

    /// Exact length in mm.
    pub fn length(&self) -> f64 {
        match self.arc() {
            Some(g) => g.radius * g.sweep.abs(),
            None => self.start().dist(self.end()),
        }
    }

    /// Exact axis-aligned bounding box (arc extremes included).
    pub fn bbox(&self) -> BBox {
        let mut bb = BBox::from_points([self.start(), self.end()]);
        if let Some(g) = self.arc() {
            for k in 0..4 {
                let ang = k as f64 * PI / 2.0;
                if g.contains_angle(ang) {
                    bb.include(Point::new(
                        g.center.x + g.radius * ang.cos(),
                        g.center.y + g.radius * ang.sin(),
                    ));
                }
            }
        }
        bb
    }

    /// Signed area contribution (shoelace term plus the arc's circular segment).
    fn area_term(&self) -> f64 {
        let (a, b) = (self.start(), self.end());
        let mut s = 0.5 * a.cross(b);
        if let Some(g) = self.arc() {
            let th = g.sweep;
            s += 0.5 * g.radius * g.radius * (th - th.sin());
        }
        s
    }

    /// Points along the segment, excluding the end point, so that the chord
    /// deviation from the true arc is at most `tolerance_mm`.
    pub fn flatten_into(&self, tolerance_mm: f64, out: &mut Vec<Point>) {
        out.push(self.start());
        if let Some(g) = self.arc() {
            let n = arc_steps(g.radius, g.sweep, tolerance_mm);
            for i in 1..n {
                out.push(g.point_at(i as f64 / n as f64));
            }
        }
    }
}

/// Number of chords needed so that an arc of `radius` and `sweep` deviates at
/// most `tolerance_mm` from its chords.
pub fn arc_steps(radius: f64, sweep: f64, tolerance_mm: f64) -> usize {
    let tol = tolerance_mm.max(1e-9);
    if radius <= tol {
        return 1;
    }
    let max_step = 2.0 * (1.0 - tol / radius).clamp(-1.0, 1.0).acos();
    if max_step <= 0.0 {
        return 1;
    }
    ((sweep.abs() / max_step).ceil() as usize).clamp(1, 100_000)
}

/// Circle geometry of the arc from `a` to `b` with DXF `bulge`.
pub fn arc_from_bulge(a: Point, b: Point, bulge: f64) -> Option<ArcGeom> {
    let chord = a.dist(b);
    if bulge.abs() < BULGE_EPS || chord == 0.0 {
        return None;
    }
    let sweep = 4.0 * bulge.atan();
    let radius = chord / (2.0 * (sweep / 2.0).sin().abs());
    // Distance from chord midpoint to centre, signed towards the left of a->b for CCW.
    let mid = a.add(b).scale(0.5);
    let d = b.sub(a).scale(1.0 / chord);
    let left = Point::new(-d.y, d.x);
    // The centre lies left of a->b for a counter-clockwise arc under half a turn.
    let center = mid.add(left.scale(radius * (sweep / 2.0).cos() * bulge.signum()));
    let start_angle = (a.y - center.y).atan2(a.x - center.x);
    Some(ArcGeom {
        center,
        radius,
        start_angle,
        sweep,
    })
}

/// Bulge of an arc with signed `sweep` (radians).
pub fn bulge_from_sweep(sweep: f64) -> f64 {
    (sweep / 4.0).tan()
}

/// Axis-aligned bounding box.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct BBox {
    pub min: Point,
    pub max: Point,
}

impl BBox {
    /// An empty box that any `include` replaces.
    pub const EMPTY: BBox = BBox {
        min: Point::new(f64::INFINITY, f64::INFINITY),
        max: Point::new(f64::NEG_INFINITY, f64::NEG_INFINITY),
    };

    pub fn from_points(points: impl IntoIterator<Item = Point>) -> BBox {
        let mut bb = BBox::EMPTY;
        for p in points {
            bb.include(p);
        }
        bb
    }
    pub fn include(&mut self, p: Point) {
        self.min.x = self.min.x.min(p.x);
        self.min.y = self.min.y.min(p.y);
        self.max.x = self.max.x.max(p.x);
        self.max.y = self.max.y.max(p.y);
    }
    pub fn union(&self, o: &BBox) -> BBox {
        let mut bb = *self;
        bb.include(o.min);
        bb.include(o.max);
        bb
    }
    pub fn is_empty(&self) -> bool {
        self.min.x > self.max.x || self.min.y > self.max.y
    }
    pub fn width(&self) -> f64 {
        self.max.x - self.min.x
    }
    pub fn height(&self) -> f64 {
        self.max.y - self.min.y
    }
    pub fn center(&self) -> Point {
        self.min.add(self.max).scale(0.5)
    }
    pub fn diagonal(&self) -> f64 {
        self.width().hypot(self.height())
    }
    /// Grown by `d` on every side.
    pub fn expanded(&self, d: f64) -> BBox {
        BBox {
            min: Point::new(self.min.x - d, self.min.y - d),
            max: Point::new(self.max.x + d, self.max.y + d),
        }
    }
    pub fn intersects(&self, o: &BBox) -> bool {
        self.min.x <= o.max.x
            && o.min.x <= self.max.x
            && self.min.y <= o.max.y
            && o.min.y <= self.max.y
    }
    pub fn contains(&self, p: Point) -> bool {
        p.x >= self.min.x && p.x <= self.max.x && p.y >= self.min.y && p.y <= self.max.y
    }
}

/// A closed contour: the last vertex connects back to the first (the first
/// vertex is not repeated at the end).
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct Contour {
    pub vertices: Vec<Vertex>,
}

impl Contour {
    pub fn new(vertices: Vec<Vertex>) -> Self {
        Self { vertices }
    }

    /// A polygon contour (no arcs).
    pub fn polygon(points: impl IntoIterator<Item = Point>) -> Self {
        Self::new(points.into_iter().map(|p| Vertex::line(p.x, p.y)).collect())
    }

    /// Axis-aligned rectangle from `(x, y)` with size `w × h`, counter-clockwise.
    pub fn rectangle(x: f64, y: f64, w: f64, h: f64) -> Self {
        Self::polygon([
            Point::new(x, y),
            Point::new(x + w, y),
            Point::new(x + w, y + h),
            Point::new(x, y + h),
        ])
    }

    /// Full circle as two half-circle bulge arcs, counter-clockwise.
    pub fn circle(center: Point, radius: f64) -> Self {
        Self::new(vec![
            Vertex::new(center.x + radius, center.y, 1.0),
            Vertex::new(center.x - radius, center.y, 1.0),
        ])
    }

    /// Centre and radius when the contour is a full circle (every segment
    /// an arc of the same circle), else `None`.
    pub fn as_circle(&self) -> Option<(Point, f64)> {
        let mut arcs = self.segments().map(|s| s.arc());
        let first = arcs.next()??;
        let tol = 1e-9 * first.radius.max(1.0);
        for g in arcs {
            let g = g?;
            if g.center.dist(first.center) > tol || (g.radius - first.radius).abs() > tol {
                return None;
            }
        }
        Some((first.center, first.radius))
    }

    /// The contour's segments in order, including the closing one.
    pub fn segments(&self) -> impl Iterator<Item = Segment> + '_ {
        let n = self.vertices.len();
        (0..n).map(move |i| {
            let v = self.vertices[i];
            let w = self.vertices[(i + 1) % n];
            if v.bulge.abs() < BULGE_EPS {
                Segment::Line {
                    a: v.point(),
                    b: w.point(),
                }
            } else {
                Segment::Arc {
                    a: v.point(),
                    b: w.point(),
                    bulge: v.bulge,
                }
            }
        })
    }

    /// Exact signed area in mm² (positive = counter-clockwise).
    pub fn signed_area(&self) -> f64 {
        self.segments().map(|s| s.area_term()).sum()
    }

    /// Exact enclosed area in mm².
    pub fn area(&self) -> f64 {
        self.signed_area().abs()
    }

    pub fn is_ccw(&self) -> bool {
        self.signed_area() > 0.0
    }

    /// Exact perimeter (cut length) in mm.
    pub fn length(&self) -> f64 {
        self.segments().map(|s| s.length()).sum()
    }

    /// Exact bounding box.
    pub fn bbox(&self) -> BBox {
        self.segments()
            .fold(BBox::EMPTY, |bb, s| bb.union(&s.bbox()))
    }

    /// True when any segment is an arc.
    pub fn has_arcs(&self) -> bool {
        self.vertices.iter().any(|v| v.bulge.abs() >= BULGE_EPS)
    }

    /// Polygon approximation whose chords deviate at most `tolerance_mm` from the arcs.
    pub fn flatten(&self, tolerance_mm: f64) -> Vec<Point> {
        let mut out = Vec::with_capacity(self.vertices.len());
        for s in self.segments() {
            s.flatten_into(tolerance_mm, &mut out);
        }
        out
    }

    /// The same contour traversed the other way round (bulges follow).
    pub fn reversed(&self) -> Contour {
        let n = self.vertices.len();
        let mut out = Vec::with_capacity(n);
        for i in (0..n).rev() {
            // Segment i runs from v[i] to v[i+1]; reversed it runs from v[i+1] to v[i].
            let next = self.vertices[(i + 1) % n];
            out.push(Vertex::new(next.x, next.y, -self.vertices[i].bulge));
        }
        Contour::new(out)
    }

    /// Oriented counter-clockwise (`ccw = true`) or clockwise.
    pub fn oriented(self, ccw: bool) -> Contour {
        if self.is_ccw() == ccw {
            self
        } else {
            self.reversed()
        }
    }

    /// The contour moved by `t` (a mirror flips arc directions and orientation).
    pub fn transformed(&self, t: &Transform) -> Contour {
        let sign = if t.mirrored { -1.0 } else { 1.0 };
        Contour::new(
            self.vertices
                .iter()
                .map(|v| {
                    let p = t.apply(v.point());
                    Vertex::new(p.x, p.y, v.bulge * sign)
                })
                .collect(),
        )
    }

    /// Moved by `(dx, dy)`.
    pub fn translated(&self, dx: f64, dy: f64) -> Contour {
        Contour::new(
            self.vertices
                .iter()
                .map(|v| Vertex::new(v.x + dx, v.y + dy, v.bulge))
                .collect(),
        )
    }
}

/// A rigid placement of part geometry: mirror about the local Y axis
/// (`x -> -x`) when `mirrored`, then rotate counter-clockwise by `angle_deg`
/// about the local origin, then translate by `(x_mm, y_mm)`.
#[derive(Clone, Copy, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct Transform {
    pub x_mm: f64,
    pub y_mm: f64,
    pub angle_deg: f64,
    pub mirrored: bool,
}

impl Transform {
    pub const IDENTITY: Transform = Transform {
        x_mm: 0.0,
        y_mm: 0.0,
        angle_deg: 0.0,
        mirrored: false,
    };

    pub fn apply(&self, p: Point) -> Point {
        let x = if self.mirrored { -p.x } else { p.x };
        let (s, c) = self.angle_deg.to_radians().sin_cos();
        Point::new(x * c - p.y * s + self.x_mm, x * s + p.y * c + self.y_mm)
    }

    /// Rotation and mirror only (no translation) applied to `p`.
    pub fn apply_linear(&self, p: Point) -> Point {
        let t = Transform {
            x_mm: 0.0,
            y_mm: 0.0,
            ..*self
        };
        t.apply(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn rectangle_area_length_bbox() {
        let r = Contour::rectangle(1.0, 2.0, 30.0, 20.0);
        assert!(close(r.signed_area(), 600.0));
        assert!(close(r.length(), 100.0));
        let bb = r.bbox();
        assert_eq!(
            (bb.min, bb.max),
            (Point::new(1.0, 2.0), Point::new(31.0, 22.0))
        );
    }

    #[test]
    fn circle_from_bulges_is_exact() {
        let c = Contour::circle(Point::new(5.0, -3.0), 10.0);
        assert!(close(c.signed_area(), PI * 100.0));
        assert!(close(c.length(), TAU * 10.0));
        let bb = c.bbox();
        assert!(close(bb.min.x, -5.0) && close(bb.max.x, 15.0));
        assert!(close(bb.min.y, -13.0) && close(bb.max.y, 7.0));
        assert!(close(c.reversed().signed_area(), -PI * 100.0));
    }

    #[test]
    fn slot_with_arc_ends() {
        // 40 x 10 slot: straight sides, semicircular ends (r = 5).
        let s = Contour::new(vec![
            Vertex::line(0.0, 0.0),
            Vertex::new(40.0, 0.0, 1.0),
            Vertex::line(40.0, 10.0),
            Vertex::new(0.0, 10.0, 1.0),
        ]);
        assert!(close(s.area(), 400.0 + PI * 25.0));
        let bb = s.bbox();
        assert!(close(bb.min.x, -5.0) && close(bb.max.x, 45.0));
        let flat = s.flatten(0.01);
        let poly = Contour::polygon(flat);
        assert!((poly.area() - s.area()).abs() < 0.5);
        assert!(poly.area() < s.area());
    }

    #[test]
    fn concave_arc_bulge_sign() {
        // Square with its top edge bowed inwards (clockwise arc on a CCW contour).
        let s = Contour::new(vec![
            Vertex::line(0.0, 0.0),
            Vertex::line(20.0, 0.0),
            Vertex::new(20.0, 20.0, -bulge_from_sweep(PI / 4.0)),
            Vertex::line(0.0, 20.0),
        ]);
        assert!(s.area() < 400.0);
        assert!(close(s.bbox().max.y, 20.0));
    }

    #[test]
    fn transform_mirror_rotate_translate() {
        let t = Transform {
            x_mm: 10.0,
            y_mm: 5.0,
            angle_deg: 90.0,
            mirrored: true,
        };
        let p = t.apply(Point::new(2.0, 1.0));
        // mirror -> (-2, 1); rotate 90 -> (-1, -2); translate -> (9, 3)
        assert!(close(p.x, 9.0) && close(p.y, 3.0));
        let c = Contour::circle(Point::new(0.0, 0.0), 1.0).transformed(&t);
        assert!(close(c.signed_area(), -PI));
    }
}
