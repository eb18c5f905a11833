//! The status bar (last message, counts) and the message log window.

use crate::gui::command::Command;
use crate::gui::state::{AppState, Level, LogLine};
use egui::{Color32, RichText, Ui};

fn colored(line: &LogLine, ui: &Ui) -> RichText {
    let text = RichText::new(&line.text);
    match line.level {
        Level::Info => text,
        Level::Warning => text.color(ui.visuals().warn_fg_color),
        Level::Error => text.color(ui.visuals().error_fg_color),
    }
}

/// One-line status: the last message, click for the log.
pub fn ui(ui: &mut Ui, state: &AppState, show_log: &mut bool) {
    ui.horizontal(|ui| {
        if let Some(line) = state.log.last() {
            let first = LogLine {
                level: line.level,
                text: line.text.lines().next().unwrap_or_default().to_string(),
            };
            if ui
                .add(
                    egui::Label::new(colored(&first, ui))
                        .truncate()
                        .sense(egui::Sense::click()),
                )
                .on_hover_text("Click for the message log")
                .clicked()
            {
                *show_log = true;
            }
        } else {
            ui.weak("Ready");
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            ui.label(
                RichText::new(format!(
                    "{} file(s) · {} part types · {} copies",
                    state.files.len(),
                    state.rows.len(),
                    state.total_quantity()
                ))
                .color(Color32::from_gray(160)),
            );
        });
    });
}

/// The message log window.
pub fn log_window(ctx: &egui::Context, state: &AppState, open: &mut bool, cmds: &mut Vec<Command>) {
    egui::Window::new("Messages")
        .open(open)
        .default_size([560.0, 320.0])
        .show(ctx, |ui| {
            if ui.button("Clear").clicked() {
                cmds.push(Command::ClearLog);
            }
            egui::ScrollArea::vertical()
                .stick_to_bottom(true)
                .show(ui, |ui| {
                    for line in &state.log {
                        ui.label(colored(line, ui));
                    }
                });
        });
}
