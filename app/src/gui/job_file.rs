//! Saving and opening a job from the window: the job file (`.toml`, the same
//! format as `nestwork nest JOB.toml`) plus a sidecar `NAME.layout.json`
//! holding what the job format cannot: per-part settings of files with
//! several parts, the current layout and the locked copies.

use super::state::{AppState, CopyId, FileEntry};
use super::worker::import_entry_with;
use crate::commands::write_atomically;
use crate::job::{Job, JobPart};
use anyhow::{Context, Result, bail};
use nesting::engine::StopReason;
use nesting::import::Unit;
use nesting::{Layout, Rotations};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Version of the sidecar format.
const SIDECAR_FORMAT: u32 = 1;

/// Settings of one part type as saved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedPart {
    /// The part's file, as written in the job file.
    pub file: PathBuf,
    pub name: String,
    pub quantity: u32,
    pub rotations: Rotations,
    pub mirror: bool,
    #[serde(default = "nesting::problem::default_priority")]
    pub priority: u32,
}

/// A layout as saved with its job.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SavedLayout {
    /// Part names in problem order: the layout's part indices refer to these.
    pub part_names: Vec<String>,
    pub layout: Layout,
    pub locked: Vec<CopyId>,
    pub seed: u64,
    pub time_limit_s: f64,
    pub iterations: u64,
    pub elapsed_s: f64,
    /// Why the nest stopped (`TimeLimit`, `IterationLimit`, `Cancelled`, `Optimal`).
    pub stop_reason: String,
    /// Parts nested by their convex hull (indices as in `part_names`).
    #[serde(default)]
    pub hull_parts: Vec<usize>,
}

/// The sidecar file saved next to a job file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JobSidecar {
    pub format: u32,
    pub parts: Vec<SavedPart>,
    pub layout: Option<SavedLayout>,
}

/// A job read back from disk, with its part files imported.
#[derive(Debug)]
pub struct OpenedJob {
    pub job: Job,
    /// Imported files with their job entry (same order as the job's parts).
    pub files: Vec<(FileEntry, JobPart)>,
    /// Part files that could not be imported, with the reason.
    pub failed: Vec<String>,
    pub sidecar: Option<JobSidecar>,
}

/// Path of the sidecar of job file `job_path`.
pub fn sidecar_path(job_path: &Path) -> PathBuf {
    job_path.with_extension("layout.json")
}

/// `file` relative to the job's folder when it lies inside it.
fn relative_to(file: &Path, base: &Path) -> PathBuf {
    file.strip_prefix(base)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| file.to_path_buf())
}

/// The job file and sidecar describing `state`, for a job saved at `job_path`.
pub fn job_from_state(state: &AppState, job_path: &Path) -> (Job, JobSidecar) {
    let base = job_path.parent().unwrap_or(Path::new("."));
    let s = &state.settings;
    let mut job = Job {
        spacing_mm: s.spacing_mm,
        margin_mm: s.margin_mm,
        time_limit_s: s.time_limit_s,
        seed: s.seed,
        default_unit: s.default_unit.to_string(),
        part_in_part: s.part_in_part,
        sheets: s.sheets.clone(),
        parts: Vec::new(),
    };
    for f in &state.files {
        // The job format holds one setting per file: the first part's.
        let Some(row) = state.rows.iter().find(|r| r.file == f.path) else {
            continue;
        };
        job.parts.push(JobPart {
            file: relative_to(&f.path, base),
            quantity: row.quantity,
            rotations: row.rotations.clone(),
            mirror: row.mirror,
            priority: row.priority,
            unit: f.unit_override.map(|u| u.to_string()),
            one_part_per_file: false,
            layers: None,
        });
    }
    let parts = state
        .rows
        .iter()
        .map(|r| SavedPart {
            file: relative_to(&r.file, base),
            name: r.part.name.clone(),
            quantity: r.quantity,
            rotations: r.rotations.clone(),
            mirror: r.mirror,
            priority: r.priority,
        })
        .collect();
    let layout = state.doc.as_ref().map(|d| SavedLayout {
        part_names: d
            .problem
            .parts
            .iter()
            .map(|p| p.part.name.clone())
            .collect(),
        layout: d.layout.clone(),
        locked: d.locked.iter().copied().collect(),
        seed: d.seed,
        time_limit_s: d.time_limit_s,
        iterations: d.iterations,
        elapsed_s: d.elapsed_s,
        stop_reason: format!("{:?}", d.stopped),
        hull_parts: d.hull_parts.clone(),
    });
    (
        job,
        JobSidecar {
            format: SIDECAR_FORMAT,
            parts,
            layout,
        },
    )
}

/// Writes the job file and its sidecar (each atomically).
pub fn save_job(path: &Path, job: &Job, sidecar: &JobSidecar) -> Result<()> {
    let text = toml::to_string_pretty(job).context("cannot write the job as TOML")?;
    let header =
        "# Nestwork job, saved by the desktop app. Nest it with `nestwork nest THIS.toml`.\n";
    write_atomically(path, format!("{header}{text}").as_bytes())?;
    let side = serde_json::to_string_pretty(sidecar).context("cannot write the layout as JSON")?;
    write_atomically(&sidecar_path(path), side.as_bytes())
}

/// Reads a job file, imports its parts and reads its sidecar if present.
/// A part file that fails is reported in `failed`; the others still open.
pub fn open_job(path: &Path) -> Result<OpenedJob> {
    let job = Job::load(path)?;
    if job.parts.is_empty() && job.sheets.is_empty() {
        bail!("{} holds no part and no sheet", path.display());
    }
    let mut files = Vec::new();
    let mut failed = Vec::new();
    for jp in &job.parts {
        let imported = job.import_options(jp).and_then(|options| {
            let unit = options.unit_override;
            import_entry_with(&jp.file, options, unit)
        });
        match imported {
            Ok(entry) => files.push((entry, jp.clone())),
            Err(e) => failed.push(format!("{e:#}")),
        }
    }
    let side_path = sidecar_path(path);
    let sidecar = if side_path.is_file() {
        let text = std::fs::read_to_string(&side_path)
            .with_context(|| format!("cannot read {}", side_path.display()))?;
        let side: JobSidecar = serde_json::from_str(&text).with_context(|| {
            format!(
                "{} is not a Nestwork layout file; move it away to open the job without its layout",
                side_path.display()
            )
        })?;
        if side.format != SIDECAR_FORMAT {
            bail!(
                "{} has format {} but this version reads format {SIDECAR_FORMAT}",
                side_path.display(),
                side.format
            );
        }
        Some(side)
    } else {
        None
    };
    Ok(OpenedJob {
        job,
        files,
        failed,
        sidecar,
    })
}

/// The unit name of a job's `default_unit`, falling back to mm (job files
/// are checked on load, so this only guards hand-made values).
pub fn job_default_unit(job: &Job) -> Unit {
    job.default_unit.parse().unwrap_or(Unit::Millimeter)
}

/// Reads back a stop reason written with `{:?}`.
pub fn parse_stop_reason(s: &str) -> Option<StopReason> {
    [
        StopReason::TimeLimit,
        StopReason::IterationLimit,
        StopReason::Cancelled,
        StopReason::Optimal,
    ]
    .into_iter()
    .find(|r| format!("{r:?}") == s)
}
