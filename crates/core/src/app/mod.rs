//! The desktop app's behaviour, written against a small [`Host`] so it runs (and is tested)
//! without a window: the Tauri commands are one-line adapters over [`DeskApp`].

mod prefs;
mod views;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::Notify;

pub use views::*;

use crate::auth::{Auth, DeviceLogin, LoginOptions, Method, SecretStore, Session, SessionIndex};
use crate::client::{instance_origin, TokenProvider};
use crate::config::{Config, Overrides, Settings};
use crate::error::{Error, Result};
use crate::model::{OrgId, RegistrationLink, UserId};
use crate::qr::Qr;
use crate::{Desk, Registration, ZitadelClient};

use prefs::Preferences;

/// What the app needs from the desktop around it.
pub trait Host: Send + Sync + 'static {
    /// Opens a URL in the system browser or mail client.
    fn open(&self, url: &str) -> Result<()>;
    fn write_clipboard(&self, text: &str) -> Result<()>;
    fn read_clipboard(&self) -> Option<String>;
    /// Where "Save PNG" puts files.
    fn downloads_dir(&self) -> Option<PathBuf>;
}

/// Where the app keeps its files.
#[derive(Clone, Debug)]
pub struct AppPaths {
    pub config_file: PathBuf,
    pub data_dir: PathBuf,
}

/// How often the link screen looks for the new passkey: gentle on the server, quick for a
/// person watching.
const REGISTRATION_POLL: Duration = Duration::from_secs(2);
/// Search results shown at once.
const SEARCH_LIMIT: u32 = 20;
const DEFAULT_CLIPBOARD_CLEAR_SECS: u32 = 60;

struct Live {
    session: Arc<Session>,
    desk: Arc<Desk>,
}

struct ActiveLink {
    view: LinkView,
    link: RegistrationLink,
    closed: Arc<Notify>,
}

/// One desktop app: settings, the signed-in session, the chosen org, the link on screen.
pub struct DeskApp {
    host: Arc<dyn Host>,
    paths: AppPaths,
    store: Arc<dyn SecretStore>,
    config: Mutex<Config>,
    live: Mutex<Option<Live>>,
    org: Mutex<Option<OrgView>>,
    link: Mutex<Option<ActiveLink>>,
    device: tokio::sync::Mutex<Option<DeviceLogin>>,
    cancel_sign_in: Notify,
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
        Ok(DeskApp {
            host,
            paths,
            store,
            config: Mutex::new(config),
            live: Mutex::new(None),
            org: Mutex::new(None),
            link: Mutex::new(None),
            device: tokio::sync::Mutex::new(None),
            cancel_sign_in: Notify::new(),
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
        }
    }

    /// Checks and saves the settings. Another instance ends the session on screen (the stored
    /// one stays in the keyring for when the admin switches back).
    pub fn settings_save(&self, view: SettingsView) -> Result<SettingsView> {
        let config = config_of(&view)?;
        Settings::resolve(&Overrides::default(), |_| None, &config)?;
        let changed_instance = lock(&self.config).instance != config.instance;
        config.save_to(&self.paths.config_file)?;
        *lock(&self.config) = config;
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
        Ok(session_view(&session).await)
    }

    fn forget_live(&self) {
        *lock(&self.live) = None;
        *lock(&self.org) = None;
        self.close_link();
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
        let capabilities = desk.capabilities(&org.id).await?;
        let view = OrgView {
            create_link_reason: (!capabilities.create_link).then(|| {
                format!(
                    "You lack 'user.credential.write' in {}{}",
                    org.name,
                    if capabilities.send_link {
                        "; 'Send via ZITADEL' still works"
                    } else {
                        ""
                    }
                )
            }),
            send_link_reason: (!capabilities.send_link)
                .then(|| format!("You lack 'user.write' in {}", org.name)),
            org,
            capabilities,
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
    pub async fn link_create(&self, user_id: &str) -> Result<LinkView> {
        let (_, desk) = self.live()?;
        let org = self.org_id()?;
        self.close_link();
        let (user, link) = desk.create_link(&org, user_id).await?;
        let view = LinkView {
            qr_svg: Qr::new(link.link.expose())?.svg(),
            link: link.link.expose().clone(),
            expires_at: link.expires_at,
            org_id: org.to_string(),
            user,
        };
        *lock(&self.link) = Some(ActiveLink {
            view: view.clone(),
            link,
            closed: Arc::new(Notify::new()),
        });
        Ok(view)
    }

    fn active_link(&self) -> Result<(LinkView, RegistrationLink, Arc<Notify>)> {
        lock(&self.link)
            .as_ref()
            .map(|a| (a.view.clone(), a.link.clone(), a.closed.clone()))
            .ok_or_else(|| Error::Input("no link on screen: create one first".into()))
    }

    /// Waits until the user registered a passkey, the link expired, or it was closed. The link
    /// is wiped in every case.
    pub async fn link_wait(&self) -> Result<RegistrationView> {
        let (_, desk) = self.live()?;
        let (_, link, closed) = self.active_link()?;
        let outcome = tokio::select! {
            outcome = desk.wait_for_registration(&link, REGISTRATION_POLL) => outcome?,
            _ = closed.notified() => return Ok(RegistrationView::Closed),
        };
        self.close_link_if(&link);
        Ok(match outcome {
            Registration::Registered(passkey) => RegistrationView::Registered { passkey },
            Registration::Expired => RegistrationView::Expired,
        })
    }

    /// Copies the link; clears the clipboard later if it still holds the link.
    pub fn link_copy(&self) -> Result<()> {
        let (view, _, _) = self.active_link()?;
        self.host.write_clipboard(&view.link)?;
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
        let (view, _, _) = self.active_link()?;
        self.host
            .open(crate::link::mailto(&view.user, &view.link, view.expires_at).as_str())
    }

    /// Saves the QR as a 1024 px PNG in the Downloads folder; returns its path.
    pub fn link_save_png(&self) -> Result<String> {
        let (view, _, _) = self.active_link()?;
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
        desk.send_link(&org, user_id).await
    }

    /// Wipes the link on screen; a pending `link_wait` ends with `Closed`.
    pub fn close_link(&self) {
        if let Some(active) = lock(&self.link).take() {
            active.closed.notify_waiters();
        }
    }

    fn close_link_if(&self, link: &RegistrationLink) {
        let mut guard = lock(&self.link);
        if guard.as_ref().is_some_and(|a| a.link.link == link.link) {
            *guard = None;
        }
    }

    /// The user id of the link on screen (for tests and the UI's state checks).
    pub fn current_link_user(&self) -> Option<UserId> {
        lock(&self.link).as_ref().map(|a| a.link.user_id.clone())
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
