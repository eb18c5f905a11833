//! The job file (TOML): which DXF parts in what quantities, on which sheets,
//! with which spacing, margin, time budget and seed. The CLI reads it and
//! command-line flags override it; the GUI saves the same format.
//!
//! ```toml
//! spacing_mm = 5.0        # minimum gap between two parts
//! margin_mm = 10.0        # minimum gap between a part and the sheet edge
//! time_limit_s = 10.0     # computing time budget
//! seed = 42               # same seed (and iterations) = same layout
//! default_unit = "mm"     # unit of DXF files that do not say theirs
//! part_in_part = true     # place small parts inside the holes of larger ones
//!
//! [[sheet]]
//! width_mm = 3000.0
//! height_mm = 1500.0
//! count = 10              # sheets in stock (omit for unlimited)
//! cost = 240.0            # optional, EUR per sheet: picks the cheapest stock, prices quotes
//!
//! [[sheet]]                    # a remnant: an irregular sheet from a DXF file
//! remnant = "stock/r17.dxf"    # its largest closed outline; holes in it are unusable
//! count = 1
//!
//! [[part]]
//! file = "parts/bracket.dxf"   # relative to the job file
//! quantity = 12
//! rotations = "90"             # "none", "90", "free" or a list "0,180"
//! mirror = false
//! priority = 5                 # 1 (nested first) to 9 (last, left out first when stock runs out)
//! # unit = "in"                # override the file's unit
//! # one_part_per_file = true   # all outlines of the file form one part
//! # layers = ["CUT"]           # only these layers are cut geometry
//! ```

use anyhow::{Context, Result, bail};
use nesting::import::{ImportOptions, Unit};
use nesting::{PRIORITY_FIRST, PRIORITY_LAST, Rotations, SheetOutline, SheetSpec};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// A nesting job as stored in a `.toml` file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Job {
    #[serde(default = "default_spacing")]
    pub spacing_mm: f64,
    #[serde(default = "default_margin")]
    pub margin_mm: f64,
    #[serde(default = "default_time")]
    pub time_limit_s: f64,
    #[serde(default = "default_seed")]
    pub seed: u64,
    /// Unit for DXF files without `$INSUNITS` ("mm", "cm", "m", "in", "ft").
    #[serde(default = "default_unit")]
    pub default_unit: String,
    /// Place small parts inside the holes of larger parts.
    #[serde(default = "default_part_in_part")]
    pub part_in_part: bool,
    #[serde(default, rename = "sheet")]
    pub sheets: Vec<JobSheet>,
    #[serde(default, rename = "part")]
    pub parts: Vec<JobPart>,
}

fn default_spacing() -> f64 {
    5.0
}
fn default_margin() -> f64 {
    10.0
}
fn default_time() -> f64 {
    10.0
}
fn default_seed() -> u64 {
    42
}
fn default_unit() -> String {
    "mm".into()
}
pub(crate) fn default_part_in_part() -> bool {
    true
}
fn default_quantity() -> u32 {
    1
}

/// A stock sheet in a job: a rectangle, or a remnant whose outline comes
/// from a DXF file (its largest closed outline; the holes inside it are
/// unusable, the size is the outline's bounding box).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobSheet {
    #[serde(default)]
    pub width_mm: f64,
    #[serde(default)]
    pub height_mm: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost: Option<f64>,
    /// DXF file of a remnant (relative to the job file).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remnant: Option<PathBuf>,
    /// The remnant's outline, read from `remnant` ([`JobSheet::load_remnant`]).
    #[serde(skip)]
    pub outline: Option<SheetOutline>,
}

impl JobSheet {
    /// A rectangular sheet.
    pub fn rect(width_mm: f64, height_mm: f64, count: Option<u32>, cost: Option<f64>) -> Self {
        JobSheet {
            width_mm,
            height_mm,
            count,
            cost,
            remnant: None,
            outline: None,
        }
    }

    /// A remnant sheet read from the DXF file `path` (unitless files in
    /// `default_unit`).
    pub fn remnant(path: &Path, default_unit: Unit) -> Result<JobSheet> {
        let mut sheet = JobSheet::rect(0.0, 0.0, Some(1), None);
        sheet.remnant = Some(path.to_path_buf());
        sheet.load_remnant(default_unit)?;
        Ok(sheet)
    }

    /// Reads the outline of `remnant` (if set) and takes its size.
    pub fn load_remnant(&mut self, default_unit: Unit) -> Result<()> {
        let Some(path) = &self.remnant else {
            return Ok(());
        };
        let options = ImportOptions {
            default_unit,
            ..ImportOptions::default()
        };
        let imported = nesting::import::import_file(path, &options)
            .with_context(|| format!("cannot import the remnant {}", path.display()))?;
        let Some(largest) = imported
            .parts
            .iter()
            .max_by(|a, b| a.outer.area().total_cmp(&b.outer.area()))
        else {
            bail!(
                "the remnant {} holds no closed outline:\n{}",
                path.display(),
                imported.report
            );
        };
        let (dx, dy) = (largest.source_origin.x, largest.source_origin.y);
        let (outline, _) = SheetOutline::normalized(
            largest.outer.translated(dx, dy),
            largest.holes.iter().map(|h| h.translated(dx, dy)).collect(),
            Vec::new(),
        );
        (self.width_mm, self.height_mm) = outline.size();
        self.outline = Some(outline);
        Ok(())
    }

    /// What the engine nests on.
    pub fn spec(&self) -> SheetSpec {
        SheetSpec {
            width_mm: self.width_mm,
            height_mm: self.height_mm,
            count: self.count,
            cost: self.cost,
            outline: self.outline.clone(),
        }
    }

    /// How the sheet is named in messages: its size, and the remnant file.
    pub fn describe(&self) -> String {
        let size = crate::report::sheet_size_text(self.width_mm, self.height_mm);
        match &self.remnant {
            Some(p) => format!("remnant {} ({size})", p.display()),
            None => size,
        }
    }
}

/// A part file in a job. A file with several outlines gives several part
/// types, each with this quantity.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobPart {
    pub file: PathBuf,
    #[serde(default = "default_quantity")]
    pub quantity: u32,
    #[serde(default)]
    pub rotations: Rotations,
    #[serde(default)]
    pub mirror: bool,
    /// 1 (nested first) to 9 (last); the least urgent are left out when the stock runs out.
    #[serde(default = "nesting::problem::default_priority")]
    pub priority: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    #[serde(default)]
    pub one_part_per_file: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub layers: Option<Vec<String>>,
}

impl Job {
    /// An empty job with the default settings.
    pub fn new() -> Self {
        Job {
            spacing_mm: default_spacing(),
            margin_mm: default_margin(),
            time_limit_s: default_time(),
            seed: default_seed(),
            default_unit: default_unit(),
            part_in_part: default_part_in_part(),
            sheets: Vec::new(),
            parts: Vec::new(),
        }
    }

    /// Reads a job file; part paths are made absolute relative to its folder.
    pub fn load(path: &Path) -> Result<Job> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the job file {}", path.display()))?;
        let mut job: Job = toml::from_str(&text)
            .with_context(|| format!("{} is not a valid Nestwork job file", path.display()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        for p in &mut job.parts {
            if p.file.is_relative() {
                p.file = base.join(&p.file);
            }
        }
        let unit = job.default_unit.parse::<Unit>().unwrap_or(Unit::Millimeter);
        for (i, s) in job.sheets.iter_mut().enumerate() {
            if let Some(r) = &mut s.remnant
                && r.is_relative()
            {
                *r = base.join(&*r);
            }
            s.load_remnant(unit)
                .with_context(|| format!("sheet {} of job file {}", i + 1, path.display()))?;
        }
        job.check()
            .with_context(|| format!("in job file {}", path.display()))?;
        Ok(job)
    }

    /// Checks the settings a nest needs, with messages that say what to fix.
    pub fn check(&self) -> Result<()> {
        if !(self.spacing_mm >= 0.0 && self.spacing_mm.is_finite()) {
            bail!("spacing_mm must be 0 or more, got {}", self.spacing_mm);
        }
        if !(self.margin_mm >= 0.0 && self.margin_mm.is_finite()) {
            bail!("margin_mm must be 0 or more, got {}", self.margin_mm);
        }
        if !(self.time_limit_s > 0.0 && self.time_limit_s.is_finite()) {
            bail!(
                "time_limit_s must be more than 0, got {}",
                self.time_limit_s
            );
        }
        self.default_unit
            .parse::<Unit>()
            .map_err(|e| anyhow::anyhow!("default_unit: {e}"))?;
        for (i, s) in self.sheets.iter().enumerate() {
            if s.remnant.is_some() && s.outline.is_none() {
                bail!(
                    "sheet {}: the remnant {} has not been read",
                    i + 1,
                    s.describe()
                );
            }
            if !(s.width_mm > 0.0 && s.height_mm > 0.0) {
                bail!(
                    "sheet {} has size {} x {} mm: both must be more than 0 (give width_mm and height_mm, or a remnant DXF)",
                    i + 1,
                    s.width_mm,
                    s.height_mm
                );
            }
        }
        for p in &self.parts {
            if let Some(u) = &p.unit {
                u.parse::<Unit>()
                    .map_err(|e| anyhow::anyhow!("part {}: unit: {e}", p.file.display()))?;
            }
            if !(PRIORITY_FIRST..=PRIORITY_LAST).contains(&p.priority) {
                bail!(
                    "part {}: priority {}; use {PRIORITY_FIRST} (nested first) to {PRIORITY_LAST} (last)",
                    p.file.display(),
                    p.priority
                );
            }
        }
        Ok(())
    }

    /// Import options for one part entry.
    pub fn import_options(&self, part: &JobPart) -> Result<ImportOptions> {
        let default_unit = self
            .default_unit
            .parse::<Unit>()
            .map_err(|e| anyhow::anyhow!("default_unit: {e}"))?;
        let unit_override = part
            .unit
            .as_deref()
            .map(str::parse::<Unit>)
            .transpose()
            .map_err(|e| anyhow::anyhow!("part {}: unit: {e}", part.file.display()))?;
        Ok(ImportOptions {
            default_unit,
            unit_override,
            one_part_per_file: part.one_part_per_file,
            cut_layers: part.layers.clone(),
            ..ImportOptions::default()
        })
    }
}

impl Default for Job {
    fn default() -> Self {
        Job::new()
    }
}

/// Parses a sheet given on the command line: `WIDTHxHEIGHT[:COUNT[:COST]]`.
pub fn parse_sheet_arg(s: &str) -> Result<JobSheet> {
    let mut fields = s.split(':');
    let size = fields.next().unwrap_or_default();
    let (w, h) = size.split_once(['x', 'X']).with_context(|| {
        format!("sheet `{s}`: expected WIDTHxHEIGHT[:COUNT[:COST]] in mm, e.g. 3000x1500:10")
    })?;
    let width_mm: f64 = w
        .trim()
        .parse()
        .with_context(|| format!("sheet `{s}`: width `{w}` is not a number"))?;
    let height_mm: f64 = h
        .trim()
        .parse()
        .with_context(|| format!("sheet `{s}`: height `{h}` is not a number"))?;
    let count = match fields.next() {
        Some(c) if !c.is_empty() => Some(
            c.parse()
                .with_context(|| format!("sheet `{s}`: count `{c}` is not a whole number"))?,
        ),
        _ => None,
    };
    let cost = match fields.next() {
        Some(c) if !c.is_empty() => Some(
            c.parse()
                .with_context(|| format!("sheet `{s}`: cost `{c}` is not a number"))?,
        ),
        _ => None,
    };
    if fields.next().is_some() {
        bail!("sheet `{s}`: too many `:` fields; expected WIDTHxHEIGHT[:COUNT[:COST]]");
    }
    if !(width_mm > 0.0 && height_mm > 0.0) {
        bail!("sheet `{s}`: width and height must be more than 0");
    }
    Ok(JobSheet::rect(width_mm, height_mm, count, cost))
}

/// Parses a remnant given on the command line: `FILE.dxf[:COUNT[:COST]]`
/// (unitless files in `default_unit`).
pub fn parse_remnant_arg(s: &str, default_unit: Unit) -> Result<JobSheet> {
    // The file name may hold `:` itself (C:\\…): take the longest prefix
    // that exists, the fields after it are the count and cost.
    let cuts: Vec<usize> = s.match_indices(':').map(|(i, _)| i).collect();
    let split = std::iter::once(s.len())
        .chain(cuts.iter().rev().copied().take(2))
        .find(|&i| Path::new(&s[..i]).is_file())
        .unwrap_or_else(|| cuts.first().copied().unwrap_or(s.len()));
    let (file, rest) = (&s[..split], s.get(split + 1..));
    let mut sheet = JobSheet::remnant(Path::new(file), default_unit)?;
    if let Some(rest) = rest {
        let mut fields = rest.split(':');
        if let Some(c) = fields.next().filter(|c| !c.is_empty()) {
            sheet.count =
                Some(c.parse().with_context(|| {
                    format!("remnant `{s}`: count `{c}` is not a whole number")
                })?);
        }
        if let Some(c) = fields.next().filter(|c| !c.is_empty()) {
            sheet.cost = Some(
                c.parse()
                    .with_context(|| format!("remnant `{s}`: cost `{c}` is not a number"))?,
            );
        }
        if fields.next().is_some() {
            bail!("remnant `{s}`: too many `:` fields; expected FILE.dxf[:COUNT[:COST]]");
        }
    }
    Ok(sheet)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_arg_forms() {
        let s = parse_sheet_arg("3000x1500:10").unwrap();
        assert_eq!(
            (s.width_mm, s.height_mm, s.count, s.cost),
            (3000.0, 1500.0, Some(10), None)
        );
        let s = parse_sheet_arg("2500X1250::99.5").unwrap();
        assert_eq!((s.count, s.cost), (None, Some(99.5)));
        let e = parse_sheet_arg("3000-1500").unwrap_err().to_string();
        assert!(e.contains("WIDTHxHEIGHT"), "{e}");
        assert!(parse_sheet_arg("0x100").is_err());
    }

    #[test]
    fn job_toml_defaults_and_errors() {
        let job: Job = toml::from_str(
            r#"
            [[sheet]]
            width_mm = 1000
            height_mm = 500
            [[part]]
            file = "a.dxf"
            quantity = 3
            rotations = "0,180"
            "#,
        )
        .unwrap();
        assert_eq!(job.spacing_mm, 5.0);
        assert_eq!(job.parts[0].rotations, Rotations::List(vec![0.0, 180.0]));
        assert!(!job.parts[0].mirror);
        job.check().unwrap();

        let err = toml::from_str::<Job>("spacing = 3")
            .unwrap_err()
            .to_string();
        assert!(err.contains("spacing"), "{err}");
        let bad = Job {
            spacing_mm: -1.0,
            ..Job::new()
        };
        assert!(bad.check().unwrap_err().to_string().contains("spacing_mm"));
        assert!(
            job.part_in_part,
            "part-in-part is on unless the job says otherwise"
        );
        let off: Job = toml::from_str("part_in_part = false").unwrap();
        assert!(!off.part_in_part);
        let round: Job = toml::from_str(&toml::to_string_pretty(&job).unwrap()).unwrap();
        assert_eq!(round, job);
    }

    #[test]
    fn a_part_priority_is_read_defaulted_and_checked() {
        let job: Job = toml::from_str(
            r#"
            [[sheet]]
            width_mm = 1000
            height_mm = 500
            [[part]]
            file = "a.dxf"
            priority = 1
            [[part]]
            file = "b.dxf"
            "#,
        )
        .unwrap();
        assert_eq!(job.parts[0].priority, 1);
        assert_eq!(job.parts[1].priority, nesting::DEFAULT_PRIORITY);
        job.check().unwrap();
        let round: Job = toml::from_str(&toml::to_string_pretty(&job).unwrap()).unwrap();
        assert_eq!(round, job);
        let mut bad = job.clone();
        bad.parts[1].priority = 0;
        let e = bad.check().unwrap_err().to_string();
        assert!(
            e.contains("b.dxf") && e.contains("priority 0") && e.contains("1 (nested first)"),
            "{e}"
        );
    }

    fn sample_panel() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/samples/panel.dxf")
    }

    #[test]
    fn a_remnant_sheet_is_read_from_its_dxf_relative_to_the_job() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("stock")).unwrap();
        std::fs::copy(sample_panel(), dir.path().join("stock/r1.dxf")).unwrap();
        let job_path = dir.path().join("job.toml");
        std::fs::write(
            &job_path,
            "[[sheet]]\nremnant = \"stock/r1.dxf\"\ncount = 1\ncost = 12.5\n",
        )
        .unwrap();
        let job = Job::load(&job_path).unwrap();
        let sheet = &job.sheets[0];
        assert_eq!((sheet.width_mm, sheet.height_mm), (1200.0, 800.0));
        let spec = sheet.spec();
        let outline = spec.outline.as_ref().expect("a remnant has an outline");
        assert!(outline.holes.len() >= 3, "{} holes", outline.holes.len());
        assert!(spec.area() < 1200.0 * 800.0 * 0.95, "{}", spec.area());
        assert_eq!((spec.count, spec.cost), (Some(1), Some(12.5)));
        // Saved again, the job keeps the path and not the geometry.
        let text = toml::to_string_pretty(&job).unwrap();
        assert!(
            text.contains("remnant") && !text.contains("outline"),
            "{text}"
        );

        std::fs::remove_file(dir.path().join("stock/r1.dxf")).unwrap();
        let err = format!("{:#}", Job::load(&job_path).unwrap_err());
        assert!(err.contains("r1.dxf"), "{err}");
    }

    #[test]
    fn remnant_arg_forms() {
        let panel = sample_panel();
        let p = panel.to_str().unwrap();
        let s = parse_remnant_arg(p, Unit::Millimeter).unwrap();
        assert_eq!((s.count, s.cost), (Some(1), None));
        let s = parse_remnant_arg(&format!("{p}:3:40"), Unit::Millimeter).unwrap();
        assert_eq!((s.count, s.cost), (Some(3), Some(40.0)));
        let e = format!(
            "{:#}",
            parse_remnant_arg(&format!("{p}:x"), Unit::Millimeter).unwrap_err()
        );
        assert!(e.contains("count"), "{e}");
        let e = format!(
            "{:#}",
            parse_remnant_arg("nowhere.dxf:2", Unit::Millimeter).unwrap_err()
        );
        assert!(e.contains("nowhere.dxf"), "{e}");
    }
}
