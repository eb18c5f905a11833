//! Offline leases, usage sync and the account status.
//!
//! Sync, in one transaction under the account lock: entries already known (by id) are
//! duplicates and count nothing; the others must continue the machine's chain (sequence and
//! previous hash) or the whole call is refused and nothing changes. Then the machine's current
//! reservation is released, each new entry is recorded (a package counts it toward fair use,
//! pay-per-use takes one credit, bonus first) and a fresh lease is issued, reserving credits
//! again. A sync cut off before commit changes nothing; one cut off after commit is answered as
//! duplicates when retried.

use super::AppState;
use super::accounts::Caller;
use super::error::ServiceError;
use super::ledger::{self, Origin};
use super::packages::current_package;
use super::store::Tx;
use crate::clock::month_of;
use crate::fingerprint::MachineFingerprint;
use crate::journal::{GENESIS_HASH, JournalEntry, verify_chain};
use crate::lease::{Entitlement, LEASE_FORMAT, LeaseBody, SignedLease};
use crate::protocol::*;
use sqlx::Row;

/// Returns the credits a machine's lease holds (if not returned yet).
pub(crate) async fn release_lease(
    tx: &mut Tx,
    account_id: &str,
    machine: &str,
    now_s: i64,
) -> Result<(), ServiceError> {
    let row = sqlx::query(
        "SELECT lease_id, reserved_bonus, reserved_paid FROM leases WHERE account_id = $1 AND machine = $2 AND released = 0",
    )
    .bind(account_id)
    .bind(machine)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(r) = row else { return Ok(()) };
    let (lease_id, bonus, paid): (String, i64, i64) = (r.get(0), r.get(1), r.get(2));
    for (pool, amount) in [(ledger::Pool::Bonus, bonus), (ledger::Pool::Paid, paid)] {
        if amount > 0 {
            ledger::append(
                tx,
                account_id,
                "release",
                pool,
                amount,
                Origin {
                    machine: Some(machine),
                    reference: Some(&lease_id),
                },
                now_s,
            )
            .await?;
        }
    }
    sqlx::query("UPDATE leases SET released = 1 WHERE account_id = $1 AND machine = $2")
        .bind(account_id)
        .bind(machine)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Releases the reservations of every expired lease of the account.
async fn release_expired(tx: &mut Tx, account_id: &str, now_s: i64) -> Result<(), ServiceError> {
    let machines: Vec<String> = sqlx::query(
        "SELECT machine FROM leases WHERE account_id = $1 AND released = 0 AND expires_at <= $2",
    )
    .bind(account_id)
    .bind(now_s)
    .fetch_all(&mut **tx)
    .await?
    .into_iter()
    .map(|r| r.get(0))
    .collect();
    for m in machines {
        release_lease(tx, account_id, &m, now_s).await?;
    }
    Ok(())
}

async fn month_used(tx: &mut Tx, account_id: &str, month: &str) -> Result<u64, ServiceError> {
    let n: i64 =
        sqlx::query("SELECT COUNT(*) FROM usage_entries WHERE account_id = $1 AND month = $2")
            .bind(account_id)
            .bind(month)
            .fetch_one(&mut **tx)
            .await?
            .get(0);
    Ok(u64::try_from(n).unwrap_or(0))
}

/// The account's state (under the lock, after releasing expired reservations).
pub(crate) async fn account_status(
    tx: &mut Tx,
    account_id: &str,
    now_s: i64,
) -> Result<AccountStatus, ServiceError> {
    release_expired(tx, account_id, now_s).await?;
    let r = sqlx::query("SELECT email, company FROM accounts WHERE id = $1")
        .bind(account_id)
        .fetch_one(&mut **tx)
        .await?;
    let month = month_of(now_s);
    let used = month_used(tx, account_id, &month).await?;
    Ok(AccountStatus {
        account_id: account_id.to_owned(),
        email: r.get(0),
        company: r.get(1),
        package: current_package(tx, account_id, now_s).await?,
        credits: ledger::balance(tx, account_id).await?,
        fair_use: FairUseStatus::new(month, used),
    })
}

async fn journal_head(
    tx: &mut Tx,
    account_id: &str,
    machine: &str,
) -> Result<(u64, String), ServiceError> {
    let row = sqlx::query(
        "SELECT last_seq, last_hash FROM journal_heads WHERE account_id = $1 AND machine = $2",
    )
    .bind(account_id)
    .bind(machine)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map_or((0, GENESIS_HASH.to_owned()), |r| {
        (u64::try_from(r.get::<i64, _>(0)).unwrap_or(0), r.get(1))
    }))
}

/// Releases the machine's reservation and issues a fresh lease (reserving credits again when
/// the account has no package).
async fn issue_lease(
    state: &AppState,
    tx: &mut Tx,
    account_id: &str,
    machine: &MachineFingerprint,
    now_s: i64,
) -> Result<(SignedLease, AccountStatus), ServiceError> {
    release_lease(tx, account_id, machine.as_str(), now_s).await?;
    let status = account_status(tx, account_id, now_s).await?;
    let lease_id = uuid::Uuid::new_v4().to_string();
    let (entitlement, bonus, paid) = match &status.package {
        Some(p) => (
            Entitlement::Package {
                plan: p.plan.clone(),
                period_end_s: p.period_end_s,
                month: status.fair_use.month.clone(),
                month_used: status.fair_use.used,
                fair_use_limit: status.fair_use.limit,
                fair_use_warn: status.fair_use.warn_from,
            },
            0,
            0,
        ),
        None => {
            let (bonus, paid) = ledger::take(
                tx,
                account_id,
                "reservation",
                state.config.reserve_per_lease,
                Origin {
                    machine: Some(machine.as_str()),
                    reference: Some(&lease_id),
                },
                now_s,
            )
            .await?;
            let reserved = u64::try_from(bonus + paid).unwrap_or(0);
            (
                if reserved > 0 {
                    Entitlement::Credits { reserved }
                } else {
                    Entitlement::Nothing
                },
                bonus,
                paid,
            )
        }
    };
    let expires_at_s = now_s + state.config.lease_days * 86_400;
    sqlx::query(
        "INSERT INTO leases (account_id, machine, lease_id, issued_at, expires_at, reserved_bonus, reserved_paid, released) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, 0) \
         ON CONFLICT (account_id, machine) DO UPDATE SET lease_id = excluded.lease_id, issued_at = excluded.issued_at, \
         expires_at = excluded.expires_at, reserved_bonus = excluded.reserved_bonus, reserved_paid = excluded.reserved_paid, released = 0",
    )
    .bind(account_id)
    .bind(machine.as_str())
    .bind(&lease_id)
    .bind(now_s)
    .bind(expires_at_s)
    .bind(bonus)
    .bind(paid)
    .execute(&mut **tx)
    .await?;
    let (last_seq_seen, last_hash_seen) = journal_head(tx, account_id, machine.as_str()).await?;
    let lease = state.signer.sign(LeaseBody {
        format: LEASE_FORMAT,
        lease_id,
        account_id: account_id.to_owned(),
        account_email: status.email.clone(),
        machine: machine.clone(),
        issued_at_s: now_s,
        expires_at_s,
        last_seq_seen,
        last_hash_seen,
        entitlement,
    });
    // The status after the reservation.
    let status = AccountStatus {
        credits: ledger::balance(tx, account_id).await?,
        ..status
    };
    Ok((lease, status))
}

fn check_machine(caller: &Caller, machine: &MachineFingerprint) -> Result<(), ServiceError> {
    if &caller.machine != machine {
        return Err(ServiceError::Forbidden(
            "this session belongs to another workstation; sign in on this workstation with `nestwork account login`".into(),
        ));
    }
    Ok(())
}

/// A fresh lease for the caller's workstation.
pub async fn lease(
    state: &AppState,
    caller: &Caller,
    req: LeaseRequest,
    now_s: i64,
) -> Result<SignedLease, ServiceError> {
    check_machine(caller, &req.machine)?;
    let mut tx = state.store.begin_locked(&caller.account_id).await?;
    let (lease, _) = issue_lease(state, &mut tx, &caller.account_id, &req.machine, now_s).await?;
    tx.commit().await?;
    Ok(lease)
}

/// The account's state.
pub async fn status(
    state: &AppState,
    caller: &Caller,
    now_s: i64,
) -> Result<AccountStatus, ServiceError> {
    let mut tx = state.store.begin_locked(&caller.account_id).await?;
    let status = account_status(&mut tx, &caller.account_id, now_s).await?;
    tx.commit().await?;
    Ok(status)
}

/// Counts a workstation's journal entries (each exactly once) and answers a fresh lease.
pub async fn sync(
    state: &AppState,
    caller: &Caller,
    req: SyncRequest,
    now_s: i64,
) -> Result<SyncResponse, ServiceError> {
    check_machine(caller, &req.machine)?;
    let machine = req.machine.as_str();
    let mut tx = state.store.begin_locked(&caller.account_id).await?;
    let (head_seq, head_hash) = journal_head(&mut tx, &caller.account_id, machine).await?;

    let mut fresh: Vec<&JournalEntry> = Vec::new();
    let mut duplicates = 0u64;
    for e in &req.entries {
        let known = sqlx::query("SELECT account_id, machine, seq FROM usage_entries WHERE id = $1")
            .bind(&e.id)
            .fetch_optional(&mut *tx)
            .await?;
        match known {
            Some(r) if r.get::<String, _>(0) == caller.account_id => duplicates += 1,
            Some(_) => {
                return Err(ServiceError::Conflict(format!(
                    "journal entry {} belongs to another account",
                    e.id
                )));
            }
            None if e.seq <= head_seq => {
                return Err(ServiceError::Conflict(format!(
                    "journal entry {} (sequence {}) conflicts with an entry already counted for this workstation; \
                     the journal was altered",
                    e.id, e.seq
                )));
            }
            None => fresh.push(e),
        }
    }
    let fresh_owned: Vec<JournalEntry> = fresh.iter().map(|e| (*e).clone()).collect();
    verify_chain(head_seq, &head_hash, &fresh_owned).map_err(|e| {
        ServiceError::Conflict(format!(
            "{e}; nothing was counted — the journal was altered"
        ))
    })?;

    release_lease(&mut tx, &caller.account_id, machine, now_s).await?;
    let mut uncovered = 0u64;
    let has_package = current_package(&mut tx, &caller.account_id, now_s)
        .await?
        .is_some();
    for e in &fresh_owned {
        let ts = e.timestamp_s.min(now_s);
        let charged = if has_package {
            "package"
        } else {
            match ledger::take(
                &mut tx,
                &caller.account_id,
                "usage",
                1,
                Origin {
                    machine: Some(machine),
                    reference: Some(&e.id),
                },
                now_s,
            )
            .await?
            {
                (1, _) => "bonus",
                (_, 1) => "paid",
                _ => {
                    uncovered += 1;
                    "uncovered"
                }
            }
        };
        sqlx::query(
            "INSERT INTO usage_entries (id, account_id, machine, seq, kind, entry_ts, month, charged, received_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&e.id)
        .bind(&caller.account_id)
        .bind(machine)
        .bind(i64::try_from(e.seq).map_err(|_| ServiceError::BadRequest("sequence number too large".into()))?)
        .bind(e.kind.as_str())
        .bind(ts)
        .bind(month_of(ts))
        .bind(charged)
        .bind(now_s)
        .execute(&mut *tx)
        .await?;
    }
    if let Some(last) = fresh_owned.last() {
        sqlx::query(
            "INSERT INTO journal_heads (account_id, machine, last_seq, last_hash) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (account_id, machine) DO UPDATE SET last_seq = excluded.last_seq, last_hash = excluded.last_hash",
        )
        .bind(&caller.account_id)
        .bind(machine)
        .bind(i64::try_from(last.seq).unwrap_or(i64::MAX))
        .bind(&last.hash)
        .execute(&mut *tx)
        .await?;
    }
    if uncovered > 0 {
        tracing::warn!(account = %caller.account_id, uncovered, "requests synced without credit left");
    }
    let (lease, status) =
        issue_lease(state, &mut tx, &caller.account_id, &req.machine, now_s).await?;
    tx.commit().await?;
    Ok(SyncResponse {
        accepted: fresh_owned.len() as u64,
        duplicates,
        uncovered,
        status,
        lease,
    })
}
