//! Database schema, as ordered migrations written in SQL that SQLite and PostgreSQL both run
//! unchanged (TEXT ids, BIGINT times in Unix seconds and credit amounts, 0/1 flags).

/// (version, statements separated by `;`).
pub(crate) const MIGRATIONS: &[(i64, &str)] = &[(
    1,
    r"
CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    company TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    validated_at BIGINT,
    created_at BIGINT NOT NULL,
    lock_version BIGINT NOT NULL DEFAULT 0,
    ledger_seq BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE email_validations (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    token_hash TEXT NOT NULL UNIQUE,
    machine TEXT NOT NULL,
    workstation TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX sessions_account ON sessions(account_id);
CREATE TABLE login_failures (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    at_s BIGINT NOT NULL
);
CREATE INDEX login_failures_email ON login_failures(email, at_s);
CREATE TABLE plans (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    period TEXT NOT NULL,
    price_cents BIGINT NOT NULL,
    currency TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE subscriptions (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    plan_code TEXT NOT NULL REFERENCES plans(code),
    started_at BIGINT NOT NULL,
    period_end BIGINT NOT NULL,
    auto_renew BIGINT NOT NULL,
    ends_at BIGINT,
    partner_code TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX subscriptions_account ON subscriptions(account_id);
CREATE TABLE payments (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    amount_cents BIGINT NOT NULL,
    currency TEXT NOT NULL,
    reference TEXT NOT NULL,
    what TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE TABLE ledger (
    account_id TEXT NOT NULL REFERENCES accounts(id),
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    pool TEXT NOT NULL,
    amount BIGINT NOT NULL,
    machine TEXT,
    reference TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, seq)
);
CREATE TABLE leases (
    account_id TEXT NOT NULL REFERENCES accounts(id),
    machine TEXT NOT NULL,
    lease_id TEXT NOT NULL,
    issued_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    reserved_bonus BIGINT NOT NULL,
    reserved_paid BIGINT NOT NULL,
    released BIGINT NOT NULL,
    PRIMARY KEY (account_id, machine)
);
CREATE TABLE journal_heads (
    account_id TEXT NOT NULL REFERENCES accounts(id),
    machine TEXT NOT NULL,
    last_seq BIGINT NOT NULL,
    last_hash TEXT NOT NULL,
    PRIMARY KEY (account_id, machine)
);
CREATE TABLE usage_entries (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts(id),
    machine TEXT NOT NULL,
    seq BIGINT NOT NULL,
    kind TEXT NOT NULL,
    entry_ts BIGINT NOT NULL,
    month TEXT NOT NULL,
    charged TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    UNIQUE (account_id, machine, seq)
);
CREATE INDEX usage_month ON usage_entries(account_id, month)
",
)];
