//! `ZitadelClient`: one method per ZITADEL call Passkey Desk makes (zitadel-api.md §3, §5 and
//! the v2 organisation search), over reqwest with rustls. It maps every answer, good or bad,
//! into the app's own types and the one [`Error`]; the wire models never leave this module.
//!
//! By area: `account.rs` (the admin, their permissions, the organisations), `v1.rs` and
//! `v2.rs` (users, passkeys, registration codes; `by_api!` below picks one of each pair), the
//! link route with its v1 → v2 fallback and the checks on every link in this file.

mod account;
pub(crate) mod convert;
pub(crate) mod http;
mod v1;
mod v2;
pub(crate) mod wire;

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::json;
use url::Url;

use crate::duration::parse_proto_duration;
use crate::error::{Error, Result};
use crate::link::LinkPolicy;
use crate::model::{
    Me, Org, OrgId, Passkey, Permissions, RegistrationLink, User, UserId, UserPage,
};
use crate::secret::Secret;

/// The one place the `api` setting picks v1 or v2 for a call about users: `auto` and `v1`
/// take the v1 management call (which every supported ZITADEL has), `v2` the v2 user service.
/// Each pair (`v1.rs`, `v2.rs`) takes the same arguments and gives the same model.
macro_rules! by_api {
    ($client:ident, $v1:ident / $v2:ident ($($arg:expr),*)) => {
        match $client.api {
            ApiVersion::V2 => $client.$v2($($arg),*).await,
            ApiVersion::V1 | ApiVersion::Auto => $client.$v1($($arg),*).await,
        }
    };
}
pub(crate) use http::{
    build_reqwest, instance_origin, parse_retry_after, read_capped, transport_error, Unread,
};

/// A boxed future, so that [`TokenProvider`] can be used as a trait object.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Where the client gets its bearer token: a fixed token (a PAT, `PASSKEY_DESK_TOKEN`) or a
/// signed-in session that renews its access token.
pub trait TokenProvider: Send + Sync {
    /// A usable access token (renewed first if it is about to expire).
    fn access_token(&self) -> BoxFuture<'_, Result<Secret<String>>>;
    /// The server rejected `rejected`. Renew it if possible; `Ok(true)` means "try once more".
    fn renew<'a>(&'a self, rejected: &'a Secret<String>) -> BoxFuture<'a, Result<bool>>;
}

/// A token that cannot be renewed.
pub struct StaticToken(pub Secret<String>);

impl TokenProvider for StaticToken {
    fn access_token(&self) -> BoxFuture<'_, Result<Secret<String>>> {
        Box::pin(std::future::ready(Ok(self.0.clone())))
    }

    fn renew<'a>(&'a self, _rejected: &'a Secret<String>) -> BoxFuture<'a, Result<bool>> {
        Box::pin(std::future::ready(Ok(false)))
    }
}

/// Which ZITADEL API the client uses (setting `api`, flag `--api`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ApiVersion {
    /// v1 `_link` (ZITADEL builds the link) and v1 reads; the v2 registration code when v1
    /// `_link` is not there (404/501 before anything was created) or the admin may only use
    /// v2 (`user.passkey.write` without `user.credential.write`).
    #[default]
    Auto,
    /// Management API v1 only.
    V1,
    /// User service v2 only: users, passkeys and registration codes.
    V2,
}

impl std::str::FromStr for ApiVersion {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(ApiVersion::Auto),
            "v1" => Ok(ApiVersion::V1),
            "v2" => Ok(ApiVersion::V2),
            _ => Err(Error::InvalidInput(format!(
                "api must be auto, v1 or v2, not '{}'",
                crate::error::sanitize(s, 20)
            ))),
        }
    }
}

/// Which Login UI a link from a v2 code is built for (setting `login_ui`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LoginUi {
    /// What the instance's `loginV2` feature says (`GET /v2/features/instance`).
    #[default]
    Auto,
    /// `/ui/login/login/passwordless/init?userID=&orgID=&codeID=&code=`.
    V1,
    /// `{loginV2.baseUri or /ui/v2/login}/passkey/set?userId=&code=&codeId=&organization=`.
    V2,
}

impl std::str::FromStr for LoginUi {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(LoginUi::Auto),
            "v1" => Ok(LoginUi::V1),
            "v2" => Ok(LoginUi::V2),
            _ => Err(Error::InvalidInput(format!(
                "login_ui must be auto, v1 or v2, not '{}'",
                crate::error::sanitize(s, 20)
            ))),
        }
    }
}

/// The kind of passkey a link asks for (`requestPlatformType`, Login UI v1 only).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS), ts(export))]
#[serde(rename_all = "kebab-case")]
pub enum Authenticator {
    /// Whatever the person's device offers.
    #[default]
    Any,
    /// This device only (Face ID, Touch ID, Windows Hello).
    Platform,
    /// A security key only.
    CrossPlatform,
}

impl std::str::FromStr for Authenticator {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "any" => Ok(Authenticator::Any),
            "platform" => Ok(Authenticator::Platform),
            "cross-platform" | "crossplatform" => Ok(Authenticator::CrossPlatform),
            _ => Err(Error::InvalidInput(format!(
                "the authenticator must be platform or cross-platform, not '{}'",
                crate::error::sanitize(s, 20)
            ))),
        }
    }
}

/// The oldest ZITADEL release Passkey Desk works with: the v2 organization search it lists
/// orgs with is there from v2.60 (the v2 passkey and feature calls from v2.58, the v1 user
/// search's `orQuery` from v2.41).
pub const MINIMUM_VERSION: &str = "v2.60";

/// Which calls may create a registration code, decided before the first one is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkRoute {
    V1Only,
    V2Only,
    /// v1 `_link`; v2 only when v1 answered that it is not there (nothing was created).
    V1ThenV2,
}

/// How the client talks to the server.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// Which API (setting `api`).
    pub api: ApiVersion,
    /// Which Login UI links from v2 codes are built for (setting `login_ui`).
    pub login_ui: LoginUi,
    /// A template for links from v2 codes, e.g.
    /// `https://login.example.com/passkey?user={userId}&org={orgId}&id={codeId}&code={code}`;
    /// wins over `login_ui`. Its links must pass the same origin check as ZITADEL's.
    pub link_template: Option<String>,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    /// An extra CA certificate (PEM) trusted next to the OS trust store.
    pub extra_ca_pem: Option<Vec<u8>>,
    /// A separate login host that registration links may point to.
    pub login_host: Option<Url>,
    /// Answers larger than this are refused, not read.
    pub max_body_bytes: usize,
    /// How reads are tried again when the server is rate limiting or unavailable.
    pub retry: RetryPolicy,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            api: ApiVersion::Auto,
            login_ui: LoginUi::Auto,
            link_template: None,
            connect_timeout: Duration::from_secs(5),
            request_timeout: Duration::from_secs(15),
            extra_ca_pem: None,
            login_host: None,
            max_body_bytes: 4 * 1024 * 1024,
            retry: RetryPolicy::default(),
        }
    }
}

/// Bounded backoff for reads. A read (the admin's user, memberships, permissions, the org
/// and user searches, a user, the passkey list) that gets HTTP 429 or 503 is sent again at
/// most `read_retries` times: after the server's `Retry-After` when it is at most
/// `max_retry_after`, else after `backoff`, doubled each time. A longer `Retry-After` is not
/// waited for: the error comes back at once and names the wait, so the admin can decide.
/// Writes (`_link`, `_send_link`) are never sent again: a second `_link` would create a
/// second registration code behind the admin's back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// How often a read is sent again after 429 or 503 (0: never).
    pub read_retries: u32,
    /// The first wait when the answer has no `Retry-After`; doubled for each further try.
    pub backoff: Duration,
    /// The longest `Retry-After` that is waited for.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            read_retries: 2,
            backoff: Duration::from_millis(500),
            max_retry_after: Duration::from_secs(5),
        }
    }
}

/// What to search for in [`ZitadelClient::list_users`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserSearch {
    pub text: String,
    /// `Contains`: user name, email or display name contain the text (search as you type).
    /// `Exact`: user name, email or login name equal it, ignoring case (resolving one user).
    pub mode: MatchMode,
    pub humans_only: bool,
    pub offset: u64,
    pub limit: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatchMode {
    Contains,
    Exact,
}

/// One role membership of the admin: in one org, or instance-wide.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Membership {
    Instance {
        roles: Vec<String>,
    },
    Org {
        org_id: OrgId,
        name: Option<String>,
        roles: Vec<String>,
    },
}

/// What [`ZitadelClient::list_users`] makes of a `ListUsers` answer (also measured by the
/// `parse` benchmark through [`crate::bench_support`]).
pub(crate) fn user_page(answer: wire::ListResponse<wire::User>) -> Result<UserPage> {
    page_of(answer, convert::user)
}

/// A page of users from a list answer of either API, each converted by `user`.
pub(crate) fn page_of<W>(
    answer: wire::ListResponse<W>,
    user: impl Fn(W) -> Result<User>,
) -> Result<UserPage> {
    let users = answer
        .result
        .unwrap_or_default()
        .into_iter()
        .map(user)
        .collect::<Result<Vec<_>>>()?;
    let total = answer
        .details
        .and_then(|d| d.total_result)
        .unwrap_or(users.len() as u64);
    Ok(UserPage { users, total })
}

/// The permission a call needs, so that a 403 can name it (the user calls use the
/// constants on [`Permissions`]).
mod permission {
    pub const NONE: &str = "";
    pub const ORG_READ: &str = "org.read";
}

pub struct ZitadelClient {
    http: http::Http,
    links: LinkPolicy,
    api: ApiVersion,
    login_ui: LoginUi,
    link_template: Option<String>,
    /// v1 `_link` answered that it is not there: `auto` goes to v2 straight away from then on.
    v1_link_gone: std::sync::atomic::AtomicBool,
}

impl ZitadelClient {
    /// A client for the instance at `instance` (its origin; `https`, or `http` to loopback)
    /// with a fixed bearer token.
    pub fn new(instance: &str, token: Secret<String>, options: ClientOptions) -> Result<Self> {
        ZitadelClient::with_tokens(instance, Arc::new(StaticToken(token)), options)
    }

    /// A client whose bearer token comes from `tokens` (e.g. a signed-in session).
    pub fn with_tokens(
        instance: &str,
        tokens: Arc<dyn TokenProvider>,
        options: ClientOptions,
    ) -> Result<Self> {
        let base = instance_origin(instance)?;
        let links = LinkPolicy::new(&base, options.login_host.as_ref());
        Ok(ZitadelClient {
            http: http::Http::new(base, tokens, &options)?,
            links,
            api: options.api,
            login_ui: options.login_ui,
            link_template: options.link_template.clone(),
            v1_link_gone: std::sync::atomic::AtomicBool::new(false),
        })
    }

    /// The `api` setting this client follows.
    pub fn api(&self) -> ApiVersion {
        self.api
    }

    /// The instance's origin, e.g. `https://auth.example.com`.
    pub fn instance(&self) -> &Url {
        self.http.base()
    }

    /// The users of `org` that match `search` (v1 `ListUsers` under the org header; v2
    /// `ListUsers` with an organization query).
    pub async fn list_users(&self, org: &OrgId, search: &UserSearch) -> Result<UserPage> {
        let (method, fields): (&str, &[(&str, &str)]) = match search.mode {
            MatchMode::Contains => (
                "TEXT_QUERY_METHOD_CONTAINS_IGNORE_CASE",
                &[
                    ("userNameQuery", "userName"),
                    ("emailQuery", "emailAddress"),
                    ("displayNameQuery", "displayName"),
                ],
            ),
            MatchMode::Exact => (
                "TEXT_QUERY_METHOD_EQUALS_IGNORE_CASE",
                &[
                    ("userNameQuery", "userName"),
                    ("emailQuery", "emailAddress"),
                    ("loginNameQuery", "loginName"),
                ],
            ),
        };
        let mut queries = Vec::new();
        if search.humans_only {
            queries.push(json!({"typeQuery": {"type": "TYPE_HUMAN"}}));
        }
        if !search.text.is_empty() {
            let alternatives: Vec<_> = fields
                .iter()
                .map(|(query, field)| json!({ *query: { *field: search.text, "method": method } }))
                .collect();
            queries.push(json!({"orQuery": {"queries": alternatives}}));
        }
        let request = wire::ListUsersRequest {
            query: wire::ListQuery {
                offset: search.offset.to_string(),
                limit: search.limit,
                asc: true,
            },
            // A search shows people by name; a listing of everyone (no text: the coverage
            // count) pages by user name, which is unique, so its pages never overlap or skip
            // people whose display names tie.
            sorting_column: if search.text.is_empty() {
                "USER_FIELD_NAME_USER_NAME"
            } else {
                "USER_FIELD_NAME_DISPLAY_NAME"
            },
            queries,
        };
        let request = serde_json::to_value(request).expect("a plain struct serialises");
        by_api!(self, list_users_v1 / list_users_v2(org, request))
    }

    /// The user `user` of `org`: v1 `GetUserByID` under the org header (404 when the user is
    /// not in that org), or v2 `GetUserByID` (which does not look at the header; the org is
    /// checked on the answer).
    pub async fn get_user(&self, org: &OrgId, user: &UserId) -> Result<User> {
        by_api!(self, get_user_v1 / get_user_v2(org, user))
    }

    /// Creates a registration link the way the `api` setting says (`auto`: v1 `_link`, and
    /// the v2 code only when v1 `_link` is not there). Low level: it does not check who the
    /// user is; [`crate::desk::Desk::create_link`] does that first. The link is accepted
    /// only if it points to the instance (or the login host) and names this user.
    pub async fn create_registration_link(
        &self,
        org: &OrgId,
        user: &UserId,
    ) -> Result<RegistrationLink> {
        let route = match self.api {
            ApiVersion::Auto => LinkRoute::V1ThenV2,
            ApiVersion::V1 => LinkRoute::V1Only,
            ApiVersion::V2 => LinkRoute::V2Only,
        };
        self.create_link_via(org, user, route, Authenticator::Any)
            .await
    }

    /// Creates a registration link by `route`. A fallback from v1 to v2 happens only when
    /// v1 answered that the call is not there (404 without an error id, 501, gRPC code 12),
    /// which ZITADEL answers before it creates anything: a link is never made twice.
    pub async fn create_link_via(
        &self,
        org: &OrgId,
        user: &UserId,
        route: LinkRoute,
        authenticator: Authenticator,
    ) -> Result<RegistrationLink> {
        use std::sync::atomic::Ordering::Relaxed;
        if self.goes_to_v2(route) {
            return self.create_link_v2(org, user, authenticator).await;
        }
        match self.create_link_v1(org, user, authenticator).await {
            Err(Error::Unimplemented { call }) if route == LinkRoute::V1ThenV2 => {
                tracing::info!(%call, "v1 _link is not there; using the v2 registration code");
                self.v1_link_gone.store(true, Relaxed);
                self.create_link_v2(org, user, authenticator).await
            }
            result => result,
        }
    }

    /// Whether links created by `route` can ask for a kind of passkey (`requestPlatformType`).
    /// v1 `_link` links are Login UI v1's, which reads it; a v2 code's link only when it is built
    /// in the Login UI v1 format. Features that cannot be read count as "no".
    pub async fn authenticator_choice(&self, route: LinkRoute) -> bool {
        !self.goes_to_v2(route) || matches!(self.link_format().await, Ok(v2::LinkFormat::LoginV1))
    }

    /// Whether `route` creates the code with v2 now: v2 only, or v1 first on a server whose
    /// v1 `_link` was found missing.
    fn goes_to_v2(&self, route: LinkRoute) -> bool {
        route == LinkRoute::V2Only
            || (route == LinkRoute::V1ThenV2
                && self.v1_link_gone.load(std::sync::atomic::Ordering::Relaxed))
    }

    /// The user's ready passkeys (v1 `ListHumanPasswordless`, v2 `ListPasskeys`).
    pub async fn list_passkeys(&self, org: &OrgId, user: &UserId) -> Result<Vec<Passkey>> {
        by_api!(self, list_passkeys_v1 / list_passkeys_v2(org, user))
    }

    /// Removes the user's passkey `passkey` (its id): v1 `RemoveHumanPasswordless` under the
    /// org header, or v2 `RemovePasskey`. Low level: [`crate::desk::Desk::remove_passkey`]
    /// checks the admin and the user first.
    pub async fn remove_passkey(&self, org: &OrgId, user: &UserId, passkey: &str) -> Result<()> {
        by_api!(
            self,
            remove_passkey_v1 / remove_passkey_v2(org, user, passkey)
        )
    }
}

fn missing(what: &str) -> Error {
    Error::BadResponse {
        detail: format!("the answer lacks {what}"),
    }
}

/// The checks on a `_link` answer (zitadel-api.md §3): a link on the instance or the login
/// host, in printable ASCII, naming no other user, and a lifetime. Returns the parsed URL,
/// which is what is shown, and the lifetime. Also the fuzz target `wire_models`'s entry.
pub(crate) fn checked_link(
    links: &LinkPolicy,
    user: &UserId,
    answer: wire::PasswordlessLinkResponse,
) -> Result<(Url, chrono::Duration)> {
    let link = answer
        .link
        .filter(|l| !l.is_empty())
        .ok_or_else(|| missing("link"))?;
    let url = check_link_text(links, user, &link)?;
    let lifetime = answer
        .expiration
        .as_deref()
        .and_then(parse_proto_duration)
        .ok_or_else(|| missing("expiration (a duration like \"3600s\")"))?;
    let lifetime =
        chrono::Duration::from_std(lifetime).map_err(|_| missing("a sane expiration"))?;
    Ok((url, lifetime))
}

/// The checks on any registration link, from ZITADEL or built here: on the instance or the
/// login host, in printable ASCII, naming no other user. Returns the parsed URL.
pub(crate) fn check_link_text(links: &LinkPolicy, user: &UserId, link: &str) -> Result<Url> {
    let url = links.check(link)?;
    // ZITADEL writes its links in plain printable ASCII. Anything else (control,
    // invisible, direction-changing or look-alike characters) could make the text the
    // admin sees or copies differ from where the link leads: refused, never shown.
    if !link.chars().all(|c| c.is_ascii_graphic()) {
        return Err(Error::BadResponse {
            detail: "the registration link holds characters that are not printable ASCII; it was refused and is not shown".into(),
        });
    }
    // Every user id in it (however its name is spelled) must be this user's: a login
    // page reads only one of them, and it must not be another person's.
    if url
        .query_pairs()
        .any(|(k, named)| k.eq_ignore_ascii_case("userID") && named != user.as_str())
    {
        return Err(Error::BadResponse {
            detail: "the registration link names another user".into(),
        });
    }
    Ok(url)
}
