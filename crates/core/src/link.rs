//! The link-origin check: a registration link is shown only if it points to the instance
//! (or to the configured login host). Anything else could hand an attacker the code.

use chrono::{DateTime, Local, Utc};
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use url::{Origin, Url};

use crate::error::{sanitize, Error, Result};
use crate::model::Language;
use crate::model::User;

/// The origins a registration link may have.
#[derive(Clone, Debug)]
pub struct LinkPolicy {
    allowed: Vec<Origin>,
}

impl LinkPolicy {
    /// Links may point to the instance itself and, if set, to a separate login host.
    pub fn new(instance: &Url, login_host: Option<&Url>) -> Self {
        let mut allowed = vec![instance.origin()];
        allowed.extend(login_host.map(Url::origin));
        LinkPolicy { allowed }
    }

    /// Checks a link from the server. Accepts it only if it parses as an absolute `https` URL
    /// (or `http` to a loopback host), carries no user info, and its scheme, host and port
    /// equal one allowed origin. The error names the link's origin, never the link itself.
    pub fn check(&self, link: &str) -> Result<Url> {
        let expected = self
            .allowed
            .iter()
            .map(Origin::ascii_serialization)
            .collect::<Vec<_>>()
            .join(" or ");
        let url = Url::parse(link).map_err(|_| Error::BadResponse {
            detail: "the registration link is not a valid URL".into(),
        })?;
        // The server chose the origin: cut it, a host name can be any length.
        let refuse = |origin: String| Error::ForeignLink {
            origin: sanitize(&origin, 256),
            expected: expected.clone(),
        };
        let origin = url.origin();
        if !origin.is_tuple() {
            return Err(refuse(format!("a '{}:' URL", url.scheme())));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(refuse(format!(
                "{} with user info",
                origin.ascii_serialization()
            )));
        }
        if !is_transport_allowed(&url) {
            return Err(refuse(origin.ascii_serialization()));
        }
        if !is_written_plainly(link, url.scheme()) {
            return Err(refuse(
                "an address written irregularly (spaces, control characters, a backslash, an '@' before the host, or not '//' and the host after the scheme), which other programs may read as another host".into(),
            ));
        }
        if self.allowed.contains(&origin) {
            Ok(url)
        } else {
            Err(refuse(origin.ascii_serialization()))
        }
    }
}

/// The admin copies, mails and shows the link's text, not the parsed URL: the text must read
/// the same without the URL parser's repairs (spaces, tabs and newlines dropped, `\` read as
/// `/`, slashes missing or extra after the scheme, an empty user info dropped), or a mail
/// client or a QR scanner may take it to another host.
fn is_written_plainly(link: &str, scheme: &str) -> bool {
    let start = scheme.len() + 3;
    let Some(prefix) = link.get(..start) else {
        return false;
    };
    let rest = &link[start..];
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    prefix.eq_ignore_ascii_case(&format!("{scheme}://"))
        && !authority.is_empty()
        && !authority.contains('@')
        && !link
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == '\\')
}

/// `https` anywhere, plain `http` only to loopback (the simulator, a local test server).
pub fn is_transport_allowed(url: &Url) -> bool {
    match url.scheme() {
        "https" => true,
        "http" => is_loopback(url),
        _ => false,
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Everything but the unreserved characters of RFC 3986 is percent-encoded in a mailto: URL.
const MAILTO: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A `mailto:` URL that opens the admin's mail client with the link for `user`: addressed to
/// the user, with a subject and a body that says what to do and when the link expires — in the
/// user's `preferredLanguage` where the app has texts in it, else in English.
pub fn mailto(user: &User, link: &str, expires_at: DateTime<Utc>) -> Url {
    let local = expires_at.with_timezone(&Local);
    let (subject, body) = match Language::for_user(user.preferred_language.as_deref()) {
        Language::En => (
            "Register your passkey",
            format!(
                "Hello {name},\n\n\
                 please register a passkey for your account {login}: open this link on the phone or computer \
                 you want to sign in with, and follow the steps (Face ID, Touch ID, Windows Hello or Android):\n\n\
                 {link}\n\n\
                 The link works once and expires at {time} on {date}. If it has expired, ask the helpdesk for a new one.\n\n\
                 If you did not expect this message, do not open the link and tell your IT helpdesk.\n",
                name = user.display_name,
                login = user.login_name,
                time = local.format("%H:%M (UTC%:z)"),
                date = local.format("%Y-%m-%d"),
            ),
        ),
        Language::De => (
            "Passkey registrieren",
            format!(
                "Hallo {name},\n\n\
                 bitte registrieren Sie einen Passkey für Ihr Konto {login}: Öffnen Sie diesen Link auf dem Telefon \
                 oder Computer, mit dem Sie sich anmelden möchten, und folgen Sie den Schritten (Face ID, Touch ID, \
                 Windows Hello oder Android):\n\n\
                 {link}\n\n\
                 Der Link funktioniert einmal und läuft am {date} um {time} ab. Ist er abgelaufen, bitten Sie den \
                 Helpdesk um einen neuen.\n\n\
                 Wenn Sie diese Nachricht nicht erwartet haben, öffnen Sie den Link nicht und wenden Sie sich an \
                 Ihren IT-Helpdesk.\n",
                name = user.display_name,
                login = user.login_name,
                time = local.format("%H:%M Uhr (UTC%:z)"),
                date = local.format("%d.%m.%Y"),
            ),
        ),
    };
    let to = user
        .email
        .as_deref()
        .map(|e| utf8_percent_encode(e, MAILTO).to_string())
        .unwrap_or_default();
    let text = format!(
        "mailto:{to}?subject={}&body={}",
        utf8_percent_encode(subject, MAILTO),
        utf8_percent_encode(&body, MAILTO)
    );
    Url::parse(&text).expect("a percent-encoded mailto: URL parses")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn mailto_is_addressed_and_names_the_expiry() {
        let user = User {
            id: crate::model::UserId::new("1"),
            org_id: crate::model::OrgId::new("2"),
            kind: crate::model::UserKind::Human,
            state: crate::model::UserState::Active,
            user_name: "zoe".into(),
            login_name: "zoe@acme.example.com".into(),
            display_name: "Zoë Müller & Co".into(),
            email: Some("zoe+it@acme.example.com".into()),
            email_verified: true,
            preferred_language: None,
        };
        let expires = Utc::now();
        let url = mailto(
            &user,
            "https://auth.example.com/ui/login?code=a&x=b",
            expires,
        );
        assert_eq!(url.scheme(), "mailto");
        let text = url.as_str();
        assert!(
            text.starts_with(
                "mailto:zoe%2Bit%40acme.example.com?subject=Register%20your%20passkey&body="
            ),
            "{text}"
        );
        assert!(!text.contains('+'), "spaces must be %20: {text}");
        let body = percent_encoding::percent_decode_str(text.split("&body=").nth(1).unwrap())
            .decode_utf8()
            .unwrap();
        assert!(body.contains("Zoë Müller & Co"));
        assert!(body.contains("https://auth.example.com/ui/login?code=a&x=b"));
        assert!(body.contains(&expires.with_timezone(&Local).format("%H:%M").to_string()));
    }

    fn body_of(url: &Url) -> (String, String) {
        let text = url.as_str();
        let query = text.split_once('?').unwrap().1;
        let (subject, body) = query.split_once("&body=").unwrap();
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .unwrap()
                .into_owned()
        };
        (decode(subject.trim_start_matches("subject=")), decode(body))
    }

    #[test]
    fn mailto_speaks_the_users_preferred_language() {
        let mut user = User {
            id: crate::model::UserId::new("1"),
            org_id: crate::model::OrgId::new("2"),
            kind: crate::model::UserKind::Human,
            state: crate::model::UserState::Active,
            user_name: "max".into(),
            login_name: "max@acme.example.com".into(),
            display_name: "Max Muster".into(),
            email: Some("max@acme.example.com".into()),
            email_verified: true,
            preferred_language: Some("de-CH".into()),
        };
        let expires = Utc::now();
        let link = "https://auth.example.com/ui/login?code=a";
        let (subject, body) = body_of(&mailto(&user, link, expires));
        assert_eq!(subject, "Passkey registrieren");
        assert!(body.starts_with("Hallo Max Muster,"), "{body}");
        assert!(body.contains(link));
        let local = expires.with_timezone(&Local);
        assert!(
            body.contains(&format!(
                "am {} um {} Uhr",
                local.format("%d.%m.%Y"),
                local.format("%H:%M")
            )),
            "{body}"
        );

        // A language the app has no texts in, or none at all: English.
        for preferred in [Some("fr".to_string()), None] {
            user.preferred_language = preferred;
            let (subject, body) = body_of(&mailto(&user, link, expires));
            assert_eq!(subject, "Register your passkey");
            assert!(body.starts_with("Hello Max Muster,"), "{body}");
        }
    }

    const LINK_PATH: &str = "/ui/login/login/passwordless/init?userID=1&orgID=2&codeID=3&code=abc";

    fn policy() -> LinkPolicy {
        LinkPolicy::new(&Url::parse("https://auth.example.com").unwrap(), None)
    }

    #[test]
    fn accepts_the_instance_origin() {
        let url = policy()
            .check(&format!("https://auth.example.com{LINK_PATH}"))
            .unwrap();
        assert_eq!(url.host_str(), Some("auth.example.com"));
        assert!(policy()
            .check(&format!("https://AUTH.example.com:443{LINK_PATH}"))
            .is_ok());
    }

    #[test]
    fn accepts_a_configured_login_host() {
        let p = LinkPolicy::new(
            &Url::parse("https://api.example.com").unwrap(),
            Some(&Url::parse("https://login.example.com").unwrap()),
        );
        assert!(p
            .check(&format!("https://login.example.com{LINK_PATH}"))
            .is_ok());
        assert!(p
            .check(&format!("https://api.example.com{LINK_PATH}"))
            .is_ok());
        assert!(p
            .check(&format!("https://evil.example.com{LINK_PATH}"))
            .is_err());
    }

    #[test]
    fn refuses_hostile_links_without_repeating_them() {
        let hostile = [
            format!("https://evil.example.com{LINK_PATH}"),
            format!("https://auth.example.com:8443{LINK_PATH}"),
            format!("http://auth.example.com{LINK_PATH}"),
            format!("https://auth.example.com@evil.example{LINK_PATH}"),
            format!("https://user:pw@auth.example.com{LINK_PATH}"),
            format!("https://auth.example.com.evil.example{LINK_PATH}"),
            format!("https://аuth.example.com{LINK_PATH}"), // Cyrillic 'а'
            "javascript:alert(1)//auth.example.com".to_string(),
            "data:text/html,<script>alert(1)</script>".to_string(),
            "file:///etc/passwd".to_string(),
            LINK_PATH.to_string(),
        ];
        for link in hostile {
            let err = policy().check(&link).expect_err(&link);
            assert!(
                matches!(err, Error::ForeignLink { .. } | Error::BadResponse { .. }),
                "{link}: {err}"
            );
            assert!(
                !err.to_string().contains("code=abc"),
                "the message repeats the code: {err}"
            );
        }
    }

    #[test]
    fn plain_http_only_on_loopback() {
        let local = LinkPolicy::new(&Url::parse("http://127.0.0.1:8080").unwrap(), None);
        assert!(local
            .check(&format!("http://127.0.0.1:8080{LINK_PATH}"))
            .is_ok());
        assert!(local
            .check(&format!("http://127.0.0.1:8081{LINK_PATH}"))
            .is_err());
        let remote = LinkPolicy::new(&Url::parse("http://auth.example.com").unwrap(), None);
        assert!(remote
            .check(&format!("http://auth.example.com{LINK_PATH}"))
            .is_err());
    }

    /// Crashes of the `link_origin` and `wire_models` fuzz targets (fuzz/regressions/): links the
    /// URL parser repairs into the instance's origin, but whose text reads differently to a
    /// reader that repairs nothing, and a refusal that repeated a host of any length.
    fn refused_as_irregular(policy: &LinkPolicy, link: &str) {
        let err = policy.check(link).expect_err(link);
        assert_eq!(err.code(), "foreign_link", "{link:?}");
        assert!(err.to_string().contains("written irregularly"), "{err}");
    }

    #[test]
    fn fuzz_link_origin_newline_in_scheme() {
        let local = LinkPolicy::new(&Url::parse("http://127.0.0.1:8080").unwrap(), None);
        refused_as_irregular(&local, &format!("h\nttp://127.0.0.1:8080{LINK_PATH}"));
    }

    #[test]
    fn fuzz_link_origin_extra_slashes_after_scheme() {
        refused_as_irregular(&policy(), "https:////auth.example.com");
        refused_as_irregular(&policy(), &format!("https:auth.example.com{LINK_PATH}"));
    }

    #[test]
    fn fuzz_link_origin_empty_user_info() {
        let local = LinkPolicy::new(&Url::parse("http://127.0.0.1:8080").unwrap(), None);
        refused_as_irregular(&local, "http://@127.0.0.1:8080/ui/c");
        refused_as_irregular(&policy(), &format!("https://:@auth.example.com{LINK_PATH}"));
    }

    #[test]
    fn fuzz_link_origin_long_host_in_refusal() {
        let link = format!(
            "https://auth.example.com{}.evil{LINK_PATH}",
            "3".repeat(800)
        );
        let err = policy().check(&link).expect_err("a foreign host");
        assert_eq!(err.code(), "foreign_link");
        assert!(err.to_string().chars().count() < 600, "{err}");
    }

    #[test]
    fn fuzz_seed_spaces_and_backslashes() {
        for link in [
            format!("https://auth.example.com\\@evil.example{LINK_PATH}"),
            format!("https:\\\\auth.example.com{LINK_PATH}"),
            format!("https://auth.exam\tple.com{LINK_PATH}"),
            format!("https://auth.example.co\nm{LINK_PATH}"),
            format!(" https://auth.example.com{LINK_PATH}"),
            format!("https://auth.example.com{LINK_PATH}\n"),
        ] {
            refused_as_irregular(&policy(), &link);
        }
    }

    proptest! {
        /// Whatever the host, port and scheme: a link is accepted exactly when its origin is
        /// the instance's.
        #[test]
        fn accepts_exactly_the_instance_origin(
            host in prop_oneof![
                Just("auth.example.com".to_string()),
                Just("AUTH.example.com".to_string()),
                "[a-z]{1,8}(\\.[a-z]{1,8}){0,2}",
            ],
            port in prop_oneof![Just(None), Just(Some(443u16)), proptest::option::of(1u16..)],
            scheme in prop_oneof![Just("https"), Just("http"), Just("ftp"), Just("wss")],
            path in "(/[a-zA-Z0-9_-]{0,8}){0,3}",
        ) {
            let instance = Url::parse("https://auth.example.com").unwrap();
            let port_part = port.map(|p| format!(":{p}")).unwrap_or_default();
            let link = format!("{scheme}://{host}{port_part}{path}?code=x");
            let result = LinkPolicy::new(&instance, None).check(&link);
            let same = scheme == "https" && host.eq_ignore_ascii_case("auth.example.com") && matches!(port, None | Some(443));
            prop_assert_eq!(result.is_ok(), same, "{}", link);
        }

        #[test]
        fn never_panics(link in "\\PC*") {
            let _ = policy().check(&link);
        }
    }
}
