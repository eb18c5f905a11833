//! VAT (one test per rule), VAT number formats, shipping zones and
//! thresholds, quantity breaks and the money rounding rule.

use nestwork::quote::money::{format_amount, round_cents};
use nestwork::quote::settings::Settings;
use nestwork::quote::shipping::{Zone, currency_of};
use nestwork::quote::vat::{REVERSE_CHARGE_MENTION, check_vat_number, vat_treatment};
use nestwork::quote::{Currency, Customer, CustomerKind, VatRule};
use rust_decimal::Decimal;
use std::str::FromStr;

fn d(s: &str) -> Decimal {
    Decimal::from_str(s).unwrap()
}

fn customer(country: &str, postcode: &str, kind: CustomerKind, vat: Option<&str>) -> Customer {
    Customer {
        name: "C".into(),
        address: vec![],
        postcode: postcode.into(),
        city: String::new(),
        country: country.into(),
        kind,
        vat_number: vat.map(str::to_string),
        contact: None,
        email: None,
    }
}

fn rule(c: &Customer) -> (VatRule, Decimal) {
    let t = vat_treatment(c, d("20")).unwrap();
    (t.rule, t.rate_percent)
}

use CustomerKind::{Business, Private};

#[test]
fn vat_france_business_and_private_pay_french_vat() {
    assert_eq!(
        rule(&customer("FR", "69007", Business, Some("FR40303265045"))),
        (VatRule::FrenchVat, d("20"))
    );
    assert_eq!(
        rule(&customer("FR", "75001", Private, None)),
        (VatRule::FrenchVat, d("20"))
    );
    assert_eq!(
        rule(&customer("MC", "98000", Business, None)),
        (VatRule::FrenchVat, d("20"))
    );
}

#[test]
fn vat_eu_business_with_number_is_reverse_charge_with_the_mention() {
    let t = vat_treatment(
        &customer("DE", "10115", Business, Some("DE 123 456 789")),
        d("20"),
    )
    .unwrap();
    assert_eq!((t.rule, t.rate_percent), (VatRule::ReverseCharge, d("0")));
    let mention = t.mention.unwrap();
    assert!(mention.starts_with(REVERSE_CHARGE_MENTION), "{mention}");
    assert!(
        mention.contains("article 196 de la directive 2006/112/CE"),
        "{mention}"
    );
    assert!(mention.contains("DE123456789"), "{mention}");
    // Greece's numbers carry EL.
    assert_eq!(
        rule(&customer("GR", "10431", Business, Some("EL123456789"))).0,
        VatRule::ReverseCharge
    );
}

#[test]
fn vat_eu_business_without_number_pays_french_vat() {
    assert_eq!(
        rule(&customer("IT", "20121", Business, None)),
        (VatRule::FrenchVat, d("20"))
    );
}

#[test]
fn vat_eu_private_customer_pays_french_vat_even_with_a_number() {
    assert_eq!(
        rule(&customer("BE", "1000", Private, Some("BE0123456789"))),
        (VatRule::FrenchVat, d("20"))
    );
}

#[test]
fn vat_french_overseas_is_export_by_country_or_postcode() {
    for c in ["GP", "MQ", "GF", "RE", "YT"] {
        let t = vat_treatment(&customer(c, "", Business, None), d("20")).unwrap();
        assert_eq!((t.rule, t.rate_percent), (VatRule::Export, d("0")), "{c}");
        assert!(t.mention.unwrap().contains("262 I du CGI"));
    }
    for pc in ["97110", "97200", "97300", "97400", "97600"] {
        assert_eq!(
            rule(&customer("FR", pc, Private, None)).0,
            VatRule::Export,
            "{pc}"
        );
    }
}

#[test]
fn vat_switzerland_is_export() {
    assert_eq!(
        rule(&customer("CH", "1201", Business, None)),
        (VatRule::Export, d("0"))
    );
}

#[test]
fn vat_africa_is_export() {
    for c in ["MA", "SN", "ZA", "CI"] {
        let t = vat_treatment(&customer(c, "", Business, None), d("20")).unwrap();
        assert_eq!((t.rule, t.rate_percent), (VatRule::Export, d("0")), "{c}");
        assert!(t.reason.contains("Africa"), "{}", t.reason);
    }
}

#[test]
fn vat_rest_of_world_is_export() {
    for c in ["US", "CN", "BR", "GB", "NO"] {
        assert_eq!(
            rule(&customer(c, "", Private, None)).0,
            VatRule::Export,
            "{c}"
        );
    }
}

#[test]
fn vat_malformed_number_is_a_clear_error() {
    let err = vat_treatment(&customer("DE", "10115", Business, Some("DE12345")), d("20"))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("`DE12345` is not a valid DE intra-community VAT number"),
        "{err}"
    );
    assert!(err.contains("DE + 9 digits"), "{err}");
}

#[test]
fn vat_number_formats_per_country() {
    let good = [
        ("AT", "ATU12345678"),
        ("BE", "BE0123456789"),
        ("CY", "CY12345678X"),
        ("DE", "de123456789"),
        ("ES", "ESX1234567X"),
        ("FR", "FR 40 303 265 045"),
        ("IE", "IE1234567T"),
        ("IE", "IE1234567WA"),
        ("IT", "IT12345678901"),
        ("NL", "NL123456789B01"),
        ("PL", "PL1234567890"),
        ("SE", "SE123456789001"),
    ];
    for (c, n) in good {
        assert!(check_vat_number(c, n).is_ok(), "{c} {n}");
    }
    let bad = [
        ("AT", "AT12345678"),    // the U is missing
        ("BE", "BE2123456789"),  // must start with 0 or 1
        ("DE", "FR123456789"),   // wrong prefix
        ("FR", "FRIO303265045"), // I and O are not used
        ("NL", "NL123456789001"),
        ("SE", "SE123456789012"),
        ("GR", "GR123456789"), // Greece uses EL
    ];
    for (c, n) in bad {
        assert!(check_vat_number(c, n).is_err(), "{c} {n}");
    }
    assert_eq!(
        check_vat_number("FR", "fr40.303.265.045").unwrap(),
        "FR40303265045"
    );
    let err = check_vat_number("CH", "CHE123456789")
        .unwrap_err()
        .to_string();
    assert!(err.contains("not an EU member state"), "{err}");
}

#[test]
fn customer_country_must_be_an_iso_code() {
    let err = Customer::from_toml(
        "name = \"X\"\ncountry = \"FRA\"\nkind = \"business\"\n",
        "c.toml",
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("`FRA` is not an ISO 3166-1 alpha-2 code"),
        "{err}"
    );
}

#[test]
fn shipping_zones_and_currencies() {
    let cases = [
        ("FR", "69007", Zone::France, Currency::Eur),
        ("MC", "98000", Zone::France, Currency::Eur),
        ("DE", "", Zone::Europe, Currency::Eur),
        ("CH", "", Zone::Europe, Currency::Eur),
        ("GB", "", Zone::Europe, Currency::Eur),
        ("US", "", Zone::NorthAmerica, Currency::Usd),
        ("CA", "", Zone::NorthAmerica, Currency::Usd),
        ("JP", "", Zone::AsiaOceania, Currency::Usd),
        ("AU", "", Zone::AsiaOceania, Currency::Usd),
        ("MA", "", Zone::RestOfWorld, Currency::Usd),
        ("BR", "", Zone::RestOfWorld, Currency::Usd),
        ("RE", "", Zone::RestOfWorld, Currency::Eur),
    ];
    for (c, pc, zone, cur) in cases {
        let overseas = nestwork::quote::countries::is_overseas_postcode(pc);
        assert_eq!(Zone::of_country(c, overseas), zone, "{c}");
        assert_eq!(currency_of(c, overseas), cur, "{c}");
    }
    assert_eq!(Zone::of_country("FR", true), Zone::RestOfWorld);
}

#[test]
fn shipping_free_above_the_zone_threshold() {
    let s = Settings::shipped().unwrap();
    let zone = |z: Zone| {
        s.shipping
            .zones
            .iter()
            .find(|x| x.zone == z)
            .unwrap()
            .clone()
    };
    let france = zone(Zone::France);
    // 25 + 0.35 x 100 kg = 60.00 just below the 1500 threshold, free at it.
    assert_eq!(france.fee_eur(d("100"), d("1499.99")), d("60.00"));
    assert_eq!(france.fee_eur(d("100"), d("1500")), d("0"));
    let europe = zone(Zone::Europe);
    // 60 + 0.60 x 12.5 kg = 67.50 below 3000, free from 3000.
    assert_eq!(europe.fee_eur(d("12.5"), d("2999.99")), d("67.500"));
    assert_eq!(europe.fee_eur(d("12.5"), d("3000.00")), d("0"));
    // North America is never free: 180 + 2.50 x 10 = 205.
    let na = zone(Zone::NorthAmerica);
    assert_eq!(na.fee_eur(d("10"), d("1000000")), d("205.00"));
}

#[test]
fn quantity_breaks_take_the_highest_reached() {
    let p = Settings::shipped().unwrap().pricing;
    // Shipped breaks: 10 -> 3 %, 50 -> 6 %, 200 -> 10 %.
    assert_eq!(p.discount_for(1), d("0"));
    assert_eq!(p.discount_for(9), d("0"));
    assert_eq!(p.discount_for(10), d("3"));
    assert_eq!(p.discount_for(49), d("3"));
    assert_eq!(p.discount_for(50), d("6"));
    assert_eq!(p.discount_for(199), d("6"));
    assert_eq!(p.discount_for(200), d("10"));
    assert_eq!(p.discount_for(5000), d("10"));
}

#[test]
fn money_rounds_half_away_from_zero_only_at_the_end() {
    assert_eq!(round_cents(d("0.005")), d("0.01"));
    assert_eq!(round_cents(d("0.00499999")), d("0.00"));
    assert_eq!(round_cents(d("-0.005")), d("-0.01"));
    // 2.675 is 2.67499999... as a binary float; in decimal it rounds up.
    assert_eq!(round_cents(d("2.675")), d("2.68"));
    assert_eq!(format!("{:.2}", 2.675f64), "2.67");
    // Three pieces at an exact unit price of 0.3333...: the unit rounds to
    // 0.33 and the line is 3 x 0.33 = 0.99, never 1.00 (lines add up as printed).
    let unit = round_cents(Decimal::ONE / Decimal::from(3));
    assert_eq!(unit * Decimal::from(3), d("0.99"));
    // Ten times 0.10 is exactly 1.00 (0.1 summed as f64 is not 1.0).
    let sum: Decimal = std::iter::repeat_n(d("0.10"), 10).sum();
    assert_eq!(sum, d("1.00"));
    assert_eq!(format_amount(d("1234567.895")), "1,234,567.90");
}
