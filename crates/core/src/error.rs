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

    #[error("{0}")]
    Input(String),
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
    pub fn code(&self) -> &'static str {
        match self {
            Error::NotSignedIn { .. } => "not_signed_in",
            Error::TokenRejected { .. } => "token_rejected",
            Error::PermissionDenied { .. } => "permission_denied",
            Error::OrgNotFound { .. } => "org_not_found",
            Error::UserNotFound { .. } => "user_not_found",
            Error::AmbiguousUser { .. } => "ambiguous_user",
            Error::NotHuman { .. } => "not_human",
            Error::UserNotActive { .. } => "user_not_active",
            Error::CodeInvalid => "code_invalid",
            Error::LinkExpired => "link_expired",
            Error::Conflict { .. } => "conflict",
            Error::RateLimited { .. } => "rate_limited",
            Error::Timeout { .. } => "timeout",
            Error::Network { .. } => "network",
            Error::Tls { .. } => "tls",
            Error::Unavailable { .. } => "unavailable",
            Error::Server { .. } => "server",
            Error::BadResponse { .. } => "bad_response",
            Error::ForeignLink { .. } => "foreign_link",
            Error::Unimplemented { .. } => "unimplemented",
            Error::SessionEnded => "session_ended",
            Error::SignInFailed { .. } => "sign_in_failed",
            Error::SignInDenied { .. } => "sign_in_denied",
            Error::SignInExpired { .. } => "sign_in_expired",
            Error::SignInCancelled => "sign_in_cancelled",
            Error::Keyring { .. } => "keyring",
            Error::PinRefused { .. } => "pin_refused",
            Error::Config(_) => "config",
            Error::Input(_) => "input",
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
    pub code: &'static str,
    pub message: String,
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
