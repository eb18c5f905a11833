//! Cleaning and chaining of paths: zero-length pieces and exact duplicates
//! are removed, then path ends within the gap tolerance are joined, nearest
//! first. Closed flags are not trusted: a chain is closed when its ends meet.

use super::entities::RawPath;
use crate::geometry::{Point, Vertex};
use std::collections::{HashMap, HashSet};
use std::hash::{Hash, Hasher};

/// Segments shorter than this (mm) count as zero-length.
pub const ZERO_LENGTH_MM: f64 = 1e-9;

/// A chained run of segments.
#[derive(Clone, Debug, PartialEq)]
pub struct Chain {
    pub layer: String,
    /// Open polyline of bulge vertices; when `closed`, the last vertex
    /// coincides (within tolerance) with the first.
    pub verts: Vec<Vertex>,
    pub closed: bool,
    /// Identity keys of the pieces (paths) the chain is made of.
    pub pieces: Vec<u64>,
}

impl Chain {
    pub fn segments(&self) -> usize {
        self.verts.len().saturating_sub(1)
    }
    pub fn start(&self) -> Point {
        self.verts[0].point()
    }
    pub fn end(&self) -> Point {
        self.verts[self.verts.len() - 1].point()
    }
}

/// What cleaning removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CleanStats {
    pub zero_length_segments: usize,
}

/// What chaining joined.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ChainStats {
    /// Joints whose ends did not coincide exactly.
    pub gaps_closed: usize,
    pub max_gap_mm: f64,
}

/// Reverses an open bulge polyline (bulges move to the new segment starts and change sign).
pub fn reverse_open(verts: &[Vertex]) -> Vec<Vertex> {
    let n = verts.len();
    (0..n)
        .map(|k| {
            let v = verts[n - 1 - k];
            let bulge = if k + 1 < n {
                -verts[n - 2 - k].bulge
            } else {
                0.0
            };
            Vertex::new(v.x, v.y, bulge)
        })
        .collect()
}

/// Removes zero-length segments and returns each remaining path with an
/// identity key: equal keys = the same piece (same vertices in either
/// direction, compared at 1e-6 mm), i.e. drawn twice.
pub fn clean(paths: Vec<RawPath>) -> (Vec<RawPath>, Vec<u64>, CleanStats) {
    let mut stats = CleanStats::default();
    let mut keys = Vec::with_capacity(paths.len());
    let mut out = Vec::with_capacity(paths.len());
    for p in paths {
        let mut verts: Vec<Vertex> = Vec::with_capacity(p.verts.len());
        for v in p.verts {
            match verts.last_mut() {
                Some(last) if last.point().dist(v.point()) <= ZERO_LENGTH_MM => {
                    stats.zero_length_segments += 1;
                    last.bulge = v.bulge;
                }
                _ => verts.push(v),
            }
        }
        if verts.len() < 2 {
            continue;
        }
        if let Some(l) = verts.last_mut() {
            l.bulge = 0.0;
        }
        let key = |vs: &[Vertex]| -> Vec<(i64, i64, i64)> {
            vs.iter()
                .map(|v| {
                    (
                        (v.x * 1e6).round() as i64,
                        (v.y * 1e6).round() as i64,
                        (v.bulge * 1e9).round() as i64,
                    )
                })
                .collect()
        };
        let fwd = key(&verts);
        let rev = key(&reverse_open(&verts));
        let canon = if fwd <= rev { fwd } else { rev };
        let mut h = std::hash::DefaultHasher::new();
        canon.hash(&mut h);
        keys.push(h.finish());
        out.push(RawPath {
            layer: p.layer,
            verts,
        });
    }
    (out, keys, stats)
}

/// Drops chains that repeat pieces already used: a closed chain made of the
/// same pieces as an earlier one, or an open chain whose pieces all belong to
/// kept chains (a shared edge drawn once per part). Returns the kept chains
/// and the number of pieces dropped.
pub fn drop_duplicates(chains: Vec<Chain>) -> (Vec<Chain>, usize) {
    let mut dropped = 0;
    let mut seen_loops: HashSet<Vec<u64>> = HashSet::new();
    let mut used: HashSet<u64> = HashSet::new();
    let mut kept = Vec::with_capacity(chains.len());
    let (closed, open): (Vec<Chain>, Vec<Chain>) = chains.into_iter().partition(|c| c.closed);
    for c in closed {
        let mut k = c.pieces.clone();
        k.sort_unstable();
        if !seen_loops.insert(k) {
            dropped += c.pieces.len();
            continue;
        }
        used.extend(c.pieces.iter().copied());
        kept.push(c);
    }
    for c in open {
        if c.pieces.iter().all(|p| used.contains(p)) {
            dropped += c.pieces.len();
            continue;
        }
        used.extend(c.pieces.iter().copied());
        kept.push(c);
    }
    (kept, dropped)
}

struct Grid {
    cell: f64,
    map: HashMap<(i64, i64), Vec<usize>>,
}

impl Grid {
    fn key(&self, p: Point) -> (i64, i64) {
        (
            (p.x / self.cell).floor() as i64,
            (p.y / self.cell).floor() as i64,
        )
    }
}

/// Joins paths whose ends lie within `tol_mm`, nearest end first.
/// A piece whose key is already in the current chain is not taken again (so a
/// doubled edge does not fold a chain back on itself).
pub fn chain(paths: Vec<RawPath>, keys: &[u64], tol_mm: f64) -> (Vec<Chain>, ChainStats) {
    let tol = tol_mm.max(0.0);
    let mut stats = ChainStats::default();
    let n = paths.len();
    let end_point = |id: usize| -> Point {
        let p = &paths[id / 2];
        if id.is_multiple_of(2) {
            p.verts[0].point()
        } else {
            p.verts[p.verts.len() - 1].point()
        }
    };
    let mut grid = Grid {
        cell: tol.max(1e-9),
        map: HashMap::new(),
    };
    for id in 0..2 * n {
        let k = grid.key(end_point(id));
        grid.map.entry(k).or_default().push(id);
    }
    let mut used = vec![false; n];
    let mut chains = Vec::new();
    fn note_gap(g: f64, stats: &mut ChainStats) {
        if g > 0.0 {
            stats.gaps_closed += 1;
            stats.max_gap_mm = stats.max_gap_mm.max(g);
        }
    }
    for i in 0..n {
        if used[i] {
            continue;
        }
        used[i] = true;
        let mut verts = paths[i].verts.clone();
        let mut pieces = vec![keys[i]];
        let mut closed = false;
        for _pass in 0..2 {
            loop {
                let end = verts[verts.len() - 1].point();
                let start = verts[0].point();
                let d = start.dist(end);
                if verts.len() >= 3 && d <= tol {
                    note_gap(d, &mut stats);
                    closed = true;
                    break;
                }
                // Nearest unused end within tolerance.
                let (cx, cy) = grid.key(end);
                let mut best: Option<(f64, usize)> = None;
                for dx in -1..=1 {
                    for dy in -1..=1 {
                        if let Some(ids) = grid.map.get(&(cx + dx, cy + dy)) {
                            for &id in ids {
                                if used[id / 2] || pieces.contains(&keys[id / 2]) {
                                    continue;
                                }
                                let dd = end_point(id).dist(end);
                                if dd <= tol
                                    && best
                                        .is_none_or(|(bd, bid)| dd < bd || (dd == bd && id < bid))
                                {
                                    best = Some((dd, id));
                                }
                            }
                        }
                    }
                }
                let Some((dd, id)) = best else { break };
                used[id / 2] = true;
                pieces.push(keys[id / 2]);
                note_gap(dd, &mut stats);
                let next = &paths[id / 2].verts;
                let next: Vec<Vertex> = if id % 2 == 0 {
                    next.clone()
                } else {
                    reverse_open(next)
                };
                let last = verts.len() - 1;
                verts[last].bulge = next[0].bulge;
                verts.extend_from_slice(&next[1..]);
            }
            if closed {
                break;
            }
            // Second pass extends the other end; after it the chain is back in its first direction.
            verts = reverse_open(&verts);
        }
        chains.push(Chain {
            layer: paths[i].layer.clone(),
            verts,
            closed,
            pieces,
        });
    }
    (chains, stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(a: (f64, f64), b: (f64, f64)) -> RawPath {
        RawPath {
            layer: "0".into(),
            verts: vec![Vertex::line(a.0, a.1), Vertex::line(b.0, b.1)],
        }
    }

    #[test]
    fn square_from_shuffled_lines_with_gap() {
        let paths = vec![
            line((0.0, 0.0), (10.0, 0.0)),
            line((10.0, 10.0), (0.0, 10.0)),
            line((10.0, 10.0), (10.0, 0.00005)),
            line((0.0, 10.0), (0.0, 0.0)),
        ];
        let keys: Vec<u64> = (0..paths.len() as u64).collect();
        let (chains, stats) = chain(paths, &keys, 1e-4);
        assert_eq!(chains.len(), 1);
        assert!(chains[0].closed);
        assert_eq!(chains[0].segments(), 4);
        assert_eq!(stats.gaps_closed, 1);
    }

    #[test]
    fn open_chain_stays_open() {
        let (chains, _) = chain(
            vec![line((0.0, 0.0), (1.0, 0.0)), line((1.0, 0.0), (1.0, 1.0))],
            &[1, 2],
            1e-4,
        );
        assert_eq!(chains.len(), 1);
        assert!(!chains[0].closed);
        assert_eq!(chains[0].segments(), 2);
    }

    #[test]
    fn clean_removes_zero_length_and_keys_duplicates() {
        let (out, keys, s) = clean(vec![
            line((0.0, 0.0), (1.0, 0.0)),
            line((1.0, 0.0), (0.0, 0.0)),
            line((5.0, 5.0), (5.0, 5.0)),
        ]);
        assert_eq!(out.len(), 2);
        assert_eq!(keys[0], keys[1]);
        assert_eq!(s.zero_length_segments, 1);
    }

    #[test]
    fn shared_edge_of_two_squares_is_kept_for_both() {
        // Two unit squares sharing the edge x = 1, each drawn completely (the edge twice).
        let paths = vec![
            line((0.0, 0.0), (1.0, 0.0)),
            line((1.0, 0.0), (1.0, 1.0)),
            line((1.0, 1.0), (0.0, 1.0)),
            line((0.0, 1.0), (0.0, 0.0)),
            line((1.0, 0.0), (2.0, 0.0)),
            line((2.0, 0.0), (2.0, 1.0)),
            line((2.0, 1.0), (1.0, 1.0)),
            line((1.0, 1.0), (1.0, 0.0)),
        ];
        let (paths, keys, _) = clean(paths);
        let (chains, _) = chain(paths, &keys, 1e-6);
        let (kept, dropped) = drop_duplicates(chains);
        assert_eq!(dropped, 0);
        assert_eq!(kept.iter().filter(|c| c.closed).count(), 2, "{kept:?}");
    }

    #[test]
    fn a_loop_drawn_twice_is_dropped_once() {
        let sq = [
            ((0.0, 0.0), (1.0, 0.0)),
            ((1.0, 0.0), (1.0, 1.0)),
            ((1.0, 1.0), (0.0, 1.0)),
            ((0.0, 1.0), (0.0, 0.0)),
        ];
        let paths: Vec<RawPath> = sq
            .iter()
            .chain(sq.iter())
            .map(|(a, b)| line(*a, *b))
            .collect();
        let (paths, keys, _) = clean(paths);
        let (chains, _) = chain(paths, &keys, 1e-6);
        let (kept, dropped) = drop_duplicates(chains);
        assert_eq!(kept.len(), 1);
        assert!(kept[0].closed);
        assert_eq!(dropped, 4);
    }

    #[test]
    fn reverse_keeps_arcs() {
        let v = vec![
            Vertex::new(0.0, 0.0, 0.5),
            Vertex::new(1.0, 0.0, 0.0),
            Vertex::line(1.0, 1.0),
        ];
        let r = reverse_open(&v);
        assert_eq!(r[0].point(), Point::new(1.0, 1.0));
        assert_eq!(r[1].bulge, -0.5);
        assert_eq!(reverse_open(&r), v);
    }
}
