//! The local quote history: every issued quote is kept in a store folder,
//! numbered from a counter that never goes back, and can be marked accepted
//! (it becomes a firm order). A quote not accepted by its validity date is
//! expired.
//!
//! Store layout:
//! ```text
//! STORE/counter              last number issued (text)
//! STORE/counter.lock         locked while a number is being taken
//! STORE/Q-000042/quote.json  the quote document
//! STORE/Q-000042/quote.pdf   the PDF sent to the customer
//! STORE/Q-000042/status.json open or accepted (with the date)
//! ```
//! The store is `--store DIR`, else `$NESTWORK_DATA_DIR/quotes`, else the
//! OS data folder + `nestwork/quotes` (`~/.local/share/nestwork/quotes` on Linux).

use super::document::{DATE_FORMAT, QuoteDocument};
use super::money::Currency;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

/// Environment variable naming Nestwork's data folder.
pub const DATA_DIR_ENV: &str = "NESTWORK_DATA_DIR";
const COUNTER: &str = "counter";
const COUNTER_LOCK: &str = "counter.lock";
const QUOTE_JSON: &str = "quote.json";
const QUOTE_PDF: &str = "quote.pdf";
const STATUS_JSON: &str = "status.json";

/// Why the history cannot be read or written.
#[derive(Debug, thiserror::Error)]
pub enum HistoryError {
    #[error("cannot use the quote store {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} is damaged: {message}; restore it from a backup (the quote numbers must never go back)", path.display())]
    Damaged { path: PathBuf, message: String },
    #[error("no quote {0} in the store; `nestwork quote list` shows the quotes")]
    Unknown(String),
    #[error("quote {number} expired on {valid_until}: make a new quote instead")]
    Expired { number: String, valid_until: String },
    #[error("quote {number} was already accepted on {on}")]
    AlreadyAccepted { number: String, on: String },
    #[error("no data folder: pass --store DIR or set {DATA_DIR_ENV}")]
    NoDataDir,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> HistoryError + '_ {
    move |source| HistoryError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes `bytes` to `path` through a temporary file renamed into place.
fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), HistoryError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(io(dir))?;
    tmp.write_all(bytes)
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(io(path))?;
    tmp.persist(path).map_err(|e| HistoryError::Io {
        path: path.to_path_buf(),
        source: e.error,
    })?;
    Ok(())
}

/// Open, accepted (a firm order) or expired.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Open,
    Accepted,
    Expired,
}

#[derive(Debug, Serialize, Deserialize)]
struct StatusFile {
    status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    accepted_on: Option<String>,
}

/// One stored quote, as listed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct QuoteSummary {
    pub number: String,
    pub date: String,
    pub valid_until: String,
    pub customer: String,
    pub total_ttc: Decimal,
    pub currency: Currency,
    pub status: Status,
    pub accepted_on: Option<String>,
}

/// A quote store folder.
#[derive(Clone, Debug)]
pub struct QuoteStore {
    root: PathBuf,
}

impl QuoteStore {
    /// The store folder: `explicit`, else `$NESTWORK_DATA_DIR/quotes`, else the OS data folder.
    pub fn locate(explicit: Option<&Path>) -> Result<PathBuf, HistoryError> {
        if let Some(p) = explicit {
            return Ok(p.to_path_buf());
        }
        if let Some(d) = std::env::var_os(DATA_DIR_ENV).filter(|d| !d.is_empty()) {
            return Ok(PathBuf::from(d).join("quotes"));
        }
        dirs::data_dir()
            .map(|d| d.join("nestwork").join("quotes"))
            .ok_or(HistoryError::NoDataDir)
    }

    /// Opens (creating it if needed) the store at `root`.
    pub fn open(root: &Path) -> Result<QuoteStore, HistoryError> {
        std::fs::create_dir_all(root).map_err(io(root))?;
        Ok(QuoteStore {
            root: root.to_path_buf(),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Takes the next quote number. The counter is read and written under an
    /// exclusive lock, so two processes never get the same number, and a
    /// number once taken is never given again (even if that quote is never saved).
    pub fn next_number(&self) -> Result<String, HistoryError> {
        let lock_path = self.root.join(COUNTER_LOCK);
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .map_err(io(&lock_path))?;
        lock.lock().map_err(io(&lock_path))?;
        let counter_path = self.root.join(COUNTER);
        let last: u64 = match File::open(&counter_path) {
            Ok(mut f) => {
                let mut s = String::new();
                f.read_to_string(&mut s).map_err(io(&counter_path))?;
                s.trim().parse().map_err(|_| HistoryError::Damaged {
                    path: counter_path.clone(),
                    message: format!("`{}` is not a number", s.trim()),
                })?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => 0,
            Err(e) => return Err(io(&counter_path)(e)),
        };
        let next = last + 1;
        write_atomic(&counter_path, format!("{next}\n").as_bytes())?;
        lock.unlock().map_err(io(&lock_path))?;
        Ok(format!("Q-{next:06}"))
    }

    fn dir_of(&self, number: &str) -> PathBuf {
        self.root.join(number)
    }

    /// Stores an issued quote and its PDF, status open.
    pub fn save(&self, doc: &QuoteDocument, pdf: &[u8]) -> Result<(), HistoryError> {
        let dir = self.dir_of(&doc.number);
        std::fs::create_dir_all(&dir).map_err(io(&dir))?;
        let json = serde_json::to_vec_pretty(doc).map_err(|e| HistoryError::Damaged {
            path: dir.clone(),
            message: e.to_string(),
        })?;
        write_atomic(&dir.join(QUOTE_JSON), &json)?;
        write_atomic(&dir.join(QUOTE_PDF), pdf)?;
        self.write_status(
            &doc.number,
            &StatusFile {
                status: Status::Open,
                accepted_on: None,
            },
        )
    }

    fn write_status(&self, number: &str, status: &StatusFile) -> Result<(), HistoryError> {
        let path = self.dir_of(number).join(STATUS_JSON);
        let json = serde_json::to_vec_pretty(status).map_err(|e| HistoryError::Damaged {
            path: path.clone(),
            message: e.to_string(),
        })?;
        write_atomic(&path, &json)
    }

    fn read_json<T: serde::de::DeserializeOwned>(path: &Path) -> Result<T, HistoryError> {
        let text = std::fs::read_to_string(path).map_err(io(path))?;
        serde_json::from_str(&text).map_err(|e| HistoryError::Damaged {
            path: path.to_path_buf(),
            message: e.to_string(),
        })
    }

    fn summary(&self, number: &str, today: NaiveDate) -> Result<QuoteSummary, HistoryError> {
        let dir = self.dir_of(number);
        if !dir.join(QUOTE_JSON).is_file() {
            return Err(HistoryError::Unknown(number.to_string()));
        }
        let doc: QuoteDocument = Self::read_json(&dir.join(QUOTE_JSON))?;
        let status: StatusFile = Self::read_json(&dir.join(STATUS_JSON))?;
        let expired =
            status.status == Status::Open && doc.valid_until_date().is_some_and(|v| today > v);
        Ok(QuoteSummary {
            number: doc.number,
            date: doc.date,
            valid_until: doc.valid_until,
            customer: doc.customer.name,
            total_ttc: doc.quote.total_ttc,
            currency: doc.quote.currency,
            status: if expired {
                Status::Expired
            } else {
                status.status
            },
            accepted_on: status.accepted_on,
        })
    }

    /// Every stored quote by number, with its status on `today`.
    pub fn list(&self, today: NaiveDate) -> Result<Vec<QuoteSummary>, HistoryError> {
        let mut numbers: Vec<String> = std::fs::read_dir(&self.root)
            .map_err(io(&self.root))?
            .filter_map(|e| e.ok())
            .filter(|e| e.path().join(QUOTE_JSON).is_file())
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .collect();
        numbers.sort();
        numbers.iter().map(|n| self.summary(n, today)).collect()
    }

    /// Marks quote `number` accepted on `today` (a firm order); refused when
    /// it has expired or was already accepted.
    pub fn accept(&self, number: &str, today: NaiveDate) -> Result<QuoteSummary, HistoryError> {
        let s = self.summary(number, today)?;
        match s.status {
            Status::Expired => Err(HistoryError::Expired {
                number: s.number,
                valid_until: s.valid_until,
            }),
            Status::Accepted => Err(HistoryError::AlreadyAccepted {
                number: s.number,
                on: s.accepted_on.unwrap_or_default(),
            }),
            Status::Open => {
                let on = today.format(DATE_FORMAT).to_string();
                self.write_status(
                    number,
                    &StatusFile {
                        status: Status::Accepted,
                        accepted_on: Some(on),
                    },
                )?;
                self.summary(number, today)
            }
        }
    }
}
