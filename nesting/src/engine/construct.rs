//! Constructive placement: items in a given order go, one by one, to the
//! first open sheet where they fit, at the best of sampled candidate
//! positions refined by a bottom-left descent; a new sheet is opened when an
//! item fits nowhere. Collision queries go to jagua-rs.

use super::convert::{FixedSheet, Orientation, PartShapes, SheetShape, is_irregular, to_transform};
use crate::problem::{
    Layout, NestProblem, PRIORITY_FIRST, PRIORITY_LAST, Placement, SheetLayout, Unplaced,
};
use jagua_rs::collision_detection::CDEngine;
use jagua_rs::collision_detection::hazards::filter::HazardFilter;
use jagua_rs::collision_detection::hazards::{BasicHazardEntity, HazKey};
use jagua_rs::entities::Layout as JLayout;
use jagua_rs::geometry::geo_traits::TransformableFrom;
use jagua_rs::geometry::primitives::SPolygon;
use jagua_rs::geometry::{DTransformation, Transformation};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rustc_hash::FxHashSet;
use std::cmp::Ordering;

/// Smallest step of the bottom-left descent (mm).
const MIN_STEP_MM: f32 = 0.01;
/// Infeasible candidates tested per item and sheet before giving up.
const MAX_TESTS: usize = 50_000;
/// Sampling rounds on an irregular sheet, each with 4× the random samples.
const IRREGULAR_ROUNDS: u32 = 3;
/// Gap added to candidate positions derived from neighbours' boxes (mm).
const CANDIDATE_GAP_MM: f32 = 0.002;

/// Everything a construction needs, shared by all restarts.
#[derive(Debug)]
pub struct Ctx<'a> {
    pub problem: &'a NestProblem,
    pub parts: &'a [PartShapes],
    pub sheets: &'a [Option<SheetShape>],
    /// Minimise total sheet cost (all sheet types have a cost) instead of the sheet count.
    pub cost_mode: bool,
    /// Sheets that start with fixed (locked) placements; they come first in every solution.
    pub fixed: &'a [FixedSheet],
}

/// Per-restart knobs of the construction.
#[derive(Clone, Debug)]
pub struct Params {
    /// Weight of the item's top edge against its right edge in the position score.
    pub y_weight: f32,
    /// Random candidate positions per orientation and placement.
    pub random_samples: usize,
    /// Feasible candidates refined by descent per placement.
    pub refine: usize,
    /// Probability of opening a random eligible sheet type instead of the
    /// preferred one (of the same kind: remnants stay ahead of new sheets).
    pub sheet_randomness: f64,
    /// Random re-pack attempts of the last sheet.
    pub repack_attempts: usize,
}

impl Params {
    pub fn greedy() -> Self {
        Params {
            y_weight: 0.1,
            random_samples: 24,
            refine: 3,
            sheet_randomness: 0.0,
            repack_attempts: 3,
        }
    }
}

/// One placed item: part-shape index, orientation and jagua translation.
#[derive(Clone, Debug)]
pub struct Placed {
    pub shape: usize,
    pub orient: usize,
    pub t: (f32, f32),
    /// Grown collision bbox on the sheet: x_min, y_min, x_max, y_max.
    pub bbox: [f32; 4],
}

/// A finished construction.
#[derive(Clone, Debug)]
pub struct Solution {
    /// Per used sheet: sheet type index and placements (the first
    /// `ctx.fixed.len()` sheets also hold their fixed placements, not listed here).
    pub sheets: Vec<(usize, Vec<Placed>)>,
    /// Unplaced copies: part-shape index and reason.
    pub unplaced: Vec<(usize, String)>,
    pub objective: Objective,
}

/// Lexicographic objective, smaller is better.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Objective {
    /// Area of the parts left unplaced (mm²) per priority, the most urgent
    /// first: leaving out a less urgent part is always better.
    pub unplaced_area: [f64; PRIORITY_LAST as usize],
    /// Number of sheets, or their total cost in cost mode.
    pub primary: f64,
    /// Total area of the used rectangular sheets (mm²); remnants count 0.
    pub sheet_area: f64,
    /// Used length of the last sheet (mm, from the usable area's left edge).
    pub last_length: f64,
}

impl Objective {
    pub fn compare(&self, o: &Objective) -> Ordering {
        self.unplaced_area
            .iter()
            .zip(&o.unplaced_area)
            .fold(Ordering::Equal, |acc, (a, b)| acc.then(a.total_cmp(b)))
            .then(self.primary.total_cmp(&o.primary))
            .then(self.sheet_area.total_cmp(&o.sheet_area))
            .then(self.last_length.total_cmp(&o.last_length))
    }

    /// True when some part was left unplaced.
    pub fn has_unplaced(&self) -> bool {
        self.unplaced_area.iter().any(|&a| a > 0.0)
    }
}

/// A sheet being filled.
struct OpenSheet {
    sheet: usize,
    layout: JLayout,
    placed: Vec<Placed>,
    /// Outer area of the placed parts (mm²).
    used_area: f64,
    /// Part shapes that already failed to fit here (their copies skip this sheet).
    failed: Vec<usize>,
    /// Collision bboxes of the fixed placements on this sheet.
    fixed_boxes: Vec<[f32; 4]>,
    /// Candidate spots found to collide, by part shape, orientation and
    /// translation (its bits): a sheet only fills up, so they stay
    /// infeasible, and the next copies of the part skip them.
    blocked: FxHashSet<(usize, usize, [u32; 2])>,
}

impl OpenSheet {
    fn new(k: usize, shape: &SheetShape) -> Self {
        OpenSheet {
            sheet: k,
            layout: JLayout::new(shape.container.clone()),
            placed: Vec::new(),
            used_area: 0.0,
            failed: Vec::new(),
            fixed_boxes: Vec::new(),
            blocked: FxHashSet::default(),
        }
    }

    /// A sheet holding the fixed placements of `fixed`.
    fn with_fixed(fixed: &FixedSheet, shape: &SheetShape) -> Self {
        let mut s = OpenSheet::new(fixed.sheet, shape);
        for f in &fixed.items {
            s.layout.place_item(&f.item, DTransformation::new(0.0, f.t));
            s.used_area += f.outer_area;
            s.fixed_boxes.push(f.bbox);
        }
        s
    }
}

/// The hazards that block a part: everything but the quality zones its
/// minimum quality allows.
#[derive(Clone, Copy, Debug)]
pub struct ZoneFilter(pub Option<usize>);

impl HazardFilter<BasicHazardEntity> for ZoneFilter {
    fn is_irrelevant(&self, _: HazKey, entity: &BasicHazardEntity) -> bool {
        matches!((entity, self.0),
            (BasicHazardEntity::InferiorQualityZone { quality, .. }, Some(min)) if *quality >= min)
    }
}

/// Fast feasibility test of one orientation at translations.
struct Probe<'o> {
    o: &'o Orientation,
    filter: ZoneFilter,
    buf: SPolygon,
    /// Allowed translation range: x_lo, y_lo, x_hi, y_hi.
    range: [f32; 4],
}

impl<'o> Probe<'o> {
    fn new(o: &'o Orientation, s: &SheetShape, min_quality: Option<usize>) -> Option<Self> {
        let b = o.cd_bbox;
        let range = [
            s.x_min - b[0],
            s.y_min - b[1],
            s.x_max - b[2],
            s.y_max - b[3],
        ];
        if range[0] > range[2] || range[1] > range[3] {
            return None;
        }
        Some(Probe {
            o,
            filter: ZoneFilter(min_quality),
            buf: (*o.shape).clone(),
            range,
        })
    }

    fn in_range(&self, t: (f32, f32)) -> bool {
        t.0 >= self.range[0] && t.0 <= self.range[2] && t.1 >= self.range[1] && t.1 <= self.range[3]
    }

    fn feasible(&mut self, cde: &CDEngine, t: (f32, f32)) -> bool {
        if !self.in_range(t) {
            return false;
        }
        let tr = Transformation::from_translation(t);
        let shape = &self.o.shape;
        if cde.detect_surrogate_collision(shape.surrogate(), &tr, &self.filter) {
            return false;
        }
        self.buf.transform_from(shape, &tr);
        !cde.detect_poly_collision(&self.buf, &self.filter)
    }

    fn score(&self, t: (f32, f32), y_weight: f32) -> f32 {
        (t.0 + self.o.cd_bbox[2]) + y_weight * (t.1 + self.o.cd_bbox[3])
    }

    /// Bottom-left descent from a feasible translation.
    fn descend(&mut self, cde: &CDEngine, mut t: (f32, f32)) -> (f32, f32) {
        let b = self.o.cd_bbox;
        let mut step = (b[2] - b[0]).max(b[3] - b[1]).max(MIN_STEP_MM);
        let mut guard = 0;
        while step >= MIN_STEP_MM && guard < 2000 {
            guard += 1;
            let mut moved = false;
            for dir in [(0.0f32, -1.0f32), (-1.0, 0.0)] {
                loop {
                    let c = (t.0 + dir.0 * step, t.1 + dir.1 * step);
                    if self.feasible(cde, c) {
                        t = c;
                        moved = true;
                        guard += 1;
                        if guard > 2000 {
                            break;
                        }
                    } else {
                        break;
                    }
                }
            }
            if !moved {
                step *= 0.5;
            }
        }
        t
    }
}

/// Best position of one item on one sheet: (orientation, translation).
/// Gives up when `stop` says so (polled every few dozen queries), after
/// [`MAX_TESTS`] infeasible candidates, or when the sheet's free area is too small.
fn find_position(
    ctx: &Ctx,
    sheet: &mut OpenSheet,
    shape_idx: usize,
    params: &Params,
    rng: &mut ChaCha8Rng,
    stop: &dyn Fn() -> bool,
) -> Option<(usize, (f32, f32))> {
    let ps = &ctx.parts[shape_idx];
    let shape = ctx.sheets[sheet.sheet].as_ref()?;
    if sheet.used_area + ps.outer_area > shape.area {
        return None;
    }
    let cde = sheet.layout.cde();
    let blocked = &mut sheet.blocked;
    let mut probes: Vec<(usize, Probe)> = ps
        .orientations
        .iter()
        .enumerate()
        .filter_map(|(i, o)| Probe::new(o, shape, ps.min_quality).map(|p| (i, p)))
        .collect();
    if probes.is_empty() {
        return None;
    }
    // Irregular sheets (remnants, hides) have few feasible spots for a large
    // part: when no candidate fits, retry with more random samples.
    let rounds = if shape.irregular { IRREGULAR_ROUNDS } else { 1 };
    for round in 0..rounds {
        let samples = params.random_samples << (2 * round);
        let cands = candidates(
            &sheet.placed,
            &sheet.fixed_boxes,
            &probes,
            samples,
            round == 0,
            params.y_weight,
            rng,
        );
        let mut best: Option<(f32, usize, (f32, f32))> = None;
        let mut refined = 0;
        for (n, Candidate { k, t, spot, .. }) in cands.into_iter().enumerate() {
            if refined >= params.refine || (best.is_none() && n >= MAX_TESTS) {
                break;
            }
            if n % 64 == 63 && stop() {
                return None;
            }
            let key = (shape_idx, probes[k].0, [t.0.to_bits(), t.1.to_bits()]);
            let probe = &mut probes[k].1;
            if spot && blocked.contains(&key) {
                debug_assert!(!probe.feasible(cde, t), "a blocked spot became free");
                continue;
            }
            if !probe.feasible(cde, t) {
                if spot {
                    blocked.insert(key);
                }
                continue;
            }
            refined += 1;
            let t = probe.descend(cde, t);
            let s = probe.score(t, params.y_weight);
            if best.is_none_or(|b| s < b.0) {
                best = Some((s, k, t));
            }
        }
        if let Some((_, k, t)) = best {
            return Some((probes[k].0, t));
        }
    }
    None
}

/// A translation to test for the orientation of probe `k`.
struct Candidate {
    /// Score before the descent (lower is better).
    score: f32,
    k: usize,
    t: (f32, f32),
    /// The sheet's corner or a spot beside a placed part, which the next
    /// copies of the part are offered again (not a random sample).
    spot: bool,
}

/// Candidate translations for every orientation, best first: the sheet's
/// corner and spots beside the placed parts (when `near_parts`), and
/// `samples` random ones per orientation.
fn candidates(
    placed: &[Placed],
    fixed_boxes: &[[f32; 4]],
    probes: &[(usize, Probe)],
    samples: usize,
    near_parts: bool,
    y_weight: f32,
    rng: &mut ChaCha8Rng,
) -> Vec<Candidate> {
    let mut cands: Vec<Candidate> = Vec::new();
    for (k, (_, p)) in probes.iter().enumerate() {
        let [x_lo, y_lo, x_hi, y_hi] = p.range;
        let b = p.o.cd_bbox;
        let mut push = |t: (f32, f32), spot: bool| {
            let t = (t.0.clamp(x_lo, x_hi), t.1.clamp(y_lo, y_hi));
            cands.push(Candidate {
                score: p.score(t, y_weight),
                k,
                t,
                spot,
            });
        };
        if near_parts {
            push((x_lo, y_lo), true);
            let boxes = placed.iter().map(|q| &q.bbox).chain(fixed_boxes);
            for qb in boxes {
                let right = qb[2] + CANDIDATE_GAP_MM - b[0];
                let above = qb[3] + CANDIDATE_GAP_MM - b[1];
                push((right, qb[1] - b[1]), true);
                push((right, y_lo), true);
                push((qb[0] - b[0], above), true);
                push((x_lo, above), true);
                push((right, above), true);
            }
        }
        for _ in 0..samples {
            let x = if x_hi > x_lo {
                rng.random_range(x_lo..=x_hi)
            } else {
                x_lo
            };
            let y = if y_hi > y_lo {
                rng.random_range(y_lo..=y_hi)
            } else {
                y_lo
            };
            push((x, y), false);
        }
    }
    cands.sort_by(|a, b| a.score.total_cmp(&b.score).then(a.k.cmp(&b.k)));
    cands
}

fn place(sheet: &mut OpenSheet, ps: &PartShapes, shape_idx: usize, orient: usize, t: (f32, f32)) {
    let o = &ps.orientations[orient];
    sheet.used_area += ps.outer_area;
    sheet.layout.place_item(&o.item, o.placed_at(t));
    let b = o.cd_bbox;
    sheet.placed.push(Placed {
        shape: shape_idx,
        orient,
        t,
        bbox: [t.0 + b[0], t.1 + b[1], t.0 + b[2], t.1 + b[3]],
    });
}

/// True when some orientation of the part fits the sheet type's usable box.
pub fn fits_box(ps: &PartShapes, s: &SheetShape) -> bool {
    ps.orientations
        .iter()
        .any(|o| Probe::new(o, s, ps.min_quality).is_some())
}

/// The sheet types in the order a new sheet should be opened.
fn sheet_preference(ctx: &Ctx) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..ctx.sheets.len())
        .filter(|&i| ctx.sheets[i].is_some())
        .collect();
    let specs = &ctx.problem.sheets;
    idx.sort_by(|&a, &b| {
        let (sa, sb) = (&specs[a], &specs[b]);
        let by_cost = if ctx.cost_mode {
            let ca = sa.cost.unwrap_or(0.0) / sa.area();
            let cb = sb.cost.unwrap_or(0.0) / sb.area();
            ca.total_cmp(&cb)
        } else {
            Ordering::Equal
        };
        // Remnants (irregular sheets) before new rectangular sheets.
        let remnant = |k: usize| is_irregular(ctx.sheets, k);
        by_cost
            .then(remnant(b).cmp(&remnant(a)))
            .then(sb.area().total_cmp(&sa.area()))
            .then(a.cmp(&b))
    });
    idx
}

fn stock_left(ctx: &Ctx, used: &[u32], k: usize) -> bool {
    ctx.problem.sheets[k].count.is_none_or(|c| used[k] < c)
}

/// Packs `items` (part-shape indices) into one fresh sheet of type `k`;
/// `None` unless all fit.
fn pack_single(
    ctx: &Ctx,
    k: usize,
    items: &[usize],
    params: &Params,
    rng: &mut ChaCha8Rng,
    stop: &dyn Fn() -> bool,
) -> Option<Vec<Placed>> {
    let shape = ctx.sheets[k].as_ref()?;
    let mut sheet = OpenSheet::new(k, shape);
    for &i in items {
        if stop() {
            return None;
        }
        let ps = &ctx.parts[i];
        let (o, t) = find_position(ctx, &mut sheet, i, params, rng, stop)?;
        place(&mut sheet, ps, i, o, t);
    }
    Some(sheet.placed)
}

/// Used length (max x of the grown boxes from the usable area's left edge)
/// of solution sheet `j` of type `k`, fixed placements included.
fn used_length(ctx: &Ctx, j: usize, k: usize, placed: &[Placed]) -> f64 {
    let x0 = ctx.sheets[k].as_ref().map_or(0.0, |s| s.x_min);
    let fixed = ctx.fixed.get(j).map_or(&[][..], |f| &f.items[..]);
    placed
        .iter()
        .map(|p| p.bbox[2])
        .chain(fixed.iter().map(|f| f.bbox[2]))
        .map(|x| f64::from(x - x0))
        .fold(0.0, f64::max)
}

/// Reason given to copies not placed because the run was cancelled.
pub const CANCELLED_REASON: &str = "nesting was cancelled before this part was placed";

/// Builds a layout with the items in `order` (part-shape indices).
/// `stop` is polled before every item; when it says stop, returns `None`,
/// or with `keep_partial` the layout so far with the rest unplaced.
pub fn construct(
    ctx: &Ctx,
    order: &[usize],
    params: &Params,
    rng: &mut ChaCha8Rng,
    stop: &dyn Fn() -> bool,
    keep_partial: bool,
) -> Option<Solution> {
    let preference = sheet_preference(ctx);
    let mut used = vec![0u32; ctx.sheets.len()];
    let mut open: Vec<OpenSheet> = Vec::new();
    for f in ctx.fixed {
        let shape = ctx.sheets[f.sheet].as_ref()?;
        open.push(OpenSheet::with_fixed(f, shape));
        used[f.sheet] += 1;
    }
    let mut unplaced: Vec<(usize, String)> = Vec::new();
    // Index in `order` of the first item left out by a cancel.
    let mut cancelled_at = None;
    for (n, &i) in order.iter().enumerate() {
        if stop() {
            cancelled_at = Some(n);
            break;
        }
        let ps = &ctx.parts[i];
        let mut done = false;
        for s in open.iter_mut() {
            if s.failed.contains(&i) {
                continue;
            }
            if let Some((o, t)) = find_position(ctx, s, i, params, rng, stop) {
                place(s, ps, i, o, t);
                done = true;
                break;
            }
            s.failed.push(i);
        }
        if done {
            continue;
        }
        if stop() {
            cancelled_at = Some(n);
            break;
        }
        // Open a new sheet.
        let fitting: Vec<usize> = preference
            .iter()
            .copied()
            .filter(|&k| ctx.sheets[k].as_ref().is_some_and(|s| fits_box(ps, s)))
            .collect();
        let mut eligible: Vec<usize> = fitting
            .iter()
            .copied()
            .filter(|&k| stock_left(ctx, &used, k))
            .collect();
        if eligible.len() > 1 && rng.random::<f64>() < params.sheet_randomness {
            // The random pick stays among the sheets of the preferred one's
            // kind, so a remnant in stock is still opened before a new sheet.
            let kind = is_irregular(ctx.sheets, eligible[0]);
            let same_kind = eligible
                .iter()
                .take_while(|&&k| is_irregular(ctx.sheets, k) == kind)
                .count();
            let j = rng.random_range(0..same_kind);
            eligible.swap(0, j);
        }
        for &k in &eligible {
            let Some(shape) = ctx.sheets[k].as_ref() else {
                continue;
            };
            let mut s = OpenSheet::new(k, shape);
            if let Some((o, t)) = find_position(ctx, &mut s, i, params, rng, &|| false) {
                place(&mut s, ps, i, o, t);
                used[k] += 1;
                open.push(s);
                done = true;
                break;
            }
        }
        if !done {
            let reason = if fitting.is_empty() {
                too_large_reason(ctx, ps)
            } else if eligible.is_empty() {
                "no sheet left in stock".to_string()
            } else {
                format!(
                    "does not fit on an empty sheet with {} mm spacing and {} mm margin",
                    ctx.problem.spacing_mm, ctx.problem.margin_mm
                )
            };
            unplaced.push((i, reason));
        }
    }
    if let Some(n) = cancelled_at {
        if !keep_partial {
            return None;
        }
        unplaced.extend(
            order[n..]
                .iter()
                .map(|&j| (j, CANCELLED_REASON.to_string())),
        );
    }
    let stopped = cancelled_at.is_some();
    let mut sheets: Vec<(usize, Vec<Placed>)> =
        open.into_iter().map(|s| (s.sheet, s.placed)).collect();
    // A sheet with fixed placements is never re-packed.
    if !stopped && sheets.len() > ctx.fixed.len() {
        improve_last_sheet(ctx, &mut sheets, &used, params, rng, stop);
    }
    let objective = objective(ctx, &sheets, &unplaced);
    Some(Solution {
        sheets,
        unplaced,
        objective,
    })
}

/// Re-packs the last sheet in a few random orders and tries cheaper or
/// smaller sheet types for it; keeps any improvement.
fn improve_last_sheet(
    ctx: &Ctx,
    sheets: &mut [(usize, Vec<Placed>)],
    used: &[u32],
    params: &Params,
    rng: &mut ChaCha8Rng,
    stop: &dyn Fn() -> bool,
) {
    let Some(j) = sheets.len().checked_sub(1) else {
        return;
    };
    let last = &mut sheets[j];
    let items: Vec<usize> = last.1.iter().map(|p| p.shape).collect();
    let specs = &ctx.problem.sheets;
    let key = |k: usize| {
        if ctx.cost_mode {
            specs[k].cost.unwrap_or(0.0)
        } else {
            new_sheet_area(ctx, k)
        }
    };
    // Smaller or cheaper sheet types, cheapest first.
    let mut cheaper: Vec<usize> = (0..ctx.sheets.len())
        .filter(|&k| k != last.0 && ctx.sheets[k].is_some() && key(k) < key(last.0))
        .filter(|&k| stock_left(ctx, used, k))
        .collect();
    cheaper.sort_by(|&a, &b| key(a).total_cmp(&key(b)).then(a.cmp(&b)));
    let mut sorted = items.clone();
    sorted.sort_by(|&a, &b| ctx.parts[b].outer_area.total_cmp(&ctx.parts[a].outer_area));
    for k in cheaper {
        if stop() {
            return;
        }
        if let Some(p) = pack_single(ctx, k, &sorted, params, rng, stop) {
            *last = (k, p);
            break;
        }
    }
    if items.len() < 2 {
        return;
    }
    let mut best_len = used_length(ctx, j, last.0, &last.1);
    for attempt in 0..params.repack_attempts {
        if stop() {
            return;
        }
        let mut order = sorted.clone();
        if attempt > 0 {
            // Perturb: a few random adjacent swaps.
            for _ in 0..order.len() {
                let j = rng.random_range(0..order.len() - 1);
                order.swap(j, j + 1);
            }
        }
        if let Some(p) = pack_single(ctx, last.0, &order, params, rng, stop) {
            let len = used_length(ctx, j, last.0, &p);
            if len < best_len - 1e-3 {
                best_len = len;
                last.1 = p;
            }
        }
    }
}

fn too_large_reason(ctx: &Ctx, ps: &PartShapes) -> String {
    format!(
        "larger than every sheet (after the {} mm margin): {:.1} x {:.1} mm",
        ctx.problem.margin_mm, ps.size.0, ps.size.1
    )
}

/// Reason when a part fits no sheet type at all, `None` otherwise.
pub fn unplaceable_reason(ctx: &Ctx, ps: &PartShapes) -> Option<String> {
    let fits = ctx.sheets.iter().flatten().any(|s| fits_box(ps, s));
    (!fits).then(|| too_large_reason(ctx, ps))
}

/// Area a sheet of type `k` counts with: remnants (irregular sheets) are
/// stock already paid for and count 0.
fn new_sheet_area(ctx: &Ctx, k: usize) -> f64 {
    match &ctx.sheets[k] {
        Some(s) if s.irregular => 0.0,
        _ => ctx.problem.sheets[k].area(),
    }
}

/// Index of part shape `i`'s priority in [`Objective::unplaced_area`].
pub fn priority_index(ctx: &Ctx, i: usize) -> usize {
    let p = ctx.problem.parts[ctx.parts[i].part].priority;
    (p.clamp(PRIORITY_FIRST, PRIORITY_LAST) - PRIORITY_FIRST) as usize
}

fn objective(
    ctx: &Ctx,
    sheets: &[(usize, Vec<Placed>)],
    unplaced: &[(usize, String)],
) -> Objective {
    let specs = &ctx.problem.sheets;
    Objective {
        unplaced_area: {
            let mut by_priority = [0.0; PRIORITY_LAST as usize];
            for (i, _) in unplaced {
                by_priority[priority_index(ctx, *i)] += ctx.parts[*i].area;
            }
            by_priority
        },
        primary: if ctx.cost_mode {
            sheets
                .iter()
                .map(|(k, _)| specs[*k].cost.unwrap_or(0.0))
                .sum()
        } else {
            sheets.len() as f64
        },
        sheet_area: sheets.iter().map(|(k, _)| new_sheet_area(ctx, *k)).sum(),
        last_length: sheets
            .last()
            .map_or(0.0, |(k, p)| used_length(ctx, sheets.len() - 1, *k, p)),
    }
}

/// Converts a solution into our layout. Fixed placements keep their copy
/// numbers and come first on their sheets; the other copies are numbered per
/// part with the free numbers, in sheet and placement order. Unplaced copies
/// are grouped by reason.
pub fn to_layout(ctx: &Ctx, sol: &Solution, extra_unplaced: &[(usize, u32, String)]) -> Layout {
    let taken: Vec<Vec<u32>> = (0..ctx.problem.parts.len())
        .map(|part| {
            ctx.fixed
                .iter()
                .flat_map(|f| &f.placements)
                .filter(|p| p.part == part)
                .map(|p| p.copy)
                .collect()
        })
        .collect();
    let mut next = vec![0u32; ctx.problem.parts.len()];
    let mut next_copy = |part: usize| loop {
        next[part] += 1;
        if !taken[part].contains(&next[part]) {
            return next[part];
        }
    };
    let n_sheets = sol.sheets.len().max(ctx.fixed.len());
    let sheets = (0..n_sheets)
        .map(|j| {
            let fixed = ctx.fixed.get(j);
            let new = sol.sheets.get(j);
            let mut placements: Vec<Placement> =
                fixed.map(|f| f.placements.clone()).unwrap_or_default();
            for p in new.map_or(&[][..], |(_, placed)| &placed[..]) {
                let ps = &ctx.parts[p.shape];
                placements.push(Placement {
                    part: ps.part,
                    copy: next_copy(ps.part),
                    transform: to_transform(&ps.orientations[p.orient], p.t),
                });
            }
            SheetLayout {
                sheet: fixed.map_or_else(|| new.map_or(0, |(k, _)| *k), |f| f.sheet),
                placements,
            }
        })
        .collect();
    let mut unplaced: Vec<Unplaced> = Vec::new();
    let mut add = |part: usize, count: u32, reason: &str| {
        if let Some(u) = unplaced
            .iter_mut()
            .find(|u| u.part == part && u.reason == reason)
        {
            u.count += count;
        } else {
            unplaced.push(Unplaced {
                part,
                count,
                reason: reason.to_string(),
            });
        }
    };
    for (part, count, reason) in extra_unplaced {
        add(*part, *count, reason);
    }
    for (i, reason) in &sol.unplaced {
        add(ctx.parts[*i].part, 1, reason);
    }
    unplaced.sort_by_key(|u| u.part);
    Layout { sheets, unplaced }
}
