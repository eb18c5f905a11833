//! The workstation's local licence state and the decision an export asks for.
//!
//! The data folder (env `NESTWORK_DATA_DIR`, else the OS data folder + `nestwork/`) holds:
//! `lease.json` (the signed lease), `journal.jsonl` (the usage journal), `clock.json` (clock
//! guard), `state.lock` (held while deciding and appending, so two app processes never append
//! at once), `install-id` (only where the OS has no machine id) and, without an OS keyring,
//! `session-token` (mode 0600).

use crate::clock::{ClockError, ClockGuard, month_of};
use crate::fingerprint::MachineFingerprint;
use crate::fs_util::{read_optional, write_atomic};
use crate::journal::{JournalEntry, JournalError, RequestKind, UsageJournal};
use crate::lease::{Entitlement, LeaseError, LeaseVerifier, SignedLease};
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

/// Why an export runs in evaluation mode (not an error: everything works, outputs are marked).
#[derive(Debug, thiserror::Error)]
pub enum EvaluationReason {
    #[error("no licence on this workstation; sign in with `nestwork account login`")]
    NoLease,
    #[error("{0}")]
    Lease(LeaseError),
    #[error("{0}")]
    Clock(ClockError),
    #[error("{0}")]
    Journal(JournalError),
    #[error(
        "the account has no package and no credits; buy credits or a package, then run `nestwork account sync`"
    )]
    NoEntitlement,
    #[error(
        "the {reserved} credits reserved for offline use are spent; connect and run `nestwork account sync`"
    )]
    CreditsUsedUp { reserved: u64 },
    #[error(
        "fair-use limit of {limit} requests reached in {month}; contact sales to arrange a specific package"
    )]
    FairUseLimit { limit: u64, month: String },
}

/// The answer to an export's request.
#[derive(Debug)]
pub enum Authorization {
    /// Counted: the journal entry is on disk. `remaining` is what the lease still allows
    /// offline (credits or fair-use requests); `warning` is a fair-use warning to show.
    Licensed {
        entry: JournalEntry,
        remaining: u64,
        warning: Option<String>,
    },
    /// Not counted: evaluation mode, with the reason to show.
    Evaluation(EvaluationReason),
}

/// The local state could not be used at all (not a licence question).
#[derive(Debug, thiserror::Error)]
pub enum LocalStateError {
    #[error(
        "cannot use the Nestwork data folder {path}: {source}; check that it is writable or set NESTWORK_DATA_DIR"
    )]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("no data folder: set NESTWORK_DATA_DIR")]
    NoDataDir,
}

/// Held while the state lock file is locked.
#[derive(Debug)]
pub struct StateLock {
    file: File,
}

impl Drop for StateLock {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

/// The licence files of one workstation.
#[derive(Debug, Clone)]
pub struct LocalState {
    dir: PathBuf,
}

impl LocalState {
    /// State kept in `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// The default data folder: env `NESTWORK_DATA_DIR`, else the OS data folder + `nestwork`
    /// (`~/.local/share/nestwork` on Linux, `%APPDATA%\nestwork` on Windows).
    pub fn default_dir() -> Result<PathBuf, LocalStateError> {
        match std::env::var_os("NESTWORK_DATA_DIR") {
            Some(d) if !d.is_empty() => Ok(PathBuf::from(d)),
            _ => dirs::data_dir()
                .map(|d| d.join("nestwork"))
                .ok_or(LocalStateError::NoDataDir),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }
    pub fn lease_path(&self) -> PathBuf {
        self.dir.join("lease.json")
    }
    pub fn journal_path(&self) -> PathBuf {
        self.dir.join("journal.jsonl")
    }
    pub fn clock_guard(&self) -> ClockGuard {
        ClockGuard::new(self.dir.join("clock.json"))
    }

    fn io(&self, path: &Path, source: std::io::Error) -> LocalStateError {
        LocalStateError::Io {
            path: path.to_owned(),
            source,
        }
    }

    /// Takes the state lock (blocks while another process holds it).
    pub fn lock(&self) -> Result<StateLock, LocalStateError> {
        std::fs::create_dir_all(&self.dir).map_err(|e| self.io(&self.dir, e))?;
        let path = self.dir.join("state.lock");
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| self.io(&path, e))?;
        file.lock().map_err(|e| self.io(&path, e))?;
        Ok(StateLock { file })
    }

    /// The stored lease, if any. An unreadable file counts as a tampered lease.
    pub fn load_lease(&self) -> Result<Option<Result<SignedLease, LeaseError>>, LocalStateError> {
        let path = self.lease_path();
        let bytes = read_optional(&path).map_err(|e| self.io(&path, e))?;
        Ok(bytes.map(|b| serde_json::from_slice(&b).map_err(|_| LeaseError::Tampered)))
    }

    /// Stores a lease atomically.
    pub fn store_lease(&self, lease: &SignedLease) -> Result<(), LocalStateError> {
        let path = self.lease_path();
        let bytes = serde_json::to_vec_pretty(lease)
            .map_err(|e| self.io(&path, std::io::Error::other(e)))?;
        write_atomic(&path, &bytes, false).map_err(|e| self.io(&path, e))
    }

    /// Removes the lease (after logout).
    pub fn remove_lease(&self) -> Result<(), LocalStateError> {
        let path = self.lease_path();
        match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(self.io(&path, e)),
            _ => Ok(()),
        }
    }

    /// Loads and verifies the journal.
    pub fn journal(&self) -> Result<UsageJournal, JournalError> {
        UsageJournal::load(self.journal_path())
    }

    /// Decides one request: with a valid lease that still allows it, appends (and fsyncs) a
    /// journal entry and answers [`Authorization::Licensed`]; otherwise answers
    /// [`Authorization::Evaluation`] with the reason. Errors only when the folder is unusable.
    pub fn authorize(
        &self,
        kind: RequestKind,
        verifier: &LeaseVerifier,
        machine: &MachineFingerprint,
        now_s: i64,
    ) -> Result<Authorization, LocalStateError> {
        // Without a lease nothing is counted: answer before touching the folder.
        if !self.lease_path().exists() {
            return Ok(Authorization::Evaluation(EvaluationReason::NoLease));
        }
        let _lock = self.lock()?;
        Ok(match self.decide(verifier, machine, now_s)? {
            Err(reason) => Authorization::Evaluation(reason),
            Ok(Allowance {
                mut journal,
                remaining,
                warning,
            }) => match journal.append(kind, now_s) {
                Ok(entry) => Authorization::Licensed {
                    entry,
                    remaining: remaining.saturating_sub(1),
                    warning,
                },
                Err(e) => Authorization::Evaluation(EvaluationReason::Journal(e)),
            },
        })
    }

    /// Checks everything a request needs without counting anything. The caller holds the lock
    /// when it goes on to append.
    pub fn decide(
        &self,
        verifier: &LeaseVerifier,
        machine: &MachineFingerprint,
        now_s: i64,
    ) -> Result<Result<Allowance, EvaluationReason>, LocalStateError> {
        use EvaluationReason as R;
        let lease = match self.load_lease()? {
            None => return Ok(Err(R::NoLease)),
            Some(Err(e)) => return Ok(Err(R::Lease(e))),
            Some(Ok(l)) => l,
        };
        Ok((|| {
            verifier.check_signature(&lease).map_err(R::Lease)?;
            let mut journal = self.journal().map_err(R::Journal)?;
            // Times known to have passed: the (authentic) issue time and the last request.
            let seen: Vec<i64> = [
                Some(lease.body.issued_at_s),
                journal.entries().last().map(|e| e.timestamp_s),
            ]
            .into_iter()
            .flatten()
            .collect();
            self.clock_guard()
                .check_and_advance(now_s, &seen)
                .map_err(R::Clock)?;
            let body = verifier.verify(&lease, machine, now_s).map_err(R::Lease)?;
            if journal.head().0 < body.last_seq_seen {
                // The journal file was lost or restored from an old copy: everything in it is
                // already counted, so continue from the server's count (an old file is kept).
                let archived = journal
                    .restart_from(body.last_seq_seen, &body.last_hash_seen)
                    .map_err(R::Journal)?;
                tracing::warn!(
                    ?archived,
                    server_seq = body.last_seq_seen,
                    "usage journal behind the lease; continuing from the server's count"
                );
            }
            let pending = journal.entries_after(body.last_seq_seen);
            match &body.entitlement {
                Entitlement::Nothing => Err(R::NoEntitlement),
                Entitlement::Credits { reserved } => {
                    let used = pending.len() as u64;
                    if used >= *reserved {
                        return Err(R::CreditsUsedUp {
                            reserved: *reserved,
                        });
                    }
                    Ok(Allowance {
                        remaining: reserved - used,
                        warning: None,
                        journal,
                    })
                }
                Entitlement::Package {
                    month,
                    month_used,
                    fair_use_limit,
                    fair_use_warn,
                    ..
                } => {
                    let this_month = month_of(now_s);
                    let offline = pending
                        .iter()
                        .filter(|e| month_of(e.timestamp_s) == this_month)
                        .count() as u64;
                    let used = offline + if *month == this_month { *month_used } else { 0 };
                    if used >= *fair_use_limit {
                        return Err(R::FairUseLimit {
                            limit: *fair_use_limit,
                            month: this_month,
                        });
                    }
                    let warning = (used + 1 >= *fair_use_warn).then(|| {
                        format!(
                            "{} of {} fair-use requests used in {this_month}",
                            used + 1,
                            fair_use_limit
                        )
                    });
                    Ok(Allowance {
                        remaining: fair_use_limit - used,
                        warning,
                        journal,
                    })
                }
            }
        })())
    }
}

/// What a valid lease still allows.
#[derive(Debug)]
pub struct Allowance {
    /// The verified journal (the request is appended to it).
    pub journal: UsageJournal,
    /// Requests still allowed offline, this one included.
    pub remaining: u64,
    /// A fair-use warning to show.
    pub warning: Option<String>,
}
