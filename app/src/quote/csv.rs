//! `quote.csv`: the figures of a quote for spreadsheets and ERP imports, one
//! row per line (parts, charges, totals), comma-separated, RFC 4180 quoting,
//! amounts with a dot and two decimals.

use super::document::QuoteDocument;

fn field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn row(out: &mut String, cells: &[&str]) {
    let line: Vec<String> = cells.iter().map(|c| field(c)).collect();
    out.push_str(&line.join(","));
    out.push_str("\r\n");
}

/// The CSV text of a quote.
pub fn quote_csv(doc: &QuoteDocument) -> String {
    let q = &doc.quote;
    let cur = q.currency.code();
    let mut out = String::new();
    row(
        &mut out,
        &[
            "quote",
            "kind",
            "item",
            "quantity",
            "material",
            "thickness_mm",
            "discount_percent",
            "unit_price",
            "total",
            "currency",
        ],
    );
    for l in &q.lines {
        row(
            &mut out,
            &[
                &doc.number,
                "part",
                &l.part,
                &l.quantity.to_string(),
                &l.material,
                &l.thickness_mm.to_string(),
                &l.discount_percent.normalize().to_string(),
                &format!("{:.2}", l.unit_price),
                &format!("{:.2}", l.total),
                cur,
            ],
        );
    }
    for c in &q.charges {
        let kind = serde_json::to_value(c.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        row(
            &mut out,
            &[
                &doc.number,
                &kind,
                &c.label,
                "",
                "",
                "",
                "",
                "",
                &format!("{:.2}", c.amount),
                cur,
            ],
        );
    }
    let vat_item = format!(
        "VAT {} % ({:?})",
        q.vat.rate_percent.normalize(),
        q.vat.rule
    );
    for (kind, item, amount) in [
        ("total_ht", "Total excluding VAT", q.total_ht),
        ("vat", vat_item.as_str(), q.vat_amount),
        ("total_ttc", "Total including VAT", q.total_ttc),
    ] {
        row(
            &mut out,
            &[
                &doc.number,
                kind,
                item,
                "",
                "",
                "",
                "",
                "",
                &format!("{amount:.2}"),
                cur,
            ],
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::field;

    #[test]
    fn quotes_fields_that_need_it() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a, b"), "\"a, b\"");
        assert_eq!(field("say \"hi\""), "\"say \"\"hi\"\"\"");
    }
}
