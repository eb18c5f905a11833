//! The desktop app driven with egui_kittest: import a corpus DXF, set the
//! quantity, nest with the Nest button, export, and check the files; the UI
//! keeps answering while a nest runs; job save/open keeps the layout; logged
//! warnings reach the status log, and so does a part nested by its convex hull.

mod gui_support;

use egui_kittest::kittest::Queryable;
use gui_support::{corpus, harness, import_with, nest, step_until};
use nesting::validate::validate_layout;
use nestwork::gui::command::Command;
use nestwork::gui::state::Level;
use nestwork::report::HULL_NOTE;
use std::time::{Duration, Instant};

#[test]
fn import_nest_export_and_check_the_files() {
    let Some(file) = corpus("voron0__Bottom_Panel.dxf") else {
        return;
    };
    let mut h = harness(vec![file]);
    import_with(&mut h, 6, 1.5);
    {
        let s = &h.state().state;
        assert_eq!(s.rows.len(), 1);
        assert_eq!(s.rows[0].part.holes.len(), 4);
        assert_eq!(s.total_quantity(), 6);
    }
    // The parts table shows the part.
    assert!(
        h.query_all_by_label("voron0__Bottom_Panel")
            .next()
            .is_some()
    );
    // Sorting by a column header works (and its arrow glyph exists).
    h.get_by_label("Qty").click();
    h.step();
    h.step();
    h.get_by_label("Qty ⏶").click();
    h.step();
    h.step();
    assert!(h.state().view.parts.descending);
    assert!(h.query_by_label("Qty ⏷").is_some());
    nest(&mut h);

    let doc = h
        .state()
        .state
        .doc
        .clone()
        .expect("a layout after the nest");
    assert_eq!(doc.layout.placed_count(), 6, "{:?}", doc.layout.unplaced);
    assert!(validate_layout(&doc.problem, &doc.layout).is_valid());
    // Per-sheet utilization is shown in the sheet tabs.
    let util = doc.layout.sheet_utilization(&doc.problem, 0) * 100.0;
    assert!(
        h.query_by_label(&format!("Sheet 1 · {util:.1} %"))
            .is_some()
    );

    let dir = tempfile::tempdir().unwrap();
    h.state_mut()
        .apply(Command::Export(dir.path().to_path_buf()));
    step_until(&mut h, Duration::from_secs(30), "the export", |a| {
        !a.state.exporting
    });
    assert_eq!(
        h.state().state.last_export.as_deref(),
        Some(dir.path()),
        "{:#?}",
        h.state().state.log
    );
    for f in ["sheet-001.dxf", "layout.svg", "layout.png", "report.json"] {
        assert!(dir.path().join(f).is_file(), "{f} missing");
    }
    let png = std::fs::read(dir.path().join("layout.png")).unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    // The sheet DXFs re-import and pass the validator (`nestwork validate`).
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_nestwork"))
        .args(["--json", "validate"])
        .arg(dir.path())
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["valid"], true, "{v}");
    assert_eq!(v["parts_checked"], 6, "{v}");
}

#[test]
fn frames_keep_coming_while_a_nest_runs() {
    let Some(file) = corpus("voron0__Mid_Panel.dxf") else {
        return;
    };
    let mut h = harness(vec![file]);
    import_with(&mut h, 40, 20.0);
    h.get_by_label("Nest (F5)").click();
    h.step();
    assert!(h.state().state.nesting());
    // Step frames until the live preview shows a first layout.
    let mut frames = 0;
    let mut slowest = Duration::ZERO;
    let start = Instant::now();
    let shown = |h: &egui_kittest::Harness<'static, nestwork::gui::NestworkApp>| {
        h.state()
            .state
            .doc
            .as_ref()
            .is_some_and(|d| !d.layout.sheets.is_empty())
    };
    while h.state().state.nesting() && !(shown(&h) && frames >= 30) {
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no layout after 30 s"
        );
        let t = Instant::now();
        h.step();
        slowest = slowest.max(t.elapsed());
        frames += 1;
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(
        h.state().state.nesting(),
        "the nest ended before the test could cancel it"
    );
    let live = h.state().state.doc.clone().unwrap();
    assert!(validate_layout(&live.problem, &live.layout).is_valid());
    let per_frame = start.elapsed() / frames;
    assert!(frames >= 30, "only {frames} frames while nesting");
    assert!(
        slowest < Duration::from_millis(100),
        "a frame took {slowest:?} while nesting"
    );
    assert!(
        per_frame < Duration::from_millis(100),
        "{per_frame:?} per frame"
    );
    // Cancel keeps the best valid layout.
    h.key_press(egui::Key::Escape);
    h.step();
    step_until(&mut h, Duration::from_secs(20), "the cancel", |a| {
        !a.state.nesting()
    });
    h.step();
    let doc = h.state().state.doc.clone().unwrap();
    assert!(
        !doc.layout.sheets.is_empty(),
        "{:?} {:#?}",
        doc.layout,
        h.state().state.log
    );
    assert!(validate_layout(&doc.problem, &doc.layout).is_valid());
}

#[test]
fn job_save_and_open_keep_the_layout() {
    let Some(file) = corpus("voron0__Bottom_Panel.dxf") else {
        return;
    };
    let mut h = harness(vec![file]);
    h.step();
    // Part-in-part is on by default; the Stock panel switches it off.
    assert!(h.state().state.settings.part_in_part);
    h.get_by_label("fill holes").click();
    h.step();
    assert!(!h.state().state.settings.part_in_part);
    import_with(&mut h, 3, 1.0);
    // The parts table has a priority column, sortable like the others.
    h.get_by_label("Prio").click();
    h.step();
    h.step();
    assert!(h.query_by_label("Prio ⏶").is_some());
    let key = h.state().state.rows[0].key;
    h.state_mut().apply(Command::SetPriority(key, 2));
    h.step();
    nest(&mut h);
    assert_eq!(
        h.state().state.doc.as_ref().unwrap().problem.parts[0].priority,
        2
    );
    let dir = tempfile::tempdir().unwrap();
    let job = dir.path().join("job.toml");
    h.state_mut().apply(Command::SaveJob(Some(job.clone())));
    step_until(&mut h, Duration::from_secs(10), "the save", |a| {
        a.state.job_path.is_some()
    });
    let saved = h.state().state.doc.clone().unwrap();

    let mut h2 = harness(vec![job.clone()]);
    h2.step();
    step_until(&mut h2, Duration::from_secs(30), "the job", |a| {
        a.state.doc.is_some()
    });
    let s = &h2.state().state;
    assert_eq!(s.rows[0].quantity, 3);
    assert_eq!(s.rows[0].priority, 2);
    assert_eq!(s.settings.seed, 7);
    assert!(!s.settings.part_in_part, "the switch is saved with the job");
    let doc = s.doc.as_ref().unwrap();
    assert_eq!(doc.layout, saved.layout);
    // The job file also nests from the command line.
    let text = std::fs::read_to_string(&job).unwrap();
    assert!(text.contains("voron0__Bottom_Panel.dxf"), "{text}");
    assert!(text.contains("part_in_part = false"), "{text}");
    assert!(text.contains("priority = 2"), "{text}");
}

#[test]
fn logged_warnings_reach_the_status_log() {
    nestwork::logging::init();
    let mut h = harness(vec![]);
    // From another thread, as the engine's workers log.
    std::thread::spawn(|| {
        tracing::warn!(
            part = 7,
            "outline rejected by the collision engine; nesting its convex hull"
        );
        tracing::error!("usage journal unreadable");
    })
    .join()
    .unwrap();
    h.step();
    let log = &h.state().state.log;
    assert!(
        log.iter().any(|l| l.level == Level::Warning
            && l.text
                == "outline rejected by the collision engine; nesting its convex hull part=7"),
        "{log:#?}"
    );
    // An error is shown as an error, its text as logged.
    assert!(
        log.iter()
            .any(|l| l.level == Level::Error && l.text == "usage journal unreadable"),
        "{log:#?}"
    );
}

#[test]
fn a_part_nested_by_its_convex_hull_is_named_in_the_status_log() {
    // Lines and arcs with tiny gaps whose enclosed polygon has touching
    // edges: the collision engine rejects it (see the CLI test).
    let Some(file) = corpus("ezdxf__6_closed_loop_with_arcs.dxf") else {
        return;
    };
    let mut h = harness(vec![file]);
    import_with(&mut h, 1, 1.0);
    nest(&mut h);
    let s = &h.state().state;
    assert_eq!(s.doc.as_ref().expect("a nest result").hull_parts, vec![0]);
    let line = format!("ezdxf__6_closed_loop_with_arcs: {HULL_NOTE}");
    assert!(
        s.log
            .iter()
            .any(|l| l.level == Level::Warning && l.text == line),
        "{:#?}",
        s.log
    );
}
