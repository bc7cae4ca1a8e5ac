//! User service v2 and links built from v2 codes, against zitadel-sim over real HTTP: the
//! `api` setting (auto, v1, v2) with its fallback, the Login UI v1/v2 formats from the
//! instance's feature flag or the `login_ui` override, the link template, the
//! IAM_USER_MANAGER path, and the built links accepted by the sim's login pages.

mod common;

use common::*;
use passkey_desk_core::client::{ApiVersion, Authenticator, LoginUi, MatchMode, UserSearch};
use passkey_desk_core::{ClientOptions, Error, ErrorCode, LinkVia, UserId, UserKind};
use zitadel_sim::features::{FeaturesUpdate, LoginV2, V1Link};
use zitadel_sim::{seed, Fault, FaultKind, Sim};

fn with_api(api: ApiVersion) -> ClientOptions {
    ClientOptions {
        api,
        ..ClientOptions::default()
    }
}

fn v1_link(sim: &Sim, mode: V1Link) {
    sim.set_features(FeaturesUpdate {
        v1_link: Some(mode),
        ..FeaturesUpdate::default()
    });
}

fn login_v2(sim: &Sim, required: bool, base_uri: Option<String>) {
    sim.set_features(FeaturesUpdate {
        login_v2: Some(LoginV2 { required, base_uri }),
        ..FeaturesUpdate::default()
    });
}

/// The calls that may create a registration code.
fn creating_calls(sim: &Sim) -> Vec<(String, u16)> {
    sim.requests()
        .into_iter()
        .filter(|r| {
            r.path.ends_with("/passwordless/_link")
                || r.path.ends_with("/passkeys/registration_link")
        })
        .map(|r| (r.path, r.status))
        .collect()
}

fn query(link: &str, key: &str) -> Option<String> {
    url::Url::parse(link)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

/// Opens a link as a browser would and returns the status and the page.
async fn open(link: &str) -> (u16, String) {
    let response = reqwest::get(link).await.unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

#[tokio::test]
async fn auto_uses_v1_only_when_v1_works() {
    let sim = sim().await;
    let desk = desk(&sim, seed::ADMIN_IAM_OWNER);
    let (_, link) = desk.create_link(&acme(), "jose.nunez").await.unwrap();
    assert_eq!(link.via, LinkVia::V1Link);
    let calls = creating_calls(&sim);
    assert_eq!(calls.len(), 1, "{calls:?}");
    assert!(calls[0].0.ends_with("/passwordless/_link"));
    assert!(
        !sim.requests()
            .iter()
            .any(|r| r.path.starts_with("/v2/users") || r.path == "/v2/features/instance"),
        "no v2 call when v1 works"
    );
}

#[tokio::test]
async fn auto_falls_back_to_v2_when_v1_link_is_gone_and_the_link_registers() {
    for mode in [V1Link::NotFound, V1Link::Unimplemented] {
        let sim = sim().await;
        v1_link(&sim, mode);
        let desk = desk(&sim, seed::ADMIN_IAM_OWNER);
        let (user, link) = desk.create_link(&acme(), "jose.nunez").await.unwrap();
        assert_eq!(link.via, LinkVia::V2LoginV1, "{mode:?}");
        let calls = creating_calls(&sim);
        let expected_status = if mode == V1Link::NotFound { 404 } else { 501 };
        assert_eq!(calls.len(), 2, "{calls:?}");
        assert_eq!(calls[0].1, expected_status);
        assert!(calls[1].0.ends_with("/passkeys/registration_link") && calls[1].1 == 200);
        // Login UI v1 format on the instance, accepted by the sim's v1 page.
        let text = link.link.expose().to_string();
        assert!(
            text.starts_with(&format!("{}/ui/login/login/passwordless/init?", sim.url())),
            "{text}"
        );
        assert_eq!(query(&text, "userID").as_deref(), Some(seed::JOSE_ID));
        assert_eq!(query(&text, "orgID").as_deref(), Some(seed::ACME_ORG_ID));
        let (status, page) = open(&text).await;
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("Register a passkey for"), "{page}");
        let (code_id, code) = code_of(&text);
        sim.complete_registration(user.id.as_str(), &code_id, &code, "Pixel")
            .unwrap();
        let (_, passkeys) = desk.passkeys(&acme(), "jose.nunez").await.unwrap();
        assert!(passkeys.iter().any(|p| p.name == "Pixel"));
        // The next link goes to v2 straight away: v1 is not asked again.
        sim.clear_requests();
        let (_, link) = desk.create_link(&acme(), "jose.nunez").await.unwrap();
        assert_eq!(link.via, LinkVia::V2LoginV1);
        let calls = creating_calls(&sim);
        assert_eq!(calls.len(), 1, "{calls:?}");
        assert!(calls[0].0.ends_with("/passkeys/registration_link"));
    }
}

#[tokio::test]
async fn v1_forbidden_does_not_fall_back() {
    let sim = sim().await;
    let refuse_link = |id: &str| {
        sim.inject(Fault {
            method: Some("POST".into()),
            path: "/management/v1/users/*/passwordless/_link".into(),
            times: None,
            kind: FaultKind::ZitadelError {
                status: 403,
                code: 7,
                id: id.into(),
                message: format!("refused ({id})"),
            },
        })
    };
    refuse_link("AUTH-5mWD2");
    let desk = desk(&sim, seed::ADMIN_IAM_OWNER);
    let e = desk.create_link(&acme(), "jose.nunez").await.unwrap_err();
    assert_eq!(e.code(), "permission_denied", "{e}");
    assert_eq!(creating_calls(&sim).len(), 1, "no v2 call after a 403");
    // A 403 that is not about permissions ("MFA required") says what it is, and does not
    // fall back either.
    sim.clear_faults();
    sim.clear_requests();
    refuse_link("AUTHZ-Kl3p0");
    let e = desk.create_link(&acme(), "jose.nunez").await.unwrap_err();
    assert_eq!(e.code(), "forbidden", "{e}");
    assert!(e.to_string().contains("second factor"), "{e}");
    assert_eq!(creating_calls(&sim).len(), 1, "no v2 call after a 403");
}

#[tokio::test]
async fn a_user_not_found_404_does_not_fall_back() {
    let sim = sim().await;
    sim.inject(Fault {
        method: Some("POST".into()),
        path: "/management/v1/users/*/passwordless/_link".into(),
        times: None,
        kind: FaultKind::ZitadelError {
            status: 404,
            code: 5,
            id: "MANAG-fpo4B".into(),
            message: "User could not be found".into(),
        },
    });
    let e = desk(&sim, seed::ADMIN_IAM_OWNER)
        .create_link(&acme(), "jose.nunez")
        .await
        .unwrap_err();
    assert_eq!(e.code(), "user_not_found", "{e}");
    assert_eq!(creating_calls(&sim).len(), 1);
}

#[tokio::test]
async fn api_v1_never_uses_v2() {
    let sim = sim().await;
    v1_link(&sim, V1Link::NotFound);
    let desk = desk_with(&sim, seed::ADMIN_IAM_OWNER, with_api(ApiVersion::V1));
    let e = desk.create_link(&acme(), "jose.nunez").await.unwrap_err();
    assert_eq!(e.code(), "unimplemented", "{e}");
    assert!(e.to_string().contains("api"), "{e}");
    assert_eq!(creating_calls(&sim).len(), 1);
    // And an IAM_USER_MANAGER (no user.credential.write) is refused before any call.
    sim.clear_requests();
    let desk = desk_with(&sim, seed::ADMIN_IAM_USER_MANAGER, with_api(ApiVersion::V1));
    let e = desk.create_link(&acme(), "jose.nunez").await.unwrap_err();
    assert!(
        matches!(&e, Error::PermissionDenied { permission, .. } if permission == "user.credential.write"),
        "{e}"
    );
    assert!(creating_calls(&sim).is_empty());
}

#[tokio::test]
async fn api_v2_uses_only_v2_calls() {
    let sim = sim().await;
    let desk = desk_with(&sim, seed::ADMIN_IAM_OWNER, with_api(ApiVersion::V2));
    let (user, link) = desk.create_link(&acme(), "zoe.mueller").await.unwrap();
    assert_eq!(user.id.as_str(), seed::ZOE_ID);
    assert_eq!(user.display_name, "Zoë Müller");
    assert_eq!(user.kind, UserKind::Human);
    assert_eq!(link.via, LinkVia::V2LoginV1);
    assert_eq!(
        link.passkeys_before.as_deref().map(<[String]>::len),
        Some(1),
        "Zoë's ready passkey, read with v2 ListPasskeys"
    );
    let paths: Vec<String> = sim.requests().into_iter().map(|r| r.path).collect();
    assert!(
        !paths.iter().any(|p| p.starts_with("/management/")),
        "{paths:?}"
    );
    assert!(paths.iter().any(|p| p == "/v2/users"), "{paths:?}");
    // The user by id (v2 GetUserByID) and a user of another org is not found here.
    let max = desk
        .client()
        .get_user(&acme(), &UserId::new(seed::MAX_ACME_ID))
        .await
        .unwrap();
    assert_eq!(max.user_name, "max.muster");
    assert_eq!(max.org_id, acme());
    assert!(max.email_verified || max.email.is_some());
    let e = desk
        .resolve_user(&acme(), seed::MAX_GLOBEX_ID)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "user_not_found", "{e}");
    // v2 ListUsers, limited to the org.
    let page = desk
        .client()
        .list_users(
            &globex(),
            &UserSearch {
                text: "max".into(),
                mode: MatchMode::Contains,
                humans_only: true,
                offset: 0,
                limit: 10,
            },
        )
        .await
        .unwrap();
    assert_eq!(page.users.len(), 1);
    assert_eq!(page.users[0].id.as_str(), seed::MAX_GLOBEX_ID);
    // Machine users stay machines in v2.
    let e = desk.create_link(&acme(), "ci-bot").await.unwrap_err();
    assert_eq!(e.code(), "not_human", "{e}");
}

#[tokio::test]
async fn iam_user_manager_gets_the_v2_path_automatically() {
    let sim = sim().await;
    let desk = desk(&sim, seed::ADMIN_IAM_USER_MANAGER);
    let caps = desk.capabilities(&globex()).await.unwrap();
    assert!(
        caps.create_link,
        "user.passkey.write is enough to show a link"
    );
    let access = desk.org_access(&globex()).await.unwrap();
    assert!(access.capabilities.create_link && access.create_link_lacks.is_none());
    // With `api = v1`, user.passkey.write is not enough, and the window says what is missing.
    let v1_only = desk_with(&sim, seed::ADMIN_IAM_USER_MANAGER, with_api(ApiVersion::V1));
    let access = v1_only.org_access(&globex()).await.unwrap();
    assert!(!access.capabilities.create_link && !access.authenticator_choice);
    assert!(!v1_only.capabilities(&globex()).await.unwrap().create_link);
    assert_eq!(
        access.create_link_lacks.as_deref(),
        Some("user.credential.write")
    );
    let (user, link) = desk.create_link(&globex(), "max.muster").await.unwrap();
    assert_eq!(user.id.as_str(), seed::MAX_GLOBEX_ID);
    assert_eq!(link.via, LinkVia::V2LoginV1);
    let calls = creating_calls(&sim);
    assert_eq!(
        calls.len(),
        1,
        "straight to v2, no refused v1 call: {calls:?}"
    );
    assert!(calls[0].0.ends_with("/passkeys/registration_link"));
    assert_eq!(
        query(link.link.expose(), "orgID").as_deref(),
        Some(seed::GLOBEX_ORG_ID)
    );
    let (code_id, code) = code_of(link.link.expose());
    sim.complete_registration(seed::MAX_GLOBEX_ID, &code_id, &code, "YubiKey")
        .unwrap();
}

#[tokio::test]
async fn auto_opens_login_ui_v1_and_login_ui_v2_follows_the_instance() {
    let sim = sim().await;
    // Every v4 instance reports loginV2.required, also those whose passkey/set page cannot
    // take the code (v4.0–v4.5): `auto` builds Login UI v1 links, which every release serves.
    login_v2(&sim, true, None);
    let auto = desk_with(&sim, seed::ADMIN_IAM_OWNER, with_api(ApiVersion::V2));
    let (_, link) = auto.create_link(&acme(), "jose.nunez").await.unwrap();
    assert_eq!(link.via, LinkVia::V2LoginV1);
    assert_eq!(open(link.link.expose()).await.0, 200);
    assert!(link.expiry_estimated, "the v2 answer has no expiry");

    let desk = desk_with(
        &sim,
        seed::ADMIN_IAM_OWNER,
        ClientOptions {
            login_ui: LoginUi::V2,
            ..with_api(ApiVersion::V2)
        },
    );
    let (_, link) = desk.create_link(&acme(), "jose.nunez").await.unwrap();
    assert_eq!(link.via, LinkVia::V2LoginV2);
    let features = sim
        .requests()
        .into_iter()
        .filter(|r| r.path == "/v2/features/instance")
        .map(|r| r.query)
        .collect::<Vec<_>>();
    assert!(
        !features.is_empty()
            && features
                .iter()
                .all(|q| q.as_deref() == Some("inheritance=true")),
        "the effective flags are read: {features:?}"
    );
    let text = link.link.expose().to_string();
    assert!(
        text.starts_with(&format!("{}/ui/v2/login/passkey/set?userId=", sim.url())),
        "{text}"
    );
    assert_eq!(query(&text, "userId").as_deref(), Some(seed::JOSE_ID));
    assert_eq!(
        query(&text, "organization").as_deref(),
        Some(seed::ACME_ORG_ID)
    );
    let (status, page) = open(&text).await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("José Núñez"), "{page}");
    // A wrong code on the v2 page is refused like on the v1 page.
    let wrong = text.replace(&query(&text, "code").unwrap(), "WRONGcode000");
    assert_eq!(open(&wrong).await.0, 400);
    let code_id = query(&text, "codeId").unwrap();
    let code = query(&text, "code").unwrap();
    sim.complete_registration(seed::JOSE_ID, &code_id, &code, "iPhone")
        .unwrap();
    assert_eq!(open(&text).await.0, 400, "a used code is refused");

    // A baseUri on the instance is used; one elsewhere is refused before any code exists.
    login_v2(&sim, true, Some(format!("{}/custom/login", sim.url())));
    let (_, link) = desk.create_link(&acme(), "jose.nunez").await.unwrap();
    assert!(
        link.link
            .expose()
            .starts_with(&format!("{}/custom/login/passkey/set?", sim.url())),
        "{}",
        link.link.expose()
    );
    login_v2(
        &sim,
        true,
        Some("https://evil.example.com/ui/v2/login".into()),
    );
    sim.clear_requests();
    let e = desk.create_link(&acme(), "jose.nunez").await.unwrap_err();
    assert_eq!(e.code(), "foreign_link", "{e}");
    assert!(creating_calls(&sim).is_empty(), "no code was created");
}

#[tokio::test]
async fn the_login_ui_setting_overrides_the_flag() {
    let sim = sim().await;
    login_v2(&sim, true, None);
    let options = ClientOptions {
        api: ApiVersion::V2,
        login_ui: LoginUi::V1,
        ..ClientOptions::default()
    };
    let desk = desk_with(&sim, seed::ADMIN_IAM_OWNER, options);
    let (_, link) = desk.create_link(&acme(), "jose.nunez").await.unwrap();
    assert_eq!(link.via, LinkVia::V2LoginV1);
    assert!(
        !sim.requests()
            .iter()
            .any(|r| r.path == "/v2/features/instance"),
        "the override needs no feature read"
    );

    login_v2(&sim, false, None);
    let options = ClientOptions {
        api: ApiVersion::V2,
        login_ui: LoginUi::V2,
        ..ClientOptions::default()
    };
    let desk = desk_with(&sim, seed::ADMIN_IAM_OWNER, options);
    let (_, link) = desk.create_link(&acme(), "jose.nunez").await.unwrap();
    assert_eq!(link.via, LinkVia::V2LoginV2);
    assert_eq!(open(link.link.expose()).await.0, 200);
}

#[tokio::test]
async fn a_link_template_is_filled_in_and_a_foreign_one_refused() {
    let sim = sim().await;
    let options = ClientOptions {
        api: ApiVersion::V2,
        link_template: Some(format!(
            "{}/ui/v2/login/passkey/set?userId={{userId}}&code={{code}}&codeId={{codeId}}&organization={{orgId}}&via=template",
            sim.url()
        )),
        ..ClientOptions::default()
    };
    let desk = desk_with(&sim, seed::ADMIN_IAM_OWNER, options);
    let (_, link) = desk.create_link(&acme(), "jose.nunez").await.unwrap();
    assert_eq!(link.via, LinkVia::V2Template);
    assert_eq!(
        query(link.link.expose(), "via").as_deref(),
        Some("template")
    );
    assert_eq!(open(link.link.expose()).await.0, 200);

    let foreign = ClientOptions {
        api: ApiVersion::V2,
        link_template: Some("https://evil.example.com/p?u={userId}&c={code}&i={codeId}".into()),
        ..ClientOptions::default()
    };
    sim.clear_requests();
    let e = desk_with(&sim, seed::ADMIN_IAM_OWNER, foreign)
        .create_link(&acme(), "jose.nunez")
        .await
        .unwrap_err();
    assert_eq!(e.code(), "foreign_link", "{e}");
    assert!(
        creating_calls(&sim).is_empty(),
        "refused before a code exists"
    );
}

#[tokio::test]
async fn the_authenticator_choice() {
    let sim = sim().await;
    // v1 _link: appended to ZITADEL's link.
    let desk = desk(&sim, seed::ADMIN_IAM_OWNER);
    assert!(desk.org_access(&acme()).await.unwrap().authenticator_choice);
    let (_, link) = desk
        .create_link_with(&acme(), "jose.nunez", Authenticator::Platform)
        .await
        .unwrap();
    assert_eq!(
        query(link.link.expose(), "requestPlatformType").as_deref(),
        Some("platform")
    );
    assert_eq!(open(link.link.expose()).await.0, 200);
    // v2 code, Login UI v1 format: too.
    let desk = desk_with(&sim, seed::ADMIN_IAM_OWNER, with_api(ApiVersion::V2));
    assert!(desk.org_access(&acme()).await.unwrap().authenticator_choice);
    let (_, link) = desk
        .create_link_with(&acme(), "jose.nunez", Authenticator::CrossPlatform)
        .await
        .unwrap();
    assert_eq!(
        query(link.link.expose(), "requestPlatformType").as_deref(),
        Some("crossPlatform")
    );
    // Login UI v2: not offered, and refused before a code is created.
    login_v2(&sim, true, None);
    assert!(desk.org_access(&acme()).await.unwrap().authenticator_choice);
    let desk = desk_with(
        &sim,
        seed::ADMIN_IAM_OWNER,
        ClientOptions {
            login_ui: LoginUi::V2,
            ..with_api(ApiVersion::V2)
        },
    );
    let access = desk.org_access(&acme()).await.unwrap();
    assert!(access.capabilities.create_link && !access.authenticator_choice);
    // v1 _link still makes Login UI v1 links, whatever the flag says.
    let v1_desk = desk_with(&sim, seed::ADMIN_IAM_OWNER, with_api(ApiVersion::V1));
    assert!(
        v1_desk
            .org_access(&acme())
            .await
            .unwrap()
            .authenticator_choice
    );
    sim.clear_requests();
    let e = desk
        .create_link_with(&acme(), "jose.nunez", Authenticator::Platform)
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput, "{e}");
    assert!(creating_calls(&sim).is_empty());
}

#[tokio::test]
async fn v2_calls_check_permissions_like_v1() {
    let sim = sim().await;
    // ORG_USER_MANAGER: neither credential.write nor passkey.write.
    let desk = desk_with(&sim, seed::ADMIN_USER_MANAGER, with_api(ApiVersion::V2));
    let e = desk.create_link(&acme(), "jose.nunez").await.unwrap_err();
    assert!(
        matches!(&e, Error::PermissionDenied { permission, send_allowed: Some(true), .. } if permission == "user.passkey.write"),
        "{e}"
    );
    // The raw v2 call is refused by the server with AUTH-5mWD2 too.
    let e = desk
        .client()
        .create_link_via(
            &acme(),
            &UserId::new(seed::JOSE_ID),
            passkey_desk_core::client::LinkRoute::V2Only,
            Authenticator::Any,
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), "permission_denied", "{e}");
    // An org role reads nothing in another org: v2 GetUserByID answers 403, which inside the
    // user lookup means "not in this org".
    let e = desk
        .client()
        .get_user(&globex(), &UserId::new(seed::MAX_GLOBEX_ID))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "user_not_found", "{e}");
}
