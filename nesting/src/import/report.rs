//! The import report: what was read, what became parts, and everything that
//! was fixed, ignored or left open. Printed by `nestwork import FILE`.

use super::units::Unit;
use crate::geometry::{BBox, Point};
use serde::Serialize;
use std::fmt;

/// Size summary of one imported part (mm).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PartSummary {
    pub name: String,
    pub width_mm: f64,
    pub height_mm: f64,
    /// Net area (outer minus holes) in mm².
    pub area_mm2: f64,
    pub holes: usize,
}

/// A chain of segments whose ends do not meet: not a part.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OpenChain {
    pub layer: String,
    /// Start point in mm, original drawing frame.
    pub start: Point,
    /// End point in mm, original drawing frame.
    pub end: Point,
    /// Distance between the two ends in mm.
    pub gap_mm: f64,
    /// Number of segments in the chain.
    pub segments: usize,
}

/// A closed contour that crosses itself.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SelfIntersection {
    /// Which contour (layer, size, position).
    pub contour: String,
    /// A crossing point in mm, original drawing frame.
    pub at: Point,
}

/// Entities of one kind that did not become cut geometry.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IgnoredEntities {
    pub kind: String,
    pub count: usize,
    pub reason: String,
}

/// One layer of the drawing.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LayerSummary {
    pub name: String,
    /// Model-space entities on this layer (block contents counted per INSERT).
    pub entities: usize,
    /// `cut`, `marking`, `not selected`, `frozen`, `off` or `unused`.
    pub role: String,
}

/// Everything the importer learned about one file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ImportReport {
    pub file: String,
    pub dxf_version: String,
    /// What the header says about units (`$INSUNITS=1 (in)`, `no $INSUNITS`...).
    pub source_units: String,
    /// The unit the coordinates were read in.
    pub unit_used: Unit,
    /// Bounding box of all cut geometry in mm (original frame).
    pub bbox_mm: Option<BBox>,
    pub parts: Vec<PartSummary>,
    pub hole_count: usize,
    pub open_chains: Vec<OpenChain>,
    pub self_intersections: Vec<SelfIntersection>,
    pub ignored: Vec<IgnoredEntities>,
    pub layers: Vec<LayerSummary>,
    /// Repairs applied (zero-length pieces removed, duplicates removed, gaps closed...).
    pub fixes: Vec<String>,
    pub warnings: Vec<String>,
}

impl ImportReport {
    pub(crate) fn new(file: &str, unit_used: Unit) -> Self {
        Self {
            file: file.to_string(),
            dxf_version: String::new(),
            source_units: String::new(),
            unit_used,
            bbox_mm: None,
            parts: Vec::new(),
            hole_count: 0,
            open_chains: Vec::new(),
            self_intersections: Vec::new(),
            ignored: Vec::new(),
            layers: Vec::new(),
            fixes: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Adds `count` ignored entities of `kind` (merging with an existing row of the same kind and reason).
    pub(crate) fn ignore(&mut self, kind: &str, count: usize, reason: &str) {
        if count == 0 {
            return;
        }
        if let Some(row) = self
            .ignored
            .iter_mut()
            .find(|r| r.kind == kind && r.reason == reason)
        {
            row.count += count;
        } else {
            self.ignored.push(IgnoredEntities {
                kind: kind.to_string(),
                count,
                reason: reason.to_string(),
            });
        }
    }

    /// Number of ignored entities of `kind` (all reasons).
    pub fn ignored_count(&self, kind: &str) -> usize {
        self.ignored
            .iter()
            .filter(|r| r.kind.eq_ignore_ascii_case(kind))
            .map(|r| r.count)
            .sum()
    }
}

fn pt(p: Point) -> String {
    format!("({:.3}, {:.3})", p.x, p.y)
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "File:      {}", self.file)?;
        writeln!(f, "DXF:       {}", self.dxf_version)?;
        writeln!(
            f,
            "Units:     {} -> read as {} ({} mm per unit)",
            self.source_units,
            self.unit_used,
            self.unit_used.mm_per_unit()
        )?;
        match &self.bbox_mm {
            Some(bb) => writeln!(
                f,
                "Extent:    {:.3} x {:.3} mm, from {} to {}",
                bb.width(),
                bb.height(),
                pt(bb.min),
                pt(bb.max)
            )?,
            None => writeln!(f, "Extent:    no cut geometry")?,
        }
        writeln!(
            f,
            "Parts:     {} ({} holes in total)",
            self.parts.len(),
            self.hole_count
        )?;
        for p in &self.parts {
            writeln!(
                f,
                "  {:<30} {:>10.3} x {:<10.3} mm  area {:>12.2} mm²  holes {}",
                p.name, p.width_mm, p.height_mm, p.area_mm2, p.holes
            )?;
        }
        if !self.open_chains.is_empty() {
            writeln!(f, "Open chains (not parts): {}", self.open_chains.len())?;
            for c in &self.open_chains {
                writeln!(
                    f,
                    "  layer '{}': {} segment(s) from {} to {}, gap {:.4} mm",
                    c.layer,
                    c.segments,
                    pt(c.start),
                    pt(c.end),
                    c.gap_mm
                )?;
            }
        }
        if !self.self_intersections.is_empty() {
            writeln!(
                f,
                "Self-intersecting contours: {}",
                self.self_intersections.len()
            )?;
            for s in &self.self_intersections {
                writeln!(f, "  {} crosses itself at {}", s.contour, pt(s.at))?;
            }
        }
        if !self.ignored.is_empty() {
            writeln!(f, "Not cut:")?;
            for i in &self.ignored {
                writeln!(f, "  {}: {} ({})", i.kind, i.count, i.reason)?;
            }
        }
        if !self.layers.is_empty() {
            writeln!(f, "Layers:")?;
            for l in &self.layers {
                writeln!(f, "  {:<30} {:>6} entities  {}", l.name, l.entities, l.role)?;
            }
        }
        if !self.fixes.is_empty() {
            writeln!(f, "Fixes:")?;
            for x in &self.fixes {
                writeln!(f, "  {x}")?;
            }
        }
        if !self.warnings.is_empty() {
            writeln!(f, "Warnings:")?;
            for w in &self.warnings {
                writeln!(f, "  {w}")?;
            }
        }
        Ok(())
    }
}
