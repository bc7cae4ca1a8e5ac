//! Self-tests of the oidc-provider harness: the provider starts, and every flow the app uses
//! (authorization code + PKCE on a loopback port, refresh rotation, revocation, device grant)
//! works against it by hand, driven by [`Browser`].

use std::collections::HashMap;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use passkey_desk_e2e::oidc_provider::{Browser, OidcProvider, CLIENT_ID, REDIRECT_URI, SCOPES};
use rand::Rng;
use reqwest::Url;
use serde_json::Value;
use sha2::{Digest, Sha256};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

/// The endpoints of the provider's discovery document.
struct Endpoints {
    authorization: String,
    token: String,
    revocation: String,
    device: String,
    userinfo: String,
}

async fn endpoints(op: &OidcProvider) -> Endpoints {
    let doc = op.discovery().await;
    let get = |key: &str| {
        doc[key]
            .as_str()
            .unwrap_or_else(|| panic!("discovery lacks {key}: {doc}"))
            .to_string()
    };
    Endpoints {
        authorization: get("authorization_endpoint"),
        token: get("token_endpoint"),
        revocation: get("revocation_endpoint"),
        device: get("device_authorization_endpoint"),
        userinfo: get("userinfo_endpoint"),
    }
}

/// A stand-in for the app's loopback listener: accepts one request on 127.0.0.1:{free port},
/// answers 200 and yields the request's query parameters.
async fn callback_listener() -> (String, JoinHandle<HashMap<String, String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let redirect_uri = format!(
        "http://127.0.0.1:{}/callback",
        listener.local_addr().unwrap().port()
    );
    let task = tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        let mut request = Vec::new();
        let mut buf = [0u8; 4096];
        while !request.windows(4).any(|w| w == b"\r\n\r\n") {
            let n = socket.read(&mut buf).await.unwrap();
            assert!(n > 0, "the browser closed the callback connection early");
            request.extend_from_slice(&buf[..n]);
        }
        let request = String::from_utf8_lossy(&request);
        let target = request.split(' ').nth(1).expect("request line").to_string();
        socket
            .write_all(
                b"HTTP/1.1 200 OK\r\ncontent-length: 9\r\nconnection: close\r\n\r\nsigned in",
            )
            .await
            .unwrap();
        let url = Url::parse(&format!("http://127.0.0.1{target}")).unwrap();
        assert_eq!(url.path(), "/callback");
        url.query_pairs().into_owned().collect()
    });
    (redirect_uri, task)
}

/// PKCE S256: (verifier, challenge).
fn pkce() -> (String, String) {
    let bytes: [u8; 32] = rand::rng().random();
    let verifier = URL_SAFE_NO_PAD.encode(bytes);
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

/// POSTs a form to the token (or another) endpoint: (status, JSON body).
async fn post_form(url: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(url)
        .form(form)
        .send()
        .await
        .unwrap_or_else(|e| panic!("POST {url}: {e}"));
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("POST {url}: not JSON ({e}): {text}"))
    };
    (status, body)
}

/// The whole sign-in by hand, as the app does it: returns the token endpoint's answer.
async fn sign_in(op: &OidcProvider, ep: &Endpoints, login: &str) -> Value {
    let (redirect_uri, callback) = callback_listener().await;
    let (verifier, challenge) = pkce();
    let state = format!("state-{}", rand::rng().random::<u64>());
    let mut authorize = Url::parse(&ep.authorization).unwrap();
    authorize
        .query_pairs_mut()
        .append_pair("client_id", &op.client_id)
        .append_pair("response_type", "code")
        .append_pair("redirect_uri", &redirect_uri)
        .append_pair("scope", SCOPES)
        .append_pair("state", &state)
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256")
        .append_pair("prompt", "consent");

    let hit = Browser::new()
        .authorize(authorize.as_str(), login)
        .await
        .unwrap_or_else(|e| panic!("Browser::authorize: {e}"));
    assert!(
        hit.starts_with(&redirect_uri),
        "{hit} is not on {redirect_uri}"
    );
    let params = callback.await.unwrap();
    assert_eq!(params.get("state"), Some(&state), "{params:?}");
    assert_eq!(
        params.get("iss"),
        Some(&op.issuer),
        "RFC 9207 iss: {params:?}"
    );
    let code = params
        .get("code")
        .unwrap_or_else(|| panic!("no code: {params:?}"));

    let (status, tokens) = post_form(
        &ep.token,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &redirect_uri),
            ("client_id", &op.client_id),
            ("code_verifier", &verifier),
        ],
    )
    .await;
    assert_eq!(status, 200, "code exchange: {tokens}");
    tokens
}

fn refresh_form<'a>(op: &'a OidcProvider, refresh_token: &'a str) -> [(&'a str, &'a str); 3] {
    [
        ("grant_type", "refresh_token"),
        ("refresh_token", refresh_token),
        ("client_id", &op.client_id),
    ]
}

#[tokio::test]
async fn discovery_offers_what_the_app_needs() {
    let op = OidcProvider::start();
    assert!(op.issuer.starts_with("http://127.0.0.1:"), "{}", op.issuer);
    assert_eq!(op.client_id, CLIENT_ID);
    assert_eq!(op.redirect_uri, REDIRECT_URI);
    let doc = op.discovery().await;
    assert_eq!(doc["issuer"], op.issuer.as_str());
    for key in [
        "authorization_endpoint",
        "token_endpoint",
        "device_authorization_endpoint",
        "revocation_endpoint",
        "introspection_endpoint",
        "userinfo_endpoint",
        "jwks_uri",
    ] {
        assert!(doc[key].is_string(), "discovery lacks {key}: {doc}");
    }
    assert_eq!(
        doc["code_challenge_methods_supported"],
        serde_json::json!(["S256"])
    );
    let scopes = doc["scopes_supported"].as_array().unwrap();
    for scope in SCOPES.split(' ') {
        assert!(
            scopes.contains(&Value::from(scope)),
            "{scope} missing: {doc}"
        );
    }
}

#[tokio::test]
async fn code_flow_with_pkce_on_any_loopback_port_yields_tokens() {
    let op = OidcProvider::start();
    let ep = endpoints(&op).await;
    let tokens = sign_in(&op, &ep, "alice").await;
    for key in ["access_token", "id_token", "refresh_token"] {
        assert!(tokens[key].is_string(), "no {key}: {tokens}");
    }
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 3600);
    let granted: Vec<&str> = tokens["scope"].as_str().unwrap().split(' ').collect();
    for scope in SCOPES.split(' ') {
        assert!(granted.contains(&scope), "{scope} not granted: {tokens}");
    }

    // The claims configured for profile and email, for the login id used.
    let userinfo: Value = reqwest::Client::new()
        .get(&ep.userinfo)
        .bearer_auth(tokens["access_token"].as_str().unwrap())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(userinfo["sub"], "alice", "{userinfo}");
    assert_eq!(userinfo["preferred_username"], "alice", "{userinfo}");
    assert_eq!(userinfo["email"], "alice@example.test", "{userinfo}");
    assert!(userinfo["name"].is_string(), "{userinfo}");
}

#[tokio::test]
async fn a_second_sign_in_in_the_same_browser_skips_the_login_page() {
    let op = OidcProvider::start();
    let ep = endpoints(&op).await;
    let browser = Browser::new();
    for round in 0..2 {
        let (redirect_uri, callback) = callback_listener().await;
        let (_verifier, challenge) = pkce();
        let mut authorize = Url::parse(&ep.authorization).unwrap();
        authorize
            .query_pairs_mut()
            .append_pair("client_id", &op.client_id)
            .append_pair("response_type", "code")
            .append_pair("redirect_uri", &redirect_uri)
            .append_pair("scope", SCOPES)
            .append_pair("code_challenge", &challenge)
            .append_pair("code_challenge_method", "S256")
            .append_pair("prompt", "consent");
        // The login id is ignored the second time: the provider's session cookie decides.
        browser
            .authorize(authorize.as_str(), "grace")
            .await
            .unwrap_or_else(|e| panic!("round {round}: {e}"));
        let params = callback.await.unwrap();
        assert!(params.contains_key("code"), "round {round}: {params:?}");
    }
}

#[tokio::test]
async fn refresh_rotates_and_the_old_token_is_refused() {
    let op = OidcProvider::start();
    let ep = endpoints(&op).await;
    let first = sign_in(&op, &ep, "bob").await;
    let old = first["refresh_token"].as_str().unwrap();

    let (status, second) = post_form(&ep.token, &refresh_form(&op, old)).await;
    assert_eq!(status, 200, "refresh: {second}");
    let new = second["refresh_token"]
        .as_str()
        .expect("a rotated refresh token");
    assert_ne!(new, old, "the refresh token was not rotated");
    assert!(second["access_token"].is_string(), "{second}");
    assert_ne!(second["access_token"], first["access_token"]);

    let (status, reuse) = post_form(&ep.token, &refresh_form(&op, old)).await;
    assert_eq!(status, 400, "{reuse}");
    assert_eq!(reuse["error"], "invalid_grant", "{reuse}");
}

#[tokio::test]
async fn a_revoked_refresh_token_no_longer_refreshes() {
    let op = OidcProvider::start();
    let ep = endpoints(&op).await;
    let tokens = sign_in(&op, &ep, "carol").await;
    let refresh = tokens["refresh_token"].as_str().unwrap();

    let (status, body) = post_form(
        &ep.revocation,
        &[("token", refresh), ("client_id", &op.client_id)],
    )
    .await;
    assert_eq!(status, 200, "revocation: {body}");

    let (status, body) = post_form(&ep.token, &refresh_form(&op, refresh)).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_grant", "{body}");
}

#[tokio::test]
async fn cancelling_the_sign_in_sends_access_denied_to_the_callback() {
    let op = OidcProvider::start();
    let ep = endpoints(&op).await;
    let (redirect_uri, callback) = callback_listener().await;
    let (_verifier, challenge) = pkce();
    let mut authorize = Url::parse(&ep.authorization).unwrap();
    authorize
        .query_pairs_mut()
        .append_pair("client_id", &op.client_id)
        .append_pair("response_type", "code")
        .append_pair("redirect_uri", &redirect_uri)
        .append_pair("scope", "openid")
        .append_pair("state", "s1")
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256");
    let hit = Browser::new()
        .cancel_authorize(authorize.as_str())
        .await
        .unwrap();
    assert!(hit.starts_with(&redirect_uri), "{hit}");
    let params = callback.await.unwrap();
    assert_eq!(
        params.get("error").map(String::as_str),
        Some("access_denied"),
        "{params:?}"
    );
    assert_eq!(
        params.get("state").map(String::as_str),
        Some("s1"),
        "{params:?}"
    );
}

#[tokio::test]
async fn an_unregistered_callback_path_is_refused() {
    let op = OidcProvider::start();
    let ep = endpoints(&op).await;
    let (_verifier, challenge) = pkce();
    let mut authorize = Url::parse(&ep.authorization).unwrap();
    authorize
        .query_pairs_mut()
        .append_pair("client_id", &op.client_id)
        .append_pair("response_type", "code")
        .append_pair("redirect_uri", "http://127.0.0.1:9/elsewhere")
        .append_pair("scope", "openid")
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256");
    let err = Browser::new()
        .authorize(authorize.as_str(), "dave")
        .await
        .unwrap_err();
    assert!(err.contains("redirect_uri"), "{err}");
}

#[tokio::test]
async fn access_token_ttl_is_configurable() {
    let op = OidcProvider::start_with(&[("ACCESS_TOKEN_TTL", "7")]);
    let ep = endpoints(&op).await;
    let tokens = sign_in(&op, &ep, "erin").await;
    assert_eq!(tokens["expires_in"], 7, "{tokens}");
}

/// POSTs to the device authorization endpoint as the app does.
async fn device_authorization(op: &OidcProvider, ep: &Endpoints) -> Value {
    let (status, answer) = post_form(
        &ep.device,
        &[("client_id", &op.client_id), ("scope", SCOPES)],
    )
    .await;
    assert_eq!(status, 200, "device authorization: {answer}");
    for key in [
        "device_code",
        "user_code",
        "verification_uri",
        "verification_uri_complete",
    ] {
        assert!(answer[key].is_string(), "no {key}: {answer}");
    }
    assert_eq!(answer["interval"], 1, "{answer}");
    assert_eq!(answer["expires_in"], 300, "{answer}");
    answer
}

/// Polls the token endpoint with the device code every `interval` until it answers something
/// other than `authorization_pending` (at most 30 s).
async fn poll(op: &OidcProvider, ep: &Endpoints, device_code: &str) -> (u16, Value) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (status, body) = post_form(
            &ep.token,
            &[
                ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
                ("device_code", device_code),
                ("client_id", &op.client_id),
            ],
        )
        .await;
        if body["error"] != "authorization_pending" {
            return (status, body);
        }
        assert!(Instant::now() < deadline, "still pending after 30 s");
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

#[tokio::test]
async fn device_flow_approved_in_the_browser_yields_tokens() {
    let op = OidcProvider::start();
    let ep = endpoints(&op).await;
    let answer = device_authorization(&op, &ep).await;
    let device_code = answer["device_code"].as_str().unwrap();

    // Before anyone approves: pending.
    let (status, pending) = post_form(
        &ep.token,
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:device_code"),
            ("device_code", device_code),
            ("client_id", &op.client_id),
        ],
    )
    .await;
    assert_eq!(status, 400, "{pending}");
    assert_eq!(pending["error"], "authorization_pending", "{pending}");

    Browser::new()
        .approve_device(
            answer["verification_uri_complete"].as_str().unwrap(),
            "frank",
        )
        .await
        .unwrap_or_else(|e| panic!("Browser::approve_device: {e}"));

    let (status, tokens) = poll(&op, &ep, device_code).await;
    assert_eq!(status, 200, "{tokens}");
    for key in ["access_token", "id_token", "refresh_token"] {
        assert!(tokens[key].is_string(), "no {key}: {tokens}");
    }
    // The device grant's refresh token rotates like the code flow's.
    let refresh = tokens["refresh_token"].as_str().unwrap();
    let (status, refreshed) = post_form(&ep.token, &refresh_form(&op, refresh)).await;
    assert_eq!(status, 200, "{refreshed}");
    assert_ne!(refreshed["refresh_token"].as_str().unwrap(), refresh);
}

#[tokio::test]
async fn device_flow_aborted_in_the_browser_is_access_denied() {
    let op = OidcProvider::start();
    let ep = endpoints(&op).await;
    let answer = device_authorization(&op, &ep).await;
    Browser::new()
        .deny_device(answer["verification_uri_complete"].as_str().unwrap())
        .await
        .unwrap_or_else(|e| panic!("Browser::deny_device: {e}"));
    let (status, body) = poll(&op, &ep, answer["device_code"].as_str().unwrap()).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "access_denied", "{body}");
}

#[tokio::test]
async fn a_short_device_code_ttl_expires() {
    let op = OidcProvider::start_with(&[("DEVICE_CODE_TTL", "1")]);
    let ep = endpoints(&op).await;
    let (status, answer) = post_form(
        &ep.device,
        &[("client_id", &op.client_id), ("scope", "openid")],
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    assert_eq!(answer["expires_in"], 1, "{answer}");
    tokio::time::sleep(Duration::from_millis(2100)).await;
    let (status, body) = poll(&op, &ep, answer["device_code"].as_str().unwrap()).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "expired_token", "{body}");
}
