//! The local usage journal: an append-only file of JSON lines, one per request (export or
//! quote), chained by hashes.
//!
//! Each entry has a random id, a sequence number (1, 2, …), the previous entry's hash and its own
//! hash over a canonical encoding of its fields. An entry is written and fsynced before
//! [`UsageJournal::append`] returns, so an export released to the user is always on disk. A
//! crash in the middle of a write leaves a torn last line without newline, which was never
//! confirmed and is cut off on the next load. The server counts entries by id and sequence, so
//! sending an entry again never counts it twice.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fs::{File, OpenOptions};
use std::io::{Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What a request was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestKind {
    /// Sheet DXF files of a nesting result were exported.
    Export,
    /// A quote (PDF) was produced.
    Quote,
}

impl RequestKind {
    /// The name used in the journal and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Export => "export",
            Self::Quote => "quote",
        }
    }

    /// Parses [`RequestKind::as_str`].
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "export" => Some(Self::Export),
            "quote" => Some(Self::Quote),
            _ => None,
        }
    }
}

/// One counted request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JournalEntry {
    /// Random UUID: the server accepts each id once.
    pub id: String,
    /// 1 for the first entry of this journal, then +1.
    pub seq: u64,
    /// Hash of the previous entry ([`GENESIS_HASH`] for the first).
    pub prev_hash: String,
    pub kind: RequestKind,
    pub timestamp_s: i64,
    /// SHA-256 (hex) of the canonical encoding of the fields above.
    pub hash: String,
}

impl JournalEntry {
    /// The hash this entry must carry.
    pub fn compute_hash(&self) -> String {
        let mut h = Sha256::new();
        for field in [
            b"nestwork-journal-v1".as_slice(),
            self.id.as_bytes(),
            &self.seq.to_be_bytes(),
            self.prev_hash.as_bytes(),
            self.kind.as_str().as_bytes(),
            &self.timestamp_s.to_be_bytes(),
        ] {
            h.update((field.len() as u64).to_be_bytes());
            h.update(field);
        }
        hex::encode(h.finalize())
    }
}

/// Why a journal (or a batch of entries) is not a valid chain.
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    #[error("cannot use the usage journal {path}: {source}; check that the folder is writable")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(
        "usage journal {path}, line {line}: not a journal entry ({reason}); the file was edited — restore it from a backup or contact support"
    )]
    Unreadable {
        path: PathBuf,
        line: usize,
        reason: String,
    },
    #[error("usage journal broken at sequence {seq}: {reason}")]
    BrokenChain { seq: u64, reason: String },
}

/// Checks that `entries` continue a chain whose last entry had `prev_seq` and `prev_hash`.
pub fn verify_chain(
    prev_seq: u64,
    prev_hash: &str,
    entries: &[JournalEntry],
) -> Result<(), JournalError> {
    let (mut seq, mut hash) = (prev_seq, prev_hash.to_owned());
    for e in entries {
        let broken = |reason: String| JournalError::BrokenChain { seq: e.seq, reason };
        if e.seq != seq + 1 {
            return Err(broken(format!("expected sequence {}", seq + 1)));
        }
        if e.prev_hash != hash {
            return Err(broken("previous-entry hash does not match".into()));
        }
        if e.compute_hash() != e.hash {
            return Err(broken("entry hash does not match its content".into()));
        }
        if uuid::Uuid::parse_str(&e.id).is_err() {
            return Err(broken("entry id is not a UUID".into()));
        }
        seq = e.seq;
        hash.clone_from(&e.hash);
    }
    Ok(())
}

/// The journal file and its verified entries.
#[derive(Debug)]
pub struct UsageJournal {
    path: PathBuf,
    /// Sequence and hash the first entry continues (0 and genesis for a journal from the start;
    /// the server's count after [`UsageJournal::restart_from`]).
    base: (u64, String),
    entries: Vec<JournalEntry>,
}

impl UsageJournal {
    /// Loads and verifies the journal at `path` (a missing file is an empty journal). A torn
    /// last line (crash during a write that never returned) is cut off.
    pub fn load(path: impl Into<PathBuf>) -> Result<Self, JournalError> {
        let path = path.into();
        let io = |source| JournalError::Io {
            path: path.clone(),
            source,
        };
        let bytes = crate::fs_util::read_optional(&path)
            .map_err(io)?
            .unwrap_or_default();
        let complete_len = bytes.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        if complete_len < bytes.len() {
            tracing::warn!(path = %path.display(), "cutting off an unconfirmed, torn last journal line");
            let f = OpenOptions::new().write(true).open(&path).map_err(io)?;
            f.set_len(complete_len as u64).map_err(io)?;
            f.sync_all().map_err(io)?;
        }
        let text = String::from_utf8_lossy(&bytes[..complete_len]);
        let mut entries = Vec::new();
        for (i, line) in text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
        {
            let entry: JournalEntry =
                serde_json::from_str(line).map_err(|e| JournalError::Unreadable {
                    path: path.clone(),
                    line: i + 1,
                    reason: e.to_string(),
                })?;
            entries.push(entry);
        }
        let base = match entries.first() {
            Some(first) if first.seq > 1 => (first.seq - 1, first.prev_hash.clone()),
            _ => (0, GENESIS_HASH.to_owned()),
        };
        verify_chain(base.0, &base.1, &entries)?;
        Ok(Self {
            path,
            base,
            entries,
        })
    }

    /// All entries, oldest first.
    pub fn entries(&self) -> &[JournalEntry] {
        &self.entries
    }

    /// Entries with a sequence number above `seq`.
    pub fn entries_after(&self, seq: u64) -> &[JournalEntry] {
        let start = self.entries.partition_point(|e| e.seq <= seq);
        &self.entries[start..]
    }

    /// The last sequence number and hash (0 and [`GENESIS_HASH`] when empty).
    pub fn head(&self) -> (u64, &str) {
        self.entries
            .last()
            .map_or((self.base.0, self.base.1.as_str()), |e| {
                (e.seq, e.hash.as_str())
            })
    }

    /// Starts over from the server's count (`seq`, `hash`) when this journal is behind it (the
    /// file was lost or restored from an old copy). A non-empty file is kept beside it as
    /// `journal-until-SEQ-ID.jsonl` (nothing is deleted); answers its path.
    pub fn restart_from(&mut self, seq: u64, hash: &str) -> Result<Option<PathBuf>, JournalError> {
        let mut archived = None;
        if !self.entries.is_empty() {
            let name = format!(
                "journal-until-{}-{}.jsonl",
                self.head().0,
                &uuid::Uuid::new_v4().simple().to_string()[..8]
            );
            let to = self.path.with_file_name(name);
            std::fs::rename(&self.path, &to).map_err(|source| JournalError::Io {
                path: self.path.clone(),
                source,
            })?;
            archived = Some(to);
        }
        self.entries.clear();
        self.base = (seq, hash.to_owned());
        Ok(archived)
    }

    /// Appends one entry, fsyncs the file, and returns the entry. The caller must hold the
    /// state lock (see [`crate::offline::LocalState`]) so two processes never append at once.
    pub fn append(
        &mut self,
        kind: RequestKind,
        timestamp_s: i64,
    ) -> Result<JournalEntry, JournalError> {
        let (seq, prev) = self.head();
        let mut entry = JournalEntry {
            id: uuid::Uuid::new_v4().to_string(),
            seq: seq + 1,
            prev_hash: prev.to_owned(),
            kind,
            timestamp_s,
            hash: String::new(),
        };
        entry.hash = entry.compute_hash();
        let mut line = serde_json::to_vec(&entry).map_err(|e| JournalError::Io {
            path: self.path.clone(),
            source: std::io::Error::other(e),
        })?;
        line.push(b'\n');
        let io = |source| JournalError::Io {
            path: self.path.clone(),
            source,
        };
        let created = !self.path.exists();
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        let mut f: File = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(io)?;
        f.seek(SeekFrom::End(0)).map_err(io)?;
        f.write_all(&line).map_err(io)?;
        f.sync_data().map_err(io)?;
        if created && let Some(dir) = self.path.parent() {
            crate::fs_util::sync_dir(dir);
        }
        self.entries.push(entry.clone());
        Ok(entry)
    }

    /// Where the journal lives.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn append_reload_and_detect_edits() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.jsonl");
        let mut j = UsageJournal::load(&path).unwrap();
        for t in 0..3 {
            j.append(RequestKind::Export, 1_000 + t).unwrap();
        }
        let j2 = UsageJournal::load(&path).unwrap();
        assert_eq!(j2.entries(), j.entries());
        assert_eq!(j2.head().0, 3);
        assert_eq!(j2.entries_after(1).len(), 2);

        // A torn last line (crash mid-write) is cut off, the rest kept.
        let mut f = OpenOptions::new().append(true).open(&path).unwrap();
        f.write_all(b"{\"id\":\"abc\",\"seq\":4").unwrap();
        drop(f);
        let j3 = UsageJournal::load(&path).unwrap();
        assert_eq!(j3.entries().len(), 3);
        assert!(std::fs::read_to_string(&path).unwrap().ends_with("}\n"));

        // Editing an entry breaks the chain.
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replacen("\"export\"", "\"quote\"", 1);
        std::fs::write(&path, text).unwrap();
        let err = UsageJournal::load(&path).unwrap_err();
        assert!(
            matches!(err, JournalError::BrokenChain { seq: 1, .. }),
            "{err}"
        );

        // Deleting a line breaks it too.
        let lines: Vec<String> = j
            .entries()
            .iter()
            .map(|e| serde_json::to_string(e).unwrap())
            .collect();
        std::fs::write(&path, format!("{}\n{}\n", lines[0], lines[2])).unwrap();
        assert!(matches!(
            UsageJournal::load(&path).unwrap_err(),
            JournalError::BrokenChain { seq: 3, .. }
        ));
    }
}
