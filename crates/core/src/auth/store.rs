//! Where sessions survive a restart: the secret part (refresh token, PAT, key file) only in the
//! OS keyring, one entry per instance + admin; a non-secret index in the data dir says which
//! admin was signed in to which instance. There is no plain-file fallback.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The keyring service name of every entry.
pub const KEYRING_SERVICE: &str = "passkey-desk";
pub const ENV_DATA_DIR: &str = "PASSKEY_DESK_DATA_DIR";

/// A place for secrets. The calls block (D-Bus, Keychain): call them from `spawn_blocking`.
pub trait SecretStore: Send + Sync + 'static {
    fn load(&self, account: &str) -> Result<Option<String>>;
    fn save(&self, account: &str, secret: &str) -> Result<()>;
    fn delete(&self, account: &str) -> Result<()>;
}

/// The OS keyring: Secret Service on Linux, Keychain on macOS, Credential Manager on Windows.
#[derive(Default)]
pub struct KeyringStore;

impl KeyringStore {
    fn entry(account: &str) -> Result<keyring::Entry> {
        keyring::Entry::new(KEYRING_SERVICE, account).map_err(keyring_error)
    }
}

fn keyring_error(e: keyring::Error) -> Error {
    let detail = match &e {
        keyring::Error::NoStorageAccess(_) => {
            "no access to the keyring: it is locked or not running".to_string()
        }
        keyring::Error::PlatformFailure(inner) => crate::error::sanitize(&inner.to_string(), 200),
        other => crate::error::sanitize(&other.to_string(), 200),
    };
    Error::Keyring { detail }
}

impl SecretStore for KeyringStore {
    fn load(&self, account: &str) -> Result<Option<String>> {
        match Self::entry(account)?.get_password() {
            Ok(secret) => Ok(Some(secret)),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(keyring_error(e)),
        }
    }

    fn save(&self, account: &str, secret: &str) -> Result<()> {
        Self::entry(account)?
            .set_password(secret)
            .map_err(keyring_error)
    }

    fn delete(&self, account: &str) -> Result<()> {
        match Self::entry(account)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(keyring_error(e)),
        }
    }
}

/// An in-memory store for unit tests and for `--ephemeral` runs.
#[derive(Default)]
pub struct MemoryStore(Mutex<HashMap<String, String>>);

impl SecretStore for MemoryStore {
    fn load(&self, account: &str) -> Result<Option<String>> {
        Ok(self
            .0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(account)
            .cloned())
    }

    fn save(&self, account: &str, secret: &str) -> Result<()> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(account.into(), secret.into());
        Ok(())
    }

    fn delete(&self, account: &str) -> Result<()> {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(account);
        Ok(())
    }
}

/// How an admin signed in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "kebab-case")]
pub enum Method {
    /// Authorization Code + PKCE in the system browser.
    Browser,
    /// Device Authorization Grant (a phone signs the desk in).
    Device,
    /// A service user's personal access token.
    Pat,
    /// A service user's JWT-profile key file.
    KeyFile,
    /// A bearer token from `PASSKEY_DESK_TOKEN` (never stored).
    Environment,
}

impl Method {
    pub fn label(self) -> &'static str {
        match self {
            Method::Browser => "browser sign-in (PKCE)",
            Method::Device => "device sign-in (phone)",
            Method::Pat => "service user (personal access token)",
            Method::KeyFile => "service user (key file)",
            Method::Environment => "PASSKEY_DESK_TOKEN",
        }
    }
}

/// The non-secret pointer to a stored session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexEntry {
    /// The keyring account name.
    pub account: String,
    pub subject: String,
    pub login_name: Option<String>,
    pub method: Method,
}

/// The app's data dir (session index, preferences): `PASSKEY_DESK_DATA_DIR`, else the
/// platform's data dir. The CLI and the desktop app share it.
pub fn default_data_dir(env: impl Fn(&str) -> Option<String>) -> Result<PathBuf> {
    env(ENV_DATA_DIR)
        .map(PathBuf::from)
        .or_else(|| dirs::data_dir().map(|d| d.join("passkey-desk")))
        .ok_or_else(|| {
            Error::Config("no data directory on this system: set PASSKEY_DESK_DATA_DIR".into())
        })
}

/// `sessions.toml` in the data dir: instance origin → who is signed in there. No secrets.
#[derive(Clone, Debug)]
pub struct SessionIndex {
    path: PathBuf,
}

impl SessionIndex {
    /// `PASSKEY_DESK_DATA_DIR`, else the platform's data dir.
    pub fn default_location(env: impl Fn(&str) -> Option<String>) -> Result<SessionIndex> {
        Ok(SessionIndex::at(
            default_data_dir(env)?.join("sessions.toml"),
        ))
    }

    pub fn at(path: PathBuf) -> SessionIndex {
        SessionIndex { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn read(&self) -> Result<BTreeMap<String, IndexEntry>> {
        match std::fs::read_to_string(&self.path) {
            Ok(text) => toml::from_str(&text).map_err(|e| {
                Error::Config(format!(
                    "{} is damaged ({}); delete it and sign in again",
                    self.path.display(),
                    e.message()
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(e) => Err(Error::Config(format!(
                "cannot read {}: {e}",
                self.path.display()
            ))),
        }
    }

    fn write(&self, map: &BTreeMap<String, IndexEntry>) -> Result<()> {
        let text = toml::to_string(map).map_err(|e| Error::Config(e.to_string()))?;
        crate::files::write_atomic(&self.path, text.as_bytes())
    }

    pub fn get(&self, instance: &str) -> Result<Option<IndexEntry>> {
        Ok(self.read()?.remove(instance))
    }

    pub fn put(&self, instance: &str, entry: IndexEntry) -> Result<()> {
        let mut map = self.read()?;
        map.insert(instance.to_string(), entry);
        self.write(&map)
    }

    pub fn remove(&self, instance: &str) -> Result<()> {
        let mut map = self.read()?;
        if map.remove(instance).is_some() {
            self.write(&map)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_round_trip_holds_no_secret() {
        let dir = std::env::temp_dir().join(format!("pd-index-{}", std::process::id()));
        let index = SessionIndex::at(dir.join("sessions.toml"));
        assert_eq!(index.get("https://a.example").unwrap(), None);
        let entry = IndexEntry {
            account: "https://a.example 123".into(),
            subject: "123".into(),
            login_name: Some("admin@a.example".into()),
            method: Method::Browser,
        };
        index.put("https://a.example", entry.clone()).unwrap();
        assert_eq!(index.get("https://a.example").unwrap(), Some(entry));
        let text = std::fs::read_to_string(index.path()).unwrap();
        assert!(
            text.contains("admin@a.example") && !text.contains("token"),
            "{text}"
        );
        index.remove("https://a.example").unwrap();
        assert_eq!(index.get("https://a.example").unwrap(), None);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn memory_store() {
        let store = MemoryStore::default();
        store.save("a", "s").unwrap();
        assert_eq!(store.load("a").unwrap().as_deref(), Some("s"));
        store.delete("a").unwrap();
        assert_eq!(store.load("a").unwrap(), None);
    }
}
