//! The app's own types. The rest of core and the front ends see these, never the wire models.

mod language;

pub use language::{os_language, system_language, Language, LanguageSetting};

use std::collections::BTreeSet;
use std::fmt;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::secret::Secret;

#[cfg(feature = "ts")]
use ts_rs::TS;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        #[cfg_attr(feature = "ts", derive(TS), ts(export, type = "string"))]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(id: impl Into<String>) -> Self {
                $name(id.into())
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(&self.0)
            }
        }
    };
}

id_type!(
    /// A ZITADEL organisation id (a decimal snowflake, kept as text).
    OrgId
);
id_type!(
    /// A ZITADEL user id.
    UserId
);

/// Whether a text looks like a ZITADEL resource id (only digits), as opposed to a name.
pub fn looks_like_id(text: &str) -> bool {
    !text.is_empty() && text.len() <= 32 && text.bytes().all(|b| b.is_ascii_digit())
}

/// An organisation the admin may act in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct Org {
    pub id: OrgId,
    pub name: String,
    pub primary_domain: Option<String>,
    /// The admin's roles that apply in this org (instance roles included).
    pub roles: Vec<String>,
}

/// The signed-in admin.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct Me {
    pub id: UserId,
    pub org_id: OrgId,
    pub user_name: String,
    pub login_name: String,
    pub display_name: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "lowercase")]
pub enum UserKind {
    Human,
    Machine,
}

#[derive(Clone, Debug, PartialEq, Eq)]
/// Serialised as its label (`"active"`, `"locked"`, …).
#[cfg_attr(feature = "ts", derive(TS), ts(export, type = "string"))]
pub enum UserState {
    Active,
    Inactive,
    Deleted,
    Locked,
    Suspend,
    Initial,
    Unspecified,
    /// A state this version does not know; kept so it can be shown, never treated as active.
    Other(String),
}

impl UserState {
    /// May this user register a passkey? ZITADEL onboards `INITIAL` users with exactly such a link.
    pub fn can_register(&self) -> bool {
        matches!(self, UserState::Active | UserState::Initial)
    }

    pub fn label(&self) -> &str {
        match self {
            UserState::Active => "active",
            UserState::Inactive => "inactive",
            UserState::Deleted => "deleted",
            UserState::Locked => "locked",
            UserState::Suspend => "suspended",
            UserState::Initial => "initial",
            UserState::Unspecified => "unspecified",
            UserState::Other(s) => s,
        }
    }
}

impl Serialize for UserState {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.label())
    }
}

impl fmt::Display for UserState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A ZITADEL user as the helpdesk sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct User {
    pub id: UserId,
    pub org_id: OrgId,
    pub kind: UserKind,
    pub state: UserState,
    pub user_name: String,
    pub login_name: String,
    pub display_name: String,
    pub email: Option<String>,
    pub email_verified: bool,
    pub preferred_language: Option<String>,
}

impl User {
    /// How to name this user in a message: the login name, else the user name, else the id.
    pub fn label(&self) -> &str {
        [&self.login_name, &self.user_name]
            .into_iter()
            .find(|s| !s.is_empty())
            .map(String::as_str)
            .unwrap_or(self.id.as_str())
    }
}

/// One page of a user search.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct UserPage {
    pub users: Vec<User>,
    /// All matches on the server, not only this page.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub total: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "lowercase")]
pub enum PasskeyState {
    Ready,
    NotReady,
    Removed,
    Unspecified,
}

/// A registered passkey (ZITADEL: passwordless authenticator).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct Passkey {
    pub id: String,
    pub name: String,
    pub state: PasskeyState,
}

/// A passkey registration link, checked against the instance's origin before it exists here.
#[derive(Clone, Debug)]
pub struct RegistrationLink {
    pub link: Secret<String>,
    pub expires_at: DateTime<Utc>,
    pub user_id: UserId,
    pub org_id: OrgId,
    /// The user's passkey ids when the link was made, so that a new registration can be told
    /// apart from the passkeys the user already had (`None`: not known yet).
    pub passkeys_before: Option<Vec<String>>,
    /// `expires_at` is ZITADEL's default lifetime, not the instance's own: a v2 code's answer
    /// names no expiry (the lifetime is an instance setting, 1 h unless changed).
    pub expiry_estimated: bool,
    /// Which call made it and who built the link.
    pub via: LinkVia,
}

/// How a registration link came to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum LinkVia {
    /// v1 `_link`: ZITADEL built the link (Login UI v1).
    V1Link,
    /// v2 `CreatePasskeyRegistrationLink` with `returnCode`, the link built here in the
    /// Login UI v1 format.
    V2LoginV1,
    /// … in the Login UI v2 format (`/ui/v2/login/passkey/set`).
    V2LoginV2,
    /// … from the configured link template.
    V2Template,
}

impl LinkVia {
    /// `"v1"` or `"v2"`: the API that created the code.
    pub fn api(self) -> &'static str {
        match self {
            LinkVia::V1Link => "v1",
            _ => "v2",
        }
    }
}

/// How waiting for a registration ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Registration {
    /// A passkey that was not there when the link was made.
    Registered(Passkey),
    /// The link expired first.
    Expired,
}

/// The admin's ZITADEL permissions in one org (`ListMyZitadelPermissions`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Permissions(BTreeSet<String>);

impl Permissions {
    pub const USER_READ: &'static str = "user.read";
    pub const USER_WRITE: &'static str = "user.write";
    pub const USER_CREDENTIAL_WRITE: &'static str = "user.credential.write";
    /// The v2 `CreatePasskeyRegistrationLink` permission (IAM_USER_MANAGER has it without
    /// `user.credential.write`).
    pub const USER_PASSKEY_WRITE: &'static str = "user.passkey.write";

    pub fn has(&self, permission: &str) -> bool {
        self.0.contains(permission)
    }

    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(String::as_str)
    }
}

impl FromIterator<String> for Permissions {
    fn from_iter<I: IntoIterator<Item = String>>(iter: I) -> Self {
        Permissions(iter.into_iter().collect())
    }
}

/// What the admin can do for users of one org, decided from [`Permissions`] before any button
/// is pressed (an ORG_USER_MANAGER may send the link by email but not show it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct Capabilities {
    pub org_id: OrgId,
    pub search_users: bool,
    pub create_link: bool,
    pub send_link: bool,
    pub list_passkeys: bool,
    /// v1 `RemoveHumanPasswordless` and v2 `RemovePasskey` both need `user.write`.
    pub remove_passkeys: bool,
}

impl Capabilities {
    pub fn from_permissions(org_id: OrgId, p: &Permissions) -> Self {
        Capabilities {
            org_id,
            search_users: p.has(Permissions::USER_READ),
            // v1 `_link` or, without it, the v2 registration code (zitadel-api.md §4).
            create_link: p.has(Permissions::USER_CREDENTIAL_WRITE)
                || p.has(Permissions::USER_PASSKEY_WRITE),
            send_link: p.has(Permissions::USER_WRITE),
            list_passkeys: p.has(Permissions::USER_READ),
            remove_passkeys: p.has(Permissions::USER_WRITE),
        }
    }
}
