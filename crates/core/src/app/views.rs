//! What the desktop UI receives from the app's commands. Serialised as camelCase JSON; with the
//! `ts` feature, ts-rs generates the TypeScript types in `ui/src/bindings/` from these (and
//! from the model types), so the UI keeps no hand-written copy.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::language::{Language, LanguageSetting};
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
    /// Wipe a link nobody touched for this many seconds (the presenter and kiosk rule).
    pub idle_timeout_secs: u32,
    /// Start in kiosk mode.
    pub kiosk: bool,
    /// Whether a kiosk PIN is set (read only here: the PIN has its own command).
    pub kiosk_pin_set: bool,
    /// The language of the admin's window: `auto` (the system's) or a fixed one.
    #[serde(default)]
    pub language: LanguageSetting,
    /// The language the admin's window shows now: `language` resolved (read only).
    #[serde(default)]
    pub ui_language: Language,
    /// The system's language, what `auto` resolves to (read only; the settings screen shows a
    /// choice at once, before it is saved).
    #[serde(default)]
    pub system_language: Language,
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
    /// The permission the admin lacks here to create links (the window words the reason).
    pub create_link_lacks: Option<String>,
    /// The permission the admin lacks here to send links via ZITADEL.
    pub send_link_lacks: Option<String>,
    /// Whether "Create link" can ask for a kind of passkey (this device only / security key
    /// only): the login UI the links go to reads `requestPlatformType`.
    pub authenticator_choice: bool,
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
    /// Nobody touched the screen for the idle timeout: the link was wiped.
    Idle,
    /// The link was closed (or replaced) before anything happened.
    Closed,
}

/// What a screen that faces the public (the presenter window, the kiosk) shows: only what
/// belongs to the person in front of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(tag = "phase", rename_all = "camelCase")]
pub enum ScreenView {
    /// Nothing: the next person starts here.
    Blank,
    /// The admin has to act (e.g. sign in again): a neutral "one moment".
    Paused,
    /// A link for this person.
    Showing(ShownLink),
    /// The passkey is registered; the QR and the link are gone.
    Registered(RegisteredPerson),
}

/// The public part of a link on screen: no login name, email or user id, and the link only
/// as a QR.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct ShownLink {
    pub org_name: String,
    pub display_name: String,
    /// The QR code of the link (SVG markup made by the app, safe to inline).
    pub qr_svg: String,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub expires_at: DateTime<Utc>,
    pub language: Language,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct RegisteredPerson {
    pub display_name: String,
    pub language: Language,
}

/// One state of the public screen; `version` grows with every change (for `screen_next`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct ScreenState {
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub version: u64,
    pub view: ScreenView,
}

/// A monitor the presenter window can go to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct MonitorView {
    pub name: String,
    pub width: u32,
    pub height: u32,
    pub x: i32,
    pub y: i32,
    pub primary: bool,
    /// The monitor "Present" uses now (the remembered one, else another than the admin's).
    pub chosen: bool,
}

/// Kiosk mode, as the admin's window sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct KioskView {
    pub active: bool,
    /// A PIN is set (leaving then needs it, or signing in again).
    pub pin_set: bool,
    /// After too many wrong PINs: seconds until the next try is checked.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub retry_after_secs: Option<u64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_public_screen_serialises_with_its_phase() {
        let json = serde_json::to_value(ScreenView::Registered(RegisteredPerson {
            display_name: "Zoë Müller".into(),
            language: Language::De,
        }))
        .unwrap();
        assert_eq!(
            json,
            serde_json::json!({"phase": "registered", "displayName": "Zoë Müller", "language": "de"})
        );
    }
}
