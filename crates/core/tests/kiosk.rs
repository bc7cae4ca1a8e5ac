//! Kiosk mode through `DeskApp` against zitadel-sim, on a manual clock: locked unless an
//! operator unlocked it (PIN, or their phone as the desk's account or another account that
//! may create links in the desk's org), refusing every admin command while locked, relocking
//! on its own and when a link is shown, and a PIN back-off that survives a restart.

mod common;

use std::time::Duration;

use common::app::{desk_until, link_state, workspace, Fixture};
use passkey_desk_core::app::{DeskApp, LinkState, ScreenView, SettingsView, Surface};
use passkey_desk_core::audit::{AuditAction, AuditFilter, AuditLog};
use passkey_desk_core::client::Authenticator;
use passkey_desk_core::clock::{Clock, Timer};
use passkey_desk_core::{ErrorCode, Result};
use zitadel_sim::{seed, SimConfig};

const PIN: &str = "482916";

async fn kiosk_fixture() -> Fixture {
    Fixture::with(SimConfig {
        device_interval: Duration::from_secs(1),
        ..SimConfig::default()
    })
    .await
}

/// A desk signed in as the IAM owner in ACME, with a PIN, in kiosk mode (locked).
async fn locked_desk(f: &Fixture) -> DeskApp {
    let app = f.at_acme(seed::ADMIN_IAM_OWNER).await;
    app.kiosk_pin_set(Some(PIN)).unwrap();
    app.kiosk_enter().unwrap();
    assert!(app.desk_view().kiosk.locked);
    app
}

fn code(result: Result<impl Sized>) -> ErrorCode {
    match result {
        Ok(_) => panic!("refused while locked"),
        Err(e) => e.code(),
    }
}

#[tokio::test]
async fn every_admin_command_is_refused_while_the_kiosk_is_locked() {
    let f = kiosk_fixture().await;
    let app = locked_desk(&f).await;
    assert_eq!(f.host.surface(), Surface::Public);
    let requests = f.sim.requests().len();
    let settings = || f.settings(seed::NATIVE_CLIENT_ID);
    let refused = [
        ("settings_save", code(app.settings_save(settings()).await)),
        (
            "connection_test",
            code(app.connection_test(settings()).await),
        ),
        ("session_restore", code(app.session_restore().await)),
        ("sign_in_browser", code(app.sign_in_browser().await)),
        (
            "sign_in_device_start",
            code(app.sign_in_device_start().await),
        ),
        (
            "sign_in_device_finish",
            code(app.sign_in_device_finish().await),
        ),
        ("sign_out", code(app.sign_out().await)),
        ("orgs_list", code(app.orgs_list(false).await)),
        (
            "org_select",
            code(app.org_select(seed::GLOBEX_ORG_ID).await),
        ),
        ("org_current", code(app.org_current().await)),
        ("users_search", code(app.users_search("mü").await)),
        ("user_select", code(app.user_select(seed::ZOE_ID).await)),
        ("back_to_search", code(app.back_to_search().await)),
        (
            "link_create",
            code(app.link_create(seed::ZOE_ID, Authenticator::Any, &[]).await),
        ),
        ("link_close", code(app.link_close().await)),
        ("link_copy", code(app.link_copy())),
        ("link_email", code(app.link_email(true))),
        ("link_save_png", code(app.link_save_png())),
        ("link_print", code(app.link_print())),
        ("passkey_counts", code(app.passkey_counts().await)),
        ("link_send", code(app.link_send(seed::ZOE_ID, &[]).await)),
        ("audit_list", code(app.audit_list(AuditFilter::default()))),
        (
            "audit_export_csv",
            code(app.audit_export_csv(AuditFilter::default())),
        ),
        ("presenter_monitors", code(app.presenter_monitors())),
        ("presenter_open", code(app.presenter_open(None).await)),
        ("kiosk_enter", code(app.kiosk_enter())),
        ("kiosk_leave", code(app.kiosk_leave())),
        ("kiosk_pin_set", code(app.kiosk_pin_set(None))),
    ];
    for (command, code) in refused {
        assert_eq!(code, ErrorCode::KioskLocked, "{command}");
    }
    assert_eq!(
        f.sim.requests().len(),
        requests,
        "nothing reached the server"
    );
    assert_eq!(app.desk_view().workspace, None, "nothing of the workspace");
    assert!(!app.may_close(), "no way out while locked");
    let public = app.watch_public().borrow().clone();
    assert!(
        matches!(public.screen, ScreenView::Welcome(ref w) if w.org_name.as_deref() == Some("ACME AG"))
    );
    let unlock = public.unlock.expect("the kiosk's window offers the unlock");
    assert!(unlock.pin_set && unlock.phone);
}

#[tokio::test]
async fn the_pin_unlocks_and_the_desk_relocks_when_idle_and_when_a_link_is_shown() {
    let f = kiosk_fixture().await;
    let app = locked_desk(&f).await;
    app.kiosk_unlock_pin(PIN).unwrap();
    let view = app.desk_view();
    assert!(!view.kiosk.locked && view.workspace.is_some());
    assert_eq!(f.host.surface(), Surface::Admin);
    assert_eq!(
        view.kiosk.relocks_at,
        Some(f.clock.now() + chrono::Duration::seconds(60)),
        "the default relock time"
    );
    // Unlocked, the admin works; some things a kiosk never does.
    assert!(app.users_search("mü").await.is_ok());
    assert_eq!(code(app.sign_out().await), ErrorCode::KioskMode);
    assert_eq!(code(app.link_copy()), ErrorCode::KioskMode);
    assert_eq!(code(app.sign_in_browser().await), ErrorCode::KioskMode);

    // The operator's touches keep it open; 60 s without one lock it.
    f.clock.parked(Timer::Relock).await;
    f.clock.advance(Duration::from_secs(50));
    app.desk_activity();
    f.clock.advance(Duration::from_secs(50));
    tokio::task::yield_now().await;
    assert!(!app.desk_view().kiosk.locked, "touched 50 s ago");
    f.clock.advance(Duration::from_secs(10));
    desk_until(&app, |v| v.kiosk.locked).await;
    assert_eq!(f.host.surface(), Surface::Public);
    assert_eq!(code(app.users_search("mü").await), ErrorCode::KioskLocked);

    // A link shown to the person locks at once.
    app.kiosk_unlock_pin(PIN).unwrap();
    app.link_create(seed::JOSE_ID, Authenticator::Any, &[])
        .await
        .unwrap();
    let view = app.desk_view();
    assert!(view.kiosk.locked && view.workspace.is_none());
    assert_eq!(f.host.surface(), Surface::Public);
    assert!(matches!(app.screen(), ScreenView::Showing(ref s) if s.display_name == "José Núñez"));

    // An operator unlocks to cancel it: the person's screen goes back to the welcome.
    app.kiosk_unlock_pin(PIN).unwrap();
    assert!(matches!(
        link_state(&app.desk_view()),
        Some(LinkState::Live { .. })
    ));
    app.link_close().await.unwrap();
    assert!(matches!(app.screen(), ScreenView::Welcome(_)));

    // Leaving kiosk mode needs the unlock too.
    app.kiosk_lock();
    assert_eq!(code(app.kiosk_leave()), ErrorCode::KioskLocked);
    app.kiosk_unlock_pin(PIN).unwrap();
    app.kiosk_leave().unwrap();
    assert!(app.may_close());
    assert_eq!(f.host.surface(), Surface::Off);
    assert!(!app.desk_view().kiosk.active);

    let unlocks: Vec<_> = AuditLog::in_dir(&f.dir.join("data"))
        .read(&AuditFilter::default())
        .unwrap()
        .into_iter()
        .filter(|e| e.action == AuditAction::Unlocked)
        .collect();
    assert_eq!(unlocks.len(), 4);
    assert!(unlocks
        .iter()
        .all(|e| e.admin == "kiosk PIN" && e.outcome == "ok" && e.org_id == seed::ACME_ORG_ID));
}

#[tokio::test]
async fn wrong_pins_wait_longer_and_the_wait_survives_a_restart() {
    let f = kiosk_fixture().await;
    let app = locked_desk(&f).await;
    for _ in 0..3 {
        assert_eq!(code(app.kiosk_unlock_pin("000000")), ErrorCode::PinRefused);
    }
    let retry_at = app.desk_view().kiosk.unlock.pin_retry_at;
    assert_eq!(retry_at, Some(f.clock.now() + chrono::Duration::seconds(2)));
    assert_eq!(
        app.watch_public()
            .borrow()
            .unlock
            .as_ref()
            .unwrap()
            .pin_retry_at,
        retry_at,
        "the kiosk's window shows the wait"
    );
    assert_eq!(
        code(app.kiosk_unlock_pin(PIN)),
        ErrorCode::PinRefused,
        "even the right PIN waits"
    );
    drop(app);

    // The app restarts (kiosk mode from the config): still waiting.
    let app = f.app();
    app.kiosk_enter().unwrap();
    assert_eq!(app.desk_view().kiosk.unlock.pin_retry_at, retry_at);
    assert_eq!(code(app.kiosk_unlock_pin(PIN)), ErrorCode::PinRefused);
    f.clock.advance(Duration::from_secs(2));
    app.kiosk_unlock_pin(PIN).unwrap();
    assert!(!app.desk_view().kiosk.locked);
    let failed = AuditLog::in_dir(&f.dir.join("data"))
        .read(&AuditFilter::default())
        .unwrap()
        .into_iter()
        .filter(|e| e.action == AuditAction::Unlocked && e.outcome == "pin_refused")
        .count();
    assert_eq!(failed, 5, "every refused PIN is in the audit log");
}

/// Starts a phone unlock on the kiosk, lets `account` approve it on "their phone", and
/// returns how it ended.
async fn phone_unlock(f: &Fixture, app: &DeskApp, account: &str) -> Result<()> {
    let device = app.kiosk_unlock_device_start().await.unwrap();
    assert!(device.qr_svg.starts_with("<svg"));
    assert!(device.verification_uri.starts_with(&f.sim.url()));
    f.sim.approve_device(&device.user_code, account).unwrap();
    app.kiosk_unlock_device_finish().await
}

#[tokio::test]
async fn a_phone_unlocks_for_the_desks_admin_or_one_who_may_create_links_here() {
    let f = kiosk_fixture().await;
    let app = locked_desk(&f).await;
    let desk_admin = f.sim.demo().admin(seed::ADMIN_IAM_OWNER).user_id.clone();
    let desk_session = |app: &DeskApp| {
        let view = app.desk_view();
        workspace(&view).session.clone().unwrap().subject
    };

    // The desk's own admin.
    phone_unlock(&f, &app, seed::ADMIN_IAM_OWNER).await.unwrap();
    assert!(!app.desk_view().kiosk.locked);
    assert_eq!(desk_session(&app), desk_admin);
    app.kiosk_lock();

    // Another admin who may create links in ACME (IAM_USER_MANAGER: the v2 code).
    phone_unlock(&f, &app, seed::ADMIN_IAM_USER_MANAGER)
        .await
        .unwrap();
    assert!(!app.desk_view().kiosk.locked);
    assert_eq!(desk_session(&app), desk_admin, "the desk keeps its session");
    app.kiosk_lock();

    // A plain user, and a read-only auditor of ACME: refused, still locked.
    for account in ["zoe.mueller", seed::ADMIN_VIEWER] {
        let e = phone_unlock(&f, &app, account).await.unwrap_err();
        assert_eq!(e.code(), ErrorCode::UnlockRefused, "{account}: {e}");
        assert!(e.to_string().contains("ACME AG"), "{e}");
        let view = app.desk_view();
        assert!(view.kiosk.locked && view.workspace.is_none(), "{account}");
        assert_eq!(f.host.surface(), Surface::Public);
    }
    app.kiosk_unlock_pin(PIN).unwrap();
    assert_eq!(
        desk_session(&app),
        desk_admin,
        "the session stayed the desk's"
    );

    let unlocks: Vec<(String, String)> = AuditLog::in_dir(&f.dir.join("data"))
        .read(&AuditFilter::default())
        .unwrap()
        .into_iter()
        .rev()
        .filter(|e| e.action == AuditAction::Unlocked)
        .map(|e| (e.admin, e.outcome))
        .collect();
    let login = |name: &str| {
        f.sim
            .demo()
            .admins
            .iter()
            .find(|a| a.user_name == name)
            .unwrap()
            .login_name
            .clone()
    };
    assert_eq!(
        unlocks,
        vec![
            (login(seed::ADMIN_IAM_OWNER), "ok".into()),
            (login(seed::ADMIN_IAM_USER_MANAGER), "ok".into()),
            (
                "zoe.mueller@acme.example.com".into(),
                "unlock_refused".into()
            ),
            (login(seed::ADMIN_VIEWER), "unlock_refused".into()),
            ("kiosk PIN".into(), "ok".into()),
        ]
    );
}

#[tokio::test]
async fn a_kiosk_nobody_signed_in_is_signed_in_from_a_phone_unless_a_pin_is_set() {
    let f = kiosk_fixture().await;
    let app = f.app();
    app.settings_save(f.settings(seed::NATIVE_CLIENT_ID))
        .await
        .unwrap();
    app.kiosk_enter().unwrap();
    phone_unlock(&f, &app, seed::ADMIN_ORG_OWNER).await.unwrap();
    let view = app.desk_view();
    assert!(!view.kiosk.locked);
    let session = workspace(&view).session.clone().expect("signed in");
    assert_eq!(
        session.login_name.as_deref(),
        Some("globex.owner@globex.example.com")
    );

    // With a PIN, the operator opens it first.
    let f = kiosk_fixture().await;
    let app = f.app();
    app.settings_save(f.settings(seed::NATIVE_CLIENT_ID))
        .await
        .unwrap();
    app.kiosk_pin_set(Some(PIN)).unwrap();
    app.kiosk_enter().unwrap();
    let e = phone_unlock(&f, &app, seed::ADMIN_ORG_OWNER)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::UnlockRefused);
    assert!(app.desk_view().kiosk.locked);
}

#[tokio::test]
async fn a_registration_on_the_kiosk_shows_the_passkey_to_the_person_and_the_operator() {
    let f = kiosk_fixture().await;
    let app = locked_desk(&f).await;
    app.kiosk_unlock_pin(PIN).unwrap();
    let view = app
        .link_create(seed::ZOE_ID, Authenticator::Any, &[])
        .await
        .unwrap();
    f.register(&view.link, seed::ZOE_ID, "Zoës iPhone");
    // Locked: the operator's side is empty; the public screen says it.
    let mut public = app.watch_public();
    common::app::within(async {
        loop {
            if matches!(public.borrow_and_update().screen, ScreenView::Registered(_)) {
                break;
            }
            tokio::select! {
                changed = public.changed() => changed.unwrap(),
                _ = f.clock.parked(Timer::Poll) => f.clock.advance(passkey_desk_core::links::REGISTRATION_POLL),
            }
        }
    })
    .await;
    match app.screen() {
        ScreenView::Registered(person) => {
            assert_eq!(person.passkey_name, "Zoës iPhone");
            assert_eq!(person.display_name, "Zoë Müller");
        }
        other => panic!("{other:?}"),
    }
    assert!(app.desk_view().workspace.is_none());
    app.kiosk_unlock_pin(PIN).unwrap();
    match link_state(&app.desk_view()) {
        Some(LinkState::Registered { passkey, user, .. }) => {
            assert_eq!(
                (passkey.name.as_str(), user.id.as_str()),
                ("Zoës iPhone", seed::ZOE_ID)
            )
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_relock_time_is_a_setting() {
    let f = kiosk_fixture().await;
    let app = f.at_acme(seed::ADMIN_IAM_OWNER).await;
    app.settings_save(SettingsView {
        kiosk_relock_secs: 15,
        ..f.settings(seed::NATIVE_CLIENT_ID)
    })
    .await
    .unwrap();
    app.kiosk_pin_set(Some(PIN)).unwrap();
    app.kiosk_enter().unwrap();
    app.kiosk_unlock_pin(PIN).unwrap();
    assert_eq!(
        app.desk_view().kiosk.relocks_at,
        Some(f.clock.now() + chrono::Duration::seconds(15))
    );
    f.clock.parked(Timer::Relock).await;
    f.clock.advance(Duration::from_secs(15));
    desk_until(&app, |v| v.kiosk.locked).await;
}
