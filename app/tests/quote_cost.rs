//! The cost model on a job small enough to cost by hand: one 1000 x 500 mm
//! rectangle on one 3000 x 1500 mm sheet. Every expected figure is worked
//! out in the comments.

use nesting::{
    Contour, Layout, NestProblem, Part, PartDemand, Placement, Point, Rotations, SheetLayout,
    SheetOutline, SheetSpec, Transform,
};
use nestwork::quote::settings::MaterialCharge;
use nestwork::quote::{
    ChargeKind, Currency, Customer, Machines, Materials, QuoteInput, QuoteOptions, Settings,
    VatRule, price_job,
};
use rust_decimal::Decimal;
use std::str::FromStr;
use std::sync::Arc;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

/// Round figures: 8000 kg/m³ at 1.00 EUR/kg, 2 mm.
const MATERIALS: &str = r#"
[[material]]
name = "test steel"
density_kg_m3 = 8000
price_per_kg = 1.00
thicknesses_mm = [2]
"#;

/// 6 m/min = 100 mm/s, 0.5 s per pierce, rapids at 60 m/min = 1000 mm/s, 90 EUR/h.
const MACHINES: &str = r#"
[[machine]]
name = "test laser"
hourly_rate = 90
rapid_speed_m_min = 60
[[machine.process]]
material = "test steel"
cuts = [{ thickness_mm = 2, speed_m_min = 6, pierce_s = 0.5 }]
"#;

const OPTIONS: &str = r#"
[[operation]]
part = "plate"
name = "deburring"
unit_price = 1.50
"#;

fn customer(country: &str, postcode: &str, vat: Option<&str>) -> Customer {
    Customer {
        name: "Test customer".into(),
        address: vec!["1 test street".into()],
        postcode: postcode.into(),
        city: "Town".into(),
        country: country.into(),
        kind: nestwork::quote::CustomerKind::Business,
        vat_number: vat.map(str::to_string),
        contact: None,
        email: None,
    }
}

/// The plate at (10, 10), no rotation, on a 3000 x 1500 sheet, spacing 5 mm.
fn rectangle_job() -> (NestProblem, Layout) {
    let plate = Part::new("plate", Contour::rectangle(0.0, 0.0, 1000.0, 500.0), vec![]);
    let problem = NestProblem {
        parts: vec![PartDemand {
            part: Arc::new(plate),
            quantity: 1,
            rotations: Rotations::Step90,
            mirror: false,
            min_quality: None,
            priority: nesting::DEFAULT_PRIORITY,
        }],
        sheets: vec![SheetSpec {
            width_mm: 3000.0,
            height_mm: 1500.0,
            count: None,
            cost: None,
            outline: None,
        }],
        spacing_mm: 5.0,
        margin_mm: 10.0,
    };
    let layout = Layout {
        sheets: vec![SheetLayout {
            sheet: 0,
            placements: vec![Placement {
                part: 0,
                copy: 1,
                transform: Transform {
                    x_mm: 10.0,
                    y_mm: 10.0,
                    ..Transform::IDENTITY
                },
            }],
        }],
        unplaced: vec![],
    };
    (problem, layout)
}

struct Fixture {
    materials: Materials,
    machines: Machines,
    settings: Settings,
    options: QuoteOptions,
}

fn fixture() -> Fixture {
    Fixture {
        materials: Materials::from_toml(MATERIALS, "test").unwrap(),
        machines: Machines::from_toml(MACHINES, "test").unwrap(),
        // The shipped settings: margin 20 %, setup 45 per job + 6 per sheet,
        // handling 0.20 per piece, minimum order 150, used-length rule with
        // 500 mm remnants, France shipping 25 + 0.35/kg free above 1500, VAT 20 %.
        settings: Settings::shipped().unwrap(),
        options: toml::from_str(OPTIONS).unwrap(),
    }
}

/// Prices `job` in 2 mm test steel on the test laser with the fixture's settings.
fn quote_job(
    f: &Fixture,
    (problem, layout): &(NestProblem, Layout),
    customer: &Customer,
) -> Result<nestwork::quote::Quote, nestwork::quote::QuoteError> {
    price_job(&QuoteInput {
        problem,
        layout,
        material: f.materials.find("test steel", 2.0).unwrap(),
        thickness_mm: 2.0,
        machine: f.machines.find("test laser").unwrap(),
        settings: &f.settings,
        options: &f.options,
        customer,
    })
}

fn price(f: &Fixture, customer: &Customer) -> nestwork::quote::Quote {
    quote_job(f, &rectangle_job(), customer).unwrap()
}

#[test]
fn rectangle_on_one_sheet_costed_line_by_line() {
    let f = fixture();
    let q = price(&f, &customer("FR", "69007", None));
    assert_eq!(q.currency, Currency::Eur);

    // Material: the sheet is 3000 x 1500 x 2 mm = 9 000 000 mm³ = 0.009 m³,
    // x 8000 kg/m³ = 72 kg, x 1.00 EUR/kg = 72.00 EUR whole. The plate
    // reaches x = 1010; + 5 mm spacing = 1015 mm used, leaving 1985 mm >= 500:
    // a remnant, so 1015 / 3000 of the sheet is charged: 72 x 1015 / 3000 = 24.36.
    assert_eq!(q.sheets[0].charged_length_mm, d("1015"));
    assert!(!q.sheets[0].charged_whole);
    assert_eq!(q.sheets[0].material_eur, d("24.36"));

    // Machine: cut 3000 mm at 100 mm/s = 30 s; 1 pierce = 0.5 s; rapid from
    // (0, 0) to the corner (10, 10) = √200 = 14.142 mm at 1000 mm/s = 0.014142 s.
    // Time 30.514142 s x 90 EUR/h / 3600 = 0.76285355 EUR.
    let line = &q.lines[0];
    assert_eq!(line.machine_time_s, d("30.514"));
    assert_eq!(line.cost.material, d("24.36"));
    assert_eq!(line.cost.machine, d("0.76"));
    // Handling 0.20, deburring 1.50.
    assert_eq!(line.cost.handling, d("0.20"));
    assert_eq!(line.cost.operations, d("1.50"));
    // Cost 24.36 + 0.76285355 + 0.20 + 1.50 = 26.82285355; + 20 % margin =
    // 32.18742426; 1 piece, no quantity break: unit price 32.19.
    assert_eq!(line.quantity, 1);
    assert_eq!(line.unit_price, d("32.19"));
    assert_eq!(line.total, d("32.19"));
    // Mass: 1000 x 500 x 2 = 1e6 mm³ = 0.001 m³ x 8000 = 8.000 kg.
    assert_eq!(line.unit_mass_kg, d("8.000"));

    // Setup: (45 + 6 x 1 sheet) x 1.2 = 61.20.
    assert_eq!(q.charges[0].kind, ChargeKind::Setup);
    assert_eq!(q.charges[0].amount, d("61.20"));
    // Goods 32.19 + 61.20 = 93.39 < 150 minimum: adjustment 56.61.
    assert_eq!(q.charges[1].kind, ChargeKind::MinimumOrder);
    assert_eq!(q.charges[1].amount, d("56.61"));
    // Shipping in France: 150 < 1500, so 25 + 0.35 x 8 kg = 27.80.
    assert_eq!(q.charges[2].kind, ChargeKind::Shipping);
    assert_eq!(q.charges[2].amount, d("27.80"));
    assert_eq!(q.shipped_weight_kg, d("8.000"));
    // Totals: 32.19 + 61.20 + 56.61 + 27.80 = 177.80; VAT 20 % = 35.56; 213.36.
    assert_eq!(q.total_ht, d("177.80"));
    assert_eq!(q.vat.rule, VatRule::FrenchVat);
    assert_eq!(q.vat_amount, d("35.56"));
    assert_eq!(q.total_ttc, d("213.36"));
    assert!(q.warnings.is_empty(), "{:?}", q.warnings);
}

#[test]
fn full_sheet_rule_and_short_remnant_charge_the_whole_sheet() {
    let mut f = fixture();
    f.settings.pricing.material_charge = MaterialCharge::FullSheets;
    let q = price(&f, &customer("FR", "69007", None));
    // Whole sheet 72.00; cost 72 + 0.76285355 + 0.20 + 1.50 = 74.46285355,
    // x 1.2 = 89.35542426 -> 89.36.
    assert_eq!(q.sheets[0].material_eur, d("72"));
    assert_eq!(q.lines[0].unit_price, d("89.36"));

    // Used-length rule, but a remnant must be 2000 mm: 1985 is scrap, so the whole sheet again.
    let mut f = fixture();
    f.settings.pricing.remnant_min_length_mm = 2000.0;
    let q = price(&f, &customer("FR", "69007", None));
    assert!(q.sheets[0].charged_whole);
    assert_eq!(q.lines[0].unit_price, d("89.36"));
}

/// The rectangle job on an L-shaped remnant in the 3000 x 1500 box: the
/// upper-right 1500 x 1000 is gone, leaving 4 500 000 − 1 500 000 = 3 000 000 mm².
fn remnant_job() -> (NestProblem, Layout) {
    let (mut problem, layout) = rectangle_job();
    let outer = Contour::polygon([
        Point::new(0.0, 0.0),
        Point::new(3000.0, 0.0),
        Point::new(3000.0, 500.0),
        Point::new(1500.0, 500.0),
        Point::new(1500.0, 1500.0),
        Point::new(0.0, 1500.0),
    ]);
    problem.sheets[0].outline = Some(SheetOutline::normalized(outer, vec![], vec![]).0);
    (problem, layout)
}

fn price_remnant(f: &Fixture) -> nestwork::quote::Quote {
    quote_job(f, &remnant_job(), &customer("FR", "69007", None)).unwrap()
}

/// The fixture with a table price of 90.00 for a 3000 x 1500 x 2 sheet.
fn fixture_with_sheet_price() -> Fixture {
    let mut f = fixture();
    f.materials = Materials::from_toml(
        &format!(
            "{MATERIALS}[[material.sheet_price]]\nwidth_mm = 3000\nheight_mm = 1500\n\
             thickness_mm = 2\nprice = 90.00\n"
        ),
        "test",
    )
    .unwrap();
    f
}

#[test]
fn an_irregular_remnant_is_charged_by_the_material_it_loses() {
    let f = fixture();
    let q = price_remnant(&f);
    // The remnant weighs 3 000 000 mm² x 2 mm x 8000 kg/m³ = 48 kg = 48.00 EUR.
    // Used up to 1015 mm: 1015 x 1500 = 1 522 500 mm² of the 3 000 000 (the
    // missing corner starts at x = 1500), so 48 x 0.5075 = 24.36; by the share
    // of the length (1015 / 3000) it would be 16.24.
    assert_eq!(q.sheets[0].charged_length_mm, d("1015"));
    assert!(!q.sheets[0].charged_whole);
    assert_eq!(q.sheets[0].material_eur, d("24.36"));

    // A sheet price for the 3000 x 1500 size (90.00) prices the remnant by its
    // area: 90 x 3 000 000 / 4 500 000 = 60.00, then 60 x 0.5075 = 30.45 (the
    // full sheet's price per mm²).
    let mut f = fixture_with_sheet_price();
    let q = price_remnant(&f);
    assert_eq!(q.sheets[0].material_eur, d("30.45"));
    // Charged whole, the remnant costs its 60.00, not the full sheet's 90.00.
    f.settings.pricing.material_charge = MaterialCharge::FullSheets;
    let q = price_remnant(&f);
    assert_eq!(q.sheets[0].material_eur, d("60"));
}

#[test]
fn the_stock_sheets_own_cost_prices_its_material() {
    // The job says what its 3000 x 1500 sheet costs: 120.00. That beats both
    // the mass price (72.00) and a table price for the size (90.00), and is
    // charged by the same used-length rule: 120 x 1015 / 3000 = 40.60.
    let mut f = fixture_with_sheet_price();
    let (mut problem, layout) = rectangle_job();
    problem.sheets[0].cost = Some(120.0);
    let job = (problem, layout);
    let q = quote_job(&f, &job, &customer("FR", "69007", None)).unwrap();
    assert_eq!(q.sheets[0].material_eur, d("40.60"));
    assert_eq!(q.lines[0].cost.material, d("40.60"));

    // A remnant's cost is its own price, not scaled by its share of the
    // bounding rectangle: 30.00 x 1 522 500 / 3 000 000 = 15.225.
    let (mut problem, layout) = remnant_job();
    problem.sheets[0].cost = Some(30.0);
    let q = quote_job(&f, &(problem, layout), &customer("FR", "69007", None)).unwrap();
    assert_eq!(q.sheets[0].material_eur, d("15.225"));
    f.settings.pricing.material_charge = MaterialCharge::FullSheets;
    let q = quote_job(&f, &job, &customer("FR", "69007", None)).unwrap();
    assert_eq!(q.sheets[0].material_eur, d("120"));
}

#[test]
fn quantity_break_discounts_the_line() {
    let mut f = fixture();
    f.settings.pricing.quantity_breaks = vec![nestwork::quote::settings::QuantityBreak {
        min_quantity: 1,
        discount_percent: d("10"),
    }];
    let q = price(&f, &customer("FR", "69007", None));
    // 32.18742426 x 0.90 = 28.96868183 -> 28.97.
    assert_eq!(q.lines[0].discount_percent, d("10"));
    assert_eq!(q.lines[0].unit_price, d("28.97"));
}

#[test]
fn export_customer_in_usd_converts_every_line_before_rounding() {
    let f = fixture();
    let q = price(&f, &customer("US", "10001", None));
    assert_eq!(q.currency, Currency::Usd);
    assert_eq!(q.exchange_rate.as_ref().unwrap().usd_per_eur, d("1.16"));
    // Unit: 32.18742426 x 1.16 = 37.33741214 -> 37.34.
    assert_eq!(q.lines[0].unit_price, d("37.34"));
    // Setup 61.20 x 1.16 = 70.992 -> 70.99.
    assert_eq!(q.charges[0].amount, d("70.99"));
    // Minimum 150 x 1.16 = 174.00; goods 37.34 + 70.99 = 108.33; adjustment 65.67.
    assert_eq!(q.charges[1].amount, d("65.67"));
    // North America: 180 + 2.50 x 8 kg = 200 EUR x 1.16 = 232.00 USD, never free.
    assert_eq!(q.charges[2].amount, d("232.00"));
    // Export: no VAT. 37.34 + 70.99 + 65.67 + 232.00 = 406.00.
    assert_eq!(q.vat.rule, VatRule::Export);
    assert_eq!(q.total_ht, d("406.00"));
    assert_eq!(q.vat_amount, d("0"));
    assert_eq!(q.total_ttc, d("406.00"));
}

#[test]
fn unplaced_copies_are_reported_not_dropped() {
    let f = fixture();
    let mut job = rectangle_job();
    job.0.parts[0].quantity = 3;
    let q = quote_job(&f, &job, &customer("FR", "69007", None)).unwrap();
    assert_eq!((q.lines[0].quantity, q.lines[0].requested), (1, 3));
    assert!(
        q.warnings[0].contains("2 of 3 pieces of `plate`"),
        "{:?}",
        q.warnings
    );
}

#[test]
fn operation_on_an_unknown_part_is_an_error() {
    let mut f = fixture();
    f.options.operations[0].part = "bracket".into();
    let err = quote_job(&f, &rectangle_job(), &customer("FR", "69007", None))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`bracket`") && err.contains("`plate`"),
        "{err}"
    );
}
