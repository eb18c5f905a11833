//! Where to put a part's label: a point inside the material, as far from the
//! boundary as a simple grid search finds.

use crate::geometry::{Contour, Point};
use crate::validate::{ExactSeg, point_in_contour, point_segment_distance};

fn segments(outer: &Contour, holes: &[Contour]) -> (Vec<ExactSeg>, Vec<Vec<ExactSeg>>) {
    (
        ExactSeg::of_contour(outer),
        holes.iter().map(ExactSeg::of_contour).collect(),
    )
}

/// Distance from `p` to the material boundary, or `None` when `p` is not in
/// the material (outside `outer` or inside a hole).
fn clearance(p: Point, outer: &[ExactSeg], holes: &[Vec<ExactSeg>]) -> Option<f64> {
    if !point_in_contour(p, outer) || holes.iter().any(|h| point_in_contour(p, h)) {
        return None;
    }
    let d = outer
        .iter()
        .chain(holes.iter().flatten())
        .map(|s| point_segment_distance(p, s))
        .fold(f64::INFINITY, f64::min);
    Some(d)
}

/// A point inside the material of the part (outer minus holes) and its
/// distance to the nearest boundary: the bounding-box centre when it is well
/// inside, else the best point of a 16 × 16 grid search refined once around
/// the winner. Falls back to the bbox centre (clearance 0) for slivers.
pub fn label_anchor(outer: &Contour, holes: &[Contour]) -> (Point, f64) {
    let bb = outer.bbox();
    if bb.is_empty() {
        return (Point::default(), 0.0);
    }
    let (o, h) = segments(outer, holes);
    let centre = bb.center();
    let wanted = 0.2 * bb.width().min(bb.height());
    if let Some(d) = clearance(centre, &o, &h)
        && d >= wanted
    {
        return (centre, d);
    }
    let mut best = (centre, clearance(centre, &o, &h).unwrap_or(-1.0));
    let search = |x0: f64, y0: f64, w: f64, hgt: f64, best: &mut (Point, f64)| {
        const N: usize = 16;
        for i in 0..N {
            for j in 0..N {
                let p = Point::new(
                    x0 + w * (i as f64 + 0.5) / N as f64,
                    y0 + hgt * (j as f64 + 0.5) / N as f64,
                );
                if let Some(d) = clearance(p, &o, &h)
                    && d > best.1
                {
                    *best = (p, d);
                }
            }
        }
    };
    search(bb.min.x, bb.min.y, bb.width(), bb.height(), &mut best);
    let (cw, ch) = (bb.width() / 8.0, bb.height() / 8.0);
    let c = best.0;
    search(c.x - cw, c.y - ch, 2.0 * cw, 2.0 * ch, &mut best);
    (best.0, best.1.max(0.0))
}

/// Text height for a label of `chars` characters at a point with
/// `clearance_mm`, for a part whose bounding box is `width_mm × height_mm`.
pub(crate) fn label_height(chars: usize, clearance_mm: f64, width_mm: f64, height_mm: f64) -> f64 {
    let by_size = 0.15 * width_mm.min(height_mm);
    // Roughly 0.7 × height per character; keep the text within the part's width.
    let by_width = 0.9 * width_mm / (0.7 * chars.max(1) as f64);
    let by_clearance = 1.6 * clearance_mm;
    by_size.min(by_width).min(by_clearance).clamp(0.5, 50.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchor_avoids_the_hole_in_the_middle() {
        let outer = Contour::rectangle(0.0, 0.0, 100.0, 100.0);
        let hole = Contour::circle(Point::new(50.0, 50.0), 30.0).reversed();
        let (p, d) = label_anchor(&outer, std::slice::from_ref(&hole));
        assert!(p.dist(Point::new(50.0, 50.0)) > 30.0, "{p:?}");
        assert!(d > 5.0, "{d}");
        // A plain square: its centre.
        let (p, d) = label_anchor(&outer, &[]);
        assert_eq!(p, Point::new(50.0, 50.0));
        assert!((d - 50.0).abs() < 1e-9);
    }
}
