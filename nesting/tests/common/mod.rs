//! Helpers shared by the engine's integration tests.

use nesting::{Placement, Transform};

/// A copy of part 0 at `(x_mm, y_mm)`, turned by `angle_deg`, not mirrored.
pub fn at(copy: u32, x_mm: f64, y_mm: f64, angle_deg: f64) -> Placement {
    Placement {
        part: 0,
        copy,
        transform: Transform {
            x_mm,
            y_mm,
            angle_deg,
            mirrored: false,
        },
    }
}
