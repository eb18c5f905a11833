//! The app's licence gate against the real account server: a signed-in workstation's exports
//! are counted in the journal and synced once; without a lease `nestwork nest` still writes
//! everything, in evaluation mode (EVALUATION layer in each sheet DXF).

use clap::Parser;
use licensing::client::AccountClient;
use licensing::protocol::{LoginRequest, RegisterRequest};
use licensing::server::{Mailer, PasswordCost, RunningServer, ServerConfig, admin};
use licensing::{LeaseSigner, LeaseVerifier, LocalState, MachineFingerprint, RequestKind};
use nestwork::licence::{LicenceContext, RequestGrant, authorize_request_with};
use std::path::Path;
use std::process::Command;

#[test]
fn signed_in_exports_are_licensed_counted_and_synced_once() {
    let dir = tempfile::tempdir().unwrap();
    let signer = LeaseSigner::generate();
    let verifier = LeaseVerifier::new(signer.public_key());
    let config = ServerConfig {
        password_cost: PasswordCost::TestOnly,
        reserve_per_lease: 2,
        ..ServerConfig::new(dir.path().join("server.db").display().to_string())
    };
    let server = RunningServer::start(
        config,
        signer,
        Mailer::outbox(dir.path().join("outbox"), "Nestwork <no-reply@localhost>").unwrap(),
        "127.0.0.1:0".parse().unwrap(),
    )
    .unwrap();
    let store = server.state().store().clone();
    let email = "shop@acme.example";
    let password = "long enough password";
    let client = AccountClient::new(&server.url()).unwrap();
    client
        .register(&RegisterRequest {
            email: email.into(),
            password: password.into(),
            company: "Acme".into(),
        })
        .unwrap();
    server
        .block_on(admin::activate(&store, email, licensing::clock::now_s()))
        .unwrap();
    server
        .block_on(admin::record_credit_purchase(
            &store,
            email,
            5,
            "5.00",
            "EUR",
            "pay-1",
            licensing::clock::now_s(),
        ))
        .unwrap();

    let ctx = LicenceContext {
        state: LocalState::new(dir.path().join("workstation")),
        verifier,
        machine: MachineFingerprint::from_parts("e2e-machine", "e2e-host"),
    };
    // Not signed in yet: evaluation mode, with the reason, and nothing counted.
    let grant = authorize_request_with(&ctx, RequestKind::Export).unwrap();
    assert!(grant.evaluation_mark());
    assert!(
        grant.notice().unwrap().contains("nestwork account login"),
        "{grant:?}"
    );

    let login = client
        .login(&LoginRequest {
            email: email.into(),
            password: password.into(),
            machine: ctx.machine.clone(),
            workstation: "e2e".into(),
        })
        .unwrap();
    let client = client.with_token(login.token);
    client.sync(&ctx.state, &ctx.machine).unwrap();
    assert_eq!(
        authorize_request_with(&ctx, RequestKind::Export).unwrap(),
        RequestGrant::Licensed {
            remaining: 1,
            warning: None
        }
    );
    assert_eq!(
        authorize_request_with(&ctx, RequestKind::Quote).unwrap(),
        RequestGrant::Licensed {
            remaining: 0,
            warning: None
        }
    );
    // The two reserved credits are used: the third waits for a sync.
    let third = authorize_request_with(&ctx, RequestKind::Export).unwrap();
    assert!(
        third
            .notice()
            .unwrap()
            .contains("credits reserved for offline use are spent"),
        "{third:?}"
    );

    let r = client.sync(&ctx.state, &ctx.machine).unwrap();
    assert_eq!(
        (
            r.accepted,
            r.status.credits.paid + r.status.credits.reserved
        ),
        (2, 3)
    );
    let r = client.sync(&ctx.state, &ctx.machine).unwrap();
    assert_eq!(r.accepted, 0, "a second sync counts nothing");
    assert!(matches!(
        authorize_request_with(&ctx, RequestKind::Export).unwrap(),
        RequestGrant::Licensed { .. }
    ));
}

/// Run in a child process with its own `NESTWORK_DATA_DIR` (the environment of this process is
/// left alone): `nestwork nest` on the sample job.
#[test]
fn child_nest_in_data_dir() {
    let (Ok(out), Ok(_)) = (
        std::env::var("NESTWORK_E2E_OUT"),
        std::env::var("NESTWORK_DATA_DIR"),
    ) else {
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let job = root.join("assets/samples/job.toml");
    let cli = nestwork::cli::Cli::parse_from([
        "nestwork",
        "nest",
        job.to_str().unwrap(),
        "--out",
        &out,
        "--time",
        "20",
        "--iterations",
        "2",
    ]);
    nestwork::commands::run(cli).unwrap();
}

#[test]
fn nest_without_account_writes_marked_sheets() {
    let data = tempfile::tempdir().unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_nest_in_data_dir",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env("NESTWORK_DATA_DIR", data.path())
        .env("NESTWORK_E2E_OUT", out.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{stdout}\n{stderr}");
    assert!(
        stderr.contains(
            "evaluation mode (outputs are marked EVALUATION): no licence on this workstation"
        ),
        "{stderr}"
    );
    let sheet = std::fs::read_to_string(out.path().join("sheet-001.dxf")).unwrap();
    assert!(
        sheet.contains("EVALUATION"),
        "the sheet carries the evaluation mark"
    );
    assert!(
        !data.path().join("journal.jsonl").exists(),
        "evaluation mode counts nothing"
    );
}
