//! The database: one pool over SQLite or PostgreSQL (sqlx `Any` driver, same SQL for both),
//! migrations, and the per-account lock every ledger change takes.
//!
//! Locking: a write transaction starts with `UPDATE accounts SET lock_version = lock_version + 1`
//! on the account row. On PostgreSQL this takes the row lock (like `SELECT … FOR UPDATE`) until
//! commit; on SQLite the first statement being a write takes the database write lock at once
//! (like `BEGIN IMMEDIATE`), waiting up to the busy timeout. Either way, two changes of one
//! account never interleave, so balances are computed and changed atomically.

use super::error::ServiceError;
use super::migrations::MIGRATIONS;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Connection, Executor, Row, Transaction};
use std::str::FromStr;
use std::time::Duration;

/// A transaction on the store.
pub type Tx = Transaction<'static, Any>;

/// Which database the store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The server's database.
#[derive(Debug, Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

/// Turns `--db` into a database URL: `postgres://…` and `sqlite:…` URLs pass through, anything
/// else is a SQLite file path (created if missing).
pub fn database_url(db: &str) -> String {
    if db.starts_with("postgres://") || db.starts_with("postgresql://") || db.starts_with("sqlite:")
    {
        db.to_owned()
    } else {
        format!("sqlite://{db}?mode=rwc")
    }
}

impl Store {
    /// Connects and runs the migrations.
    pub async fn connect(db: &str, max_connections: u32) -> Result<Self, ServiceError> {
        sqlx::any::install_default_drivers();
        let url = database_url(db);
        let backend = if url.starts_with("sqlite:") {
            Backend::Sqlite
        } else {
            Backend::Postgres
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let pool = AnyPoolOptions::new()
            .max_connections(max_connections)
            .acquire_timeout(Duration::from_secs(30))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute("PRAGMA busy_timeout = 30000").await?;
                        conn.execute("PRAGMA foreign_keys = ON").await?;
                        conn.execute("PRAGMA synchronous = FULL").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await?;
        if backend == Backend::Sqlite {
            pool.execute("PRAGMA journal_mode = WAL").await?;
        }
        let store = Self { pool, backend };
        store.migrate().await?;
        Ok(store)
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The connection pool.
    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Applies missing migrations, each in its own transaction. Safe when several instances
    /// start at once: a version another instance applied first is skipped.
    async fn migrate(&self) -> Result<(), ServiceError> {
        self.pool
            .execute("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)")
            .await?;
        for (version, sql) in MIGRATIONS {
            let mut tx = self.pool.begin().await?;
            // Claim the version first: a concurrent instance blocks here, then sees it applied.
            let claimed = sqlx::query(
                "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2) ON CONFLICT (version) DO NOTHING",
            )
            .bind(*version)
            .bind(crate::clock::now_s())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if claimed == 0 {
                tx.rollback().await?;
                continue;
            }
            for statement in sql.split(';').map(str::trim).filter(|s| !s.is_empty()) {
                tx.execute(statement).await?;
            }
            tx.commit().await?;
            tracing::info!(version, "applied database migration");
        }
        Ok(())
    }

    /// Starts a transaction.
    pub async fn begin(&self) -> Result<Tx, ServiceError> {
        Ok(self.pool.begin().await?)
    }

    /// Starts a transaction holding the lock of one account (see the module doc).
    pub async fn begin_locked(&self, account_id: &str) -> Result<Tx, ServiceError> {
        let mut tx = self.pool.begin().await?;
        let n = sqlx::query("UPDATE accounts SET lock_version = lock_version + 1 WHERE id = $1")
            .bind(account_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if n == 0 {
            return Err(ServiceError::NotFound("no such account".into()));
        }
        Ok(tx)
    }

    /// Checks the database answers (for health checks).
    pub async fn ping(&self) -> Result<(), ServiceError> {
        let mut c = self.pool.acquire().await?;
        c.ping().await?;
        Ok(())
    }

    /// The account id of an email address.
    pub async fn account_id_by_email(&self, email: &str) -> Result<String, ServiceError> {
        let row = sqlx::query("SELECT id FROM accounts WHERE email = $1")
            .bind(normalize_email(email))
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| r.get::<String, _>(0)).ok_or_else(|| {
            ServiceError::NotFound(format!("no account with email {}", normalize_email(email)))
        })
    }
}

/// Emails are compared trimmed and lowercase.
pub fn normalize_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// SHA-256 hex of a secret token (only hashes of tokens are stored).
pub fn token_hash(token: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new random secret token (256 bits, hex).
pub fn new_token() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}
