//! What the UI does with each worker event (drained once per frame).

use super::command::{Command, add_file, apply, build_problem, new_doc};
use super::job_file::{OpenedJob, job_default_unit, parse_stop_reason};
use super::state::{AppState, Level, Settings};
use super::worker::{DialogKind, Event, Worker};
use crate::report::HULL_NOTE;
use nesting::validate::validate_layout;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Applies one worker event to the state.
pub fn handle(state: &mut AppState, worker: &Worker, event: Event) {
    match event {
        Event::Imported { path, result } => match result {
            Ok(entry) => {
                let r = &entry.report;
                let mut msg = format!(
                    "imported {}: {} part(s), {} hole(s), unit {}",
                    file_name(&path),
                    r.parts.len(),
                    r.hole_count,
                    r.unit_used
                );
                let level = if r.open_chains.is_empty() && r.self_intersections.is_empty() {
                    Level::Info
                } else {
                    msg.push_str(&format!(
                        "; {} open contour(s), {} self-intersection(s): see the import report",
                        r.open_chains.len(),
                        r.self_intersections.len()
                    ));
                    Level::Warning
                };
                state.say(level, msg);
                add_file(state, entry, 1);
            }
            Err(e) => state.say(Level::Error, e),
        },
        Event::ImportFailed(e) => state.say(Level::Error, e),
        Event::ImportDone => state.imports_pending = state.imports_pending.saturating_sub(1),
        Event::JobOpened { path, result } => match result {
            Ok(opened) => load_job(state, &path, opened),
            Err(e) => state.say(Level::Error, e),
        },
        Event::JobSaved { path, result } => match result {
            Ok(()) => {
                state.say(Level::Info, format!("saved job {}", path.display()));
                state.job_path = Some(path.clone());
                state.add_recent(path);
            }
            Err(e) => state.say(Level::Error, e),
        },
        Event::Progress { run, info } => {
            if let Some(r) = state.run.as_mut().filter(|r| r.id == run) {
                r.progress = info;
            }
        }
        Event::Improved { run, layout } => {
            if state.run.as_ref().is_some_and(|r| r.id == run)
                && let Some(doc) = state.doc.as_mut()
            {
                doc.layout = layout;
                doc.generation += 1;
            }
        }
        Event::Finished { run, result } => {
            if state.run.as_ref().is_none_or(|r| r.id != run) {
                return;
            }
            let elapsed = state.run.take().map(|r| r.started.elapsed().as_secs_f64());
            match (result, state.doc.as_mut()) {
                (Ok(outcome), Some(doc)) => {
                    doc.layout = outcome.layout;
                    doc.iterations = outcome.iterations;
                    doc.elapsed_s = outcome.elapsed_s;
                    doc.stopped = outcome.stopped;
                    doc.hull_parts = outcome.hull_parts;
                    doc.generation += 1;
                    let (sheets, util, placed) = (
                        doc.layout.sheets.len(),
                        doc.layout.utilization(&doc.problem) * 100.0,
                        doc.layout.placed_count(),
                    );
                    let unplaced: u32 = doc.layout.unplaced.iter().map(|u| u.count).sum();
                    let hulls: Vec<String> = doc
                        .hull_parts
                        .iter()
                        .filter_map(|&i| doc.problem.parts.get(i))
                        .map(|p| format!("{}: {HULL_NOTE}", p.part.name))
                        .collect();
                    let level = if unplaced > 0 {
                        Level::Warning
                    } else {
                        Level::Info
                    };
                    state.say(
                        level,
                        format!(
                            "nest done ({:?}) in {:.1} s: {sheets} sheet(s), {util:.1} % utilization, {placed} placed, {unplaced} unplaced; validated",
                            outcome.stopped,
                            elapsed.unwrap_or(outcome.elapsed_s)
                        ),
                    );
                    for h in hulls {
                        state.say(Level::Warning, h);
                    }
                }
                (Ok(_), None) => {}
                (Err(e), _) => state.say(
                    Level::Error,
                    format!("{e}\nThe last validated layout (if any) stays on screen."),
                ),
            }
        }
        Event::Exported { dir, result } => {
            state.exporting = false;
            match result {
                Ok(done) => {
                    if let Some(notice) = done.notice {
                        state.say(Level::Warning, notice);
                    }
                    state.say(
                        Level::Info,
                        format!(
                            "validated and exported {} files to {}",
                            done.files.len(),
                            dir.display()
                        ),
                    );
                    state.last_export = Some(dir);
                }
                Err(e) => state.say(Level::Error, e),
            }
        }
        Event::DialogClosed { kind, paths } => {
            let Some(first) = paths.first() else { return };
            let folder = if first.is_dir() {
                Some(first.clone())
            } else {
                first.parent().map(Path::to_path_buf)
            };
            state.last_folder = folder.or(state.last_folder.take());
            let cmd = match kind {
                DialogKind::ImportParts => Command::Import(paths),
                DialogKind::OpenJob => Command::OpenJob(first.clone()),
                DialogKind::SaveJob => Command::SaveJob(Some(first.clone())),
                DialogKind::ExportFolder => Command::Export(first.clone()),
                DialogKind::AddRemnant => {
                    for p in paths {
                        apply(state, worker, Command::AddRemnant(p));
                    }
                    return;
                }
            };
            apply(state, worker, cmd);
        }
        Event::RemnantLoaded { path, result } => match result {
            Ok(sheet) => {
                let sheets = &mut state.settings.sheets;
                match sheets
                    .iter_mut()
                    .find(|s| s.remnant.as_ref() == Some(&path))
                {
                    // Reloaded: keep the count and cost set for it.
                    Some(s) => {
                        s.width_mm = sheet.width_mm;
                        s.height_mm = sheet.height_mm;
                        s.outline = sheet.outline;
                    }
                    None => sheets.push(sheet),
                }
                state.say(
                    Level::Info,
                    format!("remnant {} added to the stock", file_name(&path)),
                );
            }
            Err(e) => state.say(Level::Error, e),
        },
    }
}

fn file_name(p: &Path) -> String {
    p.file_name().map_or_else(
        || p.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// Replaces the current job with `opened`: files, parts, settings, and the
/// saved layout when it still matches the parts and passes the validator.
fn load_job(state: &mut AppState, path: &Path, opened: OpenedJob) {
    let OpenedJob {
        job,
        files,
        failed,
        sidecar,
    } = opened;
    for e in failed {
        state.say(Level::Error, e);
    }
    state.settings = Settings {
        sheets: job.sheets.clone(),
        spacing_mm: job.spacing_mm,
        margin_mm: job.margin_mm,
        time_limit_s: job.time_limit_s,
        seed: job.seed,
        default_unit: job_default_unit(&job),
        part_in_part: job.part_in_part,
    };
    state.files.clear();
    state.rows.clear();
    state.doc = None;
    state.selection = None;
    for (entry, jp) in files {
        let path = entry.path.clone();
        add_file(state, entry, jp.quantity);
        for r in state.rows.iter_mut().filter(|r| r.file == path) {
            r.rotations = jp.rotations.clone();
            r.mirror = jp.mirror;
            r.priority = jp.priority;
        }
    }
    let base = path.parent().unwrap_or(Path::new("."));
    if let Some(side) = &sidecar {
        for sp in &side.parts {
            let file: PathBuf = if sp.file.is_relative() {
                base.join(&sp.file)
            } else {
                sp.file.clone()
            };
            if let Some(r) = state
                .rows
                .iter_mut()
                .find(|r| r.file == file && r.part.name == sp.name)
            {
                r.quantity = sp.quantity;
                r.rotations = sp.rotations.clone();
                r.mirror = sp.mirror;
                r.priority = sp.priority;
            }
        }
    }
    state.inputs_generation += 1;
    state.job_path = Some(path.to_path_buf());
    state.last_folder = Some(base.to_path_buf());
    state.add_recent(path.to_path_buf());
    state.say(
        Level::Info,
        format!(
            "opened job {}: {} part type(s), {} sheet size(s)",
            path.display(),
            state.rows.len(),
            state.settings.sheets.len()
        ),
    );
    if let Some(saved) = sidecar.and_then(|s| s.layout) {
        restore_layout(state, saved);
    }
}

fn restore_layout(state: &mut AppState, saved: super::job_file::SavedLayout) {
    let problem = Arc::new(build_problem(state));
    let names: Vec<&str> = problem.parts.iter().map(|p| p.part.name.as_str()).collect();
    if names
        != saved
            .part_names
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
    {
        state.say(
            Level::Warning,
            "the saved layout does not match the job's parts any more (files changed?): nest again",
        );
        return;
    }
    let report = validate_layout(&problem, &saved.layout);
    if !report.is_valid() {
        state.say(
            Level::Warning,
            format!("the saved layout is not valid for this job and was not restored:\n{report}"),
        );
        return;
    }
    let Some(stopped) = parse_stop_reason(&saved.stop_reason) else {
        state.say(
            Level::Warning,
            format!(
                "the saved layout has an unknown stop reason `{}`; nest again",
                saved.stop_reason
            ),
        );
        return;
    };
    let mut doc = new_doc(state, problem);
    doc.layout = saved.layout;
    doc.locked = saved.locked.into_iter().collect();
    doc.seed = saved.seed;
    doc.time_limit_s = saved.time_limit_s;
    doc.iterations = saved.iterations;
    doc.elapsed_s = saved.elapsed_s;
    doc.stopped = stopped;
    doc.hull_parts = saved.hull_parts;
    doc.generation = state.doc.as_ref().map_or(1, |d| d.generation + 1);
    state.doc = Some(doc);
    state.say(Level::Info, "restored the saved layout (validated)");
}
