//! VAT rules of a quote (PRODUCT.md, section Quotes) and the format check of
//! intra-community VAT numbers.
//!
//! | customer                                                   | VAT            |
//! |------------------------------------------------------------|----------------|
//! | France (and Monaco), except overseas postcodes 971–976     | French VAT 20 %|
//! | EU business with a well-formed intra-community VAT number  | 0 %, reverse charge |
//! | EU business without a VAT number, EU private customer      | French VAT     |
//! | French overseas (GP MQ GF RE YT…, or FR postcode 971–976)  | 0 %, export    |
//! | Switzerland, Africa, rest of the world                     | 0 %, export    |
//!
//! A malformed VAT number is an error, never silently treated as "no number".

use super::QuoteError;
use super::countries::{is_africa, is_eu, is_french_overseas, is_overseas_postcode};
use super::customer::{Customer, CustomerKind};
use regex::Regex;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

/// Legal mention printed on a reverse-charge quote.
pub const REVERSE_CHARGE_MENTION: &str = "Autoliquidation — article 196 de la directive 2006/112/CE (reverse charge: VAT due by the customer)";
/// Legal mention printed on an export quote.
pub const EXPORT_MENTION: &str =
    "Exonération de TVA — article 262 I du CGI (export of goods outside the EU VAT area)";

/// Which VAT rule applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VatRule {
    /// French VAT at the French rate.
    FrenchVat,
    /// Intra-community supply to an EU business: no VAT, reverse charge.
    ReverseCharge,
    /// Export outside the EU VAT area: no VAT.
    Export,
}

/// The VAT rule of a customer, its rate and the mention to print.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct VatTreatment {
    pub rule: VatRule,
    pub rate_percent: Decimal,
    /// Legal mention for the quote, if any.
    pub mention: Option<String>,
    /// Why this rule applies, in words.
    pub reason: String,
    /// The customer's VAT number, normalized (no spaces or dots), when given.
    pub vat_number: Option<String>,
}

/// Expected VAT number format per EU country (prefix included), after
/// removing spaces, dots and dashes. From the European Commission's VIES
/// format table.
static FORMATS: LazyLock<Vec<(&'static str, &'static str, Regex)>> = LazyLock::new(|| {
    [
        ("AT", "ATU + 8 digits", r"^ATU\d{8}$"),
        (
            "BE",
            "BE + 10 digits starting with 0 or 1",
            r"^BE[01]\d{9}$",
        ),
        ("BG", "BG + 9 or 10 digits", r"^BG\d{9,10}$"),
        ("CY", "CY + 8 digits + 1 letter", r"^CY\d{8}[A-Z]$"),
        ("CZ", "CZ + 8 to 10 digits", r"^CZ\d{8,10}$"),
        ("DE", "DE + 9 digits", r"^DE\d{9}$"),
        ("DK", "DK + 8 digits", r"^DK\d{8}$"),
        ("EE", "EE + 9 digits", r"^EE\d{9}$"),
        ("GR", "EL + 9 digits", r"^EL\d{9}$"),
        (
            "ES",
            "ES + 9 characters (letter or digit first and last, 7 digits between)",
            r"^ES[A-Z0-9]\d{7}[A-Z0-9]$",
        ),
        ("FI", "FI + 8 digits", r"^FI\d{8}$"),
        (
            "FR",
            "FR + 2 characters (digits or letters except I and O) + 9 digits (SIREN)",
            r"^FR[0-9A-HJ-NP-Z]{2}\d{9}$",
        ),
        ("HR", "HR + 11 digits", r"^HR\d{11}$"),
        ("HU", "HU + 8 digits", r"^HU\d{8}$"),
        (
            "IE",
            "IE + 7 digits + 1 or 2 letters, or digit, letter, 5 digits, letter",
            r"^IE(\d{7}[A-W][A-I]?|\d[A-Z+*]\d{5}[A-W])$",
        ),
        ("IT", "IT + 11 digits", r"^IT\d{11}$"),
        ("LT", "LT + 9 or 12 digits", r"^LT(\d{9}|\d{12})$"),
        ("LU", "LU + 8 digits", r"^LU\d{8}$"),
        ("LV", "LV + 11 digits", r"^LV\d{11}$"),
        ("MT", "MT + 8 digits", r"^MT\d{8}$"),
        ("NL", "NL + 9 digits + B + 2 digits", r"^NL\d{9}B\d{2}$"),
        ("PL", "PL + 10 digits", r"^PL\d{10}$"),
        ("PT", "PT + 9 digits", r"^PT\d{9}$"),
        ("RO", "RO + 2 to 10 digits", r"^RO[1-9]\d{1,9}$"),
        ("SE", "SE + 12 digits ending in 01", r"^SE\d{10}01$"),
        ("SI", "SI + 8 digits", r"^SI\d{8}$"),
        ("SK", "SK + 10 digits", r"^SK\d{10}$"),
    ]
    .into_iter()
    .map(|(country, human, pattern)| {
        (
            country,
            human,
            Regex::new(pattern).expect("the VAT number patterns are valid regular expressions"),
        )
    })
    .collect()
});

/// Checks the format of `number` for an EU `country`; returns it normalized
/// (upper case, without spaces, dots or dashes).
pub fn check_vat_number(country: &str, number: &str) -> Result<String, QuoteError> {
    let normalized: String = number
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-' | '\u{a0}'))
        .flat_map(char::to_uppercase)
        .collect();
    let Some((_, human, re)) = FORMATS.iter().find(|(c, _, _)| *c == country) else {
        return Err(QuoteError::VatNumber(format!(
            "`{number}`: {country} is not an EU member state, so an intra-community VAT number does not apply; remove `vat_number` from the customer file"
        )));
    };
    if re.is_match(&normalized) {
        Ok(normalized)
    } else {
        Err(QuoteError::VatNumber(format!(
            "`{number}` is not a valid {country} intra-community VAT number: expected {human}; correct it in the customer file, or remove it to charge French VAT"
        )))
    }
}

/// The VAT rule for `customer` with the French standard rate `french_rate_percent`.
pub fn vat_treatment(
    customer: &Customer,
    french_rate_percent: Decimal,
) -> Result<VatTreatment, QuoteError> {
    let country = customer.country.as_str();
    let number = match (&customer.vat_number, is_eu(country)) {
        (Some(n), true) if !n.trim().is_empty() => Some(check_vat_number(country, n)?),
        _ => None,
    };
    let export = |reason: String| VatTreatment {
        rule: VatRule::Export,
        rate_percent: Decimal::ZERO,
        mention: Some(EXPORT_MENTION.to_string()),
        reason,
        vat_number: number.clone(),
    };
    let french = |reason: String| VatTreatment {
        rule: VatRule::FrenchVat,
        rate_percent: french_rate_percent,
        mention: None,
        reason,
        vat_number: number.clone(),
    };
    if is_french_overseas(country) {
        return Ok(export(format!(
            "{country} is a French overseas territory, outside the EU VAT area"
        )));
    }
    if country == "FR" || country == "MC" {
        if country == "FR" && is_overseas_postcode(&customer.postcode) {
            return Ok(export(format!(
                "postcode {} is in a French overseas department, outside the EU VAT area",
                customer.postcode
            )));
        }
        return Ok(french(format!("customer in {country}: French VAT")));
    }
    if is_eu(country) {
        return Ok(match (customer.kind, &number) {
            (CustomerKind::Business, Some(n)) => VatTreatment {
                rule: VatRule::ReverseCharge,
                rate_percent: Decimal::ZERO,
                mention: Some(format!(
                    "{REVERSE_CHARGE_MENTION}. Customer VAT number: {n}"
                )),
                reason: format!(
                    "business customer in {country} with intra-community VAT number {n}"
                ),
                vat_number: Some(n.clone()),
            },
            (CustomerKind::Business, None) => french(format!(
                "business customer in {country} without an intra-community VAT number: French VAT"
            )),
            (CustomerKind::Private, _) => {
                french(format!("private customer in {country}: French VAT"))
            }
        });
    }
    if country == "CH" {
        return Ok(export("Switzerland is outside the EU VAT area".into()));
    }
    if is_africa(country) {
        return Ok(export(format!(
            "{country} is in Africa, outside the EU VAT area"
        )));
    }
    Ok(export(format!("{country} is outside the EU VAT area")))
}
