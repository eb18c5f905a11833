//! Part-in-part: small parts nested inside the holes of larger parts.
//!
//! jagua-rs rejects items with holes, so a part blocks its whole outline.
//! Before the main search, the holes of each part type with holes are
//! filled with smaller parts (each hole is a jagua container: the hole
//! region, arcs replaced by an inscribed polygon, shrunk by the spacing).
//! The filled part becomes a composite part type — the parent's outline
//! with the children at fixed relative transforms — nested like any other
//! part; afterwards every composite placement is expanded back into the
//! parent and its children. Quantities are taken from the children's
//! demand, so every copy is still placed exactly once.

use super::construct::{Ctx, Params, construct};
use super::convert::{
    PartShapes, SHORT_EDGE_RATIO, SheetShape, container_importer, inscribed_polygon,
    item_growth_mm, to_transform,
};
use super::outline::JOIN_FACTOR;
use crate::geometry::{BBox, Point, Transform};
use crate::part::Part;
use crate::problem::{Layout, NestProblem, PartDemand, Placement, Rotations, SheetSpec};
use crate::validate::validate_layout;
use jagua_rs::io::ext_repr::{ExtContainer, ExtSPolygon, ExtShape};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::sync::Arc;

/// A child placed in a parent's hole, in the parent's local frame.
#[derive(Clone, Debug)]
struct Child {
    part: usize,
    transform: Transform,
}

/// A composite part type of the prepared problem.
#[derive(Clone, Debug)]
struct Composite {
    parent: usize,
    children: Vec<Child>,
}

/// The problem with composites added and quantities reduced, and how to
/// expand its layouts back.
#[derive(Clone, Debug)]
pub struct Prepared {
    pub problem: NestProblem,
    /// Parts of the original problem (the first ones of `problem`).
    original_parts: usize,
    composites: Vec<Composite>,
}

/// The hole `hole` of `part` as a jagua container for parts grown by the
/// engine's item growth, shrunk so children keep the spacing from the hole edge
/// (jagua-rs's round joins come closer than that at the hole's reflex corners
/// by up to [`JOIN_FACTOR`]) and jagua-rs's dropped short edges cannot bring
/// them closer ([`SHORT_EDGE_RATIO`]).
fn hole_container(part: &Part, hole: usize, growth_mm: f64) -> Option<SheetShape> {
    let region = part.holes[hole].clone().oriented(true);
    let ring = inscribed_polygon(&region, super::convert::ARC_TOLERANCE_MM);
    if ring.len() < 3 {
        return None;
    }
    // jagua-rs may cut the hole's corners by a share of its size when it
    // builds the shrunk polygon: shrink by that too.
    let size_mm = BBox::from_points(ring.iter().copied()).diagonal();
    let shrink_mm = growth_mm * JOIN_FACTOR + SHORT_EDGE_RATIO * size_mm;
    let importer = container_importer()
        .with_min_item_separation((2.0 * shrink_mm) as f32)
        .ok()?;
    let ext = ExtContainer {
        id: 0,
        shape: ExtShape::SimplePolygon(ExtSPolygon(
            ring.iter().map(|p| (p.x as f32, p.y as f32)).collect(),
        )),
        zones: vec![],
    };
    let container = importer.import_container(&ext).ok()?;
    let b = container.outer_cd().bbox();
    Some(SheetShape {
        sheet: 0,
        area: f64::from(container.outer_cd().area()),
        x_min: b.x_min,
        y_min: b.y_min,
        x_max: b.x_max,
        y_max: b.y_max,
        container,
        irregular: false,
    })
}

/// Rotations a composite may take: parent angles at which every child's
/// absolute angle is allowed for it.
fn composite_rotations(problem: &NestProblem, parent: usize, children: &[Child]) -> Rotations {
    let angles = problem.parts[parent]
        .rotations
        .discrete_angles()
        .unwrap_or_else(|| (0..24).map(|i| f64::from(i) * 15.0).collect());
    let ok: Vec<f64> = angles
        .into_iter()
        .filter(|&a| {
            children.iter().all(|c| {
                problem.parts[c.part]
                    .rotations
                    .allows(a + c.transform.angle_deg)
            })
        })
        .collect();
    if ok.is_empty() {
        Rotations::List(vec![])
    } else {
        Rotations::List(ok)
    }
}

/// Fills the holes of parts with holes; `None` when nothing went into a hole.
///
/// Parents are taken largest first. Each round fills the holes of one parent
/// with the copies still left and makes a composite type of as many copies
/// as the parent and the children's demand allow; rounds repeat while copies
/// of the parent are left and something still fits (each round may hold a
/// different mix of children). Stops adding composites once `stop` says so.
pub fn prepare(
    problem: &NestProblem,
    parts: &[PartShapes],
    seed: u64,
    stop: &dyn Fn() -> bool,
) -> Option<Prepared> {
    let growth = item_growth_mm(problem.spacing_mm);
    let mut left: Vec<u32> = problem.parts.iter().map(|p| p.quantity).collect();
    let mut parents: Vec<usize> = (0..problem.parts.len())
        .filter(|&i| !problem.parts[i].part.holes.is_empty() && left[i] > 0)
        .collect();
    parents.sort_by(|&a, &b| {
        problem.parts[b]
            .part
            .outer
            .area()
            .total_cmp(&problem.parts[a].part.outer.area())
    });
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5041_5254);
    let mut composites: Vec<(Composite, u32)> = Vec::new();
    for parent in parents {
        while left[parent] > 0 && !stop() {
            let Some((children, used)) =
                fill_holes(problem, parts, parent, &left, growth, &mut rng, stop)
            else {
                break;
            };
            // Copies of the composite: limited by the parent and by each child's demand.
            let mut k = left[parent];
            for (i, &u) in used.iter().enumerate() {
                if let Some(q) = left[i].checked_div(u) {
                    k = k.min(q);
                }
            }
            if k == 0 {
                break;
            }
            let composite = Composite { parent, children };
            if !composite_is_valid(problem, &composite) {
                tracing::warn!(
                    "part-in-part: the filled holes of part {parent} failed validation; nesting it without"
                );
                break;
            }
            if let Rotations::List(l) = composite_rotations(problem, parent, &composite.children)
                && l.is_empty()
            {
                break;
            }
            left[parent] -= k;
            for (i, &u) in used.iter().enumerate() {
                left[i] -= u * k;
            }
            composites.push((composite, k));
        }
    }
    if composites.is_empty() {
        return None;
    }
    let mut out = problem.clone();
    for (i, p) in out.parts.iter_mut().enumerate() {
        p.quantity = left[i];
    }
    for (c, k) in &composites {
        let parent = &problem.parts[c.parent];
        out.parts.push(PartDemand {
            part: Arc::new(Part {
                name: format!("{} (with parts in its holes)", parent.part.name),
                ..(*parent.part).clone()
            }),
            quantity: *k,
            rotations: composite_rotations(problem, c.parent, &c.children),
            mirror: false,
            // The strictest of the parent's and the children's.
            min_quality: std::iter::once(c.parent)
                .chain(c.children.iter().map(|ch| ch.part))
                .map(|i| problem.parts[i].min_quality)
                .reduce(|a, b| a.zip(b).map(|(a, b)| a.max(b)))
                .flatten(),
            // The most urgent of the parent's and the children's.
            priority: std::iter::once(c.parent)
                .chain(c.children.iter().map(|ch| ch.part))
                .map(|i| problem.parts[i].priority)
                .min()
                .unwrap_or(parent.priority),
        });
    }
    Some(Prepared {
        problem: out,
        original_parts: problem.parts.len(),
        composites: composites.into_iter().map(|(c, _)| c).collect(),
    })
}

/// Fills each hole of `parent` with copies still `left` (the largest first);
/// the children and the copies used per part type, or `None` when nothing fits.
fn fill_holes(
    problem: &NestProblem,
    parts: &[PartShapes],
    parent: usize,
    left: &[u32],
    growth_mm: f64,
    rng: &mut ChaCha8Rng,
    stop: &dyn Fn() -> bool,
) -> Option<(Vec<Child>, Vec<u32>)> {
    let part = &problem.parts[parent].part;
    let mut children: Vec<Child> = Vec::new();
    let mut used = vec![0u32; problem.parts.len()];
    for h in 0..part.holes.len() {
        let hole_area = part.holes[h].area();
        // Candidate copies (one per remaining copy, capped by what fits by area).
        // A part may have several shapes (mirrored): they share its copies.
        let mut order: Vec<usize> = Vec::new();
        let mut queued = vec![0u32; problem.parts.len()];
        for (k, ps) in parts.iter().enumerate() {
            if ps.part == parent || ps.outer_area >= hole_area {
                continue;
            }
            let avail = left[ps.part].saturating_sub(used[ps.part] + queued[ps.part]);
            let cap = (hole_area / ps.outer_area).floor() as u32;
            let n = avail.min(cap);
            queued[ps.part] += n;
            order.extend(std::iter::repeat_n(k, n as usize));
        }
        if order.is_empty() {
            continue;
        }
        order.sort_by(|&a, &b| parts[b].outer_area.total_cmp(&parts[a].outer_area));
        let Some(shape) = hole_container(part, h, growth_mm) else {
            continue;
        };
        let fake = NestProblem {
            parts: problem.parts.clone(),
            sheets: vec![SheetSpec {
                width_mm: f64::from(shape.x_max - shape.x_min),
                height_mm: f64::from(shape.y_max - shape.y_min),
                count: Some(1),
                cost: None,
                outline: None,
            }],
            spacing_mm: problem.spacing_mm,
            margin_mm: 0.0,
        };
        let sheets = [Some(shape)];
        let ctx = Ctx {
            problem: &fake,
            parts,
            sheets: &sheets,
            cost_mode: false,
            fixed: &[],
        };
        let Some(sol) = construct(&ctx, &order, &Params::greedy(), rng, stop, true) else {
            continue;
        };
        for (_, placed) in &sol.sheets {
            for p in placed {
                let ps = &parts[p.shape];
                used[ps.part] += 1;
                children.push(Child {
                    part: ps.part,
                    transform: to_transform(&ps.orientations[p.orient], p.t),
                });
            }
        }
    }
    (!children.is_empty()).then_some((children, used))
}

/// Checks a parent with its children on a sheet large enough for it.
fn composite_is_valid(problem: &NestProblem, c: &Composite) -> bool {
    let bb = problem.parts[c.parent].part.bbox();
    let m = problem.margin_mm + 1.0;
    let at = Transform {
        x_mm: m - bb.min.x,
        y_mm: m - bb.min.y,
        angle_deg: 0.0,
        mirrored: false,
    };
    let expanded = expand_one(c, &at);
    let check = NestProblem {
        sheets: vec![SheetSpec {
            width_mm: bb.width() + 2.0 * m,
            height_mm: bb.height() + 2.0 * m,
            count: None,
            cost: None,
            outline: None,
        }],
        ..problem.clone()
    };
    let layout = Layout {
        sheets: vec![crate::problem::SheetLayout {
            sheet: 0,
            placements: expanded
                .into_iter()
                .enumerate()
                .map(|(i, (part, transform))| Placement {
                    part,
                    copy: i as u32 + 1,
                    transform,
                })
                .collect(),
        }],
        unplaced: vec![],
    };
    crate::validate::validate_layout_geometry(&check, &layout).is_valid()
}

/// The parent and children of a composite placed at `at`.
fn expand_one(c: &Composite, at: &Transform) -> Vec<(usize, Transform)> {
    let mut out = vec![(c.parent, *at)];
    for ch in &c.children {
        let p = at.apply(Point::new(ch.transform.x_mm, ch.transform.y_mm));
        let sign = if at.mirrored { -1.0 } else { 1.0 };
        out.push((
            ch.part,
            Transform {
                x_mm: p.x,
                y_mm: p.y,
                angle_deg: at.angle_deg + sign * ch.transform.angle_deg,
                mirrored: at.mirrored != ch.transform.mirrored,
            },
        ));
    }
    out
}

impl Prepared {
    /// A layout of the prepared problem as a layout of the original one:
    /// composites expanded, copies renumbered per part, unplaced composites
    /// reported as their parent and children.
    pub fn expand(&self, layout: &Layout) -> Layout {
        let n = self.original_parts;
        let mut copies = vec![0u32; n];
        let mut number = |part: usize| {
            copies[part] += 1;
            copies[part]
        };
        let sheets = layout
            .sheets
            .iter()
            .map(|s| {
                let mut placements = Vec::with_capacity(s.placements.len());
                for p in &s.placements {
                    if p.part < n {
                        placements.push(Placement {
                            copy: number(p.part),
                            ..*p
                        });
                    } else {
                        for (part, transform) in
                            expand_one(&self.composites[p.part - n], &p.transform)
                        {
                            placements.push(Placement {
                                part,
                                copy: number(part),
                                transform,
                            });
                        }
                    }
                }
                crate::problem::SheetLayout {
                    sheet: s.sheet,
                    placements,
                }
            })
            .collect();
        let mut unplaced: Vec<crate::problem::Unplaced> = Vec::new();
        let mut add = |part: usize, count: u32, reason: &str| match unplaced
            .iter_mut()
            .find(|u| u.part == part && u.reason == reason)
        {
            Some(u) => u.count += count,
            None => unplaced.push(crate::problem::Unplaced {
                part,
                count,
                reason: reason.to_string(),
            }),
        };
        for u in &layout.unplaced {
            if u.part < n {
                add(u.part, u.count, &u.reason);
            } else {
                let c = &self.composites[u.part - n];
                add(c.parent, u.count, &u.reason);
                for ch in &c.children {
                    add(ch.part, u.count, &u.reason);
                }
            }
        }
        unplaced.sort_by_key(|u| u.part);
        Layout { sheets, unplaced }
    }

    /// True when the expanded layout passes the validator.
    pub fn check(&self, original: &NestProblem, layout: &Layout) -> bool {
        validate_layout(original, layout).is_valid()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::outline::tests::assert_inside_by;
    use crate::geometry::Contour;

    /// jagua-rs drops edges shorter than 1e-5 of a polygon's diameter (0.042
    /// mm for this 3 × 3 m L-shaped hole), which can cut the rounded reflex
    /// corner of the shrunk hole outwards: [`SHORT_EDGE_RATIO`] keeps every
    /// point of the container inside the hole and at least the item growth
    /// from its edge, so a grown child keeps twice the growth from the
    /// parent's material.
    #[test]
    fn the_container_of_a_large_hole_keeps_the_growth_from_its_edge() {
        let corners = [
            (50., 50.),
            (3050., 50.),
            (3050., 1550.),
            (1550.02, 1550.),
            (1550., 1550.02),
            (1550., 3050.),
            (50., 3050.),
        ];
        let hole: Vec<Point> = corners.iter().map(|&(x, y)| Point::new(x, y)).collect();
        let outer =
            [(0., 0.), (3100., 0.), (3100., 3100.), (0., 3100.)].map(|(x, y)| Point::new(x, y));
        let part = Part::new(
            "plate",
            Contour::polygon(outer),
            vec![Contour::polygon(hole.iter().copied())],
        );
        let growth_mm = item_growth_mm(0.0);
        let shape = hole_container(&part, 0, growth_mm).unwrap();
        assert_inside_by(shape.container.outer_cd(), &hole, growth_mm);
    }
}
