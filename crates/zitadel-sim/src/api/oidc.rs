//! The OIDC / OAuth endpoints (zitadel-api.md §7, docs/SIM-OIDC-SPEC.md). Handlers parse
//! parameters — never with axum's plain-text rejections — and render what
//! [`crate::world::World`] decides: RFC 6749 JSON errors on the OAuth endpoints, HTML pages
//! on the browser ones.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{FromRequest, RawQuery, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Serialize;

use super::oidc_pages as pages;
use super::Credentials;
use crate::errors::{no_store, OAuthError};
use crate::world::{AuthorizeOutcome, EndSession, Issued, Params};
use crate::AppState;

/// Parses `a=1&b=2` (query string or form body); a parameter given twice is an error
/// (RFC 6749 §3.1), named in the `Err`.
pub fn parse_params(bytes: &[u8]) -> Result<Params, String> {
    let mut params = HashMap::new();
    for (name, value) in url::form_urlencoded::parse(bytes) {
        if params
            .insert(name.clone().into_owned(), value.into_owned())
            .is_some()
        {
            return Err(format!("The parameter {name} is given more than once"));
        }
    }
    Ok(params)
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|v| {
            v.trim()
                .eq_ignore_ascii_case("application/x-www-form-urlencoded")
        })
}

/// The client id of `Authorization: Basic base64(urlencode(id):urlencode(secret))`
/// (RFC 6749 §2.3.1), for clients that send it there instead of in the body.
fn basic_client_id(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, credentials) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = STANDARD.decode(credentials.trim()).ok()?;
    let decoded = String::from_utf8(decoded).ok()?;
    let (id, _secret) = decoded.split_once(':')?;
    let id: String = url::form_urlencoded::parse(format!("id={id}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())?;
    (!id.is_empty()).then_some(id)
}

/// Reads a form body: `application/x-www-form-urlencoded` (or nothing at all).
async fn form_body(request: Request) -> Result<(HeaderMap, Params), String> {
    let headers = request.headers().clone();
    let bytes = Bytes::from_request(request, &())
        .await
        .map_err(|_| "The request body cannot be read".to_owned())?;
    if !bytes.is_empty() && !is_form(&headers) {
        return Err("The body must be application/x-www-form-urlencoded".to_owned());
    }
    Ok((headers, parse_params(&bytes)?))
}

/// The form parameters of an OAuth request; a bad body is an `invalid_request`. A client id
/// from HTTP Basic counts as `client_id`.
pub struct OAuthForm(pub Params);

impl<S: Send + Sync> FromRequest<S> for OAuthForm {
    type Rejection = OAuthError;

    async fn from_request(request: Request, _: &S) -> Result<Self, OAuthError> {
        let (headers, mut params) = form_body(request)
            .await
            .map_err(OAuthError::invalid_request)?;
        if let Some(id) = basic_client_id(&headers) {
            match params.get("client_id") {
                Some(given) if !given.is_empty() && *given != id => {
                    return Err(OAuthError::invalid_request(
                        "client_id differs from the one in the Authorization header",
                    ))
                }
                _ => {
                    params.insert("client_id".into(), id);
                }
            }
        }
        Ok(OAuthForm(params))
    }
}

/// The form parameters of a browser page's POST; a bad body is an HTML error page.
pub struct PageForm(pub Params);

impl<S: Send + Sync> FromRequest<S> for PageForm {
    type Rejection = Response;

    async fn from_request(request: Request, _: &S) -> Result<Self, Response> {
        form_body(request)
            .await
            .map(|(_, params)| PageForm(params))
            .map_err(|message| pages::error_page(StatusCode::BAD_REQUEST, &message))
    }
}

/// The query string's parameters; a duplicate is answered with an error page.
fn query_params(query: Option<String>) -> Result<Params, String> {
    parse_params(query.unwrap_or_default().as_bytes())
}

fn bad_query(message: String) -> Response {
    pages::error_page(StatusCode::BAD_REQUEST, &message)
}

/// A 302 to `location` (never cached: it may carry a code).
fn found(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => {
            let mut response = StatusCode::FOUND.into_response();
            response.headers_mut().insert(header::LOCATION, value);
            no_store(response)
        }
        Err(_) => pages::error_page(
            StatusCode::BAD_REQUEST,
            "The redirect address cannot be used",
        ),
    }
}

/// Any other method on an OAuth endpoint: an RFC 6749 error, not an empty 405.
pub async fn oauth_method_not_allowed() -> Response {
    OAuthError::invalid_request("Method not allowed on this endpoint")
        .response_with_status(StatusCode::METHOD_NOT_ALLOWED)
}

// ---------------------------------------------------------------------------------------------
// Discovery and keys

pub async fn discovery(State(state): State<AppState>) -> Response {
    Json(state.world().oidc.discovery()).into_response()
}

pub async fn keys(State(state): State<AppState>) -> Response {
    Json(state.world().oidc.jwks()).into_response()
}

// ---------------------------------------------------------------------------------------------
// Authorization code flow

fn authorize_answer(outcome: AuthorizeOutcome) -> Response {
    match outcome {
        AuthorizeOutcome::Redirect(location) => found(&location),
        AuthorizeOutcome::Login(page) => pages::login_page(&page),
        AuthorizeOutcome::ErrorPage(message) => {
            pages::error_page(StatusCode::BAD_REQUEST, &message)
        }
    }
}

/// `GET /oauth/v2/authorize`.
pub async fn authorize(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    match query_params(query) {
        Ok(params) => authorize_answer(state.world().authorize(&params)),
        Err(message) => bad_query(message),
    }
}

/// `POST /oauth/v2/authorize` (OIDC Core §3.1.2.1: the same parameters as a form).
pub async fn authorize_post(State(state): State<AppState>, PageForm(params): PageForm) -> Response {
    authorize_answer(state.world().authorize(&params))
}

/// `POST /oauth/v2/authorize/login`: the login page's "Sign in" and "Cancel".
pub async fn login(State(state): State<AppState>, PageForm(params): PageForm) -> Response {
    let get = |name: &str| {
        params
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    };
    let cancel = get("action") == Some("cancel");
    let outcome =
        state
            .world()
            .finish_login(get("requestId").unwrap_or(""), get("userName"), cancel);
    authorize_answer(outcome)
}

// ---------------------------------------------------------------------------------------------
// Token, device, revocation, introspection

#[derive(Serialize)]
struct TokenBody {
    access_token: String,
    token_type: &'static str,
    expires_in: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id_token: Option<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    scope: String,
}

impl From<Issued> for TokenBody {
    fn from(issued: Issued) -> Self {
        TokenBody {
            access_token: issued.access_token,
            token_type: "Bearer",
            expires_in: issued.expires_in,
            refresh_token: issued.refresh_token,
            id_token: issued.id_token,
            scope: issued.scope,
        }
    }
}

/// `POST /oauth/v2/token`.
pub async fn token(
    State(state): State<AppState>,
    OAuthForm(params): OAuthForm,
) -> Result<Response, OAuthError> {
    let issued = state.world().token(&params)?;
    Ok(no_store(Json(TokenBody::from(issued)).into_response()))
}

#[derive(Serialize)]
struct DeviceBody {
    device_code: String,
    user_code: String,
    verification_uri: String,
    verification_uri_complete: String,
    expires_in: u64,
    interval: u64,
}

/// `POST /oauth/v2/device_authorization`.
pub async fn device_authorization(
    State(state): State<AppState>,
    OAuthForm(params): OAuthForm,
) -> Result<Response, OAuthError> {
    let mut world = state.world();
    let start = world.start_device(&params)?;
    let verification_uri = format!("{}/device", world.oidc.issuer);
    let body = DeviceBody {
        verification_uri_complete: format!("{verification_uri}?user_code={}", start.user_code),
        verification_uri,
        device_code: start.device_code,
        user_code: start.user_code,
        expires_in: start.expires_in,
        interval: start.interval,
    };
    Ok(no_store(Json(body).into_response()))
}

/// `POST /oauth/v2/revoke`: 200 with an empty body, even for unknown tokens (RFC 7009).
pub async fn revoke(
    State(state): State<AppState>,
    OAuthForm(params): OAuthForm,
) -> Result<Response, OAuthError> {
    state.world().revoke(&params)?;
    Ok(no_store(StatusCode::OK.into_response()))
}

/// `POST /oauth/v2/introspect`.
pub async fn introspect(
    State(state): State<AppState>,
    OAuthForm(params): OAuthForm,
) -> Result<Response, OAuthError> {
    let answer = state.world().introspect(&params);
    Ok(no_store(Json(answer).into_response()))
}

// ---------------------------------------------------------------------------------------------
// Userinfo and end session

/// `GET`/`POST /oidc/v1/userinfo` with a Bearer access token.
pub async fn userinfo(State(state): State<AppState>, credentials: Credentials) -> Response {
    match state.world().userinfo(credentials.token()) {
        Ok(claims) => no_store(Json(claims).into_response()),
        Err(error) => {
            let challenge = format!(
                "Bearer error=\"{}\", error_description=\"{}\"",
                error.error, error.description
            );
            let mut response = error.response_with_status(StatusCode::UNAUTHORIZED);
            if let Ok(value) = HeaderValue::from_str(&challenge) {
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, value);
            }
            response
        }
    }
}

fn end_session_answer(outcome: EndSession) -> Response {
    match outcome {
        EndSession::Redirect(location) => found(&location),
        EndSession::Page { ok: true, message } => pages::signed_out_page(&message),
        EndSession::Page { ok: false, message } => {
            pages::error_page(StatusCode::BAD_REQUEST, &message)
        }
    }
}

/// `GET /oidc/v1/end_session`.
pub async fn end_session(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    match query_params(query) {
        Ok(params) => end_session_answer(state.world().end_session(&params)),
        Err(message) => bad_query(message),
    }
}

/// `POST /oidc/v1/end_session` (the same parameters as a form).
pub async fn end_session_post(
    State(state): State<AppState>,
    PageForm(params): PageForm,
) -> Response {
    end_session_answer(state.world().end_session(&params))
}

// ---------------------------------------------------------------------------------------------
// The device page

/// `GET /device[?user_code=]`: the approval page.
pub async fn device_page(State(state): State<AppState>, RawQuery(query): RawQuery) -> Response {
    let params = match query_params(query) {
        Ok(params) => params,
        Err(message) => return bad_query(message),
    };
    let user_code = params.get("user_code").map_or("", String::as_str);
    let world = state.world();
    let info = world.device_info(user_code);
    pages::device_page(user_code, info.as_ref(), &world.login_choices(), None)
}

/// `POST /device`: Approve (as `userName`) or Deny; the page says what happened.
pub async fn device_decide(State(state): State<AppState>, PageForm(params): PageForm) -> Response {
    let get = |name: &str| params.get(name).map_or("", String::as_str);
    let user_code = get("user_code");
    let mut world = state.world();
    let result = match get("action") {
        "deny" => world
            .deny_device(user_code)
            .map(|()| "Denied: the device will not be signed in.".to_owned()),
        "approve" if get("userName").is_empty() => {
            let info = world.device_info(user_code);
            return pages::device_page(
                user_code,
                info.as_ref(),
                &world.login_choices(),
                Some("Choose a user to approve the device as."),
            );
        }
        "approve" => world
            .approve_device(user_code, get("userName"))
            .map(|login| {
                format!("Approved: the device is signed in as {login}. You can return to it.")
            }),
        _ => {
            return pages::error_page(
                StatusCode::BAD_REQUEST,
                "Choose Approve or Deny on the device page.",
            )
        }
    };
    match result {
        Ok(message) => pages::device_result_page(StatusCode::OK, &message),
        Err(error) => pages::device_result_page(
            StatusCode::BAD_REQUEST,
            &format!("Nothing was approved: {} ({}).", error.message, error.id),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_reject_duplicates_and_decode() {
        let params = parse_params(b"a=1&b=x+y%26").unwrap();
        assert_eq!(params["b"], "x y&");
        assert!(parse_params(b"a=1&a=2").unwrap_err().contains("a"));
        assert!(parse_params(b"").unwrap().is_empty());
    }

    #[test]
    fn basic_auth_names_the_client() {
        let mut headers = HeaderMap::new();
        let encoded = STANDARD.encode("290000000000000100%40passkey-desk:");
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(&format!("Basic {encoded}")).unwrap(),
        );
        assert_eq!(
            basic_client_id(&headers).as_deref(),
            Some("290000000000000100@passkey-desk")
        );
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Basic !!"));
        assert_eq!(basic_client_id(&headers), None);
    }
}
