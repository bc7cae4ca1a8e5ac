//! Sign-in against zitadel-sim's OIDC side over real HTTP: PKCE with the loopback redirect,
//! the device grant, refresh with rotation, 401 handling, expiry, revocation, service users,
//! and restoring a session from the store.

mod common;

use std::sync::Arc;
use std::time::Duration;

use passkey_desk_core::auth::{
    Auth, LoginOptions, MemoryStore, Method, SecretStore, Session, SessionIndex,
};
use passkey_desk_core::{ClientOptions, Error, ErrorCode, Secret, ZitadelClient};
use zitadel_sim::{seed, Fault, FaultKind, Sim, SimConfig};

struct Desk {
    auth: Auth,
    store: Arc<MemoryStore>,
    _dir: TempDir,
}

struct TempDir(std::path::PathBuf);
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn desk_for(sim: &Sim) -> Desk {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("pd-auth-{}-{n}", std::process::id()));
    let store = Arc::new(MemoryStore::default());
    let auth = Auth::new(
        url::Url::parse(&sim.url()).unwrap(),
        ClientOptions::default(),
        store.clone(),
        SessionIndex::at(dir.join("sessions.toml")),
    );
    Desk {
        auth,
        store,
        _dir: TempDir(dir),
    }
}

async fn sim_with(config: SimConfig) -> Sim {
    Sim::start(config).await.unwrap()
}

fn options() -> LoginOptions {
    LoginOptions {
        client_id: seed::NATIVE_CLIENT_ID.into(),
        ..LoginOptions::default()
    }
}

/// What the system browser does: follow the authorization URL's redirects to the loopback.
async fn browse(url: &str) -> reqwest::Response {
    reqwest::Client::new()
        .get(url)
        .send()
        .await
        .expect("the browser reaches the pages")
}

async fn browser_login(sim: &Sim, desk: &Desk) -> Session {
    sim.set_auto_login(Some(seed::ADMIN_IAM_OWNER));
    let pending = desk.auth.start_browser_login(&options()).await.unwrap();
    let page = browse(pending.url().as_str()).await;
    assert!(page.status().is_success());
    assert!(
        page.text().await.unwrap().contains("Signed in"),
        "the loopback page thanks the browser"
    );
    let tokens = pending.finish(Duration::from_secs(10)).await.unwrap();
    desk.auth
        .complete(Method::Browser, seed::NATIVE_CLIENT_ID, tokens)
        .await
        .unwrap()
}

/// The refresh token currently in the store.
fn stored_refresh_token(desk: &Desk, sim: &Sim) -> String {
    let admin = &sim.demo().admin(seed::ADMIN_IAM_OWNER).user_id;
    let account = format!("{} {admin}", sim.url());
    let json = desk
        .store
        .load(&account)
        .unwrap()
        .expect("a stored session");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    v["refresh_token"]
        .as_str()
        .expect("a refresh token")
        .to_string()
}

fn client(sim: &Sim, session: Arc<Session>) -> ZitadelClient {
    ZitadelClient::with_tokens(&sim.url(), session, ClientOptions::default()).unwrap()
}

fn count(sim: &Sim, path: &str) -> usize {
    sim.requests().iter().filter(|r| r.path == path).count()
}

#[tokio::test]
async fn browser_login_with_pkce_gives_a_session_the_api_accepts() {
    let sim = sim_with(SimConfig::default()).await;
    let desk = desk_for(&sim);
    let pending = {
        sim.set_auto_login(Some(seed::ADMIN_IAM_OWNER));
        desk.auth.start_browser_login(&options()).await.unwrap()
    };
    let url = pending.url().clone();
    let q = |k: &str| {
        url.query_pairs()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.into_owned())
    };
    assert_eq!(q("code_challenge_method").as_deref(), Some("S256"));
    assert!(q("redirect_uri").unwrap().starts_with("http://127.0.0.1:"));
    assert!(q("scope")
        .unwrap()
        .contains("urn:zitadel:iam:org:project:id:zitadel:aud"));
    assert!(q("scope").unwrap().contains("offline_access"));
    assert!(q("state").is_some() && q("nonce").is_some());
    drop(pending);

    let session = Arc::new(browser_login(&sim, &desk).await);
    let info = session.info().await;
    assert_eq!(info.method, Method::Browser);
    assert_eq!(
        info.identity.login_name.as_deref(),
        Some("desk.admin@acme.example.com")
    );
    assert!(info.renewable);
    let me = client(&sim, session).my_user().await.unwrap();
    assert_eq!(me.user_name, "desk.admin");
}

#[tokio::test]
async fn a_session_survives_a_restart_and_rotates_its_refresh_token() {
    let sim = sim_with(SimConfig::default()).await;
    let desk = desk_for(&sim);
    drop(browser_login(&sim, &desk).await);
    let first = stored_refresh_token(&desk, &sim);

    // "Restart": a new Auth over the same store and index; no browser this time.
    let restored = Arc::new(
        desk.auth
            .restore()
            .await
            .unwrap()
            .expect("a stored session"),
    );
    assert_eq!(
        client(&sim, restored.clone())
            .my_user()
            .await
            .unwrap()
            .user_name,
        "desk.admin"
    );
    let second = stored_refresh_token(&desk, &sim);
    assert_ne!(first, second, "the rotated refresh token was stored");

    // The old refresh token is dead: presenting it ends that session.
    let provider = desk.auth.provider().await.unwrap();
    let e = provider
        .refresh(seed::NATIVE_CLIENT_ID, &Secret::new(first))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::SessionEnded), "{e}");
}

#[tokio::test]
async fn short_lived_access_tokens_are_renewed_before_they_expire() {
    let sim = sim_with(SimConfig {
        access_token_lifetime: Duration::from_secs(30),
        ..SimConfig::default()
    })
    .await;
    let desk = desk_for(&sim);
    let session = Arc::new(browser_login(&sim, &desk).await);
    let api = client(&sim, session.clone());
    let before = stored_refresh_token(&desk, &sim);
    // 30 s is inside the renewal margin: every call renews first, so none is refused.
    for _ in 0..3 {
        api.my_user().await.unwrap();
    }
    assert_ne!(before, stored_refresh_token(&desk, &sim));
    assert!(
        sim.requests().iter().all(|r| r.status != 401),
        "no call was refused"
    );
}

#[tokio::test]
async fn a_401_renews_once_and_retries_once() {
    let sim = sim_with(SimConfig::default()).await;
    let desk = desk_for(&sim);
    let session = Arc::new(browser_login(&sim, &desk).await);
    let api = client(&sim, session);
    let token_error = FaultKind::ZitadelError {
        status: 401,
        code: 16,
        id: "AUTH-7fs1e".into(),
        message: "Errors.Token.Invalid (AUTH-7fs1e)".into(),
    };
    let before = stored_refresh_token(&desk, &sim);
    sim.inject(Fault {
        method: None,
        path: "/auth/v1/users/me".into(),
        times: Some(1),
        kind: token_error.clone(),
    });
    assert_eq!(api.my_user().await.unwrap().user_name, "desk.admin");
    assert_eq!(
        count(&sim, "/auth/v1/users/me"),
        2,
        "one refused call, one retry"
    );
    assert_ne!(
        before,
        stored_refresh_token(&desk, &sim),
        "the retry used a renewed token"
    );

    // A server that keeps refusing: one renewal, one retry, then a clear error — never a loop.
    sim.clear_requests();
    sim.inject(Fault {
        method: None,
        path: "/auth/v1/users/me".into(),
        times: None,
        kind: token_error,
    });
    let e = api.my_user().await.unwrap_err();
    assert!(matches!(e, Error::TokenRejected { .. }), "{e}");
    assert_eq!(count(&sim, "/auth/v1/users/me"), 2);
}

#[tokio::test]
async fn revoked_sessions_end_cleanly_and_are_forgotten() {
    let sim = sim_with(SimConfig {
        access_token_lifetime: Duration::from_secs(30),
        ..SimConfig::default()
    })
    .await;
    let desk = desk_for(&sim);
    let session = Arc::new(browser_login(&sim, &desk).await);
    let api = client(&sim, session);
    api.my_user().await.unwrap();
    sim.revoke_sessions_of(&sim.demo().admin(seed::ADMIN_IAM_OWNER).user_id);
    let e = api.my_user().await.unwrap_err();
    assert!(matches!(e, Error::SessionEnded), "{e}");
    assert!(e.to_string().contains("sign in again"));
    // The dead session is gone from the store and the index: the next run asks to sign in.
    assert!(desk.auth.restore().await.unwrap().is_none());
    let e = desk.auth.session(None).await.unwrap_err();
    assert_eq!(e.code(), "not_signed_in");
    // And no refresh loop: the API saw no further calls after the refusal.
    let calls = count(&sim, "/auth/v1/users/me");
    assert!(api.my_user().await.is_err());
    assert_eq!(count(&sim, "/auth/v1/users/me"), calls);
}

#[tokio::test]
async fn sign_out_revokes_the_refresh_token_and_deletes_it() {
    let sim = sim_with(SimConfig::default()).await;
    let desk = desk_for(&sim);
    let session = browser_login(&sim, &desk).await;
    let refresh_token = stored_refresh_token(&desk, &sim);
    let outcome = session.sign_out().await.unwrap();
    assert!(outcome.revoked);
    assert!(desk.auth.restore().await.unwrap().is_none());
    let provider = desk.auth.provider().await.unwrap();
    let e = provider
        .refresh(seed::NATIVE_CLIENT_ID, &Secret::new(refresh_token))
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::SessionEnded),
        "the server no longer accepts it: {e}"
    );
}

/// A request to the loopback redirect without this sign-in's `state` (a local process, a web
/// page) gets a 400 and does not end the sign-in: the browser's real answer still completes it.
#[tokio::test]
async fn a_wrong_state_is_refused_and_the_sign_in_goes_on() {
    let sim = sim_with(SimConfig::default()).await;
    let desk = desk_for(&sim);
    sim.set_auto_login(Some(seed::ADMIN_IAM_OWNER));
    let pending = desk.auth.start_browser_login(&options()).await.unwrap();
    let redirect = pending
        .url()
        .query_pairs()
        .find(|(k, _)| k == "redirect_uri")
        .unwrap()
        .1
        .into_owned();
    for stray in [
        format!("{redirect}?code=forged&state=not-the-state"),
        format!("{redirect}?code=forged"),
        format!("{redirect}?error=access_denied"),
    ] {
        let page = browse(&stray).await;
        assert_eq!(page.status(), 400, "{stray}");
        assert!(page.text().await.unwrap().contains("Not this sign-in"));
    }
    let page = browse(pending.url().as_str()).await;
    assert!(page.text().await.unwrap().contains("Signed in"));
    let tokens = pending.finish(Duration::from_secs(10)).await.unwrap();
    let session = desk
        .auth
        .complete(Method::Browser, seed::NATIVE_CLIENT_ID, tokens)
        .await
        .unwrap();
    assert_eq!(session.info().await.method, Method::Browser);
}

#[tokio::test]
async fn a_refused_sign_in_and_a_timeout() {
    let sim = sim_with(SimConfig::default()).await;
    let desk = desk_for(&sim);
    let pending = desk.auth.start_browser_login(&options()).await.unwrap();
    let redirect = pending
        .url()
        .query_pairs()
        .find(|(k, _)| k == "redirect_uri")
        .unwrap()
        .1
        .into_owned();
    let state = pending
        .url()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    browse(&format!("{redirect}?error=access_denied&state={state}")).await;
    let e = pending.finish(Duration::from_secs(5)).await.unwrap_err();
    assert!(matches!(e, Error::SignInDenied { .. }), "{e}");

    let pending = desk.auth.start_browser_login(&options()).await.unwrap();
    let e = pending
        .finish(Duration::from_millis(200))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::SignInExpired { .. }), "{e}");
}

#[tokio::test]
async fn a_code_exchanged_with_another_verifier_is_refused() {
    // Two sign-ins at once: the browser answers the second listener with the first's code.
    // The state check catches a mix-up first; with a matching state the PKCE verifier would.
    let sim = sim_with(SimConfig::default()).await;
    let desk = desk_for(&sim);
    sim.set_auto_login(Some(seed::ADMIN_IAM_OWNER));
    let first = desk.auth.start_browser_login(&options()).await.unwrap();
    let second = desk.auth.start_browser_login(&options()).await.unwrap();
    // Let the first authorization complete at the provider, but capture its code.
    let no_follow = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let hop = no_follow.get(first.url().as_str()).send().await.unwrap();
    let location = url::Url::parse(hop.headers()["location"].to_str().unwrap()).unwrap();
    let code = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    let second_redirect = second
        .url()
        .query_pairs()
        .find(|(k, _)| k == "redirect_uri")
        .unwrap()
        .1
        .into_owned();
    let second_state = second
        .url()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .into_owned();
    browse(&format!(
        "{second_redirect}?code={code}&state={second_state}"
    ))
    .await;
    let e = second.finish(Duration::from_secs(5)).await.unwrap_err();
    assert!(
        matches!(&e, Error::SignInFailed { detail } if detail.contains("refused")),
        "{e}"
    );
}

#[tokio::test]
async fn device_login_approved_denied_and_expired() {
    let sim = sim_with(SimConfig {
        device_interval: Duration::from_secs(1),
        ..SimConfig::default()
    })
    .await;
    let desk = desk_for(&sim);

    let pending = desk
        .auth
        .start_device_login(seed::NATIVE_CLIENT_ID)
        .await
        .unwrap();
    assert_eq!(pending.user_code().len(), 9, "{}", pending.user_code());
    assert!(pending
        .verification_uri_complete()
        .unwrap()
        .contains(pending.user_code()));
    let qr = pending.qr().unwrap();
    assert!(qr.width() >= 21);
    sim.approve_device(pending.user_code(), seed::ADMIN_IAM_OWNER)
        .unwrap();
    let tokens = pending.finish().await.unwrap();
    let session = desk
        .auth
        .complete(Method::Device, seed::NATIVE_CLIENT_ID, tokens)
        .await
        .unwrap();
    assert_eq!(session.info().await.method, Method::Device);
    assert_eq!(
        client(&sim, Arc::new(session))
            .my_user()
            .await
            .unwrap()
            .user_name,
        "desk.admin"
    );

    let pending = desk
        .auth
        .start_device_login(seed::NATIVE_CLIENT_ID)
        .await
        .unwrap();
    sim.deny_device(pending.user_code()).unwrap();
    let e = pending.finish().await.unwrap_err();
    assert!(matches!(e, Error::SignInDenied { .. }), "{e}");
}

#[tokio::test]
async fn device_code_expiry() {
    let sim = sim_with(SimConfig {
        device_interval: Duration::from_secs(1),
        device_code_lifetime: Duration::from_secs(2),
        ..SimConfig::default()
    })
    .await;
    let desk = desk_for(&sim);
    let pending = desk
        .auth
        .start_device_login(seed::NATIVE_CLIENT_ID)
        .await
        .unwrap();
    let e = pending.finish().await.unwrap_err();
    assert!(matches!(e, Error::SignInExpired { .. }), "{e}");
}

#[tokio::test]
async fn device_polling_honours_slow_down() {
    let sim = sim_with(SimConfig {
        device_interval: Duration::from_secs(1),
        ..SimConfig::default()
    })
    .await;
    let desk = desk_for(&sim);
    let pending = desk
        .auth
        .start_device_login(seed::NATIVE_CLIENT_ID)
        .await
        .unwrap();
    sim.inject(Fault {
        method: Some("POST".into()),
        path: "/oauth/v2/token".into(),
        times: Some(1),
        kind: FaultKind::Body {
            status: 400,
            content_type: "application/json".into(),
            body: r#"{"error":"slow_down"}"#.into(),
        },
    });
    sim.approve_device(pending.user_code(), seed::ADMIN_IAM_OWNER)
        .unwrap();
    let started = std::time::Instant::now();
    pending.finish().await.unwrap();
    // slow_down adds 5 s to the 1 s interval (RFC 8628 §3.5).
    assert!(
        started.elapsed() >= Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    let polls: Vec<_> = sim
        .requests()
        .into_iter()
        .filter(|r| r.path == "/oauth/v2/token")
        .collect();
    assert_eq!(polls.len(), 2, "{polls:?}");
}

#[tokio::test]
async fn service_user_with_a_pat() {
    let sim = sim_with(SimConfig::default()).await;
    let desk = desk_for(&sim);
    let session = desk
        .auth
        .login_with_pat(Secret::new(sim.demo().service_pat.clone()))
        .await
        .unwrap();
    let info = session.info().await;
    assert_eq!(
        (info.method, info.identity.subject.as_str()),
        (Method::Pat, seed::SERVICE_USER_ID)
    );
    assert!(!info.renewable && info.access_expires_at.is_none());
    let restored = desk.auth.restore().await.unwrap().unwrap();
    assert_eq!(
        client(&sim, Arc::new(restored))
            .my_user()
            .await
            .unwrap()
            .user_name,
        seed::SERVICE_USER
    );

    let e = desk
        .auth
        .login_with_pat(Secret::new("not-a-pat".into()))
        .await
        .err()
        .unwrap();
    assert_eq!(e.code(), "token_rejected");
}

#[tokio::test]
async fn service_user_with_a_key_file() {
    let sim = sim_with(SimConfig {
        access_token_lifetime: Duration::from_secs(30),
        ..SimConfig::default()
    })
    .await;
    let desk = desk_for(&sim);
    let session = desk
        .auth
        .login_with_key_file(&sim.demo().service_key_json)
        .await
        .unwrap();
    let info = session.info().await;
    assert_eq!(
        (info.method, info.identity.subject.as_str()),
        (Method::KeyFile, seed::SERVICE_USER_ID)
    );
    assert!(info.renewable);
    // Restored from the store, it signs a new assertion whenever the token runs out.
    let restored = Arc::new(desk.auth.restore().await.unwrap().unwrap());
    let api = client(&sim, restored);
    for _ in 0..2 {
        assert_eq!(api.my_user().await.unwrap().user_name, seed::SERVICE_USER);
    }
    let grants = sim
        .requests()
        .into_iter()
        .filter(|r| r.path == "/oauth/v2/token")
        .count();
    assert!(
        grants >= 3,
        "login + one per call inside the renewal margin: {grants}"
    );

    let e = desk
        .auth
        .login_with_key_file("{\"keyId\":\"1\"}")
        .await
        .err()
        .unwrap();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
}

#[tokio::test]
async fn the_environment_token_wins_over_a_stored_session() {
    let sim = sim_with(SimConfig::default()).await;
    let desk = desk_for(&sim);
    drop(browser_login(&sim, &desk).await);
    let pat = sim.demo().admin(seed::ADMIN_USER_MANAGER).pat.clone();
    let session = desk.auth.session(Some(Secret::new(pat))).await.unwrap();
    assert_eq!(session.info().await.method, Method::Environment);
    assert_eq!(
        client(&sim, Arc::new(session))
            .my_user()
            .await
            .unwrap()
            .user_name,
        "helpdesk"
    );
}

#[tokio::test]
async fn discovery_failures_say_what_is_wrong() {
    let sim = sim_with(SimConfig::default()).await;
    // A server that is not an OpenID Provider.
    sim.inject(Fault {
        method: None,
        path: "/.well-known/openid-configuration".into(),
        times: None,
        kind: FaultKind::Body {
            status: 404,
            content_type: "text/html".into(),
            body: "<h1>nope</h1>".into(),
        },
    });
    let e = desk_for(&sim).auth.provider().await.err().unwrap();
    assert!(
        matches!(&e, Error::BadResponse { detail } if detail.contains("ZITADEL")),
        "{e}"
    );
    // Nothing listening.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let auth = Auth::new(
        url::Url::parse(&url).unwrap(),
        ClientOptions::default(),
        Arc::new(MemoryStore::default()),
        SessionIndex::at(std::env::temp_dir().join("pd-unused.toml")),
    );
    assert_eq!(auth.provider().await.err().unwrap().code(), "network");
}
