//! The account server (`nestwork-server`): accounts, packages, the credits ledger, offline
//! leases and usage sync, over SQLite (embedded default) or PostgreSQL (several instances
//! behind a load balancer: every piece of state is in the database).

pub mod accounts;
pub mod admin;
pub mod api;
pub mod error;
pub mod ledger;
pub mod licence;
pub mod mail;
mod migrations;
pub mod packages;
pub mod passwords;
pub mod store;

pub use error::ServiceError;
pub use mail::Mailer;
pub use passwords::PasswordCost;
pub use store::{Backend, Store};

use crate::lease::{DEFAULT_LEASE_DAYS, LeaseSigner};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

/// Server settings.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// SQLite file path, or a `sqlite:` / `postgres://` URL.
    pub db: String,
    /// Base URL put in validation links (default: `http://` + the listen address).
    pub public_url: Option<String>,
    /// Lease validity in days.
    pub lease_days: i64,
    /// Credits reserved for a workstation's offline use per lease (pay-per-use accounts).
    pub reserve_per_lease: i64,
    /// Largest accepted request body.
    pub max_body_bytes: usize,
    pub password_cost: PasswordCost,
    pub max_db_connections: u32,
}

impl ServerConfig {
    /// Defaults for a database: 14-day leases, 20 credits reserved per lease, 1 MiB bodies,
    /// recommended Argon2 cost.
    pub fn new(db: impl Into<String>) -> Self {
        Self {
            db: db.into(),
            public_url: None,
            lease_days: DEFAULT_LEASE_DAYS,
            reserve_per_lease: 20,
            max_body_bytes: 1 << 20,
            password_cost: PasswordCost::Recommended,
            max_db_connections: 8,
        }
    }
}

/// Shared by the request handlers. Holds nothing another instance would need.
#[derive(Debug, Clone)]
pub struct AppState {
    pub(crate) store: Store,
    pub(crate) signer: Arc<LeaseSigner>,
    pub(crate) mailer: Arc<Mailer>,
    pub(crate) config: Arc<ServerConfig>,
    /// A hash checked for unknown emails so sign-in timing does not reveal accounts.
    pub(crate) dummy_hash: String,
}

impl AppState {
    /// Connects the store (running migrations) and prepares the state.
    pub async fn new(
        config: ServerConfig,
        signer: LeaseSigner,
        mailer: Mailer,
        listen: SocketAddr,
    ) -> Result<Self, ServiceError> {
        let store = Store::connect(&config.db, config.max_db_connections).await?;
        let dummy_hash = passwords::hash_blocking(store::new_token(), config.password_cost).await?;
        let config = ServerConfig {
            public_url: Some(
                config
                    .public_url
                    .clone()
                    .unwrap_or_else(|| format!("http://{listen}")),
            ),
            ..config
        };
        Ok(Self {
            store,
            signer: Arc::new(signer),
            mailer: Arc::new(mailer),
            config: Arc::new(config),
            dummy_hash,
        })
    }

    /// The store.
    pub fn store(&self) -> &Store {
        &self.store
    }
}

/// Reads a signing key file (64 hex digits, as written by [`write_signing_key`]).
pub fn read_signing_key(path: &Path) -> Result<LeaseSigner, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read the signing key {}: {e}", path.display()))?;
    let bytes: [u8; 32] = hex::decode(text.trim())
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| {
            format!(
                "{} is not a signing key (expected 64 hex digits)",
                path.display()
            )
        })?;
    Ok(LeaseSigner::from_secret_bytes(&bytes))
}

/// Writes a new signing key file (mode 0600; refuses to overwrite) and answers the signer.
pub fn write_signing_key(path: &Path) -> Result<LeaseSigner, String> {
    if path.exists() {
        return Err(format!(
            "{} exists; refusing to overwrite a signing key",
            path.display()
        ));
    }
    let signer = LeaseSigner::generate();
    crate::fs_util::write_atomic(path, hex::encode(signer.secret_bytes()).as_bytes(), true)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    Ok(signer)
}

/// A server running on its own Tokio runtime (used by the binary and by tests, which can
/// stop it gracefully or kill it mid-request).
#[derive(Debug)]
pub struct RunningServer {
    addr: SocketAddr,
    state: AppState,
    runtime: Option<tokio::runtime::Runtime>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
}

impl RunningServer {
    /// Binds `listen` (port 0 picks a free port), migrates the database and starts serving.
    pub fn start(
        config: ServerConfig,
        signer: LeaseSigner,
        mailer: Mailer,
        listen: SocketAddr,
    ) -> Result<Self, ServiceError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| ServiceError::Internal(format!("cannot start the async runtime: {e}")))?;
        let (listener, state) = runtime.block_on(async {
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .map_err(|e| ServiceError::Internal(format!("cannot listen on {listen}: {e}")))?;
            let addr = listener
                .local_addr()
                .map_err(|e| ServiceError::Internal(e.to_string()))?;
            let state = AppState::new(config, signer, mailer, addr).await?;
            Ok::<_, ServiceError>((listener, state))
        })?;
        let addr = listener
            .local_addr()
            .map_err(|e| ServiceError::Internal(e.to_string()))?;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let app = api::router(state.clone());
        let task = runtime.spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = rx.await;
                })
                .await
        });
        tracing::info!(%addr, "nestwork-server listening");
        Ok(Self {
            addr,
            state,
            runtime: Some(runtime),
            shutdown: Some(tx),
            task: Some(task),
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The server's state (its store, for admin calls in the same process).
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Runs an async admin call on the server's runtime.
    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        match &self.runtime {
            Some(rt) => rt.block_on(f),
            None => unreachable_runtime(),
        }
    }

    /// Waits until the server stops (it stops after [`RunningServer::stop`] from elsewhere or
    /// when the serving task ends).
    pub fn wait(mut self) -> std::io::Result<()> {
        let (Some(rt), Some(task)) = (self.runtime.take(), self.task.take()) else {
            return Ok(());
        };
        rt.block_on(task).map_err(std::io::Error::other)?
    }

    /// Stops accepting, finishes requests in flight, then stops.
    pub fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let (Some(rt), Some(task)) = (self.runtime.take(), self.task.take()) {
            let _ = rt.block_on(task);
            rt.shutdown_timeout(std::time::Duration::from_secs(5));
        }
    }

    /// Kills the server at once, abandoning requests in flight at whatever point they are (as a
    /// crash would; uncommitted transactions roll back).
    pub fn kill(mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_timeout(std::time::Duration::from_secs(2));
        }
    }
}

fn unreachable_runtime<T>() -> T {
    // `runtime` is only taken by methods that consume `self`.
    panic!("RunningServer used after stop")
}
