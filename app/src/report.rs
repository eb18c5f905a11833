//! `report.json`: what a nest produced, in a form other programs (and
//! `nestwork validate`) can read back.

use crate::inputs::LoadedJob;
use anyhow::{Context, Result};
use nesting::engine::NestOutcome;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// File name of the report inside an output folder.
pub const REPORT_FILE: &str = "report.json";

/// What a part nested by its convex hull is told as (CLI summary, status log).
pub const HULL_NOTE: &str = "nested by its convex hull, taking more room than the part \
    (the collision engine rejected its outline: check it for edges that touch)";

/// The whole report of one nest.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct NestReport {
    pub spacing_mm: f64,
    pub margin_mm: f64,
    pub seed: u64,
    pub time_limit_s: f64,
    pub elapsed_s: f64,
    pub iterations: u64,
    pub stop_reason: String,
    /// Placed material area over the area of the used sheets.
    pub utilization: f64,
    pub sheet_count: usize,
    pub parts: Vec<PartEntry>,
    pub sheets: Vec<SheetEntry>,
    pub unplaced: Vec<UnplacedEntry>,
    /// "passed" once the independent validator accepted the layout.
    pub validation: String,
}

/// One part type.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PartEntry {
    pub name: String,
    pub file: String,
    pub quantity: u32,
    pub placed: u32,
    pub width_mm: f64,
    pub height_mm: f64,
    pub area_mm2: f64,
    pub holes: usize,
    pub rotations: String,
    pub mirror: bool,
    /// 1 (nested first) to 9 (last).
    #[serde(default = "nesting::problem::default_priority")]
    pub priority: u32,
    /// The collision engine rejected the outline, so the part was nested by
    /// its convex hull (it may take more room than it needs).
    #[serde(default)]
    pub nested_as_convex_hull: bool,
}

/// One used sheet.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct SheetEntry {
    /// 1-based sheet number.
    pub number: usize,
    pub file: String,
    pub width_mm: f64,
    pub height_mm: f64,
    pub utilization: f64,
    pub used_length_mm: f64,
    /// The stock sheet's cost from the job, if it had one (quotes price the
    /// sheet's material at it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<f64>,
    pub placements: Vec<PlacementEntry>,
}

/// One placed copy: the part's local frame (bounding box at the origin, as
/// imported) is mirrored (x -> -x) if `mirrored`, rotated by `angle_deg`
/// counter-clockwise, then moved by (`x_mm`, `y_mm`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PlacementEntry {
    pub part: String,
    pub copy: u32,
    pub sheet: usize,
    pub x_mm: f64,
    pub y_mm: f64,
    pub angle_deg: f64,
    pub mirrored: bool,
}

/// Copies that could not be placed.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct UnplacedEntry {
    pub part: String,
    pub count: u32,
    pub reason: String,
}

/// A sheet size for messages, to 0.1 mm: "1000 x 500 mm", "369.2 x 402.9 mm"
/// (a remnant's size comes from its outline and carries rounding noise).
pub fn sheet_size_text(width_mm: f64, height_mm: f64) -> String {
    let tenth = |v: f64| (v * 10.0).round() / 10.0;
    format!("{} x {} mm", tenth(width_mm), tenth(height_mm))
}

/// File name of sheet `number` (1-based).
pub fn sheet_file_name(number: usize) -> String {
    format!("sheet-{number:03}.dxf")
}

impl NestReport {
    /// Builds the report of a validated outcome.
    pub fn new(job: &LoadedJob, seed: u64, time_limit_s: f64, outcome: &NestOutcome) -> Self {
        let problem = &job.problem;
        let layout = &outcome.layout;
        let mut placed = vec![0u32; problem.parts.len()];
        for p in layout.sheets.iter().flat_map(|s| &s.placements) {
            placed[p.part] += 1;
        }
        let parts = problem
            .parts
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let bb = d.part.bbox();
                PartEntry {
                    name: d.part.name.clone(),
                    file: job.sources[i].display().to_string(),
                    quantity: d.quantity,
                    placed: placed[i],
                    width_mm: bb.width(),
                    height_mm: bb.height(),
                    area_mm2: d.part.area(),
                    holes: d.part.holes.len(),
                    rotations: d.rotations.to_string(),
                    mirror: d.mirror,
                    priority: d.priority,
                    nested_as_convex_hull: outcome.hull_parts.contains(&i),
                }
            })
            .collect();
        let sheets = layout
            .sheets
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let spec = &problem.sheets[s.sheet];
                SheetEntry {
                    number: i + 1,
                    file: sheet_file_name(i + 1),
                    width_mm: spec.width_mm,
                    height_mm: spec.height_mm,
                    utilization: layout.sheet_utilization(problem, i),
                    used_length_mm: layout.used_length(problem, i),
                    cost: spec.cost,
                    placements: s
                        .placements
                        .iter()
                        .map(|p| PlacementEntry {
                            part: problem.parts[p.part].part.name.clone(),
                            copy: p.copy,
                            sheet: i + 1,
                            x_mm: p.transform.x_mm,
                            y_mm: p.transform.y_mm,
                            angle_deg: p.transform.angle_deg,
                            mirrored: p.transform.mirrored,
                        })
                        .collect(),
                }
            })
            .collect();
        let unplaced = layout
            .unplaced
            .iter()
            .map(|u| UnplacedEntry {
                part: problem.parts[u.part].part.name.clone(),
                count: u.count,
                reason: u.reason.clone(),
            })
            .collect();
        NestReport {
            spacing_mm: problem.spacing_mm,
            margin_mm: problem.margin_mm,
            seed,
            time_limit_s,
            elapsed_s: outcome.elapsed_s,
            iterations: outcome.iterations,
            stop_reason: format!("{:?}", outcome.stopped),
            utilization: layout.utilization(problem),
            sheet_count: layout.sheets.len(),
            parts,
            sheets,
            unplaced,
            validation: "passed".into(),
        }
    }

    /// Reads `report.json` from an output folder.
    pub fn load(dir: &Path) -> Result<NestReport> {
        let path = dir.join(REPORT_FILE);
        let text = std::fs::read_to_string(&path).with_context(|| {
            format!(
                "cannot read {}: is {} an output folder of `nestwork nest`?",
                path.display(),
                dir.display()
            )
        })?;
        serde_json::from_str(&text)
            .with_context(|| format!("{} is not a valid Nestwork report", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::sheet_size_text;

    #[test]
    fn sheet_sizes_read_to_a_tenth_of_a_millimetre() {
        assert_eq!(sheet_size_text(1000.0, 500.0), "1000 x 500 mm");
        assert_eq!(
            sheet_size_text(368.99999999999204, 402.9999999105909),
            "369 x 403 mm"
        );
        assert_eq!(sheet_size_text(369.19988, 1200.45), "369.2 x 1200.5 mm");
    }
}
