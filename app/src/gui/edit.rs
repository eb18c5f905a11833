//! Editing a layout by hand: move, rotate, send to another sheet, lock,
//! undo/redo. A change is kept only when the exact validator
//! (`nesting::validate`) accepts the moved part against its neighbours; a
//! fast check on the flattened shapes gives live feedback while dragging.

use super::state::{CopyId, NestDoc, Snapshot};
use nesting::geometry::{BBox, Point, Transform};
use nesting::validate::{PlacedShape, validate_sheet};
use nesting::{Placement, SheetLayout, SheetOutline};

/// Slack (mm) of the fast check: flattened arcs may sit this far inside the
/// true contour, so the fast check is a little lenient; the exact check decides.
const FAST_SLACK_MM: f64 = 0.05;

/// Where "send to sheet" puts a part.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendTarget {
    /// An existing sheet of the layout (index into `layout.sheets`).
    Sheet(usize),
    /// A new sheet of stock size `problem.sheets[k]`.
    NewSheet(usize),
}

/// Width and height of layout sheet `sheet`.
fn sheet_size(doc: &NestDoc, spec: usize) -> Option<(f64, f64)> {
    doc.problem
        .sheets
        .get(spec)
        .map(|s| (s.width_mm, s.height_mm))
}

/// Bounding box of a placed copy (from its flattened shape).
pub fn placed_bbox(doc: &NestDoc, p: &Placement) -> BBox {
    let Some(shape) = doc.shapes.get(p.part) else {
        return BBox::from_points([Point::new(p.transform.x_mm, p.transform.y_mm)]);
    };
    BBox::from_points(shape.outer.iter().map(|q| p.transform.apply(*q)))
}

fn placed_contours(doc: &NestDoc, p: &Placement) -> Vec<Vec<Point>> {
    doc.shapes.get(p.part).map_or_else(Vec::new, |s| {
        s.contours()
            .map(|c| c.iter().map(|q| p.transform.apply(*q)).collect())
            .collect()
    })
}

fn seg_point_dist(p: Point, a: Point, b: Point) -> f64 {
    let ab = b.sub(a);
    let len2 = ab.dot(ab);
    let t = if len2 > 0.0 {
        (p.sub(a).dot(ab) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    p.dist(a.add(ab.scale(t)))
}

fn segs_cross(a: Point, b: Point, c: Point, d: Point) -> bool {
    let o = |p: Point, q: Point, r: Point| q.sub(p).cross(r.sub(p));
    let (d1, d2) = (o(a, b, c), o(a, b, d));
    let (d3, d4) = (o(c, d, a), o(c, d, b));
    (d1 > 0.0) != (d2 > 0.0) && (d3 > 0.0) != (d4 > 0.0)
}

fn seg_seg_dist(a: Point, b: Point, c: Point, d: Point) -> f64 {
    if segs_cross(a, b, c, d) {
        return 0.0;
    }
    seg_point_dist(a, c, d)
        .min(seg_point_dist(b, c, d))
        .min(seg_point_dist(c, a, b))
        .min(seg_point_dist(d, a, b))
}

fn contour_dist_below(a: &[Point], b: &[Point], limit: f64) -> bool {
    let bb = BBox::from_points(b.iter().copied()).expanded(limit);
    for i in 0..a.len() {
        let (p, q) = (a[i], a[(i + 1) % a.len()]);
        let sb = BBox::from_points([p, q]);
        if !sb.intersects(&bb) {
            continue;
        }
        for j in 0..b.len() {
            if seg_seg_dist(p, q, b[j], b[(j + 1) % b.len()]) < limit {
                return true;
            }
        }
    }
    false
}

fn inside_material(p: Point, contours: &[Vec<Point>]) -> bool {
    let Some((outer, holes)) = contours.split_first() else {
        return false;
    };
    super::shapes::point_in_polygon(p, outer)
        && !holes.iter().any(|h| super::shapes::point_in_polygon(p, h))
}

/// Placements near `bbox` (expanded by `reach`) among `others`.
fn neighbours<'a>(
    doc: &'a NestDoc,
    others: &'a [Placement],
    skip: Option<usize>,
    bbox: BBox,
    reach: f64,
) -> impl Iterator<Item = &'a Placement> + 'a {
    let area = bbox.expanded(reach);
    others
        .iter()
        .enumerate()
        .filter(move |(i, _)| Some(*i) != skip)
        .map(|(_, p)| p)
        .filter(move |p| placed_bbox(doc, p).intersects(&area))
}

/// Fast check of `moving` on a sheet of spec `spec` holding `others`
/// (`skip`: index of the moving copy among them): flattened shapes, lenient
/// by `FAST_SLACK_MM`, against the sheet's outline when it has one. True
/// when it looks valid.
pub fn fast_ok(
    doc: &NestDoc,
    spec: usize,
    others: &[Placement],
    skip: Option<usize>,
    moving: &Placement,
) -> bool {
    let Some((w, h)) = sheet_size(doc, spec) else {
        return false;
    };
    let m = doc.problem.margin_mm - FAST_SLACK_MM;
    let mine = placed_contours(doc, moving);
    let Some(outer) = mine.first() else {
        return false;
    };
    let bb = BBox::from_points(outer.iter().copied());
    if bb.min.x < m || bb.min.y < m || bb.max.x > w - m || bb.max.y > h - m {
        return false;
    }
    let outline = doc
        .problem
        .sheets
        .get(spec)
        .and_then(|s| s.outline.as_ref());
    if outline.is_some_and(|o| !on_remnant(o, &mine, m)) {
        return false;
    }
    let spacing = (doc.problem.spacing_mm - FAST_SLACK_MM).max(0.0);
    for other in neighbours(doc, others, skip, bb, spacing + 1.0) {
        let theirs = placed_contours(doc, other);
        let close = mine.iter().any(|a| {
            theirs
                .iter()
                .any(|b| contour_dist_below(a, b, spacing.max(1e-9)))
        });
        if close
            || outer.first().is_some_and(|p| inside_material(*p, &theirs))
            || theirs[0]
                .first()
                .is_some_and(|p| inside_material(*p, &mine))
        {
            return false;
        }
    }
    true
}

/// Fast check of a part's flattened contours `mine` against an irregular
/// sheet: on its material, at least `margin_mm` from its edges, covering none
/// of its holes. Quality zones are left to the exact check.
fn on_remnant(outline: &SheetOutline, mine: &[Vec<Point>], margin_mm: f64) -> bool {
    let sheet: Vec<Vec<Point>> = std::iter::once(&outline.outer)
        .chain(&outline.holes)
        .map(|c| c.flatten(FAST_SLACK_MM))
        .collect();
    let limit = margin_mm.max(1e-9);
    mine[0].first().is_some_and(|p| inside_material(*p, &sheet))
        && !sheet.iter().any(|c| contour_dist_below(&mine[0], c, limit))
        && !sheet[1..]
            .iter()
            .any(|h| h.first().is_some_and(|p| inside_material(*p, mine)))
}

fn exact_shape(doc: &NestDoc, p: &Placement) -> Option<PlacedShape> {
    let demand = doc.problem.parts.get(p.part)?;
    let (outer, holes) = demand.part.placed_contours(&p.transform);
    Some(PlacedShape {
        label: format!("{} #{}", demand.part.name, p.copy),
        outer,
        holes,
        min_quality: demand.min_quality,
    })
}

/// Exact check of `moving` against its neighbours on a sheet of spec `spec`
/// (`sheet` only numbers the messages). `Err` says what is wrong.
pub fn exact_ok(
    doc: &NestDoc,
    sheet: usize,
    spec: usize,
    others: &[Placement],
    skip: Option<usize>,
    moving: &Placement,
) -> Result<(), String> {
    let sheet_spec = doc.problem.sheets.get(spec).ok_or("unknown sheet size")?;
    let demand = doc.problem.parts.get(moving.part).ok_or("unknown part")?;
    if !demand.rotations.allows(moving.transform.angle_deg) {
        return Err(format!(
            "{} may only be rotated by {}",
            demand.part.name, demand.rotations
        ));
    }
    let mut shapes = vec![exact_shape(doc, moving).ok_or("unknown part")?];
    let bb = placed_bbox(doc, moving);
    shapes.extend(
        neighbours(doc, others, skip, bb, doc.problem.spacing_mm + 1.0)
            .filter_map(|p| exact_shape(doc, p)),
    );
    let violations = validate_sheet(
        sheet,
        sheet_spec,
        &shapes,
        doc.problem.spacing_mm,
        doc.problem.margin_mm,
    );
    match violations.first() {
        None => Ok(()),
        Some(v) => Err(v.to_string()),
    }
}

fn commit(doc: &mut NestDoc, before: Snapshot) {
    doc.history.push(before);
    doc.generation += 1;
}

fn locked_err(doc: &NestDoc, id: CopyId) -> Result<(), String> {
    if doc.locked.contains(&id) {
        Err(format!(
            "{} #{} is locked: unlock it first",
            doc.part_name(id.part),
            id.copy
        ))
    } else {
        Ok(())
    }
}

/// Moves copy `id` to transform `to` on its sheet, if the exact check passes.
pub fn move_to(doc: &mut NestDoc, id: CopyId, to: Transform) -> Result<(), String> {
    locked_err(doc, id)?;
    let (s, i) = doc.find(id).ok_or("the part is no longer in the layout")?;
    let sl = &doc.layout.sheets[s];
    let moving = Placement {
        transform: to,
        ..sl.placements[i]
    };
    exact_ok(doc, s, sl.sheet, &sl.placements, Some(i), &moving)?;
    let before = doc.snapshot();
    doc.layout.sheets[s].placements[i] = moving;
    commit(doc, before);
    Ok(())
}

/// The next allowed angle after `angle` in direction `dir` (+1/-1);
/// free rotation steps by 90°.
pub fn next_angle(rotations: &nesting::Rotations, angle: f64, dir: i32) -> Option<f64> {
    let mut list: Vec<f64> = rotations
        .discrete_angles()
        .unwrap_or_else(|| vec![0.0, 90.0, 180.0, 270.0])
        .iter()
        .map(|a| a.rem_euclid(360.0))
        .collect();
    list.sort_by(f64::total_cmp);
    list.dedup_by(|a, b| (*a - *b).abs() < 1e-6);
    if list.len() < 2 && rotations.discrete_angles().is_some() {
        return None;
    }
    let cur = angle.rem_euclid(360.0);
    let pick = if dir >= 0 {
        list.iter()
            .find(|a| **a > cur + 1e-6)
            .or(list.first())
            .copied()
    } else {
        list.iter()
            .rev()
            .find(|a| **a < cur - 1e-6)
            .or(list.last())
            .copied()
    };
    if rotations.discrete_angles().is_none() && dir >= 0 {
        return Some((cur + 90.0).rem_euclid(360.0));
    }
    if rotations.discrete_angles().is_none() {
        return Some((cur - 90.0).rem_euclid(360.0));
    }
    pick
}

/// `p` turned to `angle_deg` about the centre of its bounding box.
pub fn rotated_in_place(doc: &NestDoc, p: &Placement, angle_deg: f64) -> Placement {
    let c0 = placed_bbox(doc, p).center();
    let mut q = *p;
    q.transform.angle_deg = angle_deg;
    q.transform.x_mm = 0.0;
    q.transform.y_mm = 0.0;
    let c1 = placed_bbox(doc, &q).center();
    q.transform.x_mm = c0.x - c1.x;
    q.transform.y_mm = c0.y - c1.y;
    q
}

/// Rotates copy `id` to its next allowed angle (about its centre).
pub fn rotate(doc: &mut NestDoc, id: CopyId, dir: i32) -> Result<(), String> {
    locked_err(doc, id)?;
    let (s, i) = doc.find(id).ok_or("the part is no longer in the layout")?;
    let p = doc.layout.sheets[s].placements[i];
    let rotations = &doc.problem.parts[p.part].rotations;
    let angle = next_angle(rotations, p.transform.angle_deg, dir).ok_or_else(|| {
        format!(
            "{} has no other allowed rotation ({})",
            doc.part_name(p.part),
            rotations
        )
    })?;
    let q = rotated_in_place(doc, &p, angle);
    move_to(doc, id, q.transform).map_err(|e| format!("cannot rotate to {angle:.0}° here: {e}"))
}

/// A free position for `moving` on a sheet of spec `spec` holding `others`:
/// bottom-left candidates next to the other parts' boxes, in free space
/// (bounding boxes kept apart by the spacing), checked fast then exactly. Keeps the part's rotation and mirroring.
pub fn find_position(
    doc: &NestDoc,
    sheet: usize,
    spec: usize,
    others: &[Placement],
    moving: &Placement,
) -> Option<Transform> {
    let (w, h) = sheet_size(doc, spec)?;
    let (m, gap) = (doc.problem.margin_mm + 0.01, doc.problem.spacing_mm + 0.02);
    let mut at_origin = *moving;
    at_origin.transform.x_mm = 0.0;
    at_origin.transform.y_mm = 0.0;
    let own = placed_bbox(doc, &at_origin);
    let boxes: Vec<BBox> = others.iter().map(|p| placed_bbox(doc, p)).collect();
    let mut xs: Vec<f64> = std::iter::once(m)
        .chain(boxes.iter().map(|b| b.max.x + gap))
        .filter(|x| x + own.width() <= w - m)
        .collect();
    let mut ys: Vec<f64> = std::iter::once(m)
        .chain(boxes.iter().map(|b| b.max.y + gap))
        .filter(|y| y + own.height() <= h - m)
        .collect();
    xs.sort_by(f64::total_cmp);
    ys.sort_by(f64::total_cmp);
    xs.dedup();
    ys.dedup();
    for &x in &xs {
        for &y in &ys {
            let candidate_box = BBox {
                min: Point::new(x, y),
                max: Point::new(x + own.width(), y + own.height()),
            };
            // Free space only: a spot where the boxes keep the spacing.
            if boxes
                .iter()
                .any(|b| b.expanded(gap - 0.02).intersects(&candidate_box))
            {
                continue;
            }
            let mut c = *moving;
            c.transform.x_mm = x - own.min.x;
            c.transform.y_mm = y - own.min.y;
            if fast_ok(doc, spec, others, None, &c)
                && exact_ok(doc, sheet, spec, others, None, &c).is_ok()
            {
                return Some(c.transform);
            }
        }
    }
    None
}

/// Sends copy `id` to another sheet (existing, or a new one from stock),
/// placing it at the first free spot. Empty sheets are removed.
pub fn send_to(doc: &mut NestDoc, id: CopyId, target: SendTarget) -> Result<(), String> {
    locked_err(doc, id)?;
    let (s, i) = doc.find(id).ok_or("the part is no longer in the layout")?;
    let moving = doc.layout.sheets[s].placements[i];
    let name = format!("{} #{}", doc.part_name(id.part), id.copy);
    let (target_index, spec, others) = match target {
        SendTarget::Sheet(t) => {
            if t == s {
                return Err(format!("{name} is already on sheet {}", t + 1));
            }
            let sl = doc
                .layout
                .sheets
                .get(t)
                .ok_or_else(|| format!("there is no sheet {}", t + 1))?;
            (t, sl.sheet, sl.placements.clone())
        }
        SendTarget::NewSheet(k) => {
            let spec = doc
                .problem
                .sheets
                .get(k)
                .ok_or("unknown stock sheet size")?;
            let used = doc.layout.sheets.iter().filter(|l| l.sheet == k).count();
            if spec.count.is_some_and(|c| used as u64 >= u64::from(c)) {
                return Err(format!(
                    "no {} sheet left in stock (all {} used)",
                    crate::report::sheet_size_text(spec.width_mm, spec.height_mm),
                    spec.count.unwrap_or(0)
                ));
            }
            (doc.layout.sheets.len(), k, Vec::new())
        }
    };
    let to = find_position(doc, target_index, spec, &others, &moving)
        .ok_or_else(|| format!("no free spot for {name} on sheet {}", target_index + 1))?;
    let before = doc.snapshot();
    doc.layout.sheets[s].placements.remove(i);
    let placed = Placement {
        transform: to,
        ..moving
    };
    if target_index == doc.layout.sheets.len() {
        doc.layout.sheets.push(SheetLayout {
            sheet: spec,
            placements: vec![placed],
        });
    } else {
        doc.layout.sheets[target_index].placements.push(placed);
    }
    doc.layout.sheets.retain(|sl| !sl.placements.is_empty());
    commit(doc, before);
    Ok(())
}

/// Locks or unlocks copy `id` (locked copies stay put when re-nesting).
pub fn toggle_lock(doc: &mut NestDoc, id: CopyId) {
    let before = doc.snapshot();
    if !doc.locked.remove(&id) {
        doc.locked.insert(id);
    }
    commit(doc, before);
}

/// Locks every copy on sheet `sheet`, or unlocks them all if all are locked.
pub fn toggle_lock_sheet(doc: &mut NestDoc, sheet: usize) {
    let Some(sl) = doc.layout.sheets.get(sheet) else {
        return;
    };
    let ids: Vec<CopyId> = sl
        .placements
        .iter()
        .map(|p| CopyId {
            part: p.part,
            copy: p.copy,
        })
        .collect();
    let before = doc.snapshot();
    if ids.iter().all(|id| doc.locked.contains(id)) {
        for id in &ids {
            doc.locked.remove(id);
        }
    } else {
        doc.locked.extend(ids);
    }
    commit(doc, before);
}

/// Steps back one edit; false when there is nothing to undo.
pub fn undo(doc: &mut NestDoc) -> bool {
    let Some(prev) = doc.history.undo.pop() else {
        return false;
    };
    let now = doc.snapshot();
    doc.history.redo.push(now);
    doc.layout = prev.layout;
    doc.locked = prev.locked;
    doc.generation += 1;
    true
}

/// Re-applies one undone edit; false when there is nothing to redo.
pub fn redo(doc: &mut NestDoc) -> bool {
    let Some(next) = doc.history.redo.pop() else {
        return false;
    };
    let now = doc.snapshot();
    doc.history.undo.push(now);
    doc.layout = next.layout;
    doc.locked = next.locked;
    doc.generation += 1;
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use nesting::Rotations;

    #[test]
    fn next_angle_steps_through_the_allowed_list() {
        assert_eq!(next_angle(&Rotations::Step90, 0.0, 1), Some(90.0));
        assert_eq!(next_angle(&Rotations::Step90, 270.0, 1), Some(0.0));
        assert_eq!(next_angle(&Rotations::Step90, 0.0, -1), Some(270.0));
        let l = Rotations::List(vec![0.0, 180.0]);
        assert_eq!(next_angle(&l, 180.0, 1), Some(0.0));
        assert_eq!(next_angle(&Rotations::None, 0.0, 1), None);
        assert_eq!(next_angle(&Rotations::Free, 33.0, 1), Some(123.0));
    }

    #[test]
    fn crossing_segments_have_zero_distance() {
        let p = Point::new;
        assert_eq!(
            seg_seg_dist(p(0.0, 0.0), p(2.0, 2.0), p(0.0, 2.0), p(2.0, 0.0)),
            0.0
        );
        assert!(
            (seg_seg_dist(p(0.0, 0.0), p(1.0, 0.0), p(0.0, 3.0), p(1.0, 3.0)) - 3.0).abs() < 1e-12
        );
    }
}
