//! User actions as data. Panels push [`Command`]s; [`apply`] carries them
//! out in one place per frame (tests push them directly, too).

use super::edit::{self, SendTarget};
use super::state::{AppState, CopyId, FileEntry, Level, NestDoc, NestRun, PartRow, Settings};
use super::worker::{self, DialogKind, Worker};
use crate::job::JobSheet;
use nesting::engine::{NestOptions, StopReason};
use nesting::geometry::Transform;
use nesting::import::Unit;
use nesting::{NestProblem, PartDemand, Rotations};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// Something the user asked for.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Open a native file dialog (runs on a worker thread).
    Dialog(DialogKind),
    /// Import DXF files and folders; a `.toml` opens a job instead.
    Import(Vec<PathBuf>),
    /// Read a remnant sheet from a DXF file (added to the stock, or
    /// replacing the entry of the same file).
    AddRemnant(PathBuf),
    OpenJob(PathBuf),
    /// Save the job (and layout) here; `None`: where it was last saved, else ask.
    SaveJob(Option<PathBuf>),
    /// Re-import a file in another unit (`None`: the file's own unit).
    SetFileUnit(PathBuf, Option<Unit>),
    RemoveFile(PathBuf),
    SetQuantity(u64, u32),
    SetAllQuantities(u32),
    SetRotations(u64, Rotations),
    SetMirror(u64, bool),
    /// Nesting priority of a part row, 1 (first) to 9 (last).
    SetPriority(u64, u32),
    RemoveRow(u64),
    SetSettings(Settings),
    StartNest,
    CancelNest,
    Select(Option<CopyId>),
    /// Move a copy on its sheet (checked exactly; refused when invalid).
    Move(CopyId, Transform),
    /// Rotate the selected copy to its next (+1) or previous (-1) allowed angle.
    Rotate(i32),
    /// Send the selected copy to another sheet.
    Send(SendTarget),
    ToggleLock(CopyId),
    ToggleLockSheet(usize),
    Undo,
    Redo,
    /// Validate and write DXF/SVG/PNG/report into a folder.
    Export(PathBuf),
    ClearRecent,
    ClearLog,
}

/// Carries out `cmd` on `state`; slow work goes to `worker`.
pub fn apply(state: &mut AppState, worker: &Worker, cmd: Command) {
    match cmd {
        Command::Dialog(kind) => open_dialog(state, worker, kind),
        Command::Import(paths) => import(state, worker, paths),
        Command::OpenJob(path) => {
            state.say(Level::Info, format!("opening job {}", path.display()));
            state.imports_pending += 1;
            worker.spawn("open-job", move |emit| {
                let result = super::job_file::open_job(&path).map_err(|e| format!("{e:#}"));
                emit.send(worker::Event::JobOpened { path, result });
                emit.send(worker::Event::ImportDone);
            });
        }
        Command::AddRemnant(path) => {
            let unit = state.settings.default_unit;
            worker.spawn("remnant", move |emit| {
                let result = JobSheet::remnant(&path, unit).map_err(|e| format!("{e:#}"));
                emit.send(worker::Event::RemnantLoaded { path, result });
            });
        }
        Command::SaveJob(path) => save_job(state, worker, path),
        Command::SetFileUnit(path, unit) => {
            let default_unit = state.settings.default_unit;
            state.imports_pending += 1;
            worker.spawn("import", move |emit| {
                let result =
                    worker::import_entry(&path, default_unit, unit).map_err(|e| format!("{e:#}"));
                emit.send(worker::Event::Imported { path, result });
                emit.send(worker::Event::ImportDone);
            });
        }
        Command::RemoveFile(path) => {
            state.files.retain(|f| f.path != path);
            state.rows.retain(|r| r.file != path);
            state.inputs_generation += 1;
        }
        Command::SetQuantity(key, q) => edit_row(state, key, |r| r.quantity = q),
        Command::SetAllQuantities(q) => {
            state.rows.iter_mut().for_each(|r| r.quantity = q);
            state.inputs_generation += 1;
        }
        Command::SetRotations(key, rot) => edit_row(state, key, |r| r.rotations = rot),
        Command::SetMirror(key, m) => edit_row(state, key, |r| r.mirror = m),
        Command::SetPriority(key, p) => edit_row(state, key, |r| {
            r.priority = p.clamp(nesting::PRIORITY_FIRST, nesting::PRIORITY_LAST);
        }),
        Command::RemoveRow(key) => {
            state.rows.retain(|r| r.key != key);
            let files: Vec<PathBuf> = state.rows.iter().map(|r| r.file.clone()).collect();
            state.files.retain(|f| files.contains(&f.path));
            state.inputs_generation += 1;
        }
        Command::SetSettings(s) => {
            if s != state.settings {
                state.settings = s;
                state.inputs_generation += 1;
            }
        }
        Command::StartNest => start_nest(state, worker),
        Command::CancelNest => {
            if let Some(run) = &state.run {
                run.cancel.store(true, Ordering::Relaxed);
                state.say(
                    Level::Info,
                    "cancelling: keeping the best valid layout so far",
                );
            }
        }
        Command::Select(sel) => state.selection = sel,
        Command::Move(id, to) => edit_doc(state, |doc| edit::move_to(doc, id, to)),
        Command::Rotate(dir) => {
            if let Some(id) = state.selection {
                edit_doc(state, |doc| edit::rotate(doc, id, dir));
            }
        }
        Command::Send(target) => {
            if let Some(id) = state.selection {
                edit_doc(state, |doc| edit::send_to(doc, id, target));
            }
        }
        Command::ToggleLock(id) => edit_doc(state, |doc| {
            edit::toggle_lock(doc, id);
            Ok(())
        }),
        Command::ToggleLockSheet(s) => edit_doc(state, |doc| {
            edit::toggle_lock_sheet(doc, s);
            Ok(())
        }),
        Command::Undo => {
            if !state.nesting() && !state.doc.as_mut().is_some_and(edit::undo) {
                state.say(Level::Info, "nothing to undo");
            }
        }
        Command::Redo => {
            if !state.nesting() && !state.doc.as_mut().is_some_and(edit::redo) {
                state.say(Level::Info, "nothing to redo");
            }
        }
        Command::Export(dir) => export(state, worker, dir),
        Command::ClearRecent => state.recent.clear(),
        Command::ClearLog => state.log.clear(),
    }
}

fn edit_row(state: &mut AppState, key: u64, f: impl FnOnce(&mut PartRow)) {
    if let Some(r) = state.rows.iter_mut().find(|r| r.key == key) {
        f(r);
        state.inputs_generation += 1;
    }
}

fn edit_doc(state: &mut AppState, f: impl FnOnce(&mut NestDoc) -> Result<(), String>) {
    if state.nesting() {
        state.say(
            Level::Warning,
            "wait for the nest to finish (or cancel it) before editing",
        );
        return;
    }
    let Some(doc) = state.doc.as_mut() else {
        state.say(Level::Warning, "nest first: there is no layout to edit");
        return;
    };
    if let Err(e) = f(doc) {
        state.say(Level::Warning, e);
    }
}

fn open_dialog(state: &mut AppState, worker: &Worker, kind: DialogKind) {
    let folder = state.last_folder.clone();
    let job_name = state
        .job_path
        .as_ref()
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().into_owned());
    worker.spawn("dialog", move |emit| {
        let mut d = rfd::FileDialog::new();
        if let Some(f) = &folder {
            d = d.set_directory(f);
        }
        let paths = match kind {
            DialogKind::ImportParts => d
                .set_title("Import DXF parts")
                .add_filter("DXF drawings", &["dxf", "DXF"])
                .add_filter("Nestwork job", &["toml"])
                .pick_files()
                .unwrap_or_default(),
            DialogKind::OpenJob => d
                .set_title("Open job")
                .add_filter("Nestwork job", &["toml"])
                .pick_file()
                .into_iter()
                .collect(),
            DialogKind::SaveJob => d
                .set_title("Save job")
                .add_filter("Nestwork job", &["toml"])
                .set_file_name(job_name.unwrap_or_else(|| "job.toml".into()))
                .save_file()
                .into_iter()
                .collect(),
            DialogKind::ExportFolder => d
                .set_title("Export sheets to folder")
                .pick_folder()
                .into_iter()
                .collect(),
            DialogKind::AddRemnant => d
                .set_title("Add a remnant sheet")
                .add_filter("DXF drawings", &["dxf", "DXF"])
                .pick_files()
                .unwrap_or_default(),
        };
        emit.send(worker::Event::DialogClosed { kind, paths });
    });
}

fn import(state: &mut AppState, worker: &Worker, paths: Vec<PathBuf>) {
    let (jobs, parts): (Vec<PathBuf>, Vec<PathBuf>) = paths.into_iter().partition(|p| {
        p.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
    });
    for job in jobs {
        apply(state, worker, Command::OpenJob(job));
    }
    if parts.is_empty() {
        return;
    }
    if let Some(dir) = parts[0].parent().filter(|_| parts[0].is_file()) {
        state.last_folder = Some(dir.to_path_buf());
    } else if parts[0].is_dir() {
        state.last_folder = Some(parts[0].clone());
    }
    for p in &parts {
        state.add_recent(p.clone());
    }
    state.imports_pending += 1;
    let unit = state.settings.default_unit;
    worker.spawn("import", move |emit| {
        worker::import_paths(emit, &parts, unit);
        emit.send(worker::Event::ImportDone);
    });
}

fn save_job(state: &mut AppState, worker: &Worker, path: Option<PathBuf>) {
    let Some(path) = path.or_else(|| state.job_path.clone()) else {
        return open_dialog(state, worker, DialogKind::SaveJob);
    };
    let path = if path.extension().is_none() {
        path.with_extension("toml")
    } else {
        path
    };
    let (job, sidecar) = super::job_file::job_from_state(state, &path);
    worker.spawn("save-job", move |emit| {
        let result = super::job_file::save_job(&path, &job, &sidecar).map_err(|e| format!("{e:#}"));
        emit.send(worker::Event::JobSaved { path, result });
    });
}

/// The problem the parts table and settings describe.
pub fn build_problem(state: &AppState) -> NestProblem {
    NestProblem {
        parts: state
            .rows
            .iter()
            .map(|r| PartDemand {
                part: r.part.clone(),
                quantity: r.quantity,
                rotations: r.rotations.clone(),
                mirror: r.mirror,
                min_quality: None,
                priority: r.priority,
            })
            .collect(),
        sheets: state.settings.sheets.iter().map(|s| s.spec()).collect(),
        spacing_mm: state.settings.spacing_mm,
        margin_mm: state.settings.margin_mm,
    }
}

/// A fresh document for the current inputs with an empty layout.
pub fn new_doc(state: &AppState, problem: Arc<NestProblem>) -> NestDoc {
    NestDoc {
        sources: state.rows.iter().map(|r| r.file.clone()).collect(),
        reports: state.files.iter().map(|f| f.report.clone()).collect(),
        shapes: state.rows.iter().map(|r| r.shape.clone()).collect(),
        problem,
        layout: nesting::Layout::default(),
        locked: Default::default(),
        history: Default::default(),
        seed: state.settings.seed,
        time_limit_s: state.settings.time_limit_s,
        iterations: 0,
        elapsed_s: 0.0,
        stopped: StopReason::Cancelled,
        hull_parts: Vec::new(),
        generation: 0,
        inputs_generation: state.inputs_generation,
    }
}

fn start_nest(state: &mut AppState, worker: &Worker) {
    if state.nesting() {
        return;
    }
    if state.rows.is_empty() {
        state.say(
            Level::Warning,
            "import DXF parts first (File > Import, or drop files on the window)",
        );
        return;
    }
    if state.settings.sheets.is_empty() {
        state.say(Level::Warning, "add a sheet size under Stock first");
        return;
    }
    if let Some(s) = state
        .settings
        .sheets
        .iter()
        .find(|s| s.remnant.is_some() && s.outline.is_none())
    {
        state.say(
            Level::Warning,
            format!(
                "the {} could not be read; remove it under Stock or add it again",
                s.describe()
            ),
        );
        return;
    }
    if state.total_quantity() == 0 {
        state.say(
            Level::Warning,
            "every quantity is 0: set how many of each part you need",
        );
        return;
    }
    let generation = state.doc.as_ref().map_or(0, |d| d.generation + 1);
    let renest = state
        .doc
        .as_ref()
        .filter(|d| !d.locked.is_empty() && !state.layout_outdated());
    let (problem, fixed) = match renest {
        Some(old) => {
            // Re-nest around the locked copies: same problem, locks kept,
            // the previous layout one undo step away.
            let mut doc = old.clone();
            let fixed = locked_layout(old);
            doc.history.push(old.snapshot());
            doc.layout = fixed.clone();
            doc.generation = generation;
            let problem = doc.problem.clone();
            state.doc = Some(doc);
            (problem, fixed)
        }
        None => {
            let problem = Arc::new(build_problem(state));
            let mut doc = new_doc(state, problem.clone());
            doc.generation = generation;
            state.doc = Some(doc);
            (problem, nesting::Layout::default())
        }
    };
    state.selection = None;
    state.next_run_id += 1;
    let id = state.next_run_id;
    let cancel = Arc::new(AtomicBool::new(false));
    let options = NestOptions {
        time_limit_s: state.settings.time_limit_s,
        seed: state.settings.seed,
        max_iterations: None,
        threads: None,
        part_in_part: state.settings.part_in_part,
    };
    state.run = Some(NestRun {
        id,
        started: Instant::now(),
        time_limit_s: options.time_limit_s,
        progress: Default::default(),
        cancel: cancel.clone(),
    });
    state.say(
        Level::Info,
        format!(
            "nesting {} parts ({} types) for {:.0} s",
            problem.total_quantity(),
            problem.parts.len(),
            options.time_limit_s
        ),
    );
    worker.spawn("nest", move |emit| {
        worker::nest_job(emit, id, problem, fixed, options, cancel);
    });
}

/// The locked copies of `doc` on their sheets (sheets without a locked copy
/// are left out), for `nest_with_fixed`.
pub fn locked_layout(doc: &NestDoc) -> nesting::Layout {
    let sheets = doc
        .layout
        .sheets
        .iter()
        .map(|sl| nesting::SheetLayout {
            sheet: sl.sheet,
            placements: sl
                .placements
                .iter()
                .filter(|p| {
                    doc.locked.contains(&CopyId {
                        part: p.part,
                        copy: p.copy,
                    })
                })
                .copied()
                .collect(),
        })
        .filter(|sl| !sl.placements.is_empty())
        .collect();
    nesting::Layout {
        sheets,
        unplaced: Vec::new(),
    }
}

fn export(state: &mut AppState, worker: &Worker, dir: PathBuf) {
    if state.nesting() {
        state.say(
            Level::Warning,
            "wait for the nest to finish before exporting",
        );
        return;
    }
    let Some(doc) = state.doc.clone() else {
        state.say(Level::Warning, "nothing to export: nest first");
        return;
    };
    if doc.layout.sheets.is_empty() {
        state.say(Level::Warning, "nothing to export: the layout has no sheet");
        return;
    }
    state.exporting = true;
    worker.spawn("export", move |emit| {
        let result = super::export::export_doc(&dir, &doc).map_err(|e| format!("{e:#}"));
        emit.send(worker::Event::Exported { dir, result });
    });
}

/// Adds an imported file (replacing an earlier import of the same path while
/// keeping the settings of parts with the same name).
pub fn add_file(state: &mut AppState, entry: FileEntry, default_qty: u32) {
    let old: Vec<PartRow> = state
        .rows
        .iter()
        .filter(|r| r.file == entry.path)
        .cloned()
        .collect();
    let pos = state.rows.iter().position(|r| r.file == entry.path);
    state.rows.retain(|r| r.file != entry.path);
    let mut new_rows = Vec::new();
    for (part, shape) in &entry.parts {
        let prev = old.iter().find(|r| r.part.name == part.name);
        state.next_key += 1;
        new_rows.push(PartRow {
            key: state.next_key,
            file: entry.path.clone(),
            part: part.clone(),
            shape: shape.clone(),
            quantity: prev.map_or(default_qty, |r| r.quantity),
            rotations: prev.map_or(Rotations::Step90, |r| r.rotations.clone()),
            mirror: prev.is_some_and(|r| r.mirror),
            priority: prev.map_or(nesting::DEFAULT_PRIORITY, |r| r.priority),
        });
    }
    let at = pos.unwrap_or(state.rows.len()).min(state.rows.len());
    state.rows.splice(at..at, new_rows);
    match state.files.iter_mut().find(|f| f.path == entry.path) {
        Some(f) => *f = entry,
        None => state.files.push(entry),
    }
    uniquify_names(state);
    state.inputs_generation += 1;
}

/// Parts of different files may share a name: number the repeats, as the
/// CLI does, so reports and labels stay unambiguous.
fn uniquify_names(state: &mut AppState) {
    let mut seen = std::collections::HashMap::<String, u32>::new();
    for r in &mut state.rows {
        let n = seen.entry(r.part.name.clone()).or_insert(0);
        *n += 1;
        if *n > 1 {
            let mut p = (*r.part).clone();
            p.name = format!("{} ({})", p.name, n);
            r.part = Arc::new(p);
        }
    }
}
