//! Injected faults: a middleware in front of every ZITADEL path that answers with errors,
//! delays, broken bodies or no answer at all, so clients can be tested against a misbehaving
//! server. Faults never apply to the control API under `/__sim/`.

use std::convert::Infallible;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::stream::{self, StreamExt};
use serde::{Deserialize, Serialize};

use crate::errors::{code_of_status, error_response, OAuthError, SimError};
use crate::AppState;

/// A fault to apply to matching requests, in the order injected.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Fault {
    /// HTTP method, e.g. `"POST"`; `None` matches any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    /// Glob over path segments: `*` matches one segment, `**` any number of them.
    pub path: String,
    /// How many matching requests it hits; `None` until cleared.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u32>,
    #[serde(flatten)]
    pub kind: FaultKind,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(
    tag = "kind",
    rename_all = "camelCase",
    rename_all_fields = "camelCase"
)]
pub enum FaultKind {
    /// A ZITADEL error body whose code fits the status, id `SIM-FAULT`; on OAuth / OIDC
    /// paths an RFC 6749 body instead (`invalid_request`, `invalid_client` for 401,
    /// `temporarily_unavailable` for 429 and 503, else `server_error`).
    Status { status: u16 },
    /// A ZITADEL error body exactly as given.
    ZitadelError {
        status: u16,
        code: i32,
        id: String,
        message: String,
    },
    /// 429, code 8, with `Retry-After` when set.
    RateLimit { retry_after_secs: Option<u64> },
    /// Waits, then answers normally.
    Delay { ms: u64 },
    /// A raw answer: non-JSON, malformed JSON, wrong types.
    Body {
        status: u16,
        content_type: String,
        body: String,
    },
    /// 200 announcing more bytes than it sends; then the connection ends.
    Truncate,
    /// The connection closes without any answer.
    Drop,
    /// `_link` and `_send_link` build their link on this origin.
    ForeignLink { origin: String },
    /// A 200 `application/json` answer of this many bytes.
    Huge { bytes: u64 },
}

impl Fault {
    pub fn matches(&self, method: &str, path: &str) -> bool {
        self.times != Some(0)
            && self
                .method
                .as_deref()
                .is_none_or(|m| m.eq_ignore_ascii_case(method))
            && glob(&segments(&self.path), &segments(path))
    }
}

fn segments(path: &str) -> Vec<&str> {
    path.trim_start_matches('/').split('/').collect()
}

fn glob(pattern: &[&str], path: &[&str]) -> bool {
    match pattern.split_first() {
        None => path.is_empty(),
        Some((&"**", rest)) => (0..=path.len()).any(|skip| glob(rest, &path[skip..])),
        Some((segment, rest)) => match path.split_first() {
            Some((first, path_rest)) => {
                (*segment == "*" || segment == first) && glob(rest, path_rest)
            }
            None => false,
        },
    }
}

/// Marks a response the client never fully receives; the request log records status 0.
#[derive(Clone, Copy)]
pub struct Unanswered;

/// Tells `_link` / `_send_link` to use another origin (a [`FaultKind::ForeignLink`]).
#[derive(Clone)]
pub struct LinkOrigin(pub String);

pub fn is_control_path(path: &str) -> bool {
    path == "/__sim" || path.starts_with("/__sim/")
}

/// The sign-in side: OAuth and OIDC endpoints, discovery and the device page.
pub fn is_oauth_path(path: &str) -> bool {
    ["/oauth/", "/oidc/", "/.well-known/"]
        .iter()
        .any(|prefix| path.starts_with(prefix))
        || path == "/device"
}

/// The middleware: finds the first matching fault and applies it.
pub async fn apply(State(state): State<AppState>, mut request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    if is_control_path(&path) {
        return next.run(request).await;
    }
    let fault = state.world().take_fault(request.method().as_str(), &path);
    let Some(kind) = fault else {
        return next.run(request).await;
    };
    tracing::info!(%path, ?kind, "applying fault");
    match kind {
        FaultKind::Status { status } if is_oauth_path(&path) => {
            let status = status_or_500(status);
            OAuthError::for_status(status).response_with_status(status)
        }
        FaultKind::Status { status } => {
            let status = status_or_500(status);
            if status == StatusCode::UNAUTHORIZED {
                return SimError::token_invalid().into_response();
            }
            let code = code_of_status(status.as_u16());
            error_response(status, code, "SIM-FAULT", "Injected fault")
        }
        FaultKind::ZitadelError {
            status,
            code,
            id,
            message,
        } => error_response(status_or_500(status), code, &id, &message),
        FaultKind::RateLimit { retry_after_secs } => {
            let mut response = error_response(
                StatusCode::TOO_MANY_REQUESTS,
                8,
                "SIM-FAULT",
                "Too many requests",
            );
            if let Some(secs) = retry_after_secs {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(secs));
            }
            response
        }
        FaultKind::Delay { ms } => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            next.run(request).await
        }
        FaultKind::Body {
            status,
            content_type,
            body,
        } => {
            let mut response = (status_or_500(status), body).into_response();
            if let Ok(value) = HeaderValue::from_str(&content_type) {
                response.headers_mut().insert(header::CONTENT_TYPE, value);
            }
            response
        }
        FaultKind::Truncate => truncated(),
        FaultKind::Drop => dropped(),
        FaultKind::ForeignLink { origin } => {
            request.extensions_mut().insert(LinkOrigin(origin));
            next.run(request).await
        }
        FaultKind::Huge { bytes } => huge(bytes),
    }
}

fn status_or_500(status: u16) -> StatusCode {
    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

fn broken_body_error() -> std::io::Error {
    std::io::Error::other("fault: connection ends here")
}

/// The body fails before its first byte, so hyper closes the connection without writing
/// the (still buffered) response head: the client sees no answer at all.
fn dropped() -> Response {
    let body = stream::once(async { Err::<Bytes, _>(broken_body_error()) });
    let mut response = Response::new(Body::from_stream(body));
    response.extensions_mut().insert(Unanswered);
    response
}

/// Head and a first chunk go out, then the body fails: fewer bytes than `Content-Length`.
fn truncated() -> Response {
    const SENT: &[u8] = br#"{"details":{"totalResult":"2"},"result":[{"id":"#;
    let first = stream::once(async { Ok::<_, std::io::Error>(Bytes::from_static(SENT)) });
    // The pause makes hyper flush what it has before the error tears the connection down.
    let failure = stream::once(async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        Err(broken_body_error())
    });
    let mut response = Response::new(Body::from_stream(first.chain(failure)));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(SENT.len() * 4));
    response.extensions_mut().insert(Unanswered);
    response
}

/// A valid-looking JSON list that goes on for `bytes` bytes, streamed in 64 KiB chunks.
fn huge(bytes: u64) -> Response {
    const CHUNK: u64 = 64 * 1024;
    let body = stream::unfold(0u64, move |sent| async move {
        (sent < bytes).then(|| {
            let len = CHUNK.min(bytes - sent);
            let chunk: Vec<u8> = (sent..sent + len).map(huge_byte).collect();
            (Ok::<_, Infallible>(Bytes::from(chunk)), sent + len)
        })
    });
    let mut response = Response::new(Body::from_stream(body));
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(bytes));
    response
}

/// Byte `i` of the endless answer `{"result":[{…},{…},…`.
fn huge_byte(i: u64) -> u8 {
    const PREFIX: &[u8] = br#"{"result":["#;
    const ITEM: &[u8] =
        br#"{"id":"350000000000000001","state":"AUTH_FACTOR_STATE_READY","name":"Key"},"#;
    let prefix = PREFIX.len() as u64;
    if i < prefix {
        PREFIX[i as usize]
    } else {
        ITEM[((i - prefix) % ITEM.len() as u64) as usize]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fault(method: Option<&str>, path: &str) -> Fault {
        Fault {
            method: method.map(str::to_owned),
            path: path.to_owned(),
            times: None,
            kind: FaultKind::Drop,
        }
    }

    #[test]
    fn globs_match_segments() {
        let link = fault(Some("post"), "/management/v1/users/*/passwordless/_link");
        assert!(link.matches("POST", "/management/v1/users/123/passwordless/_link"));
        assert!(!link.matches("GET", "/management/v1/users/123/passwordless/_link"));
        assert!(!link.matches("POST", "/management/v1/users/passwordless/_link"));
        assert!(!link.matches("POST", "/management/v1/users/1/2/passwordless/_link"));

        let all = fault(None, "/**");
        assert!(all.matches("GET", "/"));
        assert!(all.matches("DELETE", "/a/b/c"));

        let middle = fault(None, "/management/**/_search");
        assert!(middle.matches("POST", "/management/v1/users/_search"));
        assert!(!middle.matches("POST", "/management/v1/users/_link"));
    }

    #[test]
    fn exhausted_faults_do_not_match() {
        let mut spent = fault(None, "/**");
        spent.times = Some(0);
        assert!(!spent.matches("GET", "/auth/v1/users/me"));
    }

    #[test]
    fn fault_json_is_flat_and_camel_case() {
        let fault: Fault = serde_json::from_str(
            r#"{"method":"GET","path":"/**","times":2,"kind":"rateLimit","retryAfterSecs":3}"#,
        )
        .unwrap();
        assert_eq!(
            fault.kind,
            FaultKind::RateLimit {
                retry_after_secs: Some(3)
            }
        );
        let json = serde_json::to_value(Fault {
            method: None,
            path: "/**".into(),
            times: None,
            kind: FaultKind::ForeignLink {
                origin: "https://evil.example".into(),
            },
        })
        .unwrap();
        assert_eq!(
            json,
            serde_json::json!({"path":"/**","kind":"foreignLink","origin":"https://evil.example"})
        );
    }

    #[test]
    fn huge_body_starts_like_json() {
        let start: Vec<u8> = (0..24).map(huge_byte).collect();
        assert_eq!(start, br#"{"result":[{"id":"350000"#);
    }
}
