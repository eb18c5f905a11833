//! Reading back an output folder of `nestwork nest` (report.json and the
//! sheet DXFs): the placed shapes of each sheet (used by `nestwork
//! validate`) and the whole job rebuilt as a problem and a layout (used by
//! `nestwork quote`).

use crate::report::NestReport;
use anyhow::{Context, Result, bail};
use nesting::import::{ImportOptions, Unit, import_file};
use nesting::validate::{ExactSeg, PlacedShape, point_in_contour};
use nesting::{
    Contour, Layout, Marking, NestProblem, Part, PartDemand, Placement, Rotations, SheetLayout,
    SheetOutline, SheetSpec, Transform,
};
use std::path::Path;
use std::sync::Arc;

/// Layer names written by the exporter.
pub const CUT_LAYERS: [&str; 2] = ["CUT_OUTER", "CUT_INNER"];
pub const SHEET_LAYER: &str = "SHEET";
pub const LABEL_LAYER: &str = "LABELS";
/// Name given to an outline that carries no single label.
pub const UNLABELLED: &str = "unlabelled part";

/// The placed parts of a written sheet, by layer: every contour on
/// `CUT_OUTER` is a part's outline (even one drawn inside another outline:
/// that is an overlap, reported), every contour on `CUT_INNER` is a hole of
/// the smallest outline around it. Returns the shapes and the problems found.
pub fn sheet_shapes(path: &Path) -> Result<(Vec<PlacedShape>, Vec<String>)> {
    let mut problems = Vec::new();
    let mut shapes: Vec<PlacedShape> = Vec::new();
    for part in import_layers(path, &[CUT_LAYERS[0]])? {
        let (dx, dy) = (part.source_origin.x, part.source_origin.y);
        // Labels with their positions in sheet coordinates.
        let labels: Vec<(&str, nesting::Point)> = part
            .marking
            .iter()
            .filter_map(|m| match m {
                Marking::Text {
                    layer,
                    text,
                    position,
                    ..
                } if layer.eq_ignore_ascii_case(LABEL_LAYER) => Some((
                    text.as_str(),
                    nesting::Point::new(position.x + dx, position.y + dy),
                )),
                _ => None,
            })
            .collect();
        let outer = part.outer.translated(dx, dy);
        // An outline found inside this one is another part: on its material
        // (an overlap) or in one of its holes (part-in-part); the validator
        // tells which once the holes are assigned. A label inside such an
        // outline belongs to it, the others to this outline.
        let inners: Vec<_> = part
            .holes
            .iter()
            .map(|h| h.translated(dx, dy).oriented(true))
            .collect();
        let inner_segs: Vec<Vec<ExactSeg>> = inners.iter().map(ExactSeg::of_contour).collect();
        let owner = |p: nesting::Point| inner_segs.iter().position(|s| point_in_contour(p, s));
        let mut pick = |contour: &nesting::Contour, which: Option<usize>, fallback: bool| {
            let mine: Vec<&str> = labels
                .iter()
                .filter(|(_, p)| owner(*p) == which)
                .map(|(t, _)| *t)
                .collect();
            let bb = contour.bbox();
            match mine.as_slice() {
                [one] => one.to_string(),
                [] if fallback => format!("{UNLABELLED} at ({:.1}, {:.1})", bb.min.x, bb.min.y),
                _ => {
                    problems.push(format!(
                        "the part outline at ({:.3}, {:.3})-({:.3}, {:.3}) carries {} labels, expected one",
                        bb.min.x, bb.min.y, bb.max.x, bb.max.y, mine.len()
                    ));
                    format!("{UNLABELLED} at ({:.1}, {:.1})", bb.min.x, bb.min.y)
                }
            }
        };
        let label = pick(&outer, None, false);
        for (i, inner) in inners.into_iter().enumerate() {
            let label = pick(&inner, Some(i), true);
            shapes.push(PlacedShape {
                label,
                outer: inner,
                holes: Vec::new(),
                min_quality: None,
            });
        }
        shapes.push(PlacedShape {
            label,
            outer,
            holes: Vec::new(),
            min_quality: None,
        });
    }
    let outline_segments: Vec<Vec<ExactSeg>> = shapes
        .iter()
        .map(|s| ExactSeg::of_contour(&s.outer))
        .collect();
    for part in import_layers(path, &[CUT_LAYERS[1]])? {
        let (dx, dy) = (part.source_origin.x, part.source_origin.y);
        for hole in std::iter::once(&part.outer).chain(&part.holes) {
            let hole = hole.translated(dx, dy).oriented(false);
            let probe = hole.vertices[0].point();
            let owner = (0..shapes.len())
                .filter(|&i| point_in_contour(probe, &outline_segments[i]))
                .min_by(|&a, &b| shapes[a].outer.area().total_cmp(&shapes[b].outer.area()));
            match owner {
                Some(i) => shapes[i].holes.push(hole),
                None => problems.push(format!(
                    "a hole outline at ({:.3}, {:.3}) lies in no part",
                    probe.x, probe.y
                )),
            }
        }
    }
    Ok((shapes, problems))
}

/// The stock sheet of a written sheet DXF, from its `SHEET` layer: the
/// rectangle `width_mm × height_mm` the report gives, or the remnant outline
/// drawn there (with its holes). Also returns the mismatches found.
pub fn sheet_spec(path: &Path, width_mm: f64, height_mm: f64) -> Result<(SheetSpec, Vec<String>)> {
    let mut problems = Vec::new();
    let mut spec = SheetSpec::rect(width_mm, height_mm, None, None);
    match import_layers(path, &[SHEET_LAYER])?.as_slice() {
        [p] => {
            let (dx, dy) = (p.source_origin.x, p.source_origin.y);
            let outer = p.outer.translated(dx, dy);
            let bb = outer.bbox();
            let found = [bb.min.x, bb.min.y, bb.max.x, bb.max.y];
            let expected = [0.0, 0.0, width_mm, height_mm];
            if found
                .iter()
                .zip(expected)
                .any(|(f, e)| (f - e).abs() > 1e-6)
            {
                problems.push(format!(
                    "the sheet outline spans ({:.3}, {:.3})-({:.3}, {:.3}), the report says {} x {} mm",
                    found[0], found[1], found[2], found[3], width_mm, height_mm
                ));
            }
            // A remnant: the parts are checked against the outline drawn.
            let rectangle = (outer.area() - bb.width() * bb.height()).abs() <= 1e-6 * outer.area();
            if !rectangle || !p.holes.is_empty() {
                spec.outline = Some(SheetOutline {
                    outer,
                    holes: p.holes.iter().map(|h| h.translated(dx, dy)).collect(),
                    zones: Vec::new(),
                });
            }
        }
        other => problems.push(format!(
            "expected one sheet outline on layer {SHEET_LAYER}, found {}",
            other.len()
        )),
    }
    Ok((spec, problems))
}

/// Imports only `layers` of a written sheet (always millimetres).
pub fn import_layers(path: &Path, layers: &[&str]) -> Result<Vec<Part>> {
    let options = ImportOptions {
        default_unit: Unit::Millimeter,
        cut_layers: Some(layers.iter().map(|l| l.to_string()).collect()),
        marking_layers: vec![LABEL_LAYER.to_string()],
        ..ImportOptions::default()
    };
    let imported = import_file(path, &options)?;
    if !imported.report.open_chains.is_empty() {
        anyhow::bail!(
            "{} open contour(s) on layers {}: every written contour must be closed",
            imported.report.open_chains.len(),
            layers.join(", ")
        );
    }
    Ok(imported.parts)
}

/// A nest output folder read back: the report, and the job rebuilt from
/// the sheet DXFs (part geometry in each part's own frame, placements from
/// the report). Marking geometry is not rebuilt. A part with no placed copy
/// has no geometry in the folder: it keeps an empty outline.
#[derive(Debug)]
pub struct NestOutput {
    pub report: NestReport,
    pub problem: NestProblem,
    pub layout: Layout,
}

/// The part-local contour of a contour placed by `t` (the inverse of `Contour::transformed`).
fn unplaced_contour(c: &Contour, t: &Transform) -> Contour {
    let unrotated = c.translated(-t.x_mm, -t.y_mm).transformed(&Transform {
        angle_deg: -t.angle_deg,
        ..Transform::IDENTITY
    });
    if t.mirrored {
        unrotated.transformed(&Transform {
            mirrored: true,
            ..Transform::IDENTITY
        })
    } else {
        unrotated
    }
}

/// Relative area difference allowed between the report and the re-imported geometry.
const AREA_TOLERANCE: f64 = 1e-6;

/// Reads `dir` (report.json and the sheet DXFs) and rebuilds the job.
pub fn load_nest_output(dir: &Path) -> Result<NestOutput> {
    let report = NestReport::load(dir)?;
    let mut sheets: Vec<SheetSpec> = Vec::new();
    let mut geometry: Vec<Option<Part>> = vec![None; report.parts.len()];
    let mut layout = Layout::default();
    for sheet in &report.sheets {
        let path = dir.join(&sheet.file);
        let (shapes, problems) =
            sheet_shapes(&path).with_context(|| format!("cannot read {}", path.display()))?;
        if !problems.is_empty() {
            bail!(
                "{} does not match its report ({}); run `nestwork validate {}`",
                path.display(),
                problems.join("; "),
                dir.display()
            );
        }
        let (mut read, outline_problems) = sheet_spec(&path, sheet.width_mm, sheet.height_mm)
            .with_context(|| format!("cannot read {}", path.display()))?;
        if !outline_problems.is_empty() {
            bail!(
                "{} does not match its report ({}); run `nestwork validate {}`",
                path.display(),
                outline_problems.join("; "),
                dir.display()
            );
        }
        read.cost = sheet.cost;
        // Rectangles of one size and cost share a stock entry; each remnant is its own.
        let spec = match sheets
            .iter()
            .position(|s| *s == read && read.outline.is_none())
        {
            Some(i) => i,
            None => {
                sheets.push(read);
                sheets.len() - 1
            }
        };
        let mut placements = Vec::with_capacity(sheet.placements.len());
        for p in &sheet.placements {
            let part = report
                .parts
                .iter()
                .position(|r| r.name == p.part)
                .with_context(|| {
                    format!("{}: placement of unknown part `{}`", path.display(), p.part)
                })?;
            let transform = Transform {
                x_mm: p.x_mm,
                y_mm: p.y_mm,
                angle_deg: p.angle_deg,
                mirrored: p.mirrored,
            };
            if geometry[part].is_none() {
                let label = format!("{} #{}", p.part, p.copy);
                let shape = shapes.iter().find(|s| s.label == label).with_context(|| {
                    format!(
                        "{} has no outline labelled `{label}`; run `nestwork validate {}`",
                        path.display(),
                        dir.display()
                    )
                })?;
                let rebuilt = Part::new(
                    p.part.clone(),
                    unplaced_contour(&shape.outer, &transform),
                    shape
                        .holes
                        .iter()
                        .map(|h| unplaced_contour(h, &transform))
                        .collect(),
                );
                let expected = report.parts[part].area_mm2;
                if (rebuilt.area() - expected).abs() > AREA_TOLERANCE * expected.abs().max(1.0) {
                    bail!(
                        "part `{}` re-imported from {} has an area of {:.3} mm², the report says {:.3} mm²; the folder was changed after nesting",
                        p.part,
                        path.display(),
                        rebuilt.area(),
                        expected
                    );
                }
                geometry[part] = Some(rebuilt);
            }
            placements.push(Placement {
                part,
                copy: p.copy,
                transform,
            });
        }
        layout.sheets.push(SheetLayout {
            sheet: spec,
            placements,
        });
    }
    let mut parts = Vec::with_capacity(report.parts.len());
    for (entry, part) in report.parts.iter().zip(geometry) {
        let rotations: Rotations = entry
            .rotations
            .parse()
            .map_err(|e| anyhow::anyhow!("part `{}` in the report: {e}", entry.name))?;
        parts.push(PartDemand {
            part: Arc::new(
                part.unwrap_or_else(|| {
                    Part::new(entry.name.clone(), Contour::default(), Vec::new())
                }),
            ),
            quantity: entry.quantity,
            rotations,
            mirror: entry.mirror,
            min_quality: None,
            priority: entry.priority,
        });
    }
    for u in &report.unplaced {
        if let Some(i) = report.parts.iter().position(|p| p.name == u.part) {
            layout.unplaced.push(nesting::Unplaced {
                part: i,
                count: u.count,
                reason: u.reason.clone(),
            });
        }
    }
    Ok(NestOutput {
        problem: NestProblem {
            parts,
            sheets,
            spacing_mm: report.spacing_mm,
            margin_mm: report.margin_mm,
        },
        layout,
        report,
    })
}
