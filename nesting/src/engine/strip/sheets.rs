//! Multi-sheet nesting as one strip: the sheets of a single size are laid
//! end to end, separated by slabs no part may overlap, and the strip search
//! minimises the used length, which is the number of sheets first and the
//! used length of the last sheet second.

use super::separator::Pose;
use super::{Found, SearchRun};
use crate::engine::convert::{
    PartShapes, SheetShape, nearest_orientation, to_turned_transform, turned_translation,
};
use crate::engine::{NestOptions, Progress};
use crate::problem::{Layout, NestProblem, Placement, SheetLayout};
use crate::validate::validate_layout;
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

/// The sheets laid end to end: usable width, period and slabs.
struct Chain {
    x_min: f32,
    x_max: f32,
    period: f32,
}

impl Chain {
    fn new(s: &SheetShape) -> Self {
        let w = s.x_max - s.x_min;
        let gap = (w * 0.01).max(1.0);
        Chain {
            x_min: s.x_min,
            x_max: s.x_max,
            period: w + gap,
        }
    }

    fn slabs(&self, n: usize) -> Vec<[f32; 2]> {
        (0..n.saturating_sub(1))
            .map(|k| {
                let k = k as f32;
                [
                    self.x_max + k * self.period,
                    self.x_min + (k + 1.0) * self.period,
                ]
            })
            .collect()
    }
}

/// The pose of a placement of part shape `ps` in the chain's frame, on
/// sheet `j`: its orientation, turned by the rest of its angle when the part
/// turns freely (`None` when the placement's angle is not one of the part's).
fn pose_of(ps: &PartShapes, p: &Placement, chain: &Chain, j: usize) -> Option<Pose> {
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
        t: (t.0 + j as f32 * chain.period, t.1),
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

/// Improves the sheets of type `sheet` in `layout` (nothing fixed) for up
/// to `time_s` seconds by the strip search over those sheets chained. Sheets
/// of other types (remnants) stay as they are and come first. With
/// `max_sheets`, only layouts with at most that many sheets of the type
/// count as better (and are reported). Returns the better layout,
/// validated, or `None` when nothing better was found.
#[allow(clippy::too_many_arguments)]
pub fn improve_on_sheets(
    problem: &NestProblem,
    parts: &[PartShapes],
    sheet: usize,
    shape: &SheetShape,
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
    let (sub, sub_layout) = tail_problem(whole, whole_layout, sheet);
    let (problem, layout) = (&sub, &sub_layout);
    let n_sheets = layout.sheets.len();
    if n_sheets == 0 || time_s <= 0.0 {
        return None;
    }
    let chain = Chain::new(shape);
    let mut kinds = Vec::new();
    let mut poses = Vec::new();
    for (j, sl) in layout.sheets.iter().enumerate() {
        for p in &sl.placements {
            let k = parts.iter().position(|ps| ps.part == p.part)?;
            kinds.push(k);
            poses.push(pose_of(&parts[k], p, &chain, j)?);
        }
    }
    if kinds.len() < 2 {
        return None;
    }
    let used0 = kinds
        .iter()
        .zip(&poses)
        .map(|(&k, p)| p.t.0 + parts[k].orientations[p.orient].turned_cd_bbox(p.turn_rad)[2])
        .fold(chain.x_min, f32::max);
    let to_layout = |poses: &[Pose]| {
        let mut sheets: Vec<Vec<Placement>> = vec![Vec::new(); n_sheets];
        let mut copies = vec![0u32; problem.parts.len()];
        for (&k, p) in kinds.iter().zip(poses) {
            let o = &parts[k].orientations[p.orient];
            // The reference point lies within the item's span, and in a
            // feasible layout that span within one sheet.
            let j = (((p.t.0 - chain.x_min) / chain.period).floor().max(0.0) as usize)
                .min(n_sheets - 1);
            let t = (p.t.0 - j as f32 * chain.period, p.t.1);
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
                .filter(|s| !s.is_empty())
                .map(|placements| SheetLayout { sheet, placements })
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
    let figures = |l: &Layout| (l.sheets.len(), l.utilization(whole), l.placed_count());
    let shown = Mutex::new((before, figures(whole_layout)));
    let report = |update: Option<(&[Pose], f32)>, iterations: u64| {
        let mut shown = shown.lock().unwrap_or_else(|e| e.into_inner());
        let mut best = None;
        if let Some((p, _)) = update {
            let l = to_layout(p);
            let sc = score(problem, &l);
            if better(sc, shown.0) {
                let merged = merge_tail(whole_layout, sheet, &l);
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
        strip: [shape.x_min, shape.y_min, used0, shape.y_max],
        slabs: chain.slabs(n_sheets),
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
    let merged = merge_tail(whole_layout, sheet, &candidate);
    let report = validate_layout(whole, &merged);
    if !report.is_valid() {
        tracing::warn!(
            "chained-sheet search produced an invalid layout, kept the previous one: {report}"
        );
        return None;
    }
    Some((merged, found.iterations))
}

/// The sheets of type `sheet` in `layout` as a problem of their own: the
/// job's parts with the counts placed on those sheets, and the layout of
/// those sheets alone.
fn tail_problem(problem: &NestProblem, layout: &Layout, sheet: usize) -> (NestProblem, Layout) {
    let tail: Vec<SheetLayout> = layout
        .sheets
        .iter()
        .filter(|s| s.sheet == sheet)
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

/// `layout` with its sheets of type `sheet` replaced by `tail` (a layout
/// of those parts, copies numbered from 1), placed after the other sheets
/// and given back the copy numbers they had.
fn merge_tail(layout: &Layout, sheet: usize, tail: &Layout) -> Layout {
    let mut copies: Vec<Vec<u32>> = Vec::new();
    for p in layout
        .sheets
        .iter()
        .filter(|s| s.sheet == sheet)
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
        .filter(|s| s.sheet != sheet)
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
