//! The separator: guided local search that removes the overlap from a
//! layout at a fixed strip length.
//!
//! Every item keeps a pose (orientation, translation) whose collision
//! bounding box lies inside the strip, so only item-item overlaps remain.
//! The loss of an item is the sum over the items it collides with of the
//! pair weight times the square root of the pair's overlap proxy. A move
//! puts one colliding item at the best of random global and local samples,
//! refined by coordinate descent; after each sweep over the colliding items
//! the weights of pairs that still collide grow, the others decay towards 1.

use super::overlap::{Ent, Hits, SkipSelf, overlap_proxy, slab_proxy};
use crate::engine::convert::{PartShapes, cde_config};
use jagua_rs::collision_detection::CDEngine;
use jagua_rs::collision_detection::hazards::{HazKey, Hazard};
use jagua_rs::geometry::Transformation;
use jagua_rs::geometry::geo_traits::TransformableFrom;
use jagua_rs::geometry::primitives::{Point as JPoint, Rect, SPolygon};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::cell::Cell;
use std::sync::Arc;

/// Random samples anywhere in the strip per move.
const GLOBAL_SAMPLES: usize = 40;
/// Random samples near the item's current position per move.
const LOCAL_SAMPLES: usize = 20;
/// Weight growth on colliding pairs: `GROW_MIN + GROW_SPAN · relative overlap`.
const GROW_MIN: f32 = 1.2;
const GROW_SPAN: f32 = 0.8;
/// Weight decay of pairs that no longer collide.
const DECAY: f32 = 0.95;
const MAX_WEIGHT: f32 = 1e6;

/// Orientation and translation of one item (jagua frame).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pose {
    pub orient: usize,
    pub t: (f32, f32),
}

/// Budget of one separation.
#[derive(Clone, Copy, Debug)]
pub struct SepBudget {
    /// Restarts from the best state when the search stalls.
    pub strikes: usize,
    /// Sweeps without a new best before a strike.
    pub stall_sweeps: usize,
}

/// A layout being separated: the items, their poses, a collision engine
/// with every item registered, pairwise overlaps and weights.
#[derive(Debug)]
pub struct Separator<'a> {
    parts: &'a [PartShapes],
    /// Part-shape index of each item.
    kinds: Vec<usize>,
    x0: f32,
    y0: f32,
    y1: f32,
    /// Current right end of the strip.
    x1: f32,
    cde: CDEngine<Ent>,
    poses: Vec<Pose>,
    hkeys: Vec<HazKey>,
    shapes: Vec<Arc<SPolygon>>,
    /// Vertical slabs no item may overlap (gaps between sheets): `[x_lo, x_hi]`.
    slabs: Vec<[f32; 2]>,
    /// Side of the pair matrices: items, then slabs.
    m: usize,
    /// Pairwise overlap proxies, `m × m`, symmetric, 0 when apart.
    ov: Vec<f32>,
    /// Pairwise weights, `m × m`, symmetric, >= 1.
    w: Vec<f32>,
    /// Sum of the overlap proxies of each item.
    item_ov: Vec<f32>,
    /// Number of items each item collides with.
    item_cnt: Vec<u32>,
    /// Number of colliding pairs.
    pair_cnt: usize,
    eps: f32,
    /// Scratch shapes per part shape and orientation (same vertex count as the original).
    bufs: Vec<Vec<SPolygon>>,
    hits: Hits,
    /// Collision queries made (a work counter).
    pub evals: u64,
}

impl<'a> Separator<'a> {
    /// A separator over the strip `[x0, x1_max] × [y0, y1]` with the items
    /// at `poses` (which must lie inside it) and the slabs `[x_lo, x_hi]`
    /// that no item may overlap.
    pub fn new(
        parts: &'a [PartShapes],
        kinds: Vec<usize>,
        poses: Vec<Pose>,
        strip: [f32; 4],
        slabs: Vec<[f32; 2]>,
    ) -> Result<Self, String> {
        let [x0, y0, x1, y1] = strip;
        let rect = Rect::try_new(x0, y0, x1, y1).map_err(|e| e.to_string())?;
        let outer = SPolygon::new(vec![
            JPoint(x0, y0),
            JPoint(x1, y0),
            JPoint(x1, y1),
            JPoint(x0, y1),
        ])
        .map_err(|e| e.to_string())?;
        let mut hazards = vec![Hazard::new(Ent::Exterior, Arc::new(outer))];
        for (k, &[lo, hi]) in slabs.iter().enumerate() {
            let slab = SPolygon::new(vec![
                JPoint(lo, y0 - 1.0),
                JPoint(hi, y0 - 1.0),
                JPoint(hi, y1 + 1.0),
                JPoint(lo, y1 + 1.0),
            ])
            .map_err(|e| e.to_string())?;
            hazards.push(Hazard::new(Ent::Barrier(k), Arc::new(slab)));
        }
        let cde = CDEngine::new(rect.inflate_to_square(), hazards, cde_config());
        let n = kinds.len();
        let m = n + slabs.len();
        let mean_size = kinds
            .iter()
            .map(|&k| {
                let b = parts[k].orientations[0].cd_bbox;
                (b[2] - b[0]).min(b[3] - b[1])
            })
            .sum::<f32>()
            / n.max(1) as f32;
        let bufs = parts
            .iter()
            .map(|ps| {
                ps.orientations
                    .iter()
                    .map(|o| (**o.item.shape_cd()).clone())
                    .collect()
            })
            .collect();
        let mut sep = Separator {
            parts,
            kinds,
            x0,
            y0,
            y1,
            x1,
            cde,
            poses: Vec::with_capacity(n),
            hkeys: Vec::with_capacity(n),
            shapes: Vec::with_capacity(n),
            slabs,
            m,
            ov: vec![0.0; m * m],
            w: vec![1.0; m * m],
            item_ov: vec![0.0; m],
            item_cnt: vec![0; m],
            pair_cnt: 0,
            eps: (mean_size * 0.01).max(1e-4),
            bufs,
            hits: Hits::default(),
            evals: 0,
        };
        for (i, p) in poses.into_iter().enumerate() {
            let shape = sep.transformed(i, p);
            sep.cde
                .register_hazard(Hazard::new(Ent::Item(i), shape.clone()));
            let key = sep
                .cde
                .haz_key(&Ent::Item(i))
                .ok_or("a registered item has no hazard key")?;
            sep.poses.push(p);
            sep.hkeys.push(key);
            sep.shapes.push(shape);
        }
        sep.recompute_overlaps();
        Ok(sep)
    }

    pub fn len(&self) -> usize {
        self.kinds.len()
    }

    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    pub fn poses(&self) -> &[Pose] {
        &self.poses
    }

    pub fn kinds(&self) -> &[usize] {
        &self.kinds
    }

    fn bbox(&self, i: usize, orient: usize) -> [f32; 4] {
        self.parts[self.kinds[i]].orientations[orient].cd_bbox
    }

    /// Allowed translations of item `i` in orientation `orient`, or `None`.
    fn range(&self, i: usize, orient: usize) -> Option<[f32; 4]> {
        let b = self.bbox(i, orient);
        let r = [
            self.x0 - b[0],
            self.y0 - b[1],
            self.x1 - b[2],
            self.y1 - b[3],
        ];
        (r[0] <= r[2] && r[1] <= r[3]).then_some(r)
    }

    fn transformed(&self, i: usize, p: Pose) -> Arc<SPolygon> {
        let shape = self.parts[self.kinds[i]].orientations[p.orient]
            .item
            .shape_cd();
        let mut s = (**shape).clone();
        s.transform_from(shape, &Transformation::from_translation(p.t));
        Arc::new(s)
    }

    /// Right end of the used part of the strip.
    pub fn used_x(&self) -> f32 {
        (0..self.len())
            .map(|i| self.poses[i].t.0 + self.bbox(i, self.poses[i].orient)[2])
            .fold(self.x0, f32::max)
    }

    /// Sum of all pairwise overlap proxies.
    pub fn total_overlap(&self) -> f32 {
        self.item_ov.iter().sum::<f32>() / 2.0
    }

    /// True when no two items overlap.
    pub fn is_feasible(&self) -> bool {
        self.pair_cnt == 0
    }

    fn set_pair(&mut self, i: usize, j: usize, v: f32) {
        let m = self.m;
        let old = self.ov[i * m + j];
        self.ov[i * m + j] = v;
        self.ov[j * m + i] = v;
        self.item_ov[i] += v - old;
        self.item_ov[j] += v - old;
        match (old > 0.0, v > 0.0) {
            (false, true) => {
                self.item_cnt[i] += 1;
                self.item_cnt[j] += 1;
                self.pair_cnt += 1;
            }
            (true, false) => {
                self.item_cnt[i] -= 1;
                self.item_cnt[j] -= 1;
                self.pair_cnt -= 1;
            }
            _ => {}
        }
        if self.item_cnt[i] == 0 {
            self.item_ov[i] = 0.0;
        }
        if self.item_cnt[j] == 0 {
            self.item_ov[j] = 0.0;
        }
    }

    /// Items hit by item `i` at its current pose.
    fn collect_hits(&mut self, i: usize) -> Vec<usize> {
        self.hits.list.clear();
        self.cde.collect_poly_collisions(
            &self.shapes[i],
            &SkipSelf(Some(self.hkeys[i])),
            &mut self.hits,
        );
        self.hits
            .list
            .iter()
            .filter_map(|(_, e)| match e {
                Ent::Item(j) => Some(*j),
                Ent::Barrier(k) => Some(self.kinds.len() + k),
                Ent::Exterior => None,
            })
            .collect()
    }

    /// Recomputes every pairwise overlap from scratch.
    pub fn recompute_overlaps(&mut self) {
        self.ov.iter_mut().for_each(|v| *v = 0.0);
        self.item_ov.iter_mut().for_each(|v| *v = 0.0);
        self.item_cnt.iter_mut().for_each(|v| *v = 0);
        self.pair_cnt = 0;
        for i in 0..self.len() {
            for j in self.collect_hits(i) {
                if j > i {
                    let v = self.pair_proxy(&self.shapes[i], j);
                    self.set_pair(i, j, v);
                }
            }
        }
    }

    /// Overlap proxy of a placed shape with item or slab `j`.
    fn pair_proxy(&self, shape: &SPolygon, j: usize) -> f32 {
        let n = self.kinds.len();
        if j < n {
            overlap_proxy(shape, &self.shapes[j], self.eps)
        } else {
            slab_proxy(shape, self.slabs[j - n], self.eps)
        }
    }

    /// Weighted loss of item `i` at pose `p`, or `None` once it exceeds `bound`.
    fn eval(&mut self, i: usize, p: Pose, bound: f32) -> Option<f32> {
        self.evals += 1;
        let k = self.kinds[i];
        let shape = self.parts[k].orientations[p.orient].item.shape_cd();
        self.bufs[k][p.orient].transform_from(shape, &Transformation::from_translation(p.t));
        self.hits.list.clear();
        let loss = Cell::new(0.0f32);
        let (n, m) = (self.len(), self.m);
        let (buf, w, shapes, slabs, eps) = (
            &self.bufs[k][p.orient],
            &self.w,
            &self.shapes,
            &self.slabs,
            self.eps,
        );
        let stopped = self.cde.collect_poly_collisions_until(
            buf,
            &SkipSelf(Some(self.hkeys[i])),
            &mut self.hits,
            |e| {
                match e {
                    Ent::Item(j) => {
                        let v = overlap_proxy(buf, &shapes[j], eps).sqrt();
                        loss.set(loss.get() + w[i * m + j] * v);
                    }
                    Ent::Barrier(b) => {
                        let v = slab_proxy(buf, slabs[b], eps).sqrt();
                        loss.set(loss.get() + w[i * m + n + b] * v);
                    }
                    Ent::Exterior => {}
                }
                loss.get() > bound
            },
        );
        (!stopped).then(|| loss.get())
    }

    /// Moves item `i` to pose `p` and updates its overlaps.
    pub fn apply(&mut self, i: usize, p: Pose) {
        let m = self.m;
        let _ = self.cde.deregister_hazard_by_key(self.hkeys[i]);
        let shape = self.transformed(i, p);
        self.cde
            .register_hazard(Hazard::new(Ent::Item(i), shape.clone()));
        if let Some(k) = self.cde.haz_key(&Ent::Item(i)) {
            self.hkeys[i] = k;
        }
        self.poses[i] = p;
        self.shapes[i] = shape;
        for j in 0..m {
            if self.ov[i * m + j] > 0.0 {
                self.set_pair(i, j, 0.0);
            }
        }
        for j in self.collect_hits(i) {
            let v = self.pair_proxy(&self.shapes[i], j);
            self.set_pair(i, j, v);
        }
    }

    /// Sets every pose (only items whose pose changed are moved).
    pub fn set_poses(&mut self, poses: &[Pose]) {
        for (i, p) in poses.iter().enumerate() {
            if self.poses[i] != *p {
                self.apply(i, *p);
            }
        }
    }

    /// Sets the right end of the strip; poses must already fit.
    pub fn set_right(&mut self, x1: f32) {
        self.x1 = x1;
    }

    /// Clamps item `i` into the strip (keeping its orientation if it fits).
    pub fn clamp_pose(&self, i: usize, p: Pose) -> Pose {
        let valid = |o: usize| self.range(i, o).map(|r| (o, r));
        let (orient, r) = match valid(p.orient) {
            Some(x) => x,
            None => {
                let n = self.parts[self.kinds[i]].orientations.len();
                match (0..n).find_map(valid) {
                    Some(x) => x,
                    None => return p,
                }
            }
        };
        Pose {
            orient,
            t: (p.t.0.clamp(r[0], r[2]), p.t.1.clamp(r[1], r[3])),
        }
    }

    fn random_pose(&self, i: usize, rng: &mut ChaCha8Rng) -> Option<Pose> {
        let n = self.parts[self.kinds[i]].orientations.len();
        let o = rng.random_range(0..n);
        let r = self
            .range(i, o)
            .or_else(|| self.range(i, self.poses[i].orient))?;
        let o = if self.range(i, o).is_some() {
            o
        } else {
            self.poses[i].orient
        };
        let x = if r[2] > r[0] {
            rng.random_range(r[0]..=r[2])
        } else {
            r[0]
        };
        let y = if r[3] > r[1] {
            rng.random_range(r[1]..=r[3])
        } else {
            r[1]
        };
        Some(Pose {
            orient: o,
            t: (x, y),
        })
    }

    fn item_size(&self, i: usize, orient: usize) -> (f32, f32) {
        let b = self.bbox(i, orient);
        (b[2] - b[0], b[3] - b[1])
    }

    /// Moves item `i` to the best pose found by sampling and descent.
    fn move_item(&mut self, i: usize, rng: &mut ChaCha8Rng) {
        let cur = self.poses[i];
        let Some(cur_loss) = self.eval(i, cur, f32::INFINITY) else {
            return;
        };
        if cur_loss == 0.0 {
            return;
        }
        let mut best = (cur_loss, cur);
        for _ in 0..GLOBAL_SAMPLES {
            let Some(p) = self.random_pose(i, rng) else {
                break;
            };
            if let Some(l) = self.eval(i, p, best.0)
                && l < best.0
            {
                best = (l, p);
                if l == 0.0 {
                    break;
                }
            }
        }
        if best.0 > 0.0 {
            let (w, h) = self.item_size(i, cur.orient);
            for _ in 0..LOCAL_SAMPLES {
                let orient = if rng.random::<f32>() < 0.1 {
                    rng.random_range(0..self.parts[self.kinds[i]].orientations.len())
                } else {
                    best.1.orient
                };
                let dx = rng.random_range(-1.0f32..=1.0) * w * 0.5;
                let dy = rng.random_range(-1.0f32..=1.0) * h * 0.5;
                let p = self.clamp_pose(
                    i,
                    Pose {
                        orient,
                        t: (best.1.t.0 + dx, best.1.t.1 + dy),
                    },
                );
                if let Some(l) = self.eval(i, p, best.0)
                    && l < best.0
                {
                    best = (l, p);
                    if l == 0.0 {
                        break;
                    }
                }
            }
        }
        if best.0 > 0.0 {
            best = self.descend(i, best);
        }
        if best.1 != cur {
            self.apply(i, best.1);
        }
    }

    /// Coordinate descent on the translation from `start`.
    fn descend(&mut self, i: usize, start: (f32, Pose)) -> (f32, Pose) {
        let (mut loss, mut p) = start;
        let (w, h) = self.item_size(i, p.orient);
        let mut step = (w.max(h) * 0.1).max(self.eps);
        let min_step = self.eps * 0.1;
        let mut guard = 0;
        while step >= min_step && loss > 0.0 && guard < 200 {
            guard += 1;
            let mut improved = false;
            for d in [(1.0f32, 0.0f32), (-1.0, 0.0), (0.0, 1.0), (0.0, -1.0)] {
                let q = self.clamp_pose(
                    i,
                    Pose {
                        orient: p.orient,
                        t: (p.t.0 + d.0 * step, p.t.1 + d.1 * step),
                    },
                );
                if q == p {
                    continue;
                }
                if let Some(l) = self.eval(i, q, loss)
                    && l < loss
                {
                    loss = l;
                    p = q;
                    improved = true;
                    break;
                }
            }
            if !improved {
                step *= 0.5;
            }
        }
        (loss, p)
    }

    fn update_weights(&mut self) {
        let n = self.m;
        let max_ov = self.ov.iter().copied().fold(0.0f32, f32::max);
        if max_ov <= 0.0 {
            return;
        }
        for i in 0..n {
            for j in (i + 1)..n {
                let k = i * n + j;
                let v = self.ov[k];
                let w = if v > 0.0 {
                    (self.w[k] * (GROW_MIN + GROW_SPAN * v / max_ov)).min(MAX_WEIGHT)
                } else {
                    (self.w[k] * DECAY).max(1.0)
                };
                self.w[k] = w;
                self.w[j * n + i] = w;
            }
        }
    }

    /// Removes the overlap: returns true when the layout became feasible.
    /// Otherwise the poses of the lowest total overlap seen are restored.
    pub fn separate(
        &mut self,
        budget: SepBudget,
        rng: &mut ChaCha8Rng,
        stop: &dyn Fn() -> bool,
    ) -> bool {
        if self.is_feasible() {
            return true;
        }
        let mut best_total = self.total_overlap();
        let mut best_poses = self.poses.clone();
        for _ in 0..budget.strikes {
            let mut stall = 0;
            while stall < budget.stall_sweeps {
                let mut colliding: Vec<usize> =
                    (0..self.len()).filter(|&i| self.item_cnt[i] > 0).collect();
                // Fisher-Yates with our generator (deterministic).
                for k in (1..colliding.len()).rev() {
                    colliding.swap(k, rng.random_range(0..=k));
                }
                for i in colliding {
                    if stop() {
                        self.set_poses(&best_poses.clone());
                        return false;
                    }
                    if self.item_cnt[i] > 0 {
                        self.move_item(i, rng);
                    }
                }
                if self.is_feasible() {
                    return true;
                }
                let total = self.total_overlap();
                if total < best_total * 0.999 {
                    best_total = total;
                    best_poses.clone_from(&self.poses);
                    stall = 0;
                } else {
                    stall += 1;
                }
                self.update_weights();
            }
            self.set_poses(&best_poses.clone());
        }
        false
    }
}
