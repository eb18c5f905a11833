//! Shipping zones, fees and the currency of a customer's country.

use super::countries::{is_asia_oceania, is_europe, is_french_overseas, is_north_america};
use super::money::Currency;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A shipping zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Zone {
    France,
    Europe,
    NorthAmerica,
    AsiaOceania,
    RestOfWorld,
}

impl Zone {
    pub const ALL: [Zone; 5] = [
        Zone::France,
        Zone::Europe,
        Zone::NorthAmerica,
        Zone::AsiaOceania,
        Zone::RestOfWorld,
    ];

    /// The key used in the settings file.
    pub fn key(self) -> &'static str {
        match self {
            Zone::France => "france",
            Zone::Europe => "europe",
            Zone::NorthAmerica => "north_america",
            Zone::AsiaOceania => "asia_oceania",
            Zone::RestOfWorld => "rest_of_world",
        }
    }

    /// Words for the quote.
    pub fn label(self) -> &'static str {
        match self {
            Zone::France => "France",
            Zone::Europe => "Europe",
            Zone::NorthAmerica => "North America",
            Zone::AsiaOceania => "Asia / Oceania",
            Zone::RestOfWorld => "rest of the world",
        }
    }

    /// The zone of a country (mainland France and Monaco are `France`; the
    /// French overseas territories ship as the rest of the world).
    pub fn of_country(country: &str, overseas_postcode: bool) -> Zone {
        if is_french_overseas(country) || (country == "FR" && overseas_postcode) {
            Zone::RestOfWorld
        } else if country == "FR" || country == "MC" {
            Zone::France
        } else if is_europe(country) {
            Zone::Europe
        } else if is_north_america(country) {
            Zone::NorthAmerica
        } else if is_asia_oceania(country) {
            Zone::AsiaOceania
        } else {
            Zone::RestOfWorld
        }
    }
}

/// The currency of a quote: EUR for France (overseas included, they use the
/// euro) and Europe, USD elsewhere.
pub fn currency_of(country: &str, overseas_postcode: bool) -> Currency {
    if is_french_overseas(country) || country == "FR" || overseas_postcode {
        return Currency::Eur;
    }
    match Zone::of_country(country, false) {
        Zone::France | Zone::Europe => Currency::Eur,
        _ => Currency::Usd,
    }
}

/// Fee rules of one zone (EUR excluding VAT).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShippingZone {
    pub zone: Zone,
    /// Fixed fee per shipment.
    pub fee: Decimal,
    /// Added per kg of shipped weight.
    pub per_kg: Decimal,
    /// Shipping is free when the goods (parts, setup, minimum-order line)
    /// reach this amount; omit for never free.
    #[serde(default)]
    pub free_above: Option<Decimal>,
}

impl ShippingZone {
    /// Fee in EUR for `weight_kg` when the goods total `goods_eur`; zero at or above the threshold.
    pub fn fee_eur(&self, weight_kg: Decimal, goods_eur: Decimal) -> Decimal {
        match self.free_above {
            Some(t) if goods_eur >= t => Decimal::ZERO,
            _ => self.fee + self.per_kg * weight_kg,
        }
    }
}
