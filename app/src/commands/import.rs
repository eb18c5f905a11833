//! `nestwork import`: what a DXF file holds, as the nester will see it.

use super::output::{outln, print_json};
use crate::cli::ImportArgs;
use crate::inputs::collect_dxf_files;
use anyhow::{Result, anyhow};
use nesting::import::{ImportOptions, Unit, import_file};
use serde::Serialize;
use std::process::ExitCode;

#[derive(Serialize)]
struct FileResult {
    file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    report: Option<nesting::import::ImportReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// Imports each file and prints its report; fails when any file fails.
pub fn run(args: &ImportArgs, json: bool) -> Result<ExitCode> {
    let options = ImportOptions {
        default_unit: args
            .unit
            .parse::<Unit>()
            .map_err(|e| anyhow!("--unit: {e}"))?,
        unit_override: args
            .force_unit
            .as_deref()
            .map(str::parse::<Unit>)
            .transpose()
            .map_err(|e| anyhow!("--force-unit: {e}"))?,
        gap_tolerance_mm: args.gap,
        one_part_per_file: args.one_part_per_file,
        cut_layers: args.layers.clone(),
        ..ImportOptions::default()
    };
    let mut results = Vec::new();
    for file in collect_dxf_files(&args.files)? {
        let result = match import_file(&file, &options) {
            Ok(imported) => FileResult {
                file: file.display().to_string(),
                report: Some(imported.report),
                error: None,
            },
            Err(e) => FileResult {
                file: file.display().to_string(),
                report: None,
                error: Some(e.to_string()),
            },
        };
        if !json {
            match (&result.report, &result.error) {
                (Some(r), _) => outln!("{r}")?,
                (_, Some(e)) => outln!("{}: error: {e}\n", result.file)?,
                _ => {}
            }
        }
        results.push(result);
    }
    if json {
        print_json(&results)?;
    }
    let failed = results.iter().filter(|r| r.error.is_some()).count();
    if failed > 0 {
        eprintln!(
            "{failed} of {} file(s) could not be imported",
            results.len()
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
