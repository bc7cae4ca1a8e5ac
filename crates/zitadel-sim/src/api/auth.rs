//! Auth API v1: about the signed-in admin (zitadel-api.md §5).

use axum::extract::State;
use axum::Json;

use super::{Body, Credentials};
use crate::errors::SimError;
use crate::query::page;
use crate::wire::{
    Details, Empty, ListDetails, ListRequest, ListResponse, Membership, MyUserResponse,
    PermissionsResponse, UserV1,
};
use crate::world::{self, Scope, World};
use crate::AppState;

/// GetMyUser; needs no org header.
pub async fn my_user(
    State(state): State<AppState>,
    credentials: Credentials,
) -> Result<Json<MyUserResponse>, SimError> {
    let world = state.world();
    let caller = world.caller(credentials.token())?;
    Ok(Json(MyUserResponse {
        user: UserV1::new(caller, world.org_of(caller)),
        last_login: world.last_login(credentials.token()),
    }))
}

/// ListMyMemberships: org memberships carry `orgId`, instance ones `iam: true`.
pub async fn my_memberships(
    State(state): State<AppState>,
    credentials: Credentials,
    Body(request): Body<ListRequest>,
) -> Result<Json<ListResponse<Membership>>, SimError> {
    let world = state.world();
    let caller = world.caller(credentials.token())?;
    let all: Vec<Membership> = world
        .memberships_of(&caller.id)
        .map(|m| membership(&world, m))
        .collect();
    Ok(Json(ListResponse {
        details: Some(ListDetails::new(all.len() as u64, world.position)),
        result: page(all, &request.query),
    }))
}

fn membership(world: &World, m: &world::Membership) -> Membership {
    let (owner, display_name, org_id) = match &m.scope {
        Scope::Instance => (&world.instance_id, world.instance_name.clone(), None),
        Scope::Org(id) => (
            id,
            world.org(id).map(|o| o.name.clone()).unwrap_or_default(),
            Some(id.clone()),
        ),
    };
    Membership {
        user_id: m.user_id.clone(),
        details: Details {
            sequence: m.record.sequence,
            creation_date: Some(m.record.created),
            change_date: Some(m.record.changed),
            resource_owner: owner.clone(),
        },
        roles: m.roles.clone(),
        display_name,
        iam: org_id.is_none(),
        org_id,
    }
}

/// ListMyZitadelPermissions in the header's org (or the caller's own).
pub async fn my_permissions(
    State(state): State<AppState>,
    credentials: Credentials,
    Body(Empty {}): Body<Empty>,
) -> Result<Json<PermissionsResponse>, SimError> {
    let world = state.world();
    let caller = world.caller(credentials.token())?;
    let org = world.acting_org(caller, credentials.org())?;
    Ok(Json(PermissionsResponse {
        result: world.permissions(&caller.id, &org.id),
    }))
}
