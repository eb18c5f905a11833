//! A sensible cutting order for one sheet, used to estimate rapid moves.
//!
//! The rule, as a CAM post-processor would apply it:
//! - the head starts at the sheet origin (0, 0);
//! - each part is finished before the next: its holes first (a hole cut after
//!   its outline would be cut in a loose part), nearest hole first, then the
//!   outline;
//! - a part placed inside another part's hole is cut before that part's
//!   outline (so part-in-part nests work);
//! - the next contour is always the nearest one: the pierce point of a contour
//!   is its vertex nearest to the head, and the head ends where it pierced
//!   (contours are closed);
//! - the final move back to the origin is not counted.
//!
//! Ties are broken by placement order, so the result is deterministic.

use crate::geometry::{BBox, Contour, Point};
use crate::problem::{NestProblem, SheetLayout};
use serde::{Deserialize, Serialize};

/// Which contour of a placed part a step cuts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContourKind {
    /// Hole number `i` of the part (index into `Part::holes`).
    Hole(usize),
    /// The outer contour.
    Outer,
}

/// One pierce-and-cut of the cutting order.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct CutStep {
    /// Index into the sheet's `placements`.
    pub placement: usize,
    /// Part type (index into `NestProblem::parts`).
    pub part: usize,
    pub contour: ContourKind,
    /// Where the head pierces, sheet coordinates (mm).
    pub pierce: Point,
    /// Rapid move from the previous head position to `pierce`, mm.
    pub rapid_mm: f64,
    /// Length of the contour cut, mm.
    pub cut_length_mm: f64,
}

struct Placed {
    part: usize,
    outer: Contour,
    holes: Vec<Contour>,
    hole_boxes: Vec<BBox>,
    bbox: BBox,
}

/// The nearest vertex of `c` to `from`, with its distance.
fn nearest_vertex(c: &Contour, from: Point) -> Option<(Point, f64)> {
    c.vertices
        .iter()
        .map(|v| (v.point(), v.point().dist(from)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
}

/// The cutting order of one sheet; placements naming a part that the
/// problem does not have are skipped (the caller checks indices first).
pub fn cutting_order(problem: &NestProblem, sheet: &SheetLayout) -> Vec<CutStep> {
    let placed: Vec<Option<Placed>> = sheet
        .placements
        .iter()
        .map(|p| {
            let demand = problem.parts.get(p.part)?;
            let (outer, holes) = demand.part.placed_contours(&p.transform);
            let hole_boxes = holes.iter().map(Contour::bbox).collect();
            let bbox = outer.bbox();
            Some(Placed {
                part: p.part,
                outer,
                holes,
                hole_boxes,
                bbox,
            })
        })
        .collect();
    // inside[q] = the placements whose hole boxes hold q: q goes first.
    let n = placed.len();
    let mut encloses: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (p, pp) in placed.iter().enumerate() {
        let Some(pp) = pp else { continue };
        for (q, qq) in placed.iter().enumerate() {
            let Some(qq) = qq else { continue };
            if p != q
                && pp
                    .hole_boxes
                    .iter()
                    .any(|hb| hb.contains(qq.bbox.min) && hb.contains(qq.bbox.max))
            {
                encloses[p].push(q);
            }
        }
    }
    let mut remaining: Vec<bool> = placed.iter().map(Option::is_some).collect();
    let mut head = Point::new(0.0, 0.0);
    let mut steps = Vec::new();
    loop {
        let open = |p: usize, rem: &[bool]| rem[p] && !encloses[p].iter().any(|&q| rem[q]);
        let mut candidates: Vec<usize> = (0..n).filter(|&p| open(p, &remaining)).collect();
        if candidates.is_empty() {
            // Only a cycle of mutual enclosures is left (overlapping parts):
            // fall back to plain nearest neighbour.
            candidates = (0..n).filter(|&p| remaining[p]).collect();
        }
        let best = candidates
            .into_iter()
            .filter_map(|p| {
                let pp = placed[p].as_ref()?;
                let first = if pp.holes.is_empty() {
                    nearest_vertex(&pp.outer, head)
                } else {
                    pp.holes
                        .iter()
                        .filter_map(|h| nearest_vertex(h, head))
                        .min_by(|a, b| a.1.total_cmp(&b.1))
                };
                first.map(|(_, d)| (p, d))
            })
            .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        let Some((p, _)) = best else { break };
        remaining[p] = false;
        let Some(pp) = placed[p].as_ref() else {
            continue;
        };
        let mut holes_left: Vec<usize> = (0..pp.holes.len()).collect();
        while !holes_left.is_empty() {
            let Some((k, pierce, d)) = holes_left
                .iter()
                .enumerate()
                .filter_map(|(k, &h)| nearest_vertex(&pp.holes[h], head).map(|(v, d)| (k, v, d)))
                .min_by(|a, b| a.2.total_cmp(&b.2))
            else {
                break;
            };
            let h = holes_left.remove(k);
            steps.push(CutStep {
                placement: p,
                part: pp.part,
                contour: ContourKind::Hole(h),
                pierce,
                rapid_mm: d,
                cut_length_mm: pp.holes[h].length(),
            });
            head = pierce;
        }
        if let Some((pierce, d)) = nearest_vertex(&pp.outer, head) {
            steps.push(CutStep {
                placement: p,
                part: pp.part,
                contour: ContourKind::Outer,
                pierce,
                rapid_mm: d,
                cut_length_mm: pp.outer.length(),
            });
            head = pierce;
        }
    }
    steps
}
