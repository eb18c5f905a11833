//! The blocking account client (reqwest with rustls).
//!
//! Every call blocks until the server answers or the timeout passes: call it from a worker
//! thread, never from a UI thread or inside an async runtime (reqwest's blocking client refuses
//! to run inside one).

use crate::fingerprint::MachineFingerprint;
use crate::lease::SignedLease;
use crate::offline::{LocalState, LocalStateError};
use crate::protocol::*;
use reqwest::StatusCode;
use reqwest::blocking::{Client, RequestBuilder, Response};
use serde::de::DeserializeOwned;
use std::time::Duration;

/// The server used when neither `--server` nor `NESTWORK_SERVER` says otherwise.
pub const DEFAULT_SERVER_URL: &str = "https://account.nestwork.app";

/// Journal entries sent per sync call (keeps each body well under the server's size limit).
pub const SYNC_BATCH: usize = 1_000;

/// An account call failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error(
        "cannot reach the Nestwork server at {url}: {source}; check the network connection (offline, exports use the lease until it expires)"
    )]
    Network { url: String, source: reqwest::Error },
    /// The server refused the call and said why.
    #[error("{message}")]
    Server {
        status: u16,
        code: String,
        message: String,
    },
    #[error("unexpected answer from the server ({status}): {body}")]
    Unexpected { status: u16, body: String },
    #[error("not signed in; run `nestwork account login`")]
    NotSignedIn,
    #[error(transparent)]
    Local(#[from] LocalStateError),
    #[error("{0}")]
    Journal(#[from] crate::journal::JournalError),
}

impl ClientError {
    /// The server's error code, when the server answered with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            Self::Server { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// A client of one account server, optionally signed in with a session token.
#[derive(Debug, Clone)]
pub struct AccountClient {
    base: String,
    http: Client,
    token: Option<String>,
}

impl AccountClient {
    /// A client for the server at `base_url` (e.g. `http://127.0.0.1:8787`).
    pub fn new(base_url: &str) -> Result<Self, ClientError> {
        let http = Client::builder()
            .timeout(Duration::from_secs(30))
            .connect_timeout(Duration::from_secs(10))
            .build()
            .map_err(|source| ClientError::Network {
                url: base_url.to_owned(),
                source,
            })?;
        Ok(Self {
            base: base_url.trim_end_matches('/').to_owned(),
            http,
            token: None,
        })
    }

    /// The same client, signed in with `token`.
    pub fn with_token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// The server's base URL.
    pub fn base_url(&self) -> &str {
        &self.base
    }

    fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    fn authed(&self, rb: RequestBuilder) -> Result<RequestBuilder, ClientError> {
        let token = self.token.as_deref().ok_or(ClientError::NotSignedIn)?;
        Ok(rb.bearer_auth(token))
    }

    fn send(&self, rb: RequestBuilder) -> Result<Response, ClientError> {
        let resp = rb.send().map_err(|source| ClientError::Network {
            url: self.base.clone(),
            source,
        })?;
        if resp.status().is_success() {
            return Ok(resp);
        }
        let status = resp.status().as_u16();
        let body = resp.text().unwrap_or_default();
        Err(match serde_json::from_str::<ApiErrorBody>(&body) {
            Ok(e) => ClientError::Server {
                status,
                code: e.error,
                message: e.message,
            },
            Err(_) => ClientError::Unexpected {
                status,
                body: body.chars().take(500).collect(),
            },
        })
    }

    fn json<T: DeserializeOwned>(&self, rb: RequestBuilder) -> Result<T, ClientError> {
        let resp = self.send(rb)?;
        let status = resp.status();
        let body = resp.text().map_err(|source| ClientError::Network {
            url: self.base.clone(),
            source,
        })?;
        serde_json::from_str(&body).map_err(|_| ClientError::Unexpected {
            status: status.as_u16(),
            body: body.chars().take(500).collect(),
        })
    }

    /// Creates an account; the server emails a validation link.
    pub fn register(&self, req: &RegisterRequest) -> Result<RegisterResponse, ClientError> {
        self.json(self.http.post(self.url("/v1/register")).json(req))
    }

    /// Signs this workstation in; answers the session token.
    pub fn login(&self, req: &LoginRequest) -> Result<LoginResponse, ClientError> {
        self.json(self.http.post(self.url("/v1/login")).json(req))
    }

    /// Ends this session (the token stops working; the workstation's reserved credits return).
    pub fn logout(&self) -> Result<(), ClientError> {
        self.send(self.authed(self.http.post(self.url("/v1/logout")))?)
            .map(drop)
    }

    /// Changes the password; every other session is revoked.
    pub fn change_password(&self, req: &PasswordChangeRequest) -> Result<(), ClientError> {
        self.send(self.authed(self.http.post(self.url("/v1/password")).json(req))?)
            .map(drop)
    }

    /// The account's sessions.
    pub fn sessions(&self) -> Result<Vec<SessionInfo>, ClientError> {
        self.json(self.authed(self.http.get(self.url("/v1/sessions")))?)
    }

    /// Revokes one session (e.g. a lost workstation).
    pub fn revoke_session(&self, id: &str) -> Result<(), ClientError> {
        self.send(
            self.authed(
                self.http
                    .post(self.url(&format!("/v1/sessions/{id}/revoke"))),
            )?,
        )
        .map(drop)
    }

    /// Package, credits and fair-use state.
    pub fn status(&self) -> Result<AccountStatus, ClientError> {
        self.json(self.authed(self.http.get(self.url("/v1/status")))?)
    }

    /// Cancels the package's automatic renewal (notice periods apply).
    pub fn cancel_subscription(&self) -> Result<PackageStatus, ClientError> {
        self.json(self.authed(self.http.post(self.url("/v1/subscription/cancel")))?)
    }

    /// A fresh lease for `machine` (releases the previous reservation of that machine).
    pub fn lease(&self, machine: &MachineFingerprint) -> Result<SignedLease, ClientError> {
        self.json(
            self.authed(self.http.post(self.url("/v1/lease")).json(&LeaseRequest {
                machine: machine.clone(),
            }))?,
        )
    }

    /// Sends journal entries; answers what was counted, the state and a fresh lease.
    pub fn sync_entries(&self, req: &SyncRequest) -> Result<SyncResponse, ClientError> {
        self.json(self.authed(self.http.post(self.url("/v1/sync")).json(req))?)
    }

    /// Syncs a workstation's journal (every entry after the stored lease's last counted one, in
    /// batches) and stores the fresh lease. Entries written while the sync runs stay pending
    /// for the next one. Answers the last response.
    pub fn sync(
        &self,
        state: &LocalState,
        machine: &MachineFingerprint,
    ) -> Result<SyncResponse, ClientError> {
        let (entries, after) = {
            let _lock = state.lock()?;
            let after = match state.load_lease()? {
                Some(Ok(l)) if &l.body.machine == machine => l.body.last_seq_seen,
                _ => 0,
            };
            (state.journal()?.entries_after(after).to_vec(), after)
        };
        tracing::debug!(after, pending = entries.len(), "syncing usage journal");
        let mut total: Option<SyncResponse> = None;
        let batches: Vec<&[crate::journal::JournalEntry]> = if entries.is_empty() {
            vec![&[]]
        } else {
            entries.chunks(SYNC_BATCH).collect()
        };
        for batch in batches {
            let resp = self.sync_entries(&SyncRequest {
                machine: machine.clone(),
                entries: batch.to_vec(),
            })?;
            total = Some(match total {
                None => resp,
                Some(t) => SyncResponse {
                    accepted: t.accepted + resp.accepted,
                    duplicates: t.duplicates + resp.duplicates,
                    uncovered: t.uncovered + resp.uncovered,
                    ..resp
                },
            });
        }
        let resp = total.ok_or(ClientError::Unexpected {
            status: 0,
            body: "no sync batch".into(),
        })?;
        let _lock = state.lock()?;
        state.store_lease(&resp.lease)?;
        Ok(resp)
    }
}

/// Whether an error means the server could not be reached (work offline).
pub fn is_offline(err: &ClientError) -> bool {
    matches!(err, ClientError::Network { .. })
        || matches!(err, ClientError::Unexpected { status, .. } if *status == StatusCode::BAD_GATEWAY.as_u16())
}
