//! The real `nestwork` binary quoting the sample job: PDF, JSON and CSV
//! with the same totals, sequential numbers, and the history (list,
//! accept, expiry).

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn nestwork(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nestwork"))
        .args(args)
        .current_dir(workspace_root())
        .env_remove("NESTWORK_DATA_DIR")
        .output()
        .expect("the nestwork binary runs")
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn text(o: &Output) -> String {
    format!(
        "status {:?}\nstdout:\n{}\nstderr:\n{}",
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// `1234.5` as the quote prints it: `1,234.50` (written independently of the app's formatter).
fn printed(amount: &str) -> String {
    let (int, frac) = amount.split_once('.').unwrap_or((amount, ""));
    let frac = format!("{frac:0<2}");
    let mut groups: Vec<String> = Vec::new();
    let digits: Vec<char> = int.chars().collect();
    for chunk in digits.rchunks(3) {
        groups.insert(0, chunk.iter().collect());
    }
    format!("{}.{}", groups.join(","), &frac[..2])
}

/// True when page 1 of `pdf` shows the diagonal EVALUATION watermark:
/// pdftotext gives rotated text one letter per line, last letter first.
fn has_watermark(pdf: &Path) -> bool {
    let o = Command::new("pdftotext")
        .args(["-f", "1", "-l", "1"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    let text = String::from_utf8_lossy(&o.stdout);
    let letters: Vec<char> = text
        .lines()
        .map(str::trim)
        .filter(|l| l.chars().count() == 1)
        .filter_map(|l| l.chars().next())
        .collect();
    let mut wanted = "NOITAULAVE".chars().peekable();
    for c in letters {
        if wanted.peek() == Some(&c) {
            wanted.next();
        }
    }
    wanted.peek().is_none()
}

struct Job {
    _tmp: tempfile::TempDir,
    out: PathBuf,
    store: PathBuf,
    work: PathBuf,
}

/// Nests the sample job quickly and returns the folders.
fn nested_sample() -> Job {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = nestwork(&[
        "nest",
        "assets/samples/job.toml",
        "--out",
        out.to_str().unwrap(),
        "--time",
        "20",
        "--iterations",
        "2",
        "--json",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    Job {
        store: tmp.path().join("store"),
        work: tmp.path().to_path_buf(),
        out,
        _tmp: tmp,
    }
}

fn quote(job: &Job, pdf: &Path, customer: &str, date: &str) -> Output {
    nestwork(&[
        "quote",
        job.out.to_str().unwrap(),
        "--material",
        "S235 mild steel",
        "--thickness",
        "3",
        "--machine",
        "fiber laser 6 kW",
        "--customer",
        customer,
        "--options",
        "assets/quote/options.toml",
        "--out",
        pdf.to_str().unwrap(),
        "--store",
        job.store.to_str().unwrap(),
        "--date",
        date,
    ])
}

#[test]
fn sample_quote_pdf_json_csv_agree_and_history_works() {
    let job = nested_sample();
    let pdf = job.work.join("quote.pdf");
    let o = quote(&job, &pdf, "assets/quote/customer.toml", "2025-11-25");
    assert!(o.status.success(), "{}", text(&o));
    let json = read_json(&pdf.with_extension("json"));
    assert_eq!(json["number"], "Q-000001");
    assert_eq!(json["valid_until"], "2025-12-25");
    assert_eq!(json["evaluation"], true);
    let q = &json["quote"];
    assert_eq!(q["currency"], "EUR");
    assert_eq!(q["vat"]["rule"], "french_vat");
    let lines = q["lines"].as_array().unwrap();
    assert!(lines.len() >= 5, "{q}");
    // The sample options add bending to the brackets.
    let bracket = lines
        .iter()
        .find(|l| l["part"] == "bracket")
        .expect("a bracket line");
    assert_eq!(bracket["operations"][0], "press-brake bending, 1 bend");
    // The JSON adds up: lines + charges = HT, HT + VAT = TTC.
    let dec = |v: &Value| {
        v.as_str()
            .unwrap()
            .parse::<rust_decimal::Decimal>()
            .unwrap()
    };
    let mut sum = rust_decimal::Decimal::ZERO;
    for l in lines {
        assert_eq!(
            dec(&l["unit_price"]) * rust_decimal::Decimal::from(l["quantity"].as_u64().unwrap()),
            dec(&l["total"])
        );
        sum += dec(&l["total"]);
    }
    for c in q["charges"].as_array().unwrap() {
        sum += dec(&c["amount"]);
    }
    assert_eq!(sum, dec(&q["total_ht"]));
    assert_eq!(
        dec(&q["total_ht"]) + dec(&q["vat_amount"]),
        dec(&q["total_ttc"])
    );
    // Each sheet's material is priced at the stock cost the job file gives
    // it (240 or 170 EUR a sheet), read back from report.json.
    let report = read_json(&job.out.join("report.json"));
    let sheets = q["sheets"].as_array().unwrap();
    assert_eq!(sheets.len(), report["sheets"].as_array().unwrap().len());
    for (s, r) in sheets.iter().zip(report["sheets"].as_array().unwrap()) {
        let width_mm = r["width_mm"].as_f64().unwrap();
        let cost = if width_mm == 3000.0 { 240 } else { 170 };
        assert_eq!(r["cost"].as_f64(), Some(f64::from(cost)), "{r}");
        let width = rust_decimal::Decimal::try_from(width_mm).unwrap();
        let want = rust_decimal::Decimal::from(cost) * dec(&s["charged_length_mm"]) / width;
        assert_eq!(dec(&s["material_eur"]), want, "{s}");
    }

    // The CSV holds the same totals.
    let csv = std::fs::read_to_string(pdf.with_extension("csv")).unwrap();
    let total_row = csv.lines().find(|l| l.contains(",total_ttc,")).unwrap();
    assert!(
        total_row.contains(&format!(",{},EUR", q["total_ttc"].as_str().unwrap())),
        "{total_row}"
    );
    assert_eq!(
        csv.lines().filter(|l| l.contains(",part,")).count(),
        lines.len()
    );

    // The PDF shows the same figures.
    match Command::new("pdftotext").arg(&pdf).arg("-").output() {
        Ok(o) if o.status.success() => {
            let pdf_text = String::from_utf8_lossy(&o.stdout);
            for key in ["total_ht", "vat_amount", "total_ttc"] {
                let want = format!("{} EUR", printed(q[key].as_str().unwrap()));
                assert!(
                    pdf_text.contains(&want),
                    "the PDF lacks {key} = {want}:\n{pdf_text}"
                );
            }
            assert!(pdf_text.contains("Q-000001"));
            assert!(has_watermark(&pdf), "page 1 lacks the EVALUATION watermark");
            assert!(pdf_text.contains("Atelier Mécanique Dupont SARL"));
            assert!(pdf_text.contains("40 €"), "late-payment clause");
            let unit = printed(bracket["unit_price"].as_str().unwrap());
            assert!(pdf_text.contains(&unit), "bracket unit price {unit}");
        }
        _ => eprintln!(
            "pdftotext is not installed (apt-get install poppler-utils): PDF text check skipped"
        ),
    }

    // A second quote gets the next number; the first one stays in the store.
    let pdf2 = job.work.join("second.pdf");
    let o = quote(&job, &pdf2, "assets/quote/customer.toml", "2025-11-26");
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(
        read_json(&pdf2.with_extension("json"))["number"],
        "Q-000002"
    );

    let store = job.store.to_str().unwrap();
    let o = nestwork(&[
        "quote",
        "accept",
        "Q-000001",
        "--store",
        store,
        "--date",
        "2025-12-01",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let o = nestwork(&[
        "quote",
        "accept",
        "Q-000001",
        "--store",
        store,
        "--date",
        "2025-12-02",
    ]);
    assert!(
        !o.status.success() && text(&o).contains("already accepted on 2025-12-01"),
        "{}",
        text(&o)
    );
    // After Q-000002's validity (2025-12-26) it is expired and cannot be accepted.
    let o = nestwork(&[
        "quote",
        "list",
        "--store",
        store,
        "--date",
        "2026-01-10",
        "--json",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let list: Value = serde_json::from_slice(&o.stdout).unwrap();
    let status: Vec<(&str, &str)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["number"].as_str().unwrap(), s["status"].as_str().unwrap()))
        .collect();
    assert_eq!(
        status,
        vec![("Q-000001", "accepted"), ("Q-000002", "expired")]
    );
    let o = nestwork(&[
        "quote",
        "accept",
        "Q-000002",
        "--store",
        store,
        "--date",
        "2026-01-10",
    ]);
    assert!(
        !o.status.success() && text(&o).contains("expired on 2025-12-26"),
        "{}",
        text(&o)
    );
    let o = nestwork(&["quote", "list", "--store", store, "--date", "2025-12-03"]);
    assert!(
        text(&o).contains("Q-000002") && text(&o).contains("open"),
        "{}",
        text(&o)
    );
}

#[test]
fn malformed_vat_number_stops_the_quote_before_a_number_is_taken() {
    let job = nested_sample();
    let customer = job.work.join("bad.toml");
    std::fs::write(
        &customer,
        "name = \"Müller GmbH\"\ncountry = \"DE\"\nkind = \"business\"\nvat_number = \"DE12345\"\n",
    )
    .unwrap();
    let pdf = job.work.join("q.pdf");
    let o = quote(&job, &pdf, customer.to_str().unwrap(), "2025-11-25");
    assert!(!o.status.success());
    assert!(
        text(&o).contains("`DE12345` is not a valid DE intra-community VAT number"),
        "{}",
        text(&o)
    );
    assert!(!pdf.exists());
    assert!(
        !job.store.join("counter").exists(),
        "no number may be used up by a failed quote"
    );
}

#[test]
fn reverse_charge_customer_gets_zero_vat_and_the_mention_in_the_pdf() {
    let job = nested_sample();
    let customer = job.work.join("de.toml");
    std::fs::write(
        &customer,
        "name = \"Müller Blechtechnik GmbH\"\naddress = [\"Industriestraße 5\"]\npostcode = \"70173\"\ncity = \"Stuttgart\"\ncountry = \"DE\"\nkind = \"business\"\nvat_number = \"DE123456789\"\n",
    )
    .unwrap();
    let pdf = job.work.join("de.pdf");
    let o = quote(&job, &pdf, customer.to_str().unwrap(), "2025-11-25");
    assert!(o.status.success(), "{}", text(&o));
    let json = read_json(&pdf.with_extension("json"));
    assert_eq!(json["quote"]["vat"]["rule"], "reverse_charge");
    let dec = |v: &Value| {
        v.as_str()
            .unwrap()
            .parse::<rust_decimal::Decimal>()
            .unwrap()
    };
    assert!(dec(&json["quote"]["vat_amount"]).is_zero());
    assert_eq!(
        dec(&json["quote"]["total_ht"]),
        dec(&json["quote"]["total_ttc"])
    );
    if let Ok(o) = Command::new("pdftotext").arg(&pdf).arg("-").output() {
        let t = String::from_utf8_lossy(&o.stdout);
        assert!(t.contains("Autoliquidation"), "{t}");
    }
}
