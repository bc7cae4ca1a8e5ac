//! Hostile answers, category "hostile answers": registration links that lead elsewhere or
//! read differently from where they lead (other hosts, ports and schemes, user info,
//! look-alike hosts, control, bidi and invisible characters) are refused with `foreign_link`
//! or `bad_response`, never shown and never created twice; user, org and passkey names with
//! markup, bidi overrides, terminal escapes, injected lines and 10 000 characters reach the
//! front ends unchanged as data, while the CLI's terminal text neutralises and cuts them and
//! its `--json` output stays valid JSON holding the original strings (escaped).
//! (The desktop UI's side is ui/src/lib/components/Hostile.test.ts.)

use std::sync::Arc;

use passkey_desk_core::{ClientOptions, Desk, Error, OrgId, Secret, ZitadelClient};
use passkey_desk_e2e::report::Cases;
use passkey_desk_e2e::{Cli, Run};
use serde_json::{json, Value};
use zitadel_sim::{seed, Fault, FaultKind, Sim, SimConfig};

const CATEGORY: &str = "hostile answers";
const LINK: &str = "/management/v1/users/*/passwordless/_link";
const SEARCH: &str = "/management/v1/users/_search";
/// A login host the desk trusts besides the instance, so that look-alikes of a real host name
/// can be tried.
const LOGIN_HOST: &str = "https://auth.example.com";
const LINK_PATH: &str = "/ui/login/login/passwordless/init";

async fn sim() -> Arc<Sim> {
    Arc::new(Sim::start(SimConfig::default()).await.unwrap())
}

fn desk(sim: &Sim) -> Desk {
    let options = ClientOptions {
        login_host: Some(reqwest::Url::parse(LOGIN_HOST).unwrap()),
        ..ClientOptions::default()
    };
    let pat = sim.demo().admin(seed::ADMIN_IAM_OWNER).pat.clone();
    Desk::new(ZitadelClient::new(&sim.url(), Secret::new(pat), options).unwrap())
}

fn acme() -> OrgId {
    OrgId::new(seed::ACME_ORG_ID)
}

fn fault(path: &str, kind: FaultKind) -> Fault {
    Fault {
        method: None,
        path: path.into(),
        times: None,
        kind,
    }
}

fn json_body(body: Value) -> FaultKind {
    FaultKind::Body {
        status: 200,
        content_type: "application/json".into(),
        body: body.to_string(),
    }
}

fn link_requests(sim: &Sim) -> usize {
    sim.requests()
        .iter()
        .filter(|r| r.path.ends_with("/passwordless/_link"))
        .count()
}

/// The query of a registration link for José Núñez.
fn query() -> String {
    format!(
        "userID={}&orgID={}&codeID=350000000000000009&code=HOSTILEcode1",
        seed::JOSE_ID,
        seed::ACME_ORG_ID
    )
}

/// A `_link` answer carrying `link` as it is.
fn link_answer(link: &str) -> FaultKind {
    json_body(json!({
        "details": {"sequence": "1", "resourceOwner": seed::ACME_ORG_ID},
        "link": link,
        "expiration": "3600s",
    }))
}

// ---- links ---------------------------------------------------------------------------------

const FOREIGN: &[&str] = &["foreign_link"];
const REFUSED: &[&str] = &["foreign_link", "bad_response"];
const BAD: &[&str] = &["bad_response"];

/// The hostile links: a name, the fault on `_link`, the codes that refuse it.
fn hostile_links(sim: &Sim) -> Vec<(String, FaultKind, &'static [&'static str])> {
    let here = sim.url(); // http://127.0.0.1:PORT
    let port: u16 = here.rsplit(':').next().unwrap().parse().unwrap();
    let q = query();
    let origin =
        |name: &str, origin: String| (name.to_string(), FaultKind::ForeignLink { origin }, FOREIGN);
    let text = |name: &str, link: String, codes: &'static [&'static str]| {
        (name.to_string(), link_answer(&link), codes)
    };
    let cyrillic = "https://\u{430}uth.example.com"; // 'а', U+0430
    let punycode = reqwest::Url::parse(cyrillic)
        .unwrap()
        .host_str()
        .unwrap()
        .to_string();
    assert!(punycode.starts_with("xn--"), "{punycode}");
    vec![
        origin("another host", "https://evil.example.com".into()),
        origin(
            "another port",
            format!("http://127.0.0.1:{}", port.wrapping_add(1)),
        ),
        origin(
            "https instead of the instance's http",
            format!("https://127.0.0.1:{port}"),
        ),
        origin(
            "localhost for 127.0.0.1",
            format!("http://localhost:{port}"),
        ),
        origin(
            "http: to a non-loopback host",
            "http://auth.example.com".into(),
        ),
        origin(
            "a longer host ending elsewhere",
            "https://auth.example.com.evil.example".into(),
        ),
        origin(
            "user info naming the instance (https://instance@evil/)",
            format!("http://127.0.0.1:{port}@evil.example.com"),
        ),
        origin(
            "user info in front of the instance",
            format!("http://admin@127.0.0.1:{port}"),
        ),
        origin(
            "user and password in front of the login host",
            "https://admin:pw@auth.example.com".into(),
        ),
        origin("IDN look-alike (Cyrillic а)", cyrillic.into()),
        origin(
            "IDN look-alike written in punycode",
            format!("https://{punycode}"),
        ),
        origin(
            "IDN look-alike in the domain (exаmple)",
            "https://auth.ex\u{430}mple.com".into(),
        ),
        origin("a trailing dot", "https://auth.example.com.".into()),
        text(
            "javascript:",
            format!("javascript:alert(document.cookie)//{LINK_PATH}?{q}"),
            FOREIGN,
        ),
        text(
            "data:",
            "data:text/html,<script>alert(1)</script>".into(),
            FOREIGN,
        ),
        text("file:", "file:///etc/passwd".into(), FOREIGN),
        text(
            "fullwidth letters that the URL parser folds to the login host",
            format!("https://\u{ff41}uth.example.com{LINK_PATH}?{q}"),
            REFUSED,
        ),
        text(
            "a zero-width space in the host",
            format!("https://auth\u{200B}.example.com{LINK_PATH}?{q}"),
            REFUSED,
        ),
        text(
            "a newline in the host",
            format!("http://127.0.0.1:{port}\n.evil.example{LINK_PATH}?{q}"),
            REFUSED,
        ),
        text(
            "a tab inside the host",
            format!("http://127.0.\t0.1:{port}{LINK_PATH}?{q}"),
            REFUSED,
        ),
        text(
            "a backslash for a slash",
            format!("http://127.0.0.1:{port}\\@evil.example.com{LINK_PATH}?{q}"),
            REFUSED,
        ),
        text(
            "terminal escapes in the query",
            format!("{here}{LINK_PATH}?{q}\u{1b}[2J\u{1b}]0;pwned\u{7}"),
            REFUSED,
        ),
        text(
            "a bidi override in the query",
            format!("{here}{LINK_PATH}?{q}&x=\u{202E}gnp.exe"),
            REFUSED,
        ),
        text(
            "a bidi isolate in the path",
            format!("{here}/ui/login\u{2067}/login/passwordless/init?{q}"),
            REFUSED,
        ),
        text(
            "a zero-width space in the query",
            format!("{here}{LINK_PATH}?{q}\u{200B}"),
            REFUSED,
        ),
        text(
            "naming another user as well (UserID=…&userID=…)",
            format!(
                "{here}{LINK_PATH}?UserID={}&userID={}&codeID=1&code=x",
                seed::JOSE_ID,
                seed::MAX_ACME_ID
            ),
            BAD,
        ),
        text("a relative link", format!("{LINK_PATH}?{q}"), BAD),
        text(
            "not a URL",
            "<a href=https://evil.example>register</a>".into(),
            REFUSED,
        ),
    ]
}

#[tokio::test]
async fn links() {
    let sim = sim().await;
    let mut cases = Cases::new(CATEGORY, "links");
    for (name, kind, codes) in hostile_links(&sim) {
        let sim = sim.clone();
        cases
            .run(format!("passwordless/_link × {name}"), async move {
                sim.clear_faults();
                sim.clear_requests();
                let desk = desk(&sim);
                sim.inject(fault(LINK, kind));
                let e = desk.create_link(&acme(), "jose.nunez").await.unwrap_err();
                assert!(codes.contains(&e.code().as_str()), "{}: {e}", e.code());
                let message = e.to_string();
                for leaked in ["HOSTILEcode1", "code=", "alert(", "<script", "/etc/passwd"] {
                    assert!(!message.contains(leaked), "'{leaked}' in: {message}");
                }
                assert!(
                    !message.chars().any(|c| c.is_control() || c == '\u{202E}'),
                    "{message:?}"
                );
                assert!(message.chars().count() <= 400, "{message}");
                assert_eq!(link_requests(&sim), 1, "one _link request");
                // The answer gone, links work again.
                sim.clear_faults();
                desk.create_link(&acme(), "jose.nunez").await.unwrap();
            })
            .await;
    }

    // Controls: what is the same origin, written another way, is accepted — and shown as
    // checked (the parsed URL), not as the server wrote it.
    let accepted = [
        (
            "an upper-case login host with its default port",
            format!("HTTPS://AUTH.Example.COM:443{LINK_PATH}?{}", query()),
            format!("{LOGIN_HOST}{LINK_PATH}?{}", query()),
        ),
        (
            "the configured login host",
            format!("{LOGIN_HOST}{LINK_PATH}?{}", query()),
            format!("{LOGIN_HOST}{LINK_PATH}?{}", query()),
        ),
    ];
    for (name, link, shown) in accepted {
        let sim = sim.clone();
        cases
            .run(
                format!("passwordless/_link × {name} (accepted)"),
                async move {
                    sim.clear_faults();
                    sim.inject(fault(LINK, link_answer(&link)));
                    let (_, created) = desk(&sim).create_link(&acme(), "jose.nunez").await.unwrap();
                    assert_eq!(created.link.expose(), &shown);
                },
            )
            .await;
    }
    cases.finish();
}

// ---- names ---------------------------------------------------------------------------------

/// Hostile strings for names: what the front ends must show as text.
fn hostile_names() -> Vec<(&'static str, String)> {
    vec![
        ("HTML", "<img src=x onerror=alert(1)>".to_string()),
        ("a bidi override", "Mallory \u{202E}gnp.exe".to_string()),
        (
            "ANSI escapes",
            "\u{1b}[31mRED\u{1b}[0m\u{1b}]0;pwned\u{7}\u{1b}[2J".to_string(),
        ),
        ("an injected line", "Alice\nerror: fake line\r".to_string()),
        ("zero-width characters", "ad\u{200B}min\u{FEFF}".to_string()),
        ("10 000 characters", "X".repeat(10_000)),
    ]
}

/// A v1 user (José Núñez's id, ACME) whose names are all `name`.
fn user_json(name: &str, state: &str) -> Value {
    json!({
        "id": seed::JOSE_ID,
        "details": {"resourceOwner": seed::ACME_ORG_ID},
        "state": state,
        "userName": "jose.nunez",
        "preferredLoginName": name,
        "human": {
            "profile": {"displayName": name},
            "email": {"email": name},
        },
    })
}

fn users_answer(users: Vec<Value>) -> FaultKind {
    json_body(json!({"details": {"totalResult": users.len().to_string()}, "result": users}))
}

/// Characters that must never reach a terminal from a server string.
fn is_unsafe_on_a_terminal(c: char) -> bool {
    (c.is_control() && c != '\n')
        || matches!(
            c,
            '\u{061C}'
                | '\u{200B}'
                | '\u{200E}'
                | '\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{2069}'
                | '\u{FEFF}'
        )
}

/// Terminal text: no escape, control, bidi or invisible character; no injected line; long
/// text cut.
fn assert_terminal_safe(text: &str) {
    if let Some(c) = text.chars().find(|&c| is_unsafe_on_a_terminal(c)) {
        panic!("U+{:04X} reaches the terminal: {text:?}", c as u32);
    }
    assert!(
        !text.lines().any(|l| l.starts_with("error: fake")),
        "an injected line: {text}"
    );
    assert!(
        !text.contains(&"X".repeat(201)),
        "10 000 characters were not cut"
    );
}

/// `--json`: one valid document, whole (nothing cut); nothing unsafe in its raw text: JSON
/// escapes it instead.
fn assert_json_safe(run: &Run) -> Value {
    assert_eq!(run.code, 0, "{}", run.stderr);
    if let Some(c) = run.stdout.chars().find(|&c| is_unsafe_on_a_terminal(c)) {
        panic!("U+{:04X} unescaped in the JSON: {:?}", c as u32, run.stdout);
    }
    run.json()
}

/// One CLI surface: a fault that brings the hostile name, the arguments, and what to check.
struct Surface {
    name: &'static str,
    faults: fn(&str) -> Vec<Fault>,
    args: &'static [&'static str],
    check: fn(&Run, &str),
}

fn on_search(name: &str) -> Vec<Fault> {
    vec![fault(
        SEARCH,
        users_answer(vec![user_json(name, "USER_STATE_ACTIVE")]),
    )]
}

fn surfaces() -> Vec<Surface> {
    vec![
        Surface {
            name: "users (terminal)",
            faults: on_search,
            args: &["users", "jose"],
            check: |run, _| {
                assert_eq!(run.code, 0, "{}", run.stderr);
                assert!(run.stdout.contains(seed::JOSE_ID), "{}", run.stdout);
                assert_terminal_safe(&run.stdout);
            },
        },
        Surface {
            name: "users --json",
            faults: on_search,
            args: &["--json", "users", "jose"],
            check: |run, name| {
                let v = assert_json_safe(run);
                let user = &v[0];
                assert_eq!(user["displayName"], name);
                assert_eq!(user["loginName"], name);
                assert_eq!(user["email"], name);
            },
        },
        Surface {
            name: "link (terminal)",
            faults: on_search,
            args: &["link", "jose.nunez", "--no-qr"],
            check: |run, _| {
                assert_eq!(run.code, 0, "{}", run.stderr);
                assert!(run.stdout.contains("Passkey registration link for"));
                assert_terminal_safe(&run.stdout);
                assert_terminal_safe(&run.stderr);
            },
        },
        Surface {
            name: "link of a locked user (error line)",
            faults: |name| {
                vec![fault(
                    SEARCH,
                    users_answer(vec![user_json(name, "USER_STATE_LOCKED")]),
                )]
            },
            args: &["link", "jose.nunez"],
            check: |run, _| {
                assert_eq!(run.code, 1, "{}", run.stderr);
                assert!(run.stderr.contains("locked"), "{}", run.stderr);
                assert_eq!(run.stderr.lines().count(), 1, "one line: {}", run.stderr);
                assert_terminal_safe(&run.stderr);
            },
        },
        Surface {
            name: "link matching two users (error line)",
            faults: |name| {
                let mut other = user_json(name, "USER_STATE_ACTIVE");
                other["id"] = json!(seed::MAX_ACME_ID);
                vec![fault(
                    SEARCH,
                    users_answer(vec![user_json(name, "USER_STATE_ACTIVE"), other]),
                )]
            },
            args: &["--json", "link", "jose.nunez"],
            check: |run, _| {
                assert_eq!(run.code, 5, "{}", run.stderr);
                assert_eq!(run.stderr.lines().count(), 1, "one line: {}", run.stderr);
                assert_terminal_safe(&run.stderr);
                assert_terminal_safe(&run.stdout);
                let v = run.json();
                assert_eq!(v["error"]["code"], "ambiguous_user");
                let message = v["error"]["message"].as_str().unwrap();
                assert!(message.chars().count() <= 600, "{}", message.len());
            },
        },
        Surface {
            name: "orgs (terminal)",
            faults: |name| {
                vec![fault(
                    "/auth/v1/memberships/me/_search",
                    json_body(json!({"result": [{
                        "orgId": seed::ACME_ORG_ID, "displayName": name, "roles": ["ORG_OWNER", name],
                    }]})),
                )]
            },
            args: &["orgs"],
            check: |run, _| {
                assert_eq!(run.code, 0, "{}", run.stderr);
                assert!(run.stdout.contains(seed::ACME_ORG_ID), "{}", run.stdout);
                assert_terminal_safe(&run.stdout);
            },
        },
        Surface {
            name: "orgs --json",
            faults: |name| {
                vec![fault(
                    "/auth/v1/memberships/me/_search",
                    json_body(json!({"result": [{
                        "orgId": seed::ACME_ORG_ID, "displayName": name, "roles": ["ORG_OWNER"],
                    }]})),
                )]
            },
            args: &["--json", "orgs"],
            check: |run, name| {
                let v = assert_json_safe(run);
                assert_eq!(v[0]["name"], name);
            },
        },
        Surface {
            name: "passkeys (terminal)",
            faults: |name| {
                vec![fault(
                    "/management/v1/users/*/passwordless/_search",
                    json_body(json!({"result": [{
                        "id": "350000000000000001", "state": "AUTH_FACTOR_STATE_READY", "name": name,
                    }]})),
                )]
            },
            args: &["passkeys", "jose.nunez"],
            check: |run, _| {
                assert_eq!(run.code, 0, "{}", run.stderr);
                assert!(run.stdout.contains("350000000000000001"), "{}", run.stdout);
                assert_terminal_safe(&run.stdout);
            },
        },
        Surface {
            name: "passkeys --json",
            faults: |name| {
                vec![fault(
                    "/management/v1/users/*/passwordless/_search",
                    json_body(json!({"result": [{
                        "id": "350000000000000001", "state": "AUTH_FACTOR_STATE_READY", "name": name,
                    }]})),
                )]
            },
            args: &["--json", "passkeys", "jose.nunez"],
            check: |run, name| {
                let v = assert_json_safe(run);
                assert_eq!(v[0]["name"], name);
            },
        },
        Surface {
            name: "whoami (terminal)",
            faults: |name| {
                vec![fault(
                    "/auth/v1/users/me",
                    json_body(json!({"user": {
                        "id": "310000000000000001",
                        "details": {"resourceOwner": seed::ACME_ORG_ID},
                        "userName": "desk.admin",
                        "preferredLoginName": name,
                        "human": {"profile": {"displayName": name}},
                    }})),
                )]
            },
            args: &["whoami"],
            check: |run, _| {
                assert_eq!(run.code, 0, "{}", run.stderr);
                assert!(run.stdout.contains("Signed in as"), "{}", run.stdout);
                assert_terminal_safe(&run.stdout);
            },
        },
    ]
}

#[tokio::test]
async fn names_in_the_terminal() {
    let sim = sim().await;
    let mut cases = Cases::new(CATEGORY, "names_in_the_terminal");
    for surface in surfaces() {
        for (what, name) in hostile_names() {
            let sim = sim.clone();
            let faults = (surface.faults)(&name);
            let args = surface.args;
            let check = surface.check;
            cases
                .run(format!("cli {} × {what}", surface.name), async move {
                    sim.clear_faults();
                    sim.clear_requests();
                    for f in faults {
                        sim.inject(f);
                    }
                    let run = Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER)
                        .run(args.iter().copied())
                        .await;
                    check(&run, &name);
                    assert!(link_requests(&sim) <= 1, "a second _link");
                })
                .await;
        }
    }
    cases.finish();
}

/// The core hands names to the front ends unchanged (they render them as text); messages
/// that quote a name neutralise and cut it.
#[tokio::test]
async fn names_in_the_core() {
    let sim = sim().await;
    let mut cases = Cases::new(CATEGORY, "names_in_the_core");
    for (what, name) in hostile_names() {
        let sim2 = sim.clone();
        let value = name.clone();
        cases
            .run(
                format!("users/_search × {what} (kept as data)"),
                async move {
                    sim2.clear_faults();
                    sim2.inject(fault(
                        SEARCH,
                        users_answer(vec![user_json(&value, "USER_STATE_ACTIVE")]),
                    ));
                    let page = desk(&sim2).search_users(&acme(), "jose", 20).await.unwrap();
                    assert_eq!(page.users.len(), 1);
                    assert_eq!(page.users[0].display_name, value);
                    assert_eq!(page.users[0].login_name, value);
                    assert_eq!(page.users[0].email.as_deref(), Some(value.as_str()));
                },
            )
            .await;
        for (state, code) in [
            ("USER_STATE_LOCKED", "user_not_active"),
            ("USER_STATE_ACTIVE", "ambiguous_user"),
        ] {
            let sim = sim.clone();
            let value = name.clone();
            cases
                .run(format!("{code} message × {what}"), async move {
                    sim.clear_faults();
                    sim.clear_requests();
                    let mut users = vec![user_json(&value, state)];
                    if code == "ambiguous_user" {
                        let mut other = user_json(&value, state);
                        other["id"] = json!(seed::MAX_ACME_ID);
                        users.push(other);
                    }
                    sim.inject(fault(SEARCH, users_answer(users)));
                    let e: Error = desk(&sim)
                        .create_link(&acme(), "jose.nunez")
                        .await
                        .unwrap_err();
                    assert_eq!(e.code(), code, "{e}");
                    let message = e.to_string();
                    if let Some(c) = message.chars().find(|&c| is_unsafe_on_a_terminal(c)) {
                        panic!("U+{:04X} in the message: {message:?}", c as u32);
                    }
                    assert!(message.chars().count() <= 600, "{} chars", message.len());
                    assert_eq!(link_requests(&sim), 0, "no link for a refused user");
                })
                .await;
        }
    }
    cases.finish();
}
