//! DXF import: raw scan, entity flattening, chaining into contours, parts and the import report.
//!
//! Pipeline: the raw text is scanned for entity kinds the `dxf` crate drops
//! silently; the crate parses the file; model-space entities (with blocks
//! expanded) become bulge paths in mm; zero-length pieces and duplicates are
//! removed; ends within the gap tolerance are chained; closed chains become
//! contours nested by even-odd depth (outer, hole, island...); marking layers
//! and texts travel with the part that contains them. Nothing is dropped
//! without a line in the [`ImportReport`].

pub mod chain;
pub mod contours;
pub mod entities;
pub mod raw_scan;
pub mod report;
pub mod spline;
pub mod units;

pub use report::{
    IgnoredEntities, ImportReport, LayerSummary, OpenChain, PartSummary, SelfIntersection,
};
pub use units::{Unit, UnknownUnit};

use crate::geometry::{BBox, Contour, Point, Segment};
use crate::part::{Marking, Part};
use chain::{Chain, chain, clean, drop_duplicates};
use contours::{Located, contour_of, nest, self_intersection};
use entities::{Affine, RawPath, Walker, dxf_name};
use raw_scan::{Format, RawScan, detect_format, scan_ascii};
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

/// How a DXF file is read.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportOptions {
    /// Unit for files whose header does not say (`$INSUNITS` missing or 0).
    pub default_unit: Unit,
    /// Unit forced for this file, whatever the header says.
    pub unit_override: Option<Unit>,
    /// Largest gap (mm) closed when chaining; `None` = max(1e-6 × extent diagonal, 1e-4 drawing units).
    pub gap_tolerance_mm: Option<f64>,
    /// Chord tolerance (mm) for flattening splines, ellipses and non-uniformly scaled arcs.
    pub curve_tolerance_mm: f64,
    /// All closed contours form one part (the largest outer with its holes).
    pub one_part_per_file: bool,
    /// Layers to cut (case-insensitive); `None` = every visible layer that is not a marking layer.
    pub cut_layers: Option<Vec<String>>,
    /// Layer name fragments (case-insensitive) whose geometry is marking, not cut.
    pub marking_layers: Vec<String>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        Self {
            default_unit: Unit::Millimeter,
            unit_override: None,
            gap_tolerance_mm: None,
            curve_tolerance_mm: 0.01,
            one_part_per_file: false,
            cut_layers: None,
            marking_layers: ["MARK", "ETCH", "ENGRAV", "TEXT"]
                .map(String::from)
                .to_vec(),
        }
    }
}

/// Parts and report of one imported file.
#[derive(Clone, Debug)]
pub struct ImportedFile {
    pub parts: Vec<Part>,
    pub report: ImportReport,
}

/// Why a file could not be imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("cannot read '{}': {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "'{file}' is not a readable DXF file: {message}. Re-save it from your CAD program as ASCII DXF (R12 or newer)."
    )]
    Parse { file: String, message: String },
    #[error("'{file}' contains no cut geometry: {detail}")]
    NoGeometry { file: String, detail: String },
    #[error("invalid import option: {0}")]
    InvalidOption(String),
}

/// Imports one DXF file from disk.
pub fn import_file(path: &Path, options: &ImportOptions) -> Result<ImportedFile, ImportError> {
    let bytes = std::fs::read(path).map_err(|source| ImportError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    import_bytes(&name, &bytes, options)
}

fn check_options(o: &ImportOptions) -> Result<(), ImportError> {
    if !(o.curve_tolerance_mm.is_finite() && o.curve_tolerance_mm > 0.0) {
        return Err(ImportError::InvalidOption(format!(
            "curve tolerance must be a positive number of mm, got {}",
            o.curve_tolerance_mm
        )));
    }
    if let Some(g) = o.gap_tolerance_mm
        && !(g.is_finite() && g >= 0.0)
    {
        return Err(ImportError::InvalidOption(format!(
            "gap tolerance must be zero or a positive number of mm, got {g}"
        )));
    }
    Ok(())
}

fn parse(name: &str, bytes: &[u8]) -> Result<dxf::Drawing, ImportError> {
    let result = std::panic::catch_unwind(|| dxf::Drawing::load(&mut std::io::Cursor::new(bytes)));
    match result {
        Ok(Ok(d)) => Ok(d),
        Ok(Err(e)) => Err(ImportError::Parse {
            file: name.to_string(),
            message: format!("DXF reader error: {e}"),
        }),
        Err(_) => Err(ImportError::Parse {
            file: name.to_string(),
            message: "the DXF reader crashed on malformed data (the file is damaged or not a DXF)"
                .to_string(),
        }),
    }
}

fn file_stem(name: &str) -> String {
    Path::new(name)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "part".to_string())
}

/// Which way a layer's geometry goes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Role {
    Cut,
    Marking,
    NotSelected,
}

impl Role {
    fn name(self) -> &'static str {
        match self {
            Role::Cut => "cut",
            Role::Marking => "marking",
            Role::NotSelected => "not selected",
        }
    }
}

fn layer_role(layer: &str, o: &ImportOptions) -> Role {
    let upper = layer.to_uppercase();
    if let Some(list) = &o.cut_layers
        && list.iter().any(|l| l.to_uppercase() == upper)
    {
        return Role::Cut;
    }
    if o.marking_layers
        .iter()
        .any(|m| !m.is_empty() && upper.contains(&m.to_uppercase()))
    {
        return Role::Marking;
    }
    match &o.cut_layers {
        Some(_) => Role::NotSelected,
        None => Role::Cut,
    }
}

fn path_bbox(paths: &[RawPath]) -> BBox {
    let mut bb = BBox::EMPTY;
    for p in paths {
        for w in p.verts.windows(2) {
            let s = if w[0].bulge.abs() < crate::geometry::BULGE_EPS {
                Segment::Line {
                    a: w[0].point(),
                    b: w[1].point(),
                }
            } else {
                Segment::Arc {
                    a: w[0].point(),
                    b: w[1].point(),
                    bulge: w[0].bulge,
                }
            };
            bb = bb.union(&s.bbox());
        }
    }
    bb
}

fn describe(c: &Contour, layer: &str) -> String {
    let bb = c.bbox();
    format!(
        "contour on layer '{layer}' ({:.3} x {:.3} mm at ({:.3}, {:.3}))",
        bb.width(),
        bb.height(),
        bb.min.x,
        bb.min.y
    )
}

/// Imports a DXF from memory; `name` is the file name used in the report and for part names.
pub fn import_bytes(
    name: &str,
    bytes: &[u8],
    options: &ImportOptions,
) -> Result<ImportedFile, ImportError> {
    check_options(options)?;
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ImportError::Parse {
            file: name.to_string(),
            message: "the file is empty".to_string(),
        });
    }
    let format = detect_format(bytes);
    let raw: Option<RawScan> = (format == Format::Ascii).then(|| scan_ascii(bytes));
    let drawing = parse(name, bytes)?;
    let mut report = ImportReport::new(name, options.default_unit);

    // Version.
    let version = drawing.header.version;
    report.dxf_version = match (&raw, format) {
        (Some(r), _) if r.acadver.is_some() => format!("{version} ({version:?})"),
        (Some(_), _) => format!("no $ACADVER: read as {version:?}"),
        (None, Format::Binary) => format!("{version} ({version:?}), binary DXF"),
        (None, _) => format!("{version} ({version:?}), DXB"),
    };

    // Units.
    let insunits: Option<i64> = match &raw {
        Some(r) => r.insunits,
        None => Some(drawing.header.default_drawing_units as i64),
    };
    let header_unit = insunits.and_then(Unit::from_insunits);
    report.source_units = match insunits {
        None => "no $INSUNITS".to_string(),
        Some(0) => "$INSUNITS=0 (unitless)".to_string(),
        Some(c) => match header_unit {
            Some(u) => format!("$INSUNITS={c} ({u})"),
            None => format!("$INSUNITS={c} (not a cutting unit)"),
        },
    };
    let unit = match (options.unit_override, header_unit) {
        (Some(u), h) => {
            if let Some(h) = h
                && h != u
            {
                report.warnings.push(format!(
                    "unit override: read as {u} although the header says {h}"
                ));
            }
            u
        }
        (None, Some(h)) => h,
        (None, None) => {
            report.warnings.push(format!(
                "the file does not say its unit: read as {} (the default); check the part sizes",
                options.default_unit
            ));
            options.default_unit
        }
    };
    report.unit_used = unit;
    let k = unit.mm_per_unit();
    if format != Format::Ascii {
        report.warnings.push(
            "binary DXF: the raw entity scan is not available, so entity kinds the DXF reader does not support cannot be listed"
                .to_string(),
        );
    }

    // Hidden layers: frozen (raw table flags) or off (negative colour).
    let mut frozen: HashSet<String> = HashSet::new();
    let mut off: HashSet<String> = HashSet::new();
    if let Some(r) = &raw {
        for (n, l) in &r.layers {
            if l.frozen() {
                frozen.insert(n.to_uppercase());
            } else if l.off() {
                off.insert(n.to_uppercase());
            }
        }
    }
    for l in drawing.layers() {
        if !l.is_layer_on && !frozen.contains(&l.name.to_uppercase()) {
            off.insert(l.name.to_uppercase());
        }
    }
    let hidden: HashSet<String> = frozen.union(&off).cloned().collect();

    // Entities -> paths in mm.
    let mut walker = Walker::new(&drawing, &hidden, options.curve_tolerance_mm);
    let root = Affine::scale(k, k);
    for e in drawing.entities() {
        walker.entity(e, &root, None, 0);
    }
    let collected = walker.out;
    report.warnings.extend(collected.warnings.iter().cloned());
    for ((kind, reason), n) in &collected.ignored {
        report.ignore(kind, *n, reason);
    }
    report.ignore(
        "paper space",
        collected.paper_space,
        "paper space layout, only model space is imported",
    );
    for (b, n) in &collected.missing_blocks {
        report.warnings.push(format!(
            "INSERT of missing block '{b}' ({n} time(s)): nothing drawn"
        ));
    }
    if collected.depth_exceeded > 0 {
        report.warnings.push(format!(
            "{} INSERT(s) nested deeper than {} levels were not expanded (recursive blocks?)",
            collected.depth_exceeded,
            entities::MAX_BLOCK_DEPTH
        ));
    }

    // Raw scan vs what the reader returned: kinds dropped silently.
    if let Some(r) = &raw {
        let mut ms: BTreeMap<&str, usize> = BTreeMap::new();
        for e in drawing.entities() {
            *ms.entry(dxf_name(&e.specific)).or_default() += 1;
        }
        let mut bl: BTreeMap<&str, usize> = BTreeMap::new();
        for b in drawing.blocks() {
            for e in &b.entities {
                *bl.entry(dxf_name(&e.specific)).or_default() += 1;
            }
        }
        for (counts, got) in [(&r.entities, &ms), (&r.block_entities, &bl)] {
            for (kind, n) in counts {
                if matches!(kind.as_str(), "VERTEX" | "SEQEND" | "ATTRIB") {
                    continue;
                }
                let have = got.get(kind.as_str()).copied().unwrap_or(0);
                if *n > have {
                    report.ignore(kind, n - have, "not supported by the DXF reader");
                }
            }
        }
    }

    // Layers.
    let mut layer_names: BTreeMap<String, String> = BTreeMap::new();
    for l in drawing.layers() {
        layer_names.insert(l.name.to_uppercase(), l.name.clone());
    }
    for n in collected
        .layer_counts
        .keys()
        .chain(collected.hidden_counts.keys())
    {
        layer_names
            .entry(n.to_uppercase())
            .or_insert_with(|| n.clone());
    }
    for (upper, n) in &layer_names {
        let count = collected
            .layer_counts
            .iter()
            .chain(collected.hidden_counts.iter())
            .filter(|(l, _)| l.to_uppercase() == *upper)
            .map(|(_, c)| *c)
            .sum();
        let role = if frozen.contains(upper) {
            "frozen (skipped)".to_string()
        } else if off.contains(upper) {
            "off (skipped)".to_string()
        } else {
            layer_role(n, options).name().to_string()
        };
        report.layers.push(LayerSummary {
            name: n.clone(),
            entities: count,
            role,
        });
    }
    for (l, c) in &collected.hidden_counts {
        let why = if frozen.contains(&l.to_uppercase()) {
            "frozen layer"
        } else {
            "layer switched off"
        };
        report.ignore(&format!("layer '{l}'"), *c, why);
    }

    // Split paths by role.
    let mut cut_paths = Vec::new();
    let mut mark_paths = Vec::new();
    let mut unselected: BTreeMap<String, usize> = BTreeMap::new();
    for p in collected.paths {
        match layer_role(&p.layer, options) {
            Role::Cut => cut_paths.push(p),
            Role::Marking => mark_paths.push(p),
            Role::NotSelected => *unselected.entry(p.layer.clone()).or_default() += 1,
        }
    }
    for (l, c) in &unselected {
        report.ignore(
            &format!("layer '{l}'"),
            *c,
            "layer not selected for cutting",
        );
    }

    if cut_paths.is_empty() {
        let layers: Vec<String> = report
            .layers
            .iter()
            .map(|l| format!("{} ({} entities, {})", l.name, l.entities, l.role))
            .collect();
        let ignored: Vec<String> = report
            .ignored
            .iter()
            .map(|i| format!("{}: {}", i.kind, i.count))
            .collect();
        return Err(ImportError::NoGeometry {
            file: name.to_string(),
            detail: format!(
                "no lines, arcs, circles, polylines, splines or ellipses in model space on the cut layers. Layers: [{}]. Not cut: [{}]. Check the layer selection or whether the drawing is in paper space.",
                layers.join(", "),
                ignored.join(", ")
            ),
        });
    }

    // Tolerance and cleaning.
    let bb_all = path_bbox(&cut_paths);
    report.bbox_mm = Some(bb_all);
    let tol = options
        .gap_tolerance_mm
        .unwrap_or_else(|| (1e-6 * bb_all.diagonal()).max(1e-4 * k));
    let (cut_paths, keys, stats) = clean(cut_paths);
    if stats.zero_length_segments > 0 {
        report.fixes.push(format!(
            "removed {} zero-length segment(s)",
            stats.zero_length_segments
        ));
    }
    let (chains, cstats) = chain(cut_paths, &keys, tol);
    let (chains, duplicates) = drop_duplicates(chains);
    if duplicates > 0 {
        report.fixes.push(format!(
            "removed {duplicates} duplicate piece(s) (drawn twice at the same place)"
        ));
    }
    if cstats.gaps_closed > 0 {
        report.fixes.push(format!(
            "closed {} gap(s) between pieces, largest {:.6} mm (gap tolerance {:.6} mm)",
            cstats.gaps_closed, cstats.max_gap_mm, tol
        ));
    }

    // Closed chains -> contours; open chains -> report.
    let mut contours: Vec<Contour> = Vec::new();
    let mut contour_layers: Vec<String> = Vec::new();
    let mut zero_area = 0usize;
    for c in &chains {
        if !c.closed {
            report.open_chains.push(OpenChain {
                layer: c.layer.clone(),
                start: c.start(),
                end: c.end(),
                gap_mm: c.start().dist(c.end()),
                segments: c.segments(),
            });
            continue;
        }
        let contour = contour_of(c);
        if let Some(at) = self_intersection(&contour, options.curve_tolerance_mm) {
            report.self_intersections.push(SelfIntersection {
                contour: describe(&contour, &c.layer),
                at,
            });
        }
        if contour.area() <= 0.5 * tol * contour.length() {
            zero_area += 1;
            continue;
        }
        contours.push(contour);
        contour_layers.push(c.layer.clone());
    }
    if zero_area > 0 {
        report.fixes.push(format!("dropped {zero_area} closed loop(s) without area (lines drawn back and forth, or a figure crossing itself)"));
    }
    if !report.open_chains.is_empty() {
        let max_gap = report
            .open_chains
            .iter()
            .map(|o| o.gap_mm)
            .fold(0.0, f64::max);
        report.warnings.push(format!(
            "{} open chain(s) are not parts (largest gap between its ends {:.4} mm): close them in CAD or raise the gap tolerance",
            report.open_chains.len(),
            max_gap
        ));
    }
    if !report.self_intersections.is_empty() {
        report.warnings.push(format!(
            "{} contour(s) cross themselves: fix the drawing before cutting",
            report.self_intersections.len()
        ));
    }

    // Containment -> parts.
    let located = Located::new(&contours, options.curve_tolerance_mm);
    let nesting = nest(&contours, &located);
    let mut outers: Vec<usize> = (0..contours.len())
        .filter(|&i| nesting.depth[i].is_multiple_of(2))
        .collect();
    outers.sort_by(|&a, &b| {
        located.areas[b]
            .total_cmp(&located.areas[a])
            .then(a.cmp(&b))
    });
    if options.one_part_per_file && outers.len() > 1 {
        let main = outers[0];
        let left: Vec<usize> = (0..contours.len())
            .filter(|&i| i != main && nesting.parent[i] != Some(main))
            .collect();
        let outside = left.iter().filter(|&&i| nesting.depth[i] == 0).count();
        report.warnings.push(format!(
            "one part per file: {} closed contour(s) do not belong to the largest outer contour and were not included ({} outside it, {} inside its holes)",
            left.len(),
            outside,
            left.len() - outside
        ));
        for &i in left.iter().take(20) {
            report.warnings.push(format!(
                "  not included: {}",
                describe(&contours[i], &contour_layers[i])
            ));
        }
        outers.truncate(1);
    }
    let stem = file_stem(name);
    let mut parts: Vec<Part> = outers
        .iter()
        .enumerate()
        .map(|(n, &i)| {
            let holes: Vec<Contour> = (0..contours.len())
                .filter(|&j| nesting.parent[j] == Some(i))
                .map(|j| contours[j].clone())
                .collect();
            let name = if outers.len() == 1 {
                stem.clone()
            } else {
                format!("{stem}#{}", n + 1)
            };
            Part::new(name, contours[i].clone(), holes)
        })
        .collect();

    // Markings: marking-layer paths and texts go to the part that contains them.
    let (mark_paths, mark_keys, _) = clean(mark_paths);
    let (mark_chains, _) = chain(mark_paths, &mark_keys, tol);
    let (mark_chains, _) = drop_duplicates(mark_chains);
    let mut unattached = 0usize;
    let mut attach = |p: Point, m: Marking, parts: &mut Vec<Part>| match located
        .smallest_containing(p, outers.iter().copied())
    {
        Some(i) => {
            let idx = outers.iter().position(|&o| o == i).unwrap_or(0);
            parts[idx].marking.push(m);
        }
        None => unattached += 1,
    };
    for c in mark_chains {
        let Chain {
            layer,
            mut verts,
            closed,
            ..
        } = c;
        let at = verts[0].point();
        if closed {
            verts.pop();
        }
        attach(
            at,
            Marking::Path {
                layer,
                vertices: verts,
                closed,
            },
            &mut parts,
        );
    }
    for t in collected.texts {
        let at = t.position;
        attach(
            at,
            Marking::Text {
                layer: t.layer,
                position: t.position,
                height_mm: t.height_mm,
                angle_deg: t.angle_deg,
                text: t.text,
            },
            &mut parts,
        );
    }
    if unattached > 0 {
        report.warnings.push(format!(
            "{unattached} marking path(s)/text(s) lie outside every part and were not attached"
        ));
    }

    let parts: Vec<Part> = parts.into_iter().map(Part::normalized).collect();
    for p in &parts {
        let bb = p.bbox();
        report.parts.push(PartSummary {
            name: p.name.clone(),
            width_mm: bb.width(),
            height_mm: bb.height(),
            area_mm2: p.area(),
            holes: p.holes.len(),
        });
    }
    report.hole_count = parts.iter().map(|p| p.holes.len()).sum();
    if parts.is_empty() {
        report
            .warnings
            .push("no closed contour: the file gives no part".to_string());
    }
    Ok(ImportedFile { parts, report })
}
