//! The cost model: from a nested layout to priced quote lines.
//!
//! Per part type, with `q` the pieces placed:
//! - **material**: each used sheet is priced (the stock sheet's cost from the
//!   job, else a fixed sheet price from the material table, else sheet mass ×
//!   price per kg) and charged whole or up to its used length (see
//!   [`MaterialCharge`]); a sheet's charge is shared between the pieces on it
//!   by net area;
//! - **machine**: the part's own cut length ÷ cutting speed + its pierces ×
//!   pierce time + the rapid moves that lead to its contours ÷ rapid speed
//!   (from the cutting order of `nesting::metrics`), × the hourly rate;
//! - **handling** `q` × handling per part, **operations** `q` × the secondary
//!   operations' unit prices;
//! - price = cost × (1 + margin) × (1 − quantity-break discount), unit price =
//!   price ÷ `q`, converted to the quote's currency, rounded to the cent; line
//!   total = unit price × `q`.
//!
//! Then the job lines: setup (per job + per sheet, with margin), a minimum-order
//! line when the goods are below the minimum, shipping by zone and weight
//! (free above the zone's threshold); VAT by the customer's rule.
//! See [`super::money`] for the rounding rule.

use super::QuoteError;
use super::countries::is_overseas_postcode;
use super::customer::Customer;
use super::money::{Currency, from_measure, round_cents};
use super::settings::{ExchangeRate, MaterialCharge, QuoteOptions, Settings};
use super::shipping::{Zone, currency_of};
use super::tables::{Machine, Material};
use super::vat::{VatTreatment, vat_treatment};
use nesting::metrics::{LayoutMetrics, layout_metrics};
use nesting::{Layout, NestProblem};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Everything a quote is computed from.
#[derive(Clone, Copy, Debug)]
pub struct QuoteInput<'a> {
    pub problem: &'a NestProblem,
    pub layout: &'a Layout,
    pub material: &'a Material,
    pub thickness_mm: f64,
    pub machine: &'a Machine,
    pub settings: &'a Settings,
    pub options: &'a QuoteOptions,
    pub customer: &'a Customer,
}

/// Cost of a line before margin, EUR, rounded to the cent for display.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CostBreakdown {
    pub material: Decimal,
    pub machine: Decimal,
    pub handling: Decimal,
    pub operations: Decimal,
    pub setup: Decimal,
    pub margin: Decimal,
    pub discount: Decimal,
}

/// One part type on the quote.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PartLine {
    pub part: String,
    /// Pieces quoted (placed in the nest).
    pub quantity: u32,
    /// Pieces asked for in the job.
    pub requested: u32,
    pub material: String,
    pub thickness_mm: f64,
    /// Secondary operations on every piece.
    pub operations: Vec<String>,
    pub discount_percent: Decimal,
    /// In the quote's currency, rounded to the cent.
    pub unit_price: Decimal,
    /// `unit_price × quantity`.
    pub total: Decimal,
    /// Per piece.
    pub cut_length_mm: f64,
    pub pierces: u32,
    pub unit_mass_kg: Decimal,
    pub width_mm: f64,
    pub height_mm: f64,
    /// Machine time of all the pieces, seconds.
    pub machine_time_s: Decimal,
    /// Costs of all the pieces, EUR.
    pub cost: CostBreakdown,
}

/// Kind of a job-level line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChargeKind {
    Setup,
    MinimumOrder,
    Shipping,
}

/// A job-level line (setup, minimum order, shipping).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Charge {
    pub kind: ChargeKind,
    pub label: String,
    /// In the quote's currency, rounded to the cent.
    pub amount: Decimal,
}

/// What one used sheet costs.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SheetCost {
    pub number: usize,
    pub width_mm: f64,
    pub height_mm: f64,
    pub used_length_mm: f64,
    /// Length charged (the whole width when the sheet is charged whole); on
    /// an irregular remnant, the material left of it is charged.
    pub charged_length_mm: Decimal,
    pub charged_whole: bool,
    /// Material charged for this sheet, EUR, exact.
    pub material_eur: Decimal,
    pub cut_length_mm: f64,
    pub pierces: u32,
    pub rapid_length_mm: f64,
    pub utilization: f64,
}

/// A priced job.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Quote {
    pub currency: Currency,
    /// The rate used, for a USD quote.
    pub exchange_rate: Option<ExchangeRate>,
    pub material: String,
    pub grade: String,
    pub thickness_mm: f64,
    pub machine: String,
    pub lines: Vec<PartLine>,
    pub charges: Vec<Charge>,
    /// Sum of the part lines and the charges, excluding VAT.
    pub total_ht: Decimal,
    pub vat: VatTreatment,
    pub vat_amount: Decimal,
    /// Including VAT.
    pub total_ttc: Decimal,
    pub shipping_zone: Zone,
    pub shipped_weight_kg: Decimal,
    pub machine_time_s: Decimal,
    pub sheets: Vec<SheetCost>,
    /// Job totals before rounding to lines, EUR, rounded to the cent.
    pub breakdown: CostBreakdown,
    /// Things the estimator must know (copies not placed...).
    pub warnings: Vec<String>,
}

fn measure(value: f64, dp: u32, what: &str) -> Result<Decimal, QuoteError> {
    from_measure(value, dp)
        .ok_or_else(|| QuoteError::Job(format!("{what} is not a finite number ({value})")))
}

const HUNDRED: Decimal = Decimal::ONE_HUNDRED;

/// Per-part-type accumulators.
#[derive(Clone, Debug, Default)]
struct Acc {
    pieces: u32,
    material: Decimal,
    cut_mm: f64,
    rapid_mm: f64,
    pierces: u64,
}

/// Prices a nested job. Pure: reads only its inputs.
pub fn price_job(input: &QuoteInput) -> Result<Quote, QuoteError> {
    let QuoteInput {
        problem,
        layout,
        material,
        thickness_mm,
        machine,
        settings,
        options,
        customer,
    } = *input;
    customer.check()?;
    if !(thickness_mm.is_finite() && thickness_mm > 0.0) {
        return Err(QuoteError::Job(format!(
            "the thickness must be a positive number of mm, found {thickness_mm}"
        )));
    }
    if layout.sheets.is_empty() {
        return Err(QuoteError::Job(
            "the layout has no sheet: nothing was nested, so there is nothing to quote".into(),
        ));
    }
    let cut = machine.cut_row(material, thickness_mm)?;
    let metrics: LayoutMetrics = layout_metrics(problem, layout)?;
    for op in &options.operations {
        if !problem.parts.iter().any(|d| d.part.name == op.part) {
            return Err(QuoteError::Options(format!(
                "operation `{}` names part `{}`, which is not in the nest; the parts are {}",
                op.name,
                op.part,
                problem
                    .parts
                    .iter()
                    .map(|d| format!("`{}`", d.part.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    }
    let pricing = &settings.pricing;
    let thickness = measure(thickness_mm, 3, "the thickness")?;
    let density = measure(material.density_kg_m3, 3, "the density")?;
    let billion = Decimal::from(1_000_000_000u64);

    // Material per sheet, shared by net area.
    let mut acc = vec![Acc::default(); problem.parts.len()];
    let mut sheets = Vec::with_capacity(layout.sheets.len());
    for (i, (sl, sm)) in layout.sheets.iter().zip(&metrics.sheets).enumerate() {
        let width = measure(sm.width_mm, 3, "a sheet width")?;
        let spec = problem.sheets.get(sm.sheet_spec);
        let outline = spec.and_then(|spec| spec.outline.as_ref());
        let area = measure(sm.sheet_area_mm2, 2, "a sheet area")?;
        let stock_cost = spec
            .and_then(|spec| spec.cost)
            .map(|c| measure(c, 2, "a stock sheet cost"))
            .transpose()?;
        let table_price = material.sheet_price_for(sm.width_mm, sm.height_mm, thickness_mm);
        let full_price = match (stock_cost, table_price) {
            // The job's own price of this stock sheet (or remnant) comes first.
            (Some(c), _) => c,
            // A remnant of a listed size costs its share of the full sheet's area.
            (None, Some(p)) if outline.is_some() => {
                let rect = measure(sm.width_mm * sm.height_mm, 2, "a sheet area")?;
                p * area / rect
            }
            (None, Some(p)) => p,
            (None, None) => {
                let mass_kg = (area * thickness * density / billion).round_dp(3);
                mass_kg * material.price_per_kg
            }
        };
        let used = measure(sm.used_length_mm + problem.spacing_mm, 3, "a used length")?.min(width);
        let remnant_min = measure(pricing.remnant_min_length_mm, 3, "remnant_min_length_mm")?;
        let whole =
            pricing.material_charge == MaterialCharge::FullSheets || width - used < remnant_min;
        let charged_length = if whole { width } else { used };
        // The share of the material left of the charged length: of the
        // length on a rectangle, of the area on an irregular outline.
        let (charged, whole_measure) = match outline {
            Some(o) if !whole && o.area() > 0.0 => {
                let left = o.area_left_of(sm.used_length_mm + problem.spacing_mm);
                let total = measure(o.area(), 2, "a sheet area")?;
                (measure(left, 2, "a used area")?.min(total), total)
            }
            _ => (charged_length, width),
        };
        let material_eur = full_price * charged / whole_measure;
        let areas: Vec<Decimal> = sl
            .placements
            .iter()
            .map(|p| measure(metrics.parts[p.part].area_mm2, 2, "a part area"))
            .collect::<Result<_, _>>()?;
        let total_area: Decimal = areas.iter().sum();
        for (p, area) in sl.placements.iter().zip(&areas) {
            let a = &mut acc[p.part];
            a.pieces += 1;
            if total_area > Decimal::ZERO {
                a.material += material_eur * area / total_area;
            }
        }
        for step in &sm.steps {
            let a = &mut acc[step.part];
            a.cut_mm += step.cut_length_mm;
            a.rapid_mm += step.rapid_mm;
            a.pierces += 1;
        }
        sheets.push(SheetCost {
            number: i + 1,
            width_mm: sm.width_mm,
            height_mm: sm.height_mm,
            used_length_mm: sm.used_length_mm,
            charged_length_mm: charged_length,
            charged_whole: whole,
            material_eur,
            cut_length_mm: sm.cut_length_mm,
            pierces: sm.pierces,
            rapid_length_mm: sm.rapid_length_mm,
            utilization: if sm.sheet_area_mm2 > 0.0 {
                sm.parts_area_mm2 / sm.sheet_area_mm2
            } else {
                0.0
            },
        });
    }

    // Currency and exchange rate.
    let overseas = customer.country == "FR" && is_overseas_postcode(&customer.postcode);
    let currency = currency_of(&customer.country, overseas);
    let (fx, exchange_rate) = match currency {
        Currency::Eur => (Decimal::ONE, None),
        Currency::Usd => (
            settings.exchange_rate.usd_per_eur,
            Some(settings.exchange_rate.clone()),
        ),
    };

    let speed = measure(cut.speed_m_min, 6, "a cutting speed")?;
    let pierce_s = measure(cut.pierce_s, 6, "a pierce time")?;
    let rapid_speed = measure(machine.rapid_speed_m_min, 6, "the rapid speed")?;
    let per_hour = Decimal::from(3600);
    let mm_min_to_s = Decimal::new(6, 2); // mm / (m/min) = 0.06 s
    let margin = Decimal::ONE + pricing.margin_percent / HUNDRED;

    let mut lines = Vec::new();
    let mut warnings = Vec::new();
    let mut breakdown = CostBreakdown::default();
    let mut machine_time_total = Decimal::ZERO;
    let mut weight = Decimal::ZERO;
    for (i, d) in problem.parts.iter().enumerate() {
        let a = &acc[i];
        if a.pieces < d.quantity {
            warnings.push(format!(
                "{} of {} pieces of `{}` were not placed in the nest and are not in this quote",
                d.quantity - a.pieces,
                d.quantity,
                d.part.name
            ));
        }
        if a.pieces == 0 {
            continue;
        }
        let q = Decimal::from(a.pieces);
        let pm = &metrics.parts[i];
        let time_s = measure(a.cut_mm, 3, "a cut length")? * mm_min_to_s / speed
            + Decimal::from(a.pierces) * pierce_s
            + measure(a.rapid_mm, 3, "a rapid length")? * mm_min_to_s / rapid_speed;
        let machine_eur = time_s * machine.hourly_rate / per_hour;
        let handling = q * pricing.handling_per_part;
        let ops: Vec<_> = options
            .operations
            .iter()
            .filter(|o| o.part == d.part.name)
            .collect();
        let ops_eur = q * ops.iter().map(|o| o.unit_price).sum::<Decimal>();
        let cost = a.material + machine_eur + handling + ops_eur;
        let discount_percent = pricing.discount_for(a.pieces);
        let with_margin = cost * margin;
        let price = with_margin * (Decimal::ONE - discount_percent / HUNDRED);
        let unit_price = round_cents(price / q * fx);
        let area = measure(pm.area_mm2, 2, "a part area")?;
        let unit_mass_kg = (area * thickness * density / billion).round_dp(3);
        weight += unit_mass_kg * q;
        machine_time_total += time_s;
        breakdown.material += a.material;
        breakdown.machine += machine_eur;
        breakdown.handling += handling;
        breakdown.operations += ops_eur;
        breakdown.margin += with_margin - cost;
        breakdown.discount += with_margin - price;
        lines.push(PartLine {
            part: d.part.name.clone(),
            quantity: a.pieces,
            requested: d.quantity,
            material: material.name.clone(),
            thickness_mm,
            operations: ops.iter().map(|o| o.name.clone()).collect(),
            discount_percent,
            unit_price,
            total: unit_price * q,
            cut_length_mm: pm.cut_length_mm,
            pierces: pm.pierces,
            unit_mass_kg,
            width_mm: pm.width_mm,
            height_mm: pm.height_mm,
            machine_time_s: time_s.round_dp(3),
            cost: CostBreakdown {
                material: round_cents(a.material),
                machine: round_cents(machine_eur),
                handling: round_cents(handling),
                operations: round_cents(ops_eur),
                ..CostBreakdown::default()
            },
        });
    }

    // Job lines.
    let n_sheets = Decimal::from(layout.sheets.len() as u64);
    let setup_cost = pricing.setup_per_job + pricing.setup_per_sheet * n_sheets;
    breakdown.setup = setup_cost;
    breakdown.margin += setup_cost * margin - setup_cost;
    let mut charges = vec![Charge {
        kind: ChargeKind::Setup,
        label: format!(
            "Setup: programming and preparation, loading of {} sheet(s)",
            layout.sheets.len()
        ),
        amount: round_cents(setup_cost * margin * fx),
    }];
    let goods: Decimal = lines.iter().map(|l| l.total).sum::<Decimal>() + charges[0].amount;
    let minimum = pricing.minimum_order * fx;
    let mut goods_total = goods;
    if goods < minimum {
        let amount = round_cents(minimum - goods);
        goods_total += amount;
        charges.push(Charge {
            kind: ChargeKind::MinimumOrder,
            label: format!(
                "Minimum order adjustment (minimum order {})",
                super::money::format_money(minimum, currency)
            ),
            amount,
        });
    }
    let zone = Zone::of_country(&customer.country, overseas);
    let zone_rules = settings
        .shipping
        .zones
        .iter()
        .find(|z| z.zone == zone)
        .ok_or_else(|| {
            QuoteError::Table(format!(
                "the settings have no shipping zone `{}`",
                zone.key()
            ))
        })?;
    let shipped_weight_kg = weight.round_dp(3);
    let goods_eur = goods_total / fx;
    let fee = round_cents(zone_rules.fee_eur(shipped_weight_kg, goods_eur) * fx);
    let free_note = match zone_rules.free_above {
        Some(t) if fee.is_zero() => format!(
            ", free above {}",
            super::money::format_money(t * fx, currency)
        ),
        _ => String::new(),
    };
    charges.push(Charge {
        kind: ChargeKind::Shipping,
        label: format!(
            "Shipping to {} ({} kg){free_note}",
            zone.label(),
            shipped_weight_kg.round_dp(1)
        ),
        amount: fee,
    });

    let total_ht: Decimal = lines.iter().map(|l| l.total).sum::<Decimal>()
        + charges.iter().map(|c| c.amount).sum::<Decimal>();
    let vat = vat_treatment(customer, settings.vat_rate_percent)?;
    let vat_amount = round_cents(total_ht * vat.rate_percent / HUNDRED);
    for v in [
        &mut breakdown.material,
        &mut breakdown.machine,
        &mut breakdown.handling,
        &mut breakdown.operations,
        &mut breakdown.setup,
        &mut breakdown.margin,
        &mut breakdown.discount,
    ] {
        *v = round_cents(*v);
    }
    Ok(Quote {
        currency,
        exchange_rate,
        material: material.name.clone(),
        grade: material.grade.clone(),
        thickness_mm,
        machine: machine.name.clone(),
        lines,
        charges,
        total_ht,
        vat,
        vat_amount,
        total_ttc: total_ht + vat_amount,
        shipping_zone: zone,
        shipped_weight_kg,
        machine_time_s: machine_time_total.round_dp(3),
        sheets,
        breakdown,
        warnings,
    })
}
