//! Organization service v2: the orgs an admin may pick (zitadel-api.md §5).

use axum::extract::State;
use axum::Json;

use super::{Body, Credentials};
use crate::errors::SimError;
use crate::query::list_orgs;
use crate::wire::{ListDetailsV2, ListOrgsRequest, ListResponse, Organization};
use crate::AppState;

/// ListOrganizations: only orgs the caller has `org.read` in (all of them for IAM roles).
pub async fn list(
    State(state): State<AppState>,
    credentials: Credentials,
    Body(request): Body<ListOrgsRequest>,
) -> Result<axum::response::Response, SimError> {
    // Before v2.60 the v2 organization service is not there (`/v2beta/…` only).
    if !state.features().version.has_org_search_v2() {
        return Ok(crate::errors::routing_error(
            axum::http::StatusCode::NOT_FOUND,
        ));
    }
    let world = state.world();
    let caller = world.caller(credentials.token())?;
    let (total, orgs) = list_orgs(&world, &caller.id, &request)?;
    Ok(axum::response::IntoResponse::into_response(Json(
        ListResponse::<_, ListDetailsV2> {
            details: Some(ListDetailsV2::new(total, world.position)),
            result: orgs.into_iter().map(Organization::new).collect(),
        },
    )))
}
