//! Export from the window: the same files as `nestwork nest` (sheet DXFs,
//! `layout.svg`, `report.json`, written only after the validator passed)
//! plus `layout.png`, the SVG preview rendered with resvg.

use super::state::NestDoc;
use crate::cli::DxfVersionArg;
use crate::commands::{write_atomically, write_validated};
use crate::inputs::LoadedJob;
use crate::report::sheet_file_name;
use anyhow::{Context, Result};
use nesting::engine::NestOutcome;
use nesting::export::layout_svg;
use std::path::{Path, PathBuf};

/// File name of the PNG preview.
pub const PNG_FILE: &str = "layout.png";
/// Width of the PNG preview in pixels.
const PNG_WIDTH_PX: f32 = 2400.0;

/// What an export wrote.
#[derive(Clone, Debug, PartialEq)]
pub struct Exported {
    pub files: Vec<PathBuf>,
    /// The licence gate's notice (evaluation mode, fair-use warning), if any.
    pub notice: Option<String>,
}

/// Validates the layout of `doc` and writes every output file into `dir`
/// (an export request: the licence gate decides about the evaluation mark).
/// Nothing is written when validation fails.
pub fn export_doc(dir: &Path, doc: &NestDoc) -> Result<Exported> {
    let loaded = LoadedJob {
        problem: (*doc.problem).clone(),
        sources: doc.sources.clone(),
        reports: doc.reports.clone(),
    };
    let outcome = NestOutcome {
        layout: doc.layout.clone(),
        iterations: doc.iterations,
        elapsed_s: doc.elapsed_s,
        stopped: doc.stopped,
        hull_parts: doc.hull_parts.clone(),
    };
    let (report, grant) = write_validated(
        dir,
        &loaded,
        &outcome,
        (doc.seed, doc.time_limit_s),
        DxfVersionArg::R2000,
    )?;
    let png = render_png(&layout_svg(&loaded.problem, &doc.layout))?;
    write_atomically(&dir.join(PNG_FILE), &png)?;
    let mut files: Vec<PathBuf> = (1..=report.sheet_count)
        .map(|n| dir.join(sheet_file_name(n)))
        .collect();
    files.extend(
        ["layout.svg", PNG_FILE, crate::report::REPORT_FILE]
            .iter()
            .map(|f| dir.join(f)),
    );
    Ok(Exported {
        files,
        notice: grant.notice(),
    })
}

/// Renders an SVG document to PNG bytes, `PNG_WIDTH_PX` wide, with egui's
/// built-in font for the texts (no system fonts needed).
pub fn render_png(svg: &str) -> Result<Vec<u8>> {
    let mut options = resvg::usvg::Options::default();
    let fonts = egui::FontDefinitions::default();
    for data in fonts.font_data.values() {
        options
            .fontdb_mut()
            .load_font_data(data.font.as_ref().as_ref().to_vec());
    }
    let family = options
        .fontdb
        .faces()
        .find(|f| f.post_script_name.contains("Ubuntu"))
        .and_then(|f| f.families.first().map(|(name, _)| name.clone()));
    if let Some(family) = family {
        options.fontdb_mut().set_sans_serif_family(family);
    }
    let tree = resvg::usvg::Tree::from_str(svg, &options).context("cannot read the SVG preview")?;
    let size = tree.size();
    let scale = PNG_WIDTH_PX / size.width().max(1.0);
    let (w, h) = (
        (size.width() * scale).ceil().max(1.0) as u32,
        (size.height() * scale).ceil().max(1.0) as u32,
    );
    let mut pixmap = resvg::tiny_skia::Pixmap::new(w, h)
        .with_context(|| format!("cannot make a {w} x {h} pixel image"))?;
    pixmap.fill(resvg::tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        resvg::tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    pixmap.encode_png().context("cannot encode the PNG preview")
}
