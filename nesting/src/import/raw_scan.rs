//! A scan of the raw DXF text, independent of the `dxf` crate: which entity
//! kinds the file really holds (the crate drops unsupported ones silently),
//! the header's version and units, and the layer table's frozen/off flags.

use std::collections::BTreeMap;

/// Binary DXF files start with this sentinel.
pub const BINARY_SENTINEL: &[u8] = b"AutoCAD Binary DXF";
/// DXB files start with this sentinel.
pub const DXB_SENTINEL: &[u8] = b"AutoCAD DXB";

/// What the raw text says.
#[derive(Clone, Debug, Default)]
pub struct RawScan {
    /// `$ACADVER` value, e.g. `AC1015`.
    pub acadver: Option<String>,
    /// `$INSUNITS` value when the header has one.
    pub insunits: Option<i64>,
    /// Entity kind -> count in the ENTITIES section.
    pub entities: BTreeMap<String, usize>,
    /// Entity kind -> count inside block definitions (BLOCKS section).
    pub block_entities: BTreeMap<String, usize>,
    /// Layer table: name -> (flags code 70, colour code 62).
    pub layers: BTreeMap<String, RawLayer>,
}

/// One LAYER table record.
#[derive(Clone, Copy, Debug, Default)]
pub struct RawLayer {
    pub flags: i64,
    pub color: i64,
}

impl RawLayer {
    pub fn frozen(&self) -> bool {
        self.flags & 1 != 0
    }
    pub fn off(&self) -> bool {
        self.color < 0
    }
}

/// The file's format, from its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Ascii,
    Binary,
    Dxb,
}

/// Detects the DXF flavour from the first bytes.
pub fn detect_format(bytes: &[u8]) -> Format {
    if bytes.starts_with(BINARY_SENTINEL) {
        Format::Binary
    } else if bytes.starts_with(DXB_SENTINEL) {
        Format::Dxb
    } else {
        Format::Ascii
    }
}

/// Scans an ASCII DXF's group-code pairs. Tolerant: malformed pairs end the scan.
pub fn scan_ascii(bytes: &[u8]) -> RawScan {
    let text = String::from_utf8_lossy(bytes);
    let mut lines = text.lines();
    let mut scan = RawScan::default();
    let mut section = String::new();
    let mut expect_section_name = false;
    let mut header_var = String::new();
    let mut in_layer_record = false;
    let mut layer_name: Option<String> = None;
    let mut layer = RawLayer::default();
    let flush_layer = |name: &mut Option<String>, layer: &mut RawLayer, scan: &mut RawScan| {
        if let Some(n) = name.take() {
            scan.layers.insert(n, *layer);
        }
        *layer = RawLayer::default();
    };
    while let (Some(code_line), Some(value_line)) = (lines.next(), lines.next()) {
        let Ok(code) = code_line.trim().parse::<i32>() else {
            break;
        };
        let value = value_line.trim();
        if code == 0 {
            if in_layer_record {
                flush_layer(&mut layer_name, &mut layer, &mut scan);
                in_layer_record = false;
            }
            match value {
                "SECTION" => {
                    expect_section_name = true;
                    continue;
                }
                "ENDSEC" => {
                    section.clear();
                    continue;
                }
                "EOF" => break,
                _ => {}
            }
            match section.as_str() {
                "ENTITIES" => *scan.entities.entry(value.to_string()).or_default() += 1,
                "BLOCKS" if value != "BLOCK" && value != "ENDBLK" => {
                    *scan.block_entities.entry(value.to_string()).or_default() += 1
                }
                "TABLES" if value == "LAYER" => in_layer_record = true,
                _ => {}
            }
            expect_section_name = false;
            continue;
        }
        if expect_section_name && code == 2 {
            section = value.to_ascii_uppercase();
            expect_section_name = false;
            continue;
        }
        match section.as_str() {
            "HEADER" => {
                if code == 9 {
                    header_var = value.to_string();
                } else if header_var == "$ACADVER" && code == 1 {
                    scan.acadver = Some(value.to_string());
                } else if header_var == "$INSUNITS" && code == 70 {
                    scan.insunits = value.parse().ok();
                }
            }
            "TABLES" if in_layer_record => match code {
                2 => layer_name = Some(value.to_string()),
                70 => layer.flags = value.parse().unwrap_or(0),
                62 => layer.color = value.parse().unwrap_or(0),
                _ => {}
            },
            _ => {}
        }
    }
    if in_layer_record {
        flush_layer(&mut layer_name, &mut layer, &mut scan);
    }
    scan
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_entities_and_header() {
        let text = "0\nSECTION\n2\nHEADER\n9\n$ACADVER\n1\nAC1015\n9\n$INSUNITS\n70\n1\n0\nENDSEC\n\
0\nSECTION\n2\nTABLES\n0\nTABLE\n2\nLAYER\n0\nLAYER\n2\nA\n70\n1\n62\n7\n0\nLAYER\n2\nB\n70\n0\n62\n-3\n0\nENDTAB\n0\nENDSEC\n\
0\nSECTION\n2\nBLOCKS\n0\nBLOCK\n2\nX\n0\nLINE\n8\n0\n0\nENDBLK\n0\nENDSEC\n\
0\nSECTION\n2\nENTITIES\n0\nHATCH\n8\n0\n0\nLINE\n8\n0\n0\nLINE\n8\n0\n0\nENDSEC\n0\nEOF\n";
        let s = scan_ascii(text.as_bytes());
        assert_eq!(s.acadver.as_deref(), Some("AC1015"));
        assert_eq!(s.insunits, Some(1));
        assert_eq!(s.entities.get("LINE"), Some(&2));
        assert_eq!(s.entities.get("HATCH"), Some(&1));
        assert_eq!(s.block_entities.get("LINE"), Some(&1));
        assert!(s.layers["A"].frozen() && !s.layers["A"].off());
        assert!(s.layers["B"].off() && !s.layers["B"].frozen());
    }
}
