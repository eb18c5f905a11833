//! Strip packing by overlap minimisation: the sheet height is fixed, the
//! used length is minimised.
//!
//! A constructive bottom-left layout gives the first feasible length. Each
//! worker thread then solves a sequence of feasibility problems at shrinking
//! lengths: the items right of a cut move left, which creates overlap, and
//! the [`separator`] tries to remove it.
//!
//! - Exploration (the first 80 % of the time): after every feasible layout
//!   the strip shrinks by 0.1 %. A failed separation goes into a pool of
//!   infeasible layouts; the next attempt at the same length starts from one
//!   of them (the better ones more likely), disturbed by swapping two large
//!   items (and the items lying on them).
//! - Compression (the rest): from the best layout, shrink steps from 0.05 %
//!   down to 0.001 % over the time left, at random cuts.
//!
//! Each worker is a team of two separators that sweep the same layout in
//! parallel and keep the better sweep (2 cores: one worker). Workers adopt
//! each other's best layouts. They are seeded with `(seed, worker)`; with an
//! iteration limit they share nothing, so a run with a fixed thread count is
//! repeatable. The scheme is the one of sparrow
//! (arXiv 2509.13329); the code is ours.

pub mod boxes;
pub mod obstacle;
pub mod overlap;
pub mod pairs;
pub mod sample;
pub mod separator;
pub mod sheets;
pub mod team;

use super::construct::{Ctx, Params, construct};
use super::convert::{
    ConvertError, Converted, PartShapes, STRIP_FREE_ROTATION_STEP_DEG, convert_parts_reusing,
    convert_sheets, to_turned_transform, warn_hull_parts,
};
use super::{
    NestError, NestOptions, Progress, StopReason, cancelled_outcome, check_problem,
    map_convert_error,
};
use crate::problem::{Layout, NestProblem, Placement, SheetLayout, Unplaced};
use obstacle::Barriers;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use separator::{Pose, Separator};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, mpsc};
use std::time::{Duration, Instant};
use team::{SepBudget, Team};

/// Share of the time spent exploring.
const EXPLORE_SHARE: f64 = 0.8;
/// Shrink step after each feasible layout while exploring (share of the length).
const EXPLORE_STEP: f32 = 0.001;
/// Shrink steps while compressing: from the first to the last over the time.
const COMPRESS_STEPS: (f32, f32) = (0.0005, 0.00001);
/// Separation budgets while exploring and compressing. An exploring
/// separation ends after six rounds even while it still progresses, so that
/// a stalled exploration gets more restarts (on 161 items single separations
/// took 10–17 s without the cap; benches/README, "A cap on exploring
/// separations").
const EXPLORE_BUDGET: SepBudget = SepBudget {
    strikes: 3,
    stall_sweeps: 200,
    max_rounds: 6,
};
const COMPRESS_BUDGET: SepBudget = SepBudget {
    strikes: 5,
    stall_sweeps: 100,
    max_rounds: usize::MAX,
};
/// Infeasible layouts kept per length while exploring.
const POOL_SIZE: usize = 32;
/// Spread of the choice in the pool (share of the pool, half-normal).
const POOL_SPREAD: f32 = 0.25;
/// Items with the largest hulls, making up this share of the total hull
/// area, count as large for the swap.
const LARGE_SHARE: f32 = 0.75;
/// Separators sweeping one search trajectory together (see [`team`]); the
/// worker threads are split into trajectories of this many. Two (one
/// trajectory on a 2-core machine) beat two independent trajectories in the
/// 60 s density table: +0.47 points on average, fu +1.4, shapes1 +2.9.
const TEAM_SIZE: usize = 2;
const PROGRESS_EVERY: Duration = Duration::from_millis(150);

/// The result of a strip packing run.
#[derive(Clone, Debug)]
pub struct StripOutcome {
    /// One sheet (index 0 of the problem) holding every placed part.
    pub layout: Layout,
    /// Used length: largest x of any placed part outline (mm).
    pub length_mm: f64,
    /// Separation attempts (shrink steps) made by all workers.
    pub iterations: u64,
    /// Collision queries (pose evaluations) made by all workers: the
    /// search's work, for throughput measurements.
    pub collision_queries: u64,
    pub elapsed_s: f64,
    pub stopped: StopReason,
    /// Worker threads used.
    pub threads: usize,
}

/// Best feasible layout shared between the workers and the caller.
struct Best {
    length: f32,
    worker: usize,
    poses: Vec<Pose>,
}

struct Shared<'a> {
    parts: &'a [PartShapes],
    strip: [f32; 4],
    barriers: Barriers,
    kinds: Vec<usize>,
    start_poses: Vec<Pose>,
    /// Start of the run (for the log).
    start: Instant,
    deadline: Instant,
    explore_until: Instant,
    max_iter: u64,
    /// Workers adopt each other's best layouts (only without an iteration
    /// limit: sharing depends on timing).
    share: bool,
    cancel: &'a AtomicBool,
    iterations: AtomicU64,
    /// Pose evaluations, added by each worker when it ends.
    evals: AtomicU64,
    best: Mutex<Option<Best>>,
}

/// Packs every part of `problem` into its first sheet type, used as a strip
/// of fixed height (`height_mm`) and maximum length (`width_mm`), and
/// minimises the used length. `on_progress` gets every improvement.
pub fn nest_strip(
    problem: &NestProblem,
    options: &NestOptions,
    cancel: &AtomicBool,
    on_progress: &(dyn Fn(&Progress) + Sync),
) -> Result<StripOutcome, NestError> {
    strip_with(problem, options, cancel, on_progress, None)
}

/// [`nest_strip`] for the job itself (`earlier` is `None`: the parts nested
/// by their convex hull are logged) or for a sub-problem, whose parts reuse
/// the shapes of the `earlier` conversion.
pub(crate) fn strip_with(
    problem: &NestProblem,
    options: &NestOptions,
    cancel: &AtomicBool,
    on_progress: &(dyn Fn(&Progress) + Sync),
    earlier: Option<Converted>,
) -> Result<StripOutcome, NestError> {
    let start = Instant::now();
    check_problem(problem, options)?;
    if problem.sheets[0].outline.is_some() {
        return Err(NestError::InvalidSheet {
            sheet: 0,
            reason: "strip packing needs a rectangular strip, not an irregular outline".into(),
        });
    }
    let step_deg = STRIP_FREE_ROTATION_STEP_DEG;
    let parts = match convert_parts_reusing(problem, step_deg, earlier, cancel) {
        Err(ConvertError::Cancelled) => {
            let zero = vec![0; problem.parts.len()];
            let out = cancelled_outcome(problem, &Layout::default(), &zero, start);
            return Ok(StripOutcome {
                layout: out.layout,
                length_mm: 0.0,
                iterations: 0,
                collision_queries: 0,
                elapsed_s: out.elapsed_s,
                stopped: out.stopped,
                threads: options.threads.unwrap_or_else(rayon::current_num_threads),
            });
        }
        converted => converted.map_err(map_convert_error)?,
    };
    if earlier.is_none() {
        warn_hull_parts(problem, &parts);
    }
    // One rectangle: converted at once, never cancelled.
    let sheets = convert_sheets(problem, &AtomicBool::new(false)).map_err(map_convert_error)?;
    let Some(sheet) = sheets.first().and_then(Option::as_ref) else {
        return Err(NestError::InvalidSheet {
            sheet: 0,
            reason: "the strip has no usable area after the margin".into(),
        });
    };
    let strip_problem_sheets = NestProblem {
        sheets: vec![crate::problem::SheetSpec {
            count: Some(1),
            cost: None,
            ..problem.sheets[0].clone()
        }],
        ..problem.clone()
    };
    let ctx = Ctx {
        problem: &strip_problem_sheets,
        parts: &parts,
        sheets: &sheets[..1],
        cost_mode: false,
        fixed: &[],
    };
    let mut order: Vec<usize> = Vec::new();
    for (i, ps) in parts.iter().enumerate() {
        order.extend(std::iter::repeat_n(
            i,
            problem.parts[ps.part].quantity as usize,
        ));
    }
    order.sort_by(|&a, &b| {
        parts[b]
            .outer_area
            .total_cmp(&parts[a].outer_area)
            .then(a.cmp(&b))
    });
    let mut rng = ChaCha8Rng::seed_from_u64(options.seed);
    let never = || cancel.load(Ordering::Relaxed);
    let Some(first) = construct(&ctx, &order, &Params::greedy(), &mut rng, &never, true) else {
        return Err(NestError::Engine(
            "the first layout could not be built".into(),
        ));
    };
    let placed = first
        .sheets
        .first()
        .map(|(_, p)| p.clone())
        .unwrap_or_default();
    let kinds: Vec<usize> = placed.iter().map(|p| p.shape).collect();
    let poses: Vec<Pose> = placed.iter().map(|p| Pose::new(p.orient, p.t)).collect();
    let mut unplaced: Vec<Unplaced> = Vec::new();
    for (i, reason) in &first.unplaced {
        let part = parts[*i].part;
        match unplaced
            .iter_mut()
            .find(|u| u.part == part && u.reason == *reason)
        {
            Some(u) => u.count += 1,
            None => unplaced.push(Unplaced {
                part,
                count: 1,
                reason: reason.clone(),
            }),
        }
    }
    let used0 = placed.iter().map(|p| p.bbox[2]).fold(sheet.x_min, f32::max);
    let to_layout = |kinds: &[usize], poses: &[Pose]| {
        let mut copies = vec![0u32; problem.parts.len()];
        let placements = kinds
            .iter()
            .zip(poses)
            .map(|(&k, p)| {
                let ps = &parts[k];
                copies[ps.part] += 1;
                Placement {
                    part: ps.part,
                    copy: copies[ps.part],
                    transform: to_turned_transform(&ps.orientations[p.orient], p.turn_rad, p.t),
                }
            })
            .collect();
        Layout {
            sheets: vec![SheetLayout {
                sheet: 0,
                placements,
            }],
            unplaced: unplaced.clone(),
        }
    };
    let total = problem.total_quantity() as usize;
    let area: f64 = kinds.iter().map(|&k| parts[k].area).sum();
    let first_layout = to_layout(&kinds, &poses);
    let current = Mutex::new((first_layout.clone(), f64::from(used0)));
    let report = |update: Option<(&[Pose], f32)>, iterations: u64| {
        let mut cur = current.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((p, len)) = update {
            *cur = (to_layout(&kinds, p), f64::from(len));
        }
        on_progress(&Progress {
            elapsed_s: start.elapsed().as_secs_f64(),
            iterations,
            sheets: 1,
            utilization: area / (cur.1 * problem.sheets[0].height_mm).max(1e-12),
            placed: kinds.len(),
            total,
            improved: update.is_some(),
            best: update.is_some().then(|| cur.0.clone()),
        });
    };
    report(Some((&poses, used0)), 0);
    let run = SearchRun {
        parts: &parts,
        kinds: kinds.clone(),
        poses,
        strip: [sheet.x_min, sheet.y_min, used0, sheet.y_max],
        barriers: Barriers::default(),
    };
    let found = run.run(options, cancel, start, &report);
    let layout = to_layout(&kinds, &found.poses);
    let length_mm = if layout.sheets[0].placements.is_empty() {
        0.0
    } else {
        layout.used_length(problem, 0)
    };
    Ok(StripOutcome {
        layout,
        length_mm,
        iterations: found.iterations,
        collision_queries: found.collision_queries,
        elapsed_s: start.elapsed().as_secs_f64(),
        stopped: found.stopped,
        threads: found.threads,
    })
}

/// Receives every improvement (poses, right end of the used strip) and,
/// with `None`, periodic ticks; the second argument counts iterations.
pub(crate) type ReportFn<'r> = dyn Fn(Option<(&[Pose], f32)>, u64) + 'r;

/// A strip search ready to run: items, their feasible starting poses, the
/// strip `[x0, y0, x1, y1]` and the barriers no item may overlap.
pub(crate) struct SearchRun<'a> {
    pub parts: &'a [PartShapes],
    pub kinds: Vec<usize>,
    pub poses: Vec<Pose>,
    pub strip: [f32; 4],
    pub barriers: Barriers,
}

/// What a strip search found.
pub(crate) struct Found {
    pub poses: Vec<Pose>,
    pub iterations: u64,
    pub collision_queries: u64,
    pub stopped: StopReason,
    pub threads: usize,
}

impl SearchRun<'_> {
    /// Runs the workers until the time or iteration limit or a cancel.
    /// `report` is called from this thread with every improvement (poses,
    /// right end) and with `None` at least every [`PROGRESS_EVERY`].
    pub fn run(
        self,
        options: &NestOptions,
        cancel: &AtomicBool,
        start: Instant,
        report: &ReportFn,
    ) -> Found {
        let threads = options
            .threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
            .max(1);
        let limit = Duration::from_secs_f64(options.time_limit_s.clamp(0.0, 1e7));
        let x0 = self.strip[0];
        let used0 = self.strip[2];
        let shared = Shared {
            parts: self.parts,
            strip: self.strip,
            barriers: self.barriers,
            kinds: self.kinds.clone(),
            start_poses: self.poses.clone(),
            start,
            deadline: start + limit,
            explore_until: start + limit.mul_f64(EXPLORE_SHARE),
            max_iter: options.max_iterations.unwrap_or(u64::MAX),
            share: options.max_iterations.is_none(),
            cancel,
            iterations: AtomicU64::new(0),
            evals: AtomicU64::new(0),
            best: Mutex::new(Some(Best {
                length: used0 - x0,
                worker: usize::MAX,
                poses: self.poses.clone(),
            })),
        };
        let (tx, rx) = mpsc::channel::<(Vec<Pose>, f32)>();
        // Teams of TEAM_SIZE threads; with an odd count the last is smaller,
        // so no thread is left idle.
        let team = TEAM_SIZE.clamp(1, threads);
        let workers = threads.div_ceil(team);
        let stopped = std::thread::scope(|sc| {
            let handles: Vec<_> = (0..workers)
                .map(|w| {
                    let tx = tx.clone();
                    let shared = &shared;
                    let gens = w * team..((w + 1) * team).min(threads);
                    sc.spawn(move || worker(shared, options.seed, w, gens, &tx))
                })
                .collect();
            drop(tx);
            let mut last = Instant::now();
            loop {
                match rx.recv_timeout(Duration::from_millis(50)) {
                    Ok((p, len)) => {
                        report(Some((&p, len)), shared.iterations.load(Ordering::Relaxed));
                        last = Instant::now();
                    }
                    Err(mpsc::RecvTimeoutError::Timeout) => {
                        if last.elapsed() >= PROGRESS_EVERY {
                            report(None, shared.iterations.load(Ordering::Relaxed));
                            last = Instant::now();
                        }
                    }
                    Err(mpsc::RecvTimeoutError::Disconnected) => break,
                }
            }
            let reasons: Vec<StopReason> = handles
                .into_iter()
                .map(|h| h.join().unwrap_or(StopReason::Cancelled))
                .collect();
            if reasons.contains(&StopReason::Cancelled) {
                StopReason::Cancelled
            } else if reasons.contains(&StopReason::TimeLimit) {
                StopReason::TimeLimit
            } else {
                StopReason::IterationLimit
            }
        });
        let best = shared.best.into_inner().unwrap_or_else(|e| e.into_inner());
        let poses = match best {
            Some(b) => b.poses,
            None => self.poses,
        };
        Found {
            poses,
            iterations: shared.iterations.load(Ordering::Relaxed),
            collision_queries: shared.evals.load(Ordering::Relaxed),
            stopped,
            threads,
        }
    }
}

impl Shared<'_> {
    /// Logs one separation at strip length `target` (debug level, target
    /// `nesting`): feasible without a `loss`, or failed with its remaining
    /// loss and, while exploring, the number of failed layouts pooled at this
    /// length before it.
    fn log_separation(
        &self,
        w: usize,
        phase: &str,
        target: f32,
        loss: Option<f32>,
        pooled: Option<usize>,
    ) {
        tracing::debug!(
            worker = w,
            phase,
            elapsed_s = self.start.elapsed().as_secs_f32(),
            length = target,
            loss,
            pooled,
            "separation {}",
            if loss.is_none() { "feasible" } else { "failed" }
        );
    }

    /// Why a worker should stop now, if it should: cancel, the time or
    /// iteration limit, or the end of its current phase (`phase_end`).
    fn stop_reason(&self, iters: u64, phase_end: Instant) -> Option<StopReason> {
        let now = Instant::now();
        if self.cancel.load(Ordering::Relaxed) {
            Some(StopReason::Cancelled)
        } else if now >= self.deadline {
            Some(StopReason::TimeLimit)
        } else if iters >= self.max_iter {
            Some(StopReason::IterationLimit)
        } else {
            (now >= phase_end).then_some(StopReason::TimeLimit)
        }
    }
}

fn worker_seed(seed: u64, w: usize) -> u64 {
    let mut z = seed ^ (w as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Hull area above which an item counts as large (see [`LARGE_SHARE`]).
fn large_cutoff(sep: &Separator) -> f32 {
    let mut hulls: Vec<f32> = (0..sep.len())
        .map(|i| sep.shape(i).surrogate().convex_hull_area)
        .collect();
    hulls.sort_by(|a, b| b.total_cmp(a));
    let total: f32 = hulls.iter().sum();
    let mut sum = 0.0;
    for h in &hulls {
        sum += h;
        if sum > total * LARGE_SHARE {
            return *h;
        }
    }
    0.0
}

/// Swaps two large items of different shapes (each takes the other's place,
/// in its own orientation closest to the other's angle) and moves the items
/// that lay on a swapped item's new place into the space it left.
fn disrupt(sep: &mut Separator, cutoff: f32, rng: &mut ChaCha8Rng) {
    let n = sep.len();
    if n < 2 {
        return;
    }
    let hull = |sep: &Separator, i: usize| sep.shape(i).surrogate().convex_hull_area;
    let large: Vec<usize> = (0..n).filter(|&i| hull(sep, i) >= cutoff).collect();
    let Some(&a) = large.get(rng.random_range(0..large.len().max(1))) else {
        return;
    };
    let differs = |sep: &Separator, j: usize| {
        let (sa, sj) = (sep.shape(a), sep.shape(j));
        (sa.area() - sj.area()).abs() > sa.area() * 0.01
            && (sa.diameter() - sj.diameter()).abs() > sa.diameter() * 0.01
    };
    let others: Vec<usize> = large.iter().copied().filter(|&j| differs(sep, j)).collect();
    let b = match others.len() {
        0 => {
            let j = rng.random_range(0..n - 1);
            if j >= a { j + 1 } else { j }
        }
        k => others[rng.random_range(0..k)],
    };
    let (pa, pb) = (sep.poses()[a], sep.poses()[b]);
    let ((ang_a, mir_a), (ang_b, mir_b)) = (sep.angle_at(a, pa), sep.angle_at(b, pb));
    let new_a = sep.clamp_pose(a, sep.pose_at_angle(a, ang_b, mir_b, pb.t));
    let new_b = sep.clamp_pose(b, sep.pose_at_angle(b, ang_a, mir_a, pa.t));
    sep.apply(a, new_a);
    sep.apply(b, new_b);
    for (moved, other, from, to) in [(a, b, pa, new_a), (b, a, pb, new_b)] {
        let shift = (from.t.0 - to.t.0, from.t.1 - to.t.1);
        for c in sep.contained_in(moved) {
            if c == other {
                continue;
            }
            let p = sep.poses()[c];
            let q = sep.clamp_pose(
                c,
                Pose {
                    t: (p.t.0 + shift.0, p.t.1 + shift.1),
                    ..p
                },
            );
            sep.apply(c, q);
        }
    }
}

/// Moves the items right of `cut` left so that everything fits in
/// `[x0, target]`, creating the overlap the separator must remove.
fn shrink_to(sep: &mut Separator, cut: f32, target: f32) {
    let delta = sep.used_x() - target;
    sep.set_right(target);
    if delta <= 0.0 {
        return;
    }
    for i in 0..sep.len() {
        let p = sep.poses()[i];
        let mut q = p;
        if p.t.0 >= cut {
            q.t.0 -= delta;
        }
        let q = sep.clamp_pose(i, q);
        if q != p {
            sep.apply(i, q);
        }
    }
}

/// A half-normal index into a pool of `n` (small indices more likely).
fn pool_index(n: usize, rng: &mut ChaCha8Rng) -> usize {
    // Box-Muller on two uniforms.
    let u1: f32 = rng.random_range(f32::EPSILON..1.0);
    let u2: f32 = rng.random();
    let z = (-2.0 * u1.ln()).sqrt() * (std::f32::consts::TAU * u2).cos();
    let x = (z.abs() * POOL_SPREAD).min(0.999);
    ((x * n as f32) as usize).min(n.saturating_sub(1))
}

/// One worker's search state: its best feasible layout and length.
struct WorkerBest {
    len: f32,
    poses: Vec<Pose>,
}

impl WorkerBest {
    /// Takes the shared best when it is shorter. Returns true if it did.
    fn adopt(&mut self, sh: &Shared) -> bool {
        if !sh.share {
            return false;
        }
        let g = sh.best.lock().unwrap_or_else(|e| e.into_inner());
        match g.as_ref() {
            Some(b) if b.length < self.len * 0.99999 => {
                self.len = b.length;
                self.poses.clone_from(&b.poses);
                true
            }
            _ => false,
        }
    }

    /// Records a feasible layout; shares and reports it when it is the best
    /// of all workers.
    fn record(
        &mut self,
        sep: &Separator,
        sh: &Shared,
        w: usize,
        tx: &mpsc::Sender<(Vec<Pose>, f32)>,
    ) {
        let x0 = sh.strip[0];
        self.len = sep.used_x() - x0;
        self.poses = sep.poses().to_vec();
        let mut g = sh.best.lock().unwrap_or_else(|e| e.into_inner());
        let better = g
            .as_ref()
            .is_none_or(|b| self.len < b.length || (self.len == b.length && w < b.worker));
        if better {
            *g = Some(Best {
                length: self.len,
                worker: w,
                poses: self.poses.clone(),
            });
            drop(g);
            let _ = tx.send((self.poses.clone(), self.len + x0));
        }
    }

    /// Loads the best layout into the separator and shrinks it by `step`
    /// at `cut` (a share of the length from the left), with fresh weights.
    fn shrink_from(&self, sep: &mut Separator, x0: f32, step: f32, cut: f32) {
        sep.set_right(x0 + self.len);
        sep.set_poses(&self.poses);
        shrink_to(sep, x0 + self.len * cut, x0 + self.len * (1.0 - step));
        sep.reset_weights();
    }
}

/// A worker: one search trajectory, swept by a team of separators, one per
/// generator index in `gens` (unique across the workers).
fn worker(
    sh: &Shared,
    seed: u64,
    w: usize,
    gens: std::ops::Range<usize>,
    tx: &mpsc::Sender<(Vec<Pose>, f32)>,
) -> StopReason {
    let new_sep = || {
        Separator::new(
            sh.parts,
            sh.kinds.clone(),
            sh.start_poses.clone(),
            sh.strip,
            &sh.barriers,
        )
    };
    let Ok(members) = gens
        .clone()
        .map(|_| new_sep())
        .collect::<Result<Vec<_>, _>>()
    else {
        return StopReason::Cancelled;
    };
    let rngs = gens
        .map(|g| ChaCha8Rng::seed_from_u64(worker_seed(seed, g)))
        .collect();
    let mut team = Team::new(members, rngs);
    let x0 = sh.strip[0];
    let cutoff = large_cutoff(team.lead());
    let mut best = WorkerBest {
        len: team.lead().used_x() - x0,
        poses: sh.start_poses.clone(),
    };
    let mut iters = 0u64;
    let mut oks = 0u64;
    let stop_at = |t: Instant| move || sh.cancel.load(Ordering::Relaxed) || Instant::now() >= t;

    // Exploration: shrink after every success, retry from the pool after a failure.
    let mut pool: Vec<(f32, Vec<Pose>)> = Vec::new();
    best.shrink_from(team.lead_mut(), x0, EXPLORE_STEP, 0.5);
    let explore_end = sh.explore_until.min(sh.deadline);
    while sh.stop_reason(iters, explore_end).is_none() {
        iters += 1;
        sh.iterations.fetch_add(1, Ordering::Relaxed);
        let target = team.lead().right() - x0;
        if team.separate(EXPLORE_BUDGET, &stop_at(explore_end)) {
            oks += 1;
            sh.log_separation(w, "explore", target, None, None);
            best.record(team.lead(), sh, w, tx);
            best.adopt(sh);
            pool.clear();
            best.shrink_from(team.lead_mut(), x0, EXPLORE_STEP, 0.5);
            continue;
        }
        if best.adopt(sh) {
            pool.clear();
            best.shrink_from(team.lead_mut(), x0, EXPLORE_STEP, 0.5);
            continue;
        }
        let loss = team.lead().total_loss();
        sh.log_separation(w, "explore", target, Some(loss), Some(pool.len()));
        let at = pool.partition_point(|(l, _)| *l <= loss);
        pool.insert(at, (loss, team.lead().poses().to_vec()));
        pool.truncate(POOL_SIZE);
        let pick = pool_index(pool.len(), team.rng());
        let mut rng = team.rng().clone();
        let sep = team.lead_mut();
        sep.set_poses(&pool[pick].1);
        sep.reset_weights();
        disrupt(sep, cutoff, &mut rng);
        *team.rng() = rng;
    }

    // Compression: small shrinks of the best layout at random cuts.
    let compress_start = Instant::now();
    let compress_s = sh
        .deadline
        .saturating_duration_since(compress_start)
        .as_secs_f32();
    let reason = loop {
        if let Some(r) = sh.stop_reason(iters, sh.deadline) {
            break r;
        }
        iters += 1;
        sh.iterations.fetch_add(1, Ordering::Relaxed);
        best.adopt(sh);
        let ratio = (compress_start.elapsed().as_secs_f32() / compress_s.max(1e-3)).min(1.0);
        let step = COMPRESS_STEPS.0 + (COMPRESS_STEPS.1 - COMPRESS_STEPS.0) * ratio;
        let cut: f32 = team.rng().random();
        best.shrink_from(team.lead_mut(), x0, step, cut);
        let target = team.lead().right() - x0;
        if team.separate(COMPRESS_BUDGET, &stop_at(sh.deadline)) {
            oks += 1;
            sh.log_separation(w, "compress", target, None, None);
            best.record(team.lead(), sh, w, tx);
        } else {
            let loss = Some(team.lead().total_loss());
            sh.log_separation(w, "compress", target, loss, None);
        }
    };
    sh.evals.fetch_add(team.lead().evals, Ordering::Relaxed);
    tracing::debug!(
        "strip worker {w}: {iters} separations, {oks} feasible, {} collision queries, length {}",
        team.lead().evals,
        best.len
    );
    reason
}
