//! Enrollment-desk rules (issue 5's core): the admin PIN that guards leaving kiosk mode, and
//! when a link on a screen that faces the public must be wiped. Pure state machines with the
//! clock passed in, so the rules are tested without waiting.

use std::time::Duration;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use chrono::{DateTime, Utc};

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
            return Err(Error::Input(
                "a kiosk PIN has 6 to 32 characters, without spaces at the ends".into(),
            ));
        }
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(pin.as_bytes(), &salt)
            .map(|hash| PinHash(hash.to_string()))
            .map_err(|e| Error::Input(format!("cannot hash the PIN: {e}")))
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

/// Guards leaving kiosk mode: after [`PinGate::FREE_TRIES`] wrong PINs, every further try
/// waits twice as long as the one before (2 s, 4 s, 8 s … at most 5 minutes); during the wait
/// even the right PIN is refused.
#[derive(Debug)]
pub struct PinGate {
    hash: PinHash,
    failures: u32,
    locked_until: Option<DateTime<Utc>>,
}

impl PinGate {
    pub const FREE_TRIES: u32 = 3;
    const MAX_DELAY: Duration = Duration::from_secs(300);

    pub fn new(hash: PinHash) -> PinGate {
        PinGate {
            hash,
            failures: 0,
            locked_until: None,
        }
    }

    pub fn try_unlock(&mut self, pin: &str, now: DateTime<Utc>) -> Result<()> {
        if let Some(until) = self.locked_until.filter(|until| *until > now) {
            return Err(Error::PinRefused {
                retry_after: (until - now).to_std().ok(),
            });
        }
        if self.hash.matches(pin) {
            self.failures = 0;
            self.locked_until = None;
            return Ok(());
        }
        self.failures += 1;
        let delay = self.delay();
        self.locked_until = delay
            .and_then(|d| chrono::Duration::from_std(d).ok())
            .map(|d| now + d);
        Err(Error::PinRefused { retry_after: delay })
    }

    /// How long until the next try is checked (`None`: now).
    pub fn retry_after(&self, now: DateTime<Utc>) -> Option<Duration> {
        self.locked_until
            .filter(|until| *until > now)
            .and_then(|until| (until - now).to_std().ok())
    }

    /// The wait after the current number of failures, if any.
    fn delay(&self) -> Option<Duration> {
        let over = self.failures.checked_sub(Self::FREE_TRIES)?;
        let secs = 2u64.saturating_pow(over + 1);
        Some(Duration::from_secs(secs).min(Self::MAX_DELAY))
    }
}

/// Why a link left the screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wipe {
    Registered,
    Expired,
    Idle,
    Cancelled,
}

/// What a public-facing screen shows: nothing, or one link until one of the wipe rules fires.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Screen {
    Blank,
    Showing {
        expires_at: DateTime<Utc>,
        last_activity: DateTime<Utc>,
    },
}

/// The wipe rules: on registration, on expiry, after `idle_timeout` without activity, and on
/// cancel. The next person always starts from [`Screen::Blank`].
#[derive(Clone, Debug)]
pub struct LinkScreen {
    idle_timeout: Duration,
    screen: Screen,
}

impl LinkScreen {
    /// The default idle timeout of an enrollment desk.
    pub const DEFAULT_IDLE: Duration = Duration::from_secs(120);

    pub fn new(idle_timeout: Duration) -> LinkScreen {
        LinkScreen {
            idle_timeout,
            screen: Screen::Blank,
        }
    }

    pub fn set_idle_timeout(&mut self, idle_timeout: Duration) {
        self.idle_timeout = idle_timeout;
    }

    pub fn screen(&self) -> &Screen {
        &self.screen
    }

    pub fn show(&mut self, expires_at: DateTime<Utc>, now: DateTime<Utc>) {
        self.screen = Screen::Showing {
            expires_at,
            last_activity: now,
        };
    }

    /// Someone touched the screen or the admin acted: the idle clock restarts.
    pub fn activity(&mut self, now: DateTime<Utc>) {
        if let Screen::Showing { last_activity, .. } = &mut self.screen {
            *last_activity = now;
        }
    }

    /// Checks the clock-driven rules; returns the wipe if one fired.
    pub fn tick(&mut self, now: DateTime<Utc>) -> Option<Wipe> {
        let Screen::Showing {
            expires_at,
            last_activity,
        } = self.screen
        else {
            return None;
        };
        let idle = chrono::Duration::from_std(self.idle_timeout).unwrap_or(chrono::Duration::MAX);
        let reason = if now >= expires_at {
            Wipe::Expired
        } else if now - last_activity >= idle {
            Wipe::Idle
        } else {
            return None;
        };
        self.screen = Screen::Blank;
        Some(reason)
    }

    pub fn registered(&mut self) -> Option<Wipe> {
        self.wipe(Wipe::Registered)
    }

    pub fn cancel(&mut self) -> Option<Wipe> {
        self.wipe(Wipe::Cancelled)
    }

    fn wipe(&mut self, reason: Wipe) -> Option<Wipe> {
        match std::mem::replace(&mut self.screen, Screen::Blank) {
            Screen::Blank => None,
            Screen::Showing { .. } => Some(reason),
        }
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
            assert_eq!(PinHash::new(bad).unwrap_err().code(), "input", "{bad:?}");
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
    fn a_link_is_wiped_by_registration_expiry_idleness_or_cancel() {
        let mut screen = LinkScreen::new(Duration::from_secs(120));
        assert_eq!(screen.tick(t(0)), None);
        screen.show(t(3600), t(0));
        assert_eq!(screen.tick(t(119)), None);
        screen.activity(t(100));
        assert_eq!(
            screen.tick(t(219)),
            None,
            "activity restarts the idle clock"
        );
        assert_eq!(screen.tick(t(220)), Some(Wipe::Idle));
        assert_eq!(screen.screen(), &Screen::Blank);

        screen.show(t(60), t(0));
        assert_eq!(
            screen.tick(t(60)),
            Some(Wipe::Expired),
            "expiry wins even when the screen is busy"
        );

        screen.show(t(3600), t(0));
        assert_eq!(screen.registered(), Some(Wipe::Registered));
        assert_eq!(screen.registered(), None, "nothing left to wipe");

        screen.show(t(3600), t(0));
        assert_eq!(screen.cancel(), Some(Wipe::Cancelled));
        assert_eq!(screen.screen(), &Screen::Blank);
    }
}
