//! core against zitadel-sim over real HTTP: every call, org scoping, permissions and the
//! never-blind link flow.

mod common;

use common::*;
use passkey_desk_core::client::{MatchMode, Membership, UserSearch};
use passkey_desk_core::{Error, OrgId, PasskeyState, UserId, UserKind, UserState};
use zitadel_sim::seed;

#[tokio::test]
async fn my_user_memberships_and_permissions() {
    let sim = sim().await;
    let desk = desk(&sim, seed::ADMIN_USER_MANAGER);
    let me = desk.whoami().await.unwrap();
    assert_eq!(me.user_name, "helpdesk");
    assert_eq!(me.org_id, acme());
    assert!(
        me.login_name.ends_with("@acme.example.com"),
        "{}",
        me.login_name
    );

    let memberships = desk.client().my_memberships().await.unwrap();
    assert_eq!(
        memberships,
        vec![Membership::Org {
            org_id: acme(),
            name: Some("ACME AG".into()),
            roles: vec!["ORG_USER_MANAGER".into()]
        }]
    );

    let in_acme = desk.client().my_permissions(&acme()).await.unwrap();
    assert!(in_acme.has("user.read") && in_acme.has("user.write"));
    assert!(!in_acme.has("user.credential.write"));
    let in_globex = desk.client().my_permissions(&globex()).await.unwrap();
    assert!(
        !in_globex.has("user.read"),
        "an org role holds nothing in another org"
    );
}

#[tokio::test]
async fn orgs_for_an_instance_admin_are_all_orgs_with_the_instance_roles() {
    let sim = sim().await;
    let orgs = desk(&sim, seed::ADMIN_IAM_OWNER).orgs().await.unwrap();
    let names: Vec<&str> = orgs.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, ["ACME AG", "Globex GmbH", "Initech SA"]);
    assert!(orgs
        .iter()
        .all(|o| o.roles.contains(&"IAM_OWNER".to_string())));
    assert_eq!(
        orgs[1].primary_domain.as_deref(),
        Some("globex.example.com")
    );

    let found = desk(&sim, seed::ADMIN_IAM_OWNER)
        .client()
        .search_orgs(Some("glob"), 100)
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, globex());
}

#[tokio::test]
async fn orgs_for_an_org_admin_are_only_their_org() {
    let sim = sim().await;
    let orgs = desk(&sim, seed::ADMIN_ORG_OWNER).orgs().await.unwrap();
    assert_eq!(orgs.len(), 1);
    assert_eq!(
        (orgs[0].id.clone(), orgs[0].name.as_str()),
        (globex(), "Globex GmbH")
    );
    assert_eq!(orgs[0].roles, ["ORG_OWNER"]);
}

#[tokio::test]
async fn resolve_org_by_name_id_and_default() {
    let sim = sim().await;
    let desk = desk(&sim, seed::ADMIN_IAM_OWNER);
    assert_eq!(
        desk.resolve_org(Some("globex gmbh")).await.unwrap().id,
        globex()
    );
    assert_eq!(
        desk.resolve_org(Some(seed::INITECH_ORG_ID))
            .await
            .unwrap()
            .id
            .as_str(),
        seed::INITECH_ORG_ID
    );
    assert_eq!(desk.resolve_org(None).await.unwrap().name, "ACME AG");
    let e = desk.resolve_org(Some("Umbrella Corp")).await.unwrap_err();
    assert!(matches!(e, Error::OrgNotFound { .. }), "{e}");
}

#[tokio::test]
async fn unknown_org_id_is_refused_by_the_server() {
    let sim = sim().await;
    let desk = desk(&sim, seed::ADMIN_IAM_OWNER);
    let unknown = OrgId::new("399999999999999999");
    let e = desk.search_users(&unknown, "max", 10).await.unwrap_err();
    assert!(matches!(e, Error::OrgNotFound { .. }), "{e}");
    let e = desk
        .create_link(&unknown, seed::MAX_ACME_ID)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "org_not_found", "{e}");
    assert!(link_calls(&sim).is_empty());
}

#[tokio::test]
async fn user_search_is_scoped_to_the_org_and_finds_non_ascii_names() {
    let sim = sim().await;
    let desk = desk(&sim, seed::ADMIN_IAM_OWNER);
    let page = desk.search_users(&acme(), "MÜ", 50).await.unwrap();
    assert!(
        page.users.iter().any(|u| u.display_name == "Zoë Müller"),
        "{:?}",
        page.users
    );
    assert!(page.users.iter().all(|u| u.org_id == acme()));

    let acme_max = desk.search_users(&acme(), "max.muster", 50).await.unwrap();
    let globex_max = desk
        .search_users(&globex(), "max.muster", 50)
        .await
        .unwrap();
    assert_eq!(
        acme_max
            .users
            .iter()
            .map(|u| u.id.as_str())
            .collect::<Vec<_>>(),
        [seed::MAX_ACME_ID]
    );
    assert_eq!(
        globex_max
            .users
            .iter()
            .map(|u| u.id.as_str())
            .collect::<Vec<_>>(),
        [seed::MAX_GLOBEX_ID]
    );

    let humans = desk.search_users(&acme(), "", 1000).await.unwrap();
    assert!(humans.users.iter().all(|u| u.kind == UserKind::Human));
    assert!(humans.total >= 12);
}

#[tokio::test]
async fn user_search_pages() {
    let sim = sim().await;
    let desk = desk(&sim, seed::ADMIN_IAM_OWNER);
    let search = |offset| UserSearch {
        text: String::new(),
        mode: MatchMode::Contains,
        humans_only: true,
        offset,
        limit: 5,
    };
    let first = desk.client().list_users(&acme(), &search(0)).await.unwrap();
    let second = desk.client().list_users(&acme(), &search(5)).await.unwrap();
    assert_eq!((first.users.len(), second.users.len()), (5, 5));
    assert_eq!(first.total, second.total);
    assert!(first
        .users
        .iter()
        .all(|a| second.users.iter().all(|b| a.id != b.id)));
}

#[tokio::test]
async fn resolve_user_by_id_user_name_login_name_and_email() {
    let sim = sim().await;
    let desk = desk(&sim, seed::ADMIN_IAM_OWNER);
    for ident in [
        seed::ZOE_ID,
        "zoe.mueller",
        "ZOE.MUELLER@acme.example.com",
        "zoe.mueller@acme.example.com",
    ] {
        let user = desk
            .resolve_user(&acme(), ident)
            .await
            .unwrap_or_else(|e| panic!("{ident}: {e}"));
        assert_eq!(user.id.as_str(), seed::ZOE_ID, "{ident}");
        assert_eq!(user.display_name, "Zoë Müller");
        assert_eq!(user.preferred_language.as_deref(), Some("de"));
    }
    let e = desk.resolve_user(&acme(), "nobody.here").await.unwrap_err();
    assert!(matches!(e, Error::UserNotFound { .. }), "{e}");
}

#[tokio::test]
async fn get_user_from_another_org_is_not_found() {
    let sim = sim().await;
    let desk = desk(&sim, seed::ADMIN_IAM_OWNER);
    let e = desk
        .client()
        .get_user(&acme(), &UserId::new(seed::MAX_GLOBEX_ID))
        .await
        .unwrap_err();
    assert!(matches!(e, Error::UserNotFound { .. }), "{e}");
    let user = desk
        .client()
        .get_user(&globex(), &UserId::new(seed::MAX_GLOBEX_ID))
        .await
        .unwrap();
    assert_eq!(user.org_id, globex());
}

#[tokio::test]
async fn link_for_a_user_of_another_org_is_never_created() {
    let sim = sim().await;
    let desk = desk(&sim, seed::ADMIN_IAM_OWNER);
    let e = desk
        .create_link(&acme(), seed::MAX_GLOBEX_ID)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::UserNotFound { .. }), "{e}");
    assert!(
        link_calls(&sim).is_empty(),
        "a _link call was made: {:?}",
        link_calls(&sim)
    );
}

#[tokio::test]
async fn create_link_checks_first_then_returns_a_link_on_the_instance() {
    let sim = sim().await;
    let desk = desk(&sim, seed::ADMIN_IAM_OWNER);
    let before = chrono::Utc::now();
    let (user, link) = desk.create_link(&acme(), "max.muster").await.unwrap();
    assert_eq!(user.id.as_str(), seed::MAX_ACME_ID);
    assert_eq!(
        (link.user_id.as_str(), link.org_id.clone()),
        (seed::MAX_ACME_ID, acme())
    );
    let url = url::Url::parse(link.link.expose()).unwrap();
    assert_eq!(url.origin().ascii_serialization(), sim.url());
    assert_eq!(url.path(), "/ui/login/login/passwordless/init");
    let lifetime = link.expires_at - before;
    assert!(
        (3595..=3601).contains(&lifetime.num_seconds()),
        "{lifetime}"
    );

    let calls = link_calls(&sim);
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].org_header.as_deref(), Some(seed::ACME_ORG_ID));
    // The user was resolved under the same org header before the link was made.
    let requests = sim.requests();
    let link_at = requests
        .iter()
        .position(|r| r.path.ends_with("/_link"))
        .unwrap();
    assert!(requests[..link_at]
        .iter()
        .any(|r| r.path.ends_with("/users/_search")
            && r.org_header.as_deref() == Some(seed::ACME_ORG_ID)));
}

#[tokio::test]
async fn the_same_user_name_in_two_orgs_gets_two_different_links() {
    let sim = sim().await;
    let desk = desk(&sim, seed::ADMIN_IAM_OWNER);
    let (a, la) = desk.create_link(&acme(), "max.muster").await.unwrap();
    let (g, lg) = desk.create_link(&globex(), "max.muster").await.unwrap();
    assert_eq!(
        (a.id.as_str(), g.id.as_str()),
        (seed::MAX_ACME_ID, seed::MAX_GLOBEX_ID)
    );
    assert!(la
        .link
        .expose()
        .contains(&format!("userID={}", seed::MAX_ACME_ID)));
    assert!(lg
        .link
        .expose()
        .contains(&format!("userID={}", seed::MAX_GLOBEX_ID)));
}

#[tokio::test]
async fn machine_locked_and_inactive_users_get_no_link() {
    let sim = sim().await;
    let desk = desk(&sim, seed::ADMIN_IAM_OWNER);
    let e = desk
        .create_link(&acme(), seed::MACHINE_ID)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::NotHuman { .. }), "{e}");
    let e = desk
        .create_link(&acme(), seed::LOCKED_ID)
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::UserNotActive {
                state: UserState::Locked,
                ..
            }
        ),
        "{e}"
    );
    let e = desk
        .create_link(&acme(), seed::INACTIVE_ID)
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::UserNotActive {
                state: UserState::Inactive,
                ..
            }
        ),
        "{e}"
    );
    let e = desk.send_link(&acme(), seed::MACHINE_ID).await.unwrap_err();
    assert_eq!(e.code(), "not_human");
    assert!(link_calls(&sim).is_empty());
    assert!(sim.emails().is_empty());
}

#[tokio::test]
async fn org_user_manager_may_send_but_not_show_a_link() {
    let sim = sim().await;
    let desk = desk(&sim, seed::ADMIN_USER_MANAGER);
    let caps = desk.capabilities(&acme()).await.unwrap();
    assert!(caps.send_link && caps.search_users && !caps.create_link);

    let e = desk.create_link(&acme(), "jose.nunez").await.unwrap_err();
    match &e {
        Error::PermissionDenied {
            permission,
            send_allowed,
            ..
        } => {
            assert_eq!(permission, "user.credential.write");
            assert_eq!(*send_allowed, Some(true));
        }
        other => panic!("expected PermissionDenied, got {other}"),
    }
    assert!(link_calls(&sim).is_empty());

    let user = desk.send_link(&acme(), "jose.nunez").await.unwrap();
    let emails = sim.emails();
    assert_eq!(emails.len(), 1);
    assert_eq!(emails[0].user_id, user.id.as_str());
    assert_eq!(Some(emails[0].to.clone()), user.email);
}

#[tokio::test]
async fn the_server_refuses_a_raw_link_call_without_the_permission() {
    // The client's own mapping of AUTH-5mWD2, without the desk's pre-check.
    let sim = sim().await;
    let desk = desk(&sim, seed::ADMIN_USER_MANAGER);
    let e = desk
        .client()
        .create_registration_link(&acme(), &UserId::new(seed::JOSE_ID))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::PermissionDenied { permission, .. } if permission == "user.credential.write"),
        "{e}"
    );
}

#[tokio::test]
async fn a_viewer_can_neither_show_nor_send() {
    let sim = sim().await;
    let desk = desk(&sim, seed::ADMIN_VIEWER);
    let e = desk.create_link(&acme(), "jose.nunez").await.unwrap_err();
    assert!(
        matches!(
            e,
            Error::PermissionDenied {
                send_allowed: Some(false),
                ..
            }
        ),
        "{e}"
    );
    let e = desk.send_link(&acme(), "jose.nunez").await.unwrap_err();
    assert!(
        matches!(&e, Error::PermissionDenied { permission, .. } if permission == "user.write"),
        "{e}"
    );
}

#[tokio::test]
async fn org_owner_acts_only_in_their_org() {
    let sim = sim().await;
    let desk = desk(&sim, seed::ADMIN_ORG_OWNER);
    assert!(desk.create_link(&globex(), "max.muster").await.is_ok());
    let e = desk.create_link(&acme(), "max.muster").await.unwrap_err();
    assert_eq!(e.code(), "permission_denied", "{e}");
}

#[tokio::test]
async fn passkeys_before_and_after_a_registration() {
    let sim = sim().await;
    let desk = desk(&sim, seed::ADMIN_IAM_OWNER);
    let (_, zoe_keys) = desk.passkeys(&acme(), "zoe.mueller").await.unwrap();
    assert_eq!(zoe_keys.len(), 1);
    assert_eq!(
        (zoe_keys[0].name.as_str(), zoe_keys[0].state.clone()),
        (seed::ZOE_PASSKEY_NAME, PasskeyState::Ready)
    );

    let (user, keys) = desk.passkeys(&acme(), "jose.nunez").await.unwrap();
    assert!(keys.is_empty());
    let (_, link) = desk.create_link(&acme(), "jose.nunez").await.unwrap();
    let (code_id, code) = code_of(link.link.expose());
    sim.complete_registration(user.id.as_str(), &code_id, &code, "Pixel 9")
        .unwrap();
    let (_, keys) = desk.passkeys(&acme(), "jose.nunez").await.unwrap();
    assert_eq!(
        keys.iter().map(|k| k.name.as_str()).collect::<Vec<_>>(),
        ["Pixel 9"]
    );
    // The code is single-use.
    assert!(sim
        .complete_registration(user.id.as_str(), &code_id, &code, "again")
        .is_err());
}

#[tokio::test]
async fn an_all_digit_text_that_is_an_id_and_a_user_name_is_ambiguous() {
    let sim = sim().await;
    let desk = desk(&sim, seed::ADMIN_IAM_OWNER);
    // Zoë's id is also the user name of someone else in ACME.
    let other = sim
        .add_human(seed::ACME_ORG_ID, seed::ZOE_ID, "Digit", "Name")
        .unwrap();
    let e = desk.resolve_user(&acme(), seed::ZOE_ID).await.unwrap_err();
    match &e {
        Error::AmbiguousUser { candidates, .. } => {
            assert_eq!(candidates.len(), 2, "{candidates:?}");
            assert!(candidates.iter().any(|c| c.contains(seed::ZOE_ID)));
            assert!(candidates.iter().any(|c| c.contains(&other)));
        }
        other => panic!("{other}"),
    }
    // Each alone is found: the id of a user without such a namesake, and the name by itself
    // where the digits are nobody's id.
    let user = desk.resolve_user(&acme(), &other).await.unwrap();
    assert_eq!(user.id.as_str(), other);
    let digits = sim
        .add_human(seed::ACME_ORG_ID, "4711", "Only", "Digits")
        .unwrap();
    let user = desk.resolve_user(&acme(), "4711").await.unwrap();
    assert_eq!(user.id.as_str(), digits);
}

#[tokio::test]
async fn passkeys_of_a_user_of_another_org_are_not_found() {
    // ZITADEL's v1 search does not look the user up: `{}` from v4.13 for a user outside the
    // header's org, and before v4.13 that user's passkeys (no org filter at all). The desk
    // resolves the user under the chosen org first, so neither reaches the admin.
    let sim = sim().await;
    let desk = desk(&sim, seed::ADMIN_IAM_OWNER);
    let raw = desk
        .client()
        .list_passkeys(&globex(), &UserId::new(seed::ZOE_ID))
        .await
        .unwrap();
    assert!(raw.is_empty(), "{raw:?}");
    sim.set_features(zitadel_sim::features::FeaturesUpdate {
        version: Some(zitadel_sim::features::Version::new(4, 12)),
        ..Default::default()
    });
    let raw = desk
        .client()
        .list_passkeys(&globex(), &UserId::new(seed::ZOE_ID))
        .await
        .unwrap();
    assert_eq!(raw.len(), 1, "v4.12 lists another org's passkeys: {raw:?}");
    let e = desk.passkeys(&globex(), seed::ZOE_ID).await.unwrap_err();
    assert!(matches!(e, Error::UserNotFound { .. }), "{e}");
    let e = desk
        .passkeys(&acme(), seed::MAX_GLOBEX_ID)
        .await
        .unwrap_err();
    assert!(matches!(e, Error::UserNotFound { .. }), "{e}");
}

#[tokio::test]
async fn waiting_sees_a_new_passkey_but_not_the_old_ones() {
    let sim = sim().await;
    let desk = std::sync::Arc::new(desk(&sim, seed::ADMIN_IAM_OWNER));
    // Zoë already has a passkey: it must not count as the registration.
    let (user, link) = desk.create_link(&acme(), "zoe.mueller").await.unwrap();
    assert_eq!(
        link.passkeys_before.as_deref(),
        Some(&[seed::ZOE_PASSKEY_ID.to_string()][..])
    );
    let (code_id, code) = code_of(link.link.expose());
    let clock = passkey_desk_core::clock::ManualClock::starting_now();
    let poll = std::time::Duration::from_secs(2);
    let watcher = {
        let (desk, link, clock) = (desk.clone(), link.clone(), clock.clone());
        tokio::spawn(async move { desk.wait_for_registration(&link, poll, &clock).await })
    };
    // The first look found nothing: the watch waits for the next one.
    clock.parked(passkey_desk_core::clock::Timer::Poll).await;
    assert!(!watcher.is_finished(), "nothing registered yet");
    sim.complete_registration(user.id.as_str(), &code_id, &code, "iPad")
        .unwrap();
    clock.advance(poll);
    match watcher.await.unwrap().unwrap() {
        passkey_desk_core::Registration::Registered(p) => assert_eq!(p.name, "iPad"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn waiting_ends_when_the_link_expires_and_survives_passing_failures() {
    let sim = sim().await;
    let desk = desk(&sim, seed::ADMIN_IAM_OWNER);
    let (_, link) = desk.create_link(&acme(), "jose.nunez").await.unwrap();
    sim.inject(zitadel_sim::Fault {
        method: None,
        path: "/management/v1/users/*/passwordless/_search".into(),
        times: Some(2),
        kind: zitadel_sim::FaultKind::Status { status: 503 },
    });
    use passkey_desk_core::clock::{Clock, ManualClock, Timer};
    let clock = ManualClock::starting_now();
    let poll = std::time::Duration::from_secs(2);
    let watch = desk.wait_for_registration(&link, poll, &clock);
    tokio::pin!(watch);
    // Three looks (two answered 503), then the clock passes the expiry.
    for _ in 0..3 {
        tokio::select! {
            outcome = &mut watch => panic!("ended early: {outcome:?}"),
            _ = clock.parked(Timer::Poll) => clock.advance(poll),
        }
    }
    let outcome = tokio::select! {
        outcome = &mut watch => outcome.unwrap(),
        _ = async {
            clock.parked(Timer::Poll).await;
            clock.advance((link.expires_at - clock.now()).to_std().unwrap());
            std::future::pending::<()>().await
        } => unreachable!(),
    };
    assert_eq!(outcome, passkey_desk_core::Registration::Expired);
    let polls = sim
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/passwordless/_search"))
        .count();
    assert!(polls >= 4, "kept polling after the 503s: {polls}");
}

#[tokio::test]
async fn waiting_stops_on_an_error_that_will_not_pass() {
    let sim = sim().await;
    let desk = desk(&sim, seed::ADMIN_IAM_OWNER);
    let (_, link) = desk.create_link(&acme(), "jose.nunez").await.unwrap();
    sim.inject(zitadel_sim::Fault {
        method: None,
        path: "/management/v1/users/*/passwordless/_search".into(),
        times: None,
        kind: zitadel_sim::FaultKind::Status { status: 403 },
    });
    let e = desk
        .wait_for_registration(
            &link,
            std::time::Duration::from_secs(2),
            &passkey_desk_core::clock::SystemClock,
        )
        .await
        .unwrap_err();
    // A 403 without a permission id is not reported as a missing permission.
    assert_eq!(e.code(), "forbidden");
}

/// A PAT names nobody: the audit entry names the admin by asking ZITADEL who the token is,
/// alongside the link's own calls rather than before them (here `users/me` answers slowly,
/// and the link is made before it has answered).
#[tokio::test]
async fn a_tokens_admin_is_named_in_the_audit_while_the_link_is_made() {
    use passkey_desk_core::audit::{AuditFilter, AuditLog};
    use passkey_desk_core::clock::SystemClock;
    use passkey_desk_core::links::{Actor, Links};
    use std::sync::Arc;

    let sim = sim().await;
    sim.inject(zitadel_sim::Fault {
        method: None,
        path: "/auth/v1/users/me".into(),
        times: None,
        kind: zitadel_sim::FaultKind::Delay { ms: 1500 },
    });
    let dir = std::env::temp_dir().join(format!("pd-actor-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let audit = Arc::new(AuditLog::in_dir(&dir));
    let unnamed = Actor {
        instance: sim.url(),
        admin: "a subject".into(),
        named: false,
    };
    let links = Links::new(
        Arc::new(desk(&sim, seed::ADMIN_IAM_OWNER)),
        audit.clone(),
        Arc::new(SystemClock),
        unnamed,
    );
    let org = links
        .desk()
        .resolve_org(Some(seed::ACME_ORG_ID))
        .await
        .unwrap();
    links
        .create(&org, seed::ZOE_ID, Default::default(), &[])
        .await
        .unwrap();

    let order: Vec<String> = sim
        .requests()
        .into_iter()
        .map(|r| r.path)
        .filter(|p| p.ends_with("/passwordless/_link") || p == "/auth/v1/users/me")
        .collect();
    assert_eq!(order.len(), 2, "{order:?}");
    assert!(
        order[0].ends_with("/passwordless/_link"),
        "users/me was asked before the link: {order:?}"
    );
    let admin = &sim.demo().admin(seed::ADMIN_IAM_OWNER).login_name;
    let entries = audit.read(&AuditFilter::default()).unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(&entries[0].admin, admin);
    assert!(links.actor().named);
    // Asked once: the next link's entry reuses the name.
    links
        .create(&org, seed::ZOE_ID, Default::default(), &[])
        .await
        .unwrap();
    let asked = sim
        .requests()
        .iter()
        .filter(|r| r.path == "/auth/v1/users/me")
        .count();
    assert_eq!(asked, 1);
    assert_eq!(
        &audit.read(&AuditFilter::default()).unwrap()[0].admin,
        admin
    );
    let _ = std::fs::remove_dir_all(&dir);
}
