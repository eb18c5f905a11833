//! Account, ledger, sync and limit scenarios against the real server, each run on SQLite and,
//! when `NESTWORK_TEST_POSTGRES_URL` is set, on PostgreSQL (required with `CI_REQUIRE_POSTGRES=1`).

mod common;

use common::*;
use licensing::client::{AccountClient, ClientError};
use licensing::clock::{add_months, now_s};
use licensing::lease::Entitlement;
use licensing::protocol::*;
use licensing::server::admin;
use licensing::{Authorization, EvaluationReason};

macro_rules! on_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $name() { super::$name(super::Db::Sqlite) } )*
        }
        mod postgres {
            $( #[test] fn $name() { super::$name(super::Db::Postgres) } )*
        }
    };
}

on_both_databases!(
    account_life,
    sync_twice_and_from_two_workstations_counts_once,
    concurrent_spending_never_goes_negative,
    fair_use_limit_applies,
    bad_requests_get_clear_errors_and_change_nothing,
    package_cancellation_notice_periods,
);

/// Register, validate, login, buy credits, grant bonus, export offline three times, sync, see
/// the balance; revoke bonus (only the unspent part goes); password change and sessions.
fn account_life(db: Db) {
    let Some(env) = TestEnv::start(db, |c| c.reserve_per_lease = 4) else {
        return;
    };
    let email = "owner@acme.example";
    env.register_validated(email);
    let ws = env.workstation(email, "laser-pc");

    // No credits yet: the lease allows nothing, exports are evaluation.
    ws.fetch_lease();
    assert!(matches!(
        ws.export(),
        Authorization::Evaluation(EvaluationReason::NoEntitlement)
    ));
    assert_eq!(ws.journal_len(), 0);

    let now = now_s();
    env.admin(admin::record_credit_purchase(
        &env.store, email, 10, "50.00", "EUR", "pay-1", now,
    ))
    .unwrap();
    env.admin(admin::grant_bonus(&env.store, email, 5, "welcome", now))
        .unwrap();
    // A number of credits that is not positive is refused, and nothing is booked.
    let refused = [
        env.admin(admin::record_credit_purchase(
            &env.store, email, 0, "0.00", "EUR", "pay-0", now,
        ))
        .unwrap_err(),
        env.admin(admin::grant_bonus(&env.store, email, -5, "typo", now))
            .unwrap_err(),
        env.admin(admin::revoke_bonus(&env.store, email, 0, "typo", now))
            .unwrap_err(),
    ];
    for err in refused {
        assert_eq!(err.to_string(), "the number of credits must be positive");
    }
    assert_eq!(ledger_sums(&env, email), (10, 5));
    let lease = ws.fetch_lease();
    assert_eq!(lease.body.entitlement, Entitlement::Credits { reserved: 4 });
    let s = ws.client.status().unwrap();
    assert_eq!(
        s.credits,
        CreditBalance {
            paid: 10,
            bonus: 1,
            reserved: 4
        },
        "bonus is reserved first"
    );

    // Offline: three exports, each journaled and fsynced.
    for _ in 0..3 {
        assert_licensed(&ws.export());
    }
    assert_eq!(ws.journal_len(), 3);

    let r = ws.sync();
    assert_eq!((r.accepted, r.duplicates, r.uncovered), (3, 0, 0));
    // 15 credits − 3 used = 12: 4 reserved again (2 bonus + 2 paid), 8 paid available.
    assert_eq!(
        r.status.credits,
        CreditBalance {
            paid: 8,
            bonus: 0,
            reserved: 4
        }
    );
    assert_eq!(r.lease.body.last_seq_seen, 3);
    let usage = env.admin(admin::usage(&env.store, email, now_s())).unwrap();
    let m = &usage.months[0];
    assert_eq!(
        (m.requests, m.bonus, m.paid),
        (3, 3, 0),
        "bonus spent first"
    );

    // Bonus held by the lease is not revocable; after logout returns it, only the unspent 2 go.
    assert_eq!(
        env.admin(admin::revoke_bonus(
            &env.store,
            email,
            5,
            "promo ended",
            now_s()
        ))
        .unwrap(),
        0
    );
    let ws2 = env.workstation(email, "office-pc");
    assert_eq!(ws2.client.sessions().unwrap().len(), 2);
    ws.client.logout().unwrap();
    assert_eq!(
        ws.client.status().unwrap_err().code(),
        Some("unauthorized"),
        "logged-out token refused"
    );
    assert_eq!(
        env.admin(admin::revoke_bonus(
            &env.store,
            email,
            5,
            "promo ended",
            now_s()
        ))
        .unwrap(),
        2
    );
    let s = ws2.client.status().unwrap();
    assert_eq!(
        s.credits,
        CreditBalance {
            paid: 10,
            bonus: 0,
            reserved: 0
        }
    );
    assert_eq!(
        ledger_sums(&env, email),
        (10, 0),
        "ledger sums equal the balance"
    );

    // Password change revokes the other sessions; the new password signs in.
    let ws3 = env.workstation(email, "spare-pc");
    ws2.client
        .change_password(&PasswordChangeRequest {
            old_password: PASSWORD.into(),
            new_password: "a much newer passphrase".into(),
        })
        .unwrap();
    assert_eq!(
        ws3.client.status().unwrap_err().code(),
        Some("unauthorized")
    );
    ws2.client.status().unwrap();
    let login = |pw: &str| {
        env.client().login(&LoginRequest {
            email: email.into(),
            password: pw.into(),
            machine: ws3.machine.clone(),
            workstation: "spare-pc".into(),
        })
    };
    assert!(login(PASSWORD).is_err());
    login("a much newer passphrase").unwrap();
}

/// The same journal synced twice, and two workstations (plus one journal sent twice at once)
/// syncing concurrently: every request is counted exactly once.
fn sync_twice_and_from_two_workstations_counts_once(db: Db) {
    let Some(env) = TestEnv::start(db, |c| c.reserve_per_lease = 10) else {
        return;
    };
    let email = "twice@acme.example";
    env.register_validated(email);
    env.admin(admin::record_credit_purchase(
        &env.store,
        email,
        100,
        "100.00",
        "EUR",
        "pay-1",
        now_s(),
    ))
    .unwrap();
    let a = env.workstation(email, "a");
    let b = env.workstation(email, "b");
    a.fetch_lease();
    b.fetch_lease();
    for _ in 0..5 {
        assert_licensed(&a.export());
        assert_licensed(&b.export());
    }
    // Sync a's whole journal twice (as after a lost answer).
    let all_a = a.state.journal().unwrap().entries().to_vec();
    let r1 = a
        .client
        .sync_entries(&SyncRequest {
            machine: a.machine.clone(),
            entries: all_a.clone(),
        })
        .unwrap();
    let r2 = a
        .client
        .sync_entries(&SyncRequest {
            machine: a.machine.clone(),
            entries: all_a.clone(),
        })
        .unwrap();
    assert_eq!((r1.accepted, r1.duplicates), (5, 0));
    assert_eq!((r2.accepted, r2.duplicates), (0, 5));
    a.state.store_lease(&r2.lease).unwrap();

    // More requests on both; then both workstations sync at once, and b's journal is also sent
    // by a second thread of b at the same moment.
    for _ in 0..3 {
        assert_licensed(&a.export());
        assert_licensed(&b.export());
    }
    let results = std::thread::scope(|s| {
        let h1 = s.spawn(|| a.sync());
        let h2 = s.spawn(|| b.sync());
        let h3 = s.spawn(|| {
            let entries = b.state.journal().unwrap().entries().to_vec();
            b.client
                .sync_entries(&SyncRequest {
                    machine: b.machine.clone(),
                    entries,
                })
                .unwrap()
        });
        [h1.join().unwrap(), h2.join().unwrap(), h3.join().unwrap()]
    });
    let accepted: u64 = results.iter().map(|r| r.accepted).sum();
    assert_eq!(
        accepted,
        3 + 8,
        "a's 3 new and b's 8 counted once between the concurrent calls"
    );
    let usage = env.admin(admin::usage(&env.store, email, now_s())).unwrap();
    assert_eq!(usage.months.iter().map(|m| m.requests).sum::<i64>(), 16);
    let s = a.client.status().unwrap();
    assert_eq!(s.credits.paid + s.credits.reserved, 100 - 16);
    ledger_sums(&env, email);
}

/// 60 workstations ask for leases at once, then sync 2 requests each at once, on an account
/// with 30 credits: never more is reserved or spent than exists; the rest is reported uncovered.
fn concurrent_spending_never_goes_negative(db: Db) {
    let Some(env) = TestEnv::start(db, |c| c.reserve_per_lease = 1) else {
        return;
    };
    let email = "busy@acme.example";
    env.register_validated(email);
    env.admin(admin::record_credit_purchase(
        &env.store,
        email,
        20,
        "20.00",
        "EUR",
        "pay-1",
        now_s(),
    ))
    .unwrap();
    env.admin(admin::grant_bonus(&env.store, email, 10, "promo", now_s()))
        .unwrap();
    let stations: Vec<Workstation> = (0..60)
        .map(|i| env.workstation(email, &format!("ws-{i}")))
        .collect();

    let leases: Vec<_> = std::thread::scope(|s| {
        let hs: Vec<_> = stations
            .iter()
            .map(|w| s.spawn(|| w.client.lease(&w.machine).unwrap()))
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let reserved = leases
        .iter()
        .filter(|l| l.body.entitlement == Entitlement::Credits { reserved: 1 })
        .count();
    assert_eq!(reserved, 30);
    assert_eq!(
        leases
            .iter()
            .filter(|l| l.body.entitlement == Entitlement::Nothing)
            .count(),
        30
    );
    let s = stations[0].client.status().unwrap();
    assert_eq!(
        s.credits,
        CreditBalance {
            paid: 0,
            bonus: 0,
            reserved: 30
        }
    );

    let now = now_s();
    let responses: Vec<SyncResponse> = std::thread::scope(|s| {
        let hs: Vec<_> = stations
            .iter()
            .map(|w| {
                s.spawn(move || {
                    w.client
                        .sync_entries(&SyncRequest {
                            machine: w.machine.clone(),
                            entries: fresh_chain(2, now),
                        })
                        .unwrap()
                })
            })
            .collect();
        hs.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(responses.iter().map(|r| r.accepted).sum::<u64>(), 120);
    assert_eq!(
        responses.iter().map(|r| r.uncovered).sum::<u64>(),
        90,
        "30 credits cover 30 requests"
    );
    let s = stations[0].client.status().unwrap();
    assert_eq!(
        s.credits,
        CreditBalance {
            paid: 0,
            bonus: 0,
            reserved: 0
        }
    );
    assert_eq!(ledger_sums(&env, email), (0, 0));
    let usage = env.admin(admin::usage(&env.store, email, now_s())).unwrap();
    let m = &usage.months[0];
    assert_eq!(
        (m.requests, m.bonus, m.paid, m.uncovered),
        (120, 10, 20, 90)
    );
}

/// A package counts requests per calendar month: a warning from 4,000, evaluation mode from
/// 5,000 with a clear message; requests above the limit are still recorded.
fn fair_use_limit_applies(db: Db) {
    let Some(env) = TestEnv::start(db, |_| {}) else {
        return;
    };
    let email = "heavy@acme.example";
    env.register_validated(email);
    let now = now_s();
    env.admin(admin::create_plan(
        &env.store,
        "pro-m",
        "Pro monthly",
        "monthly",
        "99.00",
        "EUR",
        now,
    ))
    .unwrap();
    env.admin(admin::subscribe(
        &env.store, email, "pro-m", None, "pay-1", now,
    ))
    .unwrap();
    let ws = env.workstation(email, "ws");
    // The workstation's journal holds 5,000 requests (written in bulk; the chain is valid).
    let entries = fresh_chain(5_000, now);
    let lines: String = entries
        .iter()
        .map(|e| serde_json::to_string(e).unwrap() + "\n")
        .collect();
    std::fs::create_dir_all(ws.state.dir()).unwrap();
    std::fs::write(ws.state.journal_path(), lines).unwrap();
    assert_eq!(ws.journal_len(), 5_000);
    let mut last = None;
    for batch in entries[..4_000].chunks(1_000) {
        last = Some(
            ws.client
                .sync_entries(&SyncRequest {
                    machine: ws.machine.clone(),
                    entries: batch.to_vec(),
                })
                .unwrap(),
        );
    }
    let r = last.unwrap();
    assert_eq!(r.status.fair_use.state, FairUseState::Warning);
    assert!(
        r.status
            .fair_use
            .message()
            .unwrap()
            .contains("4000 of 5000")
    );
    let r = ws
        .client
        .sync_entries(&SyncRequest {
            machine: ws.machine.clone(),
            entries: entries[4_000..].to_vec(),
        })
        .unwrap();
    assert_eq!(r.status.fair_use.used, 5_000);
    assert_eq!(r.status.fair_use.state, FairUseState::Limited);
    assert!(
        r.status
            .fair_use
            .message()
            .unwrap()
            .contains("contact sales")
    );
    assert!(matches!(
        r.lease.body.entitlement,
        Entitlement::Package {
            month_used: 5_000,
            fair_use_limit: 5_000,
            ..
        }
    ));

    // Offline, the lease says the limit is reached.
    ws.state.store_lease(&r.lease).unwrap();
    match ws.export() {
        Authorization::Evaluation(reason @ EvaluationReason::FairUseLimit { .. }) => {
            assert!(
                reason.to_string().contains("fair-use limit of 5000"),
                "{reason}"
            )
        }
        other => panic!("expected the fair-use limit, got {other:?}"),
    }
    // One over the limit (e.g. from another workstation) is still recorded, never dropped.
    let more = chain(1, 5_000, &entries[4_999].hash, now);
    let r = ws
        .client
        .sync_entries(&SyncRequest {
            machine: ws.machine.clone(),
            entries: more,
        })
        .unwrap();
    assert_eq!((r.accepted, r.status.fair_use.used), (1, 5_001));
}

/// A wrong password, malformed JSON, an oversized body, a broken chain and a missing token
/// get clear errors and change nothing; repeated wrong passwords are rate-limited.
fn bad_requests_get_clear_errors_and_change_nothing(db: Db) {
    let Some(env) = TestEnv::start(db, |c| c.max_body_bytes = 64 * 1024) else {
        return;
    };
    let email = "careful@acme.example";
    env.register_validated(email);
    env.admin(admin::record_credit_purchase(
        &env.store,
        email,
        10,
        "10.00",
        "EUR",
        "pay-1",
        now_s(),
    ))
    .unwrap();
    let ws = env.workstation(email, "ws");
    let before = (ws.client.status().unwrap(), ledger_sums(&env, email));
    let unchanged = || {
        assert_eq!(
            (ws.client.status().unwrap(), ledger_sums(&env, email)),
            before,
            "nothing changed"
        );
        let usage = env.admin(admin::usage(&env.store, email, now_s())).unwrap();
        assert!(usage.months.is_empty(), "no usage recorded");
    };

    let wrong = env.client().login(&LoginRequest {
        email: email.into(),
        password: "not the password".into(),
        machine: ws.machine.clone(),
        workstation: "x".into(),
    });
    match wrong {
        Err(ClientError::Server {
            status: 401,
            message,
            ..
        }) => assert_eq!(message, "wrong email or password"),
        other => panic!("expected 401, got {other:?}"),
    }
    unchanged();

    let http = reqwest::blocking::Client::new();
    let url = format!("{}/v1/sync", env.url());
    let post = |body: Vec<u8>| {
        let r = http
            .post(&url)
            .bearer_auth(&ws.login.token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .unwrap();
        (r.status().as_u16(), r.json::<ApiErrorBody>().unwrap())
    };
    let (status, body) = post(br#"{"machine": "abc", "entries": [ {"id": 1 ]}"#.to_vec());
    assert_eq!(status, 400);
    assert!(
        body.message
            .starts_with("malformed request, nothing was changed"),
        "{}",
        body.message
    );
    let (status, body) = post(br#"{"machine": 12}"#.to_vec());
    assert_eq!(status, 400, "{}", body.message);
    unchanged();

    let big = serde_json::to_vec(&SyncRequest {
        machine: ws.machine.clone(),
        entries: fresh_chain(400, now_s()),
    })
    .unwrap();
    assert!(big.len() > 64 * 1024);
    let (status, body) = post(big);
    assert_eq!(status, 413);
    assert!(
        body.message.contains("limit of 65536 bytes"),
        "{}",
        body.message
    );
    unchanged();

    // A broken chain (an entry edited after the fact) is refused as a whole.
    let mut entries = fresh_chain(3, now_s());
    entries[1].kind = licensing::RequestKind::Quote;
    let err = ws
        .client
        .sync_entries(&SyncRequest {
            machine: ws.machine.clone(),
            entries,
        })
        .unwrap_err();
    assert_eq!(err.code(), Some("conflict"));
    assert!(err.to_string().contains("nothing was counted"), "{err}");
    unchanged();

    let err = AccountClient::new(&env.url())
        .unwrap()
        .with_token("nw_forged")
        .status()
        .unwrap_err();
    assert_eq!(err.code(), Some("unauthorized"));

    // Rate limit: after 5 failures even the right password waits.
    for _ in 0..4 {
        let _ = env.client().login(&LoginRequest {
            email: email.into(),
            password: "guess guess guess".into(),
            machine: ws.machine.clone(),
            workstation: "x".into(),
        });
    }
    let err = env
        .client()
        .login(&LoginRequest {
            email: email.into(),
            password: PASSWORD.into(),
            machine: ws.machine.clone(),
            workstation: "x".into(),
        })
        .unwrap_err();
    assert_eq!(err.code(), Some("too_many_attempts"));
    assert!(err.to_string().contains("wait 15 minutes"));
    unchanged();
}

/// Monthly packages cancel with 24 h notice, annual ones with 3 months; later notice ends the
/// package after the next term. Partner codes only on annual packages.
fn package_cancellation_notice_periods(db: Db) {
    let Some(env) = TestEnv::start(db, |_| {}) else {
        return;
    };
    let t0 = now_s();
    let store = &env.store;
    env.admin(admin::create_plan(
        store, "m", "Monthly", "monthly", "49.00", "EUR", t0,
    ))
    .unwrap();
    env.admin(admin::create_plan(
        store, "y", "Annual", "annual", "490.00", "USD", t0,
    ))
    .unwrap();
    for e in [
        "m1@x.example",
        "m2@x.example",
        "y1@x.example",
        "y2@x.example",
    ] {
        env.register_validated(e);
    }
    let id = |e: &str| env.account_id(e);
    use licensing::server::packages;

    let err = env
        .admin(admin::subscribe(
            store,
            "m1@x.example",
            "m",
            Some("RESELLER-1"),
            "p",
            t0,
        ))
        .unwrap_err();
    assert!(err.to_string().contains("annual packages only"));

    // Monthly, cancelled 2 days before the end: ends with the term.
    let p = env
        .admin(admin::subscribe(store, "m1@x.example", "m", None, "p1", t0))
        .unwrap();
    assert!(p.auto_renew);
    let c = env
        .admin(packages::cancel(
            store,
            &id("m1@x.example"),
            p.period_end_s - 2 * 86_400,
        ))
        .unwrap();
    assert_eq!(c.ends_at_s, Some(p.period_end_s));
    // Monthly, cancelled 12 hours before the end: one more month.
    let p = env
        .admin(admin::subscribe(store, "m2@x.example", "m", None, "p2", t0))
        .unwrap();
    let c = env
        .admin(packages::cancel(
            store,
            &id("m2@x.example"),
            p.period_end_s - 12 * 3_600,
        ))
        .unwrap();
    assert_eq!(c.ends_at_s, Some(add_months(p.period_end_s, 1)));

    // Annual with a partner code, cancelled 4 months before the end: ends with the term.
    let p = env
        .admin(admin::subscribe(
            store,
            "y1@x.example",
            "y",
            Some("RESELLER-1"),
            "p3",
            t0,
        ))
        .unwrap();
    assert_eq!(p.partner_code.as_deref(), Some("RESELLER-1"));
    let c = env
        .admin(packages::cancel(
            store,
            &id("y1@x.example"),
            add_months(p.period_end_s, -4),
        ))
        .unwrap();
    assert_eq!(c.ends_at_s, Some(p.period_end_s));
    // Annual, cancelled 2 months before the end: another year.
    let p = env
        .admin(admin::subscribe(store, "y2@x.example", "y", None, "p4", t0))
        .unwrap();
    let c = env
        .admin(packages::cancel(
            store,
            &id("y2@x.example"),
            add_months(p.period_end_s, -2),
        ))
        .unwrap();
    assert_eq!(c.ends_at_s, Some(add_months(p.period_end_s, 12)));

    // Cancelled packages end; one never cancelled renews term after term.
    let at = |e: &str, t: i64| env.admin(packages::package_at(store, &id(e), t)).unwrap();
    assert!(at("m1@x.example", add_months(t0, 1) + 60).is_none());
    assert!(
        at("m2@x.example", add_months(t0, 1) + 60).is_some(),
        "late notice: one more month"
    );
    assert!(at("m2@x.example", add_months(t0, 2) + 60).is_none());
    env.register_validated("r@x.example");
    env.admin(admin::subscribe(store, "r@x.example", "m", None, "p5", t0))
        .unwrap();
    let r = at("r@x.example", add_months(t0, 5) + 60).expect("auto-renewed");
    assert_eq!(r.period_end_s, add_months(t0, 6));
    let ws = env.workstation("y1@x.example", "ws");
    assert_eq!(
        ws.client.status().unwrap().package.map(|p| p.plan),
        Some("y".to_owned())
    );
}
