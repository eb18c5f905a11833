//! Shared helpers of the GUI tests: a kittest harness around the real app,
//! and stepping frames until a condition holds.

// Each test crate uses a different subset of these helpers.
#![allow(dead_code)]

use egui_kittest::Harness;
use nestwork::gui::command::Command;
use nestwork::gui::state::Settings;
use nestwork::gui::{NestworkApp, StartOptions};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// A file of the shared DXF corpus, or `None` (with a message) when the
/// corpus is not beside the repository.
pub fn corpus(name: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/dxf-corpus")
        .join(name);
    if path.is_file() {
        Some(path)
    } else {
        eprintln!(
            "SKIPPED: {} not found (the DXF corpus is not beside the repository)",
            path.display()
        );
        None
    }
}

/// The real app in a 1400 × 860 harness (no GPU, no display).
pub fn harness(open: Vec<PathBuf>) -> Harness<'static, NestworkApp> {
    let app = NestworkApp::new(
        &egui::Context::default(),
        None,
        StartOptions {
            open,
            ..StartOptions::default()
        },
    );
    Harness::builder()
        .with_size(egui::vec2(1400.0, 860.0))
        .build_ui_state(|ui, app: &mut NestworkApp| app.frame(ui), app)
}

/// Steps frames (sleeping a little between them) until `done` holds;
/// panics after `timeout`.
pub fn step_until(
    h: &mut Harness<'static, NestworkApp>,
    timeout: Duration,
    what: &str,
    done: impl Fn(&NestworkApp) -> bool,
) {
    let start = Instant::now();
    while !done(h.state()) {
        assert!(
            start.elapsed() < timeout,
            "timed out after {timeout:?} waiting for {what}; log: {:#?}",
            h.state().state.log
        );
        std::thread::sleep(Duration::from_millis(15));
        h.step();
    }
}

/// Imports `file`, waits for it, sets every quantity to `qty` and a short,
/// seeded time budget.
pub fn import_with(h: &mut Harness<'static, NestworkApp>, qty: u32, time_limit_s: f64) {
    h.step();
    step_until(h, Duration::from_secs(30), "the import", |a| {
        a.state.imports_pending == 0 && !a.state.rows.is_empty()
    });
    h.state_mut().apply(Command::SetAllQuantities(qty));
    let settings = Settings {
        time_limit_s,
        seed: 7,
        ..h.state().state.settings.clone()
    };
    h.state_mut().apply(Command::SetSettings(settings));
    h.step();
}

/// Nests via the toolbar button and waits for the result.
pub fn nest(h: &mut Harness<'static, NestworkApp>) {
    use egui_kittest::kittest::Queryable;
    h.get_by_label("Nest (F5)").click();
    h.step();
    h.step();
    assert!(
        h.state().state.nesting(),
        "the Nest button did not start a nest"
    );
    step_until(h, Duration::from_secs(40), "the nest", |a| {
        !a.state.nesting()
    });
    h.step();
}
