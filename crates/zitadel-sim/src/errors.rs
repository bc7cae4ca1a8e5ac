//! ZITADEL error bodies (zitadel-api.md §8) and the mapping from gRPC code to HTTP status,
//! plus the RFC 6749 error bodies the OAuth endpoints answer instead.

use std::fmt;

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// A ZITADEL error: the gRPC `code`, the stable `id` clients switch on, and the (English)
/// message. The HTTP status follows from the code, as in ZITADEL's REST gateway.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimError {
    pub code: i32,
    pub id: String,
    pub message: String,
}

impl SimError {
    pub fn new(code: i32, id: &str, message: &str) -> Self {
        SimError {
            code,
            id: id.to_owned(),
            message: message.to_owned(),
        }
    }

    /// HTTP status of this error's gRPC code.
    pub fn status(&self) -> StatusCode {
        status_of_code(self.code)
    }

    /// Missing, unknown, revoked or expired token, or one without the ZITADEL audience.
    pub fn token_invalid() -> Self {
        SimError::new(16, "AUTH-7fs1e", "Errors.Token.Invalid")
    }

    pub fn org_not_found() -> Self {
        SimError::new(7, "AUTH-Bs7Ds", "Organisation doesn't exist")
    }

    pub fn permission_denied() -> Self {
        SimError::new(7, "AUTH-5mWD2", "No matching permissions found")
    }

    /// A permission check inside a v2 command (`authz.CheckPermission`): the caller has
    /// memberships there, but none gives the permission.
    pub fn command_permission_denied() -> Self {
        SimError::new(7, "AUTH-AWfge", "No matching permissions found")
    }

    /// The same check when the caller has no membership at all in that org (nor in the
    /// instance): ZITADEL answers "not found" (`AUTHZ-cdgFk`), not 403.
    pub fn membership_not_found() -> Self {
        SimError::new(5, "AUTHZ-cdgFk", "membership not found")
    }

    /// "User not found" as ZITADEL reports it from different layers, each with its own id
    /// and status: `MANAG-fpo4B` / `QUERY-Dfbg2` (404) or `COMMAND-uXHNj` (400, code 9).
    pub fn user_not_found(id: &str) -> Self {
        let code = if id.starts_with("COMMAND-") { 9 } else { 5 };
        SimError::new(code, id, "User could not be found")
    }

    /// The sim's own login page refuses a machine user (an id of the sim's, not ZITADEL's:
    /// ZITADEL's API never refuses a passkey code for a machine user).
    pub fn user_not_human() -> Self {
        SimError::new(9, "SIM-NOTHUMAN", "User is not human")
    }

    /// Wrong, expired, used or cancelled registration code (`ThrowInvalidArgument`).
    pub fn code_invalid() -> Self {
        SimError::new(3, "COMMAND-Dhz8i", "Code is invalid")
    }

    pub fn passkey_not_found() -> Self {
        SimError::new(5, "COMMAND-DAfb2", "Passkey could not be found")
    }

    /// A request body that is not the JSON the endpoint expects.
    pub fn bad_json() -> Self {
        SimError::new(
            3,
            "SIM-BADJSON",
            "Request body is not valid JSON for this call",
        )
    }

    pub fn invalid_argument(id: &str, message: &str) -> Self {
        SimError::new(3, id, message)
    }

    /// The auth interceptor's answer to a request without an `Authorization` header: no id.
    pub fn auth_header_missing() -> Self {
        SimError::new(16, "", "auth header missing")
    }

    /// An `Authorization` header that is not `Bearer <token>`.
    pub fn auth_header_invalid() -> Self {
        SimError::new(16, "AUTH-toLo1", "invalid auth header")
    }
}

impl fmt::Display for SimError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({}), code {}", self.message, self.id, self.code)
    }
}

impl std::error::Error for SimError {}

impl IntoResponse for SimError {
    fn into_response(self) -> Response {
        let status = self.status();
        error_response(status, self.code, &self.id, &self.message)
    }
}

/// gRPC code → HTTP status as ZITADEL's gateway maps it (grpc-gateway v2
/// `HTTPStatusFromCode`; note 9 → 400, not 412, and 1 → 499).
pub fn status_of_code(code: i32) -> StatusCode {
    match code {
        1 => StatusCode::from_u16(499).expect("499 is a status"),
        3 | 9 | 11 => StatusCode::BAD_REQUEST,
        4 => StatusCode::GATEWAY_TIMEOUT,
        5 => StatusCode::NOT_FOUND,
        6 | 10 => StatusCode::CONFLICT,
        7 => StatusCode::FORBIDDEN,
        8 => StatusCode::TOO_MANY_REQUESTS,
        12 => StatusCode::NOT_IMPLEMENTED,
        14 => StatusCode::SERVICE_UNAVAILABLE,
        16 => StatusCode::UNAUTHORIZED,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

/// The gRPC code that fits an HTTP status, for faults that only name a status.
pub fn code_of_status(status: u16) -> i32 {
    match status {
        400 => 3,
        401 => 16,
        403 => 7,
        404 => 5,
        409 => 6,
        429 => 8,
        501 => 12,
        503 => 14,
        504 => 4,
        _ => 13,
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    code: i32,
    message: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    details: Vec<ErrorDetail<'a>>,
}

#[derive(Serialize)]
struct ErrorDetail<'a> {
    #[serde(rename = "@type")]
    type_url: &'static str,
    id: &'a str,
    message: &'a str,
}

/// A ZITADEL error body with an explicit status, which faults may set to anything.
pub fn error_response(status: StatusCode, code: i32, id: &str, message: &str) -> Response {
    (status, axum::Json(error_body(code, id, message))).into_response()
}

fn error_body<'a>(code: i32, id: &'a str, message: &'a str) -> ErrorBody<'a> {
    // An error without an id (the gateway's own, the auth header's) has no details; ZITADEL's
    // marshaler leaves the empty list out.
    if id.is_empty() {
        return ErrorBody {
            code,
            message: message.to_owned(),
            details: Vec::new(),
        };
    }
    ErrorBody {
        code,
        message: format!("{message} ({id})"),
        details: vec![ErrorDetail {
            type_url: "type.googleapis.com/zitadel.v1.ErrorDetail",
            id,
            message,
        }],
    }
}

/// The REST gateway's own routing errors: no id, no details (grpc-gateway's
/// `DefaultRoutingErrorHandler`): 404 `{"code":5,"message":"Not Found"}`, 405
/// `{"code":12,"message":"Method Not Allowed"}`.
pub fn routing_error(status: StatusCode) -> Response {
    let (code, message) = match status {
        StatusCode::METHOD_NOT_ALLOWED => (12, "Method Not Allowed"),
        _ => (5, "Not Found"),
    };
    error_response(status, code, "", message)
}

/// An RFC 6749 error (§5.2) as the OAuth endpoints answer it:
/// `{"error":"invalid_grant","error_description":"…"}`, status 400 (401 for `invalid_client`),
/// never cached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OAuthError {
    pub error: &'static str,
    pub description: String,
}

impl OAuthError {
    pub fn new(error: &'static str, description: impl Into<String>) -> Self {
        OAuthError {
            error,
            description: description.into(),
        }
    }

    pub fn invalid_request(description: impl Into<String>) -> Self {
        OAuthError::new("invalid_request", description)
    }

    pub fn invalid_client(description: impl Into<String>) -> Self {
        OAuthError::new("invalid_client", description)
    }

    pub fn invalid_grant(description: impl Into<String>) -> Self {
        OAuthError::new("invalid_grant", description)
    }

    pub fn unauthorized_client(description: impl Into<String>) -> Self {
        OAuthError::new("unauthorized_client", description)
    }

    pub fn unsupported_grant_type(description: impl Into<String>) -> Self {
        OAuthError::new("unsupported_grant_type", description)
    }

    pub fn invalid_scope(description: impl Into<String>) -> Self {
        OAuthError::new("invalid_scope", description)
    }

    pub fn access_denied(description: impl Into<String>) -> Self {
        OAuthError::new("access_denied", description)
    }

    pub fn status(&self) -> StatusCode {
        match self.error {
            "invalid_client" => StatusCode::UNAUTHORIZED,
            "server_error" => StatusCode::INTERNAL_SERVER_ERROR,
            "temporarily_unavailable" => StatusCode::SERVICE_UNAVAILABLE,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    /// The body with an explicit status, which faults may set to anything.
    pub fn response_with_status(&self, status: StatusCode) -> Response {
        let body = serde_json::json!({
            "error": self.error,
            "error_description": self.description,
        });
        no_store((status, axum::Json(body)).into_response())
    }

    /// The RFC 6749 error that fits an HTTP status, for faults that only name a status.
    pub fn for_status(status: StatusCode) -> Self {
        let error = match status.as_u16() {
            401 => "invalid_client",
            429 | 503 => "temporarily_unavailable",
            400..=499 => "invalid_request",
            _ => "server_error",
        };
        OAuthError::new(error, "Injected fault")
    }
}

impl fmt::Display for OAuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.error, self.description)
    }
}

impl std::error::Error for OAuthError {}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let status = self.status();
        self.response_with_status(status)
    }
}

/// `Cache-Control: no-store` and `Pragma: no-cache`, as RFC 6749 §5.1 asks of token answers.
pub fn no_store(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_has_zitadel_shape() {
        let error = SimError::token_invalid();
        assert_eq!(error.status(), StatusCode::UNAUTHORIZED);
        assert_eq!(
            serde_json::to_string(&error_body(error.code, &error.id, &error.message)).unwrap(),
            r#"{"code":16,"message":"Errors.Token.Invalid (AUTH-7fs1e)","details":[{"@type":"type.googleapis.com/zitadel.v1.ErrorDetail","id":"AUTH-7fs1e","message":"Errors.Token.Invalid"}]}"#
        );
    }

    #[test]
    fn oauth_errors_have_rfc_6749_statuses() {
        assert_eq!(
            OAuthError::invalid_client("x").status(),
            StatusCode::UNAUTHORIZED
        );
        assert_eq!(
            OAuthError::invalid_grant("x").status(),
            StatusCode::BAD_REQUEST
        );
        let response = OAuthError::invalid_grant("x").into_response();
        assert_eq!(response.headers()[header::CACHE_CONTROL], "no-store");
        assert_eq!(
            OAuthError::for_status(StatusCode::SERVICE_UNAVAILABLE).error,
            "temporarily_unavailable"
        );
        assert_eq!(
            OAuthError::for_status(StatusCode::INTERNAL_SERVER_ERROR).error,
            "server_error"
        );
    }

    #[test]
    fn codes_and_statuses_round_trip() {
        for status in [400u16, 401, 403, 404, 409, 429, 500, 501, 503, 504] {
            assert_eq!(status_of_code(code_of_status(status)).as_u16(), status);
        }
        assert_eq!(status_of_code(9), StatusCode::BAD_REQUEST);
    }
}
