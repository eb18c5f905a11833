//! Overlap proxies between placed shapes and the hazard entity/collector
//! the separator uses on a jagua-rs [`CDEngine`](jagua_rs::collision_detection::CDEngine).
//!
//! The loss of two overlapping shapes is built from their poles (inscribed
//! circles, largest first): every pair of poles contributes its penetration
//! depth times the smaller radius, and pairs that only come close still add
//! a small, smoothly decaying amount, so two shapes that jagua-rs reports as
//! colliding always get a positive loss that shrinks as they separate. The
//! method is the one of sparrow (arXiv 2509.13329, section on overlap
//! proxies); the code is ours.

use super::obstacle::Obstacle;
use jagua_rs::collision_detection::hazards::collector::HazardCollector;
use jagua_rs::collision_detection::hazards::filter::HazardFilter;
use jagua_rs::collision_detection::hazards::{HazKey, HazardEntity};
use jagua_rs::geometry::geo_enums::GeoPosition;
use jagua_rs::geometry::primitives::{Circle, SPolygon};

/// The instruction sets of this CPU, detected once.
static SIMD: std::sync::LazyLock<pulp::Arch> = std::sync::LazyLock::new(pulp::Arch::new);

/// Poles of each shape used by the proxy (the largest ones).
pub const PROXY_POLES: usize = 32;

/// What a hazard in the separator's collision engine stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ent {
    /// A placed item, by its index in the separator's item list.
    Item(usize),
    /// Everything outside the strip.
    Exterior,
    /// The gap between two sheets laid end to end (a vertical slab), by index.
    Barrier(usize),
    /// A fixed obstacle of an irregular sheet, by index.
    Obstacle(usize),
}

impl HazardEntity for Ent {
    fn scope(&self) -> GeoPosition {
        match self {
            Ent::Item(_) | Ent::Barrier(_) | Ent::Obstacle(_) => GeoPosition::Interior,
            Ent::Exterior => GeoPosition::Exterior,
        }
    }
}

/// Ignores one hazard (the moving item itself), the exterior (the
/// separator keeps every item's bounding box inside the strip itself) and
/// the obstacles the item may lie on (zones of a quality it accepts).
#[derive(Debug)]
pub struct ItemFilter<'o> {
    pub skip: Option<HazKey>,
    /// The item's lowest allowed zone quality (`None`: full quality).
    pub min_quality: Option<usize>,
    pub obstacles: &'o [Obstacle],
}

impl HazardFilter<Ent> for ItemFilter<'_> {
    fn is_irrelevant(&self, key: HazKey, entity: &Ent) -> bool {
        match entity {
            Ent::Exterior => true,
            Ent::Obstacle(k) => !self.obstacles[*k].blocks(self.min_quality),
            _ => self.skip == Some(key),
        }
    }
}

/// Collects the items hit by a query (few per query: a small vector).
#[derive(Default, Debug)]
pub struct Hits {
    pub list: Vec<(HazKey, Ent)>,
}

impl HazardCollector for Hits {
    type Entity = Ent;
    fn contains_key(&self, hkey: HazKey) -> bool {
        self.list.iter().any(|(k, _)| *k == hkey)
    }
    fn insert(&mut self, hkey: HazKey, entity: Ent) {
        self.list.push((hkey, entity));
    }
    fn remove_by_key(&mut self, hkey: HazKey) {
        self.list.retain(|(k, _)| *k != hkey);
    }
    fn len(&self) -> usize {
        self.list.len()
    }
    fn iter(&self) -> impl Iterator<Item = (HazKey, &Ent)> {
        self.list.iter().map(|(k, e)| (*k, e))
    }
}

fn poles(s: &SPolygon) -> &[Circle] {
    let p = &s.surrogate().poles;
    &p[..p.len().min(PROXY_POLES)]
}

/// Size constants of a collision shape that enter its loss: they do not
/// change when the shape moves.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ShapeSize {
    /// Largest distance between two vertices.
    pub diameter: f32,
    /// Square root of the convex hull area.
    pub root_hull: f32,
}

impl ShapeSize {
    pub fn of(s: &SPolygon) -> Self {
        ShapeSize {
            diameter: s.diameter(),
            root_hull: s.surrogate().convex_hull_area.max(0.0).sqrt(),
        }
    }
}

/// Penetration depth `pd` made smooth and positive: below `eps` it decays
/// hyperbolically instead of reaching zero.
#[inline(always)]
fn decayed(pd: f32, eps: f32) -> f32 {
    let far = eps * eps / (2.0 * eps - pd);
    if pd >= eps { pd } else { far }
}

/// Two poles overlap for [`PoleSet::overlaps_any`] when their centres are
/// closer than this share of the sum of their radii: poles that only touch
/// (at the boundary two shapes share) stay apart despite `f32` rounding.
const SURE_REACH: f32 = 0.999;

/// Poles of the moving shape between two checks of the loss against its
/// limit in [`pair_loss_until`]: the sum across the lanes that each check
/// needs took about half of the pole loop's time when it ran after every
/// pole (benches/README, "Fewer checks of the pole sum").
const CHECK_EVERY: usize = 4;

/// Lanes of the pole loops: the pole arrays are padded to a multiple of this
/// so that the loops run on independent accumulators the compiler vectorises.
const LANES: usize = 8;

/// The poles of a placed shape as separate coordinate arrays, padded with
/// zero-radius poles (which contribute nothing) to a multiple of `LANES` (8).
#[derive(Clone, Debug, Default)]
pub struct PoleSet {
    x: Vec<f32>,
    y: Vec<f32>,
    r: Vec<f32>,
    /// Bounding box of the pole disks (x_min, y_min, x_max, y_max).
    bbox: [f32; 4],
}

impl PoleSet {
    pub fn of(s: &SPolygon) -> Self {
        let mut set = PoleSet::default();
        set.load(s);
        set
    }

    /// Every pole of `s`, not only the largest [`PROXY_POLES`] (for fixed
    /// obstacles, whose poles are made once).
    pub fn all(s: &SPolygon) -> Self {
        let mut set = PoleSet::default();
        set.fill(&s.surrogate().poles);
        set
    }

    /// Replaces the poles by those of `s` (reusing the arrays).
    pub fn load(&mut self, s: &SPolygon) {
        self.fill(poles(s));
    }

    /// True when one of `circles` overlaps one of these poles by more than
    /// a hair ([`SURE_REACH`]): both are inscribed in their shapes, so the
    /// shapes overlap.
    pub fn overlaps_any(&self, circles: &[Circle]) -> bool {
        let [x0, y0, x1, y1] = self.bbox;
        circles.iter().any(|c| {
            let (cx, cy, cr) = (c.center.0, c.center.1, c.radius);
            // A circle at least its radius away from the disks' box
            // overlaps none of them.
            let (gx, gy) = (
                (x0 - cx).max(cx - x1).max(0.0),
                (y0 - cy).max(cy - y1).max(0.0),
            );
            if gx * gx + gy * gy >= cr * cr {
                return false;
            }
            let mut hit = false;
            for k in 0..self.x.len() {
                let (dx, dy) = (cx - self.x[k], cy - self.y[k]);
                let reach = (cr + self.r[k]) * SURE_REACH;
                hit |= dx * dx + dy * dy < reach * reach;
            }
            hit
        })
    }

    fn fill(&mut self, poles: &[Circle]) {
        let n = poles.len().div_ceil(LANES) * LANES;
        self.x.clear();
        self.y.clear();
        self.r.clear();
        self.bbox = [f32::MAX, f32::MAX, f32::MIN, f32::MIN];
        for p in poles {
            let (x, y, r) = (p.center.0, p.center.1, p.radius);
            self.x.push(x);
            self.y.push(y);
            self.r.push(r);
            self.bbox = [
                self.bbox[0].min(x - r),
                self.bbox[1].min(y - r),
                self.bbox[2].max(x + r),
                self.bbox[3].max(y + r),
            ];
        }
        // Far away and of zero radius: `min(radius)` makes their terms 0.
        self.x.resize(n, 1e12);
        self.y.resize(n, 1e12);
        self.r.resize(n, 0.0);
    }
}

/// Loss of two overlapping placed (transformed) shapes: the square root of
/// a pole-based overlap-area proxy (every pair of poles contributes its
/// smoothed penetration depth times the smaller radius), scaled by the
/// geometric mean of the shapes' root hull areas so that overlaps between
/// large shapes weigh more. Always positive.
pub fn pair_loss(a: &SPolygon, sa: ShapeSize, b: &PoleSet, sb: ShapeSize) -> f32 {
    pair_loss_until(a, sa, b, sb, f32::INFINITY).unwrap_or(f32::INFINITY)
}

/// [`pair_loss`], or `None` as soon as it is sure to exceed `limit`: every
/// pole pair adds a positive amount, so the sum over the poles of `a` seen
/// so far (largest first) is a lower bound of the whole.
pub fn pair_loss_until(
    a: &SPolygon,
    sa: ShapeSize,
    b: &PoleSet,
    sb: ShapeSize,
    limit: f32,
) -> Option<f32> {
    // The pole loop is most of the search's time: run it with the widest
    // vector instructions this CPU has (AVX2 and FMA where present).
    SIMD.dispatch(PoleSum {
        a,
        sa,
        b,
        sb,
        limit,
    })
}

/// The arguments of [`pair_loss_until`], for `pulp` to dispatch.
struct PoleSum<'s> {
    a: &'s SPolygon,
    sa: ShapeSize,
    b: &'s PoleSet,
    sb: ShapeSize,
    limit: f32,
}

impl pulp::WithSimd for PoleSum<'_> {
    type Output = Option<f32>;

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) -> Option<f32> {
        pole_sum(self.a, self.sa, self.b, self.sb, self.limit)
    }
}

/// The body of [`pair_loss_until`], inlined into each instruction-set
/// variant `pulp` dispatches to.
#[inline(always)]
fn pole_sum(a: &SPolygon, sa: ShapeSize, b: &PoleSet, sb: ShapeSize, limit: f32) -> Option<f32> {
    let eps = 0.01 * sa.diameter.max(sb.diameter);
    let scale = (sa.root_hull * sb.root_hull).sqrt();
    // loss > limit  <=>  total > ((limit / scale)² - eps²) / π
    let l = limit / scale;
    let max_total = if l.is_finite() {
        (l * l - eps * eps) / std::f32::consts::PI
    } else {
        f32::INFINITY
    };
    let mut acc = [0.0f32; LANES];
    // The lanes only grow, so checking after every few poles (the last
    // group included) gives the same answer as checking after each pole.
    for group in poles(a).chunks(CHECK_EVERY) {
        for p in group {
            let (px, py, pr) = (p.center.0, p.center.1, p.radius);
            for ((xs, ys), rs) in
                b.x.chunks_exact(LANES)
                    .zip(b.y.chunks_exact(LANES))
                    .zip(b.r.chunks_exact(LANES))
            {
                for k in 0..LANES {
                    let dx = px - xs[k];
                    let dy = py - ys[k];
                    let pd = pr + rs[k] - (dx * dx + dy * dy).sqrt();
                    acc[k] += decayed(pd, eps) * pr.min(rs[k]);
                }
            }
        }
        if acc.iter().sum::<f32>() > max_total {
            return None;
        }
    }
    let total: f32 = acc.iter().sum();
    Some((total * std::f32::consts::PI + eps * eps).sqrt() * scale)
}

/// Loss of a placed shape reaching into a fixed obstacle: the pair loss
/// with the obstacle's poles, its smoothing and scale those of the shape
/// alone (an obstacle can be much larger than any item).
pub fn obstacle_loss_until(a: &SPolygon, sa: ShapeSize, ob: &PoleSet, limit: f32) -> Option<f32> {
    let own = ShapeSize {
        diameter: 0.0,
        root_hull: sa.root_hull,
    };
    pair_loss_until(a, sa, ob, own, limit)
}

/// Loss of a placed shape reaching into a full-height vertical slab
/// `[x_lo, x_hi]`: per pole, the smoothed depth of its reach into the slab
/// times its radius, with the same scaling as [`pair_loss`].
pub fn slab_loss(a: &SPolygon, sa: ShapeSize, slab: [f32; 2]) -> f32 {
    let [lo, hi] = slab;
    let eps = 0.01 * sa.diameter;
    let mut total = 0.0f32;
    for p in poles(a) {
        let cx = p.center.0;
        let pd = if cx < lo {
            p.radius - (lo - cx)
        } else if cx > hi {
            p.radius - (cx - hi)
        } else {
            p.radius + (cx - lo).min(hi - cx)
        };
        total += decayed(pd, eps) * p.radius;
    }
    (total * std::f32::consts::PI + eps * eps).sqrt() * sa.root_hull
}

/// An L-shaped outline with poles of different sizes, for the strip tests.
#[cfg(test)]
pub(crate) const TEST_ELL: [(f32, f32); 6] = [
    (0., 0.),
    (40., 0.),
    (40., 10.),
    (10., 10.),
    (10., 30.),
    (0., 30.),
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::convert::cde_config;
    use jagua_rs::geometry::primitives::Point;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// The polygon `points` moved by `(x, y)`, with its poles.
    fn polygon_at(points: &[(f32, f32)], x: f32, y: f32) -> SPolygon {
        let mut s = SPolygon::new(points.iter().map(|&(a, b)| Point(a + x, b + y)).collect())
            .expect("a valid polygon");
        s.generate_surrogate(cde_config().item_surrogate_config)
            .expect("poles of a valid polygon");
        s
    }

    /// An L-shaped polygon (several poles of different sizes) at `(x, y)`.
    fn ell(x: f32, y: f32) -> SPolygon {
        polygon_at(&TEST_ELL, x, y)
    }

    /// Shifts of the second shape in the pair-loss tests: deep, partial
    /// and slight overlaps.
    const SHIFTS: [(f32, f32); 4] = [(3.0, 2.0), (-7.5, 11.0), (20.0, -4.0), (0.3, 0.1)];

    #[test]
    fn the_dispatched_loss_equals_the_plain_loop_bit_for_bit() {
        let a = ell(0.0, 0.0);
        let (sa, pa) = (ShapeSize::of(&a), PoleSet::of(&a));
        for (dx, dy) in SHIFTS {
            let b = ell(dx, dy);
            let sb = ShapeSize::of(&b);
            let fast = pair_loss_until(&b, sb, &pa, sa, f32::INFINITY);
            let plain = pole_sum(&b, sb, &pa, sa, f32::INFINITY);
            assert_eq!(fast.map(f32::to_bits), plain.map(f32::to_bits));
        }
    }

    #[test]
    fn the_limit_holds_whichever_pole_crosses_it() {
        let a = ell(0.0, 0.0);
        let (sa, pa) = (ShapeSize::of(&a), PoleSet::of(&a));
        // A triangle's 17 poles: the last group of poles checked is a
        // single one.
        let triangle = |x, y| polygon_at(&[(0.0, 0.0), (40.0, 0.0), (20.0, 30.0)], x, y);
        let n = poles(&triangle(0.0, 0.0)).len();
        assert!(!n.is_multiple_of(CHECK_EVERY), "{n} poles");
        // The shifts, and one where the shapes only come close.
        for (dx, dy) in SHIFTS.into_iter().chain([(45.0, 0.0)]) {
            let b = triangle(dx, dy);
            let sb = ShapeSize::of(&b);
            let full = pair_loss(&b, sb, &pa, sa);
            let until = |limit: f32| pair_loss_until(&b, sb, &pa, sa, limit);
            assert_eq!(until(full * 1.0001), Some(full), "at {dx}, {dy}");
            assert_eq!(until(full * 0.9999), None, "at {dx}, {dy}");
        }
    }

    #[test]
    fn the_box_check_never_changes_which_circles_overlap_the_poles() {
        let poles = PoleSet::of(&ell(0.0, 0.0));
        let real = poles.r.iter().filter(|&&r| r > 0.0).count();
        // Every circle tested against every pole, as before the box check.
        let any_pole = |c: &Circle| {
            (0..real).any(|k| {
                let (dx, dy) = (c.center.0 - poles.x[k], c.center.1 - poles.y[k]);
                let reach = (c.radius + poles.r[k]) * SURE_REACH;
                dx * dx + dy * dy < reach * reach
            })
        };
        let mut rng = ChaCha8Rng::seed_from_u64(99);
        let mut next = move || rng.random::<f32>();
        let (mut hits, mut misses) = (0, 0);
        for _ in 0..5000 {
            let centre = Point(next() * 60.0 - 20.0, next() * 60.0 - 20.0);
            let c = Circle::try_new(centre, 0.1 + next() * 6.0).expect("a positive radius");
            let want = any_pole(&c);
            assert_eq!(poles.overlaps_any(&[c]), want, "{c:?}");
            if want {
                hits += 1;
            } else {
                misses += 1;
            }
        }
        assert!(hits > 500 && misses > 500, "{hits} hits, {misses} misses");
    }

    #[test]
    fn the_loss_shrinks_as_shapes_separate_and_stops_at_the_limit() {
        let a = ell(0.0, 0.0);
        let (sa, pa) = (ShapeSize::of(&a), PoleSet::of(&a));
        let losses: Vec<f32> = [1.0, 4.0, 8.0, 12.0]
            .iter()
            .map(|&dx| {
                let b = ell(dx, 1.0);
                pair_loss(&b, ShapeSize::of(&b), &pa, sa)
            })
            .collect();
        assert!(losses.iter().all(|&l| l > 0.0), "{losses:?}");
        assert!(losses.windows(2).all(|w| w[1] < w[0]), "{losses:?}");
        let b = ell(1.0, 1.0);
        let sb = ShapeSize::of(&b);
        assert_eq!(pair_loss_until(&b, sb, &pa, sa, losses[0] * 0.5), None);
        assert_eq!(
            pair_loss_until(&b, sb, &pa, sa, losses[0] * 2.0),
            Some(losses[0])
        );
    }
}
