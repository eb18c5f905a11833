//! Nestwork's pure nesting library: exact part geometry, DXF import and export,
//! the nesting engine on top of the jagua-rs collision engine, and the
//! independent layout validator. No UI and no network here.

pub mod bench_instance;
pub mod engine;
pub mod export;
pub mod geometry;
pub mod import;
pub mod metrics;
pub mod part;
pub mod problem;
pub mod validate;

pub use geometry::{BBox, Contour, Point, Segment, Transform, Vertex};
pub use part::{Marking, Part};
pub use problem::{
    DEFAULT_PRIORITY, Layout, LayoutMismatch, NestProblem, PRIORITY_FIRST, PRIORITY_LAST,
    PartDemand, Placement, QualityZone, Rotations, SheetLayout, SheetOutline, SheetSpec, Unplaced,
};
