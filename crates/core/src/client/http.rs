//! The transport under [`super::ZitadelClient`]: one reqwest client (one connection pool),
//! bounded reads, and the mapping of every failure to the one [`Error`].

use std::error::Error as StdError;
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::header::{ACCEPT, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use url::Url;

use crate::error::{sanitize, Error, Result};
use crate::link::is_transport_allowed;
use crate::model::{OrgId, UserId};
use crate::secret::Secret;

use super::wire::ErrorBody;
use super::{ClientOptions, RetryPolicy, TokenProvider};

const ORG_HEADER: &str = "x-zitadel-orgid";

/// Parses and checks an instance URL; returns its origin. Plain http only to loopback.
pub(crate) fn instance_origin(instance: &str) -> Result<Url> {
    let shown = sanitize(instance, 100);
    let url = Url::parse(instance.trim()).map_err(|e| {
        Error::Config(format!(
            "the instance URL '{shown}' is not a URL ({e}); example: https://auth.example.com"
        ))
    })?;
    if !matches!(url.scheme(), "https" | "http") || url.host().is_none() {
        return Err(Error::Config(format!(
            "the instance URL '{shown}' must start with https://"
        )));
    }
    if !is_transport_allowed(&url) {
        return Err(Error::Config(format!(
            "the instance URL '{shown}' uses plain http to a host that is not loopback; use https://"
        )));
    }
    if !url.username().is_empty()
        || url.password().is_some()
        || url.path() != "/"
        || url.query().is_some()
        || url.fragment().is_some()
    {
        return Err(Error::Config(format!(
            "give the instance URL as an origin only (scheme, host, port), e.g. https://auth.example.com, not '{shown}'"
        )));
    }
    Url::parse(&url.origin().ascii_serialization()).map_err(|e| Error::Config(e.to_string()))
}

/// The one reqwest client of a server: timeouts, the extra CA, no redirects (an API or token
/// answer never redirects; following one could carry a token elsewhere).
pub(crate) fn build_reqwest(options: &ClientOptions) -> Result<reqwest::Client> {
    let mut builder = reqwest::Client::builder()
        .connect_timeout(options.connect_timeout)
        .timeout(options.request_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("passkey-desk/", env!("CARGO_PKG_VERSION")));
    if let Some(pem) = &options.extra_ca_pem {
        let certs = reqwest::Certificate::from_pem_bundle(pem)
            .map_err(|_| Error::Config("the extra CA file is not a PEM certificate".into()))?;
        if certs.is_empty() {
            return Err(Error::Config(
                "the extra CA file holds no PEM certificate".into(),
            ));
        }
        for cert in certs {
            builder = builder.add_root_certificate(cert);
        }
    }
    builder
        .build()
        .map_err(|e| Error::Config(format!("cannot set up the HTTPS client: {e}")))
}

/// Whether a call only reads or changes something at the server. Each call of
/// [`super::ZitadelClient`] says which, explicitly: the HTTP method does not tell (ZITADEL's
/// searches are POSTs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Effect {
    /// Safe to send again: retried on 429 and 503 within the [`RetryPolicy`].
    Read,
    /// Sent at most once (apart from the one retry after a 401, which ZITADEL answers before
    /// it carries anything out).
    Write,
}

/// A failed attempt, with the server's `Retry-After` when it gave one.
struct Failed {
    error: Error,
    retry_after: Option<Duration>,
}

impl From<Error> for Failed {
    fn from(error: Error) -> Failed {
        Failed {
            error,
            retry_after: None,
        }
    }
}

/// How long to wait before sending a refused read again, or `None` to give up now: only a
/// rate limit (429) or an unavailable server (503) is worth another try; the server's
/// `Retry-After` is honoured up to the policy's cap, a longer one is not waited for.
fn retry_wait(
    policy: &RetryPolicy,
    error: &Error,
    retry_after: Option<Duration>,
    retries_done: u32,
) -> Option<Duration> {
    let passing = matches!(
        error,
        Error::RateLimited { .. } | Error::Unavailable { status: 503 }
    );
    if !passing {
        return None;
    }
    match retry_after {
        Some(wait) if wait <= policy.max_retry_after => Some(wait),
        Some(_) => None,
        None => Some(policy.backoff.saturating_mul(1 << retries_done.min(16))),
    }
}

/// `Retry-After` as seconds or as an HTTP date (RFC 9110 §10.2.3); a date in the past is now.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    Some(
        (at.with_timezone(&chrono::Utc) - chrono::Utc::now())
            .to_std()
            .unwrap_or(Duration::ZERO),
    )
}

/// What a call is about, so that an error can name the org, the user and the permission.
pub(crate) struct Ctx<'a> {
    pub(crate) org: Option<&'a OrgId>,
    pub(crate) user: Option<&'a UserId>,
    pub(crate) permission: &'static str,
    /// The call may not exist on this server (a deprecated or newer call): a 501, a gRPC
    /// code 12, or a 404 without any ZITADEL error id is [`Error::Unimplemented`] naming this
    /// call, not a missing user.
    pub(crate) probe: Option<&'static str>,
    /// Query parameters of the call (`?inheritance=true`).
    pub(crate) query: &'static [(&'static str, &'static str)],
    /// The passkey the call is about: ZITADEL's "not found" for it names the passkey.
    pub(crate) passkey: Option<&'a str>,
}

pub(crate) struct Http {
    client: reqwest::Client,
    base: Url,
    host: String,
    tokens: Arc<dyn TokenProvider>,
    connect_timeout: Duration,
    request_timeout: Duration,
    max_body: usize,
    retry: RetryPolicy,
}

impl Http {
    pub(crate) fn new(
        base: Url,
        tokens: Arc<dyn TokenProvider>,
        options: &ClientOptions,
    ) -> Result<Self> {
        Ok(Http {
            client: build_reqwest(options)?,
            host: base.host_str().unwrap_or_default().to_string(),
            base,
            tokens,
            connect_timeout: options.connect_timeout,
            request_timeout: options.request_timeout,
            max_body: options.max_body_bytes,
            retry: options.retry.clone(),
        })
    }

    pub(crate) fn base(&self) -> &Url {
        &self.base
    }

    pub(crate) async fn call<T: DeserializeOwned>(
        &self,
        effect: Effect,
        method: Method,
        segments: &[&str],
        org: Option<&OrgId>,
        body: Option<serde_json::Value>,
        permission: &'static str,
    ) -> Result<T> {
        let ctx = Ctx {
            org,
            user: None,
            permission,
            probe: None,
            query: &[],
            passkey: None,
        };
        self.send(effect, method, segments, body, ctx).await
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn call_for_user<T: DeserializeOwned>(
        &self,
        effect: Effect,
        method: Method,
        segments: &[&str],
        org: &OrgId,
        user: &UserId,
        body: Option<serde_json::Value>,
        permission: &'static str,
    ) -> Result<T> {
        let ctx = Ctx {
            org: Some(org),
            user: Some(user),
            permission,
            probe: None,
            query: &[],
            passkey: None,
        };
        self.send(effect, method, segments, body, ctx).await
    }

    /// [`Http::call_for_user`] for a call on one of the user's passkeys: its "not found"
    /// (`COMMAND-DAfb2`) is [`Error::PasskeyNotFound`], not a missing user.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn call_for_passkey<T: DeserializeOwned>(
        &self,
        effect: Effect,
        method: Method,
        segments: &[&str],
        org: &OrgId,
        user: &UserId,
        passkey: &str,
        permission: &'static str,
    ) -> Result<T> {
        let ctx = Ctx {
            org: Some(org),
            user: Some(user),
            permission,
            probe: None,
            query: &[],
            passkey: Some(passkey),
        };
        self.send(effect, method, segments, None, ctx).await
    }

    /// Like [`Http::call_for_user`] for a call this server may not offer (`call` names it):
    /// its absence is [`Error::Unimplemented`].
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn probe_for_user<T: DeserializeOwned>(
        &self,
        effect: Effect,
        method: Method,
        segments: &[&str],
        org: &OrgId,
        user: &UserId,
        body: Option<serde_json::Value>,
        permission: &'static str,
        call: &'static str,
    ) -> Result<T> {
        let ctx = Ctx {
            org: Some(org),
            user: Some(user),
            permission,
            probe: Some(call),
            query: &[],
            passkey: None,
        };
        self.send(effect, method, segments, body, ctx).await
    }

    /// Like [`Http::call`] for a call this server may not offer.
    pub(crate) async fn probe<T: DeserializeOwned>(
        &self,
        method: Method,
        segments: &[&str],
        query: &'static [(&'static str, &'static str)],
        call: &'static str,
    ) -> Result<T> {
        let ctx = Ctx {
            org: None,
            user: None,
            permission: "",
            probe: Some(call),
            query,
            passkey: None,
        };
        self.send(Effect::Read, method, segments, None, ctx).await
    }

    /// Sends a call. A read that meets a rate limit or an unavailable server is sent again
    /// within the [`RetryPolicy`]; a write never is (its first attempt may have been carried
    /// out, and a second `_link` would create a second code).
    async fn send<T: DeserializeOwned>(
        &self,
        effect: Effect,
        method: Method,
        segments: &[&str],
        body: Option<serde_json::Value>,
        ctx: Ctx<'_>,
    ) -> Result<T> {
        let mut retries = 0;
        loop {
            let failed = match self
                .send_authorized(method.clone(), segments, body.clone(), &ctx)
                .await
            {
                Ok(answer) => return Ok(answer),
                Err(failed) => failed,
            };
            let wait = match effect {
                Effect::Read if retries < self.retry.read_retries => {
                    retry_wait(&self.retry, &failed.error, failed.retry_after, retries)
                }
                Effect::Read | Effect::Write => None,
            };
            let Some(wait) = wait else {
                return Err(failed.error);
            };
            retries += 1;
            tracing::debug!(
                %method,
                code = %failed.error.code(),
                wait_ms = wait.as_millis() as u64,
                retry = retries,
                "read refused for now; trying again"
            );
            tokio::time::sleep(wait).await;
        }
    }

    /// Sends a call once; when the server rejects the access token, asks the token provider
    /// to renew it and tries exactly once more (a 401 means the call was not carried out).
    async fn send_authorized<T: DeserializeOwned>(
        &self,
        method: Method,
        segments: &[&str],
        body: Option<serde_json::Value>,
        ctx: &Ctx<'_>,
    ) -> Result<T, Failed> {
        let token = self.tokens.access_token().await?;
        match self
            .send_once(&token, method.clone(), segments, body.clone(), ctx)
            .await
        {
            Err(Failed {
                error: Error::TokenRejected { .. },
                ..
            }) if self.tokens.renew(&token).await? => {
                let token = self.tokens.access_token().await?;
                self.send_once(&token, method, segments, body, ctx).await
            }
            result => result,
        }
    }

    async fn send_once<T: DeserializeOwned>(
        &self,
        token: &Secret<String>,
        method: Method,
        segments: &[&str],
        body: Option<serde_json::Value>,
        ctx: &Ctx<'_>,
    ) -> Result<T, Failed> {
        let mut url = self.base.clone();
        url.path_segments_mut()
            .map_err(|_| Error::Config("the instance URL cannot take a path".into()))?
            .clear()
            .extend(segments);
        if !ctx.query.is_empty() {
            url.query_pairs_mut().extend_pairs(ctx.query);
        }
        let path = url.path().to_string();
        let mut request = self
            .client
            .request(method.clone(), url)
            .bearer_auth(token.expose())
            .header(ACCEPT, "application/json");
        if let Some(org) = ctx.org {
            request = request.header(ORG_HEADER, org.as_str());
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        let started = Instant::now();
        let response = request.send().await.map_err(|e| self.transport(&e))?;
        let status = response.status();
        let retry_after = response
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        let bytes = self.read_body(response).await?;
        tracing::debug!(%method, %path, status = status.as_u16(), bytes = bytes.len(), elapsed_ms = started.elapsed().as_millis() as u64, "zitadel call");
        if !status.is_success() {
            return Err(Failed {
                error: map_error(status, retry_after, &bytes, ctx),
                retry_after,
            });
        }
        serde_json::from_slice(&bytes).map_err(|e| {
            Error::BadResponse {
                // Position only: serde's message may quote a value from the answer.
                detail: match e.classify() {
                    serde_json::error::Category::Data => {
                        format!(
                            "unexpected JSON shape at line {} column {}",
                            e.line(),
                            e.column()
                        )
                    }
                    _ => format!("HTTP {} with a body that is not JSON", status.as_u16()),
                },
            }
            .into()
        })
    }

    /// Reads the body, refusing answers larger than the configured maximum.
    async fn read_body(&self, response: reqwest::Response) -> Result<Vec<u8>> {
        read_capped(response, self.max_body)
            .await
            .map_err(|e| e.into_error("the answer", |e| self.transport(e)))
    }

    fn transport(&self, e: &reqwest::Error) -> Error {
        transport_error(e, &self.host, self.connect_timeout, self.request_timeout)
    }
}

/// Why a body was not read.
#[derive(Debug)]
pub(crate) enum Unread {
    /// More than the cap, announced or sent.
    TooLarge {
        max: usize,
    },
    Transport(reqwest::Error),
}

impl Unread {
    /// The error for `what` ("the answer", "the token endpoint's answer"); transport failures
    /// go through the caller's mapping.
    pub(crate) fn into_error(
        self,
        what: &str,
        transport: impl FnOnce(&reqwest::Error) -> Error,
    ) -> Error {
        match self {
            Unread::TooLarge { max } => Error::BadResponse {
                detail: format!("{what} is larger than {} KiB", max / 1024),
            },
            Unread::Transport(e) => transport(&e),
        }
    }
}

/// The one reader of every HTTP answer the app reads (the API, discovery, the keys, the sign-in
/// endpoints): at most `max` bytes, refused as soon as the announced length or the bytes
/// received pass it, so a hostile or broken server cannot make the app hold more.
pub(crate) async fn read_capped(
    mut response: reqwest::Response,
    max: usize,
) -> std::result::Result<Vec<u8>, Unread> {
    if response.content_length().is_some_and(|n| n > max as u64) {
        return Err(Unread::TooLarge { max });
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(Unread::Transport)? {
        if body.len() + chunk.len() > max {
            return Err(Unread::TooLarge { max });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Maps a failed exchange (no usable HTTP answer) to an error: TLS, timeout or network. Works
/// on any error chain that holds a reqwest error, such as oauth2's `HttpClientError`.
pub(crate) fn transport_error(
    e: &(dyn StdError + 'static),
    host: &str,
    connect_timeout: Duration,
    request_timeout: Duration,
) -> Error {
    let host = host.to_string();
    if let Some(tls) = find_tls_error(e) {
        return Error::Tls {
            host,
            detail: sanitize(&tls.to_string(), 200),
        };
    }
    let Some(re) = find_reqwest_error(e) else {
        return Error::Network {
            host,
            detail: innermost(e),
        };
    };
    if re.is_timeout() {
        let after = if re.is_connect() {
            connect_timeout
        } else {
            request_timeout
        };
        return Error::Timeout { host, after };
    }
    let detail = if re.is_body() || re.is_decode() {
        "the connection broke while reading the answer".to_string()
    } else if re.is_request() && !re.is_connect() {
        format!(
            "the connection failed before an answer came ({})",
            innermost(re)
        )
    } else {
        innermost(re)
    };
    Error::Network { host, detail }
}

fn find_reqwest_error<'a>(e: &'a (dyn StdError + 'static)) -> Option<&'a reqwest::Error> {
    let mut current: Option<&'a (dyn StdError + 'static)> = Some(e);
    while let Some(err) = current {
        if let Some(re) = err.downcast_ref::<reqwest::Error>() {
            return Some(re);
        }
        if let Some(re) = err.downcast_ref::<Box<reqwest::Error>>() {
            return Some(re);
        }
        current = err.source();
    }
    None
}

/// Finds a rustls error anywhere in the chain. `io::Error::source` skips the error it wraps
/// (and hyper-rustls nests io::Errors), so each io::Error is opened explicitly; oauth2 boxes the
/// reqwest error, and a Box's `source` skips the boxed error itself.
fn find_tls_error<'a>(e: &'a (dyn StdError + 'static)) -> Option<&'a rustls::Error> {
    let mut pending: Vec<&'a (dyn StdError + 'static)> = vec![e];
    while let Some(err) = pending.pop() {
        if let Some(tls) = err.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        if let Some(inner) = err
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
        {
            pending.push(inner);
        }
        if let Some(boxed) = err.downcast_ref::<Box<reqwest::Error>>() {
            pending.push(boxed.as_ref());
        }
        if let Some(next) = err.source() {
            pending.push(next);
        }
    }
    None
}

/// The most specific message in an error chain (e.g. "Connection refused (os error 111)").
fn innermost(e: &(dyn StdError + 'static)) -> String {
    let mut last: &(dyn StdError + 'static) = e;
    while let Some(next) = last.source() {
        last = next;
    }
    sanitize(&last.to_string(), 200)
}

const USER_NOT_FOUND_IDS: [&str; 3] = ["MANAG-fpo4B", "QUERY-Dfbg2", "COMMAND-uXHNj"];

/// The ids of ZITADEL's permission checks (`internal/api/authz/authorization.go`,
/// `permissions.go`): only these 403s mean "you lack a permission" — and `AUTHZ-cdgFk`, the
/// 404 a v2 command's check answers when the admin has no membership in the object's org.
const PERMISSION_IDS: [&str; 5] = [
    "AUTH-5mWD2",
    "AUTH-3jknH",
    "AUTH-AWfge",
    "AUTH-Swrgg2",
    "AUTHZ-cdgFk",
];

/// A 403 (or gRPC code 7) that is not a missing permission: what was refused and what to
/// do. `None`: a permission check's refusal, which the caller reports with the permission it
/// needs. A 403 without a ZITADEL id (a proxy's, a firewall's) is not taken for one.
fn forbidden(id: Option<&str>, body: Option<&ErrorBody>) -> Option<Error> {
    let Some(id) = id else {
        return Some(Error::Forbidden {
            id: "HTTP 403".into(),
            reason: "the server refused without a ZITADEL error id (a proxy or firewall in between?); if it keeps happening, tell your ZITADEL administrator".into(),
        });
    };
    if PERMISSION_IDS.contains(&id) {
        return None;
    }
    let reason = match id {
        // token_verifier.go: the session is not strong enough for the instance's policy.
        "AUTHZ-Kl3p0" => "this ZITADEL requires multi-factor authentication for it: sign in again with your second factor".to_string(),
        // context.go: the request's Origin is not one of the instance's allowed origins.
        "AUTH-DZG21" => "requests from this origin are not allowed by the instance: ask your ZITADEL administrator".to_string(),
        "APP-wai8O" | "APP-Shi0J" => "the token comes from a token exchange and is not meant for the API: sign in again".to_string(),
        "AUTHZ-EGDo3" => {
            return Some(Error::TokenRejected { id: id.to_string() });
        }
        _ => {
            let message = body
                .and_then(|b| b.message.as_deref())
                .map(|m| sanitize(m.trim_end().trim_end_matches(&format!(" ({id})")), 200))
                .unwrap_or_else(|| "no message".into());
            format!("{message}; if you should be allowed, tell your ZITADEL administrator what it says")
        }
    };
    Some(Error::Forbidden {
        id: sanitize(id, 64),
        reason,
    })
}

/// Maps a non-2xx answer. Decisions are made on the HTTP status, the gRPC `code` and the
/// `details[].id`, never on the (translated) message text.
pub(crate) fn map_error(
    status: StatusCode,
    retry_after: Option<Duration>,
    body: &[u8],
    ctx: &Ctx<'_>,
) -> Error {
    let parsed = serde_json::from_slice::<ErrorBody>(body)
        .ok()
        .filter(|b| b.code.is_some() || b.details.is_some());
    let id = parsed.as_ref().and_then(ErrorBody::id).map(str::to_string);
    let id = id.as_deref();
    let code = parsed.as_ref().and_then(|b| b.code);
    let org = || {
        ctx.org
            .map(OrgId::to_string)
            .unwrap_or_else(|| "your own organisation".into())
    };
    let s = status.as_u16();

    if let Some(call) = ctx.probe {
        if s == 501 || code == Some(12) || (s == 404 && id.is_none()) {
            return Error::Unimplemented {
                call: call.to_string(),
            };
        }
    }
    if id == Some("AUTH-Bs7Ds") {
        return Error::OrgNotFound { org: org() };
    }
    if id == Some("AUTH-7fs1e") || s == 401 || code == Some(16) {
        return Error::TokenRejected {
            id: id
                .map(|id| sanitize(id, 64))
                .unwrap_or_else(|| format!("HTTP {s}")),
        };
    }
    let permission_check = id.is_some_and(|id| PERMISSION_IDS.contains(&id));
    if permission_check || s == 403 || code == Some(7) {
        if let Some(refused) = forbidden(id, parsed.as_ref()) {
            return refused;
        }
        let permission = if ctx.permission.is_empty() {
            "the permission this needs"
        } else {
            ctx.permission
        };
        return Error::PermissionDenied {
            org: org(),
            permission: permission.to_string(),
            send_allowed: None,
        };
    }
    if let (Some(passkey), Some(user), Some("COMMAND-DAfb2")) = (ctx.passkey, ctx.user, id) {
        return Error::PasskeyNotFound {
            passkey: sanitize(passkey, 64),
            user: user.to_string(),
        };
    }
    if let Some(user) = ctx.user {
        if id.is_some_and(|id| USER_NOT_FOUND_IDS.contains(&id))
            || (parsed.is_some() && code == Some(5))
        {
            return Error::UserNotFound {
                user: user.to_string(),
                org: org(),
            };
        }
    }
    if id == Some("COMMAND-Dhz8i") {
        return Error::CodeInvalid;
    }
    if s == 429 || code == Some(8) {
        return Error::RateLimited { retry_after };
    }
    if matches!(s, 502..=504) || matches!(code, Some(4) | Some(14)) {
        return Error::Unavailable { status: s };
    }
    // ZITADEL's message ends in " (<id>)"; the error names the id once, on its own.
    let message = parsed.as_ref().and_then(|b| b.message.as_deref()).map(|m| {
        let m = id
            .and_then(|id| m.trim_end().strip_suffix(&format!(" ({id})")))
            .unwrap_or(m);
        sanitize(m, 300)
    });
    if s == 409 || code == Some(6) {
        return Error::Conflict {
            message: message.unwrap_or_else(|| "the object changed or already exists".into()),
        };
    }
    match (parsed.is_some(), message) {
        (true, message) => Error::Server {
            status: s,
            code,
            id: id.map(|i| sanitize(i, 64)),
            message: message.unwrap_or_else(|| "no message".into()),
        },
        (false, _) if s >= 500 => Error::Server {
            status: s,
            code: None,
            id: None,
            message: "the server failed without a ZITADEL error body".into(),
        },
        (false, _) => Error::BadResponse {
            detail: format!("HTTP {s} without a ZITADEL error body"),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx<'a>(org: &'a OrgId, user: Option<&'a UserId>) -> Ctx<'a> {
        Ctx {
            org: Some(org),
            user,
            permission: "user.credential.write",
            probe: None,
            query: &[],
            passkey: None,
        }
    }

    fn body(code: i32, id: &str) -> Vec<u8> {
        format!(r#"{{"code":{code},"message":"m ({id})","details":[{{"@type":"type.googleapis.com/zitadel.v1.ErrorDetail","id":"{id}","message":"m"}}]}}"#).into_bytes()
    }

    #[test]
    fn maps_each_documented_error_id() {
        let org = OrgId::new("1");
        let user = UserId::new("2");
        let cases: [(u16, i32, &str, &str); 7] = [
            (403, 7, "AUTH-5mWD2", "permission_denied"),
            (403, 7, "AUTH-Bs7Ds", "org_not_found"),
            (401, 16, "AUTH-7fs1e", "token_rejected"),
            (404, 5, "MANAG-fpo4B", "user_not_found"),
            (404, 5, "QUERY-Dfbg2", "user_not_found"),
            (400, 9, "COMMAND-uXHNj", "user_not_found"),
            (400, 3, "COMMAND-Dhz8i", "code_invalid"),
        ];
        for (status, code, id, expected) in cases {
            let e = map_error(
                StatusCode::from_u16(status).unwrap(),
                None,
                &body(code, id),
                &ctx(&org, Some(&user)),
            );
            assert_eq!(e.code(), expected, "{id}");
        }
    }

    #[test]
    fn a_server_error_names_its_id_once_and_what_to_do() {
        let org = OrgId::new("1");
        let e = map_error(
            StatusCode::BAD_REQUEST,
            None,
            &body(3, "X-1"),
            &ctx(&org, None),
        );
        let text = e.to_string();
        assert_eq!(text.matches("X-1").count(), 1, "{text}");
        assert!(text.contains("try again"), "{text}");
        let e = map_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            None,
            &body(13, "X-2"),
            &ctx(&org, None),
        );
        assert!(e.to_string().contains("try again in a minute"), "{e}");
    }

    #[test]
    fn maps_statuses_without_known_ids() {
        let org = OrgId::new("1");
        let c = ctx(&org, None);
        let e = map_error(
            StatusCode::TOO_MANY_REQUESTS,
            Some(Duration::from_secs(7)),
            b"",
            &c,
        );
        assert!(matches!(e, Error::RateLimited { retry_after: Some(d) } if d.as_secs() == 7));
        assert_eq!(
            map_error(StatusCode::SERVICE_UNAVAILABLE, None, b"<html>", &c).code(),
            "unavailable"
        );
        assert_eq!(
            map_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                None,
                &body(13, "X-1"),
                &c
            )
            .code(),
            "server"
        );
        assert_eq!(
            map_error(StatusCode::INTERNAL_SERVER_ERROR, None, b"oops", &c).code(),
            "server"
        );
        assert_eq!(
            map_error(StatusCode::CONFLICT, None, &body(6, "X-2"), &c).code(),
            "conflict"
        );
        assert_eq!(
            map_error(StatusCode::NOT_FOUND, None, b"<html>not found</html>", &c).code(),
            "bad_response"
        );
    }

    fn policy() -> RetryPolicy {
        RetryPolicy::default()
    }

    #[test]
    fn reads_wait_for_a_short_retry_after_and_back_off_without_one() {
        let limited = |secs: Option<u64>| Error::RateLimited {
            retry_after: secs.map(Duration::from_secs),
        };
        let p = policy();
        // No Retry-After: 0.5 s, then 1 s.
        assert_eq!(
            retry_wait(&p, &limited(None), None, 0),
            Some(Duration::from_millis(500))
        );
        assert_eq!(
            retry_wait(&p, &limited(None), None, 1),
            Some(Duration::from_secs(1))
        );
        // A Retry-After up to the cap is honoured as it is.
        let three = Some(Duration::from_secs(3));
        assert_eq!(retry_wait(&p, &limited(Some(3)), three, 0), three);
        let five = Some(Duration::from_secs(5));
        assert_eq!(retry_wait(&p, &limited(Some(5)), five, 1), five);
        // A longer one is not waited for: the error goes back at once, with the wait.
        let long = Some(Duration::from_secs(120));
        assert_eq!(retry_wait(&p, &limited(Some(120)), long, 0), None);
        // 503 like 429, with or without Retry-After.
        let unavailable = Error::Unavailable { status: 503 };
        assert_eq!(
            retry_wait(&p, &unavailable, None, 0),
            Some(Duration::from_millis(500))
        );
        assert_eq!(
            retry_wait(&p, &unavailable, Some(Duration::from_secs(2)), 0),
            Some(Duration::from_secs(2))
        );
    }

    #[test]
    fn only_rate_limits_and_503_are_tried_again() {
        let p = policy();
        for error in [
            Error::Unavailable { status: 502 },
            Error::Unavailable { status: 504 },
            Error::Server {
                status: 500,
                code: Some(13),
                id: None,
                message: "m".into(),
            },
            Error::Timeout {
                host: "h".into(),
                after: Duration::from_secs(1),
            },
            Error::Network {
                host: "h".into(),
                detail: "d".into(),
            },
            Error::BadResponse { detail: "d".into() },
            Error::PermissionDenied {
                org: "o".into(),
                permission: "p".into(),
                send_allowed: None,
            },
            Error::Conflict {
                message: "m".into(),
            },
        ] {
            assert_eq!(retry_wait(&p, &error, None, 0), None, "{error}");
        }
    }

    #[test]
    fn retry_after_as_seconds_or_a_date() {
        assert_eq!(parse_retry_after(" 7 "), Some(Duration::from_secs(7)));
        assert_eq!(parse_retry_after("0"), Some(Duration::ZERO));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO),
            "a date in the past means now"
        );
        let soon = (chrono::Utc::now() + chrono::Duration::seconds(30))
            .to_rfc2822()
            .replace("+0000", "GMT");
        let wait = parse_retry_after(&soon).unwrap();
        assert!(wait <= Duration::from_secs(30), "{wait:?}");
        assert_eq!(parse_retry_after("soon"), None);
        assert_eq!(parse_retry_after("-1"), None);
    }

    #[test]
    fn instance_urls() {
        assert_eq!(
            instance_origin("https://auth.example.com/")
                .unwrap()
                .as_str(),
            "https://auth.example.com/"
        );
        assert_eq!(
            instance_origin("http://127.0.0.1:8080").unwrap().as_str(),
            "http://127.0.0.1:8080/"
        );
        for bad in [
            "auth.example.com",
            "http://auth.example.com",
            "ftp://x",
            "https://a@b.example",
            "https://a.example/ui",
            "",
        ] {
            assert_eq!(instance_origin(bad).unwrap_err().code(), "config", "{bad}");
        }
    }
}
