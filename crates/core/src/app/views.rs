//! What the desktop UI receives from the app's commands. Serialised as camelCase JSON; with the
//! `ts` feature, ts-rs generates the TypeScript types in `ui/src/bindings/` from these (and
//! from the model types), so the UI keeps no hand-written copy.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::auth::Method;
use crate::error::ErrorReport;
use crate::model::{Capabilities, Org, User};
use crate::model::{Language, LanguageSetting};

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
    /// Kiosk mode: the admin side locks itself after this many seconds without an operator's
    /// touch (and at once when a link is shown to the person).
    pub kiosk_relock_secs: u32,
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
    /// The permission the admin lacks here to remove passkeys.
    pub remove_passkeys_lacks: Option<String>,
    /// Whether "Create link" can ask for a kind of passkey (this device only / security key
    /// only): the login UI the links go to reads `requestPlatformType`.
    pub authenticator_choice: bool,
    /// The org's identity checklist: where it has items, *Create link* and *Send* wait until
    /// the admin ticked how the person was verified (the core refuses them until then).
    pub identity_checks: Vec<String>,
}

/// One user in the search results.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct UserRow {
    pub user: User,
    /// `None` until it was asked for ([`crate::app::DeskApp::passkey_counts`]), or when it
    /// could not be read.
    pub passkey_count: Option<u32>,
}

/// How many passkeys one person of the last search has (`None`: could not be read).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct PasskeyCount {
    pub user_id: String,
    pub count: Option<u32>,
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
    /// `expiresAt` is ZITADEL's default lifetime (the answer named none): shown as "about".
    pub expiry_estimated: bool,
    /// A replacement: the names of the old device's passkeys, removed once this link's
    /// passkey is registered (nothing is removed if it expires or is closed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[cfg_attr(feature = "ts", ts(optional, as = "Option<Vec<String>>"))]
    pub retiring: Vec<String>,
}

/// A QR code saved as a PNG: where, and until when the link in it works (a printout or a file
/// outlives the screen; the window says so).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct SavedPng {
    pub path: String,
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub valid_until: DateTime<Utc>,
    pub expiry_estimated: bool,
}

/// The link on the admin's screen: live, or how it ended. Once it ended only the person is
/// kept (and, after a registration, the new passkey): nothing of the link stays.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(tag = "phase", rename_all = "camelCase")]
pub enum LinkState {
    Live {
        link: LinkView,
    },
    /// A passkey appeared that was not there when the link was made: which one, and when it
    /// was seen (so a passkey registered by someone else is noticed at the desk).
    Registered {
        user: User,
        passkey: NewPasskey,
        /// A replacement: what became of the old device's passkeys.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        #[cfg_attr(
            feature = "ts",
            ts(optional, as = "Option<Vec<crate::links::Retired>>")
        )]
        retired: Vec<crate::links::Retired>,
    },
    Expired {
        user: User,
    },
    /// Nobody touched the public screen for the idle timeout: the link was wiped.
    Idle {
        user: User,
    },
    /// Watching the link failed (e.g. the session ended): it was wiped.
    Failed {
        user: User,
        error: ErrorReport,
    },
}

/// A passkey that appeared while a link was up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct NewPasskey {
    pub id: String,
    pub name: String,
    /// When the desk saw it (ZITADEL's passkey list has no creation time).
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub seen_at: DateTime<Utc>,
}

/// The admin's side of the desk, pushed to the admin's window on every change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct DeskView {
    pub kiosk: KioskView,
    /// `None` while the kiosk is locked: nothing of the workspace leaves the core then.
    pub workspace: Option<Workspace>,
}

/// What the admin works with: who is signed in, where, for whom, and the link.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct Workspace {
    pub session: Option<SessionView>,
    /// Why the last session ended on its own (the sign-in screen says it); `None` after a
    /// sign-in or a sign-out.
    pub session_lost: Option<ErrorReport>,
    pub org: Option<OrgView>,
    pub selected: Option<UserRow>,
    pub link: Option<LinkState>,
    /// The presenter window's monitor while it is open.
    pub presenting: Option<MonitorView>,
    /// The coverage count of the current org, while it runs and once it ended.
    pub coverage: Option<CoverageView>,
    /// The enrollment day's queue of the current org (`None`: no queue yet).
    pub queue: Option<QueueView>,
}

/// The queue panel: everyone of the day in order, who is at the desk, how far the day is,
/// and the remote wave while it sends.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct QueueView {
    pub org_id: String,
    pub people: Vec<crate::queue::QueuePerson>,
    /// The user id of the person at the desk.
    pub current: Option<String>,
    pub summary: crate::queue::QueueSummary,
    /// "23 of 40 registered, 3 skipped, …"
    pub summary_text: String,
    /// The remote wave while it runs.
    pub sending: Option<Sending>,
    /// How the last remote wave went.
    pub sent: Option<crate::links::BulkSend>,
}

impl QueueView {
    pub fn of(queue: &crate::queue::Queue) -> QueueView {
        let summary = queue.summary();
        QueueView {
            org_id: queue.org_id.clone(),
            people: queue.people.clone(),
            current: queue.current.clone(),
            summary_text: summary.to_string(),
            summary,
            sending: None,
            sent: None,
        }
    }
}

/// A roster read and looked up, before anyone is added to the queue: what each line found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct ImportView {
    pub matches: Vec<crate::roster::RosterMatch>,
    pub counts: crate::roster::MatchCounts,
    /// Lines that named someone a second time (left out).
    pub repeated: Vec<crate::roster::RosterLine>,
    /// The header cell of the column read, when the roster had a header row.
    pub column: Option<String>,
    /// Ready people already in the queue (they are not added twice).
    pub queued_already: u32,
}

/// The coverage panel: how far the count of an org is, who has no passkey yet (the first
/// [`crate::app::COVERAGE_LISTED`] of them), and the bulk send to them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct CoverageView {
    pub org_id: String,
    /// Which count this is (a stopped or replaced count's late answers are dropped).
    #[serde(skip)]
    pub generation: u64,
    pub phase: CoveragePhase,
    pub progress: crate::coverage::CoverageProgress,
    pub without: Vec<User>,
    /// How many people without a passkey the count found so far (`without` lists the first).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub without_total: u64,
    /// Why the count stopped, when it failed.
    pub error: Option<ErrorReport>,
    /// The bulk send while it runs.
    pub sending: Option<Sending>,
    /// How the last bulk send went.
    pub sent: Option<crate::links::BulkSend>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub enum CoveragePhase {
    Counting,
    Done,
    /// The admin stopped it: the counts are what it had.
    Stopped,
    Failed,
}

/// How far a bulk send is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
pub struct Sending {
    pub done: u32,
    pub of: u32,
}

/// What a screen that faces the public (the presenter window, the kiosk) shows: only what
/// belongs to the person in front of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(tag = "phase", rename_all = "camelCase")]
pub enum ScreenView {
    /// A neutral welcome: the next person starts here, nothing of anyone.
    Welcome(Welcome),
    /// The admin has to act (e.g. sign in again): a neutral "one moment".
    Paused,
    /// A link for this person.
    Showing(ShownLink),
    /// The passkey is registered; the QR and the link are gone.
    Registered(RegisteredPerson),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct Welcome {
    /// The organisation the desk works for, if one is chosen.
    pub org_name: Option<String>,
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
    /// The name of the passkey that was registered (as the person's device named it).
    pub passkey_name: String,
    pub language: Language,
}

/// What a public window receives: the screen, and for the kiosk's window the operator's ways
/// to unlock the admin side (never anything of the workspace).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct PublicView {
    pub screen: ScreenView,
    /// Only for the kiosk's window while kiosk mode is on.
    pub unlock: Option<UnlockOptions>,
}

/// How an operator can unlock the kiosk from its public window.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct UnlockOptions {
    /// A PIN is set.
    pub pin_set: bool,
    /// After wrong PINs: no try is checked before this time.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub pin_retry_at: Option<DateTime<Utc>>,
    /// "Unlock with your phone" (the device grant) is possible: a client id is configured.
    pub phone: bool,
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
    /// Kiosk mode is on.
    pub active: bool,
    /// The admin side is locked (only the public screen and the unlock are reachable).
    pub locked: bool,
    pub unlock: UnlockOptions,
    /// While unlocked: when the admin side locks itself again unless an operator acts.
    #[cfg_attr(feature = "ts", ts(type = "string | null"))]
    pub relocks_at: Option<DateTime<Utc>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_public_screen_serialises_with_its_phase() {
        let json = serde_json::to_value(ScreenView::Registered(RegisteredPerson {
            display_name: "Zoë Müller".into(),
            passkey_name: "iPhone".into(),
            language: Language::De,
        }))
        .unwrap();
        assert_eq!(
            json,
            serde_json::json!({"phase": "registered", "displayName": "Zoë Müller", "passkeyName": "iPhone", "language": "de"})
        );
        let json = serde_json::to_value(ScreenView::Welcome(Welcome { org_name: None })).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"phase": "welcome", "orgName": null})
        );
    }
}
