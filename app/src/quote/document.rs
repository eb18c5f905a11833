//! The quote document: the priced job plus its number, dates, parties and
//! terms. `quote.json` is this struct; the PDF and the CSV are made from it.

use super::cost::Quote;
use super::customer::Customer;
use super::money::{format_amount, format_money};
use super::settings::{QuoteOptions, Seller, Settings};
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// Date format of quote files (ISO 8601).
pub const DATE_FORMAT: &str = "%Y-%m-%d";

/// A numbered quote, ready to be rendered and stored.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuoteDocument {
    /// Sequential number, never reused (`Q-000042`).
    pub number: String,
    /// Issue date, `YYYY-MM-DD`.
    pub date: String,
    /// Last day the quote can be accepted, `YYYY-MM-DD`.
    pub valid_until: String,
    pub seller: Seller,
    pub customer: Customer,
    /// The customer's reference.
    pub reference: String,
    pub payment_terms: String,
    pub late_payment: String,
    pub lead_time: String,
    /// Evaluation mode: the PDF carries an `EVALUATION` watermark. True
    /// until the licence says otherwise (PRODUCT.md, evaluation mode).
    pub evaluation: bool,
    pub quote: Quote,
}

impl QuoteDocument {
    /// A document for `quote`, issued on `date`, in evaluation mode.
    pub fn new(
        number: String,
        date: NaiveDate,
        settings: &Settings,
        customer: &Customer,
        options: &QuoteOptions,
        quote: Quote,
    ) -> QuoteDocument {
        let valid_until = date
            .checked_add_days(Days::new(u64::from(settings.terms.validity_days)))
            .unwrap_or(date);
        QuoteDocument {
            number,
            date: date.format(DATE_FORMAT).to_string(),
            valid_until: valid_until.format(DATE_FORMAT).to_string(),
            seller: settings.seller.clone(),
            customer: customer.clone(),
            reference: options.reference.clone(),
            payment_terms: settings.terms.payment_terms.clone(),
            late_payment: settings.terms.late_payment.clone(),
            lead_time: settings.terms.lead_time.clone(),
            evaluation: true,
            quote,
        }
    }

    /// The validity end date.
    pub fn valid_until_date(&self) -> Option<NaiveDate> {
        NaiveDate::parse_from_str(&self.valid_until, DATE_FORMAT).ok()
    }

    /// What the PDF template shows, with every amount already formatted (so
    /// the PDF prints exactly the figures of `quote.json`). `thumbnails[i]`
    /// is the virtual path of line `i`'s drawing; `layout` the sheet picture's.
    pub fn view(&self, thumbnails: &[String], layout: &str) -> Value {
        let q = &self.quote;
        let c = q.currency;
        let lines: Vec<Value> = q
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| {
                json!({
                    "part": l.part,
                    "thumbnail": thumbnails.get(i).cloned().unwrap_or_default(),
                    "size": format!("{:.0} × {:.0} mm", l.width_mm, l.height_mm),
                    "operations": l.operations.join(", "),
                    "quantity": l.quantity.to_string(),
                    "material": l.material,
                    "thickness": format!("{} mm", l.thickness_mm),
                    "discount": if l.discount_percent.is_zero() { String::new() } else { format!("−{} %", l.discount_percent.normalize()) },
                    "unit_price": format_amount(l.unit_price),
                    "total": format_amount(l.total),
                })
            })
            .collect();
        let charges: Vec<Value> = q
            .charges
            .iter()
            .map(|ch| json!({ "label": ch.label, "amount": format_amount(ch.amount) }))
            .collect();
        let vat_label = if q.vat.rate_percent.is_zero() {
            "VAT 0 %".to_string()
        } else {
            format!("VAT {} %", q.vat.rate_percent.normalize())
        };
        let exchange = q.exchange_rate.as_ref().map_or(String::new(), |r| {
            format!(
                "Prices in USD converted at 1 EUR = {} USD ({}, {}).",
                r.usd_per_eur.normalize(),
                r.source,
                r.as_of
            )
        });
        json!({
            "number": self.number,
            "date": self.date,
            "valid_until": self.valid_until,
            "reference": self.reference,
            "evaluation": self.evaluation,
            "currency": c.code(),
            "seller": self.seller,
            "customer": {
                "name": self.customer.name,
                "contact": self.customer.contact.clone().unwrap_or_default(),
                "email": self.customer.email.clone().unwrap_or_default(),
                "lines": self.customer.address_lines(),
                "vat_number": self.customer.vat_number.clone().unwrap_or_default(),
            },
            "job": {
                "material": format!("{} — {}", q.material, q.grade),
                "thickness": format!("{} mm", q.thickness_mm),
                "machine": q.machine,
                "sheets": q.sheets.len().to_string(),
                "weight": format!("{} kg", q.shipped_weight_kg.round_dp(1)),
                "machine_time": format!("{} min", (q.machine_time_s / rust_decimal::Decimal::from(60)).round_dp(1)),
            },
            "lines": lines,
            "charges": charges,
            "total_ht": format_money(q.total_ht, c),
            "vat_label": vat_label,
            "vat_amount": format_money(q.vat_amount, c),
            "total_ttc": format_money(q.total_ttc, c),
            "vat_mention": q.vat.mention.clone().unwrap_or_default(),
            "exchange": exchange,
            "payment_terms": self.payment_terms,
            "late_payment": self.late_payment,
            "lead_time": self.lead_time,
            "warnings": q.warnings,
            "layout": layout,
        })
    }
}
