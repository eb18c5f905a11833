//! Time helpers (UTC calendar months without a date crate) and the clock guard, which refuses a
//! local clock that went backwards past the latest time this workstation has seen.

use crate::fs_util::{read_optional, write_atomic};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// How far the clock may step back (NTP corrections, time zones are not involved: all UTC).
pub const CLOCK_TOLERANCE_S: i64 = 10 * 60;

/// Seconds since the Unix epoch, from the system clock (negative if the clock is before 1970).
pub fn now_s() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
        Err(e) => -i64::try_from(e.duration().as_secs()).unwrap_or(i64::MAX),
    }
}

/// Days since 1970-01-01 to (year, month 1..=12, day 1..=31), proleptic Gregorian, UTC.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// (year, month, day) to days since 1970-01-01, UTC.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The UTC calendar month of a time, as `"YYYY-MM"` (the fair-use counting period).
pub fn month_of(t_s: i64) -> String {
    let (y, m, _) = civil_from_days(t_s.div_euclid(86_400));
    format!("{y:04}-{m:02}")
}

/// The same UTC day and time `months` later (earlier when negative); the day is clamped to the target month's length
/// (31 January + 1 month = 28/29 February).
pub fn add_months(t_s: i64, months: i64) -> i64 {
    let days = t_s.div_euclid(86_400);
    let secs = t_s.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let total = y * 12 + i64::from(m - 1) + months;
    let (ny, nm) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u32);
    let next_first = if nm == 12 {
        days_from_civil(ny + 1, 1, 1)
    } else {
        days_from_civil(ny, nm + 1, 1)
    };
    let month_len = (next_first - days_from_civil(ny, nm, 1)) as u32;
    days_from_civil(ny, nm, d.min(month_len)) * 86_400 + secs
}

/// A time as `YYYY-MM-DD HH:MM UTC` for messages.
pub fn format_utc(t_s: i64) -> String {
    let (y, m, d) = civil_from_days(t_s.div_euclid(86_400));
    let secs = t_s.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02} UTC",
        secs / 3600,
        secs % 3600 / 60
    )
}

/// The clock guard refused the current time, or could not keep its record.
#[derive(Debug, thiserror::Error)]
pub enum ClockError {
    /// The system clock is earlier than a time this workstation has already seen.
    #[error(
        "the system clock ({now}) is earlier than a time this workstation has already seen ({last_seen}); \
         set the clock to the correct time, then try again"
    )]
    SetBack { now: String, last_seen: String },
    /// The record of the last seen time could not be read or written.
    #[error("cannot use the clock record {path}: {source}; check that the folder is writable")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct ClockRecord {
    last_seen_s: i64,
}

/// Persists the latest time seen on this workstation (file `clock.json`) and refuses a clock
/// that is more than [`CLOCK_TOLERANCE_S`] earlier.
#[derive(Debug, Clone)]
pub struct ClockGuard {
    path: PathBuf,
}

impl ClockGuard {
    /// A guard keeping its record at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The last time recorded, if any (a damaged record counts as none: the lease's issue time
    /// and the journal's last entry still bound the clock from below).
    pub fn last_seen_s(&self) -> Result<Option<i64>, ClockError> {
        let bytes = read_optional(&self.path).map_err(|source| self.io(source))?;
        Ok(bytes
            .and_then(|b| serde_json::from_slice::<ClockRecord>(&b).ok())
            .map(|r| r.last_seen_s))
    }

    /// Checks `now_s` against the record and every `other_seen_s` (times known to have passed,
    /// such as a lease's issue time), then records `now_s` if it is the latest.
    pub fn check_and_advance(&self, now_s: i64, other_seen_s: &[i64]) -> Result<(), ClockError> {
        let recorded = self.last_seen_s()?;
        let last = recorded
            .into_iter()
            .chain(other_seen_s.iter().copied())
            .max();
        if let Some(last) = last
            && now_s + CLOCK_TOLERANCE_S < last
        {
            return Err(ClockError::SetBack {
                now: format_utc(now_s),
                last_seen: format_utc(last),
            });
        }
        if recorded.is_none_or(|r| now_s > r) {
            let bytes = serde_json::to_vec(&ClockRecord { last_seen_s: now_s }).unwrap_or_default();
            write_atomic(&self.path, &bytes, false).map_err(|source| self.io(source))?;
        }
        Ok(())
    }

    fn io(&self, source: std::io::Error) -> ClockError {
        ClockError::Io {
            path: self.path.clone(),
            source,
        }
    }

    /// Where the record lives.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_and_dates() {
        assert_eq!(month_of(0), "1970-01");
        // 2024-02-29 12:00 UTC
        let leap = 1_709_208_000;
        assert_eq!(format_utc(leap), "2024-02-29 12:00 UTC");
        assert_eq!(format_utc(add_months(leap, 12)), "2025-02-28 12:00 UTC");
        // 2025-01-31 + 1 month = 2025-02-28
        let jan31 = days_from_civil(2025, 1, 31) * 86_400;
        assert_eq!(format_utc(add_months(jan31, 1)), "2025-02-28 00:00 UTC");
        assert_eq!(month_of(add_months(jan31, 11)), "2025-12");
        assert_eq!(month_of(add_months(jan31, 12)), "2026-01");
    }

    #[test]
    fn clock_set_back_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let guard = ClockGuard::new(dir.path().join("clock.json"));
        guard.check_and_advance(1_000_000, &[]).unwrap();
        guard.check_and_advance(1_000_000 - 60, &[]).unwrap(); // within tolerance
        let err = guard
            .check_and_advance(1_000_000 - 86_400, &[])
            .unwrap_err();
        assert!(matches!(err, ClockError::SetBack { .. }), "{err}");
        assert!(err.to_string().contains("set the clock"));
        // A later time is fine and moves the record forward.
        guard.check_and_advance(2_000_000, &[]).unwrap();
        assert_eq!(guard.last_seen_s().unwrap(), Some(2_000_000));
        // Other known times count too.
        assert!(guard.check_and_advance(2_000_000, &[3_000_000]).is_err());
    }
}
