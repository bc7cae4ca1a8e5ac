//! ZITADEL is the judge: the real CLI and the desktop app's core run their flows — every
//! command, each API and Login UI setting, the errors — against zitadel-sim through a
//! recording proxy, and `tests/conformance/judge.mjs` holds every route the simulator serves,
//! every request sent and every answer given against ZITADEL's published protos (npm
//! `@zitadel/proto`). One violation fails the test; the counts are printed.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use passkey_desk_core::app::{AppPaths, DeskApp, LinkState, SettingsView};
use passkey_desk_core::auth::MemoryStore;
use passkey_desk_core::client::Authenticator;
use passkey_desk_e2e::host::Desktop;
use passkey_desk_e2e::proxy::{bind, Recorder};
use passkey_desk_e2e::{Cli, TempDir};
use zitadel_sim::features::{FeaturesUpdate, LoginV2, V1Link, Version};
use zitadel_sim::{seed, Sim, SimConfig};

/// The CLI as `admin` (its PAT) against the proxy, with `args`.
async fn cli(proxy: &str, sim: &Sim, admin: &str, args: &[&str]) -> passkey_desk_e2e::Run {
    let mut cli = Cli::new();
    cli.env("PASSKEY_DESK_TOKEN", &sim.demo().admin(admin).pat);
    cli.args(["--instance", proxy]);
    cli.run(args.iter().copied()).await
}

/// Every CLI command, each API and Login UI setting, and the errors a desk meets.
async fn cli_flows(proxy: &str, sim: &Sim) {
    use seed::*;
    let owner = ADMIN_IAM_OWNER;
    for args in [
        &["whoami"][..],
        &["orgs"],
        &["users", "mü"],
        &["--org", "Globex GmbH", "users", "max"],
        &["passkeys", "zoe.mueller"],
        &["--json", "link", "jose.nunez"],
        &[
            "--json",
            "--api",
            "v1",
            "link",
            "jose.nunez",
            "--authenticator",
            "platform",
        ],
        &["--json", "--api", "v2", "link", "jose.nunez"],
        &[
            "--json",
            "--api",
            "v2",
            "--login-ui",
            "v2",
            "link",
            "jose.nunez",
        ],
        &["--json", "--api", "v2", "--login-ui", "v1", "link", ZOE_ID],
        &["send", "jose.nunez"],
        // Errors: nobody, a machine, a locked and an inactive user, another org's user.
        &["--json", "link", "no-such-user"],
        &["--json", "link", MACHINE_ID],
        &["--json", "link", LOCKED_ID],
        &["--json", "link", INACTIVE_ID],
        &["--json", "--org", GLOBEX_ORG_ID, "link", JOSE_ID],
        &["--json", "--org", "999999999999999999", "users", "a"],
    ] {
        let run = cli(proxy, sim, owner, args).await;
        assert!(
            run.code != 101,
            "the CLI panicked on {args:?}: {}",
            run.stderr
        );
    }
    // The other roles: a user manager (send, no link), an IAM user manager (v2 codes), an
    // auditor (read only).
    for (admin, args) in [
        (ADMIN_USER_MANAGER, &["--json", "link", "jose.nunez"][..]),
        (ADMIN_USER_MANAGER, &["send", "jose.nunez"]),
        (ADMIN_IAM_USER_MANAGER, &["--json", "link", "jose.nunez"]),
        (ADMIN_VIEWER, &["--json", "link", "jose.nunez"]),
        (ADMIN_VIEWER, &["users", "a"]),
        (ADMIN_ORG_OWNER, &["orgs"]),
        // A passkey removed with v1 by the user manager (who may, though not create links).
        (
            ADMIN_USER_MANAGER,
            &[
                "passkeys",
                "zoe.mueller",
                "--remove",
                ZOE_PASSKEY_ID,
                "--yes",
            ],
        ),
    ] {
        cli(proxy, sim, admin, args).await;
    }
    // One registered and removed again with v2.
    let run = cli(proxy, sim, owner, &["--json", "link", "jose.nunez"]).await;
    let link = reqwest::Url::parse(run.json()["link"].as_str().unwrap()).unwrap();
    let q = |k: &str| {
        link.query_pairs()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.into_owned())
            .unwrap()
    };
    sim.complete_registration(JOSE_ID, &q("codeID"), &q("code"), "Conformance key")
        .unwrap();
    let run = cli(
        proxy,
        sim,
        owner,
        &[
            "--api",
            "v2",
            "passkeys",
            "jose.nunez",
            "--remove",
            "Conformance key",
            "--yes",
        ],
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        sim.requests()
            .iter()
            .filter(|r| r.method == "DELETE" && r.status == 200)
            .count(),
        2,
        "both removals reached the simulator"
    );
    // The instance's Login UI v2 and a server whose v1 `_link` is gone.
    sim.set_features(FeaturesUpdate {
        login_v2: Some(LoginV2 {
            required: true,
            base_uri: None,
        }),
        v1_link: Some(V1Link::NotFound),
        ..FeaturesUpdate::default()
    });
    cli(proxy, sim, owner, &["--json", "link", "jose.nunez"]).await;
    cli(
        proxy,
        sim,
        owner,
        &["--json", "--api", "v1", "link", "jose.nunez"],
    )
    .await;
    sim.set_features(FeaturesUpdate {
        login_v2: Some(LoginV2 {
            required: false,
            base_uri: None,
        }),
        v1_link: Some(V1Link::On),
        ..FeaturesUpdate::default()
    });
    // The releases whose answers differ where the client looks: each link format, the org
    // search (below v2.60 a clear error), the features read, the passkey search.
    for (major, minor) in [
        (2, 59),
        (2, 60),
        (2, 67),
        (3, 0),
        (4, 0),
        (4, 4),
        (4, 6),
        (4, 12),
    ] {
        let version = Version::new(major, minor);
        sim.set_features(FeaturesUpdate {
            version: Some(version),
            ..FeaturesUpdate::default()
        });
        for args in [
            &["orgs"][..],
            &["passkeys", "zoe.mueller"],
            &["--json", "link", "jose.nunez"],
            &["--json", "--api", "v2", "link", "jose.nunez"],
            &[
                "--json",
                "--api",
                "v2",
                "--login-ui",
                "v2",
                "link",
                "jose.nunez",
            ],
        ] {
            let run = cli(proxy, sim, owner, args).await;
            assert!(run.code != 101, "the CLI panicked on {args:?} at {version}");
        }
    }
    sim.set_features(FeaturesUpdate {
        version: Some(Version::default()),
        ..FeaturesUpdate::default()
    });
}

/// The desktop app's flows through its core: sign-in, org, search, person, link (copy, the
/// registration seen by its watch), send, a kiosk unlocked from another admin's phone.
async fn desk_flows(proxy: &str, sim: &Sim) {
    let dir = TempDir::new("conformance-desk");
    let app = DeskApp::new(
        Arc::new(Desktop::default()),
        AppPaths {
            config_file: dir.path().join("config.toml"),
            data_dir: dir.path().join("data"),
        },
        Arc::new(MemoryStore::default()),
    )
    .unwrap();
    app.settings_save(SettingsView {
        instance: Some(proxy.to_string()),
        client_id: Some(seed::NATIVE_CLIENT_ID.into()),
        clipboard_clear_secs: 60,
        idle_timeout_secs: 120,
        kiosk_relock_secs: 60,
        ..SettingsView::default()
    })
    .await
    .unwrap();
    sim.set_auto_login(Some(seed::ADMIN_IAM_OWNER));
    app.sign_in_browser().await.unwrap();
    app.orgs_list(false).await.unwrap();
    app.org_select(seed::ACME_ORG_ID).await.unwrap();
    app.users_search("mü").await.unwrap();
    app.user_select(seed::ZOE_ID).await.unwrap();
    let view = app
        .link_create(seed::JOSE_ID, Authenticator::Any, &[])
        .await
        .unwrap();
    app.link_copy().unwrap();
    let url = reqwest::Url::parse(&view.link).unwrap();
    let q = |k: &str| {
        url.query_pairs()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.into_owned())
            .unwrap()
    };
    sim.complete_registration(seed::JOSE_ID, &q("codeID"), &q("code"), "Pixel 9")
        .unwrap();
    let mut views = app.watch_desk();
    tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            let registered = views
                .borrow_and_update()
                .workspace
                .as_ref()
                .is_some_and(|w| matches!(w.link, Some(LinkState::Registered { .. })));
            if registered {
                return;
            }
            views.changed().await.unwrap();
        }
    })
    .await
    .expect("the watch saw the registration");
    // *Not the person's device?*: the passkey that just appeared, removed again.
    let registered = app.passkeys_list(seed::JOSE_ID).await.unwrap();
    let pixel = registered.iter().find(|p| p.name == "Pixel 9").unwrap();
    app.passkey_remove(seed::JOSE_ID, &pixel.id).await.unwrap();
    app.link_send(seed::JOSE_ID, &[]).await.unwrap();
    app.org_select(seed::GLOBEX_ORG_ID).await.unwrap();
    app.back_to_search().await.unwrap();

    // A kiosk unlocked from the phone of another admin who may create links here.
    app.org_select(seed::ACME_ORG_ID).await.unwrap();
    app.kiosk_pin_set(Some("482916")).unwrap();
    app.kiosk_enter().unwrap();
    let device = app.kiosk_unlock_device_start().await.unwrap();
    sim.approve_device(&device.user_code, seed::ADMIN_IAM_USER_MANAGER)
        .unwrap();
    app.kiosk_unlock_device_finish().await.unwrap();
    app.kiosk_leave().unwrap();
    app.sign_out().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_request_and_answer_is_one_zitadel_publishes() {
    let (listener, proxy_url) = bind().await;
    let sim = Sim::start(SimConfig {
        public_origin: Some(proxy_url.clone()),
        device_interval: Duration::from_secs(1),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let proxy = Recorder::start(listener, &sim.url());
    assert_eq!(proxy.url(), proxy_url);

    cli_flows(&proxy_url, &sim).await;
    desk_flows(&proxy_url, &sim).await;

    let out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("conformance");
    let dir = TempDir::new("conformance");
    let routes = dir.path().join("routes.json");
    let recording = dir.path().join("recording.jsonl");
    let served: Vec<[&str; 2]> = zitadel_sim::api_routes()
        .into_iter()
        .map(|(m, p)| [m, p])
        .collect();
    std::fs::write(&routes, serde_json::to_string(&served).unwrap()).unwrap();
    proxy.write_jsonl(&recording);
    let exchanges = proxy.exchanges();
    assert!(
        exchanges.len() > 100,
        "the flows made {} requests",
        exchanges.len()
    );

    let judged = Command::new("node")
        .arg(out.join("judge.mjs"))
        .arg(&routes)
        .arg(&recording)
        .current_dir(&out)
        .output()
        .expect("node runs the judge (make test installs tests/conformance's packages)");
    let report = String::from_utf8_lossy(&judged.stdout).into_owned();
    eprintln!("{report}{}", String::from_utf8_lossy(&judged.stderr));
    let summary = report.lines().next().unwrap_or_default();
    assert!(
        summary.starts_with("conformance:"),
        "the judge did not run: {report}"
    );
    assert!(
        judged.status.success(),
        "requests or answers that ZITADEL's protos refuse:\n{report}"
    );
}
