//! Administration (`nestwork-server admin …`): plans, payments, bonus credits, ledger and usage.
//! Payments come from outside (the payment provider is out of scope); these calls record them.

use super::error::ServiceError;
use super::ledger::{self, LedgerLine, Origin, Pool};
use super::packages::{self, Period};
use super::store::{Store, Tx, normalize_email};
use crate::protocol::{AccountStatus, PackageStatus};
use serde::Serialize;
use sqlx::Row;

/// Creates a plan; `price` is a decimal amount (`49.00`), `currency` EUR or USD.
pub async fn create_plan(
    store: &Store,
    code: &str,
    name: &str,
    period: &str,
    price: &str,
    currency: &str,
    now_s: i64,
) -> Result<(), ServiceError> {
    packages::create_plan(
        store,
        code,
        name,
        Period::parse(period)?,
        packages::parse_amount_cents(price)?,
        currency,
        now_s,
    )
    .await
}

/// Records a payment for bought credits and adds them to the ledger.
pub async fn record_credit_purchase(
    store: &Store,
    email: &str,
    credits: i64,
    amount: &str,
    currency: &str,
    reference: &str,
    now_s: i64,
) -> Result<(), ServiceError> {
    require_positive(credits)?;
    let cents = packages::parse_amount_cents(amount)?;
    let account_id = store.account_id_by_email(email).await?;
    let mut tx = store.begin_locked(&account_id).await?;
    sqlx::query("INSERT INTO payments (id, account_id, amount_cents, currency, reference, what, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(&account_id)
        .bind(cents)
        .bind(currency.trim().to_uppercase())
        .bind(reference)
        .bind(format!("{credits} credits"))
        .bind(now_s)
        .execute(&mut *tx)
        .await?;
    append_by_admin(
        &mut tx,
        &account_id,
        "purchase",
        Pool::Paid,
        credits,
        reference,
        now_s,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Records the first payment of a package and starts it.
pub async fn subscribe(
    store: &Store,
    email: &str,
    plan: &str,
    partner_code: Option<&str>,
    reference: &str,
    now_s: i64,
) -> Result<PackageStatus, ServiceError> {
    let account_id = store.account_id_by_email(email).await?;
    packages::subscribe(store, &account_id, plan, partner_code, reference, now_s).await
}

/// Grants bonus credits.
pub async fn grant_bonus(
    store: &Store,
    email: &str,
    credits: i64,
    reason: &str,
    now_s: i64,
) -> Result<(), ServiceError> {
    require_positive(credits)?;
    let account_id = store.account_id_by_email(email).await?;
    let mut tx = store.begin_locked(&account_id).await?;
    append_by_admin(
        &mut tx,
        &account_id,
        "bonus_grant",
        Pool::Bonus,
        credits,
        reason,
        now_s,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Revokes up to `credits` bonus credits; only unspent ones (neither used nor reserved by a
/// workstation's lease) can go. Answers how many were revoked.
pub async fn revoke_bonus(
    store: &Store,
    email: &str,
    credits: i64,
    reason: &str,
    now_s: i64,
) -> Result<i64, ServiceError> {
    require_positive(credits)?;
    let account_id = store.account_id_by_email(email).await?;
    let mut tx = store.begin_locked(&account_id).await?;
    let available = ledger::balance(&mut tx, &account_id).await?.bonus;
    let revoked = credits.min(available);
    if revoked > 0 {
        append_by_admin(
            &mut tx,
            &account_id,
            "bonus_revoke",
            Pool::Bonus,
            -revoked,
            reason,
            now_s,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(revoked)
}

/// Activates an account without its email link (support case).
pub async fn activate(store: &Store, email: &str, now_s: i64) -> Result<(), ServiceError> {
    let account_id = store.account_id_by_email(email).await?;
    sqlx::query("UPDATE accounts SET validated_at = $1 WHERE id = $2 AND validated_at IS NULL")
        .bind(now_s)
        .bind(account_id)
        .execute(store.pool())
        .await?;
    Ok(())
}

/// An account's ledger.
pub async fn ledger_lines(store: &Store, email: &str) -> Result<Vec<LedgerLine>, ServiceError> {
    let account_id = store.account_id_by_email(email).await?;
    let mut tx = store.begin().await?;
    let lines = ledger::lines(&mut tx, &account_id).await?;
    tx.commit().await?;
    Ok(lines)
}

/// Counted requests of one month.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct MonthUsage {
    pub month: String,
    pub requests: i64,
    /// Of which charged to a package / bonus / paid credits / uncovered.
    pub package: i64,
    pub bonus: i64,
    pub paid: i64,
    pub uncovered: i64,
}

/// An account's state and its usage per month.
#[derive(Debug, Clone, Serialize)]
pub struct UsageReport {
    pub status: AccountStatus,
    pub months: Vec<MonthUsage>,
}

/// The account's state and usage per month (releases expired reservations on the way).
pub async fn usage(store: &Store, email: &str, now_s: i64) -> Result<UsageReport, ServiceError> {
    let account_id = store.account_id_by_email(&normalize_email(email)).await?;
    let mut tx = store.begin_locked(&account_id).await?;
    let status = super::licence::account_status(&mut tx, &account_id, now_s).await?;
    let rows = sqlx::query(
        "SELECT month, charged, COUNT(*) FROM usage_entries WHERE account_id = $1 GROUP BY month, charged ORDER BY month",
    )
    .bind(&account_id)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    let mut months: Vec<MonthUsage> = Vec::new();
    for r in rows {
        let month: String = r.get(0);
        if months.last().is_none_or(|m| m.month != month) {
            months.push(MonthUsage {
                month: month.clone(),
                requests: 0,
                package: 0,
                bonus: 0,
                paid: 0,
                uncovered: 0,
            });
        }
        let (charged, n): (String, i64) = (r.get(1), r.get(2));
        if let Some(m) = months.last_mut() {
            m.requests += n;
            match charged.as_str() {
                "package" => m.package += n,
                "bonus" => m.bonus += n,
                "paid" => m.paid += n,
                _ => m.uncovered += n,
            }
        }
    }
    Ok(UsageReport { status, months })
}

/// Refuses a number of credits that is not positive.
fn require_positive(credits: i64) -> Result<(), ServiceError> {
    if credits <= 0 {
        return Err(ServiceError::BadRequest(
            "the number of credits must be positive".into(),
        ));
    }
    Ok(())
}

/// Appends a ledger entry made by the administrator (no workstation),
/// with its payment reference or reason.
async fn append_by_admin(
    tx: &mut Tx,
    account_id: &str,
    kind: &str,
    pool: Pool,
    amount: i64,
    reference: &str,
    now_s: i64,
) -> Result<(), ServiceError> {
    let origin = Origin {
        machine: None,
        reference: Some(reference),
    };
    ledger::append(tx, account_id, kind, pool, amount, origin, now_s).await
}
