//! Every corpus file imports (or fails with a specific message) and its
//! contour counts agree with MANIFEST.tsv, except where documented below.

use nesting::import::{ImportError, ImportOptions, Unit, import_file};
use std::collections::HashMap;
use std::path::PathBuf;

fn corpus() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/dxf-corpus");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("SKIP: DXF corpus not found at {}", dir.display());
        None
    }
}

struct Expected {
    outer: usize,
    holes: usize,
    open: usize,
}

fn manifest(dir: &std::path::Path) -> HashMap<String, Option<Expected>> {
    let text = std::fs::read_to_string(dir.join("MANIFEST.tsv")).expect("MANIFEST.tsv");
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (cf, co, ch, cp) = (
        col("file"),
        col("expected_outer_contours"),
        col("hole_contours"),
        col("open_chains"),
    );
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            let exp = match (f[co].parse(), f[ch].parse(), f[cp].parse()) {
                (Ok(outer), Ok(holes), Ok(open)) => Some(Expected { outer, holes, open }),
                _ => None,
            };
            (f[cf].to_string(), exp)
        })
        .collect()
}

/// Files where our counts honestly differ from the manifest's probe, with why.
/// Our values are asserted so that regressions still fail.
/// Columns: file, outer contours, holes, open chains, explanation.
const DEVIATIONS: &[(&str, usize, usize, usize, &str)] = &[
    (
        "switchwire__rear_panel_abs.dxf",
        1,
        0,
        0,
        "the panel's closed LWPOLYLINE is drawn twice at the same place; the copy is removed as a duplicate (reported in fixes), the probe counted both",
    ),
    (
        "switchwire__deck_panel_right.dxf",
        1,
        3,
        0,
        "outline and its 3 circles are all drawn twice at the same place; duplicates removed, leaving 1 panel with 3 holes",
    ),
    (
        "skymaker__issue42.dxf",
        1,
        14,
        0,
        "the outline's ARCs (and circles) have extrusion (0,0,-1): mirrored in X through the OCS they close the outline, which then holds the 14 other loops as holes; the probe ignored the OCS and saw 8 open pieces",
    ),
    (
        "skymaker__blocks1.dxf",
        2,
        2,
        0,
        "two INSERTs of one square-with-hole block overlap with crossing outlines; neither contains the other, so each is a part with its own hole",
    ),
    (
        "skymaker__issue39.dxf",
        13,
        2,
        0,
        "the 10 'Pocket' loops straddle the 'Cutout' outline (they stick out of it), so by the majority of their sample points they are not inside it and stay separate outer contours; the 2 counterbore pockets are holes with the through holes as islands",
    ),
    (
        "openscad__example009.dxf",
        8,
        6,
        5,
        "an OpenSCAD source drawing: several layers draw overlapping outlines over the same area and 4 pieces are duplicated; containment by sample-point majority nests them differently from the probe",
    ),
    (
        "deepnestsharp__TopsNest.dxf",
        175,
        53,
        0,
        "a nest output: the sheet outline (layer 'Plate H475 W595') encloses everything, so by even-odd depth the big parts are holes of the sheet and their slots are islands; parts sharing an edge keep it on both sides (the doubled edge is not dropped)",
    ),
    (
        "deepnestsharp__ReadMeExampleSmall.dxf",
        14,
        15,
        5,
        "a nest output whose sheet outline (layer 'Plate H200 W600') encloses the parts, so by even-odd depth parts become holes of the sheet and their holes islands",
    ),
];

#[test]
fn corpus_counts_match_manifest() {
    let Some(dir) = corpus() else { return };
    let man = manifest(&dir);
    let mut failures = Vec::new();
    let mut names: Vec<_> = man.keys().cloned().collect();
    names.sort();
    for name in names {
        let path = dir.join(&name);
        let result = import_file(&path, &ImportOptions::default());
        match (&man[&name], result) {
            (None, Err(e)) => {
                assert!(matches!(e, ImportError::Parse { .. }), "{name}: {e}");
                let msg = e.to_string();
                assert!(
                    msg.contains("line/offset"),
                    "{name}: parse error without position: {msg}"
                );
                eprintln!("{name}: fails as expected: {msg}");
            }
            (None, Ok(_)) => failures.push(format!("{name}: expected a parse error, imported")),
            (Some(_), Err(e)) => failures.push(format!("{name}: import failed: {e}")),
            (Some(exp), Ok(f)) => {
                let outer = f.report.parts.len();
                let holes = f.report.hole_count;
                let open = f.report.open_chains.len();
                let (eo, eh, ep) = match DEVIATIONS.iter().find(|d| d.0 == name) {
                    Some(d) => (d.1, d.2, d.3),
                    None => (exp.outer, exp.holes, exp.open),
                };
                let line = format!(
                    "{name}: outer {outer}/{eo} holes {holes}/{eh} open {open}/{ep} (manifest {}/{}/{})",
                    exp.outer, exp.holes, exp.open
                );
                eprintln!("{line}");
                if (outer, holes, open) != (eo, eh, ep) {
                    failures.push(line);
                }
                for p in &f.parts {
                    assert!(
                        p.outer.is_ccw() && p.holes.iter().all(|h| !h.is_ccw()),
                        "{name}: orientation"
                    );
                    let bb = p.bbox();
                    assert!(
                        bb.min.x.abs() < 1e-6 && bb.min.y.abs() < 1e-6,
                        "{name}: not normalized"
                    );
                    assert!(p.area() > 0.0, "{name}: part {} without area", p.name);
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "count mismatches:\n{}",
        failures.join("\n")
    );
}

fn import(name: &str) -> Option<nesting::import::ImportedFile> {
    let dir = corpus()?;
    Some(
        import_file(&dir.join(name), &ImportOptions::default())
            .unwrap_or_else(|e| panic!("{name}: {e}")),
    )
}

fn import_with(name: &str, o: &ImportOptions) -> Option<nesting::import::ImportedFile> {
    let dir = corpus()?;
    Some(import_file(&dir.join(name), o).unwrap_or_else(|e| panic!("{name}: {e}")))
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

#[test]
fn inch_file_is_scaled_to_mm() {
    let Some(f) = import("deepnestport__poly1.dxf") else {
        return;
    };
    assert_eq!(f.report.unit_used, Unit::Inch);
    assert!(
        f.report.source_units.contains("$INSUNITS=1"),
        "{}",
        f.report.source_units
    );
    let p = &f.report.parts[0];
    // Manifest bbox 11..25 x -18..-5 inches.
    assert!(
        close(p.width_mm, 14.0 * 25.4, 1e-6) && close(p.height_mm, 13.0 * 25.4, 1e-6),
        "{p:?}"
    );
    let o = ImportOptions {
        unit_override: Some(Unit::Millimeter),
        ..ImportOptions::default()
    };
    let g = import_with("deepnestport__poly1.dxf", &o).unwrap();
    assert!(close(g.report.parts[0].width_mm, 14.0, 1e-9));
    assert!(g.report.warnings.iter().any(|w| w.contains("override")));
}

#[test]
fn unitless_file_uses_default_unit() {
    let o = ImportOptions {
        default_unit: Unit::Inch,
        ..ImportOptions::default()
    };
    let Some(f) = import_with("deepnestsharp__Donut.dxf", &o) else {
        return;
    };
    assert_eq!(f.report.unit_used, Unit::Inch);
    assert!(close(f.report.parts[0].width_mm, 120.0 * 25.4, 1e-6));
    let g = import("deepnestsharp__Donut.dxf").unwrap();
    assert!(close(g.report.parts[0].width_mm, 120.0, 1e-9));
}

#[test]
fn spline_squircle_is_evaluated_inside_its_control_polygon() {
    let Some(dir) = corpus() else { return };
    let f = import("skymaker__squircle2.dxf").unwrap();
    let part = &f.parts[0];
    let d = dxf::Drawing::load_file(dir.join("skymaker__squircle2.dxf")).unwrap();
    let ctrl: Vec<(f64, f64)> = d
        .entities()
        .find_map(|e| match &e.specific {
            dxf::entities::EntityType::Spline(s) => Some(
                s.control_points
                    .iter()
                    .map(|p| (p.x * 25.4, p.y * 25.4))
                    .collect(),
            ),
            _ => None,
        })
        .unwrap();
    let n = ctrl.len();
    let poly_area = (0..n)
        .map(|i| {
            let (a, b) = (ctrl[i], ctrl[(i + 1) % n]);
            a.0 * b.1 - a.1 * b.0
        })
        .sum::<f64>()
        .abs()
        / 2.0;
    let area = part.area();
    // Manifest bbox ±0.756 in: a squircle of width 38.4 mm.
    let bb = part.bbox();
    assert!(
        close(bb.width(), 1.512 * 25.4, 0.05) && close(bb.height(), 1.512 * 25.4, 0.05),
        "{bb:?}"
    );
    // This squircle is nearly a circle: close to the inscribed circle, well below the square,
    // and inside its control polygon (convex hull property).
    let r = bb.width() / 2.0;
    assert!(
        area > 0.95 * std::f64::consts::PI * r * r && area < 0.9 * 4.0 * r * r,
        "area {area}"
    );
    assert!(
        area < poly_area,
        "area {area} >= control polygon {poly_area}"
    );
    assert!(
        part.outer.vertices.len() > 50,
        "spline was not flattened finely"
    );
}

#[test]
fn minsert_array_gives_14_holes() {
    let Some(f) = import("skymaker__arrayed-holes.dxf") else {
        return;
    };
    assert_eq!(f.parts.len(), 1);
    assert_eq!(f.parts[0].holes.len(), 14);
    let mut centres: Vec<(i64, i64)> = f.parts[0]
        .holes
        .iter()
        .map(|h| {
            let c = h.bbox().center();
            ((c.x * 1e3).round() as i64, (c.y * 1e3).round() as i64)
        })
        .collect();
    centres.sort();
    centres.dedup();
    assert_eq!(centres.len(), 14, "array copies must be at distinct places");
}

#[test]
fn hatch_is_reported_as_not_supported() {
    let Some(f) = import("skymaker__hatches.dxf") else {
        return;
    };
    let row = f
        .report
        .ignored
        .iter()
        .find(|r| r.kind == "HATCH")
        .expect("HATCH row");
    assert_eq!(row.count, 1);
    assert!(row.reason.contains("not supported"), "{row:?}");
    assert!(
        f.report
            .to_string()
            .contains("HATCH: 1 (not supported by the DXF reader)")
    );
}

#[test]
fn dimensions_are_counted() {
    let Some(f) = import("openscad__example009.dxf") else {
        return;
    };
    assert_eq!(
        f.report.ignored_count("DIMENSION"),
        4,
        "{:?}",
        f.report.ignored
    );
    let g = import("skymaker__issue42.dxf").unwrap();
    assert_eq!(g.report.ignored_count("DIMENSION"), 13);
}

#[test]
fn paper_space_is_counted_and_skipped() {
    let Some(f) = import("skymaker__testModelPaperSpace.dxf") else {
        return;
    };
    assert_eq!(
        f.report.ignored_count("paper space"),
        1,
        "{:?}",
        f.report.ignored
    );
    assert_eq!(f.parts.len(), 1);
}

#[test]
fn layer_filter_excludes_the_sheet_outline() {
    let o = ImportOptions {
        cut_layers: Some(vec!["0".into()]),
        ..ImportOptions::default()
    };
    let Some(f) = import_with("deepnestsharp__TopsNest.dxf", &o) else {
        return;
    };
    let all = import("deepnestsharp__TopsNest.dxf").unwrap();
    assert!(
        all.report
            .parts
            .iter()
            .any(|p| close(p.width_mm, 595.0, 1e-6) && close(p.height_mm, 475.0, 1e-6))
    );
    assert!(
        !f.report
            .parts
            .iter()
            .any(|p| close(p.width_mm, 595.0, 1e-6))
    );
    let plate = f
        .report
        .layers
        .iter()
        .find(|l| l.name == "Plate H475 W595")
        .unwrap();
    assert_eq!(plate.role, "not selected");
    assert_eq!(f.report.ignored_count("layer 'Plate H475 W595'"), 1);
    assert!(f.report.parts.len() + f.report.hole_count == 227);
}

#[test]
fn text_layer_becomes_marking_of_the_containing_part() {
    let Some(f) = import("skymaker__issue39.dxf") else {
        return;
    };
    let text_layer = f.report.layers.iter().find(|l| l.name == "Text").unwrap();
    assert_eq!(text_layer.role, "marking");
    let texts: Vec<_> = f
        .parts
        .iter()
        .flat_map(|p| p.marking.iter().map(move |m| (p, m)))
        .filter(|(_, m)| matches!(m, nesting::Marking::Text { .. }))
        .collect();
    assert_eq!(texts.len(), 1);
    let (
        part,
        nesting::Marking::Text {
            position,
            height_mm,
            ..
        },
    ) = texts[0]
    else {
        unreachable!()
    };
    assert!(
        part.bbox().contains(*position),
        "text not in its part's local frame"
    );
    assert!(close(*height_mm, 0.3321850393700786 * 25.4, 1e-9));
}

#[test]
fn one_part_per_file_keeps_largest_outer_and_reports_the_rest() {
    let o = ImportOptions {
        one_part_per_file: true,
        ..ImportOptions::default()
    };
    let Some(f) = import_with("openscad__polygon-many-holes.dxf", &o) else {
        return;
    };
    assert_eq!(f.parts.len(), 1);
    assert_eq!(f.parts[0].name, "openscad__polygon-many-holes");
    assert!(
        f.report
            .warnings
            .iter()
            .any(|w| w.contains("one part per file") && w.contains("21")),
        "{:?}",
        f.report.warnings
    );
    let many = import("openscad__polygon-many-holes.dxf").unwrap();
    assert_eq!(many.parts[0].name, "openscad__polygon-many-holes#1");
}

#[test]
fn open_chain_is_reported_in_mm_with_its_gap() {
    let Some(f) = import("openscad__open-polyline.dxf") else {
        return;
    };
    assert!(f.parts.is_empty());
    assert_eq!(f.report.open_chains.len(), 1);
    let c = &f.report.open_chains[0];
    assert!(close(c.gap_mm, c.start.dist(c.end), 1e-12));
    // Manifest bbox 100..200 x 0..100: the ends lie in it.
    for p in [c.start, c.end] {
        assert!(
            (100.0..=200.0).contains(&p.x) && (0.0..=100.0).contains(&p.y),
            "{p:?}"
        );
    }
    assert!(f.report.fixes.iter().any(|x| x.contains("zero-length")));
}

#[test]
fn bow_tie_is_flagged_with_its_crossing_point() {
    let Some(f) = import("openscad__polygon-self-intersect.dxf") else {
        return;
    };
    assert_eq!(f.report.self_intersections.len(), 1);
    let at = f.report.self_intersections[0].at;
    assert!(close(at.x, 50.0, 1e-6) && close(at.y, 50.0, 1e-6), "{at:?}");
    assert!(f.parts.is_empty());
}

#[test]
fn binary_dxf_says_the_raw_scan_is_unavailable() {
    let Some(f) = import("ezdxf__bin_dxf_r12.dxf") else {
        return;
    };
    assert!(f.report.warnings.iter().any(|w| w.contains("binary DXF")));
}

#[test]
fn missing_file_is_an_io_error() {
    let e = import_file(
        std::path::Path::new("/nonexistent/x.dxf"),
        &ImportOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(e, ImportError::Io { .. }));
    assert!(e.to_string().contains("/nonexistent/x.dxf"));
}
