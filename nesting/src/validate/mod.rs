//! The independent layout validator: exact f64 geometry, not jagua-rs.
