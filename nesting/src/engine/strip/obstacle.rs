//! Fixed obstacles of an irregular sheet (a remnant, a leather hide) for the
//! strip search: what lies outside its outline, its holes and its quality
//! zones, as polygons with poles, so that an item reaching into one gets an
//! overlap loss like an item reaching into another item.
//!
//! The outside of the outline is cut into pieces ("pockets"): the sheet's
//! column of the strip, in vertical bands, minus the outline. Smaller pieces
//! are covered better by their poles.

use super::overlap::PoleSet;
use crate::engine::convert::SHORT_EDGE_RATIO;
use crate::engine::convert::SheetShape;
use crate::engine::outline::offset;
use geo::{BooleanOps, CoordsIter};
use jagua_rs::geometry::fail_fast::SPSurrogateConfig;
use jagua_rs::geometry::primitives::{Point as JPoint, SPolygon};
use std::sync::Arc;

/// Poles generated per obstacle: up to 64 until they cover 90 % of it.
const OBSTACLE_POLES: SPSurrogateConfig = SPSurrogateConfig {
    n_pole_limits: [(64, 0.0), (32, 0.9), (16, 0.98)],
    ff_pole_area_ratio: 0.0,
};

/// Pieces smaller than this share of the column are dropped (slivers the
/// boolean operation leaves where the outline touches a band edge); the
/// validator still checks the true outline.
const MIN_PIECE_SHARE: f64 = 1e-6;

/// A fixed region no item may overlap, or only items of a lower quality.
#[derive(Clone, Debug)]
pub struct Obstacle {
    pub shape: Arc<SPolygon>,
    pub poles: PoleSet,
    /// Quality of a zone: items whose lowest allowed quality is at most this
    /// may lie on it. `None`: blocks every item (outside, holes).
    pub quality: Option<usize>,
}

impl Obstacle {
    fn new(points: Vec<(f64, f64)>, quality: Option<usize>) -> Option<Self> {
        let mut pts: Vec<JPoint> = points
            .into_iter()
            .map(|(x, y)| JPoint(x as f32, y as f32))
            .collect();
        pts.dedup();
        if pts.len() > 1 && pts.first() == pts.last() {
            pts.pop();
        }
        let mut shape = SPolygon::new(pts).ok()?;
        shape.generate_surrogate(OBSTACLE_POLES).ok()?;
        let poles = PoleSet::all(&shape);
        Some(Obstacle {
            shape: Arc::new(shape),
            poles,
            quality,
        })
    }

    /// True when an item whose lowest allowed quality is `min_quality`
    /// (`None`: full quality) may not overlap this obstacle.
    pub fn blocks(&self, min_quality: Option<usize>) -> bool {
        match (self.quality, min_quality) {
            (None, _) | (Some(_), None) => true,
            (Some(q), Some(m)) => m > q,
        }
    }
}

/// Fixed regions no item may overlap: vertical slabs (the gaps between
/// sheets laid end to end) and obstacles (see [`Obstacle`]), and how far
/// right each item may go.
#[derive(Clone, Debug, Default)]
pub struct Barriers {
    /// `[x_lo, x_hi]`, the full height of the strip.
    pub slabs: Vec<[f32; 2]>,
    pub obstacles: Vec<Obstacle>,
    /// Per item, the x its bounding box must stay left of, on top of the
    /// strip's right end (urgent parts kept on the first sheets); empty:
    /// the strip's right end for every item.
    pub reach: Vec<f32>,
}

impl Barriers {
    /// The x item `i`'s bounding box must stay left of (besides the strip's end).
    pub fn reach_of(&self, i: usize) -> f32 {
        self.reach.get(i).copied().unwrap_or(f32::INFINITY)
    }
}

/// The obstacles of irregular sheet `shape` moved right by `dx`, within
/// the strip rows `[y0, y1]`: the pockets of its column `[x_min + dx,
/// x_max + dx] × [y0, y1]` outside its outline, its holes and its zones.
/// Errors name the piece that could not be made a collision shape.
pub fn sheet_obstacles(
    shape: &SheetShape,
    dx: f32,
    y0: f32,
    y1: f32,
) -> Result<Vec<Obstacle>, String> {
    let mut out = Vec::new();
    let moved = |p: &JPoint| (f64::from(p.0 + dx), f64::from(p.1));
    let outer_pts: Vec<(f64, f64)> = shape
        .container
        .outer_cd()
        .vertices()
        .iter()
        .map(moved)
        .collect();
    let outer = geo::Polygon::new(geo::LineString::from(outer_pts), vec![]);
    let (x0, x1) = (f64::from(shape.x_min + dx), f64::from(shape.x_max + dx));
    let (y0, y1) = (f64::from(y0), f64::from(y1));
    let height = (y1 - y0).max(1e-9);
    // Bands about half as wide as the strip is high.
    let bands = (((x1 - x0) / (height / 2.0)).ceil() as usize).clamp(1, 16);
    let band_w = (x1 - x0) / bands as f64;
    // jagua-rs drops a piece's edges shorter than 1e-5 of its diameter, which
    // can cut its corners by that much: in a strip much higher than the sheet
    // more than the outline's own allowance. The pieces reach into the
    // outline by twice that (the outline shrunk as a usable region is).
    let into_mm = SHORT_EDGE_RATIO * band_w.hypot(height);
    let outer = offset(outer, -into_mm, true);
    let min_area = MIN_PIECE_SHARE * (x1 - x0) * height;
    for b in 0..bands {
        let (bx0, bx1) = (x0 + band_w * b as f64, x0 + band_w * (b + 1) as f64);
        let band = geo::Rect::new((bx0, y0), (bx1, y1)).to_polygon();
        for piece in band.difference(&outer) {
            if geo::Area::unsigned_area(&piece) < min_area {
                continue;
            }
            let pts: Vec<(f64, f64)> = piece.exterior().coords_iter().map(|c| (c.x, c.y)).collect();
            let ob = Obstacle::new(pts, None)
                .ok_or_else(|| format!("a piece outside the sheet outline near x = {bx0:.1}"))?;
            out.push(ob);
        }
    }
    for zone in shape.container.quality_zones().iter().flatten() {
        let quality = (zone.quality() > 0).then_some(zone.quality());
        for s in zone.shapes_cd() {
            let pts = s.vertices().iter().map(moved).collect();
            let ob = Obstacle::new(pts, quality)
                .ok_or_else(|| format!("a hole or zone of quality {}", zone.quality()))?;
            out.push(ob);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::convert::convert_sheets;
    use crate::problem::tests::l_outline;
    use crate::problem::{NestProblem, SheetSpec};

    /// The L-shaped sheet of `l_outline` (100 × 100, the top right quarter
    /// cut away, a 10 × 10 hole, a quality-1 zone), no margin.
    fn l_sheet() -> SheetShape {
        let mut spec = SheetSpec::rect(100.0, 100.0, Some(1), None);
        spec.outline = Some(l_outline());
        let problem = NestProblem {
            parts: vec![],
            sheets: vec![spec],
            spacing_mm: 0.0,
            margin_mm: 0.0,
        };
        let mut sheets = convert_sheets(&problem, &std::sync::atomic::AtomicBool::new(false))
            .expect("the L sheet converts");
        sheets.remove(0).expect("a usable sheet")
    }

    #[test]
    fn the_obstacles_of_a_small_sheet_in_a_tall_strip_cover_its_outside() {
        use crate::geometry::{Contour, Point};
        use jagua_rs::geometry::geo_traits::CollidesWith;
        // The L with a 0.01 mm chamfer at its reflex corner, in a strip 10 m
        // high (chained with a tall sheet): jagua-rs drops the pieces' edges
        // under 0.1 mm, which would cut the chamfer out of the obstacle.
        let mut outline = l_outline();
        let corners = [
            (0., 0.),
            (100., 0.),
            (100., 50.),
            (50.01, 50.),
            (50., 50.01),
            (50., 100.),
            (0., 100.),
        ];
        outline.outer = Contour::polygon(corners.iter().map(|&(x, y)| Point::new(x, y)));
        let mut spec = SheetSpec::rect(100.0, 100.0, Some(1), None);
        spec.outline = Some(outline);
        let problem = NestProblem {
            parts: vec![],
            sheets: vec![spec],
            spacing_mm: 0.0,
            margin_mm: 0.0,
        };
        let sheets = convert_sheets(&problem, &std::sync::atomic::AtomicBool::new(false));
        let sheet = sheets.unwrap().remove(0).expect("a usable sheet");
        let obstacles = sheet_obstacles(&sheet, 0.0, -10.0, 10000.0).expect("obstacles");
        let region = sheet.container.outer_cd();
        let vs: Vec<Point> = region
            .vertices()
            .iter()
            .map(|v| Point::new(f64::from(v.0), f64::from(v.1)))
            .collect();
        let mut tested = 0;
        for v in vs.iter().filter(|v| v.x > 49.9 && v.y > 49.9) {
            for k in 0..32 {
                let (s, c) = (f64::from(k) * std::f64::consts::PI / 16.0).sin_cos();
                let q = Point::new(v.x + 0.002 * c, v.y + 0.002 * s);
                let p = JPoint(q.x as f32, q.y as f32);
                // Points on the region's edge (f32 rounding) are neither in
                // nor out; beyond the sheet's column the slabs block.
                let in_column = (sheet.x_min..=sheet.x_max).contains(&p.0);
                if !in_column || region.collides_with(&p) || q.dist_to_ring(&vs) < 0.001 {
                    continue;
                }
                tested += 1;
                assert!(
                    obstacles.iter().any(|o| o.shape.collides_with(&p)),
                    "{p:?}, outside the sheet, lies in no obstacle"
                );
            }
        }
        assert!(tested > 0);
    }

    #[test]
    fn an_irregular_sheet_gives_its_outside_hole_and_zone_as_obstacles() {
        let sheet = l_sheet();
        // Moved right by 500, in rows from -10 to 100.
        let obstacles = sheet_obstacles(&sheet, 500.0, -10.0, 100.0).expect("obstacles");
        let blocking: Vec<&Obstacle> = obstacles.iter().filter(|o| o.quality.is_none()).collect();
        let area: f32 = blocking.iter().map(|o| o.shape.area()).sum();
        // Outside: the cut-away quarter (2500) and the band below (100 × 10);
        // the hole: 100.
        assert!((area - 3600.0).abs() < 5.0, "blocking area {area}");
        for o in &blocking {
            let b = o.shape.bbox();
            assert!(b.x_min >= 499.99 && b.x_max <= 600.01, "{b:?}");
        }
        let zones: Vec<&Obstacle> = obstacles.iter().filter(|o| o.quality.is_some()).collect();
        assert_eq!(zones.len(), 1);
        assert!((zones[0].shape.bbox().x_min - 570.0).abs() < 0.01);
        // The zone blocks full-quality items and those asking for more than 1.
        assert!(zones[0].blocks(None) && zones[0].blocks(Some(2)));
        assert!(!zones[0].blocks(Some(1)) && !zones[0].blocks(Some(0)));
        assert!(blocking.iter().all(|o| o.blocks(Some(0))));
        // Every obstacle has poles for the loss.
        assert!(
            obstacles
                .iter()
                .all(|o| !o.shape.surrogate().poles.is_empty())
        );
    }
}
