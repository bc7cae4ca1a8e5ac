//! Records every ZITADEL request (method, path, org header, status, caller) so tests can
//! assert what a client sent. Tokens, codes and bodies are never recorded.

use std::time::Instant;

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
    let api = ["/v2/", "/v2beta/", "/management/", "/auth/", "/admin/"]
        .iter()
        .any(|prefix| path.starts_with(prefix));
    let query = request.uri().query().filter(|_| api).map(str::to_owned);
    let headers = request.headers();
    let org_header = org_header(headers);
    let caller = state
        .world()
        .caller(bearer_token(headers))
        .ok()
        .map(|user| user.id.clone());
    let mut entry = Entry {
        state: state.clone(),
        request: Some(LoggedRequest {
            method,
            path,
            org_header,
            query,
            status: 0,
            caller,
            micros: 0,
        }),
        arrived: Instant::now(),
    };

    let response = next.run(request).await;

    let status = match response.extensions().get::<Unanswered>() {
        Some(Unanswered) => 0,
        None => response.status().as_u16(),
    };
    entry.finish(status);
    response
}

/// A request on its way through the server. It is logged when its answer is ready, or with
/// status 0 if the client went away first (a client timeout): hyper then drops the handler,
/// and a test must still see that the request arrived, e.g. to count `_link` calls.
struct Entry {
    state: AppState,
    request: Option<LoggedRequest>,
    arrived: Instant,
}

impl Entry {
    fn finish(&mut self, status: u16) {
        if let Some(mut request) = self.request.take() {
            request.status = status;
            request.micros = self.arrived.elapsed().as_micros() as u64;
            tracing::info!(method = %request.method, path = %request.path, status, "request");
            self.state.world().requests.push(request);
        }
    }
}

impl Drop for Entry {
    fn drop(&mut self) {
        self.finish(0);
    }
}
