//! Bookkeeping checks of a whole layout: indices, quantities, copy numbers,
//! stock counts, rotations and mirroring.

use super::violation::Violation;
use crate::problem::{Layout, NestProblem};
use std::collections::HashMap;

/// Every non-geometric check of `layout` against `problem`.
pub(super) fn check_bookkeeping(problem: &NestProblem, layout: &Layout) -> Vec<Violation> {
    let mut out = Vec::new();
    let n_parts = problem.parts.len();
    let mut placed = vec![0u32; n_parts];
    let mut unplaced = vec![0u32; n_parts];
    let mut first_sheet_of: HashMap<(usize, u32), usize> = HashMap::new();
    let mut sheets_used = vec![0u32; problem.sheets.len()];

    for (si, sl) in layout.sheets.iter().enumerate() {
        match sheets_used.get_mut(sl.sheet) {
            Some(n) => *n = n.saturating_add(1),
            None => out.push(Violation::UnknownSheet {
                sheet: si,
                sheet_spec: sl.sheet,
                sheet_spec_count: problem.sheets.len(),
            }),
        }
        for p in &sl.placements {
            let Some(demand) = problem.parts.get(p.part) else {
                out.push(Violation::UnknownPart {
                    sheet: Some(si),
                    part_index: p.part,
                    part_count: n_parts,
                });
                continue;
            };
            placed[p.part] = placed[p.part].saturating_add(1);
            let name = &demand.part.name;
            if p.copy == 0 || p.copy > demand.quantity {
                out.push(Violation::CopyOutOfRange {
                    sheet: si,
                    part: name.clone(),
                    copy: p.copy,
                    quantity: demand.quantity,
                });
            }
            match first_sheet_of.get(&(p.part, p.copy)) {
                Some(&first) => out.push(Violation::DuplicateCopy {
                    part: name.clone(),
                    copy: p.copy,
                    first_sheet: first,
                    sheet: si,
                }),
                None => {
                    first_sheet_of.insert((p.part, p.copy), si);
                }
            }
            if !demand.rotations.allows(p.transform.angle_deg) {
                out.push(Violation::RotationNotAllowed {
                    sheet: si,
                    part: format!("{name} #{}", p.copy),
                    angle_deg: p.transform.angle_deg,
                    allowed: demand.rotations.to_string(),
                });
            }
            if p.transform.mirrored && !demand.mirror {
                out.push(Violation::MirrorNotAllowed {
                    sheet: si,
                    part: format!("{name} #{}", p.copy),
                });
            }
        }
    }
    for u in &layout.unplaced {
        match unplaced.get_mut(u.part) {
            Some(n) => *n = n.saturating_add(u.count),
            None => out.push(Violation::UnknownPart {
                sheet: None,
                part_index: u.part,
                part_count: n_parts,
            }),
        }
    }
    for (i, d) in problem.parts.iter().enumerate() {
        if u64::from(placed[i]) + u64::from(unplaced[i]) != u64::from(d.quantity) {
            out.push(Violation::QuantityMismatch {
                part: d.part.name.clone(),
                requested: d.quantity,
                placed: placed[i],
                unplaced: unplaced[i],
            });
        }
    }
    for (k, spec) in problem.sheets.iter().enumerate() {
        if let Some(available) = spec.count
            && sheets_used[k] > available
        {
            out.push(Violation::StockExceeded {
                sheet_spec: k,
                width_mm: spec.width_mm,
                height_mm: spec.height_mm,
                used: sheets_used[k],
                available,
            });
        }
    }
    out
}
