//! Sheet DXFs re-read with the `dxf` crate keep layers, closed contours,
//! bulges, orientation and units; R12 uses POLYLINE; the SVG is well formed.

use dxf::Drawing;
use dxf::entities::EntityType;
use dxf::enums::{AcadVersion, DrawingUnits, Units};
use nesting::export::{
    DxfExportOptions, DxfVersion, ExportError, layout_svg, sheet_dxf, write_sheet_dxf,
};
use nesting::geometry::{Contour, Point, Transform, Vertex};
use nesting::metrics::layout_metrics;
use nesting::{
    Layout, LayoutMismatch, Marking, NestProblem, Part, PartDemand, Placement, Rotations,
    SheetLayout, SheetSpec,
};
use std::collections::HashMap;
use std::f64::consts::PI;
use std::sync::Arc;

/// 100 × 60 bracket, one rounded corner, a slot hole and a round hole, an
/// engraved line and an engraved text.
fn bracket() -> Part {
    let outer = Contour::new(vec![
        Vertex::line(0.0, 0.0),
        Vertex::line(100.0, 0.0),
        Vertex::new(100.0, 45.0, (PI / 8.0).tan()),
        Vertex::line(85.0, 60.0),
        Vertex::line(0.0, 60.0),
    ]);
    let slot = Contour::new(vec![
        Vertex::line(20.0, 20.0),
        Vertex::new(50.0, 20.0, 1.0),
        Vertex::line(50.0, 30.0),
        Vertex::new(20.0, 30.0, 1.0),
    ]);
    let round = Contour::circle(Point::new(75.0, 30.0), 8.0);
    let mut p = Part::new("bracket", outer, vec![slot, round]);
    p.marking = vec![
        Marking::Path {
            layer: "ETCH".into(),
            vertices: vec![Vertex::line(5.0, 5.0), Vertex::line(15.0, 5.0)],
            closed: false,
        },
        Marking::Text {
            layer: "ETCH".into(),
            position: Point::new(5.0, 50.0),
            height_mm: 3.0,
            angle_deg: 0.0,
            text: "B-1".into(),
        },
    ];
    p
}

fn problem() -> NestProblem {
    NestProblem {
        parts: vec![
            PartDemand {
                part: Arc::new(bracket()),
                quantity: 2,
                rotations: Rotations::Step90,
                mirror: true,
                min_quality: None,
                priority: nesting::DEFAULT_PRIORITY,
            },
            PartDemand {
                part: Arc::new(Part::new(
                    "disc",
                    Contour::circle(Point::new(20.0, 20.0), 20.0),
                    vec![],
                )),
                quantity: 1,
                rotations: Rotations::Free,
                mirror: false,
                min_quality: None,
                priority: nesting::DEFAULT_PRIORITY,
            },
        ],
        sheets: vec![SheetSpec {
            width_mm: 500.0,
            height_mm: 300.0,
            count: None,
            cost: None,
            outline: None,
        }],
        spacing_mm: 5.0,
        margin_mm: 10.0,
    }
}

fn layout() -> Layout {
    let t = |x, y, angle_deg, mirrored| Transform {
        x_mm: x,
        y_mm: y,
        angle_deg,
        mirrored,
    };
    Layout {
        sheets: vec![SheetLayout {
            sheet: 0,
            placements: vec![
                Placement {
                    part: 0,
                    copy: 1,
                    transform: t(10.0, 10.0, 0.0, false),
                },
                Placement {
                    part: 0,
                    copy: 2,
                    transform: t(300.0, 150.0, 90.0, true),
                },
                Placement {
                    part: 1,
                    copy: 1,
                    transform: t(350.0, 150.0, 0.0, false),
                },
            ],
        }],
        unplaced: vec![],
    }
}

/// (layer, closed, vertices with bulges) of every polyline, either kind.
fn polylines(d: &Drawing) -> Vec<(String, bool, Vec<Vertex>)> {
    d.entities()
        .filter_map(|e| {
            let layer = e.common.layer.clone();
            match &e.specific {
                EntityType::LwPolyline(p) => Some((
                    layer,
                    p.is_closed(),
                    p.vertices
                        .iter()
                        .map(|v| Vertex::new(v.x, v.y, v.bulge))
                        .collect(),
                )),
                EntityType::Polyline(p) => Some((
                    layer,
                    p.is_closed(),
                    p.vertices()
                        .map(|v| Vertex::new(v.location.x, v.location.y, v.bulge))
                        .collect(),
                )),
                _ => None,
            }
        })
        .collect()
}

fn count_by_layer(d: &Drawing) -> HashMap<String, usize> {
    let mut m = HashMap::new();
    for e in d.entities() {
        *m.entry(e.common.layer.clone()).or_insert(0) += 1;
    }
    m
}

fn same_contour(a: &Contour, b: &[Vertex]) -> bool {
    a.vertices.len() == b.len()
        && a.vertices.iter().zip(b).all(|(p, q)| {
            (p.x - q.x).abs() < 1e-9
                && (p.y - q.y).abs() < 1e-9
                && (p.bulge - q.bulge).abs() < 1e-12
        })
}

#[test]
fn r2000_dxf_round_trips_through_the_dxf_crate() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sheet-1_mm.dxf");
    let (pb, lay) = (problem(), layout());
    let report = nesting::validate::validate_layout(&pb, &lay);
    assert!(report.is_valid(), "{report}");
    write_sheet_dxf(&path, &pb, &lay, 0, &DxfExportOptions::default()).unwrap();
    // No temporary file is left next to it.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");

    let d = Drawing::load_file(&path).unwrap();
    assert_eq!(d.header.version, AcadVersion::R2000);
    assert_eq!(d.header.default_drawing_units, Units::Millimeters);
    assert_eq!(d.header.drawing_units, DrawingUnits::Metric);
    let counts = count_by_layer(&d);
    assert_eq!(counts.get("SHEET"), Some(&1));
    assert_eq!(counts.get("CUT_OUTER"), Some(&3));
    assert_eq!(counts.get("CUT_INNER"), Some(&4));
    assert_eq!(counts.get("MARK"), Some(&4)); // 2 brackets × (path + text)
    assert_eq!(counts.get("LABELS"), Some(&3));
    assert_eq!(counts.get("EVALUATION"), None);
    let layer_colors: HashMap<_, _> = d
        .layers()
        .map(|l| (l.name.clone(), l.color.index()))
        .collect();
    assert_eq!(layer_colors["SHEET"], Some(8));
    assert_eq!(layer_colors["CUT_OUTER"], Some(1));
    assert_eq!(layer_colors["CUT_INNER"], Some(5));

    let polys = polylines(&d);
    assert!(
        d.entities()
            .all(|e| !matches!(e.specific, EntityType::Polyline(_)))
    );
    for (layer, closed, verts) in &polys {
        let c = Contour::new(verts.clone());
        match layer.as_str() {
            "CUT_OUTER" => assert!(*closed && c.is_ccw(), "outer must be closed and CCW"),
            "CUT_INNER" => assert!(*closed && !c.is_ccw(), "hole must be closed and CW"),
            "SHEET" => assert!(*closed && (c.area() - 150_000.0).abs() < 1e-9),
            "MARK" => assert!(!*closed),
            other => panic!("unexpected polyline on {other}"),
        }
    }
    // Arcs are kept as bulges: each bracket outline has one, each slot two, each circle two.
    let bulges = |layer: &str| -> usize {
        polys
            .iter()
            .filter(|p| p.0 == layer)
            .flat_map(|p| &p.2)
            .filter(|v| v.bulge != 0.0)
            .count()
    };
    assert_eq!(bulges("CUT_OUTER"), 1 + 1 + 2);
    assert_eq!(bulges("CUT_INNER"), 2 * (2 + 2));
    // The written contours are exactly the placed ones (mirrored copy reoriented).
    for p in &lay.sheets[0].placements {
        let part = &pb.parts[p.part].part;
        let (outer, holes) = part.placed_contours(&p.transform);
        let outer = outer.oriented(true);
        assert!(
            polys
                .iter()
                .any(|q| q.0 == "CUT_OUTER" && same_contour(&outer, &q.2)),
            "outer of {} #{}",
            part.name,
            p.copy
        );
        for h in holes {
            let h = h.oriented(false);
            assert!(
                polys
                    .iter()
                    .any(|q| q.0 == "CUT_INNER" && same_contour(&h, &q.2))
            );
        }
        // Area preserved exactly, arcs included.
        let written: f64 = polys
            .iter()
            .filter(|q| q.0 == "CUT_OUTER" && same_contour(&outer, &q.2))
            .map(|q| Contour::new(q.2.clone()).area())
            .sum();
        assert!((written - part.outer.area()).abs() < 1e-6);
    }
    // Labels sit inside their part's material and keep the marking text.
    let texts: Vec<(String, String, f64, f64)> = d
        .entities()
        .filter_map(|e| match &e.specific {
            EntityType::Text(t) => Some((
                e.common.layer.clone(),
                t.value.clone(),
                t.location.x,
                t.location.y,
            )),
            _ => None,
        })
        .collect();
    assert_eq!(
        texts
            .iter()
            .filter(|t| t.0 == "MARK" && t.1 == "B-1")
            .count(),
        2
    );
    let label = texts
        .iter()
        .find(|t| t.0 == "LABELS" && t.1 == "bracket #1")
        .unwrap();
    // bracket #1 occupies x 10..110, y 10..70; its holes are around (45, 35) and (85, 40).
    assert!(
        label.2 > 10.0 && label.2 < 110.0 && label.3 > 10.0 && label.3 < 70.0,
        "{label:?}"
    );
    assert!(texts.iter().any(|t| t.0 == "LABELS" && t.1 == "disc #1"));
}

#[test]
fn r12_dxf_uses_polylines_not_dropped_lwpolylines() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sheet-1_mm_r12.dxf");
    let opts = DxfExportOptions {
        version: DxfVersion::R12,
        evaluation_mark: true,
    };
    write_sheet_dxf(&path, &problem(), &layout(), 0, &opts).unwrap();
    let raw = std::fs::read_to_string(&path).unwrap();
    assert!(raw.contains("AC1009"));
    assert!(!raw.contains("LWPOLYLINE"));
    let d = Drawing::load_file(&path).unwrap();
    let counts = count_by_layer(&d);
    assert_eq!(counts.get("CUT_OUTER"), Some(&3));
    assert_eq!(counts.get("CUT_INNER"), Some(&4));
    assert_eq!(counts.get("EVALUATION"), Some(&1));
    let polys = polylines(&d);
    assert!(
        d.entities()
            .all(|e| !matches!(e.specific, EntityType::LwPolyline(_)))
    );
    assert_eq!(polys.iter().filter(|p| p.0.starts_with("CUT_")).count(), 7);
    assert!(
        polys
            .iter()
            .filter(|p| p.0.starts_with("CUT_"))
            .all(|p| p.1)
    );
    let bulged = polys
        .iter()
        .filter(|p| p.0 == "CUT_INNER")
        .flat_map(|p| &p.2)
        .filter(|v| v.bulge != 0.0)
        .count();
    assert_eq!(bulged, 8);
    let eval = d
        .entities()
        .find(|e| e.common.layer == "EVALUATION")
        .unwrap();
    assert!(matches!(&eval.specific, EntityType::Text(t) if t.value == "EVALUATION"));
}

#[test]
fn export_errors_say_what_and_where() {
    let (pb, lay) = (problem(), layout());
    let err = sheet_dxf(&pb, &lay, 3, &DxfExportOptions::default()).unwrap_err();
    assert!(matches!(
        err,
        ExportError::NoSuchSheet {
            number: 4,
            count: 1
        }
    ));
    assert_eq!(
        err.to_string(),
        "sheet 4 does not exist: the layout has 1 sheet(s)"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing-folder").join("sheet.dxf");
    let err = write_sheet_dxf(&path, &pb, &lay, 0, &DxfExportOptions::default()).unwrap_err();
    assert!(matches!(err, ExportError::Io { .. }));
    assert!(err.to_string().contains("missing-folder"), "{err}");
    // Overwriting an existing file replaces it completely.
    let path = dir.path().join("s.dxf");
    std::fs::write(&path, "old junk").unwrap();
    write_sheet_dxf(&path, &pb, &lay, 0, &DxfExportOptions::default()).unwrap();
    assert!(Drawing::load_file(&path).is_ok());
}

#[test]
fn a_layout_of_another_job_is_refused_by_export_and_metrics_alike() {
    let pb = problem();
    let mut other_sheet = layout();
    other_sheet.sheets[0].sheet = 2;
    let sheet_err = LayoutMismatch::UnknownSheetSpec {
        number: 1,
        sheet_spec: 2,
        count: 1,
    };
    let mut other_part = layout();
    other_part.sheets[0].placements[2].part = 5;
    let part_err = LayoutMismatch::UnknownPart {
        number: 1,
        part_index: 5,
        count: 2,
    };
    for (lay, want) in [(other_sheet, sheet_err), (other_part, part_err)] {
        let err = sheet_dxf(&pb, &lay, 0, &DxfExportOptions::default()).unwrap_err();
        assert!(
            matches!(&err, ExportError::Mismatch(e) if *e == want),
            "{err:?}"
        );
        assert_eq!(err.to_string(), want.to_string());
        assert!(
            err.to_string()
                .ends_with("the layout does not belong to this job"),
            "{err}"
        );
        assert_eq!(layout_metrics(&pb, &lay).unwrap_err(), want);
    }
}

/// Checks that every tag is closed in order; returns the start tags' names.
fn balanced_tags(xml: &str) -> Vec<String> {
    let mut stack: Vec<String> = Vec::new();
    let mut seen = Vec::new();
    let mut rest = xml;
    while let Some(i) = rest.find('<') {
        let j = rest[i..].find('>').expect("unterminated tag") + i;
        let tag = &rest[i + 1..j];
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(
                stack.pop().as_deref(),
                Some(name.trim()),
                "mismatched </{name}>"
            );
        } else {
            let name = tag
                .split_whitespace()
                .next()
                .unwrap()
                .trim_end_matches('/')
                .to_string();
            seen.push(name.clone());
            if !tag.ends_with('/') {
                stack.push(name);
            }
        }
        rest = &rest[j + 1..];
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    seen
}

#[test]
fn svg_preview_is_well_formed_and_complete() {
    let (pb, mut lay) = (problem(), layout());
    // A second sheet with one part.
    let mut second = lay.sheets[0].clone();
    second.placements.truncate(1);
    second.placements[0].copy = 2;
    lay.sheets[0].placements.remove(1);
    lay.sheets.push(second);
    let svg = layout_svg(&pb, &lay);
    let tags = balanced_tags(&svg);
    assert_eq!(tags[0], "svg");
    assert_eq!(
        svg.matches("<path class=\"part\"").count(),
        lay.placed_count()
    );
    assert_eq!(svg.matches("<rect class=\"sheet\"").count(), 2);
    let u1 = lay.sheet_utilization(&pb, 0) * 100.0;
    assert!(
        svg.contains(&format!("Sheet 1 — 500 x 300 mm — utilization {u1:.1} %")),
        "{svg}"
    );
    assert!(svg.contains("Sheet 2 — 500 x 300 mm"));
    assert!(svg.contains("fill-rule=\"evenodd\""));
    assert!(
        svg.contains(" A8.0000 8.0000 0 0 1 "),
        "round hole as exact arcs; a clockwise hole turns clockwise on screen (sweep-flag 1)"
    );
    assert!(svg.contains(">bracket × 2</text>") && svg.contains(">disc × 1</text>"));
    // y is flipped: the bracket's bottom edge at y = 10 on sheet 1 (height 300,
    // below a title band) is drawn lower than its top edge at y = 70.
    let first_path = svg.split("<path class=\"part\" d=\"M").nth(1).unwrap();
    let mut nums = first_path.split([' ', 'L']).filter(|s| !s.is_empty());
    let (x0, y0): (f64, f64) = (
        nums.next().unwrap().parse().unwrap(),
        nums.next().unwrap().parse().unwrap(),
    );
    assert_eq!(x0, 10.0);
    assert!(y0 > 250.0, "{y0}");
}
