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
            .with_inner_size([1400.0, 860.0])
            .with_min_inner_size([900.0, 600.0])
            .with_drag_and_drop(true),
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
