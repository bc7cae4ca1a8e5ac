//! The desktop app's behaviour, written against a small [`Host`] so it runs (and is tested)
//! without a window: the Tauri commands are one-line adapters over [`DeskApp`].

mod language;
mod prefs;
mod screen;
mod views;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::Notify;

pub use language::{system_language, Language, LanguageSetting};
pub use views::*;

use crate::audit::{AuditAction, AuditEntry, AuditFilter, AuditLog, AuditSubject};
use crate::auth::{Auth, DeviceLogin, LoginOptions, Method, SecretStore, Session, SessionIndex};
use crate::client::{instance_origin, Authenticator, TokenProvider};
use crate::config::{Config, Overrides, Settings};
use crate::error::{Error, ErrorReport, Result};
use crate::kiosk::{PinGate, PinHash, Wipe};
use crate::model::{OrgId, UserId};
use crate::qr::Qr;
use crate::{Desk, ZitadelClient};

use prefs::Preferences;
use screen::LinkSlot;

/// What the app needs from the desktop around it.
pub trait Host: Send + Sync + 'static {
    /// Opens a URL in the system browser or mail client.
    fn open(&self, url: &str) -> Result<()>;
    fn write_clipboard(&self, text: &str) -> Result<()>;
    fn read_clipboard(&self) -> Option<String>;
    /// Where "Save PNG" puts files.
    fn downloads_dir(&self) -> Option<PathBuf>;

    /// The monitors a presenter window can go to (none: presenting is not possible here).
    fn monitors(&self) -> Vec<Monitor> {
        Vec::new()
    }
    /// Opens (or moves) the presenter window, fullscreen on `monitor`.
    fn open_presenter(&self, _monitor: &Monitor) -> Result<()> {
        Err(Error::Input(
            "this desktop cannot open a presenter window".into(),
        ))
    }
    fn close_presenter(&self) {}
    /// Locks the admin's window down for kiosk mode (fullscreen, always on top, no
    /// decorations), or releases it.
    fn set_kiosk(&self, _on: bool) -> Result<()> {
        Ok(())
    }
}

/// A monitor as the desktop reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Monitor {
    pub name: String,
    pub width: u32,
    pub height: u32,
    pub x: i32,
    pub y: i32,
    pub primary: bool,
}

/// Which monitor "Present" uses: the one asked for, else the remembered one if it is still
/// connected, else one that is not the admin's (primary) monitor, else the only one.
pub fn choose_monitor<'m>(
    monitors: &'m [Monitor],
    asked: Option<&str>,
    remembered: Option<&str>,
) -> Option<&'m Monitor> {
    let named = |name: Option<&str>| name.and_then(|n| monitors.iter().find(|m| m.name == n));
    named(asked)
        .or_else(|| named(remembered))
        .or_else(|| monitors.iter().find(|m| !m.primary))
        .or_else(|| monitors.first())
}

/// Where the app keeps its files.
#[derive(Clone, Debug)]
pub struct AppPaths {
    pub config_file: PathBuf,
    pub data_dir: PathBuf,
}

/// Search results shown at once.
const SEARCH_LIMIT: u32 = 20;
const DEFAULT_CLIPBOARD_CLEAR_SECS: u32 = 60;
const DEFAULT_IDLE_TIMEOUT_SECS: u32 = 120;
/// The longest a `screen_next` call waits before it answers with the unchanged screen.
const SCREEN_WAIT: Duration = Duration::from_secs(25);

struct Live {
    session: Arc<Session>,
    desk: Arc<Desk>,
}

/// Kiosk mode: whether the window is locked, and the PIN gate that guards leaving it.
#[derive(Default)]
struct Kiosk {
    active: bool,
    gate: Option<PinGate>,
    /// The presenter window is open.
    presenting: bool,
}

/// One desktop app: settings, the signed-in session, the chosen org, the link on screen.
pub struct DeskApp {
    host: Arc<dyn Host>,
    paths: AppPaths,
    store: Arc<dyn SecretStore>,
    config: Mutex<Config>,
    live: Mutex<Option<Live>>,
    org: Mutex<Option<OrgView>>,
    slot: Arc<LinkSlot>,
    audit: Arc<AuditLog>,
    kiosk: Mutex<Kiosk>,
    device: tokio::sync::Mutex<Option<DeviceLogin>>,
    cancel_sign_in: Notify,
    /// What `language = "auto"` resolves to (the system's language, read at start).
    system_language: Language,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl DeskApp {
    pub fn new(
        host: Arc<dyn Host>,
        paths: AppPaths,
        store: Arc<dyn SecretStore>,
    ) -> Result<DeskApp> {
        let config = Config::load_from(&paths.config_file)?;
        // No idle rule until a screen faces the public (presenter or kiosk).
        let audit = Arc::new(AuditLog::for_config(&paths.data_dir, &config));
        let slot = Arc::new(LinkSlot::new(host.clone(), None, audit.clone()));
        Ok(DeskApp {
            host,
            paths,
            store,
            config: Mutex::new(config),
            live: Mutex::new(None),
            org: Mutex::new(None),
            slot,
            audit,
            kiosk: Mutex::new(Kiosk::default()),
            device: tokio::sync::Mutex::new(None),
            cancel_sign_in: Notify::new(),
            system_language: system_language(|name| std::env::var(name).ok()),
        })
    }

    // ---- settings -------------------------------------------------------------------------

    pub fn settings_get(&self) -> SettingsView {
        let c = lock(&self.config);
        SettingsView {
            instance: c.instance.clone(),
            client_id: c.client_id.clone(),
            default_org: c.default_org.clone(),
            login_host: c.login_host.clone(),
            ca_file: c.ca_file.as_ref().map(|p| p.display().to_string()),
            clipboard_clear_secs: c
                .clipboard_clear_secs
                .unwrap_or(DEFAULT_CLIPBOARD_CLEAR_SECS),
            idle_timeout_secs: c.idle_timeout_secs.unwrap_or(DEFAULT_IDLE_TIMEOUT_SECS),
            kiosk: c.kiosk,
            kiosk_pin_set: c.kiosk_pin.is_some(),
            language: c.language,
            ui_language: c.language.resolve(self.system_language),
            system_language: self.system_language,
        }
    }

    /// Checks and saves the settings. Another instance ends the session on screen (the stored
    /// one stays in the keyring for when the admin switches back).
    pub fn settings_save(&self, view: SettingsView) -> Result<SettingsView> {
        self.refuse_in_kiosk("change the settings")?;
        let mut config = config_of(&view)?;
        // The PIN has its own command; saving the other settings keeps it.
        config.kiosk_pin = lock(&self.config).kiosk_pin.clone();
        // The API and link settings are not in the window's form: saving keeps the file's.
        {
            let old = lock(&self.config);
            config.api = old.api;
            config.login_ui = old.login_ui;
            config.link_template = old.link_template.clone();
            config.audit_max_bytes = old.audit_max_bytes;
        }
        Settings::resolve(&Overrides::default(), |_| None, &config)?;
        let changed_instance = lock(&self.config).instance != config.instance;
        config.save_to(&self.paths.config_file)?;
        *lock(&self.config) = config;
        self.update_idle_rule();
        if changed_instance {
            self.forget_live();
        }
        Ok(self.settings_get())
    }

    /// "Test connection": discovery, then whether the instance knows the client id.
    pub async fn connection_test(&self, view: SettingsView) -> Result<ConnectionReport> {
        let settings = Settings::resolve(&Overrides::default(), |_| None, &config_of(&view)?)?;
        let provider =
            crate::auth::Provider::discover(&settings.instance, &settings.client).await?;
        let client_id_ok = match settings.client_id.as_deref() {
            Some(client_id) => {
                provider.check_client(client_id).await?;
                true
            }
            None => false,
        };
        Ok(ConnectionReport {
            issuer: provider.issuer().to_string(),
            device_flow: provider.supports_device_flow(),
            client_id_ok,
        })
    }

    fn settings(&self) -> Result<Settings> {
        Settings::resolve(&Overrides::default(), |_| None, &lock(&self.config))
    }

    fn auth(&self, settings: &Settings) -> Auth {
        Auth::new(
            settings.instance.clone(),
            settings.client.clone(),
            self.store.clone(),
            SessionIndex::at(self.paths.data_dir.join("sessions.toml")),
        )
    }

    fn prefs(&self) -> Preferences {
        Preferences::at(self.paths.data_dir.join("preferences.toml"))
    }

    // ---- session --------------------------------------------------------------------------

    async fn go_live(&self, settings: &Settings, session: Session) -> Result<SessionView> {
        let session = Arc::new(session);
        let client = ZitadelClient::with_tokens(
            settings.instance.as_str(),
            session.clone(),
            settings.client.clone(),
        )?;
        let live = Live {
            session: session.clone(),
            desk: Arc::new(Desk::new(client)),
        };
        *lock(&self.live) = Some(live);
        // A public screen that waited for the admin starts again from blank.
        self.slot.blank();
        Ok(session_view(&session).await)
    }

    fn forget_live(&self) {
        *lock(&self.live) = None;
        *lock(&self.org) = None;
        self.slot
            .close(Wipe::Cancelled, AuditAction::WipedSessionEnd);
    }

    fn live(&self) -> Result<(Arc<Session>, Arc<Desk>)> {
        lock(&self.live)
            .as_ref()
            .map(|l| (l.session.clone(), l.desk.clone()))
            .ok_or_else(|| Error::NotSignedIn {
                hint: "sign in first".into(),
            })
    }

    /// The session on screen, or the stored one for the configured instance.
    pub async fn session_get(&self) -> Result<Option<SessionView>> {
        if let Ok((session, _)) = self.live() {
            return Ok(Some(session_view(&session).await));
        }
        let Ok(settings) = self.settings() else {
            return Ok(None);
        };
        match self.auth(&settings).restore().await? {
            Some(session) => {
                // Renew now, so that a dead session is found before the admin starts working.
                session.access_token().await?;
                self.go_live(&settings, session).await.map(Some)
            }
            None => Ok(None),
        }
    }

    /// Browser sign-in (PKCE): the host opens the system browser.
    pub async fn sign_in_browser(&self) -> Result<SessionView> {
        let host = self.host.clone();
        self.sign_in_browser_with(move |url| async move { host.open(&url) })
            .await
    }

    /// Browser sign-in with another way to open the URL (the demo plays the browser itself).
    pub async fn sign_in_browser_with<F>(
        &self,
        open: impl FnOnce(String) -> F,
    ) -> Result<SessionView>
    where
        F: std::future::Future<Output = Result<()>>,
    {
        let settings = self.settings()?;
        let options = LoginOptions {
            client_id: settings.require_client_id()?.to_string(),
            ..LoginOptions::default()
        };
        let session = self
            .auth(&settings)
            .browser_sign_in(&options, open, self.cancel_sign_in.notified())
            .await?;
        self.go_live(&settings, session).await
    }

    pub async fn sign_in_device_start(&self) -> Result<DeviceView> {
        let settings = self.settings()?;
        let pending = self
            .auth(&settings)
            .start_device_login(settings.require_client_id()?)
            .await?;
        let view = DeviceView {
            user_code: pending.user_code().to_string(),
            verification_uri: pending.verification_uri().to_string(),
            verification_uri_complete: pending.verification_uri_complete().map(str::to_string),
            qr_svg: pending.qr()?.svg(),
            expires_at: chrono::Utc::now()
                + chrono::Duration::from_std(pending.expires_in()).unwrap_or_default(),
        };
        *self.device.lock().await = Some(pending);
        Ok(view)
    }

    pub async fn sign_in_device_finish(&self) -> Result<SessionView> {
        let settings = self.settings()?;
        let pending =
            self.device.lock().await.take().ok_or_else(|| {
                Error::Input("no phone sign-in is waiting: start it again".into())
            })?;
        let client_id = settings.require_client_id()?.to_string();
        let tokens = tokio::select! {
            tokens = pending.finish() => tokens?,
            _ = self.cancel_sign_in.notified() => return Err(Error::SignInCancelled),
        };
        let session = self
            .auth(&settings)
            .complete(Method::Device, &client_id, tokens)
            .await?;
        self.go_live(&settings, session).await
    }

    pub async fn sign_in_cancel(&self) {
        self.device.lock().await.take();
        self.cancel_sign_in.notify_waiters();
    }

    pub async fn sign_out(&self) -> Result<()> {
        let live = lock(&self.live).take();
        self.forget_live();
        if let Some(live) = live {
            live.session.sign_out().await?;
        }
        Ok(())
    }

    // ---- organisations --------------------------------------------------------------------

    pub async fn orgs_list(&self) -> Result<Vec<crate::model::Org>> {
        let (_, desk) = self.live()?;
        desk.orgs().await
    }

    /// Chooses the org to act in, reads the admin's permissions there, and remembers it.
    pub async fn org_select(&self, org_id: &str) -> Result<OrgView> {
        let (session, desk) = self.live()?;
        let orgs = desk.orgs().await?;
        let org = match orgs.into_iter().find(|o| o.id.as_str() == org_id) {
            Some(org) => org,
            None => desk.resolve_org(Some(org_id)).await?,
        };
        let access = desk.org_access(&org.id).await?;
        let view = OrgView {
            org,
            capabilities: access.capabilities,
            create_link_lacks: access.create_link_lacks,
            send_link_lacks: access.send_link_lacks,
            authenticator_choice: access.authenticator_choice,
        };
        self.prefs()
            .remember_org(&session.info().await.instance, view.org.id.as_str())?;
        *lock(&self.org) = Some(view.clone());
        Ok(view)
    }

    /// The remembered org, with fresh permissions; forgotten if the server says it is gone.
    pub async fn org_current(&self) -> Result<Option<OrgView>> {
        if let Some(view) = lock(&self.org).clone() {
            return Ok(Some(view));
        }
        let (session, _) = self.live()?;
        let instance = session.info().await.instance;
        let remembered = self.prefs().last_org(&instance)?;
        let configured = lock(&self.config).default_org.clone();
        let Some(org_id) = remembered.or(configured) else {
            return Ok(None);
        };
        match self.org_select(&org_id).await {
            Ok(view) => Ok(Some(view)),
            Err(Error::OrgNotFound { .. }) => {
                self.prefs().forget_org(&instance)?;
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    fn org_id(&self) -> Result<OrgId> {
        lock(&self.org)
            .as_ref()
            .map(|o| o.org.id.clone())
            .ok_or_else(|| Error::Input("choose an organisation first".into()))
    }

    // ---- users ----------------------------------------------------------------------------

    /// Users of the current org matching `query`, with their passkey counts (read in parallel).
    pub async fn users_search(&self, query: &str) -> Result<Vec<UserRow>> {
        let (_, desk) = self.live()?;
        let org = self.org_id()?;
        let page = desk.search_users(&org, query, SEARCH_LIMIT).await?;
        let mut counts = tokio::task::JoinSet::new();
        for (i, user) in page.users.iter().enumerate() {
            let (desk, org, id) = (desk.clone(), org.clone(), user.id.clone());
            counts.spawn(async move {
                (
                    i,
                    desk.client()
                        .list_passkeys(&org, &id)
                        .await
                        .ok()
                        .map(|p| p.len() as u32),
                )
            });
        }
        let mut rows: Vec<UserRow> = page
            .users
            .into_iter()
            .map(|user| UserRow {
                user,
                passkey_count: None,
            })
            .collect();
        while let Some(joined) = counts.join_next().await {
            if let Ok((i, count)) = joined {
                rows[i].passkey_count = count;
            }
        }
        Ok(rows)
    }

    // ---- the link -------------------------------------------------------------------------

    /// Creates a link for a user of the current org; it replaces (and wipes) any link on screen.
    /// The link's guard then watches for the registration and applies the wipe rules.
    pub async fn link_create(&self, user_id: &str) -> Result<LinkView> {
        self.link_create_with(user_id, Authenticator::Any).await
    }

    /// [`DeskApp::link_create`] asking for a kind of passkey, where the org's links allow it
    /// ([`OrgView::authenticator_choice`]).
    pub async fn link_create_with(
        &self,
        user_id: &str,
        authenticator: Authenticator,
    ) -> Result<LinkView> {
        let (_, desk) = self.live()?;
        let org = self.org_id()?;
        let org_name = lock(&self.org)
            .as_ref()
            .map(|o| o.org.name.clone())
            .unwrap_or_default();
        self.close_link();
        let mut subject = self.audit_subject(&org, &org_name, user_id).await;
        let (user, link) = match desk.create_link_with(&org, user_id, authenticator).await {
            Ok(created) => created,
            Err(e) => {
                self.audit
                    .record(&subject.entry(AuditAction::Created, Err(e.code())));
                return Err(e);
            }
        };
        subject.login_name = user.login_name.clone();
        subject.user_id = user.id.to_string();
        subject.expires_at = Some(link.expires_at);
        self.audit
            .record(&subject.entry(AuditAction::Created, Ok(())));
        let view = LinkView {
            qr_svg: Qr::new(link.link.expose())?.svg(),
            link: link.link.expose().clone(),
            expires_at: link.expires_at,
            org_id: org.to_string(),
            user,
        };
        self.slot.show(desk, view.clone(), link, org_name, subject);
        Ok(view)
    }

    fn active_link(&self) -> Result<LinkView> {
        self.slot
            .current()
            .map(|(view, _)| view)
            .ok_or_else(|| Error::Input("no link on screen: create one first".into()))
    }

    /// Waits until the link on screen ends: the user registered a passkey, it expired, nobody
    /// touched it for the idle timeout, or it was closed. The link is wiped in every case; a
    /// failure (e.g. the session ended) leaves the public screen on "one moment".
    pub async fn link_wait(&self) -> std::result::Result<RegistrationView, ErrorReport> {
        self.slot.wait().await
    }

    /// Copies the link; clears the clipboard later if it still holds the link.
    pub fn link_copy(&self) -> Result<()> {
        self.refuse_in_kiosk("copy the link")?;
        let view = self.active_link()?;
        self.slot.activity();
        let written = self.host.write_clipboard(&view.link);
        self.slot.record(
            AuditAction::Copied,
            written.as_ref().map(|_| ()).map_err(|e| e.code()),
        );
        written?;
        let secs = self.settings_get().clipboard_clear_secs;
        if secs > 0 {
            let host = self.host.clone();
            tokio::spawn(async move {
                tokio::time::sleep(Duration::from_secs(u64::from(secs))).await;
                if host.read_clipboard().as_deref() == Some(view.link.as_str()) {
                    let _ = host.write_clipboard("");
                }
            });
        }
        Ok(())
    }

    /// Opens the mail client with the link, addressed to the user.
    pub fn link_email(&self) -> Result<()> {
        self.refuse_in_kiosk("email the link")?;
        let view = self.active_link()?;
        self.slot.activity();
        let opened = self
            .host
            .open(crate::link::mailto(&view.user, &view.link, view.expires_at).as_str());
        self.slot.record(
            AuditAction::Emailed,
            opened.as_ref().map(|_| ()).map_err(|e| e.code()),
        );
        opened
    }

    /// Saves the QR as a 1024 px PNG in the Downloads folder; returns its path.
    pub fn link_save_png(&self) -> Result<String> {
        self.refuse_in_kiosk("save the QR code")?;
        let view = self.active_link()?;
        self.slot.activity();
        let dir = self
            .host
            .downloads_dir()
            .ok_or_else(|| Error::Input("no Downloads folder on this system".into()))?;
        let safe_name: String = view
            .user
            .user_name
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || c == '.' || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let path = dir.join(format!(
            "passkey-link-{safe_name}-{}.png",
            view.expires_at.format("%Y%m%d-%H%M")
        ));
        let png = Qr::new(&view.link)?.png(1024)?;
        std::fs::write(&path, png)
            .map_err(|e| Error::Input(format!("cannot write {}: {e}", path.display())))?;
        Ok(path.display().to_string())
    }

    /// Asks ZITADEL to email the link to the user (the ORG_USER_MANAGER's way).
    pub async fn link_send(&self, user_id: &str) -> Result<crate::model::User> {
        let (_, desk) = self.live()?;
        let org = self.org_id()?;
        self.slot.activity();
        let org_name = lock(&self.org)
            .as_ref()
            .map(|o| o.org.name.clone())
            .unwrap_or_default();
        let mut subject = self.audit_subject(&org, &org_name, user_id).await;
        let sent = desk.send_link(&org, user_id).await;
        if let Ok(user) = &sent {
            subject.user_id = user.id.to_string();
            subject.login_name = user.login_name.clone();
        }
        self.audit.record(&subject.entry(
            AuditAction::Sent,
            sent.as_ref().map(|_| ()).map_err(|e| e.code()),
        ));
        sent
    }

    /// Who acts where for whom, as the audit log names them.
    async fn audit_subject(&self, org: &OrgId, org_name: &str, user_id: &str) -> AuditSubject {
        match self.live() {
            Ok((session, _)) => {
                AuditSubject::of(&session.info().await, org.as_str(), org_name, user_id)
            }
            Err(_) => AuditSubject {
                org_id: org.to_string(),
                user_id: user_id.to_string(),
                ..AuditSubject::default()
            },
        }
    }

    // ---- the audit log --------------------------------------------------------------------

    /// The audit log's entries that match, newest first (not in kiosk mode).
    pub fn audit_list(&self, filter: AuditFilter) -> Result<Vec<AuditEntry>> {
        self.refuse_in_kiosk("read the audit log")?;
        self.audit.read(&filter)
    }

    /// Writes the matching entries as CSV into the Downloads folder; returns its path.
    pub fn audit_export_csv(&self, filter: AuditFilter) -> Result<String> {
        self.refuse_in_kiosk("export the audit log")?;
        let dir = self
            .host
            .downloads_dir()
            .ok_or_else(|| Error::Input("no Downloads folder on this system".into()))?;
        Ok(self.audit.export_csv(&filter, &dir)?.display().to_string())
    }

    /// Wipes the link on screen (the admin's "Close"); a pending `link_wait` ends with
    /// `Closed`, and the public screen goes blank.
    pub fn close_link(&self) {
        self.slot.close(Wipe::Cancelled, AuditAction::WipedClosed);
    }

    /// The user id of the link on screen (for tests and the UI's state checks).
    pub fn current_link_user(&self) -> Option<UserId> {
        self.slot.current().map(|(_, link)| link.user_id)
    }

    // ---- the public screen: presenter window and kiosk ------------------------------------

    /// What the public screen shows now.
    pub fn screen_get(&self) -> ScreenState {
        self.slot.screen()
    }

    /// The public screen once it differs from version `seen` (or unchanged after 25 s).
    pub async fn screen_next(&self, seen: u64) -> ScreenState {
        self.slot.screen_next(seen, SCREEN_WAIT).await
    }

    /// Someone touched the public screen: the idle clock starts again.
    pub fn screen_activity(&self) {
        self.slot.activity();
    }

    /// The monitors the presenter can use, the chosen one marked.
    pub fn presenter_monitors(&self) -> Result<Vec<MonitorView>> {
        let monitors = self.host.monitors();
        let remembered = self.prefs().presenter_monitor()?;
        let chosen = choose_monitor(&monitors, None, remembered.as_deref()).map(|m| m.name.clone());
        Ok(monitors
            .into_iter()
            .map(|m| MonitorView {
                chosen: Some(&m.name) == chosen.as_ref(),
                name: m.name,
                width: m.width,
                height: m.height,
                x: m.x,
                y: m.y,
                primary: m.primary,
            })
            .collect())
    }

    /// Opens the presenter window on `monitor` (remembered), else on the chosen one.
    pub fn presenter_open(&self, monitor: Option<&str>) -> Result<MonitorView> {
        self.live()?;
        let monitors = self.host.monitors();
        let remembered = self.prefs().presenter_monitor()?;
        let target = choose_monitor(&monitors, monitor, remembered.as_deref())
            .ok_or_else(|| Error::Input("no monitor found for the presenter window".into()))?
            .clone();
        if let Some(asked) = monitor {
            if asked != target.name {
                return Err(Error::Input(format!(
                    "monitor '{asked}' is not connected: choose one of the list"
                )));
            }
            self.prefs().remember_presenter_monitor(asked)?;
        }
        self.host.open_presenter(&target)?;
        lock(&self.kiosk).presenting = true;
        self.update_idle_rule();
        Ok(MonitorView {
            chosen: true,
            name: target.name,
            width: target.width,
            height: target.height,
            x: target.x,
            y: target.y,
            primary: target.primary,
        })
    }

    pub fn presenter_close(&self) {
        self.host.close_presenter();
        self.presenter_closed();
    }

    /// The presenter window is gone (closed here, or by the window manager).
    pub fn presenter_closed(&self) {
        lock(&self.kiosk).presenting = false;
        self.update_idle_rule();
    }

    /// The idle rule applies while a screen faces the public: the presenter or the kiosk. An
    /// admin alone with the link (e.g. on the phone with the user) is not hurried.
    fn update_idle_rule(&self) {
        let public = {
            let kiosk = lock(&self.kiosk);
            kiosk.active || kiosk.presenting
        };
        let timeout = if public {
            idle_timeout(&lock(&self.config))
        } else {
            None
        };
        self.slot.set_idle_timeout(timeout);
        self.slot.set_public(public);
    }

    // ---- kiosk mode -----------------------------------------------------------------------

    pub fn kiosk_get(&self) -> KioskView {
        let kiosk = lock(&self.kiosk);
        KioskView {
            active: kiosk.active,
            pin_set: lock(&self.config).kiosk_pin.is_some(),
            retry_after_secs: kiosk
                .gate
                .as_ref()
                .and_then(|g| g.retry_after(chrono::Utc::now()))
                .map(|d| d.as_secs() + u64::from(d.subsec_nanos() > 0)),
        }
    }

    /// Whether the app may close now (never while the kiosk is locked).
    pub fn may_close(&self) -> bool {
        !lock(&self.kiosk).active
    }

    /// Locks the window down (the `--kiosk` flag, the setting, or the admin's button).
    pub fn kiosk_enter(&self) -> Result<KioskView> {
        let hash = lock(&self.config)
            .kiosk_pin
            .as_deref()
            .map(PinHash::parse)
            .transpose()?;
        self.host.set_kiosk(true)?;
        {
            let mut kiosk = lock(&self.kiosk);
            kiosk.active = true;
            kiosk.gate = hash.map(PinGate::new);
        }
        self.update_idle_rule();
        tracing::info!("kiosk mode on");
        Ok(self.kiosk_get())
    }

    /// Leaves kiosk mode with the admin's PIN; wrong PINs make the next tries wait longer.
    pub fn kiosk_leave(&self, pin: &str) -> Result<KioskView> {
        {
            let mut kiosk = lock(&self.kiosk);
            if !kiosk.active {
                return Ok(KioskView {
                    active: false,
                    pin_set: lock(&self.config).kiosk_pin.is_some(),
                    retry_after_secs: None,
                });
            }
            let gate = kiosk.gate.as_mut().ok_or_else(|| {
                Error::Input("no kiosk PIN is set: sign in again to leave kiosk mode".into())
            })?;
            gate.try_unlock(pin, chrono::Utc::now())?;
            kiosk.active = false;
        }
        self.unlocked()
    }

    /// Leaves kiosk mode by signing in again in the browser (the way without a PIN).
    pub async fn kiosk_leave_by_sign_in(&self) -> Result<KioskView> {
        if !lock(&self.kiosk).active {
            return Ok(self.kiosk_get());
        }
        self.sign_in_browser().await?;
        lock(&self.kiosk).active = false;
        self.unlocked()
    }

    fn unlocked(&self) -> Result<KioskView> {
        tracing::info!("kiosk mode off");
        self.update_idle_rule();
        self.host.set_kiosk(false)?;
        Ok(self.kiosk_get())
    }

    /// Sets (or with `None` removes) the kiosk PIN; only outside kiosk mode.
    pub fn kiosk_pin_set(&self, pin: Option<&str>) -> Result<SettingsView> {
        self.refuse_in_kiosk("change the kiosk PIN")?;
        let hash = pin.map(PinHash::new).transpose()?;
        let mut config = lock(&self.config).clone();
        config.kiosk_pin = hash.map(|h| h.as_str().to_string());
        config.save_to(&self.paths.config_file)?;
        *lock(&self.config) = config;
        Ok(self.settings_get())
    }

    /// Whether the config asks to start in kiosk mode.
    pub fn kiosk_on_start(&self) -> bool {
        lock(&self.config).kiosk
    }

    fn refuse_in_kiosk(&self, what: &str) -> Result<()> {
        if lock(&self.kiosk).active {
            return Err(Error::Input(format!(
                "kiosk mode: leave kiosk mode (admin PIN) to {what}"
            )));
        }
        Ok(())
    }
}

fn idle_timeout(config: &Config) -> Option<Duration> {
    match config
        .idle_timeout_secs
        .unwrap_or(DEFAULT_IDLE_TIMEOUT_SECS)
    {
        0 => None,
        secs => Some(Duration::from_secs(u64::from(secs))),
    }
}

fn config_of(view: &SettingsView) -> Result<Config> {
    let trimmed = |s: &Option<String>| {
        s.as_ref()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    if let Some(instance) = trimmed(&view.instance) {
        instance_origin(&instance)?;
    }
    Ok(Config {
        instance: trimmed(&view.instance),
        client_id: trimmed(&view.client_id),
        default_org: trimmed(&view.default_org),
        login_host: trimmed(&view.login_host),
        ca_file: trimmed(&view.ca_file).map(PathBuf::from),
        clipboard_clear_secs: Some(view.clipboard_clear_secs),
        idle_timeout_secs: Some(view.idle_timeout_secs),
        kiosk: view.kiosk,
        kiosk_pin: None,
        language: view.language,
        api: Default::default(),
        login_ui: Default::default(),
        link_template: None,
        audit_max_bytes: None,
    })
}

async fn session_view(session: &Session) -> SessionView {
    let info = session.info().await;
    SessionView {
        instance: info.instance,
        method: info.method,
        subject: info.identity.subject,
        login_name: info.identity.login_name,
        name: info.identity.name,
        access_expires_at: info.access_expires_at,
        renewable: info.renewable,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn monitor(name: &str, primary: bool) -> Monitor {
        Monitor {
            name: name.into(),
            width: 1920,
            height: 1080,
            x: 0,
            y: 0,
            primary,
        }
    }

    #[test]
    fn the_presenter_goes_to_the_asked_remembered_or_other_monitor() {
        let two = [monitor("DP-1", true), monitor("HDMI-1", false)];
        fn name(m: Option<&Monitor>) -> Option<&str> {
            m.map(|m| m.name.as_str())
        }
        assert_eq!(name(choose_monitor(&two, None, None)), Some("HDMI-1"));
        assert_eq!(name(choose_monitor(&two, None, Some("DP-1"))), Some("DP-1"));
        assert_eq!(
            name(choose_monitor(&two, Some("HDMI-1"), Some("DP-1"))),
            Some("HDMI-1")
        );
        assert_eq!(
            name(choose_monitor(&two, None, Some("gone"))),
            Some("HDMI-1"),
            "a remembered monitor that is unplugged is skipped"
        );
        let one = [monitor("eDP-1", true)];
        assert_eq!(name(choose_monitor(&one, None, None)), Some("eDP-1"));
        assert_eq!(name(choose_monitor(&[], None, None)), None);
    }
}
