//! Outgoing email: SMTP through lettre, or a file outbox (one `.eml` file per message) for
//! local use and tests.

use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;

/// Where validation emails go.
#[derive(Debug, Clone)]
pub enum Mailer {
    /// Writes each message as `<uuid>.eml` into a folder.
    Outbox { dir: PathBuf, from: Mailbox },
    /// Sends through an SMTP server.
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
}

impl Mailer {
    /// A file outbox in `dir` (created if missing).
    pub fn outbox(dir: impl Into<PathBuf>, from: &str) -> Result<Self, String> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create the outbox {}: {e}", dir.display()))?;
        Ok(Self::Outbox {
            dir,
            from: parse_from(from)?,
        })
    }

    /// SMTP from a URL such as `smtps://user:password@mail.example.com` (TLS) or
    /// `smtp://mail.example.com:587?tls=required` (STARTTLS).
    pub fn smtp(url: &str, from: &str) -> Result<Self, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| format!("invalid SMTP URL: {e}"))?
            .build();
        Ok(Self::Smtp {
            transport,
            from: parse_from(from)?,
        })
    }

    /// Sends the account validation link to `to`.
    pub async fn send_validation(&self, to: &str, link: &str) -> Result<(), String> {
        let from = match self {
            Self::Outbox { from, .. } | Self::Smtp { from, .. } => from.clone(),
        };
        let to: Mailbox = to.parse().map_err(|e| format!("invalid recipient: {e}"))?;
        let text = format!(
            "Welcome to Nestwork.\r\n\r\nOpen this link to activate your account:\r\n\r\n{link}\r\n\r\n\
             The link works for 7 days. If you did not create an account, ignore this message.\r\n"
        );
        let message = Message::builder()
            .from(from)
            .to(to)
            .subject("Activate your Nestwork account")
            .header(ContentType::TEXT_PLAIN)
            .body(text)
            .map_err(|e| format!("cannot build the message: {e}"))?;
        match self {
            Self::Outbox { dir, .. } => AsyncFileTransport::<Tokio1Executor>::new(dir)
                .send(message)
                .await
                .map(drop)
                .map_err(|e| format!("cannot write to the outbox {}: {e}", dir.display())),
            Self::Smtp { transport, .. } => transport
                .send(message)
                .await
                .map(drop)
                .map_err(|e| format!("SMTP: {e}")),
        }
    }
}

fn parse_from(from: &str) -> Result<Mailbox, String> {
    from.parse()
        .map_err(|e| format!("invalid sender address \"{from}\": {e}"))
}
