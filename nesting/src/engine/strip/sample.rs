//! The search for a better pose of one colliding item: random samples near
//! its current pose and anywhere in the strip, the few best (and mutually
//! different) ones refined by coordinate descent, the best of those refined
//! once more with finer steps. A freely rotating item also turns in the
//! descent, to any angle: by a few of its angle steps at first, down to a
//! degree, then in the final descent by a tenth of a step down to 0.05°. The scheme
//! follows sparrow (arXiv 2509.13329, sample search and coordinate descent);
//! the code is ours.

use super::separator::Pose;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// Samples anywhere in the strip per move.
const GLOBAL_SAMPLES: usize = 50;
/// Samples within the item's current bounding box per move.
const FOCUSED_SAMPLES: usize = 25;
/// Best samples kept for refinement.
const KEEP: usize = 3;
/// Two samples closer than this share of the item's smaller side (and with
/// the same orientation) count as the same sample.
const UNIQUE_RATIO: f32 = 0.05;
/// Step sizes of a coordinate descent.
#[derive(Clone, Copy, Debug)]
struct Steps {
    /// First and last translation step, as a share of the item's smaller side.
    first: f32,
    last: f32,
    /// First turn of a freely rotating item, in its angle steps.
    turn_first: f32,
    /// Smallest turn (degrees).
    turn_last_deg: f32,
}

/// Coordinate descent of the kept samples.
const PRE_STEPS: Steps = Steps {
    first: 0.25,
    last: 0.02,
    turn_first: 4.0,
    turn_last_deg: 1.0,
};
/// Final descent of the best sample.
const FINAL_STEPS: Steps = Steps {
    first: 0.01,
    last: 0.001,
    turn_first: 0.1,
    turn_last_deg: 0.05,
};
/// Step factor after an improving and after a failed descent step.
const STEP_GROW: f32 = 1.1;
const STEP_SHRINK: f32 = 0.5;

/// What the search needs from the separator for the item being moved.
pub(crate) trait PoseEval {
    /// Weighted loss of the item at `p`, or `None` once it exceeds `bound`.
    fn eval(&mut self, p: Pose, bound: f32) -> Option<f32>;
    /// `p` moved into the strip (its orientation kept).
    fn clamp(&self, p: Pose) -> Pose;
    /// The angle step (degrees) of an item that turns freely.
    fn turn_step(&self) -> Option<f32> {
        None
    }
    /// `p` turned by about `delta_deg` about its reference point and moved
    /// into the strip; `None` when no other orientation is that close.
    fn turn(&self, _p: Pose, _delta_deg: f32) -> Option<Pose> {
        None
    }
}

/// Translations of one orientation that keep the item in the strip (`all`)
/// and, within those, the ones inside its current bounding box (`near`).
#[derive(Clone, Copy, Debug)]
pub(crate) struct OrientRange {
    pub orient: usize,
    pub all: [f32; 4],
    pub near: Option<[f32; 4]>,
}

/// The few best samples seen, lowest loss first, no two alike.
struct BestSamples {
    list: Vec<(f32, Pose)>,
    alike_dist: f32,
}

/// Same orientation and both coordinates closer than `d`.
fn alike(d: f32, a: Pose, b: Pose) -> bool {
    a.orient == b.orient && (a.t.0 - b.t.0).abs() < d && (a.t.1 - b.t.1).abs() < d
}

impl BestSamples {
    /// Loss a new sample must beat to be kept.
    fn bound(&self) -> f32 {
        if self.list.len() < KEEP {
            f32::INFINITY
        } else {
            self.list[KEEP - 1].0
        }
    }

    fn report(&mut self, loss: f32, p: Pose) {
        if loss >= self.bound() {
            return;
        }
        let mut has_alike = false;
        for &(l, q) in &self.list {
            if alike(self.alike_dist, p, q) {
                if loss >= l {
                    return;
                }
                has_alike = true;
            }
        }
        if has_alike {
            let d = self.alike_dist;
            self.list.retain(|&(_, q)| !alike(d, p, q));
        } else if self.list.len() == KEEP {
            self.list.pop();
        }
        let at = self.list.partition_point(|&(l, _)| l <= loss);
        self.list.insert(at, (loss, p));
    }
}

fn uniform(rng: &mut ChaCha8Rng, lo: f32, hi: f32) -> f32 {
    if hi > lo {
        rng.random_range(lo..=hi)
    } else {
        lo
    }
}

fn sample_in(rng: &mut ChaCha8Rng, orient: usize, r: [f32; 4]) -> Pose {
    Pose::new(orient, (uniform(rng, r[0], r[2]), uniform(rng, r[1], r[3])))
}

/// The best pose found for an item at `current` (with its loss), given the
/// translation ranges of its orientations and its smaller side `min_dim`.
/// The result is never worse than `current`.
pub(crate) fn search_pose(
    ev: &mut impl PoseEval,
    current: (f32, Pose),
    ranges: &[OrientRange],
    min_dim: f32,
    rng: &mut ChaCha8Rng,
) -> (f32, Pose) {
    let mut best = BestSamples {
        list: Vec::with_capacity(KEEP + 1),
        alike_dist: min_dim * UNIQUE_RATIO,
    };
    best.report(current.0, current.1);
    let near: Vec<(usize, [f32; 4])> = ranges
        .iter()
        .filter_map(|r| r.near.map(|n| (r.orient, n)))
        .collect();
    if !near.is_empty() {
        for _ in 0..FOCUSED_SAMPLES {
            let (o, r) = near[rng.random_range(0..near.len())];
            let p = sample_in(rng, o, r);
            if let Some(l) = ev.eval(p, best.bound()) {
                best.report(l, p);
            }
        }
    }
    if !ranges.is_empty() {
        for _ in 0..GLOBAL_SAMPLES {
            let r = ranges[rng.random_range(0..ranges.len())];
            let p = sample_in(rng, r.orient, r.all);
            if let Some(l) = ev.eval(p, best.bound()) {
                best.report(l, p);
            }
        }
    }
    for start in best.list.clone() {
        if start.0 > 0.0 {
            let d = descend(ev, start, min_dim, PRE_STEPS, rng);
            best.report(d.0, d.1);
        }
    }
    let first = best.list[0];
    if first.0 > 0.0 {
        descend(ev, first, min_dim, FINAL_STEPS, rng)
    } else {
        first
    }
}

/// Coordinate descent from `start`: two candidates on either side along a
/// random axis (horizontal, vertical, a diagonal or, for a freely rotating
/// item, the angle); a better one is taken and the step grows (a turn keeps
/// its angle), an equal one is taken and the step shrinks, a worse one
/// shrinks the step; the axis changes after every step that did not improve.
/// Ends when the translation steps are below the last step and the turn
/// below the last turn.
fn descend(
    ev: &mut impl PoseEval,
    start: (f32, Pose),
    min_dim: f32,
    steps: Steps,
    rng: &mut ChaCha8Rng,
) -> (f32, Pose) {
    let (mut loss, mut p) = start;
    let (mut sx, mut sy) = (min_dim * steps.first, min_dim * steps.first);
    let limit = min_dim * steps.last;
    let turn_step = ev.turn_step();
    let mut sr = turn_step.map_or(0.0, |s| s * steps.turn_first);
    let axes = if turn_step.is_some() { 5u8 } else { 4u8 };
    let mut axis = rng.random_range(0..axes);
    // Each step either shrinks a step size or lowers the loss; the guard
    // only bounds pathological plateaus.
    for _ in 0..1000 {
        let turned = turn_step.is_none() || sr < steps.turn_last_deg;
        if (sx < limit && sy < limit && turned) || loss <= 0.0 {
            break;
        }
        let (dx, dy) = match axis {
            0 => (sx, 0.0),
            1 => (0.0, sy),
            2 => (sx, sy),
            _ => (-sx, sy),
        };
        let mut cand: Option<(f32, Pose)> = None;
        for sign in [1.0f32, -1.0] {
            let q = if axis == 4 {
                match ev.turn(p, sign * sr) {
                    Some(q) => q,
                    None => continue,
                }
            } else {
                ev.clamp(Pose {
                    t: (p.t.0 + sign * dx, p.t.1 + sign * dy),
                    ..p
                })
            };
            if q == p {
                continue;
            }
            if let Some(l) = ev.eval(q, loss)
                && cand.is_none_or(|(cl, _)| l < cl)
            {
                cand = Some((l, q));
            }
        }
        let better = cand.is_some_and(|(l, _)| l < loss);
        if let Some((l, q)) = cand
            && l <= loss
        {
            loss = l;
            p = q;
        }
        let m = if better { STEP_GROW } else { STEP_SHRINK };
        match axis {
            0 => sx *= m,
            1 => sy *= m,
            // A turn that helped is tried again at the same angle.
            4 if !better => sr *= m,
            4 => {}
            _ => {
                sx *= m.sqrt();
                sy *= m.sqrt();
            }
        }
        if !better {
            axis = rng.random_range(0..axes);
        }
    }
    (loss, p)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    /// Loss = distance of the translation from a target point, 0 inside a
    /// small disc around it; the strip is [0, 100]².
    struct Bowl {
        target: (f32, f32),
        evals: usize,
    }

    impl PoseEval for Bowl {
        fn eval(&mut self, p: Pose, bound: f32) -> Option<f32> {
            self.evals += 1;
            let d = ((p.t.0 - self.target.0).powi(2) + (p.t.1 - self.target.1).powi(2)).sqrt();
            let l = (d - 0.5).max(0.0);
            (l <= bound).then_some(l)
        }
        fn clamp(&self, p: Pose) -> Pose {
            Pose::new(p.orient, (p.t.0.clamp(0.0, 100.0), p.t.1.clamp(0.0, 100.0)))
        }
    }

    #[test]
    fn the_search_finds_the_free_spot_and_never_gets_worse() {
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let ranges = [OrientRange {
            orient: 0,
            all: [0.0, 0.0, 100.0, 100.0],
            near: Some([0.0, 0.0, 10.0, 10.0]),
        }];
        for target in [(80.0, 30.0), (5.0, 95.0), (50.0, 50.0)] {
            let mut bowl = Bowl { target, evals: 0 };
            let start = Pose::new(0, (5.0, 5.0));
            let l0 = bowl.eval(start, f32::INFINITY).unwrap_or(f32::INFINITY);
            let (l, p) = search_pose(&mut bowl, (l0, start), &ranges, 10.0, &mut rng);
            assert!(l <= l0);
            assert!(l < 0.05, "loss {l} at {:?} for target {target:?}", p.t);
            assert!(bowl.evals < 1000, "{} evaluations", bowl.evals);
        }
    }

    /// The bowl, plus a loss for every degree the item is turned away from
    /// `target_deg`; orientation `k` is `k · 5°`, turns snap to it.
    struct TurningBowl {
        bowl: Bowl,
        target_deg: f32,
        turns: bool,
    }

    impl PoseEval for TurningBowl {
        fn eval(&mut self, p: Pose, bound: f32) -> Option<f32> {
            let l =
                self.bowl.eval(p, f32::INFINITY)? + (p.orient as f32 * 5.0 - self.target_deg).abs();
            (l <= bound).then_some(l)
        }
        fn clamp(&self, p: Pose) -> Pose {
            self.bowl.clamp(p)
        }
        fn turn_step(&self) -> Option<f32> {
            self.turns.then_some(5.0)
        }
        fn turn(&self, p: Pose, delta_deg: f32) -> Option<Pose> {
            let k = ((p.orient as f32 * 5.0 + delta_deg) / 5.0).round();
            (0.0..72.0)
                .contains(&k)
                .then_some(Pose::new(k as usize, p.t))
        }
    }

    #[test]
    fn the_descent_turns_a_freely_rotating_item() {
        // Only orientation 0 is sampled: any other angle must come from turning.
        let ranges = [OrientRange {
            orient: 0,
            all: [0.0, 0.0, 100.0, 100.0],
            near: None,
        }];
        for turns in [true, false] {
            let mut ev = TurningBowl {
                bowl: Bowl {
                    target: (50.0, 50.0),
                    evals: 0,
                },
                target_deg: 40.0,
                turns,
            };
            let start = Pose::new(0, (48.0, 52.0));
            let l0 = ev.eval(start, f32::INFINITY).unwrap_or(f32::INFINITY);
            let mut rng = ChaCha8Rng::seed_from_u64(5);
            let (l, p) = search_pose(&mut ev, (l0, start), &ranges, 10.0, &mut rng);
            assert!(l <= l0);
            if turns {
                assert_eq!(p.orient, 8, "turned to 40°, loss {l}");
                assert!(l < 0.05, "loss {l} at {:?}", p.t);
            } else {
                assert_eq!(p.orient, 0, "an item that does not turn keeps its angle");
            }
        }
    }

    #[test]
    fn best_samples_keep_the_lowest_distinct_ones() {
        let mut b = BestSamples {
            list: vec![],
            alike_dist: 1.0,
        };
        let at = |x: f32| Pose::new(0, (x, 0.0));
        b.report(5.0, at(0.0));
        b.report(4.0, at(0.5)); // alike the first and better: replaces it
        b.report(3.0, at(10.0));
        b.report(6.0, at(20.0));
        b.report(7.0, at(30.0)); // worse than the three kept
        let losses: Vec<f32> = b.list.iter().map(|s| s.0).collect();
        assert_eq!(losses, vec![3.0, 4.0, 6.0]);
        b.report(4.5, at(10.2)); // alike the 3.0 sample but worse: ignored
        assert_eq!(b.list.len(), 3);
        assert_eq!(b.list[0].1, at(10.0));
    }
}
