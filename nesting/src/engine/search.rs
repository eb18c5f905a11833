//! Randomised restarts of the constructive placement, run in parallel on a
//! rayon pool; the best solution by (objective, restart index) is kept.
//!
//! Restart `i` draws everything from a ChaCha8 generator seeded with
//! `(seed, i)`, and restarts run in fixed-size batches, so with an iteration
//! limit the result is the same whatever the thread count or timing. With
//! only a time limit the result is the best of the restarts that completed.

use super::construct::{
    CANCELLED_REASON, Ctx, Objective, Params, Solution, construct, priority_index, to_layout,
};
use super::{NestOptions, Progress, StopReason};
use crate::problem::Layout;
use crate::problem::PRIORITY_LAST;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, mpsc};
use std::time::{Duration, Instant};

/// Restarts started together; fixed so that results do not depend on the thread count.
const BATCH: u64 = 16;
/// Progress is reported at least this often.
const PROGRESS_EVERY: Duration = Duration::from_millis(150);

/// The finished search.
#[derive(Debug)]
pub struct SearchResult {
    pub layout: Layout,
    pub iterations: u64,
    pub stopped: StopReason,
}

/// What the restarts share.
#[derive(Debug)]
pub struct Search<'a> {
    pub ctx: Ctx<'a>,
    /// Items (part-shape indices, one per copy), the most urgent priority
    /// first, then in decreasing outer area.
    pub base_order: Vec<usize>,
    /// Copies known to be unplaceable before the search: part, count, reason.
    pub extra_unplaced: Vec<(usize, u32, String)>,
    /// Total copies asked for.
    pub total: usize,
}

fn restart_seed(seed: u64, i: u64) -> u64 {
    // SplitMix64 over the pair, so neighbouring restarts get unrelated streams.
    let mut z = seed ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Search<'_> {
    fn order_and_params(&self, i: u64, rng: &mut ChaCha8Rng) -> (Vec<usize>, Params) {
        if i == 0 {
            return (self.base_order.clone(), Params::greedy());
        }
        let by_length = rng.random::<f64>() < 0.4;
        let sigma: f64 = rng.random_range(0.05..0.7);
        let mut keyed: Vec<(f64, usize)> = self
            .base_order
            .iter()
            .map(|&s| {
                let ps = &self.ctx.parts[s];
                let metric = if by_length {
                    ps.size.0.max(ps.size.1).powi(2)
                } else {
                    ps.outer_area
                };
                let noise: f64 = rng.random_range(-1.0..1.0);
                (metric * (sigma * noise).exp(), s)
            })
            .collect();
        // The noise reorders parts within a priority, never across.
        keyed.sort_by(|a, b| {
            priority_index(&self.ctx, a.1)
                .cmp(&priority_index(&self.ctx, b.1))
                .then(b.0.total_cmp(&a.0))
                .then(a.1.cmp(&b.1))
        });
        let params = Params {
            y_weight: rng.random_range(0.0..0.4),
            random_samples: 24,
            refine: rng.random_range(2..=4),
            sheet_randomness: 0.3,
            repack_attempts: 3,
        };
        (keyed.into_iter().map(|(_, s)| s).collect(), params)
    }

    /// Runs restart `i`; restart 0 keeps its partial layout when stopped.
    fn run_restart(&self, seed: u64, i: u64, stop: &dyn Fn() -> bool) -> Option<Solution> {
        let mut rng = ChaCha8Rng::seed_from_u64(restart_seed(seed, i));
        let (order, params) = self.order_and_params(i, &mut rng);
        construct(&self.ctx, &order, &params, &mut rng, stop, i == 0)
    }

    /// True when the solution reaches the area lower bound (single usable sheet type only).
    fn is_optimal(&self, sol: &Solution) -> bool {
        let usable: Vec<_> = self.ctx.sheets.iter().flatten().collect();
        if usable.len() != 1
            || usable[0].irregular
            || sol.objective.has_unplaced()
            || !self.ctx.fixed.is_empty()
        {
            return false;
        }
        let s = usable[0];
        let (w, h) = (f64::from(s.x_max - s.x_min), f64::from(s.y_max - s.y_min));
        let total: f64 = self
            .base_order
            .iter()
            .map(|&i| self.ctx.parts[i].outer_area)
            .sum();
        let lb = (total / (w * h)).ceil().max(1.0);
        if sol.sheets.len() as f64 > lb {
            return false;
        }
        let lb_len = (total - (lb - 1.0) * w * h) / h;
        sol.objective.last_length <= lb_len * 1.02 + 1.0
    }

    fn layout(&self, sol: &Solution) -> Layout {
        to_layout(&self.ctx, sol, &self.extra_unplaced)
    }

    fn empty_layout(&self, reason: &str) -> Layout {
        let mut extra = self.extra_unplaced.clone();
        for &i in &self.base_order {
            extra.push((self.ctx.parts[i].part, 1, reason.to_string()));
        }
        let sol = Solution {
            sheets: vec![],
            unplaced: vec![],
            objective: Objective {
                unplaced_area: [f64::INFINITY; PRIORITY_LAST as usize],
                primary: 0.0,
                sheet_area: 0.0,
                last_length: 0.0,
            },
        };
        to_layout(&self.ctx, &sol, &extra)
    }

    fn progress(
        &self,
        layout: &Layout,
        start: Instant,
        iterations: u64,
        improved: bool,
    ) -> Progress {
        Progress {
            elapsed_s: start.elapsed().as_secs_f64(),
            iterations,
            sheets: layout.sheets.len(),
            utilization: layout.utilization(self.ctx.problem),
            placed: layout.placed_count(),
            total: self.total,
            improved,
            best: improved.then(|| layout.clone()),
        }
    }

    /// True when the strip phases can improve a solution: it uses a
    /// rectangular sheet that holds no fixed placements, or, with nothing
    /// fixed, irregular sheets only (chained with their outlines).
    fn leaves_work_for_phases(&self, sol: &Solution) -> bool {
        let rectangular = |k: usize| super::convert::is_rectangular(self.ctx.sheets, k);
        let open = &sol.sheets[self.ctx.fixed.len().min(sol.sheets.len())..];
        open.iter().any(|(k, _)| rectangular(*k)) || (self.ctx.fixed.is_empty() && !open.is_empty())
    }

    /// Runs restarts until a limit (counted from `start`), cancel or the
    /// lower bound. With `phase_share`, the restarts end after that share
    /// of the time limit once the best solution has a sheet the strip
    /// phases can improve (`Search::leaves_work_for_phases`), and
    /// use the whole time otherwise.
    pub fn run(
        &self,
        options: &NestOptions,
        phase_share: Option<f64>,
        pool: &rayon::ThreadPool,
        cancel: &AtomicBool,
        on_progress: &(dyn Fn(&Progress) + Sync),
        start: Instant,
    ) -> SearchResult {
        let limit = Duration::from_secs_f64(options.time_limit_s.clamp(0.0, 1e7));
        let early = phase_share.map(|share| start + limit.mul_f64(share.clamp(0.0, 1.0)));
        // The best solution so far leaves work for the strip phases.
        let improvable = AtomicBool::new(false);
        let deadline = || match early {
            Some(t) if improvable.load(Ordering::Relaxed) => t,
            _ => start + limit,
        };
        let max_iter = options.max_iterations.unwrap_or(u64::MAX);
        let iterations = AtomicU64::new(0);
        let optimal = AtomicBool::new(false);
        let best: Mutex<Option<(Objective, u64, Solution)>> = Mutex::new(None);
        let (tx, rx) = mpsc::channel::<Layout>();

        let stopped = std::thread::scope(|sc| {
            let worker = sc.spawn(|| {
                let tx = tx;
                let mut next = 0u64;
                loop {
                    if cancel.load(Ordering::Relaxed) {
                        return StopReason::Cancelled;
                    }
                    if optimal.load(Ordering::Relaxed) {
                        return StopReason::Optimal;
                    }
                    if next >= max_iter {
                        return StopReason::IterationLimit;
                    }
                    if next > 0 && Instant::now() >= deadline() {
                        return StopReason::TimeLimit;
                    }
                    let end = next.saturating_add(BATCH).min(max_iter);
                    let tx = &tx;
                    pool.install(|| {
                        (next..end).into_par_iter().for_each(|i| {
                            // Restart 0 always completes (unless cancelled) so a layout exists.
                            let stop = || {
                                cancel.load(Ordering::Relaxed)
                                    || (i > 0 && Instant::now() >= deadline())
                            };
                            let Some(sol) = self.run_restart(options.seed, i, &stop) else {
                                return;
                            };
                            if sol.unplaced.iter().all(|(_, r)| r != CANCELLED_REASON) {
                                iterations.fetch_add(1, Ordering::Relaxed);
                            }
                            if self.is_optimal(&sol) {
                                optimal.store(true, Ordering::Relaxed);
                            }
                            let mut guard = best.lock().unwrap_or_else(|e| e.into_inner());
                            let better = guard.as_ref().is_none_or(|(o, j, _)| {
                                sol.objective.compare(o).then(i.cmp(j)) == std::cmp::Ordering::Less
                            });
                            if better {
                                improvable
                                    .store(self.leaves_work_for_phases(&sol), Ordering::Relaxed);
                                let layout = self.layout(&sol);
                                *guard = Some((sol.objective, i, sol));
                                drop(guard);
                                let _ = tx.send(layout);
                            }
                        });
                    });
                    next = end;
                }
            });
            let mut last_report = Instant::now();
            let mut current: Option<Layout> = None;
            loop {
                match rx.recv_timeout(Duration::from_millis(50)) {
                    Ok(layout) => {
                        let p =
                            self.progress(&layout, start, iterations.load(Ordering::Relaxed), true);
                        on_progress(&p);
                        current = Some(layout);
                        last_report = Instant::now();
                    }
                    Err(mpsc::RecvTimeoutError::Timeout) => {
                        if last_report.elapsed() >= PROGRESS_EVERY {
                            let empty = Layout::default();
                            let l = current.as_ref().unwrap_or(&empty);
                            on_progress(&self.progress(
                                l,
                                start,
                                iterations.load(Ordering::Relaxed),
                                false,
                            ));
                            last_report = Instant::now();
                        }
                    }
                    Err(mpsc::RecvTimeoutError::Disconnected) => break,
                }
            }
            worker.join().unwrap_or(StopReason::Cancelled)
        });

        let best = best.into_inner().unwrap_or_else(|e| e.into_inner());
        let layout = match &best {
            Some((_, _, sol)) => self.layout(sol),
            None => self.empty_layout(CANCELLED_REASON),
        };
        SearchResult {
            layout,
            iterations: iterations.load(Ordering::Relaxed),
            stopped,
        }
    }
}
