//! The menu bar: import, job open/save, recent files, export, undo/redo, view.

use crate::gui::command::Command;
use crate::gui::state::AppState;
use crate::gui::worker::DialogKind;
use egui::Ui;

/// What the View menu asked the window to do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ViewRequest {
    pub fit: bool,
    pub toggle_grid: bool,
    pub show_log: bool,
}

/// The File / Edit / View menus.
pub fn ui(ui: &mut Ui, state: &AppState, cmds: &mut Vec<Command>) -> ViewRequest {
    let mut req = ViewRequest::default();
    egui::MenuBar::new().ui(ui, |ui| {
        ui.menu_button("File", |ui| {
            if ui.button("Import DXF parts…    Ctrl+O").clicked() {
                cmds.push(Command::Dialog(DialogKind::ImportParts));
            }
            if ui.button("Open job…    Ctrl+Shift+O").clicked() {
                cmds.push(Command::Dialog(DialogKind::OpenJob));
            }
            ui.menu_button("Recent", |ui| {
                if state.recent.is_empty() {
                    ui.weak("no recent files");
                }
                for p in &state.recent {
                    let name = p.file_name().map_or_else(
                        || p.display().to_string(),
                        |n| n.to_string_lossy().into_owned(),
                    );
                    if ui
                        .button(name)
                        .on_hover_text(p.display().to_string())
                        .clicked()
                    {
                        cmds.push(Command::Import(vec![p.clone()]));
                    }
                }
                if !state.recent.is_empty() {
                    ui.separator();
                    if ui.button("Clear recent").clicked() {
                        cmds.push(Command::ClearRecent);
                    }
                }
            });
            ui.separator();
            if ui.button("Save job    Ctrl+S").clicked() {
                cmds.push(Command::SaveJob(None));
            }
            if ui.button("Save job as…    Ctrl+Shift+S").clicked() {
                cmds.push(Command::Dialog(DialogKind::SaveJob));
            }
            ui.separator();
            if ui.button("Export DXF / SVG / PNG…    Ctrl+E").clicked() {
                cmds.push(Command::Dialog(DialogKind::ExportFolder));
            }
            ui.separator();
            if ui.button("Quit").clicked() {
                ui.send_viewport_cmd(egui::ViewportCommand::Close);
            }
        });
        ui.menu_button("Edit", |ui| {
            if ui.button("Undo    Ctrl+Z").clicked() {
                cmds.push(Command::Undo);
            }
            if ui.button("Redo    Ctrl+Y").clicked() {
                cmds.push(Command::Redo);
            }
            ui.separator();
            if ui.button("Rotate selected    R").clicked() {
                cmds.push(Command::Rotate(1));
            }
        });
        ui.menu_button("View", |ui| {
            if ui.button("Fit to view    F").clicked() {
                req.fit = true;
            }
            if ui.button("Tabs / grid    G").clicked() {
                req.toggle_grid = true;
            }
            if ui.button("Message log").clicked() {
                req.show_log = true;
            }
        });
        ui.menu_button("Nest", |ui| {
            if ui
                .add_enabled(!state.nesting(), egui::Button::new("Nest    F5"))
                .clicked()
            {
                cmds.push(Command::StartNest);
            }
            if ui
                .add_enabled(state.nesting(), egui::Button::new("Cancel    Esc"))
                .clicked()
            {
                cmds.push(Command::CancelNest);
            }
        });
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let title = state
                .job_path
                .as_ref()
                .map_or_else(|| "unsaved job".to_string(), |p| p.display().to_string());
            ui.weak(title);
        });
    });
    req
}
