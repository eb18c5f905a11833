//! Plans, subscriptions (monthly or annual, renewing automatically until cancelled) and the
//! cancellation notice periods: monthly at least 24 hours before the end of the term, annual at
//! least 3 months before. A cancellation given later takes effect at the end of the next term.

use super::error::ServiceError;
use super::store::{Store, Tx};
use crate::clock::{add_months, format_utc};
use crate::protocol::PackageStatus;
use sqlx::Row;

/// How often a plan renews.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Monthly,
    Annual,
}

impl Period {
    /// Parses `monthly` or `annual`.
    pub fn parse(s: &str) -> Result<Self, ServiceError> {
        match s.trim().to_lowercase().as_str() {
            "monthly" => Ok(Self::Monthly),
            "annual" | "yearly" => Ok(Self::Annual),
            other => Err(ServiceError::BadRequest(format!(
                "unknown period \"{other}\": use monthly or annual"
            ))),
        }
    }
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Monthly => "monthly",
            Self::Annual => "annual",
        }
    }
    fn months(self) -> i64 {
        match self {
            Self::Monthly => 1,
            Self::Annual => 12,
        }
    }
    /// The last moment a cancellation takes effect at the end of a term ending at `end_s`.
    pub fn cancel_deadline(self, end_s: i64) -> i64 {
        match self {
            Self::Monthly => end_s - 86_400,
            Self::Annual => add_months(end_s, -3),
        }
    }
}

/// Parses a decimal amount such as `49`, `49.9` or `1234.50` into cents, exactly.
pub fn parse_amount_cents(s: &str) -> Result<i64, ServiceError> {
    let bad = || ServiceError::BadRequest(format!("\"{s}\" is not an amount like 49.00"));
    let (units, frac) = s.trim().split_once('.').unwrap_or((s.trim(), ""));
    if units.is_empty()
        || !units.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 2
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let units: i64 = units.parse().map_err(|_| bad())?;
    let frac: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<2}").parse().map_err(|_| bad())?
    };
    units
        .checked_mul(100)
        .and_then(|c| c.checked_add(frac))
        .ok_or_else(bad)
}

/// Formats cents as `49.00`.
pub fn format_cents(cents: i64) -> String {
    format!(
        "{}{}.{:02}",
        if cents < 0 { "-" } else { "" },
        cents.abs() / 100,
        cents.abs() % 100
    )
}

/// Creates a plan (admin).
pub async fn create_plan(
    store: &Store,
    code: &str,
    name: &str,
    period: Period,
    price_cents: i64,
    currency: &str,
    now_s: i64,
) -> Result<(), ServiceError> {
    let currency = currency.trim().to_uppercase();
    if !matches!(currency.as_str(), "EUR" | "USD") {
        return Err(ServiceError::BadRequest(
            "prices are in EUR (Europe) or USD (elsewhere)".into(),
        ));
    }
    if code.trim().is_empty() || price_cents < 0 {
        return Err(ServiceError::BadRequest(
            "give a plan code and a price of 0 or more".into(),
        ));
    }
    let r = sqlx::query("INSERT INTO plans (code, name, period, price_cents, currency, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(code.trim())
        .bind(name.trim())
        .bind(period.as_str())
        .bind(price_cents)
        .bind(currency)
        .bind(now_s)
        .execute(store.pool())
        .await
        .map_err(ServiceError::from);
    match r {
        Err(e) if e.is_unique_violation() => Err(ServiceError::Conflict(format!(
            "a plan with code {code} exists"
        ))),
        other => other.map(drop),
    }
}

/// Starts a package for an account after its first payment (admin). A partner code is only
/// accepted on annual plans.
pub async fn subscribe(
    store: &Store,
    account_id: &str,
    plan_code: &str,
    partner_code: Option<&str>,
    payment_reference: &str,
    now_s: i64,
) -> Result<PackageStatus, ServiceError> {
    let mut tx = store.begin_locked(account_id).await?;
    let plan = sqlx::query("SELECT period, price_cents, currency FROM plans WHERE code = $1")
        .bind(plan_code)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| ServiceError::NotFound(format!("no plan with code {plan_code}")))?;
    let period = Period::parse(&plan.get::<String, _>(0))?;
    if partner_code.is_some() && period != Period::Annual {
        return Err(ServiceError::BadRequest(
            "a partner code applies to annual packages only".into(),
        ));
    }
    if current_package(&mut tx, account_id, now_s).await?.is_some() {
        return Err(ServiceError::Conflict(
            "the account already has an active package".into(),
        ));
    }
    sqlx::query("INSERT INTO payments (id, account_id, amount_cents, currency, reference, what, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .bind(uuid::Uuid::new_v4().to_string())
        .bind(account_id)
        .bind(plan.get::<i64, _>(1))
        .bind(plan.get::<String, _>(2))
        .bind(payment_reference)
        .bind(format!("package {plan_code}"))
        .bind(now_s)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO subscriptions (id, account_id, plan_code, started_at, period_end, auto_renew, ends_at, partner_code, created_at) \
         VALUES ($1, $2, $3, $4, $5, 1, NULL, $6, $4)",
    )
    .bind(uuid::Uuid::new_v4().to_string())
    .bind(account_id)
    .bind(plan_code)
    .bind(now_s)
    .bind(add_months(now_s, period.months()))
    .bind(partner_code.map(str::trim).map(str::to_owned))
    .execute(&mut *tx)
    .await?;
    let status = current_package(&mut tx, account_id, now_s).await?;
    tx.commit().await?;
    status.ok_or_else(|| ServiceError::Internal("package not active after subscribing".into()))
}

/// The account's active package at `now_s`, renewing terms that ended while auto-renew is on.
pub(crate) async fn current_package(
    tx: &mut Tx,
    account_id: &str,
    now_s: i64,
) -> Result<Option<PackageStatus>, ServiceError> {
    let row = sqlx::query(
        "SELECT s.id, s.plan_code, p.name, p.period, s.period_end, s.auto_renew, s.ends_at, s.partner_code \
         FROM subscriptions s JOIN plans p ON p.code = s.plan_code \
         WHERE s.account_id = $1 AND (s.ends_at IS NULL OR s.ends_at > $2) ORDER BY s.created_at DESC, s.id LIMIT 1",
    )
    .bind(account_id)
    .bind(now_s)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(r) = row else { return Ok(None) };
    let id: String = r.get(0);
    let period = Period::parse(&r.get::<String, _>(3))?;
    let mut period_end: i64 = r.get(4);
    let auto_renew = r.get::<i64, _>(5) != 0;
    let ends_at: Option<i64> = r.get(6);
    if period_end <= now_s {
        if !auto_renew && ends_at.is_none_or(|e| e <= now_s) {
            return Ok(None);
        }
        while period_end <= now_s {
            period_end = add_months(period_end, period.months());
        }
        sqlx::query("UPDATE subscriptions SET period_end = $1 WHERE id = $2")
            .bind(period_end)
            .bind(&id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(Some(PackageStatus {
        plan: r.get(1),
        plan_name: r.get(2),
        period: period.as_str().to_owned(),
        period_end_s: period_end,
        auto_renew,
        ends_at_s: ends_at,
        partner_code: r.get(7),
    }))
}

/// The account's package at `now_s` (renewing terms that ended while auto-renew is on).
pub async fn package_at(
    store: &Store,
    account_id: &str,
    now_s: i64,
) -> Result<Option<PackageStatus>, ServiceError> {
    let mut tx = store.begin_locked(account_id).await?;
    let p = current_package(&mut tx, account_id, now_s).await?;
    tx.commit().await?;
    Ok(p)
}

/// Cancels automatic renewal. Given before the notice deadline, the package ends with the
/// current term; given later, it ends with the next term.
pub async fn cancel(
    store: &Store,
    account_id: &str,
    now_s: i64,
) -> Result<PackageStatus, ServiceError> {
    let mut tx = store.begin_locked(account_id).await?;
    let pkg = current_package(&mut tx, account_id, now_s)
        .await?
        .ok_or_else(|| {
            ServiceError::NotFound("the account has no active package to cancel".into())
        })?;
    if let Some(end) = pkg.ends_at_s {
        return Err(ServiceError::Conflict(format!(
            "the package is already cancelled and ends on {}",
            format_utc(end)
        )));
    }
    let period = Period::parse(&pkg.period)?;
    let ends_at = if now_s <= period.cancel_deadline(pkg.period_end_s) {
        pkg.period_end_s
    } else {
        add_months(pkg.period_end_s, period.months())
    };
    sqlx::query("UPDATE subscriptions SET auto_renew = 0, ends_at = $1 WHERE account_id = $2 AND ends_at IS NULL")
        .bind(ends_at)
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    let status = current_package(&mut tx, account_id, now_s).await?;
    tx.commit().await?;
    status.ok_or_else(|| ServiceError::Internal("package vanished while cancelling".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_exact() {
        assert_eq!(parse_amount_cents("49").unwrap(), 4900);
        assert_eq!(parse_amount_cents("49.9").unwrap(), 4990);
        assert_eq!(parse_amount_cents("0.07").unwrap(), 7);
        assert!(parse_amount_cents("1.234").is_err());
        assert!(parse_amount_cents("-1").is_err());
        assert!(parse_amount_cents("abc").is_err());
        assert_eq!(format_cents(123_456), "1234.56");
    }
}
