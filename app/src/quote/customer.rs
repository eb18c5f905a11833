//! The customer of a quote, read from a TOML file.

use super::QuoteError;
use super::countries::is_iso_code;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Business (VAT-registered company) or private person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CustomerKind {
    Business,
    Private,
}

/// A customer as written in a customer file.
///
/// ```toml
/// name = "Atelier Dupont SARL"
/// address = ["12 rue des Forges", "ZI des Vernes"]
/// postcode = "69007"
/// city = "Lyon"
/// country = "FR"            # ISO 3166-1 alpha-2
/// kind = "business"         # or "private"
/// vat_number = "FR40303265045"   # intra-community VAT number, optional
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Customer {
    pub name: String,
    /// Street lines.
    #[serde(default)]
    pub address: Vec<String>,
    #[serde(default)]
    pub postcode: String,
    #[serde(default)]
    pub city: String,
    /// ISO 3166-1 alpha-2 country code, upper case (`FR`, `DE`, `US`).
    pub country: String,
    pub kind: CustomerKind,
    /// Intra-community VAT number with its country prefix (`DE123456789`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vat_number: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

impl Customer {
    /// Parses and checks a customer file's text; `origin` names it in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<Customer, QuoteError> {
        let c: Customer = toml::from_str(text).map_err(|e| QuoteError::File {
            origin: origin.to_string(),
            message: e.to_string(),
        })?;
        c.check()?;
        Ok(c)
    }

    /// Reads and checks a customer file.
    pub fn load(path: &Path) -> Result<Customer, QuoteError> {
        let text = std::fs::read_to_string(path).map_err(|e| QuoteError::File {
            origin: path.display().to_string(),
            message: e.to_string(),
        })?;
        Customer::from_toml(&text, &path.display().to_string())
    }

    /// Checks the name and the country code.
    pub fn check(&self) -> Result<(), QuoteError> {
        if self.name.trim().is_empty() {
            return Err(QuoteError::Customer(
                "the customer has no name: set `name = \"...\"` in the customer file".into(),
            ));
        }
        if !is_iso_code(&self.country) {
            return Err(QuoteError::Customer(format!(
                "country `{}` is not an ISO 3166-1 alpha-2 code: write two capital letters such as FR, DE, CH, US",
                self.country
            )));
        }
        Ok(())
    }

    /// The address block as printed: street lines, then postcode and city, then country.
    pub fn address_lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = self.address.clone();
        let town = format!("{} {}", self.postcode, self.city)
            .trim()
            .to_string();
        if !town.is_empty() {
            lines.push(town);
        }
        lines.push(self.country.clone());
        lines
    }
}
