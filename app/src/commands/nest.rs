//! `nestwork nest`: import, nest with progress, validate, write the sheets.

use super::output::{outln, print_json, write_atomically};
use crate::cli::{DxfVersionArg, NestArgs};
use crate::inputs::{LoadedJob, collect_dxf_files, load_job};
use crate::job::{Job, JobPart, parse_remnant_arg, parse_sheet_arg};
use crate::report::{HULL_NOTE, NestReport, REPORT_FILE, sheet_file_name};
use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};
use nesting::engine::{NestOptions, NestOutcome, Progress, nest};
use nesting::export::{DxfExportOptions, DxfVersion, layout_svg, write_sheet_dxf};
use nesting::import::Unit;
use nesting::validate::validate_layout;
use std::path::Path;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

/// Default stock when neither the job nor the command line names a sheet.
const DEFAULT_SHEET: &str = "3000x1500";

/// Builds the job from a job file or from DXF inputs, with flag overrides.
pub fn job_from_args(args: &NestArgs) -> Result<Job> {
    let is_job_file = args.inputs.len() == 1
        && args.inputs[0]
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("toml"));
    let mut job = if is_job_file {
        Job::load(&args.inputs[0])?
    } else {
        let rotations: nesting::Rotations = args
            .rotations
            .parse()
            .map_err(|e| anyhow::anyhow!("--rotations: {e}"))?;
        let mut job = Job::new();
        for file in collect_dxf_files(&args.inputs)? {
            job.parts.push(JobPart {
                file,
                quantity: args.qty,
                rotations: rotations.clone(),
                mirror: args.mirror,
                priority: nesting::DEFAULT_PRIORITY,
                unit: None,
                one_part_per_file: args.one_part_per_file,
                layers: None,
            });
        }
        job
    };
    if let Some(u) = &args.unit {
        job.default_unit = u.clone();
    }
    if !args.sheets.is_empty() || !args.remnants.is_empty() {
        let unit: Unit = job
            .default_unit
            .parse()
            .map_err(|e| anyhow::anyhow!("--unit: {e}"))?;
        let mut sheets = Vec::new();
        for r in &args.remnants {
            sheets.push(parse_remnant_arg(r, unit)?);
        }
        for s in &args.sheets {
            sheets.push(parse_sheet_arg(s)?);
        }
        job.sheets = sheets;
    } else if job.sheets.is_empty() {
        job.sheets.push(parse_sheet_arg(DEFAULT_SHEET)?);
    }
    if let Some(v) = args.spacing {
        job.spacing_mm = v;
    }
    if let Some(v) = args.margin {
        job.margin_mm = v;
    }
    if let Some(v) = args.time {
        job.time_limit_s = v;
    }
    if let Some(v) = args.seed {
        job.seed = v;
    }
    if args.no_part_in_part {
        job.part_in_part = false;
    }
    job.check()?;
    Ok(job)
}

/// Runs the whole nest and writes the output folder.
pub fn run(args: &NestArgs, json: bool) -> Result<ExitCode> {
    let job = job_from_args(args)?;
    let loaded = load_job(&job)?;
    if !json {
        print_import_warnings(&loaded);
    }
    let options = NestOptions {
        time_limit_s: job.time_limit_s,
        seed: job.seed,
        max_iterations: args.iterations,
        threads: args.threads,
        part_in_part: job.part_in_part,
    };
    let bar = progress_bar(json, job.time_limit_s);
    let total = loaded.problem.total_quantity();
    let cancel = AtomicBool::new(false);
    let on_progress = |p: &Progress| {
        bar.set_position((p.elapsed_s * 10.0) as u64);
        bar.set_message(format!(
            "sheets {}  utilization {:.1} %  placed {}/{}",
            p.sheets,
            p.utilization * 100.0,
            p.placed,
            total
        ));
    };
    let outcome =
        nest(&loaded.problem, &options, &cancel, &on_progress).context("nesting failed")?;
    bar.finish_and_clear();

    let (report, grant) = write_validated(
        &args.out,
        &loaded,
        &outcome,
        (job.seed, job.time_limit_s),
        args.dxf_version,
    )?;
    if let Some(notice) = grant.notice() {
        eprintln!("{notice}");
    }

    if json {
        print_json(&report)?;
    } else {
        print_summary(&report, &args.out)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn progress_bar(hidden: bool, time_limit_s: f64) -> ProgressBar {
    if hidden {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new((time_limit_s * 10.0).ceil() as u64);
    bar.set_style(
        ProgressStyle::with_template("[{elapsed_precise}] {bar:30.cyan/blue} {msg}")
            .expect("the progress template is valid")
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

fn print_import_warnings(loaded: &LoadedJob) {
    for r in &loaded.reports {
        if !r.open_chains.is_empty() || !r.self_intersections.is_empty() || !r.warnings.is_empty() {
            eprintln!("{r}");
        }
    }
}

/// Runs the independent validator on `outcome.layout` and, only when it
/// passes, writes the sheet DXFs, the SVG preview and `report.json` into
/// `out` (`run` is the seed and time budget the layout was nested with).
/// The export is a request: the licence gate decides (before anything is
/// written) whether the files carry the evaluation mark; its grant is
/// returned so the caller can show its notice. Used by `nestwork nest` and
/// by the GUI's export.
pub(crate) fn write_validated(
    out: &Path,
    loaded: &LoadedJob,
    outcome: &NestOutcome,
    run: (u64, f64),
    version: DxfVersionArg,
) -> Result<(NestReport, crate::licence::RequestGrant)> {
    let validation = validate_layout(&loaded.problem, &outcome.layout);
    if !validation.is_valid() {
        bail!("the layout failed the independent validator, so nothing was written:\n{validation}");
    }
    let report = NestReport::new(loaded, run.0, run.1, outcome);
    let grant = crate::licence::authorize_request(licensing::RequestKind::Export)?;
    write_outputs(
        out,
        loaded,
        &outcome.layout,
        &report,
        version,
        grant.evaluation_mark(),
    )?;
    Ok((report, grant))
}

/// Writes the sheet DXFs, the SVG preview and the report into `out`.
fn write_outputs(
    out: &Path,
    loaded: &LoadedJob,
    layout: &nesting::Layout,
    report: &NestReport,
    version: DxfVersionArg,
    evaluation_mark: bool,
) -> Result<()> {
    std::fs::create_dir_all(out)
        .with_context(|| format!("cannot create the output folder {}", out.display()))?;
    let options = DxfExportOptions {
        version: match version {
            DxfVersionArg::R2000 => DxfVersion::R2000,
            DxfVersionArg::R12 => DxfVersion::R12,
        },
        evaluation_mark,
    };
    for i in 0..layout.sheets.len() {
        let path = out.join(sheet_file_name(i + 1));
        write_sheet_dxf(&path, &loaded.problem, layout, i, &options)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    write_atomically(
        &out.join("layout.svg"),
        layout_svg(&loaded.problem, layout).as_bytes(),
    )?;
    write_atomically(
        &out.join(REPORT_FILE),
        serde_json::to_string_pretty(report)?.as_bytes(),
    )?;
    Ok(())
}

fn print_summary(report: &NestReport, out: &Path) -> Result<()> {
    outln!(
        "{} sheet(s), utilization {:.1} %, {} iterations in {:.1} s ({})",
        report.sheet_count,
        report.utilization * 100.0,
        report.iterations,
        report.elapsed_s,
        report.stop_reason
    )?;
    for s in &report.sheets {
        outln!(
            "  {}  {}  {} parts  utilization {:.1} %  used length {:.1} mm",
            s.file,
            crate::report::sheet_size_text(s.width_mm, s.height_mm),
            s.placements.len(),
            s.utilization * 100.0,
            s.used_length_mm
        )?;
    }
    for u in &report.unplaced {
        outln!("  unplaced: {} x {}: {}", u.count, u.part, u.reason)?;
    }
    for p in report.parts.iter().filter(|p| p.nested_as_convex_hull) {
        outln!("  {}: {HULL_NOTE}", p.name)?;
    }
    outln!("validated; written to {}", out.display())?;
    Ok(())
}
