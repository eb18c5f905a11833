//! Accounts: registration with email validation, sign-in with rate limiting, per-workstation
//! sessions, logout, password change.

use super::error::ServiceError;
use super::passwords;
use super::store::{new_token, normalize_email, token_hash};
use super::{AppState, licence};
use crate::fingerprint::MachineFingerprint;
use crate::protocol::*;
use sqlx::Row;

/// Failed sign-ins per email within [`LOGIN_WINDOW_S`] before further attempts are refused.
pub const MAX_LOGIN_FAILURES: i64 = 5;
/// The rate-limit window.
pub const LOGIN_WINDOW_S: i64 = 15 * 60;
/// How long a validation link works.
pub const VALIDATION_LINK_S: i64 = 7 * 86_400;

/// The caller of an authenticated request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub account_id: String,
    pub session_id: String,
    pub machine: MachineFingerprint,
}

fn check_email(email: &str) -> Result<String, ServiceError> {
    let e = normalize_email(email);
    let ok = e.len() <= 254
        && e.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
        })
        && !e.chars().any(char::is_whitespace);
    if ok {
        Ok(e)
    } else {
        Err(ServiceError::BadRequest(format!(
            "\"{}\" is not a valid email address",
            email.trim()
        )))
    }
}

/// Creates an inactive account and emails its validation link.
pub async fn register(
    state: &AppState,
    req: RegisterRequest,
    now_s: i64,
) -> Result<RegisterResponse, ServiceError> {
    let email = check_email(&req.email)?;
    let company = req.company.trim().to_owned();
    if company.is_empty() || company.len() > 200 {
        return Err(ServiceError::BadRequest(
            "give a company name (200 characters at most)".into(),
        ));
    }
    passwords::check_strength(&req.password)?;
    let hash = passwords::hash_blocking(req.password, state.config.password_cost).await?;
    let account_id = uuid::Uuid::new_v4().to_string();
    let token = new_token();
    let mut tx = state.store.begin().await?;
    let inserted = sqlx::query(
        "INSERT INTO accounts (id, email, company, password_hash, validated_at, created_at) VALUES ($1, $2, $3, $4, NULL, $5)",
    )
    .bind(&account_id)
    .bind(&email)
    .bind(&company)
    .bind(&hash)
    .bind(now_s)
    .execute(&mut *tx)
    .await
    .map_err(ServiceError::from);
    match inserted {
        Err(e) if e.is_unique_violation() => {
            return Err(ServiceError::Conflict(format!(
                "an account with the email {email} already exists; sign in, or reset the password"
            )));
        }
        other => other?,
    };
    insert_validation(&mut tx, &account_id, &token, now_s).await?;
    tx.commit().await?;
    send_validation(state, &email, &token).await?;
    Ok(RegisterResponse {
        account_id,
        message: format!(
            "account created; open the validation link sent to {email} to activate it"
        ),
    })
}

async fn insert_validation(
    tx: &mut super::store::Tx,
    account_id: &str,
    token: &str,
    now_s: i64,
) -> Result<(), ServiceError> {
    sqlx::query("INSERT INTO email_validations (token_hash, account_id, expires_at, used_at) VALUES ($1, $2, $3, NULL)")
        .bind(token_hash(token))
        .bind(account_id)
        .bind(now_s + VALIDATION_LINK_S)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn send_validation(state: &AppState, email: &str, token: &str) -> Result<(), ServiceError> {
    let link = format!(
        "{}/v1/validate?token={token}",
        state
            .config
            .public_url
            .as_deref()
            .unwrap_or_default()
            .trim_end_matches('/')
    );
    state.mailer.send_validation(email, &link).await.map_err(|e| {
        ServiceError::MailFailed(format!(
            "the account exists but the validation email could not be sent ({e}); ask for a new link later"
        ))
    })
}

/// Sends a new validation link to an account that is not validated yet. Answers the same for
/// unknown emails (no account discovery).
pub async fn resend_validation(
    state: &AppState,
    email: &str,
    now_s: i64,
) -> Result<(), ServiceError> {
    let email = check_email(email)?;
    let row = sqlx::query("SELECT id FROM accounts WHERE email = $1 AND validated_at IS NULL")
        .bind(&email)
        .fetch_optional(state.store.pool())
        .await?;
    if let Some(row) = row {
        let account_id: String = row.get(0);
        let token = new_token();
        let mut tx = state.store.begin().await?;
        insert_validation(&mut tx, &account_id, &token, now_s).await?;
        tx.commit().await?;
        send_validation(state, &email, &token).await?;
    }
    Ok(())
}

/// Activates the account of a validation token.
pub async fn validate(state: &AppState, token: &str, now_s: i64) -> Result<String, ServiceError> {
    let mut tx = state.store.begin().await?;
    let n = sqlx::query(
        "UPDATE email_validations SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1",
    )
    .bind(now_s)
    .bind(token_hash(token))
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Err(ServiceError::NotFound(
            "this validation link is unknown, already used or expired; sign in to check, or ask for a new link".into(),
        ));
    }
    let row = sqlx::query(
        "SELECT a.id, a.email FROM accounts a JOIN email_validations v ON v.account_id = a.id WHERE v.token_hash = $1",
    )
    .bind(token_hash(token))
    .fetch_one(&mut *tx)
    .await?;
    let (account_id, email): (String, String) = (row.get(0), row.get(1));
    sqlx::query("UPDATE accounts SET validated_at = $1 WHERE id = $2 AND validated_at IS NULL")
        .bind(now_s)
        .bind(&account_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(email)
}

/// Signs a workstation in: a new session with its own token.
pub async fn login(
    state: &AppState,
    req: LoginRequest,
    now_s: i64,
) -> Result<LoginResponse, ServiceError> {
    let email = normalize_email(&req.email);
    let failures: i64 =
        sqlx::query("SELECT COUNT(*) FROM login_failures WHERE email = $1 AND at_s > $2")
            .bind(&email)
            .bind(now_s - LOGIN_WINDOW_S)
            .fetch_one(state.store.pool())
            .await?
            .get(0);
    if failures >= MAX_LOGIN_FAILURES {
        return Err(ServiceError::TooManyAttempts(format!(
            "too many failed sign-in attempts for {email}; wait {} minutes and try again",
            LOGIN_WINDOW_S / 60
        )));
    }
    let row = sqlx::query("SELECT id, password_hash, validated_at FROM accounts WHERE email = $1")
        .bind(&email)
        .fetch_optional(state.store.pool())
        .await?;
    let (account_id, stored, validated) = match row {
        Some(r) => (
            r.get::<String, _>(0),
            r.get::<String, _>(1),
            r.get::<Option<i64>, _>(2),
        ),
        // Unknown email: verify against a dummy hash so timing does not reveal accounts.
        None => (String::new(), state.dummy_hash.clone(), None),
    };
    let ok = passwords::verify_blocking(req.password, stored).await? && !account_id.is_empty();
    if !ok {
        sqlx::query("INSERT INTO login_failures (id, email, at_s) VALUES ($1, $2, $3)")
            .bind(uuid::Uuid::new_v4().to_string())
            .bind(&email)
            .bind(now_s)
            .execute(state.store.pool())
            .await?;
        return Err(ServiceError::Unauthorized("wrong email or password".into()));
    }
    if validated.is_none() {
        return Err(ServiceError::Forbidden(format!(
            "the account {email} is not activated yet; open the validation link sent to that address"
        )));
    }
    sqlx::query("DELETE FROM login_failures WHERE email = $1")
        .bind(&email)
        .execute(state.store.pool())
        .await?;
    let token = format!("nw_{}", new_token());
    let session_id = uuid::Uuid::new_v4().to_string();
    let workstation: String = req.workstation.trim().chars().take(100).collect();
    sqlx::query(
        "INSERT INTO sessions (id, account_id, token_hash, machine, workstation, created_at, revoked_at) \
         VALUES ($1, $2, $3, $4, $5, $6, NULL)",
    )
    .bind(&session_id)
    .bind(&account_id)
    .bind(token_hash(&token))
    .bind(req.machine.as_str())
    .bind(workstation)
    .bind(now_s)
    .execute(state.store.pool())
    .await?;
    Ok(LoginResponse {
        token,
        session_id,
        account_id,
    })
}

/// Resolves a bearer token to its live session.
pub async fn authenticate(state: &AppState, token: &str) -> Result<Caller, ServiceError> {
    let row = sqlx::query(
        "SELECT account_id, id, machine FROM sessions WHERE token_hash = $1 AND revoked_at IS NULL",
    )
    .bind(token_hash(token))
    .fetch_optional(state.store.pool())
    .await?;
    let row = row.ok_or_else(|| {
        ServiceError::Unauthorized(
            "the session has ended or was revoked; sign in again with `nestwork account login`"
                .into(),
        )
    })?;
    Ok(Caller {
        account_id: row.get(0),
        session_id: row.get(1),
        machine: serde_json::from_value(serde_json::Value::String(row.get(2)))
            .map_err(|e| ServiceError::Internal(e.to_string()))?,
    })
}

/// Ends a session and returns the credits its workstation's lease held.
pub async fn logout(state: &AppState, caller: &Caller, now_s: i64) -> Result<(), ServiceError> {
    let mut tx = state.store.begin_locked(&caller.account_id).await?;
    revoke(&mut tx, &caller.account_id, &caller.session_id, now_s).await?;
    licence::release_lease(&mut tx, &caller.account_id, caller.machine.as_str(), now_s).await?;
    tx.commit().await?;
    Ok(())
}

async fn revoke(
    tx: &mut super::store::Tx,
    account_id: &str,
    session_id: &str,
    now_s: i64,
) -> Result<u64, ServiceError> {
    Ok(sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE id = $2 AND account_id = $3 AND revoked_at IS NULL")
        .bind(now_s)
        .bind(session_id)
        .bind(account_id)
        .execute(&mut **tx)
        .await?
        .rows_affected())
}

/// Revokes one of the caller's account sessions (e.g. a lost workstation).
pub async fn revoke_session(
    state: &AppState,
    caller: &Caller,
    session_id: &str,
    now_s: i64,
) -> Result<(), ServiceError> {
    let mut tx = state.store.begin_locked(&caller.account_id).await?;
    if revoke(&mut tx, &caller.account_id, session_id, now_s).await? == 0 {
        return Err(ServiceError::NotFound(
            "no such active session on this account".into(),
        ));
    }
    tx.commit().await?;
    Ok(())
}

/// The account's live sessions.
pub async fn sessions(state: &AppState, caller: &Caller) -> Result<Vec<SessionInfo>, ServiceError> {
    let rows = sqlx::query(
        "SELECT id, workstation, machine, created_at FROM sessions WHERE account_id = $1 AND revoked_at IS NULL ORDER BY created_at, id",
    )
    .bind(&caller.account_id)
    .fetch_all(state.store.pool())
    .await?;
    rows.into_iter()
        .map(|r| {
            let id: String = r.get(0);
            Ok(SessionInfo {
                current: id == caller.session_id,
                id,
                workstation: r.get(1),
                machine: serde_json::from_value(serde_json::Value::String(r.get(2)))
                    .map_err(|e| ServiceError::Internal(e.to_string()))?,
                created_at_s: r.get(3),
            })
        })
        .collect()
}

/// Changes the password after checking the old one; every other session is revoked.
pub async fn change_password(
    state: &AppState,
    caller: &Caller,
    req: PasswordChangeRequest,
    now_s: i64,
) -> Result<(), ServiceError> {
    passwords::check_strength(&req.new_password)?;
    let stored: String = sqlx::query("SELECT password_hash FROM accounts WHERE id = $1")
        .bind(&caller.account_id)
        .fetch_one(state.store.pool())
        .await?
        .get(0);
    if !passwords::verify_blocking(req.old_password, stored).await? {
        return Err(ServiceError::Unauthorized(
            "the current password is wrong; the password was not changed".into(),
        ));
    }
    let hash = passwords::hash_blocking(req.new_password, state.config.password_cost).await?;
    let mut tx = state.store.begin_locked(&caller.account_id).await?;
    sqlx::query("UPDATE accounts SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(&caller.account_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE sessions SET revoked_at = $1 WHERE account_id = $2 AND id <> $3 AND revoked_at IS NULL")
        .bind(now_s)
        .bind(&caller.account_id)
        .bind(&caller.session_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}
