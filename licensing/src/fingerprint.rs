//! The machine fingerprint a lease is bound to.
//!
//! It is `SHA-256("nestwork-machine-v1" ‖ machine id ‖ hostname)` in hex, where the machine id is
//! `/etc/machine-id` (or `/var/lib/dbus/machine-id`) on Linux, and elsewhere a random install id
//! kept in the data folder. It is stable across restarts and updates, changes when the OS is
//! reinstalled or the hostname changes (then the workstation simply syncs for a new lease), and
//! reveals neither value to the server.

use sha2::{Digest, Sha256};
use std::path::Path;

/// A workstation's fingerprint (64 lowercase hex digits).
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct MachineFingerprint(String);

impl MachineFingerprint {
    /// The fingerprint of this machine. `data_dir` holds the install id used where the OS has
    /// no machine id; it is created on first use.
    pub fn current(data_dir: &Path) -> std::io::Result<Self> {
        let machine_id = os_machine_id().map_or_else(|| install_id(data_dir), Ok)?;
        let host = hostname();
        Ok(Self::from_parts(&machine_id, &host))
    }

    /// The fingerprint of a machine id and hostname (also used by tests to model other machines).
    pub fn from_parts(machine_id: &str, hostname: &str) -> Self {
        let mut h = Sha256::new();
        h.update(b"nestwork-machine-v1\0");
        h.update(machine_id.trim().as_bytes());
        h.update(b"\0");
        h.update(hostname.trim().to_lowercase().as_bytes());
        Self(hex::encode(h.finalize()))
    }

    /// The fingerprint as hex text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for MachineFingerprint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// This machine's hostname (a default workstation name).
pub fn hostname() -> String {
    gethostname::gethostname().to_string_lossy().into_owned()
}

fn os_machine_id() -> Option<String> {
    ["/etc/machine-id", "/var/lib/dbus/machine-id"]
        .iter()
        .filter_map(|p| std::fs::read_to_string(p).ok())
        .map(|s| s.trim().to_owned())
        .find(|s| !s.is_empty())
}

fn install_id(data_dir: &Path) -> std::io::Result<String> {
    let path = data_dir.join("install-id");
    if let Some(bytes) = crate::fs_util::read_optional(&path)? {
        let id = String::from_utf8_lossy(&bytes).trim().to_owned();
        if !id.is_empty() {
            return Ok(id);
        }
    }
    let id = uuid::Uuid::new_v4().to_string();
    crate::fs_util::write_atomic(&path, id.as_bytes(), false)?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stable_and_distinct() {
        let dir = tempfile::tempdir().unwrap();
        let a = MachineFingerprint::current(dir.path()).unwrap();
        let b = MachineFingerprint::current(dir.path()).unwrap();
        assert_eq!(a, b);
        assert_eq!(a.as_str().len(), 64);
        assert_ne!(
            MachineFingerprint::from_parts("id1", "host"),
            MachineFingerprint::from_parts("id2", "host")
        );
        assert_ne!(
            MachineFingerprint::from_parts("id1", "a"),
            MachineFingerprint::from_parts("id1", "b")
        );
    }
}
