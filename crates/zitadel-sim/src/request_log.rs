//! Records every ZITADEL request (method, path, org header, status, caller) so tests can
//! assert what a client sent. Tokens, codes and bodies are never recorded.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::api::{bearer_token, org_header};
use crate::faults::{is_control_path, Unanswered};
use crate::world::LoggedRequest;
use crate::AppState;

pub async fn record(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    if is_control_path(&path) {
        return next.run(request).await;
    }
    let method = request.method().to_string();
    let headers = request.headers();
    let org_header = org_header(headers);
    let caller = state
        .world()
        .caller(bearer_token(headers))
        .ok()
        .map(|user| user.id.clone());

    let response = next.run(request).await;

    let status = match response.extensions().get::<Unanswered>() {
        Some(Unanswered) => 0,
        None => response.status().as_u16(),
    };
    tracing::info!(%method, %path, status, "request");
    state.world().requests.push(LoggedRequest {
        method,
        path,
        org_header,
        status,
        caller,
    });
    response
}
