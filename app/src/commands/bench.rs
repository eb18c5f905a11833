//! `nestwork bench INSTANCE.json`: runs one academic benchmark instance
//! (strip packing, or bin packing with rectangular bins) for a time and a
//! seed, checks the result with the independent validator and writes
//! `result.json` and `layout.svg`.

use super::output::{outln, print_json, write_atomically};
use crate::cli::BenchArgs;
use anyhow::{Context, Result, bail};
use nesting::bench_instance::{BenchInstance, InstanceKind};
use nesting::engine::{NestOptions, nest, nest_strip};
use nesting::export::layout_svg;
use nesting::problem::NestProblem;
use nesting::validate::validate_layout;
use serde::Serialize;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{RecvTimeoutError, Sender, channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// What one benchmark run writes to `result.json`.
#[derive(Debug, Serialize)]
struct BenchResult {
    instance: String,
    kind: &'static str,
    time_limit_s: f64,
    seed: u64,
    threads: usize,
    elapsed_s: f64,
    iterations: u64,
    /// Pose evaluations of the strip search (its work), strip instances.
    collision_queries: Option<u64>,
    /// Placed item area / (used length × strip height), strip instances.
    density: Option<f64>,
    /// Used strip length in instance units.
    length: Option<f64>,
    strip_height: Option<f64>,
    /// Bins used and their total cost, bin instances.
    bins_used: Option<usize>,
    bin_cost: Option<f64>,
    /// Item area / total area of the used bins, bin instances.
    utilization: Option<f64>,
    /// Area lower bound on the number of sheets (`--sheet` runs).
    sheets_lower_bound: Option<usize>,
    /// Used length of the last sheet in instance units (`--sheet` runs).
    last_sheet_length: Option<f64>,
    /// Seconds until the first complete layout was reported.
    first_layout_s: Option<f64>,
    /// With `--cancel-after`: time from the cancel to the engine's return, ms.
    cancel_latency_ms: Option<f64>,
    /// Every improvement the engine reported: `[elapsed_s, utilization]`
    /// (for strips the density), to see how the search converges.
    improvements: Vec<[f64; 2]>,
    placed: usize,
    total: usize,
    valid: bool,
    violations: Vec<String>,
    /// Coordinates were multiplied by this before nesting (density is unaffected).
    unit_scale: f64,
    /// Peak resident memory of the process (MiB), where the OS reports it.
    peak_rss_mib: Option<f64>,
    /// 1-minute load average when the run ended, where the OS reports it.
    load_avg_1m: Option<f64>,
}

/// Area lower bound on the sheets needed: the fewest sheets, largest first
/// (within their stock), whose usable area holds the parts' area.
fn sheets_lower_bound(problem: &NestProblem) -> usize {
    let area: f64 = problem
        .parts
        .iter()
        .map(|p| f64::from(p.quantity) * p.part.area())
        .sum();
    let mut sheets: Vec<(f64, Option<u32>)> =
        problem.sheets.iter().map(|s| (s.area(), s.count)).collect();
    sheets.sort_by(|a, b| b.0.total_cmp(&a.0));
    let (mut n, mut left) = (0, area);
    for (sheet_area, count) in sheets {
        if sheet_area <= 0.0 {
            continue;
        }
        let need = (left / sheet_area - 1e-9).ceil().max(0.0) as usize;
        let take = count.map_or(need, |c| need.min(c as usize));
        n += take;
        if take == need {
            break;
        }
        left -= take as f64 * sheet_area;
    }
    n.max(1)
}

/// Peak resident set size in MiB (Linux `VmHWM`).
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn load_avg() -> Option<f64> {
    std::fs::read_to_string("/proc/loadavg")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// A thread that sets `cancel` after `after_s` seconds and returns when it
/// did; dropping the sender before then ends it without a cancel.
fn start_cancel_timer(
    after_s: f64,
    cancel: &Arc<AtomicBool>,
) -> (Sender<()>, JoinHandle<Option<Instant>>) {
    let (tx, rx) = channel::<()>();
    let cancel = cancel.clone();
    let timer = std::thread::spawn(move || {
        let Err(RecvTimeoutError::Timeout) = rx.recv_timeout(Duration::from_secs_f64(after_s))
        else {
            return None;
        };
        let at = Instant::now();
        cancel.store(true, Ordering::SeqCst);
        Some(at)
    });
    (tx, timer)
}

/// Runs the benchmark and writes the output folder.
pub fn run(args: &BenchArgs, json: bool) -> Result<ExitCode> {
    let mut inst = BenchInstance::load(&args.instance)
        .with_context(|| format!("cannot load benchmark instance {}", args.instance.display()))?;
    if args.copies == 0 {
        bail!("--copies must be at least 1");
    }
    if let Some(c) = args.cancel_after
        && !(c.is_finite() && c >= 0.0)
    {
        bail!("--cancel-after must be a number of seconds, 0 or more, got {c}");
    }
    for it in &mut inst.items {
        it.demand = it.demand.saturating_mul(args.copies);
    }
    if let Some(sheet) = &args.sheet {
        let (w, h) = sheet
            .split_once(['x', 'X'])
            .and_then(|(w, h)| Some((w.trim().parse::<f64>().ok()?, h.trim().parse::<f64>().ok()?)))
            .filter(|(w, h)| w.is_finite() && h.is_finite() && *w > 0.0 && *h > 0.0)
            .with_context(|| {
                format!("--sheet {sheet}: give the size as WIDTHxHEIGHT, e.g. 100x40")
            })?;
        inst.kind = InstanceKind::Bins(vec![nesting::bench_instance::InstanceBin {
            id: 0,
            stock: u32::MAX,
            cost: 1.0,
            shape: nesting::bench_instance::InstanceShape {
                outer: vec![
                    nesting::Point::new(0.0, 0.0),
                    nesting::Point::new(w, 0.0),
                    nesting::Point::new(w, h),
                    nesting::Point::new(0.0, h),
                ],
                holes: vec![],
            },
            zones: vec![],
        }]);
    }
    let improvements = std::sync::Mutex::new(Vec::<[f64; 2]>::new());
    let on_progress = |p: &nesting::engine::Progress| {
        if p.improved && p.placed > 0 {
            improvements
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push([p.elapsed_s, p.utilization]);
        }
    };
    let options = NestOptions {
        time_limit_s: args.time,
        seed: args.seed,
        max_iterations: args.iterations,
        threads: args.threads,
        part_in_part: !args.no_part_in_part,
    };
    let cancel = Arc::new(AtomicBool::new(false));
    let cancel_timer = args.cancel_after.map(|s| start_cancel_timer(s, &cancel));
    let scale = inst.unit_scale();
    let total: usize = inst.items.iter().map(|i| i.demand as usize).sum();
    let (problem, layout, mut result) = match &inst.kind {
        InstanceKind::Strip { height } => {
            // Long enough for every item side by side.
            let max_len: f64 = inst
                .parts(scale)
                .iter()
                .map(|p| {
                    let b = p.part.bbox();
                    f64::from(p.quantity) * b.width().max(b.height())
                })
                .sum::<f64>()
                + 1.0;
            let search = inst
                .strip_problem(scale, max_len)
                .context("strip instance without a strip")?;
            let out = nest_strip(&search, &options, &cancel, &on_progress)
                .with_context(|| format!("strip packing of {} failed", inst.name))?;
            // Validate on a sheet exactly as long as the used length.
            let problem = inst
                .strip_problem(scale, out.length_mm.max(1e-9))
                .context("strip instance without a strip")?;
            let placed = out.layout.placed_count();
            let placed_area: f64 = out
                .layout
                .sheets
                .iter()
                .flat_map(|s| &s.placements)
                .map(|p| problem.parts[p.part].part.area())
                .sum();
            let result = BenchResult {
                instance: inst.name.clone(),
                kind: "strip",
                time_limit_s: args.time,
                seed: args.seed,
                threads: out.threads,
                elapsed_s: out.elapsed_s,
                iterations: out.iterations,
                collision_queries: Some(out.collision_queries),
                density: Some(placed_area / (out.length_mm * height * scale)),
                length: Some(out.length_mm / scale),
                strip_height: Some(*height),
                bins_used: None,
                bin_cost: None,
                utilization: None,
                sheets_lower_bound: None,
                last_sheet_length: None,
                first_layout_s: None,
                cancel_latency_ms: None,
                improvements: vec![],
                placed,
                total,
                valid: false,
                violations: vec![],
                unit_scale: scale,
                peak_rss_mib: None,
                load_avg_1m: None,
            };
            (problem, out.layout, result)
        }
        InstanceKind::Bins(_) => {
            let sheets = inst.bin_sheets(scale).unwrap_or_default();
            let problem = NestProblem {
                parts: inst.parts(scale),
                sheets,
                spacing_mm: 0.0,
                margin_mm: 0.0,
            };
            let out = nest(&problem, &options, &cancel, &on_progress)
                .with_context(|| format!("bin packing of {} failed", inst.name))?;
            let cost: f64 = out
                .layout
                .sheets
                .iter()
                .map(|s| problem.sheets[s.sheet].cost.unwrap_or(0.0))
                .sum();
            let result = BenchResult {
                instance: inst.name.clone(),
                kind: "bins",
                time_limit_s: args.time,
                seed: args.seed,
                threads: args
                    .threads
                    .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())),
                elapsed_s: out.elapsed_s,
                iterations: out.iterations,
                collision_queries: None,
                density: None,
                length: None,
                strip_height: None,
                bins_used: Some(out.layout.sheets.len()),
                bin_cost: Some(cost),
                utilization: Some(out.layout.utilization(&problem)),
                sheets_lower_bound: Some(sheets_lower_bound(&problem)),
                last_sheet_length: out
                    .layout
                    .sheets
                    .len()
                    .checked_sub(1)
                    .map(|i| out.layout.used_length(&problem, i) / scale),
                first_layout_s: None,
                cancel_latency_ms: None,
                improvements: vec![],
                placed: out.layout.placed_count(),
                total,
                valid: false,
                violations: vec![],
                unit_scale: scale,
                peak_rss_mib: None,
                load_avg_1m: None,
            };
            (problem, out.layout, result)
        }
    };
    let finished = Instant::now();
    if let Some((stop_timer, timer)) = cancel_timer {
        drop(stop_timer);
        let cancelled_at = timer
            .join()
            .map_err(|_| anyhow::anyhow!("the cancel timer thread panicked"))?;
        result.cancel_latency_ms =
            cancelled_at.map(|at| finished.duration_since(at).as_secs_f64() * 1000.0);
    }
    result.improvements = improvements.into_inner().unwrap_or_else(|e| e.into_inner());
    result.first_layout_s = result.improvements.first().map(|&[t, _]| t);
    let report = validate_layout(&problem, &layout);
    result.valid = report.is_valid();
    result.violations = report.violations.iter().map(|v| v.to_string()).collect();
    result.peak_rss_mib = peak_rss_mib();
    result.load_avg_1m = load_avg();
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("cannot create the output folder {}", args.out.display()))?;
    write_atomically(
        &args.out.join("result.json"),
        serde_json::to_string_pretty(&result)?.as_bytes(),
    )?;
    write_atomically(
        &args.out.join("layout.svg"),
        layout_svg(&problem, &layout).as_bytes(),
    )?;
    if json {
        print_json(&result)?;
    } else {
        let figure = match (result.density, result.bins_used) {
            (Some(d), _) => format!(
                "density {:.2} %, length {:.4}",
                d * 100.0,
                result.length.unwrap_or(0.0)
            ),
            (None, Some(b)) => format!(
                "{b} bins (area lower bound {}), last sheet length {:.4}, utilization {:.2} %",
                result.sheets_lower_bound.unwrap_or(0),
                result.last_sheet_length.unwrap_or(0.0),
                result.utilization.unwrap_or(0.0) * 100.0
            ),
            _ => String::new(),
        };
        outln!(
            "{}: {figure}, {}/{} placed, {} s, {} threads, valid: {}{}",
            result.instance,
            result.placed,
            result.total,
            args.time,
            result.threads,
            result.valid,
            result
                .peak_rss_mib
                .map_or(String::new(), |m| format!(", peak RSS {m:.0} MiB"))
        )?;
        for v in &result.violations {
            outln!("  - {v}")?;
        }
    }
    Ok(if result.valid && result.placed == total {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

#[cfg(test)]
mod tests {
    use super::sheets_lower_bound;
    use nesting::{Contour, NestProblem, Part, PartDemand, SheetSpec};
    use std::sync::Arc;

    fn squares(n: u32, sheets: Vec<SheetSpec>) -> NestProblem {
        let square = Part::new("sq", Contour::rectangle(0.0, 0.0, 50.0, 50.0), vec![]);
        NestProblem {
            parts: vec![PartDemand::new(Arc::new(square), n)],
            sheets,
            spacing_mm: 0.0,
            margin_mm: 0.0,
        }
    }

    #[test]
    fn the_lower_bound_takes_the_largest_sheets_first_within_stock() {
        // 10 squares of 2500 mm²: 25000 mm².
        let one_type = squares(10, vec![SheetSpec::rect(100.0, 100.0, None, None)]);
        assert_eq!(sheets_lower_bound(&one_type), 3);
        // Two 100 x 100 (20000 mm²), then 50 x 50 ones for the 5000 mm² left.
        let mixed = squares(
            10,
            vec![
                SheetSpec::rect(50.0, 50.0, None, None),
                SheetSpec::rect(100.0, 100.0, Some(2), None),
            ],
        );
        assert_eq!(sheets_lower_bound(&mixed), 4);
        let exact = squares(
            8,
            vec![
                SheetSpec::rect(100.0, 100.0, Some(1), None),
                SheetSpec::rect(100.0, 100.0, Some(5), None),
            ],
        );
        assert_eq!(sheets_lower_bound(&exact), 2);
    }
}
