//! The credits ledger: append-only entries; every balance is a sum over them.
//!
//! Kinds: `purchase` (+, paid), `bonus_grant` (+, bonus), `bonus_revoke` (−, bonus), `usage`
//! (−1 per request), `reservation` (− for a workstation's lease), `release` (+, returns a
//! reservation). Usage and reservations take bonus credits first. Amounts only leave a pool
//! that holds them, so no pool and no balance is ever negative. Callers hold the account lock
//! ([`super::store::Store::begin_locked`]).

use super::error::ServiceError;
use super::store::Tx;
use crate::protocol::CreditBalance;
use serde::Serialize;
use sqlx::Row;

/// A credit pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pool {
    Paid,
    Bonus,
}

impl Pool {
    fn as_str(self) -> &'static str {
        match self {
            Self::Paid => "paid",
            Self::Bonus => "bonus",
        }
    }
}

/// One ledger line, for the admin's view.
#[derive(Debug, Clone, Serialize)]
pub struct LedgerLine {
    pub seq: i64,
    pub kind: String,
    pub pool: String,
    pub amount: i64,
    pub machine: Option<String>,
    pub reference: Option<String>,
    pub created_at_s: i64,
}

/// What a ledger line refers to: the workstation and a reference (payment, lease id, journal
/// entry id, reason).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Origin<'a> {
    pub machine: Option<&'a str>,
    pub reference: Option<&'a str>,
}

/// Appends one entry.
pub(crate) async fn append(
    tx: &mut Tx,
    account_id: &str,
    kind: &str,
    pool: Pool,
    amount: i64,
    origin: Origin<'_>,
    now_s: i64,
) -> Result<(), ServiceError> {
    sqlx::query("UPDATE accounts SET ledger_seq = ledger_seq + 1 WHERE id = $1")
        .bind(account_id)
        .execute(&mut **tx)
        .await?;
    let seq: i64 = sqlx::query("SELECT ledger_seq FROM accounts WHERE id = $1")
        .bind(account_id)
        .fetch_one(&mut **tx)
        .await?
        .get(0);
    sqlx::query(
        "INSERT INTO ledger (account_id, seq, kind, pool, amount, machine, reference, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(account_id)
    .bind(seq)
    .bind(kind)
    .bind(pool.as_str())
    .bind(amount)
    .bind(origin.machine.map(str::to_owned))
    .bind(origin.reference.map(str::to_owned))
    .bind(now_s)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Available credits per pool and what leases hold reserved.
pub(crate) async fn balance(tx: &mut Tx, account_id: &str) -> Result<CreditBalance, ServiceError> {
    let rows = sqlx::query(
        "SELECT pool, CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM ledger WHERE account_id = $1 GROUP BY pool",
    )
    .bind(account_id)
    .fetch_all(&mut **tx)
    .await?;
    let mut b = CreditBalance {
        paid: 0,
        bonus: 0,
        reserved: 0,
    };
    for r in rows {
        match r.get::<String, _>(0).as_str() {
            "paid" => b.paid = r.get(1),
            "bonus" => b.bonus = r.get(1),
            other => {
                return Err(ServiceError::Internal(format!(
                    "unknown ledger pool {other}"
                )));
            }
        }
    }
    b.reserved = sqlx::query(
        "SELECT CAST(COALESCE(SUM(reserved_bonus + reserved_paid), 0) AS BIGINT) FROM leases \
         WHERE account_id = $1 AND released = 0",
    )
    .bind(account_id)
    .fetch_one(&mut **tx)
    .await?
    .get(0);
    if b.paid < 0 || b.bonus < 0 {
        return Err(ServiceError::Internal(format!(
            "negative balance on account {account_id}"
        )));
    }
    Ok(b)
}

/// Takes up to `want` credits, bonus first; answers (bonus taken, paid taken) and writes one
/// ledger line per pool touched.
pub(crate) async fn take(
    tx: &mut Tx,
    account_id: &str,
    kind: &str,
    want: i64,
    origin: Origin<'_>,
    now_s: i64,
) -> Result<(i64, i64), ServiceError> {
    let b = balance(tx, account_id).await?;
    let from_bonus = want.min(b.bonus).max(0);
    let from_paid = (want - from_bonus).min(b.paid).max(0);
    if from_bonus > 0 {
        append(
            tx,
            account_id,
            kind,
            Pool::Bonus,
            -from_bonus,
            origin,
            now_s,
        )
        .await?;
    }
    if from_paid > 0 {
        append(tx, account_id, kind, Pool::Paid, -from_paid, origin, now_s).await?;
    }
    Ok((from_bonus, from_paid))
}

/// The whole ledger of an account, oldest first.
pub(crate) async fn lines(tx: &mut Tx, account_id: &str) -> Result<Vec<LedgerLine>, ServiceError> {
    let rows = sqlx::query(
        "SELECT seq, kind, pool, amount, machine, reference, created_at FROM ledger WHERE account_id = $1 ORDER BY seq",
    )
    .bind(account_id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| LedgerLine {
            seq: r.get(0),
            kind: r.get(1),
            pool: r.get(2),
            amount: r.get(3),
            machine: r.get(4),
            reference: r.get(5),
            created_at_s: r.get(6),
        })
        .collect())
}
