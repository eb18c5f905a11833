//! The desktop window (eframe/egui): import DXF parts, set quantities and
//! stock, nest on a worker thread with a live preview, edit the layout by
//! hand, export validated DXF/SVG/PNG, save and open jobs.
//!
//! Structure: [`state::AppState`] holds everything shown; panels
//! ([`panels`]) are plain functions that read it and push
//! [`command::Command`]s; [`app::NestworkApp::frame`] applies them in one
//! place per frame. Slow work runs in [`worker`] threads that report over a
//! channel and wake the UI with `request_repaint`.

pub mod app;
pub mod command;
pub mod edit;
pub mod events;
pub mod export;
pub mod job_file;
pub mod panels;
pub mod shapes;
pub mod state;
pub mod worker;

pub use app::{NestworkApp, StartOptions};

use anyhow::Result;

/// Opens the Nestwork window and runs until it is closed.
pub fn run(start: StartOptions) -> Result<()> {
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("Nestwork")
            .with_app_id("nestwork")
            .with_inner_size(start.window_size.unwrap_or([1400.0, 860.0]))
            .with_min_inner_size([900.0, 600.0])
            .with_drag_and_drop(true),
        persist_window: start.window_size.is_none(),
        ..Default::default()
    };
    eframe::run_native(
        "Nestwork",
        options,
        Box::new(move |cc| Ok(Box::new(NestworkApp::from_creation_context(cc, start)))),
    )
    .map_err(|e| {
        anyhow::anyhow!(
            "cannot open the Nestwork window: {e}. On a machine without a display, use the \
             command line instead (`nestwork nest --help`)"
        )
    })
}

/// Parses a window size `WIDTHxHEIGHT` (pixels).
pub fn parse_window_size(s: &str) -> Result<[f32; 2]> {
    let parsed = s
        .split_once(['x', 'X'])
        .and_then(|(w, h)| Some([w.trim().parse::<f32>().ok()?, h.trim().parse::<f32>().ok()?]))
        .filter(|[w, h]| *w >= 100.0 && *h >= 100.0 && w.is_finite() && h.is_finite());
    parsed.ok_or_else(|| {
        anyhow::anyhow!("--window-size `{s}`: expected WIDTHxHEIGHT in pixels, e.g. 1440x900")
    })
}
