//! The kiosk's PIN: stored only as an Argon2 hash, and a gate that makes wrong PINs wait
//! longer each time — a wait that survives a restart of the app ([`PinGate::load`]). Pure,
//! with the clock passed in, so the rules are tested without waiting.

use std::path::{Path, PathBuf};
use std::time::Duration;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The kiosk PIN as an Argon2id hash (a PHC string, safe to keep in the config file); the PIN
/// itself is never stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PinHash(String);

impl PinHash {
    /// Hashes a new PIN: 6 to 32 characters, no spaces at the ends.
    pub fn new(pin: &str) -> Result<PinHash> {
        let length = pin.chars().count();
        if !(6..=32).contains(&length) || pin.trim() != pin {
            return Err(Error::InvalidInput(
                "a kiosk PIN has 6 to 32 characters, without spaces at the ends".into(),
            ));
        }
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(pin.as_bytes(), &salt)
            .map(|hash| PinHash(hash.to_string()))
            .map_err(|e| Error::InvalidInput(format!("cannot hash the PIN: {e}")))
    }

    /// A stored hash, checked to be a PHC string.
    pub fn parse(phc: &str) -> Result<PinHash> {
        PasswordHash::new(phc)
            .map(|_| PinHash(phc.to_string()))
            .map_err(|_| {
                Error::Config(
                    "the stored kiosk PIN is not an Argon2 hash: set the PIN again".into(),
                )
            })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn matches(&self, pin: &str) -> bool {
        PasswordHash::new(&self.0).is_ok_and(|hash| {
            Argon2::default()
                .verify_password(pin.as_bytes(), &hash)
                .is_ok()
        })
    }
}

/// Guards the kiosk's unlock: after [`PinGate::FREE_TRIES`] wrong PINs, every further try
/// waits twice as long as the one before (2 s, 4 s, 8 s … at most 5 minutes); during the wait
/// even the right PIN is refused. The count and the wait are kept in a file, so quitting the
/// app (or pulling its plug) does not start the tries afresh.
#[derive(Debug)]
pub struct PinGate {
    hash: PinHash,
    tries: Tries,
    file: Option<PathBuf>,
}

/// What the gate remembers between runs (never the PIN or its hash).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
struct Tries {
    failures: u32,
    locked_until: Option<DateTime<Utc>>,
}

/// The gate's file in the data dir.
pub const GATE_FILE: &str = "kiosk-gate.json";

impl PinGate {
    pub const FREE_TRIES: u32 = 3;
    const MAX_DELAY: Duration = Duration::from_secs(300);

    /// A gate that forgets its tries when the app stops.
    pub fn new(hash: PinHash) -> PinGate {
        PinGate {
            hash,
            tries: Tries::default(),
            file: None,
        }
    }

    /// A gate whose tries are kept in `data_dir`: a wait that was running when the app
    /// stopped still runs. A damaged file counts as no failures.
    pub fn load(hash: PinHash, data_dir: &Path) -> PinGate {
        let file = data_dir.join(GATE_FILE);
        let tries = std::fs::read(&file)
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default();
        PinGate {
            hash,
            tries,
            file: Some(file),
        }
    }

    /// A new PIN starts with no failures.
    pub fn forget(data_dir: &Path) {
        let _ = std::fs::remove_file(data_dir.join(GATE_FILE));
    }

    pub fn try_unlock(&mut self, pin: &str, now: DateTime<Utc>) -> Result<()> {
        if let Some(until) = self.tries.locked_until.filter(|until| *until > now) {
            return Err(Error::PinRefused {
                retry_after: (until - now).to_std().ok(),
            });
        }
        if self.hash.matches(pin) {
            self.tries = Tries::default();
            self.save();
            return Ok(());
        }
        self.tries.failures += 1;
        let delay = self.delay();
        self.tries.locked_until = delay
            .and_then(|d| chrono::Duration::from_std(d).ok())
            .map(|d| now + d);
        self.save();
        Err(Error::PinRefused { retry_after: delay })
    }

    /// When the next try is checked (`None`: now).
    pub fn retry_at(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        self.tries.locked_until.filter(|until| *until > now)
    }

    /// How long until the next try is checked (`None`: now).
    pub fn retry_after(&self, now: DateTime<Utc>) -> Option<Duration> {
        self.retry_at(now)
            .and_then(|until| (until - now).to_std().ok())
    }

    /// Keeps the tries; a gate that cannot write still counts in memory (and says so).
    fn save(&self) {
        let Some(file) = &self.file else { return };
        let written = serde_json::to_vec(&self.tries)
            .map_err(|e| Error::io("encode the PIN tries", e))
            .and_then(|bytes| crate::files::write_atomic(file, &bytes));
        if let Err(e) = written {
            tracing::warn!(error = %e, "the kiosk's PIN tries are not kept across a restart");
        }
    }

    /// The wait after the current number of failures, if any.
    fn delay(&self) -> Option<Duration> {
        let over = self.tries.failures.checked_sub(Self::FREE_TRIES)?;
        let secs = 2u64.saturating_pow(over + 1);
        Some(Duration::from_secs(secs).min(Self::MAX_DELAY))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + secs, 0).unwrap()
    }

    #[test]
    fn the_pin_is_stored_only_as_an_argon2_hash() {
        let hash = PinHash::new("482916").unwrap();
        assert!(hash.as_str().starts_with("$argon2id$"), "{}", hash.as_str());
        assert!(!hash.as_str().contains("482916"));
        assert_ne!(
            PinHash::new("482916").unwrap(),
            hash,
            "a fresh salt every time"
        );
        assert_eq!(PinHash::parse(hash.as_str()).unwrap(), hash);
        assert_eq!(PinHash::parse("482916").unwrap_err().code(), "config");
        for bad in ["12345", " 123456", &"9".repeat(33)] {
            assert_eq!(
                PinHash::new(bad).unwrap_err().code(),
                "invalid_input",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn wrong_pins_make_each_next_try_wait_longer() {
        let mut gate = PinGate::new(PinHash::new("482916").unwrap());
        for _ in 0..PinGate::FREE_TRIES - 1 {
            assert!(matches!(
                gate.try_unlock("000000", t(0)),
                Err(Error::PinRefused { retry_after: None })
            ));
        }
        // The third wrong PIN starts the delays: 2 s, then 4 s.
        assert!(
            matches!(gate.try_unlock("000000", t(0)), Err(Error::PinRefused { retry_after: Some(d) }) if d == Duration::from_secs(2))
        );
        // Inside the wait even the right PIN is refused.
        assert!(
            matches!(gate.try_unlock("482916", t(1)), Err(Error::PinRefused { retry_after: Some(d) }) if d == Duration::from_secs(1))
        );
        assert!(
            matches!(gate.try_unlock("000000", t(2)), Err(Error::PinRefused { retry_after: Some(d) }) if d == Duration::from_secs(4))
        );
        assert!(gate.try_unlock("482916", t(6)).is_ok());
        // A success resets the count.
        assert!(matches!(
            gate.try_unlock("000000", t(7)),
            Err(Error::PinRefused { retry_after: None })
        ));
    }

    #[test]
    fn the_delay_is_capped() {
        let mut gate = PinGate::new(PinHash::new("482916").unwrap());
        let mut now = t(0);
        let mut last = Duration::ZERO;
        for _ in 0..20 {
            if let Err(Error::PinRefused {
                retry_after: Some(d),
            }) = gate.try_unlock("000000", now)
            {
                last = d;
                now += chrono::Duration::from_std(d).unwrap();
            }
        }
        assert_eq!(last, Duration::from_secs(300));
    }

    #[test]
    fn the_wait_survives_a_restart_and_a_success_clears_it() {
        let dir = std::env::temp_dir().join(format!("pd-gate-{}", std::process::id()));
        let hash = PinHash::new("482916").unwrap();
        let mut gate = PinGate::load(hash.clone(), &dir);
        for _ in 0..PinGate::FREE_TRIES {
            let _ = gate.try_unlock("000000", t(0));
        }
        assert_eq!(gate.retry_after(t(0)), Some(Duration::from_secs(2)));
        let text = std::fs::read_to_string(dir.join(GATE_FILE)).unwrap();
        assert!(
            !text.contains("482916") && !text.contains("argon2"),
            "{text}"
        );

        // The app restarts: the wait and the count are still there.
        let mut again = PinGate::load(hash.clone(), &dir);
        assert_eq!(again.retry_after(t(1)), Some(Duration::from_secs(1)));
        assert!(matches!(
            again.try_unlock("482916", t(1)),
            Err(Error::PinRefused { .. })
        ));
        assert!(
            matches!(again.try_unlock("000000", t(2)), Err(Error::PinRefused { retry_after: Some(d) }) if d == Duration::from_secs(4)),
            "the fourth failure waits 4 s: the count survived"
        );
        assert!(again.try_unlock("482916", t(6)).is_ok());
        assert_eq!(PinGate::load(hash.clone(), &dir).retry_after(t(6)), None);

        // A damaged file is no failures.
        std::fs::write(dir.join(GATE_FILE), "{not json").unwrap();
        assert_eq!(PinGate::load(hash, &dir).retry_after(t(6)), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
