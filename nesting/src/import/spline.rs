//! Curves that DXF stores without arcs: NURBS splines (rational de Boor),
//! fit-point splines and ellipses, flattened to points within a chord tolerance.

use crate::geometry::Point;

/// Deepest bisection of one parameter interval when flattening.
const MAX_DEPTH: u32 = 18;

/// Points along `f` on `[t0, t1]` (both ends included) so that the chord
/// deviation, measured at interval midpoints and quarter points, stays below `tol`.
pub fn flatten_param(
    f: &dyn Fn(f64) -> Point,
    t0: f64,
    t1: f64,
    initial: usize,
    tol: f64,
    out: &mut Vec<Point>,
) {
    let tol = tol.max(1e-12);
    let n = initial.max(1);
    if out.is_empty() {
        out.push(f(t0));
    }
    let mut a = t0;
    let mut pa = f(t0);
    for i in 1..=n {
        let b = t0 + (t1 - t0) * i as f64 / n as f64;
        let pb = f(b);
        refine(f, a, pa, b, pb, tol, 0, out);
        a = b;
        pa = pb;
    }
}

#[allow(clippy::too_many_arguments)]
fn refine(
    f: &dyn Fn(f64) -> Point,
    a: f64,
    pa: Point,
    b: f64,
    pb: Point,
    tol: f64,
    depth: u32,
    out: &mut Vec<Point>,
) {
    let m = 0.5 * (a + b);
    let pm = f(m);
    let q1 = f(0.5 * (a + m));
    let q3 = f(0.5 * (m + b));
    let dev = pm
        .dist_to_segment(pa, pb)
        .max(q1.dist_to_segment(pa, pb))
        .max(q3.dist_to_segment(pa, pb));
    let finite = pm.x.is_finite() && pm.y.is_finite();
    if depth < MAX_DEPTH && finite && dev > tol {
        refine(f, a, pa, m, pm, tol, depth + 1, out);
        refine(f, m, pm, b, pb, tol, depth + 1, out);
    } else {
        out.push(pb);
    }
}

/// A NURBS curve in the plane (z dropped).
#[derive(Clone, Debug)]
pub struct Nurbs {
    pub degree: usize,
    pub knots: Vec<f64>,
    pub control: Vec<Point>,
    pub weights: Vec<f64>,
}

impl Nurbs {
    /// Checks and repairs the definition. Returns the curve and a note for
    /// the report when something had to be repaired, or `None` when the
    /// spline cannot be evaluated at all.
    pub fn checked(
        degree: i32,
        knots: &[f64],
        control: Vec<Point>,
        weights: &[f64],
    ) -> Option<(Nurbs, Option<String>)> {
        let n = control.len();
        if n < 2 {
            return None;
        }
        let mut note = None;
        let degree = (degree.max(1) as usize).min(n - 1);
        let valid_knots = knots.len() == n + degree + 1
            && knots.iter().all(|k| k.is_finite())
            && knots.windows(2).all(|w| w[0] <= w[1])
            && knots[n] > knots[degree];
        let knots = if valid_knots {
            knots.to_vec()
        } else {
            note = Some(format!(
                "SPLINE with {} knots for {} control points of degree {}: used a clamped uniform knot vector",
                knots.len(),
                n,
                degree
            ));
            clamped_uniform(n, degree)
        };
        let weights = if weights.len() == n && weights.iter().all(|w| *w > 0.0 && w.is_finite()) {
            weights.to_vec()
        } else {
            if !weights.is_empty() {
                note = Some("SPLINE with invalid weights: evaluated as non-rational".to_string());
            }
            vec![1.0; n]
        };
        Some((
            Nurbs {
                degree,
                knots,
                control,
                weights,
            },
            note,
        ))
    }

    /// Parameter domain.
    pub fn domain(&self) -> (f64, f64) {
        (self.knots[self.degree], self.knots[self.control.len()])
    }

    /// Rational de Boor evaluation at `t`.
    pub fn eval(&self, t: f64) -> Point {
        let p = self.degree;
        let n = self.control.len();
        let (lo, hi) = self.domain();
        let t = t.clamp(lo, hi);
        // Knot span k with knots[k] <= t < knots[k+1], k in [p, n-1].
        let mut k = p;
        while k + 1 < n && self.knots[k + 1] <= t {
            k += 1;
        }
        let mut d: Vec<[f64; 3]> = (0..=p)
            .map(|j| {
                let i = j + k - p;
                let w = self.weights[i];
                [self.control[i].x * w, self.control[i].y * w, w]
            })
            .collect();
        for r in 1..=p {
            for j in (r..=p).rev() {
                let i = j + k - p;
                let den = self.knots[i + p + 1 - r] - self.knots[i];
                let alpha = if den == 0.0 {
                    0.0
                } else {
                    (t - self.knots[i]) / den
                };
                let prev = d[j - 1];
                for (c, v) in d[j].iter_mut().enumerate() {
                    *v = (1.0 - alpha) * prev[c] + alpha * *v;
                }
            }
        }
        let [x, y, w] = d[p];
        if w == 0.0 {
            Point::new(x, y)
        } else {
            Point::new(x / w, y / w)
        }
    }

    /// Flattened points, span by span, within `tol` (drawing units).
    pub fn flatten(&self, tol: f64) -> Vec<Point> {
        let mut out = Vec::new();
        let n = self.control.len();
        let f = |t: f64| self.eval(t);
        for k in self.degree..n {
            let (a, b) = (self.knots[k], self.knots[k + 1]);
            if b > a {
                flatten_param(&f, a, b, 4, tol, &mut out);
            }
        }
        out
    }
}

fn clamped_uniform(n: usize, p: usize) -> Vec<f64> {
    let inner = n - p; // number of spans
    let mut k = vec![0.0; p + 1];
    for i in 1..inner {
        k.push(i as f64 / inner as f64);
    }
    k.extend(std::iter::repeat_n(1.0, p + 1));
    k
}

/// Points of a curve through `fit` points (centripetal Catmull-Rom), used when
/// a SPLINE has fit points but no control points. Passes through every fit point.
pub fn flatten_fit_points(fit: &[Point], tol: f64) -> Vec<Point> {
    let mut pts: Vec<Point> = Vec::with_capacity(fit.len());
    for p in fit {
        if pts.last().is_none_or(|q: &Point| q.dist(*p) > 0.0) {
            pts.push(*p);
        }
    }
    if pts.len() < 3 {
        return pts;
    }
    let closed = pts.len() > 3 && pts[0].dist(pts[pts.len() - 1]) <= tol;
    if closed {
        pts.pop();
    }
    let m = pts.len();
    let get = |i: isize| -> Point {
        if closed {
            pts[i.rem_euclid(m as isize) as usize]
        } else if i < 0 {
            pts[0].scale(2.0).sub(pts[1])
        } else if i as usize >= m {
            pts[m - 1].scale(2.0).sub(pts[m - 2])
        } else {
            pts[i as usize]
        }
    };
    let segs = if closed { m } else { m - 1 };
    let f = |t: f64| -> Point {
        let i = (t.floor() as isize).clamp(0, segs as isize - 1);
        let u = t - i as f64;
        catmull_rom(get(i - 1), get(i), get(i + 1), get(i + 2), u)
    };
    let mut out = Vec::new();
    flatten_param(&f, 0.0, segs as f64, segs * 2, tol, &mut out);
    out
}

/// Centripetal Catmull-Rom between `p1` and `p2` at `u` in [0, 1].
fn catmull_rom(p0: Point, p1: Point, p2: Point, p3: Point, u: f64) -> Point {
    let knot = |a: Point, b: Point| a.dist(b).sqrt().max(1e-12);
    let t0 = 0.0;
    let t1 = t0 + knot(p0, p1);
    let t2 = t1 + knot(p1, p2);
    let t3 = t2 + knot(p2, p3);
    let t = t1 + (t2 - t1) * u;
    let lerp = |a: Point, b: Point, ta: f64, tb: f64| -> Point {
        a.scale((tb - t) / (tb - ta))
            .add(b.scale((t - ta) / (tb - ta)))
    };
    let a1 = lerp(p0, p1, t0, t1);
    let a2 = lerp(p1, p2, t1, t2);
    let a3 = lerp(p2, p3, t2, t3);
    let b1 = lerp(a1, a2, t0, t2);
    let b2 = lerp(a2, a3, t1, t3);
    lerp(b1, b2, t1, t2)
}

/// Flattened ellipse (arc) from parameter `t0` to `t1` (radians, `t1 > t0`):
/// `center + cos(t)·major + sin(t)·minor`.
pub fn flatten_ellipse(
    center: Point,
    major: Point,
    minor: Point,
    t0: f64,
    t1: f64,
    tol: f64,
) -> Vec<Point> {
    let f = |t: f64| center.add(major.scale(t.cos())).add(minor.scale(t.sin()));
    let steps = ((t1 - t0) / (std::f64::consts::PI / 8.0)).ceil().max(1.0) as usize;
    let mut out = Vec::new();
    flatten_param(&f, t0, t1, steps, tol, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    #[test]
    fn rational_quadratic_is_a_quarter_circle() {
        let w = std::f64::consts::FRAC_1_SQRT_2;
        let (c, _) = Nurbs::checked(
            2,
            &[0.0, 0.0, 0.0, 1.0, 1.0, 1.0],
            vec![
                Point::new(1.0, 0.0),
                Point::new(1.0, 1.0),
                Point::new(0.0, 1.0),
            ],
            &[1.0, w, 1.0],
        )
        .unwrap();
        for i in 0..=10 {
            let p = c.eval(i as f64 / 10.0);
            assert!((p.norm() - 1.0).abs() < 1e-12, "{p:?}");
        }
        let pts = c.flatten(1e-4);
        assert!(pts.len() > 10);
        assert!(pts.iter().all(|p| (p.norm() - 1.0).abs() < 1e-9));
    }

    #[test]
    fn bad_knots_are_replaced() {
        let (c, note) = Nurbs::checked(
            3,
            &[0.0, 1.0],
            vec![
                Point::new(0.0, 0.0),
                Point::new(1.0, 2.0),
                Point::new(2.0, 2.0),
                Point::new(3.0, 0.0),
            ],
            &[],
        )
        .unwrap();
        assert!(note.is_some());
        assert!(c.eval(0.0).dist(Point::new(0.0, 0.0)) < 1e-12);
        assert!(c.eval(1.0).dist(Point::new(3.0, 0.0)) < 1e-12);
    }

    #[test]
    fn ellipse_flattening_within_tolerance() {
        let pts = flatten_ellipse(
            Point::new(0.0, 0.0),
            Point::new(10.0, 0.0),
            Point::new(0.0, 5.0),
            0.0,
            2.0 * PI,
            0.01,
        );
        assert!(pts[0].dist(*pts.last().unwrap()) < 1e-9);
        for w in pts.windows(2) {
            let m = w[0].add(w[1]).scale(0.5);
            // Midpoint of a chord lies inside the ellipse, close to it.
            let r = (m.x / 10.0).powi(2) + (m.y / 5.0).powi(2);
            assert!(r <= 1.0 + 1e-9 && r > 0.99);
        }
    }

    #[test]
    fn fit_points_are_interpolated() {
        let fit = [
            Point::new(0.0, 0.0),
            Point::new(1.0, 1.0),
            Point::new(2.0, 0.0),
            Point::new(3.0, 1.0),
        ];
        let pts = flatten_fit_points(&fit, 0.001);
        for p in fit {
            assert!(pts.iter().any(|q| q.dist(p) < 1e-9));
        }
    }
}
