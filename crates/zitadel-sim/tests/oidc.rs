//! The OIDC / OAuth side over real HTTP (zitadel-api.md §7, docs/SIM-OIDC-SPEC.md):
//! discovery, the code flow with PKCE and the loopback redirect, the login page, ID tokens
//! against the JWKS, the ZITADEL audience, refresh rotation, revocation, the device grant,
//! JWT-profile service users, userinfo, end session and token lifetimes.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::*;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use reqwest::redirect::Policy;
use reqwest::{Method, Response};
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use url::Url;
use zitadel_sim::{Fault, FaultKind, Sim, SimConfig};

const ME: &str = "/auth/v1/users/me";
const TOKEN: &str = "/oauth/v2/token";
const REVOKE: &str = "/oauth/v2/revoke";
const DEVICE: &str = "/oauth/v2/device_authorization";
const USERINFO: &str = "/oidc/v1/userinfo";
const AUDIENCE: &str = "urn:zitadel:iam:org:project:id:zitadel:aud";
const SCOPES: &str =
    "openid profile email offline_access urn:zitadel:iam:org:project:id:zitadel:aud";
const CALLBACK: &str = "http://127.0.0.1:49152/callback";
const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
const JWT_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// A client that does not follow redirects, so 302s can be inspected.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
}

struct Pkce {
    verifier: String,
    challenge: String,
}

fn pkce() -> Pkce {
    let verifier = format!("{}-{}", random_text(), random_text());
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    Pkce {
        verifier,
        challenge,
    }
}

fn random_text() -> String {
    use rand::distr::{Alphanumeric, SampleString};
    Alphanumeric.sample_string(&mut rand::rng(), 30)
}

fn url_with(sim: &Sim, path: &str, params: &[(&str, &str)]) -> String {
    let mut url = Url::parse(&format!("{}{path}", sim.url())).unwrap();
    url.query_pairs_mut().extend_pairs(params);
    url.to_string()
}

/// The authorize parameters of a well-behaved client; `extra` adds or overrides.
fn authorize_params<'a>(
    redirect: &'a str,
    pkce: &'a Pkce,
    scope: &'a str,
    extra: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    let mut params: Vec<(&str, &str)> = vec![
        ("client_id", NATIVE_CLIENT_ID),
        ("redirect_uri", redirect),
        ("response_type", "code"),
        ("scope", scope),
        ("state", "st-123"),
        ("nonce", "n-456"),
        ("code_challenge", &pkce.challenge),
        ("code_challenge_method", "S256"),
    ];
    for (name, value) in extra {
        params.retain(|(n, _)| n != name);
        if !value.is_empty() {
            params.push((name, value));
        }
    }
    params
}

async fn authorize(sim: &Sim, params: &[(&str, &str)]) -> Response {
    browser()
        .get(url_with(sim, "/oauth/v2/authorize", params))
        .send()
        .await
        .unwrap()
}

/// The `Location` of a 302, as a URL.
#[track_caller]
fn location(response: &Response) -> Url {
    assert_eq!(response.status(), 302, "a redirect");
    let location = response.headers()["location"].to_str().unwrap();
    Url::parse(location).unwrap()
}

fn query_of(url: &Url) -> HashMap<String, String> {
    url.query_pairs().into_owned().collect()
}

/// POSTs a form; returns status, JSON body and the Cache-Control header.
async fn form(sim: &Sim, path: &str, params: &[(&str, &str)]) -> (u16, Value, String) {
    let response = browser()
        .post(format!("{}{path}", sim.url()))
        .form(params)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let cache = response
        .headers()
        .get("cache-control")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let text = response.text().await.unwrap();
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{status}: not JSON ({e}): {text}"))
    };
    (status, body, cache)
}

/// Asserts an RFC 6749 error answer: status, `error`, and nothing but the two fields.
#[track_caller]
fn assert_oauth_error(answer: &(u16, Value, String), status: u16, error: &str) {
    let (got, body, cache) = answer;
    assert_eq!(
        (*got, body["error"].as_str()),
        (status, Some(error)),
        "{body}"
    );
    assert!(
        !body["error_description"].as_str().unwrap().is_empty(),
        "{body}"
    );
    assert_eq!(
        body.as_object().unwrap().len(),
        2,
        "only error and description: {body}"
    );
    assert_eq!(cache, "no-store");
}

/// Auto-login as `user` and return a code for this client.
async fn code_for(sim: &Sim, user: &str, redirect: &str, pkce: &Pkce, scope: &str) -> String {
    sim.set_auto_login(Some(user));
    let response = authorize(sim, &authorize_params(redirect, pkce, scope, &[])).await;
    let query = query_of(&location(&response));
    assert_eq!(query["state"], "st-123");
    query["code"].clone()
}

async fn exchange(sim: &Sim, code: &str, redirect: &str, verifier: &str) -> (u16, Value, String) {
    form(
        sim,
        TOKEN,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", NATIVE_CLIENT_ID),
            ("code", code),
            ("redirect_uri", redirect),
            ("code_verifier", verifier),
        ],
    )
    .await
}

/// The whole browser sign-in as `user`; returns the token answer.
async fn sign_in(sim: &Sim, user: &str, scope: &str) -> Value {
    let pkce = pkce();
    let code = code_for(sim, user, CALLBACK, &pkce, scope).await;
    let (status, body, _) = exchange(sim, &code, CALLBACK, &pkce.verifier).await;
    assert_eq!(status, 200, "{body}");
    body
}

fn text<'v>(value: &'v Value, name: &str) -> &'v str {
    value[name]
        .as_str()
        .unwrap_or_else(|| panic!("no {name} in {value}"))
}

async fn me(sim: &Sim, token: &str) -> (u16, Value) {
    send(request(sim, Method::GET, ME, Some(token), None)).await
}

/// The JWKS's key for `kid`, as a decoding key (from `n` and `e`).
async fn jwks_key(sim: &Sim, kid: &str) -> DecodingKey {
    let jwks: Value = reqwest::get(format!("{}/oauth/v2/keys", sim.url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let key = jwks["keys"]
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["kid"] == kid)
        .unwrap_or_else(|| panic!("no key {kid} in {jwks}"));
    assert_eq!(
        (key["kty"].as_str(), key["alg"].as_str()),
        (Some("RSA"), Some("RS256"))
    );
    assert_eq!(key["use"], "sig");
    DecodingKey::from_rsa_components(text(key, "n"), text(key, "e")).unwrap()
}

/// Verifies an ID token's signature against the JWKS (and iss, aud, exp) and returns claims.
async fn verify_id_token(sim: &Sim, id_token: &str, audience: &str) -> Value {
    let header = jsonwebtoken::decode_header(id_token).unwrap();
    assert_eq!(header.alg, Algorithm::RS256);
    let key = jwks_key(sim, header.kid.as_deref().expect("a kid")).await;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_audience(&[audience]);
    validation.set_issuer(&[sim.url()]);
    validation.set_required_spec_claims(&["exp", "iat", "iss", "sub", "aud"]);
    jsonwebtoken::decode::<Value>(id_token, &key, &validation)
        .unwrap_or_else(|e| panic!("ID token does not verify: {e}"))
        .claims
}

#[tokio::test]
async fn discovery_names_every_endpoint() {
    let sim = start().await;
    let response = reqwest::get(format!("{}/.well-known/openid-configuration", sim.url()))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let doc: Value = response.json().await.unwrap();
    let base = sim.url();
    assert!(!base.ends_with('/'));
    assert_eq!(doc["issuer"], base);
    assert_eq!(sim.issuer(), base);
    for (field, path) in [
        ("authorization_endpoint", "/oauth/v2/authorize"),
        ("token_endpoint", "/oauth/v2/token"),
        ("introspection_endpoint", "/oauth/v2/introspect"),
        ("userinfo_endpoint", "/oidc/v1/userinfo"),
        ("revocation_endpoint", "/oauth/v2/revoke"),
        ("end_session_endpoint", "/oidc/v1/end_session"),
        (
            "device_authorization_endpoint",
            "/oauth/v2/device_authorization",
        ),
        ("jwks_uri", "/oauth/v2/keys"),
    ] {
        assert_eq!(doc[field], format!("{base}{path}"), "{field}");
    }
    assert_eq!(doc["response_types_supported"], json!(["code"]));
    assert_eq!(doc["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(doc["subject_types_supported"], json!(["public"]));
    assert_eq!(
        doc["id_token_signing_alg_values_supported"],
        json!(["RS256"])
    );
    assert_eq!(
        doc["token_endpoint_auth_methods_supported"],
        json!(["none", "private_key_jwt"])
    );
    assert_eq!(
        doc["revocation_endpoint_auth_methods_supported"],
        json!(["none"])
    );
    assert_eq!(
        doc["grant_types_supported"],
        json!([
            "authorization_code",
            "refresh_token",
            DEVICE_GRANT,
            JWT_GRANT
        ])
    );
    let scopes = doc["scopes_supported"].as_array().unwrap();
    for scope in ["openid", "profile", "email", "offline_access", AUDIENCE] {
        assert!(scopes.contains(&json!(scope)), "{scope}");
    }
    let claims = doc["claims_supported"].as_array().unwrap();
    assert!(claims.contains(&json!("preferred_username")));

    // Behind a proxy the public origin is the issuer.
    let proxied = Sim::start(SimConfig {
        public_origin: Some("https://auth.example.com/".into()),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let doc: Value = reqwest::get(format!(
        "{}/.well-known/openid-configuration",
        proxied.url()
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(doc["issuer"], "https://auth.example.com");
    assert_eq!(
        doc["token_endpoint"],
        "https://auth.example.com/oauth/v2/token"
    );
}

#[tokio::test]
async fn code_flow_with_pkce_issues_tokens_the_api_accepts() {
    let sim = start().await;
    let admin = sim.demo().admin(ADMIN_IAM_OWNER).clone();
    let pkce = pkce();
    let code = code_for(&sim, ADMIN_IAM_OWNER, CALLBACK, &pkce, SCOPES).await;
    assert!(code.len() >= 32);

    let answer = exchange(&sim, &code, CALLBACK, &pkce.verifier).await;
    let (status, body, cache) = &answer;
    assert_eq!(*status, 200, "{body}");
    assert_eq!(cache, "no-store");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 12 * 3600);
    assert_eq!(body["scope"], SCOPES);
    let access_token = text(body, "access_token");
    assert!(access_token.len() >= 32);
    assert!(access_token
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
    assert_ne!(text(body, "refresh_token"), access_token);

    // The access token is a token of the API.
    let (status, me_body) = me(&sim, access_token).await;
    assert_eq!(status, 200, "{me_body}");
    assert_eq!(me_body["user"]["id"], admin.user_id);
    let (status, _) = send(request(
        &sim,
        Method::POST,
        "/management/v1/users/_search",
        Some(access_token),
        Some(ACME_ORG_ID),
    ))
    .await;
    assert_eq!(status, 200);

    // The ID token verifies against the JWKS.
    let claims = verify_id_token(&sim, text(body, "id_token"), NATIVE_CLIENT_ID).await;
    assert_eq!(claims["sub"], admin.user_id);
    assert_eq!(claims["aud"], json!([NATIVE_CLIENT_ID, ZITADEL_PROJECT_ID]));
    assert_eq!(claims["azp"], NATIVE_CLIENT_ID);
    assert_eq!(claims["nonce"], "n-456");
    assert_eq!(claims["amr"], json!(["pwd"]));
    // "User Info inside ID Token" is off by default, as in ZITADEL: the ID token names the
    // user by `sub` alone, the profile comes from userinfo.
    for claim in [
        "preferred_username",
        "name",
        "given_name",
        "email",
        "locale",
    ] {
        assert!(claims.get(claim).is_none(), "{claim} in {claims}");
    }
    let (status, info) = send(request(
        &sim,
        Method::GET,
        USERINFO,
        Some(access_token),
        None,
    ))
    .await;
    assert_eq!(status, 200, "{info}");
    assert_eq!(info["sub"], admin.user_id);
    assert_eq!(info["preferred_username"], admin.login_name);
    assert_eq!(info["name"], "Dana Keller");
    assert_eq!(info["given_name"], "Dana");
    assert_eq!(info["family_name"], "Keller");
    assert_eq!(info["locale"], "de");
    assert_eq!(info["email"], "dana.keller@acme.example.com");
    assert_eq!(info["email_verified"], true);
    let (iat, exp, auth_time) = (
        claims["iat"].as_i64().unwrap(),
        claims["exp"].as_i64().unwrap(),
        claims["auth_time"].as_i64().unwrap(),
    );
    assert_eq!(exp - iat, 12 * 3600);
    assert!((iat - auth_time).abs() <= 5);
    let at_hash = URL_SAFE_NO_PAD.encode(&Sha256::digest(access_token.as_bytes())[..16]);
    assert_eq!(claims["at_hash"], at_hash);

    // The request log knows the flow but holds none of its secrets.
    let logged = sim.oidc_requests();
    assert!(logged
        .iter()
        .any(|r| r.path == "/oauth/v2/authorize" && r.status == 302));
    assert!(logged.iter().any(|r| r.path == TOKEN && r.status == 200));
    assert!(sim.requests().iter().any(|r| r.path == TOKEN));
    let log = serde_json::to_string(&sim.requests()).unwrap();
    for secret in [
        code.as_str(),
        access_token,
        text(body, "refresh_token"),
        &pkce.verifier,
        &pkce.challenge,
    ] {
        assert!(!log.contains(secret), "a secret in the request log");
    }
}

#[tokio::test]
async fn user_info_inside_the_id_token_is_the_apps_switch() {
    let sim = start().await;
    let admin = sim.demo().admin(ADMIN_IAM_OWNER).clone();
    sim.set_features(zitadel_sim::features::FeaturesUpdate {
        user_info_in_id_token: Some(true),
        ..Default::default()
    });
    let tokens = sign_in(&sim, ADMIN_IAM_OWNER, SCOPES).await;
    let claims = verify_id_token(&sim, text(&tokens, "id_token"), NATIVE_CLIENT_ID).await;
    assert_eq!(claims["sub"], admin.user_id);
    assert_eq!(claims["preferred_username"], admin.login_name);
    assert_eq!(claims["name"], "Dana Keller");
    assert_eq!(claims["email"], "dana.keller@acme.example.com");
    // Off again: the next ID token has none of it.
    sim.set_features(zitadel_sim::features::FeaturesUpdate {
        user_info_in_id_token: Some(false),
        ..Default::default()
    });
    let tokens = sign_in(&sim, ADMIN_IAM_OWNER, SCOPES).await;
    let claims = verify_id_token(&sim, text(&tokens, "id_token"), NATIVE_CLIENT_ID).await;
    assert!(claims.get("name").is_none(), "{claims}");
}

#[tokio::test]
async fn code_exchange_checks_verifier_redirect_and_reuse() {
    let sim = start().await;
    let pkce = pkce();
    let code = code_for(&sim, ADMIN_IAM_OWNER, CALLBACK, &pkce, SCOPES).await;

    let wrong_verifier = exchange(&sim, &code, CALLBACK, &"x".repeat(50)).await;
    assert_oauth_error(&wrong_verifier, 400, "invalid_grant");
    assert!(text(&wrong_verifier.1, "error_description").contains("code_verifier"));
    let other_port = exchange(
        &sim,
        &code,
        "http://127.0.0.1:49153/callback",
        &pkce.verifier,
    )
    .await;
    assert_oauth_error(&other_port, 400, "invalid_grant");
    assert!(text(&other_port.1, "error_description").contains("redirect_uri"));
    let no_verifier = form(
        &sim,
        TOKEN,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", NATIVE_CLIENT_ID),
            ("code", &code),
            ("redirect_uri", CALLBACK),
        ],
    )
    .await;
    assert_oauth_error(&no_verifier, 400, "invalid_grant");
    assert_oauth_error(
        &exchange(&sim, "no-such-code", CALLBACK, &pkce.verifier).await,
        400,
        "invalid_grant",
    );

    // Failed attempts do not use the code up; the right one works once.
    let (status, tokens, _) = exchange(&sim, &code, CALLBACK, &pkce.verifier).await;
    assert_eq!(status, 200, "{tokens}");
    let access_token = text(&tokens, "access_token");
    assert_eq!(me(&sim, access_token).await.0, 200);

    // A reused code fails and revokes what was issued for it (RFC 6749 §4.1.2).
    let reused = exchange(&sim, &code, CALLBACK, &pkce.verifier).await;
    assert_oauth_error(&reused, 400, "invalid_grant");
    assert_error(&me(&sim, access_token).await, 401, 16, "AUTH-7fs1e");
    let refresh = form(
        &sim,
        TOKEN,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", NATIVE_CLIENT_ID),
            ("refresh_token", text(&tokens, "refresh_token")),
        ],
    )
    .await;
    assert_oauth_error(&refresh, 400, "invalid_grant");
}

#[tokio::test]
async fn authorize_refuses_missing_or_plain_pkce_on_the_redirect() {
    let sim = start().await;
    sim.set_auto_login(Some(ADMIN_IAM_OWNER));
    let pkce = pkce();
    let cases: [(&[(&str, &str)], &str); 5] = [
        (&[("code_challenge", "")], "invalid_request"),
        (&[("code_challenge_method", "plain")], "invalid_request"),
        (&[("code_challenge_method", "")], "invalid_request"),
        (&[("scope", "profile email")], "invalid_scope"),
        (&[("response_type", "token")], "unsupported_response_type"),
    ];
    for (extra, error) in cases {
        let response = authorize(&sim, &authorize_params(CALLBACK, &pkce, SCOPES, extra)).await;
        let url = location(&response);
        assert_eq!(
            (url.host_str(), url.port(), url.path()),
            (Some("127.0.0.1"), Some(49152), "/callback")
        );
        let query = query_of(&url);
        assert_eq!(query["error"], error, "{extra:?}");
        assert_eq!(query["state"], "st-123");
        assert!(!query.contains_key("code"));
    }
}

#[tokio::test]
async fn loopback_redirects_match_any_port_and_others_get_a_page() {
    let sim = start().await;
    sim.set_auto_login(Some(ADMIN_IAM_OWNER));
    let pkce = pkce();
    for redirect in [
        "http://127.0.0.1:1/callback",
        "http://127.0.0.1:65000/callback",
        "http://127.0.0.1/callback",
        "http://localhost:8123/callback",
    ] {
        let response = authorize(&sim, &authorize_params(redirect, &pkce, SCOPES, &[])).await;
        let url = location(&response);
        assert!(url.as_str().starts_with(redirect), "{url} for {redirect}");
        let code = query_of(&url)["code"].clone();
        let (status, body, _) = exchange(&sim, &code, redirect, &pkce.verifier).await;
        assert_eq!(status, 200, "{redirect}: {body}");
    }

    for (client, redirect) in [
        (NATIVE_CLIENT_ID, "http://127.0.0.1:5000/other"),
        (NATIVE_CLIENT_ID, "https://127.0.0.1:5000/callback"),
        (NATIVE_CLIENT_ID, "http://evil.example/callback"),
        (NATIVE_CLIENT_ID, "http://127.0.0.1:5000/callback?next=1"),
        (NATIVE_CLIENT_ID, "http://[::1]:5000/callback"),
        (
            NATIVE_CLIENT_ID,
            "http://127.0.0.1:5000/<script>alert(1)</script>",
        ),
        ("unknown@project", CALLBACK),
    ] {
        let response = authorize(
            &sim,
            &authorize_params(redirect, &pkce, SCOPES, &[("client_id", client)]),
        )
        .await;
        assert_eq!(response.status(), 400, "{redirect}");
        assert!(response.headers().get("location").is_none());
        assert!(response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        let page = response.text().await.unwrap();
        assert!(page.contains("<h1>Sign-in error</h1>"), "{page}");
        assert!(!page.contains("<script>"), "escaped: {page}");
    }
    // No redirect_uri at all, and a parameter given twice.
    let response = authorize(&sim, &[("client_id", NATIVE_CLIENT_ID)]).await;
    assert_eq!(response.status(), 400);
    let mut params = authorize_params(CALLBACK, &pkce, SCOPES, &[]);
    params.push(("state", "again"));
    let response = authorize(&sim, &params).await;
    assert_eq!(response.status(), 400);
    assert!(response.text().await.unwrap().contains("more than once"));
}

/// The value of the hidden `requestId` field of a login page.
fn request_id(page: &str) -> String {
    let start = page
        .find(r#"name="requestId" value=""#)
        .expect("a requestId field")
        + 24;
    page[start..][..page[start..].find('"').unwrap()].to_owned()
}

async fn post_login(sim: &Sim, fields: &[(&str, &str)]) -> Response {
    browser()
        .post(format!("{}/oauth/v2/authorize/login", sim.url()))
        .form(fields)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_login_page_signs_in_the_chosen_user_or_cancels() {
    let sim = start().await;
    let pkce = pkce();
    let response = authorize(&sim, &authorize_params(CALLBACK, &pkce, SCOPES, &[])).await;
    assert_eq!(response.status(), 200);
    let page = response.text().await.unwrap();
    assert!(page.contains(r#"action="/oauth/v2/authorize/login""#));
    assert!(page.contains("Sign in to Passkey Desk"));
    for admin in &sim.demo().admins {
        assert!(
            page.contains(&admin.login_name),
            "{} listed",
            admin.login_name
        );
    }
    assert!(
        !page.contains("checked"),
        "nobody preselected without a hint"
    );
    assert!(page.contains(AUDIENCE), "the scopes are shown");
    let id = request_id(&page);

    // A wrong user brings the page back with the reason; the request stays usable.
    let retry = post_login(&sim, &[("requestId", &id), ("userName", "lena.locked")]).await;
    assert_eq!(retry.status(), 400);
    let retry_page = retry.text().await.unwrap();
    assert!(retry_page.contains("SIM-NOTACTIVE"), "{retry_page}");
    assert_eq!(request_id(&retry_page), id);
    let ambiguous = post_login(&sim, &[("requestId", &id), ("userName", "max.muster")]).await;
    assert!(ambiguous.text().await.unwrap().contains("SIM-AMBIGUOUS"));

    let signed_in = post_login(
        &sim,
        &[
            ("requestId", &id),
            ("userName", "globex.owner@globex.example.com"),
            ("action", "login"),
        ],
    )
    .await;
    let query = query_of(&location(&signed_in));
    assert_eq!(query["state"], "st-123");
    let (status, tokens, _) = exchange(&sim, &query["code"], CALLBACK, &pkce.verifier).await;
    assert_eq!(status, 200, "{tokens}");
    let (_, me_body) = me(&sim, text(&tokens, "access_token")).await;
    assert_eq!(me_body["user"]["userName"], ADMIN_ORG_OWNER);
    // The request is finished.
    let again = post_login(&sim, &[("requestId", &id), ("userName", ADMIN_VIEWER)]).await;
    assert_eq!(again.status(), 400);
    assert!(again
        .text()
        .await
        .unwrap()
        .contains("unknown, finished or expired"));

    // login_hint preselects; Cancel answers access_denied with the state.
    let hinted = authorize(
        &sim,
        &authorize_params(CALLBACK, &pkce, SCOPES, &[("login_hint", "helpdesk")]),
    )
    .await;
    let page = hinted.text().await.unwrap();
    assert!(
        page.contains(r#"value="helpdesk@acme.example.com" required checked"#),
        "{page}"
    );
    let cancelled = post_login(
        &sim,
        &[("requestId", &request_id(&page)), ("action", "cancel")],
    )
    .await;
    let query = query_of(&location(&cancelled));
    assert_eq!(
        (query["error"].as_str(), query["state"].as_str()),
        ("access_denied", "st-123")
    );
    assert!(!query.contains_key("code"));

    // A malformed form is an HTML page, not axum's rejection text.
    let garbage = browser()
        .post(format!("{}/oauth/v2/authorize/login", sim.url()))
        .header("content-type", "application/json")
        .body("{\"requestId\": 1}")
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), 400);
    assert!(garbage
        .text()
        .await
        .unwrap()
        .contains("<h1>Sign-in error</h1>"));
}

#[tokio::test]
async fn auto_login_via_the_control_api_and_org_scopes() {
    let sim = start().await;
    let client = reqwest::Client::new();
    let control = |body: Value| {
        client
            .post(format!("{}/__sim/oidc/auto-login", sim.url()))
            .json(&body)
            .send()
    };
    assert_eq!(
        control(json!({"userName": "desk.admin"}))
            .await
            .unwrap()
            .status(),
        204
    );
    let pkce = pkce();
    let response = authorize(&sim, &authorize_params(CALLBACK, &pkce, SCOPES, &[])).await;
    assert!(query_of(&location(&response)).contains_key("code"));

    // Only users of the org named in the scope may sign in.
    let globex_only = format!("{SCOPES} urn:zitadel:iam:org:id:{GLOBEX_ORG_ID}");
    let response = authorize(&sim, &authorize_params(CALLBACK, &pkce, &globex_only, &[])).await;
    assert_eq!(query_of(&location(&response))["error"], "access_denied");

    assert_eq!(
        control(json!({"userName": null})).await.unwrap().status(),
        204
    );
    let response = authorize(&sim, &authorize_params(CALLBACK, &pkce, &globex_only, &[])).await;
    assert_eq!(response.status(), 200, "the login page again");
    let id = request_id(&response.text().await.unwrap());
    let refused = post_login(&sim, &[("requestId", &id), ("userName", ADMIN_IAM_OWNER)]).await;
    assert_eq!(refused.status(), 400);
    let accepted = post_login(&sim, &[("requestId", &id), ("userName", ADMIN_ORG_OWNER)]).await;
    assert!(query_of(&location(&accepted)).contains_key("code"));

    let unknown = control(json!({"userName": "nobody"})).await.unwrap();
    assert_eq!(unknown.status(), 404);
    let machine = control(json!({"userName": SERVICE_USER})).await.unwrap();
    assert_eq!(machine.status(), 400);
}

#[tokio::test]
async fn without_the_audience_scope_the_api_answers_401() {
    let sim = start().await;
    let tokens = sign_in(&sim, ADMIN_IAM_OWNER, "openid profile email offline_access").await;
    let access_token = text(&tokens, "access_token");
    assert_error(&me(&sim, access_token).await, 401, 16, "AUTH-7fs1e");
    let claims = verify_id_token(&sim, text(&tokens, "id_token"), NATIVE_CLIENT_ID).await;
    assert_eq!(
        claims["aud"],
        json!([NATIVE_CLIENT_ID]),
        "no project without the scope"
    );
    // The token is still good for userinfo.
    let (status, info) = send(request(
        &sim,
        Method::GET,
        USERINFO,
        Some(access_token),
        None,
    ))
    .await;
    assert_eq!(status, 200);
    assert_eq!(info["sub"], sim.demo().admin(ADMIN_IAM_OWNER).user_id);
}

async fn refresh(sim: &Sim, refresh_token: &str, extra: &[(&str, &str)]) -> (u16, Value, String) {
    let mut params = vec![
        ("grant_type", "refresh_token"),
        ("client_id", NATIVE_CLIENT_ID),
        ("refresh_token", refresh_token),
    ];
    params.extend_from_slice(extra);
    form(sim, TOKEN, &params).await
}

#[tokio::test]
async fn refresh_tokens_rotate() {
    let sim = start().await;
    let first = sign_in(&sim, ADMIN_IAM_OWNER, SCOPES).await;
    let old_refresh = text(&first, "refresh_token");

    let (status, second, cache) = refresh(&sim, old_refresh, &[]).await;
    assert_eq!((status, cache.as_str()), (200, "no-store"), "{second}");
    let new_refresh = text(&second, "refresh_token");
    assert_ne!(new_refresh, old_refresh);
    assert_ne!(text(&second, "access_token"), text(&first, "access_token"));
    assert_eq!(second["scope"], SCOPES);
    assert_eq!(me(&sim, text(&second, "access_token")).await.0, 200);
    // The earlier access token lives on until it expires.
    assert_eq!(me(&sim, text(&first, "access_token")).await.0, 200);
    let claims = verify_id_token(&sim, text(&second, "id_token"), NATIVE_CLIENT_ID).await;
    assert!(claims.get("nonce").is_none(), "no nonce on refresh");
    assert_eq!(claims["aud"], json!([NATIVE_CLIENT_ID, ZITADEL_PROJECT_ID]));

    // The old refresh token is dead.
    assert_oauth_error(&refresh(&sim, old_refresh, &[]).await, 400, "invalid_grant");
    // Narrowing the scope works; widening does not.
    let (status, narrow, _) = refresh(&sim, new_refresh, &[("scope", "openid")]).await;
    assert_eq!(status, 200, "{narrow}");
    assert_eq!(narrow["scope"], "openid");
    assert_error(
        &me(&sim, text(&narrow, "access_token")).await,
        401,
        16,
        "AUTH-7fs1e",
    );
    let latest = text(&narrow, "refresh_token");
    assert_oauth_error(&refresh(&sim, new_refresh, &[]).await, 400, "invalid_grant");
    let narrow_only = sign_in(&sim, ADMIN_IAM_OWNER, "openid offline_access").await;
    assert_oauth_error(
        &refresh(
            &sim,
            text(&narrow_only, "refresh_token"),
            &[("scope", SCOPES)],
        )
        .await,
        400,
        "invalid_scope",
    );
    // The latest one works; no offline_access means no refresh token at all.
    let (status, _, _) = refresh(&sim, latest, &[]).await;
    assert_eq!(status, 200);
    let online = sign_in(&sim, ADMIN_IAM_OWNER, "openid").await;
    assert!(online.get("refresh_token").is_none(), "{online}");
}

#[tokio::test]
async fn revocation_kills_refresh_and_access_tokens() {
    let sim = start().await;
    let tokens = sign_in(&sim, ADMIN_IAM_OWNER, SCOPES).await;
    let (access_token, refresh_token) = (
        text(&tokens, "access_token"),
        text(&tokens, "refresh_token"),
    );

    // Revoking an access token kills that one only.
    let other = sign_in(&sim, ADMIN_IAM_OWNER, SCOPES).await;
    let (status, body, _) = form(
        &sim,
        REVOKE,
        &[
            ("token", text(&other, "access_token")),
            ("token_type_hint", "access_token"),
            ("client_id", NATIVE_CLIENT_ID),
        ],
    )
    .await;
    assert_eq!((status, body), (200, Value::Null));
    assert_error(
        &me(&sim, text(&other, "access_token")).await,
        401,
        16,
        "AUTH-7fs1e",
    );
    let (status, _, _) = refresh(&sim, text(&other, "refresh_token"), &[]).await;
    assert_eq!(status, 200, "the refresh token of that grant still works");

    // Revoking a refresh token kills it and the access tokens issued with it.
    let (status, body, _) = form(
        &sim,
        REVOKE,
        &[("token", refresh_token), ("client_id", NATIVE_CLIENT_ID)],
    )
    .await;
    assert_eq!((status, body), (200, Value::Null));
    assert_oauth_error(
        &refresh(&sim, refresh_token, &[]).await,
        400,
        "invalid_grant",
    );
    assert_error(&me(&sim, access_token).await, 401, 16, "AUTH-7fs1e");

    // Unknown tokens are fine (RFC 7009); a missing or unknown client is not.
    let (status, _, _) = form(
        &sim,
        REVOKE,
        &[("token", "never-issued"), ("client_id", NATIVE_CLIENT_ID)],
    )
    .await;
    assert_eq!(status, 200);
    assert_oauth_error(
        &form(&sim, REVOKE, &[("token", "x")]).await,
        401,
        "invalid_client",
    );
    assert_oauth_error(
        &form(&sim, REVOKE, &[("token", "x"), ("client_id", "nope")]).await,
        401,
        "invalid_client",
    );
    assert_oauth_error(
        &form(&sim, REVOKE, &[("client_id", NATIVE_CLIENT_ID)]).await,
        400,
        "invalid_request",
    );
    // A PAT cannot be revoked this way.
    let pat = pat(&sim, ADMIN_IAM_OWNER);
    form(
        &sim,
        REVOKE,
        &[("token", &pat), ("client_id", NATIVE_CLIENT_ID)],
    )
    .await;
    assert_eq!(me(&sim, &pat).await.0, 200);
}

#[tokio::test]
async fn revoking_the_sessions_of_a_user_kills_all_their_tokens() {
    let sim = start().await;
    let admin = sim.demo().admin(ADMIN_IAM_OWNER).clone();
    let a = sign_in(&sim, ADMIN_IAM_OWNER, SCOPES).await;
    let b = sign_in(&sim, ADMIN_IAM_OWNER, SCOPES).await;
    let other = sign_in(&sim, ADMIN_USER_MANAGER, SCOPES).await;

    sim.revoke_sessions_of(&admin.user_id);
    for tokens in [&a, &b] {
        assert_error(
            &me(&sim, text(tokens, "access_token")).await,
            401,
            16,
            "AUTH-7fs1e",
        );
        assert_oauth_error(
            &refresh(&sim, text(tokens, "refresh_token"), &[]).await,
            400,
            "invalid_grant",
        );
    }
    assert_eq!(me(&sim, &admin.pat).await.0, 200, "PATs stay");
    assert_eq!(me(&sim, text(&other, "access_token")).await.0, 200);

    // The same through the control API.
    let helpdesk = sim.demo().admin(ADMIN_USER_MANAGER).user_id.clone();
    let response = reqwest::Client::new()
        .post(format!("{}/__sim/sessions/revoke", sim.url()))
        .json(&json!({"userId": helpdesk}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert_error(
        &me(&sim, text(&other, "access_token")).await,
        401,
        16,
        "AUTH-7fs1e",
    );
}

async fn start_device(sim: &Sim, scope: &str) -> Value {
    let (status, body, cache) = form(
        sim,
        DEVICE,
        &[("client_id", NATIVE_CLIENT_ID), ("scope", scope)],
    )
    .await;
    assert_eq!((status, cache.as_str()), (200, "no-store"), "{body}");
    body
}

async fn poll(sim: &Sim, device_code: &str) -> (u16, Value, String) {
    form(
        sim,
        TOKEN,
        &[
            ("grant_type", DEVICE_GRANT),
            ("client_id", NATIVE_CLIENT_ID),
            ("device_code", device_code),
        ],
    )
    .await
}

#[tokio::test]
async fn device_flow_pending_slow_down_approve_and_deny() {
    let sim = start().await;
    let started = start_device(&sim, SCOPES).await;
    let user_code = text(&started, "user_code");
    let bytes = user_code.as_bytes();
    assert_eq!(bytes.len(), 9);
    assert_eq!(bytes[4], b'-');
    assert!(user_code
        .chars()
        .filter(|c| *c != '-')
        .all(|c| "BCDFGHJKLMNPQRSTVWXZ".contains(c)));
    assert_eq!(started["verification_uri"], format!("{}/device", sim.url()));
    assert_eq!(
        started["verification_uri_complete"],
        format!("{}/device?user_code={user_code}", sim.url())
    );
    assert_eq!(
        (started["expires_in"].as_u64(), started["interval"].as_u64()),
        (Some(300), Some(5))
    );
    assert!(text(&started, "device_code").len() >= 32);

    // Pending, then too fast.
    let device_code = text(&started, "device_code");
    assert_oauth_error(&poll(&sim, device_code).await, 400, "authorization_pending");
    let fast = poll(&sim, device_code).await;
    assert_oauth_error(&fast, 400, "slow_down");
    assert!(
        text(&fast.1, "error_description").contains("10 s"),
        "the interval grew by 5 s"
    );

    // Approved before the first poll: tokens at once (any case, dash optional).
    let approved = start_device(&sim, SCOPES).await;
    let loose = text(&approved, "user_code")
        .replace('-', " ")
        .to_lowercase();
    sim.approve_device(&loose, ADMIN_ORG_OWNER).unwrap();
    let (status, tokens, cache) = poll(&sim, text(&approved, "device_code")).await;
    assert_eq!((status, cache.as_str()), (200, "no-store"), "{tokens}");
    assert!(tokens["refresh_token"].is_string());
    let (_, me_body) = me(&sim, text(&tokens, "access_token")).await;
    assert_eq!(me_body["user"]["userName"], ADMIN_ORG_OWNER);
    let claims = verify_id_token(&sim, text(&tokens, "id_token"), NATIVE_CLIENT_ID).await;
    assert_eq!(claims["sub"], sim.demo().admin(ADMIN_ORG_OWNER).user_id);
    assert_oauth_error(
        &poll(&sim, text(&approved, "device_code")).await,
        400,
        "invalid_grant",
    );
    let twice = sim.approve_device(text(&approved, "user_code"), ADMIN_ORG_OWNER);
    assert_eq!(twice.unwrap_err().id, "SIM-DEVICEDONE");

    // Denied through the control API.
    let denied = start_device(&sim, SCOPES).await;
    let response = reqwest::Client::new()
        .post(format!("{}/__sim/device/deny", sim.url()))
        .json(&json!({"userCode": text(&denied, "user_code")}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 204);
    assert_oauth_error(
        &poll(&sim, text(&denied, "device_code")).await,
        400,
        "access_denied",
    );
    assert!(sim.deny_device(text(&denied, "user_code")).is_err());

    // Approval through the control API needs a user who can sign in.
    let other = start_device(&sim, SCOPES).await;
    let control = |body: Value| {
        reqwest::Client::new()
            .post(format!("{}/__sim/device/approve", sim.url()))
            .json(&body)
            .send()
    };
    let locked = control(json!({"userCode": text(&other, "user_code"), "userName": "lena.locked"}));
    assert_eq!(locked.await.unwrap().status(), 400);
    let unknown = control(json!({"userCode": "BBBB-BBBB", "userName": ADMIN_IAM_OWNER}));
    assert_eq!(unknown.await.unwrap().status(), 404);
    let ok = control(json!({"userCode": text(&other, "user_code"), "userName": ADMIN_IAM_OWNER}));
    assert_eq!(ok.await.unwrap().status(), 204);
    assert_eq!(poll(&sim, text(&other, "device_code")).await.0, 200);

    // Clients and codes the endpoint does not know.
    assert_oauth_error(
        &form(&sim, DEVICE, &[("scope", "openid")]).await,
        401,
        "invalid_client",
    );
    assert_oauth_error(
        &form(&sim, DEVICE, &[("client_id", "nope"), ("scope", "openid")]).await,
        401,
        "invalid_client",
    );
    assert_oauth_error(&poll(&sim, "never-issued").await, 400, "invalid_grant");
}

#[tokio::test]
async fn device_codes_expire() {
    let sim = Sim::start(SimConfig {
        device_code_lifetime: Duration::from_secs(1),
        device_interval: Duration::from_millis(100),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let started = start_device(&sim, SCOPES).await;
    assert_eq!(
        (started["expires_in"].as_u64(), started["interval"].as_u64()),
        (Some(1), Some(1))
    );
    let device_code = text(&started, "device_code");
    assert_oauth_error(&poll(&sim, device_code).await, 400, "authorization_pending");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_oauth_error(&poll(&sim, device_code).await, 400, "expired_token");
    let late = sim.approve_device(text(&started, "user_code"), ADMIN_IAM_OWNER);
    assert_eq!(late.unwrap_err().id, "SIM-NODEVICE");
}

#[tokio::test]
async fn the_device_page_approves_and_denies() {
    let sim = start().await;
    let started = start_device(&sim, SCOPES).await;
    let user_code = text(&started, "user_code");
    let page = reqwest::get(text(&started, "verification_uri_complete"))
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains(&format!(r#"value="{user_code}""#)));
    assert!(page.contains("Passkey Desk asks to sign in on a device"));
    assert!(page.contains(r#"action="/device""#));

    let decide = |fields: Vec<(&'static str, String)>| {
        browser()
            .post(format!("{}/device", sim.url()))
            .form(&fields)
            .send()
    };
    let approved = decide(vec![
        ("user_code", user_code.to_owned()),
        ("userName", "desk.admin@acme.example.com".into()),
        ("action", "approve".into()),
    ])
    .await
    .unwrap();
    assert_eq!(approved.status(), 200);
    assert!(approved
        .text()
        .await
        .unwrap()
        .contains("Approved: the device is signed in as desk.admin@acme.example.com"));
    assert_eq!(poll(&sim, text(&started, "device_code")).await.0, 200);

    let denied = start_device(&sim, "openid").await;
    let page = decide(vec![
        ("user_code", text(&denied, "user_code").to_owned()),
        ("action", "deny".into()),
    ])
    .await
    .unwrap();
    assert!(page.text().await.unwrap().contains("Denied"));
    assert_oauth_error(
        &poll(&sim, text(&denied, "device_code")).await,
        400,
        "access_denied",
    );

    let wrong = decide(vec![
        ("user_code", "ZZZZ-ZZZZ".into()),
        ("userName", ADMIN_IAM_OWNER.into()),
        ("action", "approve".into()),
    ])
    .await
    .unwrap();
    assert_eq!(wrong.status(), 400);
    assert!(wrong.text().await.unwrap().contains("SIM-NODEVICE"));
    let plain = reqwest::get(format!("{}/device", sim.url())).await.unwrap();
    assert!(plain
        .text()
        .await
        .unwrap()
        .contains("Enter the code the device shows"));
}

/// desk-bot's key file, as the seed hands it out.
fn key_file(sim: &Sim) -> Value {
    serde_json::from_str(&sim.demo().service_key_json).unwrap()
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// An assertion signed with desk-bot's key; `claims` replace the defaults, `kid` the key id.
fn assertion(sim: &Sim, kid: Option<&str>, claims: Value) -> String {
    let file = key_file(sim);
    let user_id = text(&file, "userId");
    let mut all = json!({
        "iss": user_id, "sub": user_id, "aud": sim.url(),
        "iat": now(), "exp": now() + 300,
    });
    for (name, value) in claims.as_object().unwrap() {
        all[name] = value.clone();
    }
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(kid.unwrap_or(text(&file, "keyId")).to_owned());
    let key = EncodingKey::from_rsa_pem(text(&file, "key").as_bytes()).unwrap();
    jsonwebtoken::encode(&header, &all, &key).unwrap()
}

async fn jwt_grant(sim: &Sim, assertion: &str, scope: &str) -> (u16, Value, String) {
    form(
        sim,
        TOKEN,
        &[
            ("grant_type", JWT_GRANT),
            ("assertion", assertion),
            ("scope", scope),
        ],
    )
    .await
}

#[tokio::test]
async fn service_users_sign_in_with_their_key_file() {
    let sim = start().await;
    let file = key_file(&sim);
    assert_eq!(file["type"], "serviceaccount");
    assert_eq!(file["userId"], SERVICE_USER_ID);
    assert_eq!(file["keyId"], SERVICE_KEY_ID);
    assert!(text(&file, "key").starts_with("-----BEGIN RSA PRIVATE KEY-----\n"));

    let scope = format!("openid {AUDIENCE}");
    let (status, tokens, cache) = jwt_grant(&sim, &assertion(&sim, None, json!({})), &scope).await;
    assert_eq!((status, cache.as_str()), (200, "no-store"), "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 12 * 3600);
    assert!(tokens.get("refresh_token").is_none());
    let claims = verify_id_token(&sim, text(&tokens, "id_token"), SERVICE_USER_ID).await;
    assert_eq!(claims["sub"], SERVICE_USER_ID);
    let access_token = text(&tokens, "access_token");
    let (_, me_body) = me(&sim, access_token).await;
    assert_eq!(me_body["user"]["userName"], SERVICE_USER);
    // desk-bot is ORG_OWNER of ACME.
    let (status, _) = send(request(
        &sim,
        Method::GET,
        &format!("/management/v1/users/{MAX_ACME_ID}"),
        Some(access_token),
        Some(ACME_ORG_ID),
    ))
    .await;
    assert_eq!(status, 200);
    let (status, _) = send(request(
        &sim,
        Method::GET,
        &format!("/management/v1/users/{MAX_GLOBEX_ID}"),
        Some(access_token),
        Some(GLOBEX_ORG_ID),
    ))
    .await;
    assert_eq!(status, 403);
    // Its PAT works as it is.
    assert_eq!(
        me(&sim, &sim.demo().service_pat).await.1["user"]["id"],
        SERVICE_USER_ID
    );

    // An array aud with the issuer is fine; without openid there is no ID token; without
    // the audience the API refuses the token.
    let (status, plain, _) = jwt_grant(
        &sim,
        &assertion(&sim, None, json!({"aud": ["other", sim.url()]})),
        "profile",
    )
    .await;
    assert_eq!(status, 200, "{plain}");
    assert!(plain.get("id_token").is_none());
    assert_error(
        &me(&sim, text(&plain, "access_token")).await,
        401,
        16,
        "AUTH-7fs1e",
    );
}

#[tokio::test]
async fn bad_assertions_say_which_check_failed() {
    let sim = start().await;
    let scope = format!("openid {AUDIENCE}");
    let foreign_key = {
        // Signed with a key that is not desk-bot's (the sim's own, as a stand-in).
        let key = EncodingKey::from_rsa_pem(include_bytes!("../keys/sim-signing.pem")).unwrap();
        let mut header = Header::new(Algorithm::RS256);
        header.kid = Some(SERVICE_KEY_ID.to_owned());
        let claims = json!({"iss": SERVICE_USER_ID, "sub": SERVICE_USER_ID, "aud": sim.url(),
                            "iat": now(), "exp": now() + 300});
        jsonwebtoken::encode(&header, &claims, &key).unwrap()
    };
    let hs256 = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &json!({"sub": "x"}),
        &EncodingKey::from_secret(b"secret"),
    )
    .unwrap();
    let cases = [
        (assertion(&sim, Some("999"), json!({})), "key id"),
        (assertion(&sim, None, json!({"exp": now() - 10})), "expired"),
        (
            assertion(&sim, None, json!({"aud": "https://other.example.com"})),
            "aud",
        ),
        (assertion(&sim, None, json!({"iat": now() - 7200})), "1 h"),
        (
            assertion(&sim, None, json!({"iat": now() + 3600})),
            "future",
        ),
        (
            assertion(&sim, None, json!({"sub": MACHINE_ID})),
            "iss and sub",
        ),
        (foreign_key, "signature"),
        (hs256, "RS256"),
        ("not.a.jwt".to_owned(), "not a JWT"),
        ("garbage".to_owned(), "not a JWT"),
    ];
    for (assertion, mentions) in cases {
        let answer = jwt_grant(&sim, &assertion, &scope).await;
        assert_oauth_error(&answer, 400, "invalid_grant");
        let description = text(&answer.1, "error_description");
        assert!(
            description.contains(mentions),
            "{description:?} should mention {mentions:?}"
        );
    }
    let missing = form(&sim, TOKEN, &[("grant_type", JWT_GRANT)]).await;
    assert_oauth_error(&missing, 400, "invalid_request");
}

#[tokio::test]
async fn userinfo_needs_an_oidc_token_with_openid() {
    let sim = start().await;
    let tokens = sign_in(&sim, "zoe.mueller", "openid profile email phone").await;
    let (status, info) = send(request(
        &sim,
        Method::GET,
        USERINFO,
        Some(text(&tokens, "access_token")),
        None,
    ))
    .await;
    assert_eq!(status, 200, "{info}");
    assert_eq!(info["sub"], ZOE_ID);
    assert_eq!(info["name"], "Zoë Müller");
    assert_eq!(info["preferred_username"], "zoe.mueller@acme.example.com");
    assert_eq!(info["email"], "zoe.mueller@acme.example.com");
    assert_eq!(info["email_verified"], true);
    assert_eq!(info["gender"], "female");
    assert!(info.get("iss").is_none() && info.get("nonce").is_none());
    // POST works too.
    let (status, _) = send(request(
        &sim,
        Method::POST,
        USERINFO,
        Some(text(&tokens, "access_token")),
        None,
    ))
    .await;
    assert_eq!(status, 200);

    let pat = pat(&sim, ADMIN_IAM_OWNER);
    for token in [Some(pat.as_str()), Some("garbage"), None] {
        let response = request(&sim, Method::GET, USERINFO, token, None)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 401, "{token:?}");
        let challenge = response.headers()["www-authenticate"].to_str().unwrap();
        assert!(
            challenge.starts_with(r#"Bearer error="invalid_token""#),
            "{challenge}"
        );
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"], "invalid_token");
    }
    // Only what the scopes allow.
    let narrow = sign_in(&sim, "zoe.mueller", "openid").await;
    let (_, info) = send(request(
        &sim,
        Method::GET,
        USERINFO,
        Some(text(&narrow, "access_token")),
        None,
    ))
    .await;
    assert_eq!(info, json!({"sub": ZOE_ID}));
}

async fn end_session(sim: &Sim, params: &[(&str, &str)]) -> Response {
    browser()
        .get(url_with(sim, "/oidc/v1/end_session", params))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn end_session_signs_out_and_returns_to_a_registered_address() {
    let sim = start().await;
    let tokens = sign_in(&sim, ADMIN_IAM_OWNER, SCOPES).await;
    sim.set_auto_login(None);
    let pkce = pkce();
    let silent = |pkce: &Pkce| {
        let params = authorize_params(CALLBACK, pkce, SCOPES, &[("prompt", "none")]);
        let url = url_with(&sim, "/oauth/v2/authorize", &params);
        browser().get(url).send()
    };
    // The browser session signs in silently…
    let response = silent(&pkce).await.unwrap();
    assert!(query_of(&location(&response)).contains_key("code"));

    let id_token = text(&tokens, "id_token");
    let response = end_session(
        &sim,
        &[
            ("id_token_hint", id_token),
            ("post_logout_redirect_uri", "http://127.0.0.1:4567/logout"),
            ("state", "bye"),
        ],
    )
    .await;
    assert_eq!(
        location(&response).as_str(),
        "http://127.0.0.1:4567/logout?state=bye"
    );
    // …until it ended.
    let response = silent(&pkce).await.unwrap();
    assert_eq!(query_of(&location(&response))["error"], "login_required");
    // The tokens themselves live on.
    assert_eq!(me(&sim, text(&tokens, "access_token")).await.0, 200);

    let response = end_session(&sim, &[("client_id", NATIVE_CLIENT_ID)]).await;
    assert_eq!(response.status(), 200);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("You are signed out."));
    let response = end_session(
        &sim,
        &[
            ("client_id", NATIVE_CLIENT_ID),
            ("post_logout_redirect_uri", "http://evil.example/logout"),
        ],
    )
    .await;
    assert_eq!(response.status(), 400);
    assert!(response.headers().get("location").is_none());
    let response = end_session(&sim, &[("id_token_hint", "garbage")]).await;
    assert_eq!(response.status(), 400);
    assert!(response.text().await.unwrap().contains("id_token_hint"));
}

#[tokio::test]
async fn access_tokens_expire_after_the_configured_lifetime() {
    let sim = Sim::start(SimConfig {
        access_token_lifetime: Duration::from_secs(1),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let tokens = sign_in(&sim, ADMIN_IAM_OWNER, SCOPES).await;
    assert_eq!(tokens["expires_in"], 1);
    let access_token = text(&tokens, "access_token");
    assert_eq!(me(&sim, access_token).await.0, 200);
    tokio::time::sleep(Duration::from_millis(1100)).await;
    assert_error(&me(&sim, access_token).await, 401, 16, "AUTH-7fs1e");
    let response = request(&sim, Method::GET, USERINFO, Some(access_token), None)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    // The refresh token outlives it.
    let (status, fresh, _) = refresh(&sim, text(&tokens, "refresh_token"), &[]).await;
    assert_eq!(status, 200, "{fresh}");
    assert_eq!(me(&sim, text(&fresh, "access_token")).await.0, 200);
}

#[tokio::test]
async fn the_token_endpoint_answers_rfc_6749_errors_to_anything() {
    let sim = start().await;
    let url = format!("{}{TOKEN}", sim.url());
    let raw = |builder: reqwest::RequestBuilder| async move {
        let response = builder.send().await.unwrap();
        let status = response.status().as_u16();
        let cache = response.headers()["cache-control"]
            .to_str()
            .unwrap()
            .to_owned();
        let text = response.text().await.unwrap();
        let body: Value =
            serde_json::from_str(&text).unwrap_or_else(|_| panic!("{status}: not JSON: {text}"));
        (status, body, cache)
    };
    let client = browser();
    assert_oauth_error(&raw(client.post(&url)).await, 400, "invalid_request");
    assert_oauth_error(
        &raw(client
            .post(&url)
            .json(&json!({"grant_type": "authorization_code"})))
        .await,
        400,
        "invalid_request",
    );
    assert_oauth_error(
        &raw(client
            .post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(vec![0xff, 0xfe, b'&', b'=', b'%']))
        .await,
        400,
        "invalid_request",
    );
    assert_oauth_error(
        &raw(client
            .post(&url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body("grant_type=refresh_token&grant_type=authorization_code"))
        .await,
        400,
        "invalid_request",
    );
    let mut answer = raw(client.get(&url)).await;
    assert_eq!(answer.0, 405);
    answer.0 = 400;
    assert_oauth_error(&answer, 400, "invalid_request");

    assert_oauth_error(
        &form(
            &sim,
            TOKEN,
            &[("grant_type", "password"), ("client_id", NATIVE_CLIENT_ID)],
        )
        .await,
        400,
        "unsupported_grant_type",
    );
    assert_oauth_error(
        &form(
            &sim,
            TOKEN,
            &[("grant_type", "authorization_code"), ("code", "x")],
        )
        .await,
        401,
        "invalid_client",
    );
    assert_oauth_error(
        &form(
            &sim,
            TOKEN,
            &[
                ("grant_type", "refresh_token"),
                ("client_id", "nope"),
                ("refresh_token", "x"),
            ],
        )
        .await,
        401,
        "invalid_client",
    );
    assert_oauth_error(
        &form(
            &sim,
            TOKEN,
            &[
                ("grant_type", "authorization_code"),
                ("client_id", NATIVE_CLIENT_ID),
            ],
        )
        .await,
        400,
        "invalid_request",
    );

    // A public client may name itself with HTTP Basic instead.
    let pkce = pkce();
    let code = code_for(&sim, ADMIN_IAM_OWNER, CALLBACK, &pkce, SCOPES).await;
    let response = client
        .post(&url)
        .basic_auth("290000000000000100%40passkey-desk", Some(""))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", CALLBACK),
            ("code_verifier", &pkce.verifier),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    // Faults on OAuth paths answer OAuth errors.
    sim.inject(Fault {
        method: None,
        path: TOKEN.into(),
        times: Some(1),
        kind: FaultKind::Status { status: 503 },
    });
    let faulted = form(&sim, TOKEN, &[("grant_type", "refresh_token")]).await;
    assert_oauth_error(&faulted, 503, "temporarily_unavailable");
    assert_eq!(sim.oidc_requests().last().unwrap().status, 503);
}

#[tokio::test]
async fn introspection_tells_live_tokens_from_dead_ones() {
    let sim = start().await;
    let tokens = sign_in(&sim, ADMIN_IAM_OWNER, SCOPES).await;
    let (status, answer, _) = form(
        &sim,
        "/oauth/v2/introspect",
        &[("token", text(&tokens, "access_token"))],
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(answer["active"], true);
    assert_eq!(answer["sub"], sim.demo().admin(ADMIN_IAM_OWNER).user_id);
    assert_eq!(answer["client_id"], NATIVE_CLIENT_ID);
    assert_eq!(answer["scope"], SCOPES);
    assert!(answer["exp"].as_i64().unwrap() > now());
    let (_, dead, _) = form(&sim, "/oauth/v2/introspect", &[("token", "nope")]).await;
    assert_eq!(dead, json!({"active": false}));
}
