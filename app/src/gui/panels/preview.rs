//! The layout canvas: sheets as tabs or a grid, wheel zoom, drag pan, fit,
//! parts coloured by type with holes open, hover details, and hand editing
//! (select, drag with a live collision check, rotate with R).
//!
//! Fills and outlines of every sheet are built once per layout change (in
//! sheet millimetres) and only scaled and moved per frame.

use crate::gui::command::Command;
use crate::gui::edit;
use crate::gui::shapes::{PartShape, part_color};
use crate::gui::state::{AppState, CopyId, NestDoc};
use egui::emath::TSTransform;
use egui::epaint::Mesh;
use egui::{
    Align2, Color32, CornerRadius, FontId, Pos2, Rect, Sense, Shape, Stroke, StrokeKind, Ui, Vec2,
    pos2, vec2,
};
use nesting::geometry::{BBox, Point, Transform};
use nesting::{Part, Placement};

/// Gap between sheets in the grid, and room for their titles (mm).
const GRID_GAP_MM: f32 = 120.0;
/// Canvas background.
pub const CANVAS_BG: Color32 = Color32::from_rgb(0x1b, 0x1e, 0x23);
const SHEET_FILL: Color32 = Color32::from_rgb(0x2e, 0x34, 0x3d);
const SHEET_EDGE: Color32 = Color32::from_rgb(0x8b, 0x98, 0xab);
const MARGIN_LINE: Color32 = Color32::from_rgb(0x55, 0x60, 0x70);
const SELECTED: Color32 = Color32::from_rgb(0xff, 0xa5, 0x1f);
const LOCKED: Color32 = Color32::from_rgb(0x4f, 0xc3, 0xf7);
const COLLIDES: Color32 = Color32::from_rgb(0xe5, 0x39, 0x35);

/// Drawing data of one sheet, in sheet millimetres with y pointing down.
#[derive(Debug, Default)]
struct SheetDrawing {
    /// A remnant's material and edges (drawing frame); `None` for a full rectangle.
    remnant: Option<(Mesh, Vec<Vec<Pos2>>)>,
    fill: Mesh,
    /// Every contour of every placed part, with the placement index.
    outlines: Vec<(usize, Vec<Pos2>)>,
    /// Bounding box of each placement (sheet frame, y up).
    boxes: Vec<BBox>,
}

/// What is being dragged.
#[derive(Clone, Debug)]
struct Drag {
    id: CopyId,
    sheet: usize,
    index: usize,
    start: Transform,
    to: Transform,
    /// Result of the fast collision check at `to`.
    ok: bool,
}

/// View state of the canvas (zoom, pan, tab, caches, drag).
#[derive(Debug)]
pub struct PreviewView {
    /// All sheets in a grid (else one sheet per tab).
    pub grid: bool,
    /// Sheet shown in tab mode.
    pub sheet: usize,
    /// Pixels per millimetre.
    pub zoom: f32,
    /// Screen offset of the world origin from the canvas' top-left corner.
    pub offset: Vec2,
    /// Fit the view at the next frame.
    pub fit_pending: bool,
    /// Copy under the pointer.
    pub hover: Option<CopyId>,
    /// Screen rectangle of the canvas at the last frame.
    pub canvas: Rect,
    cache_key: (usize, u64),
    cache: Vec<SheetDrawing>,
    drag: Option<Drag>,
    last_world: Option<(bool, usize, usize)>,
}

impl Default for PreviewView {
    fn default() -> Self {
        PreviewView {
            grid: false,
            sheet: 0,
            zoom: 0.3,
            offset: vec2(20.0, 20.0),
            fit_pending: true,
            hover: None,
            canvas: Rect::NOTHING,
            cache_key: (0, u64::MAX),
            cache: Vec::new(),
            drag: None,
            last_world: None,
        }
    }
}

impl PreviewView {
    /// While a part is dragged: whether the fast check says it collides.
    pub fn drag_collides(&self) -> Option<bool> {
        self.drag.as_ref().map(|d| !d.ok)
    }

    /// Screen position of point `p` (mm, y up) of layout sheet `sheet`, as
    /// drawn at the last frame (`None` when that sheet is not shown).
    pub fn screen_pos(&self, doc: &NestDoc, sheet: usize, p: Point) -> Option<Pos2> {
        let (_, r) = sheet_world_rects(doc, self)
            .into_iter()
            .find(|(i, _)| *i == sheet)?;
        let w = pos2(r.min.x + p.x as f32, r.min.y + (r.height() - p.y as f32));
        Some(self.canvas.min + self.offset + w.to_vec2() * self.zoom)
    }
}

/// Where sheet `i` sits in the world (mm, y down): top-left and size.
fn sheet_world_rects(doc: &NestDoc, view: &PreviewView) -> Vec<(usize, Rect)> {
    let sizes: Vec<Vec2> = doc
        .layout
        .sheets
        .iter()
        .map(|s| {
            doc.problem
                .sheets
                .get(s.sheet)
                .map_or(Vec2::ZERO, |k| vec2(k.width_mm as f32, k.height_mm as f32))
        })
        .collect();
    if !view.grid {
        let i = view.sheet.min(sizes.len().saturating_sub(1));
        return sizes
            .get(i)
            .map(|s| vec![(i, Rect::from_min_size(Pos2::ZERO, *s))])
            .unwrap_or_default();
    }
    let n = sizes.len();
    let cols = (n as f32).sqrt().ceil().max(1.0) as usize;
    let cell = sizes.iter().fold(Vec2::ZERO, |a, s| a.max(*s)) + Vec2::splat(GRID_GAP_MM);
    sizes
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let (c, r) = ((i % cols) as f32, (i / cols) as f32);
            (i, Rect::from_min_size(pos2(c * cell.x, r * cell.y), *s))
        })
        .collect()
}

fn build_cache(doc: &NestDoc) -> Vec<SheetDrawing> {
    doc.layout
        .sheets
        .iter()
        .map(|sl| {
            let h = doc
                .problem
                .sheets
                .get(sl.sheet)
                .map_or(0.0, |k| k.height_mm);
            let map = |p: Point| pos2(p.x as f32, (h - p.y) as f32);
            let mut d = SheetDrawing::default();
            let outline = doc
                .problem
                .sheets
                .get(sl.sheet)
                .and_then(|k| k.outline.as_ref());
            if let Some(o) = outline {
                let shape = PartShape::new(&Part::new("sheet", o.outer.clone(), o.holes.clone()));
                let mut mesh = Mesh::default();
                shape.append_fill(&mut mesh, &Transform::IDENTITY, SHEET_FILL, map);
                let edges = shape
                    .contours()
                    .map(|c| c.iter().map(|q| map(*q)).collect())
                    .collect();
                d.remnant = Some((mesh, edges));
            }
            for (i, p) in sl.placements.iter().enumerate() {
                let Some(shape) = doc.shapes.get(p.part) else {
                    continue;
                };
                shape.append_fill(&mut d.fill, &p.transform, part_color(p.part), map);
                for c in shape.contours() {
                    d.outlines
                        .push((i, c.iter().map(|q| map(p.transform.apply(*q))).collect()));
                }
                d.boxes.push(edit::placed_bbox(doc, p));
            }
            d
        })
        .collect()
}

/// Inverse of `t`: sheet point to the part's local frame.
fn to_local(t: &Transform, p: Point) -> Point {
    let (s, c) = t.angle_deg.to_radians().sin_cos();
    let (dx, dy) = (p.x - t.x_mm, p.y - t.y_mm);
    let x = dx * c + dy * s;
    let y = -dx * s + dy * c;
    Point::new(if t.mirrored { -x } else { x }, y)
}

/// Placement index under sheet point `p` (topmost first).
fn hit(doc: &NestDoc, drawing: &SheetDrawing, sheet: usize, p: Point) -> Option<usize> {
    let sl = doc.layout.sheets.get(sheet)?;
    (0..sl.placements.len()).rev().find(|&i| {
        drawing.boxes.get(i).is_some_and(|b| b.contains(p))
            && doc
                .shapes
                .get(sl.placements[i].part)
                .is_some_and(|s| s.contains_local(to_local(&sl.placements[i].transform, p)))
    })
}

fn darker(c: Color32, k: f32) -> Color32 {
    Color32::from_rgb(
        (c.r() as f32 * k) as u8,
        (c.g() as f32 * k) as u8,
        (c.b() as f32 * k) as u8,
    )
}

/// The tab strip and tools above the canvas.
fn toolbar(ui: &mut Ui, doc: &NestDoc, view: &mut PreviewView) {
    ui.horizontal(|ui| {
        if ui
            .selectable_label(!view.grid, "Tabs")
            .on_hover_text("One sheet at a time")
            .clicked()
        {
            view.grid = false;
            view.fit_pending = true;
        }
        if ui
            .selectable_label(view.grid, "Grid")
            .on_hover_text("All sheets side by side")
            .clicked()
        {
            view.grid = true;
            view.fit_pending = true;
        }
        ui.separator();
        if ui.button("Fit").on_hover_text("Fit to view (F)").clicked() {
            view.fit_pending = true;
        }
        ui.label(format!("{:.0} %", view.zoom * 100.0))
            .on_hover_text("Zoom (100 % = 1 pixel per mm): mouse wheel; pan: drag the background");
        ui.separator();
        egui::ScrollArea::horizontal()
            .id_salt("sheet-tabs")
            .show(ui, |ui| {
                ui.horizontal(|ui| {
                    for i in 0..doc.layout.sheets.len() {
                        let util = doc.layout.sheet_utilization(&doc.problem, i) * 100.0;
                        let text = format!("Sheet {} · {util:.1} %", i + 1);
                        let on = !view.grid && view.sheet == i;
                        if ui.selectable_label(on, text).clicked() {
                            view.grid = false;
                            view.sheet = i;
                            view.fit_pending = true;
                        }
                    }
                });
            });
    });
}

/// The canvas with the current layout; pushes edit commands.
pub fn ui(ui: &mut Ui, state: &AppState, view: &mut PreviewView, cmds: &mut Vec<Command>) {
    let Some(doc) = state.doc.as_ref() else {
        empty_canvas(ui, state);
        return;
    };
    toolbar(ui, doc, view);
    let key = (
        std::sync::Arc::as_ptr(&doc.problem) as usize,
        doc.generation,
    );
    if view.cache_key != key {
        view.cache = build_cache(doc);
        view.cache_key = key;
    }
    if view.sheet >= doc.layout.sheets.len() {
        view.sheet = doc.layout.sheets.len().saturating_sub(1);
    }
    let world_key = (view.grid, view.sheet, doc.layout.sheets.len());
    if view.last_world != Some(world_key) {
        view.last_world = Some(world_key);
        view.fit_pending = true;
    }
    let (response, painter) = ui.allocate_painter(ui.available_size(), Sense::click_and_drag());
    let rect = response.rect;
    view.canvas = rect;
    painter.rect_filled(rect, CornerRadius::ZERO, CANVAS_BG);
    let sheets = sheet_world_rects(doc, view);
    if sheets.is_empty() {
        painter.text(
            rect.center(),
            Align2::CENTER_CENTER,
            if state.nesting() {
                "Nesting… the first layout appears in a moment"
            } else {
                "No sheet used: see the unplaced parts on the right"
            },
            FontId::proportional(16.0),
            Color32::GRAY,
        );
        return;
    }
    if view.fit_pending {
        fit(view, rect, &sheets);
    }
    // Zoom with the wheel around the pointer.
    if response.hovered() {
        let (scroll, pinch) = ui.input(|i| (i.smooth_scroll_delta.y, i.zoom_delta()));
        let k = pinch * (scroll * 0.0015).exp();
        if (k - 1.0).abs() > 1e-4
            && let Some(p) = response.hover_pos()
        {
            let new_zoom = (view.zoom * k).clamp(0.005, 200.0);
            let k = new_zoom / view.zoom;
            view.offset = (p - rect.min) - ((p - rect.min) - view.offset) * k;
            view.zoom = new_zoom;
        }
    }

    let zoom = view.zoom;
    let origin = rect.min + view.offset;
    let from_screen = |s: Pos2| Pos2::ZERO + (s - origin) / zoom;

    // Pointer position in a sheet: (sheet, point in sheet mm, y up).
    let locate = |s: Pos2| -> Option<(usize, Point)> {
        let w = from_screen(s);
        sheets.iter().find(|(_, r)| r.contains(w)).map(|(i, r)| {
            let h = r.height();
            (
                *i,
                Point::new((w.x - r.min.x) as f64, (h - (w.y - r.min.y)) as f64),
            )
        })
    };
    let pointer = response.hover_pos().or(response.interact_pointer_pos());
    let under = pointer
        .and_then(locate)
        .and_then(|(s, p)| hit(doc, view.cache.get(s)?, s, p).map(|i| (s, i)));
    view.hover = under.map(|(s, i)| {
        let p = doc.layout.sheets[s].placements[i];
        CopyId {
            part: p.part,
            copy: p.copy,
        }
    });

    interact(ui, &response, doc, state, view, under, cmds);

    // Draw sheets, parts, outlines (panning may have moved the view).
    let zoom = view.zoom;
    let origin = rect.min + view.offset;
    let to_screen = |w: Pos2| origin + w.to_vec2() * zoom;
    let mut shapes: Vec<Shape> = Vec::new();
    for (i, wr) in &sheets {
        let sr = Rect::from_min_max(to_screen(wr.min), to_screen(wr.max));
        if !sr.intersects(rect) {
            continue;
        }
        let Some(sl) = doc.layout.sheets.get(*i) else {
            continue;
        };
        let t = TSTransform::new(sr.min.to_vec2(), zoom);
        let remnant = view.cache.get(*i).and_then(|d| d.remnant.as_ref());
        if let Some((mesh, edges)) = remnant {
            // A remnant: its material and edges; the margin is not drawn.
            let mut mesh = mesh.clone();
            mesh.transform(t);
            shapes.push(Shape::mesh(mesh));
            for e in edges {
                shapes.push(Shape::closed_line(
                    e.iter().map(|q| sr.min + q.to_vec2() * zoom).collect(),
                    Stroke::new(1.0, SHEET_EDGE),
                ));
            }
        } else {
            shapes.push(Shape::rect_filled(sr, CornerRadius::ZERO, SHEET_FILL));
            shapes.push(Shape::rect_stroke(
                sr,
                CornerRadius::ZERO,
                Stroke::new(1.0, SHEET_EDGE),
                StrokeKind::Outside,
            ));
        }
        let m = doc.problem.margin_mm as f32 * zoom;
        if m > 2.0 && remnant.is_none() {
            shapes.extend(Shape::dashed_line(
                &[
                    sr.min + vec2(m, m),
                    pos2(sr.max.x - m, sr.min.y + m),
                    sr.max - vec2(m, m),
                    pos2(sr.min.x + m, sr.max.y - m),
                    sr.min + vec2(m, m),
                ],
                Stroke::new(1.0, MARGIN_LINE),
                6.0,
                4.0,
            ));
        }
        let Some(d) = view.cache.get(*i) else {
            continue;
        };
        let mut fill = d.fill.clone();
        fill.transform(t);
        shapes.push(Shape::mesh(fill));
        for (pi, pts) in &d.outlines {
            let Some(p) = sl.placements.get(*pi) else {
                continue;
            };
            let id = CopyId {
                part: p.part,
                copy: p.copy,
            };
            let big = d
                .boxes
                .get(*pi)
                .is_some_and(|b| (b.width().max(b.height()) as f32) * zoom > 4.0);
            let stroke = if state.selection == Some(id) {
                Stroke::new(2.5, SELECTED)
            } else if doc.locked.contains(&id) {
                Stroke::new(2.0, LOCKED)
            } else if view.hover == Some(id) {
                Stroke::new(1.5, Color32::WHITE)
            } else if big {
                Stroke::new(1.0, darker(part_color(p.part), 0.55))
            } else {
                continue;
            };
            shapes.push(Shape::closed_line(
                pts.iter().map(|q| sr.min + q.to_vec2() * zoom).collect(),
                stroke,
            ));
        }
        for (pi, p) in sl.placements.iter().enumerate() {
            let id = CopyId {
                part: p.part,
                copy: p.copy,
            };
            if !doc.locked.contains(&id) {
                continue;
            }
            if let Some(b) = d
                .boxes
                .get(pi)
                .filter(|b| b.width().min(b.height()) as f32 * zoom > 18.0)
            {
                let c = b.center();
                let h = wr.height();
                let at = sr.min + vec2(c.x as f32, h - c.y as f32) * zoom;
                let galley =
                    ui.painter()
                        .layout_no_wrap("🔒".into(), FontId::proportional(13.0), LOCKED);
                shapes.push(Shape::galley(at - galley.size() / 2.0, galley, LOCKED));
            }
        }
        if view.grid || sheets.len() == 1 {
            let util = doc.layout.sheet_utilization(&doc.problem, *i) * 100.0;
            let spec = &doc.problem.sheets[sl.sheet];
            let title = format!(
                "Sheet {}  ·  {:.0} × {:.0} mm  ·  {} parts  ·  {util:.1} %",
                i + 1,
                spec.width_mm,
                spec.height_mm,
                sl.placements.len()
            );
            let galley = ui.painter().layout_no_wrap(
                title,
                FontId::proportional(13.0),
                Color32::from_gray(210),
            );
            shapes.push(Shape::galley(
                sr.min - vec2(0.0, 20.0),
                galley,
                Color32::WHITE,
            ));
        }
    }
    painter.extend(shapes);
    draw_drag(&painter, doc, view, &sheets, rect, zoom);
    if let (Some(id), None) = (view.hover, &view.drag) {
        response.on_hover_ui_at_pointer(|ui| hover_details(ui, doc, id));
    }
}

fn fit(view: &mut PreviewView, rect: Rect, sheets: &[(usize, Rect)]) {
    let world = sheets
        .iter()
        .fold(Rect::NOTHING, |a, (_, r)| a.union(*r))
        .expand2(vec2(0.0, 30.0));
    let avail = rect.size() - Vec2::splat(40.0);
    let zoom = (avail.x / world.width()).min(avail.y / world.height());
    if zoom.is_finite() && zoom > 0.0 {
        view.zoom = zoom;
        let used = world.size() * zoom;
        view.offset = (rect.size() - used) / 2.0 - world.min.to_vec2() * zoom;
    }
    view.fit_pending = false;
}

#[allow(clippy::too_many_arguments)]
fn interact(
    ui: &Ui,
    response: &egui::Response,
    doc: &NestDoc,
    state: &AppState,
    view: &mut PreviewView,
    under: Option<(usize, usize)>,
    cmds: &mut Vec<Command>,
) {
    let can_edit = !state.nesting();
    if response.clicked() {
        let sel = under.map(|(s, i)| {
            let p = doc.layout.sheets[s].placements[i];
            CopyId {
                part: p.part,
                copy: p.copy,
            }
        });
        cmds.push(Command::Select(sel));
    }
    if response.drag_started_by(egui::PointerButton::Primary)
        && can_edit
        && let Some((s, i)) = under
    {
        let p = doc.layout.sheets[s].placements[i];
        let id = CopyId {
            part: p.part,
            copy: p.copy,
        };
        if doc.locked.contains(&id) {
            cmds.push(Command::Select(Some(id)));
        } else {
            view.drag = Some(Drag {
                id,
                sheet: s,
                index: i,
                start: p.transform,
                to: p.transform,
                ok: true,
            });
            cmds.push(Command::Select(Some(id)));
        }
    }
    let delta = response.drag_delta();
    if let Some(drag) = view.drag.as_mut() {
        if ui.input(|i| i.key_pressed(egui::Key::Escape)) {
            view.drag = None;
        } else if response.dragged_by(egui::PointerButton::Primary) {
            let moved = ui.input(|i| Some(i.pointer.interact_pos()? - i.pointer.press_origin()?));
            let to = moved.map_or(drag.to, |d| Transform {
                x_mm: drag.start.x_mm + f64::from(d.x / view.zoom),
                y_mm: drag.start.y_mm - f64::from(d.y / view.zoom),
                ..drag.start
            });
            if to != drag.to {
                drag.to = to;
                let sl = &doc.layout.sheets[drag.sheet];
                let moving = Placement {
                    transform: drag.to,
                    ..sl.placements[drag.index]
                };
                drag.ok = edit::fast_ok(doc, sl.sheet, &sl.placements, Some(drag.index), &moving);
            }
        } else {
            if drag.to != drag.start {
                cmds.push(Command::Move(drag.id, drag.to));
            }
            view.drag = None;
        }
    } else if response.dragged() {
        view.offset += delta;
    }
}

fn draw_drag(
    painter: &egui::Painter,
    doc: &NestDoc,
    view: &PreviewView,
    sheets: &[(usize, Rect)],
    rect: Rect,
    zoom: f32,
) {
    let Some(drag) = &view.drag else { return };
    let Some((_, wr)) = sheets.iter().find(|(i, _)| *i == drag.sheet) else {
        return;
    };
    let Some(p) = doc.layout.sheets[drag.sheet].placements.get(drag.index) else {
        return;
    };
    let Some(shape) = doc.shapes.get(p.part) else {
        return;
    };
    let origin = rect.min + view.offset + wr.min.to_vec2() * zoom;
    let h = wr.height() as f64;
    let map = |q: Point| origin + vec2(q.x as f32, (h - q.y) as f32) * zoom;
    let color = if drag.ok {
        part_color(p.part).gamma_multiply(0.85)
    } else {
        COLLIDES.gamma_multiply(0.85)
    };
    let mut mesh = Mesh::default();
    shape.append_fill(&mut mesh, &drag.to, color, map);
    painter.add(Shape::mesh(mesh));
    let stroke = Stroke::new(1.5, if drag.ok { Color32::WHITE } else { COLLIDES });
    for c in shape.contours() {
        painter.add(Shape::closed_line(
            c.iter().map(|q| map(drag.to.apply(*q))).collect(),
            stroke,
        ));
    }
}

fn hover_details(ui: &mut Ui, doc: &NestDoc, id: CopyId) {
    let Some((s, i)) = doc.find(id) else { return };
    let p = doc.layout.sheets[s].placements[i];
    ui.strong(doc.part_name(p.part));
    ui.label(format!(
        "copy {} of {}",
        p.copy, doc.problem.parts[p.part].quantity
    ));
    ui.label(format!(
        "angle {:.1}°{}",
        p.transform.angle_deg,
        if p.transform.mirrored {
            ", mirrored"
        } else {
            ""
        }
    ));
    ui.label(format!(
        "sheet {} at x {:.1}, y {:.1} mm",
        s + 1,
        p.transform.x_mm,
        p.transform.y_mm
    ));
    if doc.locked.contains(&id) {
        ui.colored_label(LOCKED, "locked");
    }
}

fn empty_canvas(ui: &mut Ui, state: &AppState) {
    let (rect, _) = ui.allocate_exact_size(ui.available_size(), Sense::hover());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, CornerRadius::ZERO, CANVAS_BG);
    let text = if state.rows.is_empty() {
        "Import DXF parts: File > Import (Ctrl+O), or drop files and folders here"
    } else {
        "Set quantities and stock, then Nest (F5)"
    };
    painter.text(
        rect.center(),
        Align2::CENTER_CENTER,
        text,
        FontId::proportional(16.0),
        Color32::from_gray(150),
    );
}
