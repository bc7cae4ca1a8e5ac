//! The helpdesk flow as decisions: which org, which user, may this admin do it, and only then
//! the call that creates something. Front ends call these, never the client's raw `_link`.

use std::time::Duration;

use crate::client::{ApiVersion, Authenticator, LinkRoute, MatchMode, UserSearch, ZitadelClient};
use crate::clock::{Clock, Timer};
use crate::error::{sanitize, Error, Result};
use crate::model::{
    looks_like_id, Capabilities, Me, Org, OrgId, Passkey, Permissions, Registration,
    RegistrationLink, User, UserId, UserKind, UserPage,
};

/// What the admin may do in one org, as the window shows it ([`Desk::org_access`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgAccess {
    pub capabilities: Capabilities,
    /// The permission to ask for when links may not be created here.
    pub create_link_lacks: Option<String>,
    /// The permission to ask for when links may not be sent via ZITADEL here.
    pub send_link_lacks: Option<String>,
    /// The permission to ask for when passkeys may not be removed here.
    pub remove_passkeys_lacks: Option<String>,
    /// Whether the links made here can ask for a kind of passkey (`requestPlatformType`).
    pub authenticator_choice: bool,
}

/// Candidates listed when a user name matches several users.
const MAX_CANDIDATES: u32 = 10;

pub struct Desk {
    client: ZitadelClient,
}

impl Desk {
    pub fn new(client: ZitadelClient) -> Self {
        Desk { client }
    }

    pub fn client(&self) -> &ZitadelClient {
        &self.client
    }

    pub async fn whoami(&self) -> Result<Me> {
        self.client.my_user().await
    }

    /// The organisations the admin may act in.
    pub async fn orgs(&self) -> Result<Vec<Org>> {
        self.client.orgs_i_may_act_in().await
    }

    /// Chooses the organisation to act in: `choice` is an org id or an org name (exact,
    /// ignoring case); `None` means the admin's own org. An id is passed to the server as it is
    /// (it refuses unknown orgs with `AUTH-Bs7Ds`); a name must be one the admin may act in.
    pub async fn resolve_org(&self, choice: Option<&str>) -> Result<Org> {
        let choice = choice.map(str::trim).filter(|c| !c.is_empty());
        match choice {
            Some(id) if looks_like_id(id) => Ok(Org {
                id: OrgId::new(id),
                name: id.to_string(),
                primary_domain: None,
                roles: Vec::new(),
            }),
            Some(name) => {
                let orgs = self.orgs().await?;
                let matches: Vec<&Org> = orgs
                    .iter()
                    .filter(|o| o.name.to_lowercase() == name.to_lowercase())
                    .collect();
                match matches.as_slice() {
                    [one] => Ok((*one).clone()),
                    [] => Err(Error::OrgNotFound {
                        org: name.to_string(),
                    }),
                    several => Err(Error::InvalidInput(format!(
                        "several organisations are named '{name}': {}; use the org id",
                        several
                            .iter()
                            .map(|o| o.id.to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))),
                }
            }
            None => {
                let me = self.whoami().await?;
                let orgs = self.orgs().await?;
                Ok(orgs
                    .into_iter()
                    .find(|o| o.id == me.org_id)
                    .unwrap_or_else(|| Org {
                        name: me.org_id.to_string(),
                        id: me.org_id,
                        primary_domain: None,
                        roles: Vec::new(),
                    }))
            }
        }
    }

    /// What the admin may do for users of `org`, read from the server before any action.
    pub async fn capabilities(&self, org: &OrgId) -> Result<Capabilities> {
        let permissions = self.client.my_permissions(org).await?;
        Ok(self.capabilities_of(org, &permissions))
    }

    /// [`Capabilities::from_permissions`] under the `api` setting: with `api` fixed to one
    /// version, only that version's permission lets the admin create links.
    fn capabilities_of(&self, org: &OrgId, permissions: &Permissions) -> Capabilities {
        let mut capabilities = Capabilities::from_permissions(org.clone(), permissions);
        capabilities.create_link = self.link_route(permissions).is_some();
        capabilities
    }

    /// Search as you type: human users whose user name, email or display name contain `text`.
    pub async fn search_users(&self, org: &OrgId, text: &str, limit: u32) -> Result<UserPage> {
        let search = UserSearch {
            text: text.trim().to_string(),
            mode: MatchMode::Contains,
            humans_only: true,
            offset: 0,
            limit,
        };
        self.client.list_users(org, &search).await
    }

    /// Finds exactly one user of `org` by user id, user name, login name or email (exact,
    /// ignoring case). Several matches is an error that lists them — also an all-digit text
    /// that is one user's id and another's user name.
    pub async fn resolve_user(&self, org: &OrgId, ident: &str) -> Result<User> {
        let ident = ident.trim();
        if ident.is_empty() {
            return Err(Error::InvalidInput(
                "no user given: pass a user id, user name, login name or email".into(),
            ));
        }
        // All digits: an id, or a user name of digits — both are looked up.
        let by_id = if looks_like_id(ident) {
            match self.client.get_user(org, &UserId::new(ident)).await {
                Ok(user) => in_org(user, org, ident).ok(),
                Err(Error::UserNotFound { .. }) => None,
                Err(e) => return Err(e),
            }
        } else {
            None
        };
        let search = UserSearch {
            text: ident.to_string(),
            mode: MatchMode::Exact,
            humans_only: false,
            offset: 0,
            limit: MAX_CANDIDATES,
        };
        let page = self.client.list_users(org, &search).await?;
        let mut users = page.users;
        if let Some(user) = by_id {
            if !users.iter().any(|u| u.id == user.id) {
                users.insert(0, user);
            }
        }
        match users.len() {
            0 => Err(Error::UserNotFound {
                user: ident.to_string(),
                org: org.to_string(),
            }),
            1 => in_org(users.remove(0), org, ident),
            _ => Err(Error::AmbiguousUser {
                query: ident.to_string(),
                candidates: users
                    .iter()
                    .map(|u| format!("{} ({})", shown(&u.login_name), shown(u.id.as_str())))
                    .collect(),
            }),
        }
    }

    /// Creates a passkey registration link for a user of `org`. Never blind: the admin's
    /// permission and the user (in this org, human, active) are checked first, and no link is
    /// created when any check fails. The link is returned only if it points to the instance.
    pub async fn create_link(&self, org: &OrgId, ident: &str) -> Result<(User, RegistrationLink)> {
        self.create_link_with(org, ident, Authenticator::Any).await
    }

    /// [`Desk::create_link`] asking for a kind of passkey (`requestPlatformType`: this
    /// device only or a security key only), where the login UI supports it.
    ///
    /// Which API creates the code is decided here, from the `api` setting and the admin's
    /// permissions in `org`: `v1` needs `user.credential.write`, `v2` `user.passkey.write`;
    /// `auto` takes v1 `_link` when allowed (v2 only if v1 is not there) and the v2 code for
    /// an admin who has only `user.passkey.write` (IAM_USER_MANAGER).
    pub async fn create_link_with(
        &self,
        org: &OrgId,
        ident: &str,
        authenticator: Authenticator,
    ) -> Result<(User, RegistrationLink)> {
        let (permissions, user) = tokio::join!(
            self.client.my_permissions(org),
            self.resolve_user(org, ident)
        );
        let permissions = permissions?;
        let Some(route) = self.link_route(&permissions) else {
            return Err(Error::PermissionDenied {
                org: org.to_string(),
                permission: self.link_permission().into(),
                send_allowed: Some(permissions.has(Permissions::USER_WRITE)),
            });
        };
        let user = user?;
        ensure_can_register(&user)?;
        // The passkeys the user has now, read alongside, so a new one can be recognised later.
        let (link, before) = tokio::join!(
            self.client
                .create_link_via(org, &user.id, route, authenticator),
            self.client.list_passkeys(org, &user.id)
        );
        let mut link = link?;
        // If that read failed, the watch takes its first answer as the baseline instead.
        link.passkeys_before = before
            .ok()
            .map(|keys| keys.into_iter().map(|k| k.id).collect());
        tracing::info!(org = %org, user = %user.id, expires_at = %link.expires_at, api = link.via.api(), "registration link created");
        Ok((user, link))
    }

    /// Which calls may create the code for an admin with `permissions` (see
    /// [`Desk::create_link_with`]); `None` when none may.
    fn link_route(&self, permissions: &Permissions) -> Option<LinkRoute> {
        let v1 = permissions.has(Permissions::USER_CREDENTIAL_WRITE);
        let v2 = permissions.has(Permissions::USER_PASSKEY_WRITE);
        match self.client.api() {
            ApiVersion::V1 if v1 => Some(LinkRoute::V1Only),
            ApiVersion::V2 if v2 => Some(LinkRoute::V2Only),
            ApiVersion::Auto if v1 && v2 => Some(LinkRoute::V1ThenV2),
            ApiVersion::Auto if v1 => Some(LinkRoute::V1Only),
            ApiVersion::Auto if v2 => Some(LinkRoute::V2Only),
            _ => None,
        }
    }

    /// The permission an admin is told to get when no route may create a link.
    fn link_permission(&self) -> &'static str {
        match self.client.api() {
            ApiVersion::V2 => Permissions::USER_PASSKEY_WRITE,
            _ => Permissions::USER_CREDENTIAL_WRITE,
        }
    }

    /// What the admin may do in `org`, for the window: the capabilities, the permissions it
    /// lacks for what it may not do, and whether its links can ask for a kind of passkey.
    pub async fn org_access(&self, org: &OrgId) -> Result<OrgAccess> {
        let permissions = self.client.my_permissions(org).await?;
        let route = self.link_route(&permissions);
        let capabilities = self.capabilities_of(org, &permissions);
        let authenticator_choice = match route {
            Some(route) => self.client.authenticator_choice(route).await,
            None => false,
        };
        Ok(OrgAccess {
            create_link_lacks: route.is_none().then(|| self.link_permission().to_string()),
            send_link_lacks: (!capabilities.send_link).then(|| Permissions::USER_WRITE.to_string()),
            remove_passkeys_lacks: (!capabilities.remove_passkeys)
                .then(|| Permissions::USER_WRITE.to_string()),
            capabilities,
            authenticator_choice,
        })
    }

    /// Asks ZITADEL to email the registration link to the user (needs `user.write` only).
    pub async fn send_link(&self, org: &OrgId, ident: &str) -> Result<User> {
        let (capabilities, user) =
            tokio::join!(self.capabilities(org), self.resolve_user(org, ident));
        if !capabilities?.send_link {
            return Err(Error::PermissionDenied {
                org: org.to_string(),
                permission: Permissions::USER_WRITE.into(),
                send_allowed: None,
            });
        }
        let user = user?;
        ensure_can_register(&user)?;
        self.client.send_registration_link(org, &user.id).await?;
        tracing::info!(org = %org, user = %user.id, "registration link sent by ZITADEL");
        Ok(user)
    }

    /// Watches the user's passkeys (one call every `interval` on `clock`) until one appears
    /// that was not there when `link` was made, or the link expires by `clock`. Passing
    /// failures (network, timeouts, an unavailable or rate-limiting server) are tried again at
    /// the next tick; any other error ends the wait. Dropping the future stops the watch.
    pub async fn wait_for_registration(
        &self,
        link: &RegistrationLink,
        interval: Duration,
        clock: &dyn Clock,
    ) -> Result<Registration> {
        let mut before = link.passkeys_before.clone();
        loop {
            if clock.now() >= link.expires_at {
                return Ok(Registration::Expired);
            }
            match self.client.list_passkeys(&link.org_id, &link.user_id).await {
                Ok(passkeys) => match &before {
                    Some(known) => {
                        if let Some(new) = passkeys.into_iter().find(|p| !known.contains(&p.id)) {
                            tracing::info!(org = %link.org_id, user = %link.user_id, "passkey registered");
                            return Ok(Registration::Registered(new));
                        }
                    }
                    None => before = Some(passkeys.into_iter().map(|p| p.id).collect()),
                },
                Err(e) if is_passing(&e) => {
                    tracing::debug!(code = %e.code(), "passkey poll failed; trying again")
                }
                Err(e) => return Err(e),
            }
            // Whichever comes first: the next look, or the expiry.
            let next = clock.now() + chrono::Duration::from_std(interval).unwrap_or_default();
            let (at, timer) = if next < link.expires_at {
                (next, Timer::Poll)
            } else {
                (link.expires_at, Timer::LinkRules)
            };
            clock.sleep_until(at, timer).await;
        }
    }

    /// The user's registered passkeys.
    pub async fn passkeys(&self, org: &OrgId, ident: &str) -> Result<(User, Vec<Passkey>)> {
        let user = self.resolve_user(org, ident).await?;
        let passkeys = self.client.list_passkeys(org, &user.id).await?;
        Ok((user, passkeys))
    }

    /// Whether the admin may replace a device in `org`: remove its passkeys (`user.write`)
    /// and make the new link that must follow — both, before anything is removed.
    pub async fn may_replace(&self, org: &OrgId) -> Result<()> {
        let permissions = self.client.my_permissions(org).await?;
        let capabilities = self.capabilities_of(org, &permissions);
        let lacks = if !capabilities.remove_passkeys {
            Some(Permissions::USER_WRITE)
        } else if !capabilities.create_link {
            Some(self.link_permission())
        } else {
            None
        };
        match lacks {
            Some(permission) => Err(Error::PermissionDenied {
                org: org.to_string(),
                permission: permission.into(),
                send_allowed: None,
            }),
            None => Ok(()),
        }
    }

    /// Removes one passkey of `ident` (a user of `org`), named by its id or its name. Never
    /// blind: the admin's permission (`user.write` in `org`), the user (in this org) and the
    /// passkey (one the user has now; a name that several passkeys share is refused) are
    /// checked before anything is removed.
    pub async fn remove_passkey(
        &self,
        org: &OrgId,
        ident: &str,
        passkey: &str,
    ) -> Result<(User, Passkey)> {
        let (capabilities, found) = tokio::join!(self.capabilities(org), self.passkeys(org, ident));
        if !capabilities?.remove_passkeys {
            return Err(Error::PermissionDenied {
                org: org.to_string(),
                permission: Permissions::USER_WRITE.into(),
                send_allowed: None,
            });
        }
        let (user, passkeys) = found?;
        let chosen = find_passkey(&passkeys, passkey, &user)?.clone();
        self.client
            .remove_passkey(org, &user.id, &chosen.id)
            .await?;
        tracing::info!(org = %org, user = %user.id, passkey = %chosen.id, "passkey removed");
        Ok((user, chosen))
    }
}

/// The passkey of `passkeys` that `choice` names: its id, else its name (ignoring case) if
/// exactly one passkey has that name.
pub fn find_passkey<'a>(passkeys: &'a [Passkey], choice: &str, user: &User) -> Result<&'a Passkey> {
    let choice = choice.trim();
    if let Some(by_id) = passkeys.iter().find(|p| p.id == choice) {
        return Ok(by_id);
    }
    let named: Vec<&Passkey> = passkeys
        .iter()
        .filter(|p| p.name.to_lowercase() == choice.to_lowercase())
        .collect();
    match named.as_slice() {
        [one] => Ok(one),
        [] => Err(Error::PasskeyNotFound {
            passkey: shown(choice),
            user: shown(user.label()),
        }),
        several => Err(Error::InvalidInput(format!(
            "{} passkeys of {} are named '{}': {}; use the id",
            several.len(),
            shown(user.label()),
            shown(choice),
            several
                .iter()
                .map(|p| shown(&p.id))
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

/// The server scoped the answer to `org`; this re-checks it, because a link for a user of
/// another org is exactly the mistake this app exists to prevent.
fn in_org(user: User, org: &OrgId, ident: &str) -> Result<User> {
    if &user.org_id == org {
        Ok(user)
    } else {
        Err(Error::UserNotFound {
            user: ident.to_string(),
            org: org.to_string(),
        })
    }
}

/// Failures worth another try a moment later.
fn is_passing(e: &Error) -> bool {
    matches!(
        e,
        Error::Network { .. }
            | Error::Timeout { .. }
            | Error::Unavailable { .. }
            | Error::RateLimited { .. }
    )
}

/// Server text inside an error message: no control or bidi characters, and short, since a
/// message goes to a terminal line, a log line and an error banner.
fn shown(text: &str) -> String {
    sanitize(text, 100)
}

/// Only active (or not yet initialised) people can register a passkey.
pub fn ensure_can_register(user: &User) -> Result<()> {
    if user.kind == UserKind::Machine {
        return Err(Error::NotHuman {
            user: shown(user.label()),
        });
    }
    if !user.state.can_register() {
        return Err(Error::UserNotActive {
            user: shown(user.label()),
            state: user.state.clone(),
        });
    }
    Ok(())
}
