//! The separator: guided local search that removes the overlap from a
//! layout at a fixed strip length.
//!
//! Every item keeps a pose (orientation, translation) whose collision
//! bounding box lies inside the strip, so only item-item (and item-slab or
//! item-obstacle) overlaps remain. Each overlapping pair has a loss
//! ([`pair_loss`]) and a weight; an item's weighted loss is the sum over
//! the pairs it is in. A sweep moves every colliding item, in random order,
//! to the best pose the [`sample`](super::sample) search finds for its
//! weighted loss; after each sweep the weights of pairs that still overlap
//! grow (more for the worse overlaps), the others decay towards 1. A
//! separation ends when nothing overlaps, or when repeated rounds of sweeps
//! ("strikes") stop lowering the total loss. The scheme follows sparrow
//! (arXiv 2509.13329); the code is ours.

use super::boxes::Boxes;
use super::obstacle::Barriers;
use super::overlap::{
    Ent, Hits, ItemFilter, PoleSet, ShapeSize, obstacle_loss_until, pair_loss, pair_loss_until,
    slab_loss,
};
use super::pairs::Pairs;
use super::sample::{OrientRange, PoseEval, search_pose};
use crate::engine::convert::{PartShapes, cde_config, corners, nearest_orientation};
use jagua_rs::collision_detection::CDEngine;
use jagua_rs::collision_detection::hazards::{HazKey, Hazard};
use jagua_rs::geometry::Transformation;
use jagua_rs::geometry::geo_traits::{CollidesWith, TransformableFrom};
use jagua_rs::geometry::primitives::{Point as JPoint, Rect, SPolygon};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::cell::Cell;
use std::sync::Arc;

/// Orientation, turn and translation of one item (jagua frame): the
/// orientation's shape turned by `turn_rad` about its reference point, then
/// moved by `t`. Only a freely rotating item turns; the others keep
/// `turn_rad` at 0.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pose {
    pub orient: usize,
    pub turn_rad: f32,
    pub t: (f32, f32),
}

impl Pose {
    /// Orientation `orient`, not turned, moved by `t`.
    pub fn new(orient: usize, t: (f32, f32)) -> Self {
        Pose {
            orient,
            turn_rad: 0.0,
            t,
        }
    }

    /// The jagua transformation of the orientation's shape.
    pub fn transformation(&self) -> Transformation {
        if self.turn_rad == 0.0 {
            Transformation::from_translation(self.t)
        } else {
            Transformation::from_rotation(self.turn_rad).translate(self.t)
        }
    }
}

/// A layout being separated: the items, their poses, a collision engine
/// with every item registered, pairwise losses and weights.
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
    /// The items' bounding boxes.
    boxes: Boxes,
    /// Poles of each placed item, for the loss.
    poles: Vec<PoleSet>,
    /// Size constants per part shape and orientation.
    sizes: Vec<Vec<ShapeSize>>,
    /// Slabs (gaps between sheets) and obstacles (outside and holes of
    /// irregular sheets) no item may overlap.
    barriers: &'a Barriers,
    /// Losses and weights of the pairs among the items, slabs and
    /// obstacles (in that order).
    pairs: Pairs,
    /// The pair weights of one item (`focus`) with every other member, 1
    /// where the pair has none: a sample's loss looks its weights up here.
    weight_row: Vec<f32>,
    focus: Option<usize>,
    /// Scratch shapes per part shape and orientation (same vertex count as the original).
    bufs: Vec<Vec<SPolygon>>,
    hits: Hits,
    /// Collision queries made (a work counter).
    pub evals: u64,
}

impl<'a> Separator<'a> {
    /// A separator over the strip `[x0, x1_max] × [y0, y1]` with the items
    /// at `poses` (which must lie inside it) and the barriers (slabs,
    /// obstacles) that no item may overlap.
    pub fn new(
        parts: &'a [PartShapes],
        kinds: Vec<usize>,
        poses: Vec<Pose>,
        strip: [f32; 4],
        barriers: &'a Barriers,
    ) -> Result<Self, String> {
        let [x0, y0, x1, y1] = strip;
        // The collision engine covers the strip and every obstacle (those of
        // the last sheet reach beyond the strip's first right end).
        let x_max = barriers
            .obstacles
            .iter()
            .map(|ob| ob.shape.bbox().x_max)
            .fold(x1, f32::max);
        let rect = Rect::try_new(x0, y0, x_max, y1).map_err(|e| e.to_string())?;
        let outer = SPolygon::new(vec![
            JPoint(x0, y0),
            JPoint(x1, y0),
            JPoint(x1, y1),
            JPoint(x0, y1),
        ])
        .map_err(|e| e.to_string())?;
        let mut hazards = vec![Hazard::new(Ent::Exterior, Arc::new(outer))];
        for (k, &[lo, hi]) in barriers.slabs.iter().enumerate() {
            let slab = SPolygon::new(vec![
                JPoint(lo, y0 - 1.0),
                JPoint(hi, y0 - 1.0),
                JPoint(hi, y1 + 1.0),
                JPoint(lo, y1 + 1.0),
            ])
            .map_err(|e| e.to_string())?;
            hazards.push(Hazard::new(Ent::Barrier(k), Arc::new(slab)));
        }
        for (k, ob) in barriers.obstacles.iter().enumerate() {
            hazards.push(Hazard::new(Ent::Obstacle(k), ob.shape.clone()));
        }
        let cde = CDEngine::new(rect.inflate_to_square(), hazards, cde_config());
        let n = kinds.len();
        let m = n + barriers.slabs.len() + barriers.obstacles.len();
        let bufs: Vec<Vec<SPolygon>> = parts
            .iter()
            .map(|ps| ps.orientations.iter().map(|o| (*o.shape).clone()).collect())
            .collect();
        let sizes = bufs
            .iter()
            .map(|v| v.iter().map(ShapeSize::of).collect())
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
            boxes: Boxes::default(),
            poles: Vec::with_capacity(n),
            sizes,
            barriers,
            pairs: Pairs::new(m),
            weight_row: vec![1.0; m],
            focus: None,
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
            sep.poles.push(PoleSet::of(&shape));
            sep.shapes.push(shape);
        }
        let bbs: Vec<[f32; 4]> = sep.shapes.iter().map(|s| corners(s)).collect();
        sep.boxes = Boxes::new(&bbs);
        sep.recompute_losses();
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

    /// Placed collision shape of item `i`.
    pub fn shape(&self, i: usize) -> &SPolygon {
        &self.shapes[i]
    }

    fn bbox(&self, i: usize, orient: usize) -> [f32; 4] {
        self.parts[self.kinds[i]].orientations[orient].cd_bbox
    }

    /// Bounding box of item `i`'s collision shape at pose `p` turned but
    /// not moved (its translation range follows from it).
    fn turned_bbox(&self, i: usize, p: Pose) -> [f32; 4] {
        self.parts[self.kinds[i]].orientations[p.orient].turned_cd_bbox(p.turn_rad)
    }

    fn size(&self, i: usize) -> ShapeSize {
        self.sizes[self.kinds[i]][self.poses[i].orient]
    }

    /// Allowed translations of item `i` in orientation `orient`, or `None`.
    fn range(&self, i: usize, orient: usize) -> Option<[f32; 4]> {
        self.range_of(i, self.bbox(i, orient))
    }

    /// Allowed translations of item `i` with bounding box `b` (around its
    /// reference point), or `None`.
    fn range_of(&self, i: usize, b: [f32; 4]) -> Option<[f32; 4]> {
        let r = [
            self.x0 - b[0],
            self.y0 - b[1],
            self.x1.min(self.barriers.reach_of(i)) - b[2],
            self.y1 - b[3],
        ];
        (r[0] <= r[2] && r[1] <= r[3]).then_some(r)
    }

    fn transformed(&self, i: usize, p: Pose) -> Arc<SPolygon> {
        let shape = &self.parts[self.kinds[i]].orientations[p.orient].shape;
        let mut s = (**shape).clone();
        s.transform_from(shape, &p.transformation());
        Arc::new(s)
    }

    /// Right end of the used part of the strip.
    pub fn used_x(&self) -> f32 {
        (0..self.len())
            .map(|i| self.shapes[i].bbox().x_max)
            .fold(self.x0, f32::max)
    }

    /// Sum of all pairwise losses.
    pub fn total_loss(&self) -> f32 {
        self.pairs.total_loss()
    }

    /// True when no two items overlap.
    pub fn is_feasible(&self) -> bool {
        self.pairs.overlapping_pairs() == 0
    }

    /// The collision filter of item `i`: itself, and the zones it may lie on.
    fn filter(&self, i: usize) -> ItemFilter<'a> {
        ItemFilter {
            skip: Some(self.hkeys[i]),
            min_quality: self.parts[self.kinds[i]].min_quality,
            obstacles: &self.barriers.obstacles,
        }
    }

    /// Items, slabs (as `len() + k`) and obstacles (after the slabs) hit by
    /// item `i` at its current pose.
    fn collect_hits(&mut self, i: usize) -> Vec<usize> {
        self.hits.list.clear();
        let filter = self.filter(i);
        self.cde
            .collect_poly_collisions(&self.shapes[i], &filter, &mut self.hits);
        let (n, n_slabs) = (self.kinds.len(), self.barriers.slabs.len());
        self.hits
            .list
            .iter()
            .filter_map(|(_, e)| match e {
                Ent::Item(j) => Some(*j),
                Ent::Barrier(k) => Some(n + k),
                Ent::Obstacle(k) => Some(n + n_slabs + k),
                Ent::Exterior => None,
            })
            .collect()
    }

    /// Recomputes every pairwise loss from scratch.
    pub fn recompute_losses(&mut self) {
        self.pairs.clear_losses();
        for i in 0..self.len() {
            for j in self.collect_hits(i) {
                if j > i {
                    let v = self.pair_loss_with(&self.shapes[i], self.size(i), j);
                    self.pairs.set_loss(i, j, v);
                }
            }
        }
    }

    /// Loss of a placed shape with item, slab or obstacle `j`.
    fn pair_loss_with(&self, shape: &SPolygon, size: ShapeSize, j: usize) -> f32 {
        let n = self.kinds.len();
        let slabs = &self.barriers.slabs;
        if j < n {
            pair_loss(shape, size, &self.poles[j], self.size(j))
        } else if j < n + slabs.len() {
            slab_loss(shape, size, slabs[j - n])
        } else {
            let ob = &self.barriers.obstacles[j - n - slabs.len()];
            obstacle_loss_until(shape, size, &ob.poles, f32::INFINITY).unwrap_or(f32::INFINITY)
        }
    }

    /// Loads item `i`'s pair weights into the weight row.
    fn focus_on(&mut self, i: usize) {
        if self.focus == Some(i) {
            return;
        }
        self.unfocus();
        for (j, w) in self.pairs.weights_of(i) {
            self.weight_row[j] = w;
        }
        self.focus = Some(i);
    }

    /// Puts the weight row back to 1 (before the weights change).
    fn unfocus(&mut self) {
        if let Some(f) = self.focus.take() {
            for (j, _) in self.pairs.weights_of(f) {
                self.weight_row[j] = 1.0;
            }
        }
    }

    /// Weighted loss of item `i` at pose `p`, or `None` once it exceeds `bound`.
    fn eval(&mut self, i: usize, p: Pose, bound: f32) -> Option<f32> {
        self.evals += 1;
        self.focus_on(i);
        let k = self.kinds[i];
        let shape = &self.parts[k].orientations[p.orient].shape;
        self.bufs[k][p.orient].transform_from(shape, &p.transformation());
        self.hits.list.clear();
        let loss = Cell::new(0.0f32);
        let n = self.len();
        let size = self.sizes[k][p.orient];
        let (buf, w, poles) = (&self.bufs[k][p.orient], &self.weight_row, &self.poles);
        let (slabs, obstacles) = (&self.barriers.slabs, &self.barriers.obstacles);
        let (kinds, sizes, poses) = (&self.kinds, &self.sizes, &self.poses);
        let filter = self.filter(i);
        let mut add = |e: Ent| {
            match e {
                Ent::Item(j) => {
                    let sj = sizes[kinds[j]][poses[j].orient];
                    let wij = w[j];
                    match pair_loss_until(buf, size, &poles[j], sj, (bound - loss.get()) / wij) {
                        Some(v) => loss.set(loss.get() + wij * v),
                        None => loss.set(f32::INFINITY),
                    }
                }
                Ent::Barrier(b) => {
                    let v = slab_loss(buf, size, slabs[b]);
                    loss.set(loss.get() + w[n + b] * v);
                }
                Ent::Obstacle(b) => {
                    let wib = w[n + slabs.len() + b];
                    let limit = (bound - loss.get()) / wib;
                    match obstacle_loss_until(buf, size, &obstacles[b].poles, limit) {
                        Some(v) => loss.set(loss.get() + wib * v),
                        None => loss.set(f32::INFINITY),
                    }
                }
                Ent::Exterior => {}
            }
            loss.get() > bound
        };
        // Obvious overlaps first, so that most hopeless samples stop before
        // any edge is tested: an item whose bounding box overlaps the
        // sample's and one of whose poles overlaps one of the sample's
        // largest poles (those covering half its area) surely collides.
        // Found without jagua-rs, such items are skipped by its edge query.
        let mut stopped = false;
        let ff = buf.surrogate().ff_poles();
        for &j in self.boxes.overlapping(corners(buf), i) {
            if poles[j].overlaps_any(ff) {
                self.hits.list.push((self.hkeys[j], Ent::Item(j)));
                if add(Ent::Item(j)) {
                    stopped = true;
                    break;
                }
            }
        }
        let stopped = stopped
            || self
                .cde
                .collect_poly_collisions_until(buf, &filter, &mut self.hits, &mut add);
        (!stopped).then(|| loss.get())
    }

    /// Moves item `i` to pose `p` and updates its losses.
    pub fn apply(&mut self, i: usize, p: Pose) {
        self.place(i, p);
        self.pairs.clear_member(i);
        let size = self.size(i);
        for j in self.collect_hits(i) {
            let v = self.pair_loss_with(&self.shapes[i], size, j);
            self.pairs.set_loss(i, j, v);
        }
    }

    /// Moves item `i` to pose `p` in the collision engine, leaving the
    /// losses as they are (for `apply` and `load_state`).
    fn place(&mut self, i: usize, p: Pose) {
        let _ = self.cde.deregister_hazard_by_key(self.hkeys[i]);
        let shape = self.transformed(i, p);
        self.cde
            .register_hazard(Hazard::new(Ent::Item(i), shape.clone()));
        if let Some(k) = self.cde.haz_key(&Ent::Item(i)) {
            self.hkeys[i] = k;
        }
        self.poses[i] = p;
        self.poles[i].load(&shape);
        self.boxes.update(i, corners(&shape));
        self.shapes[i] = shape;
    }

    /// Sets every pose (only items whose pose changed are moved).
    pub fn set_poses(&mut self, poses: &[Pose]) {
        for (i, p) in poses.iter().enumerate() {
            if self.poses[i] != *p {
                self.apply(i, *p);
            }
        }
    }

    /// Current right end of the strip.
    pub fn right(&self) -> f32 {
        self.x1
    }

    /// Sets the right end of the strip; poses must already fit.
    pub fn set_right(&mut self, x1: f32) {
        self.x1 = x1;
    }

    /// Puts every pair weight back to 1 (a fresh separation).
    pub fn reset_weights(&mut self) {
        self.unfocus();
        self.pairs.reset_weights();
    }

    /// Clamps item `i` into the strip (keeping its orientation and turn if
    /// they fit).
    pub fn clamp_pose(&self, i: usize, p: Pose) -> Pose {
        let clamped = |q: Pose, r: [f32; 4]| Pose {
            t: (q.t.0.clamp(r[0], r[2]), q.t.1.clamp(r[1], r[3])),
            ..q
        };
        if let Some(r) = self.range_of(i, self.turned_bbox(i, p)) {
            return clamped(p, r);
        }
        let n = self.parts[self.kinds[i]].orientations.len();
        match (0..n).find_map(|o| self.range(i, o).map(|r| (o, r))) {
            Some((o, r)) => clamped(Pose::new(o, p.t), r),
            None => p,
        }
    }

    /// Item `i` at `angle_deg` (same mirroring preferred) moved by `t`: its
    /// orientation closest in angle, angles compared modulo the part's
    /// period (a rectangle asked for 180° gets its 0° orientation), turned
    /// by the rest of the angle when the part turns freely.
    pub fn pose_at_angle(&self, i: usize, angle_deg: f64, mirrored: bool, t: (f32, f32)) -> Pose {
        let ps = &self.parts[self.kinds[i]];
        let (orient, rest_deg) = nearest_orientation(ps, angle_deg, mirrored);
        // A part with listed angles takes the closest one.
        let turn_rad = ps.turn_for(rest_deg).unwrap_or(0.0);
        Pose {
            orient,
            turn_rad,
            t,
        }
    }

    /// Angle (degrees) and mirroring of item `i` at pose `p`.
    pub fn angle_at(&self, i: usize, p: Pose) -> (f64, bool) {
        let o = &self.parts[self.kinds[i]].orientations[p.orient];
        (o.angle_deg + f64::from(p.turn_rad).to_degrees(), o.mirrored)
    }

    /// Items whose pole of inaccessibility lies inside item `i`'s shape.
    pub fn contained_in(&mut self, i: usize) -> Vec<usize> {
        let n = self.len();
        let hits = self.collect_hits(i);
        hits.into_iter()
            .filter(|&j| j < n && self.shapes[i].collides_with(&self.shapes[j].poi().center))
            .collect()
    }

    /// Translation ranges of item `i`'s orientations: the whole strip and
    /// within the item's current bounding box.
    fn ranges(&self, i: usize) -> Vec<OrientRange> {
        let p = self.poses[i];
        let b = self.bbox(i, p.orient);
        let around = [p.t.0 + b[0], p.t.1 + b[1], p.t.0 + b[2], p.t.1 + b[3]];
        (0..self.parts[self.kinds[i]].orientations.len())
            .filter_map(|o| {
                let all = self.range(i, o)?;
                let near = [
                    all[0].max(around[0]),
                    all[1].max(around[1]),
                    all[2].min(around[2]),
                    all[3].min(around[3]),
                ];
                Some(OrientRange {
                    orient: o,
                    all,
                    near: (near[0] <= near[2] && near[1] <= near[3]).then_some(near),
                })
            })
            .collect()
    }

    /// Moves item `i` to the best pose the sample search finds.
    fn move_item(&mut self, i: usize, rng: &mut ChaCha8Rng) {
        let cur = self.poses[i];
        let Some(cur_loss) = self.eval(i, cur, f32::INFINITY) else {
            return;
        };
        if cur_loss == 0.0 {
            return;
        }
        let ranges = self.ranges(i);
        let b = self.bbox(i, 0);
        let min_dim = (b[2] - b[0]).min(b[3] - b[1]);
        let (_, best) = search_pose(
            &mut ItemEval { sep: self, i },
            (cur_loss, cur),
            &ranges,
            min_dim,
            rng,
        );
        if best != cur {
            self.apply(i, best);
        }
    }

    /// Grows the weights of the pairs that overlap, decays the others.
    pub(super) fn update_weights(&mut self) {
        self.unfocus();
        self.pairs.update_weights();
    }

    /// Moves every colliding item once, in random order. Returns false when
    /// `stop` asked to end.
    pub(super) fn sweep(&mut self, rng: &mut ChaCha8Rng, stop: &dyn Fn() -> bool) -> bool {
        let mut colliding: Vec<usize> = (0..self.len())
            .filter(|&i| self.pairs.overlaps_of(i) > 0)
            .collect();
        // Fisher-Yates with our generator (deterministic).
        for k in (1..colliding.len()).rev() {
            colliding.swap(k, rng.random_range(0..=k));
        }
        for i in colliding {
            if stop() {
                return false;
            }
            if self.pairs.overlaps_of(i) > 0 {
                self.move_item(i, rng);
            }
        }
        true
    }

    /// Sum over the overlapping pairs of weight times loss.
    pub fn weighted_total(&self) -> f32 {
        self.pairs.weighted_total()
    }

    /// Writes this separator's layout, losses and weights into `state`
    /// (reusing its buffers).
    pub fn save_state(&self, state: &mut SepState) {
        state.x1 = self.x1;
        state.poses.clone_from(&self.poses);
        state.pairs.clone_from(&self.pairs);
    }

    /// Makes this separator's layout, losses and weights those saved in
    /// `state` by a separator over the same items and strip.
    pub fn load_state(&mut self, state: &SepState) {
        self.x1 = state.x1;
        // The losses come with the state: only the moved items are placed.
        for (i, p) in state.poses.iter().enumerate() {
            if self.poses[i] != *p {
                self.place(i, *p);
            }
        }
        self.unfocus();
        self.pairs.clone_from(&state.pairs);
    }
}

/// A separator's layout, losses and weights, saved to be loaded into another
/// separator over the same items and strip.
#[derive(Clone, Debug, Default)]
pub struct SepState {
    x1: f32,
    poses: Vec<Pose>,
    pairs: Pairs,
}

/// The separator seen from one item being moved.
struct ItemEval<'s, 'a> {
    sep: &'s mut Separator<'a>,
    i: usize,
}

impl PoseEval for ItemEval<'_, '_> {
    fn eval(&mut self, p: Pose, bound: f32) -> Option<f32> {
        self.sep.eval(self.i, p, bound)
    }
    fn clamp(&self, p: Pose) -> Pose {
        self.sep.clamp_pose(self.i, p)
    }
    fn turn_step(&self) -> Option<f32> {
        let ps = &self.sep.parts[self.sep.kinds[self.i]];
        // A part with one orientation is round: turning it changes nothing.
        let step = ps.free_step_deg.filter(|_| ps.orientations.len() > 1)?;
        Some(step as f32)
    }
    fn turn(&self, p: Pose, delta_deg: f32) -> Option<Pose> {
        let (angle, mirrored) = self.sep.angle_at(self.i, p);
        let turned = self
            .sep
            .pose_at_angle(self.i, angle + f64::from(delta_deg), mirrored, p.t);
        let q = self.sep.clamp_pose(self.i, turned);
        (q != p).then_some(q)
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::engine::convert::convert_parts;
    use crate::engine::strip::overlap::TEST_ELL;
    use crate::geometry::{Contour, Point};
    use crate::part::Part;
    use crate::problem::{NestProblem, PartDemand, Rotations, SheetSpec};
    use rand::SeedableRng;
    use std::sync::atomic::AtomicBool;

    pub(in crate::engine::strip) static NO_BARRIERS: Barriers = Barriers {
        slabs: Vec::new(),
        obstacles: Vec::new(),
        reach: Vec::new(),
    };

    fn free_part(name: &str, outline: &[(f32, f32)]) -> PartDemand {
        let ring: Vec<Point> = outline
            .iter()
            .map(|&(x, y)| Point::new(f64::from(x), f64::from(y)))
            .collect();
        PartDemand {
            rotations: Rotations::Free,
            ..PartDemand::new(Arc::new(Part::new(name, Contour::polygon(ring), vec![])), 1)
        }
    }

    /// A freely rotating 80 × 30 plate and L, converted every 5°.
    pub(in crate::engine::strip) fn plate_and_ell() -> Vec<PartShapes> {
        let plate = free_part("plate", &[(0., 0.), (80., 0.), (80., 30.), (0., 30.)]);
        let ell = free_part("ell", &TEST_ELL);
        let problem = NestProblem {
            parts: vec![plate, ell],
            sheets: vec![SheetSpec::rect(1000.0, 1000.0, None, None)],
            spacing_mm: 0.0,
            margin_mm: 0.0,
        };
        convert_parts(&problem, 5.0, &AtomicBool::new(false)).expect("valid parts")
    }

    #[test]
    fn a_turn_past_a_symmetric_parts_last_angle_wraps_to_the_first() {
        let parts = plate_and_ell();
        assert_eq!(
            parts[0].period_deg, 180.0,
            "a rectangle repeats after half a turn"
        );
        assert_eq!(parts[0].orientations.len(), 36);
        assert_eq!(parts[1].period_deg, 360.0, "an L does not repeat");
        let poses = vec![Pose::new(35, (300.0, 300.0)), Pose::new(71, (700.0, 700.0))];
        let strip = [0.0, 0.0, 1000.0, 1000.0];
        let mut sep = Separator::new(&parts, vec![0, 1], poses.clone(), strip, &NO_BARRIERS)
            .expect("a separator");
        let angle = |ev: &ItemEval, p: Option<Pose>| {
            let p = p.expect("a turn");
            ev.sep.parts[ev.sep.kinds[ev.i]].orientations[p.orient].angle_deg
        };
        let ev = ItemEval {
            sep: &mut sep,
            i: 0,
        };
        assert_eq!(
            angle(&ev, ev.turn(poses[0], 5.0)),
            0.0,
            "175° + 5° is 0° again"
        );
        let at_zero = Pose {
            orient: 0,
            ..poses[0]
        };
        assert_eq!(angle(&ev, ev.turn(at_zero, -5.0)), 175.0, "0° - 5° is 175°");
        let ev = ItemEval {
            sep: &mut sep,
            i: 1,
        };
        assert_eq!(angle(&ev, ev.turn(poses[1], 5.0)), 0.0, "355° + 5° is 0°");
        assert_eq!(angle(&ev, ev.turn(poses[1], -5.0)), 350.0);
    }

    /// The weighted loss of item `i` at `p` from jagua-rs's full polygon
    /// query alone, for comparison with `eval`.
    fn loss_by_polygon_query(sep: &mut Separator, i: usize, p: Pose) -> f32 {
        let shape = sep.transformed(i, p);
        let size = sep.sizes[sep.kinds[i]][p.orient];
        let mut hits = Hits::default();
        sep.cde
            .collect_poly_collisions(&shape, &sep.filter(i), &mut hits);
        hits.list
            .iter()
            .map(|(_, e)| match e {
                Ent::Item(j) => sep.pairs.weight(i, *j) * sep.pair_loss_with(&shape, size, *j),
                other => panic!("no barriers here, hit {other:?}"),
            })
            .sum()
    }

    #[test]
    fn a_samples_loss_counts_exactly_the_items_it_collides_with() {
        let parts = plate_and_ell();
        let kinds = vec![0, 1, 0, 1, 0, 1, 0, 1];
        let poses: Vec<Pose> = (0..8)
            .map(|k| Pose::new(0, (10.0 + 14.0 * k as f32, 10.0 + 7.0 * (k % 3) as f32)))
            .collect();
        let strip = [0.0, 0.0, 260.0, 110.0];
        let mut sep =
            Separator::new(&parts, kinds, poses, strip, &NO_BARRIERS).expect("a separator");
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        // Weights other than 1, so that a pair counted twice or missed shows.
        for _ in 0..2 {
            sep.sweep(&mut rng, &|| false);
            sep.update_weights();
        }
        let (mut apart, mut overlapping) = (0, 0);
        for k in 0..400 {
            let i = k % sep.len();
            let n_orients = sep.parts[sep.kinds[i]].orientations.len();
            let orient = rng.random_range(0..n_orients);
            let Some(r) = sep.range(i, orient) else {
                continue;
            };
            let t = (rng.random_range(r[0]..=r[2]), rng.random_range(r[1]..=r[3]));
            let p = Pose::new(orient, t);
            let want = loss_by_polygon_query(&mut sep, i, p);
            let got = sep.eval(i, p, f32::INFINITY).expect("no bound to stop at");
            assert!(
                (got - want).abs() <= 1e-4 * want.max(1.0),
                "item {i} at {p:?}: {got} against {want}"
            );
            if want > 0.0 {
                overlapping += 1;
                // And a bound below the loss stops the evaluation.
                assert_eq!(sep.eval(i, p, want * 0.5), None);
            } else {
                apart += 1;
            }
        }
        assert!(
            apart >= 5 && overlapping >= 100,
            "{apart} apart, {overlapping} overlapping"
        );
    }

    #[test]
    fn a_loaded_state_sweeps_as_the_separator_it_came_from() {
        let parts = plate_and_ell();
        // Six items piled up in a strip too small for them to come apart.
        let kinds = vec![0, 1, 0, 1, 0, 1];
        let poses: Vec<Pose> = (0..6)
            .map(|k| Pose::new(0, (10.0 + 8.0 * k as f32, 10.0 + 5.0 * (k % 3) as f32)))
            .collect();
        let strip = [0.0, 0.0, 130.0, 70.0];
        let new_sep = || {
            Separator::new(&parts, kinds.clone(), poses.clone(), strip, &NO_BARRIERS)
                .expect("a separator")
        };
        let (mut a, mut b) = (new_sep(), new_sep());
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let never = || false;
        for _ in 0..3 {
            a.sweep(&mut rng, &never);
            a.update_weights();
        }
        assert!(!a.is_feasible(), "the items still overlap");
        assert_ne!(a.poses(), b.poses(), "the sweeps moved items");

        let mut state = SepState::default();
        a.save_state(&mut state);
        b.load_state(&state);
        // The losses loaded are those of the layout: a separator built at
        // those poses computes the same (up to rounding: it measures each
        // pair from the other side).
        let fresh = Separator::new(
            &parts,
            kinds.clone(),
            a.poses().to_vec(),
            strip,
            &NO_BARRIERS,
        )
        .expect("a separator");
        for i in 0..b.len() {
            for j in (0..b.len()).filter(|&j| j != i) {
                let (l, f) = (b.pairs.loss(i, j), fresh.pairs.loss(i, j));
                assert!((l - f).abs() <= 1e-5 * f.max(1.0), "loss {l} against {f}");
            }
            assert_eq!(b.pairs.overlaps_of(i), fresh.pairs.overlaps_of(i));
        }
        assert_eq!(b.pairs.overlapping_pairs(), fresh.pairs.overlapping_pairs());
        assert_eq!(b.weighted_total(), a.weighted_total());
        // And its collision engine holds the moved items: the same sweep
        // from both ends in the same layout.
        let mut rng_b = rng.clone();
        a.sweep(&mut rng, &never);
        b.sweep(&mut rng_b, &never);
        assert_eq!(a.poses(), b.poses());
        assert_eq!(a.pairs, b.pairs);
    }
}
