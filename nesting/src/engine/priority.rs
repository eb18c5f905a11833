//! Part priorities in a finished layout: the sheets holding the most urgent
//! parts are cut first. (The search places urgent parts first and leaves
//! the least urgent out when the stock runs out; its later phases keep a
//! part on the sheets up to the last one that held a part at least as
//! urgent, but may move it among those, so the sheet order is settled here.)

use crate::problem::{Layout, NestProblem, SheetLayout};
use std::cmp::Ordering;

/// Placed part area per priority of `sheet`, for priorities `from..to`
/// (most urgent first).
fn urgent_area(problem: &NestProblem, sheet: &SheetLayout, from: u32, to: u32) -> Vec<f64> {
    (from..to)
        .map(|priority| {
            sheet
                .placements
                .iter()
                .map(|p| &problem.parts[p.part])
                .filter(|d| d.priority == priority)
                .map(|d| d.part.area())
                .sum()
        })
        .collect()
}

/// Reorders the sheets after the first `keep` (the locked ones stay) so
/// that a sheet with more area of the most urgent priority comes first,
/// ties broken by the next priority; the least urgent priority of the job
/// does not count, and sheets that compare equal keep their order (a job
/// with one priority is left as it is). Copy numbers of the moved sheets
/// are given again in the new sheet order.
pub(crate) fn urgent_sheets_first(problem: &NestProblem, layout: &mut Layout, keep: usize) {
    let wanted = || problem.parts.iter().filter(|d| d.quantity > 0);
    let (Some(most), Some(least)) = (
        wanted().map(|d| d.priority).min(),
        wanted().map(|d| d.priority).max(),
    ) else {
        return;
    };
    let keep = keep.min(layout.sheets.len());
    if most == least || layout.sheets.len() - keep < 2 {
        return;
    }
    let tail = layout.sheets.split_off(keep);
    let mut keyed: Vec<(Vec<f64>, SheetLayout)> = tail
        .into_iter()
        .map(|s| (urgent_area(problem, &s, most, least), s))
        .collect();
    let descending = |a: &[f64], b: &[f64]| {
        a.iter()
            .zip(b)
            .fold(Ordering::Equal, |acc, (x, y)| acc.then(y.total_cmp(x)))
    };
    // A stable sort: equal sheets keep their order.
    keyed.sort_by(|a, b| descending(&a.0, &b.0));
    let mut moved: Vec<SheetLayout> = keyed.into_iter().map(|(_, s)| s).collect();
    // The moved sheets' copy numbers, per part, handed out again in order.
    let mut copies: Vec<Vec<u32>> = vec![Vec::new(); problem.parts.len()];
    for p in moved.iter().flat_map(|s| &s.placements) {
        copies[p.part].push(p.copy);
    }
    for c in &mut copies {
        c.sort_unstable();
        c.reverse();
    }
    for p in moved.iter_mut().flat_map(|s| &mut s.placements) {
        if let Some(c) = copies[p.part].pop() {
            p.copy = c;
        }
    }
    layout.sheets.append(&mut moved);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::{Contour, Transform};
    use crate::part::Part;
    use crate::problem::{PartDemand, Placement, SheetSpec};
    use std::sync::Arc;

    fn problem(priorities: [u32; 2]) -> NestProblem {
        let square = |name: &str, side: f64, priority: u32| PartDemand {
            priority,
            ..PartDemand::new(
                Arc::new(Part::new(
                    name,
                    Contour::rectangle(0.0, 0.0, side, side),
                    vec![],
                )),
                4,
            )
        };
        NestProblem {
            parts: vec![
                square("big", 100.0, priorities[0]),
                square("small", 10.0, priorities[1]),
            ],
            sheets: vec![SheetSpec::rect(1000.0, 1000.0, None, None)],
            spacing_mm: 0.0,
            margin_mm: 0.0,
        }
    }

    fn sheet(parts: &[(usize, u32)]) -> SheetLayout {
        SheetLayout {
            sheet: 0,
            placements: parts
                .iter()
                .map(|&(part, copy)| Placement {
                    part,
                    copy,
                    transform: Transform::IDENTITY,
                })
                .collect(),
        }
    }

    /// Three sheets: big parts only, one small, two small and a big.
    fn layout() -> Layout {
        Layout {
            sheets: vec![
                sheet(&[(0, 1), (0, 2)]),
                sheet(&[(1, 1)]),
                sheet(&[(1, 2), (1, 3), (0, 3)]),
            ],
            unplaced: vec![],
        }
    }

    fn parts_per_sheet(l: &Layout) -> Vec<Vec<(usize, u32)>> {
        l.sheets
            .iter()
            .map(|s| s.placements.iter().map(|p| (p.part, p.copy)).collect())
            .collect()
    }

    #[test]
    fn sheets_with_more_urgent_area_come_first_and_copies_follow() {
        let mut l = layout();
        urgent_sheets_first(&problem([5, 1]), &mut l, 0);
        assert_eq!(
            parts_per_sheet(&l),
            vec![
                vec![(1, 1), (1, 2), (0, 1)],
                vec![(1, 3)],
                vec![(0, 2), (0, 3)]
            ]
        );
    }

    #[test]
    fn locked_sheets_and_single_priority_jobs_keep_their_order() {
        let mut l = layout();
        urgent_sheets_first(&problem([5, 5]), &mut l, 0);
        assert_eq!(l, layout());
        // The first sheet is locked: only the two others may swap.
        let mut l = layout();
        urgent_sheets_first(&problem([5, 1]), &mut l, 1);
        assert_eq!(
            parts_per_sheet(&l),
            vec![
                vec![(0, 1), (0, 2)],
                vec![(1, 1), (1, 2), (0, 3)],
                vec![(1, 3)]
            ]
        );
    }
}
