//! The independent layout validator: exact f64 geometry, not jagua-rs.
//!
//! Works on the ORIGINAL part contours (lines and arcs exact): distances
//! between line/line, line/arc and arc/arc segments are computed in closed
//! form, point-in-contour tests treat arcs exactly, and nothing is flattened.
//! Material is the outer contour minus the holes, so a part inside another
//! part's hole is fine as long as it keeps the spacing.

mod exact;
mod layout;
mod sheet;
mod violation;

pub use exact::{
    Closest, ExactSeg, point_in_contour, point_segment, point_segment_distance, segment_closest,
    segment_distance, segment_intersections,
};
pub use violation::{SheetArea, SheetEdge, Violation};

use crate::geometry::Contour;
use crate::problem::{Layout, NestProblem, SheetSpec};
use serde::Serialize;
use std::fmt;

/// Distances may fall short of the spacing/margin by at most this (mm).
pub const TOLERANCE_MM: f64 = 1e-6;

/// One part as it lies on a sheet, in sheet coordinates.
#[derive(Clone, Debug)]
pub struct PlacedShape {
    /// How messages name the part, e.g. `"bracket #3"`.
    pub label: String,
    pub outer: Contour,
    pub holes: Vec<Contour>,
    /// Lowest quality of sheet zone the part may lie on (`None`: full
    /// quality only); see [`crate::problem::QualityZone`].
    pub min_quality: Option<u32>,
}

/// Everything wrong with a layout; empty when it is valid.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ValidationReport {
    pub violations: Vec<Violation>,
}

impl ValidationReport {
    /// True when no violation was found.
    pub fn is_valid(&self) -> bool {
        self.violations.is_empty()
    }
}

impl fmt::Display for ValidationReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.violations.is_empty() {
            return f.write_str("layout is valid");
        }
        writeln!(f, "{} problem(s) in the layout:", self.violations.len())?;
        for v in &self.violations {
            writeln!(f, "  - {v}")?;
        }
        Ok(())
    }
}

/// Checks one sheet of the stock size `spec` (origin lower-left): every
/// shape inside the sheet (its rectangle, or its outline minus holes and the
/// quality zones the part may not use) and at least `margin_mm` from its
/// edges, every two shapes' material disjoint and at least `spacing_mm`
/// apart (both minus [`TOLERANCE_MM`]). `sheet_index` is 0-based (messages
/// print it 1-based).
pub fn validate_sheet(
    sheet_index: usize,
    spec: &SheetSpec,
    shapes: &[PlacedShape],
    spacing_mm: f64,
    margin_mm: f64,
) -> Vec<Violation> {
    sheet::check_sheet(sheet_index, spec, shapes, spacing_mm, margin_mm)
}

/// The placed shapes of sheet `sheet` of `layout` (placements with an
/// unknown part index are left out).
pub fn placed_shapes(problem: &NestProblem, layout: &Layout, sheet: usize) -> Vec<PlacedShape> {
    let Some(sl) = layout.sheets.get(sheet) else {
        return Vec::new();
    };
    sl.placements
        .iter()
        .filter_map(|p| {
            let demand = problem.parts.get(p.part)?;
            let (outer, holes) = demand.part.placed_contours(&p.transform);
            Some(PlacedShape {
                label: format!("{} #{}", demand.part.name, p.copy),
                outer,
                holes,
                min_quality: demand.min_quality,
            })
        })
        .collect()
}

/// Checks a whole layout: quantities, copy numbers, indices, stock, allowed
/// rotations and mirroring, then the geometry of every sheet.
pub fn validate_layout(problem: &NestProblem, layout: &Layout) -> ValidationReport {
    let mut violations = layout::check_bookkeeping(problem, layout);
    violations.extend(validate_layout_geometry(problem, layout).violations);
    ValidationReport { violations }
}

/// Checks the geometry of every sheet of a possibly partial layout (no
/// quantity check): parts inside their sheets, margin and spacing kept.
pub fn validate_layout_geometry(problem: &NestProblem, layout: &Layout) -> ValidationReport {
    let mut violations = Vec::new();
    for (i, sl) in layout.sheets.iter().enumerate() {
        let Some(spec) = problem.sheets.get(sl.sheet) else {
            continue;
        };
        let shapes = placed_shapes(problem, layout, i);
        violations.extend(validate_sheet(
            i,
            spec,
            &shapes,
            problem.spacing_mm,
            problem.margin_mm,
        ));
    }
    ValidationReport { violations }
}
