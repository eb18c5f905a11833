//! The JSON bodies of the account server's HTTP API (shared by client and server).
//!
//! | method and path | body | answer |
//! |---|---|---|
//! | `POST /v1/register` | [`RegisterRequest`] | [`RegisterResponse`] (201) |
//! | `GET /v1/validate?token=…` | – | text page |
//! | `POST /v1/login` | [`LoginRequest`] | [`LoginResponse`] |
//! | `POST /v1/logout` | – | 204 |
//! | `POST /v1/password` | [`PasswordChangeRequest`] | 204 (other sessions revoked) |
//! | `GET /v1/sessions` | – | `[SessionInfo]` |
//! | `POST /v1/sessions/{id}/revoke` | – | 204 |
//! | `GET /v1/status` | – | [`AccountStatus`] |
//! | `POST /v1/subscription/cancel` | – | [`PackageStatus`] |
//! | `POST /v1/lease` | [`LeaseRequest`] | [`SignedLease`] |
//! | `POST /v1/sync` | [`SyncRequest`] | [`SyncResponse`] |
//!
//! Authenticated calls send `Authorization: Bearer TOKEN`. Errors answer a 4xx/5xx status with
//! [`ApiErrorBody`].

use crate::fingerprint::MachineFingerprint;
use crate::journal::JournalEntry;
use crate::lease::SignedLease;
use serde::{Deserialize, Serialize};

/// Requests per calendar month under a package.
pub const FAIR_USE_LIMIT: u64 = 5_000;
/// From this many requests in a month the user is warned.
pub const FAIR_USE_WARN: u64 = 4_000;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RegisterRequest {
    pub email: String,
    pub password: String,
    pub company: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RegisterResponse {
    pub account_id: String,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginRequest {
    pub email: String,
    pub password: String,
    pub machine: MachineFingerprint,
    /// A name the user recognises in the session list (e.g. the hostname).
    pub workstation: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LoginResponse {
    /// Bearer token of this workstation's session.
    pub token: String,
    pub session_id: String,
    pub account_id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PasswordChangeRequest {
    pub old_password: String,
    pub new_password: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SessionInfo {
    pub id: String,
    pub workstation: String,
    pub machine: MachineFingerprint,
    pub created_at_s: i64,
    /// Whether this is the session making the call.
    pub current: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LeaseRequest {
    pub machine: MachineFingerprint,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SyncRequest {
    pub machine: MachineFingerprint,
    /// Journal entries after the last sequence the server has seen (sending more is harmless).
    pub entries: Vec<JournalEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SyncResponse {
    /// Entries counted by this call.
    pub accepted: u64,
    /// Entries the server had already counted (sent again after a lost answer, or twice).
    pub duplicates: u64,
    /// Counted requests for which no credit was left (recorded, reported, never dropped).
    pub uncovered: u64,
    pub status: AccountStatus,
    pub lease: SignedLease,
}

/// Package state of an account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackageStatus {
    pub plan: String,
    pub plan_name: String,
    /// `monthly` or `annual`.
    pub period: String,
    pub period_end_s: i64,
    /// Renews at `period_end_s` unless cancelled.
    pub auto_renew: bool,
    /// When cancelled: the end of the last paid term.
    pub ends_at_s: Option<i64>,
    pub partner_code: Option<String>,
}

/// Credits of an account (sums over the ledger).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditBalance {
    /// Bought credits available to spend.
    pub paid: i64,
    /// Bonus credits available to spend (spent first).
    pub bonus: i64,
    /// Credits reserved by workstations' offline leases.
    pub reserved: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FairUseState {
    Ok,
    /// At or above [`FAIR_USE_WARN`].
    Warning,
    /// At or above [`FAIR_USE_LIMIT`]: exports go to evaluation mode until next month.
    Limited,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FairUseStatus {
    pub month: String,
    pub used: u64,
    pub warn_from: u64,
    pub limit: u64,
    pub state: FairUseState,
}

impl FairUseStatus {
    /// The status for `used` requests in `month`.
    pub fn new(month: String, used: u64) -> Self {
        let state = if used >= FAIR_USE_LIMIT {
            FairUseState::Limited
        } else if used >= FAIR_USE_WARN {
            FairUseState::Warning
        } else {
            FairUseState::Ok
        };
        Self {
            month,
            used,
            warn_from: FAIR_USE_WARN,
            limit: FAIR_USE_LIMIT,
            state,
        }
    }

    /// The message for the user, if any.
    pub fn message(&self) -> Option<String> {
        match self.state {
            FairUseState::Ok => None,
            FairUseState::Warning => Some(format!(
                "{} of {} fair-use requests used in {}; contact sales about a package for higher volumes",
                self.used, self.limit, self.month
            )),
            FairUseState::Limited => Some(format!(
                "fair-use limit of {} requests reached in {}: exports carry the evaluation mark until next month; \
                 contact sales to arrange a specific package",
                self.limit, self.month
            )),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountStatus {
    pub account_id: String,
    pub email: String,
    pub company: String,
    pub package: Option<PackageStatus>,
    pub credits: CreditBalance,
    pub fair_use: FairUseStatus,
}

/// Body of every error answer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ApiErrorBody {
    /// Stable machine-readable code (`bad_request`, `unauthorized`, `too_many_attempts`, …).
    pub error: String,
    /// What is wrong and what to do, for the user.
    pub message: String,
}
