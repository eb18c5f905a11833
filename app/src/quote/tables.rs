//! Material and machine tables (`assets/materials.toml`,
//! `assets/machines.toml`, embedded in the binary; a user may pass their own).

use super::QuoteError;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The material table shipped with Nestwork.
pub const DEFAULT_MATERIALS: &str = include_str!("../../../assets/materials.toml");
/// The machine table shipped with Nestwork.
pub const DEFAULT_MACHINES: &str = include_str!("../../../assets/machines.toml");

/// Thicknesses closer than this are the same, mm.
const THICKNESS_EPS_MM: f64 = 1e-6;

/// A fixed price for one sheet of a size and thickness.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SheetPrice {
    pub width_mm: f64,
    pub height_mm: f64,
    pub thickness_mm: f64,
    /// EUR excluding VAT.
    pub price: Decimal,
}

/// One material of the table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Material {
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub grade: String,
    pub density_kg_m3: f64,
    /// EUR per kg excluding VAT.
    pub price_per_kg: Decimal,
    pub thicknesses_mm: Vec<f64>,
    #[serde(default)]
    pub sheet_price: Vec<SheetPrice>,
}

impl Material {
    /// The fixed price of a `width × height` sheet (either orientation) of `thickness_mm`, if listed.
    pub fn sheet_price_for(
        &self,
        width_mm: f64,
        height_mm: f64,
        thickness_mm: f64,
    ) -> Option<Decimal> {
        let same = |a: f64, b: f64| (a - b).abs() < 1e-6;
        self.sheet_price
            .iter()
            .find(|p| {
                same(p.thickness_mm, thickness_mm)
                    && ((same(p.width_mm, width_mm) && same(p.height_mm, height_mm))
                        || (same(p.width_mm, height_mm) && same(p.height_mm, width_mm)))
            })
            .map(|p| p.price)
    }
}

/// Cutting speed and pierce time at one thickness.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CutRow {
    pub thickness_mm: f64,
    pub speed_m_min: f64,
    pub pierce_s: f64,
}

/// What a machine does with one material.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Process {
    pub material: String,
    #[serde(default)]
    pub gas: String,
    pub cuts: Vec<CutRow>,
}

/// One machine of the table.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Machine {
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    /// EUR per hour excluding VAT.
    pub hourly_rate: Decimal,
    pub rapid_speed_m_min: f64,
    pub process: Vec<Process>,
}

impl Machine {
    /// Cutting speed and pierce time for `material` at `thickness_mm`.
    pub fn cut_row(&self, material: &Material, thickness_mm: f64) -> Result<CutRow, QuoteError> {
        let process = self
            .process
            .iter()
            .find(|p| p.material.eq_ignore_ascii_case(&material.name))
            .ok_or_else(|| {
                QuoteError::Table(format!(
                    "machine `{}` has no cutting data for `{}`: it cuts {}; add a [[machine.process]] for it in the machine table",
                    self.name,
                    material.name,
                    self.process.iter().map(|p| format!("`{}`", p.material)).collect::<Vec<_>>().join(", ")
                ))
            })?;
        process
            .cuts
            .iter()
            .find(|r| (r.thickness_mm - thickness_mm).abs() < THICKNESS_EPS_MM)
            .copied()
            .ok_or_else(|| {
                QuoteError::Table(format!(
                    "machine `{}` has no cutting speed for {} mm `{}`: its table lists {} mm",
                    self.name,
                    thickness_mm,
                    material.name,
                    list_mm(process.cuts.iter().map(|r| r.thickness_mm))
                ))
            })
    }
}

fn list_mm(values: impl Iterator<Item = f64>) -> String {
    values
        .map(|v| format!("{v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Debug, Deserialize)]
struct MaterialFile {
    material: Vec<Material>,
}

#[derive(Debug, Deserialize)]
struct MachineFile {
    machine: Vec<Machine>,
}

/// The material table.
#[derive(Clone, Debug, PartialEq)]
pub struct Materials(pub Vec<Material>);

/// The machine table.
#[derive(Clone, Debug, PartialEq)]
pub struct Machines(pub Vec<Machine>);

fn read(path: &Path) -> Result<String, QuoteError> {
    std::fs::read_to_string(path).map_err(|e| QuoteError::File {
        origin: path.display().to_string(),
        message: e.to_string(),
    })
}

fn matches_name(name: &str, aliases: &[String], wanted: &str) -> bool {
    let w = wanted.trim();
    name.eq_ignore_ascii_case(w) || aliases.iter().any(|a| a.eq_ignore_ascii_case(w))
}

fn check_positive(what: &str, value: f64) -> Result<(), QuoteError> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(QuoteError::Table(format!(
            "{what} must be a positive number, found {value}"
        )))
    }
}

impl Materials {
    /// Parses a material table; `origin` names it in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<Materials, QuoteError> {
        let file: MaterialFile = toml::from_str(text).map_err(|e| QuoteError::File {
            origin: origin.to_string(),
            message: e.to_string(),
        })?;
        for m in &file.material {
            check_positive(
                &format!("{origin}: density_kg_m3 of `{}`", m.name),
                m.density_kg_m3,
            )?;
            for t in &m.thicknesses_mm {
                check_positive(&format!("{origin}: a thickness of `{}`", m.name), *t)?;
            }
            if m.price_per_kg < Decimal::ZERO {
                return Err(QuoteError::Table(format!(
                    "{origin}: price_per_kg of `{}` is negative",
                    m.name
                )));
            }
        }
        Ok(Materials(file.material))
    }

    /// The shipped table.
    pub fn shipped() -> Result<Materials, QuoteError> {
        Materials::from_toml(DEFAULT_MATERIALS, "the shipped materials.toml")
    }

    /// Reads a user's table.
    pub fn load(path: &Path) -> Result<Materials, QuoteError> {
        Materials::from_toml(&read(path)?, &path.display().to_string())
    }

    /// The material called `name` (or one of its aliases), stocked in `thickness_mm`.
    pub fn find(&self, name: &str, thickness_mm: f64) -> Result<&Material, QuoteError> {
        let m = self
            .0
            .iter()
            .find(|m| matches_name(&m.name, &m.aliases, name))
            .ok_or_else(|| {
                QuoteError::Table(format!(
                    "no material `{name}` in the material table; known: {}",
                    self.0
                        .iter()
                        .map(|m| format!("`{}`", m.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })?;
        if !m
            .thicknesses_mm
            .iter()
            .any(|t| (t - thickness_mm).abs() < THICKNESS_EPS_MM)
        {
            return Err(QuoteError::Table(format!(
                "`{}` is not stocked in {thickness_mm} mm: the table lists {} mm",
                m.name,
                list_mm(m.thicknesses_mm.iter().copied())
            )));
        }
        Ok(m)
    }
}

impl Machines {
    /// Parses a machine table; `origin` names it in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<Machines, QuoteError> {
        let file: MachineFile = toml::from_str(text).map_err(|e| QuoteError::File {
            origin: origin.to_string(),
            message: e.to_string(),
        })?;
        for m in &file.machine {
            check_positive(
                &format!("{origin}: rapid_speed_m_min of `{}`", m.name),
                m.rapid_speed_m_min,
            )?;
            for p in &m.process {
                for r in &p.cuts {
                    let at = format!(
                        "{origin}: `{}` cutting {} mm `{}`",
                        m.name, r.thickness_mm, p.material
                    );
                    check_positive(&format!("{at}: speed_m_min"), r.speed_m_min)?;
                    if !(r.pierce_s.is_finite() && r.pierce_s >= 0.0) {
                        return Err(QuoteError::Table(format!(
                            "{at}: pierce_s must be zero or more"
                        )));
                    }
                }
            }
        }
        Ok(Machines(file.machine))
    }

    /// The shipped table.
    pub fn shipped() -> Result<Machines, QuoteError> {
        Machines::from_toml(DEFAULT_MACHINES, "the shipped machines.toml")
    }

    /// Reads a user's table.
    pub fn load(path: &Path) -> Result<Machines, QuoteError> {
        Machines::from_toml(&read(path)?, &path.display().to_string())
    }

    /// The machine called `name` (or one of its aliases).
    pub fn find(&self, name: &str) -> Result<&Machine, QuoteError> {
        self.0
            .iter()
            .find(|m| matches_name(&m.name, &m.aliases, name))
            .ok_or_else(|| {
                QuoteError::Table(format!(
                    "no machine `{name}` in the machine table; known: {}",
                    self.0
                        .iter()
                        .map(|m| format!("`{}`", m.name))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_tables_cover_every_material_and_thickness_on_the_fiber_laser() {
        let materials = Materials::shipped().unwrap();
        let machines = Machines::shipped().unwrap();
        assert!(materials.0.len() >= 3 && machines.0.len() >= 2);
        let fiber = machines.find("fiber laser 6 kW").unwrap();
        for m in &materials.0 {
            for &t in &m.thicknesses_mm {
                let row = fiber.cut_row(m, t).unwrap();
                assert!(row.speed_m_min > 0.0, "{} {t}", m.name);
            }
        }
        // Speeds fall with thickness.
        let steel = materials.find("S235", 3.0).unwrap();
        assert!(
            fiber.cut_row(steel, 2.0).unwrap().speed_m_min
                > fiber.cut_row(steel, 10.0).unwrap().speed_m_min
        );
    }

    #[test]
    fn unknown_names_and_thicknesses_say_what_exists() {
        let materials = Materials::shipped().unwrap();
        let e = materials.find("titanium", 3.0).unwrap_err().to_string();
        assert!(e.contains("S235 mild steel"), "{e}");
        let e = materials
            .find("S235 mild steel", 7.0)
            .unwrap_err()
            .to_string();
        assert!(e.contains("not stocked in 7 mm") && e.contains("8"), "{e}");
        let machines = Machines::shipped().unwrap();
        let co2 = machines.find("co2").unwrap();
        let alu = materials.find("aluminium", 20.0).unwrap();
        let e = co2.cut_row(alu, 20.0).unwrap_err().to_string();
        assert!(e.contains("no cutting speed for 20 mm"), "{e}");
    }

    #[test]
    fn fixed_sheet_price_in_either_orientation() {
        let t = Materials::from_toml(
            "[[material]]\nname = \"x\"\ndensity_kg_m3 = 7850\nprice_per_kg = 1\nthicknesses_mm = [3]\n\
             [[material.sheet_price]]\nwidth_mm = 3000\nheight_mm = 1500\nthickness_mm = 3\nprice = 99.5\n",
            "test",
        )
        .unwrap();
        let m = &t.0[0];
        assert_eq!(
            m.sheet_price_for(1500.0, 3000.0, 3.0),
            Some(Decimal::new(995, 1))
        );
        assert_eq!(m.sheet_price_for(1500.0, 3000.0, 4.0), None);
    }
}
