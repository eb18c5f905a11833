//! Conversion of our exact parts and sheets into jagua-rs items and
//! containers, with conservative safety margins, and back to our transforms.
//!
//! The first allowed orientation (rotation, mirror) of a part is imported as
//! a jagua item from its outline, rotated exactly in `f64`, grown by us; jagua
//! simplifies it and finds its poles, the costly part. The other orientations
//! place the same item turned by the difference of the angles, and mirrored
//! ones reflected too (in `f32`, covered by [`F32_ERROR_RATIO`]); each keeps
//! its collision shape, poles and all, turned once. A part whose outline is
//! another's moved shares that part's imported shape. A placement found at jagua
//! translation `t` maps back to our
//! `Transform { x_mm: t.x + offset.x, y_mm: t.y + offset.y, angle_deg, mirrored }`.
//!
//! Safety (the layout must pass an exact validator):
//! - arcs are replaced by polygons that *contain* them: convex arcs by
//!   circumscribed tangent chains (deviation ≤ [`ARC_TOLERANCE_MM`]), concave
//!   arcs by inscribed chords (which lie outside the material);
//! - each item is grown by `g = spacing/2 + SAFETY_MM` with mitred corners
//!   (in `f64`, before jagua sees it): the grown polygon holds every point
//!   within `g` of the part and has no more corners than the part's polygon,
//!   so the collision queries test no extra edges. [`SAFETY_MM`] covers `f32`
//!   rounding. Two parts therefore end up at least `spacing + 2·SAFETY_MM`
//!   apart;
//! - on top of `g`, each part grows by [`F32_ERROR_RATIO`] of its size: the
//!   `f32` rounding of the grown polygon, of jagua's simplification and of
//!   the turns grows with the size of the part, and by [`SHORT_EDGE_RATIO`]
//!   for the short edges jagua-rs drops;
//! - containers are imported without jagua's deflation: the sheet rectangle
//!   is inset by `margin - spacing/2`, so parts keep `margin + SAFETY_MM`
//!   from the sheet edge.

use super::outline::outline_region;
use crate::geometry::{
    Contour, Point, Transform, arc_steps, from_geo_ring, largest_piece, to_geo_ring,
};
use crate::problem::{NestProblem, Rotations};
use jagua_rs::collision_detection::CDEConfig;
use jagua_rs::entities::{Container, Item};
use jagua_rs::geometry::fail_fast::SPSurrogateConfig;
use jagua_rs::geometry::geo_traits::Transformable;
use jagua_rs::geometry::primitives::{Point as JPoint, SPolygon};
use jagua_rs::geometry::{DTransformation, Transformation};
use jagua_rs::io::ext_repr::{
    ExtContainer, ExtItem, ExtOrientation, ExtRotation, ExtSPolygon, ExtShape,
};
use jagua_rs::io::import::{Importer, import_simple_polygon};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Clearance added on each side of every part beyond the requested spacing
/// and margin (mm): absorbs `f32` rounding in jagua-rs.
pub const SAFETY_MM: f64 = 0.01;
/// Maximum distance between a true arc and its enclosing polygon (mm).
pub const ARC_TOLERANCE_MM: f64 = 0.05;
/// Bound of the `f32` rounding in a part's collision shape, as a share of
/// the part's size: jagua-rs simplifies outlines in `f32` (when it also grew
/// them, a 10 m part lost all of [`SAFETY_MM`] at its corners), and turning a shape
/// (jagua-rs `Transformation`) rounds the angle, its sine and cosine and the
/// products once each, up to about 7e-7 more. Every part grows by this share
/// of its size on top of [`SAFETY_MM`].
pub const F32_ERROR_RATIO: f64 = 1e-6;
/// How far jagua-rs can move a polygon's boundary inwards when it builds
/// it, as a share of the polygon's diameter: it drops every vertex closer
/// than `SPolygon::MIN_EDGE_LENGTH_RATIO` of the diameter to the previous
/// one kept (a 10 m part: edges under 0.1 mm), which cuts a corner by up to
/// that length. A part is built twice (import, then its internal shape);
/// parts grow and usable regions shrink by this share of their size.
pub const SHORT_EDGE_RATIO: f64 = 2.0 * SPolygon::MIN_EDGE_LENGTH_RATIO as f64;
/// Corners of a growing part sharper than this (radians, 80°) get a clipped
/// mitre. With growth `g`, the clip lies at least `g / tan(40°)` ≈ 1.19 g
/// from the corner, outside its round offset, and no corner reaches
/// further than `g / sin(40°)` ≈ 1.56 g (a full mitre of a 20° corner would
/// reach 5.8 g). The limit must stay at or below 90° for the clip to hold
/// the round offset.
const MITER_LIMIT_RAD: f64 = 80.0 * std::f64::consts::PI / 180.0;
/// Angle step at which the multi-sheet engine samples free rotation (degrees).
pub const FREE_ROTATION_STEP_DEG: f64 = 15.0;
/// Angle step of free rotation in the strip search (degrees): finer, since
/// its moves also turn items by a step or a few (see
/// `strip::sample`); three times the orientations to convert.
pub const STRIP_FREE_ROTATION_STEP_DEG: f64 = 5.0;

/// One allowed orientation of a part, imported into jagua.
#[derive(Clone, Debug)]
pub struct Orientation {
    pub angle_deg: f64,
    pub mirrored: bool,
    /// The jagua item of the part's first orientation, shared by all of
    /// them (jagua-rs 2 would search every item's poles anew).
    pub item: Arc<Item>,
    /// How `item` is turned (and reflected) about its reference point into
    /// this orientation; empty for the first one.
    pub turn: DTransformation,
    /// The collision shape, poles and all, that queries are built from:
    /// `item`'s shape turned by `turn`.
    pub shape: Arc<SPolygon>,
    /// Our transform's translation = jagua translation + `offset`.
    pub offset: Point,
    /// Bounding box of the grown collision shape around the jagua reference
    /// point: `(x_min, y_min, x_max, y_max)`.
    pub cd_bbox: [f32; 4],
    /// Why the collision engine rejected the outline, when it did: `item`
    /// is then the outline's convex hull.
    pub hull: Option<String>,
}

impl Orientation {
    /// The jagua placement of `item` in this orientation at translation `t`.
    pub fn placed_at(&self, t: (f32, f32)) -> DTransformation {
        DTransformation::new(self.turn.rotation(), t).with_reflection(self.turn.reflected)
    }

    /// Bounding box of the collision shape turned by `turn_rad` about the
    /// jagua reference point: `(x_min, y_min, x_max, y_max)`.
    pub fn turned_cd_bbox(&self, turn_rad: f32) -> [f32; 4] {
        if turn_rad == 0.0 {
            return self.cd_bbox;
        }
        let turn = Transformation::from_rotation(turn_rad);
        self.shape
            .vertices()
            .iter()
            .fold([f32::MAX, f32::MAX, f32::MIN, f32::MIN], |b, v| {
                let JPoint(x, y) = v.transform_clone(&turn);
                [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)]
            })
    }
}

/// A part type with all its orientations.
#[derive(Clone, Debug)]
pub struct PartShapes {
    pub part: usize,
    /// Exact material area (outer minus holes), mm².
    pub area: f64,
    /// Area of the outer contour (what the part blocks), mm².
    pub outer_area: f64,
    /// Exact bounding box size at orientation 0 (mm).
    pub size: (f64, f64),
    /// Lowest zone quality the part may lie on (`None`: full quality).
    pub min_quality: Option<usize>,
    pub orientations: Vec<Orientation>,
    /// For a freely rotating part, the angle step of its orientations
    /// (degrees); `None` when only listed angles are allowed.
    pub free_step_deg: Option<f64>,
    /// Smallest turn (degrees) among the sampled angles after which the
    /// outline looks the same (180 for a rectangle, 360 when none was seen):
    /// angles that differ by it give the same orientation.
    pub period_deg: f64,
}

impl PartShapes {
    /// True when some orientation is nested by the outline's convex hull
    /// (the collision engine rejected the outline itself).
    pub fn nested_as_hull(&self) -> bool {
        self.orientations.iter().any(|o| o.hull.is_some())
    }

    /// The turn (radians) that takes an orientation on by `rest_deg`: any
    /// rest for a freely rotating part; for one with listed angles only no
    /// rest at all (`None` otherwise).
    pub fn turn_for(&self, rest_deg: f64) -> Option<f32> {
        match self.free_step_deg {
            Some(_) => Some(rest_deg.to_radians() as f32),
            None => (rest_deg.abs() < 1e-6).then_some(0.0),
        }
    }
}

/// A sheet type as a jagua container.
#[derive(Clone, Debug)]
pub struct SheetShape {
    pub sheet: usize,
    pub container: Container,
    /// Usable rectangle for part reference geometry, in sheet coordinates.
    pub x_min: f32,
    pub y_min: f32,
    pub x_max: f32,
    pub y_max: f32,
    /// Area of the usable region (mm²).
    pub area: f64,
    /// The sheet has an irregular outline (holes, zones): the usable region
    /// is not the rectangle above.
    pub irregular: bool,
}

/// True when sheet type `k` is usable and rectangular (not a remnant or
/// hide with an outline).
pub fn is_rectangular(sheets: &[Option<SheetShape>], k: usize) -> bool {
    sheets
        .get(k)
        .and_then(Option::as_ref)
        .is_some_and(|s| !s.irregular)
}

/// True when sheet type `k` is usable and irregular (a remnant or hide with
/// an outline).
pub fn is_irregular(sheets: &[Option<SheetShape>], k: usize) -> bool {
    sheets
        .get(k)
        .and_then(Option::as_ref)
        .is_some_and(|s| s.irregular)
}

/// Why a problem could not be converted.
#[derive(Debug)]
pub enum ConvertError {
    Part {
        part: usize,
        reason: String,
    },
    Engine(String),
    /// The cancel flag was set while the parts were converted.
    Cancelled,
}

/// The jagua importers and CDE configuration used by the engine.
pub fn cde_config() -> CDEConfig {
    CDEConfig {
        item_surrogate_config: SPSurrogateConfig {
            n_pole_limits: [(100, 0.0), (20, 0.75), (10, 0.90)],
            ff_pole_area_ratio: 0.5,
        },
    }
}

/// Growth of each item (half the distance between parts), mm.
pub fn item_growth_mm(spacing_mm: f64) -> f64 {
    spacing_mm.max(0.0) / 2.0 + SAFETY_MM
}

/// `poly` grown by `growth_mm` with mitred corners: it holds every point
/// within `growth_mm` of `poly` (a mitre reaches beyond the round corner of
/// the exact offset) and adds a corner only where a corner sharper than
/// [`MITER_LIMIT_RAD`] is clipped. Holes that the growth closes off are
/// filled.
fn grown_polygon(poly: &[Point], growth_mm: f64) -> Result<Vec<Point>, String> {
    use geo::Buffer;
    use geo::algorithm::buffer::{BufferStyle, LineJoin};
    let style = BufferStyle::new(growth_mm).line_join(LineJoin::Miter(MITER_LIMIT_RAD));
    let grown = geo::Polygon::new(to_geo_ring(poly), vec![]).buffer_with_style(style);
    // Growing a simple polygon gives one piece; the largest is taken anyway.
    let piece = largest_piece(grown).ok_or("the grown outline is empty")?;
    Ok(from_geo_ring(piece.exterior()))
}

/// A polygon that contains the contour's exact region (the contour must be
/// counter-clockwise): convex arcs get circumscribed tangent chains, concave
/// arcs inscribed chords.
pub fn enclosing_polygon(contour: &Contour, tolerance_mm: f64) -> Vec<Point> {
    arc_polygon(contour, tolerance_mm, true)
}

/// A polygon inside the contour's exact region (the contour must be
/// counter-clockwise): convex arcs get chords, concave arcs tangent chains
/// (which stay in the region). Used for part holes that hold other parts.
pub fn inscribed_polygon(contour: &Contour, tolerance_mm: f64) -> Vec<Point> {
    arc_polygon(contour, tolerance_mm, false)
}

/// Replaces arcs by chords or tangent chains: tangents for convex arcs when
/// `enclose`, for concave arcs otherwise.
fn arc_polygon(contour: &Contour, tolerance_mm: f64, enclose: bool) -> Vec<Point> {
    let mut out: Vec<Point> = Vec::with_capacity(contour.vertices.len() * 4);
    for seg in contour.segments() {
        out.push(seg.start());
        let Some(g) = seg.arc() else { continue };
        if (g.sweep > 0.0) != enclose {
            // Chords: inside a convex arc, outside (in the material's complement) a concave one.
            let n = arc_steps(g.radius, g.sweep, tolerance_mm);
            out.extend((1..n).map(|i| g.point_at(i as f64 / n as f64)));
            continue;
        }
        // Intersections of tangents at n+1 equally spaced points.
        let r = g.radius;
        let max_step = if r > 0.0 {
            2.0 * (r / (r + tolerance_mm)).acos()
        } else {
            std::f64::consts::FRAC_PI_3
        };
        let max_step = max_step.min(std::f64::consts::FRAC_PI_3);
        let n = ((g.sweep.abs() / max_step).ceil() as usize).clamp(1, 100_000);
        let delta = g.sweep / n as f64;
        let rr = r / (delta / 2.0).cos();
        for k in 0..n {
            let ang = g.start_angle + (k as f64 + 0.5) * delta;
            out.push(Point::new(
                g.center.x + rr * ang.cos(),
                g.center.y + rr * ang.sin(),
            ));
        }
    }
    dedup_ring(out)
}

fn dedup_ring(points: Vec<Point>) -> Vec<Point> {
    let mut out: Vec<Point> = Vec::with_capacity(points.len());
    for p in points {
        if out.last().is_none_or(|q: &Point| q.dist(p) > 1e-7) {
            out.push(p);
        }
    }
    while out.len() > 1 && out[0].dist(out[out.len() - 1]) <= 1e-7 {
        out.pop();
    }
    out
}

/// The distinct orientations allowed for a part: `(angle_deg, mirrored)`;
/// free rotation is sampled every `free_step_deg` degrees.
pub fn orientation_list(
    rotations: &Rotations,
    mirror: bool,
    free_step_deg: f64,
) -> Vec<(f64, bool)> {
    let angles: Vec<f64> = match rotations.discrete_angles() {
        Some(list) => list,
        None => {
            let n = (360.0 / free_step_deg).round() as usize;
            (0..n).map(|i| i as f64 * free_step_deg).collect()
        }
    };
    let mut out: Vec<(f64, bool)> = Vec::new();
    for m in [false, true] {
        if m && !mirror {
            continue;
        }
        for &a in &angles {
            if !a.is_finite() {
                continue;
            }
            let norm = a.rem_euclid(360.0);
            if !out.iter().any(|&(b, mb)| {
                mb == m && ((norm - b).abs() < 1e-9 || (360.0 - (norm - b).abs()) < 1e-9)
            }) {
                out.push((a, m));
            }
        }
    }
    out
}

/// True when two rings are the same polygon (same vertices, same cyclic order) within `tol`.
fn same_ring(a: &[Point], b: &[Point], tol: f64) -> bool {
    if a.len() != b.len() || a.is_empty() {
        return false;
    }
    let n = a.len();
    (0..n).any(|s| (0..n).all(|i| a[i].dist(b[(i + s) % n]) <= tol))
}

fn check_contour(c: &Contour) -> Result<(), String> {
    if c.vertices.len() < 2 || (c.vertices.len() < 3 && !c.has_arcs()) {
        return Err(format!(
            "the outer contour has only {} vertices; a part needs a closed outline",
            c.vertices.len()
        ));
    }
    if c.vertices
        .iter()
        .any(|v| !v.x.is_finite() || !v.y.is_finite() || !v.bulge.is_finite())
    {
        return Err("the outer contour has non-finite coordinates".into());
    }
    if c.area() <= 1e-9 {
        return Err("the outer contour encloses no area".into());
    }
    Ok(())
}

/// Logs each part nested by its convex hull, once, with the engine's reason.
/// By name: a sub-problem (part-in-part, a last-sheet compaction) numbers
/// its parts differently from the job.
pub(crate) fn warn_hull_parts(problem: &NestProblem, parts: &[PartShapes]) {
    for ps in parts {
        if let Some(why) = ps.orientations.iter().find_map(|o| o.hull.as_ref()) {
            tracing::warn!(
                "part `{}`: outline rejected by the collision engine ({why}); nesting its convex hull",
                problem.parts[ps.part].part.name
            );
        }
    }
}

/// Imports every part with quantity > 0 in all its distinct orientations
/// (free rotation every `free_step_deg` degrees). Item indices are dense
/// over all orientations of all parts. Each part is imported once (growth,
/// simplification and poles: the costly part) and its other orientations
/// turn and reflect that shape; a part whose outline is an earlier part's
/// moved (the same drawing inserted twice) shares that part's shape. Both
/// steps run in parallel with as many threads as the current rayon pool,
/// and a set `cancel` ends the conversion within milliseconds (see
/// `import_bases`).
pub fn convert_parts(
    problem: &NestProblem,
    free_step_deg: f64,
    cancel: &AtomicBool,
) -> Result<Vec<PartShapes>, ConvertError> {
    convert_parts_reusing(problem, free_step_deg, None, cancel)
}

/// The shapes of an earlier conversion and the problem they were converted
/// for.
#[derive(Clone, Copy, Debug)]
pub struct Converted<'a> {
    pub problem: &'a NestProblem,
    pub parts: &'a [PartShapes],
}

/// [`convert_parts`], reusing the collision shapes of `earlier` (when it was
/// converted at the same spacing) for parts with the same outline: a
/// sub-problem of the parts of a layout is not imported again.
pub fn convert_parts_reusing(
    problem: &NestProblem,
    free_step_deg: f64,
    earlier: Option<Converted>,
    cancel: &AtomicBool,
) -> Result<Vec<PartShapes>, ConvertError> {
    use rayon::prelude::*;
    let growth_mm = item_growth_mm(problem.spacing_mm);
    // (part, angle, mirrored, enclosing polygon), in item index order, and
    // the job whose collision shape each one turns (the first of its part).
    let mut jobs: Vec<Job> = Vec::new();
    let mut bases: Vec<usize> = Vec::new();
    // For the first job of a part whose outline has a shape already: where
    // from, and by how much its enclosing polygon is moved from that one's.
    let mut reuse: Vec<Option<(Source, Point)>> = Vec::new();
    let mut library = match earlier.filter(|e| e.problem.spacing_mm == problem.spacing_mm) {
        Some(e) => earlier_shapes(e)?,
        None => Vec::new(),
    };
    let mut periods = vec![360.0f64; problem.parts.len()];
    for (pi, demand) in problem.parts.iter().enumerate() {
        if demand.quantity == 0 {
            continue;
        }
        let part = &demand.part;
        check_contour(&part.outer).map_err(|reason| ConvertError::Part { part: pi, reason })?;
        if let Rotations::List(l) = &demand.rotations
            && (l.is_empty() || l.iter().any(|a| !a.is_finite()))
        {
            return Err(ConvertError::Part {
                part: pi,
                reason: "the rotation list is empty or holds a non-finite angle".into(),
            });
        }
        let mut rings: Vec<Vec<Point>> = Vec::new();
        let mut orientations = orientation_list(&demand.rotations, demand.mirror, free_step_deg);
        // A round part (its outline one circle) blocks the same disc at any
        // angle, mirrored or not: one orientation does.
        if part.outer.as_circle().is_some() {
            orientations.truncate(1);
        }
        let first_angle = orientations.first().map_or(0.0, |o| o.0);
        let mut first_job: Option<usize> = None;
        for (angle_deg, mirrored) in orientations {
            let poly = oriented_polygon(&part.outer, pi, angle_deg, mirrored)?;
            // Normalised copy to detect symmetric duplicates.
            let (normalized, corner) = at_corner(&poly);
            match rings.iter().position(|r| same_ring(r, &normalized, 1e-6)) {
                // The part looks the same turned by this angle: a symmetry.
                Some(0) if !mirrored => {
                    let turn = (angle_deg - first_angle).rem_euclid(360.0);
                    if turn > 1e-9 {
                        periods[pi] = periods[pi].min(turn);
                    }
                    continue;
                }
                Some(_) => continue,
                None => {}
            }
            if first_job.is_none() {
                let known = library
                    .iter()
                    .find(|k| same_ring(&k.ring, &normalized, 1e-6));
                reuse.push(known.map(|k| (k.source.clone(), corner.sub(k.corner))));
                if known.is_none() {
                    library.push(KnownShape {
                        ring: normalized.clone(),
                        corner,
                        source: Source::Job(jobs.len()),
                    });
                }
            } else {
                reuse.push(None);
            }
            rings.push(normalized);
            bases.push(*first_job.get_or_insert(jobs.len()));
            jobs.push((pi, angle_deg, mirrored, poly));
        }
        if rings.is_empty() {
            return Err(ConvertError::Part {
                part: pi,
                reason: "no usable rotation is allowed".into(),
            });
        }
    }
    let to_import: Vec<bool> = (0..jobs.len())
        .map(|idx| bases[idx] == idx && reuse[idx].is_none())
        .collect();
    let jobs = Arc::new(jobs);
    let mut first = import_bases(&jobs, &Arc::new(to_import), growth_mm, cancel)?;
    for (idx, r) in reuse.iter().enumerate() {
        let Some((source, shift)) = r else { continue };
        let from = match source {
            Source::Earlier(o) => Some(o.clone()),
            Source::Job(j) => first[*j].clone(),
        };
        let from = from.ok_or_else(|| {
            ConvertError::Engine(format!("internal: orientation {idx} has no imported shape"))
        })?;
        let (_, angle_deg, mirrored, _) = jobs[idx];
        first[idx] = Some(moved_orientation(&from, angle_deg, mirrored, *shift));
    }
    let imported: Vec<Orientation> = jobs
        .par_iter()
        .enumerate()
        .map(|(idx, (_, angle, mirrored, _))| {
            if cancel.load(Ordering::Relaxed) {
                return Err(ConvertError::Cancelled);
            }
            let base = first[bases[idx]].as_ref().ok_or_else(|| {
                ConvertError::Engine(format!("internal: orientation {idx} has no imported base"))
            })?;
            if bases[idx] == idx {
                Ok(base.clone())
            } else {
                Ok(turned_orientation(base, *angle, *mirrored))
            }
        })
        .collect::<Result<_, _>>()?;
    let mut out: Vec<PartShapes> = Vec::new();
    for ((pi, ..), o) in jobs.iter().zip(imported) {
        if let Some(last) = out.last_mut().filter(|ps| ps.part == *pi) {
            last.orientations.push(o);
            continue;
        }
        let demand = &problem.parts[*pi];
        let bb = demand.part.outer.bbox();
        out.push(PartShapes {
            part: *pi,
            area: demand.part.area(),
            outer_area: demand.part.outer.area(),
            size: (bb.width(), bb.height()),
            min_quality: demand.min_quality.map(|q| q as usize),
            orientations: vec![o],
            free_step_deg: matches!(demand.rotations, Rotations::Free).then_some(free_step_deg),
            period_deg: periods[*pi],
        });
    }
    Ok(out)
}

/// Where a collision shape comes from: an earlier conversion, or the import
/// of a job of this one.
#[derive(Clone)]
enum Source {
    Earlier(Orientation),
    Job(usize),
}

/// A collision shape by the enclosing polygon it was imported from, moved
/// to its bbox corner, and that corner.
struct KnownShape {
    ring: Vec<Point>,
    corner: Point,
    source: Source,
}

/// The first orientation's shape of every part of an earlier conversion.
fn earlier_shapes(earlier: Converted) -> Result<Vec<KnownShape>, ConvertError> {
    earlier
        .parts
        .iter()
        .filter_map(|ps| Some((ps.part, ps.orientations.first()?)))
        .map(|(pi, o)| {
            let outer = &earlier.problem.parts[pi].part.outer;
            let poly = oriented_polygon(outer, pi, o.angle_deg, o.mirrored)?;
            let (ring, corner) = at_corner(&poly);
            Ok(KnownShape {
                ring,
                corner,
                source: Source::Earlier(o.clone()),
            })
        })
        .collect()
}

/// `poly` moved so that its bbox corner is the origin, and that corner.
fn at_corner(poly: &[Point]) -> (Vec<Point>, Point) {
    let corner = crate::geometry::BBox::from_points(poly.iter().copied()).min;
    (poly.iter().map(|p| p.sub(corner)).collect(), corner)
}

/// `from`'s jagua item and collision shape, for a part whose enclosing
/// polygon in orientation `(angle_deg, mirrored)` is `from`'s moved by
/// `shift`.
fn moved_orientation(
    from: &Orientation,
    angle_deg: f64,
    mirrored: bool,
    shift: Point,
) -> Orientation {
    Orientation {
        angle_deg,
        mirrored,
        offset: from.offset.sub(shift),
        ..from.clone()
    }
}

/// One orientation to convert: part, angle (degrees), mirrored, and the
/// enclosing polygon of the part's outline in that orientation.
type Job = (usize, f64, bool, Vec<Point>);

/// Imports the jobs marked in `to_import` (the first orientation of every
/// part without a known shape; `None` for the others) on a thread of its own, with
/// as many workers as the current rayon pool, and waits for it while polling
/// `cancel`. The import of a part of a thousand vertices is one jagua-rs call
/// of a few hundred milliseconds, which a cancel must not wait for: a
/// cancelled conversion returns at once, and the imports under way finish in
/// the background, their results dropped.
fn import_bases(
    jobs: &Arc<Vec<Job>>,
    to_import: &Arc<Vec<bool>>,
    growth_mm: f64,
    cancel: &AtomicBool,
) -> Result<Vec<Option<Orientation>>, ConvertError> {
    use rayon::prelude::*;
    use std::sync::mpsc::{RecvTimeoutError, channel};
    let threads = rayon::current_num_threads();
    let abandoned = Arc::new(AtomicBool::new(false));
    let (tx, rx) = channel();
    let (jobs, to_import, stop) = (jobs.clone(), to_import.clone(), abandoned.clone());
    let import = move || {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| ConvertError::Engine(e.to_string()))?;
        pool.install(|| {
            jobs.par_iter()
                .enumerate()
                .map(|(idx, (pi, angle, mirrored, poly))| {
                    if !to_import[idx] {
                        return Ok(None);
                    }
                    if stop.load(Ordering::Relaxed) {
                        return Err(ConvertError::Cancelled);
                    }
                    import_orientation(poly, growth_mm, *pi, *angle, *mirrored, idx).map(Some)
                })
                .collect::<Result<Vec<_>, _>>()
        })
    };
    std::thread::Builder::new()
        .name("part-import".into())
        .spawn(move || {
            let _ = tx.send(import());
        })
        .map_err(|e| ConvertError::Engine(format!("cannot start the part import: {e}")))?;
    loop {
        match rx.recv_timeout(std::time::Duration::from_millis(5)) {
            Ok(done) => return done,
            Err(RecvTimeoutError::Timeout) if cancel.load(Ordering::Relaxed) => {
                abandoned.store(true, Ordering::Relaxed);
                return Err(ConvertError::Cancelled);
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                return Err(ConvertError::Engine(
                    "the part import stopped without a result".into(),
                ));
            }
        }
    }
}

/// The enclosing polygon of a part's outline in one orientation (rotated and
/// mirrored about its local origin).
fn oriented_polygon(
    outer: &Contour,
    pi: usize,
    angle_deg: f64,
    mirrored: bool,
) -> Result<Vec<Point>, ConvertError> {
    let t0 = Transform {
        x_mm: 0.0,
        y_mm: 0.0,
        angle_deg,
        mirrored,
    };
    let oriented = outer.transformed(&t0).oriented(true);
    let poly = enclosing_polygon(&oriented, ARC_TOLERANCE_MM);
    if poly.len() < 3 {
        return Err(ConvertError::Part {
            part: pi,
            reason: "the outline degenerates to fewer than 3 points".into(),
        });
    }
    Ok(poly)
}

/// Imports one orientation's enclosing polygon as jagua item `idx`, grown by
/// `growth_mm` and by [`F32_ERROR_RATIO`] and [`SHORT_EDGE_RATIO`] of its size.
fn import_orientation(
    poly: &[Point],
    growth_mm: f64,
    pi: usize,
    angle_deg: f64,
    mirrored: bool,
    idx: usize,
) -> Result<Orientation, ConvertError> {
    let bb = crate::geometry::BBox::from_points(poly.iter().copied());
    // A bound of the shape's reach from any reference point inside it.
    let reach_mm = bb.width().hypot(bb.height()) + 2.0 * growth_mm;
    let growth_mm = growth_mm + (F32_ERROR_RATIO + SHORT_EDGE_RATIO) * reach_mm;
    let importer = part_importer();
    // Centre at the bbox centre to keep f32 coordinates small.
    let c = bb.center();
    let ext_ring = |ring: &[Point]| {
        ExtSPolygon(
            ring.iter()
                .map(|p| ((p.x - c.x) as f32, (p.y - c.y) as f32))
                .collect(),
        )
    };
    // The outline is checked as jagua-rs checks an item (the growth would
    // hide a self-intersection), then grown and imported.
    let import = |ring: &[Point]| -> Result<Arc<Item>, String> {
        import_simple_polygon(&ext_ring(ring)).map_err(|e| e.to_string())?;
        let grown = grown_polygon(ring, growth_mm)?;
        let ext_item = ExtItem {
            id: idx as u64,
            orientation: ExtOrientation {
                rotation: ExtRotation::Discrete { angles: vec![0.0] },
                reflection_axes: vec![],
            },
            shape: ExtShape::SimplePolygon(ext_ring(&grown)),
            min_quality: None,
        };
        importer
            .import_item(&ext_item, idx)
            .map_err(|e| e.to_string())
    };
    // An outline whose enclosing polygon jagua-rs rejects (edges that
    // touch after arcs were enclosed, near-degenerate slivers) is
    // nested by its convex hull: coarser, but it still contains the
    // part, so the layout stays valid.
    let mut hull = None;
    let item = import(poly)
        .or_else(|first| {
            hull = Some(first);
            import(&convex_hull(poly))
        })
        .map_err(|e| ConvertError::Part {
            part: pi,
            reason: format!(
                "the outline cannot be used for collision detection, not even as its convex hull ({e}); check it for self-intersections"
            ),
        })?;
    // jagua centres the item: internal = (q - centroid) with q = p - c.
    let (px, py) = item.shape_orig().pre_transform.translation();
    let offset = Point::new(f64::from(px) - c.x, f64::from(py) - c.y);
    Ok(Orientation {
        angle_deg,
        mirrored,
        offset,
        cd_bbox: corners(item.shape_cd()),
        turn: DTransformation::empty(),
        shape: item.shape_cd().clone(),
        item,
        hull,
    })
}

/// The orientation `base`, a part's first, turned (and reflected) about its
/// jagua reference point into orientation `(angle_deg, mirrored)`: the same
/// jagua item placed turned, and its collision shape, poles and all, the
/// base's mapped, so nothing is grown, simplified or searched for poles again.
fn turned_orientation(base: &Orientation, angle_deg: f64, mirrored: bool) -> Orientation {
    debug_assert!(base.turn.compose().is_empty(), "the base is itself turned");
    // Our mirror negates x before the rotation, jagua's reflection negates y:
    // from one mirroring to the other the map is a reflection across the x
    // axis, then a turn by the sum of the angles plus 180°.
    let reflected = mirrored != base.mirrored;
    let turn_deg = match reflected {
        false => angle_deg - base.angle_deg,
        true => angle_deg + base.angle_deg + 180.0,
    };
    let turn_rad = turn_deg.rem_euclid(360.0).to_radians();
    let turn = DTransformation::new(turn_rad as f32, (0.0, 0.0)).with_reflection(reflected);
    let shape = Arc::new(base.shape.transform_clone(&turn.compose()));
    // The exact turn, not the f32 one: the shape's error then stays within its
    // reach from the reference point, however far the part lies from its origin.
    let from = match reflected {
        false => base.offset,
        true => Point::new(base.offset.x, -base.offset.y),
    };
    let (x, y) = turned_point(from, turn_rad);
    Orientation {
        angle_deg,
        mirrored,
        item: base.item.clone(),
        turn,
        cd_bbox: corners(&shape),
        shape,
        offset: Point::new(x, y),
        hull: base.hull.clone(),
    }
}

/// The importer of sheets and part-in-part holes: their shapes are the
/// collision engine's hazards, which need no poles (jagua-rs 2 would search
/// quality zones for them; irregular sheets get their own, see
/// `strip::obstacle`).
pub fn container_importer() -> Importer {
    Importer::new(
        CDEConfig {
            item_surrogate_config: SPSurrogateConfig::none(),
        },
        None,
        None,
    )
}

/// The importer of grown part outlines: it simplifies them (only ever
/// growing) and finds their poles.
fn part_importer() -> Importer {
    Importer::new(cde_config(), Some(0.001), None)
}

/// The bounding box of `s`: x_min, y_min, x_max, y_max.
pub fn corners(s: &SPolygon) -> [f32; 4] {
    let b = s.bbox();
    [b.x_min, b.y_min, b.x_max, b.y_max]
}

/// A placement that stays where it is (a locked part), as a jagua item
/// placed at translation `t`.
#[derive(Clone, Debug)]
pub struct FixedItem {
    pub item: Arc<Item>,
    pub t: (f32, f32),
    /// Grown collision bbox on the sheet: x_min, y_min, x_max, y_max.
    pub bbox: [f32; 4],
    /// Outer area of the part (mm²).
    pub outer_area: f64,
}

/// A sheet that starts with fixed placements.
#[derive(Clone, Debug)]
pub struct FixedSheet {
    /// Sheet type index.
    pub sheet: usize,
    pub items: Vec<FixedItem>,
    /// The fixed placements, exactly as given.
    pub placements: Vec<crate::problem::Placement>,
}

/// Imports the fixed placements of `fixed` (already checked against the
/// problem); jagua item indices start at `first_idx`.
pub fn convert_fixed(
    problem: &NestProblem,
    fixed: &crate::problem::Layout,
    first_idx: usize,
) -> Result<Vec<FixedSheet>, ConvertError> {
    let growth_mm = item_growth_mm(problem.spacing_mm);
    let mut idx = first_idx;
    let mut out = Vec::new();
    for sl in &fixed.sheets {
        let mut items = Vec::new();
        for p in &sl.placements {
            let part = &problem.parts[p.part].part;
            let (angle, mirrored) = (p.transform.angle_deg, p.transform.mirrored);
            let poly = oriented_polygon(&part.outer, p.part, angle, mirrored)?;
            let o = import_orientation(&poly, growth_mm, p.part, angle, mirrored, idx)?;
            idx += 1;
            let t = turned_translation(&o, 0.0, &p.transform);
            let b = o.cd_bbox;
            items.push(FixedItem {
                item: o.item,
                t,
                bbox: [t.0 + b[0], t.1 + b[1], t.0 + b[2], t.1 + b[3]],
                outer_area: part.outer.area(),
            });
        }
        out.push(FixedSheet {
            sheet: sl.sheet,
            items,
            placements: sl.placements.clone(),
        });
    }
    Ok(out)
}

/// Inset of the container rectangle from the sheet edge (mm); may be negative.
pub fn container_inset_mm(problem: &NestProblem) -> f64 {
    problem.margin_mm.max(0.0) - problem.spacing_mm.max(0.0) / 2.0
}

/// Imports every sheet type whose usable area is not empty; `None` for
/// sheets too small for the margin.
pub fn convert_sheets(
    problem: &NestProblem,
    cancel: &AtomicBool,
) -> Result<Vec<Option<SheetShape>>, ConvertError> {
    let importer = container_importer();
    let inset = container_inset_mm(problem);
    let mut out = Vec::new();
    for (si, s) in problem.sheets.iter().enumerate() {
        // An irregular sheet (a hide with holes and zones) takes some ten
        // milliseconds: a cancel is answered between sheets.
        if cancel.load(Ordering::Relaxed) {
            return Err(ConvertError::Cancelled);
        }
        let sheet_err = |e: String| ConvertError::Engine(format!("sheet {}: {e}", si + 1));
        let (ext, area) = match &s.outline {
            Some(outline) => match outline_region(si as u64, outline, inset).map_err(sheet_err)? {
                Some(region) => (region.container, region.area),
                None => {
                    out.push(None);
                    continue;
                }
            },
            None => {
                let (w, h) = (s.width_mm - 2.0 * inset, s.height_mm - 2.0 * inset);
                if !(w.is_finite() && h.is_finite()) || w <= 0.0 || h <= 0.0 {
                    out.push(None);
                    continue;
                }
                let shape = ExtShape::Rectangle {
                    x_min: inset as f32,
                    y_min: inset as f32,
                    width: w as f32,
                    height: h as f32,
                };
                let ext = ExtContainer {
                    id: si as u64,
                    shape,
                    zones: vec![],
                };
                (ext, w * h)
            }
        };
        let container = importer
            .import_container(&ext)
            .map_err(|e| sheet_err(e.to_string()))?;
        let b = container.outer_cd().bbox();
        out.push(Some(SheetShape {
            sheet: si,
            container,
            x_min: b.x_min,
            y_min: b.y_min,
            x_max: b.x_max,
            y_max: b.y_max,
            area,
            irregular: s.outline.is_some(),
        }));
    }
    Ok(out)
}

/// Our placement transform for an orientation placed at jagua translation `t`.
pub fn to_transform(o: &Orientation, t: (f32, f32)) -> Transform {
    Transform {
        x_mm: f64::from(t.0) + o.offset.x,
        y_mm: f64::from(t.1) + o.offset.y,
        angle_deg: o.angle_deg,
        mirrored: o.mirrored,
    }
}

/// [`to_transform`] for the orientation's shape turned by `turn_rad` about
/// its jagua reference point before it is moved by `t` (the strip search
/// turns freely rotating items by any angle).
pub fn to_turned_transform(o: &Orientation, turn_rad: f32, t: (f32, f32)) -> Transform {
    if turn_rad == 0.0 {
        return to_transform(o, t);
    }
    let (dx, dy) = turned_point(o.offset, f64::from(turn_rad));
    Transform {
        x_mm: f64::from(t.0) + dx,
        y_mm: f64::from(t.1) + dy,
        angle_deg: (o.angle_deg + f64::from(turn_rad).to_degrees()).rem_euclid(360.0),
        mirrored: o.mirrored,
    }
}

/// The inverse of [`to_turned_transform`]: the jagua translation of the
/// orientation's shape, turned by `turn_rad`, for our `transform`.
pub fn turned_translation(o: &Orientation, turn_rad: f32, transform: &Transform) -> (f32, f32) {
    let (dx, dy) = turned_point(o.offset, f64::from(turn_rad));
    ((transform.x_mm - dx) as f32, (transform.y_mm - dy) as f32)
}

/// `p` turned by `turn_rad` about the origin.
fn turned_point(p: Point, turn_rad: f64) -> (f64, f64) {
    let (sin, cos) = turn_rad.sin_cos();
    (p.x * cos - p.y * sin, p.x * sin + p.y * cos)
}

/// The orientation of `ps` closest to `angle_deg` (same mirroring first;
/// angles compared modulo the part's period, so a rectangle asked for 180°
/// gets its 0° orientation) and the signed rest from it to the angle, in
/// degrees within `(-period/2, period/2]`.
pub fn nearest_orientation(ps: &PartShapes, angle_deg: f64, mirrored: bool) -> (usize, f64) {
    let (os, period) = (&ps.orientations, ps.period_deg);
    let rest = |k: usize| {
        let d = (angle_deg - os[k].angle_deg).rem_euclid(period);
        if d > period / 2.0 { d - period } else { d }
    };
    let off = |k: usize| (os[k].mirrored != mirrored, rest(k).abs());
    let k = (0..os.len())
        .min_by(|&a, &b| {
            off(a)
                .partial_cmp(&off(b))
                .unwrap_or(std::cmp::Ordering::Equal)
        })
        .unwrap_or(0);
    (k, rest(k))
}

/// Convex hull of `points`, counter-clockwise.
fn convex_hull(points: &[Point]) -> Vec<Point> {
    use geo::ConvexHull;
    let multi = geo::MultiPoint::from(points.iter().map(|p| (p.x, p.y)).collect::<Vec<_>>());
    from_geo_ring(multi.convex_hull().exterior())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::Vertex;

    fn point_in_poly(p: Point, poly: &[Point]) -> bool {
        let mut inside = false;
        let n = poly.len();
        for i in 0..n {
            let (a, b) = (poly[i], poly[(i + 1) % n]);
            if (a.y > p.y) != (b.y > p.y) {
                let x = a.x + (p.y - a.y) / (b.y - a.y) * (b.x - a.x);
                if p.x < x {
                    inside = !inside;
                }
            }
        }
        inside
    }

    #[test]
    fn a_grown_polygon_holds_the_rounded_offset_and_stays_close_to_it() {
        // A plate with an 11.4° spike, a reflex notch and a thin slot.
        let poly: Vec<Point> = [
            (0.0, 0.0),
            (100.0, 0.0),
            (100.0, 40.0),
            (60.0, 40.0),
            (60.0, 20.0),
            (59.0, 20.0),
            (59.0, 40.0),
            (40.0, 40.0),
            (20.0, 60.0),
            (0.0, 40.0),
            (-200.0, 20.0),
        ]
        .into_iter()
        .map(|(x, y)| Point::new(x, y))
        .collect();
        let g = 2.0;
        let grown = grown_polygon(&poly, g).unwrap();
        // Every point just inside the distance g of a corner or a side of
        // the plate lies in the grown polygon.
        let n = poly.len();
        for i in 0..n {
            let (a, b) = (poly[i], poly[(i + 1) % n]);
            for k in 0..=50 {
                let t = k as f64 / 50.0;
                let p = Point::new(a.x + t * (b.x - a.x), a.y + t * (b.y - a.y));
                for j in 0..360 {
                    let ang = (j as f64).to_radians();
                    let q = Point::new(p.x + 0.999 * g * ang.cos(), p.y + 0.999 * g * ang.sin());
                    assert!(point_in_poly(q, &grown), "{q:?} near {p:?} is outside");
                }
            }
        }
        // The slot (1 mm wide) closes; no corner is rounded into chords,
        // only the spike's is clipped (one corner more).
        assert!(
            grown.len() <= n + 1,
            "{} corners for {n}: {grown:?}",
            grown.len()
        );
        // No corner reaches further than the clipped mitre of the spike.
        // (g / sin(40°) ≈ 1.556 g; a full mitre of the spike would reach 10 g)
        let reach = 1.56 * g;
        for q in &grown {
            let d = q.dist_to_ring(&poly);
            assert!(d <= reach, "{q:?} is {d} out, more than {reach}");
        }
    }

    #[test]
    fn enclosing_polygon_contains_circle() {
        let c = Contour::circle(Point::new(0.0, 0.0), 50.0).oriented(true);
        let poly = enclosing_polygon(&c, 0.05);
        for k in 0..3600 {
            let a = k as f64 / 3600.0 * std::f64::consts::TAU;
            let p = Point::new(49.9999 * a.cos(), 49.9999 * a.sin());
            assert!(point_in_poly(p, &poly), "{p:?} outside");
        }
        // Max deviation from the circle is within tolerance.
        let max_r = poly.iter().map(|p| p.norm()).fold(0.0, f64::max);
        assert!(max_r <= 50.05 + 1e-9 && max_r > 50.0, "{max_r}");
    }

    #[test]
    fn enclosing_polygon_concave_arc_uses_chords() {
        let s = Contour::new(vec![
            Vertex::line(0.0, 0.0),
            Vertex::line(20.0, 0.0),
            Vertex::new(20.0, 20.0, -crate::geometry::bulge_from_sweep(1.0)),
            Vertex::line(0.0, 20.0),
        ])
        .oriented(true);
        let poly = enclosing_polygon(&s, 0.01);
        let area = Contour::polygon(poly.clone()).area();
        assert!(area >= s.area() - 1e-9, "{area} < {}", s.area());
        assert!(area - s.area() < 1.0);
    }

    /// A polygon part that may turn freely and be mirrored, alone on a square
    /// sheet of `sheet_mm` with no spacing or margin, and its orientations
    /// every 5°.
    fn free_mirrored_part(
        outline: &[(f64, f64)],
        sheet_mm: f64,
    ) -> (crate::part::Part, Vec<Orientation>) {
        use crate::part::Part;
        use crate::problem::{PartDemand, SheetSpec};
        let part = Part::new(
            "part",
            Contour::polygon(outline.iter().map(|&(x, y)| Point::new(x, y))),
            vec![],
        );
        let problem = NestProblem {
            parts: vec![PartDemand {
                mirror: true,
                rotations: Rotations::Free,
                ..PartDemand::new(Arc::new(part.clone()), 1)
            }],
            sheets: vec![SheetSpec::rect(sheet_mm, sheet_mm, None, None)],
            spacing_mm: 0.0,
            margin_mm: 0.0,
        };
        let mut parts = convert_parts(&problem, 5.0, &AtomicBool::new(false)).unwrap();
        (part, parts.remove(0).orientations)
    }

    #[test]
    fn a_turned_shape_holds_the_part_at_its_turned_transform() {
        use jagua_rs::geometry::geo_traits::{CollidesWith, TransformableFrom};
        let outline = [
            (0., 0.),
            (120., 0.),
            (120., 30.),
            (30., 30.),
            (30., 90.),
            (0., 90.),
        ];
        let (ell, os) = free_mirrored_part(&outline, 1000.0);
        let mirrored = os
            .iter()
            .position(|o| o.mirrored)
            .expect("mirrored orientations");
        for (k, turn_deg) in [(3, 1.7f64), (40, -2.4), (mirrored + 7, 0.9), (0, 0.0)] {
            let o = &os[k];
            let turn = turn_deg.to_radians() as f32;
            let t = (400.0f32, 250.0f32);
            let reference = &o.shape;
            let mut shape = (**reference).clone();
            shape.transform_from(reference, &Transformation::from_rotation(turn).translate(t));
            let transform = to_turned_transform(o, turn, t);
            assert!(
                (transform.angle_deg - (o.angle_deg + turn_deg).rem_euclid(360.0)).abs() < 1e-4
            );
            // Every corner of the exact part lies in the collision shape,
            // which is grown by only SAFETY_MM here: within 0.05 mm of it.
            let placed = ell.outer.transformed(&transform);
            for v in &placed.vertices {
                let p = JPoint(v.x as f32, v.y as f32);
                assert!(shape.collides_with(&p), "{p:?} outside at {k}, {turn_deg}°");
            }
            let pb = placed.bbox();
            let sb = shape.bbox();
            for (a, b) in [
                (pb.min.x, sb.x_min),
                (pb.min.y, sb.y_min),
                (pb.max.x, sb.x_max),
                (pb.max.y, sb.y_max),
            ] {
                assert!(
                    (a - f64::from(b)).abs() < 0.05,
                    "{a} against {b} at {k}, {turn_deg}°"
                );
            }
            // The turned box is the shape's, around the reference point.
            let tb = o.turned_cd_bbox(turn);
            for (a, b) in [(tb[0] + t.0, sb.x_min), (tb[3] + t.1, sb.y_max)] {
                assert!((a - b).abs() < 1e-3, "{a} against {b}");
            }
            // And the translation comes back from the transform.
            let back = turned_translation(o, turn, &transform);
            assert!((back.0 - t.0).abs() < 1e-3 && (back.1 - t.1).abs() < 1e-3);
        }
    }

    /// The outline of a 10 m plate with a notch: at 5 m from the reference
    /// point, the f32 rounding of the import and of the turns moves vertices
    /// by up to about 1e-6 of the size, as much as SAFETY_MM.
    const PLATE: [(f64, f64); 6] = [
        (0., 0.),
        (10000., 0.),
        (10000., 5000.),
        (6000., 5000.),
        (6000., 3000.),
        (0., 3000.),
    ];

    /// The two collision shapes of orientation `o` at jagua translation `t`:
    /// the one queries are built from, and its item as placed in a jagua layout.
    fn shapes_at(o: &Orientation, t: (f32, f32)) -> [SPolygon; 2] {
        [
            o.shape
                .transform_clone(&Transformation::from_translation(t)),
            o.item.shape_cd().transform_clone(&o.placed_at(t).compose()),
        ]
    }

    /// Asserts that `o`'s collision shapes at jagua translation `t` both hold
    /// the part `placed` with the gap (see [`assert_holds_with_gap`]).
    fn assert_orientation_holds(o: &Orientation, t: (f32, f32), placed: Contour, what: &str) {
        for (shape, which) in shapes_at(o, t).iter().zip(["queried", "placed"]) {
            assert_holds_with_gap(shape, placed.clone(), &format!("{what} ({which})"));
        }
    }

    /// Asserts that points 0.9 SAFETY_MM out from every corner of `placed`,
    /// all around it, and from the middle of every side lie in the collision
    /// shape `shape`.
    fn assert_holds_with_gap(shape: &SPolygon, placed: Contour, what: &str) {
        use jagua_rs::geometry::geo_traits::CollidesWith;
        let d = 0.9 * SAFETY_MM;
        let placed = placed.oriented(true);
        let vs = &placed.vertices;
        for (i, v) in vs.iter().enumerate() {
            let w = &vs[(i + 1) % vs.len()];
            let (a, b) = (Point::new(v.x, v.y), Point::new(w.x, w.y));
            let len = a.dist(b);
            // Outward normal of a counter-clockwise side.
            let (nx, ny) = ((b.y - a.y) / len, (a.x - b.x) / len);
            let mid = Point::new((a.x + b.x) / 2.0 + d * nx, (a.y + b.y) / 2.0 + d * ny);
            let around = (0..16).map(|j| {
                let (s, c) = (f64::from(j) * std::f64::consts::PI / 8.0).sin_cos();
                Point::new(a.x + d * c, a.y + d * s)
            });
            for q in around.chain([mid]) {
                let p = JPoint(q.x as f32, q.y as f32);
                assert!(
                    shape.collides_with(&p),
                    "{q:?} outside the collision shape of {what}"
                );
            }
        }
    }

    #[test]
    fn every_turned_orientation_holds_the_part_with_its_safety_gap() {
        // Without F32_ERROR_RATIO the corners end on the collision shape's
        // boundary.
        let (plate, os) = free_mirrored_part(&PLATE, 15000.0);
        assert_eq!(os.len(), 144, "72 angles, mirrored or not");
        let t = (7500.0f32, 7500.0f32);
        for (k, o) in os.iter().enumerate() {
            let placed = plate.outer.transformed(&to_transform(o, t));
            let what = format!(
                "orientation {k} ({}°, mirrored {})",
                o.angle_deg, o.mirrored
            );
            assert_orientation_holds(o, t, placed, &what);
        }
    }

    #[test]
    fn a_moved_copy_of_a_part_shares_its_shape_and_holds_its_own_outline() {
        use crate::part::Part;
        use crate::problem::{PartDemand, SheetSpec};
        let part = |name: &str, dx: f64, dy: f64| {
            let outline = PLATE
                .iter()
                .map(|&(x, y)| Point::new(x / 50.0 + dx, y / 50.0 + dy));
            Part::new(name, Contour::polygon(outline), vec![])
        };
        let (plate, moved) = (part("plate", 0.0, 0.0), part("moved", 1234.5, -678.25));
        let problem = |parts: &[(&Part, bool)]| NestProblem {
            parts: parts
                .iter()
                .map(|&(p, mirror)| PartDemand {
                    mirror,
                    rotations: Rotations::Free,
                    ..PartDemand::new(Arc::new(p.clone()), 1)
                })
                .collect(),
            sheets: vec![SheetSpec::rect(1000.0, 1000.0, None, None)],
            spacing_mm: 0.0,
            margin_mm: 0.0,
        };
        // The copy may be mirrored, the original not: only the shape is shared.
        let both = problem(&[(&plate, false), (&moved, true)]);
        let parts = convert_parts(&both, 15.0, &AtomicBool::new(false)).unwrap();
        let (a, b) = (&parts[0], &parts[1]);
        assert_eq!((a.orientations.len(), b.orientations.len()), (24, 48));
        // One import: every orientation of both places the plate's item.
        let item = &a.orientations[0].item;
        let mut all = parts.iter().flat_map(|ps| &ps.orientations);
        assert!(all.all(|o| Arc::ptr_eq(&o.item, item)));
        // A sub-problem of the copy alone reuses the shapes converted before.
        let alone = problem(&[(&moved, true)]);
        let earlier = Converted {
            problem: &both,
            parts: &parts,
        };
        let reused = convert_parts_reusing(&alone, 5.0, Some(earlier), &AtomicBool::new(false));
        let reused = reused.unwrap().remove(0);
        assert_eq!(reused.orientations.len(), 144);
        assert!(
            reused
                .orientations
                .iter()
                .all(|o| Arc::ptr_eq(&o.item, item))
        );
        let t = (500.0f32, 500.0f32);
        for o in b.orientations.iter().chain(&reused.orientations) {
            let placed = moved.outer.transformed(&to_transform(o, t));
            let what = format!("moved, {}°, mirrored {}", o.angle_deg, o.mirrored);
            assert_orientation_holds(o, t, placed, &what);
        }
        for (oa, ob) in a.orientations.iter().zip(&b.orientations) {
            assert_eq!((oa.angle_deg, oa.mirrored), (ob.angle_deg, ob.mirrored));
            assert_eq!(oa.shape.vertices(), ob.shape.vertices());
        }
    }

    #[test]
    fn a_locked_part_holds_its_safety_gap() {
        use crate::part::Part;
        use crate::problem::{Layout, PartDemand, Placement, SheetLayout, SheetSpec};
        let plate = Part::new(
            "plate",
            Contour::polygon(PLATE.iter().map(|&(x, y)| Point::new(x, y))),
            vec![],
        );
        let problem = NestProblem {
            parts: vec![PartDemand::new(Arc::new(plate.clone()), 2)],
            sheets: vec![SheetSpec::rect(25000.0, 25000.0, None, None)],
            spacing_mm: 0.0,
            margin_mm: 0.0,
        };
        let transforms = [
            Transform {
                x_mm: 1000.0,
                y_mm: 1000.0,
                angle_deg: 0.0,
                mirrored: false,
            },
            Transform {
                x_mm: 16000.0,
                y_mm: 3000.0,
                angle_deg: 37.0,
                mirrored: true,
            },
        ];
        let locked = Layout {
            sheets: vec![SheetLayout {
                sheet: 0,
                placements: (0..2)
                    .map(|i| Placement {
                        part: 0,
                        copy: i as u32 + 1,
                        transform: transforms[i],
                    })
                    .collect(),
            }],
            unplaced: vec![],
        };
        let fixed = convert_fixed(&problem, &locked, 0).unwrap();
        // Without F32_ERROR_RATIO and SHORT_EDGE_RATIO a locked part at zero
        // spacing loses its gap.
        for (item, transform) in fixed[0].items.iter().zip(&transforms) {
            let placed = plate.outer.transformed(transform);
            let what = format!("the part locked at {transform:?}");
            let shape = item
                .item
                .shape_cd()
                .transform_clone(&Transformation::from_translation(item.t));
            assert_holds_with_gap(&shape, placed, &what);
        }
    }

    #[test]
    fn a_cancel_ends_the_conversion_of_parts_and_sheets() {
        use crate::part::Part;
        use crate::problem::{PartDemand, SheetSpec};
        let plate = Part::new("plate", Contour::rectangle(0.0, 0.0, 80.0, 30.0), vec![]);
        let problem = NestProblem {
            parts: vec![PartDemand::new(Arc::new(plate), 2)],
            sheets: vec![SheetSpec::rect(1000.0, 500.0, None, None)],
            spacing_mm: 2.0,
            margin_mm: 5.0,
        };
        let (go, stop) = (AtomicBool::new(false), AtomicBool::new(true));
        assert!(convert_parts(&problem, 15.0, &go).is_ok());
        assert!(convert_sheets(&problem, &go).is_ok());
        assert!(matches!(
            convert_parts(&problem, 15.0, &stop),
            Err(ConvertError::Cancelled)
        ));
        assert!(matches!(
            convert_sheets(&problem, &stop),
            Err(ConvertError::Cancelled)
        ));
    }

    #[test]
    fn a_round_part_is_converted_in_one_orientation() {
        use crate::part::Part;
        use crate::problem::{PartDemand, SheetSpec};
        let disc = Part::new(
            "flange",
            Contour::circle(Point::new(0.0, 0.0), 100.0),
            vec![Contour::circle(Point::new(60.0, 0.0), 5.0)],
        );
        let plate = Part::new("plate", Contour::rectangle(0.0, 0.0, 80.0, 30.0), vec![]);
        let problem = NestProblem {
            parts: vec![
                PartDemand {
                    mirror: true,
                    rotations: Rotations::Free,
                    ..PartDemand::new(Arc::new(disc), 2)
                },
                PartDemand {
                    rotations: Rotations::Free,
                    ..PartDemand::new(Arc::new(plate), 2)
                },
            ],
            sheets: vec![SheetSpec::rect(1000.0, 1000.0, None, None)],
            spacing_mm: 2.0,
            margin_mm: 5.0,
        };
        let parts =
            convert_parts(&problem, FREE_ROTATION_STEP_DEG, &AtomicBool::new(false)).unwrap();
        assert_eq!(
            parts[0].orientations.len(),
            1,
            "a disc looks the same at any angle"
        );
        assert!(parts[1].orientations.len() > 1, "a rectangle does not");
        assert!(
            Contour::rectangle(0.0, 0.0, 1.0, 1.0).as_circle().is_none()
                && Contour::circle(Point::new(3.0, 4.0), 2.0).as_circle()
                    == Some((Point::new(3.0, 4.0), 2.0))
        );
    }

    #[test]
    fn orientation_list_dedups_and_mirrors() {
        let l = orientation_list(&Rotations::List(vec![0.0, 360.0, 180.0]), false, 15.0);
        assert_eq!(l, vec![(0.0, false), (180.0, false)]);
        let m = orientation_list(&Rotations::None, true, 15.0);
        assert_eq!(m, vec![(0.0, false), (0.0, true)]);
        assert_eq!(orientation_list(&Rotations::Free, false, 15.0).len(), 24);
        assert_eq!(orientation_list(&Rotations::Free, true, 5.0).len(), 144);
    }
}
