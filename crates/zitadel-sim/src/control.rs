//! The control API under `/__sim/`: what tests and the demo do "outside" ZITADEL (finish a
//! registration in the browser, inject faults, read the request log and emails, mint
//! tokens, sign in without the login page, approve devices, revoke sessions, seed users at
//! scale). No auth,
//! camelCase JSON, never logged, never faulted.

use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

use crate::api::Strict;
use crate::errors::SimError;
use crate::faults::Fault;
use crate::world::{LoggedRequest, SentEmail};
use crate::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/__sim/registrations", post(register))
        .route("/__sim/faults", post(inject_fault).delete(clear_faults))
        .route("/__sim/requests", get(requests).delete(clear_requests))
        .route("/__sim/emails", get(emails))
        .route("/__sim/tokens", post(issue_token))
        .route("/__sim/tokens/revoke", post(revoke_token))
        .route("/__sim/oidc/auto-login", post(auto_login))
        .route("/__sim/device/approve", post(approve_device))
        .route("/__sim/device/deny", post(deny_device))
        .route("/__sim/sessions/revoke", post(revoke_sessions))
        .route("/__sim/seed/users", post(seed_users))
        .route("/__sim/features", get(features).post(set_features))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Registration {
    user_id: String,
    code_id: String,
    code: String,
    device_name: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Registered {
    passkey_id: String,
}

async fn register(
    State(state): State<AppState>,
    Strict(r): Strict<Registration>,
) -> Result<Response, SimError> {
    let passkey_id =
        state
            .world()
            .register_passkey(&r.user_id, &r.code_id, &r.code, &r.device_name)?;
    Ok((StatusCode::CREATED, Json(Registered { passkey_id })).into_response())
}

async fn inject_fault(State(state): State<AppState>, Strict(fault): Strict<Fault>) -> StatusCode {
    state.world().faults.push(fault);
    StatusCode::NO_CONTENT
}

async fn clear_faults(State(state): State<AppState>) -> StatusCode {
    state.world().faults.clear();
    StatusCode::NO_CONTENT
}

async fn requests(State(state): State<AppState>) -> Json<Vec<LoggedRequest>> {
    Json(state.world().requests.clone())
}

async fn clear_requests(State(state): State<AppState>) -> StatusCode {
    state.world().requests.clear();
    StatusCode::NO_CONTENT
}

async fn emails(State(state): State<AppState>) -> Json<Vec<SentEmail>> {
    Json(state.world().emails.clone())
}

fn yes() -> bool {
    true
}

/// ZITADEL's default access token lifetime.
fn twelve_hours() -> u64 {
    12 * 3600
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TokenRequest {
    user_id: String,
    #[serde(default = "yes")]
    audience: bool,
    #[serde(default = "twelve_hours")]
    expires_in_secs: u64,
}

#[derive(Serialize, Deserialize)]
struct TokenBody {
    token: String,
}

async fn issue_token(
    State(state): State<AppState>,
    Strict(r): Strict<TokenRequest>,
) -> Result<Json<TokenBody>, SimError> {
    let lifetime = Duration::from_secs(r.expires_in_secs);
    let token = state
        .world()
        .issue_token(&r.user_id, r.audience, lifetime)?;
    Ok(Json(TokenBody { token }))
}

async fn revoke_token(State(state): State<AppState>, Strict(r): Strict<TokenBody>) -> StatusCode {
    state.world().revoke_token(&r.token);
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AutoLogin {
    /// `null` (or absent) brings the login page back.
    #[serde(default)]
    user_name: Option<String>,
}

async fn auto_login(
    State(state): State<AppState>,
    Strict(r): Strict<AutoLogin>,
) -> Result<StatusCode, SimError> {
    state.world().set_auto_login(r.user_name.as_deref())?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct DeviceDecision {
    user_code: String,
    #[serde(default)]
    user_name: Option<String>,
}

async fn approve_device(
    State(state): State<AppState>,
    Strict(r): Strict<DeviceDecision>,
) -> Result<StatusCode, SimError> {
    let user_name = r.user_name.as_deref().ok_or_else(|| {
        SimError::invalid_argument("SIM-NOUSERNAME", "userName is required to approve")
    })?;
    state.world().approve_device(&r.user_code, user_name)?;
    Ok(StatusCode::NO_CONTENT)
}

async fn deny_device(
    State(state): State<AppState>,
    Strict(r): Strict<DeviceDecision>,
) -> Result<StatusCode, SimError> {
    state.world().deny_device(&r.user_code)?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SessionsOf {
    user_id: String,
}

async fn revoke_sessions(
    State(state): State<AppState>,
    Strict(r): Strict<SessionsOf>,
) -> StatusCode {
    state.world().revoke_sessions_of(&r.user_id);
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SeedUsers {
    #[serde(alias = "org")]
    org_id: String,
    count: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Seeded {
    added: usize,
    /// How many users the org has now.
    users_in_org: usize,
}

async fn seed_users(
    State(state): State<AppState>,
    Strict(r): Strict<SeedUsers>,
) -> Result<Response, SimError> {
    let users_in_org = crate::seed::add_generated_users(&mut state.world(), &r.org_id, r.count)?;
    let seeded = Seeded {
        added: r.count,
        users_in_org,
    };
    Ok((StatusCode::CREATED, Json(seeded)).into_response())
}

async fn features(State(state): State<AppState>) -> Json<crate::features::Features> {
    Json(state.features().clone())
}

/// `POST /__sim/features` `{"loginV2":{"required":true,"baseUri":"…"},"v1Link":"notFound"}`:
/// only the given fields change; answers the switches as they are now.
async fn set_features(
    State(state): State<AppState>,
    Strict(update): Strict<crate::features::FeaturesUpdate>,
) -> Json<crate::features::Features> {
    let features = {
        let mut features = state.features();
        features.apply(update);
        features.clone()
    };
    state.world().oidc.user_info_in_id_token = features.user_info_in_id_token;
    Json(features)
}
