//! The HTTP routes (see [`crate::protocol`] for the table), JSON extraction with clear errors
//! and a request log without secrets (method, path without query, status, time).

use super::accounts::{self, Caller};
use super::error::ServiceError;
use super::{AppState, licence, packages};
use crate::clock::now_s;
use crate::protocol::*;
use axum::extract::rejection::JsonRejection;
use axum::extract::{DefaultBodyLimit, FromRequest, FromRequestParts, Path, Query, Request, State};
use axum::http::{StatusCode, header, request::Parts};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::de::DeserializeOwned;

/// JSON body extractor whose rejections are clear [`ServiceError`]s (and change nothing).
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for ApiJson<T> {
    type Rejection = ServiceError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(Self(v)),
            Err(rejection) => Err(json_error(&rejection, state.config.max_body_bytes)),
        }
    }
}

fn json_error(rejection: &JsonRejection, limit: usize) -> ServiceError {
    match rejection {
        _ if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            ServiceError::PayloadTooLarge(format!(
                "the request body is larger than the server's limit of {limit} bytes; nothing was changed \
             (send fewer journal entries per request)"
            ))
        }
        JsonRejection::MissingJsonContentType(_) => ServiceError::BadRequest(
            "send the request body as JSON with Content-Type: application/json".into(),
        ),
        other => ServiceError::BadRequest(format!(
            "malformed request, nothing was changed: {}",
            other.body_text()
        )),
    }
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ServiceError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(|| {
                ServiceError::Unauthorized("sign in first: this call needs a session token".into())
            })?;
        accounts::authenticate(state, token.trim()).await
    }
}

/// The router with every route, the body limit and the request log.
pub fn router(state: AppState) -> Router {
    let limit = state.config.max_body_bytes;
    Router::new()
        .route("/v1/health", get(health))
        .route("/v1/register", post(register))
        .route("/v1/validation/resend", post(resend_validation))
        .route("/v1/validate", get(validate))
        .route("/v1/login", post(login))
        .route("/v1/logout", post(logout))
        .route("/v1/password", post(change_password))
        .route("/v1/sessions", get(sessions))
        .route("/v1/sessions/{id}/revoke", post(revoke_session))
        .route("/v1/status", get(status))
        .route("/v1/subscription/cancel", post(cancel))
        .route("/v1/lease", post(lease))
        .route("/v1/sync", post(sync))
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn(log_request))
        .with_state(state)
}

async fn log_request(req: Request, next: Next) -> Response {
    let (method, path) = (req.method().clone(), req.uri().path().to_owned());
    let started = std::time::Instant::now();
    let resp = next.run(req).await;
    tracing::info!(%method, %path, status = resp.status().as_u16(), ms = started.elapsed().as_millis() as u64, "request");
    resp
}

async fn not_found() -> ServiceError {
    ServiceError::NotFound("no such API route".into())
}

async fn health(State(state): State<AppState>) -> Result<&'static str, ServiceError> {
    state.store.ping().await?;
    Ok("ok")
}

async fn register(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<RegisterRequest>,
) -> Result<(StatusCode, Json<RegisterResponse>), ServiceError> {
    Ok((
        StatusCode::CREATED,
        Json(accounts::register(&state, req, now_s()).await?),
    ))
}

#[derive(Debug, serde::Deserialize)]
struct ResendRequest {
    email: String,
}

async fn resend_validation(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<ResendRequest>,
) -> Result<StatusCode, ServiceError> {
    accounts::resend_validation(&state, &req.email, now_s()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, serde::Deserialize)]
struct ValidateQuery {
    token: String,
}

async fn validate(
    State(state): State<AppState>,
    query: Result<Query<ValidateQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let Ok(Query(q)) = query else {
        return (
            StatusCode::BAD_REQUEST,
            "This link is incomplete: open the full link from the email.",
        )
            .into_response();
    };
    match accounts::validate(&state, &q.token, now_s()).await {
        Ok(email) => (
            StatusCode::OK,
            format!("Account {email} is active. Sign in from Nestwork: nestwork account login"),
        )
            .into_response(),
        Err(e) => (e.status_and_code().0, e.to_string()).into_response(),
    }
}

async fn login(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<LoginRequest>,
) -> Result<Json<LoginResponse>, ServiceError> {
    Ok(Json(accounts::login(&state, req, now_s()).await?))
}

async fn logout(State(state): State<AppState>, caller: Caller) -> Result<StatusCode, ServiceError> {
    accounts::logout(&state, &caller, now_s()).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<PasswordChangeRequest>,
) -> Result<StatusCode, ServiceError> {
    accounts::change_password(&state, &caller, req, now_s()).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn sessions(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<SessionInfo>>, ServiceError> {
    Ok(Json(accounts::sessions(&state, &caller).await?))
}

async fn revoke_session(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> Result<StatusCode, ServiceError> {
    accounts::revoke_session(&state, &caller, &id, now_s()).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn status(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<AccountStatus>, ServiceError> {
    Ok(Json(licence::status(&state, &caller, now_s()).await?))
}

async fn cancel(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<PackageStatus>, ServiceError> {
    Ok(Json(
        packages::cancel(&state.store, &caller.account_id, now_s()).await?,
    ))
}

async fn lease(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<LeaseRequest>,
) -> Result<Json<crate::lease::SignedLease>, ServiceError> {
    Ok(Json(licence::lease(&state, &caller, req, now_s()).await?))
}

async fn sync(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<SyncRequest>,
) -> Result<Json<SyncResponse>, ServiceError> {
    Ok(Json(licence::sync(&state, &caller, req, now_s()).await?))
}
