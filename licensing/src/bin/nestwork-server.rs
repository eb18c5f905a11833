//! `nestwork-server`: the Nestwork account and licence server.
//!
//! ```text
//! nestwork-server keygen --out signing.key
//! nestwork-server --db nestwork.db --listen 127.0.0.1:8787 --signing-key signing.key --outbox outbox/
//! nestwork-server --db nestwork.db admin plan-create --code pro-annual --name "Pro annual" --period annual --price 990.00 --currency EUR
//! ```

use clap::{Args, Parser, Subcommand};
use licensing::clock::{format_utc, now_s};
use licensing::server::{
    Mailer, RunningServer, ServerConfig, ServiceError, Store, admin, read_signing_key,
    write_signing_key,
};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

/// Nestwork account server: accounts, packages, credits, offline leases, usage sync.
#[derive(Debug, Parser)]
#[command(name = "nestwork-server", version, about)]
struct Cli {
    /// SQLite file (created if missing) or a postgres:// URL.
    #[arg(
        long,
        global = true,
        default_value = "nestwork.db",
        env = "NESTWORK_SERVER_DB"
    )]
    db: String,
    #[command(flatten)]
    serve: ServeArgs,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8787")]
    listen: SocketAddr,
    /// Ed25519 signing key file (made by `nestwork-server keygen`).
    #[arg(long, value_name = "PATH")]
    signing_key: Option<PathBuf>,
    /// Write emails as .eml files into this folder instead of sending them.
    #[arg(long, value_name = "DIR", conflicts_with = "smtp_url")]
    outbox: Option<PathBuf>,
    /// SMTP server, e.g. smtps://user:password@mail.example.com (env NESTWORK_SMTP_URL keeps the password off the command line).
    #[arg(long, env = "NESTWORK_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,
    /// Sender of the emails.
    #[arg(long, default_value = "Nestwork <no-reply@localhost>")]
    mail_from: String,
    /// Public base URL used in validation links (default: http://LISTEN).
    #[arg(long)]
    public_url: Option<String>,
    /// Offline lease validity, days.
    #[arg(long, default_value_t = 14)]
    lease_days: i64,
    /// Credits reserved per workstation lease for pay-per-use accounts.
    #[arg(long, default_value_t = 20)]
    reserve_per_lease: i64,
    /// Largest request body, bytes.
    #[arg(long, default_value_t = 1 << 20)]
    max_body_bytes: usize,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create a new signing key file (mode 0600) and print its public key.
    Keygen {
        #[arg(long, value_name = "PATH")]
        out: PathBuf,
    },
    /// Administration: plans, payments, bonus credits, ledger, usage.
    #[command(subcommand)]
    Admin(AdminCommand),
}

#[derive(Debug, Subcommand)]
enum AdminCommand {
    /// Create a package plan.
    PlanCreate {
        #[arg(long)]
        code: String,
        #[arg(long)]
        name: String,
        /// monthly or annual.
        #[arg(long)]
        period: String,
        /// Price excluding tax, e.g. 49.00.
        #[arg(long)]
        price: String,
        /// EUR (Europe) or USD (elsewhere).
        #[arg(long)]
        currency: String,
    },
    /// Record a payment for credits and add them to the account.
    Payment {
        #[arg(long)]
        email: String,
        #[arg(long)]
        credits: i64,
        /// Amount paid excluding tax, e.g. 100.00.
        #[arg(long)]
        amount: String,
        #[arg(long)]
        currency: String,
        /// The payment provider's reference.
        #[arg(long)]
        reference: String,
    },
    /// Record the payment of a package and start it.
    Subscribe {
        #[arg(long)]
        email: String,
        #[arg(long)]
        plan: String,
        /// Reseller's partner code (annual packages only).
        #[arg(long)]
        partner_code: Option<String>,
        #[arg(long)]
        reference: String,
    },
    /// Grant bonus credits.
    BonusGrant {
        #[arg(long)]
        email: String,
        #[arg(long)]
        credits: i64,
        #[arg(long)]
        reason: String,
    },
    /// Revoke bonus credits (only unspent ones go).
    BonusRevoke {
        #[arg(long)]
        email: String,
        #[arg(long)]
        credits: i64,
        #[arg(long)]
        reason: String,
    },
    /// Activate an account without its email link.
    Activate {
        #[arg(long)]
        email: String,
    },
    /// Print an account's credits ledger.
    Ledger {
        #[arg(long)]
        email: String,
    },
    /// Print an account's state and usage per month.
    Usage {
        #[arg(long)]
        email: String,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), String> {
    match cli.command {
        Some(Command::Keygen { out }) => {
            let signer = write_signing_key(&out)?;
            println!(
                "signing key written to {} (keep it secret, mode 0600)",
                out.display()
            );
            println!("public key: {}", signer.public_key_hex());
            println!(
                "build the app with NESTWORK_LEASE_PUBLIC_KEY={} to trust it",
                signer.public_key_hex()
            );
            Ok(())
        }
        Some(Command::Admin(cmd)) => {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            rt.block_on(run_admin(&cli.db, cmd))
                .map_err(|e| e.to_string())
        }
        None => serve(&cli.db, cli.serve),
    }
}

fn serve(db: &str, args: ServeArgs) -> Result<(), String> {
    let key_path = args
        .signing_key
        .ok_or("give --signing-key PATH (create one with `nestwork-server keygen --out PATH`)")?;
    let signer = read_signing_key(&key_path)?;
    let mailer = match (&args.outbox, &args.smtp_url) {
        (Some(dir), _) => Mailer::outbox(dir, &args.mail_from)?,
        (None, Some(url)) => Mailer::smtp(url, &args.mail_from)?,
        (None, None) => {
            return Err(
                "give --outbox DIR (local use) or --smtp-url URL to send validation emails".into(),
            );
        }
    };
    let config = ServerConfig {
        public_url: args.public_url,
        lease_days: args.lease_days,
        reserve_per_lease: args.reserve_per_lease,
        max_body_bytes: args.max_body_bytes,
        ..ServerConfig::new(db)
    };
    tracing::info!(public_key = %signer.public_key_hex(), "lease signing key loaded");
    let server =
        RunningServer::start(config, signer, mailer, args.listen).map_err(|e| e.to_string())?;
    eprintln!(
        "nestwork-server listening on {} (Ctrl-C stops)",
        server.url()
    );
    let stop = server.block_on(async { tokio::signal::ctrl_c().await });
    if let Err(e) = stop {
        return Err(format!("cannot wait for Ctrl-C: {e}"));
    }
    eprintln!("stopping");
    server.stop();
    Ok(())
}

async fn run_admin(db: &str, cmd: AdminCommand) -> Result<(), ServiceError> {
    let store = Store::connect(db, 2).await?;
    let now = now_s();
    match cmd {
        AdminCommand::PlanCreate {
            code,
            name,
            period,
            price,
            currency,
        } => {
            admin::create_plan(&store, &code, &name, &period, &price, &currency, now).await?;
            println!("plan {code} created");
        }
        AdminCommand::Payment {
            email,
            credits,
            amount,
            currency,
            reference,
        } => {
            admin::record_credit_purchase(
                &store, &email, credits, &amount, &currency, &reference, now,
            )
            .await?;
            println!("{credits} credits added to {email} (payment {reference})");
        }
        AdminCommand::Subscribe {
            email,
            plan,
            partner_code,
            reference,
        } => {
            let p = admin::subscribe(
                &store,
                &email,
                &plan,
                partner_code.as_deref(),
                &reference,
                now,
            )
            .await?;
            println!(
                "{email}: package {} until {}, renews automatically",
                p.plan,
                format_utc(p.period_end_s)
            );
        }
        AdminCommand::BonusGrant {
            email,
            credits,
            reason,
        } => {
            admin::grant_bonus(&store, &email, credits, &reason, now).await?;
            println!("{credits} bonus credits granted to {email}");
        }
        AdminCommand::BonusRevoke {
            email,
            credits,
            reason,
        } => {
            let revoked = admin::revoke_bonus(&store, &email, credits, &reason, now).await?;
            println!(
                "{revoked} of {credits} bonus credits revoked from {email} (only unspent bonus can be revoked)"
            );
        }
        AdminCommand::Activate { email } => {
            admin::activate(&store, &email, now).await?;
            println!("{email} activated");
        }
        AdminCommand::Ledger { email } => {
            println!(
                "{:>5}  {:<16} {:<12} {:<6} {:>7}  reference",
                "seq", "time", "kind", "pool", "amount"
            );
            for l in admin::ledger_lines(&store, &email).await? {
                println!(
                    "{:>5}  {:<16} {:<12} {:<6} {:>+7}  {}",
                    l.seq,
                    &format_utc(l.created_at_s)[..16],
                    l.kind,
                    l.pool,
                    l.amount,
                    l.reference.unwrap_or_default()
                );
            }
        }
        AdminCommand::Usage { email } => {
            let report = admin::usage(&store, &email, now).await?;
            let s = &report.status;
            println!("{} ({})", s.email, s.company);
            match &s.package {
                Some(p) => println!(
                    "package: {} until {}{}",
                    p.plan,
                    format_utc(p.period_end_s),
                    if p.auto_renew {
                        ", renews"
                    } else {
                        ", cancelled"
                    }
                ),
                None => println!("package: none (pay-per-use)"),
            }
            println!(
                "credits: {} paid + {} bonus available, {} reserved by leases",
                s.credits.paid, s.credits.bonus, s.credits.reserved
            );
            println!(
                "fair use {}: {} of {}",
                s.fair_use.month, s.fair_use.used, s.fair_use.limit
            );
            for m in report.months {
                println!(
                    "{}: {} requests ({} package, {} bonus, {} paid, {} uncovered)",
                    m.month, m.requests, m.package, m.bonus, m.paid, m.uncovered
                );
            }
        }
    }
    Ok(())
}
