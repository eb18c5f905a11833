//! The app's licence gate: every export (and quote) asks [`authorize_request`] first.
//!
//! With a valid offline lease that still allows a request, the request is appended to the
//! usage journal and fsynced before the export is written, and the export is clean. Otherwise
//! the app runs in evaluation mode: everything still works, but exported DXFs carry the
//! `EVALUATION` mark (and quotes a watermark). Evaluation mode is never an error.

use anyhow::Result;
use licensing::{Authorization, LeaseVerifier, LocalState, MachineFingerprint, RequestKind};

/// What an export may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestGrant {
    /// Counted against the licence: outputs are unmarked.
    Licensed {
        /// Requests the lease still allows offline after this one.
        remaining: u64,
        /// A fair-use warning to show, if any.
        warning: Option<String>,
    },
    /// Evaluation mode: outputs carry the evaluation mark; `reason` says why.
    Evaluation { reason: String },
}

impl RequestGrant {
    /// Whether exported files must carry the evaluation mark.
    pub fn evaluation_mark(&self) -> bool {
        matches!(self, Self::Evaluation { .. })
    }

    /// One line for the user, if there is something to say.
    pub fn notice(&self) -> Option<String> {
        match self {
            Self::Evaluation { reason } => Some(format!(
                "evaluation mode (outputs are marked EVALUATION): {reason}"
            )),
            Self::Licensed {
                warning: Some(w), ..
            } => Some(format!("licence: {w}")),
            Self::Licensed { warning: None, .. } => None,
        }
    }
}

/// Where the gate looks: the data folder, the trusted lease key and this machine.
#[derive(Debug, Clone)]
pub struct LicenceContext {
    pub state: LocalState,
    pub verifier: LeaseVerifier,
    pub machine: MachineFingerprint,
}

impl LicenceContext {
    /// The data folder (`NESTWORK_DATA_DIR` or the OS data folder + `nestwork`), the public key
    /// built into the app, and this machine's fingerprint.
    pub fn from_environment() -> Result<Self> {
        let dir = LocalState::default_dir()?;
        let machine = MachineFingerprint::current(&dir)
            .map_err(|e| anyhow::anyhow!("cannot read this machine's identity: {e}"))?;
        Ok(Self {
            state: LocalState::new(dir),
            verifier: LeaseVerifier::builtin()?,
            machine,
        })
    }
}

/// Decides one request with the default context. Never fails for licence reasons: anything
/// that prevents counting the request answers [`RequestGrant::Evaluation`] with the reason.
pub fn authorize_request(kind: RequestKind) -> Result<RequestGrant> {
    match LicenceContext::from_environment() {
        Ok(ctx) => authorize_request_with(&ctx, kind),
        Err(e) => Ok(RequestGrant::Evaluation {
            reason: format!("{e:#}"),
        }),
    }
}

/// Decides one request in `ctx` (tests and the GUI pass their own context).
pub fn authorize_request_with(ctx: &LicenceContext, kind: RequestKind) -> Result<RequestGrant> {
    let now = licensing::clock::now_s();
    Ok(
        match ctx.state.authorize(kind, &ctx.verifier, &ctx.machine, now) {
            Ok(Authorization::Licensed {
                remaining, warning, ..
            }) => RequestGrant::Licensed { remaining, warning },
            Ok(Authorization::Evaluation(reason)) => RequestGrant::Evaluation {
                reason: reason.to_string(),
            },
            Err(e) => RequestGrant::Evaluation {
                reason: e.to_string(),
            },
        },
    )
}
