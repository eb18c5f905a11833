//! `nestwork account register|login|status|sync|logout`: the online account of this
//! workstation. Calls block on the network (this is a command-line process; the GUI runs the
//! same client calls on a worker thread).

use super::output::{outln, print_json};
use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use licensing::client::{AccountClient, DEFAULT_SERVER_URL, is_offline};
use licensing::clock::format_utc;
use licensing::lease::Entitlement;
use licensing::protocol::{AccountStatus, LoginRequest, RegisterRequest};
use licensing::token_store::{TokenLocation, TokenStore};
use licensing::{LocalState, MachineFingerprint};
use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

/// Arguments of `nestwork account`.
#[derive(Debug, Args)]
pub struct AccountArgs {
    /// Account server URL (default: env NESTWORK_SERVER, else https://account.nestwork.app).
    #[arg(long, global = true, value_name = "URL")]
    pub server: Option<String>,
    #[command(subcommand)]
    pub command: AccountCommand,
}

/// The account subcommands.
#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Create an account; a validation link is emailed. The password is read from standard input.
    Register {
        #[arg(long)]
        email: String,
        #[arg(long)]
        company: String,
    },
    /// Sign this workstation in and fetch its offline lease. The password is read from standard input.
    Login {
        #[arg(long)]
        email: String,
        /// Name shown in the account's session list (default: the hostname).
        #[arg(long)]
        workstation: Option<String>,
    },
    /// Package, credits, fair use and the local lease (the lease alone when offline).
    Status,
    /// Send the requests made offline and renew the lease.
    Sync,
    /// Sync, then end this workstation's session and return its reserved credits.
    Logout,
}

struct Ctx {
    server: String,
    state: LocalState,
    machine: MachineFingerprint,
    tokens: TokenStore,
}

impl Ctx {
    fn new(server: Option<&str>) -> Result<Self> {
        let server = server
            .map(str::to_owned)
            .or_else(|| {
                std::env::var("NESTWORK_SERVER")
                    .ok()
                    .filter(|s| !s.is_empty())
            })
            .unwrap_or_else(|| DEFAULT_SERVER_URL.to_owned());
        let dir = LocalState::default_dir()?;
        let machine =
            MachineFingerprint::current(&dir).context("cannot read this machine's identity")?;
        let tokens = TokenStore::new(&dir, &server);
        Ok(Self {
            server,
            state: LocalState::new(dir),
            machine,
            tokens,
        })
    }

    fn client(&self) -> Result<AccountClient> {
        Ok(AccountClient::new(&self.server)?)
    }

    fn signed_in(&self) -> Result<AccountClient> {
        let token = self
            .tokens
            .load()
            .context("not signed in on this workstation; run `nestwork account login`")?;
        Ok(self.client()?.with_token(token))
    }
}

/// Runs an account subcommand.
pub fn run(args: &AccountArgs, json: bool) -> Result<ExitCode> {
    let ctx = Ctx::new(args.server.as_deref())?;
    match &args.command {
        AccountCommand::Register { email, company } => {
            let password = read_password("Password (10 characters or more): ")?;
            let r = ctx.client()?.register(&RegisterRequest {
                email: email.clone(),
                password,
                company: company.clone(),
            })?;
            if json {
                print_json(&r)?;
            } else {
                outln!("{}", r.message)?;
            }
        }
        AccountCommand::Login { email, workstation } => {
            let password = read_password("Password: ")?;
            let workstation = workstation
                .clone()
                .unwrap_or_else(licensing::fingerprint::hostname);
            let login = ctx.client()?.login(&LoginRequest {
                email: email.clone(),
                password,
                machine: ctx.machine.clone(),
                workstation,
            })?;
            let location = ctx.tokens.save(&login.token)?;
            let client = ctx.client()?.with_token(login.token);
            let sync = client
                .sync(&ctx.state, &ctx.machine)
                .context("signed in, but the first sync failed")?;
            if json {
                print_json(&sync.status)?;
            } else {
                outln!(
                    "signed in as {email}; session token stored in {}",
                    match location {
                        TokenLocation::Keyring => "the OS keyring",
                        TokenLocation::File => "the data folder (mode 0600)",
                    }
                )?;
                print_status(&sync.status)?;
                print_lease(&ctx)?;
            }
        }
        AccountCommand::Status => match ctx.signed_in()?.status() {
            Ok(status) => {
                if json {
                    print_json(&status)?;
                } else {
                    print_status(&status)?;
                    print_lease(&ctx)?;
                }
            }
            Err(e) if is_offline(&e) => {
                eprintln!("offline: {e}");
                print_lease(&ctx)?;
            }
            Err(e) => return Err(e.into()),
        },
        AccountCommand::Sync => {
            let r = ctx.signed_in()?.sync(&ctx.state, &ctx.machine)?;
            if json {
                print_json(&r.status)?;
            } else {
                outln!(
                    "synced: {} new request(s) counted, {} already counted",
                    r.accepted,
                    r.duplicates
                )?;
                if r.uncovered > 0 {
                    outln!(
                        "warning: {} request(s) were made without credit left; buy credits or a package",
                        r.uncovered
                    )?;
                }
                print_status(&r.status)?;
                print_lease(&ctx)?;
            }
        }
        AccountCommand::Logout => {
            let client = ctx.signed_in()?;
            if let Err(e) = client.sync(&ctx.state, &ctx.machine) {
                bail!(
                    "the final sync failed, so this workstation stays signed in (its requests are kept): {e}"
                );
            }
            client.logout()?;
            ctx.tokens.clear();
            ctx.state.remove_lease()?;
            if !json {
                outln!(
                    "signed out; the usage journal is kept in {}",
                    ctx.state.dir().display()
                )?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads the password: one line from standard input (piped), or typed after a prompt.
fn read_password(prompt: &str) -> Result<String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("{prompt}");
        std::io::stderr().flush().ok();
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        bail!("no password given: type it, or pipe it on standard input");
    }
    Ok(password)
}

fn print_status(s: &AccountStatus) -> Result<()> {
    outln!("account: {} ({})", s.email, s.company)?;
    match &s.package {
        Some(p) => outln!(
            "package: {} ({}), term ends {}{}",
            p.plan_name,
            p.period,
            format_utc(p.period_end_s),
            match p.ends_at_s {
                Some(end) => format!(", cancelled: ends {}", format_utc(end)),
                None => ", renews automatically".to_owned(),
            }
        )?,
        None => outln!("package: none (pay-per-use)")?,
    }
    outln!(
        "credits: {} available ({} bought, {} bonus), {} reserved for offline use",
        s.credits.paid + s.credits.bonus,
        s.credits.paid,
        s.credits.bonus,
        s.credits.reserved
    )?;
    outln!(
        "fair use {}: {} of {} requests",
        s.fair_use.month,
        s.fair_use.used,
        s.fair_use.limit
    )?;
    if let Some(m) = s.fair_use.message() {
        outln!("note: {m}")?;
    }
    Ok(())
}

fn print_lease(ctx: &Ctx) -> Result<()> {
    let pending = ctx.state.journal().map(|j| j.entries().len());
    match ctx.state.load_lease() {
        Ok(Some(Ok(l))) => {
            let what = match &l.body.entitlement {
                Entitlement::Package { plan, .. } => format!("package {plan}"),
                Entitlement::Credits { reserved } => format!("{reserved} reserved credits"),
                Entitlement::Nothing => "nothing to spend (evaluation mode)".to_owned(),
            };
            let unsynced = pending
                .map(|n| n.saturating_sub(l.body.last_seq_seen as usize))
                .unwrap_or(0);
            outln!(
                "offline lease: {what}, valid until {}; {unsynced} request(s) not synced yet",
                format_utc(l.body.expires_at_s)
            )?;
        }
        Ok(Some(Err(e))) => outln!("offline lease: unusable ({e})")?,
        Ok(None) => outln!("offline lease: none (evaluation mode until you sign in)")?,
        Err(e) => outln!("offline lease: {e}")?,
    }
    Ok(())
}
