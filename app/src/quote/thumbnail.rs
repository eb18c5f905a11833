//! A small SVG drawing of a part for the quote lines: the outline filled,
//! the holes cut out, arcs flattened finely enough for a thumbnail.

use nesting::{Contour, Part};
use std::fmt::Write;

/// Chord tolerance relative to the part's size.
const TOLERANCE_RATIO: f64 = 1e-3;

fn subpath(d: &mut String, c: &Contour, tol: f64, height: f64) {
    for (i, p) in c.flatten(tol).iter().enumerate() {
        let _ = write!(
            d,
            "{}{:.3} {:.3} ",
            if i == 0 { "M" } else { "L" },
            p.x,
            height - p.y
        );
    }
    d.push_str("Z ");
}

/// The part as a standalone SVG (1 unit = 1 mm, y up as in the drawing).
pub fn part_svg(part: &Part) -> String {
    let bb = part.bbox();
    let (w, h) = (bb.width().max(1e-3), bb.height().max(1e-3));
    let tol = (w.max(h) * TOLERANCE_RATIO).max(1e-3);
    let moved = |c: &Contour| c.translated(-bb.min.x, -bb.min.y);
    let mut d = String::new();
    subpath(&mut d, &moved(&part.outer), tol, h);
    for hole in &part.holes {
        subpath(&mut d, &moved(hole), tol, h);
    }
    let pad = w.max(h) * 0.04;
    let stroke = w.max(h) * 0.012;
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"{:.3} {:.3} {:.3} {:.3}\">\
<path d=\"{}\" fill=\"#dbe4ee\" fill-rule=\"evenodd\" stroke=\"#1f3b57\" stroke-width=\"{stroke:.3}\" stroke-linejoin=\"round\"/></svg>\n",
        -pad,
        -pad,
        w + 2.0 * pad,
        h + 2.0 * pad,
        d.trim_end()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use nesting::Point;

    #[test]
    fn plate_with_hole_is_one_evenodd_path_with_two_subpaths() {
        let part = Part::new(
            "p",
            Contour::rectangle(0.0, 0.0, 100.0, 50.0),
            vec![Contour::circle(Point::new(50.0, 25.0), 10.0)],
        );
        let svg = part_svg(&part);
        assert_eq!(svg.matches('M').count(), 2, "{svg}");
        assert!(svg.contains("fill-rule=\"evenodd\""));
        assert!(svg.starts_with("<svg"));
    }
}
