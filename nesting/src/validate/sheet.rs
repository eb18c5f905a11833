//! Geometric checks on one sheet: every part inside the sheet and clear of
//! the margin, and every two parts' material apart by at least the spacing.

use super::exact::{
    ExactSeg, point_in_contour, point_segment, segment_closest, segment_intersections,
};
use super::violation::{SheetArea, SheetEdge, Violation};
use super::{PlacedShape, TOLERANCE_MM};
use crate::geometry::{BBox, Contour, Point};
use crate::problem::{SheetOutline, SheetSpec};
use rayon::prelude::*;
use std::ops::Range;

/// Offset of the probe point used to tell which side of a shared boundary
/// the material of a part lies on (mm).
const PROBE_MM: f64 = 1e-4;

/// A placed part prepared for exact queries: outer CCW, holes CW, so the
/// material is always on the left of every segment.
#[derive(Debug)]
struct Shape<'a> {
    label: &'a str,
    segs: Vec<ExactSeg>,
    /// Segment ranges of the contours; the first one is the outer contour.
    contours: Vec<Range<usize>>,
    contour_bboxes: Vec<BBox>,
    bbox: BBox,
}

impl<'a> Shape<'a> {
    fn new(s: &'a PlacedShape) -> Shape<'a> {
        let mut segs = Vec::new();
        let mut contours = Vec::new();
        let mut contour_bboxes = Vec::new();
        let outer = oriented(&s.outer, true);
        let holes = s.holes.iter().map(|h| oriented(h, false));
        for c in std::iter::once(outer).chain(holes) {
            let start = segs.len();
            segs.extend(ExactSeg::of_contour(&c));
            let bb = segs[start..]
                .iter()
                .fold(BBox::EMPTY, |bb, s| bb.union(&s.bbox));
            contours.push(start..segs.len());
            contour_bboxes.push(bb);
        }
        Shape {
            label: &s.label,
            bbox: contour_bboxes[0],
            segs,
            contours,
            contour_bboxes,
        }
    }

    fn is_finite(&self) -> bool {
        self.segs.iter().all(|s| {
            s.a.x.is_finite() && s.a.y.is_finite() && s.b.x.is_finite() && s.b.y.is_finite()
        })
    }

    /// True when `p` is inside the outer contour and outside every hole.
    fn in_material(&self, p: Point) -> bool {
        if !self.bbox.contains(p) {
            return false;
        }
        for (k, r) in self.contours.iter().enumerate() {
            let inside =
                self.contour_bboxes[k].contains(p) && point_in_contour(p, &self.segs[r.clone()]);
            if k == 0 && !inside {
                return false;
            }
            if k > 0 && inside {
                return false;
            }
        }
        true
    }

    /// Exact distance from `p` to the nearest boundary (outer or hole).
    fn boundary_distance(&self, p: Point) -> f64 {
        let mut best = f64::INFINITY;
        for s in &self.segs {
            if bbox_distance(&s.bbox, p) >= best {
                continue;
            }
            best = best.min(point_segment(p, s).0);
        }
        best
    }

    fn contour_of(&self, seg: usize) -> usize {
        self.contours
            .iter()
            .position(|r| r.contains(&seg))
            .unwrap_or(0)
    }
}

fn oriented(c: &Contour, ccw: bool) -> Contour {
    if c.vertices.len() < 2 || (c.signed_area() > 0.0) == ccw {
        c.clone()
    } else {
        c.reversed()
    }
}

fn bbox_distance(bb: &BBox, p: Point) -> f64 {
    let dx = (bb.min.x - p.x).max(p.x - bb.max.x).max(0.0);
    let dy = (bb.min.y - p.y).max(p.y - bb.max.y).max(0.0);
    dx.hypot(dy)
}

/// Checks one sheet; see [`super::validate_sheet`].
pub(super) fn check_sheet(
    sheet: usize,
    spec: &SheetSpec,
    shapes: &[PlacedShape],
    spacing_mm: f64,
    margin_mm: f64,
) -> Vec<Violation> {
    let mut out = Vec::new();
    let prepared: Vec<(Shape, &PlacedShape)> = shapes
        .iter()
        .filter(|s| !s.outer.vertices.is_empty())
        .map(|s| (Shape::new(s), s))
        .collect();
    let obstacles = spec.outline.as_ref().map(Obstacles::new);
    let mut usable = Vec::with_capacity(prepared.len());
    for (s, placed) in prepared {
        if s.is_finite() {
            match &obstacles {
                Some(obs) => obs.check(sheet, margin_mm, &s, placed.min_quality, &mut out),
                None => check_edges(
                    sheet,
                    spec.width_mm,
                    spec.height_mm,
                    margin_mm,
                    &s,
                    &mut out,
                ),
            }
            usable.push(s);
        } else {
            out.push(Violation::NonFiniteGeometry {
                sheet,
                part: s.label.to_string(),
            });
        }
    }
    let spacing = spacing_mm.max(0.0);
    let reach = spacing + TOLERANCE_MM;
    // Sort-and-sweep over the part bounding boxes.
    let mut order: Vec<usize> = (0..usable.len()).collect();
    order.sort_by(|&i, &j| usable[i].bbox.min.x.total_cmp(&usable[j].bbox.min.x));
    let mut pairs = Vec::new();
    for (k, &i) in order.iter().enumerate() {
        let bi = usable[i].bbox.expanded(reach);
        for &j in &order[k + 1..] {
            if usable[j].bbox.min.x > bi.max.x {
                break;
            }
            if bi.intersects(&usable[j].bbox) {
                pairs.push((i.min(j), i.max(j)));
            }
        }
    }
    pairs.sort_unstable();
    let found: Vec<Violation> = pairs
        .par_iter()
        .filter_map(|&(i, j)| check_pair(sheet, &usable[i], &usable[j], spacing))
        .collect();
    out.extend(found);
    out
}

/// What a part must keep off on an irregular sheet, as shapes whose
/// "material" is the forbidden area: the outside of the outline (a frame
/// around the outline with the outline as its hole), the holes, the zones.
struct Obstacles {
    shapes: Vec<(SheetArea, PlacedShape)>,
}

impl Obstacles {
    fn new(o: &SheetOutline) -> Self {
        let bb = o.outer.bbox();
        let pad = bb.diagonal().max(1.0);
        let frame = Contour::rectangle(
            bb.min.x - pad,
            bb.min.y - pad,
            bb.width() + 2.0 * pad,
            bb.height() + 2.0 * pad,
        );
        let obstacle = |outer: Contour, holes: Vec<Contour>| PlacedShape {
            label: String::new(),
            outer,
            holes,
            min_quality: None,
        };
        let mut shapes = vec![(SheetArea::Outline, obstacle(frame, vec![o.outer.clone()]))];
        for (k, h) in o.holes.iter().enumerate() {
            shapes.push((SheetArea::Hole(k), obstacle(h.clone(), vec![])));
        }
        for (k, z) in o.zones.iter().enumerate() {
            let area = SheetArea::Zone {
                index: k,
                quality: z.quality,
            };
            shapes.push((area, obstacle(z.contour.clone(), vec![])));
        }
        Obstacles { shapes }
    }

    /// Checks part `s` (of minimum quality `min_quality`) against every
    /// obstacle it may not touch: no material on it, the margin kept.
    fn check(
        &self,
        sheet: usize,
        margin_mm: f64,
        s: &Shape,
        min_quality: Option<u32>,
        out: &mut Vec<Violation>,
    ) {
        let margin = margin_mm.max(0.0);
        for (area, placed) in &self.shapes {
            if let SheetArea::Zone { quality, .. } = area
                && *quality > 0
                && min_quality.is_some_and(|q| *quality >= q)
            {
                continue;
            }
            let obstacle = Shape::new(placed);
            if !obstacle
                .bbox
                .expanded(margin + TOLERANCE_MM)
                .intersects(&s.bbox)
            {
                continue;
            }
            match check_pair(sheet, s, &obstacle, margin) {
                Some(Violation::Overlap { at, .. }) => out.push(Violation::OffSheet {
                    sheet,
                    part: s.label.to_string(),
                    area: *area,
                    at,
                }),
                Some(Violation::Spacing {
                    distance_mm, at, ..
                }) => out.push(Violation::SheetMargin {
                    sheet,
                    part: s.label.to_string(),
                    area: *area,
                    distance_mm,
                    required_mm: margin,
                    at,
                }),
                _ => {}
            }
        }
    }
}

/// Margin and outside-sheet checks against the exact outer bounding box.
fn check_edges(
    sheet: usize,
    width_mm: f64,
    height_mm: f64,
    margin_mm: f64,
    s: &Shape,
    out: &mut Vec<Violation>,
) {
    let bb = s.bbox;
    let edges = [
        (SheetEdge::Left, bb.min.x),
        (SheetEdge::Right, width_mm - bb.max.x),
        (SheetEdge::Bottom, bb.min.y),
        (SheetEdge::Top, height_mm - bb.max.y),
    ];
    for (edge, distance) in edges {
        if distance < -TOLERANCE_MM {
            out.push(Violation::OutsideSheet {
                sheet,
                part: s.label.to_string(),
                edge,
                overhang_mm: -distance,
            });
        } else if distance < margin_mm - TOLERANCE_MM {
            out.push(Violation::Margin {
                sheet,
                part: s.label.to_string(),
                distance_mm: distance.max(0.0),
                required_mm: margin_mm,
                edge,
            });
        }
    }
}

/// A pair of segments (index in `a`, index in `b`) closer than the reach.
#[derive(Clone, Copy, Debug)]
struct NearPair {
    ia: usize,
    ib: usize,
    distance: f64,
}

/// Exact checks of two parts whose expanded bounding boxes meet.
fn check_pair(sheet: usize, a: &Shape, b: &Shape, spacing: f64) -> Option<Violation> {
    let reach = spacing + TOLERANCE_MM;
    let near = near_segment_pairs(a, b, reach);
    let mut closest: Option<(f64, Point)> = None;
    for np in &near {
        if closest.is_none_or(|(d, _)| np.distance < d) {
            let c = segment_closest(&a.segs[np.ia], &b.segs[np.ib]);
            closest = Some((c.distance, c.p.add(c.q).scale(0.5)));
        }
    }
    let overlap_at = material_overlap(a, b, &near).or_else(|| {
        let swapped: Vec<NearPair> = near
            .iter()
            .map(|p| NearPair {
                ia: p.ib,
                ib: p.ia,
                distance: p.distance,
            })
            .collect();
        material_overlap(b, a, &swapped)
    });
    if let Some(at) = overlap_at {
        return Some(Violation::Overlap {
            sheet,
            a: a.label.to_string(),
            b: b.label.to_string(),
            at,
        });
    }
    match closest {
        Some((d, at))
            if d < spacing - TOLERANCE_MM || (d <= TOLERANCE_MM && spacing > TOLERANCE_MM) =>
        {
            Some(Violation::Spacing {
                sheet,
                a: a.label.to_string(),
                b: b.label.to_string(),
                distance_mm: d,
                required_mm: spacing,
                at,
            })
        }
        _ => None,
    }
}

/// All segment pairs of `a` and `b` whose exact distance is below `reach`,
/// found by a sort-and-sweep over the segment bounding boxes.
fn near_segment_pairs(a: &Shape, b: &Shape, reach: f64) -> Vec<NearPair> {
    let zone_a = b.bbox.expanded(reach);
    let zone_b = a.bbox.expanded(reach);
    // (min x, from b?, index)
    let mut items: Vec<(f64, bool, usize)> = Vec::new();
    items.extend(
        a.segs
            .iter()
            .enumerate()
            .filter(|(_, s)| s.bbox.intersects(&zone_a))
            .map(|(i, s)| (s.bbox.min.x, false, i)),
    );
    items.extend(
        b.segs
            .iter()
            .enumerate()
            .filter(|(_, s)| s.bbox.intersects(&zone_b))
            .map(|(i, s)| (s.bbox.min.x, true, i)),
    );
    items.sort_by(|x, y| x.0.total_cmp(&y.0));
    let mut active_a: Vec<usize> = Vec::new();
    let mut active_b: Vec<usize> = Vec::new();
    let mut out = Vec::new();
    for (min_x, from_b, i) in items {
        let (seg, others, other_segs) = if from_b {
            (&b.segs[i], &mut active_a, &a.segs)
        } else {
            (&a.segs[i], &mut active_b, &b.segs)
        };
        others.retain(|&j| other_segs[j].bbox.max.x + reach >= min_x);
        let zone = seg.bbox.expanded(reach);
        for &j in others.iter() {
            let o = &other_segs[j];
            if !zone.intersects(&o.bbox) {
                continue;
            }
            let (ia, ib) = if from_b { (j, i) } else { (i, j) };
            let distance = segment_closest(&a.segs[ia], &b.segs[ib]).distance;
            if distance < reach {
                out.push(NearPair { ia, ib, distance });
            }
        }
        if from_b {
            active_b.push(i);
        } else {
            active_a.push(i);
        }
    }
    out
}

/// A point inside the material of both `a` and `b` found from `a`'s side:
/// pieces of `a`'s boundary (split where it meets `b`) lying inside `b`'s
/// material, coincident boundary pieces with both materials on the same
/// side, and `a`'s contours lying inside `b` without touching it.
fn material_overlap(a: &Shape, b: &Shape, near: &[NearPair]) -> Option<Point> {
    let mut contact: Vec<(usize, usize)> = near
        .iter()
        .filter(|p| p.distance <= TOLERANCE_MM)
        .map(|p| (p.ia, p.ib))
        .collect();
    contact.sort_unstable();
    let mut touched_contours = vec![false; a.contours.len()];
    let mut k = 0;
    while k < contact.len() {
        let ia = contact[k].0;
        let seg = &a.segs[ia];
        touched_contours[a.contour_of(ia)] = true;
        let mut params = vec![0.0, 1.0];
        while k < contact.len() && contact[k].0 == ia {
            for p in segment_intersections(seg, &b.segs[contact[k].1], TOLERANCE_MM) {
                params.push(seg.param_of(p));
            }
            k += 1;
        }
        params.sort_by(f64::total_cmp);
        for w in params.windows(2) {
            if w[1] - w[0] < 1e-9 {
                continue;
            }
            let t = 0.5 * (w[0] + w[1]);
            let m = seg.point_at(t);
            if b.boundary_distance(m) > TOLERANCE_MM {
                if b.in_material(m) {
                    return Some(m);
                }
            } else {
                // On b's boundary: look just inside a's material.
                let tan = seg.tangent_at(t);
                let probe = m.add(Point::new(-tan.y, tan.x).scale(PROBE_MM));
                if b.in_material(probe)
                    && b.boundary_distance(probe) > 0.25 * PROBE_MM
                    && a.in_material(probe)
                {
                    return Some(probe);
                }
            }
        }
    }
    // Contours not touching b at all: inside b's material or not, as a whole.
    for (c, r) in a.contours.iter().enumerate() {
        if touched_contours[c] || r.is_empty() || !a.contour_bboxes[c].intersects(&b.bbox) {
            continue;
        }
        let p = a.segs[r.start].a;
        if b.in_material(p) && b.boundary_distance(p) > TOLERANCE_MM {
            return Some(p);
        }
    }
    None
}
