//! Export of layouts: one DXF per sheet and an SVG preview.
//!
//! DXF layers and their fixed ACI colours (CAM post-processors map layer or
//! colour to an operation, so these never change):
//!
//! | layer        | colour      | content                                   |
//! |--------------|-------------|-------------------------------------------|
//! | `SHEET`      | 8 (grey)    | sheet outline rectangle                   |
//! | `CUT_OUTER`  | 1 (red)     | outer contours, closed, counter-clockwise |
//! | `CUT_INNER`  | 5 (blue)    | holes, closed, clockwise                  |
//! | `MARK`       | 3 (green)   | marking paths and texts of the parts      |
//! | `LABELS`     | 7 (white)   | one `name #copy` text per placed part     |
//! | `EVALUATION` | 6 (magenta) | the `EVALUATION` mark, when asked for     |

mod dxf;
mod label;
mod svg;

pub use dxf::{sheet_dxf, write_sheet_dxf};
pub use label::label_anchor;
pub use svg::layout_svg;

use crate::problem::LayoutMismatch;
use std::path::PathBuf;

/// Layer of the sheet outline.
pub const LAYER_SHEET: &str = "SHEET";
/// Layer of the outer cut contours.
pub const LAYER_CUT_OUTER: &str = "CUT_OUTER";
/// Layer of the hole cut contours.
pub const LAYER_CUT_INNER: &str = "CUT_INNER";
/// Layer of marking (engraving) geometry and texts.
pub const LAYER_MARK: &str = "MARK";
/// Layer of the part labels.
pub const LAYER_LABELS: &str = "LABELS";
/// Layer of the evaluation mark.
pub const LAYER_EVALUATION: &str = "EVALUATION";

/// DXF file version to write.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DxfVersion {
    /// AutoCAD 2000 (AC1015): LWPOLYLINE contours, `$INSUNITS` written.
    #[default]
    R2000,
    /// AutoCAD R12 (AC1009) for old CAM software: POLYLINE/VERTEX contours;
    /// R12 has no `$INSUNITS`/`$MEASUREMENT`, so the unit is only implied (mm).
    R12,
}

/// How to write a sheet DXF.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DxfExportOptions {
    pub version: DxfVersion,
    /// Adds the text `EVALUATION` on its own layer `EVALUATION`.
    pub evaluation_mark: bool,
}

/// Why a sheet could not be exported.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The sheet index is past the end of the layout.
    #[error("sheet {number} does not exist: the layout has {count} sheet(s)")]
    NoSuchSheet { number: usize, count: usize },
    /// The layout names a stock sheet or a part the job does not have.
    #[error(transparent)]
    Mismatch(#[from] LayoutMismatch),
    /// Writing the file failed (disk full, no permission, missing folder...).
    #[error("cannot write `{}`: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The DXF writer failed for a reason other than I/O.
    #[error("cannot write `{}`: DXF writer error: {message}", path.display())]
    Dxf { path: PathBuf, message: String },
}
