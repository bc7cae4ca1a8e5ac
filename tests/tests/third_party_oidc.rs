//! The same sign-in flows against a provider this project did not write: the OpenID Certified
//! npm `oidc-provider`, on loopback. PKCE with the loopback redirect, the device grant, refresh
//! with rotation (and its reuse detection), revocation, a refused sign-in — and, with the CLI and
//! the real keyring, login and logout.

use std::sync::Arc;
use std::time::Duration;

use passkey_desk_core::auth::{
    Auth, LoginOptions, MemoryStore, Method, SecretStore, Session, SessionIndex,
};
use passkey_desk_core::client::TokenProvider;
use passkey_desk_core::{ClientOptions, Error, Secret};
use passkey_desk_e2e::oidc_provider::{Browser, OidcProvider, CLIENT_ID};
use passkey_desk_e2e::{require_keyring_session, Cli, TempDir};

struct Setup {
    op: OidcProvider,
    auth: Auth,
    store: Arc<MemoryStore>,
    _dir: TempDir,
}

fn setup(env: &[(&str, &str)]) -> Setup {
    let op = OidcProvider::start_with(env);
    let dir = TempDir::new("op");
    let store = Arc::new(MemoryStore::default());
    let auth = Auth::new(
        reqwest::Url::parse(&op.issuer).unwrap(),
        ClientOptions::default(),
        store.clone(),
        SessionIndex::at(dir.path().join("sessions.toml")),
    );
    Setup {
        op,
        auth,
        store,
        _dir: dir,
    }
}

fn options() -> LoginOptions {
    // oidc-provider issues refresh tokens (offline_access) only after an explicit consent.
    LoginOptions {
        client_id: CLIENT_ID.into(),
        prompt_consent: true,
        login_hint: None,
    }
}

async fn browser_login(s: &Setup, login: &str) -> Session {
    let pending = s.auth.start_browser_login(&options()).await.unwrap();
    let url = pending.url().to_string();
    let browser = Browser::new();
    let (walked, tokens) = tokio::join!(
        browser.authorize(&url, login),
        pending.finish(Duration::from_secs(30))
    );
    walked.unwrap();
    s.auth
        .complete(Method::Browser, CLIENT_ID, tokens.unwrap())
        .await
        .unwrap()
}

/// The provider's userinfo answer for an access token (proves the token is live).
async fn userinfo(op: &OidcProvider, token: &Secret<String>) -> reqwest::Response {
    let discovery = op.discovery().await;
    let endpoint = discovery["userinfo_endpoint"].as_str().unwrap().to_string();
    reqwest::Client::new()
        .get(endpoint)
        .bearer_auth(token.expose())
        .send()
        .await
        .unwrap()
}

fn stored_refresh_token(s: &Setup, subject: &str) -> String {
    let json = s
        .store
        .load(&format!("{} {subject}", s.op.issuer))
        .unwrap()
        .expect("stored");
    serde_json::from_str::<serde_json::Value>(&json).unwrap()["refresh_token"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn pkce_login_restart_and_sign_out() {
    let s = setup(&[]);
    let session = browser_login(&s, "admin-1").await;
    let info = session.info().await;
    assert_eq!(
        (info.method, info.identity.subject.as_str()),
        (Method::Browser, "admin-1")
    );
    let token = session.access_token().await.unwrap();
    let me: serde_json::Value = userinfo(&s.op, &token).await.json().await.unwrap();
    assert_eq!(me["sub"], "admin-1");
    let first = stored_refresh_token(&s, "admin-1");

    // Restart: the stored session renews its access token with the refresh token.
    drop(session);
    let restored = s.auth.restore().await.unwrap().expect("a stored session");
    let token = restored.access_token().await.unwrap();
    assert!(userinfo(&s.op, &token).await.status().is_success());
    assert_ne!(
        first,
        stored_refresh_token(&s, "admin-1"),
        "the rotated refresh token was stored"
    );

    let rt = stored_refresh_token(&s, "admin-1");
    let outcome = restored.sign_out().await.unwrap();
    assert!(outcome.revoked);
    assert!(s.auth.restore().await.unwrap().is_none());
    let provider = s.auth.provider().await.unwrap();
    let e = provider
        .refresh(CLIENT_ID, &Secret::new(rt))
        .await
        .unwrap_err();
    assert!(
        matches!(e, Error::SessionEnded),
        "revoked at the provider: {e}"
    );
}

#[tokio::test]
async fn refresh_rotation_and_reuse_detection() {
    let s = setup(&[]);
    drop(browser_login(&s, "admin-2").await);
    let provider = s.auth.provider().await.unwrap();
    let first = Secret::new(stored_refresh_token(&s, "admin-2"));
    let rotated = provider.refresh(CLIENT_ID, &first).await.unwrap();
    let second = rotated
        .refresh_token
        .clone()
        .expect("a rotated refresh token");
    assert_ne!(first.expose(), second.expose());
    assert!(userinfo(&s.op, &rotated.access_token)
        .await
        .status()
        .is_success());
    // Reusing the old token is refused — and oidc-provider then revokes the whole grant.
    let e = provider.refresh(CLIENT_ID, &first).await.unwrap_err();
    assert!(matches!(e, Error::SessionEnded), "{e}");
    let e = provider.refresh(CLIENT_ID, &second).await.unwrap_err();
    assert!(matches!(e, Error::SessionEnded), "{e}");
}

#[tokio::test]
async fn a_session_renews_when_its_access_token_runs_out() {
    // Access tokens of 30 s are inside the 60 s renewal margin at once: every use renews.
    let s = setup(&[("ACCESS_TOKEN_TTL", "30")]);
    let session = browser_login(&s, "admin-3").await;
    let before = stored_refresh_token(&s, "admin-3");
    let token = session.access_token().await.unwrap();
    assert!(userinfo(&s.op, &token).await.status().is_success());
    assert_ne!(before, stored_refresh_token(&s, "admin-3"));
}

#[tokio::test]
async fn a_cancelled_login_is_refused_cleanly() {
    let s = setup(&[]);
    let pending = s.auth.start_browser_login(&options()).await.unwrap();
    let url = pending.url().to_string();
    let browser = Browser::new();
    let (walked, result) = tokio::join!(
        browser.cancel_authorize(&url),
        pending.finish(Duration::from_secs(30))
    );
    assert!(walked.unwrap().contains("error=access_denied"));
    assert!(
        matches!(result, Err(Error::SignInDenied { .. })),
        "{result:?}"
    );
}

#[tokio::test]
async fn device_login_approved_and_denied() {
    let s = setup(&[("DEVICE_INTERVAL", "1")]);
    let pending = s.auth.start_device_login(CLIENT_ID).await.unwrap();
    let complete = pending
        .verification_uri_complete()
        .expect("a complete URI")
        .to_string();
    assert!(pending.qr().is_ok());
    let browser = Browser::new();
    let (walked, tokens) = tokio::join!(
        browser.approve_device(&complete, "kiosk-admin"),
        pending.finish()
    );
    walked.unwrap();
    let session = s
        .auth
        .complete(Method::Device, CLIENT_ID, tokens.unwrap())
        .await
        .unwrap();
    assert_eq!(session.info().await.identity.subject, "kiosk-admin");
    let token = session.access_token().await.unwrap();
    assert!(userinfo(&s.op, &token).await.status().is_success());

    let pending = s.auth.start_device_login(CLIENT_ID).await.unwrap();
    let complete = pending.verification_uri_complete().unwrap().to_string();
    let browser = Browser::new();
    let (walked, result) = tokio::join!(browser.deny_device(&complete), pending.finish());
    walked.unwrap();
    assert!(
        matches!(result, Err(Error::SignInDenied { .. })),
        "{result:?}"
    );
}

#[tokio::test]
async fn cli_login_and_logout_with_the_real_keyring() {
    require_keyring_session();
    let op = OidcProvider::start();
    let data = TempDir::new("op-cli");
    let cli = || {
        let mut c = Cli::new();
        c.env("PASSKEY_DESK_DATA_DIR", data.path().to_str().unwrap())
            .env("PASSKEY_DESK_INSTANCE", &op.issuer)
            .env("PASSKEY_DESK_CLIENT_ID", CLIENT_ID)
            .env("RUST_LOG", "trace");
        c
    };
    let mut login = cli().spawn(["login", "--no-browser", "--prompt-consent"]);
    let url = login
        .stderr_line(|l| l.trim().starts_with("http").then(|| l.trim().to_string()))
        .await;
    Browser::new().authorize(&url, "cli-admin").await.unwrap();
    let login = login.finish().await;
    assert_eq!(login.code, 0, "{}", login.stderr);
    assert!(login.stdout.contains("cli-admin"), "{}", login.stdout);

    let stored = passkey_desk_core::auth::KeyringStore
        .load(&format!("{} cli-admin", op.issuer))
        .unwrap()
        .expect("in the keyring");
    let refresh = serde_json::from_str::<serde_json::Value>(&stored).unwrap()["refresh_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        !login.stderr.contains(&refresh) && !login.stdout.contains(&refresh),
        "the refresh token leaked"
    );

    let logout = cli().run(["logout"]).await;
    assert_eq!(logout.code, 0, "{}", logout.stderr);
    assert!(logout.stdout.contains("revoked"), "{}", logout.stdout);
    assert!(!logout.stderr.contains(&refresh));
    assert!(passkey_desk_core::auth::KeyringStore
        .load(&format!("{} cli-admin", op.issuer))
        .unwrap()
        .is_none());
}
