//! The window: arranges the panels, drains worker events, reads shortcuts
//! and dropped files, then applies the frame's commands in one place.

use super::command::{Command, apply};
use super::events;
use super::panels::{self, SIDE_TABS, parts::PartsView, preview::PreviewView};
use super::state::{AppState, Level, Persisted};
use super::worker::{DialogKind, Worker};
use egui::{Key, KeyboardShortcut, Modifiers, Ui};
use std::path::PathBuf;

/// Key of the persisted settings in eframe's storage.
const STORAGE_KEY: &str = "nestwork-gui";

/// What to do right after start (from the command line).
#[derive(Clone, Debug, Default)]
pub struct StartOptions {
    /// DXF files, folders or a job file to open.
    pub open: Vec<PathBuf>,
    /// Start nesting once the files are imported.
    pub nest_on_start: bool,
    /// Window size in points (else the remembered or default size).
    pub window_size: Option<[f32; 2]>,
}

/// View-only state of the panels (not part of the job).
#[derive(Debug, Default)]
pub struct ViewState {
    pub preview: PreviewView,
    pub parts: PartsView,
    pub side_tab: usize,
    pub show_log: bool,
}

/// The Nestwork desktop application.
#[derive(Debug)]
pub struct NestworkApp {
    pub state: AppState,
    pub view: ViewState,
    worker: Worker,
    /// Commands queued from outside the panels (start options, tests).
    queued: Vec<Command>,
    nest_when_ready: bool,
    /// Warnings logged by the engine and the licence client.
    warnings: std::sync::mpsc::Receiver<crate::logging::Logged>,
}

impl NestworkApp {
    /// A new window state; `persisted` comes from the last session.
    pub fn new(ctx: &egui::Context, persisted: Option<Persisted>, start: StartOptions) -> Self {
        style(ctx);
        let state = persisted.map_or_else(AppState::default, AppState::from_persisted);
        let mut app = NestworkApp {
            state,
            view: ViewState {
                parts: PartsView {
                    set_all: 1,
                    ..PartsView::default()
                },
                ..ViewState::default()
            },
            worker: Worker::new(ctx.clone()),
            queued: Vec::new(),
            nest_when_ready: start.nest_on_start,
            warnings: crate::logging::subscribe_warnings(),
        };
        if !start.open.is_empty() {
            app.queued.push(Command::Import(start.open));
        }
        // Remnant outlines are not kept with the settings: read them again.
        for s in &app.state.settings.sheets {
            if let Some(p) = &s.remnant {
                app.queued.push(Command::AddRemnant(p.clone()));
            }
        }
        app
    }

    /// Created by eframe: restores the settings kept by `save`.
    pub fn from_creation_context(cc: &eframe::CreationContext<'_>, start: StartOptions) -> Self {
        let persisted = cc
            .storage
            .and_then(|s| eframe::get_value::<Persisted>(s, STORAGE_KEY));
        Self::new(&cc.egui_ctx, persisted, start)
    }

    /// Queues a command for the next frame (used by tests and start options).
    pub fn push(&mut self, cmd: Command) {
        self.queued.push(cmd);
    }

    /// Applies a command at once.
    pub fn apply(&mut self, cmd: Command) {
        apply(&mut self.state, &self.worker, cmd);
    }

    /// One frame: events, input, panels, commands.
    pub fn frame(&mut self, ui: &mut Ui) {
        self.worker.attach(ui.ctx());
        for event in self.worker.drain() {
            events::handle(&mut self.state, &self.worker, event);
        }
        for l in self.warnings.try_iter() {
            let level = if l.error {
                Level::Error
            } else {
                Level::Warning
            };
            self.state.note(level, l.text);
        }
        let mut cmds = std::mem::take(&mut self.queued);
        if self.nest_when_ready
            && !self.state.nesting()
            && self.state.imports_pending == 0
            && cmds.is_empty()
            && !self.state.rows.is_empty()
        {
            self.nest_when_ready = false;
            cmds.push(Command::StartNest);
        }
        self.shortcuts(ui, &mut cmds);
        let dropped: Vec<PathBuf> = ui.input(|i| {
            i.raw
                .dropped_files
                .iter()
                .map(|f| f.path().to_path_buf())
                .collect()
        });
        if !dropped.is_empty() {
            cmds.push(Command::Import(dropped));
        }
        self.panels(ui, &mut cmds);
        for cmd in cmds {
            apply(&mut self.state, &self.worker, cmd);
        }
        if self.state.nesting() {
            // Elapsed time in the progress bar moves even between events.
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(100));
        }
    }

    fn panels(&mut self, ui: &mut Ui, cmds: &mut Vec<Command>) {
        let state = &self.state;
        let view = &mut self.view;
        egui::Panel::top("menu").show(ui, |ui| {
            let req = panels::menu::ui(ui, state, cmds);
            view.preview.fit_pending |= req.fit;
            if req.toggle_grid {
                view.preview.grid = !view.preview.grid;
            }
            view.show_log |= req.show_log;
        });
        egui::Panel::bottom("status").show(ui, |ui| {
            panels::status::ui(ui, state, &mut view.show_log);
        });
        egui::Panel::left("parts")
            .resizable(true)
            .default_size(520.0)
            .min_size(320.0)
            .show(ui, |ui| {
                ui.add_space(4.0);
                ui.heading("Parts");
                panels::import::ui(ui, state, cmds);
                ui.separator();
                panels::parts::ui(ui, state, &mut view.parts, cmds);
            });
        egui::Panel::right("side")
            .resizable(true)
            .default_size(300.0)
            .min_size(260.0)
            .show(ui, |ui| {
                ui.add_space(4.0);
                ui.horizontal(|ui| {
                    for (i, tab) in SIDE_TABS.iter().enumerate() {
                        ui.selectable_value(
                            &mut view.side_tab,
                            i,
                            egui::RichText::new(tab.title).heading(),
                        );
                    }
                });
                ui.separator();
                let tab = SIDE_TABS.get(view.side_tab).unwrap_or(&SIDE_TABS[0]);
                egui::ScrollArea::vertical()
                    .id_salt("side-scroll")
                    .show(ui, |ui| {
                        (tab.ui)(ui, state, cmds);
                    });
            });
        egui::CentralPanel::default()
            .frame(egui::Frame::NONE.fill(panels::preview::CANVAS_BG))
            .show(ui, |ui| {
                panels::preview::ui(ui, state, &mut view.preview, cmds);
            });
        panels::status::log_window(ui.ctx(), state, &mut view.show_log, cmds);
        drop_overlay(ui);
    }

    fn shortcuts(&mut self, ui: &mut Ui, cmds: &mut Vec<Command>) {
        let sc = |m: Modifiers, k: Key| KeyboardShortcut::new(m, k);
        let ctrl = Modifiers::COMMAND;
        let ctrl_shift = Modifiers::COMMAND | Modifiers::SHIFT;
        let typing = ui.ctx().egui_wants_keyboard_input();
        ui.input_mut(|i| {
            if i.consume_shortcut(&sc(ctrl_shift, Key::O)) {
                cmds.push(Command::Dialog(DialogKind::OpenJob));
            }
            if i.consume_shortcut(&sc(ctrl, Key::O)) {
                cmds.push(Command::Dialog(DialogKind::ImportParts));
            }
            if i.consume_shortcut(&sc(ctrl_shift, Key::S)) {
                cmds.push(Command::Dialog(DialogKind::SaveJob));
            }
            if i.consume_shortcut(&sc(ctrl, Key::S)) {
                cmds.push(Command::SaveJob(None));
            }
            if i.consume_shortcut(&sc(ctrl, Key::E)) {
                cmds.push(Command::Dialog(DialogKind::ExportFolder));
            }
            if i.consume_shortcut(&sc(ctrl_shift, Key::Z)) || i.consume_shortcut(&sc(ctrl, Key::Y))
            {
                cmds.push(Command::Redo);
            }
            if i.consume_shortcut(&sc(ctrl, Key::Z)) {
                cmds.push(Command::Undo);
            }
            if i.consume_shortcut(&sc(Modifiers::NONE, Key::F5))
                || i.consume_shortcut(&sc(ctrl, Key::Enter))
            {
                cmds.push(Command::StartNest);
            }
            if i.key_pressed(Key::Escape) && self.state.nesting() {
                cmds.push(Command::CancelNest);
            }
            if typing {
                return;
            }
            if i.consume_shortcut(&sc(Modifiers::NONE, Key::F)) {
                self.view.preview.fit_pending = true;
            }
            if i.consume_shortcut(&sc(Modifiers::NONE, Key::G)) {
                self.view.preview.grid = !self.view.preview.grid;
            }
            if i.consume_shortcut(&sc(Modifiers::SHIFT, Key::R)) {
                cmds.push(Command::Rotate(-1));
            }
            if i.consume_shortcut(&sc(Modifiers::NONE, Key::R)) {
                cmds.push(Command::Rotate(1));
            }
            if i.consume_shortcut(&sc(Modifiers::NONE, Key::L))
                && let Some(id) = self.state.selection
            {
                cmds.push(Command::ToggleLock(id));
            }
        });
    }
}

/// Dims the window while files are dragged over it.
fn drop_overlay(ui: &Ui) {
    let hovering = ui.input(|i| !i.raw.hovered_files.is_empty());
    if !hovering {
        return;
    }
    let ctx = ui.ctx();
    let painter = ctx.layer_painter(egui::LayerId::new(
        egui::Order::Foreground,
        egui::Id::unique("drop-overlay"),
    ));
    let rect = ctx.content_rect();
    painter.rect_filled(rect, 0.0, egui::Color32::from_black_alpha(180));
    painter.text(
        rect.center(),
        egui::Align2::CENTER_CENTER,
        "Drop DXF files, folders or a job file to import",
        egui::FontId::proportional(22.0),
        egui::Color32::WHITE,
    );
}

/// The look: dark theme, slightly larger text, compact spacing.
fn style(ctx: &egui::Context) {
    ctx.set_visuals(egui::Visuals::dark());
    ctx.all_styles_mut(|s| {
        s.spacing.item_spacing = egui::vec2(6.0, 4.0);
        s.spacing.button_padding = egui::vec2(6.0, 3.0);
        s.animation_time = 0.08;
    });
}

impl eframe::App for NestworkApp {
    fn ui(&mut self, ui: &mut Ui, _frame: &mut eframe::Frame) {
        self.frame(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, STORAGE_KEY, &self.state.persisted());
    }
}

impl Drop for NestworkApp {
    /// Stops a running nest when the window goes away.
    fn drop(&mut self) {
        if let Some(run) = &self.state.run {
            run.cancel.store(true, std::sync::atomic::Ordering::Relaxed);
        }
    }
}
