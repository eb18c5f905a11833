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

/// Run in a child process: one `nestwork account …` command from `NESTWORK_E2E_ARGS` (one
/// argument per line), with the password piped on standard input.
#[test]
fn child_account_command() {
    let (Ok(args), Ok(_)) = (
        std::env::var("NESTWORK_E2E_ARGS"),
        std::env::var("NESTWORK_DATA_DIR"),
    ) else {
        return;
    };
    let cli = nestwork::cli::Cli::parse_from(std::iter::once("nestwork").chain(args.lines()));
    nestwork::commands::run(cli).unwrap();
}

#[test]
fn account_commands_register_login_status_sync_logout() {
    let dir = tempfile::tempdir().unwrap();
    let config = ServerConfig {
        password_cost: PasswordCost::TestOnly,
        ..ServerConfig::new(dir.path().join("s.db").display().to_string())
    };
    let server = RunningServer::start(
        config,
        LeaseSigner::generate(),
        Mailer::outbox(dir.path().join("outbox"), "Nestwork <no-reply@localhost>").unwrap(),
        "127.0.0.1:0".parse().unwrap(),
    )
    .unwrap();
    let data = dir.path().join("data");
    let account = |args: &[&str], stdin: &str| {
        use std::io::Write;
        let mut all = vec!["account", "--server", &*server.url()]
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>();
        all.extend(args.iter().map(|a| (*a).to_owned()));
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "child_account_command",
                "--nocapture",
                "--test-threads",
                "1",
            ])
            .env("NESTWORK_DATA_DIR", &data)
            .env("NESTWORK_E2E_ARGS", all.join("\n"))
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let o = child.wait_with_output().unwrap();
        (
            o.status.success(),
            format!(
                "{}{}",
                String::from_utf8_lossy(&o.stdout),
                String::from_utf8_lossy(&o.stderr)
            ),
        )
    };
    let email = "cli@acme.example";
    let (ok, out) = account(
        &["register", "--email", email, "--company", "Acme"],
        "a fine long password\n",
    );
    assert!(
        ok && out.contains("open the validation link sent to cli@acme.example"),
        "{out}"
    );
    let (ok, out) = account(&["login", "--email", email], "a fine long password\n");
    assert!(!ok && out.contains("not activated yet"), "{out}");
    let store = server.state().store().clone();
    server
        .block_on(admin::activate(&store, email, licensing::clock::now_s()))
        .unwrap();
    server
        .block_on(admin::record_credit_purchase(
            &store,
            email,
            30,
            "30.00",
            "EUR",
            "pay-1",
            licensing::clock::now_s(),
        ))
        .unwrap();
    let (ok, out) = account(
        &["login", "--email", email, "--workstation", "bench-1"],
        "a fine long password\n",
    );
    assert!(ok && out.contains("signed in as cli@acme.example"), "{out}");
    assert!(
        out.contains("credits: 10 available (10 bought, 0 bonus), 20 reserved"),
        "{out}"
    );
    assert!(data.join("lease.json").exists());
    let (ok, out) = account(&["status"], "");
    assert!(
        ok && out.contains("offline lease: 20 reserved credits"),
        "{out}"
    );
    let (ok, out) = account(&["sync"], "");
    assert!(
        ok && out.contains("synced: 0 new request(s) counted"),
        "{out}"
    );
    let (ok, out) = account(&["logout"], "");
    assert!(ok && out.contains("signed out"), "{out}");
    assert!(!data.join("lease.json").exists());
    let (ok, out) = account(&["status"], "");
    assert!(!ok && out.contains("not signed in"), "{out}");
    let report = server
        .block_on(admin::usage(&store, email, licensing::clock::now_s()))
        .unwrap();
    assert_eq!(
        report.status.credits.paid, 30,
        "logout returned the reserved credits"
    );
}
