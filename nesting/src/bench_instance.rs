//! Reader for the academic benchmark instances (legacy jagua-rs ≤ 0.7 /
//! sparrow JSON: strip packing with `strip_height`, or bin packing with
//! irregular bins, bin holes and quality zones) and their conversion into
//! our [`NestProblem`].
//!
//! The files are unitless; coordinates are read as millimetres and may be
//! scaled by [`BenchInstance::unit_scale`] (density does not depend on scale).
//! `allowed_orientations` becomes [`Rotations::List`], a missing key
//! [`Rotations::Free`].

use crate::geometry::{Contour, Point};
use crate::part::Part;
use crate::problem::{NestProblem, PartDemand, Rotations, SheetOutline, SheetSpec};
use serde_json::Value;
use std::path::Path;
use std::sync::Arc;

/// Why an instance file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum InstanceError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} is not valid JSON: {source}")]
    Json {
        path: String,
        source: serde_json::Error,
    },
    #[error("instance {name}: {reason}")]
    Format { name: String, reason: String },
}

/// A polygon with holes, instance coordinates.
#[derive(Clone, Debug, PartialEq)]
pub struct InstanceShape {
    pub outer: Vec<Point>,
    pub holes: Vec<Vec<Point>>,
}

/// One item type.
#[derive(Clone, Debug, PartialEq)]
pub struct InstanceItem {
    pub id: u64,
    pub demand: u32,
    pub rotations: Rotations,
    pub shape: InstanceShape,
    /// Lowest zone quality the item may overlap (`None`: full quality).
    pub min_quality: Option<u32>,
}

/// An inferior-quality zone of a bin.
#[derive(Clone, Debug, PartialEq)]
pub struct InstanceZone {
    pub quality: u32,
    pub shape: InstanceShape,
}

/// One bin type (sheet, hide).
#[derive(Clone, Debug, PartialEq)]
pub struct InstanceBin {
    pub id: u64,
    pub stock: u32,
    pub cost: f64,
    /// Outer boundary and holes (unusable areas).
    pub shape: InstanceShape,
    pub zones: Vec<InstanceZone>,
}

/// What is asked.
#[derive(Clone, Debug, PartialEq)]
pub enum InstanceKind {
    /// Fixed height, minimise the length.
    Strip { height: f64 },
    /// Minimise the cost of the bins used.
    Bins(Vec<InstanceBin>),
}

/// A benchmark instance.
#[derive(Clone, Debug, PartialEq)]
pub struct BenchInstance {
    pub name: String,
    pub items: Vec<InstanceItem>,
    pub kind: InstanceKind,
}

fn fmt_err(name: &str, reason: impl Into<String>) -> InstanceError {
    InstanceError::Format {
        name: name.to_string(),
        reason: reason.into(),
    }
}

fn num(v: &Value) -> Option<f64> {
    v.as_f64().filter(|x| x.is_finite())
}

fn ring(name: &str, v: &Value) -> Result<Vec<Point>, InstanceError> {
    let arr = v
        .as_array()
        .ok_or_else(|| fmt_err(name, "a ring is not a list of [x, y] points"))?;
    let mut pts: Vec<Point> = Vec::with_capacity(arr.len());
    for p in arr {
        let xy = p.as_array().filter(|a| a.len() == 2);
        let (x, y) = match xy {
            Some(a) => (num(&a[0]), num(&a[1])),
            None => (None, None),
        };
        let (Some(x), Some(y)) = (x, y) else {
            return Err(fmt_err(name, format!("bad point {p}; expected [x, y]")));
        };
        pts.push(Point::new(x, y));
    }
    if pts.len() > 1 && pts[0] == pts[pts.len() - 1] {
        pts.pop();
    }
    if pts.len() < 3 {
        return Err(fmt_err(name, "a ring has fewer than 3 distinct points"));
    }
    Ok(pts)
}

fn shape(name: &str, v: &Value) -> Result<InstanceShape, InstanceError> {
    let kind = v.get("type").and_then(Value::as_str).unwrap_or("");
    let data = v
        .get("data")
        .ok_or_else(|| fmt_err(name, "a shape has no `data`"))?;
    match kind {
        "simple_polygon" => Ok(InstanceShape {
            outer: ring(name, data)?,
            holes: vec![],
        }),
        "polygon" => {
            let outer = ring(
                name,
                data.get("outer")
                    .ok_or_else(|| fmt_err(name, "a polygon has no `outer` ring"))?,
            )?;
            let holes = match data.get("inner").and_then(Value::as_array) {
                Some(list) => list
                    .iter()
                    .map(|r| ring(name, r))
                    .collect::<Result<_, _>>()?,
                None => vec![],
            };
            Ok(InstanceShape { outer, holes })
        }
        "rectangle" => {
            let g = |k: &str| data.get(k).and_then(num);
            let (Some(x), Some(y), Some(w), Some(h)) =
                (g("x_min"), g("y_min"), g("width"), g("height"))
            else {
                return Err(fmt_err(
                    name,
                    "a rectangle needs x_min, y_min, width and height",
                ));
            };
            Ok(InstanceShape {
                outer: vec![
                    Point::new(x, y),
                    Point::new(x + w, y),
                    Point::new(x + w, y + h),
                    Point::new(x, y + h),
                ],
                holes: vec![],
            })
        }
        other => Err(fmt_err(
            name,
            format!(
                "shape type `{other}` is not supported (use simple_polygon, polygon or rectangle)"
            ),
        )),
    }
}

fn rotations(name: &str, item: &Value) -> Result<Rotations, InstanceError> {
    // Legacy key first, then the jagua-rs 1.x `orientation.rotation` form.
    if let Some(v) = item.get("allowed_orientations") {
        let list = v
            .as_array()
            .ok_or_else(|| fmt_err(name, "`allowed_orientations` is not a list"))?;
        let angles: Option<Vec<f64>> = list.iter().map(num).collect();
        let angles = angles
            .filter(|a| !a.is_empty())
            .ok_or_else(|| fmt_err(name, "`allowed_orientations` must hold angles"))?;
        return Ok(if angles.len() == 1 && angles[0] == 0.0 {
            Rotations::None
        } else {
            Rotations::List(angles)
        });
    }
    let Some(rot) = item.get("orientation").and_then(|o| o.get("rotation")) else {
        return Ok(Rotations::Free);
    };
    match rot.get("mode").and_then(Value::as_str) {
        Some("continuous") => Ok(Rotations::Free),
        Some("discrete") => {
            let angles: Option<Vec<f64>> = rot
                .get("angles")
                .and_then(Value::as_array)
                .and_then(|a| a.iter().map(num).collect());
            match angles {
                Some(a) if !a.is_empty() => Ok(Rotations::List(a)),
                _ => Err(fmt_err(name, "discrete rotation without angles")),
            }
        }
        Some("stepped") => {
            let step = rot.get("step").and_then(num).filter(|s| *s > 0.0);
            let step = step.ok_or_else(|| fmt_err(name, "stepped rotation needs a step > 0"))?;
            let n = (360.0 / step).round().max(1.0) as usize;
            Ok(Rotations::List((0..n).map(|i| i as f64 * step).collect()))
        }
        _ => Err(fmt_err(name, "unknown rotation mode")),
    }
}

impl BenchInstance {
    /// Reads an instance file.
    pub fn load(path: &Path) -> Result<Self, InstanceError> {
        let text = std::fs::read_to_string(path).map_err(|source| InstanceError::Io {
            path: path.display().to_string(),
            source,
        })?;
        let v: Value = serde_json::from_str(&text).map_err(|source| InstanceError::Json {
            path: path.display().to_string(),
            source,
        })?;
        let fallback = path
            .file_stem()
            .map_or("instance".into(), |s| s.to_string_lossy().to_string());
        Self::from_json(&v, &fallback)
    }

    /// Parses an instance from JSON; `fallback_name` is used when it has no `name`.
    pub fn from_json(v: &Value, fallback_name: &str) -> Result<Self, InstanceError> {
        let name = v
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or(fallback_name)
            .to_string();
        let list = v
            .get("items")
            .and_then(Value::as_array)
            .ok_or_else(|| fmt_err(&name, "no `items` list"))?;
        let mut items = Vec::with_capacity(list.len());
        for (i, it) in list.iter().enumerate() {
            let demand = it
                .get("demand")
                .and_then(Value::as_u64)
                .and_then(|d| u32::try_from(d).ok())
                .ok_or_else(|| fmt_err(&name, format!("item {i} has no valid `demand`")))?;
            items.push(InstanceItem {
                id: it.get("id").and_then(Value::as_u64).unwrap_or(i as u64),
                demand,
                rotations: rotations(&name, it)?,
                shape: shape(
                    &name,
                    it.get("shape")
                        .ok_or_else(|| fmt_err(&name, format!("item {i} has no shape")))?,
                )?,
                min_quality: it
                    .get("min_quality")
                    .and_then(Value::as_u64)
                    .map(|q| q as u32),
            });
        }
        let kind = if let Some(h) = v.get("strip_height") {
            let h = num(h)
                .filter(|h| *h > 0.0)
                .ok_or_else(|| fmt_err(&name, "`strip_height` must be a positive number"))?;
            InstanceKind::Strip { height: h }
        } else if let Some(bins) = v.get("bins").and_then(Value::as_array) {
            let mut out = Vec::with_capacity(bins.len());
            for (i, b) in bins.iter().enumerate() {
                let zones = match b.get("zones").and_then(Value::as_array) {
                    Some(z) => z
                        .iter()
                        .map(|z| {
                            Ok(InstanceZone {
                                quality: z.get("quality").and_then(Value::as_u64).unwrap_or(0)
                                    as u32,
                                shape: shape(
                                    &name,
                                    z.get("shape")
                                        .ok_or_else(|| fmt_err(&name, "a zone has no shape"))?,
                                )?,
                            })
                        })
                        .collect::<Result<_, InstanceError>>()?,
                    None => vec![],
                };
                out.push(InstanceBin {
                    id: b.get("id").and_then(Value::as_u64).unwrap_or(i as u64),
                    stock: b
                        .get("stock")
                        .and_then(Value::as_u64)
                        .map_or(u32::MAX, |s| s.min(u64::from(u32::MAX)) as u32),
                    cost: b.get("cost").and_then(num).unwrap_or(1.0),
                    shape: shape(
                        &name,
                        b.get("shape")
                            .ok_or_else(|| fmt_err(&name, format!("bin {i} has no shape")))?,
                    )?,
                    zones,
                });
            }
            InstanceKind::Bins(out)
        } else {
            return Err(fmt_err(
                &name,
                "neither `strip_height` (strip packing) nor `bins` (bin packing) is given",
            ));
        };
        Ok(BenchInstance { name, items, kind })
    }

    /// Total item area (instance units², holes subtracted) over all copies.
    pub fn item_area(&self) -> f64 {
        self.items
            .iter()
            .map(|it| f64::from(it.demand) * shape_area(&it.shape))
            .sum()
    }

    /// A power of ten that brings the strip height (or the largest bin
    /// side) to at least 1000: our engine keeps a 0.01 mm safety gap that
    /// must stay negligible next to the part sizes.
    pub fn unit_scale(&self) -> f64 {
        let size = match &self.kind {
            InstanceKind::Strip { height } => *height,
            InstanceKind::Bins(bins) => bins
                .iter()
                .map(|b| {
                    let c = Contour::polygon(b.shape.outer.clone()).bbox();
                    c.width().max(c.height())
                })
                .fold(0.0, f64::max),
        };
        let mut scale = 1.0;
        while size * scale < 1000.0 && scale < 1e6 {
            scale *= 10.0;
        }
        scale
    }

    /// The items as our parts (scaled by `scale`, normalised to the origin).
    pub fn parts(&self, scale: f64) -> Vec<PartDemand> {
        self.items
            .iter()
            .map(|it| {
                let sc = |r: &[Point]| {
                    Contour::polygon(r.iter().map(|p| Point::new(p.x * scale, p.y * scale)))
                };
                let part = Part::new(
                    format!("{}-{}", self.name, it.id),
                    sc(&it.shape.outer),
                    it.shape.holes.iter().map(|h| sc(h)).collect(),
                )
                .normalized();
                PartDemand {
                    part: Arc::new(part),
                    quantity: it.demand,
                    rotations: it.rotations.clone(),
                    mirror: false,
                    min_quality: it.min_quality,
                    priority: crate::problem::DEFAULT_PRIORITY,
                }
            })
            .collect()
    }

    /// The bins of a bin instance as stock sheets (scaled by `scale`): a
    /// rectangular bin without holes or zones is a plain sheet, any other
    /// an outline with its holes and quality zones. `None` for a strip.
    pub fn bin_sheets(&self, scale: f64) -> Option<Vec<SheetSpec>> {
        let InstanceKind::Bins(bins) = &self.kind else {
            return None;
        };
        let sc =
            |r: &[Point]| Contour::polygon(r.iter().map(|p| Point::new(p.x * scale, p.y * scale)));
        let sheets = bins
            .iter()
            .map(|b| {
                let outer = sc(&b.shape.outer);
                let bb = outer.bbox();
                let rectangle =
                    (outer.area() - bb.width() * bb.height()).abs() <= 1e-9 * outer.area().max(1.0);
                let mut spec =
                    SheetSpec::rect(bb.width(), bb.height(), Some(b.stock), Some(b.cost));
                if !rectangle || !b.shape.holes.is_empty() || !b.zones.is_empty() {
                    let holes = b.shape.holes.iter().map(|h| sc(h)).collect();
                    let zones = b
                        .zones
                        .iter()
                        .map(|z| crate::problem::QualityZone {
                            quality: z.quality,
                            contour: sc(&z.shape.outer),
                        })
                        .collect();
                    spec.outline = Some(SheetOutline::normalized(outer, holes, zones).0);
                }
                spec
            })
            .collect();
        Some(sheets)
    }

    /// A strip instance as a one-sheet problem: height × `length_mm` (scaled units),
    /// no spacing, no margin.
    pub fn strip_problem(&self, scale: f64, length_mm: f64) -> Option<NestProblem> {
        let InstanceKind::Strip { height } = self.kind else {
            return None;
        };
        Some(NestProblem {
            parts: self.parts(scale),
            sheets: vec![SheetSpec {
                width_mm: length_mm,
                height_mm: height * scale,
                count: Some(1),
                cost: None,
                outline: None,
            }],
            spacing_mm: 0.0,
            margin_mm: 0.0,
        })
    }
}

/// Area of a shape: outer minus holes.
pub fn shape_area(s: &InstanceShape) -> f64 {
    Contour::polygon(s.outer.clone()).area()
        - s.holes
            .iter()
            .map(|h| Contour::polygon(h.clone()).area())
            .sum::<f64>()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_strip_and_orientations() {
        let v: Value = serde_json::from_str(
            r#"{"name":"t","strip_height":10.0,"items":[
              {"id":0,"demand":2,"allowed_orientations":[0.0,180.0],
               "shape":{"type":"simple_polygon","data":[[0,0],[4,0],[4,2],[0,2],[0,0]]}},
              {"id":1,"demand":1,"allowed_orientations":[0.0],
               "shape":{"type":"simple_polygon","data":[[0,0],[1,0],[0,1]]}},
              {"id":2,"demand":1,
               "shape":{"type":"polygon","data":{"outer":[[0,0],[5,0],[5,5],[0,5]],"inner":[[[1,1],[2,1],[2,2],[1,2]]]}}}
            ]}"#,
        )
        .unwrap();
        let inst = BenchInstance::from_json(&v, "x").unwrap();
        assert_eq!(inst.kind, InstanceKind::Strip { height: 10.0 });
        assert_eq!(inst.items[0].rotations, Rotations::List(vec![0.0, 180.0]));
        assert_eq!(inst.items[0].shape.outer.len(), 4);
        assert_eq!(inst.items[1].rotations, Rotations::None);
        assert_eq!(inst.items[2].rotations, Rotations::Free);
        assert!((inst.item_area() - (16.0 + 0.5 + 24.0)).abs() < 1e-9);
        assert_eq!(inst.unit_scale(), 100.0);
        let p = inst.strip_problem(100.0, 5000.0).unwrap();
        assert_eq!(p.sheets[0].height_mm, 1000.0);
        assert!((p.parts[0].part.area() - 80_000.0).abs() < 1e-6);
        assert_eq!(p.parts[2].part.holes.len(), 1);
    }

    #[test]
    fn rejects_missing_kind_and_bad_points() {
        let v: Value = serde_json::from_str(r#"{"name":"t","items":[]}"#).unwrap();
        assert!(BenchInstance::from_json(&v, "x").is_err());
        let v: Value = serde_json::from_str(
            r#"{"strip_height":1,"items":[{"demand":1,"shape":{"type":"simple_polygon","data":[[0,0],[1,"a"],[0,1]]}}]}"#,
        )
        .unwrap();
        assert!(BenchInstance::from_json(&v, "x").is_err());
    }
}
