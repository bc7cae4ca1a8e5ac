//! The CLI as a subprocess against zitadel-sim: every command, the `--json` shapes, every exit
//! code of the scripting contract, and never a token or a link on stderr.

use std::time::Duration;

use passkey_desk_e2e::{Cli, Run};
use serde_json::Value;
use zitadel_sim::{seed, Fault, FaultKind, Sim, SimConfig};

async fn sim() -> Sim {
    Sim::start(SimConfig::default()).await.unwrap()
}

/// Stderr must never carry a PAT, a registration link or its code.
fn assert_no_secrets(sim: &Sim, run: &Run) {
    for admin in &sim.demo().admins {
        assert!(
            !run.stderr.contains(&admin.pat),
            "a PAT on stderr: {}",
            run.stderr
        );
    }
    for needle in ["code=", "/ui/login/", "codeID"] {
        assert!(
            !run.stderr.contains(needle),
            "a link on stderr: {}",
            run.stderr
        );
    }
}

fn assert_error(sim: &Sim, run: &Run, code: i32, mentions: &str) {
    assert_eq!(run.code, code, "exit code; stderr: {}", run.stderr);
    let lines: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .collect();
    assert_eq!(lines.len(), 1, "one line on stderr: {}", run.stderr);
    assert!(lines[0].starts_with("error: "), "{}", lines[0]);
    assert!(
        lines[0].contains(mentions),
        "'{mentions}' missing in: {}",
        lines[0]
    );
    assert_no_secrets(sim, run);
}

fn link_requests(sim: &Sim) -> usize {
    sim.requests()
        .iter()
        .filter(|r| r.path.ends_with("/_link"))
        .count()
}

#[tokio::test]
async fn whoami_text_and_json() {
    let sim = sim().await;
    let run = Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER)
        .run(["whoami"])
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("desk.admin@acme.example.com"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains(&sim.url()), "{}", run.stdout);

    let run = Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER)
        .run(["--json", "whoami"])
        .await;
    let v = run.json();
    assert_eq!(v["loginName"], "desk.admin@acme.example.com");
    assert_eq!(v["orgId"], seed::ACME_ORG_ID);
    assert_eq!(v["instance"], sim.url());
    assert_no_secrets(&sim, &run);
}

#[tokio::test]
async fn orgs_json_lists_id_name_roles() {
    let sim = sim().await;
    let run = Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER)
        .run(["--json", "orgs"])
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v = run.json();
    let orgs = v.as_array().unwrap();
    assert_eq!(orgs.len(), 3);
    assert_eq!(
        orgs[0],
        serde_json::json!({"id": seed::ACME_ORG_ID, "name": "ACME AG", "roles": ["IAM_OWNER"]})
    );

    let run = Cli::as_admin(&sim, seed::ADMIN_ORG_OWNER)
        .run(["orgs"])
        .await;
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.contains("Globex GmbH") && run.stdout.contains("ORG_OWNER"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("ACME AG"), "{}", run.stdout);
}

#[tokio::test]
async fn users_text_and_json() {
    let sim = sim().await;
    let run = Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER)
        .run(["users", "mü"])
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("Zoë Müller"), "{}", run.stdout);

    let run = Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER)
        .run(["--org", "Globex GmbH", "--json", "users", "max"])
        .await;
    let v = run.json();
    let users = v.as_array().unwrap();
    assert!(users.iter().any(|u| u["id"] == seed::MAX_GLOBEX_ID));
    assert!(users.iter().all(|u| u["orgId"] == seed::GLOBEX_ORG_ID));
    for key in [
        "id",
        "orgId",
        "userName",
        "loginName",
        "displayName",
        "state",
    ] {
        assert!(users[0].get(key).is_some(), "{key} missing: {}", users[0]);
    }
}

#[tokio::test]
async fn link_prints_qr_link_and_expiry() {
    let sim = sim().await;
    let run = Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER)
        .run(["link", "jose.nunez"])
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains('▄') && run.stdout.contains('█'),
        "a terminal QR: {}",
        run.stdout
    );
    let link_line = run
        .stdout
        .lines()
        .find(|l| l.starts_with(&sim.url()))
        .expect("the link on its own line");
    assert!(link_line.contains(&format!("userID={}", seed::JOSE_ID)));
    let expiry = run
        .stdout
        .lines()
        .find(|l| l.starts_with("expires "))
        .expect("an expiry line");
    let re_ok = expiry.len() == "expires HH:MM (in 60 min)".len()
        && expiry.as_bytes()[10] == b':'
        && expiry.ends_with(" (in 60 min)");
    assert!(re_ok, "{expiry}");
    assert_no_secrets(&sim, &run);

    let run = Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER)
        .run(["link", "jose.nunez", "--no-qr"])
        .await;
    assert!(!run.stdout.contains('█'), "{}", run.stdout);
}

#[tokio::test]
async fn link_json_shape_and_files() {
    let sim = sim().await;
    let dir = std::env::temp_dir().join(format!("pd-e2e-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let png = dir.join("link.png");
    let svg = dir.join("link.svg");
    let run = Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER)
        .run([
            "--json",
            "link",
            "zoe.mueller",
            "--png",
            png.to_str().unwrap(),
            "--svg",
            svg.to_str().unwrap(),
        ])
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v = run.json();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "api",
            "expiresAt",
            "expiresIn",
            "expiryEstimated",
            "link",
            "orgId",
            "userId"
        ]
    );
    assert_eq!(v["api"], "v1");
    assert_eq!(v["expiryEstimated"], false, "v1 says when the link expires");
    assert_eq!(v["userId"], seed::ZOE_ID);
    assert_eq!(v["orgId"], seed::ACME_ORG_ID);
    let expires_in = v["expiresIn"].as_i64().unwrap();
    assert!((3590..=3600).contains(&expires_in), "{expires_in}");
    let expires_at =
        chrono::DateTime::parse_from_rfc3339(v["expiresAt"].as_str().unwrap()).unwrap();
    let delta = (expires_at.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_seconds();
    assert!((3585..=3601).contains(&delta), "{delta}");
    let link = v["link"].as_str().unwrap();
    assert!(
        link.starts_with(&format!("{}/ui/login/login/passwordless/init?", sim.url())),
        "{link}"
    );

    // The PNG decodes to exactly the link.
    let img = image::open(&png).unwrap().to_luma8();
    assert_eq!((img.width(), img.height()), (1024, 1024));
    let mut prepared = rqrr::PreparedImage::prepare(img);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1);
    assert_eq!(grids[0].decode().unwrap().1, link);
    let svg_text = std::fs::read_to_string(&svg).unwrap();
    assert!(
        svg_text.starts_with("<svg") && svg_text.contains("viewBox"),
        "{svg_text}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn link_in_another_org_by_name_and_by_env() {
    let sim = sim().await;
    let run = Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER)
        .run(["--org", "globex gmbh", "--json", "link", "max.muster"])
        .await;
    assert_eq!(run.json()["userId"], seed::MAX_GLOBEX_ID);

    let mut cli = Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER);
    cli.env("PASSKEY_DESK_ORG", seed::GLOBEX_ORG_ID);
    let run = cli.run(["--json", "link", "max.muster"]).await;
    assert_eq!(run.json()["userId"], seed::MAX_GLOBEX_ID);

    // Without --org or PASSKEY_DESK_ORG: the admin's own org.
    let run = Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER)
        .run(["--json", "link", "max.muster"])
        .await;
    assert_eq!(run.json()["userId"], seed::MAX_ACME_ID);
}

#[tokio::test]
async fn instance_from_env_and_config_file() {
    let sim = sim().await;
    let pat = sim.demo().admin(seed::ADMIN_IAM_OWNER).pat.clone();
    let mut cli = Cli::new();
    cli.env("PASSKEY_DESK_TOKEN", &pat)
        .env("PASSKEY_DESK_INSTANCE", &sim.url());
    assert_eq!(cli.run(["whoami"]).await.code, 0);

    let dir = std::env::temp_dir().join(format!("pd-e2e-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("config.toml");
    std::fs::write(
        &config,
        format!(
            "instance = \"{}\"\ndefault_org = \"Initech SA\"\n",
            sim.url()
        ),
    )
    .unwrap();
    let mut cli = Cli::new();
    cli.env("PASSKEY_DESK_TOKEN", &pat)
        .env("PASSKEY_DESK_CONFIG", config.to_str().unwrap());
    let run = cli.run(["--json", "users", ""]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run
        .json()
        .as_array()
        .unwrap()
        .iter()
        .all(|u| u["orgId"] == seed::INITECH_ORG_ID));
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn send_asks_zitadel_to_email_the_link() {
    let sim = sim().await;
    let run = Cli::as_admin(&sim, seed::ADMIN_USER_MANAGER)
        .run(["--json", "send", "jose.nunez"])
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["userId"], seed::JOSE_ID);
    assert_eq!(run.json()["sent"], true);
    assert_eq!(sim.emails().len(), 1);
    assert_eq!(link_requests(&sim), 0);
}

#[tokio::test]
async fn passkeys_lists_the_registered_ones() {
    let sim = sim().await;
    let run = Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER)
        .run(["--json", "passkeys", "zoe.mueller"])
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v = run.json();
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["id"], seed::ZOE_PASSKEY_ID);
    assert_eq!(v[0]["name"], seed::ZOE_PASSKEY_NAME);
    let run = Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER)
        .run(["passkeys", "jose.nunez"])
        .await;
    assert!(run.stdout.contains("no passkey yet"), "{}", run.stdout);
}

#[tokio::test]
async fn demo_runs_the_whole_flow() {
    let run = Cli::new().run(["demo"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    for expected in [
        "ACME AG",
        "Zoë Müller",
        "José Núñez",
        "/ui/login/login/passwordless/init?",
        "(in 60 min)",
        "iPhone (demo)",
    ] {
        assert!(
            run.stdout.contains(expected),
            "{expected} missing:\n{}",
            run.stdout
        );
    }
}

// ---- exit codes ---------------------------------------------------------------------------

#[tokio::test]
async fn exit_2_usage() {
    let sim = sim().await;
    let run = Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER)
        .run(["link"])
        .await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    let run = Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER)
        .run(["frobnicate"])
        .await;
    assert_eq!(run.code, 2);
    let mut cli = Cli::new();
    cli.env("PASSKEY_DESK_TOKEN", "x");
    assert_error(&sim, &cli.run(["whoami"]).await, 2, "--instance");
    let mut cli = Cli::new();
    cli.env("PASSKEY_DESK_TOKEN", "x");
    assert_error(
        &sim,
        &cli.run(["--instance", "http://auth.example.com", "whoami"])
            .await,
        2,
        "https://",
    );
}

#[tokio::test]
async fn exit_3_not_signed_in_or_token_rejected() {
    let sim = sim().await;
    let run = Cli::new().run(["--instance", &sim.url(), "whoami"]).await;
    assert_error(&sim, &run, 3, "PASSKEY_DESK_TOKEN");
    let mut cli = Cli::new();
    cli.env("PASSKEY_DESK_TOKEN", "wrong-token");
    let run = cli
        .run(["--instance", &sim.url(), "link", "jose.nunez"])
        .await;
    assert_error(&sim, &run, 3, "sign in again");
    assert!(!run.stderr.contains("wrong-token"));
    let admin = sim.demo().admin(seed::ADMIN_IAM_OWNER).user_id.clone();
    let revoked = sim.issue_token(&admin, true, Duration::from_secs(60));
    sim.revoke_token(&revoked);
    let mut cli = Cli::new();
    cli.env("PASSKEY_DESK_TOKEN", &revoked);
    let run = cli.run(["--instance", &sim.url(), "whoami"]).await;
    assert_error(&sim, &run, 3, "AUTH-7fs1e");
    assert!(!run.stderr.contains(&revoked));
}

#[tokio::test]
async fn exit_4_permission_denied_names_the_permission_and_send() {
    let sim = sim().await;
    let run = Cli::as_admin(&sim, seed::ADMIN_USER_MANAGER)
        .run(["link", "jose.nunez"])
        .await;
    assert_error(&sim, &run, 4, "user.credential.write");
    assert!(
        run.stderr.contains("'send'") && run.stderr.contains("still allowed"),
        "{}",
        run.stderr
    );
    assert_eq!(link_requests(&sim), 0);
    let run = Cli::as_admin(&sim, seed::ADMIN_VIEWER)
        .run(["link", "jose.nunez"])
        .await;
    assert_error(&sim, &run, 4, "not allowed either");
    let run = Cli::as_admin(&sim, seed::ADMIN_VIEWER)
        .run(["send", "jose.nunez"])
        .await;
    assert_error(&sim, &run, 4, "user.write");
}

#[tokio::test]
async fn exit_5_org_or_user_not_found() {
    let sim = sim().await;
    let run = Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER)
        .run(["link", "nobody.at.all"])
        .await;
    assert_error(&sim, &run, 5, "nobody.at.all");
    let run = Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER)
        .run(["link", seed::MAX_GLOBEX_ID])
        .await;
    assert_error(&sim, &run, 5, seed::MAX_GLOBEX_ID);
    let run = Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER)
        .run(["--org", "Umbrella", "users", "x"])
        .await;
    assert_error(&sim, &run, 5, "Umbrella");
    let run = Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER)
        .run(["--org", "399999999999999999", "users", "x"])
        .await;
    assert_error(&sim, &run, 5, "399999999999999999");
    assert_eq!(link_requests(&sim), 0);
}

#[tokio::test]
async fn exit_6_network_tls_unavailable_or_nonsense() {
    let sim = sim().await;
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let mut cli = Cli::new();
    cli.env("PASSKEY_DESK_TOKEN", "t");
    assert_error(
        &sim,
        &cli.run(["--instance", &url, "whoami"]).await,
        6,
        "cannot reach",
    );

    let fault = |kind| Fault {
        method: None,
        path: "/management/v1/users/*/passwordless/_link".into(),
        times: None,
        kind,
    };
    sim.inject(fault(FaultKind::ForeignLink {
        origin: "https://evil.example.com".into(),
    }));
    let run = Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER)
        .run(["link", "jose.nunez"])
        .await;
    assert_error(&sim, &run, 6, "https://evil.example.com");
    assert!(
        !run.stdout.contains("evil"),
        "the foreign link is never shown: {}",
        run.stdout
    );

    sim.clear_faults();
    sim.inject(fault(FaultKind::Status { status: 503 }));
    assert_error(
        &sim,
        &Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER)
            .run(["link", "jose.nunez"])
            .await,
        6,
        "unavailable",
    );

    sim.clear_faults();
    sim.inject(fault(FaultKind::Body {
        status: 200,
        content_type: "text/html".into(),
        body: "<html>".into(),
    }));
    assert_error(
        &sim,
        &Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER)
            .run(["link", "jose.nunez"])
            .await,
        6,
        "makes no sense",
    );
}

#[tokio::test]
async fn exit_1_anything_else() {
    let sim = sim().await;
    let run = Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER)
        .run(["link", "lena.locked"])
        .await;
    assert_error(&sim, &run, 1, "locked");
    let run = Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER)
        .run(["link", "ci-bot"])
        .await;
    assert_error(&sim, &run, 1, "machine");
    assert_eq!(link_requests(&sim), 0);
}

#[tokio::test]
async fn json_errors_are_a_document_on_stdout_too() {
    let sim = sim().await;
    let run = Cli::as_admin(&sim, seed::ADMIN_USER_MANAGER)
        .run(["--json", "link", "jose.nunez"])
        .await;
    assert_eq!(run.code, 4);
    let v: Value = run.json();
    assert_eq!(v["error"]["code"], "permission_denied");
}

#[tokio::test]
async fn trace_logging_leaks_no_secret() {
    let sim = sim().await;
    let mut cli = Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER);
    cli.env("RUST_LOG", "trace");
    let run = cli.run(["--json", "link", "jose.nunez"]).await;
    assert_eq!(run.code, 0);
    let link = run.json()["link"].as_str().unwrap().to_string();
    let code = link.rsplit("code=").next().unwrap().to_string();
    assert!(!run.stderr.is_empty(), "trace logging printed nothing");
    assert!(
        !run.stderr.contains(&link) && !run.stderr.contains(&code),
        "the link or code is in the log"
    );
    assert_no_secrets(&sim, &run);
}

#[tokio::test]
async fn link_wait_ends_with_the_registration() {
    let sim = sim().await;
    let run = register_while_waiting(
        &sim,
        Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER),
        &["link", "jose.nunez", "--no-qr", "--wait"],
        seed::JOSE_ID,
        "Galaxy S25",
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("Registered: Galaxy S25"),
        "{}",
        run.stdout
    );
}

#[tokio::test]
async fn link_wait_exits_7_when_the_link_expires() {
    let sim = Sim::start(SimConfig {
        code_lifetime: Duration::from_secs(1),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let run = Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER)
        .run(["link", "jose.nunez", "--no-qr", "--wait"])
        .await;
    assert_eq!(run.code, 7, "{}", run.stderr);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert!(
        lines[0].starts_with("Waiting for José Núñez"),
        "{}",
        run.stderr
    );
    assert!(
        lines[1].starts_with("error: the link expired"),
        "{}",
        run.stderr
    );
    assert_eq!(lines.len(), 2, "{}", run.stderr);
    assert_no_secrets(&sim, &run);
}

fn url_of(link: &str) -> reqwest::Url {
    reqwest::Url::parse(link).unwrap()
}

/// Runs a command that prints a link and waits (`link --wait`, `queue next --wait`), and
/// registers `device` for `user_id` with that link once it waits.
async fn register_while_waiting(
    sim: &Sim,
    cli: Cli,
    args: &[&str],
    user_id: &str,
    device: &str,
) -> Run {
    let mut running = cli.spawn(args.iter().copied());
    let link = running
        .stdout_line(|l| l.starts_with("http").then(|| l.to_string()))
        .await;
    running
        .stderr_line(|l| l.contains("Waiting for").then_some(()))
        .await;
    register(sim, user_id, &link, device);
    running.finish().await
}

/// The phone registering with a Login v1 link's `codeID` and `code`; the new passkey's id.
fn register(sim: &Sim, user_id: &str, link: &str, device: &str) -> String {
    let url = url_of(link);
    let q = |k: &str| {
        url.query_pairs()
            .find(|(n, _)| n == k)
            .unwrap()
            .1
            .into_owned()
    };
    sim.complete_registration(user_id, &q("codeID"), &q("code"), device)
        .unwrap()
}

/// `--api`, `--authenticator` and the config's `api`, `login_ui` and `link_template`:
/// v2 codes with links in each format, the fallback when v1 `_link` is gone, and a foreign
/// template refused without a code.
#[tokio::test]
async fn api_v2_login_ui_and_template_settings() {
    use zitadel_sim::features::{FeaturesUpdate, LoginV2, V1Link};
    let sim = sim().await;
    let code_calls = |sim: &Sim| {
        sim.requests()
            .iter()
            .filter(|r| r.path.ends_with("/passkeys/registration_link"))
            .count()
    };
    // --api v2: a v2 code, link in Login UI v1 format; --authenticator goes into it.
    let run = Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER)
        .run([
            "--json",
            "--api",
            "v2",
            "link",
            "jose.nunez",
            "--authenticator",
            "platform",
        ])
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v = run.json();
    assert_eq!(v["api"], "v2");
    let link = v["link"].as_str().unwrap();
    assert!(
        link.contains("/ui/login/login/passwordless/init?"),
        "{link}"
    );
    assert!(link.contains("requestPlatformType=platform"), "{link}");
    assert_eq!((link_requests(&sim), code_calls(&sim)), (0, 1));
    assert_no_secrets(&sim, &run);

    // Default auto with v1 _link gone: one refused v1 call, then the v2 code. Even with Login
    // UI v2 required the link opens Login UI v1, which every release serves and which takes
    // v2 codes (Login UI v2's page reads `code` + `codeId` only from v4.6); `--login-ui v2`
    // asks for its format.
    sim.set_features(FeaturesUpdate {
        v1_link: Some(V1Link::Unimplemented),
        login_v2: Some(LoginV2 {
            required: true,
            base_uri: None,
        }),
        ..FeaturesUpdate::default()
    });
    sim.clear_requests();
    let run = Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER)
        .run(["--json", "link", "jose.nunez"])
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let link = run.json()["link"].as_str().unwrap().to_string();
    assert!(
        link.starts_with(&format!(
            "{}/ui/login/login/passwordless/init?userID=",
            sim.url()
        )),
        "{link}"
    );
    assert_eq!(run.json()["expiryEstimated"], true, "{}", run.stdout);
    assert_eq!((link_requests(&sim), code_calls(&sim)), (1, 1));
    let run = Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER)
        .run(["--json", "--login-ui", "v2", "link", "jose.nunez"])
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let link = run.json()["link"].as_str().unwrap().to_string();
    assert!(
        link.starts_with(&format!("{}/ui/v2/login/passkey/set?userId=", sim.url())),
        "{link}"
    );
    // --api v1 does not fall back: exit 1 with a hint.
    let run = Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER)
        .run(["--api", "v1", "link", "jose.nunez"])
        .await;
    assert_error(&sim, &run, 1, "api");
    // A bad --api value is a usage error.
    let run = Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER)
        .run(["--api", "v3", "link", "jose.nunez"])
        .await;
    assert_eq!(run.code, 2, "{}", run.stderr);

    // The config file: api, login_ui and a template on the instance; then a foreign one.
    let dir = std::env::temp_dir().join(format!("pd-e2e-v2-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("config.toml");
    let pat = sim.demo().admin(seed::ADMIN_IAM_OWNER).pat.clone();
    let write = |template: &str| {
        std::fs::write(
            &config,
            format!(
                "instance = \"{}\"\napi = \"v2\"\nlogin_ui = \"v1\"\nlink_template = \"{template}\"\n",
                sim.url()
            ),
        )
        .unwrap()
    };
    write(&format!(
        "{}/ui/v2/login/passkey/set?userId={{userId}}&code={{code}}&codeId={{codeId}}&organization={{orgId}}&t=1",
        sim.url()
    ));
    let mut cli = Cli::new();
    cli.env("PASSKEY_DESK_TOKEN", &pat)
        .env("PASSKEY_DESK_CONFIG", config.to_str().unwrap());
    let run = cli.run(["--json", "link", "max.muster"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let link = run.json()["link"].as_str().unwrap().to_string();
    assert!(link.ends_with("&t=1"), "{link}");
    assert!(
        link.contains(&format!("userId={}", seed::MAX_ACME_ID)),
        "{link}"
    );

    write("https://evil.example.com/p?u={userId}&c={code}&i={codeId}");
    sim.clear_requests();
    let mut cli = Cli::new();
    cli.env("PASSKEY_DESK_TOKEN", &pat)
        .env("PASSKEY_DESK_CONFIG", config.to_str().unwrap());
    let run = cli.run(["link", "max.muster"]).await;
    assert_error(&sim, &run, 6, "evil.example.com");
    assert_eq!(code_calls(&sim), 0, "refused before a code exists");
    std::fs::remove_dir_all(dir).unwrap();
}

#[tokio::test]
async fn passkeys_remove_by_name_or_id_with_yes_and_exit_codes() {
    let sim = sim().await;
    // The auditor may not: exit 4 naming user.write, nothing removed.
    let run = Cli::as_admin(&sim, seed::ADMIN_VIEWER)
        .run([
            "passkeys",
            "zoe.mueller",
            "--remove",
            seed::ZOE_PASSKEY_ID,
            "--yes",
        ])
        .await;
    assert_error(&sim, &run, 4, "user.write");
    // A passkey she does not have: exit 5.
    let run = Cli::as_admin(&sim, seed::ADMIN_USER_MANAGER)
        .run([
            "passkeys",
            "zoe.mueller",
            "--remove",
            "Old Android",
            "--yes",
        ])
        .await;
    assert_error(&sim, &run, 5, "Old Android");
    // --yes needs --remove.
    let run = Cli::as_admin(&sim, seed::ADMIN_USER_MANAGER)
        .run(["passkeys", "zoe.mueller", "--yes"])
        .await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(sim.requests().iter().all(|r| r.method != "DELETE"));

    // By name, with --json: the user manager may remove (though not create links).
    let run = Cli::as_admin(&sim, seed::ADMIN_USER_MANAGER)
        .run([
            "--json",
            "passkeys",
            "zoe.mueller",
            "--remove",
            seed::ZOE_PASSKEY_NAME,
            "--yes",
        ])
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["removed"]["id"], seed::ZOE_PASSKEY_ID);
    assert_eq!(run.json()["removed"]["name"], seed::ZOE_PASSKEY_NAME);
    assert_eq!(run.json()["userId"], seed::ZOE_ID);
    let run = Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER)
        .run(["--json", "passkeys", "zoe.mueller"])
        .await;
    assert_eq!(run.json(), serde_json::json!([]));
    // Not a terminal and no --yes: a script removes without a prompt (by id, with v2).
    let run = Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER)
        .run(["link", "jose.nunez", "--no-qr"])
        .await;
    let link = run
        .stdout
        .lines()
        .find(|l| l.contains("codeID="))
        .unwrap()
        .trim()
        .to_string();
    let id = register(&sim, seed::JOSE_ID, &link, "Pixel");
    let run = Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER)
        .run(["--api", "v2", "passkeys", "jose.nunez", "--remove", &id])
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("Removed the passkey 'Pixel'"),
        "{}",
        run.stdout
    );
    assert!(sim
        .requests()
        .iter()
        .any(|r| r.method == "DELETE"
            && r.path == format!("/v2/users/{}/passkeys/{id}", seed::JOSE_ID)));
}

#[tokio::test]
async fn passkeys_remove_asks_on_a_terminal_and_no_keeps_the_passkey() {
    let sim = sim().await;
    let run = Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER)
        .run_on_terminal(
            ["passkeys", "zoe.mueller", "--remove", seed::ZOE_PASSKEY_ID],
            "n\n",
        )
        .await;
    assert!(
        run.stdout.contains("Remove the passkey 'MacBook Touch ID'")
            && run.stdout.contains("Zoë Müller"),
        "{}",
        run.stdout
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("nothing was removed"), "{}", run.stdout);
    assert!(sim.requests().iter().all(|r| r.method != "DELETE"));

    let run = Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER)
        .run_on_terminal(
            ["passkeys", "zoe.mueller", "--remove", seed::ZOE_PASSKEY_ID],
            "y\n",
        )
        .await;
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert!(run.stdout.contains("Removed the passkey"), "{}", run.stdout);
    assert_eq!(
        sim.requests()
            .iter()
            .filter(|r| r.method == "DELETE")
            .count(),
        1
    );
}

#[tokio::test]
async fn coverage_csv_is_the_simulators_truth_and_json_sums_it_up() {
    let sim = sim().await;
    sim.seed_users(seed::INITECH_ORG_ID, 300).unwrap();
    let with = sim.seed_passkeys(seed::INITECH_ORG_ID, 4);
    let truth: std::collections::BTreeMap<String, String> = sim
        .passkey_counts(seed::INITECH_ORG_ID)
        .into_iter()
        .map(|(id, n)| (id, n.to_string()))
        .collect();

    let run = Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER)
        .run(["--org", seed::INITECH_ORG_ID, "coverage", "--csv"])
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut lines = run.stdout.split("\r\n").filter(|l| !l.is_empty());
    assert_eq!(
        lines.next(),
        Some("user_id,login_name,display_name,email,passkeys")
    );
    let found: std::collections::BTreeMap<String, String> = lines
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            (cells[0].to_string(), cells[cells.len() - 1].to_string())
        })
        .collect();
    assert_eq!(found, truth);
    assert!(
        run.stderr
            .contains(&format!("{with} of {} active people", truth.len())),
        "{}",
        run.stderr
    );

    let run = Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER)
        .run([
            "--org",
            seed::INITECH_ORG_ID,
            "coverage",
            "--csv",
            "--without-only",
        ])
        .await;
    let rows: Vec<&str> = run
        .stdout
        .split("\r\n")
        .skip(1)
        .filter(|l| !l.is_empty())
        .collect();
    assert_eq!(rows.len(), truth.len() - with);
    assert!(rows.iter().all(|l| l.ends_with(",0")), "{rows:?}");

    let run = Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER)
        .run(["--json", "--org", seed::INITECH_ORG_ID, "coverage"])
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v = run.json();
    assert_eq!(v["withPasskey"], with);
    assert_eq!(v["withoutPasskey"], truth.len() - with);
    assert_eq!(v["active"], truth.len());
    assert_eq!(v["without"].as_array().unwrap().len(), truth.len() - with);

    // Globex's owner may not read Initech: exit 4, at once.
    let run = Cli::as_admin(&sim, seed::ADMIN_ORG_OWNER)
        .run(["--org", seed::INITECH_ORG_ID, "coverage"])
        .await;
    assert_error(&sim, &run, 4, "user.read");
}

#[tokio::test]
async fn coverage_sends_to_everyone_without_a_passkey_and_reports_the_one_that_failed() {
    let sim = sim().await;
    sim.seed_users(seed::INITECH_ORG_ID, 20).unwrap();
    let with = sim.seed_passkeys(seed::INITECH_ORG_ID, 2);
    let without = sim.passkey_counts(seed::INITECH_ORG_ID).len() - with;
    assert!(without >= 5, "{without}");
    // The first email fails (a server error); the others still go out.
    sim.inject(Fault {
        method: Some("POST".into()),
        path: "/management/v1/users/*/passwordless/_send_link".into(),
        times: Some(1),
        kind: FaultKind::Status { status: 500 },
    });
    let run = Cli::as_admin(&sim, seed::ADMIN_USER_MANAGER)
        .run([
            "--json",
            "--org",
            seed::INITECH_ORG_ID,
            "coverage",
            "--send-without",
            "--yes",
            "--rate",
            "0",
        ])
        .await;
    // The user manager of ACME may not read Initech: refused before anything is sent.
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert!(sim.emails().is_empty());

    let run = Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER)
        .run([
            "--json",
            "--org",
            seed::INITECH_ORG_ID,
            "coverage",
            "--send-without",
            "--yes",
        ])
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v = run.json();
    assert_eq!(v["sent"]["sent"], without - 1, "{v}");
    let failed = v["sent"]["failed"].as_array().unwrap();
    assert_eq!(failed.len(), 1, "{v}");
    assert_eq!(failed[0]["error"]["code"], "server");
    assert_eq!(sim.emails().len(), without - 1);
    // Only people without a passkey got one.
    let counts: std::collections::BTreeMap<String, usize> = sim
        .passkey_counts(seed::INITECH_ORG_ID)
        .into_iter()
        .collect();
    assert!(sim
        .emails()
        .iter()
        .all(|e| counts.get(&e.user_id) == Some(&0)));
}

#[tokio::test]
async fn link_replace_removes_the_old_device_once_the_new_one_is_registered() {
    let sim = sim().await;
    // Without --wait or --stolen nothing could remove the old passkey later: refused.
    let run = Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER)
        .run(["link", "zoe.mueller", "--replace", seed::ZOE_PASSKEY_NAME])
        .await;
    assert_error(&sim, &run, 2, "--wait");
    assert_eq!(link_requests(&sim), 0);

    let mut running = Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER).spawn([
        "--json",
        "link",
        "zoe.mueller",
        "--no-qr",
        "--wait",
        "--replace",
        seed::ZOE_PASSKEY_NAME,
    ]);
    let link = running
        .stdout_line(|l| {
            l.trim()
                .strip_prefix("\"link\": \"")
                .map(|rest| rest.trim_end_matches(['"', ',']).to_string())
        })
        .await;
    running
        .stderr_line(|l| l.contains("Waiting for").then_some(()))
        .await;
    assert!(
        sim.requests().iter().all(|r| r.method != "DELETE"),
        "the old passkey stays until the new one is there"
    );
    register(&sim, seed::ZOE_ID, &link, "New phone");
    let run = running.finish().await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("\"retired\""), "{}", run.stdout);
    assert!(run.stdout.contains(seed::ZOE_PASSKEY_ID), "{}", run.stdout);
    let run = Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER)
        .run(["--json", "passkeys", "zoe.mueller"])
        .await;
    let list = run.json();
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["New phone"]);
}

#[tokio::test]
async fn link_replace_stolen_removes_first_and_makes_the_link() {
    let sim = sim().await;
    let run = Cli::as_admin(&sim, seed::ADMIN_IAM_OWNER)
        .run([
            "link",
            "zoe.mueller",
            "--no-qr",
            "--replace",
            seed::ZOE_PASSKEY_ID,
            "--stolen",
        ])
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("Removed the old passkey 'MacBook Touch ID'"),
        "{}",
        run.stdout
    );
    assert_eq!(link_requests(&sim), 1);
    let order: Vec<String> = sim
        .requests()
        .iter()
        .filter(|r| r.method == "DELETE" || r.path.ends_with("/_link"))
        .map(|r| r.method.clone())
        .collect();
    assert_eq!(
        order,
        ["DELETE", "POST"],
        "removed before the link was made"
    );
}

/// The CLI's `queue` for one test: its own data dir (the queue lives there), an ACME admin,
/// and a config that asks for an identity check in ACME.
fn queue_cli(sim: &Sim, data: &passkey_desk_e2e::TempDir) -> Cli {
    let config = data.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[identity_checks]\n\"{}\" = [\"Photo ID seen\", \"Called back on the number on record\"]\n",
            seed::ACME_ORG_ID
        ),
    )
    .unwrap();
    let mut cli = Cli::as_admin(sim, seed::ADMIN_IAM_OWNER);
    cli.env("PASSKEY_DESK_DATA_DIR", data.path().to_str().unwrap())
        .env("PASSKEY_DESK_CONFIG", config.to_str().unwrap())
        .env("PASSKEY_DESK_ORG", seed::ACME_ORG_ID);
    cli
}

/// A whole enrollment day from a terminal: a roster (BOM, `;`, a header, a repeat, a locked
/// person, a machine user, a name nobody has) imported after a dry run, the queue listed, the
/// identity check refused without `--verified` (no link made), one person registered through
/// `queue next --wait`, one skipped, one whose link expired (exit 7), nobody left (exit 8),
/// and the day's results as CSV with each outcome and the check in the audit log.
#[tokio::test]
async fn queue_import_list_next_wait_and_the_days_csv() {
    let sim = Sim::start(SimConfig {
        code_lifetime: Duration::from_secs(4),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let data = passkey_desk_e2e::TempDir::new("cli-queue");
    let roster = data.path().join("roster.csv");
    std::fs::write(
        &roster,
        "\u{feff}login;note\r\nanna.schmidt;first\r\nbjoern.lindqvist@acme.example.com;\r\n\
         lena.locked;locked\r\nci-bot;a machine\r\nnobody.here;\r\nANNA.SCHMIDT;again\r\n\r\nchloe.martin;\r\n",
    )
    .unwrap();
    let file = roster.to_str().unwrap();

    // Nothing yet: the list is empty, next has nobody to call.
    let run = queue_cli(&sim, &data)
        .run(["queue", "next", "--verified", "Photo ID seen"])
        .await;
    assert_error(&sim, &run, 8, "nobody is waiting");

    let run = queue_cli(&sim, &data)
        .run(["--json", "queue", "import", file, "--dry-run"])
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v = run.json();
    assert_eq!(v["counts"]["ready"], 3, "{v}");
    assert_eq!(v["counts"]["blocked"], 2, "{v}");
    assert_eq!(v["counts"]["unknown"], 1, "{v}");
    assert_eq!(
        v["counts"]["repeated"].as_u64().unwrap() + v["repeated"].as_array().unwrap().len() as u64,
        1,
        "{v}"
    );
    assert_eq!(v["column"], "login");
    assert_eq!(v["added"], Value::Null, "a dry run adds nobody: {v}");
    let blocked: Vec<&str> = v["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["found"]["kind"] == "blocked")
        .map(|l| l["found"]["user"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(blocked, [seed::LOCKED_ID, seed::MACHINE_ID]);

    let run = queue_cli(&sim, &data).run(["queue", "import", file]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("3 added to the queue"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("nobody.here"), "{}", run.stdout);
    // The same roster again adds nobody twice.
    let run = queue_cli(&sim, &data)
        .run(["--json", "queue", "import", file])
        .await;
    assert_eq!(run.json()["added"], 0, "{}", run.stdout);

    let run = queue_cli(&sim, &data)
        .run(["--json", "queue", "list"])
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v = run.json();
    let people = v["people"].as_array().unwrap();
    let logins: Vec<&str> = people
        .iter()
        .map(|p| p["loginName"].as_str().unwrap())
        .collect();
    assert_eq!(
        logins,
        [
            "anna.schmidt@acme.example.com",
            "bjoern.lindqvist@acme.example.com",
            "chloe.martin@acme.example.com"
        ]
    );
    assert!(people.iter().all(|p| p["state"] == "waiting"), "{v}");
    assert_eq!(v["summary"]["total"], 3);

    // ACME asks for a check: without --verified no link is made.
    let before = link_requests(&sim);
    let run = queue_cli(&sim, &data)
        .run(["queue", "next", "--no-qr"])
        .await;
    assert_error(&sim, &run, 2, "Photo ID seen");
    assert_eq!(link_requests(&sim), before, "no link without the check");
    // Free text is not an item of the list.
    let run = queue_cli(&sim, &data)
        .run([
            "queue",
            "next",
            "--no-qr",
            "--verified",
            "Passport number 12345",
        ])
        .await;
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        !run.stderr.contains("12345"),
        "free text is not echoed: {}",
        run.stderr
    );
    assert_eq!(link_requests(&sim), before);

    // Anna: checked, the link shown, registered.
    let run = register_while_waiting(
        &sim,
        queue_cli(&sim, &data),
        &[
            "queue",
            "next",
            "--no-qr",
            "--wait",
            "--verified",
            "photo id seen",
        ],
        "320000000000000007",
        "Pixel 9",
    )
    .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("Registered: Pixel 9"), "{}", run.stdout);
    assert_no_secrets(&sim, &run);

    // Björn is not here today.
    let run = queue_cli(&sim, &data)
        .run(["queue", "skip", "BJOERN.LINDQVIST@acme.example.com"])
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("1 of 3 registered"), "{}", run.stdout);
    let run = queue_cli(&sim, &data)
        .run(["queue", "skip", "someone.else"])
        .await;
    assert_error(&sim, &run, 5, "someone.else");

    // Chloé's link expires before she scans it.
    let run = queue_cli(&sim, &data)
        .run([
            "queue",
            "next",
            "--no-qr",
            "--wait",
            "--verified",
            "Called back on the number on record",
        ])
        .await;
    assert_eq!(run.code, 7, "{}", run.stderr);
    assert!(run.stderr.contains("the link expired"), "{}", run.stderr);

    // Nobody is waiting any more.
    let run = queue_cli(&sim, &data)
        .run(["queue", "next", "--verified", "Photo ID seen"])
        .await;
    assert_error(&sim, &run, 8, "nobody is waiting");

    // The day's results.
    let run = queue_cli(&sim, &data).run(["queue", "list", "--csv"]).await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut reader = csv::ReaderBuilder::new().from_reader(run.stdout.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    assert_eq!(header[5], "outcome");
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let cell = |row: &csv::StringRecord, name: &str| {
        row[header.iter().position(|h| h == name).unwrap()].to_string()
    };
    let outcomes: Vec<(String, String, String, String)> = rows
        .iter()
        .map(|r| {
            (
                cell(r, "login_name"),
                cell(r, "outcome"),
                cell(r, "passkey"),
                cell(r, "verified"),
            )
        })
        .collect();
    assert_eq!(
        outcomes,
        [
            (
                "anna.schmidt@acme.example.com".into(),
                "registered".into(),
                "Pixel 9".into(),
                "Photo ID seen".into()
            ),
            (
                "bjoern.lindqvist@acme.example.com".into(),
                "skipped".into(),
                String::new(),
                String::new()
            ),
            (
                "chloe.martin@acme.example.com".into(),
                "expired".into(),
                String::new(),
                "Called back on the number on record".into()
            ),
        ]
    );
    assert!(rows.iter().all(|r| !cell(r, "ended_at").is_empty()));
    assert!(!run.stdout.contains("code="), "no link in the results");

    // The audit log says how each link's person was checked.
    let run = queue_cli(&sim, &data).run(["--json", "audit"]).await;
    let entries = run.json();
    let created: Vec<&Value> = entries["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "created")
        .collect();
    assert_eq!(created.len(), 2, "{entries}");
    assert!(created
        .iter()
        .all(|e| e["verified"].as_array().is_some_and(|v| v.len() == 1)));
}

/// The remote wave from a terminal: everyone waiting gets a link by email, one failure does
/// not stop the others and is reported, the queue says who was sent one; without the check
/// where ACME asks for one, nothing is sent.
#[tokio::test]
async fn queue_send_waiting_mails_everyone_waiting_and_reports_the_failure() {
    let sim = sim().await;
    let data = passkey_desk_e2e::TempDir::new("cli-wave");
    let roster = data.path().join("roster.txt");
    std::fs::write(
        &roster,
        "anna.schmidt\nchloe.martin\nmei.chen\nsanne.devries\n",
    )
    .unwrap();
    let run = queue_cli(&sim, &data)
        .run(["queue", "import", roster.to_str().unwrap()])
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);

    let run = queue_cli(&sim, &data)
        .run(["queue", "send-waiting", "--yes"])
        .await;
    assert_error(&sim, &run, 2, "Photo ID seen");
    assert!(sim.emails().is_empty());

    sim.inject(Fault {
        method: Some("POST".into()),
        path: "/management/v1/users/*/passwordless/_send_link".into(),
        times: Some(1),
        kind: FaultKind::Status { status: 503 },
    });
    let run = queue_cli(&sim, &data)
        .run([
            "--json",
            "queue",
            "send-waiting",
            "--yes",
            "--verified",
            "Called back on the number on record",
        ])
        .await;
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v = run.json();
    assert_eq!(v["sent"], 3, "{v}");
    assert_eq!(v["failed"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v["summary"]["sent"], 3, "{v}");
    assert_eq!(
        v["summary"]["waiting"], 1,
        "the one that failed still waits: {v}"
    );
    assert_eq!(sim.emails().len(), 3);
    assert_no_secrets(&sim, &run);
}
