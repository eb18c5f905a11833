//! Multi-sheet nesting as one strip: the sheets of a single size, or the
//! irregular sheets (remnants, hides), are laid end to end, separated by
//! slabs no part may overlap, and the strip search minimises the used
//! length, which is the number of sheets first and the used length of the
//! last sheet second. An irregular sheet's outside, holes and zones are
//! obstacles ([`super::obstacle`]).

use super::obstacle::{Barriers, sheet_obstacles};
use super::separator::Pose;
use super::{Found, SearchRun};
use crate::engine::convert::{
    PartShapes, SheetShape, is_irregular, nearest_orientation, to_turned_transform,
    turned_translation,
};
use crate::engine::{NestOptions, Progress};
use crate::problem::{Layout, NestProblem, Placement, SheetLayout};
use crate::validate::validate_layout;
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

/// Which sheets of a layout are chained.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chained {
    /// The sheets of this (rectangular) type.
    Type(usize),
    /// The irregular sheets (remnants, hides), each with its outline,
    /// holes and zones as obstacles.
    Irregular,
}

impl Chained {
    fn holds(self, sheets: &[Option<SheetShape>], k: usize) -> bool {
        match self {
            Chained::Type(t) => k == t,
            Chained::Irregular => is_irregular(sheets, k),
        }
    }
}

/// One sheet of the chain: its type and where its usable box lies.
struct Slot {
    sheet: usize,
    /// Shift of the sheet's coordinates along the strip.
    dx: f32,
    /// Usable x range in the strip.
    lo: f32,
    hi: f32,
}

/// The sheets laid end to end, with gaps (slabs) between them.
struct Chain {
    slots: Vec<Slot>,
    /// Rows of the strip: the lowest and highest usable y of the sheets.
    y0: f32,
    y1: f32,
}

impl Chain {
    /// The sheets `shapes` laid end to end in that order from the first
    /// sheet's own position, each followed by a gap of 1 % of its width.
    fn new(shapes: &[&SheetShape]) -> Self {
        let mut slots: Vec<Slot> = Vec::with_capacity(shapes.len());
        for s in shapes {
            let w = s.x_max - s.x_min;
            let lo = slots
                .last()
                .map_or(s.x_min, |p| p.hi + ((p.hi - p.lo) * 0.01).max(1.0));
            slots.push(Slot {
                sheet: s.sheet,
                dx: lo - s.x_min,
                lo,
                hi: lo + w,
            });
        }
        Chain {
            slots,
            y0: shapes.iter().map(|s| s.y_min).fold(f32::MAX, f32::min),
            y1: shapes.iter().map(|s| s.y_max).fold(f32::MIN, f32::max),
        }
    }

    /// The slabs between the sheets and the obstacles of the irregular ones.
    fn barriers(&self, shapes: &[&SheetShape]) -> Result<Barriers, String> {
        let slabs = self.slots.windows(2).map(|w| [w[0].hi, w[1].lo]).collect();
        let mut obstacles = Vec::new();
        for (slot, s) in self.slots.iter().zip(shapes) {
            let full_height = s.y_min <= self.y0 && s.y_max >= self.y1;
            if s.irregular || !full_height {
                obstacles.extend(sheet_obstacles(s, slot.dx, self.y0, self.y1)?);
            }
        }
        Ok(Barriers {
            slabs,
            obstacles,
            reach: Vec::new(),
        })
    }

    /// How far right each item may go, given its priority and slot in the
    /// starting layout (`placed_at`): a part more urgent than the least
    /// urgent one stays on the sheets up to the last one that starts with a
    /// part at least as urgent, so the search never spreads urgent parts
    /// over later sheets. Empty when every part has the same priority.
    fn urgent_reach(&self, placed_at: &[(u32, usize)]) -> Vec<f32> {
        let least = placed_at.iter().map(|&(p, _)| p).max().unwrap_or(0);
        if placed_at.iter().all(|&(p, _)| p == least) {
            return Vec::new();
        }
        // The last slot holding a part of each priority or a more urgent one.
        let mut last = vec![0; least as usize + 1];
        for &(p, j) in placed_at {
            last[p as usize] = last[p as usize].max(j);
        }
        for p in 1..last.len() {
            last[p] = last[p].max(last[p - 1]);
        }
        placed_at
            .iter()
            .map(|&(p, _)| {
                if p < least {
                    self.slots[last[p as usize]].hi
                } else {
                    f32::INFINITY
                }
            })
            .collect()
    }

    /// The slot whose usable range holds x (the nearest one before it).
    fn slot_at(&self, x: f32) -> usize {
        self.slots.iter().rposition(|s| s.lo <= x).unwrap_or(0)
    }
}

/// The pose of a placement of part shape `ps` in the chain's frame, on
/// the sheet shifted by `dx`: its orientation, turned by the rest of its
/// angle when the part turns freely (`None` when the placement's angle is
/// not one of the part's).
fn pose_of(ps: &PartShapes, p: &Placement, dx: f32) -> Option<Pose> {
    let (orient, rest_deg) = nearest_orientation(ps, p.transform.angle_deg, p.transform.mirrored);
    let o = &ps.orientations[orient];
    let turn_rad = ps.turn_for(rest_deg)?;
    if o.mirrored != p.transform.mirrored {
        return None;
    }
    let t = turned_translation(o, turn_rad, &p.transform);
    Some(Pose {
        orient,
        turn_rad,
        t: (t.0 + dx, t.1),
    })
}

/// Sheets used and the last sheet's used length, for comparisons.
fn score(problem: &NestProblem, l: &Layout) -> (usize, f64) {
    let n = l.sheets.len();
    (
        n,
        if n == 0 {
            0.0
        } else {
            l.used_length(problem, n - 1)
        },
    )
}

/// Improves the `chained` sheets of `layout` (nothing fixed) for up to
/// `time_s` seconds by the strip search over those sheets laid end to end.
/// The other sheets (remnants before standard sheets) stay as they are and
/// come first. Irregular sheets are chained in the layout's order, the
/// least filled one last (the first to go). With `max_sheets`, only layouts
/// with at most that many chained sheets count as better (and are
/// reported). Returns the better layout, validated, or `None` when nothing
/// better was found.
#[allow(clippy::too_many_arguments)]
pub fn improve_on_sheets(
    problem: &NestProblem,
    parts: &[PartShapes],
    sheets: &[Option<SheetShape>],
    chained: Chained,
    layout: &Layout,
    max_sheets: Option<usize>,
    options: &NestOptions,
    time_s: f64,
    cancel: &AtomicBool,
    on_progress: &(dyn Fn(&Progress) + Sync),
) -> Option<(Layout, u64)> {
    let start = Instant::now();
    // The chained sheets and their parts as a problem of their own; the
    // results go back into the whole layout.
    let (whole, whole_layout) = (problem, layout);
    let in_chain = |k: usize| chained.holds(sheets, k);
    let (sub, mut sub_layout) = tail_problem(whole, whole_layout, &in_chain);
    if chained == Chained::Irregular {
        least_filled_last(whole, &mut sub_layout);
    }
    let (problem, layout) = (&sub, &sub_layout);
    let n_sheets = layout.sheets.len();
    if n_sheets == 0 || time_s <= 0.0 {
        return None;
    }
    let shapes: Vec<&SheetShape> = layout
        .sheets
        .iter()
        .map(|sl| sheets.get(sl.sheet).and_then(Option::as_ref))
        .collect::<Option<_>>()?;
    let chain = Chain::new(&shapes);
    let mut barriers = match chain.barriers(&shapes) {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!("the sheets could not be chained for the strip search: {e}");
            return None;
        }
    };
    let mut kinds = Vec::new();
    let mut poses = Vec::new();
    // Priority and slot of each item, for how far right it may go.
    let mut placed_at = Vec::new();
    for (j, (slot, sl)) in chain.slots.iter().zip(&layout.sheets).enumerate() {
        for p in &sl.placements {
            let k = parts.iter().position(|ps| ps.part == p.part)?;
            kinds.push(k);
            poses.push(pose_of(&parts[k], p, slot.dx)?);
            placed_at.push((problem.parts[p.part].priority, j));
        }
    }
    barriers.reach = chain.urgent_reach(&placed_at);
    if kinds.len() < 2 {
        return None;
    }
    let used0 = kinds
        .iter()
        .zip(&poses)
        .map(|(&k, p)| p.t.0 + parts[k].orientations[p.orient].turned_cd_bbox(p.turn_rad)[2])
        .fold(chain.slots[0].lo, f32::max);
    let to_layout = |poses: &[Pose]| {
        let mut sheets: Vec<Vec<Placement>> = vec![Vec::new(); n_sheets];
        let mut copies = vec![0u32; problem.parts.len()];
        for (&k, p) in kinds.iter().zip(poses) {
            let o = &parts[k].orientations[p.orient];
            // The reference point lies within the item's span, and in a
            // feasible layout that span within one sheet.
            let j = chain.slot_at(p.t.0);
            let t = (p.t.0 - chain.slots[j].dx, p.t.1);
            copies[parts[k].part] += 1;
            sheets[j].push(Placement {
                part: parts[k].part,
                copy: copies[parts[k].part],
                transform: to_turned_transform(o, p.turn_rad, t),
            });
        }
        Layout {
            sheets: sheets
                .into_iter()
                .zip(&chain.slots)
                .filter(|(s, _)| !s.is_empty())
                .map(|(placements, slot)| SheetLayout {
                    sheet: slot.sheet,
                    placements,
                })
                .collect(),
            unplaced: layout.unplaced.clone(),
        }
    };
    let before = score(problem, layout);
    // Fewer sheets, or as many with a shorter last one, within `max_sheets`.
    let better = |sc: (usize, f64), than: (usize, f64)| {
        max_sheets.is_none_or(|m| sc.0 <= m)
            && (sc.0 < than.0 || (sc.0 == than.0 && sc.1 < than.1 - 1e-6))
    };
    let total = whole.total_quantity() as usize;
    // Score of the chained sheets last shown to the caller, and the whole
    // layout's sheets, utilization and placed parts.
    let figures = |l: &Layout| Progress::figures_of(whole, l);
    let shown = Mutex::new((before, figures(whole_layout)));
    let report = |update: Option<(&[Pose], f32)>, iterations: u64| {
        let mut shown = shown.lock().unwrap_or_else(|e| e.into_inner());
        let mut best = None;
        if let Some((p, _)) = update {
            let l = to_layout(p);
            let sc = score(problem, &l);
            if better(sc, shown.0) {
                let merged = merge_tail(whole_layout, &in_chain, &l);
                *shown = (sc, figures(&merged));
                best = Some(merged);
            }
        }
        let (sheets, utilization, placed) = shown.1;
        on_progress(&Progress {
            elapsed_s: start.elapsed().as_secs_f64(),
            iterations,
            sheets,
            utilization,
            placed,
            total,
            improved: best.is_some(),
            best,
        });
    };
    let run = SearchRun {
        parts,
        kinds: kinds.clone(),
        poses,
        strip: [chain.slots[0].lo, chain.y0, used0, chain.y1],
        barriers,
    };
    let opts = NestOptions {
        time_limit_s: time_s,
        ..options.clone()
    };
    let found: Found = run.run(&opts, cancel, start, &report);
    let candidate = to_layout(&found.poses);
    let after = score(problem, &candidate);
    if !better(after, before) {
        return None;
    }
    let merged = merge_tail(whole_layout, &in_chain, &candidate);
    let report = validate_layout(whole, &merged);
    if !report.is_valid() {
        tracing::warn!(
            "chained-sheet search produced an invalid layout, kept the previous one: {report}"
        );
        return None;
    }
    Some((merged, found.iterations))
}

/// The sheets of `layout` whose types are `in_chain` as a problem of their
/// own: the job's parts with the counts placed on those sheets, and the
/// layout of those sheets alone.
fn tail_problem(
    problem: &NestProblem,
    layout: &Layout,
    in_chain: &dyn Fn(usize) -> bool,
) -> (NestProblem, Layout) {
    let tail: Vec<SheetLayout> = layout
        .sheets
        .iter()
        .filter(|s| in_chain(s.sheet))
        .cloned()
        .collect();
    let mut counts = vec![0u32; problem.parts.len()];
    for p in tail.iter().flat_map(|s| &s.placements) {
        counts[p.part] += 1;
    }
    let mut sub = problem.clone();
    for (demand, &c) in sub.parts.iter_mut().zip(&counts) {
        demand.quantity = c;
    }
    let sub_layout = Layout {
        sheets: tail,
        unplaced: vec![],
    };
    (sub, sub_layout)
}

/// `layout` with its sheets whose types are `in_chain` replaced by `tail`
/// (a layout of those parts, copies numbered from 1), placed after the
/// other sheets and given back the copy numbers they had.
fn merge_tail(layout: &Layout, in_chain: &dyn Fn(usize) -> bool, tail: &Layout) -> Layout {
    let mut copies: Vec<Vec<u32>> = Vec::new();
    for p in layout
        .sheets
        .iter()
        .filter(|s| in_chain(s.sheet))
        .flat_map(|s| &s.placements)
    {
        if copies.len() <= p.part {
            copies.resize(p.part + 1, Vec::new());
        }
        copies[p.part].push(p.copy);
    }
    let mut sheets: Vec<SheetLayout> = layout
        .sheets
        .iter()
        .filter(|s| !in_chain(s.sheet))
        .cloned()
        .collect();
    sheets.extend(tail.sheets.iter().map(|s| {
        SheetLayout {
            sheet: s.sheet,
            placements: s
                .placements
                .iter()
                .map(|p| Placement {
                    copy: copies[p.part][p.copy as usize - 1],
                    ..*p
                })
                .collect(),
        }
    }));
    Layout {
        sheets,
        unplaced: layout.unplaced.clone(),
    }
}

/// Moves the sheet holding the least part area to the end of `layout`
/// (the first one the chained search can empty).
fn least_filled_last(problem: &NestProblem, layout: &mut Layout) {
    let filled = |s: &SheetLayout| -> f64 {
        s.placements
            .iter()
            .map(|p| problem.parts[p.part].part.area())
            .sum()
    };
    let least = (0..layout.sheets.len()).min_by(|&a, &b| {
        filled(&layout.sheets[a])
            .total_cmp(&filled(&layout.sheets[b]))
            .then(b.cmp(&a))
    });
    if let Some(k) = least {
        let s = layout.sheets.remove(k);
        layout.sheets.push(s);
    }
}

/// `layout` with its last sheet taken as one of type `sheet`, when that
/// sheet is a rectangular one of another type whose usable box lies inside
/// that of a sheet of type `sheet` (so its parts stay where they are) and
/// the stock has one more sheet of type `sheet`; with the number of sheets
/// of type `sheet` it had.
pub fn last_sheet_as(
    problem: &NestProblem,
    layout: &Layout,
    sheet: usize,
    shape: &SheetShape,
    last_shape: &SheetShape,
) -> Option<(Layout, usize)> {
    let last = layout.sheets.last()?;
    let before = layout.sheets.iter().filter(|s| s.sheet == sheet).count();
    let inside = last_shape.x_min >= shape.x_min
        && last_shape.y_min >= shape.y_min
        && last_shape.x_max <= shape.x_max
        && last_shape.y_max <= shape.y_max;
    let in_stock = problem
        .sheets
        .get(sheet)
        .is_some_and(|s| s.count.is_none_or(|c| c as usize > before));
    if last.sheet == sheet || last_shape.irregular || !inside || !in_stock || before == 0 {
        return None;
    }
    let mut moved = layout.clone();
    if let Some(s) = moved.sheets.last_mut() {
        s.sheet = sheet;
    }
    Some((moved, before))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain_of(n: usize) -> Chain {
        let slots = (0..n)
            .map(|j| Slot {
                sheet: 0,
                dx: 110.0 * j as f32,
                lo: 110.0 * j as f32,
                hi: 110.0 * j as f32 + 100.0,
            })
            .collect();
        Chain {
            slots,
            y0: 0.0,
            y1: 50.0,
        }
    }

    #[test]
    fn a_part_reaches_the_last_sheet_holding_a_part_at_least_as_urgent() {
        let chain = chain_of(4);
        // (priority, slot) of each item. The priority-5 parts start on the
        // first two sheets, but a more urgent part lies on the third.
        let placed_at = [(1, 0), (3, 2), (5, 1), (1, 1), (9, 3), (5, 0)];
        let reach = chain.urgent_reach(&placed_at);
        let inf = f32::INFINITY;
        assert_eq!(reach, vec![210.0, 320.0, 320.0, 210.0, inf, 320.0]);
        // One priority: no limit at all.
        assert!(chain.urgent_reach(&[(5, 0), (5, 3)]).is_empty());
    }
}
