//! What a nesting run is asked to do (parts, quantities, sheets, spacing)
//! and what it produces (placements per sheet, unplaced parts).

use crate::geometry::{Contour, Transform, to_geo_ring};
use crate::part::Part;
use geo::{Area, BooleanOps};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use std::sync::Arc;

/// Which rotations a part may be placed at.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum Rotations {
    /// Only as drawn.
    None,
    /// Every `step_deg` degrees (90 gives 0/90/180/270).
    #[default]
    Step90,
    /// Any of these angles, in degrees.
    List(Vec<f64>),
    /// Any angle.
    Free,
}

impl Rotations {
    /// The discrete angles (degrees) to try, or `None` for free rotation.
    pub fn discrete_angles(&self) -> Option<Vec<f64>> {
        match self {
            Rotations::None => Some(vec![0.0]),
            Rotations::Step90 => Some(vec![0.0, 90.0, 180.0, 270.0]),
            Rotations::List(a) => Some(a.clone()),
            Rotations::Free => None,
        }
    }

    /// True when `angle_deg` is one of the allowed rotations (within 1e-6°).
    pub fn allows(&self, angle_deg: f64) -> bool {
        match self.discrete_angles() {
            None => true,
            Some(list) => list.iter().any(|a| {
                let d = (angle_deg - a).rem_euclid(360.0);
                d < 1e-6 || 360.0 - d < 1e-6
            }),
        }
    }
}

/// Error for a rotation setting that cannot be read.
#[derive(Debug, thiserror::Error)]
#[error(
    "invalid rotations `{0}`: use none, 90, free, or a comma-separated list of angles in degrees such as 0,180"
)]
pub struct RotationsParseError(String);

impl FromStr for Rotations {
    type Err = RotationsParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_lowercase();
        match t.as_str() {
            "none" | "0" | "fixed" => Ok(Rotations::None),
            "90" | "step90" | "90deg" => Ok(Rotations::Step90),
            "free" | "any" => Ok(Rotations::Free),
            _ => {
                let angles: Result<Vec<f64>, _> =
                    t.split(',').map(|a| a.trim().parse::<f64>()).collect();
                match angles {
                    Ok(a) if !a.is_empty() && a.iter().all(|x| x.is_finite()) => {
                        Ok(Rotations::List(a))
                    }
                    _ => Err(RotationsParseError(s.to_string())),
                }
            }
        }
    }
}

impl fmt::Display for Rotations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rotations::None => f.write_str("none"),
            Rotations::Step90 => f.write_str("90"),
            Rotations::Free => f.write_str("free"),
            Rotations::List(a) => {
                let s: Vec<String> = a.iter().map(|x| format!("{x}")).collect();
                f.write_str(&s.join(","))
            }
        }
    }
}

impl Serialize for Rotations {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Rotations {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The most urgent priority: nested first.
pub const PRIORITY_FIRST: u32 = 1;
/// The least urgent priority (filler parts).
pub const PRIORITY_LAST: u32 = 9;
/// The priority of a part that has none set.
pub const DEFAULT_PRIORITY: u32 = 5;

/// [`DEFAULT_PRIORITY`], for `#[serde(default = ...)]` in saved files.
pub fn default_priority() -> u32 {
    DEFAULT_PRIORITY
}

/// One part type of a job and how many copies are wanted.
#[derive(Clone, Debug)]
pub struct PartDemand {
    pub part: Arc<Part>,
    pub quantity: u32,
    pub rotations: Rotations,
    /// Mirrored copies allowed.
    pub mirror: bool,
    /// Lowest quality of sheet zone the part may lie on (see
    /// [`QualityZone`]); `None`: full-quality material only.
    pub min_quality: Option<u32>,
    /// [`PRIORITY_FIRST`] (nested first) to [`PRIORITY_LAST`]: more urgent
    /// parts are placed before less urgent ones, and when the stock runs
    /// out the least urgent are the ones left unplaced.
    pub priority: u32,
}

impl PartDemand {
    /// `quantity` copies of `part`, every 90°, not mirrored, full quality only.
    pub fn new(part: Arc<Part>, quantity: u32) -> Self {
        Self {
            part,
            quantity,
            rotations: Rotations::Step90,
            mirror: false,
            min_quality: None,
            priority: DEFAULT_PRIORITY,
        }
    }
}

/// A stock sheet size.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SheetSpec {
    pub width_mm: f64,
    pub height_mm: f64,
    /// Sheets in stock; `None` = unlimited.
    pub count: Option<u32>,
    /// Cost of one sheet (currency of the job), if known.
    pub cost: Option<f64>,
    /// The sheet's real shape when it is not the full `width × height`
    /// rectangle: a remnant, a hide. Its bounding box is
    /// `[0, width] × [0, height]`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outline: Option<SheetOutline>,
}

impl SheetSpec {
    /// A rectangular sheet.
    pub fn rect(width_mm: f64, height_mm: f64, count: Option<u32>, cost: Option<f64>) -> Self {
        Self {
            width_mm,
            height_mm,
            count,
            cost,
            outline: None,
        }
    }

    /// Material area (mm²): the rectangle, or the outline minus its holes.
    pub fn area(&self) -> f64 {
        match &self.outline {
            Some(o) => o.area(),
            None => self.width_mm * self.height_mm,
        }
    }

    /// Material area (mm²) with `x <= x_mm`: what a layout reaching `x_mm`
    /// uses of this sheet; the rest is the remnant.
    pub fn area_left_of(&self, x_mm: f64) -> f64 {
        match &self.outline {
            Some(o) => o.area_left_of(x_mm),
            None => x_mm.clamp(0.0, self.width_mm) * self.height_mm,
        }
    }
}

/// Largest distance between an arc and its chords when an outline is
/// clipped for [`SheetOutline::area_left_of`], mm.
const AREA_ARC_TOLERANCE_MM: f64 = 0.01;

/// The shape of an irregular sheet in sheet coordinates (mm).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SheetOutline {
    /// Outer boundary, counter-clockwise.
    pub outer: Contour,
    /// Unusable areas inside it (cut-outs, defects), clockwise.
    #[serde(default)]
    pub holes: Vec<Contour>,
    /// Areas of lower quality (leather hides, marked zones).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub zones: Vec<QualityZone>,
}

/// An area of a sheet with a lower quality: only parts whose
/// [`PartDemand::min_quality`] is at most `quality` may lie on it.
/// Quality 0 is unusable (like a hole).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QualityZone {
    pub quality: u32,
    /// Counter-clockwise boundary.
    pub contour: Contour,
}

impl SheetOutline {
    /// An outline from contours (oriented here), moved so that its bounding
    /// box starts at the origin; returns it with the shift applied `(dx, dy)`.
    pub fn normalized(
        outer: Contour,
        holes: Vec<Contour>,
        zones: Vec<QualityZone>,
    ) -> (Self, (f64, f64)) {
        let bb = outer.bbox();
        let (dx, dy) = (-bb.min.x, -bb.min.y);
        let outline = SheetOutline {
            outer: outer.translated(dx, dy).oriented(true),
            holes: holes
                .iter()
                .map(|h| h.translated(dx, dy).oriented(false))
                .collect(),
            zones: zones
                .into_iter()
                .map(|z| QualityZone {
                    quality: z.quality,
                    contour: z.contour.translated(dx, dy).oriented(true),
                })
                .collect(),
        };
        (outline, (dx, dy))
    }

    /// Material area: the outer contour minus the holes (mm²).
    pub fn area(&self) -> f64 {
        self.outer.area() - self.holes.iter().map(Contour::area).sum::<f64>()
    }

    /// Material area (outer minus holes) with `x <= x_mm`, mm². Arcs count
    /// by chords within 0.01 mm when the line `x = x_mm` crosses the outline.
    pub fn area_left_of(&self, x_mm: f64) -> f64 {
        let (width, height) = self.size();
        if x_mm.is_nan() || x_mm <= 0.0 {
            return 0.0;
        }
        if x_mm >= width {
            return self.area();
        }
        let ring = |c: &Contour| to_geo_ring(&c.flatten(AREA_ARC_TOLERANCE_MM));
        let material = geo::Polygon::new(ring(&self.outer), self.holes.iter().map(ring).collect());
        let left = geo::Rect::new((-1.0, -1.0), (x_mm, height + 1.0)).to_polygon();
        material.intersection(&left).unsigned_area()
    }

    /// Bounding box size of the outer contour (mm).
    pub fn size(&self) -> (f64, f64) {
        let bb = self.outer.bbox();
        (bb.max.x, bb.max.y)
    }

    /// The usable region for a part of quality `min_quality`: holes, and the
    /// zones it may not lie on.
    pub fn blocked_for(&self, min_quality: Option<u32>) -> impl Iterator<Item = &Contour> {
        self.holes.iter().chain(
            self.zones
                .iter()
                .filter(move |z| z.quality == 0 || min_quality.is_none_or(|q| z.quality < q))
                .map(|z| &z.contour),
        )
    }
}

/// A complete nesting problem.
#[derive(Clone, Debug)]
pub struct NestProblem {
    pub parts: Vec<PartDemand>,
    pub sheets: Vec<SheetSpec>,
    /// Minimum distance between two parts (mm).
    pub spacing_mm: f64,
    /// Minimum distance from a part to the sheet edge (mm).
    pub margin_mm: f64,
}

impl NestProblem {
    /// Total number of copies asked for.
    pub fn total_quantity(&self) -> u32 {
        self.parts.iter().map(|p| p.quantity).sum()
    }

    /// The stock sheet that used sheet `number` (1-based) of a layout names.
    pub fn sheet_spec_for(
        &self,
        number: usize,
        sheet_spec: usize,
    ) -> Result<&SheetSpec, LayoutMismatch> {
        self.sheets
            .get(sheet_spec)
            .ok_or(LayoutMismatch::UnknownSheetSpec {
                number,
                sheet_spec,
                count: self.sheets.len(),
            })
    }

    /// The part that a placement on used sheet `number` (1-based) of a layout names.
    pub fn demand_for(
        &self,
        number: usize,
        part_index: usize,
    ) -> Result<&PartDemand, LayoutMismatch> {
        self.parts
            .get(part_index)
            .ok_or(LayoutMismatch::UnknownPart {
                number,
                part_index,
                count: self.parts.len(),
            })
    }
}

/// A layout that names a stock sheet or a part its problem does not have:
/// it was made for another job.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum LayoutMismatch {
    /// A sheet of the layout names a stock sheet the problem does not have.
    #[error(
        "sheet {number} uses stock sheet index {sheet_spec}, but the job has only {count} sheet size(s); the layout does not belong to this job"
    )]
    UnknownSheetSpec {
        number: usize,
        sheet_spec: usize,
        count: usize,
    },
    /// A placement names a part the problem does not have.
    #[error(
        "sheet {number} places part index {part_index}, but the job has only {count} part(s); the layout does not belong to this job"
    )]
    UnknownPart {
        number: usize,
        part_index: usize,
        count: usize,
    },
}

/// Where one copy of a part goes: `part` indexes `NestProblem::parts`;
/// `transform` maps the part's local frame onto the sheet.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Placement {
    pub part: usize,
    /// Copy number, 1-based, unique per part across the layout.
    pub copy: u32,
    #[serde(flatten)]
    pub transform: Transform,
}

/// One used sheet: which stock size and what is on it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SheetLayout {
    /// Index into `NestProblem::sheets`.
    pub sheet: usize,
    pub placements: Vec<Placement>,
}

/// Copies of a part that could not be placed, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Unplaced {
    pub part: usize,
    pub count: u32,
    pub reason: String,
}

/// The result of nesting.
#[derive(Clone, Debug, PartialEq, Default, Serialize, Deserialize)]
pub struct Layout {
    pub sheets: Vec<SheetLayout>,
    pub unplaced: Vec<Unplaced>,
}

impl Layout {
    /// Material area placed on sheet `i` divided by that sheet's area.
    pub fn sheet_utilization(&self, problem: &NestProblem, i: usize) -> f64 {
        let s = &self.sheets[i];
        let used: f64 = s
            .placements
            .iter()
            .map(|p| problem.parts[p.part].part.area())
            .sum();
        used / problem.sheets[s.sheet].area()
    }

    /// Placed material area over the area of all used sheets.
    pub fn utilization(&self, problem: &NestProblem) -> f64 {
        let sheet_area: f64 = self
            .sheets
            .iter()
            .map(|s| problem.sheets[s.sheet].area())
            .sum();
        if sheet_area == 0.0 {
            return 0.0;
        }
        let used: f64 = self
            .sheets
            .iter()
            .flat_map(|s| &s.placements)
            .map(|p| problem.parts[p.part].part.area())
            .sum();
        used / sheet_area
    }

    /// Number of placed copies.
    pub fn placed_count(&self) -> usize {
        self.sheets.iter().map(|s| s.placements.len()).sum()
    }

    /// Used length (max x of any placed part, mm) on sheet `i`.
    pub fn used_length(&self, problem: &NestProblem, i: usize) -> f64 {
        self.sheets[i]
            .placements
            .iter()
            .map(|p| {
                problem.parts[p.part]
                    .part
                    .outer
                    .transformed(&p.transform)
                    .bbox()
                    .max
                    .x
            })
            .fold(0.0, f64::max)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::geometry::Point;

    /// An L: 100 × 100 minus the 50 × 50 upper-right square, with a 10 × 10
    /// hole at (20, 20) and a quality-1 zone at (70, 10).
    pub(crate) fn l_outline() -> SheetOutline {
        SheetOutline {
            outer: Contour::polygon([
                Point::new(0.0, 0.0),
                Point::new(100.0, 0.0),
                Point::new(100.0, 50.0),
                Point::new(50.0, 50.0),
                Point::new(50.0, 100.0),
                Point::new(0.0, 100.0),
            ]),
            holes: vec![Contour::rectangle(20.0, 20.0, 10.0, 10.0).oriented(false)],
            zones: vec![QualityZone {
                quality: 1,
                contour: Contour::rectangle(70.0, 10.0, 10.0, 10.0),
            }],
        }
    }

    #[test]
    fn rotations_parse_and_allow() {
        assert_eq!("90".parse::<Rotations>().unwrap(), Rotations::Step90);
        assert_eq!("none".parse::<Rotations>().unwrap(), Rotations::None);
        assert_eq!("free".parse::<Rotations>().unwrap(), Rotations::Free);
        let l: Rotations = "0, 180".parse().unwrap();
        assert_eq!(l, Rotations::List(vec![0.0, 180.0]));
        assert!(l.allows(-180.0) && !l.allows(90.0));
        assert!(Rotations::Step90.allows(270.0) && !Rotations::Step90.allows(45.0));
        assert!(Rotations::Free.allows(33.3));
        let err = "sideways".parse::<Rotations>().unwrap_err().to_string();
        assert!(err.contains("sideways"), "{err}");
    }

    #[test]
    fn the_area_left_of_a_line_follows_the_outline_and_its_holes() {
        use crate::geometry::Vertex;
        // Zones are lower-quality material, counted like the rest.
        let outline = l_outline();
        let close = |a: f64, b: f64| (a - b).abs() < 1e-6;
        assert!(close(outline.area(), 7400.0));
        assert!(close(outline.area_left_of(0.0), 0.0));
        assert!(close(outline.area_left_of(25.0), 2450.0)); // 25 × 100 − 5 × 10
        assert!(close(outline.area_left_of(40.0), 3900.0)); // 40 × 100 − 100
        assert!(close(outline.area_left_of(75.0), 6150.0)); // 4900 + 25 × 50
        assert!(close(outline.area_left_of(100.0), 7400.0));
        assert!(close(outline.area_left_of(1e9), 7400.0));

        // A half disc of radius 50 standing on its diameter (0..100 on y = 0):
        // left of its centre line lies a quarter disc.
        let half_disc = SheetOutline {
            outer: Contour::new(vec![
                Vertex::new(100.0, 0.0, 1.0),
                Vertex::new(0.0, 0.0, 0.0),
            ]),
            holes: vec![],
            zones: vec![],
        };
        let quarter = std::f64::consts::PI * 2500.0 / 4.0;
        let left = half_disc.area_left_of(50.0);
        assert!((left - quarter).abs() < 1.0, "{left} against {quarter}");

        // A rectangular sheet: the strip up to the line.
        let rect = SheetSpec::rect(3000.0, 1500.0, None, None);
        assert!(close(rect.area_left_of(1015.0), 1015.0 * 1500.0));
        assert!(close(rect.area_left_of(4000.0), 3000.0 * 1500.0));
    }
}
