//! Money: decimal amounts, currencies, the rounding rule and display.
//!
//! **Rounding rule.** Every amount is computed with `rust_decimal` (28
//! significant digits, no binary fractions). Geometry comes from `f64` and is
//! brought into decimal arithmetic once, at a fixed precision: masses to the
//! gram, machine times to the millisecond, areas to 0.01 mm², lengths to
//! 0.001 mm. Amounts are then never rounded in the middle of a computation,
//! only at the end of each quote line, to the cent, half away from zero
//! (0.005 → 0.01, the commercial rule): a part line rounds its unit price, and
//! its total is that rounded unit price × quantity, so every printed line adds
//! up; the setup, minimum-order and shipping lines round their amount; the VAT
//! is rounded once on the total excluding VAT.

use rust_decimal::prelude::FromPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::fmt;

/// A currency of a quote.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Currency {
    #[serde(rename = "EUR")]
    Eur,
    #[serde(rename = "USD")]
    Usd,
}

impl Currency {
    /// ISO 4217 code.
    pub fn code(self) -> &'static str {
        match self {
            Currency::Eur => "EUR",
            Currency::Usd => "USD",
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Rounded to the cent, half away from zero, always written with two
/// decimals (`57.00`, not `57`).
pub fn round_cents(amount: Decimal) -> Decimal {
    let mut cents = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    cents.rescale(2);
    cents
}

/// A measured `f64` brought into decimal arithmetic with `dp` decimals
/// (half away from zero); `None` for NaN or infinite values.
pub fn from_measure(value: f64, dp: u32) -> Option<Decimal> {
    Decimal::from_f64(value)
        .map(|d| d.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero))
}

/// `amount` with two decimals and a comma between thousands: `12,345.60`.
pub fn format_amount(amount: Decimal) -> String {
    let s = format!("{:.2}", round_cents(amount));
    let (sign, digits) = s.strip_prefix('-').map_or(("", s.as_str()), |d| ("-", d));
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "00"));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}.{frac}")
}

/// `amount` formatted with its currency code: `12,345.60 EUR`.
pub fn format_money(amount: Decimal, currency: Currency) -> String {
    format!("{} {}", format_amount(amount), currency.code())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn formats_thousands_and_negatives() {
        assert_eq!(format_amount(d("0")), "0.00");
        assert_eq!(format_amount(d("999.995")), "1,000.00");
        assert_eq!(format_amount(d("1234567.8")), "1,234,567.80");
        assert_eq!(format_amount(d("-1234.5")), "-1,234.50");
        assert_eq!(format_money(d("12.3"), Currency::Usd), "12.30 USD");
        assert_eq!(round_cents(d("57")).to_string(), "57.00");
        assert_eq!(round_cents(d("22.8")).to_string(), "22.80");
    }

    #[test]
    fn measures_enter_at_fixed_precision() {
        assert_eq!(from_measure(0.1 + 0.2, 3), Some(d("0.3")));
        assert_eq!(from_measure(f64::NAN, 3), None);
    }
}
