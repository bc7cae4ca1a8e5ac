//! Entry points for the fuzz targets in `fuzz/` (cargo-fuzz) and for the replay of their corpus
//! in the test suite (`tests/tests/fuzz_replay.rs`). Each takes arbitrary bytes, runs the code
//! the client runs on an answer from the server, and asserts what must hold whatever the input.
//! Any panic, failed assertion included, is a finding. Not part of the API.

use std::time::Duration;

use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use url::Url;

use crate::client::http::{instance_origin, map_error, Ctx};
use crate::client::{checked_link, convert, wire, Membership};
use crate::duration::parse_proto_duration;
use crate::error::Error;
use crate::link::{is_transport_allowed, LinkPolicy};
use crate::model::{OrgId, Permissions, User, UserId, UserState};

/// The instance the wire and link targets check links against when the input names none.
const INSTANCE: &str = "https://auth.example.com";
/// A separate login host, as `ClientOptions::login_host` may configure one.
const LOGIN_HOST: &str = "https://login.example.com";
/// The user a link answer is for (zitadel-api.md §3).
const USER: &str = "218934567890123456";
const ORG: &str = "218934560000000001";
const PASSKEY: &str = "218934567890999999";

/// Target `wire_models`: the bytes as the body of a 200 answer to every call the client makes,
/// parsed into its wire type and converted into the app's types, as `ZitadelClient` does.
pub fn wire_models(data: &[u8]) {
    if let Some(answer) = parse::<wire::GetMyUserResponse>(data) {
        if let Some(me) = answer.user.and_then(|u| convert::me(u).ok()) {
            assert!(!me.id.as_str().is_empty() && !me.org_id.as_str().is_empty());
        }
    }
    if let Some(answer) = parse::<wire::GetUserResponse>(data) {
        if let Some(Ok(user)) = answer.user.map(convert::user) {
            check_user(&user);
        }
    }
    if let Some(answer) = parse::<wire::ListResponse<wire::User>>(data) {
        let users = answer.result.unwrap_or_default();
        let n = users.len();
        if let Ok(users) = users
            .into_iter()
            .map(convert::user)
            .collect::<crate::Result<Vec<_>>>()
        {
            assert_eq!(users.len(), n);
            users.iter().for_each(check_user);
        }
    }
    if let Some(answer) = parse::<wire::ListResponse<wire::Membership>>(data) {
        for m in convert::memberships(answer) {
            if let Membership::Org { org_id, name, .. } = m {
                assert!(!org_id.as_str().is_empty());
                assert!(name.is_none_or(|n| !n.is_empty()));
            }
        }
    }
    if let Some(answer) = parse::<wire::ListResponse<String>>(data) {
        let permissions: Permissions = answer.result.unwrap_or_default().into_iter().collect();
        for p in permissions.iter() {
            assert!(permissions.has(p));
        }
    }
    if let Some(answer) = parse::<wire::ListResponse<wire::Organization>>(data) {
        let _total = answer.details.and_then(|d| d.total_result);
        for o in answer.result.unwrap_or_default() {
            if let Ok(org) = convert::org(o, Vec::new()) {
                assert!(!org.id.as_str().is_empty() && !org.name.is_empty());
            }
        }
    }
    if let Some(answer) = parse::<wire::ListResponse<wire::AuthFactor>>(data) {
        for p in answer.result.unwrap_or_default() {
            if let Ok(passkey) = convert::passkey(p) {
                assert!(!passkey.id.is_empty());
            }
        }
    }
    if let Some(answer) = parse::<wire::PasswordlessLinkResponse>(data) {
        let policy = LinkPolicy::new(&url(INSTANCE), Some(&url(LOGIN_HOST)));
        let raw = answer.link.clone().unwrap_or_default();
        match checked_link(&policy, &UserId::new(USER), answer) {
            Ok((link, lifetime)) => {
                check_accepted(&policy_origins(), &raw, &link);
                assert!(raw.chars().all(|c| c.is_ascii_graphic()), "{raw:?}");
                assert!(link
                    .query_pairs()
                    .all(|(k, v)| !k.eq_ignore_ascii_case("userID") || v == USER));
                assert!(chrono::Utc::now().checked_add_signed(lifetime).is_some());
            }
            Err(e) => check_message(&e, &[]),
        }
    }
    let _: Option<serde_json::Value> = parse(data);
}

/// Target `error_body`: the first two bytes are the HTTP status (big-endian; outside
/// 100..=999 folded into it), the rest the body of that non-2xx answer, mapped as the client
/// maps it.
pub fn error_body(data: &[u8]) {
    let Some((status, body)) = data.split_first_chunk::<2>() else {
        return;
    };
    let status = match u16::from_be_bytes(*status) {
        s @ 100..=999 => s,
        s => 100 + s % 900,
    };
    let status = StatusCode::from_u16(status).expect("in range");
    if status.is_success() {
        return; // the client parses these as answers (target wire_models)
    }
    let org = OrgId::new(ORG);
    let user = UserId::new(USER);
    let contexts = [
        Ctx {
            org: None,
            user: None,
            permission: "",
            probe: None,
            query: &[],
            passkey: None,
        },
        Ctx {
            org: Some(&org),
            user: Some(&user),
            permission: Permissions::USER_CREDENTIAL_WRITE,
            probe: None,
            query: &[],
            passkey: None,
        },
        Ctx {
            org: Some(&org),
            user: Some(&user),
            permission: Permissions::USER_WRITE,
            probe: None,
            query: &[],
            passkey: Some(PASSKEY),
        },
    ];
    let canonical = canonical_error_body(body);
    for ctx in &contexts {
        for retry_after in [None, Some(Duration::from_secs(7))] {
            let error = map_error(status, retry_after, body, ctx);
            check_message(&error, &[]);
            let text = error.to_string();
            // Only the gRPC code, the message and the first error id of a ZITADEL error body
            // reach the error; a body that is not one reaches nothing.
            let (plain, reworded) = match &canonical {
                Some((plain, reworded)) => (plain.as_slice(), Some(reworded)),
                None => (&b""[..], None),
            };
            let expected = map_error(status, retry_after, plain, ctx);
            assert_eq!(
                text,
                expected.to_string(),
                "only code, message and id count"
            );
            assert_eq!(error.code(), expected.code());
            // Decisions never depend on the (translated) message text.
            if let Some(reworded) = reworded {
                let other = map_error(status, retry_after, reworded, ctx);
                assert_eq!(error.code(), other.code(), "the decision read the message");
            }
        }
    }
}

/// Target `link_origin`: the first line is the instance URL (optionally followed by a space
/// and a login host), the rest the link a `_link` answer carries. Without a newline the whole
/// input is the link, checked against <https://auth.example.com>.
pub fn link_origin(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (config, link) = text.split_once('\n').unwrap_or((INSTANCE, &text));
    let (instance, login_host) = match config.split_once(' ') {
        Some((instance, login)) => (instance, Url::parse(login).ok()),
        None => (config, None),
    };
    let base = match instance_origin(instance) {
        Ok(base) => base,
        Err(e) => {
            assert_eq!(e.code(), "config");
            check_message(&e, &[]);
            return;
        }
    };
    let mut allowed = vec![base.origin()];
    allowed.extend(login_host.as_ref().map(Url::origin));
    let configured: Vec<String> = allowed
        .iter()
        .map(url::Origin::ascii_serialization)
        .collect();
    let policy = LinkPolicy::new(&base, login_host.as_ref());
    match policy.check(link) {
        Ok(url) => check_accepted(&allowed, link, &url),
        Err(e) => {
            assert!(matches!(
                e,
                Error::ForeignLink { .. } | Error::BadResponse { .. }
            ));
            check_message(&e, &configured);
            // The refusal names an origin at most, never the code the link carries.
            if let Ok(parsed) = Url::parse(link) {
                let text = e.to_string();
                let origins = format!(
                    "{} {}",
                    parsed.origin().ascii_serialization(),
                    allowed
                        .iter()
                        .map(url::Origin::ascii_serialization)
                        .collect::<Vec<_>>()
                        .join(" ")
                );
                for part in [parsed.query(), parsed.fragment()].into_iter().flatten() {
                    if part.len() >= 6 && !origins.contains(part) {
                        assert!(!text.contains(part), "the refusal repeats the link: {text}");
                    }
                }
            }
        }
    }
}

/// Target `duration`: the bytes (lossily as UTF-8) as a proto3 JSON duration, e.g. the
/// `expiration` of a `_link` answer.
pub fn duration(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let parsed = parse_proto_duration(&text);
    assert_eq!(parsed, reference_duration(&text), "{text:?}");
    if let Some(d) = parsed {
        // What the client does with it: a chrono duration added to now.
        let lifetime = chrono::Duration::from_std(d).expect("at most 10000 years");
        assert!(chrono::Utc::now().checked_add_signed(lifetime).is_some());
        let again = format!("{}.{:09}s", d.as_secs(), d.subsec_nanos());
        assert_eq!(parse_proto_duration(&again), Some(d));
    }
}

// ---- what the client does after a 200 answer ----------------------------------------------

/// `serde_json::from_slice`, as `Http::send_once` parses an answer; the error detail it builds
/// holds a position only.
fn parse<T: DeserializeOwned>(data: &[u8]) -> Option<T> {
    match serde_json::from_slice(data) {
        Ok(answer) => Some(answer),
        Err(e) => {
            let _position = (e.classify(), e.line(), e.column());
            None
        }
    }
}

// ---- invariants -----------------------------------------------------------------------------

fn url(text: &str) -> Url {
    Url::parse(text).expect("a constant URL")
}

fn policy_origins() -> Vec<url::Origin> {
    vec![url(INSTANCE).origin(), url(LOGIN_HOST).origin()]
}

fn check_user(user: &User) {
    assert!(!user.id.as_str().is_empty() && !user.org_id.as_str().is_empty());
    if let UserState::Other(state) = &user.state {
        // Shown to the admin: cut and without control or bidi characters.
        assert!(state.chars().count() <= 65);
        assert!(!state.chars().any(is_unsafe_char), "{state:?}");
    }
}

/// Every error has a stable code and a message a person can read: non-empty, without control
/// or bidi characters, and bounded whatever the server sent (`trusted`: text from the admin's
/// own configuration, which may be as long as it is).
fn check_message(error: &Error, trusted: &[String]) {
    assert!(!error.code().as_str().is_empty());
    let text = error.to_string();
    assert!(!text.trim().is_empty());
    let untrusted = trusted
        .iter()
        .filter(|t| !t.is_empty())
        .fold(text.clone(), |text, t| text.replace(t.as_str(), ""));
    assert!(untrusted.chars().count() <= 1000, "{} chars", text.len());
    assert!(!text.chars().any(is_unsafe_char), "{text:?}");
}

fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A link the check accepted: its origin is an allowed one, over https (or http to loopback),
/// without user info; and the text itself — which is what the admin copies, mails and shows
/// as a QR code — names the same scheme, host and port to a reader that repairs nothing.
fn check_accepted(allowed: &[url::Origin], link: &str, url: &Url) {
    assert!(allowed.contains(&url.origin()), "{link:?}");
    assert!(is_transport_allowed(url), "{link:?}");
    assert!(
        url.username().is_empty() && url.password().is_none(),
        "{link:?}"
    );
    let expected = (
        url.scheme().to_string(),
        url.host_str().unwrap_or_default().to_string(),
        url.port_or_known_default(),
    );
    assert_eq!(literal_origin(link), Some(expected), "{link:?}");
}

/// The scheme, host and port of `link` read literally (RFC 3986: `scheme://authority`, the
/// authority ending at the first `/`, `?` or `#`), as a mail client, a terminal or a QR
/// scanner may read it, without the repairs of the WHATWG URL parser (leading and trailing
/// spaces, tabs and newlines dropped, `\` read as `/`, missing `//` added). `None` when the
/// text is not such a URL or its authority holds user info, spaces or control characters.
fn literal_origin(link: &str) -> Option<(String, String, Option<u16>)> {
    let (scheme, rest) = link.split_once(':')?;
    let mut bytes = scheme.bytes();
    if !bytes.next()?.is_ascii_alphabetic()
        || !bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
    {
        return None;
    }
    let rest = rest.strip_prefix("//")?;
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    if authority.contains('@')
        || authority
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
    {
        return None;
    }
    let (host, port) = match authority.rfind(':') {
        Some(i) if !authority[i..].contains(']') => (&authority[..i], &authority[i + 1..]),
        _ => (authority, ""),
    };
    let port = if port.is_empty() {
        None
    } else if port.bytes().all(|b| b.is_ascii_digit()) {
        Some(port.parse::<u16>().ok()?)
    } else {
        return None;
    };
    let scheme = scheme.to_ascii_lowercase();
    let host = url::Host::parse(host).ok()?.to_string();
    let default = match scheme.as_str() {
        "https" => Some(443),
        "http" => Some(80),
        _ => None,
    };
    Some((scheme, host, port.or(default)))
}

/// The error body the client acts on, rebuilt from only what it may read (the gRPC code, the
/// message, the first non-empty error id), and the same with another message; `None` when the
/// body is not a ZITADEL error body.
fn canonical_error_body(body: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let parsed = serde_json::from_slice::<wire::ErrorBody>(body)
        .ok()
        .filter(|b| b.code.is_some() || b.details.is_some())?;
    let build = |message: Option<&str>| {
        let mut out = serde_json::Map::new();
        if let Some(code) = parsed.code {
            out.insert("code".into(), code.into());
        }
        if let Some(message) = message {
            out.insert("message".into(), message.into());
        }
        if parsed.details.is_some() {
            let details = match parsed.id() {
                Some(id) => serde_json::json!([{ "id": id }]),
                None => serde_json::json!([]),
            };
            out.insert("details".into(), details);
        }
        serde_json::to_vec(&out).expect("a JSON map")
    };
    Some((
        build(parsed.message.as_deref()),
        build(Some("a translated message")),
    ))
}

/// `parse_proto_duration` written another way: `<digits>[.<1 to 9 digits>]s`, at most the
/// proto limit of 315,576,000,000 seconds.
fn reference_duration(text: &str) -> Option<Duration> {
    let number = text.strip_suffix('s')?;
    let (whole, frac) = number.split_once('.').unwrap_or((number, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(frac) || frac.len() > 9 {
        return None;
    }
    if number.contains('.') && frac.is_empty() {
        return None;
    }
    let significant = whole.trim_start_matches('0');
    if significant.len() > 12 {
        return None;
    }
    let secs: u64 = if significant.is_empty() {
        0
    } else {
        significant.parse().ok()?
    };
    if secs > 315_576_000_000 {
        return None;
    }
    let nanos = frac
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(9)
        .fold(0u32, |n, b| n * 10 + u32::from(b - b'0'));
    Some(Duration::new(secs, nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_answers_pass() {
        wire_models(br#"{"details":{"sequence":"1234","creationDate":"2026-07-10T09:15:02.123456Z","resourceOwner":"218934560000000001"},"link":"https://auth.example.com/ui/login/login/passwordless/init?userID=218934567890123456&orgID=218934560000000001&codeID=218999999999999999&code=kFfsO8OizZPS","expiration":"3600s"}"#);
        error_body(b"\x01\x93{\"code\":7,\"message\":\"No matching permissions found (AUTH-5mWD2)\",\"details\":[{\"@type\":\"type.googleapis.com/zitadel.v1.ErrorDetail\",\"id\":\"AUTH-5mWD2\",\"message\":\"No matching permissions found\"}]}");
        link_origin(b"https://auth.example.com\nhttps://AUTH.example.com:443/ui/login?code=abc");
        duration(b"3599.5s");
    }

    /// Crash of the `error_body` target (fuzz/regressions/error_body/): a 401 whose error id
    /// carried control characters and any length into "the server rejected the access token".
    #[test]
    fn fuzz_error_body_token_rejected_id_unsanitized() {
        let id = format!("X\u{7}\u{1b}[2J\u{202e}{}", "9".repeat(500));
        let body = serde_json::json!({"code": 16, "message": "m", "details": [{"id": id}]});
        let ctx = Ctx {
            org: None,
            user: None,
            permission: "",
            probe: None,
            query: &[],
            passkey: None,
        };
        let e = map_error(
            StatusCode::UNAUTHORIZED,
            None,
            &serde_json::to_vec(&body).unwrap(),
            &ctx,
        );
        assert_eq!(e.code(), "token_rejected");
        let text = e.to_string();
        assert!(!text.chars().any(is_unsafe_char), "{text:?}");
        assert!(text.chars().count() < 200, "{text}");
        // A documented id is named as it is.
        let body = br#"{"code":16,"message":"Errors.Token.Invalid (AUTH-7fs1e)","details":[{"id":"AUTH-7fs1e"}]}"#;
        assert!(map_error(StatusCode::UNAUTHORIZED, None, body, &ctx)
            .to_string()
            .contains("(AUTH-7fs1e)"));
    }

    #[test]
    fn literal_origin_reads_what_is_written() {
        let https = |host: &str| Some(("https".to_string(), host.to_string(), Some(443)));
        assert_eq!(
            literal_origin("https://AUTH.example.com:443/x"),
            https("auth.example.com")
        );
        assert_eq!(
            literal_origin("https://auth.example.com"),
            https("auth.example.com")
        );
        assert_eq!(
            literal_origin("https://auth.example.com\\@evil.example/"),
            None
        );
        assert_eq!(literal_origin("https:auth.example.com/"), None);
        assert_eq!(literal_origin(" https://auth.example.com/"), None);
        assert_eq!(
            literal_origin("http://[::1]:8080/"),
            Some(("http".into(), "[::1]".into(), Some(8080)))
        );
    }

    #[test]
    fn reference_duration_agrees_on_the_unit_cases() {
        for text in [
            "3600s",
            "3599.5s",
            "0s",
            "0.000000001s",
            "1.s",
            ".5s",
            "-1s",
            "1e3s",
        ] {
            assert_eq!(
                reference_duration(text),
                parse_proto_duration(text),
                "{text}"
            );
        }
    }
}
