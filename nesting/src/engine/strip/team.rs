//! A separation done by a team of separators over the same layout: every
//! sweep runs on each member in parallel (each loads the lead's layout, then
//! moves the colliding items in its own random order), and the member with
//! the lowest weighted loss becomes the lead. With one member this is plain
//! guided local search. The scheme follows sparrow (arXiv 2509.13329, parallel
//! separation); the code is ours.

use super::separator::{Pose, SepState, Separator};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;

/// A separation counts as progressing when a round of sweeps lowers the
/// total loss by more than this share.
const PROGRESS: f32 = 0.02;

/// Budget of one separation.
#[derive(Clone, Copy, Debug)]
pub struct SepBudget {
    /// Rounds of sweeps in a row without progress before giving up.
    pub strikes: usize,
    /// Sweeps without a new lowest loss (by more than 2 %) that end a round.
    pub stall_sweeps: usize,
    /// Rounds at most, however much each lowers the loss: on many items a
    /// slowly progressing separation can otherwise take seconds.
    pub max_rounds: usize,
}

/// Separators over one layout, the first being the lead.
pub struct Team<'a> {
    members: Vec<Separator<'a>>,
    rngs: Vec<ChaCha8Rng>,
    pool: Option<rayon::ThreadPool>,
    /// The lead's state at the start of a sweep, for the others to load.
    lead_state: SepState,
    /// Rounds of sweeps made by the last separation.
    rounds: usize,
}

impl std::fmt::Debug for Team<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Team")
            .field("members", &self.members.len())
            .finish()
    }
}

impl<'a> Team<'a> {
    /// A team of separators over the same layout, each with its generator
    /// (at least one), sweeping in parallel on their own threads when there
    /// are several.
    pub fn new(members: Vec<Separator<'a>>, rngs: Vec<ChaCha8Rng>) -> Self {
        assert!(
            !members.is_empty() && members.len() == rngs.len(),
            "a team needs one generator per member"
        );
        let n = members.len();
        let pool = (n > 1)
            .then(|| rayon::ThreadPoolBuilder::new().num_threads(n).build().ok())
            .flatten();
        Team {
            members,
            rngs,
            pool,
            lead_state: SepState::default(),
            rounds: 0,
        }
    }

    pub fn lead(&self) -> &Separator<'a> {
        &self.members[0]
    }

    /// The lead, to change the layout between separations.
    pub fn lead_mut(&mut self) -> &mut Separator<'a> {
        &mut self.members[0]
    }

    /// The lead's generator (for choices made outside the sweeps).
    pub fn rng(&mut self) -> &mut ChaCha8Rng {
        &mut self.rngs[0]
    }

    /// One sweep by every member from the lead's layout; the best becomes
    /// the lead. Returns false when `stop` ended it. Runs on the team's
    /// thread pool (`separate` enters it).
    fn sweep(&mut self, stop: &(dyn Fn() -> bool + Sync)) -> bool {
        if self.members.len() == 1 {
            return self.members[0].sweep(&mut self.rngs[0], stop);
        }
        // The others load the lead's state on their own threads: copying it
        // after the sweep, on one thread, left the other core idle.
        self.members[0].save_state(&mut self.lead_state);
        let lead_state = &self.lead_state;
        let members = &mut self.members;
        let rngs = &mut self.rngs;
        let done: Vec<bool> = members
            .par_iter_mut()
            .zip(rngs.par_iter_mut())
            .enumerate()
            .map(|(k, (m, r))| {
                if k > 0 {
                    m.load_state(lead_state);
                }
                m.sweep(r, stop)
            })
            .collect();
        let best = (0..self.members.len())
            .min_by(|&a, &b| {
                let (la, lb) = (
                    self.members[a].weighted_total(),
                    self.members[b].weighted_total(),
                );
                la.total_cmp(&lb).then(a.cmp(&b))
            })
            .unwrap_or(0);
        self.members.swap(0, best);
        done.iter().all(|&d| d)
    }

    /// Removes the overlap from the lead's layout: returns true when it
    /// became feasible. Otherwise the poses of the lowest total loss seen
    /// are restored (the weights are kept).
    pub fn separate(&mut self, budget: SepBudget, stop: &(dyn Fn() -> bool + Sync)) -> bool {
        // The whole separation runs inside the pool, so that every sweep
        // starts from one of its threads: handing each sweep over from
        // outside cost a thread wake-up and a wait per sweep.
        match self.pool.take() {
            Some(pool) => {
                let feasible = pool.install(|| self.separate_here(budget, stop));
                self.pool = Some(pool);
                feasible
            }
            None => self.separate_here(budget, stop),
        }
    }

    fn separate_here(&mut self, budget: SepBudget, stop: &(dyn Fn() -> bool + Sync)) -> bool {
        self.rounds = 0;
        if self.lead().is_feasible() {
            return true;
        }
        let mut min_loss = self.lead().total_loss();
        let mut best_poses: Vec<Pose> = self.lead().poses().to_vec();
        let mut strikes = 0;
        while strikes < budget.strikes && self.rounds < budget.max_rounds {
            self.rounds += 1;
            let round_start = self.lead().total_loss();
            let mut stall = 0;
            while stall < budget.stall_sweeps {
                if !self.sweep(stop) {
                    self.lead_mut().set_poses(&best_poses);
                    return false;
                }
                if self.lead().is_feasible() {
                    return true;
                }
                let loss = self.lead().total_loss();
                if loss < min_loss {
                    if loss < min_loss * (1.0 - PROGRESS) {
                        stall = 0;
                    }
                    min_loss = loss;
                    best_poses.copy_from_slice(self.lead().poses());
                } else {
                    stall += 1;
                }
                self.lead_mut().update_weights();
            }
            if min_loss < round_start * (1.0 - PROGRESS) {
                strikes = 0;
            } else {
                strikes += 1;
            }
            self.lead_mut().set_poses(&best_poses);
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::strip::separator::tests::{NO_BARRIERS, plate_and_ell};
    use rand::SeedableRng;

    /// Rounds made by a team of two separating ten items piled up in a
    /// strip too small for them, with `max_rounds`.
    fn rounds_on_a_pile(max_rounds: usize) -> usize {
        let parts = plate_and_ell();
        let kinds: Vec<usize> = (0..10).map(|k| k % 2).collect();
        let poses: Vec<Pose> = (0..10)
            .map(|k| Pose::new(0, (5.0 + 6.0 * k as f32, 5.0 + 4.0 * (k % 3) as f32)))
            .collect();
        let strip = [0.0, 0.0, 110.0, 45.0];
        let new_sep = || {
            Separator::new(&parts, kinds.clone(), poses.clone(), strip, &NO_BARRIERS)
                .expect("a separator")
        };
        let rngs = (0..2).map(ChaCha8Rng::seed_from_u64).collect();
        let mut team = Team::new(vec![new_sep(), new_sep()], rngs);
        let budget = SepBudget {
            strikes: 3,
            stall_sweeps: 5,
            max_rounds,
        };
        assert!(
            !team.separate(budget, &|| false),
            "the items cannot come apart"
        );
        team.rounds
    }

    #[test]
    fn a_separation_ends_after_its_rounds_however_it_progresses() {
        let free = rounds_on_a_pile(usize::MAX);
        assert!(free > 2, "without a cap the pile takes {free} rounds");
        assert_eq!(rounds_on_a_pile(2), 2);
    }
}
