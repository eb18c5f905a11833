//! Log output: the warnings of the engine and the licence client (a part
//! nested as its convex hull, a usage journal behind its lease, ...) go to
//! standard error; `NESTWORK_LOG` asks for more, in `tracing`'s filter syntax
//! (`NESTWORK_LOG=nesting=debug` prints every separation of the strip search).

use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

/// Environment variable holding the log filter.
pub const LOG_ENV: &str = "NESTWORK_LOG";
/// Filter used when [`LOG_ENV`] is unset or invalid.
const DEFAULT_FILTER: &str = "warn";

/// The filter asked for by `value` (the content of [`LOG_ENV`], if set), and
/// a message for the user when it is not a valid filter.
pub fn filter_from(value: Option<&str>) -> (EnvFilter, Option<String>) {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => (EnvFilter::new(DEFAULT_FILTER), None),
        Some(v) => match EnvFilter::try_new(v) {
            Ok(f) => (f, None),
            Err(e) => (
                EnvFilter::new(DEFAULT_FILTER),
                Some(format!(
                    "{LOG_ENV}={v:?} is not a log filter ({e}); logging warnings only. \
                     Use a level (`debug`) or targets with levels (`nesting=debug,warn`)."
                )),
            ),
        },
    }
}

/// Sends log events to standard error (plain text unless it is a terminal).
/// Call once, at start-up.
pub fn init() {
    let value = std::env::var(LOG_ENV).ok();
    let (filter, problem) = filter_from(value.as_deref());
    if let Some(msg) = problem {
        eprintln!("warning: {msg}");
    }
    // Fails only when a logger is already installed (tests): keep that one.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_or_blank_means_warnings_without_a_message() {
        for v in [None, Some(""), Some("  ")] {
            let (f, msg) = filter_from(v);
            assert_eq!(f.to_string(), "warn");
            assert!(msg.is_none());
        }
    }

    #[test]
    fn a_valid_filter_is_used_and_a_broken_one_explained() {
        let (f, msg) = filter_from(Some("nesting=debug"));
        assert_eq!(f.to_string(), "nesting=debug");
        assert!(msg.is_none());
        let (f, msg) = filter_from(Some("nesting=loud"));
        assert_eq!(f.to_string(), "warn");
        let msg = msg.expect("a message for the broken filter");
        assert!(
            msg.contains("NESTWORK_LOG") && msg.contains("nesting=loud"),
            "{msg}"
        );
    }
}
