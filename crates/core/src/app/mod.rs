//! The desktop app's behaviour, written against a small [`Host`] so it runs (and is tested)
//! without a window: the Tauri commands are one-line adapters over [`DeskApp`].
//!
//! The desk's state lives in one state machine ([`state::DeskState`]); `DeskApp` feeds it
//! what happens (a command, a link's watch, the clock), carries out the effects it asks for,
//! and pushes the views it makes to whoever watches ([`DeskApp::watch_desk`],
//! [`DeskApp::watch_public`]). One `impl` block per concern, each in its own file.

mod coverage;
mod kiosk;
mod prefs;
mod public;
mod queue;
mod session;
mod settings;
mod state;
mod views;
mod work;

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use tokio::sync::{watch, Notify};
use tokio::task::JoinHandle;

pub use crate::model::{os_language, system_language, Language, LanguageSetting};
pub use coverage::COVERAGE_LISTED;
pub use state::Surface;
pub use views::*;

use crate::audit::AuditLog;
use crate::auth::{DeviceLogin, SecretStore, Session};
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::kiosk::{PinGate, PinHash};
use crate::links::Links;
use crate::model::Org;

use state::{DeskState, Effect, PinStatus};

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
        Err(Error::desktop(
            "open a presenter window",
            "this desktop has none",
        ))
    }
    fn close_presenter(&self) {}
    /// Turns the kiosk's windows: the public window alone (locked), the admin's window over
    /// it (unlocked), or no kiosk at all.
    fn set_surface(&self, _surface: Surface) -> Result<()> {
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

/// The signed-in session and the link use cases over it.
struct LiveSession {
    session: Arc<Session>,
    links: Arc<Links>,
    /// The orgs the admin may act in: read once per session, again only when asked.
    orgs: Arc<tokio::sync::Mutex<Option<Vec<Org>>>>,
}

/// The watch of the link on screen.
struct Watch {
    generation: u64,
    task: JoinHandle<()>,
}

/// Everything the app holds; tasks keep a [`Weak`] to it, so dropping the app ends them.
struct Shared {
    host: Arc<dyn Host>,
    clock: Arc<dyn Clock>,
    paths: AppPaths,
    store: Arc<dyn SecretStore>,
    config: Mutex<Config>,
    state: Mutex<DeskState>,
    live: Mutex<Option<LiveSession>>,
    watch: Mutex<Option<Watch>>,
    audit: Arc<AuditLog>,
    /// The kiosk PIN's gate (`None`: no PIN set).
    gate: Mutex<Option<PinGate>>,
    /// The last search's rows, so a chosen person needs no second look-up.
    results: Mutex<Vec<UserRow>>,
    /// The coverage count of the current org while it runs, and everyone it found without a
    /// passkey (the panel lists only the first; the bulk send goes to all).
    coverage_task: Mutex<Option<JoinHandle<()>>>,
    coverage_without: Mutex<Vec<crate::model::User>>,
    /// The enrollment day's queue of the current org (saved after every change), and the
    /// people a roster import found ready, until the admin adds them.
    queue: Mutex<Option<crate::queue::Queue>>,
    pending_import: Mutex<Vec<crate::model::User>>,
    /// The admin's phone sign-in, and the kiosk's phone unlock, while they wait.
    device: tokio::sync::Mutex<Option<DeviceLogin>>,
    unlock_device: tokio::sync::Mutex<Option<DeviceLogin>>,
    cancel_sign_in: Notify,
    cancel_unlock: Notify,
    desk_view: watch::Sender<DeskView>,
    public_view: watch::Sender<PublicView>,
    /// Wakes the rules' timer when the state changed (a deadline may have moved).
    rules: Arc<Notify>,
    rules_started: std::sync::Once,
    /// What `language = "auto"` resolves to (the system's language, read at start).
    system_language: Language,
}

/// One desktop app: settings, the signed-in session, the desk's state, the public screens.
pub struct DeskApp {
    shared: Arc<Shared>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Search results shown at once.
const SEARCH_LIMIT: u32 = 20;
const DEFAULT_CLIPBOARD_CLEAR_SECS: u32 = 60;
const DEFAULT_IDLE_TIMEOUT_SECS: u32 = 120;
const DEFAULT_RELOCK_SECS: u32 = 60;

impl DeskApp {
    /// The app on the system clock.
    pub fn new(
        host: Arc<dyn Host>,
        paths: AppPaths,
        store: Arc<dyn SecretStore>,
    ) -> Result<DeskApp> {
        DeskApp::with_clock(host, paths, store, Arc::new(SystemClock))
    }

    /// The app on `clock` (tests move a [`crate::clock::ManualClock`] by hand).
    pub fn with_clock(
        host: Arc<dyn Host>,
        paths: AppPaths,
        store: Arc<dyn SecretStore>,
        clock: Arc<dyn Clock>,
    ) -> Result<DeskApp> {
        let config = Config::load_from(&paths.config_file)?;
        let audit = Arc::new(AuditLog::for_config(&paths.data_dir, &config));
        let gate = match config.kiosk_pin.as_deref() {
            Some(phc) => Some(PinGate::load(PinHash::parse(phc)?, &paths.data_dir)),
            None => None,
        };
        let (idle, relock) = timeouts(&config);
        let state = DeskState::new(idle, relock);
        let pin = pin_status(&gate, &config, clock.now());
        let desk_view = watch::Sender::new(state.desk_view(pin));
        let public_view = watch::Sender::new(PublicView {
            screen: state.screen(clock.now()),
            unlock: state.unlock_options(pin),
        });
        let app = DeskApp {
            shared: Arc::new(Shared {
                host,
                clock,
                paths,
                store,
                config: Mutex::new(config),
                state: Mutex::new(state),
                live: Mutex::new(None),
                watch: Mutex::new(None),
                audit,
                gate: Mutex::new(gate),
                results: Mutex::new(Vec::new()),
                coverage_task: Mutex::new(None),
                coverage_without: Mutex::new(Vec::new()),
                queue: Mutex::new(None),
                pending_import: Mutex::new(Vec::new()),
                device: tokio::sync::Mutex::new(None),
                unlock_device: tokio::sync::Mutex::new(None),
                cancel_sign_in: Notify::new(),
                cancel_unlock: Notify::new(),
                desk_view,
                public_view,
                rules: Arc::new(Notify::new()),
                rules_started: std::sync::Once::new(),
                system_language: os_language(),
            }),
        };
        Ok(app)
    }

    /// The admin's side of the desk, now and on every change (the admin's window renders it).
    pub fn watch_desk(&self) -> watch::Receiver<DeskView> {
        self.shared.desk_view.subscribe()
    }

    /// The public screen (and, in kiosk mode, the ways to unlock), now and on every change.
    pub fn watch_public(&self) -> watch::Receiver<PublicView> {
        self.shared.public_view.subscribe()
    }

    /// The admin's side of the desk now.
    pub fn desk_view(&self) -> DeskView {
        self.shared.desk_view.borrow().clone()
    }

    /// What the public screen shows now.
    pub fn screen(&self) -> ScreenView {
        self.shared.public_view.borrow().screen.clone()
    }

    fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }
}

impl Drop for DeskApp {
    fn drop(&mut self) {
        if let Some(watch) = lock(&self.shared.watch).take() {
            watch.task.abort();
        }
        // The rules' timer wakes, finds the app gone and ends.
        self.shared.rules.notify_one();
    }
}

/// (the idle wipe of a link on a public screen, the kiosk's relock) from the config.
fn timeouts(config: &Config) -> (Option<std::time::Duration>, std::time::Duration) {
    let idle = match config
        .idle_timeout_secs
        .unwrap_or(DEFAULT_IDLE_TIMEOUT_SECS)
    {
        0 => None,
        secs => Some(std::time::Duration::from_secs(u64::from(secs))),
    };
    let relock = config
        .kiosk_relock_secs
        .unwrap_or(DEFAULT_RELOCK_SECS)
        .max(1);
    (idle, std::time::Duration::from_secs(u64::from(relock)))
}

fn pin_status(
    gate: &Option<PinGate>,
    config: &Config,
    now: chrono::DateTime<chrono::Utc>,
) -> PinStatus {
    PinStatus {
        set: gate.is_some(),
        retry_at: gate.as_ref().and_then(|g| g.retry_at(now)),
        phone: config
            .client_id
            .as_deref()
            .is_some_and(|c| !c.trim().is_empty()),
    }
}

impl Shared {
    fn pin_status(&self) -> PinStatus {
        let now = self.clock.now();
        let config = lock(&self.config);
        pin_status(&lock(&self.gate), &config, now)
    }

    /// The idle and relock timeouts from the config into the state.
    fn update_timeouts(self: &Arc<Self>) {
        let (idle, relock) = timeouts(&lock(&self.config));
        self.update(|state| state.set_timeouts(idle, relock));
    }

    /// Changes the state without effects, then pushes the views; the rules' timer is woken
    /// when the next deadline moved.
    fn update<T>(self: &Arc<Self>, change: impl FnOnce(&mut DeskState) -> T) -> T {
        let pin = self.pin_status();
        let now = self.clock.now();
        let (result, moved) = {
            let mut state = lock(&self.state);
            let before = state.next_deadline(now);
            let result = change(&mut state);
            self.publish(&state, pin, now);
            (result, state.next_deadline(now) != before)
        };
        self.start_rules();
        if moved {
            self.rules.notify_one();
        }
        result
    }

    /// Changes the state, pushes the views and carries out the effects; a stopped watch is
    /// awaited, so no poll of it happens after this returns.
    async fn apply(self: &Arc<Self>, change: impl FnOnce(&mut DeskState) -> Vec<Effect>) {
        let stopped = self.apply_now(change);
        for task in stopped {
            let _ = task.await;
        }
    }

    /// [`Shared::apply`] for callers that cannot wait: a stopped watch is aborted and ends on
    /// its own a moment later.
    fn apply_now(
        self: &Arc<Self>,
        change: impl FnOnce(&mut DeskState) -> Vec<Effect>,
    ) -> Vec<JoinHandle<()>> {
        let effects = self.update(change);
        let mut stopped = Vec::new();
        for effect in effects {
            match effect {
                Effect::StopWatch(generation) => {
                    let mut watch = lock(&self.watch);
                    if watch.as_ref().is_some_and(|w| w.generation == generation) {
                        let task = watch.take().expect("checked").task;
                        task.abort();
                        stopped.push(task);
                    }
                }
                Effect::Audit {
                    subject,
                    action,
                    outcome,
                } => crate::links::record(
                    &self.audit,
                    self.clock.as_ref(),
                    &subject,
                    action,
                    outcome,
                ),
                Effect::WipeClipboard(link) => {
                    if self.host.read_clipboard().as_deref() == Some(link.as_str()) {
                        let _ = self.host.write_clipboard("");
                    }
                }
                Effect::Surface(surface) => {
                    tracing::info!(?surface, "kiosk");
                    if let Err(e) = self.host.set_surface(surface) {
                        tracing::warn!(code = %e.code(), "the kiosk's windows did not turn");
                    }
                }
                Effect::ForgetSession => {
                    *lock(&self.live) = None;
                    lock(&self.results).clear();
                    lock(&self.coverage_without).clear();
                }
                Effect::StopCoverage => {
                    if let Some(task) = lock(&self.coverage_task).take() {
                        task.abort();
                    }
                }
            }
        }
        stopped
    }

    /// Pushes the views (only the ones that changed reach their watchers).
    fn publish(&self, state: &DeskState, pin: PinStatus, now: chrono::DateTime<chrono::Utc>) {
        let desk = state.desk_view(pin);
        self.desk_view.send_if_modified(|current| {
            let changed = *current != desk;
            if changed {
                *current = desk;
            }
            changed
        });
        let public = PublicView {
            screen: state.screen(now),
            unlock: state.unlock_options(pin),
        };
        self.public_view.send_if_modified(|current| {
            let changed = *current != public;
            if changed {
                *current = public;
            }
            changed
        });
    }

    /// Starts the timer that applies the clock-driven rules (idle wipe, relock, the end of
    /// "Registered ✓"), once, as soon as there is a runtime to run it on.
    fn start_rules(self: &Arc<Self>) {
        if tokio::runtime::Handle::try_current().is_err() {
            return;
        }
        self.rules_started.call_once(|| {
            let weak = Arc::downgrade(self);
            let wake = self.rules.clone();
            tokio::spawn(rules(weak, wake));
        });
    }

    /// An error that means the session is over ends it in the state (the admin is asked to
    /// sign in again, the public screen pauses); every error passes through here.
    async fn observe<T>(self: &Arc<Self>, result: Result<T>) -> Result<T> {
        if let Err(e) = &result {
            if e.code().ends_session() {
                let report = e.to_report();
                self.apply(|state| state.session_lost(report)).await;
            }
        }
        result
    }

    fn live(&self) -> Result<(Arc<Session>, Arc<Links>)> {
        lock(&self.live)
            .as_ref()
            .map(|l| (l.session.clone(), l.links.clone()))
            .ok_or_else(|| Error::NotSignedIn {
                hint: "sign in first".into(),
            })
    }

    /// The session's orgs: from the first read of this session, or read again (`refresh`).
    async fn orgs(&self, refresh: bool) -> Result<Vec<Org>> {
        let (cache, links) = lock(&self.live)
            .as_ref()
            .map(|l| (l.orgs.clone(), l.links.clone()))
            .ok_or_else(|| Error::NotSignedIn {
                hint: "sign in first".into(),
            })?;
        let mut cached = cache.lock().await;
        if let (false, Some(orgs)) = (refresh, cached.as_ref()) {
            return Ok(orgs.clone());
        }
        let orgs = links.desk().orgs().await?;
        *cached = Some(orgs.clone());
        Ok(orgs)
    }

    /// Refuses an admin command while the kiosk is locked; an operator's command on the
    /// unlocked side keeps it open.
    fn admin(self: &Arc<Self>, what: &str) -> Result<()> {
        let now = self.clock.now();
        let mut state = lock(&self.state);
        state.check_admin(what)?;
        state.admin_activity(now);
        Ok(())
    }

    /// Refuses what a kiosk never does.
    fn not_kiosk(&self, what: &str) -> Result<()> {
        lock(&self.state).check_not_kiosk(what)
    }
}

/// The clock-driven rules: sleeps until the state's next deadline (or a change), then lets
/// the state tick. Ends when the app is gone.
async fn rules(app: Weak<Shared>, wake: Arc<Notify>) {
    loop {
        let sleep = {
            let Some(shared) = app.upgrade() else { return };
            let now = shared.clock.now();
            let next = lock(&shared.state).next_deadline(now);
            next.map(|(at, timer)| shared.clock.sleep_until(at, timer))
        };
        match sleep {
            Some(sleep) => {
                tokio::select! {
                    _ = sleep => {}
                    _ = wake.notified() => {}
                }
            }
            None => wake.notified().await,
        }
        let Some(shared) = app.upgrade() else { return };
        let now = shared.clock.now();
        shared.apply(|state| state.tick(now)).await;
    }
}
