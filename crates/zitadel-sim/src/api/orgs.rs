//! Organization service v2: the orgs an admin may pick (zitadel-api.md §5).

use axum::extract::State;
use axum::Json;

use super::{Body, Credentials};
use crate::errors::SimError;
use crate::query::list_orgs;
use crate::wire::{ListDetails, ListOrgsRequest, ListResponse, Organization};
use crate::AppState;

/// ListOrganizations: only orgs the caller has `org.read` in (all of them for IAM roles).
pub async fn list(
    State(state): State<AppState>,
    credentials: Credentials,
    Body(request): Body<ListOrgsRequest>,
) -> Result<Json<ListResponse<Organization>>, SimError> {
    let world = state.world();
    let caller = world.caller(credentials.token())?;
    let (total, orgs) = list_orgs(&world, &caller.id, &request)?;
    Ok(Json(ListResponse {
        details: Some(ListDetails::new(total, world.position)),
        result: orgs.into_iter().map(Organization::new).collect(),
    }))
}
