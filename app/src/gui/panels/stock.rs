//! Stock sheets (size, count, cost; add, remove, presets, remnants from
//! DXF files) and the nest
//! settings: spacing, edge margin, time budget, seed, default unit.

use crate::gui::command::Command;
use crate::gui::state::{AppState, Settings};
use crate::gui::worker::DialogKind;
use crate::job::JobSheet;
use egui::Ui;
use nesting::import::Unit;

/// Common commercial sheet formats (mm): metric standard sizes and the
/// 4 × 8 ft and 5 × 10 ft formats.
pub const SHEET_PRESETS: [(&str, f64, f64); 6] = [
    ("3000 × 1500", 3000.0, 1500.0),
    ("2500 × 1250", 2500.0, 1250.0),
    ("2000 × 1000", 2000.0, 1000.0),
    ("4000 × 2000", 4000.0, 2000.0),
    ("4 × 8 ft (2438.4 × 1219.2)", 2438.4, 1219.2),
    ("5 × 10 ft (3048 × 1524)", 3048.0, 1524.0),
];

/// Stock and settings; emits `SetSettings` when anything changed.
pub fn ui(ui: &mut Ui, state: &AppState, cmds: &mut Vec<Command>) {
    let mut s: Settings = state.settings.clone();
    ui.add_enabled_ui(!state.nesting(), |ui| {
        sheets_ui(ui, &mut s, cmds);
        ui.add_space(4.0);
        egui::Grid::new("nest-settings")
            .num_columns(2)
            .spacing([8.0, 4.0])
            .show(ui, |ui| {
                ui.label("Spacing")
                    .on_hover_text("Minimum gap between two parts");
                ui.add(
                    egui::DragValue::new(&mut s.spacing_mm)
                        .range(0.0..=500.0)
                        .speed(0.1)
                        .suffix(" mm"),
                );
                ui.end_row();
                ui.label("Edge margin")
                    .on_hover_text("Minimum gap between a part and the sheet edge");
                ui.add(
                    egui::DragValue::new(&mut s.margin_mm)
                        .range(0.0..=500.0)
                        .speed(0.1)
                        .suffix(" mm"),
                );
                ui.end_row();
                ui.label("Time budget");
                ui.add(
                    egui::DragValue::new(&mut s.time_limit_s)
                        .range(0.5..=3600.0)
                        .speed(0.5)
                        .suffix(" s"),
                );
                ui.end_row();
                let seed = ui
                    .label("Seed")
                    .on_hover_text("Same seed, same settings: a repeatable run");
                ui.add(egui::DragValue::new(&mut s.seed))
                    .labelled_by(seed.id);
                ui.end_row();
                let unit = ui
                    .label("Default unit")
                    .on_hover_text("Unit of DXF files that do not state one (for new imports)");
                egui::ComboBox::from_id_salt("default-unit")
                    .selected_text(s.default_unit.to_string())
                    .show_ui(ui, |ui| {
                        for u in [
                            Unit::Millimeter,
                            Unit::Centimeter,
                            Unit::Meter,
                            Unit::Inch,
                            Unit::Foot,
                        ] {
                            ui.selectable_value(&mut s.default_unit, u, u.to_string());
                        }
                    })
                    .response
                    .labelled_by(unit.id);
                ui.end_row();
                ui.label("Part in part")
                    .on_hover_text("Place small parts inside the holes of larger ones");
                ui.checkbox(&mut s.part_in_part, "fill holes");
                ui.end_row();
            });
    });
    if s != state.settings {
        cmds.push(Command::SetSettings(s));
    }
}

fn sheets_ui(ui: &mut Ui, s: &mut Settings, cmds: &mut Vec<Command>) {
    let mut remove = None;
    egui::Grid::new("stock-sheets")
        .num_columns(5)
        .spacing([4.0, 4.0])
        .striped(true)
        .show(ui, |ui| {
            ui.weak("Width");
            ui.weak("Height");
            let count_id = ui
                .weak("Count")
                .on_hover_text("Sheets in stock (0 = unlimited)")
                .id;
            let cost_id = ui
                .weak("Cost")
                .on_hover_text(
                    "EUR per sheet (– = none). With a cost on every size, the nest picks the \
                     cheapest stock; quotes price the sheet's material at it",
                )
                .id;
            ui.label("");
            ui.end_row();
            for (i, sh) in s.sheets.iter_mut().enumerate() {
                if let Some(path) = &sh.remnant {
                    // A remnant: its size comes from its outline.
                    let name = path.file_name().map_or_else(
                        || path.display().to_string(),
                        |n| n.to_string_lossy().into(),
                    );
                    let loaded = sh.outline.is_some();
                    ui.label(format!("Remnant {name}"))
                        .on_hover_text(format!("Remnant sheet from {}", path.display()));
                    if loaded {
                        ui.label(format!("{:.0} × {:.0} mm", sh.width_mm, sh.height_mm));
                    } else {
                        ui.colored_label(ui.visuals().warn_fg_color, "not read")
                            .on_hover_text(
                                "The DXF file could not be read; remove this sheet or add it again",
                            );
                    }
                } else {
                    ui.add(
                        egui::DragValue::new(&mut sh.width_mm)
                            .range(1.0..=100_000.0)
                            .suffix(" mm"),
                    );
                    ui.add(
                        egui::DragValue::new(&mut sh.height_mm)
                            .range(1.0..=100_000.0)
                            .suffix(" mm"),
                    );
                }
                let mut count = sh.count.unwrap_or(0);
                if ui
                    .add(
                        egui::DragValue::new(&mut count)
                            .range(0..=10_000)
                            .custom_formatter(|v, _| {
                                if v == 0.0 {
                                    "∞".into()
                                } else {
                                    format!("{v:.0}")
                                }
                            }),
                    )
                    .labelled_by(count_id)
                    .changed()
                {
                    sh.count = (count > 0).then_some(count);
                }
                let mut cost = sh.cost.unwrap_or(0.0);
                if ui
                    .add(
                        egui::DragValue::new(&mut cost)
                            .range(0.0..=1e7)
                            .speed(1.0)
                            .custom_formatter(|v, _| {
                                if v == 0.0 {
                                    "–".into()
                                } else {
                                    format!("{v:.2}")
                                }
                            }),
                    )
                    .labelled_by(cost_id)
                    .changed()
                {
                    sh.cost = (cost > 0.0).then_some(cost);
                }
                if ui
                    .small_button("×")
                    .on_hover_text("Remove this sheet size")
                    .clicked()
                {
                    remove = Some(i);
                }
                ui.end_row();
            }
        });
    if let Some(i) = remove {
        s.sheets.remove(i);
    }
    ui.horizontal(|ui| {
        ui.menu_button("Add sheet…", |ui| {
            for (label, w, h) in SHEET_PRESETS {
                if ui.button(label).clicked() {
                    s.sheets.push(JobSheet::rect(w, h, None, None));
                }
            }
        });
        if ui
            .button("Add remnant…")
            .on_hover_text(
                "An irregular sheet from a DXF file: its largest outline, the holes in it are unusable. Remnants are used before new sheets.",
            )
            .clicked()
        {
            cmds.push(Command::Dialog(DialogKind::AddRemnant));
        }
        if s.sheets.is_empty() {
            ui.colored_label(ui.visuals().warn_fg_color, "add at least one sheet size");
        }
    });
}
