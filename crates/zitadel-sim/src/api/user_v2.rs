//! User service v2 (zitadel-api.md §6): passkey registration codes, passkeys, users, and the
//! instance feature flags that tell which Login UI a link must be built for. Same permission
//! checks, error bodies and wire conventions as the v1 paths.

use axum::extract::State;
use axum::Json;
use serde::{Deserialize, Serialize};

use super::{Body, Credentials, LinkBase, Path};
use crate::errors::SimError;
use crate::features::{Features, Version};
use crate::query::{list_users as query_users, list_users_in as query_users_in};
use crate::wire::{
    AuthFactor, Details, DetailsResponse, Empty, ListDetailsV2, ListResponse, ListUsersRequest,
};
use crate::world::{
    registration_link, Org, SentEmail, User, UserKind, UserState, World, IAM_FEATURE_READ,
    USER_PASSKEY_WRITE, USER_READ, USER_WRITE,
};
use crate::AppState;

/// `CreatePasskeyRegistrationLink`'s body: the oneof `medium` — `sendLink` (with an optional
/// `urlTemplate`), `returnCode`, or neither (send the email with the default link).
#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct CreateLinkRequest {
    #[serde(alias = "return_code")]
    return_code: Option<Empty>,
    #[serde(alias = "send_link")]
    send_link: Option<SendLink>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
pub struct SendLink {
    #[serde(alias = "url_template")]
    url_template: Option<String>,
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
/// the header's org; like v1 `_link` the user is not looked up (any id gets a code) and the
/// code is the user's own org's. `returnCode` answers the code; `sendLink` and no medium send
/// the email (`urlTemplate` with `{{.UserID}}`, `{{.OrgID}}`, `{{.CodeID}}`, `{{.Code}}`,
/// rendered once as a test before anything is created; without one, Login UI v2's
/// `passkey/set` link when the instance requires Login UI v2 (from v4.12), else Login v1's).
pub async fn create_link(
    State(state): State<AppState>,
    credentials: Credentials,
    LinkBase(origin): LinkBase,
    Path(user_id): Path<String>,
    Body(request): Body<serde_json::Value>,
) -> Result<Json<CreateLinkResponse>, SimError> {
    let features = state.features().clone();
    let mut world = state.world();
    world.access(credentials.token(), credentials.org(), USER_PASSKEY_WRITE)?;
    let request: CreateLinkRequest = medium(request)?;
    if let Some(template) = request
        .send_link
        .as_ref()
        .and_then(|s| s.url_template.as_deref())
    {
        render_template(template, &user_id, "", "codeID", "code")?;
    }
    let user = world
        .user(&user_id)
        .map(|u| (u.org_id.clone(), u.person().map(|p| p.email.clone())));
    let owner = user
        .as_ref()
        .map(|(org, _)| org.clone())
        .unwrap_or_default();
    let code = world.add_code(&user_id, &owner);
    let details = Details {
        sequence: code.record.sequence,
        creation_date: None,
        change_date: Some(code.record.changed),
        resource_owner: code.org_id.clone(),
    };
    if request.return_code.is_some() {
        return Ok(Json(CreateLinkResponse {
            details,
            code: Some(Code {
                id: code.id,
                code: code.code,
            }),
        }));
    }
    let template = request
        .send_link
        .and_then(|s| s.url_template)
        .filter(|t| !t.is_empty())
        .or_else(|| default_passkey_template(&features, &origin));
    let link = match template {
        Some(template) => render_template(&template, &user_id, &owner, &code.id, &code.code)?,
        None => registration_link(&origin, &user_id, &code),
    };
    if let Some((_, Some(to))) = user {
        world.emails.push(SentEmail {
            user_id: user_id.clone(),
            to,
            link,
        });
    }
    Ok(Json(CreateLinkResponse {
        details,
        code: None,
    }))
}

/// The oneof as protojson reads it: unknown fields and two media at once are refused by the
/// gateway (code 3, no ZITADEL id).
fn medium(body: serde_json::Value) -> Result<CreateLinkRequest, SimError> {
    let bad = |message: &str| SimError::new(3, "", message);
    let serde_json::Value::Object(fields) = &body else {
        return Ok(CreateLinkRequest::default());
    };
    let known = [
        "userId",
        "user_id",
        "sendLink",
        "send_link",
        "returnCode",
        "return_code",
    ];
    if let Some(unknown) = fields.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(bad(&format!("proto: unknown field \"{unknown}\"")));
    }
    let set = |a: &str, b: &str| {
        fields
            .get(a)
            .or_else(|| fields.get(b))
            .is_some_and(|v| !v.is_null())
    };
    if set("sendLink", "send_link") && set("returnCode", "return_code") {
        return Err(bad("proto: oneof medium is already set"));
    }
    serde_json::from_value(body).map_err(|_| SimError::bad_json())
}

/// `DefaultPasskeySetURLTemplate`: Login UI v2's `passkey/set` when the instance requires
/// Login UI v2 (ZITADEL builds it from v4.12), else none (the Login v1 link).
fn default_passkey_template(features: &Features, origin: &str) -> Option<String> {
    if !features.login_v2.required || features.version < Version::new(4, 12) {
        return None;
    }
    let base = match features
        .login_v2
        .base_uri
        .as_deref()
        .filter(|b| !b.is_empty())
    {
        Some(base) if base.starts_with("http") => base.trim_end_matches('/').to_owned(),
        Some(base) => format!(
            "{}/{}",
            origin.trim_end_matches('/'),
            base.trim_matches('/')
        ),
        None => format!("{}/ui/v2/login", origin.trim_end_matches('/')),
    };
    Some(format!(
        "{base}/passkey/set?code={{{{.Code}}}}&codeId={{{{.CodeID}}}}&organization={{{{.OrgID}}}}&userId={{{{.UserID}}}}"
    ))
}

/// Go's `text/template` for the four fields of `PasskeyURLData` (the only actions the sim
/// knows): a broken action is `DOMAIN-oGh5e`, an unknown field `DOMAIN-ieYa7`, both code 3.
fn render_template(
    template: &str,
    user_id: &str,
    org_id: &str,
    code_id: &str,
    code: &str,
) -> Result<String, SimError> {
    let invalid = |id: &str| SimError::new(3, id, "Errors.User.InvalidURLTemplate");
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find("}}").ok_or_else(|| invalid("DOMAIN-oGh5e"))?;
        let action = after[..end].trim();
        let field = action
            .strip_prefix('.')
            .filter(|f| !f.is_empty() && f.chars().all(|c| c.is_ascii_alphanumeric()))
            .ok_or_else(|| invalid("DOMAIN-oGh5e"))?;
        out.push_str(match field {
            "UserID" => user_id,
            "OrgID" => org_id,
            "CodeID" => code_id,
            "Code" => code,
            _ => return Err(invalid("DOMAIN-ieYa7")),
        });
        rest = &after[end + 2..];
    }
    if rest.contains("}}") {
        return Err(invalid("DOMAIN-oGh5e"));
    }
    out.push_str(rest);
    Ok(out)
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

/// `POST /v2/users/{userId}/passkeys/_search`: READY passkeys, `{"details":{…}}` when none —
/// also for an unknown user. The caller needs `user.read` in the user's org only when there
/// is something to show.
pub async fn list_passkeys(
    State(state): State<AppState>,
    credentials: Credentials,
    Path(user_id): Path<String>,
    Body(Empty {}): Body<Empty>,
) -> Result<Json<ListResponse<AuthFactor, ListDetailsV2>>, SimError> {
    let world = state.world();
    let caller = world.caller(credentials.token())?;
    let result: Vec<AuthFactor> = world.passkeys_of(&user_id).map(AuthFactor::new).collect();
    if let Some(user) = world.user(&user_id) {
        if !result.is_empty()
            && !world
                .permissions(&caller.id, &user.org_id)
                .contains(&USER_READ)
        {
            return Err(SimError::permission_denied());
        }
    }
    Ok(Json(ListResponse {
        details: Some(ListDetailsV2::new(result.len() as u64, world.position)),
        result,
    }))
}

/// `DELETE /v2/users/{userId}/passkeys/{passkeyId}` (`RemovePasskey` →
/// `HumanRemovePasswordless(ctx, userID, passkeyID, "")`): only a valid token at the gate; the
/// passkey is looked up first (unknown, removed or another user's: 404 `COMMAND-DAfb2`), then
/// `checkPermissionUpdateUser`: `user.write` in the user's own org — the header is not read —
/// unless the caller removes their own passkey.
pub async fn remove_passkey(
    State(state): State<AppState>,
    credentials: Credentials,
    Path((user_id, passkey_id)): Path<(String, String)>,
) -> Result<Json<DetailsResponse>, SimError> {
    let mut world = state.world();
    let caller = world.caller(credentials.token())?.id.clone();
    if !world.passkeys_of(&user_id).any(|p| p.id == passkey_id) {
        return Err(SimError::passkey_not_found());
    }
    let org_id = world
        .user(&user_id)
        .map(|u| u.org_id.clone())
        .unwrap_or_default();
    if caller != user_id {
        world.command_permission(&caller, &org_id, USER_WRITE)?;
    }
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
/// `organizationIdQuery` every org the caller may read users in is searched.
pub async fn list_users(
    State(state): State<AppState>,
    credentials: Credentials,
    Body(request): Body<serde_json::Value>,
) -> Result<Json<ListResponse<UserV2, ListDetailsV2>>, SimError> {
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
    let orgs: Vec<String> = match org_filter {
        Some(id) => vec![id],
        None => world.orgs.iter().map(|o| o.id.clone()).collect(),
    };
    let readable: Vec<&String> = orgs
        .iter()
        .filter(|id| {
            world.org(id).is_some() && world.permissions(&caller.id, id).contains(&USER_READ)
        })
        .collect();
    let (total, users) = match readable.as_slice() {
        [] => (0, Vec::new()),
        [one] => query_users(&world, one, &parsed)?,
        several => query_users_in(&world, several, &parsed)?,
    };
    Ok(Json(ListResponse {
        details: Some(ListDetailsV2::new(total, world.position)),
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
    #[serde(skip_serializing_if = "Option::is_none")]
    login_v2: Option<LoginV2Flag>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct FeaturesQuery {
    inheritance: bool,
}

/// `GET /v2/features/instance[?inheritance=true]`: the instance's `loginV2` flag (from v2.67).
/// A flag set on the system level ([`crate::features::Features::login_v2_from_system`]) is
/// only in the answer with `inheritance=true`; an unset flag is left out. Any signed-in user
/// may read it from v3.0; before, it needs `iam.feature.read`.
pub async fn instance_features(
    State(state): State<AppState>,
    credentials: Credentials,
    axum::extract::Query(query): axum::extract::Query<FeaturesQuery>,
) -> Result<Json<InstanceFeatures>, SimError> {
    let features = state.features().clone();
    let world = state.world();
    let caller = world.caller(credentials.token())?;
    if features.version.features_need_permission()
        && !world.has_instance_permission(&caller.id, IAM_FEATURE_READ)
    {
        return Err(SimError::permission_denied());
    }
    let set = features.login_v2.required || features.login_v2.base_uri.is_some();
    let visible = set
        && features.version.has_login_v2_flag()
        && (query.inheritance || !features.login_v2_from_system);
    Ok(Json(InstanceFeatures {
        details: Details {
            sequence: world.position,
            creation_date: None,
            change_date: None,
            resource_owner: world.instance_id.clone(),
        },
        login_v2: visible.then(|| LoginV2Flag {
            required: features.login_v2.required,
            base_uri: features.login_v2.base_uri.clone(),
            source: if features.login_v2_from_system {
                "SOURCE_SYSTEM"
            } else {
                "SOURCE_INSTANCE"
            },
        }),
    }))
}
