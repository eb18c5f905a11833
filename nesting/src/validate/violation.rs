//! What the validator can find wrong with a layout, with messages that say
//! exactly what and where (mm, sheet numbers 1-based as the user sees them).

use crate::geometry::Point;
use serde::Serialize;
use std::fmt;

/// A side of the sheet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SheetEdge {
    /// x = 0
    Left,
    /// x = width
    Right,
    /// y = 0
    Bottom,
    /// y = height
    Top,
}

impl fmt::Display for SheetEdge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SheetEdge::Left => "left",
            SheetEdge::Right => "right",
            SheetEdge::Bottom => "bottom",
            SheetEdge::Top => "top",
        })
    }
}

/// The parts of an irregular sheet a part must keep off (1-based numbers
/// in messages).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SheetArea {
    /// Everything outside the outline.
    Outline,
    /// A hole of the sheet, by index.
    Hole(usize),
    /// A quality zone of the sheet, by index, with its quality.
    Zone { index: usize, quality: u32 },
}

impl fmt::Display for SheetArea {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SheetArea::Outline => f.write_str("the sheet outline"),
            SheetArea::Hole(k) => write!(f, "hole {} of the sheet", k + 1),
            SheetArea::Zone { index, quality } => {
                write!(f, "zone {} of the sheet (quality {quality})", index + 1)
            }
        }
    }
}

/// One thing wrong with a layout.
///
/// `sheet` fields are 0-based indices into `Layout::sheets` (messages show
/// them 1-based); `sheet_spec` fields index `NestProblem::sheets`; part labels
/// are `"name #copy"`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Violation {
    /// The material of two parts overlaps (crossing, coincident or one
    /// inside the other's material); `at` is a point inside both.
    Overlap {
        sheet: usize,
        a: String,
        b: String,
        at: Point,
    },
    /// Two parts are closer than the spacing (0 = touching); `at` is midway
    /// between the closest points.
    Spacing {
        sheet: usize,
        a: String,
        b: String,
        distance_mm: f64,
        required_mm: f64,
        at: Point,
    },
    /// A part is inside the sheet but closer to an edge than the margin.
    Margin {
        sheet: usize,
        part: String,
        distance_mm: f64,
        required_mm: f64,
        edge: SheetEdge,
    },
    /// A part sticks out over an edge of the sheet by `overhang_mm`.
    OutsideSheet {
        sheet: usize,
        part: String,
        edge: SheetEdge,
        overhang_mm: f64,
    },
    /// On an irregular sheet, a part's material lies outside the outline,
    /// in one of its holes or on a quality zone it may not use; `area` names
    /// which, `at` is a point of the part there.
    OffSheet {
        sheet: usize,
        part: String,
        area: SheetArea,
        at: Point,
    },
    /// On an irregular sheet, a part is closer than the margin to the
    /// outline, a hole or a forbidden zone (`area`); `at` is midway.
    SheetMargin {
        sheet: usize,
        part: String,
        area: SheetArea,
        distance_mm: f64,
        required_mm: f64,
        at: Point,
    },
    /// A placed part has NaN or infinite coordinates.
    NonFiniteGeometry { sheet: usize, part: String },
    /// Placed plus unplaced copies differ from the requested quantity.
    QuantityMismatch {
        part: String,
        requested: u32,
        placed: u32,
        unplaced: u32,
    },
    /// The same copy of a part is placed twice.
    DuplicateCopy {
        part: String,
        copy: u32,
        first_sheet: usize,
        sheet: usize,
    },
    /// A copy number outside `1..=quantity`.
    CopyOutOfRange {
        sheet: usize,
        part: String,
        copy: u32,
        quantity: u32,
    },
    /// A placement (or unplaced entry, `sheet: None`) names a part index the problem lacks.
    UnknownPart {
        sheet: Option<usize>,
        part_index: usize,
        part_count: usize,
    },
    /// A used sheet names a stock sheet index the problem lacks.
    UnknownSheet {
        sheet: usize,
        sheet_spec: usize,
        sheet_spec_count: usize,
    },
    /// More sheets of a stock size used than are in stock.
    StockExceeded {
        sheet_spec: usize,
        width_mm: f64,
        height_mm: f64,
        used: u32,
        available: u32,
    },
    /// A part placed at a rotation its settings do not allow.
    RotationNotAllowed {
        sheet: usize,
        part: String,
        angle_deg: f64,
        allowed: String,
    },
    /// A part placed mirrored although mirroring is off for it.
    MirrorNotAllowed { sheet: usize, part: String },
}

impl std::error::Error for Violation {}

/// Formats `value` with 3 decimals, or more when needed to show that it
/// differs from `reference` (so "4.9995 mm" never prints as "5.000 mm").
pub(crate) fn mm_vs(value: f64, reference: f64) -> String {
    let mut decimals = 3;
    loop {
        let v = format!("{value:.decimals$}");
        let r = format!("{reference:.decimals$}");
        if v != r || decimals >= 9 {
            return v;
        }
        decimals += 1;
    }
}

/// Short number: up to 3 decimals, trailing zeros dropped ("5", "0.25").
pub(crate) fn mm_short(value: f64) -> String {
    let s = format!("{value:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.into() }
}

fn at(p: &Point) -> String {
    format!("({:.1}, {:.1})", p.x, p.y)
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Violation::Overlap { sheet, a, b, at: p } => write!(
                f,
                "sheet {}: `{a}` and `{b}` overlap at {}",
                sheet + 1,
                at(p)
            ),
            Violation::Spacing {
                sheet,
                a,
                b,
                distance_mm,
                required_mm,
                at: p,
            } => {
                if *distance_mm <= super::TOLERANCE_MM {
                    write!(
                        f,
                        "sheet {}: `{a}` and `{b}` touch at {}, spacing is {} mm",
                        sheet + 1,
                        at(p),
                        mm_short(*required_mm)
                    )
                } else {
                    write!(
                        f,
                        "sheet {}: `{a}` and `{b}` are {} mm apart at {}, spacing is {} mm",
                        sheet + 1,
                        mm_vs(*distance_mm, *required_mm),
                        at(p),
                        mm_short(*required_mm)
                    )
                }
            }
            Violation::Margin {
                sheet,
                part,
                distance_mm,
                required_mm,
                edge,
            } => write!(
                f,
                "sheet {}: `{part}` is {} mm from the {edge} edge, margin is {} mm",
                sheet + 1,
                mm_vs(*distance_mm, *required_mm),
                mm_short(*required_mm)
            ),
            Violation::OutsideSheet {
                sheet,
                part,
                edge,
                overhang_mm,
            } => write!(
                f,
                "sheet {}: `{part}` sticks out {} mm over the {edge} edge",
                sheet + 1,
                mm_vs(*overhang_mm, 0.0)
            ),
            Violation::OffSheet {
                sheet,
                part,
                area,
                at: p,
            } => write!(
                f,
                "sheet {}: `{part}` lies {} at {}",
                sheet + 1,
                match area {
                    SheetArea::Outline => format!("outside {area}"),
                    SheetArea::Hole(_) => format!("in {area}"),
                    SheetArea::Zone { .. } => format!("on {area}, which it may not use"),
                },
                at(p)
            ),
            Violation::SheetMargin {
                sheet,
                part,
                area,
                distance_mm,
                required_mm,
                at: p,
            } => write!(
                f,
                "sheet {}: `{part}` is {} mm from {} at {}, margin is {} mm",
                sheet + 1,
                mm_vs(*distance_mm, *required_mm),
                area,
                at(p),
                mm_short(*required_mm)
            ),
            Violation::NonFiniteGeometry { sheet, part } => write!(
                f,
                "sheet {}: `{part}` has invalid (NaN or infinite) coordinates",
                sheet + 1
            ),
            Violation::QuantityMismatch {
                part,
                requested,
                placed,
                unplaced,
            } => write!(
                f,
                "`{part}`: {requested} requested but {placed} placed + {unplaced} unplaced = {}",
                u64::from(*placed) + u64::from(*unplaced)
            ),
            Violation::DuplicateCopy {
                part,
                copy,
                first_sheet,
                sheet,
            } => write!(
                f,
                "sheet {}: `{part} #{copy}` is placed again (already on sheet {})",
                sheet + 1,
                first_sheet + 1
            ),
            Violation::CopyOutOfRange {
                sheet,
                part,
                copy,
                quantity,
            } => write!(
                f,
                "sheet {}: `{part}` copy #{copy} does not exist, copies are numbered 1 to {quantity}",
                sheet + 1
            ),
            Violation::UnknownPart {
                sheet,
                part_index,
                part_count,
            } => {
                let place = match sheet {
                    Some(s) => format!("sheet {}", s + 1),
                    None => "unplaced list".to_string(),
                };
                write!(
                    f,
                    "{place}: part index {part_index} does not exist (the job has {part_count} parts)"
                )
            }
            Violation::UnknownSheet {
                sheet,
                sheet_spec,
                sheet_spec_count,
            } => write!(
                f,
                "sheet {}: stock sheet index {sheet_spec} does not exist (the job has {sheet_spec_count} sheet sizes)",
                sheet + 1
            ),
            Violation::StockExceeded {
                width_mm,
                height_mm,
                used,
                available,
                ..
            } => write!(
                f,
                "{used} sheets of {} x {} mm used, only {available} in stock",
                mm_short(*width_mm),
                mm_short(*height_mm)
            ),
            Violation::RotationNotAllowed {
                sheet,
                part,
                angle_deg,
                allowed,
            } => write!(
                f,
                "sheet {}: `{part}` is rotated {}°, allowed rotations: {allowed}",
                sheet + 1,
                mm_short(*angle_deg)
            ),
            Violation::MirrorNotAllowed { sheet, part } => write!(
                f,
                "sheet {}: `{part}` is mirrored but mirroring is not allowed for it",
                sheet + 1
            ),
        }
    }
}
