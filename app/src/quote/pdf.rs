//! The quote PDF, typeset in-process with typst: the template
//! `assets/quote/quote.typ` is built into the binary, the fonts come from the
//! `typst-assets` crate (nothing is read from the system or downloaded), and
//! the data are served to the template as virtual files.

use super::document::QuoteDocument;
use super::thumbnail::part_svg;
use chrono::Datelike;
use nesting::export::layout_svg;
use nesting::{Layout, NestProblem};
use std::collections::HashMap;
use std::sync::LazyLock;
use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::layout::PagedDocument;
use typst::syntax::{FileId, Source, VirtualPath};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt, World};

/// The quote template.
pub const TEMPLATE: &str = include_str!("../../../assets/quote/quote.typ");

/// Virtual path of the template's data.
const DATA_PATH: &str = "/quote-view.json";
/// Virtual path of the sheet-layout picture.
const LAYOUT_PATH: &str = "/layout.svg";

/// Why the PDF could not be made.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    #[error("the quote template failed: {0}")]
    Template(String),
    #[error("PDF export failed: {0}")]
    Export(String),
    #[error("cannot serialize the quote data: {0}")]
    Data(#[from] serde_json::Error),
}

static FONTS: LazyLock<(LazyHash<FontBook>, Vec<Font>)> = LazyLock::new(|| {
    let fonts: Vec<Font> = typst_assets::fonts()
        .flat_map(|data| Font::iter(Bytes::new(data)))
        .collect();
    (LazyHash::new(FontBook::from_fonts(&fonts)), fonts)
});

static LIBRARY: LazyLock<LazyHash<Library>> =
    LazyLock::new(|| LazyHash::new(<Library as LibraryExt>::default()));

struct QuoteWorld {
    main: Source,
    files: HashMap<FileId, Bytes>,
    today: Option<Datetime>,
}

impl World for QuoteWorld {
    fn library(&self) -> &LazyHash<Library> {
        &LIBRARY
    }
    fn book(&self) -> &LazyHash<FontBook> {
        &FONTS.0
    }
    fn main(&self) -> FileId {
        self.main.id()
    }
    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else {
            Err(FileError::NotFound(id.vpath().as_rootless_path().into()))
        }
    }
    fn file(&self, id: FileId) -> FileResult<Bytes> {
        self.files
            .get(&id)
            .cloned()
            .ok_or_else(|| FileError::NotFound(id.vpath().as_rootless_path().into()))
    }
    fn font(&self, index: usize) -> Option<Font> {
        FONTS.1.get(index).cloned()
    }
    fn today(&self, _offset: Option<i64>) -> Option<Datetime> {
        self.today
    }
}

fn file_id(path: &str) -> FileId {
    FileId::new(None, VirtualPath::new(path))
}

/// Typesets `doc` to PDF bytes; `problem` and `layout` give the part
/// drawings and the sheet-layout picture.
pub fn render_pdf(
    doc: &QuoteDocument,
    problem: &NestProblem,
    layout: &Layout,
) -> Result<Vec<u8>, PdfError> {
    let mut files = HashMap::new();
    let mut thumbnails = Vec::new();
    for (i, line) in doc.quote.lines.iter().enumerate() {
        let path = format!("/parts/{i}.svg");
        if let Some(d) = problem.parts.iter().find(|d| d.part.name == line.part) {
            files.insert(file_id(&path), Bytes::new(part_svg(&d.part).into_bytes()));
            thumbnails.push(path);
        } else {
            thumbnails.push(String::new());
        }
    }
    files.insert(
        file_id(LAYOUT_PATH),
        Bytes::new(layout_svg(problem, layout).into_bytes()),
    );
    let view = doc.view(&thumbnails, LAYOUT_PATH);
    files.insert(file_id(DATA_PATH), Bytes::new(serde_json::to_vec(&view)?));
    let today = chrono::NaiveDate::parse_from_str(&doc.date, super::document::DATE_FORMAT)
        .ok()
        .and_then(|d| Datetime::from_ymd(d.year(), d.month() as u8, d.day() as u8));
    let world = QuoteWorld {
        main: Source::new(file_id("/quote.typ"), TEMPLATE.to_string()),
        files,
        today,
    };
    let compiled = typst::compile::<PagedDocument>(&world);
    let document = compiled.output.map_err(|errors| {
        PdfError::Template(
            errors
                .iter()
                .map(|e| e.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })?;
    typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default()).map_err(|errors| {
        PdfError::Export(
            errors
                .iter()
                .map(|e| e.message.to_string())
                .collect::<Vec<_>>()
                .join("; "),
        )
    })
}
