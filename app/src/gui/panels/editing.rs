//! Hand editing of the selected part: rotate by the allowed steps, send to
//! another sheet, lock (locked parts stay put on re-nest), undo/redo.

use crate::gui::command::Command;
use crate::gui::edit::SendTarget;
use crate::gui::state::AppState;
use egui::Ui;

/// Tools for the selected copy and the edit history.
pub fn ui(ui: &mut Ui, state: &AppState, cmds: &mut Vec<Command>) {
    let Some(doc) = &state.doc else { return };
    let editable = !state.nesting();
    ui.horizontal(|ui| {
        if ui
            .add_enabled(
                editable && !doc.history.undo.is_empty(),
                egui::Button::new("Undo"),
            )
            .on_hover_text("Ctrl+Z")
            .clicked()
        {
            cmds.push(Command::Undo);
        }
        if ui
            .add_enabled(
                editable && !doc.history.redo.is_empty(),
                egui::Button::new("Redo"),
            )
            .on_hover_text("Ctrl+Y")
            .clicked()
        {
            cmds.push(Command::Redo);
        }
    });
    let Some(id) = state.selection else {
        ui.weak(
            "Click a part to select it; drag it to move it (it turns red where it would collide).",
        );
        return;
    };
    let Some((s, i)) = doc.find(id) else { return };
    let p = doc.layout.sheets[s].placements[i];
    let locked = doc.locked.contains(&id);
    ui.label(format!(
        "{} #{} · sheet {} · {:.0}°{}",
        doc.part_name(id.part),
        id.copy,
        s + 1,
        p.transform.angle_deg,
        if locked { " · locked" } else { "" }
    ));
    ui.add_enabled_ui(editable, |ui| {
        ui.horizontal(|ui| {
            if ui
                .add_enabled(!locked, egui::Button::new("Rotate −"))
                .on_hover_text("Rotate to the previous allowed angle (Shift+R)")
                .clicked()
            {
                cmds.push(Command::Rotate(-1));
            }
            if ui
                .add_enabled(!locked, egui::Button::new("Rotate +"))
                .on_hover_text("Rotate to the next allowed angle (R)")
                .clicked()
            {
                cmds.push(Command::Rotate(1));
            }
            ui.add_enabled_ui(!locked, |ui| {
                ui.menu_button("Send to…", |ui| {
                    for t in 0..doc.layout.sheets.len() {
                        if t != s && ui.button(format!("Sheet {}", t + 1)).clicked() {
                            cmds.push(Command::Send(SendTarget::Sheet(t)));
                        }
                    }
                    for (k, spec) in doc.problem.sheets.iter().enumerate() {
                        let label =
                            format!("New sheet {:.0} × {:.0}", spec.width_mm, spec.height_mm);
                        if ui.button(label).clicked() {
                            cmds.push(Command::Send(SendTarget::NewSheet(k)));
                        }
                    }
                });
            });
            let lock_text = if locked { "Unlock" } else { "Lock" };
            if ui
                .button(lock_text)
                .on_hover_text("Locked parts stay where they are when you nest again (L)")
                .clicked()
            {
                cmds.push(Command::ToggleLock(id));
            }
        });
        if ui
            .button(format!("Lock / unlock all of sheet {}", s + 1))
            .clicked()
        {
            cmds.push(Command::ToggleLockSheet(s));
        }
    });
}
