//! Signed offline leases: what a workstation may do without the network, for how long.
//!
//! The server signs a [`LeaseBody`] with its Ed25519 private key over the body's canonical
//! byte encoding ([`LeaseBody::canonical_bytes`]: a domain tag, then every field in a fixed
//! order, each length-prefixed, so JSON formatting never changes what is signed). The app checks
//! it with the public key built into it ([`BUILTIN_PUBLIC_KEY_HEX`]).

use crate::clock::{CLOCK_TOLERANCE_S, format_utc};
use crate::fingerprint::MachineFingerprint;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};

/// The lease format this code writes and reads.
pub const LEASE_FORMAT: u32 = 1;

/// Default lease validity: 14 days.
pub const DEFAULT_LEASE_DAYS: i64 = 14;

/// The public key the app trusts by default (hex of the 32-byte Ed25519 key).
///
/// A build for a deployment sets its own with the environment variable
/// `NESTWORK_LEASE_PUBLIC_KEY` at compile time (the key printed by `nestwork-server keygen`);
/// without it, this development key is used (its private key is not in the repository).
pub const BUILTIN_PUBLIC_KEY_HEX: &str = match option_env!("NESTWORK_LEASE_PUBLIC_KEY") {
    Some(k) => k,
    None => DEVELOPMENT_PUBLIC_KEY_HEX,
};

const DEVELOPMENT_PUBLIC_KEY_HEX: &str =
    "d7cb4aa3c774c48e7972e7300001b0a7e623a573f5cec0bf0cafc5d4eec9e90a";

/// What a lease allows offline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Entitlement {
    /// An active package: unlimited requests under the monthly fair-use limit.
    Package {
        /// Plan code (e.g. `pro-annual`).
        plan: String,
        /// End of the paid term (the package renews automatically unless cancelled).
        period_end_s: i64,
        /// The calendar month (`YYYY-MM`, UTC) `month_used` counts.
        month: String,
        /// Requests already counted by the server in `month`.
        month_used: u64,
        /// Requests allowed per calendar month.
        fair_use_limit: u64,
        /// From this count on the user is warned.
        fair_use_warn: u64,
    },
    /// Pay-per-use: this many credits are reserved on the server for this workstation.
    Credits { reserved: u64 },
    /// Neither a package nor credits: evaluation mode.
    Nothing,
}

/// The signed content of a lease.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeaseBody {
    pub format: u32,
    pub lease_id: String,
    pub account_id: String,
    pub account_email: String,
    /// Fingerprint of the workstation the lease is bound to.
    pub machine: MachineFingerprint,
    pub issued_at_s: i64,
    pub expires_at_s: i64,
    /// The last journal sequence number the server has counted for this machine (0 = none).
    pub last_seq_seen: u64,
    /// Hash of that journal entry (the chain continues from it).
    pub last_hash_seen: String,
    pub entitlement: Entitlement,
}

/// A lease body with its signature (hex), as stored in `lease.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignedLease {
    pub body: LeaseBody,
    pub signature: String,
}

/// Why a lease was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LeaseError {
    /// The signature does not match the content: the file was edited or is not from the server.
    #[error(
        "the licence lease has been altered or was not issued by the Nestwork server; run `nestwork account sync` to get a new one"
    )]
    Tampered,
    /// The lease belongs to another workstation.
    #[error(
        "the licence lease belongs to another workstation; sign in on this one with `nestwork account login`"
    )]
    OtherMachine,
    /// The lease is out of date.
    #[error(
        "the licence lease expired on {expired}; connect to the network and run `nestwork account sync`"
    )]
    Expired { expired: String },
    /// The lease was issued after the current clock time: the clock was set back.
    #[error(
        "the system clock ({now}) is earlier than the lease's issue time ({issued}); set the clock to the correct time"
    )]
    ClockSetBack { now: String, issued: String },
    /// The lease has a format this version does not read.
    #[error(
        "the licence lease has format {found}, this version reads {LEASE_FORMAT}; update Nestwork or run `nestwork account sync`"
    )]
    UnknownFormat { found: u32 },
    /// The public key given to the verifier is not a valid Ed25519 key.
    #[error("invalid lease public key: {0}")]
    BadPublicKey(String),
}

struct Encoder(Vec<u8>);

impl Encoder {
    fn bytes(&mut self, b: &[u8]) {
        self.0.extend_from_slice(&(b.len() as u64).to_be_bytes());
        self.0.extend_from_slice(b);
    }
    fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.bytes(&v.to_be_bytes());
    }
    fn i64(&mut self, v: i64) {
        self.bytes(&v.to_be_bytes());
    }
}

impl LeaseBody {
    /// The exact bytes that are signed.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let mut e = Encoder(Vec::with_capacity(512));
        e.str("nestwork-lease");
        e.u64(u64::from(self.format));
        e.str(&self.lease_id);
        e.str(&self.account_id);
        e.str(&self.account_email);
        e.str(self.machine.as_str());
        e.i64(self.issued_at_s);
        e.i64(self.expires_at_s);
        e.u64(self.last_seq_seen);
        e.str(&self.last_hash_seen);
        match &self.entitlement {
            Entitlement::Package {
                plan,
                period_end_s,
                month,
                month_used,
                fair_use_limit,
                fair_use_warn,
            } => {
                e.str("package");
                e.str(plan);
                e.i64(*period_end_s);
                e.str(month);
                e.u64(*month_used);
                e.u64(*fair_use_limit);
                e.u64(*fair_use_warn);
            }
            Entitlement::Credits { reserved } => {
                e.str("credits");
                e.u64(*reserved);
            }
            Entitlement::Nothing => e.str("nothing"),
        }
        e.0
    }
}

/// Signs leases (server side). Holds the Ed25519 private key.
pub struct LeaseSigner {
    key: SigningKey,
}

impl std::fmt::Debug for LeaseSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LeaseSigner")
            .field("public_key", &self.public_key_hex())
            .finish_non_exhaustive()
    }
}

impl LeaseSigner {
    /// A new random key pair.
    pub fn generate() -> Self {
        Self {
            key: SigningKey::from_bytes(&rand::random::<[u8; 32]>()),
        }
    }

    /// A signer from the 32-byte secret key.
    pub fn from_secret_bytes(secret: &[u8; 32]) -> Self {
        Self {
            key: SigningKey::from_bytes(secret),
        }
    }

    /// The 32-byte secret key (to store in the key file).
    pub fn secret_bytes(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    /// The public key that verifies this signer's leases.
    pub fn public_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    /// The public key as hex (what a build puts in `NESTWORK_LEASE_PUBLIC_KEY`).
    pub fn public_key_hex(&self) -> String {
        hex::encode(self.public_key().to_bytes())
    }

    /// Signs a lease body.
    pub fn sign(&self, body: LeaseBody) -> SignedLease {
        let signature = self.key.sign(&body.canonical_bytes());
        SignedLease {
            body,
            signature: hex::encode(signature.to_bytes()),
        }
    }
}

/// Checks leases against a public key, a machine and the current time.
#[derive(Debug, Clone)]
pub struct LeaseVerifier {
    key: VerifyingKey,
}

impl LeaseVerifier {
    /// A verifier trusting `key`.
    pub fn new(key: VerifyingKey) -> Self {
        Self { key }
    }

    /// A verifier from a hex public key.
    pub fn from_hex(hex_key: &str) -> Result<Self, LeaseError> {
        let bytes: [u8; 32] = hex::decode(hex_key.trim())
            .map_err(|e| LeaseError::BadPublicKey(e.to_string()))?
            .try_into()
            .map_err(|_| LeaseError::BadPublicKey("expected 32 bytes".into()))?;
        VerifyingKey::from_bytes(&bytes)
            .map(Self::new)
            .map_err(|e| LeaseError::BadPublicKey(e.to_string()))
    }

    /// The verifier with the key built into the app ([`BUILTIN_PUBLIC_KEY_HEX`]).
    pub fn builtin() -> Result<Self, LeaseError> {
        Self::from_hex(BUILTIN_PUBLIC_KEY_HEX)
    }

    /// Checks the signature only.
    pub fn check_signature(&self, lease: &SignedLease) -> Result<(), LeaseError> {
        let sig: [u8; 64] = hex::decode(&lease.signature)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or(LeaseError::Tampered)?;
        self.key
            .verify(&lease.body.canonical_bytes(), &Signature::from_bytes(&sig))
            .map_err(|_| LeaseError::Tampered)
    }

    /// Checks signature, format, machine and validity period at `now_s`.
    pub fn verify<'a>(
        &self,
        lease: &'a SignedLease,
        machine: &MachineFingerprint,
        now_s: i64,
    ) -> Result<&'a LeaseBody, LeaseError> {
        self.check_signature(lease)?;
        let body = &lease.body;
        if body.format != LEASE_FORMAT {
            return Err(LeaseError::UnknownFormat { found: body.format });
        }
        if &body.machine != machine {
            return Err(LeaseError::OtherMachine);
        }
        if now_s + CLOCK_TOLERANCE_S < body.issued_at_s {
            return Err(LeaseError::ClockSetBack {
                now: format_utc(now_s),
                issued: format_utc(body.issued_at_s),
            });
        }
        if now_s >= body.expires_at_s {
            return Err(LeaseError::Expired {
                expired: format_utc(body.expires_at_s),
            });
        }
        Ok(body)
    }
}
