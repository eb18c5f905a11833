//! Metrics of placed sheets: totals of the cutting order and the areas.

use super::MetricsError;
use super::cut_order::{CutStep, cutting_order};
use super::part::{PartMetrics, part_metrics};
use crate::geometry::BBox;
use crate::problem::{Layout, NestProblem};
use serde::{Deserialize, Serialize};

/// Totals of one used sheet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SheetMetrics {
    /// Index into `NestProblem::sheets` (the stock size).
    pub sheet_spec: usize,
    pub width_mm: f64,
    pub height_mm: f64,
    /// Full sheet area, mm².
    pub sheet_area_mm2: f64,
    /// Net area of the placed parts (outer minus holes), mm².
    pub parts_area_mm2: f64,
    /// Material area up to the furthest placed part
    /// (`used_length_mm × height_mm` on a rectangular sheet), mm².
    pub used_area_mm2: f64,
    /// Largest x reached by a placed part, mm.
    pub used_length_mm: f64,
    /// Bounding rectangle of all placed parts, sheet coordinates.
    pub parts_bbox: BBox,
    pub cut_length_mm: f64,
    pub pierces: u32,
    pub rapid_length_mm: f64,
    /// The cutting order the rapid length comes from.
    pub steps: Vec<CutStep>,
}

/// Metrics of a whole layout: per part type and per used sheet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LayoutMetrics {
    /// One entry per part type, in `NestProblem::parts` order.
    pub parts: Vec<PartMetrics>,
    /// One entry per used sheet, in layout order.
    pub sheets: Vec<SheetMetrics>,
}

/// Metrics of used sheet `index` of `layout`.
pub fn sheet_metrics(
    problem: &NestProblem,
    layout: &Layout,
    index: usize,
) -> Result<SheetMetrics, MetricsError> {
    let sheet = &layout.sheets[index];
    let spec = problem.sheet_spec_for(index + 1, sheet.sheet)?;
    let mut parts_area_mm2 = 0.0;
    let mut parts_bbox = BBox::EMPTY;
    for p in &sheet.placements {
        let demand = problem.demand_for(index + 1, p.part)?;
        parts_area_mm2 += demand.part.area();
        parts_bbox = parts_bbox.union(&demand.part.outer.transformed(&p.transform).bbox());
    }
    let used_length_mm = if parts_bbox.is_empty() {
        0.0
    } else {
        parts_bbox.max.x.max(0.0)
    };
    let steps = cutting_order(problem, sheet);
    Ok(SheetMetrics {
        sheet_spec: sheet.sheet,
        width_mm: spec.width_mm,
        height_mm: spec.height_mm,
        sheet_area_mm2: spec.area(),
        parts_area_mm2,
        used_area_mm2: spec.area_left_of(used_length_mm),
        used_length_mm,
        parts_bbox,
        cut_length_mm: steps.iter().map(|s| s.cut_length_mm).sum(),
        pierces: steps.len() as u32,
        rapid_length_mm: steps.iter().map(|s| s.rapid_mm).sum(),
        steps,
    })
}

/// Metrics of every part type and every used sheet of `layout`.
pub fn layout_metrics(
    problem: &NestProblem,
    layout: &Layout,
) -> Result<LayoutMetrics, MetricsError> {
    Ok(LayoutMetrics {
        parts: problem
            .parts
            .iter()
            .map(|d| part_metrics(&d.part))
            .collect(),
        sheets: (0..layout.sheets.len())
            .map(|i| sheet_metrics(problem, layout, i))
            .collect::<Result<_, _>>()?,
    })
}
