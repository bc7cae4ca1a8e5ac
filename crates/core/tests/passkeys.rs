//! A person's passkeys at the desk, against zitadel-sim over real HTTP: removing one by id or
//! name with v1 and v2, every check before the call, the audit entry, the desktop app's
//! commands, and *Not the person's device?* after a registration.

mod common;

use std::time::Duration;

use common::app::{desk_until, link_state, Fixture};
use common::*;
use passkey_desk_core::app::{CoveragePhase, CoverageView, LinkState};
use passkey_desk_core::audit::{AuditAction, AuditFilter, AuditPasskey};
use passkey_desk_core::client::{ApiVersion, Authenticator};
use passkey_desk_core::{ClientOptions, Error, ErrorCode, UserId};
use zitadel_sim::{seed, LoggedRequest, Sim};

fn with_api(api: ApiVersion) -> ClientOptions {
    ClientOptions {
        api,
        ..ClientOptions::default()
    }
}

/// The DELETE calls the simulator received.
fn removals(sim: &Sim) -> Vec<LoggedRequest> {
    sim.requests()
        .into_iter()
        .filter(|r| r.method == "DELETE")
        .collect()
}

#[tokio::test]
async fn removes_by_id_or_name_with_each_api() {
    for (api, path) in [
        (ApiVersion::V1, "/management/v1/users/"),
        (ApiVersion::V2, "/v2/users/"),
    ] {
        let sim = sim().await;
        let desk = desk_with(&sim, seed::ADMIN_USER_MANAGER, with_api(api));
        // By name, ignoring case.
        let (user, removed) = desk
            .remove_passkey(&acme(), "zoe.mueller", "macbook touch id")
            .await
            .unwrap();
        assert_eq!(user.id.as_str(), seed::ZOE_ID);
        assert_eq!(removed.id, seed::ZOE_PASSKEY_ID);
        assert_eq!(removed.name, seed::ZOE_PASSKEY_NAME);
        let calls = removals(&sim);
        assert_eq!(calls.len(), 1, "{api:?}");
        assert!(
            calls[0].path.starts_with(path),
            "{api:?}: {}",
            calls[0].path
        );
        assert_eq!(calls[0].status, 200);
        let (_, left) = desk.passkeys(&acme(), "zoe.mueller").await.unwrap();
        assert!(left.is_empty(), "{api:?}: {left:?}");

        // By id, after a registration; the same id again: not found, named.
        let (jose, link) = desk_with(&sim, seed::ADMIN_IAM_OWNER, with_api(api))
            .create_link(&acme(), "jose.nunez")
            .await
            .unwrap();
        let (code_id, code) = code_of(link.link.expose());
        let new = sim
            .complete_registration(jose.id.as_str(), &code_id, &code, "Pixel 9")
            .unwrap();
        desk.remove_passkey(&acme(), "jose.nunez", &new)
            .await
            .unwrap();
        let e = desk
            .remove_passkey(&acme(), "jose.nunez", &new)
            .await
            .unwrap_err();
        assert_eq!(e.code(), ErrorCode::PasskeyNotFound, "{e}");
        assert!(e.to_string().contains(&new), "{e}");
        assert_eq!(
            removals(&sim).len(),
            2,
            "nothing is sent for a passkey not there"
        );
    }
}

#[tokio::test]
async fn nothing_is_removed_without_the_permission_or_for_another_org() {
    let sim = sim().await;
    // The auditor may read but not write: refused before any DELETE.
    let viewer = desk(&sim, seed::ADMIN_VIEWER);
    let e = viewer
        .remove_passkey(&acme(), "zoe.mueller", seed::ZOE_PASSKEY_ID)
        .await
        .unwrap_err();
    match &e {
        Error::PermissionDenied { permission, .. } => assert_eq!(permission, "user.write"),
        other => panic!("{other}"),
    }
    // Zoë is not in Globex: not found there, whoever asks.
    let owner = desk(&sim, seed::ADMIN_IAM_OWNER);
    let e = owner
        .remove_passkey(&globex(), seed::ZOE_ID, seed::ZOE_PASSKEY_ID)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::UserNotFound, "{e}");
    assert!(removals(&sim).is_empty());

    // The raw calls, as ZITADEL answers them: v1 under another org's header finds no
    // passkey; v2 by Globex's owner (no membership in ACME) is a missing permission.
    let raw = owner
        .client()
        .remove_passkey(&globex(), &UserId::new(seed::ZOE_ID), seed::ZOE_PASSKEY_ID)
        .await
        .unwrap_err();
    assert_eq!(raw.code(), ErrorCode::PasskeyNotFound, "{raw}");
    let globex_owner = desk_with(&sim, seed::ADMIN_ORG_OWNER, with_api(ApiVersion::V2));
    let raw = globex_owner
        .client()
        .remove_passkey(&globex(), &UserId::new(seed::ZOE_ID), seed::ZOE_PASSKEY_ID)
        .await
        .unwrap_err();
    assert_eq!(raw.code(), ErrorCode::PermissionDenied, "{raw}");
    let (_, left) = owner.passkeys(&acme(), "zoe.mueller").await.unwrap();
    assert_eq!(left.len(), 1, "Zoë keeps her passkey");
}

#[tokio::test]
async fn a_name_two_passkeys_share_is_refused_and_the_id_works() {
    let sim = sim().await;
    let owner = desk(&sim, seed::ADMIN_IAM_OWNER);
    let mut ids = Vec::new();
    for _ in 0..2 {
        let (jose, link) = owner.create_link(&acme(), "jose.nunez").await.unwrap();
        let (code_id, code) = code_of(link.link.expose());
        ids.push(
            sim.complete_registration(jose.id.as_str(), &code_id, &code, "iPhone")
                .unwrap(),
        );
    }
    let e = owner
        .remove_passkey(&acme(), "jose.nunez", "iPhone")
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput, "{e}");
    assert!(
        ids.iter().all(|id| e.to_string().contains(id.as_str())),
        "{e}"
    );
    assert!(removals(&sim).is_empty());
    owner
        .remove_passkey(&acme(), "jose.nunez", &ids[1])
        .await
        .unwrap();
    let (_, left) = owner.passkeys(&acme(), "jose.nunez").await.unwrap();
    assert_eq!(left.iter().map(|p| &p.id).collect::<Vec<_>>(), [&ids[0]]);
}

#[tokio::test]
async fn the_app_lists_removes_and_audits_and_a_user_manager_may_remove() {
    let f = Fixture::new().await;
    let app = f.at_acme(seed::ADMIN_USER_MANAGER).await;
    let org = app.org_current().await.unwrap().unwrap();
    assert!(org.capabilities.remove_passkeys && !org.capabilities.create_link);
    assert_eq!(org.remove_passkeys_lacks, None);

    let keys = app.passkeys_list(seed::ZOE_ID).await.unwrap();
    assert_eq!(keys.len(), 1);
    let left = app
        .passkey_remove(seed::ZOE_ID, seed::ZOE_PASSKEY_ID)
        .await
        .unwrap();
    assert!(left.is_empty());
    let e = app
        .passkey_remove(seed::ZOE_ID, seed::ZOE_PASSKEY_ID)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::PasskeyNotFound);

    let entries = app.audit_list(AuditFilter::default()).unwrap();
    let removed: Vec<_> = entries
        .iter()
        .filter(|e| e.action == AuditAction::Removed)
        .collect();
    assert_eq!(removed.len(), 2, "{entries:?}");
    // Newest first: the refusal, then the removal with the passkey's id and name.
    assert_eq!(removed[0].outcome, "passkey_not_found");
    assert_eq!(removed[1].outcome, "ok");
    assert!(removed[1].login_name.starts_with("zoe.mueller@"));
    assert_eq!(removed[1].user_id, seed::ZOE_ID);
    assert_eq!(
        removed[1].passkey,
        Some(AuditPasskey {
            id: seed::ZOE_PASSKEY_ID.into(),
            name: seed::ZOE_PASSKEY_NAME.into(),
        })
    );

    // The auditor: the window is told which permission is missing, the core refuses.
    let f = Fixture::new().await;
    let app = f.at_acme(seed::ADMIN_VIEWER).await;
    let org = app.org_current().await.unwrap().unwrap();
    assert!(!org.capabilities.remove_passkeys);
    assert_eq!(org.remove_passkeys_lacks.as_deref(), Some("user.write"));
    let e = app
        .passkey_remove(seed::ZOE_ID, seed::ZOE_PASSKEY_ID)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::PermissionDenied);
    assert!(removals(&f.sim).is_empty());
}

#[tokio::test]
async fn not_the_persons_device_removes_the_passkey_that_just_appeared() {
    let f = Fixture::new().await;
    let app = f.at_acme(seed::ADMIN_IAM_OWNER).await;
    let link = app
        .link_create(seed::JOSE_ID, Authenticator::Any, &[])
        .await
        .unwrap();
    f.register(&link.link, seed::JOSE_ID, "Someone's Pixel");
    let view = f
        .polls_until(&app, |v| {
            matches!(link_state(v), Some(LinkState::Registered { .. }))
        })
        .await;
    let Some(LinkState::Registered { passkey, .. }) = link_state(&view) else {
        unreachable!()
    };
    assert_eq!(passkey.name, "Someone's Pixel");
    let left = app
        .passkey_remove(seed::JOSE_ID, &passkey.id)
        .await
        .unwrap();
    assert!(left.is_empty(), "{left:?}");
    let entries = app.audit_list(AuditFilter::default()).unwrap();
    assert_eq!(entries[0].action, AuditAction::Removed);
    assert_eq!(entries[0].passkey.as_ref().unwrap().id, passkey.id);
    assert_eq!(entries[1].action, AuditAction::Registered);
}

fn coverage(view: &passkey_desk_core::app::DeskView) -> Option<&CoverageView> {
    view.workspace.as_ref().and_then(|w| w.coverage.as_ref())
}

#[tokio::test]
async fn the_coverage_panel_counts_lists_sends_and_goes_with_the_org() {
    let f = Fixture::new().await;
    f.sim.seed_users(seed::INITECH_ORG_ID, 30).unwrap();
    let with = f.sim.seed_passkeys(seed::INITECH_ORG_ID, 3);
    let truth = f.sim.passkey_counts(seed::INITECH_ORG_ID);
    let app = f.signed_in(seed::ADMIN_IAM_OWNER).await;
    // No org, no count.
    assert_eq!(app.coverage_start().unwrap_err().code(), ErrorCode::NoOrg);
    app.org_select(seed::INITECH_ORG_ID).await.unwrap();
    // Nothing to send before a count.
    assert_eq!(
        app.coverage_send(&[]).await.unwrap_err().code(),
        ErrorCode::InvalidInput
    );

    let started = app.coverage_start().unwrap();
    assert_eq!(started.phase, CoveragePhase::Counting);
    let view = desk_until(&app, |v| {
        coverage(v).is_some_and(|c| c.phase == CoveragePhase::Done)
    })
    .await;
    let done = coverage(&view).unwrap();
    assert_eq!(done.progress.with_passkey as usize, with);
    assert_eq!(done.without_total as usize, truth.len() - with);
    assert_eq!(done.without.len(), truth.len() - with);
    assert!(done
        .without
        .iter()
        .all(|u| truth.iter().any(|(id, n)| id == u.id.as_str() && *n == 0)));

    let after = app.coverage_send(&[]).await.unwrap();
    let sent = after.sent.unwrap();
    assert_eq!(sent.sent as usize, truth.len() - with);
    assert!(sent.failed.is_empty());
    assert_eq!(f.sim.emails().len(), truth.len() - with);
    let audited = app
        .audit_list(AuditFilter::default())
        .unwrap()
        .into_iter()
        .filter(|e| e.action == AuditAction::Sent && e.outcome == "ok")
        .count();
    assert_eq!(audited, truth.len() - with, "each send audited");

    // Another org: the panel and its list go.
    app.org_select(seed::ACME_ORG_ID).await.unwrap();
    assert!(coverage(&app.desk_view()).is_none());
    assert_eq!(
        app.coverage_send(&[]).await.unwrap_err().code(),
        ErrorCode::InvalidInput
    );
}

#[tokio::test]
async fn stopping_the_panels_count_keeps_what_it_had_and_ends_the_calls() {
    let f = Fixture::new().await;
    f.sim.seed_users(seed::INITECH_ORG_ID, 1_000).unwrap();
    let app = f.signed_in(seed::ADMIN_IAM_OWNER).await;
    app.org_select(seed::INITECH_ORG_ID).await.unwrap();
    app.coverage_start().unwrap();
    // A second start while it counts is the same count.
    assert_eq!(app.coverage_start().unwrap().phase, CoveragePhase::Counting);
    desk_until(&app, |v| {
        coverage(v).is_some_and(|c| c.progress.active() >= 25)
    })
    .await;
    app.coverage_stop().unwrap();
    let stopped = app.desk_view();
    let c = coverage(&stopped).unwrap();
    assert_eq!(c.phase, CoveragePhase::Stopped);
    assert!(c.progress.active() >= 25);
    tokio::time::sleep(Duration::from_millis(100)).await;
    let calls = f.sim.requests().len();
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(f.sim.requests().len(), calls, "no call after the stop");
    assert_eq!(
        app.coverage_send(&[]).await.unwrap_err().code(),
        ErrorCode::InvalidInput,
        "a stopped count sends nothing"
    );

    // A count is the admin's: a locked kiosk refuses it.
    app.kiosk_pin_set(Some("482916")).unwrap();
    app.kiosk_enter().unwrap();
    assert_eq!(
        app.coverage_start().unwrap_err().code(),
        ErrorCode::KioskLocked
    );
}

#[tokio::test]
async fn a_replaced_device_goes_only_once_the_new_passkey_is_registered() {
    let f = Fixture::new().await;
    let app = f.at_acme(seed::ADMIN_IAM_OWNER).await;
    // Nothing chosen, or a passkey she does not have: refused before any link.
    assert_eq!(
        app.link_replace(seed::ZOE_ID, &[], false, Authenticator::Any, &[])
            .await
            .unwrap_err()
            .code(),
        ErrorCode::InvalidInput
    );
    assert_eq!(
        app.link_replace(
            seed::ZOE_ID,
            &["Old Android".into()],
            false,
            Authenticator::Any,
            &[]
        )
        .await
        .unwrap_err()
        .code(),
        ErrorCode::PasskeyNotFound
    );
    assert!(calls_to(&f.sim, "/_link") == 0);

    let view = app
        .link_replace(
            seed::ZOE_ID,
            &[seed::ZOE_PASSKEY_NAME.into()],
            false,
            Authenticator::Any,
            &[],
        )
        .await
        .unwrap();
    assert_eq!(view.retiring, [seed::ZOE_PASSKEY_NAME]);
    assert_eq!(
        app.passkeys_list(seed::ZOE_ID).await.unwrap().len(),
        1,
        "still there"
    );

    f.register(&view.link, seed::ZOE_ID, "New phone");
    let done = f
        .polls_until(&app, |v| {
            matches!(link_state(v), Some(LinkState::Registered { .. }))
        })
        .await;
    let Some(LinkState::Registered {
        passkey, retired, ..
    }) = link_state(&done)
    else {
        unreachable!()
    };
    assert_eq!(retired.len(), 1);
    assert!(retired[0].removed && retired[0].id == seed::ZOE_PASSKEY_ID);
    let left = app.passkeys_list(seed::ZOE_ID).await.unwrap();
    assert_eq!(
        left.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        ["New phone"]
    );

    let entries = app.audit_list(AuditFilter::default()).unwrap();
    let replaced = entries
        .iter()
        .find(|e| e.action == AuditAction::Replaced)
        .expect("a replaced entry");
    assert_eq!(replaced.outcome, "ok");
    assert_eq!(
        replaced.passkey.as_ref().unwrap().id,
        passkey.id,
        "names the new passkey"
    );
    assert!(entries.iter().any(|e| e.action == AuditAction::Removed
        && e.passkey
            .as_ref()
            .is_some_and(|p| p.id == seed::ZOE_PASSKEY_ID)));
}

#[tokio::test]
async fn an_expired_replacement_removes_nothing_and_a_stolen_device_goes_first() {
    let f = Fixture::with(zitadel_sim::SimConfig {
        code_lifetime: Duration::from_secs(60),
        ..zitadel_sim::SimConfig::default()
    })
    .await;
    let app = f.at_acme(seed::ADMIN_IAM_OWNER).await;
    app.link_replace(
        seed::ZOE_ID,
        &[seed::ZOE_PASSKEY_ID.into()],
        false,
        Authenticator::Any,
        &[],
    )
    .await
    .unwrap();
    f.clock.advance(Duration::from_secs(61));
    f.polls_until(&app, |v| {
        matches!(link_state(v), Some(LinkState::Expired { .. }))
    })
    .await;
    assert_eq!(
        app.passkeys_list(seed::ZOE_ID).await.unwrap().len(),
        1,
        "kept"
    );
    assert!(removals(&f.sim).is_empty());

    // Stolen: removed at once, then the link.
    let view = app
        .link_replace(
            seed::ZOE_ID,
            &[seed::ZOE_PASSKEY_ID.into()],
            true,
            Authenticator::Any,
            &[],
        )
        .await
        .unwrap();
    assert!(view.retiring.is_empty());
    assert!(app.passkeys_list(seed::ZOE_ID).await.unwrap().is_empty());
    let entries = app.audit_list(AuditFilter::default()).unwrap();
    let replaced = entries
        .iter()
        .find(|e| e.action == AuditAction::Replaced)
        .unwrap();
    assert_eq!(
        replaced.passkey, None,
        "a stolen device's replacement names no new passkey yet"
    );

    // Refused before anything goes: the auditor may not remove, the user manager may
    // remove but not make the link that must follow.
    for (admin, lacks) in [
        (seed::ADMIN_VIEWER, "user.write"),
        (seed::ADMIN_USER_MANAGER, "user.credential.write"),
    ] {
        let f = Fixture::new().await;
        let app = f.at_acme(admin).await;
        let e = app
            .link_replace(
                seed::ZOE_ID,
                &[seed::ZOE_PASSKEY_ID.into()],
                true,
                Authenticator::Any,
                &[],
            )
            .await
            .unwrap_err();
        match &e {
            Error::PermissionDenied { permission, .. } => assert_eq!(permission, lacks),
            other => panic!("{admin}: {other}"),
        }
        assert!(removals(&f.sim).is_empty(), "{admin}: nothing removed");
        assert_eq!(calls_to(&f.sim, "/_link"), 0);
    }
}

fn calls_to(sim: &Sim, path_end: &str) -> usize {
    sim.requests()
        .iter()
        .filter(|r| r.path.ends_with(path_end))
        .count()
}

/// *New link* for the same person (a code that died after failed tries): the public screen
/// goes from the old QR to the new one, never through the welcome.
#[tokio::test]
async fn a_new_link_for_the_same_person_follows_on_the_presenter_without_a_gap() {
    use passkey_desk_core::app::ScreenView;
    let f = Fixture::new().await;
    let app = f.at_acme(seed::ADMIN_IAM_OWNER).await;
    app.presenter_open(None).await.unwrap();
    let first = app
        .link_create(seed::JOSE_ID, Authenticator::Any, &[])
        .await
        .unwrap();
    let mut screens = app.watch_public();
    screens.borrow_and_update();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let recorder = {
        let seen = seen.clone();
        tokio::spawn(async move {
            while screens.changed().await.is_ok() {
                let phase = match &screens.borrow_and_update().screen {
                    ScreenView::Welcome(_) => "welcome",
                    ScreenView::Showing(_) => "showing",
                    ScreenView::Registered(_) => "registered",
                    ScreenView::Paused => "paused",
                };
                seen.lock().unwrap().push(phase);
            }
        })
    };
    let second = app
        .link_create(seed::JOSE_ID, Authenticator::Any, &[])
        .await
        .unwrap();
    assert_ne!(first.link, second.link);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        !seen.lock().unwrap().contains(&"welcome"),
        "{:?}",
        seen.lock().unwrap()
    );
    // The old link was closed (audited) when the new one came.
    let entries = app.audit_list(AuditFilter::default()).unwrap();
    assert!(entries.iter().any(|e| e.action == AuditAction::WipedClosed));

    // The next one cannot be made: the link on screen stays, nothing is lost.
    f.sim.inject(zitadel_sim::Fault {
        method: Some("POST".into()),
        path: "/management/v1/users/*/passwordless/_link".into(),
        times: Some(1),
        kind: zitadel_sim::FaultKind::Status { status: 500 },
    });
    app.link_create(seed::JOSE_ID, Authenticator::Any, &[])
        .await
        .unwrap_err();
    match link_state(&app.desk_view()) {
        Some(LinkState::Live { link }) => assert_eq!(link.link, second.link),
        other => panic!("{other:?}"),
    }
    recorder.abort();
}

/// A link that died — expired, or its code burned by three failed checks (ZITADEL cancels
/// it; the person's first try failed) — is followed by the next for the same person in one
/// action, and that one registers.
#[tokio::test]
async fn new_link_after_expiry_and_after_a_burned_code_registers() {
    let f = Fixture::with(zitadel_sim::SimConfig {
        code_lifetime: Duration::from_secs(60),
        ..zitadel_sim::SimConfig::default()
    })
    .await;
    let app = f.at_acme(seed::ADMIN_IAM_OWNER).await;

    // Burned: three wrong codes cancel it at ZITADEL; the right one no longer works.
    let burned = app
        .link_create(seed::JOSE_ID, Authenticator::Any, &[])
        .await
        .unwrap();
    let (code_id, code) = common::app::code_of(&burned.link);
    for _ in 0..3 {
        assert!(f
            .sim
            .complete_registration(seed::JOSE_ID, &code_id, "WRONGCODE123", "x")
            .is_err());
    }
    assert!(f
        .sim
        .complete_registration(seed::JOSE_ID, &code_id, &code, "Pixel")
        .is_err());
    // New link, same person, one action: it works.
    let fresh = app
        .link_create(seed::JOSE_ID, Authenticator::Any, &[])
        .await
        .unwrap();
    f.register(&fresh.link, seed::JOSE_ID, "Pixel");
    let done = f
        .polls_until(&app, |v| {
            matches!(link_state(v), Some(LinkState::Registered { .. }))
        })
        .await;
    let Some(LinkState::Registered { passkey, .. }) = link_state(&done) else {
        unreachable!()
    };
    assert_eq!(passkey.name, "Pixel");

    // Expired: the ended link keeps the person; New link is one call for them.
    app.link_create(seed::JOSE_ID, Authenticator::Any, &[])
        .await
        .unwrap();
    f.clock.advance(Duration::from_secs(61));
    f.polls_until(&app, |v| {
        matches!(link_state(v), Some(LinkState::Expired { .. }))
    })
    .await;
    let again = app
        .link_create(seed::JOSE_ID, Authenticator::Any, &[])
        .await
        .unwrap();
    assert_eq!(again.user.id.as_str(), seed::JOSE_ID);
    assert_eq!(
        calls_to(&f.sim, "/_link"),
        4,
        "one call per link, nothing twice"
    );
}
