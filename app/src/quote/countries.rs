//! Country codes (ISO 3166-1 alpha-2) and the groups the tax and shipping
//! rules need: EU members, French overseas territories, Europe, North
//! America, Asia/Oceania, Africa.

/// Every assigned ISO 3166-1 alpha-2 code.
const ISO_CODES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ \
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR \
GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP \
KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT \
MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW \
SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG \
UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// The 27 member states of the European Union.
const EU: &str = "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK";

/// French overseas departments and collectivities: outside the EU VAT area.
const FRENCH_OVERSEAS: &str = "GP MQ GF RE YT PM BL MF NC PF WF TF";

/// European countries outside the EU (shipping zone Europe, EUR prices).
const EUROPE_NON_EU: &str =
    "AD AL AX BA BY CH FO GB GG GI IM IS JE LI MC MD ME MK NO RS SJ SM UA VA";

const NORTH_AMERICA: &str = "US CA MX PM GL BM";

const AFRICA: &str = "DZ AO BJ BW BF BI CV CM CF TD KM CG CD CI DJ EG GQ ER SZ ET GA GM GH GN GW KE LS LR LY MG \
MW ML MR MU MA MZ NA NE NG RW ST SN SC SL SO ZA SS SD TZ TG TN UG ZM ZW EH SH RE YT IO";

const ASIA_OCEANIA: &str = "AF AM AZ BH BD BT BN KH CN CY GE HK IN ID IR IQ IL JP JO KZ KW KG LA LB MO MY MV MN MM NP \
KP OM PK PS PH QA SA SG KR LK SY TW TJ TH TL TR TM AE UZ VN YE AU NZ FJ PG SB VU NC PF WS TO KI TV NR FM MH PW \
CK NU TK WF AS GU MP NF CX CC PN HM UM";

fn listed(list: &str, code: &str) -> bool {
    list.split_ascii_whitespace().any(|c| c == code)
}

/// True for an assigned ISO 3166-1 alpha-2 code (upper case).
pub fn is_iso_code(code: &str) -> bool {
    listed(ISO_CODES, code)
}

/// True for a member state of the EU.
pub fn is_eu(code: &str) -> bool {
    listed(EU, code)
}

/// True for a French overseas department or collectivity.
pub fn is_french_overseas(code: &str) -> bool {
    listed(FRENCH_OVERSEAS, code)
}

/// True for a French postcode of an overseas department (971 to 976).
pub fn is_overseas_postcode(postcode: &str) -> bool {
    let p = postcode.trim();
    p.len() == 5 && p.chars().all(|c| c.is_ascii_digit()) && ("97100".."97700").contains(&p)
}

/// True for a European country (EU or not) other than France.
pub fn is_europe(code: &str) -> bool {
    is_eu(code) || listed(EUROPE_NON_EU, code)
}

pub fn is_north_america(code: &str) -> bool {
    listed(NORTH_AMERICA, code)
}

pub fn is_africa(code: &str) -> bool {
    listed(AFRICA, code)
}

pub fn is_asia_oceania(code: &str) -> bool {
    listed(ASIA_OCEANIA, code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_hold_only_assigned_codes() {
        for list in [
            EU,
            FRENCH_OVERSEAS,
            EUROPE_NON_EU,
            NORTH_AMERICA,
            AFRICA,
            ASIA_OCEANIA,
        ] {
            for c in list.split_ascii_whitespace() {
                assert!(is_iso_code(c), "{c}");
            }
        }
        assert_eq!(EU.split_ascii_whitespace().count(), 27);
        assert!(is_overseas_postcode("97400") && is_overseas_postcode("97600"));
        assert!(!is_overseas_postcode("97700") && !is_overseas_postcode("75001"));
    }
}
