//! Everything the window shows, in one place: imported files, the parts
//! table, stock and settings, the running nest and the current layout with
//! its edit history. Panels read it; only [`super::command::apply`] changes it.

use super::shapes::PartShape;
use crate::job::JobSheet;
use nesting::engine::StopReason;
use nesting::import::{ImportReport, Unit};
use nesting::{Layout, NestProblem, Part, Rotations};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

/// Most recent files kept in the File menu.
pub const RECENT_MAX: usize = 10;
/// Undo steps kept.
const HISTORY_MAX: usize = 200;

/// Nest settings: stock, spacing, margin, time budget, seed, default unit.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    pub sheets: Vec<JobSheet>,
    pub spacing_mm: f64,
    pub margin_mm: f64,
    pub time_limit_s: f64,
    pub seed: u64,
    /// Unit of DXF files that do not state one.
    pub default_unit: Unit,
    /// Place small parts inside the holes of larger parts.
    #[serde(default = "crate::job::default_part_in_part")]
    pub part_in_part: bool,
}

impl Default for Settings {
    fn default() -> Self {
        let job = crate::job::Job::new();
        Settings {
            sheets: vec![JobSheet::rect(3000.0, 1500.0, None, None)],
            spacing_mm: job.spacing_mm,
            margin_mm: job.margin_mm,
            time_limit_s: job.time_limit_s,
            seed: job.seed,
            default_unit: Unit::Millimeter,
            part_in_part: job.part_in_part,
        }
    }
}

/// One imported DXF file and what came out of it.
#[derive(Clone, Debug)]
pub struct FileEntry {
    pub path: PathBuf,
    /// Unit forced by the user for this file (`None`: the file's own, or the default).
    pub unit_override: Option<Unit>,
    pub report: ImportReport,
    /// Parts of the file with their drawing shapes.
    pub parts: Vec<(Arc<Part>, Arc<PartShape>)>,
}

/// One row of the parts table: a part type and how to nest it.
#[derive(Clone, Debug)]
pub struct PartRow {
    /// Stable id (egui ids, commands), unique for the session.
    pub key: u64,
    pub file: PathBuf,
    pub part: Arc<Part>,
    pub shape: Arc<PartShape>,
    pub quantity: u32,
    pub rotations: Rotations,
    pub mirror: bool,
    /// 1 (nested first) to 9 (last).
    pub priority: u32,
}

/// Live numbers of a running nest.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProgressInfo {
    pub elapsed_s: f64,
    pub iterations: u64,
    pub sheets: usize,
    pub utilization: f64,
    pub placed: usize,
    pub total: usize,
}

/// A nest in progress on the worker.
#[derive(Debug)]
pub struct NestRun {
    /// Run number; events of older runs are ignored.
    pub id: u64,
    pub started: Instant,
    pub time_limit_s: f64,
    pub progress: ProgressInfo,
    pub cancel: Arc<AtomicBool>,
}

/// Identifies one placed copy across edits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CopyId {
    pub part: usize,
    pub copy: u32,
}

/// A layout with the locked copies, as kept for undo.
#[derive(Clone, Debug, PartialEq)]
pub struct Snapshot {
    pub layout: Layout,
    pub locked: BTreeSet<CopyId>,
}

/// Undo and redo stacks.
#[derive(Clone, Debug, Default)]
pub struct History {
    pub undo: Vec<Snapshot>,
    pub redo: Vec<Snapshot>,
}

impl History {
    /// Remembers `before` as the state to return to; clears redo.
    pub fn push(&mut self, before: Snapshot) {
        self.undo.push(before);
        if self.undo.len() > HISTORY_MAX {
            self.undo.remove(0);
        }
        self.redo.clear();
    }
}

/// A nested layout with the problem it was nested for (the parts table may
/// change afterwards; the layout always belongs to this problem).
#[derive(Clone, Debug)]
pub struct NestDoc {
    pub problem: Arc<NestProblem>,
    /// Source file of each part type (same order as `problem.parts`).
    pub sources: Vec<PathBuf>,
    /// Import report of every file the parts came from.
    pub reports: Vec<ImportReport>,
    pub shapes: Vec<Arc<PartShape>>,
    pub layout: Layout,
    pub locked: BTreeSet<CopyId>,
    pub history: History,
    pub seed: u64,
    pub time_limit_s: f64,
    pub iterations: u64,
    pub elapsed_s: f64,
    pub stopped: StopReason,
    /// Parts nested by their convex hull (see `NestOutcome::hull_parts`).
    pub hull_parts: Vec<usize>,
    /// Changes whenever `layout` changes (drawing caches key on it).
    pub generation: u64,
    /// `AppState::inputs_generation` when nested: tells whether the table changed since.
    pub inputs_generation: u64,
}

impl NestDoc {
    /// The current layout and locks, for the undo history.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            layout: self.layout.clone(),
            locked: self.locked.clone(),
        }
    }

    /// Sheet and index of a placed copy.
    pub fn find(&self, id: CopyId) -> Option<(usize, usize)> {
        self.layout.sheets.iter().enumerate().find_map(|(s, sl)| {
            sl.placements
                .iter()
                .position(|p| p.part == id.part && p.copy == id.copy)
                .map(|i| (s, i))
        })
    }

    /// Display name of a part type.
    pub fn part_name(&self, part: usize) -> &str {
        self.problem
            .parts
            .get(part)
            .map_or("?", |d| d.part.name.as_str())
    }
}

/// Severity of a status message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Info,
    Warning,
    Error,
}

/// A line of the status log.
#[derive(Clone, Debug, PartialEq)]
pub struct LogLine {
    pub level: Level,
    pub text: String,
}

/// Settings kept between runs (eframe storage).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Persisted {
    pub settings: Settings,
    pub recent: Vec<PathBuf>,
    pub last_folder: Option<PathBuf>,
}

/// The whole application state.
#[derive(Debug, Default)]
pub struct AppState {
    pub settings: Settings,
    pub files: Vec<FileEntry>,
    pub rows: Vec<PartRow>,
    pub next_key: u64,
    /// Bumped whenever rows or settings change.
    pub inputs_generation: u64,
    pub doc: Option<NestDoc>,
    pub run: Option<NestRun>,
    pub next_run_id: u64,
    pub selection: Option<CopyId>,
    /// Files being imported on the worker.
    pub imports_pending: usize,
    pub exporting: bool,
    pub recent: Vec<PathBuf>,
    pub last_folder: Option<PathBuf>,
    /// The job file last saved or opened.
    pub job_path: Option<PathBuf>,
    pub log: Vec<LogLine>,
    /// Folder of the last successful export.
    pub last_export: Option<PathBuf>,
}

impl AppState {
    /// A state starting from what was kept from the last session.
    pub fn from_persisted(p: Persisted) -> Self {
        AppState {
            settings: p.settings,
            recent: p.recent,
            last_folder: p.last_folder,
            ..AppState::default()
        }
    }

    /// What to keep for the next session.
    pub fn persisted(&self) -> Persisted {
        Persisted {
            settings: self.settings.clone(),
            recent: self.recent.clone(),
            last_folder: self.last_folder.clone(),
        }
    }

    /// Adds a status message (also printed on standard error).
    pub fn say(&mut self, level: Level, text: impl Into<String>) {
        let text = text.into();
        // Also on standard error, for logs and the screenshot script.
        eprintln!("[nestwork] {level:?}: {text}");
        self.note(level, text);
    }

    /// Adds a status message that is already on standard error (a logged
    /// warning).
    pub fn note(&mut self, level: Level, text: String) {
        self.log.push(LogLine { level, text });
        if self.log.len() > 500 {
            self.log.remove(0);
        }
    }

    /// Moves `path` to the top of the recent files.
    pub fn add_recent(&mut self, path: PathBuf) {
        self.recent.retain(|p| p != &path);
        self.recent.insert(0, path);
        self.recent.truncate(RECENT_MAX);
    }

    /// True while a nest runs.
    pub fn nesting(&self) -> bool {
        self.run.is_some()
    }

    /// Copies asked for in the parts table.
    pub fn total_quantity(&self) -> u64 {
        self.rows.iter().map(|r| u64::from(r.quantity)).sum()
    }

    /// True when the layout was nested from other inputs than the current table.
    pub fn layout_outdated(&self) -> bool {
        self.doc
            .as_ref()
            .is_some_and(|d| d.inputs_generation != self.inputs_generation)
    }
}
