//! Background work: DXF import, nesting, export, job files and file dialogs
//! run on threads and report over a channel; each event wakes the UI with
//! `request_repaint`. The UI drains the channel once per frame.

use super::shapes::PartShape;
use super::state::{FileEntry, ProgressInfo};
use anyhow::{Context as _, Result};
use nesting::engine::{NestOptions, NestOutcome, Progress};
use nesting::import::{ImportOptions, Unit, import_file};
use nesting::validate::validate_layout;
use nesting::{Layout, NestProblem};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::sync::mpsc::{Receiver, Sender, channel};

/// What a file dialog was opened for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DialogKind {
    ImportParts,
    OpenJob,
    SaveJob,
    ExportFolder,
    AddRemnant,
}

/// A message from a worker thread.
#[derive(Debug)]
pub enum Event {
    /// One file imported (or failed).
    Imported {
        path: PathBuf,
        result: Result<FileEntry, String>,
    },
    /// Folder expansion failed before importing.
    ImportFailed(String),
    /// An import request (one or more files) is complete.
    ImportDone,
    /// A job file was read and its part files imported.
    JobOpened {
        path: PathBuf,
        result: Result<super::job_file::OpenedJob, String>,
    },
    JobSaved {
        path: PathBuf,
        result: Result<(), String>,
    },
    Progress {
        run: u64,
        info: ProgressInfo,
    },
    /// A better layout that passed the validator.
    Improved {
        run: u64,
        layout: Layout,
    },
    Finished {
        run: u64,
        result: Result<NestOutcome, String>,
    },
    Exported {
        dir: PathBuf,
        result: Result<super::export::Exported, String>,
    },
    DialogClosed {
        kind: DialogKind,
        paths: Vec<PathBuf>,
    },
    /// A remnant sheet's DXF was read (or failed).
    RemnantLoaded {
        path: PathBuf,
        result: Result<crate::job::JobSheet, String>,
    },
}

/// The channel between worker threads and the UI.
#[derive(Debug)]
pub struct Worker {
    tx: Sender<Event>,
    rx: Receiver<Event>,
    ctx: egui::Context,
}

impl Worker {
    /// A worker that wakes `ctx` on every event.
    pub fn new(ctx: egui::Context) -> Self {
        let (tx, rx) = channel();
        Worker { tx, rx, ctx }
    }

    /// Wakes `ctx` from now on (the window's context, known at the first frame).
    pub fn attach(&mut self, ctx: &egui::Context) {
        if &self.ctx != ctx {
            self.ctx = ctx.clone();
        }
    }

    /// Events that arrived since the last call.
    pub fn drain(&self) -> Vec<Event> {
        self.rx.try_iter().collect()
    }

    /// Runs `work` on a new thread; its events reach the UI.
    pub fn spawn(&self, name: &str, work: impl FnOnce(&Emitter) + Send + 'static) {
        let emitter = Emitter {
            tx: self.tx.clone(),
            ctx: self.ctx.clone(),
        };
        let spawned = std::thread::Builder::new()
            .name(format!("nestwork-{name}"))
            .spawn(move || work(&emitter));
        if let Err(e) = spawned {
            let _ = self.tx.send(Event::ImportFailed(format!(
                "cannot start a worker thread for {name}: {e}"
            )));
            if name == "import" || name == "open-job" {
                let _ = self.tx.send(Event::ImportDone);
            }
        }
    }
}

/// Sends events from a worker thread and wakes the UI.
#[derive(Clone, Debug)]
pub struct Emitter {
    tx: Sender<Event>,
    ctx: egui::Context,
}

impl Emitter {
    /// Sends `event` (dropped when the window is gone) and repaints.
    pub fn send(&self, event: Event) {
        let _ = self.tx.send(event);
        self.ctx.request_repaint();
    }
}

/// Imports one DXF file with the given unit settings and prepares its shapes.
pub fn import_entry(
    path: &Path,
    default_unit: Unit,
    unit_override: Option<Unit>,
) -> Result<FileEntry> {
    import_entry_with(
        path,
        ImportOptions {
            default_unit,
            unit_override,
            ..ImportOptions::default()
        },
        unit_override,
    )
}

/// Imports one DXF file with full import options (job files set layers etc.).
pub fn import_entry_with(
    path: &Path,
    options: ImportOptions,
    unit_override: Option<Unit>,
) -> Result<FileEntry> {
    let imported =
        import_file(path, &options).with_context(|| format!("cannot import {}", path.display()))?;
    if imported.parts.is_empty() {
        anyhow::bail!(
            "{} holds no closed outline to nest:\n{}",
            path.display(),
            imported.report
        );
    }
    let parts = imported
        .parts
        .into_iter()
        .map(|p| {
            let shape = Arc::new(PartShape::new(&p));
            (Arc::new(p), shape)
        })
        .collect();
    Ok(FileEntry {
        path: path.to_path_buf(),
        unit_override,
        report: imported.report,
        parts,
    })
}

/// Expands folders, then imports every DXF file, one event per file.
pub fn import_paths(emit: &Emitter, paths: &[PathBuf], default_unit: Unit) {
    let files = match crate::inputs::collect_dxf_files(paths) {
        Ok(f) => f,
        Err(e) => {
            emit.send(Event::ImportFailed(format!("{e:#}")));
            return;
        }
    };
    for path in files {
        let result = import_entry(&path, default_unit, None).map_err(|e| format!("{e:#}"));
        emit.send(Event::Imported { path, result });
    }
}

/// Nests `problem` around the placements of `fixed` (locked parts; empty
/// for a fresh nest) and reports progress; every improved layout is
/// validated on a second thread before it is shown; the final one too.
pub fn nest_job(
    emit: &Emitter,
    run: u64,
    problem: Arc<NestProblem>,
    fixed: Layout,
    options: NestOptions,
    cancel: Arc<AtomicBool>,
) {
    let (best_tx, best_rx) = channel::<Layout>();
    let checker = {
        let emit = emit.clone();
        let problem = problem.clone();
        std::thread::Builder::new()
            .name("nestwork-check".into())
            .spawn(move || {
                while let Ok(mut layout) = best_rx.recv() {
                    // Only the newest layout matters.
                    while let Ok(newer) = best_rx.try_recv() {
                        layout = newer;
                    }
                    if validate_layout(&problem, &layout).is_valid() {
                        emit.send(Event::Improved { run, layout });
                    }
                }
            })
    };
    let best_tx = std::sync::Mutex::new(best_tx);
    let on_progress = |p: &Progress| {
        emit.send(Event::Progress {
            run,
            info: ProgressInfo {
                elapsed_s: p.elapsed_s,
                iterations: p.iterations,
                sheets: p.sheets,
                utilization: p.utilization,
                placed: p.placed,
                total: p.total,
            },
        });
        if let (true, Some(best)) = (p.improved, &p.best)
            && let Ok(tx) = best_tx.lock()
        {
            let _ = tx.send(best.clone());
        }
    };
    let result =
        nesting::engine::nest_with_fixed(&problem, &fixed, &options, &cancel, &on_progress)
            .context("nesting failed")
            .and_then(|outcome| {
                let report = validate_layout(&problem, &outcome.layout);
                if report.is_valid() {
                    Ok(outcome)
                } else {
                    Err(anyhow::anyhow!(
                        "the layout failed the independent validator and is not shown:\n{report}"
                    ))
                }
            });
    drop(best_tx);
    if let Ok(handle) = checker {
        let _ = handle.join();
    }
    emit.send(Event::Finished {
        run,
        result: result.map_err(|e| format!("{e:#}")),
    });
}
