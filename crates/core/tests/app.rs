//! The desktop app's behaviour (`DeskApp`) without a window, against zitadel-sim: a test
//! `Host` stands in for the browser, the clipboard and the Downloads folder.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use passkey_desk_core::app::{
    system_language, AppPaths, DeskApp, Host, Language, LanguageSetting, Monitor, RegistrationView,
    ScreenView, SettingsView,
};
use passkey_desk_core::auth::{MemoryStore, Method};
use passkey_desk_core::Result;
use zitadel_sim::{seed, Sim, SimConfig};

#[derive(Default)]
struct TestHost {
    opened: Mutex<Vec<String>>,
    clipboard: Mutex<Option<String>>,
    downloads: PathBuf,
    /// The monitor the presenter window is on, if open.
    presenter: Mutex<Option<String>>,
    kiosk: Mutex<bool>,
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
    fn set_kiosk(&self, on: bool) -> Result<()> {
        *self.kiosk.lock().unwrap() = on;
        Ok(())
    }
}

struct Fixture {
    sim: Sim,
    host: Arc<TestHost>,
    store: Arc<MemoryStore>,
    dir: PathBuf,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Fixture {
    async fn new() -> Fixture {
        Fixture::with(SimConfig::default()).await
    }

    async fn with(config: SimConfig) -> Fixture {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("pd-app-{}-{n}", std::process::id()));
        std::fs::create_dir_all(dir.join("downloads")).unwrap();
        let host = Arc::new(TestHost {
            downloads: dir.join("downloads"),
            ..TestHost::default()
        });
        Fixture {
            sim: Sim::start(config).await.unwrap(),
            host,
            store: Arc::new(MemoryStore::default()),
            dir,
        }
    }

    fn app(&self) -> DeskApp {
        let paths = AppPaths {
            config_file: self.dir.join("config.toml"),
            data_dir: self.dir.join("data"),
        };
        DeskApp::new(self.host.clone(), paths, self.store.clone()).unwrap()
    }

    fn settings(&self, client_id: &str) -> SettingsView {
        SettingsView {
            instance: Some(self.sim.url()),
            client_id: Some(client_id.into()),
            clipboard_clear_secs: 60,
            ..SettingsView::default()
        }
    }

    async fn signed_in(&self, admin: &str) -> DeskApp {
        let app = self.app();
        app.settings_save(self.settings(seed::NATIVE_CLIENT_ID))
            .unwrap();
        self.sim.set_auto_login(Some(admin));
        app.sign_in_browser().await.unwrap();
        app
    }
}

#[tokio::test]
async fn settings_and_test_connection_say_what_is_wrong() {
    let f = Fixture::new().await;
    let app = f.app();
    assert_eq!(app.settings_get().instance, None);
    let report = app
        .connection_test(f.settings(seed::NATIVE_CLIENT_ID))
        .await
        .unwrap();
    assert!(report.device_flow && report.client_id_ok);
    assert_eq!(report.issuer, f.sim.url());

    let e = app
        .connection_test(f.settings("unknown-client"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "sign_in_failed");
    assert!(e.to_string().contains("client id"), "{e}");

    let mut remote_http = f.settings(seed::NATIVE_CLIENT_ID);
    remote_http.instance = Some("http://auth.example.com".into());
    assert_eq!(app.settings_save(remote_http).unwrap_err().code(), "config");

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut nothing = f.settings(seed::NATIVE_CLIENT_ID);
    nothing.instance = Some(format!("http://{}", closed.local_addr().unwrap()));
    drop(closed);
    assert_eq!(
        app.connection_test(nothing).await.unwrap_err().code(),
        "network"
    );

    let saved = app
        .settings_save(SettingsView {
            clipboard_clear_secs: 5,
            ..f.settings(seed::NATIVE_CLIENT_ID)
        })
        .unwrap();
    assert_eq!(saved.clipboard_clear_secs, 5);
    assert_eq!(f.app().settings_get(), saved, "saved to the config file");
}

#[tokio::test]
async fn the_language_setting_is_saved_and_resolved_for_the_window() {
    let f = Fixture::new().await;
    let app = f.app();
    let system = system_language(|name| std::env::var(name).ok());
    let fresh = app.settings_get();
    assert_eq!(fresh.language, LanguageSetting::Auto);
    assert_eq!((fresh.ui_language, fresh.system_language), (system, system));

    for (setting, shown) in [
        (LanguageSetting::De, Language::De),
        (LanguageSetting::En, Language::En),
        (LanguageSetting::Auto, system),
    ] {
        let saved = app
            .settings_save(SettingsView {
                language: setting,
                // Read only: whatever the window sends back is ignored.
                ui_language: Language::De,
                system_language: Language::De,
                ..f.settings(seed::NATIVE_CLIENT_ID)
            })
            .unwrap();
        assert_eq!(
            (saved.language, saved.ui_language, saved.system_language),
            (setting, shown, system)
        );
        assert_eq!(f.app().settings_get(), saved, "saved to the config file");
    }
    let text = std::fs::read_to_string(f.dir.join("config.toml")).unwrap();
    assert!(text.contains("language = \"auto\""), "{text}");
}

#[tokio::test]
async fn the_whole_helpdesk_flow() {
    let f = Fixture::new().await;
    let app = f.signed_in(seed::ADMIN_IAM_OWNER).await;
    let session = app.session_get().await.unwrap().unwrap();
    assert_eq!(session.method, Method::Browser);
    assert_eq!(
        session.login_name.as_deref(),
        Some("desk.admin@acme.example.com")
    );
    assert!(f.host.opened.lock().unwrap()[0].contains("/oauth/v2/authorize?"));

    assert_eq!(app.orgs_list().await.unwrap().len(), 3);
    let org = app.org_select(seed::ACME_ORG_ID).await.unwrap();
    assert!(org.capabilities.create_link && org.create_link_lacks.is_none());
    // The demo instance's links are Login UI v1's: the kind of passkey can be chosen.
    assert!(org.authenticator_choice);

    let rows = app.users_search("mü").await.unwrap();
    let zoe = rows
        .iter()
        .find(|r| r.user.id.as_str() == seed::ZOE_ID)
        .expect("Zoë is found");
    assert_eq!(zoe.passkey_count, Some(1));

    let view = app.link_create(seed::JOSE_ID).await.unwrap();
    assert!(view.qr_svg.starts_with("<svg") && view.link.starts_with(&f.sim.url()));
    assert_eq!(view.user.display_name, "José Núñez");

    app.link_copy().unwrap();
    assert_eq!(f.host.read_clipboard().as_deref(), Some(view.link.as_str()));
    app.link_email().unwrap();
    let mailto = f.host.opened.lock().unwrap().last().unwrap().clone();
    assert!(
        mailto.starts_with("mailto:jose.nunez%40acme.example.com?subject="),
        "{mailto}"
    );
    let png = app.link_save_png().unwrap();
    let img = image::open(&png).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(img);
    assert_eq!(prepared.detect_grids()[0].decode().unwrap().1, view.link);

    let app = Arc::new(app);
    let waiting = {
        let app = app.clone();
        tokio::spawn(async move { app.link_wait().await })
    };
    let url = url::Url::parse(&view.link).unwrap();
    let q = |k: &str| {
        url.query_pairs()
            .find(|(n, _)| n == k)
            .unwrap()
            .1
            .into_owned()
    };
    f.sim
        .complete_registration(seed::JOSE_ID, &q("codeID"), &q("code"), "Pixel 9")
        .unwrap();
    match waiting.await.unwrap().unwrap() {
        RegistrationView::Registered { passkey } => assert_eq!(passkey.name, "Pixel 9"),
        other => panic!("{other:?}"),
    }
    assert!(
        app.current_link_user().is_none(),
        "the link is wiped after the registration"
    );
    assert_eq!(app.link_copy().unwrap_err().code(), "input");
}

#[tokio::test]
async fn closing_the_link_ends_the_wait_and_the_clipboard_is_cleared() {
    let f = Fixture::new().await;
    let app = Arc::new(f.signed_in(seed::ADMIN_IAM_OWNER).await);
    app.settings_save(SettingsView {
        clipboard_clear_secs: 1,
        ..f.settings(seed::NATIVE_CLIENT_ID)
    })
    .unwrap();
    // Saving the same instance keeps the session.
    assert!(app.session_get().await.unwrap().is_some());
    app.org_select(seed::ACME_ORG_ID).await.unwrap();
    let view = app.link_create("max.muster").await.unwrap();
    app.link_copy().unwrap();
    let waiting = {
        let app = app.clone();
        tokio::spawn(async move { app.link_wait().await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    app.close_link();
    assert_eq!(waiting.await.unwrap().unwrap(), RegistrationView::Closed);
    tokio::time::sleep(Duration::from_millis(1300)).await;
    assert_eq!(
        f.host.read_clipboard().as_deref(),
        Some(""),
        "the link {} was cleared",
        view.user.user_name
    );
}

#[tokio::test]
async fn org_user_manager_gets_reasons_not_failing_buttons() {
    let f = Fixture::new().await;
    let app = f.signed_in(seed::ADMIN_USER_MANAGER).await;
    let org = app.org_select(seed::ACME_ORG_ID).await.unwrap();
    assert!(!org.capabilities.create_link && org.capabilities.send_link);
    assert_eq!(
        org.create_link_lacks.as_deref(),
        Some("user.credential.write")
    );
    assert_eq!(org.send_link_lacks, None);
    assert!(!org.authenticator_choice, "no link, no choice");
    let user = app.link_send(seed::JOSE_ID).await.unwrap();
    assert_eq!(user.id.as_str(), seed::JOSE_ID);
    assert_eq!(f.sim.emails().len(), 1);
}

#[tokio::test]
async fn a_restart_restores_the_session_and_the_org_and_sign_out_ends_both() {
    let f = Fixture::new().await;
    let app = f.signed_in(seed::ADMIN_IAM_OWNER).await;
    app.org_select(seed::GLOBEX_ORG_ID).await.unwrap();
    drop(app);

    let app = f.app();
    let session = app
        .session_get()
        .await
        .unwrap()
        .expect("restored from the store");
    assert_eq!(
        session.subject,
        f.sim.demo().admin(seed::ADMIN_IAM_OWNER).user_id
    );
    let org = app
        .org_current()
        .await
        .unwrap()
        .expect("the remembered org");
    assert_eq!(org.org.name, "Globex GmbH");

    app.sign_out().await.unwrap();
    assert!(app.session_get().await.unwrap().is_none());
    assert_eq!(app.orgs_list().await.unwrap_err().code(), "not_signed_in");
}

#[tokio::test]
async fn device_sign_in_and_cancel() {
    let f = Fixture::new().await;
    let app = Arc::new(f.app());
    app.settings_save(f.settings(seed::NATIVE_CLIENT_ID))
        .unwrap();
    let device = app.sign_in_device_start().await.unwrap();
    assert!(device.qr_svg.starts_with("<svg"));
    f.sim
        .approve_device(&device.user_code, seed::ADMIN_ORG_OWNER)
        .unwrap();
    let session = app.sign_in_device_finish().await.unwrap();
    assert_eq!(session.method, Method::Device);

    app.sign_in_device_start().await.unwrap();
    let finishing = {
        let app = app.clone();
        tokio::spawn(async move { app.sign_in_device_finish().await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    app.sign_in_cancel().await;
    assert_eq!(
        finishing.await.unwrap().unwrap_err().code(),
        "sign_in_cancelled"
    );
}

/// The query parameters of a Login v1 link: (codeID, code).
fn code_of(link: &str) -> (String, String) {
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

#[tokio::test]
async fn the_public_screen_shows_only_the_persons_part_and_is_wiped_on_registration() {
    let f = Fixture::new().await;
    let app = Arc::new(f.signed_in(seed::ADMIN_IAM_OWNER).await);
    app.org_select(seed::ACME_ORG_ID).await.unwrap();
    let blank = app.screen_get();
    assert_eq!(blank.view, ScreenView::Blank);

    let opened = app.presenter_open(None).unwrap();
    assert_eq!(opened.name, "HDMI-1", "not the admin's (primary) monitor");
    assert_eq!(app.presenter_open(Some("DP-1")).unwrap().name, "DP-1");
    assert!(
        app.presenter_monitors()
            .unwrap()
            .iter()
            .any(|m| m.name == "DP-1" && m.chosen),
        "an explicit choice is remembered"
    );
    assert_eq!(
        app.presenter_open(Some("VGA-9")).unwrap_err().code(),
        "input"
    );

    let view = app.link_create(seed::JOSE_ID).await.unwrap();
    let showing = app.screen_next(blank.version).await;
    let ScreenView::Showing(shown) = &showing.view else {
        panic!("{showing:?}")
    };
    assert_eq!(shown.display_name, "José Núñez");
    assert_eq!(shown.org_name, "ACME AG");
    assert_eq!(shown.qr_svg, view.qr_svg);
    let public = serde_json::to_string(&showing).unwrap();
    for private in [
        view.link.as_str(),
        view.user.user_name.as_str(),
        view.user.id.as_str(),
    ] {
        assert!(!public.contains(private), "{private} is not public");
    }

    app.link_copy().unwrap();
    let waiting = {
        let app = app.clone();
        tokio::spawn(async move { app.link_wait().await })
    };
    let (code_id, code) = code_of(&view.link);
    f.sim
        .complete_registration(seed::JOSE_ID, &code_id, &code, "iPhone 17")
        .unwrap();
    assert!(matches!(
        waiting.await.unwrap().unwrap(),
        RegistrationView::Registered { .. }
    ));
    let registered = app.screen_next(showing.version).await;
    match &registered.view {
        ScreenView::Registered(person) => assert_eq!(person.display_name, "José Núñez"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        f.host.read_clipboard().as_deref(),
        Some(""),
        "the clipboard forgets the link at once"
    );
    app.presenter_close();
    assert_eq!(*f.host.presenter.lock().unwrap(), None);
}

#[tokio::test]
async fn an_idle_link_on_a_public_screen_is_wiped_and_activity_keeps_it() {
    let f = Fixture::new().await;
    let app = Arc::new(f.signed_in(seed::ADMIN_IAM_OWNER).await);
    app.settings_save(SettingsView {
        idle_timeout_secs: 2,
        ..f.settings(seed::NATIVE_CLIENT_ID)
    })
    .unwrap();
    app.org_select(seed::ACME_ORG_ID).await.unwrap();
    // The admin alone with a link is not hurried.
    app.link_create(seed::JOSE_ID).await.unwrap();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert!(
        app.current_link_user().is_some(),
        "no idle rule without a public screen"
    );
    // With the presenter open, the rule applies.
    app.presenter_open(None).unwrap();
    app.link_create("max.muster").await.unwrap();
    let waiting = {
        let app = app.clone();
        tokio::spawn(async move { app.link_wait().await })
    };
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_millis(1000)).await;
        app.screen_activity();
    }
    assert!(
        app.current_link_user().is_some(),
        "touches keep the link for longer than the timeout"
    );
    assert_eq!(waiting.await.unwrap().unwrap(), RegistrationView::Idle);
    assert!(app.current_link_user().is_none());
    assert_eq!(app.screen_get().view, ScreenView::Blank);
}

#[tokio::test]
async fn an_expired_link_is_wiped() {
    let f = Fixture::with(SimConfig {
        code_lifetime: Duration::from_secs(2),
        ..SimConfig::default()
    })
    .await;
    let app = Arc::new(f.signed_in(seed::ADMIN_IAM_OWNER).await);
    app.org_select(seed::ACME_ORG_ID).await.unwrap();
    app.link_create(seed::ZOE_ID).await.unwrap();
    let ScreenView::Showing(shown) = app.screen_get().view else {
        panic!("a link is showing")
    };
    assert_eq!(shown.language, Language::De, "Zoë prefers German");
    assert_eq!(app.link_wait().await.unwrap(), RegistrationView::Expired);
    assert_eq!(app.screen_get().view, ScreenView::Blank);
    assert!(app.current_link_user().is_none());
}

#[tokio::test]
async fn an_ended_session_pauses_the_public_screen_and_a_new_sign_in_clears_it() {
    let f = Fixture::new().await;
    let app = Arc::new(f.signed_in(seed::ADMIN_IAM_OWNER).await);
    app.org_select(seed::ACME_ORG_ID).await.unwrap();
    app.link_create("max.muster").await.unwrap();
    f.sim
        .revoke_sessions_of(&f.sim.demo().admin(seed::ADMIN_IAM_OWNER).user_id);
    let e = app.link_wait().await.unwrap_err();
    assert!(
        ["session_ended", "token_rejected"].contains(&e.code),
        "{e:?}"
    );
    assert_eq!(app.screen_get().view, ScreenView::Paused, "one moment");
    assert!(app.current_link_user().is_none());
    app.sign_in_browser().await.unwrap();
    assert_eq!(app.screen_get().view, ScreenView::Blank);
}

#[tokio::test]
async fn kiosk_mode_is_left_only_with_the_pin_and_wrong_pins_wait() {
    let f = Fixture::new().await;
    let app = f.signed_in(seed::ADMIN_IAM_OWNER).await;
    assert_eq!(app.kiosk_pin_set(Some("123")).unwrap_err().code(), "input");
    assert!(app.kiosk_pin_set(Some("482916")).unwrap().kiosk_pin_set);
    let file = std::fs::read_to_string(f.dir.join("config.toml")).unwrap();
    assert!(
        file.contains("$argon2id$") && !file.contains("482916"),
        "{file}"
    );
    // Saving the other settings keeps the PIN.
    app.settings_save(f.settings(seed::NATIVE_CLIENT_ID))
        .unwrap();
    assert!(app.settings_get().kiosk_pin_set);

    assert!(app.kiosk_enter().unwrap().active);
    assert!(*f.host.kiosk.lock().unwrap());
    assert!(!app.may_close());
    for refused in [
        app.settings_save(f.settings(seed::NATIVE_CLIENT_ID))
            .map(drop),
        app.kiosk_pin_set(None).map(drop),
    ] {
        assert_eq!(refused.unwrap_err().code(), "input");
    }
    app.org_select(seed::ACME_ORG_ID).await.unwrap();
    app.link_create("max.muster").await.unwrap();
    assert_eq!(
        app.link_copy().unwrap_err().code(),
        "input",
        "no copy on a kiosk"
    );

    for _ in 0..3 {
        assert_eq!(app.kiosk_leave("000000").unwrap_err().code(), "pin_refused");
    }
    let waiting = app.kiosk_get();
    assert_eq!(waiting.retry_after_secs, Some(2), "{waiting:?}");
    assert_eq!(
        app.kiosk_leave("482916").unwrap_err().code(),
        "pin_refused",
        "even the right PIN waits"
    );
    assert!(app.kiosk_get().active && !app.may_close());
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert!(!app.kiosk_leave("482916").unwrap().active);
    assert!(app.may_close());
    assert!(!*f.host.kiosk.lock().unwrap());
}

#[tokio::test]
async fn a_kiosk_without_pin_is_left_by_signing_in_again() {
    let f = Fixture::new().await;
    let app = f.signed_in(seed::ADMIN_IAM_OWNER).await;
    app.kiosk_enter().unwrap();
    let e = app.kiosk_leave("482916").unwrap_err();
    assert!(e.to_string().contains("sign in again"), "{e}");
    assert!(app.kiosk_get().active);
    assert!(!app.kiosk_leave_by_sign_in().await.unwrap().active);
    assert!(app.may_close());
}
