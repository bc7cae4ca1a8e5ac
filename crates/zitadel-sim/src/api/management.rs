//! Management API v1: users and their passwordless registrations (zitadel-api.md §3).
//! Every call acts in the org of the `x-zitadel-orgid` header.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::{Body, Credentials, LinkBase, Path};
use crate::errors::{error_response, routing_error, SimError};
use crate::features::V1Link;
use crate::query::list_users as query_users;
use crate::wire::{
    AuthFactor, Details, DetailsResponse, Empty, LinkResponse, ListDetails, ListResponse,
    ListUsersRequest, UserResponse, UserV1,
};
use crate::world::{registration_link, SentEmail, USER_CREDENTIAL_WRITE, USER_READ, USER_WRITE};
use crate::AppState;

/// ListUsers, always limited to the header's org.
pub async fn list_users(
    State(state): State<AppState>,
    credentials: Credentials,
    Body(request): Body<ListUsersRequest>,
) -> Result<Json<ListResponse<UserV1>>, SimError> {
    let world = state.world();
    let org_id = world.access(credentials.token(), credentials.org(), USER_READ)?;
    let (total, users) = query_users(&world, &org_id, &request)?;
    Ok(Json(ListResponse {
        details: Some(ListDetails::new(total, world.position)),
        result: users
            .into_iter()
            .map(|u| UserV1::new(u, world.org_of(u)))
            .collect(),
    }))
}

/// GetUserByID: a user of another org is "not found" (`MANAG-fpo4B`).
pub async fn get_user(
    State(state): State<AppState>,
    credentials: Credentials,
    Path(user_id): Path<String>,
) -> Result<Json<UserResponse>, SimError> {
    let world = state.world();
    let org_id = world.access(credentials.token(), credentials.org(), USER_READ)?;
    let user = world.user_in_org(&user_id, &org_id, "MANAG-fpo4B")?;
    Ok(Json(UserResponse {
        user: UserV1::new(user, world.org_of(user)),
    }))
}

/// AddPasswordlessRegistration. Like ZITADEL it does **not** check that the user belongs to
/// the header's org: the permission is checked in that org, the code made for any user.
pub async fn add_link(
    State(state): State<AppState>,
    credentials: Credentials,
    LinkBase(origin): LinkBase,
    Path(user_id): Path<String>,
    Body(Empty {}): Body<Empty>,
) -> Result<Response, SimError> {
    // Switched off (POST /__sim/features): answered like a route or method that is not
    // there, before any check, so nothing is created.
    match state.features().v1_link {
        V1Link::On => {}
        V1Link::NotFound => return Ok(routing_error(StatusCode::NOT_FOUND)),
        V1Link::Unimplemented => {
            return Ok(error_response(
                StatusCode::NOT_IMPLEMENTED,
                12,
                "",
                "method AddPasswordlessRegistration not implemented",
            ))
        }
    }
    let mut world = state.world();
    let org_id = world.access(
        credentials.token(),
        credentials.org(),
        USER_CREDENTIAL_WRITE,
    )?;
    // The code is the header org's (`HumanAddPasswordlessInitCode(ctx, userID,
    // ctxData.OrgID)`), whoever the user is: its link names that org.
    let code = world.add_code(&user_id, &org_id);
    Ok(Json(LinkResponse {
        link: registration_link(&origin, &user_id, &code),
        expiration: format!("{}s", world.code_lifetime.as_secs()),
        details: Details {
            sequence: code.record.sequence,
            creation_date: Some(code.record.changed),
            change_date: None,
            resource_owner: code.org_id,
        },
    })
    .into_response())
}

/// SendPasswordlessRegistration: the same command as `_link` (no user or org check); the
/// notifier emails the user — wherever they are — a link for their own org. The sim records
/// the email (none for an unknown id: there is nobody to write to).
pub async fn send_link(
    State(state): State<AppState>,
    credentials: Credentials,
    LinkBase(origin): LinkBase,
    Path(user_id): Path<String>,
    Body(Empty {}): Body<Empty>,
) -> Result<Json<DetailsResponse>, SimError> {
    let mut world = state.world();
    let org_id = world.access(credentials.token(), credentials.org(), USER_WRITE)?;
    let user = world
        .user(&user_id)
        .map(|u| (u.org_id.clone(), u.person().map(|p| p.email.clone())));
    let owner = user
        .as_ref()
        .map_or(org_id.as_str(), |(org, _)| org.as_str())
        .to_owned();
    let code = world.add_code(&user_id, &owner);
    if let Some((_, Some(to))) = user {
        let link = registration_link(&origin, &user_id, &code);
        world.emails.push(SentEmail { user_id, to, link });
    }
    Ok(Json(DetailsResponse {
        details: Details {
            sequence: code.record.sequence,
            creation_date: Some(code.record.changed),
            change_date: None,
            resource_owner: org_id,
        },
    }))
}

/// ListHumanPasswordless: READY passkeys only; `{}` when there are none. ZITADEL never looks
/// the user up: an unknown id gives `{}`. From v4.13 the search is scoped to the header's
/// org (another org's user: `{}`); before, it lists any user's passkeys.
pub async fn list_passkeys(
    State(state): State<AppState>,
    credentials: Credentials,
    Path(user_id): Path<String>,
    Body(Empty {}): Body<Empty>,
) -> Result<Json<ListResponse<AuthFactor>>, SimError> {
    let scoped = state.features().version.passkey_search_scoped();
    let world = state.world();
    let org_id = world.access(credentials.token(), credentials.org(), USER_READ)?;
    let visible = world
        .user(&user_id)
        .is_some_and(|u| !scoped || u.org_id == org_id);
    let result = if visible {
        world.passkeys_of(&user_id).map(AuthFactor::new).collect()
    } else {
        Vec::new()
    };
    Ok(Json(ListResponse {
        details: None,
        result,
    }))
}

/// RemoveHumanPasswordless. ZITADEL looks the passkey up within the header's org, so a user
/// of another org gives the same "passkey not found" as an unknown passkey.
pub async fn remove_passkey(
    State(state): State<AppState>,
    credentials: Credentials,
    Path((user_id, passkey_id)): Path<(String, String)>,
) -> Result<Json<DetailsResponse>, SimError> {
    let mut world = state.world();
    let org_id = world.access(credentials.token(), credentials.org(), USER_WRITE)?;
    world
        .user_in_org(&user_id, &org_id, "MANAG-fpo4B")
        .map_err(|_| SimError::passkey_not_found())?;
    let record = world.remove_passkey(&user_id, &passkey_id)?;
    Ok(Json(DetailsResponse {
        details: Details {
            sequence: record.sequence,
            creation_date: None,
            change_date: Some(record.changed),
            resource_owner: org_id,
        },
    }))
}
