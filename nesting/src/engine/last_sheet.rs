//! Compaction of the last sheet of a multi-sheet layout: its parts form a
//! strip-packing problem (sheet height fixed, used length minimised), solved
//! by the overlap-minimisation search of [`super::strip`]. A shorter last
//! sheet leaves a longer reusable remnant.

use super::convert::Converted;
use super::strip::strip_with;
use super::{NestOptions, Progress};
use crate::problem::{Layout, NestProblem, PartDemand, SheetSpec};
use crate::validate::validate_layout;
use std::sync::atomic::AtomicBool;

/// Share of a time-limited run given to the restarts; the rest improves the sheets with the strip search.
pub const RESTART_SHARE: f64 = 0.3;

/// The parts of the last sheet as their own one-sheet problem, with the
/// original part index of each sub-problem part.
fn last_sheet_problem(problem: &NestProblem, layout: &Layout) -> Option<(NestProblem, Vec<usize>)> {
    let last = layout.sheets.last()?;
    let mut counts = vec![0u32; problem.parts.len()];
    for p in &last.placements {
        counts[p.part] += 1;
    }
    let map: Vec<usize> = (0..problem.parts.len())
        .filter(|&i| counts[i] > 0)
        .collect();
    let parts: Vec<PartDemand> = map
        .iter()
        .map(|&i| PartDemand {
            quantity: counts[i],
            ..problem.parts[i].clone()
        })
        .collect();
    let spec = &problem.sheets[last.sheet];
    Some((
        NestProblem {
            parts,
            sheets: vec![SheetSpec {
                count: Some(1),
                cost: None,
                ..spec.clone()
            }],
            spacing_mm: problem.spacing_mm,
            margin_mm: problem.margin_mm,
        },
        map,
    ))
}

/// `layout` with its last sheet replaced by the sub-problem layout `sub`,
/// keeping the copy numbers the last sheet had.
fn merge(layout: &Layout, sub: &Layout, map: &[usize]) -> Layout {
    let mut out = layout.clone();
    let Some(last) = out.sheets.last_mut() else {
        return out;
    };
    let mut copies: Vec<Vec<u32>> = vec![Vec::new(); map.iter().max().map_or(0, |m| m + 1)];
    for p in &last.placements {
        copies[p.part].push(p.copy);
    }
    let mut next = vec![0usize; copies.len()];
    last.placements = sub
        .sheets
        .iter()
        .flat_map(|s| &s.placements)
        .map(|p| {
            let part = map[p.part];
            let copy = copies[part][next[part]];
            next[part] += 1;
            crate::problem::Placement {
                part,
                copy,
                transform: p.transform,
            }
        })
        .collect();
    out
}

/// Shortens the last sheet of `layout` for up to `time_s` seconds unless it
/// is one of the first `keep_sheets` (fixed) sheets. Returns the improved
/// layout (or a clone) and the search iterations; improvements go to
/// `on_progress` as complete layouts. `earlier` holds the problem and its
/// converted parts, whose shapes the last sheet's parts reuse.
pub fn compact_last_sheet(
    earlier: Converted,
    layout: &Layout,
    keep_sheets: usize,
    options: &NestOptions,
    time_s: f64,
    cancel: &AtomicBool,
    on_progress: &(dyn Fn(&Progress) + Sync),
) -> (Layout, u64) {
    let problem = earlier.problem;
    let n = layout.sheets.len();
    if n <= keep_sheets || layout.sheets[n - 1].placements.len() < 2 || time_s <= 0.0 {
        return (layout.clone(), 0);
    }
    let Some((sub, map)) = last_sheet_problem(problem, layout) else {
        return (layout.clone(), 0);
    };
    let before = layout.used_length(problem, n - 1);
    let total = problem.total_quantity() as usize;
    let forward = |p: &Progress| {
        let best = p.best.as_ref().filter(|b| {
            b.unplaced.is_empty() && b.sheets.len() == 1 && b.used_length(&sub, 0) < before - 1e-6
        });
        let merged = best.map(|b| merge(layout, b, &map));
        let shown = merged.as_ref().unwrap_or(layout);
        on_progress(&Progress {
            elapsed_s: p.elapsed_s,
            iterations: p.iterations,
            sheets: shown.sheets.len(),
            utilization: shown.utilization(problem),
            placed: shown.placed_count(),
            total,
            improved: merged.is_some(),
            best: merged,
        });
    };
    let opts = NestOptions {
        time_limit_s: time_s,
        ..options.clone()
    };
    let Ok(out) = strip_with(&sub, &opts, cancel, &forward, Some(earlier)) else {
        return (layout.clone(), 0);
    };
    let complete = out.layout.unplaced.is_empty() && out.layout.sheets.len() == 1;
    if !complete || out.length_mm >= before - 1e-6 {
        return (layout.clone(), out.iterations);
    }
    // The strip search only works on conservative shapes; check anyway.
    let report = validate_layout(&sub, &out.layout);
    if !report.is_valid() {
        tracing::warn!(
            "last-sheet compaction produced an invalid sheet, kept the previous one: {report}"
        );
        return (layout.clone(), out.iterations);
    }
    (merge(layout, &out.layout, &map), out.iterations)
}
