//! A remnant sheet in the desktop app: read from a DXF on a worker, listed
//! under Stock, used before new sheets, drawn and validated; dragging a part
//! over one of its holes shows as colliding.

mod gui_support;

use egui_kittest::kittest::Queryable;
use gui_support::{harness, import_with, nest, step_until};
use nesting::validate::validate_layout;
use nestwork::gui::command::Command;
use nestwork::gui::edit;
use std::path::PathBuf;
use std::time::Duration;

fn sample(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../assets/samples")
        .join(name)
}

#[test]
fn a_remnant_is_added_listed_and_nested_on_first() {
    let mut h = harness(vec![sample("gusset.dxf")]);
    import_with(&mut h, 10, 2.0);
    h.state_mut()
        .apply(Command::AddRemnant(sample("panel.dxf")));
    step_until(&mut h, Duration::from_secs(30), "the remnant", |a| {
        a.state.settings.sheets.iter().any(|s| s.outline.is_some())
    });
    h.step();
    // Listed under Stock with its file name and its size from the outline.
    assert!(h.query_by_label("Remnant panel.dxf").is_some());
    assert!(h.query_by_label("1200 × 800 mm").is_some());
    // Reading the same file again replaces the entry, it does not add one.
    h.state_mut()
        .apply(Command::AddRemnant(sample("panel.dxf")));
    step_until(&mut h, Duration::from_secs(30), "the reload", |a| {
        a.state
            .log
            .iter()
            .filter(|l| l.text.contains("remnant panel.dxf"))
            .count()
            >= 2
    });
    assert_eq!(h.state().state.settings.sheets.len(), 2);

    nest(&mut h);
    let doc = h.state().state.doc.clone().expect("a layout");
    assert!(validate_layout(&doc.problem, &doc.layout).is_valid());
    assert_eq!(doc.layout.placed_count(), 10);
    let remnant = doc
        .problem
        .sheets
        .iter()
        .position(|s| s.outline.is_some())
        .expect("the remnant is in the problem");
    assert_eq!(
        doc.layout
            .sheets
            .iter()
            .map(|s| s.sheet)
            .collect::<Vec<_>>(),
        vec![remnant],
        "ten gussets fit on the remnant, which is used first"
    );

    // Dragged over one of the remnant's holes (inside its bounding box), a
    // gusset shows as colliding, as the exact check on dropping says.
    let placed = doc.layout.sheets[0].placements[0];
    assert!(edit::fast_ok(&doc, remnant, &[], None, &placed));
    let outline = doc.problem.sheets[remnant].outline.as_ref().unwrap();
    let hole = outline.holes[0].bbox().center();
    let centre = edit::placed_bbox(&doc, &placed).center();
    let mut over_hole = placed;
    over_hole.transform.x_mm += hole.x - centre.x;
    over_hole.transform.y_mm += hole.y - centre.y;
    assert!(edit::exact_ok(&doc, 0, remnant, &[], None, &over_hole).is_err());
    assert!(
        !edit::fast_ok(&doc, remnant, &[], None, &over_hole),
        "a gusset over a hole of the remnant looks valid while dragged"
    );
}

#[test]
fn a_remnant_that_cannot_be_read_says_why() {
    let mut h = harness(vec![]);
    h.step();
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("broken.dxf");
    std::fs::write(&bad, "0\nSECTION\n2\nENTITIES\n0\nLINE\n").unwrap();
    h.state_mut().apply(Command::AddRemnant(bad));
    step_until(&mut h, Duration::from_secs(30), "the error", |a| {
        a.state.log.iter().any(|l| l.text.contains("broken.dxf"))
    });
    assert_eq!(h.state().state.settings.sheets.len(), 1, "nothing added");
}
