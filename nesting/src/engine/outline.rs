//! Irregular sheets (remnants, hides) as jagua-rs containers.
//!
//! The usable region is the outline minus its holes, moved inwards by the
//! container inset (`margin - spacing/2`, see [`super::convert`]) with the
//! `geo` polygon buffer; quality zones become jagua quality zones grown by
//! the same inset. Every approximation errs on the safe side:
//! - arcs of the outer contour become inscribed chords, arcs of holes and
//!   zones enclosing tangent chains;
//! - a shrinking buffer rounds reflex corners with chords that cut into the
//!   exact offset, so its distance is raised by `JOIN_FACTOR`; a growing
//!   buffer's chords already lie inside the exact offset (for the blocked
//!   zones it is the other way round);
//! - a region that the inset splits into pieces keeps its largest piece;
//! - the inset grows by `SHORT_EDGE_RATIO` of the outline's size (jagua-rs
//!   drops short edges when it builds a polygon).

use super::convert::{ARC_TOLERANCE_MM, SHORT_EDGE_RATIO, enclosing_polygon, inscribed_polygon};
use crate::geometry::{BBox, Contour, Point, largest_piece, to_geo_ring};
use crate::problem::SheetOutline;
use geo::algorithm::buffer::{BufferStyle, LineJoin};
use geo::{Area, Buffer};
use jagua_rs::entities::N_QUALITIES;
use jagua_rs::io::ext_repr::{ExtContainer, ExtPolygon, ExtQualityZone, ExtSPolygon, ExtShape};

/// Angle of the chords of the buffer's round joins (radians).
const JOIN_ANGLE: f64 = 0.1;
/// `1 / cos(JOIN_ANGLE / 2)` rounded up: how much closer than the exact
/// offset a round-join chord can come (jagua-rs's buffer uses the same angle).
pub(crate) const JOIN_FACTOR: f64 = 1.002;

/// A container for an irregular sheet: the jagua description and the
/// usable area (mm²).
pub(crate) struct OutlineRegion {
    pub container: ExtContainer,
    pub area: f64,
}

fn ccw_points(c: &Contour, inside: bool) -> Vec<Point> {
    let c = c.clone().oriented(true);
    if inside {
        inscribed_polygon(&c, ARC_TOLERANCE_MM)
    } else {
        enclosing_polygon(&c, ARC_TOLERANCE_MM)
    }
}

/// Offsets `poly` by `distance` (positive grows) with round joins; `usable`
/// says that the result must not reach beyond the exact offset (true for the
/// usable region, false for blocked areas).
pub(crate) fn offset(
    poly: geo::Polygon<f64>,
    distance: f64,
    usable: bool,
) -> geo::MultiPolygon<f64> {
    if distance == 0.0 {
        return geo::MultiPolygon(vec![poly]);
    }
    // The chords of round joins lie inside the exact offset curve: they
    // make a grown polygon a little smaller and a shrunk one a little
    // larger. Push the distance out in the direction that is unsafe.
    let shrinking = distance < 0.0;
    let d = if shrinking == usable {
        distance * JOIN_FACTOR
    } else {
        distance
    };
    poly.buffer_with_style(BufferStyle::new(d).line_join(LineJoin::Round(JOIN_ANGLE)))
}

fn ext_ring(ring: &geo::LineString<f64>) -> ExtSPolygon {
    let mut pts: Vec<(f32, f32)> = ring.coords().map(|c| (c.x as f32, c.y as f32)).collect();
    if pts.len() > 1 && pts.first() == pts.last() {
        pts.pop();
    }
    ExtSPolygon(pts)
}

/// The container of an irregular sheet with `inset_mm` between the outline
/// and the usable region (negative: the region grows). `None` when nothing
/// usable is left; `Err` for an outline that cannot be used.
pub(crate) fn outline_region(
    id: u64,
    outline: &SheetOutline,
    inset_mm: f64,
) -> Result<Option<OutlineRegion>, String> {
    let outer = ccw_points(&outline.outer, true);
    if outer.len() < 3 {
        return Err("the sheet outline has fewer than 3 points".into());
    }
    let holes: Vec<geo::LineString<f64>> = outline
        .holes
        .iter()
        .map(|h| to_geo_ring(&ccw_points(h, false)))
        .collect();
    // jagua-rs may cut the corners of the region and of the pieces outside
    // it by a share of their size when it builds them: move inwards by that too.
    let size_mm = BBox::from_points(outer.iter().copied()).diagonal();
    let inset_mm = inset_mm + SHORT_EDGE_RATIO * size_mm;
    let region = geo::Polygon::new(to_geo_ring(&outer), holes);
    let pieces = offset(region, -inset_mm, true);
    let Some(main) = largest_piece(pieces) else {
        return Ok(None);
    };
    let mut zones = Vec::new();
    for z in &outline.zones {
        let quality = z.quality as usize;
        if quality >= N_QUALITIES {
            return Err(format!(
                "a quality zone has quality {}; qualities 0 to {} are supported",
                z.quality,
                N_QUALITIES - 1
            ));
        }
        let poly = geo::Polygon::new(to_geo_ring(&ccw_points(&z.contour, false)), vec![]);
        for piece in offset(poly, inset_mm, false).0 {
            // A zone with a hole is blocked as a whole: conservative.
            zones.push(ExtQualityZone {
                quality,
                shape: ExtShape::SimplePolygon(ext_ring(piece.exterior())),
            });
        }
    }
    let area = main.unsigned_area();
    let shape = ExtShape::Polygon(ExtPolygon {
        outer: ext_ring(main.exterior()),
        inner: main.interiors().iter().map(ext_ring).collect(),
    });
    Ok(Some(OutlineRegion {
        container: ExtContainer { id, shape, zones },
        area,
    }))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::problem::tests::l_outline;

    /// Asserts that every point of `region`'s sides (17 along each) lies
    /// inside the polygon `ring` and at least `min_mm` from its sides, less
    /// the `f32` rounding of a few metres (0.0005 mm).
    pub(crate) fn assert_inside_by(
        region: &jagua_rs::geometry::primitives::SPolygon,
        ring: &[Point],
        min_mm: f64,
    ) {
        use geo::Contains;
        let exact = geo::Polygon::new(to_geo_ring(ring), vec![]);
        let vs = region.vertices();
        for (i, a) in vs.iter().enumerate() {
            let b = vs[(i + 1) % vs.len()];
            let (a, b) = (
                Point::new(f64::from(a.0), f64::from(a.1)),
                Point::new(f64::from(b.0), f64::from(b.1)),
            );
            for k in 0..=16 {
                let p = a.add(b.sub(a).scale(f64::from(k) / 16.0));
                assert!(
                    exact.contains(&geo::Coord { x: p.x, y: p.y }),
                    "{p:?} lies outside"
                );
                let d = p.dist_to_ring(ring);
                // f32 at 3000 mm rounds by up to 0.000244 mm.
                assert!(d >= min_mm - 0.0005, "{p:?} is {d} mm from the edge");
            }
        }
    }

    #[test]
    fn the_region_shrinks_by_the_inset_and_keeps_holes_and_zones() {
        let o = l_outline();
        let r = outline_region(0, &o, 2.0).unwrap().unwrap();
        // Exact offset: the L shrunk by 2 (two rectangles, plus the corner
        // square at the reflex vertex minus its quarter disc), the hole
        // grown by 2 with rounded corners.
        let pi = std::f64::consts::PI;
        let exact = 96.0 * 46.0 + 46.0 * 50.0 + (4.0 - pi) - (100.0 + 80.0 + 4.0 * pi);
        assert!(r.area <= exact + 1e-6, "{} > {exact}", r.area);
        assert!(r.area > exact - 5.0, "{} much below {exact}", r.area);
        let ExtShape::Polygon(p) = &r.container.shape else {
            panic!("expected a polygon with holes");
        };
        let (xs, ys): (Vec<f32>, Vec<f32>) = p.outer.0.iter().copied().unzip();
        let min = |v: &[f32]| v.iter().copied().fold(f32::MAX, f32::min);
        let max = |v: &[f32]| v.iter().copied().fold(f32::MIN, f32::max);
        // Never closer to the outline than the inset, and not much further.
        for lo in [min(&xs), min(&ys)] {
            assert!((2.0..2.01).contains(&lo), "{lo}");
        }
        for hi in [max(&xs), max(&ys)] {
            assert!((97.99..=98.0).contains(&hi), "{hi}");
        }
        assert_eq!(p.inner.len(), 1);
        assert_eq!(r.container.zones.len(), 1);
    }

    #[test]
    fn jagua_keeps_the_region_of_a_large_sheet_within_the_inset() {
        use crate::engine::convert::container_importer;
        // A 3 × 3 m L with a 0.02 mm chamfer at its reflex corner. jagua-rs
        // drops edges shorter than 1e-5 of the diameter (0.042 mm here):
        // without SHORT_EDGE_RATIO the region reached past the inset there.
        let corners = [
            (0., 0.),
            (3000., 0.),
            (3000., 1500.),
            (1500.02, 1500.),
            (1500., 1500.02),
            (1500., 3000.),
            (0., 3000.),
        ];
        let pts: Vec<Point> = corners.iter().map(|&(x, y)| Point::new(x, y)).collect();
        let outline = SheetOutline {
            outer: Contour::polygon(pts.iter().copied()),
            holes: vec![],
            zones: vec![],
        };
        let inset_mm = 0.01;
        let region = outline_region(0, &outline, inset_mm).unwrap().unwrap();
        let container = container_importer()
            .import_container(&region.container)
            .unwrap();
        assert_inside_by(container.outer_cd(), &pts, inset_mm);
    }

    #[test]
    fn a_zone_quality_beyond_the_engine_limit_is_an_error() {
        let mut o = l_outline();
        o.zones[0].quality = 12;
        let Err(e) = outline_region(0, &o, 0.0) else {
            panic!("quality 12 was accepted");
        };
        assert!(e.contains("12"), "{e}");
    }

    #[test]
    fn an_inset_larger_than_the_sheet_leaves_nothing() {
        let o = l_outline();
        assert!(outline_region(0, &o, 60.0).unwrap().is_none());
    }
}
