//! Quotes for estimators: the cost model of a nested job, customers, VAT,
//! shipping, currency, the quote document (PDF, JSON, CSV) and the local
//! quote history. No GUI code here: a panel calls [`price_job`] (pure and
//! fast) with the same inputs as the command line.

pub mod cost;
pub mod countries;
pub mod csv;
pub mod customer;
pub mod document;
pub mod history;
pub mod money;
pub mod pdf;
pub mod settings;
pub mod shipping;
pub mod tables;
pub mod thumbnail;
pub mod vat;

pub use cost::{
    Charge, ChargeKind, CostBreakdown, PartLine, Quote, QuoteInput, SheetCost, price_job,
};
pub use customer::{Customer, CustomerKind};
pub use document::QuoteDocument;
pub use money::Currency;
pub use settings::{Operation, QuoteOptions, Settings};
pub use tables::{Machine, Machines, Material, Materials};
pub use vat::{VatRule, VatTreatment};

/// Why a job cannot be quoted.
#[derive(Debug, thiserror::Error)]
pub enum QuoteError {
    /// A settings, table, customer or options file cannot be read or parsed.
    #[error("{origin}: {message}")]
    File { origin: String, message: String },
    /// A material or machine table does not have what the quote needs.
    #[error("{0}")]
    Table(String),
    /// The customer file is incomplete or wrong.
    #[error("customer: {0}")]
    Customer(String),
    /// A malformed intra-community VAT number.
    #[error("VAT number {0}")]
    VatNumber(String),
    /// The options file names something the job does not have.
    #[error("options: {0}")]
    Options(String),
    /// The layout cannot be measured (it does not belong to the job).
    #[error(transparent)]
    Metrics(#[from] nesting::metrics::MetricsError),
    /// Nothing to quote, or a value out of range.
    #[error("{0}")]
    Job(String),
}
