//! What the desktop UI receives from the app's commands. Serialised as camelCase JSON; with the
//! `ts` feature, ts-rs generates the TypeScript types in `ui/src/bindings/` from these (and
//! from the model types), so the UI keeps no hand-written copy.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::auth::Method;
use crate::model::{Capabilities, Org, Passkey, User};

#[cfg(feature = "ts")]
use ts_rs::TS;

/// The settings screen.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct SettingsView {
    pub instance: Option<String>,
    pub client_id: Option<String>,
    pub default_org: Option<String>,
    pub login_host: Option<String>,
    pub ca_file: Option<String>,
    /// Clear a copied link from the clipboard after this many seconds (0: never).
    pub clipboard_clear_secs: u32,
}

/// "Test connection" passed: what was found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct ConnectionReport {
    pub issuer: String,
    /// The instance offers "sign in with your phone" (device grant).
    pub device_flow: bool,
    /// The client id is known to the instance (checked at the authorization endpoint).
    pub client_id_ok: bool,
}

/// Who is signed in, for the header.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    pub instance: String,
    pub method: Method,
    pub subject: String,
    pub login_name: Option<String>,
    pub name: Option<String>,
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub access_expires_at: Option<DateTime<Utc>>,
    pub renewable: bool,
}

/// A device sign-in waiting for the admin's phone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct DeviceView {
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: Option<String>,
    /// The verification URL as a QR code (SVG markup made by the app, safe to inline).
    pub qr_svg: String,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub expires_at: DateTime<Utc>,
}

/// The chosen organisation and what the admin may do there, with the reason for anything not
/// allowed (shown next to the disabled button).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct OrgView {
    pub org: Org,
    pub capabilities: Capabilities,
    pub create_link_reason: Option<String>,
    pub send_link_reason: Option<String>,
}

/// One user in the search results.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct UserRow {
    pub user: User,
    /// `None` when the count could not be read.
    pub passkey_count: Option<u32>,
}

/// A registration link on screen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct LinkView {
    pub user: User,
    pub org_id: String,
    pub link: String,
    /// The QR code of the link (SVG markup made by the app, safe to inline).
    pub qr_svg: String,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub expires_at: DateTime<Utc>,
}

/// How waiting for the registration ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(tag = "outcome", rename_all = "camelCase")]
pub enum RegistrationView {
    Registered {
        passkey: Passkey,
    },
    Expired,
    /// The link was closed (or replaced) before anything happened.
    Closed,
}
