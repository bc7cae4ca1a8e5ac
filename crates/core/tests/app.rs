//! The desktop app's behaviour (`DeskApp`) without a window, against zitadel-sim: a test
//! `Host` stands in for the browser, the clipboard and the Downloads folder.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use passkey_desk_core::app::{AppPaths, DeskApp, Host, RegistrationView, SettingsView};
use passkey_desk_core::auth::{MemoryStore, Method};
use passkey_desk_core::Result;
use zitadel_sim::{seed, Sim, SimConfig};

#[derive(Default)]
struct TestHost {
    opened: Mutex<Vec<String>>,
    clipboard: Mutex<Option<String>>,
    downloads: PathBuf,
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
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("pd-app-{}-{n}", std::process::id()));
        std::fs::create_dir_all(dir.join("downloads")).unwrap();
        let host = Arc::new(TestHost {
            downloads: dir.join("downloads"),
            ..TestHost::default()
        });
        Fixture {
            sim: Sim::start(SimConfig::default()).await.unwrap(),
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
    assert!(org.capabilities.create_link && org.create_link_reason.is_none());

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
    let reason = org.create_link_reason.unwrap();
    assert!(
        reason.contains("user.credential.write") && reason.contains("Send via ZITADEL"),
        "{reason}"
    );
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
