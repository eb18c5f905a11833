//! `nestwork quote`: price a nest output folder for a customer and write
//! the PDF, JSON and CSV quote; `quote list` and `quote accept` work on the
//! local quote history.

use super::output::{outln, print_json, write_atomically};
use crate::output_folder::load_nest_output;
use crate::quote::csv::quote_csv;
use crate::quote::document::DATE_FORMAT;
use crate::quote::history::{QuoteStore, QuoteSummary, Status};
use crate::quote::money::format_money;
use crate::quote::pdf::render_pdf;
use crate::quote::{
    Customer, Machines, Materials, QuoteDocument, QuoteInput, QuoteOptions, Settings, price_job,
};
use anyhow::{Context, Result};
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `nestwork quote`: make a quote, or work on the quote history.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct QuoteArgs {
    #[command(subcommand)]
    pub action: Option<QuoteAction>,
    #[command(flatten)]
    pub make: MakeQuoteArgs,
}

/// The quote history.
#[derive(Debug, Subcommand)]
pub enum QuoteAction {
    /// List the stored quotes with their status (open, accepted, expired).
    List(StoreArgs),
    /// Mark a quote accepted: the signed quote becomes a firm order.
    Accept {
        /// Quote number, e.g. Q-000012.
        number: String,
        #[command(flatten)]
        store: StoreArgs,
    },
}

/// Where the quote history lives.
#[derive(Debug, Args)]
pub struct StoreArgs {
    /// Quote store folder (default: $NESTWORK_DATA_DIR/quotes, else the OS data folder + nestwork/quotes).
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,
    /// Today's date for the expiry check, YYYY-MM-DD (default: today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<String>,
}

/// Making a quote.
#[derive(Debug, Args)]
pub struct MakeQuoteArgs {
    /// Output folder of `nestwork nest` (report.json and sheet-NNN.dxf).
    #[arg(required = true)]
    pub dir: Option<PathBuf>,
    /// Material name or alias from the material table, e.g. "S235 mild steel".
    #[arg(long, required = true)]
    pub material: Option<String>,
    /// Sheet thickness, mm.
    #[arg(long, required = true, value_name = "MM")]
    pub thickness: Option<f64>,
    /// Machine name or alias from the machine table.
    #[arg(long, default_value = "fiber laser 6 kW")]
    pub machine: String,
    /// Customer file (TOML: name, address, country, kind, vat_number).
    #[arg(long, required = true, value_name = "FILE")]
    pub customer: Option<PathBuf>,
    /// The PDF to write; the JSON and CSV go beside it with the same name.
    #[arg(long, default_value = "quote.pdf")]
    pub out: PathBuf,
    /// Your own material table instead of the shipped one.
    #[arg(long, value_name = "FILE")]
    pub materials: Option<PathBuf>,
    /// Your own machine table instead of the shipped one.
    #[arg(long, value_name = "FILE")]
    pub machines: Option<PathBuf>,
    /// Your own quoting settings (seller, pricing, shipping, terms).
    #[arg(long, value_name = "FILE")]
    pub settings: Option<PathBuf>,
    /// Options of this quote: secondary operations per part, customer reference.
    #[arg(long, value_name = "FILE")]
    pub options: Option<PathBuf>,
    #[command(flatten)]
    pub store: StoreArgs,
}

/// Runs `nestwork quote ...`.
pub fn run(args: &QuoteArgs, json: bool) -> Result<ExitCode> {
    match &args.action {
        Some(QuoteAction::List(store)) => list(store, json),
        Some(QuoteAction::Accept { number, store }) => accept(number, store, json),
        None => make(&args.make, json),
    }
}

fn today(arg: &Option<String>) -> Result<NaiveDate> {
    match arg {
        Some(s) => NaiveDate::parse_from_str(s, DATE_FORMAT)
            .with_context(|| format!("--date `{s}`: write the date as YYYY-MM-DD")),
        None => Ok(chrono::Local::now().date_naive()),
    }
}

fn open_store(args: &StoreArgs) -> Result<QuoteStore> {
    let root = QuoteStore::locate(args.store.as_deref())?;
    Ok(QuoteStore::open(&root)?)
}

fn required<'a, T>(value: &'a Option<T>, flag: &str) -> Result<&'a T> {
    value.as_ref().with_context(|| {
        format!("{flag} is required to make a quote (see `nestwork quote --help`)")
    })
}

fn make(args: &MakeQuoteArgs, json: bool) -> Result<ExitCode> {
    let dir = required(&args.dir, "the nest output folder")?;
    let material_name = required(&args.material, "--material")?;
    let thickness_mm = *required(&args.thickness, "--thickness")?;
    let customer_path = required(&args.customer, "--customer")?;
    let materials = match &args.materials {
        Some(p) => Materials::load(p)?,
        None => Materials::shipped()?,
    };
    let machines = match &args.machines {
        Some(p) => Machines::load(p)?,
        None => Machines::shipped()?,
    };
    let settings = match &args.settings {
        Some(p) => Settings::load(p)?,
        None => Settings::shipped()?,
    };
    let options = match &args.options {
        Some(p) => QuoteOptions::load(p)?,
        None => QuoteOptions::default(),
    };
    let customer = Customer::load(customer_path)?;
    let output = load_nest_output(dir)?;
    let material = materials.find(material_name, thickness_mm)?;
    let machine = machines.find(&args.machine)?;
    let quote = price_job(&QuoteInput {
        problem: &output.problem,
        layout: &output.layout,
        material,
        thickness_mm,
        machine,
        settings: &settings,
        options: &options,
        customer: &customer,
    })?;
    let date = today(&args.store.date)?;
    let store = open_store(&args.store)?;
    let number = store.next_number()?;
    let mut doc = QuoteDocument::new(number, date, &settings, &customer, &options, quote);
    // A quote is a request: counted against the licence, or watermarked in evaluation mode.
    let grant = crate::licence::authorize_request(licensing::RequestKind::Quote)?;
    doc.evaluation = grant.evaluation_mark();
    if let Some(notice) = grant.notice() {
        eprintln!("{notice}");
    }
    let pdf = render_pdf(&doc, &output.problem, &output.layout)
        .with_context(|| format!("cannot make the PDF of quote {}", doc.number))?;
    let json_path = args.out.with_extension("json");
    let csv_path = args.out.with_extension("csv");
    if let Some(parent) = args.out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create the folder {}", parent.display()))?;
    }
    write_atomically(&args.out, &pdf)?;
    write_atomically(&json_path, serde_json::to_string_pretty(&doc)?.as_bytes())?;
    write_atomically(&csv_path, quote_csv(&doc).as_bytes())?;
    store.save(&doc, &pdf)?;
    if json {
        print_json(&doc)?;
    } else {
        print_made(&doc, [&args.out, &json_path, &csv_path], store.root())?;
    }
    Ok(ExitCode::SUCCESS)
}

fn print_made(doc: &QuoteDocument, files: [&Path; 3], store: &Path) -> Result<()> {
    let q = &doc.quote;
    let c = q.currency;
    outln!(
        "quote {} for {} ({} mm {}, {}), valid until {}",
        doc.number,
        doc.customer.name,
        q.thickness_mm,
        q.material,
        q.machine,
        doc.valid_until
    )?;
    for l in &q.lines {
        outln!(
            "  {:<24} {:>5} x {:>12} = {:>14}",
            l.part,
            l.quantity,
            format_money(l.unit_price, c),
            format_money(l.total, c)
        )?;
    }
    for ch in &q.charges {
        outln!("  {:<53} {:>14}", ch.label, format_money(ch.amount, c))?;
    }
    outln!("  total excl. VAT {}", format_money(q.total_ht, c))?;
    outln!(
        "  VAT {} % ({}) {}",
        q.vat.rate_percent.normalize(),
        q.vat.reason,
        format_money(q.vat_amount, c)
    )?;
    outln!("  total incl. VAT {}", format_money(q.total_ttc, c))?;
    for w in &q.warnings {
        eprintln!("warning: {w}");
    }
    outln!(
        "written {}, {}, {}; stored in {}",
        files[0].display(),
        files[1].display(),
        files[2].display(),
        store.display()
    )?;
    Ok(())
}

fn status_word(s: &QuoteSummary) -> String {
    match s.status {
        Status::Open => "open".into(),
        Status::Expired => "EXPIRED".into(),
        Status::Accepted => format!("ACCEPTED {}", s.accepted_on.clone().unwrap_or_default()),
    }
}

fn list(args: &StoreArgs, json: bool) -> Result<ExitCode> {
    let store = open_store(args)?;
    let quotes = store.list(today(&args.date)?)?;
    if json {
        print_json(&quotes)?;
    } else if quotes.is_empty() {
        outln!("no quotes in {}", store.root().display())?;
    } else {
        outln!(
            "{:<10} {:<10} {:<10} {:<32} {:>16}  status",
            "number",
            "date",
            "valid to",
            "customer",
            "total incl. VAT"
        )?;
        for s in &quotes {
            outln!(
                "{:<10} {:<10} {:<10} {:<32} {:>16}  {}",
                s.number,
                s.date,
                s.valid_until,
                s.customer,
                format_money(s.total_ttc, s.currency),
                status_word(s)
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn accept(number: &str, args: &StoreArgs, json: bool) -> Result<ExitCode> {
    let store = open_store(args)?;
    let s = store.accept(number, today(&args.date)?)?;
    if json {
        print_json(&s)?;
    } else {
        outln!(
            "quote {} accepted: firm order from {} for {} incl. VAT",
            s.number,
            s.customer,
            format_money(s.total_ttc, s.currency)
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
