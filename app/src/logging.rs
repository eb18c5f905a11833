//! Log output: the warnings of the engine and the licence client (a part
//! nested as its convex hull, a usage journal behind its lease, ...) go to
//! standard error and to every desktop window's status log
//! ([`subscribe_warnings`]); `NESTWORK_LOG` asks for more on standard error,
//! in `tracing`'s filter syntax (`NESTWORK_LOG=nesting=debug` prints every
//! separation of the strip search).

use std::fmt::Write as _;
use std::io::IsTerminal;
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, Sender, channel};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::layer::{Context, SubscriberExt};
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

/// Environment variable holding the log filter.
pub const LOG_ENV: &str = "NESTWORK_LOG";
/// Filter used when [`LOG_ENV`] is unset or invalid. jagua-rs warns when it
/// drops a short edge or retries an offset a little further; the engine's
/// margins cover both (`nesting::engine::convert::SHORT_EDGE_RATIO`), so
/// only its errors are shown.
const DEFAULT_FILTER: &str = "warn,jagua_rs=error";

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
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_filter(filter);
    // Warnings reach the windows whatever `NESTWORK_LOG` says.
    let windows = ForwardWarnings.with_filter(
        Targets::new()
            .with_default(LevelFilter::WARN)
            .with_target("jagua_rs", LevelFilter::ERROR),
    );
    // Fails only when a logger is already installed (tests): keep that one.
    let _ = tracing_subscriber::registry()
        .with(stderr)
        .with(windows)
        .try_init();
}

/// Receivers of warnings: one per open desktop window.
static WARNING_RECEIVERS: Mutex<Vec<Sender<Logged>>> = Mutex::new(Vec::new());

/// A logged warning or error, for a status log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Logged {
    /// Logged as an error (otherwise a warning).
    pub error: bool,
    /// The message, then its fields as `name=value`.
    pub text: String,
}

/// Every warning or error logged from now on, for a status log. Needs
/// [`init`]; a dropped receiver is forgotten at the next warning.
pub fn subscribe_warnings() -> Receiver<Logged> {
    let (tx, rx) = channel();
    WARNING_RECEIVERS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(tx);
    rx
}

/// Sends every event it sees to the [`subscribe_warnings`] receivers.
struct ForwardWarnings;

impl<S: Subscriber> Layer<S> for ForwardWarnings {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let mut line = EventLine::default();
        event.record(&mut line);
        let logged = Logged {
            error: *event.metadata().level() == Level::ERROR,
            text: format!("{}{}", line.message, line.fields),
        };
        let mut receivers = WARNING_RECEIVERS.lock().unwrap_or_else(|e| e.into_inner());
        receivers.retain(|tx| tx.send(logged.clone()).is_ok());
    }
}

/// An event's message and its other fields, as text.
#[derive(Default)]
struct EventLine {
    message: String,
    fields: String,
}

impl Visit for EventLine {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            let _ = write!(self.message, "{value:?}");
        } else {
            let _ = write!(self.fields, " {}={value:?}", field.name());
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message.push_str(value);
        } else {
            let _ = write!(self.fields, " {}={value}", field.name());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_or_blank_means_warnings_without_a_message() {
        for v in [None, Some(""), Some("  ")] {
            let (f, msg) = filter_from(v);
            assert_eq!(f.to_string(), "jagua_rs=error,warn");
            assert!(msg.is_none());
        }
    }

    #[test]
    fn warnings_reach_every_subscribed_window_with_their_fields() {
        init();
        let (a, b) = (subscribe_warnings(), subscribe_warnings());
        tracing::warn!(part = 3, "outline rejected; nesting its convex hull");
        tracing::info!("not a warning");
        tracing::error!("journal unreadable");
        tracing::warn!(target: "jagua_rs::io::import", "[IMPORT] removed 1 vertex");
        tracing::error!(target: "jagua_rs::io::import", "[IMPORT] broken polygon");
        let logged = |error: bool, text: &str| Logged {
            error,
            text: text.to_string(),
        };
        for rx in [a, b] {
            let got: Vec<Logged> = rx.try_iter().collect();
            // Other tests of this binary may log too: look for ours.
            assert!(
                got.contains(&logged(
                    false,
                    "outline rejected; nesting its convex hull part=3"
                )),
                "{got:?}"
            );
            assert!(got.contains(&logged(true, "journal unreadable")), "{got:?}");
            assert!(
                !got.iter().any(|l| l.text.contains("not a warning")),
                "{got:?}"
            );
            // jagua-rs's warnings are covered by the engine's margins.
            assert!(
                got.contains(&logged(true, "[IMPORT] broken polygon")),
                "{got:?}"
            );
            assert!(
                !got.iter().any(|l| l.text.contains("removed 1 vertex")),
                "{got:?}"
            );
        }
    }

    #[test]
    fn a_valid_filter_is_used_and_a_broken_one_explained() {
        let (f, msg) = filter_from(Some("nesting=debug"));
        assert_eq!(f.to_string(), "nesting=debug");
        assert!(msg.is_none());
        let (f, msg) = filter_from(Some("nesting=loud"));
        assert_eq!(f.to_string(), "jagua_rs=error,warn");
        let msg = msg.expect("a message for the broken filter");
        assert!(
            msg.contains("NESTWORK_LOG") && msg.contains("nesting=loud"),
            "{msg}"
        );
    }
}
