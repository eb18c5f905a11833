//! Hand editing in the real app: a drag that would collide turns the part
//! red and is refused; valid moves are kept, undone and redone; locked
//! parts stay put when re-nesting.

mod gui_support;

use egui::{Event, Modifiers, PointerButton, Pos2};
use gui_support::{corpus, harness, import_with, nest, step_until};
use nesting::geometry::Point;
use nesting::validate::validate_layout;
use nestwork::gui::command::Command;
use nestwork::gui::state::{CopyId, NestDoc};
use std::time::Duration;

/// A point of material of copy `index` on sheet `sheet` (a triangle centroid).
fn material_point(doc: &NestDoc, sheet: usize, index: usize) -> Point {
    let p = doc.layout.sheets[sheet].placements[index];
    let shape = &doc.shapes[p.part];
    let pts: Vec<Point> = shape.points().copied().collect();
    let t = &shape.triangles;
    let (a, b, c) = (pts[t[0] as usize], pts[t[1] as usize], pts[t[2] as usize]);
    p.transform
        .apply(Point::new((a.x + b.x + c.x) / 3.0, (a.y + b.y + c.y) / 3.0))
}

fn pointer(h: &egui_kittest::Harness<'static, nestwork::gui::NestworkApp>, e: Event) {
    h.event(e);
}

fn press(pos: Pos2, pressed: bool) -> Event {
    Event::PointerButton {
        pos,
        button: PointerButton::Primary,
        pressed,
        modifiers: Modifiers::NONE,
    }
}

#[test]
fn colliding_drag_is_refused_and_moves_undo_and_redo() {
    let Some(file) = corpus("voron0__Bottom_Panel.dxf") else {
        return;
    };
    let mut h = harness(vec![file]);
    import_with(&mut h, 4, 1.0);
    nest(&mut h);
    let doc = h.state().state.doc.clone().unwrap();
    assert!(doc.layout.sheets[0].placements.len() >= 2);
    let before = doc.layout.clone();

    // Drag copy 0 onto copy 1 (same part type: they would overlap).
    let view = &h.state().view.preview;
    let from_mm = material_point(&doc, 0, 0);
    let p0 = doc.layout.sheets[0].placements[0].transform;
    let p1 = doc.layout.sheets[0].placements[1].transform;
    let to_mm = Point::new(from_mm.x + p1.x_mm - p0.x_mm, from_mm.y + p1.y_mm - p0.y_mm);
    let from = view.screen_pos(&doc, 0, from_mm).unwrap();
    let to = view.screen_pos(&doc, 0, to_mm).unwrap();
    pointer(&h, Event::PointerMoved(from));
    h.step();
    pointer(&h, press(from, true));
    h.step();
    for k in 1..=10 {
        let p = from + (to - from) * (k as f32 / 10.0);
        pointer(&h, Event::PointerMoved(p));
        h.step();
    }
    assert_eq!(
        h.state().view.preview.drag_collides(),
        Some(true),
        "the dragged part should show as colliding"
    );
    pointer(&h, press(to, false));
    h.step();
    h.step();
    let s = &h.state().state;
    assert_eq!(
        s.doc.as_ref().unwrap().layout,
        before,
        "a colliding move was kept"
    );
    let last = s.log.last().unwrap();
    assert_eq!(last.level, nestwork::gui::state::Level::Warning, "{last:?}");

    // A valid move: to a free spot found by "send to a new sheet".
    let id = CopyId {
        part: before.sheets[0].placements[0].part,
        copy: before.sheets[0].placements[0].copy,
    };
    h.state_mut().apply(Command::Select(Some(id)));
    h.state_mut()
        .apply(Command::Send(nestwork::gui::edit::SendTarget::NewSheet(0)));
    h.step();
    let moved = h.state().state.doc.as_ref().unwrap().layout.clone();
    assert_ne!(moved, before, "{:#?}", h.state().state.log);
    assert_eq!(moved.sheets.len(), before.sheets.len() + 1);
    let d = h.state().state.doc.clone().unwrap();
    assert!(validate_layout(&d.problem, &d.layout).is_valid());

    // Ctrl+Z / Ctrl+Y.
    h.key_press_modifiers(Modifiers::COMMAND, egui::Key::Z);
    h.step();
    assert_eq!(h.state().state.doc.as_ref().unwrap().layout, before);
    h.key_press_modifiers(Modifiers::COMMAND, egui::Key::Y);
    h.step();
    assert_eq!(h.state().state.doc.as_ref().unwrap().layout, moved);
}

#[test]
fn locked_parts_stay_put_when_renesting() {
    let Some(file) = corpus("voron0__Bottom_Panel.dxf") else {
        return;
    };
    let mut h = harness(vec![file]);
    import_with(&mut h, 5, 1.0);
    nest(&mut h);
    let doc = h.state().state.doc.clone().unwrap();
    let locked: Vec<_> = doc.layout.sheets[0].placements[..2].to_vec();
    for p in &locked {
        h.state_mut().apply(Command::ToggleLock(CopyId {
            part: p.part,
            copy: p.copy,
        }));
    }
    h.step();
    use egui_kittest::kittest::Queryable;
    h.get_by_label("Re-nest around 2 locked").click();
    h.step();
    step_until(&mut h, Duration::from_secs(40), "the re-nest", |a| {
        !a.state.nesting()
    });
    h.step();
    let after = h.state().state.doc.clone().unwrap();
    for p in &locked {
        assert!(
            after.layout.sheets[0].placements.contains(p),
            "locked {p:?} moved"
        );
    }
    assert_eq!(after.layout.placed_count(), 5);
    assert!(validate_layout(&after.problem, &after.layout).is_valid());
    // The layout before the re-nest is one undo away.
    h.state_mut().apply(Command::Undo);
    assert_eq!(h.state().state.doc.as_ref().unwrap().layout, doc.layout);
}
