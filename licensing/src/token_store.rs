//! Where the session token lives: the OS keyring (Linux kernel keyutils, macOS Keychain,
//! Windows Credential Manager), or, where none works (headless machines, containers), the file
//! `session-token` in the data folder with mode 0600.
//!
//! On Linux the keyutils keyring lasts until reboot; after a reboot the user signs in again
//! (the lease and the journal are files, so offline work goes on meanwhile).

use crate::fs_util::{read_optional, write_atomic};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

const SERVICE: &str = "nestwork";

/// Where a token was stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenLocation {
    Keyring,
    File,
}

/// The token could not be stored or read anywhere.
#[derive(Debug, thiserror::Error)]
#[error("cannot store the session token in the OS keyring ({keyring}) nor in {path}: {source}")]
pub struct TokenStoreError {
    keyring: String,
    path: PathBuf,
    source: std::io::Error,
}

/// The session token of one data folder and server.
#[derive(Debug, Clone)]
pub struct TokenStore {
    file: PathBuf,
    user: String,
    use_keyring: bool,
}

impl TokenStore {
    /// The store for `server_url` in `data_dir`. The keyring entry name is derived from both, so
    /// several data folders or servers never share a token.
    pub fn new(data_dir: &Path, server_url: &str) -> Self {
        let mut h = Sha256::new();
        h.update(data_dir.to_string_lossy().as_bytes());
        h.update(b"\0");
        h.update(server_url.as_bytes());
        let user = format!("session-{}", &hex::encode(h.finalize())[..16]);
        Self {
            file: data_dir.join("session-token"),
            user,
            use_keyring: true,
        }
    }

    /// The same store without the keyring (file only).
    pub fn file_only(mut self) -> Self {
        self.use_keyring = false;
        self
    }

    fn entry(&self) -> Option<keyring::Entry> {
        if !self.use_keyring {
            return None;
        }
        keyring::Entry::new(SERVICE, &self.user).ok()
    }

    /// Stores the token: keyring first, file when the keyring fails. The other place is cleared.
    pub fn save(&self, token: &str) -> Result<TokenLocation, TokenStoreError> {
        let keyring_err = match self.entry().map(|e| e.set_password(token)) {
            Some(Ok(())) => {
                // Read back: some headless keyrings accept writes they cannot keep.
                if self.entry().and_then(|e| e.get_password().ok()).as_deref() == Some(token) {
                    let _ = std::fs::remove_file(&self.file);
                    return Ok(TokenLocation::Keyring);
                }
                "the keyring did not keep the token".to_owned()
            }
            Some(Err(e)) => e.to_string(),
            None => "keyring not used".to_owned(),
        };
        tracing::debug!(reason = %keyring_err, "OS keyring unavailable, storing the session token in a 0600 file");
        write_atomic(&self.file, token.as_bytes(), true).map_err(|source| TokenStoreError {
            keyring: keyring_err,
            path: self.file.clone(),
            source,
        })?;
        Ok(TokenLocation::File)
    }

    /// The stored token, if any.
    pub fn load(&self) -> Option<String> {
        if let Some(t) = self.entry().and_then(|e| e.get_password().ok()) {
            return Some(t);
        }
        read_optional(&self.file)
            .ok()
            .flatten()
            .map(|b| String::from_utf8_lossy(&b).trim().to_owned())
            .filter(|t| !t.is_empty())
    }

    /// Forgets the token everywhere.
    pub fn clear(&self) {
        if let Some(e) = self.entry() {
            let _ = e.delete_credential();
        }
        let _ = std::fs::remove_file(&self.file);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_fallback_is_owner_only() {
        let dir = tempfile::tempdir().unwrap();
        let store = TokenStore::new(dir.path(), "http://x").file_only();
        assert_eq!(store.load(), None);
        assert_eq!(store.save("secret-token").unwrap(), TokenLocation::File);
        assert_eq!(store.load().as_deref(), Some("secret-token"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join("session-token"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        store.clear();
        assert_eq!(store.load(), None);
    }

    #[test]
    fn keyring_or_file_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let store = TokenStore::new(dir.path(), "http://keyring-test");
        let loc = store.save("tok-123").unwrap();
        assert_eq!(
            store.load().as_deref(),
            Some("tok-123"),
            "stored in {loc:?}"
        );
        store.clear();
        assert_eq!(store.load(), None);
    }
}
