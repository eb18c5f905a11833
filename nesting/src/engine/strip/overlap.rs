//! Overlap proxies between placed shapes and the hazard entity/collector
//! the separator uses on a jagua-rs [`CDEngine`].
//!
//! The proxy of two overlapping shapes is built from their poles (inscribed
//! circles, largest first): every pair of poles contributes its penetration
//! depth times the smaller radius, and pairs that only come close still add
//! a small, smoothly decaying amount, so two shapes that jagua-rs reports as
//! colliding always get a positive proxy that shrinks as they separate.

use jagua_rs::collision_detection::hazards::collector::HazardCollector;
use jagua_rs::collision_detection::hazards::filter::HazardFilter;
use jagua_rs::collision_detection::hazards::{HazKey, HazardEntity};
use jagua_rs::geometry::geo_enums::GeoPosition;
use jagua_rs::geometry::primitives::{Circle, SPolygon};

/// Poles of each shape used by the proxy (the largest ones).
pub const PROXY_POLES: usize = 16;

/// What a hazard in the separator's collision engine stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Ent {
    /// A placed item, by its index in the separator's item list.
    Item(usize),
    /// Everything outside the strip.
    Exterior,
    /// The gap between two sheets laid end to end (a vertical slab), by index.
    Barrier(usize),
}

impl HazardEntity for Ent {
    fn scope(&self) -> GeoPosition {
        match self {
            Ent::Item(_) | Ent::Barrier(_) => GeoPosition::Interior,
            Ent::Exterior => GeoPosition::Exterior,
        }
    }
    fn is_dynamic(&self) -> bool {
        matches!(self, Ent::Item(_))
    }
}

/// Ignores one hazard (the moving item itself) and the exterior: the
/// separator keeps every item's bounding box inside the strip itself.
#[derive(Debug)]
pub struct SkipSelf(pub Option<HazKey>);

impl HazardFilter<Ent> for SkipSelf {
    fn is_irrelevant(&self, key: HazKey, entity: &Ent) -> bool {
        matches!(entity, Ent::Exterior) || self.0 == Some(key)
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

/// Overlap proxy of two placed (transformed) shapes; `eps` is the distance
/// scale of the decay for pole pairs that do not overlap.
pub fn overlap_proxy(a: &SPolygon, b: &SPolygon, eps: f32) -> f32 {
    let mut total = 0.0f32;
    for p in poles(a) {
        for q in poles(b) {
            let dx = p.center.0 - q.center.0;
            let dy = p.center.1 - q.center.1;
            let pd = p.radius + q.radius - (dx * dx + dy * dy).sqrt();
            let v = if pd >= eps {
                pd
            } else {
                eps * eps / (2.0 * eps - pd)
            };
            total += v * p.radius.min(q.radius);
        }
    }
    // Keep a floor so a reported collision is never free.
    total.max(eps * eps * 1e-3)
}

/// Overlap proxy of a placed shape with a full-height vertical slab
/// `[x_lo, x_hi]`: the depth to which each pole reaches into the slab
/// (decaying smoothly outside it) times the pole radius.
pub fn slab_proxy(a: &SPolygon, slab: [f32; 2], eps: f32) -> f32 {
    let [lo, hi] = slab;
    let mut total = 0.0f32;
    for p in poles(a) {
        let cx = p.center.0;
        // Signed depth of the pole's reach into the slab.
        let pd = if cx < lo {
            p.radius - (lo - cx)
        } else if cx > hi {
            p.radius - (cx - hi)
        } else {
            p.radius + (cx - lo).min(hi - cx)
        };
        let v = if pd >= eps {
            pd
        } else {
            eps * eps / (2.0 * eps - pd)
        };
        total += v * p.radius;
    }
    total.max(eps * eps * 1e-3)
}
