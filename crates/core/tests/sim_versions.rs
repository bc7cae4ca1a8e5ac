//! The client against the simulator in each release profile where ZITADEL differs in what a
//! desk sees (shared/fidelity-2026-12.md): every link it builds is opened on that release's
//! login page, `auto` picks a working format on every release, the org search says which
//! release it needs, and the feature read survives the permission it needed before v3.0.

mod common;

use common::*;
use passkey_desk_core::client::{ApiVersion, LoginUi};
use passkey_desk_core::{ClientOptions, LinkVia};
use zitadel_sim::features::{FeaturesUpdate, LoginV2, Version};
use zitadel_sim::{seed, Sim};

/// The releases compared: the first with the v2 org search, the `loginV2` flag, the features
/// read without a permission, Login UI v2 without a code, with `id`, with `codeId`, ZITADEL
/// building v2 links itself, the org-scoped passkey search.
const RELEASES: [(u16, u16); 9] = [
    (2, 60),
    (2, 67),
    (3, 0),
    (4, 0),
    (4, 4),
    (4, 5),
    (4, 6),
    (4, 12),
    (4, 13),
];

/// The instance as a new one of `version` is: from v2.67 on, Login UI v2 required (what every
/// v4 instance reports).
fn release(sim: &Sim, version: Version) {
    let flag = version.has_login_v2_flag();
    sim.set_features(FeaturesUpdate {
        version: Some(version),
        login_v2: Some(LoginV2 {
            required: flag,
            base_uri: None,
        }),
        ..FeaturesUpdate::default()
    });
}

fn options(api: ApiVersion, login_ui: LoginUi) -> ClientOptions {
    ClientOptions {
        api,
        login_ui,
        ..ClientOptions::default()
    }
}

/// Opens a link as the person's phone would; the status.
async fn open(link: &str) -> u16 {
    reqwest::get(link).await.unwrap().status().as_u16()
}

#[tokio::test]
async fn auto_builds_links_that_open_on_every_release() {
    let sim = sim().await;
    for (major, minor) in RELEASES {
        let version = Version::new(major, minor);
        release(&sim, version);
        for api in [ApiVersion::Auto, ApiVersion::V1, ApiVersion::V2] {
            let desk = desk_with(&sim, seed::ADMIN_IAM_OWNER, options(api, LoginUi::Auto));
            let (_, link) = desk.create_link(&acme(), "jose.nunez").await.unwrap();
            let expected = if api == ApiVersion::V2 {
                LinkVia::V2LoginV1
            } else {
                LinkVia::V1Link
            };
            assert_eq!(link.via, expected, "{version} {api:?}");
            let text = link.link.expose();
            assert!(
                text.contains("/ui/login/login/passwordless/init?"),
                "{version} {api:?}: {text}"
            );
            assert_eq!(open(text).await, 200, "{version} {api:?}: the link opens");
        }
    }
}

#[tokio::test]
async fn login_ui_v2_links_open_from_v4_6_and_not_before() {
    // `login_ui = "v2"` is the admin's word that the instance serves Login UI v2's page of
    // v4.6 or later; on v4.0–v4.5 the same link is refused by the page (which is why `auto`
    // never builds it), before v4.0 there is no page.
    let sim = sim().await;
    for (major, minor, expected) in [
        (3, 0, 404),
        (4, 0, 400),
        (4, 4, 400),
        (4, 5, 400),
        (4, 6, 200),
        (4, 12, 200),
        (4, 13, 200),
    ] {
        let version = Version::new(major, minor);
        release(&sim, version);
        let desk = desk_with(
            &sim,
            seed::ADMIN_IAM_OWNER,
            options(ApiVersion::V2, LoginUi::V2),
        );
        let (_, link) = desk.create_link(&acme(), "jose.nunez").await.unwrap();
        assert_eq!(link.via, LinkVia::V2LoginV2, "{version}");
        let text = link.link.expose();
        assert!(text.contains("/ui/v2/login/passkey/set?"), "{text}");
        assert_eq!(open(text).await, expected, "{version}: {text}");
        // The same code as a Login UI v1 link opens on every one of them.
        let (code_id, code) = (param(text, "codeId"), param(text, "code"));
        let v1 = format!(
            "{}/ui/login/login/passwordless/init?userID={}&orgID={}&codeID={code_id}&code={code}",
            sim.url(),
            seed::JOSE_ID,
            seed::ACME_ORG_ID
        );
        assert_eq!(
            open(&v1).await,
            200,
            "{version}: Login UI v1 takes v2 codes"
        );
    }
}

#[tokio::test]
async fn the_org_search_names_the_release_it_needs() {
    let sim = sim().await;
    let desk = desk(&sim, seed::ADMIN_IAM_OWNER);
    release(&sim, Version::new(2, 59));
    let e = desk.orgs().await.unwrap_err();
    assert_eq!(e.code(), "unsupported_version", "{e}");
    assert!(e.to_string().contains("v2.60"), "{e}");
    release(&sim, Version::new(2, 60));
    assert!(!desk.orgs().await.unwrap().is_empty());
}

#[tokio::test]
async fn before_v3_the_feature_read_needs_a_permission_and_its_refusal_is_survived() {
    // Before v3.0 `GET /v2/features/instance` needs iam.feature.read, which an IAM user
    // manager has not (defaults.yaml): with `login_ui = "v2"` the link is built on
    // /ui/v2/login.
    let sim = sim().await;
    release(&sim, Version::new(2, 71));
    let desk = desk_with(
        &sim,
        seed::ADMIN_IAM_USER_MANAGER,
        options(ApiVersion::V2, LoginUi::V2),
    );
    sim.clear_requests();
    let (_, link) = desk.create_link(&acme(), "jose.nunez").await.unwrap();
    assert!(
        link.link
            .expose()
            .starts_with(&format!("{}/ui/v2/login/passkey/set?", sim.url())),
        "{}",
        link.link.expose()
    );
    let refused = sim
        .requests()
        .into_iter()
        .filter(|r| r.path == "/v2/features/instance")
        .map(|r| r.status)
        .collect::<Vec<_>>();
    assert_eq!(refused, [403], "the read was tried and refused");
}
