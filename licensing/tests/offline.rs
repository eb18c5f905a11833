//! Offline leases against the real server (SQLite): a tampered lease, a lease copied to
//! another machine, an expired lease and a clock set back are each refused with a clear
//! message and count nothing; a sync cut off by a server crash and retried loses nothing and
//! counts nothing twice.

mod common;

use common::*;
use licensing::clock::now_s;
use licensing::journal::RequestKind;
use licensing::lease::{Entitlement, LeaseError};
use licensing::server::admin;
use licensing::{Authorization, ClockError, EvaluationReason, LocalState, MachineFingerprint};

fn funded_workstation(env: &TestEnv, email: &str) -> Workstation {
    env.register_validated(email);
    env.admin(admin::record_credit_purchase(
        &env.store,
        email,
        50,
        "50.00",
        "EUR",
        "pay-1",
        now_s(),
    ))
    .unwrap();
    let ws = env.workstation(email, "ws");
    ws.fetch_lease();
    ws
}

fn evaluation_reason(a: Authorization) -> EvaluationReason {
    match a {
        Authorization::Evaluation(r) => r,
        other => panic!("expected evaluation mode, got {other:?}"),
    }
}

#[test]
fn tampered_copied_expired_and_clock_set_back_leases_are_refused() {
    let env = TestEnv::start(Db::Sqlite, |c| c.reserve_per_lease = 5).unwrap();
    let ws = funded_workstation(&env, "lease@acme.example");
    let now = now_s();
    assert_licensed(&ws.export_at(now));
    assert_eq!(ws.journal_len(), 1);

    // Tampered: more credits written into the lease file.
    let original = std::fs::read_to_string(ws.state.lease_path()).unwrap();
    assert!(original.contains("\"reserved\": 5"));
    std::fs::write(
        ws.state.lease_path(),
        original.replace("\"reserved\": 5", "\"reserved\": 500"),
    )
    .unwrap();
    let r = evaluation_reason(ws.export_at(now));
    assert!(
        matches!(r, EvaluationReason::Lease(LeaseError::Tampered)),
        "{r:?}"
    );
    assert!(r.to_string().contains("altered"), "{r}");
    // Garbage in the file counts as tampered too.
    std::fs::write(ws.state.lease_path(), "{ not a lease").unwrap();
    assert!(matches!(
        evaluation_reason(ws.export_at(now)),
        EvaluationReason::Lease(LeaseError::Tampered)
    ));
    std::fs::write(ws.state.lease_path(), &original).unwrap();
    assert_licensed(&ws.export_at(now));

    // Copied to another machine (lease file and even the journal).
    let other_dir = tempfile::tempdir().unwrap();
    std::fs::copy(ws.state.lease_path(), other_dir.path().join("lease.json")).unwrap();
    std::fs::copy(
        ws.state.journal_path(),
        other_dir.path().join("journal.jsonl"),
    )
    .unwrap();
    let other = LocalState::new(other_dir.path());
    let other_machine = MachineFingerprint::from_parts("another-machine-id", "other-pc");
    let r = evaluation_reason(
        other
            .authorize(RequestKind::Export, &ws.verifier, &other_machine, now)
            .unwrap(),
    );
    assert!(
        matches!(r, EvaluationReason::Lease(LeaseError::OtherMachine)),
        "{r:?}"
    );
    assert!(r.to_string().contains("another workstation"), "{r}");

    // Expired: 14 days after issue.
    let lease = ws.state.load_lease().unwrap().unwrap().unwrap();
    assert_eq!(
        lease.body.expires_at_s - lease.body.issued_at_s,
        14 * 86_400
    );
    let r = evaluation_reason(ws.export_at(lease.body.expires_at_s + 1));
    assert!(
        matches!(r, EvaluationReason::Lease(LeaseError::Expired { .. })),
        "{r:?}"
    );
    assert!(
        r.to_string().contains("expired") && r.to_string().contains("nestwork account sync"),
        "{r}"
    );

    // Clock set back: below the latest time this workstation has seen (the failed attempt at
    // the expiry time above counts as seen).
    let r = evaluation_reason(ws.export_at(now));
    assert!(
        matches!(r, EvaluationReason::Clock(ClockError::SetBack { .. })),
        "{r:?}"
    );
    assert!(r.to_string().contains("set the clock"), "{r}");
    // … and, on a fresh machine state, a clock before the lease's issue time.
    let fresh_dir = tempfile::tempdir().unwrap();
    std::fs::copy(ws.state.lease_path(), fresh_dir.path().join("lease.json")).unwrap();
    let fresh = LocalState::new(fresh_dir.path());
    let r = evaluation_reason(
        fresh
            .authorize(
                RequestKind::Export,
                &ws.verifier,
                &ws.machine,
                lease.body.issued_at_s - 86_400,
            )
            .unwrap(),
    );
    assert!(
        matches!(r, EvaluationReason::Clock(ClockError::SetBack { .. })),
        "{r:?}"
    );
    // The verifier itself refuses a time before issue.
    assert!(matches!(
        ws.verifier
            .verify(&lease, &ws.machine, lease.body.issued_at_s - 86_400),
        Err(LeaseError::ClockSetBack { .. })
    ));

    // None of the refusals counted anything.
    assert_eq!(ws.journal_len(), 2);
    assert_eq!(fresh.journal().unwrap().entries().len(), 0);

    // A lease signed by another key (e.g. a forged server) is refused as tampered.
    let forged = licensing::LeaseSigner::generate().sign(lease.body.clone());
    assert_eq!(
        ws.verifier.verify(&forged, &ws.machine, now),
        Err(LeaseError::Tampered)
    );
}

#[test]
fn reserved_credits_bound_offline_use() {
    let env = TestEnv::start(Db::Sqlite, |c| c.reserve_per_lease = 3).unwrap();
    let ws = funded_workstation(&env, "bound@acme.example");
    assert!(matches!(
        ws.state
            .load_lease()
            .unwrap()
            .unwrap()
            .unwrap()
            .body
            .entitlement,
        Entitlement::Credits { reserved: 3 }
    ));
    for left in [2, 1, 0] {
        match ws.export() {
            Authorization::Licensed { remaining, .. } => assert_eq!(remaining, left),
            other => panic!("{other:?}"),
        }
    }
    let r = evaluation_reason(ws.export());
    assert!(
        matches!(r, EvaluationReason::CreditsUsedUp { reserved: 3 }),
        "{r:?}"
    );
    assert_eq!(ws.journal_len(), 3);
    let s = ws.sync();
    assert_eq!(
        (s.accepted, s.status.credits.paid, s.status.credits.reserved),
        (3, 44, 3)
    );
    assert_licensed(&ws.export());
}

#[test]
fn sync_cut_by_a_server_crash_and_retried_loses_nothing() {
    let mut env = TestEnv::start(Db::Sqlite, |c| c.reserve_per_lease = 10).unwrap();
    let email = "crash@acme.example";
    let ws = funded_workstation(&env, email);
    for _ in 0..3 {
        assert_licensed(&ws.export());
    }
    let account = env.account_id(email);

    // Another instance holds the account lock, so the sync stops inside the server; then the
    // server process dies with the request in flight.
    let blocker = env.admin(env.store.begin_locked(&account)).unwrap();
    let cut = std::thread::scope(|s| {
        let h = s.spawn(|| ws.client.sync(&ws.state, &ws.machine));
        std::thread::sleep(std::time::Duration::from_millis(500));
        assert!(!h.is_finished(), "the sync is waiting inside the server");
        env.kill();
        h.join().unwrap()
    });
    assert!(cut.is_err(), "the cut sync reports an error: {cut:?}");
    env.admin(blocker.rollback()).unwrap();
    let usage = env.admin(admin::usage(&env.store, email, now_s())).unwrap();
    assert!(usage.months.is_empty(), "nothing counted by the cut sync");
    assert_eq!(ws.journal_len(), 3, "the journal still holds every request");

    // The server comes back; the retry counts all three once.
    env.restart();
    let ws = Workstation {
        client: env.client().with_token(ws.login.token.clone()),
        ..ws
    };
    let r = ws.sync();
    assert_eq!((r.accepted, r.duplicates), (3, 0));
    // An answer lost after commit: sending the same entries again counts nothing.
    let entries = ws.state.journal().unwrap().entries().to_vec();
    let again = ws
        .client
        .sync_entries(&licensing::protocol::SyncRequest {
            machine: ws.machine.clone(),
            entries,
        })
        .unwrap();
    assert_eq!((again.accepted, again.duplicates), (0, 3));
    let usage = env.admin(admin::usage(&env.store, email, now_s())).unwrap();
    assert_eq!(usage.months[0].requests, 3);
    assert_eq!(
        ledger_sums(&env, email).0,
        50 - 3 - again.status.credits.reserved
    );
}

#[test]
fn lost_journal_continues_from_the_servers_count() {
    let env = TestEnv::start(Db::Sqlite, |c| c.reserve_per_lease = 5).unwrap();
    let ws = funded_workstation(&env, "lost@acme.example");
    for _ in 0..2 {
        assert_licensed(&ws.export());
    }
    let old_copy = std::fs::read(ws.state.journal_path()).unwrap();
    assert_eq!(ws.sync().accepted, 2);

    // The journal file is lost: the next request continues after the server's count.
    std::fs::remove_file(ws.state.journal_path()).unwrap();
    match ws.export() {
        Authorization::Licensed { entry, .. } => assert_eq!(entry.seq, 3),
        other => panic!("{other:?}"),
    }
    assert_eq!(ws.sync().accepted, 1);

    // An old copy (requests 1–2, all counted) is restored: it is kept aside, not deleted, and
    // counting goes on from 3.
    std::fs::write(ws.state.journal_path(), &old_copy).unwrap();
    match ws.export() {
        Authorization::Licensed { entry, .. } => assert_eq!(entry.seq, 4),
        other => panic!("{other:?}"),
    }
    let kept: Vec<_> = std::fs::read_dir(ws.state.dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("journal-until-2-"))
        .collect();
    assert_eq!(kept.len(), 1, "the old copy is kept");
    let r = ws.sync();
    assert_eq!((r.accepted, r.duplicates), (1, 0));
    let usage = env
        .admin(admin::usage(&env.store, "lost@acme.example", now_s()))
        .unwrap();
    assert_eq!(usage.months[0].requests, 4, "each request counted once");
}
