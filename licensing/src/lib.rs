//! Nestwork licensing: signed offline leases, the local usage journal, the machine fingerprint,
//! the clock guard, the account client and (cargo feature `server`) the account server.
//!
//! The desktop app uses the default feature set (`client`): nothing here starts a server or an
//! async runtime in the app. [`offline::LocalState::authorize`] is the one call an export makes.

pub mod clock;
pub mod fingerprint;
mod fs_util;
pub mod journal;
pub mod lease;
pub mod offline;
pub mod protocol;

#[cfg(feature = "client")]
pub mod client;
#[cfg(feature = "client")]
pub mod token_store;

#[cfg(feature = "server")]
pub mod server;

pub use clock::{ClockError, ClockGuard};
pub use fingerprint::MachineFingerprint;
pub use journal::{JournalEntry, JournalError, RequestKind, UsageJournal};
pub use lease::{Entitlement, LeaseBody, LeaseError, LeaseSigner, LeaseVerifier, SignedLease};
pub use offline::{Authorization, EvaluationReason, LocalState};
