//! A separator's pairwise losses and weights, kept only for the pairs that
//! overlap or whose weight is above 1.
//!
//! Most pairs of a large layout never meet: a thousand items have half a
//! million pairs, of which a few thousand overlap at a time. Each item
//! keeps a row of its pairs sorted by the other index, so that a pair is
//! found by a binary search in a short row, a sweep's weight update walks
//! the pairs that matter, and copying the state between the separators of
//! a team copies those pairs only. (A sample's loss reads the moved item's
//! weights from a dense row the separator loads from [`Pairs::weights_of`].)

/// Weight growth on overlapping pairs: `GROW_MIN + GROW_SPAN · loss / max loss`.
const GROW_MIN: f32 = 1.2;
const GROW_SPAN: f32 = 0.8;
/// Weight decay of pairs that no longer overlap.
const DECAY: f32 = 0.95;
const MAX_WEIGHT: f32 = 1e9;

/// One pair as seen from one of its members: the other member, the pair's
/// loss (0 when apart) and weight (>= 1).
#[derive(Clone, Copy, Debug, PartialEq)]
struct Pair {
    other: u32,
    loss: f32,
    w: f32,
}

/// Losses and weights of the pairs among `m` members (items, then slabs,
/// then obstacles). A pair missing from the rows has loss 0 and weight 1.
#[derive(Debug, Default, PartialEq)]
pub struct Pairs {
    /// The pairs of each member, sorted by the other member; each pair is
    /// in the rows of both its members, with the same values.
    rows: Vec<Vec<Pair>>,
    totals: Totals,
}

impl Clone for Pairs {
    fn clone(&self) -> Self {
        Pairs {
            rows: self.rows.clone(),
            totals: self.totals.clone(),
        }
    }

    /// Reuses the rows' buffers: the team copies its lead's pairs every
    /// sweep.
    fn clone_from(&mut self, source: &Self) {
        self.rows.clone_from(&source.rows);
        self.totals.clone_from(&source.totals);
    }
}

/// Each member's loss and overlap count, and the number of overlapping
/// pairs.
#[derive(Debug, Default, PartialEq)]
struct Totals {
    /// Sum of the pair losses of each member.
    item_loss: Vec<f32>,
    /// Number of members each member overlaps.
    item_cnt: Vec<u32>,
    /// Number of overlapping pairs.
    pair_cnt: usize,
}

impl Clone for Totals {
    fn clone(&self) -> Self {
        Totals {
            item_loss: self.item_loss.clone(),
            item_cnt: self.item_cnt.clone(),
            pair_cnt: self.pair_cnt,
        }
    }

    fn clone_from(&mut self, source: &Self) {
        self.item_loss.clone_from(&source.item_loss);
        self.item_cnt.clone_from(&source.item_cnt);
        self.pair_cnt = source.pair_cnt;
    }
}

impl Totals {
    fn new(m: usize) -> Self {
        Totals {
            item_loss: vec![0.0; m],
            item_cnt: vec![0; m],
            pair_cnt: 0,
        }
    }

    /// Accounts for the loss of the pair `(i, j)` going from `old` to `v`.
    fn change(&mut self, i: usize, j: usize, old: f32, v: f32) {
        self.item_loss[i] += v - old;
        self.item_loss[j] += v - old;
        match (old > 0.0, v > 0.0) {
            (false, true) => {
                self.item_cnt[i] += 1;
                self.item_cnt[j] += 1;
                self.pair_cnt += 1;
            }
            (true, false) => {
                self.item_cnt[i] -= 1;
                self.item_cnt[j] -= 1;
                self.pair_cnt -= 1;
            }
            _ => {}
        }
        for k in [i, j] {
            if self.item_cnt[k] == 0 {
                self.item_loss[k] = 0.0;
            }
        }
    }

    fn clear(&mut self) {
        self.item_loss.iter_mut().for_each(|v| *v = 0.0);
        self.item_cnt.iter_mut().for_each(|v| *v = 0);
        self.pair_cnt = 0;
    }
}

impl Pairs {
    /// `m` members, none overlapping, every weight 1.
    pub fn new(m: usize) -> Self {
        Pairs {
            rows: vec![Vec::new(); m],
            totals: Totals::new(m),
        }
    }

    fn find(&self, i: usize, j: usize) -> Result<usize, usize> {
        self.rows[i].binary_search_by_key(&(j as u32), |p| p.other)
    }

    /// Weight of the pair `(i, j)`, for tests.
    #[cfg(test)]
    pub fn weight(&self, i: usize, j: usize) -> f32 {
        self.find(i, j).map_or(1.0, |k| self.rows[i][k].w)
    }

    /// The members paired with `i` whose pair weight is not 1, with the
    /// weights.
    pub fn weights_of(&self, i: usize) -> impl Iterator<Item = (usize, f32)> + '_ {
        self.rows[i]
            .iter()
            .filter(|p| p.w != 1.0)
            .map(|p| (p.other as usize, p.w))
    }

    /// Loss of the pair `(i, j)` (0 when apart), for tests.
    #[cfg(test)]
    pub fn loss(&self, i: usize, j: usize) -> f32 {
        self.find(i, j).map_or(0.0, |k| self.rows[i][k].loss)
    }

    /// Sum of member `i`'s pair losses, for tests.
    #[cfg(test)]
    pub fn item_loss(&self, i: usize) -> f32 {
        self.totals.item_loss[i]
    }

    /// Number of members that member `i` overlaps.
    pub fn overlaps_of(&self, i: usize) -> u32 {
        self.totals.item_cnt[i]
    }

    /// Number of overlapping pairs.
    pub fn overlapping_pairs(&self) -> usize {
        self.totals.pair_cnt
    }

    /// Sum of all pair losses.
    pub fn total_loss(&self) -> f32 {
        self.totals.item_loss.iter().sum::<f32>() / 2.0
    }

    /// Writes `loss` and `w` into row `i`'s entry for `j`, adding it when
    /// missing and removing it when it holds nothing (loss 0, weight 1).
    fn write(&mut self, i: usize, j: usize, loss: f32, w: f32) {
        let found = self.find(i, j);
        let row = &mut self.rows[i];
        match found {
            Ok(k) if loss == 0.0 && w == 1.0 => {
                row.remove(k);
            }
            Ok(k) => {
                row[k].loss = loss;
                row[k].w = w;
            }
            Err(_) if loss == 0.0 && w == 1.0 => {}
            Err(k) => row.insert(
                k,
                Pair {
                    other: j as u32,
                    loss,
                    w,
                },
            ),
        }
    }

    /// Sets the loss of the pair `(i, j)`, `i != j`.
    pub fn set_loss(&mut self, i: usize, j: usize, v: f32) {
        let (old, w) = match self.find(i, j) {
            Ok(k) => (self.rows[i][k].loss, self.rows[i][k].w),
            Err(_) => (0.0, 1.0),
        };
        self.write(i, j, v, w);
        self.write(j, i, v, w);
        self.totals.change(i, j, old, v);
    }

    /// Sets every loss of member `i` to 0, in the order of the other member.
    pub fn clear_member(&mut self, i: usize) {
        let mut k = 0;
        while let Some(&p) = self.rows[i].get(k) {
            if p.loss > 0.0 {
                self.set_loss(i, p.other as usize, 0.0);
                if p.w == 1.0 {
                    // The entry went: the next one moved into place `k`.
                    continue;
                }
            }
            k += 1;
        }
    }

    /// Sets every loss to 0, keeping the weights.
    pub fn clear_losses(&mut self) {
        for row in &mut self.rows {
            row.retain_mut(|p| {
                p.loss = 0.0;
                p.w != 1.0
            });
        }
        self.totals.clear();
    }

    /// Puts every weight back to 1 (a fresh separation).
    pub fn reset_weights(&mut self) {
        for row in &mut self.rows {
            row.retain_mut(|p| {
                p.w = 1.0;
                p.loss != 0.0
            });
        }
    }

    /// After a sweep: the weights of overlapping pairs grow, by more for
    /// the worse overlaps; the others decay towards 1.
    pub fn update_weights(&mut self) {
        let max = self
            .rows
            .iter()
            .flatten()
            .map(|p| p.loss)
            .fold(0.0f32, f32::max);
        if max <= 0.0 {
            return;
        }
        for i in 0..self.rows.len() {
            for k in 0..self.rows[i].len() {
                let p = self.rows[i][k];
                let j = p.other as usize;
                if j < i {
                    continue;
                }
                let w = if p.loss > 0.0 {
                    (p.w * (GROW_MIN + GROW_SPAN * p.loss / max)).min(MAX_WEIGHT)
                } else {
                    (p.w * DECAY).max(1.0)
                };
                self.rows[i][k].w = w;
                if let Ok(kj) = self.find(j, i) {
                    self.rows[j][kj].w = w;
                }
            }
        }
        for row in &mut self.rows {
            row.retain(|p| p.loss != 0.0 || p.w != 1.0);
        }
    }

    /// Sum over the overlapping pairs of weight times loss.
    pub fn weighted_total(&self) -> f32 {
        let mut total = 0.0;
        for (i, row) in self.rows.iter().enumerate() {
            if self.totals.item_cnt[i] == 0 {
                continue;
            }
            for p in row.iter().filter(|p| p.other as usize > i) {
                total += p.w * p.loss;
            }
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Every pair in an `m × m` matrix, as the separator kept them before:
    /// the reference the sparse rows must match exactly.
    struct Dense {
        m: usize,
        loss: Vec<f32>,
        w: Vec<f32>,
        totals: Totals,
    }

    impl Dense {
        fn new(m: usize) -> Self {
            Dense {
                m,
                loss: vec![0.0; m * m],
                w: vec![1.0; m * m],
                totals: Totals::new(m),
            }
        }

        fn set_loss(&mut self, i: usize, j: usize, v: f32) {
            let m = self.m;
            let old = self.loss[i * m + j];
            self.loss[i * m + j] = v;
            self.loss[j * m + i] = v;
            self.totals.change(i, j, old, v);
        }

        fn clear_member(&mut self, i: usize) {
            for j in 0..self.m {
                if self.loss[i * self.m + j] > 0.0 {
                    self.set_loss(i, j, 0.0);
                }
            }
        }

        fn update_weights(&mut self) {
            let n = self.m;
            let max = self.loss.iter().copied().fold(0.0f32, f32::max);
            if max <= 0.0 {
                return;
            }
            for i in 0..n {
                for j in (i + 1)..n {
                    let k = i * n + j;
                    let v = self.loss[k];
                    let w = if v > 0.0 {
                        (self.w[k] * (GROW_MIN + GROW_SPAN * v / max)).min(MAX_WEIGHT)
                    } else {
                        (self.w[k] * DECAY).max(1.0)
                    };
                    self.w[k] = w;
                    self.w[j * n + i] = w;
                }
            }
        }

        fn weighted_total(&self) -> f32 {
            let m = self.m;
            let mut total = 0.0;
            for i in 0..m {
                if self.totals.item_cnt[i] == 0 {
                    continue;
                }
                for j in (i + 1)..m {
                    total += self.w[i * m + j] * self.loss[i * m + j];
                }
            }
            total
        }
    }

    fn assert_same(sparse: &Pairs, dense: &Dense, step: usize) {
        let m = dense.m;
        for i in 0..m {
            for j in 0..m {
                if i != j {
                    assert_eq!(sparse.loss(i, j), dense.loss[i * m + j], "step {step}");
                    assert_eq!(sparse.weight(i, j), dense.w[i * m + j], "step {step}");
                }
            }
            assert_eq!(
                sparse.item_loss(i),
                dense.totals.item_loss[i],
                "step {step}"
            );
            assert_eq!(
                sparse.overlaps_of(i),
                dense.totals.item_cnt[i],
                "step {step}"
            );
            let row = &sparse.rows[i];
            assert!(row.windows(2).all(|p| p[0].other < p[1].other));
            assert!(row.iter().all(|p| p.loss != 0.0 || p.w != 1.0));
        }
        assert_eq!(
            sparse.overlapping_pairs(),
            dense.totals.pair_cnt,
            "step {step}"
        );
        assert_eq!(
            sparse.weighted_total(),
            dense.weighted_total(),
            "step {step}"
        );
    }

    #[test]
    fn the_rows_hold_exactly_what_the_full_matrix_holds() {
        let m = 14;
        let (mut sparse, mut dense) = (Pairs::new(m), Dense::new(m));
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let mut weights_grown = 0;
        for step in 0..4000 {
            match rng.random_range(0..10) {
                0..=5 => {
                    let i = rng.random_range(0..m);
                    let j = (i + rng.random_range(1..m)) % m;
                    // Apart a third of the time, so that pairs come and go.
                    let v = if rng.random_bool(0.33) {
                        0.0
                    } else {
                        rng.random_range(0.01f32..50.0)
                    };
                    sparse.set_loss(i, j, v);
                    dense.set_loss(i, j, v);
                }
                6 | 7 => {
                    let i = rng.random_range(0..m);
                    sparse.clear_member(i);
                    dense.clear_member(i);
                }
                _ => {
                    sparse.update_weights();
                    dense.update_weights();
                    weights_grown += 1;
                }
            }
            assert_same(&sparse, &dense, step);
        }
        assert!(weights_grown > 500);
        assert!(
            dense.w.iter().any(|&w| w > 10.0),
            "some weights grew far above 1"
        );
        // Reset and clear end where a fresh start would.
        sparse.clear_losses();
        sparse.reset_weights();
        assert_eq!(sparse, Pairs::new(m));
    }
}
