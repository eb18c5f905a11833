//! The nesting engine: constructive placement on the jagua-rs collision engine, parallel search, progress and cancel.
//!
//! Objective (lexicographic): place as much part area as possible, the most
//! urgent priority first (the sheets holding the most urgent parts come
//! first in the result); then use
//! as few sheets as possible — or, when *every* sheet type has a cost, the
//! lowest total sheet cost; then the smallest total area of new sheets
//! (remnants, sheets with an outline, count as free and are opened first);
//! then the shortest used length (max x) of the last sheet. Parts are packed
//! towards x = 0, bottom-left first. Irregular sheets (outline, holes,
//! quality zones) alone in a layout are chained by the strip phases with
//! their outside, holes and zones as obstacles; next to rectangular sheets
//! they stay as the restarts left them, and the strip phases work on the
//! rectangular sheets after them.
//!
//! Safety: parts keep at least `spacing_mm + 0.02 mm` between each other and
//! `margin_mm + 0.01 mm` from the sheet edges (see [`convert`]), so layouts
//! pass an exact validator despite jagua-rs working in `f32` on polygons.
//! Holes: a part blocks its whole outline in jagua-rs; [`part_in_part`]
//! fills holes with smaller parts first (option [`NestOptions::part_in_part`]).

pub mod construct;
pub mod convert;
pub mod last_sheet;
pub mod outline;
pub mod part_in_part;
mod priority;
pub mod search;
pub mod strip;

use crate::problem::{Layout, NestProblem, PRIORITY_FIRST, PRIORITY_LAST};
use construct::{Ctx, priority_index, unplaceable_reason};
use convert::{ConvertError, Converted, convert_fixed, convert_parts_reusing, convert_sheets};
use search::Search;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use strip::sheets::Chained;
pub use strip::{StripOutcome, nest_strip};

/// Most of a timed run's budget that filling holes with parts may take
/// (typically it takes a small fraction: 0.1 s for the sample job).
const PART_IN_PART_SHARE: f64 = 0.25;

/// How long and how the engine searches.
#[derive(Clone, Debug)]
pub struct NestOptions {
    /// Wall-clock budget in seconds (the first construction always completes).
    pub time_limit_s: f64,
    /// Seed of all random choices.
    pub seed: u64,
    /// Stop after this many restarts; with it, results are reproducible
    /// whatever the thread count.
    pub max_iterations: Option<u64>,
    /// Worker threads; `None` = all cores.
    pub threads: Option<usize>,
    /// Nest small parts inside the holes of larger parts (default on).
    pub part_in_part: bool,
}

impl Default for NestOptions {
    fn default() -> Self {
        Self {
            time_limit_s: 10.0,
            seed: 42,
            max_iterations: None,
            threads: None,
            part_in_part: true,
        }
    }
}

/// A progress report, sent regularly and on every improvement.
#[derive(Clone, Debug)]
pub struct Progress {
    pub elapsed_s: f64,
    /// Restarts completed so far.
    pub iterations: u64,
    /// Sheets used by the best layout so far.
    pub sheets: usize,
    /// Utilization of the best layout so far (placed area / used sheet area).
    pub utilization: f64,
    /// Copies placed by the best layout so far.
    pub placed: usize,
    /// Copies asked for.
    pub total: usize,
    /// True when this report carries a new best layout.
    pub improved: bool,
    /// The new best layout, set when `improved`.
    pub best: Option<Layout>,
}

impl Progress {
    /// The figures a report shows for `layout`: sheets, utilization and
    /// copies placed.
    pub(crate) fn figures_of(problem: &NestProblem, layout: &Layout) -> (usize, f64, usize) {
        (
            layout.sheets.len(),
            layout.utilization(problem),
            layout.placed_count(),
        )
    }
}

/// Why the search stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    TimeLimit,
    IterationLimit,
    Cancelled,
    /// The layout reached the area lower bound (sheet count and last-sheet length).
    Optimal,
}

/// The engine's result.
#[derive(Clone, Debug)]
pub struct NestOutcome {
    pub layout: Layout,
    /// Restarts completed.
    pub iterations: u64,
    pub elapsed_s: f64,
    pub stopped: StopReason,
    /// Parts (indices into the problem) whose outline the collision engine
    /// rejected: they were nested by their convex hull, which holds the part
    /// but may take more room than it needs.
    pub hull_parts: Vec<usize>,
}

/// Why nesting could not start.
#[derive(thiserror::Error, Debug)]
pub enum NestError {
    #[error("no sheets given: add at least one sheet size to nest on")]
    NoSheets,
    #[error("sheet {sheet} is invalid: {reason}")]
    InvalidSheet { sheet: usize, reason: String },
    #[error("part {part} cannot be nested: {reason}")]
    InvalidPart { part: usize, reason: String },
    #[error("invalid setting: {0}")]
    InvalidSettings(String),
    #[error("the collision engine failed: {0}")]
    Engine(String),
    #[error("the locked parts cannot be kept: {0}")]
    InvalidFixed(String),
}

pub(crate) fn check_problem(problem: &NestProblem, options: &NestOptions) -> Result<(), NestError> {
    if problem.sheets.is_empty() {
        return Err(NestError::NoSheets);
    }
    for (i, s) in problem.sheets.iter().enumerate() {
        if !(s.width_mm.is_finite() && s.height_mm.is_finite())
            || s.width_mm <= 0.0
            || s.height_mm <= 0.0
        {
            return Err(NestError::InvalidSheet {
                sheet: i,
                reason: format!(
                    "size {} x {} mm; width and height must be positive",
                    s.width_mm, s.height_mm
                ),
            });
        }
        if let Some(o) = &s.outline {
            let bb = o.outer.bbox();
            let inside = bb.min.x >= -1e-6
                && bb.min.y >= -1e-6
                && bb.max.x <= s.width_mm + 1e-6
                && bb.max.y <= s.height_mm + 1e-6;
            if o.outer.vertices.len() < 2 || !inside || o.area() <= 0.0 {
                return Err(NestError::InvalidSheet {
                    sheet: i,
                    reason: format!(
                        "the outline spans ({:.3}, {:.3})-({:.3}, {:.3}) mm with {:.1} mm² of material; it must enclose material within 0..{} x 0..{} mm",
                        bb.min.x,
                        bb.min.y,
                        bb.max.x,
                        bb.max.y,
                        o.area(),
                        s.width_mm,
                        s.height_mm
                    ),
                });
            }
        }
        if s.cost.is_some_and(|c| !c.is_finite() || c < 0.0) {
            return Err(NestError::InvalidSheet {
                sheet: i,
                reason: "the cost must be a non-negative number".into(),
            });
        }
    }
    if !problem.spacing_mm.is_finite() || problem.spacing_mm < 0.0 {
        return Err(NestError::InvalidSettings(format!(
            "spacing {} mm; use a distance >= 0",
            problem.spacing_mm
        )));
    }
    if !problem.margin_mm.is_finite() || problem.margin_mm < 0.0 {
        return Err(NestError::InvalidSettings(format!(
            "margin {} mm; use a distance >= 0",
            problem.margin_mm
        )));
    }
    if !options.time_limit_s.is_finite() || options.time_limit_s < 0.0 {
        return Err(NestError::InvalidSettings(format!(
            "time limit {} s; use a number of seconds >= 0",
            options.time_limit_s
        )));
    }
    if let Some((i, d)) = problem
        .parts
        .iter()
        .enumerate()
        .find(|(_, d)| !(PRIORITY_FIRST..=PRIORITY_LAST).contains(&d.priority))
    {
        return Err(NestError::InvalidPart {
            part: i,
            reason: format!(
                "`{}` has priority {}; use {PRIORITY_FIRST} (nested first) to {PRIORITY_LAST} (last)",
                d.part.name, d.priority
            ),
        });
    }
    if options.threads == Some(0) {
        return Err(NestError::InvalidSettings(
            "0 threads; use at least 1 or leave it unset for all cores".into(),
        ));
    }
    Ok(())
}

/// The engine error for a conversion error.
pub(crate) fn map_convert_error(e: ConvertError) -> NestError {
    match e {
        ConvertError::Part { part, reason } => NestError::InvalidPart { part, reason },
        ConvertError::Engine(m) => NestError::Engine(m),
        ConvertError::Cancelled => NestError::Engine("cancelled while converting parts".into()),
    }
}

/// A nest cancelled before anything was placed: the fixed placements, and
/// every other copy unplaced.
pub(crate) fn cancelled_outcome(
    problem: &NestProblem,
    fixed: &Layout,
    fixed_counts: &[u32],
    start: std::time::Instant,
) -> NestOutcome {
    let unplaced = problem
        .parts
        .iter()
        .zip(fixed_counts)
        .enumerate()
        .filter(|(_, (p, f))| p.quantity > **f)
        .map(|(part, (p, f))| crate::problem::Unplaced {
            part,
            count: p.quantity - f,
            reason: construct::CANCELLED_REASON.to_string(),
        })
        .collect();
    NestOutcome {
        layout: Layout {
            sheets: fixed.sheets.clone(),
            unplaced,
        },
        iterations: 0,
        elapsed_s: start.elapsed().as_secs_f64(),
        stopped: StopReason::Cancelled,
        hull_parts: Vec::new(),
    }
}

/// Checks the fixed placements on their own; returns the fixed copies per part.
fn check_fixed(problem: &NestProblem, fixed: &Layout) -> Result<Vec<u32>, NestError> {
    let mut counts = vec![0u32; problem.parts.len()];
    let mut sheets_used = vec![0u32; problem.sheets.len()];
    for sl in &fixed.sheets {
        let Some(spec) = problem.sheets.get(sl.sheet) else {
            return Err(NestError::InvalidFixed(format!(
                "sheet type {} does not exist ({} sheet types are given)",
                sl.sheet + 1,
                problem.sheets.len()
            )));
        };
        sheets_used[sl.sheet] += 1;
        if spec.count.is_some_and(|c| sheets_used[sl.sheet] > c) {
            return Err(NestError::InvalidFixed(format!(
                "they use more sheets of {} x {} mm than the {} in stock",
                spec.width_mm,
                spec.height_mm,
                spec.count.unwrap_or(0)
            )));
        }
        for p in &sl.placements {
            let Some(demand) = problem.parts.get(p.part) else {
                return Err(NestError::InvalidFixed(format!(
                    "part {} does not exist ({} parts are given)",
                    p.part + 1,
                    problem.parts.len()
                )));
            };
            counts[p.part] += 1;
            if counts[p.part] > demand.quantity {
                return Err(NestError::InvalidFixed(format!(
                    "more copies of {} are locked than the {} asked for",
                    demand.part.name, demand.quantity
                )));
            }
        }
    }
    let report = crate::validate::validate_layout_geometry(problem, fixed);
    if !report.is_valid() {
        return Err(NestError::InvalidFixed(report.to_string()));
    }
    Ok(counts)
}

/// Nests `problem`: returns the best layout found within the limits.
/// `cancel` may be set from another thread; the best layout so far is then
/// returned promptly with [`StopReason::Cancelled`]. `on_progress` is called
/// from the calling thread at least every ~200 ms and on every improvement.
pub fn nest(
    problem: &NestProblem,
    options: &NestOptions,
    cancel: &AtomicBool,
    on_progress: &(dyn Fn(&Progress) + Sync),
) -> Result<NestOutcome, NestError> {
    nest_with_fixed(problem, &Layout::default(), options, cancel, on_progress)
}

/// Like [`nest`], but the placements of `fixed` (locked parts) stay exactly
/// where they are: its sheets come first in the result, in the same order,
/// with their fixed placements and copy numbers unchanged; the remaining
/// copies are nested around them and on new sheets. `fixed.unplaced` is
/// ignored. The fixed placements must be valid on their own (inside their
/// sheets, spacing and margin kept, allowed orientations, within quantities
/// and stock), otherwise [`NestError::InvalidFixed`] says what is wrong.
pub fn nest_with_fixed(
    problem: &NestProblem,
    fixed: &Layout,
    options: &NestOptions,
    cancel: &AtomicBool,
    on_progress: &(dyn Fn(&Progress) + Sync),
) -> Result<NestOutcome, NestError> {
    nest_fixed(problem, fixed, options, cancel, on_progress, None)
}

/// [`nest_with_fixed`] for the job itself (`earlier` is `None`: the parts
/// nested by their convex hull are logged) or for one of the engine's own
/// sub-problems, whose parts reuse the shapes of the `earlier` conversion.
fn nest_fixed(
    problem: &NestProblem,
    fixed: &Layout,
    options: &NestOptions,
    cancel: &AtomicBool,
    on_progress: &(dyn Fn(&Progress) + Sync),
    earlier: Option<Converted>,
) -> Result<NestOutcome, NestError> {
    let start = std::time::Instant::now();
    check_problem(problem, options)?;
    let fixed_counts = check_fixed(problem, fixed)?;
    let map_err = map_convert_error;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads.unwrap_or(0))
        .build()
        .map_err(|e| NestError::Engine(format!("cannot start worker threads: {e}")))?;
    let step_deg = convert::FREE_ROTATION_STEP_DEG;
    let parts = match pool.install(|| convert_parts_reusing(problem, step_deg, earlier, cancel)) {
        Err(ConvertError::Cancelled) => {
            return Ok(cancelled_outcome(problem, fixed, &fixed_counts, start));
        }
        converted => converted.map_err(map_err)?,
    };
    let converted = Converted {
        problem,
        parts: &parts,
    };
    if earlier.is_none() {
        convert::warn_hull_parts(problem, &parts);
    }
    // Reported for the parts of `problem` (part-in-part's composites, with
    // their parent's outline, would report indices of its prepared problem).
    let hull_parts: Vec<usize> = parts
        .iter()
        .filter(|p| p.nested_as_hull())
        .map(|p| p.part)
        .collect();
    let has_holes = problem
        .parts
        .iter()
        .any(|p| p.quantity > 0 && !p.part.holes.is_empty());
    // Filling holes may take at most a share of a timed run, counted from
    // here (an iteration-limited run waits for it, so it stays repeatable).
    let pip_deadline = std::time::Instant::now()
        + Duration::from_secs_f64(options.time_limit_s * PART_IN_PART_SHARE);
    let timed = options.max_iterations.is_none();
    let pip_stop =
        || cancel.load(Ordering::Relaxed) || (timed && std::time::Instant::now() > pip_deadline);
    if options.part_in_part
        && has_holes
        && fixed.sheets.is_empty()
        && let Some(prep) = part_in_part::prepare(problem, &parts, options.seed, &pip_stop)
    {
        // The nest of the prepared problem gets the time that is left; its
        // clock starts now, so its reports are shifted to count from `start`.
        let offset_s = start.elapsed().as_secs_f64();
        let inner = NestOptions {
            part_in_part: false,
            time_limit_s: (options.time_limit_s - offset_s)
                .max(options.time_limit_s * (1.0 - PART_IN_PART_SHARE)),
            ..options.clone()
        };
        let last = std::sync::Mutex::new((0usize, 0.0f64));
        let forward = |p: &Progress| {
            let mut q = p.clone();
            q.elapsed_s += offset_s;
            let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(b) = &p.best {
                let expanded = prep.expand(b);
                *last = (expanded.placed_count(), expanded.utilization(problem));
                q.best = Some(expanded);
            }
            q.placed = last.0;
            q.utilization = last.1;
            q.total = problem.total_quantity() as usize;
            on_progress(&q);
        };
        let out = nest_fixed(
            &prep.problem,
            fixed,
            &inner,
            cancel,
            &forward,
            Some(converted),
        )?;
        let layout = prep.expand(&out.layout);
        if prep.check(problem, &layout) {
            return Ok(NestOutcome {
                layout,
                elapsed_s: start.elapsed().as_secs_f64(),
                hull_parts,
                ..out
            });
        }
        // Rare: nest again without part-in-part in the time that is left,
        // reporting times from `start` like the normal path.
        tracing::warn!("part-in-part layout failed validation; nesting again without it");
        let offset_s = start.elapsed().as_secs_f64();
        let retry = NestOptions {
            time_limit_s: (options.time_limit_s - offset_s).max(0.0),
            ..inner
        };
        let shifted = |p: &Progress| {
            let mut q = p.clone();
            q.elapsed_s += offset_s;
            on_progress(&q);
        };
        let out = nest_fixed(problem, fixed, &retry, cancel, &shifted, Some(converted))?;
        return Ok(NestOutcome {
            elapsed_s: start.elapsed().as_secs_f64(),
            ..out
        });
    }
    let sheets = match convert_sheets(problem, cancel) {
        Err(ConvertError::Cancelled) => {
            return Ok(cancelled_outcome(problem, fixed, &fixed_counts, start));
        }
        converted => converted.map_err(map_err)?,
    };
    if let Some(sl) = fixed.sheets.iter().find(|sl| sheets[sl.sheet].is_none()) {
        return Err(NestError::InvalidFixed(format!(
            "sheet type {} has no usable area inside the margin",
            sl.sheet + 1
        )));
    }
    let first_idx = parts.iter().map(|p| p.orientations.len()).sum();
    let fixed_sheets = convert_fixed(problem, fixed, first_idx).map_err(map_err)?;
    let cost_mode = problem.sheets.iter().all(|s| s.cost.is_some());
    let ctx = Ctx {
        problem,
        parts: &parts,
        sheets: &sheets,
        cost_mode,
        fixed: &fixed_sheets,
    };
    let mut base_order = Vec::new();
    let mut extra_unplaced = Vec::new();
    for (i, ps) in parts.iter().enumerate() {
        let q = problem.parts[ps.part].quantity - fixed_counts[ps.part];
        match unplaceable_reason(&ctx, ps) {
            Some(reason) => extra_unplaced.push((ps.part, q, reason)),
            None => base_order.extend(std::iter::repeat_n(i, q as usize)),
        }
    }
    base_order.sort_by(|&a, &b| {
        priority_index(&ctx, a)
            .cmp(&priority_index(&ctx, b))
            .then(parts[b].outer_area.total_cmp(&parts[a].outer_area))
            .then(a.cmp(&b))
    });
    let search = Search {
        ctx,
        base_order,
        extra_unplaced,
        total: problem.total_quantity() as usize,
    };
    // Time-limited runs spend the last part of the budget shortening the
    // last sheet (a strip problem); iteration-limited runs stay repeatable.
    let compact = options.max_iterations.is_none() && options.time_limit_s >= 1.0;
    let phase_share = compact.then_some(last_sheet::RESTART_SHARE);
    let result = search.run(options, phase_share, &pool, cancel, on_progress, start);
    let (mut layout, iterations, stopped) = if compact && result.stopped == StopReason::TimeLimit {
        let time_left = || options.time_limit_s - start.elapsed().as_secs_f64();
        // The phases below time and count their reports from their own start.
        let base_iterations = result.iterations;
        let on_progress = &|p: &Progress| {
            let mut q = p.clone();
            q.elapsed_s = start.elapsed().as_secs_f64();
            q.iterations += base_iterations;
            on_progress(&q);
        };
        // One usable sheet type and nothing locked: all sheets form one
        // strip (fewer sheets, then a shorter last sheet). Only irregular
        // sheets (remnants, hides) in the layout: they form that strip with
        // their outlines, holes and zones as obstacles. Remnants and one
        // standard sheet size in the layout, nothing locked: the standard
        // sheets form that strip, after the remnants as they are. Mixed
        // sizes: see below.
        let usable: Vec<usize> = (0..sheets.len()).filter(|&k| sheets[k].is_some()).collect();
        let unlocked = fixed.sheets.is_empty();
        let chained = match usable.as_slice() {
            _ if !unlocked => None,
            _ if all_irregular(&result.layout, &sheets) => Some(Chained::Irregular),
            &[k] => Some(Chained::Type(k)),
            _ => remnant_tail_type(&result.layout, &sheets).map(Chained::Type),
        };
        // The chained search over the `chained` sheets of `from`, for
        // `time_s` seconds, with at most `max` of them, reporting to `report`.
        let chain = |chained: Chained,
                     from: &Layout,
                     max: Option<usize>,
                     time_s: f64,
                     report: &(dyn Fn(&Progress) + Sync)| {
            strip::sheets::improve_on_sheets(
                problem, &parts, &sheets, chained, from, max, options, time_s, cancel, report,
            )
        };
        let (layout, extra) = match chained {
            Some(c) => chain(c, &result.layout, None, time_left(), on_progress)
                .unwrap_or((result.layout, 0)),
            // Mixed sizes: first try to do without a smaller last sheet, its
            // parts taken into the sheets of the most used size (half the
            // time left, then the rest shortens the new last sheet); else
            // compact the last sheet.
            None => unlocked
                .then(|| absorb_target(&result.layout, &sheets))
                .flatten()
                .and_then(|(k, j)| {
                    let (moved, before) = strip::sheets::last_sheet_as(
                        problem,
                        &result.layout,
                        k,
                        sheets[k].as_ref()?,
                        sheets[j].as_ref()?,
                    )?;
                    let shown = Progress::figures_of(problem, &result.layout);
                    let absorbing = until_improved(shown, on_progress);
                    let (fewer, n) = chain(
                        Chained::Type(k),
                        &moved,
                        Some(before),
                        time_left() / 2.0,
                        &absorbing,
                    )?;
                    Some(
                        match chain(Chained::Type(k), &fewer, None, time_left(), on_progress) {
                            Some((shorter, m)) => (shorter, n + m),
                            None => (fewer, n),
                        },
                    )
                })
                .unwrap_or_else(|| {
                    last_sheet::compact_last_sheet(
                        converted,
                        &result.layout,
                        fixed.sheets.len(),
                        options,
                        time_left(),
                        cancel,
                        on_progress,
                    )
                }),
        };
        let stopped = if cancel.load(std::sync::atomic::Ordering::Relaxed) {
            StopReason::Cancelled
        } else {
            StopReason::TimeLimit
        };
        (layout, result.iterations + extra, stopped)
    } else {
        (result.layout, result.iterations, result.stopped)
    };
    priority::urgent_sheets_first(problem, &mut layout, fixed.sheets.len());
    Ok(NestOutcome {
        layout,
        iterations,
        elapsed_s: start.elapsed().as_secs_f64(),
        stopped,
        hull_parts,
    })
}

/// `on_progress` for a search that starts from a layout the user has not
/// seen (the last sheet relabelled as a larger size): until it reports an
/// improvement, its ticks show `shown`, the figures of the layout the user
/// has, instead of its own.
fn until_improved<'a>(
    shown: (usize, f64, usize),
    on_progress: &'a (dyn Fn(&Progress) + Sync),
) -> impl Fn(&Progress) + Sync + 'a {
    let improved = AtomicBool::new(false);
    move |p: &Progress| {
        if p.improved {
            improved.store(true, Ordering::Relaxed);
        }
        if improved.load(Ordering::Relaxed) {
            return on_progress(p);
        }
        let (sheets, utilization, placed) = shown;
        on_progress(&Progress {
            sheets,
            utilization,
            placed,
            ..p.clone()
        });
    }
}

/// True when every sheet of a non-empty layout is irregular (remnants,
/// hides): they are chained together.
fn all_irregular(layout: &Layout, sheets: &[Option<convert::SheetShape>]) -> bool {
    !layout.sheets.is_empty()
        && layout
            .sheets
            .iter()
            .all(|s| convert::is_irregular(sheets, s.sheet))
}

/// The one standard (rectangular) sheet type of a layout that also holds
/// remnants (irregular sheets), when its other sheets all are remnants.
fn remnant_tail_type(layout: &Layout, sheets: &[Option<convert::SheetShape>]) -> Option<usize> {
    let kinds = || layout.sheets.iter().map(|s| s.sheet);
    let mut standard = kinds().filter(|&k| convert::is_rectangular(sheets, k));
    let k = standard.next()?;
    let one_size = standard.all(|j| j == k);
    (one_size && kinds().any(|j| !convert::is_rectangular(sheets, j))).then_some(k)
}

/// For a layout of several rectangular sizes: the type of its last sheet
/// and the other rectangular type with the most sheets in it, as
/// `(most used, last)`, when the last sheet is rectangular.
fn absorb_target(
    layout: &Layout,
    sheets: &[Option<convert::SheetShape>],
) -> Option<(usize, usize)> {
    let rectangular = |k: usize| convert::is_rectangular(sheets, k);
    let last = layout.sheets.last()?.sheet;
    if !rectangular(last) {
        return None;
    }
    let mut counts: Vec<(usize, usize)> = Vec::new();
    for k in layout.sheets.iter().map(|s| s.sheet) {
        if k == last || !rectangular(k) {
            continue;
        }
        match counts.iter_mut().find(|(j, _)| *j == k) {
            Some((_, n)) => *n += 1,
            None => counts.push((k, 1)),
        }
    }
    // The most sheets; the first seen on a tie.
    let &(most, _) = counts.iter().rev().max_by_key(|&&(_, n)| n)?;
    Some((most, last))
}
