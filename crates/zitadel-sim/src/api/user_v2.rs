//! User service v2 (zitadel-api.md §6): passkey registration codes, passkeys, users, and the
//! instance feature flags that tell which Login UI a link must be built for. Same permission
//! checks, error bodies and wire conventions as the v1 paths.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};

use super::{Body, Credentials, Path};
use crate::errors::SimError;
use crate::query::list_users as query_users;
use crate::wire::{AuthFactor, Details, Empty, ListDetails, ListResponse, ListUsersRequest};
use crate::world::{Org, User, UserKind, UserState, World, USER_PASSKEY_WRITE, USER_READ};
use crate::AppState;

/// `CreatePasskeyRegistrationLink`'s body: a oneof of `sendLink` and `returnCode`.
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct CreateLinkRequest {
    #[serde(alias = "return_code")]
    return_code: Option<Empty>,
    #[serde(alias = "send_link")]
    send_link: Option<serde_json::Value>,
}

#[derive(Serialize)]
pub struct Code {
    id: String,
    code: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateLinkResponse {
    details: Details,
    #[serde(skip_serializing_if = "Option::is_none")]
    code: Option<Code>,
}

/// `POST /v2/users/{userId}/passkeys/registration_link`. Permission `user.passkey.write` in
/// the header's org; like v1 `_link` the user's own org is not compared with it. Only
/// `returnCode` is supported; `sendLink` (an email) is refused with an invalid argument.
pub async fn create_link(
    State(state): State<AppState>,
    credentials: Credentials,
    Path(user_id): Path<String>,
    Body(request): Body<CreateLinkRequest>,
) -> Result<Json<CreateLinkResponse>, SimError> {
    let mut world = state.world();
    world.access(credentials.token(), credentials.org(), USER_PASSKEY_WRITE)?;
    if request.send_link.is_some() || request.return_code.is_none() {
        return Err(SimError::invalid_argument(
            "SIM-V2MEDIUM",
            "Only returnCode is simulated",
        ));
    }
    let code = world.add_code(&user_id)?;
    Ok(Json(CreateLinkResponse {
        details: Details {
            sequence: code.record.sequence,
            creation_date: None,
            change_date: Some(code.record.changed),
            resource_owner: code.org_id,
        },
        code: Some(Code {
            id: code.id,
            code: code.code,
        }),
    }))
}

/// A user the caller may read (`user.read` in the user's own org); otherwise "not found"
/// (unknown) or "permission denied" (known, not readable).
fn readable<'w>(
    world: &'w World,
    credentials: &Credentials,
    user_id: &str,
) -> Result<&'w User, SimError> {
    let caller = world.caller(credentials.token())?;
    let user = world
        .user(user_id)
        .ok_or_else(|| SimError::user_not_found("QUERY-Dfbg2"))?;
    if !world
        .permissions(&caller.id, &user.org_id)
        .contains(&USER_READ)
    {
        return Err(SimError::permission_denied());
    }
    Ok(user)
}

/// `POST /v2/users/{userId}/passkeys/_search`: READY passkeys, `{"details":{…}}` when none.
pub async fn list_passkeys(
    State(state): State<AppState>,
    credentials: Credentials,
    Path(user_id): Path<String>,
    Body(Empty {}): Body<Empty>,
) -> Result<Json<ListResponse<AuthFactor>>, SimError> {
    let world = state.world();
    readable(&world, &credentials, &user_id)?;
    let result: Vec<AuthFactor> = world.passkeys_of(&user_id).map(AuthFactor::new).collect();
    Ok(Json(ListResponse {
        details: Some(ListDetails::new(result.len() as u64, world.position)),
        result,
    }))
}

/// `GET /v2/users/{userId}` → `{"details":{…},"user":UserV2}`.
pub async fn get_user(
    State(state): State<AppState>,
    credentials: Credentials,
    Path(user_id): Path<String>,
) -> Result<Json<GetUserResponse>, SimError> {
    let world = state.world();
    let user = readable(&world, &credentials, &user_id)?;
    Ok(Json(GetUserResponse {
        details: user_details(user),
        user: UserV2::new(user, world.org_of(user)),
    }))
}

/// `POST /v2/users`: the v1 query shape plus `organizationIdQuery` (top level). Results are
/// what the caller may read: an org without `user.read` gives no users. Without an
/// `organizationIdQuery` the sim searches the header's org (or the caller's own) only.
pub async fn list_users(
    State(state): State<AppState>,
    credentials: Credentials,
    Body(request): Body<serde_json::Value>,
) -> Result<Json<ListResponse<UserV2>>, SimError> {
    let world = state.world();
    let caller = world.caller(credentials.token())?;
    let mut request = request;
    let mut org_filter: Option<String> = None;
    if let Some(queries) = request.get_mut("queries").and_then(|q| q.as_array_mut()) {
        queries.retain(|q| {
            let found = q
                .get("organizationIdQuery")
                .or_else(|| q.get("organization_id_query"))
                .map(|o| {
                    o.get("organizationId")
                        .or_else(|| o.get("organization_id"))
                        .and_then(|v| v.as_str())
                        .unwrap_or_default()
                        .to_owned()
                });
            match found {
                Some(id) => {
                    org_filter = Some(id);
                    false
                }
                None => true,
            }
        });
    }
    let parsed: ListUsersRequest =
        serde_json::from_value(request).map_err(|_| SimError::bad_json())?;
    let org_id = match org_filter {
        Some(id) => id,
        None => world.acting_org(caller, credentials.org())?.id.clone(),
    };
    let readable =
        world.org(&org_id).is_some() && world.permissions(&caller.id, &org_id).contains(&USER_READ);
    let (total, users) = if readable {
        query_users(&world, &org_id, &parsed)?
    } else {
        (0, Vec::new())
    };
    Ok(Json(ListResponse {
        details: Some(ListDetails::new(total, world.position)),
        result: users
            .into_iter()
            .map(|u| UserV2::new(u, world.org_of(u)))
            .collect(),
    }))
}

fn user_details(user: &User) -> Details {
    Details {
        sequence: user.record.sequence,
        creation_date: None,
        change_date: Some(user.record.changed),
        resource_owner: user.org_id.clone(),
    }
}

#[derive(Serialize)]
pub struct GetUserResponse {
    details: Details,
    user: UserV2,
}

/// A v2 user (`zitadel.user.v2.User`): `userId`, `username`, `givenName`/`familyName`,
/// `email.isVerified`; no SUSPEND state.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserV2 {
    user_id: String,
    details: Details,
    state: &'static str,
    username: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    login_names: Vec<String>,
    #[serde(skip_serializing_if = "String::is_empty")]
    preferred_login_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    human: Option<HumanV2>,
    #[serde(skip_serializing_if = "Option::is_none")]
    machine: Option<MachineV2>,
}

#[derive(Serialize)]
pub struct HumanV2 {
    profile: ProfileV2,
    email: EmailV2,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ProfileV2 {
    #[serde(skip_serializing_if = "String::is_empty")]
    given_name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    family_name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    nick_name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    display_name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    preferred_language: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    gender: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EmailV2 {
    #[serde(skip_serializing_if = "String::is_empty")]
    email: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    is_verified: bool,
}

#[derive(Serialize)]
pub struct MachineV2 {
    name: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    description: String,
}

impl UserV2 {
    fn new(user: &User, org: &Org) -> Self {
        let login_name = format!("{}@{}", user.user_name, org.primary_domain);
        let (human, machine) = match &user.kind {
            UserKind::Human(p) => (
                Some(HumanV2 {
                    profile: ProfileV2 {
                        given_name: p.first_name.clone(),
                        family_name: p.last_name.clone(),
                        nick_name: p.nick_name.clone(),
                        display_name: p.display_name.clone(),
                        preferred_language: p.language.clone(),
                        gender: p.gender,
                    },
                    email: EmailV2 {
                        email: p.email.clone(),
                        is_verified: p.email_verified,
                    },
                }),
                None,
            ),
            UserKind::Machine { name, description } => (
                None,
                Some(MachineV2 {
                    name: name.clone(),
                    description: description.clone(),
                }),
            ),
        };
        UserV2 {
            user_id: user.id.clone(),
            details: user_details(user),
            // v2 has no SUSPEND state.
            state: match user.state {
                UserState::Suspend => UserState::Unspecified.name(),
                s => s.name(),
            },
            username: user.user_name.clone(),
            login_names: vec![login_name.clone()],
            preferred_login_name: login_name,
            human,
            machine,
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LoginV2Flag {
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    base_uri: Option<String>,
    source: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InstanceFeatures {
    details: Details,
    login_v2: LoginV2Flag,
}

/// `GET /v2/features/instance` (any valid token): `loginV2.required` and `loginV2.baseUri`.
pub async fn instance_features(
    State(state): State<AppState>,
    credentials: Credentials,
) -> Result<Json<InstanceFeatures>, SimError> {
    let features = state.features();
    let world = state.world();
    world.caller(credentials.token())?;
    Ok(Json(InstanceFeatures {
        details: Details {
            sequence: world.position,
            creation_date: None,
            change_date: None,
            resource_owner: world.instance_id.clone(),
        },
        login_v2: LoginV2Flag {
            required: features.login_v2.required,
            base_uri: features.login_v2.base_uri.clone(),
            source: "SOURCE_INSTANCE",
        },
    }))
}
