//! Exact f64 geometry on lines and circular arcs: closest points between two
//! segments, segment intersections and point-in-contour tests with arcs.
//! Nothing here is flattened: arcs are handled as true circle pieces.

use crate::geometry::{ArcGeom, BBox, Contour, Point, Segment};
use std::f64::consts::TAU;

/// A contour segment with its arc geometry and exact bounding box precomputed.
#[derive(Clone, Copy, Debug)]
pub struct ExactSeg {
    pub a: Point,
    pub b: Point,
    /// Circle data for arcs; `None` for straight lines (and degenerate arcs).
    pub arc: Option<ArcGeom>,
    pub bbox: BBox,
}

impl ExactSeg {
    /// From a contour segment.
    pub fn new(s: &Segment) -> ExactSeg {
        ExactSeg {
            a: s.start(),
            b: s.end(),
            arc: s.arc(),
            bbox: s.bbox(),
        }
    }

    /// The segments of `contour` in order.
    pub fn of_contour(contour: &Contour) -> Vec<ExactSeg> {
        contour.segments().map(|s| ExactSeg::new(&s)).collect()
    }

    /// Point at parameter `t` in [0, 1].
    pub fn point_at(&self, t: f64) -> Point {
        match self.arc {
            Some(g) => g.point_at(t),
            None => self.a.add(self.b.sub(self.a).scale(t)),
        }
    }

    /// Unit tangent (direction of travel) at parameter `t`.
    pub fn tangent_at(&self, t: f64) -> Point {
        match self.arc {
            Some(g) => {
                let ang = g.start_angle + g.sweep * t;
                let s = g.sweep.signum();
                Point::new(-ang.sin() * s, ang.cos() * s)
            }
            None => {
                let d = self.b.sub(self.a);
                let n = d.norm();
                if n > 0.0 {
                    d.scale(1.0 / n)
                } else {
                    Point::new(1.0, 0.0)
                }
            }
        }
    }

    /// Parameter in [0, 1] of a point lying on (or very near) the segment.
    pub fn param_of(&self, p: Point) -> f64 {
        match self.arc {
            Some(g) => {
                let ang = (p.y - g.center.y).atan2(p.x - g.center.x);
                let rel = if g.sweep >= 0.0 {
                    (ang - g.start_angle).rem_euclid(TAU)
                } else {
                    (g.start_angle - ang).rem_euclid(TAU)
                };
                let sweep = g.sweep.abs();
                if rel <= sweep {
                    rel / sweep
                } else if rel - sweep < TAU - rel {
                    // Just past the end.
                    1.0
                } else {
                    0.0
                }
            }
            None => {
                let d = self.b.sub(self.a);
                let l2 = d.dot(d);
                if l2 == 0.0 {
                    0.0
                } else {
                    (p.sub(self.a).dot(d) / l2).clamp(0.0, 1.0)
                }
            }
        }
    }
}

/// The closest pair of points between two segments and their distance.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Closest {
    pub distance: f64,
    /// Point on the first segment.
    pub p: Point,
    /// Point on the second segment.
    pub q: Point,
}

impl Closest {
    fn new(p: Point, q: Point) -> Closest {
        Closest {
            distance: p.dist(q),
            p,
            q,
        }
    }
    fn swap(self) -> Closest {
        Closest {
            distance: self.distance,
            p: self.q,
            q: self.p,
        }
    }
    fn min(self, o: Closest) -> Closest {
        if o.distance < self.distance { o } else { self }
    }
}

fn angle_of(v: Point) -> f64 {
    v.y.atan2(v.x)
}

fn on_circle(g: &ArcGeom, ang: f64) -> Point {
    Point::new(
        g.center.x + g.radius * ang.cos(),
        g.center.y + g.radius * ang.sin(),
    )
}

/// Closest point on segment `s` to `p`, and the distance.
pub fn point_segment(p: Point, s: &ExactSeg) -> (f64, Point) {
    match s.arc {
        None => {
            let q = point_line_foot(p, s.a, s.b);
            (p.dist(q), q)
        }
        Some(g) => {
            let v = p.sub(g.center);
            let r = v.norm();
            if r > 0.0 {
                let ang = angle_of(v);
                if g.contains_angle(ang) {
                    let q = on_circle(&g, ang);
                    return ((r - g.radius).abs(), q);
                }
            } else {
                // The centre is equally far from every arc point.
                return (g.radius, s.a);
            }
            let (da, db) = (p.dist(s.a), p.dist(s.b));
            if da <= db { (da, s.a) } else { (db, s.b) }
        }
    }
}

/// Distance from `p` to segment `s`.
pub fn point_segment_distance(p: Point, s: &ExactSeg) -> f64 {
    point_segment(p, s).0
}

/// Closest point to `p` on the straight segment `a`-`b`.
fn point_line_foot(p: Point, a: Point, b: Point) -> Point {
    let d = b.sub(a);
    let l2 = d.dot(d);
    if l2 == 0.0 {
        return a;
    }
    let t = (p.sub(a).dot(d) / l2).clamp(0.0, 1.0);
    a.add(d.scale(t))
}

/// Closest points between two segments (lines or arcs), exactly.
pub fn segment_closest(s1: &ExactSeg, s2: &ExactSeg) -> Closest {
    // Candidates at the end points of either segment (exact point distances).
    let mut best = {
        let (_, q) = point_segment(s1.a, s2);
        Closest::new(s1.a, q)
    };
    let (_, q) = point_segment(s1.b, s2);
    best = best.min(Closest::new(s1.b, q));
    let (_, p) = point_segment(s2.a, s1);
    best = best.min(Closest::new(p, s2.a));
    let (_, p) = point_segment(s2.b, s1);
    best = best.min(Closest::new(p, s2.b));
    if best.distance == 0.0 {
        return best;
    }
    // Interior candidates: crossings (distance 0) and common normals.
    let interior = match (s1.arc, s2.arc) {
        (None, None) => line_line_interior(s1.a, s1.b, s2.a, s2.b),
        (None, Some(g)) => line_arc_interior(s1.a, s1.b, &g),
        (Some(g), None) => line_arc_interior(s2.a, s2.b, &g).map(Closest::swap),
        (Some(g1), Some(g2)) => arc_arc_interior(&g1, &g2),
    };
    match interior {
        Some(c) => best.min(c),
        None => best,
    }
}

/// Distance between two segments.
pub fn segment_distance(s1: &ExactSeg, s2: &ExactSeg) -> f64 {
    segment_closest(s1, s2).distance
}

fn line_line_interior(a0: Point, a1: Point, b0: Point, b1: Point) -> Option<Closest> {
    let p = line_line_crossing(a0, a1, b0, b1)?;
    Some(Closest {
        distance: 0.0,
        p,
        q: p,
    })
}

/// Proper crossing point of two straight segments.
fn line_line_crossing(a0: Point, a1: Point, b0: Point, b1: Point) -> Option<Point> {
    let db = b1.sub(b0);
    let da = a1.sub(a0);
    let d1 = db.cross(a0.sub(b0));
    let d2 = db.cross(a1.sub(b0));
    let d3 = da.cross(b0.sub(a0));
    let d4 = da.cross(b1.sub(a0));
    if ((d1 > 0.0 && d2 < 0.0) || (d1 < 0.0 && d2 > 0.0))
        && ((d3 > 0.0 && d4 < 0.0) || (d3 < 0.0 && d4 > 0.0))
    {
        let t = d1 / (d1 - d2);
        Some(a0.add(da.scale(t)))
    } else {
        None
    }
}

/// Intersections of the infinite line through `a0`, `a1` with the circle of
/// `g`, as line parameters (only those in [0, 1] whose angle is on the arc).
fn line_circle_hits(a0: Point, a1: Point, g: &ArcGeom) -> Vec<Point> {
    let d = a1.sub(a0);
    let l2 = d.dot(d);
    let mut out = Vec::new();
    if l2 == 0.0 {
        return out;
    }
    let f = a0.sub(g.center);
    // |f + t d|^2 = r^2  ->  l2 t^2 + 2 (f.d) t + (f.f - r^2) = 0
    let bq = f.dot(d);
    let cq = f.dot(f) - g.radius * g.radius;
    let disc = bq * bq - l2 * cq;
    if disc < 0.0 {
        return out;
    }
    let sq = disc.sqrt();
    for t in [(-bq - sq) / l2, (-bq + sq) / l2] {
        if (0.0..=1.0).contains(&t) {
            let p = a0.add(d.scale(t));
            if g.contains_angle(angle_of(p.sub(g.center))) {
                out.push(p);
            }
        }
    }
    out
}

fn line_arc_interior(a0: Point, a1: Point, g: &ArcGeom) -> Option<Closest> {
    if let Some(&p) = line_circle_hits(a0, a1, g).first() {
        return Some(Closest {
            distance: 0.0,
            p,
            q: p,
        });
    }
    let d = a1.sub(a0);
    let len = d.norm();
    if len == 0.0 {
        return None;
    }
    // Arc points whose tangent is parallel to the line: radial direction = ±normal.
    let n = Point::new(-d.y / len, d.x / len);
    let mut best: Option<Closest> = None;
    for s in [1.0, -1.0] {
        let dir = n.scale(s);
        if !g.contains_angle(angle_of(dir)) {
            continue;
        }
        let q = g.center.add(dir.scale(g.radius));
        let t = q.sub(a0).dot(d) / (len * len);
        if (0.0..=1.0).contains(&t) {
            let foot = a0.add(d.scale(t));
            let c = Closest::new(foot, q);
            best = Some(match best {
                Some(b) => b.min(c),
                None => c,
            });
        }
    }
    best
}

/// Intersection points of two full circles (0, 1 or 2).
fn circle_circle(g1: &ArcGeom, g2: &ArcGeom) -> Vec<Point> {
    let v = g2.center.sub(g1.center);
    let d = v.norm();
    let (r1, r2) = (g1.radius, g2.radius);
    if d == 0.0 || d > r1 + r2 || d < (r1 - r2).abs() {
        return Vec::new();
    }
    let a = (d * d + r1 * r1 - r2 * r2) / (2.0 * d);
    let h = (r1 * r1 - a * a).max(0.0).sqrt();
    let u = v.scale(1.0 / d);
    let base = g1.center.add(u.scale(a));
    let perp = Point::new(-u.y, u.x);
    if h == 0.0 {
        vec![base]
    } else {
        vec![base.add(perp.scale(h)), base.sub(perp.scale(h))]
    }
}

fn arc_arc_interior(g1: &ArcGeom, g2: &ArcGeom) -> Option<Closest> {
    for p in circle_circle(g1, g2) {
        let (a1, a2) = (angle_of(p.sub(g1.center)), angle_of(p.sub(g2.center)));
        if g1.contains_angle(a1) && g2.contains_angle(a2) {
            return Some(Closest {
                distance: 0.0,
                p,
                q: p,
            });
        }
    }
    let v = g2.center.sub(g1.center);
    let d = v.norm();
    if d == 0.0 {
        // Concentric: the end-point candidates already cover every minimum.
        return None;
    }
    let u = v.scale(1.0 / d);
    let mut best: Option<Closest> = None;
    for s1 in [1.0, -1.0] {
        let dir1 = u.scale(s1);
        if !g1.contains_angle(angle_of(dir1)) {
            continue;
        }
        let p = g1.center.add(dir1.scale(g1.radius));
        for s2 in [1.0, -1.0] {
            let dir2 = u.scale(s2);
            if !g2.contains_angle(angle_of(dir2)) {
                continue;
            }
            let q = g2.center.add(dir2.scale(g2.radius));
            let c = Closest::new(p, q);
            best = Some(match best {
                Some(b) => b.min(c),
                None => c,
            });
        }
    }
    best
}

/// Points where two segments meet: proper crossings, plus end points of
/// either segment lying within `tol_mm` of the other (touching and
/// overlapping collinear or co-circular pieces).
pub fn segment_intersections(s1: &ExactSeg, s2: &ExactSeg, tol_mm: f64) -> Vec<Point> {
    let mut out = match (s1.arc, s2.arc) {
        (None, None) => line_line_crossing(s1.a, s1.b, s2.a, s2.b)
            .into_iter()
            .collect(),
        (None, Some(g)) => line_circle_hits(s1.a, s1.b, &g),
        (Some(g), None) => line_circle_hits(s2.a, s2.b, &g),
        (Some(g1), Some(g2)) => circle_circle(&g1, &g2)
            .into_iter()
            .filter(|p| {
                g1.contains_angle(angle_of(p.sub(g1.center)))
                    && g2.contains_angle(angle_of(p.sub(g2.center)))
            })
            .collect(),
    };
    for (p, other) in [(s1.a, s2), (s1.b, s2), (s2.a, s1), (s2.b, s1)] {
        let (d, _) = point_segment(p, other);
        if d <= tol_mm {
            out.push(p);
        }
    }
    out
}

/// True when `p` lies in the region between an arc and its chord.
fn in_circular_segment(p: Point, s: &ExactSeg, g: &ArcGeom) -> bool {
    if p.dist(g.center) >= g.radius {
        return false;
    }
    // The arc bulges to the right of a->b for a counter-clockwise arc.
    let d = s.b.sub(s.a);
    let mut side = d.cross(p.sub(s.a));
    if side == 0.0 {
        // On the chord line: decide like the chord crossing test does, which
        // treats `p` as nudged right (first) and up (second).
        side = if d.y != 0.0 { -d.y } else { d.x };
    }
    side * g.sweep < 0.0
}

/// Even-odd point-in-contour test for a closed contour of lines and arcs.
/// Points on the boundary may go either way; callers test the distance first.
pub fn point_in_contour(p: Point, segs: &[ExactSeg]) -> bool {
    let mut inside = false;
    for s in segs {
        // The chord polygon...
        let (a, b) = (s.a, s.b);
        if (a.y > p.y) != (b.y > p.y) {
            let x = a.x + (p.y - a.y) * (b.x - a.x) / (b.y - a.y);
            if p.x < x {
                inside = !inside;
            }
        }
        // ...corrected by the circular segment between each arc and its chord.
        if let Some(g) = s.arc
            && in_circular_segment(p, s, &g)
        {
            inside = !inside;
        }
    }
    inside
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::{Vertex, bulge_from_sweep};
    use std::f64::consts::PI;

    fn line(ax: f64, ay: f64, bx: f64, by: f64) -> ExactSeg {
        ExactSeg::new(&Segment::Line {
            a: Point::new(ax, ay),
            b: Point::new(bx, by),
        })
    }

    /// Quarter/half arcs of a circle at `c` with radius `r` from angle `a0` sweeping `sw`.
    fn arc(c: Point, r: f64, a0: f64, sw: f64) -> ExactSeg {
        let a = Point::new(c.x + r * a0.cos(), c.y + r * a0.sin());
        let b = Point::new(c.x + r * (a0 + sw).cos(), c.y + r * (a0 + sw).sin());
        ExactSeg::new(&Segment::Arc {
            a,
            b,
            bulge: bulge_from_sweep(sw),
        })
    }

    #[test]
    fn line_line_distances() {
        assert!(
            (segment_distance(&line(0., 0., 10., 0.), &line(0., 3., 10., 3.)) - 3.0).abs() < 1e-12
        );
        assert_eq!(
            segment_distance(&line(0., 0., 10., 10.), &line(0., 10., 10., 0.)),
            0.0
        );
        let d = segment_distance(&line(0., 0., 10., 0.), &line(12., -5., 12., 5.));
        assert!((d - 2.0).abs() < 1e-12);
    }

    #[test]
    fn arc_interior_distances_are_exact() {
        // Upper half circle r=10 at origin, line y = 12 above it: distance 2.
        let a = arc(Point::new(0., 0.), 10.0, 0.0, PI);
        let l = line(-5., 12., 5., 12.);
        assert!((segment_distance(&a, &l) - 2.0).abs() < 1e-12);
        assert!((segment_distance(&l, &a) - 2.0).abs() < 1e-12);
        // The lower half only reaches the line's level at its end points (±10, 0).
        let lower = arc(Point::new(0., 0.), 10.0, PI, PI);
        let d = segment_distance(&lower, &l);
        assert!((d - 5f64.hypot(12.0)).abs() < 1e-12, "{d}");
        // Two arcs facing each other, centres 25 apart, radii 10: gap 5.
        let a1 = arc(Point::new(0., 0.), 10.0, -PI / 4.0, PI / 2.0);
        let a2 = arc(Point::new(25., 0.), 10.0, 3.0 * PI / 4.0, PI / 2.0);
        assert!((segment_distance(&a1, &a2) - 5.0).abs() < 1e-12);
        // Crossing circles.
        let a3 = arc(Point::new(15., 0.), 10.0, PI / 2.0, PI);
        assert_eq!(segment_distance(&a1, &a3), 0.0);
    }

    #[test]
    fn point_in_contour_with_arcs() {
        // Slot 40 x 10 with half-circle ends.
        let slot = Contour::new(vec![
            Vertex::line(0.0, 0.0),
            Vertex::new(40.0, 0.0, 1.0),
            Vertex::line(40.0, 10.0),
            Vertex::new(0.0, 10.0, 1.0),
        ]);
        let segs = ExactSeg::of_contour(&slot);
        assert!(point_in_contour(Point::new(44.0, 5.0), &segs));
        assert!(!point_in_contour(Point::new(45.5, 5.0), &segs));
        assert!(point_in_contour(Point::new(-4.0, 5.0), &segs));
        assert!(!point_in_contour(Point::new(-4.0, 9.5), &segs));
        assert!(point_in_contour(Point::new(20.0, 5.0), &segs));
        let rev = ExactSeg::of_contour(&slot.reversed());
        assert!(point_in_contour(Point::new(44.0, 5.0), &rev));
        // Points on the chord line of two half-circle bulges.
        for c in [
            Contour::circle(Point::new(0.0, 0.0), 10.0),
            Contour::circle(Point::new(0.0, 0.0), 10.0).reversed(),
            Contour::new(vec![
                Vertex::new(0.0, 10.0, 1.0),
                Vertex::new(0.0, -10.0, 1.0),
            ]),
        ] {
            let segs = ExactSeg::of_contour(&c);
            for (x, y) in [(5.0, 0.0), (-5.0, 0.0), (0.0, 0.0), (0.0, 5.0), (0.0, -9.0)] {
                assert!(
                    point_in_contour(Point::new(x, y), &segs),
                    "({x}, {y}) in {c:?}"
                );
            }
            for (x, y) in [(15.0, 0.0), (-15.0, 0.0), (0.0, 12.0), (0.0, -10.5)] {
                assert!(
                    !point_in_contour(Point::new(x, y), &segs),
                    "({x}, {y}) in {c:?}"
                );
            }
        }
        // A square with a concave arc side.
        let sq = Contour::new(vec![
            Vertex::line(0.0, 0.0),
            Vertex::line(20.0, 0.0),
            Vertex::new(20.0, 20.0, -bulge_from_sweep(PI / 2.0)),
            Vertex::line(0.0, 20.0),
        ]);
        let segs = ExactSeg::of_contour(&sq);
        assert!(!point_in_contour(Point::new(10.0, 19.0), &segs));
        assert!(point_in_contour(Point::new(10.0, 10.0), &segs));
    }
}
