//! The OpenID Provider side of sign-in, on `openidconnect`/`oauth2`: discovery with its endpoint
//! checks, the token exchanges (refresh, revocation, the JWT-profile grant of service users) and
//! the ID token checks. The two interactive logins are in `browser.rs` and `device.rs`.

use std::future::Future;
use std::pin::Pin;

use chrono::{DateTime, Utc};
use openidconnect::core::{
    CoreAuthDisplay, CoreClaimName, CoreClaimType, CoreClient, CoreClientAuthMethod, CoreGrantType,
    CoreIdTokenClaims, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm, CoreResponseMode, CoreResponseType, CoreSubjectIdentifierType,
    CoreTokenResponse,
};
use openidconnect::{
    AccessTokenHash, AdditionalProviderMetadata, AsyncHttpClient, ClientId, DeviceAuthorizationUrl,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, HttpRequest, HttpResponse, IssuerUrl,
    JsonWebKeySet, Nonce, OAuth2TokenResponse, ProviderMetadata, RefreshToken, RequestTokenError,
    RevocationUrl, TokenResponse,
};
use serde::{Deserialize, Serialize};
use url::Url;

use super::service_key::ServiceKey;
use crate::client::{
    build_reqwest, parse_retry_after, read_capped, transport_error, ClientOptions, Unread,
};
use crate::error::{sanitize, Error, Result};
use crate::link::LinkPolicy;
use crate::secret::Secret;

/// The scopes Passkey Desk asks for. Without the audience scope every ZITADEL API call
/// fails with 401 (zitadel-api.md §7).
pub const SCOPES: [&str; 5] = [
    "openid",
    "profile",
    "email",
    "offline_access",
    AUDIENCE_SCOPE,
];
pub const AUDIENCE_SCOPE: &str = "urn:zitadel:iam:org:project:id:zitadel:aud";
const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

#[derive(Clone, Debug, Deserialize, Serialize)]
pub(super) struct ExtraMetadata {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) device_authorization_endpoint: Option<DeviceAuthorizationUrl>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    revocation_endpoint: Option<RevocationUrl>,
}
impl AdditionalProviderMetadata for ExtraMetadata {}

pub(super) type Metadata = ProviderMetadata<
    ExtraMetadata,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

/// A client of the provider: authorization endpoint set, token and userinfo from discovery.
pub(super) type OidcClient = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Who signed in, from the ID token (or from ZITADEL for service users).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub subject: String,
    pub name: Option<String>,
    pub login_name: Option<String>,
    pub email: Option<String>,
}

/// What a successful grant brings.
#[derive(Debug)]
pub struct Tokens {
    pub access_token: Secret<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub refresh_token: Option<Secret<String>>,
    pub identity: Option<Identity>,
}

/// Per-sign-in choices.
#[derive(Clone, Debug, Default)]
pub struct LoginOptions {
    /// The client id of the Native app registered for Passkey Desk.
    pub client_id: String,
    /// Send `prompt=consent` (some providers, e.g. `oidc-provider`, issue refresh tokens only then).
    pub prompt_consent: bool,
    pub login_hint: Option<String>,
}

/// A discovered OpenID Provider (the ZITADEL instance).
#[derive(Clone)]
pub struct Provider {
    issuer: String,
    pub(super) metadata: Metadata,
    /// The origins its endpoints and device pages may have: the instance, the login host.
    pub(super) origins: LinkPolicy,
    http: reqwest::Client,
    host: String,
    options: ClientOptions,
}

impl Provider {
    /// Reads `{instance}/.well-known/openid-configuration` and the signing keys. Every endpoint
    /// it names (authorization, token, userinfo, keys, device, revocation) must pass the
    /// instance's own transport rule (https, or http only to loopback) and have the instance's
    /// origin (or the configured login host's) — checked before any of them is asked, so a
    /// tampered configuration cannot send the admin's codes or tokens elsewhere.
    pub async fn discover(instance: &Url, options: &ClientOptions) -> Result<Provider> {
        let http = build_reqwest(options)?;
        let issuer = instance.as_str().trim_end_matches('/').to_string();
        let host = instance.host_str().unwrap_or_default().to_string();
        let transport = |e: &reqwest::Error| {
            transport_error(e, &host, options.connect_timeout, options.request_timeout)
        };
        let issuer_url =
            IssuerUrl::new(issuer.clone()).map_err(|e| Error::Config(e.to_string()))?;
        let not_zitadel = |what: String| Error::BadResponse {
            detail: format!("{what}: is this a ZITADEL instance?"),
        };
        let config_url = format!("{issuer}/.well-known/openid-configuration");
        let response = http
            .get(&config_url)
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| transport(&e))?;
        if !response.status().is_success() {
            return Err(not_zitadel(format!(
                "{config_url} answered HTTP {}",
                response.status().as_u16()
            )));
        }
        let body = read_capped(response, MAX_DISCOVERY_ANSWER)
            .await
            .map_err(|e| e.into_error("the OpenID configuration", transport))?;
        let metadata: Metadata = serde_json::from_slice(&body)
            .map_err(|_| not_zitadel(format!("{issuer} has no valid OpenID configuration")))?;
        if metadata.issuer() != &issuer_url {
            return Err(Error::BadResponse {
                detail: format!(
                    "the OpenID configuration does not fit the instance URL (its issuer is {})",
                    sanitize(metadata.issuer().as_str(), 200)
                ),
            });
        }
        let origins = LinkPolicy::new(instance, options.login_host.as_ref());
        check_endpoints(&metadata, &origins)?;
        let response = http
            .get(metadata.jwks_uri().url().clone())
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| transport(&e))?;
        if !response.status().is_success() {
            return Err(Error::BadResponse {
                detail: format!(
                    "the instance's signing keys answered HTTP {}",
                    response.status().as_u16()
                ),
            });
        }
        let body = read_capped(response, MAX_DISCOVERY_ANSWER)
            .await
            .map_err(|e| e.into_error("the signing keys", transport))?;
        let keys: JsonWebKeySet<CoreJsonWebKey> =
            serde_json::from_slice(&body).map_err(|_| Error::BadResponse {
                detail: "the instance's signing keys are not a JSON Web Key Set".into(),
            })?;
        let metadata = metadata.set_jwks(keys);
        Ok(Provider {
            issuer,
            metadata,
            origins,
            http,
            host,
            options: options.clone(),
        })
    }

    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    pub fn supports_device_flow(&self) -> bool {
        self.metadata
            .additional_metadata()
            .device_authorization_endpoint
            .is_some()
    }

    pub(super) fn client(&self, client_id: &str) -> OidcClient {
        CoreClient::from_provider_metadata(
            self.metadata.clone(),
            ClientId::new(client_id.to_string()),
            None,
        )
    }

    /// Maps what `openidconnect` could not turn into tokens. `refused` reads the endpoint's
    /// OAuth error answer; a refusal without one (a non-200 with an empty body) is a failed
    /// sign-in that asks for another.
    pub(super) fn token_error<T: openidconnect::ErrorResponse + 'static>(
        &self,
        e: RequestTokenError<Exchange, T>,
        refused: impl FnOnce(&T) -> Error,
    ) -> Error {
        match e {
            RequestTokenError::ServerResponse(answer) => refused(&answer),
            RequestTokenError::Request(Exchange::Answer(error)) => error,
            RequestTokenError::Request(Exchange::Transport(e)) => transport_error(
                &e,
                &self.host,
                self.options.connect_timeout,
                self.options.request_timeout,
            ),
            RequestTokenError::Parse(_, _) => Error::BadResponse {
                detail: "the token endpoint's answer is not a token response".into(),
            },
            RequestTokenError::Other(detail) => Error::SignInFailed {
                detail: format!("{}; sign in again", sanitize(&detail, 200)),
            },
        }
    }

    /// The HTTP client `openidconnect` uses for the token and device endpoints. It reads at
    /// most [`MAX_TOKEN_ANSWER`] and settles the answers that are not the endpoint's own
    /// before the library reads them as a refusal: a rate limit (with its `Retry-After`), a
    /// server failure, and a page that is not JSON (a proxy's or a login page).
    async fn exchange(&self, request: HttpRequest) -> std::result::Result<HttpResponse, Exchange> {
        let request = reqwest::Request::try_from(request).map_err(Exchange::Transport)?;
        let path = request.url().path().to_string();
        let response = self
            .http
            .execute(request)
            .await
            .map_err(Exchange::Transport)?;
        let status = response.status();
        if status == reqwest::StatusCode::TOO_MANY_REQUESTS {
            let retry_after = response
                .headers()
                .get(reqwest::header::RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_retry_after);
            return Err(Exchange::Answer(Error::RateLimited { retry_after }));
        }
        if matches!(status.as_u16(), 502..=504) {
            return Err(Exchange::Answer(Error::Unavailable {
                status: status.as_u16(),
            }));
        }
        if status.is_server_error() {
            return Err(Exchange::Answer(Error::Server {
                status: status.as_u16(),
                code: None,
                id: None,
                message: "the token endpoint failed".into(),
            }));
        }
        let headers = response.headers().clone();
        let body = match read_capped(response, MAX_TOKEN_ANSWER).await {
            Ok(body) => body,
            Err(Unread::Transport(e)) => return Err(Exchange::Transport(e)),
            Err(Unread::TooLarge { max }) => {
                return Err(Exchange::Answer(Error::BadResponse {
                    detail: format!("{path}'s answer is larger than {} KiB", max / 1024),
                }))
            }
        };
        let json = headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim_start().starts_with("application/json"));
        if !json && !body.is_empty() {
            return Err(Exchange::Answer(Error::BadResponse {
                detail: format!("{path} answered HTTP {} without JSON", status.as_u16()),
            }));
        }
        let mut answer = openidconnect::http::Response::builder().status(status.as_u16());
        for (name, value) in &headers {
            answer = answer.header(name.as_str(), value.as_bytes());
        }
        answer.body(body).map_err(|_| {
            Exchange::Answer(Error::BadResponse {
                detail: format!("{path} answered with headers that cannot be read"),
            })
        })
    }

    /// The signed-in user's profile from the userinfo endpoint: ZITADEL puts the profile into
    /// the ID token only when the app has "User Info inside ID Token" on (off by default), so
    /// an ID token may name the user by `sub` alone. `None` when the provider has no userinfo
    /// endpoint or answers with another subject.
    pub async fn userinfo(
        &self,
        access_token: &Secret<String>,
        subject: &str,
    ) -> Result<Option<Identity>> {
        let Some(endpoint) = self.metadata.userinfo_endpoint() else {
            return Ok(None);
        };
        let request = openidconnect::http::Request::builder()
            .method(openidconnect::http::Method::GET)
            .uri(endpoint.url().as_str())
            .header("authorization", format!("Bearer {}", access_token.expose()))
            .header("accept", "application/json")
            .body(Vec::new())
            .map_err(|_| Error::BadResponse {
                detail: "the userinfo endpoint is not a URL".into(),
            })?;
        let answer = match self.exchange(request).await {
            Ok(answer) => answer,
            Err(Exchange::Answer(e)) => return Err(e),
            Err(Exchange::Transport(e)) => {
                return Err(transport_error(
                    &e,
                    &self.host,
                    self.options.connect_timeout,
                    self.options.request_timeout,
                ))
            }
        };
        if !answer.status().is_success() {
            return Ok(None);
        }
        #[derive(Deserialize)]
        struct UserInfo {
            sub: String,
            name: Option<String>,
            preferred_username: Option<String>,
            email: Option<String>,
        }
        let info: UserInfo =
            serde_json::from_slice(answer.body()).map_err(|_| Error::BadResponse {
                detail: "the userinfo answer is not the JSON it should be".into(),
            })?;
        if info.sub != subject {
            tracing::warn!("the userinfo answer names another subject: ignored");
            return Ok(None);
        }
        Ok(Some(Identity {
            subject: info.sub,
            name: info.name,
            login_name: info.preferred_username,
            email: info.email,
        }))
    }

    /// Asks the authorization endpoint whether it knows `client_id` (for "Test connection"):
    /// an unknown client is refused there before any login page.
    pub async fn check_client(&self, client_id: &str) -> Result<()> {
        let mut url = self.metadata.authorization_endpoint().url().clone();
        url.query_pairs_mut()
            .append_pair("client_id", client_id)
            .append_pair("redirect_uri", "http://127.0.0.1/callback")
            .append_pair("response_type", "code")
            .append_pair("scope", "openid")
            .append_pair(
                "code_challenge",
                "passkey-desk-connection-test-passkey-desk-ok",
            )
            .append_pair("code_challenge_method", "S256")
            .append_pair("state", "connection-test");
        let response = self.http.get(url).send().await.map_err(|e| {
            transport_error(
                &e,
                &self.host,
                self.options.connect_timeout,
                self.options.request_timeout,
            )
        })?;
        let status = response.status();
        let refused_by_redirect = response
            .headers()
            .get(reqwest::header::LOCATION)
            .and_then(|l| l.to_str().ok())
            .is_some_and(|l| {
                l.contains("error=invalid_client") || l.contains("error=unauthorized_client")
            });
        if status.is_client_error() || refused_by_redirect {
            return Err(Error::SignInFailed {
                detail: format!(
                    "the instance does not accept the client id '{}' (HTTP {}): copy the client id of the Native app for Passkey Desk from the ZITADEL Console, and check that http://127.0.0.1/callback is its redirect URI",
                    sanitize(client_id, 80),
                    status.as_u16()
                ),
            });
        }
        Ok(())
    }

    /// Exchanges a refresh token (rotation: the answer's new refresh token replaces it).
    /// A rejected refresh token ends the session.
    pub async fn refresh(&self, client_id: &str, refresh_token: &Secret<String>) -> Result<Tokens> {
        let rt = RefreshToken::new(refresh_token.expose().clone());
        let answer = self
            .client(client_id)
            .exchange_refresh_token(&rt)
            .map_err(|e| Error::SignInFailed {
                detail: e.to_string(),
            })?
            .request_async(&TokenHttp(self))
            .await
            .map_err(|e| {
                self.token_error(e, |answer| match answer.error() {
                    openidconnect::core::CoreErrorResponseType::InvalidGrant => Error::SessionEnded,
                    other => Error::SignInFailed {
                        detail: format!(
                            "the token endpoint refused to renew the session ({}); sign in again, and if that is refused too, check the client ID in the settings",
                            sanitize(other.as_ref(), 60)
                        ),
                    },
                })
            })?;
        Ok(tokens_of(&answer, None))
    }

    /// Revokes a refresh token at the revocation endpoint (RFC 7009). Sent by hand because
    /// `oauth2` refuses a non-https revocation URL, and plain http to loopback (a local
    /// instance, the simulator) is allowed here as everywhere else in the app.
    pub async fn revoke(&self, client_id: &str, refresh_token: &Secret<String>) -> Result<()> {
        self.revoke_token(client_id, refresh_token, "refresh_token")
            .await
    }

    /// Revokes an access token (RFC 7009 with `token_type_hint=access_token`).
    pub async fn revoke_access(
        &self,
        client_id: &str,
        access_token: &Secret<String>,
    ) -> Result<()> {
        self.revoke_token(client_id, access_token, "access_token")
            .await
    }

    async fn revoke_token(
        &self,
        client_id: &str,
        token: &Secret<String>,
        hint: &str,
    ) -> Result<()> {
        let endpoint = self
            .metadata
            .additional_metadata()
            .revocation_endpoint
            .clone()
            .ok_or_else(|| Error::SignInFailed {
                detail: "the instance has no revocation endpoint".into(),
            })?;
        let form = [
            ("token", token.expose().as_str()),
            ("token_type_hint", hint),
            ("client_id", client_id),
        ];
        let (status, answer) = self.post_form(endpoint.url(), &form).await?;
        if status.is_success() {
            return Ok(());
        }
        Err(Error::SignInFailed {
            detail: format!(
                "the revocation endpoint answered HTTP {} ({})",
                status.as_u16(),
                sanitize(answer.error.as_deref().unwrap_or("no error code"), 60)
            ),
        })
    }

    /// POSTs a form to an OAuth endpoint of this provider and reads the JSON answer (an empty
    /// body reads as an empty answer).
    async fn post_form(
        &self,
        url: &Url,
        form: &[(&str, &str)],
    ) -> Result<(reqwest::StatusCode, OAuthAnswer)> {
        let transport = |e: &reqwest::Error| {
            transport_error(
                e,
                &self.host,
                self.options.connect_timeout,
                self.options.request_timeout,
            )
        };
        let response = self
            .http
            .post(url.clone())
            .form(form)
            .send()
            .await
            .map_err(|e| transport(&e))?;
        let status = response.status();
        let body = read_capped(response, MAX_TOKEN_ANSWER)
            .await
            .map_err(|e| e.into_error(&format!("{}'s answer", url.path()), transport))?;
        if body.iter().all(u8::is_ascii_whitespace) {
            return Ok((status, OAuthAnswer::default()));
        }
        let answer = serde_json::from_slice(&body).map_err(|_| Error::BadResponse {
            detail: format!(
                "{} answered HTTP {} without JSON",
                url.path(),
                status.as_u16()
            ),
        })?;
        Ok((status, answer))
    }

    /// The JWT-profile grant of a service user's key file.
    pub async fn exchange_key(&self, key: &ServiceKey) -> Result<Tokens> {
        let token_url = self
            .metadata
            .token_endpoint()
            .ok_or_else(|| Error::BadResponse {
                detail: "the OpenID configuration has no token endpoint".into(),
            })?;
        let assertion = key.assertion(&self.issuer)?;
        let scope = format!("openid {AUDIENCE_SCOPE}");
        let form = [
            ("grant_type", JWT_BEARER),
            ("assertion", assertion.expose().as_str()),
            ("scope", &scope),
        ];
        let (status, answer) = self.post_form(token_url.url(), &form).await?;
        match (answer.access_token, answer.error) {
            (Some(access_token), None) if status.is_success() => Ok(Tokens {
                access_token,
                expires_at: answer.expires_in.map(|s| Utc::now() + chrono::Duration::seconds(s as i64)),
                refresh_token: None,
                identity: None,
            }),
            (_, error) => Err(Error::SignInFailed {
                detail: format!(
                    "the key file was refused ({}{}): check that the key is active and belongs to this instance",
                    sanitize(error.as_deref().unwrap_or("no error code"), 60),
                    answer.error_description.map(|d| format!(": {}", sanitize(&d, 160))).unwrap_or_default()
                ),
            }),
        }
    }
}

/// The largest token or device answer read (a token answer with an ID token is a few KiB).
const MAX_TOKEN_ANSWER: usize = 256 * 1024;

/// The largest OpenID configuration or key set read (ZITADEL's are about 3 KiB).
const MAX_DISCOVERY_ANSWER: usize = 512 * 1024;

/// Every endpoint of the configuration under the instance's transport and origin rule
/// ([`LinkPolicy`]): the error names the endpoint and its origin, never a full URL.
fn check_endpoints(metadata: &Metadata, policy: &LinkPolicy) -> Result<()> {
    let extra = metadata.additional_metadata();
    let endpoints: [(&str, Option<&Url>); 6] = [
        (
            "authorization_endpoint",
            Some(metadata.authorization_endpoint().url()),
        ),
        ("token_endpoint", metadata.token_endpoint().map(|u| u.url())),
        (
            "userinfo_endpoint",
            metadata.userinfo_endpoint().map(|u| u.url()),
        ),
        ("jwks_uri", Some(metadata.jwks_uri().url())),
        (
            "device_authorization_endpoint",
            extra
                .device_authorization_endpoint
                .as_ref()
                .map(|u| u.url()),
        ),
        (
            "revocation_endpoint",
            extra.revocation_endpoint.as_ref().map(|u| u.url()),
        ),
    ];
    for (name, url) in endpoints {
        let Some(url) = url else { continue };
        policy
            .check(url.as_str())
            .map_err(|e| foreign_endpoint(name, e))?;
    }
    Ok(())
}

/// A refused endpoint or device page: what it was and where it pointed.
pub(super) fn foreign_endpoint(name: &str, refused: Error) -> Error {
    match refused {
        Error::ForeignLink { origin, expected } => Error::BadResponse {
            detail: format!(
                "the instance's OpenID configuration puts its {name} on {origin}, not on {expected}; nothing was sent there — check the instance URL (or set login_host if that is your login host)"
            ),
        },
        other => other,
    }
}

/// [`Provider::exchange`] as the HTTP client of `openidconnect`.
pub(super) struct TokenHttp<'p>(pub(super) &'p Provider);

impl<'c> AsyncHttpClient<'c> for TokenHttp<'_> {
    type Error = Exchange;
    type Future =
        Pin<Box<dyn Future<Output = std::result::Result<HttpResponse, Exchange>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(self.0.exchange(request))
    }
}

/// Why a token-endpoint exchange gave `openidconnect` no answer to read.
#[derive(Debug, thiserror::Error)]
pub(super) enum Exchange {
    /// No usable HTTP answer: TLS, timeout, a broken connection.
    #[error("{0}")]
    Transport(#[source] reqwest::Error),
    /// An answer that is not the endpoint's own, already mapped.
    #[error("{0}")]
    Answer(Error),
}

/// The fields of an OAuth token or error answer that the hand-written calls read.
#[derive(Default, Deserialize)]
struct OAuthAnswer {
    access_token: Option<Secret<String>>,
    expires_in: Option<u64>,
    error: Option<String>,
    error_description: Option<String>,
}

pub(super) fn sign_in_refused(error: &str) -> Error {
    match error {
        "access_denied" => Error::SignInDenied {
            reason: "access_denied".into(),
        },
        "expired_token" => Error::SignInExpired {
            detail: "the code expired before it was approved".into(),
        },
        other => Error::SignInFailed {
            detail: format!("the identity provider answered '{}'", sanitize(other, 60)),
        },
    }
}

fn identity_of(claims: &CoreIdTokenClaims) -> Identity {
    Identity {
        subject: claims.subject().to_string(),
        name: claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.to_string()),
        login_name: claims.preferred_username().map(|n| n.to_string()),
        email: claims.email().map(|e| e.to_string()),
    }
}

pub(super) fn tokens_of(answer: &CoreTokenResponse, identity: Option<Identity>) -> Tokens {
    Tokens {
        access_token: Secret::new(answer.access_token().secret().clone()),
        expires_at: answer
            .expires_in()
            .and_then(|d| chrono::Duration::from_std(d).ok())
            .map(|d| Utc::now() + d),
        refresh_token: answer
            .refresh_token()
            .map(|t| Secret::new(t.secret().clone())),
        identity,
    }
}

/// Checks the ID token of a fresh grant: signature (keys from discovery), issuer, audience,
/// expiry, nonce, and the access-token hash. ZITADEL adds its project ids to `aud` next to the
/// client id; those extra audiences are accepted deliberately.
pub(super) fn verify_id_token(
    client: &OidcClient,
    answer: &CoreTokenResponse,
    nonce: Option<&Nonce>,
) -> Result<Identity> {
    let id_token = answer.id_token().ok_or_else(|| Error::SignInFailed {
        detail: "the answer has no ID token (is the 'openid' scope allowed for this app?)".into(),
    })?;
    let verifier = client
        .id_token_verifier()
        .set_other_audience_verifier_fn(|_| true);
    let invalid = |e: &dyn std::fmt::Display| Error::SignInFailed {
        detail: format!(
            "the ID token is not valid ({})",
            sanitize(&e.to_string(), 160)
        ),
    };
    let claims = match nonce {
        Some(nonce) => id_token.claims(&verifier, nonce),
        None => id_token.claims(&verifier, |_: Option<&Nonce>| Ok(())),
    }
    .map_err(|e| invalid(&e))?;
    if let Some(expected) = claims.access_token_hash() {
        let alg = id_token.signing_alg().map_err(|e| invalid(&e))?;
        let key = id_token.signing_key(&verifier).map_err(|e| invalid(&e))?;
        let actual = AccessTokenHash::from_token(answer.access_token(), alg, key)
            .map_err(|e| invalid(&e))?;
        if actual != *expected {
            return Err(Error::SignInFailed {
                detail: "the access token does not belong to the ID token".into(),
            });
        }
    }
    Ok(identity_of(claims))
}
