//! The placed items' bounding boxes, kept sorted by their left edge, so
//! that the items near a sample are found by a binary search and a short
//! scan (a chained multi-sheet strip holds a thousand parts and more).

/// Bounding boxes of the items (x_min, y_min, x_max, y_max), sorted by
/// x_min.
#[derive(Clone, Debug, Default)]
pub struct Boxes {
    /// The boxes in sorted order, and the item of each.
    sorted: Vec<[f32; 4]>,
    item: Vec<usize>,
    /// Position of each item in the sorted order.
    rank: Vec<usize>,
    /// The widest box seen: a box overlapping `[x_lo, x_hi]` starts at
    /// `x_lo - widest` or right of it.
    widest: f32,
    found: Vec<usize>,
}

impl Boxes {
    /// Items `0..bbs.len()` at bounding boxes `bbs`.
    pub fn new(bbs: &[[f32; 4]]) -> Self {
        let mut item: Vec<usize> = (0..bbs.len()).collect();
        item.sort_by(|&a, &b| bbs[a][0].total_cmp(&bbs[b][0]));
        let mut rank = vec![0; bbs.len()];
        for (r, &i) in item.iter().enumerate() {
            rank[i] = r;
        }
        Boxes {
            sorted: item.iter().map(|&i| bbs[i]).collect(),
            item,
            rank,
            widest: bbs.iter().map(|b| b[2] - b[0]).fold(0.0, f32::max),
            found: Vec::new(),
        }
    }

    /// Moves item `i` to bounding box `b`.
    pub fn update(&mut self, i: usize, b: [f32; 4]) {
        self.widest = self.widest.max(b[2] - b[0]);
        let mut r = self.rank[i];
        self.sorted[r] = b;
        while r > 0 && self.sorted[r - 1][0] > b[0] {
            self.swap(r - 1, r);
            r -= 1;
        }
        while r + 1 < self.sorted.len() && self.sorted[r + 1][0] < b[0] {
            self.swap(r, r + 1);
            r += 1;
        }
    }

    fn swap(&mut self, r: usize, s: usize) {
        self.sorted.swap(r, s);
        self.item.swap(r, s);
        self.rank[self.item[r]] = r;
        self.rank[self.item[s]] = s;
    }

    /// The items other than `skip` whose bounding boxes overlap `b` (with a
    /// positive area in common), in index order.
    pub fn overlapping(&mut self, b: [f32; 4], skip: usize) -> &[usize] {
        self.found.clear();
        let from = self.sorted.partition_point(|o| o[0] <= b[0] - self.widest);
        for (r, o) in self.sorted[from..].iter().enumerate() {
            if o[0] >= b[2] {
                break;
            }
            if o[2] > b[0] && o[1] < b[3] && o[3] > b[1] {
                let j = self.item[from + r];
                if j != skip {
                    self.found.push(j);
                }
            }
        }
        self.found.sort_unstable();
        &self.found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Every query answers as a plain scan over all boxes would, however the
    /// items move (a deterministic pseudo-random walk with boxes of very
    /// different widths).
    #[test]
    fn the_index_finds_exactly_the_overlapping_boxes_as_items_move() {
        let mut rng = ChaCha8Rng::seed_from_u64(12345);
        let mut next = move || rng.random::<f32>();
        let mut rand_box = || {
            let (x, y) = (next() * 120.0, next() * 30.0);
            let w = 1.0 + next().powi(3) * 60.0;
            [x, y, x + w, y + 1.0 + next() * 10.0]
        };
        let mut bbs: Vec<[f32; 4]> = (0..61).map(|_| rand_box()).collect();
        let mut boxes = Boxes::new(&bbs);
        let mut total = 0;
        for round in 0..2000 {
            let i = round % bbs.len();
            bbs[i] = rand_box();
            boxes.update(i, bbs[i]);
            let q = rand_box();
            let got = boxes.overlapping(q, i).to_vec();
            let want: Vec<usize> = (0..bbs.len())
                .filter(|&j| {
                    let o = bbs[j];
                    j != i && o[0] < q[2] && o[2] > q[0] && o[1] < q[3] && o[3] > q[1]
                })
                .collect();
            assert_eq!(got, want, "round {round}");
            total += got.len();
        }
        // The walk does produce overlaps (the test could fail).
        assert!(total > 2000, "only {total} overlaps found");
    }
}
