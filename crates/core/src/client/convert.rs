//! Wire models → the app's own types, in one place. A field the app cannot do without that is
//! missing is a `BadResponse`; everything else gets a sensible default.

use crate::error::{Error, Result};
use crate::model::{Me, Org, OrgId, Passkey, PasskeyState, User, UserId, UserKind, UserState};

use super::{wire, Membership};

/// `ListMyMemberships`' answer: the instance's roles, and each org's. Project and grant
/// memberships carry no org-wide user permissions and are left out.
pub(crate) fn memberships(answer: wire::ListResponse<wire::Membership>) -> Vec<Membership> {
    answer
        .result
        .unwrap_or_default()
        .into_iter()
        .filter_map(|m| {
            let roles = m.roles.unwrap_or_default();
            if m.iam == Some(true) {
                Some(Membership::Instance { roles })
            } else {
                m.org_id
                    .filter(|id| !id.is_empty() && m.project_id.is_none())
                    .map(|id| Membership::Org {
                        org_id: OrgId::new(id),
                        name: m.display_name.filter(|n| !n.is_empty()),
                        roles,
                    })
            }
        })
        .collect()
}

fn bad(detail: &str) -> Error {
    Error::BadResponse {
        detail: detail.to_string(),
    }
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.filter(|s| !s.is_empty())
}

pub(crate) fn user_state(state: Option<&str>) -> UserState {
    match state.unwrap_or("USER_STATE_UNSPECIFIED") {
        "USER_STATE_ACTIVE" => UserState::Active,
        "USER_STATE_INACTIVE" => UserState::Inactive,
        "USER_STATE_DELETED" => UserState::Deleted,
        "USER_STATE_LOCKED" => UserState::Locked,
        "USER_STATE_SUSPEND" => UserState::Suspend,
        "USER_STATE_INITIAL" => UserState::Initial,
        "USER_STATE_UNSPECIFIED" => UserState::Unspecified,
        other => UserState::Other(crate::error::sanitize(other, 64)),
    }
}

pub(crate) fn user(w: wire::User) -> Result<User> {
    let id = non_empty(w.id).ok_or_else(|| bad("a user without an id"))?;
    let org_id = non_empty(w.details.and_then(|d| d.resource_owner))
        .ok_or_else(|| bad("a user without an organisation (details.resourceOwner)"))?;
    let user_name = w.user_name.unwrap_or_default();
    let login_name = non_empty(w.preferred_login_name)
        .or_else(|| {
            w.login_names
                .and_then(|names| names.into_iter().find(|n| !n.is_empty()))
        })
        .unwrap_or_else(|| user_name.clone());
    let (kind, display_name, email, email_verified, preferred_language) = match (w.human, w.machine)
    {
        (Some(h), _) => {
            let profile = h.profile.unwrap_or_default();
            let full_name = [profile.first_name, profile.last_name]
                .into_iter()
                .flatten()
                .filter(|s| !s.is_empty())
                .collect::<Vec<_>>()
                .join(" ");
            let display = non_empty(profile.display_name)
                .or_else(|| non_empty(Some(full_name)))
                .or_else(|| non_empty(profile.nick_name))
                .unwrap_or_else(|| user_name.clone());
            let email = h.email.unwrap_or_default();
            (
                UserKind::Human,
                display,
                non_empty(email.email),
                email.is_email_verified.unwrap_or(false),
                non_empty(profile.preferred_language),
            )
        }
        (None, Some(m)) => (
            UserKind::Machine,
            non_empty(m.name).unwrap_or_else(|| user_name.clone()),
            None,
            false,
            None,
        ),
        (None, None) => return Err(bad("a user that is neither human nor machine")),
    };
    Ok(User {
        id: UserId::new(id),
        org_id: OrgId::new(org_id),
        kind,
        state: user_state(w.state.as_deref()),
        user_name,
        login_name,
        display_name,
        email,
        email_verified,
        preferred_language,
    })
}

/// A v2 user, read into the v1 model's shape and converted the same way.
pub(crate) fn user_v2(w: wire::UserV2) -> Result<User> {
    let human = w.human.map(|h| {
        let p = h.profile.unwrap_or_default();
        let e = h.email.unwrap_or_default();
        wire::Human {
            profile: Some(wire::Profile {
                first_name: p.given_name,
                last_name: p.family_name,
                nick_name: p.nick_name,
                display_name: p.display_name,
                preferred_language: p.preferred_language,
            }),
            email: Some(wire::Email {
                email: e.email,
                is_email_verified: e.is_verified,
            }),
        }
    });
    user(wire::User {
        id: w.user_id,
        details: w.details,
        state: w.state,
        user_name: w.username,
        login_names: w.login_names,
        preferred_login_name: w.preferred_login_name,
        human,
        machine: w.machine,
    })
}

pub(crate) fn me(w: wire::User) -> Result<Me> {
    let u = user(w)?;
    Ok(Me {
        id: u.id,
        org_id: u.org_id,
        user_name: u.user_name,
        login_name: u.login_name,
        display_name: u.display_name,
    })
}

pub(crate) fn org(w: wire::Organization, roles: Vec<String>) -> Result<Org> {
    let id = non_empty(w.id).ok_or_else(|| bad("an organisation without an id"))?;
    Ok(Org {
        name: non_empty(w.name).unwrap_or_else(|| id.clone()),
        id: OrgId::new(id),
        primary_domain: non_empty(w.primary_domain),
        roles,
    })
}

pub(crate) fn passkey(w: wire::AuthFactor) -> Result<Passkey> {
    let id = non_empty(w.id).ok_or_else(|| bad("a passkey without an id"))?;
    let state = match w.state.as_deref() {
        Some("AUTH_FACTOR_STATE_READY") => PasskeyState::Ready,
        Some("AUTH_FACTOR_STATE_NOT_READY") => PasskeyState::NotReady,
        Some("AUTH_FACTOR_STATE_REMOVED") => PasskeyState::Removed,
        _ => PasskeyState::Unspecified,
    };
    Ok(Passkey {
        id,
        name: w.name.unwrap_or_default(),
        state,
    })
}
