//! Nest control and results: the Nest / Cancel buttons, the progress bar
//! (elapsed time, sheets, best utilization), per-sheet utilization and the
//! list of unplaced parts.

use crate::gui::command::Command;
use crate::gui::state::AppState;
use egui::{Color32, RichText, Ui};

/// Nest button, progress and results.
pub fn ui(ui: &mut Ui, state: &AppState, cmds: &mut Vec<Command>) {
    match &state.run {
        Some(run) => {
            let p = &run.progress;
            let elapsed = run.started.elapsed().as_secs_f64();
            let frac = (elapsed / run.time_limit_s.max(1e-9)).clamp(0.0, 1.0) as f32;
            ui.add(
                egui::ProgressBar::new(frac)
                    .show_percentage()
                    .animate(true)
                    .text(format!("{elapsed:.1} / {:.0} s", run.time_limit_s)),
            );
            ui.label(format!(
                "{} sheet(s) · best utilization {:.1} % · placed {}/{} · {} iterations",
                p.sheets,
                p.utilization * 100.0,
                p.placed,
                p.total,
                p.iterations
            ));
            if ui
                .add_sized(
                    [ui.available_width(), 28.0],
                    egui::Button::new("Cancel (Esc)"),
                )
                .on_hover_text("Stop now and keep the best valid layout")
                .clicked()
            {
                cmds.push(Command::CancelNest);
            }
        }
        None => {
            let locked = state.doc.as_ref().map_or(0, |d| d.locked.len());
            let label = if locked > 0 && !state.layout_outdated() {
                format!("Re-nest around {locked} locked")
            } else {
                "Nest (F5)".to_string()
            };
            let ready = !state.rows.is_empty() && state.imports_pending == 0;
            if ui
                .add_enabled(
                    ready,
                    egui::Button::new(RichText::new(label).strong().size(15.0))
                        .fill(Color32::from_rgb(0x1e, 0x6f, 0xc8))
                        .min_size(egui::vec2(ui.available_width(), 30.0)),
                )
                .on_hover_text("Nest the parts table on the stock sheets (F5 or Ctrl+Enter)")
                .clicked()
            {
                cmds.push(Command::StartNest);
            }
            if state.layout_outdated() {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    "Parts or settings changed since this layout: nest again to apply them.",
                );
            }
        }
    }
    results(ui, state);
}

fn results(ui: &mut Ui, state: &AppState) {
    let Some(doc) = &state.doc else { return };
    let layout = &doc.layout;
    if layout.sheets.is_empty() && layout.unplaced.is_empty() {
        return;
    }
    ui.add_space(6.0);
    ui.horizontal(|ui| {
        ui.strong(format!("{} sheet(s)", layout.sheets.len()));
        ui.separator();
        ui.strong(format!(
            "{:.1} % utilization",
            layout.utilization(&doc.problem) * 100.0
        ));
    });
    egui::Grid::new("sheet-results")
        .num_columns(4)
        .striped(true)
        .show(ui, |ui| {
            for (i, sl) in layout.sheets.iter().enumerate() {
                let spec = &doc.problem.sheets[sl.sheet];
                let util = layout.sheet_utilization(&doc.problem, i);
                ui.label(format!("Sheet {}", i + 1));
                ui.weak(format!("{:.0}×{:.0}", spec.width_mm, spec.height_mm));
                ui.label(format!("{} parts", sl.placements.len()));
                ui.add(
                    egui::ProgressBar::new(util as f32)
                        .desired_width(80.0)
                        .text(format!("{:.1} %", util * 100.0)),
                );
                ui.end_row();
            }
        });
    if !layout.unplaced.is_empty() {
        ui.add_space(4.0);
        ui.colored_label(Color32::from_rgb(0xff, 0x8a, 0x65), "Unplaced parts");
        for u in &layout.unplaced {
            ui.label(format!(
                "{} × {}: {}",
                u.count,
                doc.part_name(u.part),
                u.reason
            ));
        }
    }
}
