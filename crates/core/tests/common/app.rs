//! The desktop app (`DeskApp`) without a window: a test `Host` stands in for the browser,
//! the clipboard, the Downloads folder, the monitors and the kiosk's windows; a
//! `ManualClock` stands in for time, so no test of a clock-driven rule waits for it.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use passkey_desk_core::app::{
    AppPaths, DeskApp, DeskView, Host, LinkState, Monitor, ScreenView, SettingsView, Surface,
    Workspace,
};
use passkey_desk_core::auth::MemoryStore;
use passkey_desk_core::clock::{ManualClock, Timer};
use passkey_desk_core::links::REGISTRATION_POLL;
use passkey_desk_core::Result;
use zitadel_sim::{seed, Sim, SimConfig};

#[derive(Default)]
pub struct TestHost {
    pub opened: Mutex<Vec<String>>,
    pub clipboard: Mutex<Option<String>>,
    pub downloads: PathBuf,
    /// The monitor the presenter window is on, if open.
    pub presenter: Mutex<Option<String>>,
    /// Every turn of the kiosk's windows, in order.
    pub surfaces: Mutex<Vec<Surface>>,
}

fn monitor(name: &str, x: i32, primary: bool) -> Monitor {
    Monitor {
        name: name.into(),
        width: 1920,
        height: 1080,
        x,
        y: 0,
        primary,
    }
}

impl TestHost {
    /// The side of the kiosk that faces the room now.
    pub fn surface(&self) -> Surface {
        self.surfaces
            .lock()
            .unwrap()
            .last()
            .copied()
            .unwrap_or(Surface::Off)
    }
}

impl Host for TestHost {
    /// Like a browser: follows an http(s) URL's redirects (to the loopback listener).
    fn open(&self, url: &str) -> Result<()> {
        self.opened.lock().unwrap().push(url.to_string());
        if url.starts_with("http") {
            let url = url.to_string();
            tokio::spawn(async move {
                let _ = reqwest::get(url).await;
            });
        }
        Ok(())
    }
    fn write_clipboard(&self, text: &str) -> Result<()> {
        *self.clipboard.lock().unwrap() = Some(text.to_string());
        Ok(())
    }
    fn read_clipboard(&self) -> Option<String> {
        self.clipboard.lock().unwrap().clone()
    }
    fn downloads_dir(&self) -> Option<PathBuf> {
        Some(self.downloads.clone())
    }
    fn monitors(&self) -> Vec<Monitor> {
        vec![monitor("DP-1", 0, true), monitor("HDMI-1", 1920, false)]
    }
    fn open_presenter(&self, monitor: &Monitor) -> Result<()> {
        *self.presenter.lock().unwrap() = Some(monitor.name.clone());
        Ok(())
    }
    fn close_presenter(&self) {
        *self.presenter.lock().unwrap() = None;
    }
    fn set_surface(&self, surface: Surface) -> Result<()> {
        self.surfaces.lock().unwrap().push(surface);
        Ok(())
    }
}

pub struct Fixture {
    pub sim: Sim,
    pub host: Arc<TestHost>,
    pub store: Arc<MemoryStore>,
    pub clock: ManualClock,
    pub dir: PathBuf,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Fixture {
    pub async fn new() -> Fixture {
        Fixture::with(SimConfig::default()).await
    }

    pub async fn with(config: SimConfig) -> Fixture {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("pd-app-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("downloads")).unwrap();
        let host = Arc::new(TestHost {
            downloads: dir.join("downloads"),
            ..TestHost::default()
        });
        Fixture {
            sim: Sim::start(config).await.unwrap(),
            host,
            store: Arc::new(MemoryStore::default()),
            clock: ManualClock::starting_now(),
            dir,
        }
    }

    pub fn paths(&self) -> AppPaths {
        AppPaths {
            config_file: self.dir.join("config.toml"),
            data_dir: self.dir.join("data"),
        }
    }

    /// A fresh app on this fixture's files, store and clock (a restart, when one ran before).
    pub fn app(&self) -> DeskApp {
        DeskApp::with_clock(
            self.host.clone(),
            self.paths(),
            self.store.clone(),
            Arc::new(self.clock.clone()),
        )
        .unwrap()
    }

    pub fn settings(&self, client_id: &str) -> SettingsView {
        SettingsView {
            instance: Some(self.sim.url()),
            client_id: Some(client_id.into()),
            clipboard_clear_secs: 60,
            idle_timeout_secs: 120,
            kiosk_relock_secs: 60,
            ..SettingsView::default()
        }
    }

    /// An app signed in as `admin` (browser sign-in, the simulator approves at once).
    pub async fn signed_in(&self, admin: &str) -> DeskApp {
        let app = self.app();
        app.settings_save(self.settings(seed::NATIVE_CLIENT_ID))
            .await
            .unwrap();
        self.sim.set_auto_login(Some(admin));
        app.sign_in_browser().await.unwrap();
        app
    }

    /// [`Fixture::signed_in`] in ACME AG.
    pub async fn at_acme(&self, admin: &str) -> DeskApp {
        let app = self.signed_in(admin).await;
        app.org_select(seed::ACME_ORG_ID).await.unwrap();
        app
    }

    /// Moves the clock by one registration poll each time the link's watch waits for it, until
    /// the desk's view satisfies `done`.
    pub async fn polls_until(&self, app: &DeskApp, done: impl Fn(&DeskView) -> bool) -> DeskView {
        let mut views = app.watch_desk();
        let wait = async {
            loop {
                if done(&views.borrow_and_update()) {
                    return views.borrow().clone();
                }
                tokio::select! {
                    changed = views.changed() => changed.expect("the app is alive"),
                    _ = self.clock.parked(Timer::Poll) => self.clock.advance(REGISTRATION_POLL),
                }
            }
        };
        within(wait).await
    }

    /// The (codeID, code) of a Login v1 link, and the simulated phone registering with them.
    pub fn register(&self, link: &str, user_id: &str, device: &str) {
        let (code_id, code) = code_of(link);
        self.sim
            .complete_registration(user_id, &code_id, &code, device)
            .unwrap();
    }
}

/// Fails a test that would otherwise hang (a real-time guard, not a synchronisation).
pub async fn within<T>(future: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(60), future)
        .await
        .expect("the app reached the expected state within 60 s")
}

/// Waits until the desk's pushed view satisfies `done`.
pub async fn desk_until(app: &DeskApp, done: impl Fn(&DeskView) -> bool) -> DeskView {
    let mut views = app.watch_desk();
    within(async {
        views
            .wait_for(|v| done(v))
            .await
            .expect("the app is alive")
            .clone()
    })
    .await
}

/// Waits until the public screen satisfies `done`.
pub async fn screen_until(app: &DeskApp, done: impl Fn(&ScreenView) -> bool) -> ScreenView {
    let mut views = app.watch_public();
    within(async {
        views
            .wait_for(|v| done(&v.screen))
            .await
            .expect("the app is alive")
            .screen
            .clone()
    })
    .await
}

/// The workspace of an unlocked desk.
pub fn workspace(view: &DeskView) -> &Workspace {
    view.workspace.as_ref().expect("the desk is not locked")
}

/// The link state on the desk, if any.
pub fn link_state(view: &DeskView) -> Option<&LinkState> {
    view.workspace.as_ref().and_then(|w| w.link.as_ref())
}

/// The query parameters of a Login v1 link: (codeID, code).
pub fn code_of(link: &str) -> (String, String) {
    let url = url::Url::parse(link).unwrap();
    let q = |k: &str| {
        url.query_pairs()
            .find(|(n, _)| n == k)
            .unwrap()
            .1
            .into_owned()
    };
    (q("codeID"), q("code"))
}

/// The simulator's requests to `path_end` so far.
pub fn calls(sim: &Sim, path_end: &str) -> usize {
    sim.requests()
        .iter()
        .filter(|r| r.path.ends_with(path_end))
        .count()
}
