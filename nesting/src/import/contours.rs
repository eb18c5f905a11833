//! Closed chains to contours: self-intersection check, containment depth
//! (even-odd: outer, hole, island...) and point location for markings.

use super::chain::Chain;
use crate::geometry::{BBox, Contour, Point, Vertex};

/// The closed contour of a closed chain (the repeated end vertex dropped).
pub fn contour_of(chain: &Chain) -> Contour {
    let mut v: Vec<Vertex> = chain.verts.clone();
    v.pop();
    Contour::new(v)
}

fn orient(a: Point, b: Point, c: Point) -> f64 {
    b.sub(a).cross(c.sub(a))
}

/// A point where the contour properly crosses itself, if any. Arcs are
/// flattened with `tol_mm`; touching without crossing is not reported.
pub fn self_intersection(c: &Contour, tol_mm: f64) -> Option<Point> {
    let pts = c.flatten(tol_mm);
    let n = pts.len();
    if n < 4 {
        return None;
    }
    let seg = |i: usize| (pts[i], pts[(i + 1) % n]);
    let mut order: Vec<usize> = (0..n).collect();
    let minx = |i: usize| {
        let (a, b) = seg(i);
        a.x.min(b.x)
    };
    order.sort_by(|&i, &j| minx(i).total_cmp(&minx(j)));
    let scale = c.bbox().diagonal().max(1e-9);
    let eps = 1e-12 * scale * scale;
    for (k, &i) in order.iter().enumerate() {
        let (a, b) = seg(i);
        let maxx = a.x.max(b.x);
        for &j in &order[k + 1..] {
            if minx(j) > maxx {
                break;
            }
            if (i + 1) % n == j || (j + 1) % n == i || i == j {
                continue;
            }
            let (p, q) = seg(j);
            if a.y.max(b.y) < p.y.min(q.y) || p.y.max(q.y) < a.y.min(b.y) {
                continue;
            }
            let d1 = orient(a, b, p);
            let d2 = orient(a, b, q);
            let d3 = orient(p, q, a);
            let d4 = orient(p, q, b);
            if ((d1 > eps && d2 < -eps) || (d1 < -eps && d2 > eps))
                && ((d3 > eps && d4 < -eps) || (d3 < -eps && d4 > eps))
            {
                let t = d3 / (d3 - d4);
                return Some(a.add(b.sub(a).scale(t)));
            }
        }
    }
    None
}

/// Even-odd point in polygon.
pub fn point_in_polygon(p: Point, poly: &[Point]) -> bool {
    let n = poly.len();
    let mut inside = false;
    let mut j = n.wrapping_sub(1);
    for i in 0..n {
        let (a, b) = (poly[i], poly[j]);
        if (a.y > p.y) != (b.y > p.y) {
            let x = a.x + (p.y - a.y) * (b.x - a.x) / (b.y - a.y);
            if p.x < x {
                inside = !inside;
            }
        }
        j = i;
    }
    inside
}

/// Sample points on a contour (segment midpoints on the true curve).
fn samples(c: &Contour) -> Vec<Point> {
    let segs: Vec<_> = c.segments().collect();
    let step = (segs.len() / 7).max(1);
    segs.iter()
        .step_by(step)
        .take(9)
        .map(|s| match s.arc() {
            Some(g) => g.point_at(0.5),
            None => s.start().add(s.end()).scale(0.5),
        })
        .collect()
}

/// Containment of contours: `depth[i]` (0 = outermost) and `parent[i]`
/// (the smallest contour containing `i`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Nesting {
    pub depth: Vec<usize>,
    pub parent: Vec<Option<usize>>,
}

/// Flattened polygons of the contours, for containment tests.
#[derive(Debug)]
pub struct Located {
    pub polys: Vec<Vec<Point>>,
    pub bboxes: Vec<BBox>,
    pub areas: Vec<f64>,
}

impl Located {
    pub fn new(contours: &[Contour], tol_mm: f64) -> Self {
        Self {
            polys: contours.iter().map(|c| c.flatten(tol_mm)).collect(),
            bboxes: contours.iter().map(Contour::bbox).collect(),
            areas: contours.iter().map(Contour::area).collect(),
        }
    }

    /// The smallest of `candidates` whose contour contains `p`.
    pub fn smallest_containing(
        &self,
        p: Point,
        candidates: impl Iterator<Item = usize>,
    ) -> Option<usize> {
        candidates
            .filter(|&j| self.bboxes[j].contains(p) && point_in_polygon(p, &self.polys[j]))
            .min_by(|&a, &b| self.areas[a].total_cmp(&self.areas[b]))
    }
}

/// Containment depth by area order: each contour's parent is the smallest
/// larger contour that contains most of its sample points.
pub fn nest(contours: &[Contour], located: &Located) -> Nesting {
    let n = contours.len();
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| {
        located.areas[b]
            .total_cmp(&located.areas[a])
            .then(a.cmp(&b))
    });
    let mut depth = vec![0; n];
    let mut parent = vec![None; n];
    for (k, &i) in order.iter().enumerate() {
        let pts = samples(&contours[i]);
        let bb = located.bboxes[i];
        let mut best: Option<usize> = None;
        for &j in order[..k].iter().rev() {
            let bj = located.bboxes[j];
            if !(bj.min.x <= bb.min.x
                && bj.min.y <= bb.min.y
                && bj.max.x >= bb.max.x
                && bj.max.y >= bb.max.y)
            {
                continue;
            }
            let inside = pts
                .iter()
                .filter(|p| point_in_polygon(**p, &located.polys[j]))
                .count();
            if inside * 2 > pts.len() {
                best = Some(j);
                break;
            }
        }
        if let Some(j) = best {
            parent[i] = Some(j);
            depth[i] = depth[j] + 1;
        }
    }
    Nesting { depth, parent }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bow_tie_crosses_at_centre() {
        let c = Contour::polygon([
            Point::new(0.0, 0.0),
            Point::new(10.0, 10.0),
            Point::new(10.0, 0.0),
            Point::new(0.0, 10.0),
        ]);
        let p = self_intersection(&c, 0.01).unwrap();
        assert!(p.dist(Point::new(5.0, 5.0)) < 1e-9);
        assert!(self_intersection(&Contour::rectangle(0.0, 0.0, 5.0, 5.0), 0.01).is_none());
        assert!(self_intersection(&Contour::circle(Point::new(0.0, 0.0), 5.0), 0.01).is_none());
    }

    #[test]
    fn nesting_depths() {
        let cs = vec![
            Contour::circle(Point::new(50.0, 50.0), 10.0),
            Contour::rectangle(0.0, 0.0, 100.0, 100.0),
            Contour::rectangle(30.0, 30.0, 40.0, 40.0),
            Contour::rectangle(200.0, 0.0, 10.0, 10.0),
        ];
        let loc = Located::new(&cs, 0.01);
        let n = nest(&cs, &loc);
        assert_eq!(n.depth, vec![2, 0, 1, 0]);
        assert_eq!(n.parent, vec![Some(2), None, Some(1), None]);
    }
}
