//! One DXF drawing per sheet: sheet outline, cut contours with their arcs as
//! bulges, marking geometry and part labels, in millimetres.

use super::label::{label_anchor, label_height};
use super::{
    DxfExportOptions, DxfVersion, ExportError, LAYER_CUT_INNER, LAYER_CUT_OUTER, LAYER_EVALUATION,
    LAYER_LABELS, LAYER_MARK, LAYER_SHEET,
};
use crate::geometry::{Contour, Point, Vertex};
use crate::part::Marking;
use crate::problem::{Layout, NestProblem};
use ::dxf::LwPolylineVertex;
use ::dxf::entities::{Entity, EntityType, LwPolyline, Polyline, Text};
use ::dxf::enums::{
    AcadVersion, DrawingUnits, HorizontalTextJustification, Units, VerticalTextJustification,
};
use ::dxf::tables::Layer;
use ::dxf::{Color, Drawing};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Layers written to every file, with their ACI colours.
const LAYERS: [(&str, u8); 5] = [
    (LAYER_SHEET, 8),
    (LAYER_CUT_OUTER, 1),
    (LAYER_CUT_INNER, 5),
    (LAYER_MARK, 3),
    (LAYER_LABELS, 7),
];
const EVALUATION_COLOR: u8 = 6;

/// Builds the DXF drawing of sheet `sheet` (0-based index into
/// `layout.sheets`). Contours are placed exactly as the layout says, outer
/// contours counter-clockwise and holes clockwise (also for mirrored parts),
/// arcs kept as bulges, so re-importing `CUT_OUTER`/`CUT_INNER` gives back
/// the placed contours.
pub fn sheet_dxf(
    problem: &NestProblem,
    layout: &Layout,
    sheet: usize,
    options: &DxfExportOptions,
) -> Result<Drawing, ExportError> {
    let sl = layout.sheets.get(sheet).ok_or(ExportError::NoSuchSheet {
        number: sheet + 1,
        count: layout.sheets.len(),
    })?;
    let spec = problem.sheet_spec_for(sheet + 1, sl.sheet)?;
    let mut w = DxfWriter::new(options.version);
    for (name, color) in LAYERS {
        w.layer(name, color);
    }
    match &spec.outline {
        // A remnant: its outline and holes. Quality zones are not drawn.
        Some(o) => {
            for c in std::iter::once(&o.outer).chain(&o.holes) {
                w.closed(LAYER_SHEET, c);
            }
        }
        None => w.closed(
            LAYER_SHEET,
            &Contour::rectangle(0.0, 0.0, spec.width_mm, spec.height_mm),
        ),
    }
    for p in &sl.placements {
        let demand = problem.demand_for(sheet + 1, p.part)?;
        let part = &demand.part;
        let (outer, holes) = part.placed_contours(&p.transform);
        let outer = outer.oriented(true);
        let holes: Vec<Contour> = holes.into_iter().map(|h| h.oriented(false)).collect();
        w.closed(LAYER_CUT_OUTER, &outer);
        for h in &holes {
            w.closed(LAYER_CUT_INNER, h);
        }
        for m in &part.marking {
            match m.transformed(&p.transform) {
                Marking::Path {
                    vertices, closed, ..
                } => w.path(LAYER_MARK, &vertices, closed),
                Marking::Text {
                    position,
                    height_mm,
                    angle_deg,
                    text,
                    ..
                } => w.text(LAYER_MARK, position, height_mm, angle_deg, &text, false),
            }
        }
        let label = format!("{} #{}", part.name, p.copy);
        let (anchor, clearance) = label_anchor(&outer, &holes);
        let bb = outer.bbox();
        let height = label_height(label.chars().count(), clearance, bb.width(), bb.height());
        w.text(LAYER_LABELS, anchor, height, 0.0, &label, true);
    }
    if options.evaluation_mark {
        w.layer(LAYER_EVALUATION, EVALUATION_COLOR);
        let height = (spec.height_mm.min(spec.width_mm) / 10.0).max(1.0);
        w.text(
            LAYER_EVALUATION,
            Point::new(spec.width_mm / 2.0, spec.height_mm / 2.0),
            height,
            0.0,
            "EVALUATION",
            true,
        );
    }
    Ok(w.drawing)
}

/// Writes sheet `sheet` of `layout` to `path` as DXF. The file is first
/// written to a temporary file in the same folder and then renamed, so a
/// failed write (disk full...) never leaves a half-written file behind.
pub fn write_sheet_dxf(
    path: &Path,
    problem: &NestProblem,
    layout: &Layout,
    sheet: usize,
    options: &DxfExportOptions,
) -> Result<(), ExportError> {
    let drawing = sheet_dxf(problem, layout, sheet, options)?;
    write_atomically(path, |out| {
        drawing.save(out).map_err(|e| match e {
            ::dxf::DxfError::IoError(io) => WriteFailure::Io(io),
            other => WriteFailure::Dxf(other.to_string()),
        })
    })
}

enum WriteFailure {
    Io(std::io::Error),
    Dxf(String),
}

fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "sheet.dxf".into());
    path.with_file_name(format!(".{name}.{}.tmp", std::process::id()))
}

fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<File>) -> Result<(), WriteFailure>,
) -> Result<(), ExportError> {
    let tmp = temp_path(path);
    let io_err = |source| ExportError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = File::create(&tmp).map_err(io_err)?;
    let mut out = BufWriter::new(file);
    let result = write(&mut out)
        .and_then(|()| out.flush().map_err(WriteFailure::Io))
        .and_then(|()| out.get_ref().sync_all().map_err(WriteFailure::Io));
    drop(out);
    let result = result.and_then(|()| std::fs::rename(&tmp, path).map_err(WriteFailure::Io));
    match result {
        Ok(()) => Ok(()),
        Err(failure) => {
            // Best effort: the temporary file is useless now.
            let _ = std::fs::remove_file(&tmp);
            Err(match failure {
                WriteFailure::Io(source) => io_err(source),
                WriteFailure::Dxf(message) => ExportError::Dxf {
                    path: path.to_path_buf(),
                    message,
                },
            })
        }
    }
}

/// Adds entities in the representation the chosen version supports.
struct DxfWriter {
    drawing: Drawing,
    version: DxfVersion,
}

impl DxfWriter {
    fn new(version: DxfVersion) -> DxfWriter {
        let mut drawing = Drawing::new();
        drawing.header.version = match version {
            DxfVersion::R2000 => AcadVersion::R2000,
            DxfVersion::R12 => AcadVersion::R12,
        };
        drawing.header.default_drawing_units = Units::Millimeters;
        drawing.header.drawing_units = DrawingUnits::Metric;
        DxfWriter { drawing, version }
    }

    fn layer(&mut self, name: &str, color: u8) {
        self.drawing.add_layer(Layer {
            name: name.to_string(),
            color: Color::from_index(color),
            ..Default::default()
        });
    }

    fn add(&mut self, layer: &str, specific: EntityType) {
        let mut e = Entity::new(specific);
        e.common.layer = layer.to_string();
        self.drawing.add_entity(e);
    }

    fn closed(&mut self, layer: &str, contour: &Contour) {
        self.path(layer, &contour.vertices, true);
    }

    /// One polyline through `vertices` with their bulges.
    fn path(&mut self, layer: &str, vertices: &[Vertex], closed: bool) {
        match self.version {
            DxfVersion::R2000 => {
                let mut lw = LwPolyline {
                    vertices: vertices
                        .iter()
                        .map(|v| LwPolylineVertex {
                            x: v.x,
                            y: v.y,
                            bulge: v.bulge,
                            ..Default::default()
                        })
                        .collect(),
                    ..Default::default()
                };
                lw.set_is_closed(closed);
                self.add(layer, EntityType::LwPolyline(lw));
            }
            DxfVersion::R12 => {
                let mut pl = Polyline::default();
                pl.set_is_closed(closed);
                for v in vertices {
                    let vertex = ::dxf::entities::Vertex {
                        location: ::dxf::Point::new(v.x, v.y, 0.0),
                        bulge: v.bulge,
                        ..Default::default()
                    };
                    pl.add_vertex(&mut self.drawing, vertex);
                }
                self.add(layer, EntityType::Polyline(pl));
            }
        }
    }

    /// A single-line TEXT; `centred` puts its middle at `at`.
    fn text(
        &mut self,
        layer: &str,
        at: Point,
        height_mm: f64,
        angle_deg: f64,
        s: &str,
        centred: bool,
    ) {
        let location = ::dxf::Point::new(at.x, at.y, 0.0);
        let mut t = Text {
            location: location.clone(),
            text_height: height_mm,
            value: s.to_string(),
            rotation: angle_deg,
            ..Default::default()
        };
        if centred {
            t.horizontal_text_justification = HorizontalTextJustification::Center;
            t.vertical_text_justification = VerticalTextJustification::Middle;
            t.second_alignment_point = location;
        }
        self.add(layer, EntityType::Text(t));
    }
}
