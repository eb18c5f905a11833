//! Export of the current layout: validated first, then sheet DXFs, SVG, PNG
//! and report.json into a folder.

use crate::gui::command::Command;
use crate::gui::state::AppState;
use crate::gui::worker::DialogKind;
use egui::Ui;

/// Export button and the last export folder.
pub fn ui(ui: &mut Ui, state: &AppState, cmds: &mut Vec<Command>) {
    let ready = state
        .doc
        .as_ref()
        .is_some_and(|d| !d.layout.sheets.is_empty())
        && !state.nesting()
        && !state.exporting;
    ui.horizontal(|ui| {
        if ui
            .add_enabled(ready, egui::Button::new("Export DXF / SVG / PNG…"))
            .on_hover_text("Validate the layout, then write one DXF per sheet, layout.svg, layout.png and report.json (Ctrl+E)")
            .clicked()
        {
            cmds.push(Command::Dialog(DialogKind::ExportFolder));
        }
        if state.exporting {
            ui.spinner();
        }
    });
    if let Some(dir) = &state.last_export {
        ui.weak(format!("last export: {}", dir.display()));
    }
}
