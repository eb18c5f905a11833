//! Layout metrics for costing: cut length, pierces, rapid moves, areas and
//! masses, per part and per sheet. Pure geometry on the exact contours (arcs
//! are measured exactly, never flattened).

mod cut_order;
mod part;
mod sheet;

pub use cut_order::{ContourKind, CutStep, cutting_order};
pub use part::{PartMetrics, part_metrics};
pub use sheet::{LayoutMetrics, SheetMetrics, layout_metrics, sheet_metrics};

/// Mass in kg of a plate of `area_mm2` and `thickness_mm` in a material of
/// `density_kg_m3` (1 mm³ = 1e-9 m³).
pub fn mass_kg(area_mm2: f64, thickness_mm: f64, density_kg_m3: f64) -> f64 {
    area_mm2 * thickness_mm * 1e-9 * density_kg_m3
}

/// Why metrics cannot be computed for a layout: it names a stock sheet or
/// a part the problem does not have.
pub use crate::problem::LayoutMismatch as MetricsError;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steel_plate_mass() {
        // 1000 x 1000 mm x 1 mm of steel at 7850 kg/m³ = 0.001 m³ x 7850 = 7.85 kg.
        assert!((mass_kg(1e6, 1.0, 7850.0) - 7.85).abs() < 1e-12);
    }
}
