//! Turning command-line inputs and job files into imported parts and a
//! `NestProblem`.

use crate::job::{Job, JobPart};
use anyhow::{Context, Result, bail};
use nesting::import::{ImportReport, import_file};
use nesting::{NestProblem, PartDemand};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Expands folders to the DXF files they hold (sorted, not recursive into
/// hidden folders); files are kept as given.
pub fn collect_dxf_files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for input in inputs {
        if input.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(input)
                .with_context(|| format!("cannot list the folder {}", input.display()))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && is_dxf(p))
                .collect();
            if found.is_empty() {
                bail!("the folder {} holds no .dxf file", input.display());
            }
            found.sort();
            files.extend(found);
        } else if input.is_file() {
            files.push(input.clone());
        } else {
            bail!("{} does not exist", input.display());
        }
    }
    Ok(files)
}

fn is_dxf(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("dxf"))
}

/// Parts of a job, imported and ready to nest.
#[derive(Debug)]
pub struct LoadedJob {
    pub problem: NestProblem,
    /// Source file of each part type (same order as `problem.parts`).
    pub sources: Vec<PathBuf>,
    /// One import report per part file.
    pub reports: Vec<ImportReport>,
}

/// Imports every part file of `job` and builds the nesting problem. A file
/// that cannot be imported, or holds no closed outline, is an error: nothing
/// is left out silently.
pub fn load_job(job: &Job) -> Result<LoadedJob> {
    job.check()?;
    if job.sheets.is_empty() {
        bail!(
            "the job has no sheet: add a [[sheet]] with width_mm and height_mm, or pass --sheet 3000x1500"
        );
    }
    if job.parts.is_empty() {
        bail!("the job has no part: add a [[part]] with a DXF file");
    }
    let mut parts = Vec::new();
    let mut sources = Vec::new();
    let mut reports = Vec::new();
    let mut names: HashMap<String, usize> = HashMap::new();
    for jp in &job.parts {
        let imported = import_part_file(job, jp)?;
        for mut part in imported.parts {
            let seen = names.entry(part.name.clone()).or_insert(0);
            *seen += 1;
            if *seen > 1 {
                part.name = format!("{} ({})", part.name, seen);
            }
            parts.push(PartDemand {
                part: Arc::new(part),
                quantity: jp.quantity,
                rotations: jp.rotations.clone(),
                mirror: jp.mirror,
                min_quality: None,
                priority: jp.priority,
            });
            sources.push(jp.file.clone());
        }
        reports.push(imported.report);
    }
    Ok(LoadedJob {
        problem: NestProblem {
            parts,
            sheets: job.sheets.iter().map(|s| s.spec()).collect(),
            spacing_mm: job.spacing_mm,
            margin_mm: job.margin_mm,
        },
        sources,
        reports,
    })
}

fn import_part_file(job: &Job, jp: &JobPart) -> Result<nesting::import::ImportedFile> {
    let options = job.import_options(jp)?;
    let imported = import_file(&jp.file, &options)
        .with_context(|| format!("cannot import the part file {}", jp.file.display()))?;
    if imported.parts.is_empty() {
        bail!(
            "{} holds no closed outline to nest:\n{}",
            jp.file.display(),
            imported.report
        );
    }
    Ok(imported)
}
