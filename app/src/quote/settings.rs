//! Shop-wide quoting settings (`assets/quote/settings.toml`, embedded; a
//! user may pass their own with `--settings`) and the per-quote options file
//! (secondary operations per part, `--options`).

use super::QuoteError;
use super::shipping::ShippingZone;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The settings shipped with Nestwork.
pub const DEFAULT_SETTINGS: &str = include_str!("../../../assets/quote/settings.toml");

/// The company issuing the quote.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seller {
    pub name: String,
    pub address: Vec<String>,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    /// Company registration (SIREN/SIRET, RCS), printed in the footer.
    #[serde(default)]
    pub registration: String,
    /// The seller's own intra-community VAT number.
    #[serde(default)]
    pub vat_number: String,
    /// Bank details for payment, printed in the footer.
    #[serde(default)]
    pub bank: String,
}

/// How the material of a sheet is charged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MaterialCharge {
    /// Every used sheet is charged whole.
    FullSheets,
    /// A sheet is charged up to its used length (furthest part + spacing)
    /// when the rest is a reusable remnant at least `remnant_min_length_mm`
    /// long; otherwise the rest is scrap and the whole sheet is charged.
    UsedLength,
}

/// A discount for a part line of at least `min_quantity` pieces.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuantityBreak {
    pub min_quantity: u32,
    pub discount_percent: Decimal,
}

/// Cost rules (amounts in EUR excluding VAT).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pricing {
    /// Added to every cost (parts and setup), percent.
    pub margin_percent: Decimal,
    /// Programming and preparation, once per quote.
    pub setup_per_job: Decimal,
    /// Loading and unloading, per sheet used.
    pub setup_per_sheet: Decimal,
    /// Unloading, sorting and packing, per piece.
    pub handling_per_part: Decimal,
    /// A quote's goods (parts + setup) are never below this; the difference is a line of its own.
    pub minimum_order: Decimal,
    pub material_charge: MaterialCharge,
    /// Shortest remnant worth returning to stock, mm (`used_length` rule).
    pub remnant_min_length_mm: f64,
    /// Discounts by quantity of a part type; the highest break reached applies.
    #[serde(default, rename = "quantity_break")]
    pub quantity_breaks: Vec<QuantityBreak>,
}

impl Pricing {
    /// The discount percent for a line of `quantity` pieces (0 below the first break).
    pub fn discount_for(&self, quantity: u32) -> Decimal {
        self.quantity_breaks
            .iter()
            .filter(|b| quantity >= b.min_quantity)
            .max_by_key(|b| b.min_quantity)
            .map_or(Decimal::ZERO, |b| b.discount_percent)
    }
}

/// Exchange rate used for USD quotes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExchangeRate {
    /// US dollars for one euro.
    pub usd_per_eur: Decimal,
    /// Date and source of the rate, printed on the quote.
    pub as_of: String,
    pub source: String,
}

/// Legal and commercial terms.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Terms {
    pub validity_days: u32,
    pub payment_terms: String,
    /// Late-payment clause (French Commercial Code L441-10).
    pub late_payment: String,
    /// Lead time printed on the quote.
    #[serde(default)]
    pub lead_time: String,
}

/// Shipping rules.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shipping {
    #[serde(rename = "zone")]
    pub zones: Vec<ShippingZone>,
}

/// All shop-wide settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    pub seller: Seller,
    pub pricing: Pricing,
    /// French standard VAT rate, percent.
    pub vat_rate_percent: Decimal,
    pub exchange_rate: ExchangeRate,
    pub terms: Terms,
    pub shipping: Shipping,
}

impl Settings {
    /// Parses settings; `origin` names the file in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<Settings, QuoteError> {
        let s: Settings = toml::from_str(text).map_err(|e| QuoteError::File {
            origin: origin.to_string(),
            message: e.to_string(),
        })?;
        if s.exchange_rate.usd_per_eur <= Decimal::ZERO {
            return Err(QuoteError::Table(format!(
                "{origin}: exchange_rate.usd_per_eur must be positive"
            )));
        }
        for zone in super::shipping::Zone::ALL {
            if !s.shipping.zones.iter().any(|z| z.zone == zone) {
                return Err(QuoteError::Table(format!(
                    "{origin}: no [[shipping.zone]] for zone `{}`; every zone needs a fee",
                    zone.key()
                )));
            }
        }
        Ok(s)
    }

    /// The shipped settings.
    pub fn shipped() -> Result<Settings, QuoteError> {
        Settings::from_toml(DEFAULT_SETTINGS, "the shipped settings.toml")
    }

    /// Reads a user's settings file.
    pub fn load(path: &Path) -> Result<Settings, QuoteError> {
        let text = std::fs::read_to_string(path).map_err(|e| QuoteError::File {
            origin: path.display().to_string(),
            message: e.to_string(),
        })?;
        Settings::from_toml(&text, &path.display().to_string())
    }
}

/// A secondary operation on every piece of a part type (bending, deburring, tapping…).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Operation {
    /// Part name as in the nest report.
    pub part: String,
    pub name: String,
    /// EUR per piece excluding VAT, before margin.
    pub unit_price: Decimal,
}

/// Per-quote options file.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuoteOptions {
    #[serde(default, rename = "operation")]
    pub operations: Vec<Operation>,
    /// Customer reference printed on the quote.
    #[serde(default)]
    pub reference: String,
}

impl QuoteOptions {
    /// Reads an options file.
    pub fn load(path: &Path) -> Result<QuoteOptions, QuoteError> {
        let text = std::fs::read_to_string(path).map_err(|e| QuoteError::File {
            origin: path.display().to_string(),
            message: e.to_string(),
        })?;
        toml::from_str(&text).map_err(|e| QuoteError::File {
            origin: path.display().to_string(),
            message: e.to_string(),
        })
    }
}
