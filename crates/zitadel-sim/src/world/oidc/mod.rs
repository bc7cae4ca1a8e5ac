//! The sign-in side of the instance (zitadel-api.md §7, docs/SIM-OIDC-SPEC.md): OIDC clients,
//! pending authorization requests, codes, grants with rotating refresh tokens, device
//! requests, service-user keys and the browser session of the demo login page.
//!
//! Access tokens go into the same token table as PATs, so the API accepts exactly what the
//! token endpoint issued, and only with the ZITADEL audience scope. Every OAuth rule lives
//! here; the handlers only parse parameters and render answers.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Utc};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use rand::Rng;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use url::{Host, Url};

use super::{
    expired, new_secret, random_token, remember_secret, Token, User, UserKind, UserState, World,
};
use crate::errors::{OAuthError, SimError};
use crate::keys::{KeyPair, SIGNING_KEY_PEM};
use crate::SimConfig;

mod code;
mod device;
mod jwt_bearer;

/// Without this scope an access token gets 401 `AUTH-7fs1e` on every API call.
pub const AUDIENCE_SCOPE: &str = "urn:zitadel:iam:org:project:id:zitadel:aud";
/// `urn:zitadel:iam:org:id:{id}`: only users of that org may sign in.
const ORG_SCOPE_PREFIX: &str = "urn:zitadel:iam:org:id:";
const STANDARD_SCOPES: &[&str] = &[
    "openid",
    "profile",
    "email",
    "phone",
    "address",
    "offline_access",
];

pub const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
pub const JWT_BEARER_GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// The `kid` of the sim's signing key.
pub const SIGNING_KEY_ID: &str = "290000000000000090";

const CODE_LIFETIME: Duration = Duration::from_secs(60);
const AUTH_REQUEST_LIFETIME: Duration = Duration::from_secs(3600);
/// ZITADEL's defaults: refresh tokens die after 30 days unused or 90 days in all.
const REFRESH_IDLE: Duration = Duration::from_secs(30 * 24 * 3600);
const REFRESH_ABSOLUTE: Duration = Duration::from_secs(90 * 24 * 3600);
/// How long finished codes and device requests are remembered (for reuse detection).
const REMEMBER: Duration = Duration::from_secs(3600);
/// A JWT-profile assertion must not be older than this (seconds).
const ASSERTION_MAX_AGE: i64 = 3600;
/// How far in the future an assertion's `iat` may be (clock skew, seconds).
const CLOCK_SKEW: i64 = 60;
/// RFC 8628 §3.5: every `slow_down` adds this to the device code's interval.
const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);
/// ZITADEL's user code alphabet: consonants only, so no word and no 0/O or 1/I mix-up.
const USER_CODE_ALPHABET: &[u8] = b"BCDFGHJKLMNPQRSTVWXZ";

/// Request parameters (query string or form body), each name once.
pub type Params = HashMap<String, String>;

/// A parameter that is present and not empty.
fn param<'p>(params: &'p Params, name: &str) -> Option<&'p str> {
    params
        .get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
}

fn required<'p>(params: &'p Params, name: &str) -> Result<&'p str, OAuthError> {
    param(params, name).ok_or_else(|| OAuthError::invalid_request(format!("{name} is missing")))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GrantType {
    AuthorizationCode,
    RefreshToken,
    DeviceCode,
}

impl GrantType {
    fn name(self) -> &'static str {
        match self {
            GrantType::AuthorizationCode => "authorization_code",
            GrantType::RefreshToken => "refresh_token",
            GrantType::DeviceCode => DEVICE_GRANT,
        }
    }
}

/// An OIDC application. The sim has public (PKCE) clients only.
pub struct Client {
    pub id: String,
    pub name: String,
    /// Loopback entries (`http://127.0.0.1/…`, `http://localhost/…`) match any port.
    pub redirect_uris: Vec<String>,
    pub post_logout_redirect_uris: Vec<String>,
    pub grant_types: Vec<GrantType>,
}

/// A JWT-profile key of a service user (its public half).
pub struct ServiceKey {
    pub id: String,
    pub user_id: String,
    pub expires: DateTime<Utc>,
    pub public: DecodingKey,
}

/// What an access token was issued for.
#[derive(Clone)]
pub(super) struct TokenGrant {
    client_id: String,
    scopes: Vec<String>,
    grant_id: String,
}

/// A sign-in that tokens were issued for (ZITADEL's session / token chain). Its refresh
/// token, when it has one, rotates on every use.
struct Grant {
    id: String,
    user_id: String,
    client_id: String,
    scopes: Vec<String>,
    auth_time: DateTime<Utc>,
    amr: &'static [&'static str],
    refresh_token: Option<String>,
    started: Instant,
    refreshed: Instant,
}

struct AuthRequest {
    id: String,
    client_id: String,
    redirect_uri: String,
    scopes: Vec<String>,
    state: Option<String>,
    nonce: Option<String>,
    code_challenge: String,
    login_hint: Option<String>,
    expires: Instant,
}

struct AuthCode {
    code: String,
    client_id: String,
    redirect_uri: String,
    user_id: String,
    scopes: Vec<String>,
    nonce: Option<String>,
    code_challenge: String,
    auth_time: DateTime<Utc>,
    expires: Instant,
    /// The grant its exchange started: set once the code is used.
    grant_id: Option<String>,
}

enum DeviceState {
    Pending,
    Approved {
        user_id: String,
        auth_time: DateTime<Utc>,
    },
    Denied,
    Used,
}

struct DeviceRequest {
    device_code: String,
    user_code: String,
    client_id: String,
    scopes: Vec<String>,
    expires: Instant,
    interval: Duration,
    last_poll: Option<Instant>,
    state: DeviceState,
}

/// The demo login page's "browser": one signed-in user per sim, ended by `end_session`.
struct BrowserSession {
    user_id: String,
    auth_time: DateTime<Utc>,
}

/// The OIDC state of the instance.
pub struct Oidc {
    /// The sim's origin, no trailing slash: `iss` of every token.
    pub issuer: String,
    pub access_token_lifetime: Duration,
    pub device_interval: Duration,
    pub device_code_lifetime: Duration,
    /// Goes into the ID token's `aud` when the ZITADEL audience scope was granted.
    pub zitadel_project_id: String,
    /// The apps' "User Info inside ID Token" (`idTokenUserinfoAssertion`): off, as ZITADEL's
    /// default, leaves the profile out of the ID token (userinfo has it).
    pub user_info_in_id_token: bool,
    pub signing: KeyPair,
    pub clients: Vec<Client>,
    pub service_keys: Vec<ServiceKey>,
    auto_login: Option<String>,
    browser_session: Option<BrowserSession>,
    auth_requests: Vec<AuthRequest>,
    codes: Vec<AuthCode>,
    grants: Vec<Grant>,
    devices: Vec<DeviceRequest>,
}

impl Oidc {
    pub fn new(config: &SimConfig, issuer: String) -> Self {
        Oidc {
            issuer: issuer.trim_end_matches('/').to_owned(),
            access_token_lifetime: config.access_token_lifetime,
            device_interval: config.device_interval,
            device_code_lifetime: config.device_code_lifetime,
            zitadel_project_id: String::new(),
            user_info_in_id_token: false,
            signing: KeyPair::from_pem(SIGNING_KEY_ID, SIGNING_KEY_PEM),
            clients: Vec::new(),
            service_keys: Vec::new(),
            auto_login: None,
            browser_session: None,
            auth_requests: Vec::new(),
            codes: Vec::new(),
            grants: Vec::new(),
            devices: Vec::new(),
        }
    }

    pub fn client(&self, id: &str) -> Option<&Client> {
        self.clients.iter().find(|c| c.id == id)
    }

    /// `GET /oauth/v2/keys`.
    pub fn jwks(&self) -> Value {
        json!({ "keys": [self.signing.jwk()] })
    }

    /// `GET /.well-known/openid-configuration`.
    pub fn discovery(&self) -> Value {
        let at = |path: &str| format!("{}{path}", self.issuer);
        json!({
            "issuer": self.issuer,
            "authorization_endpoint": at("/oauth/v2/authorize"),
            "token_endpoint": at("/oauth/v2/token"),
            "introspection_endpoint": at("/oauth/v2/introspect"),
            "userinfo_endpoint": at("/oidc/v1/userinfo"),
            "revocation_endpoint": at("/oauth/v2/revoke"),
            "end_session_endpoint": at("/oidc/v1/end_session"),
            "device_authorization_endpoint": at("/oauth/v2/device_authorization"),
            "jwks_uri": at("/oauth/v2/keys"),
            "scopes_supported": [
                "openid", "profile", "email", "phone", "address", "offline_access",
                AUDIENCE_SCOPE, "urn:zitadel:iam:org:id:{id}"
            ],
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": [
                "authorization_code", "refresh_token", DEVICE_GRANT, JWT_BEARER_GRANT
            ],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "request_object_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["none", "private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
            "revocation_endpoint_auth_methods_supported": ["none"],
            "introspection_endpoint_auth_methods_supported": ["none"],
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": [
                "sub", "aud", "exp", "iat", "iss", "auth_time", "nonce", "acr", "amr", "at_hash",
                "azp", "name", "given_name", "family_name", "nickname", "gender", "locale",
                "preferred_username", "updated_at", "email", "email_verified", "phone_number",
                "phone_number_verified"
            ],
            "request_uri_parameter_supported": false,
            "request_parameter_supported": false,
            "ui_locales_supported": ["en"],
        })
    }
}

/// The answer of a successful token request.
#[derive(Debug)]
pub struct Issued {
    pub access_token: String,
    pub expires_in: u64,
    pub refresh_token: Option<String>,
    pub id_token: Option<String>,
    pub scope: String,
}

/// The answer of the device authorization endpoint.
pub struct DeviceStart {
    pub device_code: String,
    pub user_code: String,
    pub expires_in: u64,
    pub interval: u64,
}

/// The demo login page for a pending authorization request.
pub struct LoginPage {
    pub request_id: String,
    pub client_name: String,
    pub scopes: Vec<String>,
    pub choices: Vec<LoginChoice>,
    /// The login name to preselect (`login_hint`, or the user of the browser session).
    pub selected: Option<String>,
    /// Why the last attempt failed.
    pub error: Option<String>,
}

pub struct LoginChoice {
    pub login_name: String,
    pub display_name: String,
    pub role: String,
}

/// What the authorization endpoint (or the login page's form) answers.
pub enum AuthorizeOutcome {
    /// 302 to the client's redirect URI (with a code or an error).
    Redirect(String),
    /// The demo login page.
    Login(LoginPage),
    /// A 400 error page: the redirect URI cannot be trusted, or there is no such request.
    ErrorPage(String),
}

/// What the end session endpoint answers.
pub enum EndSession {
    Redirect(String),
    /// A "signed out" page (`ok`), or an error page.
    Page {
        ok: bool,
        message: String,
    },
}

/// Facts about the sign-in that go into an ID token.
struct SignIn {
    nonce: Option<String>,
    auth_time: DateTime<Utc>,
    amr: &'static [&'static str],
}

/// The client's redirect URI with `pairs` added to its query.
fn with_params(base: &str, pairs: &[(&str, Option<&str>)]) -> String {
    if pairs.iter().all(|(_, value)| value.is_none()) {
        return base.to_owned();
    }
    match Url::parse(base) {
        Ok(mut url) => {
            {
                let mut query = url.query_pairs_mut();
                for (name, value) in pairs {
                    if let Some(value) = value {
                        query.append_pair(name, value);
                    }
                }
            }
            url.to_string()
        }
        Err(_) => base.to_owned(),
    }
}

fn error_redirect(
    redirect_uri: &str,
    error: &str,
    description: &str,
    state: Option<&str>,
) -> String {
    with_params(
        redirect_uri,
        &[
            ("error", Some(error)),
            ("error_description", Some(description)),
            ("state", state),
        ],
    )
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Whether a requested redirect URI matches a registered one: exactly, or — for an `http`
/// loopback registration — with any port (RFC 8252 §7.3; path and query are compared).
pub fn redirect_matches(registered: &str, requested: &str) -> bool {
    if registered == requested {
        return true;
    }
    let (Ok(registered), Ok(requested)) = (Url::parse(registered), Url::parse(requested)) else {
        return false;
    };
    registered.scheme() == "http"
        && is_loopback(&registered)
        && requested.scheme() == "http"
        && requested.host() == registered.host()
        && requested.path() == registered.path()
        && requested.query() == registered.query()
        && requested.username().is_empty()
        && requested.password().is_none()
        && requested.fragment().is_none()
}

/// `BASE64URL(SHA256(verifier))`, the S256 code challenge (RFC 7636 §4.2).
pub fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// An S256 challenge is a base64url SHA-256: 43 characters.
fn valid_challenge(challenge: &str) -> bool {
    challenge.len() == 43
        && challenge
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// The left half of the access token's SHA-256, base64url (OIDC Core §3.1.3.6).
fn at_hash(access_token: &str) -> String {
    URL_SAFE_NO_PAD.encode(&Sha256::digest(access_token.as_bytes())[..16])
}

/// Whole seconds, rounded up (a sub-second setting still announces 1).
fn ceil_secs(duration: Duration) -> u64 {
    duration.as_secs() + u64::from(duration.subsec_nanos() > 0)
}

/// `abcd efgh`, `ABCDEFGH` or `ABCD-EFGH` → `ABCD-EFGH`.
fn normalize_user_code(input: &str) -> String {
    let letters: String = input
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    if letters.len() == 8 {
        format!("{}-{}", &letters[..4], &letters[4..])
    } else {
        letters
    }
}

fn has(scopes: &[String], scope: &str) -> bool {
    scopes.iter().any(|s| s == scope)
}

/// The scopes ZITADEL grants of those asked: standard and `urn:zitadel:iam:` ones, each
/// once; others are dropped. `offline_access` only for clients that may refresh.
fn granted_scopes(scope: &str, may_refresh: bool) -> Vec<String> {
    let mut granted: Vec<String> = Vec::new();
    for s in scope.split_whitespace() {
        let known = STANDARD_SCOPES.contains(&s) || s.starts_with("urn:zitadel:iam:");
        let allowed = s != "offline_access" || may_refresh;
        if known && allowed && !has(&granted, s) {
            granted.push(s.to_owned());
        }
    }
    granted
}

fn invalid_grant_user() -> OAuthError {
    OAuthError::invalid_grant("The user no longer exists or is not active")
}

impl World {
    /// `max.muster@acme.example.com`.
    pub fn login_name(&self, user: &User) -> String {
        match self.org(&user.org_id) {
            Some(org) => format!("{}@{}", user.user_name, org.primary_domain),
            None => user.user_name.clone(),
        }
    }

    fn active_user(&self, user_id: &str) -> Option<&User> {
        self.user(user_id).filter(|u| u.state == UserState::Active)
    }

    /// The human who signs in under `name` (a login name, or a user name that only one user
    /// has). Only active humans can sign in.
    pub fn sign_in_user(&self, name: &str) -> Result<&User, SimError> {
        let name = name.trim();
        let user = match self
            .users
            .iter()
            .find(|u| self.login_name(u).eq_ignore_ascii_case(name))
        {
            Some(user) => user,
            None => {
                let mut matches = self
                    .users
                    .iter()
                    .filter(|u| u.user_name.eq_ignore_ascii_case(name));
                match (matches.next(), matches.next()) {
                    (Some(user), None) => user,
                    (None, _) => return Err(SimError::user_not_found("SIM-NOUSER")),
                    (Some(_), Some(_)) => {
                        return Err(SimError::invalid_argument(
                            "SIM-AMBIGUOUS",
                            "Several users have this user name; use the login name",
                        ))
                    }
                }
            }
        };
        if user.person().is_none() {
            return Err(SimError::user_not_human());
        }
        if user.state != UserState::Active {
            return Err(SimError::new(
                9,
                "SIM-NOTACTIVE",
                "The user is locked or inactive and cannot sign in",
            ));
        }
        Ok(user)
    }

    /// `urn:zitadel:iam:org:id:{id}` scopes restrict who may sign in to those orgs.
    fn org_scopes_allow(user: &User, scopes: &[String]) -> bool {
        let mut orgs = scopes
            .iter()
            .filter_map(|s| s.strip_prefix(ORG_SCOPE_PREFIX))
            .peekable();
        orgs.peek().is_none() || orgs.any(|org| org == user.org_id)
    }

    /// Forgets expired requests and long-finished codes and device requests.
    fn prune(&mut self) {
        let now = Instant::now();
        let oidc = &mut self.oidc;
        oidc.auth_requests.retain(|r| now < r.expires);
        oidc.codes.retain(|c| now < c.expires + REMEMBER);
        oidc.devices.retain(|d| now < d.expires + REMEMBER);
    }

    // -----------------------------------------------------------------------------------------
    // Authorization code flow

    /// Test hook: authorize signs this user in at once. `None` shows the login page again.
    pub fn set_auto_login(&mut self, user_name: Option<&str>) -> Result<(), SimError> {
        self.oidc.auto_login = match user_name {
            Some(name) => Some(self.sign_in_user(name)?.id.clone()),
            None => None,
        };
        Ok(())
    }

    // -----------------------------------------------------------------------------------------
    // The token endpoint

    /// `POST /oauth/v2/token`, all grants.
    pub fn token(&mut self, params: &Params) -> Result<Issued, OAuthError> {
        self.prune();
        let grant_type = required(params, "grant_type")?;
        match grant_type {
            "authorization_code" => {
                let client = self.public_client(params, GrantType::AuthorizationCode)?;
                self.exchange_code(&client, params)
            }
            "refresh_token" => {
                let client = self.public_client(params, GrantType::RefreshToken)?;
                self.refresh(&client, params)
            }
            DEVICE_GRANT => {
                let client = self.public_client(params, GrantType::DeviceCode)?;
                self.poll_device(&client, params)
            }
            JWT_BEARER_GRANT => self.jwt_bearer(params),
            other => Err(OAuthError::unsupported_grant_type(format!(
                "The grant_type {other} is not supported"
            ))),
        }
    }

    /// A public client may use this grant: it only needs to name itself.
    fn public_client(&self, params: &Params, grant: GrantType) -> Result<String, OAuthError> {
        let id = param(params, "client_id")
            .ok_or_else(|| OAuthError::invalid_client("client_id is missing"))?;
        let client = self
            .oidc
            .client(id)
            .ok_or_else(|| OAuthError::invalid_client("The client_id is unknown"))?;
        if !client.grant_types.contains(&grant) {
            return Err(OAuthError::unauthorized_client(format!(
                "The application may not use the grant {}",
                grant.name()
            )));
        }
        Ok(client.id.clone())
    }

    fn refresh(&mut self, client_id: &str, params: &Params) -> Result<Issued, OAuthError> {
        let token = required(params, "refresh_token")?;
        let index = self
            .oidc
            .grants
            .iter()
            .position(|g| g.refresh_token.as_deref() == Some(token))
            .ok_or_else(|| {
                OAuthError::invalid_grant("The refresh token is unknown, used or revoked")
            })?;
        let grant = &self.oidc.grants[index];
        if grant.client_id != client_id {
            return Err(OAuthError::invalid_grant(
                "The refresh token was issued to another client",
            ));
        }
        let now = Instant::now();
        if now >= grant.refreshed + REFRESH_IDLE || now >= grant.started + REFRESH_ABSOLUTE {
            let id = grant.id.clone();
            self.end_grant(&id);
            return Err(OAuthError::invalid_grant("The refresh token has expired"));
        }
        if self.active_user(&grant.user_id).is_none() {
            return Err(invalid_grant_user());
        }
        let scopes = match param(params, "scope") {
            None => None,
            Some(scope) => {
                let asked = granted_scopes(scope, true);
                if let Some(extra) = asked.iter().find(|s| !has(&grant.scopes, s)) {
                    return Err(OAuthError::invalid_scope(format!(
                        "The scope {extra} was not granted originally"
                    )));
                }
                Some(asked)
            }
        };
        let grant = &mut self.oidc.grants[index];
        grant.refresh_token = Some(new_secret());
        grant.refreshed = now;
        let grant_id = grant.id.clone();
        Ok(self.issue_for_grant(&grant_id, None, scopes))
    }

    /// A new grant; it gets a refresh token when `offline_access` was granted.
    fn start_grant(
        &mut self,
        user_id: &str,
        client_id: &str,
        scopes: Vec<String>,
        auth_time: DateTime<Utc>,
        amr: &'static [&'static str],
        may_refresh: bool,
    ) -> String {
        // Random, not from the id sequence: sign-ins must not shift the ids of API objects.
        let id = random_token();
        let now = Instant::now();
        self.oidc.grants.push(Grant {
            id: id.clone(),
            user_id: user_id.to_owned(),
            client_id: client_id.to_owned(),
            refresh_token: (may_refresh && has(&scopes, "offline_access")).then(new_secret),
            scopes,
            auth_time,
            amr,
            started: now,
            refreshed: now,
        });
        id
    }

    /// Ends a grant: its refresh token and every access token issued with it die.
    fn end_grant(&mut self, grant_id: &str) {
        self.oidc.grants.retain(|g| g.id != grant_id);
        self.tokens.retain(|_, token| {
            token
                .oidc
                .as_ref()
                .is_none_or(|issued| issued.grant_id != grant_id)
        });
    }

    /// A new access token (and ID token with `openid`) for a grant; `scopes` narrows them.
    fn issue_for_grant(
        &mut self,
        grant_id: &str,
        nonce: Option<String>,
        scopes: Option<Vec<String>>,
    ) -> Issued {
        let grant = self
            .oidc
            .grants
            .iter()
            .find(|g| g.id == grant_id)
            .expect("tokens are issued for an existing grant");
        let scopes = scopes.unwrap_or_else(|| grant.scopes.clone());
        let (user_id, client_id) = (grant.user_id.clone(), grant.client_id.clone());
        let refresh_token = grant.refresh_token.clone();
        let sign_in = SignIn {
            nonce,
            auth_time: grant.auth_time,
            amr: grant.amr,
        };
        let lifetime = self.oidc.access_token_lifetime;
        let access_token = new_secret();
        self.tokens.insert(
            access_token.clone(),
            Token {
                user_id: user_id.clone(),
                audience: has(&scopes, AUDIENCE_SCOPE),
                issued: Utc::now(),
                expires: Instant::now().checked_add(lifetime),
                oidc: Some(TokenGrant {
                    client_id: client_id.clone(),
                    scopes: scopes.clone(),
                    grant_id: grant_id.to_owned(),
                }),
            },
        );
        let id_token = has(&scopes, "openid")
            .then(|| self.id_token(&user_id, &client_id, &scopes, &sign_in, &access_token));
        Issued {
            access_token,
            expires_in: lifetime.as_secs(),
            refresh_token,
            id_token,
            scope: scopes.join(" "),
        }
    }

    /// An RS256 ID token; the user exists (checked by the caller).
    fn id_token(
        &self,
        user_id: &str,
        client_id: &str,
        scopes: &[String],
        sign_in: &SignIn,
        access_token: &str,
    ) -> String {
        let now = Utc::now().timestamp();
        let lifetime = i64::try_from(self.oidc.access_token_lifetime.as_secs()).unwrap_or(i64::MAX);
        let mut audience = vec![client_id.to_owned()];
        if has(scopes, AUDIENCE_SCOPE) {
            audience.push(self.oidc.zitadel_project_id.clone());
        }
        let mut claims = Map::new();
        claims.insert("iss".into(), json!(self.oidc.issuer));
        claims.insert("sub".into(), json!(user_id));
        claims.insert("aud".into(), json!(audience));
        claims.insert("azp".into(), json!(client_id));
        claims.insert("client_id".into(), json!(client_id));
        claims.insert("exp".into(), json!(now.saturating_add(lifetime)));
        claims.insert("iat".into(), json!(now));
        claims.insert("auth_time".into(), json!(sign_in.auth_time.timestamp()));
        if let Some(nonce) = &sign_in.nonce {
            claims.insert("nonce".into(), json!(nonce));
        }
        if !sign_in.amr.is_empty() {
            claims.insert("amr".into(), json!(sign_in.amr));
        }
        claims.insert("at_hash".into(), json!(at_hash(access_token)));
        if self.oidc.user_info_in_id_token {
            if let Some(user) = self.user(user_id) {
                claims.extend(self.user_claims(user, scopes));
            }
        }
        self.oidc.signing.sign(&Value::Object(claims))
    }

    /// Profile, email and phone claims as the scopes allow (ID token and userinfo).
    fn user_claims(&self, user: &User, scopes: &[String]) -> Map<String, Value> {
        let mut claims = Map::new();
        let mut put = |name: &str, value: Value| {
            claims.insert(name.to_owned(), value);
        };
        if has(scopes, "profile") {
            put("preferred_username", json!(self.login_name(user)));
            put("updated_at", json!(user.record.changed.timestamp()));
            match &user.kind {
                UserKind::Human(person) => {
                    put("name", json!(person.display_name));
                    put("given_name", json!(person.first_name));
                    put("family_name", json!(person.last_name));
                    put("locale", json!(person.language));
                    if !person.nick_name.is_empty() {
                        put("nickname", json!(person.nick_name));
                    }
                    if let Some(gender) = person.gender {
                        let gender = gender.trim_start_matches("GENDER_").to_ascii_lowercase();
                        put("gender", json!(gender));
                    }
                }
                UserKind::Machine { name, .. } => put("name", json!(name)),
            }
        }
        if let Some(person) = user.person() {
            if has(scopes, "email") {
                put("email", json!(person.email));
                put("email_verified", json!(person.email_verified));
            }
            if let (true, Some(phone)) = (has(scopes, "phone"), &person.phone) {
                put("phone_number", json!(phone));
                put("phone_number_verified", json!(false));
            }
        }
        claims
    }

    // -----------------------------------------------------------------------------------------
    // Device authorization grant (RFC 8628)

    // -----------------------------------------------------------------------------------------
    // JWT profile (RFC 7523) for service users

    // -----------------------------------------------------------------------------------------
    // Revocation, userinfo, introspection, end session

    /// A registered application, or a service user acting as its own client.
    fn known_client(&self, id: &str) -> bool {
        self.oidc.client(id).is_some() || self.oidc.service_keys.iter().any(|k| k.user_id == id)
    }

    /// `POST /oauth/v2/revoke` (RFC 7009): unknown tokens, and tokens of other clients, are
    /// silently ignored.
    pub fn revoke(&mut self, params: &Params) -> Result<(), OAuthError> {
        let client_id = param(params, "client_id")
            .ok_or_else(|| OAuthError::invalid_client("client_id is missing"))?;
        if !self.known_client(client_id) {
            return Err(OAuthError::invalid_client("The client_id is unknown"));
        }
        let token = required(params, "token")?;
        let grant = self
            .oidc
            .grants
            .iter()
            .find(|g| g.refresh_token.as_deref() == Some(token) && g.client_id == client_id)
            .map(|g| g.id.clone());
        if let Some(grant_id) = grant {
            self.end_grant(&grant_id);
            return Ok(());
        }
        let own_access_token = self
            .tokens
            .get(token)
            .and_then(|t| t.oidc.as_ref())
            .is_some_and(|issued| issued.client_id == client_id);
        if own_access_token {
            self.tokens.remove(token);
        }
        Ok(())
    }

    /// An admin revoked the user's sessions: every grant (refresh token) and every access token
    /// from the token endpoint dies, and the browser session ends. PATs stay.
    pub fn revoke_sessions_of(&mut self, user_id: &str) {
        self.oidc.grants.retain(|g| g.user_id != user_id);
        self.tokens
            .retain(|_, t| t.oidc.is_none() || t.user_id != user_id);
        if self
            .oidc
            .browser_session
            .as_ref()
            .is_some_and(|s| s.user_id == user_id)
        {
            self.oidc.browser_session = None;
        }
    }

    /// `GET /oidc/v1/userinfo`: for a live access token from a grant with `openid`.
    pub fn userinfo(&self, token: Option<&str>) -> Result<Value, OAuthError> {
        let invalid = || OAuthError::new("invalid_token", "The access token is invalid");
        let token = token
            .and_then(|t| self.tokens.get(t))
            .filter(|t| !expired(t.expires))
            .ok_or_else(invalid)?;
        let scopes = match &token.oidc {
            Some(issued) if has(&issued.scopes, "openid") => &issued.scopes,
            _ => return Err(invalid()),
        };
        let user = self.user(&token.user_id).ok_or_else(invalid)?;
        let mut claims = Map::new();
        claims.insert("sub".into(), json!(user.id));
        claims.extend(self.user_claims(user, scopes));
        Ok(Value::Object(claims))
    }

    /// `POST /oauth/v2/introspect` (RFC 7662). The sim asks no client authentication.
    pub fn introspect(&self, params: &Params) -> Value {
        let live = param(params, "token")
            .and_then(|t| self.tokens.get(t))
            .filter(|t| !expired(t.expires));
        let Some(token) = live else {
            return json!({ "active": false });
        };
        let mut answer = json!({
            "active": true,
            "token_type": "Bearer",
            "iss": self.oidc.issuer,
            "sub": token.user_id,
            "iat": token.issued.timestamp(),
        });
        if let Some(user) = self.user(&token.user_id) {
            answer["username"] = json!(self.login_name(user));
        }
        if let Some(left) = token
            .expires
            .map(|at| at.saturating_duration_since(Instant::now()))
        {
            let left = chrono::Duration::from_std(left).unwrap_or(chrono::TimeDelta::MAX);
            answer["exp"] = json!(Utc::now().checked_add_signed(left).map(|t| t.timestamp()));
        }
        if let Some(issued) = &token.oidc {
            answer["client_id"] = json!(issued.client_id);
            answer["scope"] = json!(issued.scopes.join(" "));
        }
        let mut audience = Vec::new();
        if let Some(issued) = &token.oidc {
            audience.push(issued.client_id.clone());
        }
        if token.audience {
            audience.push(self.oidc.zitadel_project_id.clone());
        }
        answer["aud"] = json!(audience);
        answer
    }

    /// `GET /oidc/v1/end_session`: ends the browser session, then returns to a registered
    /// post-logout URI (loopback: any port) or shows a page.
    pub fn end_session(&mut self, params: &Params) -> EndSession {
        let mut client_id = param(params, "client_id").map(str::to_owned);
        if let Some(hint) = param(params, "id_token_hint") {
            let mut validation = Validation::new(Algorithm::RS256);
            validation.validate_exp = false;
            validation.validate_aud = false;
            validation.required_spec_claims.clear();
            validation.set_issuer(&[&self.oidc.issuer]);
            match jsonwebtoken::decode::<Value>(hint, self.oidc.signing.public(), &validation) {
                Ok(data) => {
                    let azp = data.claims.get("azp").and_then(Value::as_str);
                    if client_id.is_none() {
                        client_id = azp.map(str::to_owned);
                    }
                }
                Err(_) => {
                    return EndSession::Page {
                        ok: false,
                        message: "The id_token_hint is not an ID token of this instance.".into(),
                    }
                }
            }
        }
        self.oidc.browser_session = None;
        let Some(target) = param(params, "post_logout_redirect_uri") else {
            return EndSession::Page {
                ok: true,
                message: "You are signed out.".into(),
            };
        };
        let registered = client_id
            .as_deref()
            .and_then(|id| self.oidc.client(id))
            .is_some_and(|c| {
                c.post_logout_redirect_uris
                    .iter()
                    .any(|r| redirect_matches(r, target))
            });
        if registered {
            EndSession::Redirect(with_params(target, &[("state", param(params, "state"))]))
        } else {
            EndSession::Page {
                ok: false,
                message: format!(
                    "You are signed out, but {target} is not a registered post-logout address \
                     of the application, so this page does not go back there."
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_redirects_match_any_port_only() {
        let reg = "http://127.0.0.1/callback";
        assert!(redirect_matches(reg, "http://127.0.0.1/callback"));
        assert!(redirect_matches(reg, "http://127.0.0.1:49152/callback"));
        assert!(!redirect_matches(reg, "http://127.0.0.1:49152/other"));
        assert!(!redirect_matches(
            reg,
            "http://127.0.0.1:49152/callback?x=1"
        ));
        assert!(!redirect_matches(reg, "http://127.0.0.2:49152/callback"));
        assert!(!redirect_matches(reg, "https://127.0.0.1:49152/callback"));
        assert!(!redirect_matches(reg, "http://evil.example/callback"));
        assert!(!redirect_matches(reg, "http://u@127.0.0.1:1/callback"));
        assert!(redirect_matches(
            "http://localhost/callback",
            "http://localhost:8/callback"
        ));
        assert!(!redirect_matches(
            "https://app.example.com/cb",
            "https://app.example.com:444/cb"
        ));
    }

    #[test]
    fn pkce_s256_matches_rfc_7636_example() {
        assert_eq!(
            s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert!(valid_challenge(
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        ));
        assert!(!valid_challenge("short"));
    }

    #[test]
    fn scopes_are_filtered_and_deduplicated() {
        assert_eq!(
            granted_scopes(
                "openid  foo offline_access openid urn:zitadel:iam:org:id:1",
                true
            ),
            ["openid", "offline_access", "urn:zitadel:iam:org:id:1"]
        );
        assert_eq!(granted_scopes("openid offline_access", false), ["openid"]);
    }

    #[test]
    fn user_codes_normalize() {
        assert_eq!(normalize_user_code("bcdf ghjk"), "BCDF-GHJK");
        assert_eq!(normalize_user_code("BCDF-GHJK"), "BCDF-GHJK");
        assert_eq!(ceil_secs(Duration::from_millis(200)), 1);
        assert_eq!(ceil_secs(Duration::from_secs(5)), 5);
    }

    #[test]
    fn redirects_keep_their_query_and_encode_values() {
        assert_eq!(
            with_params(
                "http://127.0.0.1:5/cb?a=1",
                &[("state", Some("x y&z")), ("no", None)]
            ),
            "http://127.0.0.1:5/cb?a=1&state=x+y%26z"
        );
    }
}
