//! An SVG preview of a whole layout: sheets stacked vertically, parts filled
//! with one colour per part type, arcs as exact SVG arcs, y pointing up like
//! in the DXF.

use crate::geometry::{Contour, Segment};
use crate::problem::{Layout, NestProblem};
use std::fmt::Write;

/// Fill colour of part type `i` (hues spread by the golden angle).
fn part_color(i: usize) -> String {
    let hue = (i as f64 * 137.507_764) % 360.0;
    format!("hsl({hue:.0},65%,60%)")
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Appends `contour` as a closed SVG subpath; `y` becomes `base_y - y`.
fn contour_path(d: &mut String, c: &Contour, base_y: f64) {
    let mut segs = c.segments().peekable();
    let Some(first) = segs.peek() else { return };
    let s = first.start();
    let _ = write!(d, "M{:.4} {:.4}", s.x, base_y - s.y);
    for seg in segs {
        let e = seg.end();
        let (ex, ey) = (e.x, base_y - e.y);
        match (seg, seg.arc()) {
            (Segment::Arc { bulge, .. }, Some(g)) => {
                let large = u8::from(g.sweep.abs() > std::f64::consts::PI);
                // The drawing shows the right way up, so a counter-clockwise
                // arc stays counter-clockwise on screen; in SVG's y-down
                // frame that is the negative-angle direction, sweep-flag 0.
                let sweep = u8::from(bulge < 0.0);
                let _ = write!(
                    d,
                    " A{r:.4} {r:.4} 0 {large} {sweep} {ex:.4} {ey:.4}",
                    r = g.radius
                );
            }
            _ => {
                let _ = write!(d, " L{ex:.4} {ey:.4}");
            }
        }
    }
    d.push_str(" Z");
}

/// The whole layout as a standalone SVG document (1 user unit = 1 mm).
/// Each sheet shows its outline, a title with its number, size and
/// utilization, and every placed part as one `<path class="part">`; a legend
/// of part names follows the last sheet.
pub fn layout_svg(problem: &NestProblem, layout: &Layout) -> String {
    let sizes: Vec<(f64, f64)> = layout
        .sheets
        .iter()
        .map(|s| {
            problem
                .sheets
                .get(s.sheet)
                .map_or((0.0, 0.0), |k| (k.width_mm, k.height_mm))
        })
        .collect();
    let max_w = sizes.iter().map(|s| s.0).fold(100.0, f64::max);
    let max_h = sizes.iter().map(|s| s.1).fold(100.0, f64::max);
    let font = (max_w.min(max_h) / 30.0).max(5.0);
    let title_h = 2.0 * font;
    let gap = font;
    let mut body = String::new();
    let mut y = 0.0;
    for (i, sl) in layout.sheets.iter().enumerate() {
        let (w, h) = sizes[i];
        let util = if w * h > 0.0 {
            layout.sheet_utilization(problem, i) * 100.0
        } else {
            0.0
        };
        let _ = writeln!(
            body,
            r#"<text class="title" x="0" y="{:.3}" font-size="{font:.2}">Sheet {} — {} x {} mm — utilization {util:.1} %</text>"#,
            y + 1.4 * font,
            i + 1,
            w,
            h
        );
        let top = y + title_h;
        let base_y = top + h;
        match problem
            .sheets
            .get(sl.sheet)
            .and_then(|k| k.outline.as_ref())
        {
            Some(o) => {
                let mut d = String::new();
                for c in std::iter::once(&o.outer).chain(&o.holes) {
                    if !d.is_empty() {
                        d.push(' ');
                    }
                    contour_path(&mut d, c, base_y);
                }
                let _ = writeln!(
                    body,
                    r##"<path class="sheet" d="{d}" fill="#f4f4f4" fill-rule="evenodd" stroke="#555" stroke-width="{sw:.3}"/>"##,
                    sw = font / 10.0
                );
                for z in &o.zones {
                    let mut d = String::new();
                    contour_path(&mut d, &z.contour, base_y);
                    let _ = writeln!(
                        body,
                        r##"<path class="zone" d="{d}" fill="#e8d9b0" stroke="#a08040" stroke-width="{sw:.3}"><title>quality {}</title></path>"##,
                        z.quality,
                        sw = font / 20.0
                    );
                }
            }
            None => {
                let _ = writeln!(
                    body,
                    r##"<rect class="sheet" x="0" y="{top:.3}" width="{w}" height="{h}" fill="#f4f4f4" stroke="#555" stroke-width="{sw:.3}"/>"##,
                    sw = font / 10.0
                );
            }
        }
        for p in &sl.placements {
            let Some(demand) = problem.parts.get(p.part) else {
                continue;
            };
            let (outer, holes) = demand.part.placed_contours(&p.transform);
            let mut d = String::new();
            contour_path(&mut d, &outer, base_y);
            for hole in &holes {
                d.push(' ');
                contour_path(&mut d, hole, base_y);
            }
            let _ = writeln!(
                body,
                r##"<path class="part" d="{d}" fill="{}" fill-rule="evenodd" stroke="#222" stroke-width="{:.3}"><title>{} #{}</title></path>"##,
                part_color(p.part),
                font / 20.0,
                escape(&demand.part.name),
                p.copy
            );
        }
        y = base_y + gap;
    }
    // Legend.
    let _ = writeln!(
        body,
        r#"<text class="legend-title" x="0" y="{:.3}" font-size="{font:.2}">Parts</text>"#,
        y + 1.4 * font
    );
    y += title_h;
    for (i, d) in problem.parts.iter().enumerate() {
        let _ = writeln!(
            body,
            r##"<rect class="swatch" x="0" y="{y:.3}" width="{font:.2}" height="{font:.2}" fill="{}" stroke="#222" stroke-width="{:.3}"/><text class="legend" x="{:.3}" y="{:.3}" font-size="{font:.2}">{} × {}</text>"##,
            part_color(i),
            font / 20.0,
            1.5 * font,
            y + 0.9 * font,
            escape(&d.part.name),
            d.quantity
        );
        y += 1.5 * font;
    }
    let total_h = y + gap;
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {max_w} {total_h:.3}\" width=\"{max_w}mm\" height=\"{total_h:.3}mm\" font-family=\"sans-serif\">\n{body}</svg>\n"
    )
}
