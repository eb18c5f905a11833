//! Drawing units and their conversion to millimetres.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A length unit a DXF drawing can be in. Everything Nestwork imports ends in mm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Unit {
    #[serde(rename = "mm")]
    Millimeter,
    #[serde(rename = "cm")]
    Centimeter,
    #[serde(rename = "dm")]
    Decimeter,
    #[serde(rename = "m")]
    Meter,
    #[serde(rename = "um")]
    Micrometer,
    #[serde(rename = "nm")]
    Nanometer,
    #[serde(rename = "in")]
    Inch,
    #[serde(rename = "ft")]
    Foot,
    #[serde(rename = "yd")]
    Yard,
    /// A thousandth of an inch.
    #[serde(rename = "mil")]
    Mil,
    #[serde(rename = "uin")]
    Microinch,
    #[serde(rename = "ft_us")]
    UsSurveyFoot,
    #[serde(rename = "in_us")]
    UsSurveyInch,
}

impl Unit {
    /// Every unit, for help texts.
    pub const ALL: [Unit; 13] = [
        Unit::Millimeter,
        Unit::Centimeter,
        Unit::Decimeter,
        Unit::Meter,
        Unit::Micrometer,
        Unit::Nanometer,
        Unit::Inch,
        Unit::Foot,
        Unit::Yard,
        Unit::Mil,
        Unit::Microinch,
        Unit::UsSurveyFoot,
        Unit::UsSurveyInch,
    ];

    /// Length of one unit in millimetres.
    pub fn mm_per_unit(self) -> f64 {
        match self {
            Unit::Millimeter => 1.0,
            Unit::Centimeter => 10.0,
            Unit::Decimeter => 100.0,
            Unit::Meter => 1000.0,
            Unit::Micrometer => 1e-3,
            Unit::Nanometer => 1e-6,
            Unit::Inch => 25.4,
            Unit::Foot => 304.8,
            Unit::Yard => 914.4,
            Unit::Mil => 0.0254,
            Unit::Microinch => 25.4e-6,
            Unit::UsSurveyFoot => 1200.0 / 3937.0 * 1000.0,
            Unit::UsSurveyInch => 100.0 / 3937.0 * 1000.0,
        }
    }

    /// Short name used on the command line and in reports ("mm", "in", ...).
    pub fn short_name(self) -> &'static str {
        match self {
            Unit::Millimeter => "mm",
            Unit::Centimeter => "cm",
            Unit::Decimeter => "dm",
            Unit::Meter => "m",
            Unit::Micrometer => "um",
            Unit::Nanometer => "nm",
            Unit::Inch => "in",
            Unit::Foot => "ft",
            Unit::Yard => "yd",
            Unit::Mil => "mil",
            Unit::Microinch => "uin",
            Unit::UsSurveyFoot => "ft_us",
            Unit::UsSurveyInch => "in_us",
        }
    }

    /// The unit of a `$INSUNITS` header code; `None` for 0 (unitless) and for
    /// units no sheet-metal drawing uses (miles, light years...).
    pub fn from_insunits(code: i64) -> Option<Unit> {
        Some(match code {
            1 => Unit::Inch,
            2 => Unit::Foot,
            4 => Unit::Millimeter,
            5 => Unit::Centimeter,
            6 => Unit::Meter,
            8 => Unit::Microinch,
            9 => Unit::Mil,
            10 => Unit::Yard,
            12 => Unit::Nanometer,
            13 => Unit::Micrometer,
            14 => Unit::Decimeter,
            21 => Unit::UsSurveyFoot,
            22 => Unit::UsSurveyInch,
            _ => return None,
        })
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.short_name())
    }
}

/// Error for an unknown unit name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown unit '{0}': use one of mm, cm, dm, m, um, nm, in, ft, yd, mil, uin, ft_us, in_us")]
pub struct UnknownUnit(pub String);

impl FromStr for Unit {
    type Err = UnknownUnit;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim().to_ascii_lowercase();
        Ok(match t.as_str() {
            "mm" | "millimeter" | "millimeters" | "millimetre" | "millimetres" => Unit::Millimeter,
            "cm" | "centimeter" | "centimeters" | "centimetre" | "centimetres" => Unit::Centimeter,
            "dm" | "decimeter" | "decimeters" => Unit::Decimeter,
            "m" | "meter" | "meters" | "metre" | "metres" => Unit::Meter,
            "um" | "µm" | "micron" | "microns" | "micrometer" | "micrometers" => Unit::Micrometer,
            "nm" | "nanometer" | "nanometers" => Unit::Nanometer,
            "in" | "inch" | "inches" | "\"" => Unit::Inch,
            "ft" | "foot" | "feet" | "'" => Unit::Foot,
            "yd" | "yard" | "yards" => Unit::Yard,
            "mil" | "mils" | "thou" => Unit::Mil,
            "uin" | "microinch" | "microinches" => Unit::Microinch,
            "ft_us" | "us_survey_foot" => Unit::UsSurveyFoot,
            "in_us" | "us_survey_inch" => Unit::UsSurveyInch,
            _ => return Err(UnknownUnit(s.to_string())),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_convert() {
        assert_eq!("in".parse::<Unit>().unwrap().mm_per_unit(), 25.4);
        assert_eq!("MM".parse::<Unit>().unwrap(), Unit::Millimeter);
        assert_eq!("ft".parse::<Unit>().unwrap().mm_per_unit(), 304.8);
        assert!("furlong".parse::<Unit>().is_err());
        for u in Unit::ALL {
            assert_eq!(u.to_string().parse::<Unit>().unwrap(), u);
        }
        assert_eq!(Unit::from_insunits(1), Some(Unit::Inch));
        assert_eq!(Unit::from_insunits(0), None);
    }
}
