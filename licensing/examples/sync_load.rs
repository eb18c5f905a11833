//! Bounded loopback load test: how many usage syncs per second one server holds.
//!
//! ```text
//! cargo run -p licensing --features server --example sync_load -- [--postgres URL] [--seconds 5] [--clients 8]
//! ```
//! Starts its own server on 127.0.0.1 (never talks to anything else) over a temporary SQLite
//! file, or over a fresh database created on the given PostgreSQL server (dropped at the end).
//! Each client is a workstation of its own account that sends one new journal entry per sync;
//! a second round puts every client on one account (all syncs contend for one account lock).

use licensing::client::AccountClient;
use licensing::journal::{GENESIS_HASH, JournalEntry, RequestKind};
use licensing::protocol::{LoginRequest, RegisterRequest, SyncRequest};
use licensing::server::{Mailer, PasswordCost, RunningServer, ServerConfig, admin};
use licensing::{LeaseSigner, MachineFingerprint};
use std::time::{Duration, Instant};

const MAX_SECONDS: u64 = 60;
const MAX_CLIENTS: usize = 64;

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seconds: u64 = arg("--seconds")
        .map_or(Ok(5), |s| s.parse())?
        .min(MAX_SECONDS);
    let clients: usize = arg("--clients")
        .map_or(Ok(8), |s| s.parse())?
        .clamp(1, MAX_CLIENTS);
    let dir = tempfile::tempdir()?;
    let (db, pg) = match arg("--postgres") {
        Some(url) => {
            let name = format!("nw_load_{}", uuid::Uuid::new_v4().simple());
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            rt.block_on(async {
                use sqlx::Connection;
                let mut c = sqlx::PgConnection::connect(&url).await?;
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut c)
                    .await
                    .map(drop)
            })?;
            let base = url
                .rsplit_once('/')
                .map_or(url.as_str(), |(b, _)| b)
                .to_owned();
            (format!("{base}/{name}"), Some((url, name)))
        }
        None => (dir.path().join("load.db").display().to_string(), None),
    };
    let backend = if pg.is_some() { "PostgreSQL" } else { "SQLite" };
    let result = run(&db, dir.path(), seconds, clients, backend);
    if let Some((url, name)) = pg {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        rt.block_on(async {
            use sqlx::Connection;
            let mut c = sqlx::PgConnection::connect(&url).await?;
            sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .execute(&mut c)
                .await
                .map(drop)
        })?;
    }
    result
}

fn run(
    db: &str,
    dir: &std::path::Path,
    seconds: u64,
    clients: usize,
    backend: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let config = ServerConfig {
        password_cost: PasswordCost::TestOnly,
        max_db_connections: 16,
        ..ServerConfig::new(db)
    };
    let server = RunningServer::start(
        config,
        LeaseSigner::generate(),
        Mailer::outbox(dir.join("outbox"), "Load <load@localhost>")?,
        "127.0.0.1:0".parse()?,
    )?;
    assert!(server.addr().ip().is_loopback());
    let store = server.state().store().clone();
    let now = licensing::clock::now_s();
    let password = "load test password";
    let mut accounts = Vec::new();
    for i in 0..=clients {
        let email = format!("load{i}@localhost.example");
        AccountClient::new(&server.url())?.register(&RegisterRequest {
            email: email.clone(),
            password: password.into(),
            company: "Load".into(),
        })?;
        server.block_on(admin::activate(&store, &email, now))?;
        server.block_on(admin::record_credit_purchase(
            &store, &email, 1_000_000, "0", "EUR", "load", now,
        ))?;
        accounts.push(email);
    }
    for (label, shared) in [
        ("one account per client", false),
        ("all clients on one account", true),
    ] {
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let latencies: Vec<Vec<Duration>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..clients)
                .map(|i| {
                    let email = if shared {
                        accounts[clients].clone()
                    } else {
                        accounts[i].clone()
                    };
                    let url = server.url();
                    s.spawn(move || -> Vec<Duration> {
                        let machine =
                            MachineFingerprint::from_parts(&format!("load-{label}-{i}"), "load");
                        let login = AccountClient::new(&url).and_then(|c| {
                            c.login(&LoginRequest {
                                email,
                                password: password.into(),
                                machine: machine.clone(),
                                workstation: "load".into(),
                            })
                        });
                        let Ok(login) = login else { return Vec::new() };
                        let client = AccountClient::new(&url).map(|c| c.with_token(login.token));
                        let Ok(client) = client else {
                            return Vec::new();
                        };
                        let (mut seq, mut prev) = (0u64, GENESIS_HASH.to_owned());
                        let mut lat = Vec::new();
                        while Instant::now() < deadline {
                            seq += 1;
                            let mut e = JournalEntry {
                                id: uuid::Uuid::new_v4().to_string(),
                                seq,
                                prev_hash: prev.clone(),
                                kind: RequestKind::Export,
                                timestamp_s: licensing::clock::now_s(),
                                hash: String::new(),
                            };
                            e.hash = e.compute_hash();
                            prev.clone_from(&e.hash);
                            let t = Instant::now();
                            if client
                                .sync_entries(&SyncRequest {
                                    machine: machine.clone(),
                                    entries: vec![e],
                                })
                                .is_err()
                            {
                                break;
                            }
                            lat.push(t.elapsed());
                        }
                        lat
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_default())
                .collect()
        });
        let mut all: Vec<Duration> = latencies.into_iter().flatten().collect();
        all.sort();
        let n = all.len();
        let pct = |p: f64| {
            all.get(((n as f64 * p) as usize).min(n.saturating_sub(1)))
                .map_or(0.0, |d| d.as_secs_f64() * 1000.0)
        };
        println!(
            "{backend}, {clients} clients, {label}: {n} syncs in {seconds} s = {:.0} syncs/s (latency p50 {:.1} ms, p99 {:.1} ms)",
            n as f64 / seconds as f64,
            pct(0.5),
            pct(0.99)
        );
    }
    server.stop();
    Ok(())
}
