//! Strip packing by overlap minimisation: the sheet height is fixed, the
//! used length is minimised.
//!
//! A constructive bottom-left layout gives the first feasible length. Each
//! worker thread then repeatedly asks for a shorter strip: the items right
//! of a random cut move left by the difference, which creates overlap, and
//! the [`separator`] tries to remove it. A feasible result becomes the new
//! best; after a failure the worker goes back to its best layout, perturbs
//! it (swaps two items) and tries again with a smaller shrink step. The
//! first 80 % of the time explores with large steps, the rest compresses
//! with small ones. Workers are independent and seeded with `(seed, worker)`,
//! so with an iteration limit and a fixed thread count a run is repeatable.

pub mod overlap;
pub mod separator;
pub mod sheets;

use super::construct::{Ctx, Params, construct};
use super::convert::{PartShapes, convert_parts, convert_sheets, to_transform};
use super::{NestError, NestOptions, Progress, StopReason, check_problem, map_convert_error};
use crate::problem::{Layout, NestProblem, Placement, SheetLayout, Unplaced};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use separator::{Pose, SepBudget, Separator};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, mpsc};
use std::time::{Duration, Instant};

/// Share of the time spent exploring (large shrink steps).
const EXPLORE_SHARE: f64 = 0.8;
/// First shrink step while exploring (fraction of the length).
const EXPLORE_STEP: f32 = 0.02;
/// Smallest shrink step while exploring.
const EXPLORE_MIN_STEP: f32 = 0.002;
/// First and smallest shrink step while compressing.
const COMPRESS_STEP: f32 = 0.002;
const COMPRESS_MIN_STEP: f32 = 0.0001;
/// Separations tried on one infeasible layout before going back to the best one.
const ATTEMPTS_PER_TARGET: u32 = 3;
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
    slabs: Vec<[f32; 2]>,
    kinds: Vec<usize>,
    start_poses: Vec<Pose>,
    deadline: Instant,
    explore_until: Instant,
    max_iter: u64,
    /// Workers adopt each other's best layouts (only without an iteration
    /// limit: sharing depends on timing).
    share: bool,
    cancel: &'a AtomicBool,
    iterations: AtomicU64,
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
    let start = Instant::now();
    check_problem(problem, options)?;
    let parts = convert_parts(problem).map_err(map_convert_error)?;
    let sheets = convert_sheets(problem).map_err(map_convert_error)?;
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
    let poses: Vec<Pose> = placed
        .iter()
        .map(|p| Pose {
            orient: p.orient,
            t: p.t,
        })
        .collect();
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
                    transform: to_transform(&ps.orientations[p.orient], p.t),
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
        slabs: vec![],
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
        elapsed_s: start.elapsed().as_secs_f64(),
        stopped: found.stopped,
        threads: found.threads,
    })
}

/// Receives every improvement (poses, right end of the used strip) and,
/// with `None`, periodic ticks; the second argument counts iterations.
pub(crate) type ReportFn<'r> = dyn Fn(Option<(&[Pose], f32)>, u64) + 'r;

/// A strip search ready to run: items, their feasible starting poses, the
/// strip `[x0, y0, x1, y1]` and slabs no item may overlap.
pub(crate) struct SearchRun<'a> {
    pub parts: &'a [PartShapes],
    pub kinds: Vec<usize>,
    pub poses: Vec<Pose>,
    pub strip: [f32; 4],
    pub slabs: Vec<[f32; 2]>,
}

/// What a strip search found.
pub(crate) struct Found {
    pub poses: Vec<Pose>,
    pub iterations: u64,
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
            slabs: self.slabs,
            kinds: self.kinds.clone(),
            start_poses: self.poses.clone(),
            deadline: start + limit,
            explore_until: start + limit.mul_f64(EXPLORE_SHARE),
            max_iter: options.max_iterations.unwrap_or(u64::MAX),
            share: options.max_iterations.is_none(),
            cancel,
            iterations: AtomicU64::new(0),
            best: Mutex::new(Some(Best {
                length: used0 - x0,
                worker: usize::MAX,
                poses: self.poses.clone(),
            })),
        };
        let (tx, rx) = mpsc::channel::<(Vec<Pose>, f32)>();
        let stopped = std::thread::scope(|sc| {
            let handles: Vec<_> = (0..threads)
                .map(|w| {
                    let tx = tx.clone();
                    let shared = &shared;
                    sc.spawn(move || worker(shared, options.seed, w, &tx))
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
            stopped,
            threads,
        }
    }
}

fn worker_seed(seed: u64, w: usize) -> u64 {
    let mut z = seed ^ (w as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Swaps the positions of two random items of different part shapes.
fn swap_two(sep: &mut Separator, rng: &mut ChaCha8Rng) {
    let n = sep.len();
    if n < 2 {
        return;
    }
    for _ in 0..20 {
        let (i, j) = (rng.random_range(0..n), rng.random_range(0..n));
        if sep.kinds()[i] == sep.kinds()[j] {
            continue;
        }
        let (pi, pj) = (sep.poses()[i], sep.poses()[j]);
        let a = sep.clamp_pose(
            i,
            Pose {
                orient: pi.orient,
                t: pj.t,
            },
        );
        let b = sep.clamp_pose(
            j,
            Pose {
                orient: pj.orient,
                t: pi.t,
            },
        );
        sep.apply(i, a);
        sep.apply(j, b);
        return;
    }
}

/// Moves the items right of a random cut left so that everything fits in
/// `[x0, target]`, creating the overlap the separator must remove.
fn shrink_to(sep: &mut Separator, x0: f32, target: f32, rng: &mut ChaCha8Rng) {
    let used = sep.used_x();
    let delta = used - target;
    sep.set_right(target);
    if delta <= 0.0 {
        return;
    }
    let cut = rng.random_range(x0..=target.max(x0));
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

fn worker(sh: &Shared, seed: u64, w: usize, tx: &mpsc::Sender<(Vec<Pose>, f32)>) -> StopReason {
    let mut rng = ChaCha8Rng::seed_from_u64(worker_seed(seed, w));
    let Ok(mut sep) = Separator::new(
        sh.parts,
        sh.kinds.clone(),
        sh.start_poses.clone(),
        sh.strip,
        sh.slabs.clone(),
    ) else {
        return StopReason::Cancelled;
    };
    let x0 = sh.strip[0];
    let stop = || sh.cancel.load(Ordering::Relaxed) || Instant::now() >= sh.deadline;
    let mut best_poses = sh.start_poses.clone();
    let mut best_len = sep.used_x() - x0;
    let mut step = EXPLORE_STEP;
    let mut compressing = false;
    let mut fails = 0u32;
    // True while the separator works on an infeasible layout at a target length.
    let mut attempt_open = false;
    let mut iters = 0u64;
    let mut oks = 0u64;
    loop {
        if sh.cancel.load(Ordering::Relaxed) {
            return StopReason::Cancelled;
        }
        if Instant::now() >= sh.deadline {
            tracing::debug!(
                "strip worker {w}: {iters} separations, {oks} feasible, {} collision queries, length {best_len}",
                sep.evals
            );
            return StopReason::TimeLimit;
        }
        if iters >= sh.max_iter {
            return StopReason::IterationLimit;
        }
        if !compressing && Instant::now() >= sh.explore_until {
            compressing = true;
            step = COMPRESS_STEP;
        }
        iters += 1;
        sh.iterations.fetch_add(1, Ordering::Relaxed);
        if attempt_open {
            // Keep working on the infeasible layout: disturb it a little.
            swap_two(&mut sep, &mut rng);
        } else {
            if sh.share {
                // Adopt another worker's better layout.
                let g = sh.best.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(b) = g.as_ref()
                    && b.length < best_len * 0.9999
                {
                    best_len = b.length;
                    best_poses.clone_from(&b.poses);
                }
            }
            sep.set_right(x0 + best_len);
            sep.set_poses(&best_poses);
            let target = x0 + best_len * (1.0 - step);
            shrink_to(&mut sep, x0, target, &mut rng);
            attempt_open = true;
        }
        let budget = SepBudget {
            strikes: 3,
            stall_sweeps: if compressing { 25 } else { 50 },
        };
        if sep.separate(budget, &mut rng, &stop) {
            best_len = sep.used_x() - x0;
            best_poses = sep.poses().to_vec();
            fails = 0;
            oks += 1;
            attempt_open = false;
            let mut g = sh.best.lock().unwrap_or_else(|e| e.into_inner());
            let better = g
                .as_ref()
                .is_none_or(|b| best_len < b.length || (best_len == b.length && w < b.worker));
            if better {
                *g = Some(Best {
                    length: best_len,
                    worker: w,
                    poses: best_poses.clone(),
                });
                drop(g);
                let _ = tx.send((best_poses.clone(), best_len + x0));
            }
        } else {
            fails += 1;
            let min = if compressing {
                COMPRESS_MIN_STEP
            } else {
                EXPLORE_MIN_STEP
            };
            if fails.is_multiple_of(ATTEMPTS_PER_TARGET) {
                // Give up on this target: restart from the best layout with a smaller step.
                attempt_open = false;
                step = (step * 0.7).max(min);
            }
        }
    }
}
