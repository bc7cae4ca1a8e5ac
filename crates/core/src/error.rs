//! The one error type of Passkey Desk. Every variant has a stable [`Error::code`] that front
//! ends switch on, and a message that says what happened and what to do next. No message ever
//! holds a token, a PAT, a registration link or a code.

use std::time::Duration;

use serde::Serialize;

use crate::model::UserState;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("not signed in: {hint}")]
    NotSignedIn { hint: String },

    #[error("the server rejected the access token ({id}): it is invalid, expired or revoked; sign in again")]
    TokenRejected { id: String },

    #[error("permission denied in organisation {org}: you lack '{permission}'{}", send_hint(*.send_allowed))]
    PermissionDenied {
        org: String,
        permission: String,
        /// For a refused link: whether asking ZITADEL to email it (`send`) is still allowed.
        send_allowed: Option<bool>,
    },

    #[error("organisation '{org}' does not exist or is not one you may act in: run 'orgs' to list yours")]
    OrgNotFound { org: String },

    #[error(
        "no user '{user}' in organisation {org}: check the spelling or choose another organisation"
    )]
    UserNotFound { user: String, org: String },

    #[error("'{query}' matches {} users: {}; use the user id or the full login name", .candidates.len(), .candidates.join(", "))]
    AmbiguousUser {
        query: String,
        candidates: Vec<String>,
    },

    #[error("{user} is a machine (service) user: passkeys can only be registered for people")]
    NotHuman { user: String },

    #[error(
        "{user} is {state}: reactivate or unlock the user in ZITADEL before registering a passkey"
    )]
    UserNotActive { user: String, state: UserState },

    #[error("the registration code is invalid, used or expired: create a new link")]
    CodeInvalid,

    #[error("the link expired before a passkey was registered: create a new one")]
    LinkExpired,

    #[error("ZITADEL reports a conflict: {message}; reload and try again")]
    Conflict { message: String },

    #[error("the server is rate limiting requests: {}", rate_limit_hint(*.retry_after))]
    RateLimited { retry_after: Option<Duration> },

    #[error("no answer from {host} within {} s: check the network, then try again", .after.as_secs())]
    Timeout { host: String, after: Duration },

    #[error("cannot reach {host}: {detail}; check the instance URL and the network")]
    Network { host: String, detail: String },

    #[error("TLS failure with {host}: {detail}; if the server uses a private CA, add its PEM file as 'ca_file' in the config (or --ca-file)")]
    Tls { host: String, detail: String },

    #[error("the server is unavailable (HTTP {status}): try again in a minute")]
    Unavailable { status: u16 },

    #[error("ZITADEL answered HTTP {status}{}: {message}; {}", id_hint(.id.as_deref()), server_hint(*.status))]
    Server {
        status: u16,
        code: Option<i32>,
        id: Option<String>,
        message: String,
    },

    #[error("the server's answer makes no sense ({detail}): try again; if it keeps happening, check that the instance URL points to ZITADEL itself (not a proxy or a login page)")]
    BadResponse { detail: String },

    #[error("ZITADEL returned a link to {origin}, not to {expected}: it was refused and is not shown; check the instance's external domain or the configured login host")]
    ForeignLink { origin: String, expected: String },

    #[error("this ZITADEL does not offer {call}: set 'api = \"v2\"' (or \"auto\") in the config file or pass --api v2")]
    Unimplemented { call: String },

    /// A call every supported release has is missing: the server is older than that.
    #[error("this ZITADEL does not offer {call}: Passkey Desk needs ZITADEL {since} or later; ask your ZITADEL administrator to update it")]
    UnsupportedVersion { call: String, since: String },

    /// ZITADEL refused for another reason than a missing permission (a 403 whose id is not
    /// one of the permission checks'); the message says what it is.
    #[error("ZITADEL refused this ({id}): {reason}")]
    Forbidden { id: String, reason: String },

    #[error("your session ended (the refresh token was rejected: revoked, expired or used elsewhere); sign in again")]
    SessionEnded,

    #[error("sign-in failed: {detail}")]
    SignInFailed { detail: String },

    #[error("sign-in was refused at the identity provider ({reason}); try again or ask your ZITADEL administrator")]
    SignInDenied { reason: String },

    #[error("sign-in timed out: {detail}; start it again")]
    SignInExpired { detail: String },

    #[error("sign-in was cancelled")]
    SignInCancelled,

    #[error("the OS keyring is not available ({detail}): on Linux start a Secret Service (GNOME Keyring, KeePassXC) and unlock it, or set PASSKEY_DESK_TOKEN for scripts")]
    Keyring { detail: String },

    #[error("wrong PIN{}", retry_hint(*.retry_after))]
    PinRefused { retry_after: Option<Duration> },

    #[error("configuration: {0}")]
    Config(String),

    /// A value given by the person (a PIN, a date, a user, a file's content) is not usable.
    #[error("{0}")]
    InvalidInput(String),

    /// An admin command while the kiosk is locked: only an operator's unlock opens it.
    #[error("the kiosk is locked: an operator unlocks it (PIN or phone) to {what}")]
    KioskLocked { what: String },

    /// Something kiosk mode never allows, unlocked or not.
    #[error("not in kiosk mode: leave kiosk mode (unlock first) to {what}")]
    KioskMode { what: String },

    /// A kiosk unlock by an account that may not operate this desk.
    #[error("{account} may not unlock this kiosk: {reason}")]
    UnlockRefused { account: String, reason: String },

    #[error("no kiosk PIN is set: unlock with your phone instead, or set a PIN in the settings")]
    NoPin,

    #[error("no link on screen: create one first")]
    NoLink,

    #[error("choose an organisation first")]
    NoOrg,

    #[error("no phone sign-in is waiting: start it again")]
    NoDeviceSignIn,

    #[error("{user} has no passkey '{passkey}' (removed already?): reload the passkey list")]
    PasskeyNotFound { passkey: String, user: String },

    /// The org asks for an identity check before every link and send; none was recorded.
    #[error("organisation {org} asks for an identity check before a link: tick how the person was verified ({}); in the CLI pass --verified \"…\"", .checks.join(" / "))]
    IdentityCheckRequired { org: String, checks: Vec<String> },

    /// *Email* to an address ZITADEL has not verified: the admin confirms it first.
    #[error("{user}'s email address is not verified in ZITADEL, so the link could reach someone else: confirm the address with the person, or show the QR instead")]
    EmailUnverified { user: String },

    /// `queue next` with nobody waiting.
    #[error(
        "nobody is waiting in the queue of organisation {org}: import a roster or add people first"
    )]
    QueueEmpty { org: String },

    /// The person stopped a wait (Ctrl-C).
    #[error("stopped: {0}")]
    Interrupted(String),

    /// A file or stream could not be read or written.
    #[error("cannot {what}: {detail}")]
    Io { what: String, detail: String },

    /// The desktop around the app failed (browser, mail client, clipboard, windows, folders).
    #[error("cannot {what}: {detail}")]
    Desktop { what: String, detail: String },
}

impl Error {
    /// An I/O failure of `what` ("write /path/file.png").
    pub fn io(what: impl Into<String>, e: impl std::fmt::Display) -> Error {
        Error::Io {
            what: what.into(),
            detail: e.to_string(),
        }
    }

    /// The system opener (browser, mail client) failed. Its own error text may hold the URL —
    /// a `mailto:` carries the registration link, an authorization URL its `state` and
    /// `nonce` — so the message is fixed and only the error's kind goes to the log.
    pub fn opener_failed(what: &str, error: &(dyn std::error::Error + 'static)) -> Error {
        let mut at: Option<&(dyn std::error::Error + 'static)> = Some(error);
        let mut kind = None;
        while let Some(e) = at {
            if let Some(io) = e.downcast_ref::<std::io::Error>() {
                kind = Some(io.kind());
                break;
            }
            at = e.source();
        }
        tracing::warn!(what, kind = ?kind, "the system opener failed");
        Error::Desktop {
            what: what.into(),
            detail: "the system could not open it (is a browser or mail client set up?)".into(),
        }
    }

    /// A failure of the desktop around the app while trying to `what`.
    pub fn desktop(what: impl Into<String>, detail: impl std::fmt::Display) -> Error {
        Error::Desktop {
            what: what.into(),
            detail: detail.to_string(),
        }
    }
}

fn send_hint(send_allowed: Option<bool>) -> &'static str {
    match send_allowed {
        Some(true) => "; 'send' (ZITADEL emails the link) is still allowed",
        Some(false) => "; 'send' is not allowed either (needs 'user.write')",
        None => "",
    }
}

fn retry_hint(retry_after: Option<Duration>) -> String {
    retry_after
        .map(|d| format!(" (retry after {} s)", d.as_secs()))
        .unwrap_or_default()
}

fn rate_limit_hint(retry_after: Option<Duration>) -> String {
    match retry_after {
        Some(d) => format!("try again in {} s", d.as_secs().max(1)),
        None => "wait a moment, then try again".into(),
    }
}

fn server_hint(status: u16) -> &'static str {
    if status >= 500 {
        "try again in a minute; if it keeps failing, tell your ZITADEL administrator"
    } else {
        "reload and try again; if it keeps failing, tell your ZITADEL administrator what it says"
    }
}

fn id_hint(id: Option<&str>) -> String {
    id.map(|id| format!(" ({id})")).unwrap_or_default()
}

impl Error {
    /// A stable, machine-readable code. Front ends switch on this, never on message text.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::NotSignedIn { .. } => ErrorCode::NotSignedIn,
            Error::TokenRejected { .. } => ErrorCode::TokenRejected,
            Error::PermissionDenied { .. } => ErrorCode::PermissionDenied,
            Error::OrgNotFound { .. } => ErrorCode::OrgNotFound,
            Error::UserNotFound { .. } => ErrorCode::UserNotFound,
            Error::AmbiguousUser { .. } => ErrorCode::AmbiguousUser,
            Error::NotHuman { .. } => ErrorCode::NotHuman,
            Error::UserNotActive { .. } => ErrorCode::UserNotActive,
            Error::CodeInvalid => ErrorCode::CodeInvalid,
            Error::LinkExpired => ErrorCode::LinkExpired,
            Error::Conflict { .. } => ErrorCode::Conflict,
            Error::RateLimited { .. } => ErrorCode::RateLimited,
            Error::Timeout { .. } => ErrorCode::Timeout,
            Error::Network { .. } => ErrorCode::Network,
            Error::Tls { .. } => ErrorCode::Tls,
            Error::Unavailable { .. } => ErrorCode::Unavailable,
            Error::Server { .. } => ErrorCode::Server,
            Error::BadResponse { .. } => ErrorCode::BadResponse,
            Error::ForeignLink { .. } => ErrorCode::ForeignLink,
            Error::Unimplemented { .. } => ErrorCode::Unimplemented,
            Error::UnsupportedVersion { .. } => ErrorCode::UnsupportedVersion,
            Error::Forbidden { .. } => ErrorCode::Forbidden,
            Error::SessionEnded => ErrorCode::SessionEnded,
            Error::SignInFailed { .. } => ErrorCode::SignInFailed,
            Error::SignInDenied { .. } => ErrorCode::SignInDenied,
            Error::SignInExpired { .. } => ErrorCode::SignInExpired,
            Error::SignInCancelled => ErrorCode::SignInCancelled,
            Error::Keyring { .. } => ErrorCode::Keyring,
            Error::PinRefused { .. } => ErrorCode::PinRefused,
            Error::Config(_) => ErrorCode::Config,
            Error::InvalidInput(_) => ErrorCode::InvalidInput,
            Error::KioskLocked { .. } => ErrorCode::KioskLocked,
            Error::KioskMode { .. } => ErrorCode::KioskMode,
            Error::UnlockRefused { .. } => ErrorCode::UnlockRefused,
            Error::NoPin => ErrorCode::NoPin,
            Error::NoLink => ErrorCode::NoLink,
            Error::NoOrg => ErrorCode::NoOrg,
            Error::NoDeviceSignIn => ErrorCode::NoDeviceSignIn,
            Error::PasskeyNotFound { .. } => ErrorCode::PasskeyNotFound,
            Error::IdentityCheckRequired { .. } => ErrorCode::IdentityCheckRequired,
            Error::EmailUnverified { .. } => ErrorCode::EmailUnverified,
            Error::QueueEmpty { .. } => ErrorCode::QueueEmpty,
            Error::Interrupted(_) => ErrorCode::Interrupted,
            Error::Io { .. } => ErrorCode::Io,
            Error::Desktop { .. } => ErrorCode::Desktop,
        }
    }

    /// The error as front ends receive it.
    pub fn to_report(&self) -> ErrorReport {
        ErrorReport {
            code: self.code(),
            message: self.to_string(),
        }
    }
}

/// `{code, message}` as the UI and `--json` consumers see an error.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
pub struct ErrorReport {
    pub code: ErrorCode,
    pub message: String,
}

/// What went wrong, as the UI and scripts switch on it: one code per [`Error`] variant,
/// serialised in snake_case (`"not_signed_in"`), exported to TypeScript as a union of these
/// strings. The UI's messages and the CLI's exit codes `match` it exhaustively.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    NotSignedIn,
    TokenRejected,
    PermissionDenied,
    OrgNotFound,
    UserNotFound,
    AmbiguousUser,
    NotHuman,
    UserNotActive,
    CodeInvalid,
    LinkExpired,
    Conflict,
    RateLimited,
    Timeout,
    Network,
    Tls,
    Unavailable,
    Server,
    BadResponse,
    ForeignLink,
    Unimplemented,
    UnsupportedVersion,
    Forbidden,
    SessionEnded,
    SignInFailed,
    SignInDenied,
    SignInExpired,
    SignInCancelled,
    Keyring,
    PinRefused,
    Config,
    InvalidInput,
    KioskLocked,
    KioskMode,
    UnlockRefused,
    NoPin,
    NoLink,
    NoOrg,
    NoDeviceSignIn,
    PasskeyNotFound,
    IdentityCheckRequired,
    EmailUnverified,
    QueueEmpty,
    Interrupted,
    Io,
    Desktop,
}

impl ErrorCode {
    /// Every code, in the order of the enum (for the tests that pin them).
    pub const ALL: [ErrorCode; 45] = [
        ErrorCode::NotSignedIn,
        ErrorCode::TokenRejected,
        ErrorCode::PermissionDenied,
        ErrorCode::OrgNotFound,
        ErrorCode::UserNotFound,
        ErrorCode::AmbiguousUser,
        ErrorCode::NotHuman,
        ErrorCode::UserNotActive,
        ErrorCode::CodeInvalid,
        ErrorCode::LinkExpired,
        ErrorCode::Conflict,
        ErrorCode::RateLimited,
        ErrorCode::Timeout,
        ErrorCode::Network,
        ErrorCode::Tls,
        ErrorCode::Unavailable,
        ErrorCode::Server,
        ErrorCode::BadResponse,
        ErrorCode::ForeignLink,
        ErrorCode::Unimplemented,
        ErrorCode::UnsupportedVersion,
        ErrorCode::Forbidden,
        ErrorCode::SessionEnded,
        ErrorCode::SignInFailed,
        ErrorCode::SignInDenied,
        ErrorCode::SignInExpired,
        ErrorCode::SignInCancelled,
        ErrorCode::Keyring,
        ErrorCode::PinRefused,
        ErrorCode::Config,
        ErrorCode::InvalidInput,
        ErrorCode::KioskLocked,
        ErrorCode::KioskMode,
        ErrorCode::UnlockRefused,
        ErrorCode::NoPin,
        ErrorCode::NoLink,
        ErrorCode::NoOrg,
        ErrorCode::NoDeviceSignIn,
        ErrorCode::PasskeyNotFound,
        ErrorCode::IdentityCheckRequired,
        ErrorCode::EmailUnverified,
        ErrorCode::QueueEmpty,
        ErrorCode::Interrupted,
        ErrorCode::Io,
        ErrorCode::Desktop,
    ];

    /// The code as it is written on the wire, in the audit log and in the logs.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::NotSignedIn => "not_signed_in",
            ErrorCode::TokenRejected => "token_rejected",
            ErrorCode::PermissionDenied => "permission_denied",
            ErrorCode::OrgNotFound => "org_not_found",
            ErrorCode::UserNotFound => "user_not_found",
            ErrorCode::AmbiguousUser => "ambiguous_user",
            ErrorCode::NotHuman => "not_human",
            ErrorCode::UserNotActive => "user_not_active",
            ErrorCode::CodeInvalid => "code_invalid",
            ErrorCode::LinkExpired => "link_expired",
            ErrorCode::Conflict => "conflict",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Timeout => "timeout",
            ErrorCode::Network => "network",
            ErrorCode::Tls => "tls",
            ErrorCode::Unavailable => "unavailable",
            ErrorCode::Server => "server",
            ErrorCode::BadResponse => "bad_response",
            ErrorCode::ForeignLink => "foreign_link",
            ErrorCode::Unimplemented => "unimplemented",
            ErrorCode::UnsupportedVersion => "unsupported_version",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::SessionEnded => "session_ended",
            ErrorCode::SignInFailed => "sign_in_failed",
            ErrorCode::SignInDenied => "sign_in_denied",
            ErrorCode::SignInExpired => "sign_in_expired",
            ErrorCode::SignInCancelled => "sign_in_cancelled",
            ErrorCode::Keyring => "keyring",
            ErrorCode::PinRefused => "pin_refused",
            ErrorCode::Config => "config",
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::KioskLocked => "kiosk_locked",
            ErrorCode::KioskMode => "kiosk_mode",
            ErrorCode::UnlockRefused => "unlock_refused",
            ErrorCode::NoPin => "no_pin",
            ErrorCode::NoLink => "no_link",
            ErrorCode::NoOrg => "no_org",
            ErrorCode::NoDeviceSignIn => "no_device_sign_in",
            ErrorCode::PasskeyNotFound => "passkey_not_found",
            ErrorCode::IdentityCheckRequired => "identity_check_required",
            ErrorCode::EmailUnverified => "email_unverified",
            ErrorCode::QueueEmpty => "queue_empty",
            ErrorCode::Interrupted => "interrupted",
            ErrorCode::Io => "io",
            ErrorCode::Desktop => "desktop",
        }
    }

    /// The session is over: the admin has to sign in again.
    pub fn ends_session(self) -> bool {
        matches!(
            self,
            ErrorCode::NotSignedIn | ErrorCode::TokenRejected | ErrorCode::SessionEnded
        )
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Tests and logs compare a code with its wire name.
impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<str> for ErrorCode {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

/// Makes text from a server safe for a terminal or a log line: control, bidi-override and
/// invisible characters (zero-width space, word joiner, BOM, line and paragraph separators)
/// become U+FFFD, and the text is cut at `max` characters. The zero-width (non-)joiners stay:
/// some scripts and emoji need them.
pub fn sanitize(text: &str, max: usize) -> String {
    let mut out: String = text
        .chars()
        .take(max)
        .map(|c| {
            if c.is_control() || is_bidi_control(c) || is_invisible(c) {
                '\u{FFFD}'
            } else {
                c
            }
        })
        .collect();
    if text.chars().count() > max {
        out.push('…');
    }
    out
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{180E}' | '\u{200B}' | '\u{2028}' | '\u{2029}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}'
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn permission_denied_says_what_is_missing_and_whether_send_works() {
        let e = Error::PermissionDenied {
            org: "ACME AG".into(),
            permission: "user.credential.write".into(),
            send_allowed: Some(true),
        };
        assert_eq!(e.code(), "permission_denied");
        let msg = e.to_string();
        assert!(msg.contains("user.credential.write"), "{msg}");
        assert!(msg.contains("'send'"), "{msg}");
        assert!(msg.contains("still allowed"), "{msg}");
    }

    #[test]
    fn every_code_is_pinned_with_its_wire_name() {
        let pinned = [
            "not_signed_in",
            "token_rejected",
            "permission_denied",
            "org_not_found",
            "user_not_found",
            "ambiguous_user",
            "not_human",
            "user_not_active",
            "code_invalid",
            "link_expired",
            "conflict",
            "rate_limited",
            "timeout",
            "network",
            "tls",
            "unavailable",
            "server",
            "bad_response",
            "foreign_link",
            "unimplemented",
            "unsupported_version",
            "forbidden",
            "session_ended",
            "sign_in_failed",
            "sign_in_denied",
            "sign_in_expired",
            "sign_in_cancelled",
            "keyring",
            "pin_refused",
            "config",
            "invalid_input",
            "kiosk_locked",
            "kiosk_mode",
            "unlock_refused",
            "no_pin",
            "no_link",
            "no_org",
            "no_device_sign_in",
            "passkey_not_found",
            "identity_check_required",
            "email_unverified",
            "queue_empty",
            "interrupted",
            "io",
            "desktop",
        ];
        assert_eq!(ErrorCode::ALL.len(), pinned.len());
        for (code, name) in ErrorCode::ALL.iter().zip(pinned) {
            assert_eq!(code.as_str(), name);
            assert_eq!(serde_json::to_value(code).unwrap(), serde_json::json!(name));
            assert_eq!(
                serde_json::from_value::<ErrorCode>(serde_json::json!(name)).unwrap(),
                *code
            );
        }
        let distinct: std::collections::HashSet<_> = ErrorCode::ALL.iter().collect();
        assert_eq!(distinct.len(), ErrorCode::ALL.len(), "no code twice");
    }

    #[test]
    fn report_pins_the_json_shape() {
        let json = serde_json::to_string(&Error::CodeInvalid.to_report()).unwrap();
        assert_eq!(
            json,
            r#"{"code":"code_invalid","message":"the registration code is invalid, used or expired: create a new link"}"#
        );
    }

    #[test]
    fn sanitize_neutralises_control_and_bidi_characters() {
        assert_eq!(
            sanitize("a\u{1b}[31mb\u{202E}c\nd", 100),
            "a\u{FFFD}[31mb\u{FFFD}c\u{FFFD}d"
        );
        assert_eq!(sanitize("abcdef", 3), "abc…");
        assert_eq!(
            sanitize("a\u{200B}b\u{2028}c\u{FEFF}d", 100),
            "a\u{FFFD}b\u{FFFD}c\u{FFFD}d"
        );
        // Joiners stay: Persian names and emoji sequences need them.
        assert_eq!(
            sanitize("می\u{200C}خواهم 👩\u{200D}💻", 100),
            "می\u{200C}خواهم 👩\u{200D}💻"
        );
        assert_eq!(sanitize("Zoë Müller", 100), "Zoë Müller");
    }
}
