//! Imported files and their import reports: parts, holes, unit (fixable per
//! file), open contours (marked on the thumbnail), self-intersections and
//! ignored entities.

use crate::gui::command::Command;
use crate::gui::shapes::{part_color, thumb_mapper};
use crate::gui::state::{AppState, FileEntry};
use crate::gui::worker::DialogKind;
use egui::epaint::Mesh;
use egui::{Color32, CornerRadius, Sense, Shape, Stroke, Ui, vec2};
use nesting::geometry::{BBox, Point, Transform};
use nesting::import::Unit;

/// Units offered for fixing a file's scale.
const UNIT_CHOICES: [Unit; 5] = [
    Unit::Millimeter,
    Unit::Centimeter,
    Unit::Meter,
    Unit::Inch,
    Unit::Foot,
];
const OPEN_CONTOUR: Color32 = Color32::from_rgb(0xff, 0x45, 0x45);

/// The file list with one collapsible report per file.
pub fn ui(ui: &mut Ui, state: &AppState, cmds: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        if ui
            .button("Import DXF…")
            .on_hover_text("Ctrl+O: pick DXF files (or a job .toml)")
            .clicked()
        {
            cmds.push(Command::Dialog(DialogKind::ImportParts));
        }
        if state.imports_pending > 0 {
            ui.spinner();
            ui.label("importing…");
        } else {
            ui.weak("or drop files / folders on the window");
        }
    });
    if state.files.is_empty() {
        return;
    }
    egui::ScrollArea::vertical()
        .id_salt("files")
        .max_height(ui.available_height() * 0.35)
        .auto_shrink([false, true])
        .show(ui, |ui| {
            for (i, f) in state.files.iter().enumerate() {
                file_row(ui, i, f, cmds);
            }
        });
}

fn file_row(ui: &mut Ui, i: usize, f: &FileEntry, cmds: &mut Vec<Command>) {
    let r = &f.report;
    let name = f.path.file_name().map_or_else(
        || f.path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let problems = r.open_chains.len() + r.self_intersections.len();
    let summary = format!(
        "{name}   ·  {} part{} · {} hole{} · {}",
        r.parts.len(),
        if r.parts.len() == 1 { "" } else { "s" },
        r.hole_count,
        if r.hole_count == 1 { "" } else { "s" },
        r.unit_used
    );
    let title = if problems > 0 {
        egui::RichText::new(format!("{summary} · {problems} problem(s)"))
            .color(Color32::from_rgb(0xff, 0xb0, 0x40))
    } else {
        egui::RichText::new(summary)
    };
    egui::CollapsingHeader::new(title)
        .id_salt(("file", i))
        .default_open(problems > 0)
        .show(ui, |ui| {
            ui.horizontal(|ui| {
                thumbnail(ui, f, 96.0)
                    .on_hover_ui(|ui| {
                        thumbnail(ui, f, 360.0);
                    });
                ui.vertical(|ui| {
                    ui.label(format!(
                        "{} part(s), {} hole(s) · {}",
                        r.parts.len(),
                        r.hole_count,
                        r.dxf_version
                    ));
                    if let Some(bb) = r.bbox_mm {
                        ui.label(format!("extent {:.1} × {:.1} mm", bb.width(), bb.height()));
                    }
                    unit_choice(ui, i, f, cmds);
                    ui.weak(&r.source_units);
                });
            });
            for c in &r.open_chains {
                ui.colored_label(
                    OPEN_CONTOUR,
                    format!(
                        "open contour on layer {}: {} segments, gap {:.3} mm (red on the thumbnail)",
                        c.layer, c.segments, c.gap_mm
                    ),
                );
            }
            for s in &r.self_intersections {
                ui.colored_label(
                    OPEN_CONTOUR,
                    format!(
                        "self-intersection: {} at ({:.1}, {:.1})",
                        s.contour, s.at.x, s.at.y
                    ),
                );
            }
            for ig in &r.ignored {
                ui.weak(format!("ignored {} × {}: {}", ig.count, ig.kind, ig.reason));
            }
            for w in r.warnings.iter().chain(&r.fixes) {
                ui.weak(w);
            }
            if ui.small_button("Remove file").clicked() {
                cmds.push(Command::RemoveFile(f.path.clone()));
            }
        });
}

fn unit_choice(ui: &mut Ui, i: usize, f: &FileEntry, cmds: &mut Vec<Command>) {
    let label = |u: Option<Unit>| match u {
        None => "as in file".to_string(),
        Some(u) => u.to_string(),
    };
    ui.horizontal(|ui| {
        ui.label("Unit:");
        egui::ComboBox::from_id_salt(("unit", i))
            .selected_text(label(f.unit_override))
            .show_ui(ui, |ui| {
                for u in std::iter::once(None).chain(UNIT_CHOICES.map(Some)) {
                    if ui
                        .selectable_label(f.unit_override == u, label(u))
                        .clicked()
                        && f.unit_override != u
                    {
                        cmds.push(Command::SetFileUnit(f.path.clone(), u));
                    }
                }
            })
            .response
            .on_hover_text("Wrong size? Re-read the file in another unit");
        ui.weak(format!("read as {}", f.report.unit_used));
    });
}

/// The file's parts as drawn (original positions), with the ends of open
/// contours marked in red and joined by the gap, `size` points square.
fn thumbnail(ui: &mut Ui, f: &FileEntry, size: f32) -> egui::Response {
    let (rect, response) = ui.allocate_exact_size(vec2(size, size), Sense::hover());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, CornerRadius::same(3), super::preview::CANVAS_BG);
    let mut bbox = f.report.bbox_mm.unwrap_or_else(|| {
        BBox::from_points(f.parts.iter().flat_map(|(p, _)| {
            let o = p.source_origin;
            let b = p.bbox();
            [o, Point::new(o.x + b.max.x, o.y + b.max.y)]
        }))
    });
    for c in &f.report.open_chains {
        bbox.include(c.start);
        bbox.include(c.end);
    }
    let map = thumb_mapper(bbox, rect.shrink(6.0));
    let mut mesh = Mesh::default();
    for (k, (part, shape)) in f.parts.iter().enumerate() {
        let t = Transform {
            x_mm: part.source_origin.x,
            y_mm: part.source_origin.y,
            ..Transform::IDENTITY
        };
        shape.append_fill(&mut mesh, &t, part_color(k), &map);
    }
    painter.add(Shape::mesh(mesh));
    for c in &f.report.open_chains {
        let (a, b) = (map(c.start), map(c.end));
        painter.line_segment([a, b], Stroke::new(1.5, OPEN_CONTOUR));
        painter.circle_stroke(a, 3.5, Stroke::new(1.5, OPEN_CONTOUR));
        painter.circle_stroke(b, 3.5, Stroke::new(1.5, OPEN_CONTOUR));
    }
    response
}
