//! Command-line interface definition (clap).

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Nestwork: import DXF parts, nest them on sheets, export cut-ready DXF.
/// Without a subcommand, opens the desktop window.
#[derive(Debug, Parser)]
#[command(name = "nestwork", version, about)]
pub struct Cli {
    /// Print machine-readable JSON on standard output instead of text.
    #[arg(long, global = true)]
    pub json: bool,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Nest parts from a job file, or from DXF files and folders, and write the sheets.
    Nest(NestArgs),
    /// Import DXF files and print what was found (parts, holes, open contours, ignored entities).
    Import(ImportArgs),
    /// Re-import the sheets written by `nest` and check them again.
    Validate(ValidateArgs),
    /// Open the desktop window (the default when no subcommand is given).
    Gui(GuiArgs),
    /// Online account: register, login, status, sync, logout.
    Account(crate::commands::account::AccountArgs),
    /// Price a nest output folder for a customer (PDF, JSON, CSV); `quote list`, `quote accept NUMBER`.
    Quote(crate::commands::quote::QuoteArgs),
    /// Run a benchmark instance (strip or bin packing JSON) and write result.json and layout.svg.
    Bench(BenchArgs),
}

/// DXF version of the written sheets.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, ValueEnum)]
pub enum DxfVersionArg {
    #[default]
    R2000,
    R12,
}

#[derive(Debug, Args)]
pub struct NestArgs {
    /// A job file (.toml), or DXF files and folders of DXF files.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Output folder for sheet-NNN.dxf, layout.svg and report.json.
    #[arg(long, default_value = "out")]
    pub out: PathBuf,
    /// Stock sheet WIDTHxHEIGHT[:COUNT[:COST]] in mm; repeat for several sizes (replaces the job's sheets).
    #[arg(long = "sheet", value_name = "WxH[:COUNT[:COST]]")]
    pub sheets: Vec<String>,
    /// Remnant sheet: the largest closed outline of a DXF file (its holes are unusable), COUNT in stock (default 1) and COST; repeat for several. With --sheet they replace the job's sheets; remnants are used first.
    #[arg(long = "remnant", value_name = "FILE.dxf[:COUNT[:COST]]")]
    pub remnants: Vec<String>,
    /// Minimum distance between parts, mm.
    #[arg(long, value_name = "MM")]
    pub spacing: Option<f64>,
    /// Minimum distance between parts and the sheet edge, mm.
    #[arg(long, value_name = "MM")]
    pub margin: Option<f64>,
    /// Computing time budget, seconds.
    #[arg(long, value_name = "SECONDS")]
    pub time: Option<f64>,
    /// Random seed: the same seed and iteration count give the same layout.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Stop after this many search iterations (makes a run repeatable regardless of machine speed).
    #[arg(long)]
    pub iterations: Option<u64>,
    /// Worker threads (default: every core).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Do not place small parts inside the holes of larger ones.
    #[arg(long)]
    pub no_part_in_part: bool,
    /// Quantity of each part given as a DXF file or folder.
    #[arg(long, default_value_t = 1)]
    pub qty: u32,
    /// Rotations for parts given as DXF files: none, 90, free, or a list like 0,180.
    #[arg(long, default_value = "90")]
    pub rotations: String,
    /// Allow mirrored copies of parts given as DXF files.
    #[arg(long)]
    pub mirror: bool,
    /// Unit of DXF files that do not state one (mm, cm, m, in, ft).
    #[arg(long)]
    pub unit: Option<String>,
    /// Treat each DXF file given on the command line as one part.
    #[arg(long)]
    pub one_part_per_file: bool,
    /// DXF version of the written sheets.
    #[arg(long, value_enum, default_value_t)]
    pub dxf_version: DxfVersionArg,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// DXF files or folders.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Unit of files that do not state one (mm, cm, m, in, ft).
    #[arg(long, default_value = "mm")]
    pub unit: String,
    /// Force this unit even where the file states another.
    #[arg(long)]
    pub force_unit: Option<String>,
    /// Close gaps between contour pieces up to this size, mm.
    #[arg(long, value_name = "MM")]
    pub gap: Option<f64>,
    /// Treat each file as one part.
    #[arg(long)]
    pub one_part_per_file: bool,
    /// Only these layers are cut geometry (comma-separated).
    #[arg(long, value_delimiter = ',')]
    pub layers: Option<Vec<String>>,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// The output folder of `nestwork nest` (with report.json and the sheet DXFs).
    pub dir: PathBuf,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Instance file (legacy jagua-rs/sparrow JSON with `strip_height` or `bins`).
    pub instance: PathBuf,
    /// Computing time, seconds.
    #[arg(long, default_value_t = 60.0, value_name = "SECONDS")]
    pub time: f64,
    /// Random seed.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Stop after this many search iterations per worker (repeatable with a fixed thread count).
    #[arg(long)]
    pub iterations: Option<u64>,
    /// Worker threads (default: every core).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Do not place small parts inside the holes of larger ones.
    #[arg(long)]
    pub no_part_in_part: bool,
    /// Output folder for result.json and layout.svg.
    #[arg(long, default_value = "bench-out")]
    pub out: PathBuf,
    /// Nest on rectangular sheets of WxH (instance units) instead of the instance's strip or bins.
    #[arg(long, value_name = "WxH")]
    pub sheet: Option<String>,
    /// Multiply every item's demand (to build larger instances).
    #[arg(long, default_value_t = 1)]
    pub copies: u32,
    /// Cancel the run after this many seconds and report how long the engine took to stop
    /// (`cancel_latency_ms` in the JSON).
    #[arg(long, value_name = "SECONDS")]
    pub cancel_after: Option<f64>,
}

#[derive(Debug, Default, Args)]
pub struct GuiArgs {
    /// DXF files, folders or a job file (.toml) to open at start.
    pub open: Vec<PathBuf>,
    /// Start nesting as soon as the files are imported.
    #[arg(long)]
    pub nest_on_start: bool,
    /// Window size WIDTHxHEIGHT in pixels (instead of the remembered one).
    #[arg(long, value_name = "WxH")]
    pub window_size: Option<String>,
}
