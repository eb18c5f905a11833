//! Test harness: a real server on a loopback port over a temporary SQLite file or a fresh
//! PostgreSQL database, its own signing key, a file outbox, and workstations with their own
//! data folders and machine fingerprints.
#![allow(dead_code)]

use licensing::client::AccountClient;
use licensing::journal::{GENESIS_HASH, JournalEntry, RequestKind};
use licensing::protocol::*;
use licensing::server::{Mailer, PasswordCost, RunningServer, ServerConfig, Store};
use licensing::{Authorization, LeaseSigner, LeaseVerifier, LocalState, MachineFingerprint};
use std::path::PathBuf;
use tempfile::TempDir;

pub const PASSWORD: &str = "correct horse battery";

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

/// A fresh PostgreSQL database, dropped at the end.
pub struct PgDatabase {
    admin_url: String,
    name: String,
    pub url: String,
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let (admin_url, name) = (self.admin_url.clone(), self.name.clone());
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            use sqlx::Connection;
            if let Ok(mut c) = sqlx::PgConnection::connect(&admin_url).await {
                let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut c)
                    .await;
            }
        });
    }
}

/// The PostgreSQL URL of the environment, or `None` (test skipped) when it is not set. With
/// `CI_REQUIRE_POSTGRES=1`, a missing or unreachable database fails the test.
pub fn postgres_database() -> Option<PgDatabase> {
    let required = std::env::var("CI_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
    let Ok(base) = std::env::var("NESTWORK_TEST_POSTGRES_URL") else {
        assert!(
            !required,
            "CI_REQUIRE_POSTGRES=1 but NESTWORK_TEST_POSTGRES_URL is not set"
        );
        eprintln!("NESTWORK_TEST_POSTGRES_URL not set: PostgreSQL variant skipped");
        return None;
    };
    let name = format!("nw_test_{}", uuid::Uuid::new_v4().simple());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        use sqlx::Connection;
        let mut c = sqlx::PgConnection::connect(&base)
            .await
            .unwrap_or_else(|e| {
                panic!("PostgreSQL at NESTWORK_TEST_POSTGRES_URL is unreachable: {e}")
            });
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut c)
            .await
            .expect("create test database");
    });
    let (prefix, _) = base.rsplit_once('/').expect("URL with a database path");
    let (_, query) = base.split_once('?').map_or(("", ""), |(a, q)| (a, q));
    let url = if query.is_empty() {
        format!("{prefix}/{name}")
    } else {
        format!("{prefix}/{name}?{query}")
    };
    Some(PgDatabase {
        admin_url: base,
        name,
        url,
    })
}

/// A running server and what tests need around it.
pub struct TestEnv {
    pub server: Option<RunningServer>,
    pub verifier: LeaseVerifier,
    secret: [u8; 32],
    pub config: ServerConfig,
    pub dir: TempDir,
    pub outbox: PathBuf,
    /// A second connection pool to the same database (what another instance or the admin
    /// CLI would use).
    pub store: Store,
    pub rt: tokio::runtime::Runtime,
    _pg: Option<PgDatabase>,
}

impl TestEnv {
    /// Starts a server on `db` (`None` when the PostgreSQL variant is skipped).
    pub fn start(db: Db, tweak: impl FnOnce(&mut ServerConfig)) -> Option<Self> {
        let dir = tempfile::tempdir().unwrap();
        let pg = match db {
            Db::Sqlite => None,
            Db::Postgres => Some(postgres_database()?),
        };
        let db_url = pg.as_ref().map_or_else(
            || dir.path().join("server.db").display().to_string(),
            |p| p.url.clone(),
        );
        let mut config = ServerConfig {
            password_cost: PasswordCost::TestOnly,
            ..ServerConfig::new(db_url)
        };
        tweak(&mut config);
        let signer = LeaseSigner::generate();
        let secret = signer.secret_bytes();
        let verifier = LeaseVerifier::new(signer.public_key());
        let outbox = dir.path().join("outbox");
        let server = RunningServer::start(
            config.clone(),
            signer,
            Mailer::outbox(&outbox, "Nestwork <no-reply@localhost>").unwrap(),
            "127.0.0.1:0".parse().unwrap(),
        )
        .expect("server starts");
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let store = rt
            .block_on(Store::connect(&config.db, 4))
            .expect("second pool");
        Some(Self {
            server: Some(server),
            verifier,
            secret,
            config,
            dir,
            outbox,
            store,
            rt,
            _pg: pg,
        })
    }

    pub fn url(&self) -> String {
        self.server.as_ref().expect("server running").url()
    }

    pub fn client(&self) -> AccountClient {
        AccountClient::new(&self.url()).unwrap()
    }

    /// Kills the server at once (as a crash).
    pub fn kill(&mut self) {
        if let Some(s) = self.server.take() {
            s.kill();
        }
    }

    /// Starts the server again on the same database and key (new port).
    pub fn restart(&mut self) {
        self.kill();
        let server = RunningServer::start(
            self.config.clone(),
            LeaseSigner::from_secret_bytes(&self.secret),
            Mailer::outbox(&self.outbox, "Nestwork <no-reply@localhost>").unwrap(),
            "127.0.0.1:0".parse().unwrap(),
        )
        .expect("server restarts");
        self.server = Some(server);
    }

    /// Runs an admin call on the second pool.
    pub fn admin<T>(&self, f: impl std::future::Future<Output = T>) -> T {
        self.rt.block_on(f)
    }

    /// The validation link mailed to `email` (the outbox's .eml, quoted-printable decoded).
    pub fn validation_link(&self, email: &str) -> String {
        for entry in std::fs::read_dir(&self.outbox).unwrap() {
            let raw = std::fs::read_to_string(entry.unwrap().path()).unwrap();
            let text = raw.replace("=\r\n", "").replace("=3D", "=");
            if text.contains(&format!("To: {email}")) {
                let start = text.find("http://").expect("link in the mail");
                return text[start..].split_whitespace().next().unwrap().to_owned();
            }
        }
        panic!("no mail to {email} in the outbox");
    }

    /// Registers `email` and opens its validation link.
    pub fn register_validated(&self, email: &str) {
        self.client()
            .register(&RegisterRequest {
                email: email.into(),
                password: PASSWORD.into(),
                company: "Acme Laser".into(),
            })
            .expect("register");
        let link = self.validation_link(email);
        let resp = reqwest::blocking::get(&link).unwrap();
        assert_eq!(resp.status(), 200, "{}", resp.text().unwrap_or_default());
    }

    /// A workstation signed in to `email`.
    pub fn workstation(&self, email: &str, name: &str) -> Workstation {
        let dir = tempfile::tempdir().unwrap();
        let machine = MachineFingerprint::from_parts(&format!("machine-id-{name}"), name);
        let login = self
            .client()
            .login(&LoginRequest {
                email: email.into(),
                password: PASSWORD.into(),
                machine: machine.clone(),
                workstation: name.into(),
            })
            .expect("login");
        Workstation {
            state: LocalState::new(dir.path()),
            machine,
            client: self.client().with_token(login.token.clone()),
            login,
            verifier: self.verifier.clone(),
            _dir: dir,
        }
    }

    /// The account id of `email`.
    pub fn account_id(&self, email: &str) -> String {
        self.rt
            .block_on(self.store.account_id_by_email(email))
            .unwrap()
    }
}

/// A signed-in workstation with its own data folder.
pub struct Workstation {
    pub state: LocalState,
    pub machine: MachineFingerprint,
    pub client: AccountClient,
    pub login: LoginResponse,
    pub verifier: LeaseVerifier,
    pub _dir: TempDir,
}

impl Workstation {
    /// One export at `now_s`, decided offline.
    pub fn export_at(&self, now_s: i64) -> Authorization {
        self.state
            .authorize(RequestKind::Export, &self.verifier, &self.machine, now_s)
            .unwrap()
    }

    pub fn export(&self) -> Authorization {
        self.export_at(licensing::clock::now_s())
    }

    /// Fetches and stores a lease.
    pub fn fetch_lease(&self) -> licensing::SignedLease {
        let lease = self.client.lease(&self.machine).expect("lease");
        self.state.store_lease(&lease).unwrap();
        lease
    }

    pub fn sync(&self) -> SyncResponse {
        self.client.sync(&self.state, &self.machine).expect("sync")
    }

    pub fn journal_len(&self) -> usize {
        self.state.journal().unwrap().entries().len()
    }
}

/// `n` chained entries after (`seq`, `hash`), built in memory (bulk tests).
pub fn chain(n: usize, mut seq: u64, hash: &str, timestamp_s: i64) -> Vec<JournalEntry> {
    let mut prev = hash.to_owned();
    (0..n)
        .map(|_| {
            seq += 1;
            let mut e = JournalEntry {
                id: uuid::Uuid::new_v4().to_string(),
                seq,
                prev_hash: prev.clone(),
                kind: RequestKind::Export,
                timestamp_s,
                hash: String::new(),
            };
            e.hash = e.compute_hash();
            prev.clone_from(&e.hash);
            e
        })
        .collect()
}

/// A chain from the start.
pub fn fresh_chain(n: usize, timestamp_s: i64) -> Vec<JournalEntry> {
    chain(n, 0, GENESIS_HASH, timestamp_s)
}

pub fn assert_licensed(a: &Authorization) {
    assert!(
        matches!(a, Authorization::Licensed { .. }),
        "expected a licensed request, got {a:?}"
    );
}

/// Checks the ledger of `email` never went below zero in either pool and answers the sums
/// (paid, bonus).
pub fn ledger_sums(env: &TestEnv, email: &str) -> (i64, i64) {
    let lines = env
        .admin(licensing::server::admin::ledger_lines(&env.store, email))
        .unwrap();
    let (mut paid, mut bonus) = (0i64, 0i64);
    for (i, l) in lines.iter().enumerate() {
        assert_eq!(l.seq, i as i64 + 1, "ledger sequence has no gaps");
        match l.pool.as_str() {
            "paid" => paid += l.amount,
            "bonus" => bonus += l.amount,
            p => panic!("pool {p}"),
        }
        assert!(
            paid >= 0 && bonus >= 0,
            "ledger went negative at line {}: paid {paid}, bonus {bonus}",
            l.seq
        );
    }
    (paid, bonus)
}
