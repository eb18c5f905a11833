//! The parts table: thumbnail, name, size, area, holes, quantity,
//! rotations, mirror, priority; sortable, filterable, rows removable, with
//! totals.

use crate::gui::command::Command;
use crate::gui::shapes::{part_color, thumb_mapper};
use crate::gui::state::{AppState, PartRow};
use egui::epaint::Mesh;
use egui::{CornerRadius, Sense, Shape, Ui, vec2};
use egui_extras::{Column, TableBuilder};
use nesting::Rotations;
use nesting::geometry::Transform;

/// Column the table is sorted by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortKey {
    /// Import order.
    #[default]
    Order,
    Name,
    Size,
    Area,
    Quantity,
    Priority,
}

/// Filter and sort state of the table.
#[derive(Clone, Debug, Default)]
pub struct PartsView {
    pub filter: String,
    pub sort: SortKey,
    pub descending: bool,
    /// Value of the "Set all" quantity field.
    pub set_all: u32,
}

const ROTATION_CHOICES: [(&str, &str); 4] = [
    ("none", "as drawn"),
    ("90", "90° steps"),
    ("0,180", "0 / 180°"),
    ("free", "free"),
];

fn visible_rows<'a>(state: &'a AppState, view: &PartsView) -> Vec<(usize, &'a PartRow)> {
    let needle = view.filter.to_lowercase();
    let mut rows: Vec<(usize, &PartRow)> = state
        .rows
        .iter()
        .enumerate()
        .filter(|(_, r)| needle.is_empty() || r.part.name.to_lowercase().contains(&needle))
        .collect();
    let size = |r: &PartRow| {
        let b = r.part.bbox();
        b.width() * b.height()
    };
    match view.sort {
        SortKey::Order => {}
        SortKey::Name => rows.sort_by(|a, b| a.1.part.name.cmp(&b.1.part.name)),
        SortKey::Size => rows.sort_by(|a, b| size(a.1).total_cmp(&size(b.1))),
        SortKey::Area => rows.sort_by(|a, b| a.1.part.area().total_cmp(&b.1.part.area())),
        SortKey::Quantity => rows.sort_by_key(|r| r.1.quantity),
        SortKey::Priority => rows.sort_by_key(|r| r.1.priority),
    }
    if view.descending {
        rows.reverse();
    }
    rows
}

fn sort_header(ui: &mut Ui, view: &mut PartsView, key: SortKey, title: &str) {
    let arrow = match (view.sort == key, view.descending) {
        (true, false) => " ⏶",
        (true, true) => " ⏷",
        _ => "",
    };
    if ui
        .selectable_label(view.sort == key, format!("{title}{arrow}"))
        .on_hover_text("Sort")
        .clicked()
    {
        if view.sort == key {
            view.descending = !view.descending;
        } else {
            view.sort = key;
            view.descending = false;
        }
    }
}

/// The table with filter and totals.
pub fn ui(ui: &mut Ui, state: &AppState, view: &mut PartsView, cmds: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        ui.label("Filter");
        ui.add(
            egui::TextEdit::singleline(&mut view.filter)
                .hint_text("filter by name")
                .desired_width(140.0),
        );
        let label = ui.label("All quantities");
        ui.add(egui::DragValue::new(&mut view.set_all).range(0..=100_000))
            .labelled_by(label.id);
        if ui
            .button("Set")
            .on_hover_text("Set every quantity to this value")
            .clicked()
        {
            cmds.push(Command::SetAllQuantities(view.set_all));
        }
    });
    let rows = visible_rows(state, view);
    totals(ui, state);
    let row_h = 40.0;
    TableBuilder::new(ui)
        .id_salt("parts")
        .striped(true)
        .resizable(true)
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .column(Column::exact(40.0))
        .column(Column::initial(92.0).at_least(50.0).clip(true))
        .column(Column::initial(84.0))
        .column(Column::initial(50.0))
        .column(Column::initial(38.0))
        .column(Column::initial(50.0))
        .column(Column::initial(82.0))
        .column(Column::initial(40.0))
        .column(Column::initial(44.0))
        .column(Column::remainder().at_least(20.0))
        .header(22.0, |mut h| {
            h.col(|ui| {
                ui.label("");
            });
            h.col(|ui| sort_header(ui, view, SortKey::Name, "Name"));
            h.col(|ui| sort_header(ui, view, SortKey::Size, "Size mm"));
            h.col(|ui| sort_header(ui, view, SortKey::Area, "cm²"));
            h.col(|ui| {
                ui.label("Holes");
            });
            h.col(|ui| sort_header(ui, view, SortKey::Quantity, "Qty"));
            h.col(|ui| {
                ui.label("Rotation");
            });
            h.col(|ui| {
                ui.label("Mirror");
            });
            h.col(|ui| sort_header(ui, view, SortKey::Priority, "Prio"));
            h.col(|ui| {
                ui.label("");
            });
        })
        .body(|body| {
            body.rows(row_h, rows.len(), |mut row| {
                let (index, r) = rows[row.index()];
                row.col(|ui| thumb(ui, index, r));
                let mut name_id = egui::Id::NULL;
                row.col(|ui| {
                    name_id = ui
                        .label(&r.part.name)
                        .on_hover_text(r.file.display().to_string())
                        .id;
                });
                row.col(|ui| {
                    let b = r.part.bbox();
                    ui.label(format!("{:.1} × {:.1}", b.width(), b.height()));
                });
                row.col(|ui| {
                    ui.label(format!("{:.1}", r.part.area() / 100.0));
                });
                row.col(|ui| {
                    ui.label(r.part.holes.len().to_string());
                });
                row.col(|ui| {
                    let mut q = r.quantity;
                    let resp = ui
                        .add(egui::DragValue::new(&mut q).range(0..=100_000).speed(0.2))
                        .labelled_by(name_id);
                    if resp.changed() && q != r.quantity {
                        cmds.push(Command::SetQuantity(r.key, q));
                    }
                });
                row.col(|ui| rotation_choice(ui, r, name_id, cmds));
                row.col(|ui| {
                    let mut m = r.mirror;
                    if ui
                        .checkbox(&mut m, "")
                        .labelled_by(name_id)
                        .on_hover_text("Allow mirrored copies")
                        .changed()
                    {
                        cmds.push(Command::SetMirror(r.key, m));
                    }
                });
                row.col(|ui| {
                    let mut p = r.priority;
                    let resp = ui
                        .add(
                            egui::DragValue::new(&mut p)
                                .range(nesting::PRIORITY_FIRST..=nesting::PRIORITY_LAST)
                                .speed(0.05),
                        )
                        .labelled_by(name_id)
                        .on_hover_text(
                            "Priority: 1 is nested first, 9 last; when the stock runs out, \
                             the parts with the highest number are left out",
                        );
                    if resp.changed() && p != r.priority {
                        cmds.push(Command::SetPriority(r.key, p));
                    }
                });
                row.col(|ui| {
                    if ui
                        .small_button("×")
                        .on_hover_text("Remove this part")
                        .clicked()
                    {
                        cmds.push(Command::RemoveRow(r.key));
                    }
                });
            });
        });
}

fn totals(ui: &mut Ui, state: &AppState) {
    let copies = state.total_quantity();
    let area_cm2: f64 = state
        .rows
        .iter()
        .map(|r| r.part.area() * f64::from(r.quantity))
        .sum::<f64>()
        / 100.0;
    ui.horizontal(|ui| {
        ui.strong(format!("{} part types", state.rows.len()));
        ui.separator();
        ui.strong(format!("{copies} copies"));
        ui.separator();
        ui.strong(format!("{:.2} m² of material", area_cm2 / 10_000.0));
    });
}

fn thumb(ui: &mut Ui, index: usize, r: &PartRow) {
    let (rect, _) = ui.allocate_exact_size(vec2(36.0, 36.0), Sense::hover());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, CornerRadius::same(2), super::preview::CANVAS_BG);
    let map = thumb_mapper(r.shape.bbox, rect.shrink(3.0));
    let mut mesh = Mesh::default();
    r.shape
        .append_fill(&mut mesh, &Transform::IDENTITY, part_color(index), map);
    painter.add(Shape::mesh(mesh));
}

fn rotation_choice(ui: &mut Ui, r: &PartRow, label: egui::Id, cmds: &mut Vec<Command>) {
    let current = r.rotations.to_string();
    let shown = ROTATION_CHOICES
        .iter()
        .find(|(k, _)| *k == current)
        .map_or(current.clone(), |(_, label)| label.to_string());
    egui::ComboBox::from_id_salt(("rot", r.key))
        .selected_text(shown)
        .width(76.0)
        .show_ui(ui, |ui| {
            for (k, label) in ROTATION_CHOICES {
                if ui.selectable_label(current == k, label).clicked()
                    && current != k
                    && let Ok(rot) = k.parse::<Rotations>()
                {
                    cmds.push(Command::SetRotations(r.key, rot));
                }
            }
        })
        .response
        .labelled_by(label);
}
