//! The fault matrix: every ZITADEL call Passkey Desk makes, against every fault zitadel-sim can
//! inject (and the token refresh against faults on the token endpoint). Each case checks the
//! exact error code, a message that says what to do (and holds no secret and no raw answer),
//! that the desk works again once the fault is gone, and for the writes that nothing was sent
//! twice: one `_link` request, also under 429, 503, a timeout or a dropped connection.
//!
//! One test per call, one recorded case per (call, fault), category "fault matrix".

use std::sync::Arc;
use std::time::Duration;

use passkey_desk_core::auth::{
    Auth, LoginOptions, MemoryStore, Method, SecretStore, Session, SessionIndex,
};
use passkey_desk_core::client::{MatchMode, TokenProvider, UserSearch};
use passkey_desk_core::{ClientOptions, Desk, Error, OrgId, Secret, UserId, ZitadelClient};
use passkey_desk_e2e::report::Cases;
use passkey_desk_e2e::{Cli, TempDir};
use zitadel_sim::{seed, Fault, FaultKind, Sim, SimConfig};

const CATEGORY: &str = "fault matrix";
const TOKEN_PATH: &str = "/oauth/v2/token";
/// How long an injected delay lasts: well past the short client timeout of [`quick`].
const DELAY_MS: u64 = 2000;

// ---- the calls -----------------------------------------------------------------------------

/// Every call of `ZitadelClient`; `_link` and `_send_link` go through the desk, as the front
/// ends do (permission and user checks first).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Call {
    MyUser,
    Memberships,
    Permissions,
    Orgs,
    Users,
    GetUser,
    Passkeys,
    Link,
    SendLink,
    RemovePasskey,
}

impl Call {
    fn name(self) -> &'static str {
        match self {
            Call::MyUser => "users/me",
            Call::Memberships => "memberships/me/_search",
            Call::Permissions => "permissions/zitadel/me/_search",
            Call::Orgs => "v2 organizations/_search",
            Call::Users => "users/_search",
            Call::GetUser => "users/{id}",
            Call::Passkeys => "passwordless/_search",
            Call::Link => "passwordless/_link",
            Call::SendLink => "passwordless/_send_link",
            Call::RemovePasskey => "DELETE passwordless/{id}",
        }
    }

    fn method(self) -> &'static str {
        match self {
            Call::MyUser | Call::GetUser => "GET",
            Call::RemovePasskey => "DELETE",
            _ => "POST",
        }
    }

    /// The path the call reaches (the user is José Núñez of ACME).
    fn path(self) -> String {
        let user = seed::JOSE_ID;
        match self {
            Call::MyUser => "/auth/v1/users/me".into(),
            Call::Memberships => "/auth/v1/memberships/me/_search".into(),
            Call::Permissions => "/auth/v1/permissions/zitadel/me/_search".into(),
            Call::Orgs => "/v2/organizations/_search".into(),
            Call::Users => "/management/v1/users/_search".into(),
            Call::GetUser => format!("/management/v1/users/{user}"),
            Call::Passkeys => format!("/management/v1/users/{user}/passwordless/_search"),
            Call::Link => format!("/management/v1/users/{user}/passwordless/_link"),
            Call::SendLink => format!("/management/v1/users/{user}/passwordless/_send_link"),
            Call::RemovePasskey => format!(
                "/management/v1/users/{}/passwordless/{}",
                seed::ZOE_ID,
                seed::ZOE_PASSKEY_ID
            ),
        }
    }

    fn is_write(self) -> bool {
        matches!(self, Call::Link | Call::SendLink | Call::RemovePasskey)
    }

    /// Calls about one user: ZITADEL's "user not found" ids mean that user.
    fn is_about_a_user(self) -> bool {
        matches!(
            self,
            Call::GetUser | Call::Passkeys | Call::Link | Call::SendLink | Call::RemovePasskey
        )
    }

    /// Makes the call; on success, how many items the answer held.
    async fn invoke(self, desk: &Desk) -> Result<usize, Error> {
        let client = desk.client();
        let acme = OrgId::new(seed::ACME_ORG_ID);
        let jose = UserId::new(seed::JOSE_ID);
        match self {
            Call::MyUser => client.my_user().await.map(|_| 1),
            Call::Memberships => client.my_memberships().await.map(|m| m.len()),
            Call::Permissions => client.my_permissions(&acme).await.map(|p| p.iter().count()),
            Call::Orgs => client.search_orgs(None, 100).await.map(|o| o.len()),
            Call::Users => {
                let search = UserSearch {
                    text: "max".into(),
                    mode: MatchMode::Contains,
                    humans_only: true,
                    offset: 0,
                    limit: 20,
                };
                client
                    .list_users(&acme, &search)
                    .await
                    .map(|p| p.users.len())
            }
            Call::GetUser => client.get_user(&acme, &jose).await.map(|_| 1),
            Call::Passkeys => client.list_passkeys(&acme, &jose).await.map(|p| p.len()),
            Call::Link => desk.create_link(&acme, "jose.nunez").await.map(|_| 1),
            Call::SendLink => desk.send_link(&acme, "jose.nunez").await.map(|_| 1),
            // The raw DELETE (Zoë's passkey, put back before each try by `run_spec`).
            Call::RemovePasskey => client
                .remove_passkey(&acme, &UserId::new(seed::ZOE_ID), seed::ZOE_PASSKEY_ID)
                .await
                .map(|_| 1),
        }
    }

    /// A JSON answer that lacks what the app needs, and what the app makes of it: a list
    /// without usable entries is empty (proto3 leaves zero values out), a missing object is
    /// `bad_response`.
    fn missing_fields(self) -> (&'static str, Outcome) {
        match self {
            Call::MyUser => (
                r#"{"lastLogin":"2026-07-10T09:15:02Z"}"#,
                Outcome::Fails("bad_response"),
            ),
            // Neither an org nor the instance: nothing to act in.
            Call::Memberships => (
                r#"{"result":[{"roles":["ORG_OWNER"]}]}"#,
                Outcome::Succeeds(Some(0)),
            ),
            // No permission listed: none granted.
            Call::Permissions => (r#"{"details":{}}"#, Outcome::Succeeds(Some(0))),
            Call::Orgs => (
                r#"{"details":{"totalResult":"1"},"result":[{"name":"ACME AG"}]}"#,
                Outcome::Fails("bad_response"),
            ),
            Call::Users => (
                r#"{"details":{"totalResult":"1"},"result":[{"userName":"max.muster"}]}"#,
                Outcome::Fails("bad_response"),
            ),
            Call::GetUser => (
                r#"{"user":{"id":"320000000000000004","userName":"jose.nunez"}}"#,
                Outcome::Fails("bad_response"),
            ),
            Call::Passkeys => (
                r#"{"result":[{"state":"AUTH_FACTOR_STATE_READY","name":"iPhone"}]}"#,
                Outcome::Fails("bad_response"),
            ),
            Call::Link => (
                r#"{"details":{"sequence":"9"}}"#,
                Outcome::Fails("bad_response"),
            ),
            // The app needs nothing from these answers: `{}` is ZITADEL's empty success.
            Call::SendLink | Call::RemovePasskey => ("{}", Outcome::Succeeds(Some(1))),
        }
    }

    /// A JSON answer with a wrong type where the app reads a value.
    fn wrong_types(self) -> &'static str {
        match self {
            Call::MyUser => r#"{"user":{"id":7}}"#,
            Call::Memberships => r#"{"result":[{"orgId":300000000000000001,"roles":"ORG_OWNER"}]}"#,
            Call::Permissions => r#"{"result":"user.read"}"#,
            Call::Orgs => r#"{"result":[{"id":300000000000000001,"name":["ACME AG"]}]}"#,
            Call::Users => r#"{"details":{"totalResult":"many"},"result":[]}"#,
            Call::GetUser => r#"{"user":{"id":"320000000000000004","human":"yes"}}"#,
            Call::Passkeys => r#"{"result":[{"id":350000000000000001,"name":true}]}"#,
            Call::Link => r#"{"link":42,"expiration":3600}"#,
            Call::SendLink => r#"{"details":"sent"}"#,
            Call::RemovePasskey => r#"{"details":"removed"}"#,
        }
    }
}

// ---- the faults ----------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Signin {
    /// A PAT (a fixed token that cannot be renewed).
    Pat,
    /// A browser sign-in with a refresh token.
    Session,
    /// A browser sign-in whose sessions an administrator revoked before the call.
    Revoked,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Outcome {
    /// Succeeds, with this many items if given.
    Succeeds(Option<usize>),
    Fails(&'static str),
    /// Fails with one of these codes (two calls run at once, each may see the end first).
    FailsWithOneOf(&'static [&'static str]),
}

#[derive(Clone, Debug)]
struct Spec {
    name: String,
    fault: Option<FaultKind>,
    times: Option<u32>,
    signin: Signin,
    /// Short client timeouts.
    quick: bool,
    outcome: Outcome,
    /// Requests the call's path must have received.
    requests: Option<usize>,
    /// Token-endpoint requests (refreshes) during the call.
    refreshes: Option<usize>,
}

impl Spec {
    fn new(name: impl Into<String>, fault: Option<FaultKind>, outcome: Outcome) -> Spec {
        Spec {
            name: name.into(),
            fault,
            times: None,
            signin: Signin::Pat,
            quick: false,
            outcome,
            requests: None,
            refreshes: None,
        }
    }

    fn times(mut self, times: u32) -> Spec {
        self.times = Some(times);
        self
    }

    fn signin(mut self, signin: Signin) -> Spec {
        self.signin = signin;
        self
    }

    fn quick(mut self) -> Spec {
        self.quick = true;
        self
    }

    fn requests(mut self, n: usize) -> Spec {
        self.requests = Some(n);
        self
    }

    fn refreshes(mut self, n: usize) -> Spec {
        self.refreshes = Some(n);
        self
    }
}

fn status(status: u16) -> Option<FaultKind> {
    Some(FaultKind::Status { status })
}

fn zitadel(status: u16, code: i32, id: &str) -> Option<FaultKind> {
    Some(FaultKind::ZitadelError {
        status,
        code,
        id: id.into(),
        message: format!("Injected ({id})"),
    })
}

fn rate_limit(retry_after_secs: Option<u64>) -> Option<FaultKind> {
    Some(FaultKind::RateLimit { retry_after_secs })
}

fn body(status: u16, content_type: &str, body: &str) -> Option<FaultKind> {
    Some(FaultKind::Body {
        status,
        content_type: content_type.into(),
        body: body.into(),
    })
}

/// The documented error ids of zitadel-api.md §8 with their status and gRPC code.
const ERROR_IDS: [(u16, i32, &str); 7] = [
    (403, 7, "AUTH-5mWD2"),
    (403, 7, "AUTH-Bs7Ds"),
    (401, 16, "AUTH-7fs1e"),
    (404, 5, "MANAG-fpo4B"),
    (404, 5, "QUERY-Dfbg2"),
    (400, 9, "COMMAND-uXHNj"),
    (400, 3, "COMMAND-Dhz8i"),
];

/// What an id means for `call`, whatever the HTTP status.
fn code_for_id(call: Call, id: &str) -> &'static str {
    match id {
        "AUTH-5mWD2" => "permission_denied",
        "AUTH-Bs7Ds" => "org_not_found",
        "AUTH-7fs1e" => "token_rejected",
        "MANAG-fpo4B" | "QUERY-Dfbg2" | "COMMAND-uXHNj" if call.is_about_a_user() => {
            "user_not_found"
        }
        // "User not found" on a call about no particular user: a server error, not a guess.
        "MANAG-fpo4B" | "QUERY-Dfbg2" | "COMMAND-uXHNj" => "server",
        "COMMAND-Dhz8i" => "code_invalid",
        other => panic!("no expectation for {other}"),
    }
}

/// Every fault for one ZITADEL call, with what must come of it.
fn specs(call: Call) -> Vec<Spec> {
    use Outcome::{Fails, FailsWithOneOf, Succeeds};
    // Reads are tried again on 429 and 503 (twice); writes never.
    let retried = if call.is_write() { 1 } else { 3 };
    let once_then = |read: Outcome, write: &'static str| {
        if call.is_write() {
            Fails(write)
        } else {
            read
        }
    };
    let mut specs = vec![
        // 401 in the middle of a session: one refresh, one retry.
        Spec::new(
            "401 once (renewed)",
            zitadel(401, 16, "AUTH-7fs1e"),
            Succeeds(None),
        )
        .times(1)
        .signin(Signin::Session)
        .requests(2)
        .refreshes(1),
        Spec::new(
            "401 every time",
            zitadel(401, 16, "AUTH-7fs1e"),
            Fails("token_rejected"),
        )
        .signin(Signin::Session)
        .requests(2)
        .refreshes(1),
        Spec::new(
            "401, session revoked",
            None,
            if matches!(call, Call::Link | Call::SendLink) {
                FailsWithOneOf(&["session_ended", "token_rejected"])
            } else {
                Fails("session_ended")
            },
        )
        .signin(Signin::Revoked)
        .refreshes(1),
        // A 403 whose id is no permission check's: said as what it is, not as a missing
        // permission.
        Spec::new("403", status(403), Fails("forbidden")).requests(1),
        Spec::new(
            "403 MFA required",
            zitadel(403, 7, "AUTHZ-Kl3p0"),
            Fails("forbidden"),
        )
        .requests(1),
        Spec::new(
            "404",
            status(404),
            Fails(if call.is_about_a_user() {
                "user_not_found"
            } else {
                "server"
            }),
        )
        .requests(1),
        Spec::new("400", status(400), Fails("server")).requests(1),
    ];
    for (http, code, id) in ERROR_IDS {
        specs.push(
            Spec::new(
                format!("{http} {id}"),
                zitadel(http, code, id),
                Fails(code_for_id(call, id)),
            )
            .requests(1),
        );
        if http != 400 {
            specs.push(
                Spec::new(
                    format!("400 {id}"),
                    zitadel(400, 9, id),
                    Fails(code_for_id(call, id)),
                )
                .requests(1),
            );
        }
    }
    specs.extend([
        Spec::new("409", status(409), Fails("conflict")).requests(1),
        Spec::new(
            "429 with Retry-After",
            rate_limit(Some(1)),
            Fails("rate_limited"),
        )
        .requests(retried),
        Spec::new(
            "429 with a long Retry-After",
            rate_limit(Some(120)),
            Fails("rate_limited"),
        )
        .requests(1),
        Spec::new(
            "429 without Retry-After",
            rate_limit(None),
            Fails("rate_limited"),
        )
        .requests(retried),
        Spec::new(
            "429 once",
            rate_limit(None),
            once_then(Succeeds(None), "rate_limited"),
        )
        .times(1)
        .requests(if call.is_write() { 1 } else { 2 }),
        Spec::new("500", status(500), Fails("server")).requests(1),
        Spec::new("503", status(503), Fails("unavailable")).requests(retried),
        Spec::new(
            "503 once",
            status(503),
            once_then(Succeeds(None), "unavailable"),
        )
        .times(1)
        .requests(if call.is_write() { 1 } else { 2 }),
        Spec::new(
            "delay past the timeout",
            Some(FaultKind::Delay { ms: DELAY_MS }),
            Fails("timeout"),
        )
        .quick()
        .requests(1),
        Spec::new(
            "dropped connection",
            Some(FaultKind::Drop),
            Fails("network"),
        )
        .requests(1),
        Spec::new(
            "truncated body",
            Some(FaultKind::Truncate),
            Fails("network"),
        )
        .requests(1),
        Spec::new(
            "non-JSON body",
            body(
                200,
                "text/html",
                "<html><body><h1>Sign in</h1></body></html>",
            ),
            Fails("bad_response"),
        )
        .requests(1),
        Spec::new(
            "20 MB body",
            Some(FaultKind::Huge {
                bytes: 20 * 1024 * 1024,
            }),
            Fails("bad_response"),
        )
        .requests(1),
    ]);
    let (missing, outcome) = call.missing_fields();
    specs.push(
        Spec::new(
            "JSON missing fields",
            body(200, "application/json", missing),
            outcome,
        )
        .requests(1),
    );
    specs.push(
        Spec::new(
            "JSON with wrong types",
            body(200, "application/json", call.wrong_types()),
            Fails("bad_response"),
        )
        .requests(1),
    );
    specs
}

// ---- set-up --------------------------------------------------------------------------------

/// Short timeouts, so that the timeout cases end quickly.
fn quick() -> ClientOptions {
    ClientOptions {
        connect_timeout: Duration::from_millis(500),
        request_timeout: Duration::from_millis(700),
        ..ClientOptions::default()
    }
}

fn admin_pat(sim: &Sim) -> String {
    sim.demo().admin(seed::ADMIN_IAM_OWNER).pat.clone()
}

fn pat_desk(sim: &Sim, options: ClientOptions) -> Desk {
    Desk::new(ZitadelClient::new(&sim.url(), Secret::new(admin_pat(sim)), options).unwrap())
}

/// A browser sign-in of the IAM owner, with its session store.
struct Login {
    desk: Desk,
    session: Arc<Session>,
    store: Arc<MemoryStore>,
    _dir: TempDir,
}

async fn login(sim: &Sim, options: ClientOptions) -> Login {
    let dir = TempDir::new("fault-matrix");
    let store = Arc::new(MemoryStore::default());
    let auth = Auth::new(
        reqwest::Url::parse(&sim.url()).unwrap(),
        options.clone(),
        store.clone(),
        SessionIndex::at(dir.path().join("sessions.toml")),
    );
    sim.set_auto_login(Some(seed::ADMIN_IAM_OWNER));
    let pending = auth
        .start_browser_login(&LoginOptions {
            client_id: seed::NATIVE_CLIENT_ID.into(),
            ..LoginOptions::default()
        })
        .await
        .unwrap();
    // The system browser: follows the redirects to the loopback listener.
    let page = reqwest::get(pending.url().as_str()).await.unwrap();
    assert!(page.status().is_success(), "the sign-in page flow");
    let tokens = pending.finish(Duration::from_secs(10)).await.unwrap();
    let session = Arc::new(
        auth.complete(Method::Browser, seed::NATIVE_CLIENT_ID, tokens)
            .await
            .unwrap(),
    );
    let desk = Desk::new(ZitadelClient::with_tokens(&sim.url(), session.clone(), options).unwrap());
    Login {
        desk,
        session,
        store,
        _dir: dir,
    }
}

/// The secrets a message must never hold: the PAT, and for a session its tokens.
async fn secrets(sim: &Sim, login: Option<&Login>) -> Vec<String> {
    let mut secrets = vec![admin_pat(sim)];
    if let Some(login) = login {
        // The access token first: getting it may renew it, and rotate the refresh token.
        if let Ok(token) = login.session.access_token().await {
            secrets.push(token.expose().clone());
        }
        let admin = &sim.demo().admin(seed::ADMIN_IAM_OWNER).user_id;
        let stored = login
            .store
            .load(&format!("{} {admin}", sim.url()))
            .unwrap()
            .expect("the session is stored");
        let stored: serde_json::Value = serde_json::from_str(&stored).unwrap();
        secrets.push(stored["refresh_token"].as_str().unwrap().to_string());
    }
    secrets
}

fn requests_to(sim: &Sim, path: &str) -> usize {
    sim.requests().iter().filter(|r| r.path == path).count()
}

fn link_requests(sim: &Sim) -> (usize, usize) {
    let links: Vec<_> = sim
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/passwordless/_link"))
        .collect();
    let created = links.iter().filter(|r| r.status == 200).count();
    (links.len(), created)
}

// ---- the checks ----------------------------------------------------------------------------

/// A word of what to do next, per code (the message must hold one of them).
fn next_step(code: &str) -> &'static [&'static str] {
    match code {
        "token_rejected" | "session_ended" => &["sign in again"],
        "permission_denied" => &["you lack"],
        "org_not_found" => &["list yours", "choose another"],
        "user_not_found" => &["check the spelling"],
        "passkey_not_found" => &["reload the passkey list"],
        "code_invalid" => &["create a new link"],
        "conflict" | "rate_limited" | "timeout" | "unavailable" | "server" | "bad_response" => {
            &["try again"]
        }
        "network" => &["check the instance URL"],
        "sign_in_failed" => &["sign in again"],
        "forbidden" => &["administrator", "sign in again"],
        other => panic!("no next step known for {other}"),
    }
}

/// The message: non-empty, says what to do, holds no secret, no link and no raw answer.
fn check_message(error: &Error, secrets: &[String]) {
    let message = error.to_string();
    assert!(
        !message.trim().is_empty(),
        "empty message for {}",
        error.code()
    );
    assert!(
        message.chars().count() <= 400,
        "an overlong message: {message}"
    );
    assert!(
        next_step(error.code().as_str())
            .iter()
            .any(|step| message.contains(step)),
        "'{message}' does not say what to do ({})",
        error.code()
    );
    for secret in secrets {
        assert!(
            !message.contains(secret.as_str()),
            "a secret in the message: {}",
            error.code()
        );
    }
    for raw in [
        "code=",
        "/ui/login",
        "{\"",
        "\"code\"",
        "@type",
        "<html",
        "<body",
        "<h1",
        "Sign in</",
    ] {
        assert!(!message.contains(raw), "'{raw}' in the message: {message}");
    }
    assert!(
        !message.chars().any(|c| c.is_control()),
        "a control character in: {message:?}"
    );
}

async fn run_spec(sim: &Sim, call: Call, spec: Spec) {
    sim.clear_faults();
    let options = if spec.quick {
        quick()
    } else {
        ClientOptions::default()
    };
    let login = match spec.signin {
        Signin::Pat => None,
        Signin::Session | Signin::Revoked => Some(login(sim, options.clone()).await),
    };
    let pat = (login.is_none()).then(|| pat_desk(sim, options.clone()));
    let desk = login.as_ref().map(|l| &l.desk).or(pat.as_ref()).unwrap();
    if spec.signin == Signin::Revoked {
        sim.revoke_sessions_of(&sim.demo().admin(seed::ADMIN_IAM_OWNER).user_id);
    }
    let secrets = secrets(sim, login.as_ref()).await;
    sim.clear_requests();
    let emails_before = sim.emails().len();
    if let Some(kind) = spec.fault.clone() {
        sim.inject(Fault {
            method: Some(call.method().into()),
            path: call.path(),
            times: spec.times,
            kind,
        });
    }

    restore(sim, call);
    let result = call.invoke(desk).await;
    if spec.fault == Some(FaultKind::Delay { ms: DELAY_MS }) {
        // The delayed request ends (or is dropped) at the server after the client gave up.
        tokio::time::sleep(Duration::from_millis(DELAY_MS + 500)).await;
    }

    match (&spec.outcome, &result) {
        (Outcome::Succeeds(items), Ok(n)) => {
            if let Some(items) = items {
                assert_eq!(n, items, "items in the answer");
            }
        }
        (Outcome::Fails(code), Err(e)) => {
            assert_eq!(e.code(), *code, "{e}");
            check_message(e, &secrets);
        }
        (Outcome::FailsWithOneOf(codes), Err(e)) => {
            assert!(codes.contains(&e.code().as_str()), "{}: {e}", e.code());
            check_message(e, &secrets);
        }
        (expected, Ok(_)) => panic!("expected {expected:?}, the call succeeded"),
        (expected, Err(e)) => panic!("expected {expected:?}, got {}: {e}", e.code()),
    }
    if let Some(n) = spec.requests {
        assert_eq!(
            requests_to(sim, &call.path()),
            n,
            "requests to {}",
            call.path()
        );
    }
    if let Some(n) = spec.refreshes {
        assert_eq!(requests_to(sim, TOKEN_PATH), n, "refreshes");
    }
    // Nothing was created twice behind the admin's back.
    let (links, created) = link_requests(sim);
    assert!(created <= 1, "{created} links created");
    if call == Call::Link {
        let expected = match spec.signin {
            Signin::Session => 2, // refused with 401 (not carried out), sent once more
            Signin::Revoked => 0, // the permission check already ends the session
            Signin::Pat => 1,
        };
        assert_eq!(links, expected, "_link requests");
    } else {
        assert_eq!(links, 0, "a _link request from {}", call.name());
    }
    assert!(sim.emails().len() <= emails_before + 1, "two emails sent");

    // The fault gone, the desk works again (after a revoked session: once signed in again).
    sim.clear_faults();
    restore(sim, call);
    let again = match spec.signin {
        Signin::Revoked => {
            let fresh = self::login(sim, options).await;
            call.invoke(&fresh.desk).await
        }
        _ => call.invoke(desk).await,
    };
    if let Err(e) = again {
        panic!("the desk does not work again: {}: {e}", e.code());
    }
}

/// The removal needs something to remove: Zoë's passkey, as seeded.
fn restore(sim: &Sim, call: Call) {
    if call == Call::RemovePasskey {
        sim.ensure_passkey(seed::ZOE_ID, seed::ZOE_PASSKEY_ID, seed::ZOE_PASSKEY_NAME);
    }
}

async fn matrix(call: Call, test: &'static str) {
    let sim = Arc::new(Sim::start(SimConfig::default()).await.unwrap());
    let mut cases = Cases::new(CATEGORY, test);
    for spec in specs(call) {
        let sim = sim.clone();
        let name = format!("{} × {}", call.name(), spec.name);
        cases
            .run(name, async move { run_spec(&sim, call, spec).await })
            .await;
    }
    cases.finish();
}

#[tokio::test]
async fn users_me() {
    matrix(Call::MyUser, "users_me").await;
}

#[tokio::test]
async fn memberships() {
    matrix(Call::Memberships, "memberships").await;
}

#[tokio::test]
async fn permissions() {
    matrix(Call::Permissions, "permissions").await;
}

#[tokio::test]
async fn orgs_search() {
    matrix(Call::Orgs, "orgs_search").await;
}

#[tokio::test]
async fn users_search() {
    matrix(Call::Users, "users_search").await;
}

#[tokio::test]
async fn get_user() {
    matrix(Call::GetUser, "get_user").await;
}

#[tokio::test]
async fn list_passkeys() {
    matrix(Call::Passkeys, "list_passkeys").await;
}

#[tokio::test]
async fn create_link() {
    matrix(Call::Link, "create_link").await;
}

#[tokio::test]
async fn send_link() {
    matrix(Call::SendLink, "send_link").await;
}

#[tokio::test]
async fn remove_passkey() {
    matrix(Call::RemovePasskey, "remove_passkey").await;
}

// ---- the token refresh ---------------------------------------------------------------------

fn oauth_error(status: u16, error: &str) -> Option<FaultKind> {
    body(
        status,
        "application/json",
        &format!(r#"{{"error":"{error}","error_description":"injected"}}"#),
    )
}

/// Faults on the token endpoint while a session renews its access token, where the app
/// already answers right.
fn refresh_specs() -> Vec<Spec> {
    use Outcome::Fails;
    vec![
        Spec::new(
            "400 invalid_grant",
            oauth_error(400, "invalid_grant"),
            Fails("session_ended"),
        ),
        Spec::new(
            "delay past the timeout",
            Some(FaultKind::Delay { ms: DELAY_MS }),
            Fails("timeout"),
        )
        .quick(),
        Spec::new(
            "dropped connection",
            Some(FaultKind::Drop),
            Fails("network"),
        ),
        Spec::new(
            "truncated body",
            Some(FaultKind::Truncate),
            Fails("network"),
        ),
        Spec::new(
            "20 MB body",
            Some(FaultKind::Huge {
                bytes: 20 * 1024 * 1024,
            }),
            Fails("bad_response"),
        ),
        Spec::new(
            "JSON missing fields",
            body(200, "application/json", r#"{"token_type":"Bearer"}"#),
            Fails("bad_response"),
        ),
        Spec::new(
            "JSON with wrong types",
            body(
                200,
                "application/json",
                r#"{"access_token":5,"token_type":"Bearer","expires_in":"soon"}"#,
            ),
            Fails("bad_response"),
        ),
        Spec::new(
            "400 invalid_request",
            oauth_error(400, "invalid_request"),
            Fails("sign_in_failed"),
        ),
        Spec::new(
            "401 invalid_client",
            oauth_error(401, "invalid_client"),
            Fails("sign_in_failed"),
        ),
        Spec::new("403", status(403), Fails("sign_in_failed")),
        Spec::new("404", status(404), Fails("sign_in_failed")),
        Spec::new("409", status(409), Fails("sign_in_failed")),
        Spec::new(
            "429 with Retry-After",
            rate_limit(Some(1)),
            Fails("rate_limited"),
        ),
        Spec::new(
            "429 without Retry-After",
            rate_limit(None),
            Fails("rate_limited"),
        ),
        Spec::new("500", status(500), Fails("server")),
        Spec::new("503", status(503), Fails("unavailable")),
        Spec::new(
            "non-JSON body",
            body(
                200,
                "text/html",
                "<html><body><h1>Sign in</h1></body></html>",
            ),
            Fails("bad_response"),
        ),
    ]
}

async fn run_refresh_spec(sim: &Sim, spec: Spec) {
    sim.clear_faults();
    let options = if spec.quick {
        quick()
    } else {
        ClientOptions::default()
    };
    let login = login(sim, options.clone()).await;
    let secrets = secrets(sim, Some(&login)).await;
    sim.clear_requests();
    sim.inject(Fault {
        method: Some("POST".into()),
        path: TOKEN_PATH.into(),
        times: spec.times,
        kind: spec.fault.clone().expect("a token endpoint fault"),
    });
    let result = login.desk.client().my_user().await;
    if spec.fault == Some(FaultKind::Delay { ms: DELAY_MS }) {
        tokio::time::sleep(Duration::from_millis(DELAY_MS + 500)).await;
    }
    let e = match (&spec.outcome, result) {
        (Outcome::Fails(code), Err(e)) => {
            assert_eq!(e.code(), *code, "{e}");
            e
        }
        (expected, Ok(_)) => panic!("expected {expected:?}, the call succeeded"),
        (expected, Err(e)) => panic!("expected {expected:?}, got {}: {e}", e.code()),
    };
    check_message(&e, &secrets);
    // A read renews first; a passing refusal (429, 503) is retried with the read, within its
    // bounded backoff. Anything else ends after one attempt.
    let attempts = match e.code().as_str() {
        "rate_limited" | "unavailable" => 1 + options.retry.read_retries as usize,
        _ => 1,
    };
    assert_eq!(
        requests_to(sim, TOKEN_PATH),
        attempts,
        "refresh attempts ({})",
        e.code()
    );
    assert_eq!(
        requests_to(sim, "/auth/v1/users/me"),
        0,
        "no API call without a token"
    );

    // The fault gone, the session works again; only a refused refresh token ends it.
    sim.clear_faults();
    let again = login.desk.client().my_user().await;
    if e.code() == "session_ended" {
        let e = again.expect_err("an ended session stays ended");
        assert_eq!(e.code(), "not_signed_in", "{e}");
        let fresh = self::login(sim, options).await;
        fresh.desk.client().my_user().await.unwrap();
    } else if let Err(e) = again {
        panic!("the session does not work again: {}: {e}", e.code());
    }
}

async fn refresh_matrix(specs: Vec<Spec>, test: &'static str) {
    // Access tokens of 30 s are inside the renewal margin: every call renews first.
    let sim = Arc::new(
        Sim::start(SimConfig {
            access_token_lifetime: Duration::from_secs(30),
            ..SimConfig::default()
        })
        .await
        .unwrap(),
    );
    let mut cases = Cases::new(CATEGORY, test);
    for spec in specs {
        let sim = sim.clone();
        let name = format!("token refresh × {}", spec.name);
        cases
            .run(name, async move { run_refresh_spec(&sim, spec).await })
            .await;
    }
    cases.finish();
}

#[tokio::test]
async fn token_refresh() {
    refresh_matrix(refresh_specs(), "token_refresh").await;
}

// ---- the CLI -------------------------------------------------------------------------------

/// A CLI case: name, fault path, fault, arguments, exit code, what the error line mentions.
struct CliCase<'a>(
    &'a str,
    &'a str,
    Option<FaultKind>,
    Vec<&'a str>,
    i32,
    &'a str,
);

/// The CLI: exit code and one `error:` line that says what to do, with no secret.
#[tokio::test]
async fn cli() {
    let sim = Arc::new(Sim::start(SimConfig::default()).await.unwrap());
    let mut cases = Cases::new(CATEGORY, "cli");
    let link = Call::Link.path();
    let cli_cases: Vec<CliCase> = vec![
        CliCase(
            "users × 429 with a long Retry-After",
            "/management/v1/users/_search",
            rate_limit(Some(120)),
            vec!["users", "max"],
            6,
            "try again in 120 s",
        ),
        CliCase(
            "users × 429 once",
            "/management/v1/users/_search",
            rate_limit(Some(1)),
            vec!["users", "max"],
            0,
            "",
        ),
        CliCase(
            "whoami × 401",
            "/auth/v1/users/me",
            zitadel(401, 16, "AUTH-7fs1e"),
            vec!["whoami"],
            3,
            "sign in again",
        ),
        CliCase(
            "link × 403 AUTH-5mWD2",
            &link,
            zitadel(403, 7, "AUTH-5mWD2"),
            vec!["link", "jose.nunez"],
            4,
            "user.credential.write",
        ),
        CliCase(
            "link × 503",
            &link,
            status(503),
            vec!["link", "jose.nunez"],
            6,
            "try again",
        ),
        CliCase(
            "link × 429 without Retry-After",
            &link,
            rate_limit(None),
            vec!["link", "jose.nunez"],
            6,
            "try again",
        ),
        CliCase(
            "link × dropped connection",
            &link,
            Some(FaultKind::Drop),
            vec!["link", "jose.nunez"],
            6,
            "check the instance URL",
        ),
        CliCase(
            "link × 409",
            &link,
            status(409),
            vec!["link", "jose.nunez"],
            1,
            "try again",
        ),
        CliCase(
            "passkeys × 20 MB body",
            "/management/v1/users/*/passwordless/_search",
            Some(FaultKind::Huge {
                bytes: 20 * 1024 * 1024,
            }),
            vec!["passkeys", "jose.nunez"],
            6,
            "larger than",
        ),
        CliCase(
            "orgs × non-JSON body",
            "/auth/v1/memberships/me/_search",
            body(
                200,
                "text/html",
                "<html><body><h1>Sign in</h1></body></html>",
            ),
            vec!["orgs"],
            6,
            "makes no sense",
        ),
    ];
    for CliCase(name, path, fault, args, exit, mention) in cli_cases {
        let sim = sim.clone();
        let path = path.to_string();
        let args: Vec<String> = args.into_iter().map(String::from).collect();
        let mention = mention.to_string();
        let once = name.ends_with("once");
        cases
            .run(format!("cli {name}"), async move {
                sim.clear_faults();
                sim.clear_requests();
                sim.inject(Fault {
                    method: None,
                    path,
                    times: once.then_some(1),
                    kind: fault.unwrap(),
                });
                let is_link = args[0] == "link";
                for json in [false, true] {
                    sim.clear_requests();
                    let mut argv: Vec<&str> = Vec::new();
                    if json {
                        argv.push("--json");
                    }
                    argv.extend(args.iter().map(String::as_str));
                    let run = Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER).run(argv).await;
                    assert_eq!(run.code, exit, "exit code; stderr: {}", run.stderr);
                    assert!(!run.stderr.contains(&admin_pat(&sim)), "the PAT on stderr");
                    if exit == 0 {
                        break;
                    }
                    let lines: Vec<&str> = run.stderr.lines().filter(|l| !l.is_empty()).collect();
                    assert_eq!(lines.len(), 1, "one line: {}", run.stderr);
                    assert!(lines[0].starts_with("error: "), "{}", lines[0]);
                    assert!(lines[0].contains(&mention), "'{mention}' in: {}", lines[0]);
                    for raw in ["code=", "{\"", "<html", "<h1"] {
                        assert!(!lines[0].contains(raw), "'{raw}' in: {}", lines[0]);
                    }
                    if json {
                        let v = run.json();
                        assert!(v["error"]["code"].is_string(), "{v}");
                        assert!(v["error"]["message"].is_string(), "{v}");
                    } else {
                        assert!(run.stdout.trim().is_empty(), "{}", run.stdout);
                    }
                    // One command, at most one _link: never a second one behind the admin's back.
                    let links = sim
                        .requests()
                        .iter()
                        .filter(|r| r.path.ends_with("/_link"))
                        .count();
                    assert_eq!(links, usize::from(is_link), "_link requests");
                }
                sim.clear_faults();
                let run = Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER)
                    .run(args.iter().map(String::as_str))
                    .await;
                assert_eq!(run.code, 0, "works again: {}", run.stderr);
            })
            .await;
    }
    cases.finish();
}
