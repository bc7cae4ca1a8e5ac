//! The desktop app's behaviour (`DeskApp`) without a window, against zitadel-sim over real
//! HTTP, on a manual clock: the desk's state is read from what the core pushes
//! (`watch_desk`, `watch_public`), and time moves only when a test moves it.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::app::{calls, desk_until, link_state, screen_until, workspace, Fixture};
use passkey_desk_core::app::{
    system_language, Host, Language, LanguageSetting, LinkState, ScreenView, SettingsView,
};
use passkey_desk_core::audit::{AuditAction, AuditFilter};
use passkey_desk_core::auth::Method;
use passkey_desk_core::client::Authenticator;
use passkey_desk_core::clock::{Clock, Timer};
use passkey_desk_core::ErrorCode;
use zitadel_sim::{seed, SimConfig};

/// The passkey list of a v1 user.
const PASSKEY_SEARCH: &str = "/passwordless/_search";

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
    assert_eq!(e.code(), ErrorCode::SignInFailed);
    assert!(e.to_string().contains("client id"), "{e}");

    let mut remote_http = f.settings(seed::NATIVE_CLIENT_ID);
    remote_http.instance = Some("http://auth.example.com".into());
    assert_eq!(
        app.settings_save(remote_http).await.unwrap_err().code(),
        ErrorCode::Config
    );

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let mut nothing = f.settings(seed::NATIVE_CLIENT_ID);
    nothing.instance = Some(format!("http://{}", closed.local_addr().unwrap()));
    drop(closed);
    assert_eq!(
        app.connection_test(nothing).await.unwrap_err().code(),
        ErrorCode::Network
    );

    let saved = app
        .settings_save(SettingsView {
            clipboard_clear_secs: 5,
            kiosk_relock_secs: 90,
            ..f.settings(seed::NATIVE_CLIENT_ID)
        })
        .await
        .unwrap();
    assert_eq!(
        (saved.clipboard_clear_secs, saved.kiosk_relock_secs),
        (5, 90)
    );
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
            .await
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
async fn the_whole_helpdesk_flow_as_the_desk_pushes_it() {
    let f = Fixture::new().await;
    let app = f.signed_in(seed::ADMIN_IAM_OWNER).await;
    let view = app.desk_view();
    let session = workspace(&view).session.clone().expect("signed in");
    assert_eq!(session.method, Method::Browser);
    assert_eq!(
        session.login_name.as_deref(),
        Some("desk.admin@acme.example.com")
    );
    assert!(f.host.opened.lock().unwrap()[0].contains("/oauth/v2/authorize?"));

    assert_eq!(app.orgs_list(false).await.unwrap().len(), 3);
    let org = app.org_select(seed::ACME_ORG_ID).await.unwrap();
    assert!(org.capabilities.create_link && org.create_link_lacks.is_none());
    // The demo instance's links are Login UI v1's: the kind of passkey can be chosen.
    assert!(org.authenticator_choice);
    assert_eq!(workspace(&app.desk_view()).org, Some(org));

    // A search is one call; the passkey counts come when the window asks for them, once.
    f.sim.clear_requests();
    let rows = app.users_search("mü").await.unwrap();
    assert_eq!(f.sim.requests().len(), 1, "{:?}", f.sim.requests());
    let zoe = rows
        .iter()
        .find(|r| r.user.id.as_str() == seed::ZOE_ID)
        .expect("Zoë is found");
    assert_eq!(zoe.passkey_count, None);
    let counts = app.passkey_counts().await.unwrap();
    assert_eq!(counts.len(), rows.len());
    assert_eq!(
        counts
            .iter()
            .find(|c| c.user_id == seed::ZOE_ID)
            .unwrap()
            .count,
        Some(1)
    );
    assert_eq!(
        f.sim
            .requests()
            .iter()
            .filter(|r| r.path.ends_with("/passwordless/_search"))
            .count(),
        rows.len()
    );
    // A person from the search is chosen without asking the server again.
    let before = f.sim.requests().len();
    app.user_select(seed::ZOE_ID).await.unwrap();
    assert_eq!(f.sim.requests().len(), before);
    assert_eq!(
        workspace(&app.desk_view())
            .selected
            .as_ref()
            .map(|r| r.user.id.as_str()),
        Some(seed::ZOE_ID)
    );

    let view = app
        .link_create(seed::JOSE_ID, Authenticator::Any, &[])
        .await
        .unwrap();
    assert!(view.qr_svg.starts_with("<svg") && view.link.starts_with(&f.sim.url()));
    assert_eq!(view.user.display_name, "José Núñez");
    assert_eq!(
        link_state(&app.desk_view()),
        Some(&LinkState::Live { link: view.clone() })
    );
    assert_eq!(
        workspace(&app.desk_view())
            .selected
            .as_ref()
            .map(|r| r.user.id.as_str()),
        Some(seed::JOSE_ID),
        "the link's person is the one on screen"
    );

    app.link_copy().unwrap();
    assert_eq!(f.host.read_clipboard().as_deref(), Some(view.link.as_str()));
    // José's address is not verified in ZITADEL: the mail client opens only after a yes.
    let opened_before = f.host.opened.lock().unwrap().len();
    let e = app.link_email(false).unwrap_err();
    assert_eq!(e.code(), ErrorCode::EmailUnverified);
    assert!(e.to_string().contains("not verified"), "{e}");
    assert_eq!(
        f.host.opened.lock().unwrap().len(),
        opened_before,
        "nothing opened"
    );
    app.link_email(true).unwrap();
    let mailto = f.host.opened.lock().unwrap().last().unwrap().clone();
    assert!(
        mailto.starts_with("mailto:jose.nunez%40acme.example.com?subject="),
        "{mailto}"
    );
    let png = app.link_save_png().unwrap();
    assert_eq!(
        png.valid_until, view.expires_at,
        "the window says until when the saved picture works"
    );
    let img = image::open(&png.path).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(img);
    assert_eq!(prepared.detect_grids()[0].decode().unwrap().1, view.link);

    f.register(&view.link, seed::JOSE_ID, "Pixel 9");
    let seen = f.clock.now();
    let done = f
        .polls_until(&app, |v| {
            matches!(link_state(v), Some(LinkState::Registered { .. }))
        })
        .await;
    match link_state(&done) {
        Some(LinkState::Registered { user, passkey, .. }) => {
            assert_eq!(user.id.as_str(), seed::JOSE_ID);
            assert_eq!(passkey.name, "Pixel 9");
            assert!(passkey.seen_at >= seen, "when the desk saw it");
            assert!(!passkey.id.is_empty());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        f.host.read_clipboard().as_deref(),
        Some(""),
        "the clipboard forgets the link at once"
    );
    assert_eq!(app.link_copy().unwrap_err().code(), ErrorCode::NoLink);
    let text = serde_json::to_string(&done).unwrap();
    assert!(!text.contains(&view.link), "nothing of the link stays");
}

#[tokio::test]
async fn a_copied_link_leaves_the_clipboard_after_the_set_time() {
    let f = Fixture::new().await;
    let app = f.at_acme(seed::ADMIN_IAM_OWNER).await;
    app.settings_save(SettingsView {
        clipboard_clear_secs: 30,
        ..f.settings(seed::NATIVE_CLIENT_ID)
    })
    .await
    .unwrap();
    // Saving the same instance keeps the session.
    assert!(workspace(&app.desk_view()).session.is_some());
    let view = app
        .link_create("max.muster", Authenticator::Any, &[])
        .await
        .unwrap();
    app.link_copy().unwrap();
    f.clock.parked(Timer::Clipboard).await;
    f.clock.advance(Duration::from_secs(29));
    assert_eq!(f.host.read_clipboard().as_deref(), Some(view.link.as_str()));
    f.clock.advance(Duration::from_secs(1));
    common::app::within(async {
        while f.host.read_clipboard().as_deref() != Some("") {
            tokio::task::yield_now().await;
        }
    })
    .await;
}

#[tokio::test]
async fn another_org_another_person_and_back_to_search_close_the_link() {
    let f = Fixture::new().await;
    let app = f.at_acme(seed::ADMIN_IAM_OWNER).await;
    let data = f.dir.join("data");
    let audit = || {
        passkey_desk_core::audit::AuditLog::in_dir(&data)
            .read(&AuditFilter::default())
            .unwrap()
    };

    // Each way of moving on, one after the other: the link is closed by each.
    type MoveOn<'a> =
        Box<dyn Fn() -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + 'a>> + 'a>;
    let ways: Vec<(&str, MoveOn)> = vec![
        (
            "back to search",
            Box::new(|| Box::pin(async { app.back_to_search().await.unwrap() })),
        ),
        (
            "another person",
            Box::new(|| {
                Box::pin(async {
                    app.user_select(seed::ZOE_ID).await.unwrap();
                })
            }),
        ),
        (
            "another org",
            Box::new(|| {
                Box::pin(async {
                    app.org_select(seed::GLOBEX_ORG_ID).await.unwrap();
                    app.org_select(seed::ACME_ORG_ID).await.unwrap();
                })
            }),
        ),
        (
            "close",
            Box::new(|| Box::pin(async { app.link_close().await.unwrap() })),
        ),
    ];
    for (way, move_on) in ways {
        let view = app
            .link_create(seed::JOSE_ID, Authenticator::Any, &[])
            .await
            .unwrap();
        app.link_copy().unwrap();
        // The watch is waiting for its next look.
        f.clock.parked(Timer::Poll).await;
        let polls = calls(&f.sim, PASSKEY_SEARCH);
        let entries = audit().len();

        move_on().await;

        assert_eq!(
            link_state(&app.desk_view()),
            None,
            "{way}: the link is gone"
        );
        assert!(!f.clock.waiting_on(Timer::Poll), "{way}: the watch stopped");
        f.clock.advance(Duration::from_secs(10));
        tokio::task::yield_now().await;
        assert_eq!(
            calls(&f.sim, PASSKEY_SEARCH),
            polls,
            "{way}: no look at the passkeys after the close"
        );
        assert_eq!(
            f.host.read_clipboard().as_deref(),
            Some(""),
            "{way}: clipboard"
        );
        let new: Vec<_> = audit().into_iter().take(audit().len() - entries).collect();
        assert_eq!(
            new.iter().map(|e| e.action).collect::<Vec<_>>(),
            vec![AuditAction::WipedClosed],
            "{way}"
        );
        assert_eq!(new[0].user_id, seed::JOSE_ID);
        assert!(!std::fs::read_to_string(data.join("audit.jsonl"))
            .unwrap()
            .contains(&view.link));
        assert!(matches!(app.screen(), ScreenView::Welcome(_)), "{way}");
    }
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
    let user = app.link_send(seed::JOSE_ID, &[]).await.unwrap();
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
        .session_restore()
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
    assert_eq!(workspace(&app.desk_view()).org.as_ref(), Some(&org));

    app.sign_out().await.unwrap();
    let view = app.desk_view();
    assert!(workspace(&view).session.is_none() && workspace(&view).org.is_none());
    assert!(app.session_restore().await.unwrap().is_none());
    assert_eq!(
        app.orgs_list(false).await.unwrap_err().code(),
        ErrorCode::NotSignedIn
    );
}

#[tokio::test]
async fn device_sign_in_and_cancel() {
    let f = Fixture::with(SimConfig {
        device_interval: Duration::from_secs(1),
        ..SimConfig::default()
    })
    .await;
    let app = Arc::new(f.app());
    app.settings_save(f.settings(seed::NATIVE_CLIENT_ID))
        .await
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
    // Cancel once the finish is waiting on the phone: repeated until it lands.
    let outcome = common::app::within(async {
        loop {
            app.sign_in_cancel().await;
            if finishing.is_finished() {
                return finishing.await.unwrap();
            }
            tokio::task::yield_now().await;
        }
    })
    .await;
    // Cancelled while it waited for the phone, or before it started waiting: either way over.
    let code = outcome.unwrap_err().code();
    assert!(
        [ErrorCode::SignInCancelled, ErrorCode::NoDeviceSignIn].contains(&code),
        "{code}"
    );
    assert_eq!(
        app.sign_in_device_finish().await.unwrap_err().code(),
        ErrorCode::NoDeviceSignIn
    );
}

#[tokio::test]
async fn the_public_screen_shows_only_the_persons_part_and_the_new_passkey() {
    let f = Fixture::new().await;
    let app = f.at_acme(seed::ADMIN_IAM_OWNER).await;
    assert_eq!(
        app.screen(),
        ScreenView::Welcome(passkey_desk_core::app::Welcome {
            org_name: Some("ACME AG".into())
        })
    );

    let opened = app.presenter_open(None).await.unwrap();
    assert_eq!(opened.name, "HDMI-1", "not the admin's (primary) monitor");
    assert_eq!(app.presenter_open(Some("DP-1")).await.unwrap().name, "DP-1");
    assert!(
        app.presenter_monitors()
            .unwrap()
            .iter()
            .any(|m| m.name == "DP-1" && m.chosen),
        "an explicit choice is remembered"
    );
    assert_eq!(
        app.presenter_open(Some("VGA-9")).await.unwrap_err().code(),
        ErrorCode::InvalidInput
    );
    assert_eq!(
        workspace(&app.desk_view())
            .presenting
            .as_ref()
            .map(|m| m.name.as_str()),
        Some("DP-1")
    );

    let view = app
        .link_create(seed::JOSE_ID, Authenticator::Any, &[])
        .await
        .unwrap();
    let ScreenView::Showing(shown) = app.screen() else {
        panic!("{:?}", app.screen())
    };
    assert_eq!(shown.display_name, "José Núñez");
    assert_eq!(shown.org_name, "ACME AG");
    assert_eq!(shown.qr_svg, view.qr_svg);
    let public = serde_json::to_string(&*app.watch_public().borrow()).unwrap();
    for private in [
        view.link.as_str(),
        view.user.user_name.as_str(),
        view.user.id.as_str(),
    ] {
        assert!(!public.contains(private), "{private} is not public");
    }
    assert!(
        !public.contains("unlock\":{"),
        "no kiosk, no unlock: {public}"
    );

    f.register(&view.link, seed::JOSE_ID, "iPhone 17");
    f.polls_until(&app, |v| {
        matches!(link_state(v), Some(LinkState::Registered { .. }))
    })
    .await;
    match app.screen() {
        ScreenView::Registered(person) => {
            assert_eq!(person.display_name, "José Núñez");
            assert_eq!(person.passkey_name, "iPhone 17");
        }
        other => panic!("{other:?}"),
    }
    // "Registered ✓" stays 10 s, then the next person starts from the welcome.
    f.clock.parked(Timer::RegisteredHold).await;
    f.clock.advance(Duration::from_secs(10));
    screen_until(&app, |s| matches!(s, ScreenView::Welcome(_))).await;
    // The admin still sees which passkey appeared.
    assert!(matches!(
        link_state(&app.desk_view()),
        Some(LinkState::Registered { .. })
    ));
    app.presenter_close();
    assert_eq!(*f.host.presenter.lock().unwrap(), None);
    assert_eq!(workspace(&app.desk_view()).presenting, None);
}

#[tokio::test]
async fn an_idle_link_on_a_public_screen_is_wiped_and_touches_keep_it() {
    let f = Fixture::new().await;
    let app = f.at_acme(seed::ADMIN_IAM_OWNER).await;
    app.settings_save(SettingsView {
        idle_timeout_secs: 30,
        ..f.settings(seed::NATIVE_CLIENT_ID)
    })
    .await
    .unwrap();
    // The admin alone with a link is not hurried.
    app.link_create(seed::JOSE_ID, Authenticator::Any, &[])
        .await
        .unwrap();
    f.clock.parked(Timer::Poll).await;
    assert!(!f.clock.waiting_on(Timer::LinkRules));
    f.clock.advance(Duration::from_secs(300));
    assert!(matches!(
        link_state(&app.desk_view()),
        Some(LinkState::Live { .. })
    ));

    // With the presenter open, the rule applies; touches restart it.
    app.presenter_open(None).await.unwrap();
    app.link_create("max.muster", Authenticator::Any, &[])
        .await
        .unwrap();
    for _ in 0..3 {
        f.clock.parked(Timer::LinkRules).await;
        f.clock.advance(Duration::from_secs(20));
        app.screen_activity();
    }
    assert!(
        matches!(link_state(&app.desk_view()), Some(LinkState::Live { .. })),
        "60 s of touches keep a link with a 30 s idle timeout"
    );
    f.clock.parked(Timer::LinkRules).await;
    f.clock.advance(Duration::from_secs(30));
    let view = desk_until(&app, |v| {
        matches!(link_state(v), Some(LinkState::Idle { .. }))
    })
    .await;
    assert!(matches!(
        link_state(&view),
        Some(LinkState::Idle { user }) if user.user_name == "max.muster"
    ));
    assert!(matches!(app.screen(), ScreenView::Welcome(_)));
}

#[tokio::test]
async fn an_expired_link_is_wiped_by_the_cores_clock() {
    let f = Fixture::new().await;
    let app = f.at_acme(seed::ADMIN_IAM_OWNER).await;
    let view = app
        .link_create(seed::ZOE_ID, Authenticator::Any, &[])
        .await
        .unwrap();
    let ScreenView::Showing(shown) = app.screen() else {
        panic!("a link is showing")
    };
    assert_eq!(shown.language, Language::De, "Zoë prefers German");
    f.clock.parked(Timer::Poll).await;
    f.clock
        .advance((view.expires_at - f.clock.now()).to_std().unwrap());
    let ended = desk_until(&app, |v| {
        matches!(link_state(v), Some(LinkState::Expired { .. }))
    })
    .await;
    assert!(!serde_json::to_string(&ended).unwrap().contains(&view.link));
    assert!(matches!(app.screen(), ScreenView::Welcome(_)));
}

#[tokio::test]
async fn an_ended_session_pauses_the_public_screen_and_a_new_sign_in_clears_it() {
    let f = Fixture::new().await;
    let app = f.at_acme(seed::ADMIN_IAM_OWNER).await;
    app.link_create("max.muster", Authenticator::Any, &[])
        .await
        .unwrap();
    f.sim
        .revoke_sessions_of(&f.sim.demo().admin(seed::ADMIN_IAM_OWNER).user_id);
    let view = f
        .polls_until(&app, |v| workspace(v).session_lost.is_some())
        .await;
    let lost = workspace(&view).session_lost.clone().unwrap();
    assert!(lost.code.ends_session(), "{lost:?}");
    assert!(workspace(&view).session.is_none(), "back to the sign-in");
    assert_eq!(app.screen(), ScreenView::Paused, "one moment");
    assert_eq!(
        app.users_search("max").await.unwrap_err().code(),
        ErrorCode::NotSignedIn
    );
    app.sign_in_browser().await.unwrap();
    assert!(matches!(app.screen(), ScreenView::Welcome(_)));
    assert_eq!(workspace(&app.desk_view()).session_lost, None);
}

#[tokio::test]
async fn the_org_list_is_read_once_a_session_and_again_on_request() {
    let f = Fixture::new().await;
    let app = f.signed_in(seed::ADMIN_IAM_OWNER).await;
    let searches = || {
        f.sim
            .requests()
            .iter()
            .filter(|r| r.path == "/v2/organizations/_search")
            .count()
    };
    f.sim.clear_requests();
    assert_eq!(app.orgs_list(false).await.unwrap().len(), 3);
    app.orgs_list(false).await.unwrap();
    app.org_select(seed::ACME_ORG_ID).await.unwrap();
    app.org_select(seed::GLOBEX_ORG_ID).await.unwrap();
    assert_eq!(searches(), 1, "once for the session, not per switch");
    app.orgs_list(true).await.unwrap();
    assert_eq!(searches(), 2, "Refresh reads them again");
    // The next session reads its own.
    app.sign_out().await.unwrap();
    f.sim.set_auto_login(Some(seed::ADMIN_IAM_OWNER));
    app.sign_in_browser().await.unwrap();
    app.orgs_list(false).await.unwrap();
    assert_eq!(searches(), 3);
}
