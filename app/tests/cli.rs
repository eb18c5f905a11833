//! The real `nestwork` binary on the sample job: nest, validate, import, and
//! the errors a user gets for bad input.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn nestwork(args: &[&str]) -> Output {
    nestwork_with_log(args, None)
}

/// Runs the binary with `NESTWORK_LOG` set to `log` (unset with `None`).
fn nestwork_with_log(args: &[&str], log: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_nestwork"));
    cmd.args(args).current_dir(workspace_root());
    match log {
        Some(v) => cmd.env("NESTWORK_LOG", v),
        None => cmd.env_remove("NESTWORK_LOG"),
    };
    cmd.output().expect("the nestwork binary runs")
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn text(o: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Placements over all sheets of a nest report.
fn placed_count(report: &Value) -> usize {
    report["sheets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["placements"].as_array().unwrap().len())
        .sum()
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Nests the sample job quickly into a temporary folder and returns it.
fn nest_samples() -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    let o = nestwork(&[
        "nest",
        "assets/samples/job.toml",
        "--out",
        out.path().to_str().unwrap(),
        "--time",
        "20",
        "--iterations",
        "2",
        "--json",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    out
}

#[test]
fn sample_job_nests_validates_and_reports() {
    let out = nest_samples();
    let report = read_json(&out.path().join("report.json"));
    let sheets = report["sheets"].as_array().unwrap();
    assert!(
        sheets.len() >= 2,
        "the sample needs more than one sheet: {report}"
    );
    for (i, s) in sheets.iter().enumerate() {
        let file = out.path().join(format!("sheet-{:03}.dxf", i + 1));
        assert!(file.is_file(), "{} missing", file.display());
        let d = dxf::Drawing::load_file(&file).unwrap();
        assert_eq!(
            d.header.default_drawing_units,
            dxf::enums::Units::Millimeters
        );
        let outer = d
            .entities()
            .filter(|e| e.common.layer == "CUT_OUTER")
            .count();
        assert_eq!(outer, s["placements"].as_array().unwrap().len());
        for p in s["placements"].as_array().unwrap() {
            for key in [
                "part",
                "copy",
                "sheet",
                "x_mm",
                "y_mm",
                "angle_deg",
                "mirrored",
            ] {
                assert!(!p[key].is_null(), "placement lacks {key}: {p}");
            }
        }
    }
    // Every requested copy is placed or listed as unplaced with a reason.
    for part in report["parts"].as_array().unwrap() {
        let name = part["name"].as_str().unwrap();
        let placed = sheets
            .iter()
            .flat_map(|s| s["placements"].as_array().unwrap())
            .filter(|p| p["part"] == name)
            .count() as u64;
        let unplaced: u64 = report["unplaced"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|u| u["part"] == name)
            .map(|u| u["count"].as_u64().unwrap())
            .sum();
        assert_eq!(
            placed + unplaced,
            part["quantity"].as_u64().unwrap(),
            "{name}"
        );
    }
    assert_eq!(report["validation"], "passed");
    let u = report["utilization"].as_f64().unwrap();
    assert!(u > 0.3 && u < 1.0, "utilization {u}");
    let svg = std::fs::read_to_string(out.path().join("layout.svg")).unwrap();
    assert!(
        svg.starts_with("<svg") || svg.starts_with("<?xml"),
        "not an SVG"
    );
    assert!(svg.contains('%'), "the SVG prints the utilization");

    let o = nestwork(&["validate", out.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).starts_with("valid"),
        "{}",
        text(&o)
    );
}

#[test]
fn validate_finds_a_tampered_quantity_and_a_moved_part() {
    let out = nest_samples();
    let dir = out.path().to_str().unwrap();

    // Claim one more bracket than the sheets hold.
    let report_path = out.path().join("report.json");
    let original = std::fs::read_to_string(&report_path).unwrap();
    let mut report: Value = serde_json::from_str(&original).unwrap();
    let q = report["parts"][0]["quantity"].as_u64().unwrap();
    report["parts"][0]["quantity"] = Value::from(q + 1);
    std::fs::write(&report_path, serde_json::to_string(&report).unwrap()).unwrap();
    let o = nestwork(&["validate", dir]);
    assert!(!o.status.success(), "{}", text(&o));
    let msg = String::from_utf8_lossy(&o.stdout);
    let name = report["parts"][0]["name"].as_str().unwrap();
    assert!(
        msg.contains(&format!("part `{name}`: {} requested", q + 1)),
        "{msg}"
    );
    std::fs::write(&report_path, original).unwrap();

    // Move the first part outline of sheet 1 onto the second one.
    let sheet = out.path().join("sheet-001.dxf");
    let mut d = dxf::Drawing::load_file(&sheet).unwrap();
    let outers: Vec<Vec<dxf::LwPolylineVertex>> = d
        .entities()
        .filter(|e| e.common.layer == "CUT_OUTER")
        .filter_map(|e| match &e.specific {
            dxf::entities::EntityType::LwPolyline(p) => Some(p.vertices.clone()),
            _ => None,
        })
        .collect();
    assert!(outers.len() >= 2);
    // Onto the second outline, shifted by 3 mm so the two outlines cross.
    let (dx, dy) = (
        outers[1][0].x - outers[0][0].x + 3.0,
        outers[1][0].y - outers[0][0].y + 3.0,
    );
    for e in d.entities_mut() {
        if let (true, dxf::entities::EntityType::LwPolyline(p)) =
            (e.common.layer == "CUT_OUTER", &mut e.specific)
        {
            for v in &mut p.vertices {
                v.x += dx;
                v.y += dy;
            }
            break;
        }
    }
    d.save_file(&sheet).unwrap();
    let o = nestwork(&["validate", dir, "--json"]);
    assert!(!o.status.success(), "{}", text(&o));
    let result: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(result["valid"], false);
    let problems = result["problems"].to_string().to_lowercase();
    assert!(problems.contains("overlap"), "{problems}");
}

#[test]
fn nest_takes_dxf_files_and_flags() {
    let out = tempfile::tempdir().unwrap();
    let o = nestwork(&[
        "nest",
        "assets/samples/flange.dxf",
        "assets/samples/gusset.dxf",
        "--qty",
        "4",
        "--sheet",
        "1000x500:3",
        "--spacing",
        "3",
        "--margin",
        "8",
        "--time",
        "10",
        "--iterations",
        "2",
        "--seed",
        "1",
        "--out",
        out.path().to_str().unwrap(),
        "--json",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["spacing_mm"], 3.0);
    assert_eq!(report["margin_mm"], 8.0);
    assert_eq!(report["seed"], 1);
    let placed = placed_count(&report);
    assert_eq!(placed, 8);
    for s in report["sheets"].as_array().unwrap() {
        assert_eq!(s["width_mm"], 1000.0);
    }
    for p in report["parts"].as_array().unwrap() {
        assert_eq!(p["nested_as_convex_hull"], false, "{p}");
    }
}

/// A corpus outline (ezdxf's edgeminer demo, MIT: lines and arcs with tiny
/// gaps) whose enclosed polygon has touching edges, which the collision
/// engine rejects: the part is nested by its convex hull, and the summary and
/// the report say so.
#[test]
fn a_part_nested_by_its_convex_hull_is_reported() {
    let file = workspace_root().join("../shared/dxf-corpus/ezdxf__6_closed_loop_with_arcs.dxf");
    if !file.exists() {
        eprintln!("skipped: ../shared/dxf-corpus is not beside the repository");
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let o = nestwork(&[
        "nest",
        file.to_str().unwrap(),
        // The drawing is in metres: the part is about 141 x 179 m.
        "--sheet",
        "200000x200000",
        "--iterations",
        "1",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("ezdxf__6_closed_loop_with_arcs: nested by its convex hull"),
        "{}",
        text(&o)
    );
    // The engine's warning names the part (not an index, which differs in
    // the engine's sub-problems).
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("part `ezdxf__6_closed_loop_with_arcs`: outline rejected"),
        "{}",
        text(&o)
    );
    let report = read_json(&out.path().join("report.json"));
    assert_eq!(placed_count(&report), 1, "{report}");
    assert_eq!(
        report["parts"][0]["nested_as_convex_hull"], true,
        "{report}"
    );

    // Once per nest, also when the engine converts sub-problems again: with a
    // part with holes (part-in-part) and two sheet sizes (the last sheet is
    // compacted on its own).
    let panel = workspace_root().join("assets/samples/panel.dxf");
    let o = nestwork(&[
        "nest",
        file.to_str().unwrap(),
        panel.to_str().unwrap(),
        "--qty",
        "3",
        "--sheet",
        "200000x200000",
        "--sheet",
        "300000x300000",
        "--time",
        "2",
        "--out",
        out.path().join("twice").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        stderr.matches("outline rejected").count(),
        1,
        "{}",
        text(&o)
    );
}

#[test]
fn import_prints_the_report() {
    let o = nestwork(&[
        "import",
        "assets/samples/bracket.dxf",
        "assets/samples/tabs.dxf",
        "--json",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let files: Value = serde_json::from_slice(&o.stdout).unwrap();
    let bracket = &files[0]["report"];
    let part = &bracket["parts"][0];
    assert!(
        (part["width_mm"].as_f64().unwrap() - 160.0).abs() < 1e-6,
        "{bracket}"
    );
    assert!((part["height_mm"].as_f64().unwrap() - 100.0).abs() < 1e-6);
    assert_eq!(part["holes"], 3);
    assert_eq!(
        files[1]["report"]["parts"].as_array().unwrap().len(),
        2,
        "two tabs"
    );

    let o = nestwork(&["import", "assets/samples/panel.dxf"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("1200"),
        "{}",
        text(&o)
    );
}

#[test]
fn a_reader_that_stops_early_ends_the_output_quietly() {
    use std::process::Stdio;
    // `nestwork import F | head -0`: the reader has gone before the report is
    // written. The command finishes as usual instead of panicking.
    let mut child = Command::new(env!("CARGO_BIN_EXE_nestwork"))
        .args([
            "import",
            "assets/samples/bracket.dxf",
            "assets/samples/tabs.dxf",
        ])
        .current_dir(workspace_root())
        .env_remove("NESTWORK_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the nestwork binary runs");
    drop(child.stdout.take());
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", text(&o));
    assert!(o.stderr.is_empty(), "{}", text(&o));
}

#[test]
fn bad_inputs_give_clear_errors() {
    let o = nestwork(&["nest", "no/such/job.toml"]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no/such/job.toml"), "{err}");

    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.dxf");
    std::fs::write(&broken, b"0\nSECTION\n2\nENTITIES\n0\nLINE\n10\n1,5\n").unwrap();
    let o = nestwork(&["import", broken.to_str().unwrap()]);
    assert!(!o.status.success(), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("broken.dxf: error"),
        "{}",
        text(&o)
    );

    let o = nestwork(&["nest", "assets/samples/flange.dxf", "--sheet", "1000by500"]);
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("WIDTHxHEIGHT"),
        "{}",
        text(&o)
    );
}

/// Parts nested on a remnant (the sample panel: an outline with cut-outs)
/// stay off its holes; the written sheet carries the remnant outline and
/// `nestwork validate` checks the parts against it again.
#[test]
fn nest_on_a_remnant_and_validate_against_its_outline() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().to_str().unwrap();
    let o = nestwork(&[
        "nest",
        "assets/samples/gusset.dxf",
        "--qty",
        "20",
        "--remnant",
        "assets/samples/panel.dxf:1",
        "--sheet",
        "1000x500",
        "--spacing",
        "3",
        "--margin",
        "5",
        "--time",
        "20",
        "--iterations",
        "3",
        "--out",
        dir,
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let report = read_json(&out.path().join("report.json"));
    let first = &report["sheets"][0];
    // The panel's bounding box, not the 1000 x 500 sheet: the remnant is used first.
    assert_eq!(
        (first["width_mm"].as_f64(), first["height_mm"].as_f64()),
        (Some(1200.0), Some(800.0)),
        "{report}"
    );
    let d = dxf::Drawing::load_file(out.path().join("sheet-001.dxf")).unwrap();
    let sheet_contours = d.entities().filter(|e| e.common.layer == "SHEET").count();
    assert!(
        sheet_contours > 1,
        "the remnant outline and its holes are drawn, found {sheet_contours} contour(s)"
    );
    let o = nestwork(&["validate", dir]);
    assert!(o.status.success(), "{}", text(&o));

    // Move a gusset onto one of the panel's cut-outs: validate must refuse it.
    let path = out.path().join("sheet-001.dxf");
    let mut d = dxf::Drawing::load_file(&path).unwrap();
    // Bounding boxes of the SHEET polylines; the largest is the outline.
    let mut boxes: Vec<[f64; 4]> = d
        .entities()
        .filter(|e| e.common.layer == "SHEET")
        .filter_map(|e| match &e.specific {
            dxf::entities::EntityType::LwPolyline(p) => Some(
                p.vertices
                    .iter()
                    .fold([f64::MAX, f64::MAX, f64::MIN, f64::MIN], |b, v| {
                        [b[0].min(v.x), b[1].min(v.y), b[2].max(v.x), b[3].max(v.y)]
                    }),
            ),
            _ => None,
        })
        .collect();
    boxes.sort_by(|a, b| {
        ((b[2] - b[0]) * (b[3] - b[1])).total_cmp(&((a[2] - a[0]) * (a[3] - a[1])))
    });
    let hole = boxes.get(1).expect("the remnant has cut-outs");
    let (cx, cy) = ((hole[0] + hole[2]) / 2.0, (hole[1] + hole[3]) / 2.0);
    for e in d.entities_mut() {
        if e.common.layer == "CUT_OUTER"
            && let dxf::entities::EntityType::LwPolyline(p) = &mut e.specific
        {
            let (x0, y0) = (p.vertices[0].x, p.vertices[0].y);
            for v in &mut p.vertices {
                v.x += cx - x0;
                v.y += cy - y0;
            }
            break;
        }
    }
    d.save_file(&path).unwrap();
    let o = nestwork(&["validate", dir]);
    assert!(!o.status.success(), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("of the sheet"),
        "{}",
        text(&o)
    );
}

/// Sheets used when nesting one panel (with a 400 x 250 cut-out) and two
/// gussets on sheets that just hold the panel, validated after writing.
fn panel_and_gussets_sheets(extra: &[&str]) -> usize {
    let out = tempfile::tempdir().unwrap();
    let samples = workspace_root().join("assets/samples");
    let job = out.path().join("job.toml");
    std::fs::write(
        &job,
        format!(
            "spacing_mm = 3.0\nmargin_mm = 5.0\n\n\
             [[sheet]]\nwidth_mm = 1220.0\nheight_mm = 820.0\n\n\
             [[part]]\nfile = {:?}\nquantity = 1\nrotations = \"none\"\n\n\
             [[part]]\nfile = {:?}\nquantity = 2\nrotations = \"90\"\n",
            samples.join("panel.dxf"),
            samples.join("gusset.dxf"),
        ),
    )
    .unwrap();
    let dir = out.path().join("out");
    let dir = dir.to_str().unwrap();
    let mut args = vec![
        "nest",
        job.to_str().unwrap(),
        "--time",
        "20",
        "--iterations",
        "2",
        "--out",
        dir,
        "--json",
    ];
    args.extend_from_slice(extra);
    let o = nestwork(&args);
    assert!(o.status.success(), "{}", text(&o));
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    let placed = placed_count(&report);
    assert_eq!(placed, 3, "{report}");
    let v = nestwork(&["validate", dir]);
    assert!(v.status.success(), "{}", text(&v));
    report["sheets"].as_array().unwrap().len()
}

#[test]
fn part_in_part_fills_a_cut_out_and_can_be_switched_off() {
    assert_eq!(
        panel_and_gussets_sheets(&[]),
        1,
        "the gussets fit in the panel's cut-out"
    );
    assert_eq!(
        panel_and_gussets_sheets(&["--no-part-in-part"]),
        2,
        "without part-in-part the gussets need a second sheet"
    );
}

#[test]
fn urgent_parts_take_the_last_sheet_in_stock() {
    // One sheet in stock that just holds the panel; six covers fill it too.
    let out = tempfile::tempdir().unwrap();
    let samples = workspace_root().join("assets/samples");
    let job = out.path().join("job.toml");
    let placed_by_part = |cover_priority: u32| {
        std::fs::write(
            &job,
            format!(
                "spacing_mm = 3.0\nmargin_mm = 5.0\npart_in_part = false\n\n\
                 [[sheet]]\nwidth_mm = 1220.0\nheight_mm = 820.0\ncount = 1\n\n\
                 [[part]]\nfile = {:?}\nquantity = 1\nrotations = \"none\"\n\n\
                 [[part]]\nfile = {:?}\nquantity = 6\npriority = {cover_priority}\n",
                samples.join("panel.dxf"),
                samples.join("cover.dxf"),
            ),
        )
        .unwrap();
        let dir = out.path().join(format!("out-{cover_priority}"));
        let dir = dir.to_str().unwrap();
        let o = nestwork(&[
            "nest",
            job.to_str().unwrap(),
            "--iterations",
            "4",
            "--out",
            dir,
            "--json",
        ]);
        assert!(o.status.success(), "{}", text(&o));
        let v = nestwork(&["validate", dir]);
        assert!(v.status.success(), "{}", text(&v));
        let report: Value = serde_json::from_slice(&o.stdout).unwrap();
        let parts = report["parts"].as_array().unwrap().clone();
        assert_eq!(parts[0]["priority"], 5, "{report}");
        assert_eq!(parts[1]["priority"], cover_priority, "{report}");
        (parts[0]["placed"].clone(), parts[1]["placed"].clone())
    };
    // Same priority: the panel (more area) is placed and the covers wait.
    assert_eq!(placed_by_part(5), (1.into(), 0.into()));
    // Urgent covers: all six are cut, the panel waits for the next sheet.
    assert_eq!(placed_by_part(1), (0.into(), 6.into()));
}

/// Writes a small strip instance (ten items) into `dir`; returns the output
/// folder and the `bench` arguments for it: 20 separations on one thread.
fn tiny_bench(dir: &Path) -> (PathBuf, Vec<String>) {
    let instance = dir.join("tiny.json");
    std::fs::write(
        &instance,
        r#"{"name":"tiny","strip_height":10.0,"items":[
          {"id":0,"demand":6,"allowed_orientations":[0.0,90.0],
           "shape":{"type":"simple_polygon","data":[[0,0],[4,0],[4,2],[0,2]]}},
          {"id":1,"demand":4,"allowed_orientations":[0.0,180.0],
           "shape":{"type":"simple_polygon","data":[[0,0],[3,0],[0,3]]}}
        ]}"#,
    )
    .unwrap();
    let out = dir.join("out");
    let args = [
        "bench",
        instance.to_str().unwrap(),
        "--time",
        "60",
        "--iterations",
        "20",
        "--threads",
        "1",
        "--seed",
        "7",
        "--out",
        out.to_str().unwrap(),
    ];
    let args = args.map(String::from).to_vec();
    (out, args)
}

#[test]
fn bench_writes_a_valid_strip_result_with_its_improvements() {
    let dir = tempfile::tempdir().unwrap();
    let (out, args) = tiny_bench(dir.path());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let o = nestwork(&args);
    assert!(o.status.success(), "{}", text(&o));
    let r = read_json(&out.join("result.json"));
    assert_eq!(r["valid"], true, "{r}");
    assert_eq!(
        (r["placed"].as_u64(), r["total"].as_u64()),
        (Some(10), Some(10))
    );
    let density = r["density"].as_f64().unwrap();
    assert!(density > 0.3 && density <= 1.0, "{r}");
    // Every improvement is at least as dense as the one before; the first
    // is the first layout.
    let steps: Vec<[f64; 2]> = r["improvements"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| [s[0].as_f64().unwrap(), s[1].as_f64().unwrap()])
        .collect();
    assert!(!steps.is_empty(), "{r}");
    assert_eq!(r["first_layout_s"].as_f64(), Some(steps[0][0]));
    assert!(
        steps
            .windows(2)
            .all(|w| w[1][0] >= w[0][0] && w[1][1] >= w[0][1]),
        "{r}"
    );
    assert!(out.join("layout.svg").is_file());
}

#[test]
fn nestwork_log_prints_the_search_trace_and_explains_a_bad_filter() {
    let dir = tempfile::tempdir().unwrap();
    let (_, args) = tiny_bench(dir.path());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let stderr = |o: &Output| String::from_utf8_lossy(&o.stderr).into_owned();

    // Without the variable: warnings only, so no trace.
    let quiet = nestwork_with_log(&args, None);
    assert!(quiet.status.success(), "{}", text(&quiet));
    assert!(!stderr(&quiet).contains("separation"), "{}", text(&quiet));

    // With it: one line per separation of the strip search, with its length.
    let traced = nestwork_with_log(&args, Some("nesting=debug"));
    assert!(traced.status.success(), "{}", text(&traced));
    let lines: Vec<String> = stderr(&traced)
        .lines()
        .filter(|l| l.contains("separation feasible") || l.contains("separation failed"))
        .map(String::from)
        .collect();
    assert!(!lines.is_empty(), "{}", text(&traced));
    assert!(
        lines
            .iter()
            .all(|l| l.contains("length=") && l.contains("phase=")),
        "{lines:?}"
    );

    // A broken filter: the run goes on, and the user is told why nothing more is logged.
    let broken = nestwork_with_log(&args, Some("nesting=loud"));
    assert!(broken.status.success(), "{}", text(&broken));
    let err = stderr(&broken);
    assert!(
        err.contains("NESTWORK_LOG") && err.contains("nesting=loud") && !err.contains("separation"),
        "{}",
        text(&broken)
    );
}
