//! `nestwork validate DIR`: re-imports the written sheet DXFs and checks them
//! again with the independent validator, against `report.json`.

use super::output::{outln, print_json};
use crate::cli::ValidateArgs;
use crate::output_folder::{UNLABELLED, sheet_shapes, sheet_spec};
use crate::report::{NestReport, SheetEntry};
use anyhow::Result;
use nesting::validate::validate_sheet;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;

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
        outln!(
            "valid: {} sheet(s), {} part(s) re-imported from the DXF files; no overlap, spacing {} mm and margin {} mm kept, quantities exact",
            outcome.sheets_checked,
            outcome.parts_checked,
            report.spacing_mm,
            report.margin_mm
        )?;
    } else {
        outln!(
            "INVALID: {} problem(s) in {}",
            outcome.problems.len(),
            args.dir.display()
        )?;
        for p in &outcome.problems {
            outln!("  - {p}")?;
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

    let spec = match sheet_spec(&path, sheet.width_mm, sheet.height_mm) {
        Ok((spec, outline_problems)) => {
            problems.extend(outline_problems.into_iter().map(|p| format!("{at}: {p}")));
            spec
        }
        Err(e) => return (Vec::new(), vec![format!("{at}: {e}")]),
    };

    let shapes = match sheet_shapes(&path) {
        Ok((shapes, layer_problems)) => {
            problems.extend(layer_problems.into_iter().map(|p| format!("{at}: {p}")));
            shapes
        }
        Err(e) => return (Vec::new(), vec![format!("{at}: {e}")]),
    };
    for v in validate_sheet(
        sheet.number - 1,
        &spec,
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
