//! `nestwork validate DIR`: re-imports the written sheet DXFs and checks them
//! again with the independent validator, against `report.json`.

use super::output::print_json;
use crate::cli::ValidateArgs;
use crate::report::{NestReport, SheetEntry};
use anyhow::Result;
use nesting::import::{ImportOptions, Unit, import_file};
use nesting::validate::{ExactSeg, PlacedShape, point_in_contour, validate_sheet};
use nesting::{Marking, Part};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

/// Layer names written by the exporter.
const CUT_LAYERS: [&str; 2] = ["CUT_OUTER", "CUT_INNER"];
const SHEET_LAYER: &str = "SHEET";
const LABEL_LAYER: &str = "LABELS";
/// Name given to an outline that carries no single label.
const UNLABELLED: &str = "unlabelled part";

#[derive(Debug, Default, Serialize)]
struct Outcome {
    valid: bool,
    sheets_checked: usize,
    parts_checked: usize,
    problems: Vec<String>,
}

/// Checks an output folder; exit code 1 when anything is wrong.
pub fn run(args: &ValidateArgs, json: bool) -> Result<ExitCode> {
    let report = NestReport::load(&args.dir)?;
    let outcome = check_folder(&args.dir, &report);
    if json {
        print_json(&outcome)?;
    } else if outcome.valid {
        println!(
            "valid: {} sheet(s), {} part(s) re-imported from the DXF files; no overlap, spacing {} mm and margin {} mm kept, quantities exact",
            outcome.sheets_checked, outcome.parts_checked, report.spacing_mm, report.margin_mm
        );
    } else {
        println!(
            "INVALID: {} problem(s) in {}",
            outcome.problems.len(),
            args.dir.display()
        );
        for p in &outcome.problems {
            println!("  - {p}");
        }
    }
    Ok(if outcome.valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn check_folder(dir: &Path, report: &NestReport) -> Outcome {
    let mut out = Outcome::default();
    let mut placed_per_part: BTreeMap<&str, u32> = BTreeMap::new();
    for sheet in &report.sheets {
        out.sheets_checked += 1;
        let (labels, problems) = check_sheet(dir, report, sheet);
        out.problems.extend(problems);
        out.parts_checked += labels.len();
        for label in labels {
            if let Some(p) = report.parts.iter().find(|p| label_matches(&label, &p.name)) {
                *placed_per_part.entry(p.name.as_str()).or_default() += 1;
            } else if !label.starts_with(UNLABELLED) {
                out.problems.push(format!(
                    "sheet {}: label `{label}` names no part of the report",
                    sheet.number
                ));
            }
        }
    }
    for p in &report.parts {
        let placed = placed_per_part.get(p.name.as_str()).copied().unwrap_or(0);
        let unplaced: u32 = report
            .unplaced
            .iter()
            .filter(|u| u.part == p.name)
            .map(|u| u.count)
            .sum();
        if placed + unplaced != p.quantity {
            out.problems.push(format!(
                "part `{}`: {} requested, but the DXF files hold {} and {} are listed as unplaced",
                p.name, p.quantity, placed, unplaced
            ));
        }
    }
    out.valid = out.problems.is_empty();
    out
}

fn label_matches(label: &str, part_name: &str) -> bool {
    label
        .rsplit_once(" #")
        .is_some_and(|(name, copy)| name == part_name && copy.parse::<u32>().is_ok())
}

/// Re-imports one sheet file; returns the part labels found and the problems.
fn check_sheet(dir: &Path, report: &NestReport, sheet: &SheetEntry) -> (Vec<String>, Vec<String>) {
    let path = dir.join(&sheet.file);
    let at = format!("sheet {} ({})", sheet.number, path.display());
    let mut problems = Vec::new();

    let outline = match import_layers(&path, &[SHEET_LAYER]) {
        Ok(outline) => outline,
        Err(e) => return (Vec::new(), vec![format!("{at}: {e}")]),
    };
    match outline.as_slice() {
        [p] => {
            let bb = p
                .outer
                .translated(p.source_origin.x, p.source_origin.y)
                .bbox();
            let expected = (0.0, 0.0, sheet.width_mm, sheet.height_mm);
            let found = (bb.min.x, bb.min.y, bb.max.x, bb.max.y);
            let off = [
                found.0 - expected.0,
                found.1 - expected.1,
                found.2 - expected.2,
                found.3 - expected.3,
            ];
            if off.iter().any(|d| d.abs() > 1e-6) {
                problems.push(format!(
                    "{at}: the sheet outline spans ({:.3}, {:.3})-({:.3}, {:.3}), the report says {} x {} mm",
                    found.0, found.1, found.2, found.3, sheet.width_mm, sheet.height_mm
                ));
            }
        }
        other => problems.push(format!(
            "{at}: expected one sheet outline on layer {SHEET_LAYER}, found {}",
            other.len()
        )),
    }

    let shapes = match sheet_shapes(&path) {
        Ok((shapes, layer_problems)) => {
            problems.extend(layer_problems.into_iter().map(|p| format!("{at}: {p}")));
            shapes
        }
        Err(e) => return (Vec::new(), vec![format!("{at}: {e}")]),
    };
    for v in validate_sheet(
        sheet.number - 1,
        sheet.width_mm,
        sheet.height_mm,
        &shapes,
        report.spacing_mm,
        report.margin_mm,
    ) {
        problems.push(v.to_string());
    }
    for p in &sheet.placements {
        let label = format!("{} #{}", p.part, p.copy);
        let found = shapes.iter().filter(|s| s.label == label).count();
        if found != 1 {
            problems.push(format!(
                "{at}: the report places `{label}` here, the DXF holds it {found} time(s)"
            ));
        }
    }
    if shapes.len() != sheet.placements.len() {
        problems.push(format!(
            "{at}: {} part outlines in the DXF, {} placements in the report",
            shapes.len(),
            sheet.placements.len()
        ));
    }
    (shapes.into_iter().map(|s| s.label).collect(), problems)
}

/// The placed parts of a written sheet, by layer: every contour on
/// `CUT_OUTER` is a part's outline (even one drawn inside another outline:
/// that is an overlap, reported), every contour on `CUT_INNER` is a hole of
/// the smallest outline around it. Returns the shapes and the problems found.
fn sheet_shapes(path: &Path) -> Result<(Vec<PlacedShape>, Vec<String>)> {
    let mut problems = Vec::new();
    let mut shapes: Vec<PlacedShape> = Vec::new();
    for part in import_layers(path, &[CUT_LAYERS[0]])? {
        let (dx, dy) = (part.source_origin.x, part.source_origin.y);
        // Labels with their positions in sheet coordinates.
        let labels: Vec<(&str, nesting::Point)> = part
            .marking
            .iter()
            .filter_map(|m| match m {
                Marking::Text {
                    layer,
                    text,
                    position,
                    ..
                } if layer.eq_ignore_ascii_case(LABEL_LAYER) => Some((
                    text.as_str(),
                    nesting::Point::new(position.x + dx, position.y + dy),
                )),
                _ => None,
            })
            .collect();
        let outer = part.outer.translated(dx, dy);
        // An outline found inside this one is another part: on its material
        // (an overlap) or in one of its holes (part-in-part); the validator
        // tells which once the holes are assigned. A label inside such an
        // outline belongs to it, the others to this outline.
        let inners: Vec<_> = part
            .holes
            .iter()
            .map(|h| h.translated(dx, dy).oriented(true))
            .collect();
        let inner_segs: Vec<Vec<ExactSeg>> = inners.iter().map(ExactSeg::of_contour).collect();
        let owner = |p: nesting::Point| inner_segs.iter().position(|s| point_in_contour(p, s));
        let mut pick = |contour: &nesting::Contour, which: Option<usize>, fallback: bool| {
            let mine: Vec<&str> = labels
                .iter()
                .filter(|(_, p)| owner(*p) == which)
                .map(|(t, _)| *t)
                .collect();
            let bb = contour.bbox();
            match mine.as_slice() {
                [one] => one.to_string(),
                [] if fallback => format!("{UNLABELLED} at ({:.1}, {:.1})", bb.min.x, bb.min.y),
                _ => {
                    problems.push(format!(
                        "the part outline at ({:.3}, {:.3})-({:.3}, {:.3}) carries {} labels, expected one",
                        bb.min.x, bb.min.y, bb.max.x, bb.max.y, mine.len()
                    ));
                    format!("{UNLABELLED} at ({:.1}, {:.1})", bb.min.x, bb.min.y)
                }
            }
        };
        let label = pick(&outer, None, false);
        for (i, inner) in inners.into_iter().enumerate() {
            let label = pick(&inner, Some(i), true);
            shapes.push(PlacedShape {
                label,
                outer: inner,
                holes: Vec::new(),
            });
        }
        shapes.push(PlacedShape {
            label,
            outer,
            holes: Vec::new(),
        });
    }
    let outline_segments: Vec<Vec<ExactSeg>> = shapes
        .iter()
        .map(|s| ExactSeg::of_contour(&s.outer))
        .collect();
    for part in import_layers(path, &[CUT_LAYERS[1]])? {
        let (dx, dy) = (part.source_origin.x, part.source_origin.y);
        for hole in std::iter::once(&part.outer).chain(&part.holes) {
            let hole = hole.translated(dx, dy).oriented(false);
            let probe = hole.vertices[0].point();
            let owner = (0..shapes.len())
                .filter(|&i| point_in_contour(probe, &outline_segments[i]))
                .min_by(|&a, &b| shapes[a].outer.area().total_cmp(&shapes[b].outer.area()));
            match owner {
                Some(i) => shapes[i].holes.push(hole),
                None => problems.push(format!(
                    "a hole outline at ({:.3}, {:.3}) lies in no part",
                    probe.x, probe.y
                )),
            }
        }
    }
    Ok((shapes, problems))
}

/// Imports only `layers` of a written sheet (always millimetres).
fn import_layers(path: &Path, layers: &[&str]) -> Result<Vec<Part>> {
    let options = ImportOptions {
        default_unit: Unit::Millimeter,
        cut_layers: Some(layers.iter().map(|l| l.to_string()).collect()),
        marking_layers: vec![LABEL_LAYER.to_string()],
        ..ImportOptions::default()
    };
    let imported = import_file(path, &options)?;
    if !imported.report.open_chains.is_empty() {
        anyhow::bail!(
            "{} open contour(s) on layers {}: every written contour must be closed",
            imported.report.open_chains.len(),
            layers.join(", ")
        );
    }
    Ok(imported.parts)
}
