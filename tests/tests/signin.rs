//! Sign-in from the CLI against zitadel-sim, with the real OS keyring (Secret Service in a
//! private D-Bus session, see scripts/with-keyring): login, link, "restart" (a new process),
//! link again without signing in, logout — and no secret in any output.

use std::time::Duration;

use passkey_desk_core::auth::{KeyringStore, SecretStore};
use passkey_desk_e2e::{require_keyring_session, Cli, Run, TempDir};
use zitadel_sim::{seed, Sim, SimConfig};

/// A CLI for `sim` with its own session index, and no PASSKEY_DESK_TOKEN.
fn cli(sim: &Sim, data: &TempDir) -> Cli {
    Cli::for_sim(sim, data)
}

fn keyring_secret(sim: &Sim, subject: &str) -> Option<String> {
    KeyringStore
        .load(&format!("{} {subject}", sim.url()))
        .unwrap()
}

/// No output of any run holds one of these.
fn assert_clean(runs: &[&Run], secrets: &[String]) {
    for run in runs {
        for secret in secrets.iter().filter(|s| !s.is_empty()) {
            assert!(
                !run.stdout.contains(secret.as_str()) && !run.stderr.contains(secret.as_str()),
                "a secret leaked:\n{}\n{}",
                run.stdout,
                run.stderr
            );
        }
    }
}

fn refresh_token_of(stored: &str) -> String {
    let v: serde_json::Value = serde_json::from_str(stored).unwrap();
    v["refresh_token"].as_str().unwrap_or_default().to_string()
}

#[tokio::test]
async fn browser_login_link_restart_link_logout() {
    require_keyring_session();
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    sim.set_auto_login(Some(seed::ADMIN_IAM_OWNER));
    let data = TempDir::new("signin-browser");
    let admin = sim.demo().admin(seed::ADMIN_IAM_OWNER).user_id.clone();

    let mut c = cli(&sim, &data);
    c.env("RUST_LOG", "trace");
    let mut login = c.spawn(["login", "--no-browser"]);
    let url = login
        .stderr_line(|l| l.trim().starts_with("http").then(|| l.trim().to_string()))
        .await;
    assert!(url.contains("/oauth/v2/authorize?"), "{url}");
    // The "browser": follow the redirects to the CLI's loopback listener.
    let page = reqwest::get(&url).await.unwrap().text().await.unwrap();
    assert!(page.contains("Signed in"), "{page}");
    let login = login.finish().await;
    assert_eq!(login.code, 0, "{}", login.stderr);
    assert!(
        login.stdout.contains("desk.admin@acme.example.com"),
        "{}",
        login.stdout
    );
    let stored = keyring_secret(&sim, &admin).expect("the session is in the keyring");
    let first_refresh = refresh_token_of(&stored);
    assert!(!first_refresh.is_empty());
    // The index in the data dir names the admin but holds no secret.
    let index = std::fs::read_to_string(data.path().join("sessions.toml")).unwrap();
    assert!(
        index.contains("desk.admin") && !index.contains(&first_refresh),
        "{index}"
    );

    // A new process: no sign-in needed.
    let whoami = cli(&sim, &data).run(["whoami"]).await;
    assert_eq!(whoami.code, 0, "{}", whoami.stderr);
    assert!(
        whoami.stdout.contains("browser sign-in")
            && whoami.stdout.contains("renewed automatically"),
        "{}",
        whoami.stdout
    );
    let link = cli(&sim, &data).run(["--json", "link", "jose.nunez"]).await;
    assert_eq!(link.code, 0, "{}", link.stderr);
    assert_eq!(link.json()["userId"], seed::JOSE_ID);
    let rotated = refresh_token_of(&keyring_secret(&sim, &admin).unwrap());
    assert_ne!(
        rotated, first_refresh,
        "each restart's refresh rotated the stored token"
    );

    let logout = cli(&sim, &data).run(["logout"]).await;
    assert_eq!(logout.code, 0, "{}", logout.stderr);
    assert!(logout.stdout.contains("revoked"), "{}", logout.stdout);
    assert_eq!(
        keyring_secret(&sim, &admin),
        None,
        "the keyring entry is gone"
    );
    let after = cli(&sim, &data).run(["link", "jose.nunez"]).await;
    assert_eq!(after.code, 3, "{}", after.stderr);
    assert!(after.stderr.contains("login"), "{}", after.stderr);

    assert_clean(
        &[&login, &whoami, &link, &logout, &after],
        &[first_refresh, rotated],
    );
}

#[tokio::test]
async fn device_login_from_the_cli() {
    require_keyring_session();
    let sim = Sim::start(SimConfig {
        device_interval: Duration::from_secs(1),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let data = TempDir::new("signin-device");
    let mut login = cli(&sim, &data).spawn(["login", "--device"]);
    let code = login
        .stderr_line(|l| {
            let t = l.trim();
            (t.len() == 9 && t.as_bytes()[4] == b'-').then(|| t.to_string())
        })
        .await;
    sim.approve_device(&code, seed::ADMIN_ORG_OWNER).unwrap();
    let login = login.finish().await;
    assert_eq!(login.code, 0, "{}", login.stderr);
    assert!(
        login.stderr.contains('█'),
        "a QR code to scan: {}",
        login.stderr
    );
    let link = cli(&sim, &data)
        .run(["--json", "--org", "Globex GmbH", "link", "max.muster"])
        .await;
    assert_eq!(link.code, 0, "{}", link.stderr);
    assert_eq!(link.json()["userId"], seed::MAX_GLOBEX_ID);
    assert_eq!(cli(&sim, &data).run(["logout"]).await.code, 0);
}

#[tokio::test]
async fn service_user_pat_and_key_file() {
    require_keyring_session();
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let data = TempDir::new("signin-service");
    let pat = sim.demo().service_pat.clone();
    let login = cli(&sim, &data)
        .run_with_stdin(["login", "--pat"], &format!("{pat}\n"))
        .await;
    assert_eq!(login.code, 0, "{}", login.stderr);
    assert_eq!(
        keyring_secret(&sim, seed::SERVICE_USER_ID).map(|s| s.contains(&pat)),
        Some(true)
    );
    let whoami = cli(&sim, &data).run(["whoami"]).await;
    assert!(
        whoami.stdout.contains("personal access token"),
        "{}",
        whoami.stdout
    );
    let link = cli(&sim, &data)
        .run(["link", "jose.nunez", "--no-qr"])
        .await;
    assert_eq!(link.code, 0, "{}", link.stderr);
    assert_eq!(cli(&sim, &data).run(["logout"]).await.code, 0);
    assert_eq!(keyring_secret(&sim, seed::SERVICE_USER_ID), None);

    let key_file = data.path().join("desk-bot.json");
    std::fs::write(&key_file, &sim.demo().service_key_json).unwrap();
    let login = cli(&sim, &data)
        .run(["login", "--key-file", key_file.to_str().unwrap()])
        .await;
    assert_eq!(login.code, 0, "{}", login.stderr);
    let link = cli(&sim, &data).run(["--json", "link", "jose.nunez"]).await;
    assert_eq!(link.code, 0, "{}", link.stderr);
    let whoami = cli(&sim, &data).run(["whoami"]).await;
    assert!(whoami.stdout.contains("key file"), "{}", whoami.stdout);
    let key: serde_json::Value = serde_json::from_str(&sim.demo().service_key_json).unwrap();
    let private_key = key["key"]
        .as_str()
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .to_string();
    assert_clean(&[&login, &link, &whoami], &[pat, private_key]);
    assert_eq!(cli(&sim, &data).run(["logout"]).await.code, 0);
}

#[tokio::test]
async fn the_environment_token_still_overrides() {
    require_keyring_session();
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let data = TempDir::new("signin-env");
    let pat = sim.demo().service_pat.clone();
    assert_eq!(
        cli(&sim, &data)
            .run_with_stdin(["login", "--pat"], &pat)
            .await
            .code,
        0
    );
    let mut c = cli(&sim, &data);
    c.env(
        "PASSKEY_DESK_TOKEN",
        &sim.demo().admin(seed::ADMIN_USER_MANAGER).pat,
    );
    let whoami = c.run(["--json", "whoami"]).await;
    assert_eq!(whoami.json()["userName"], "helpdesk");
    assert_eq!(whoami.json()["method"], "environment");
    assert_eq!(cli(&sim, &data).run(["logout"]).await.code, 0);
}

#[tokio::test]
async fn no_secret_service_is_a_clear_error_and_nothing_is_written() {
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    let data = TempDir::new("signin-nokeyring");
    let mut c = cli(&sim, &data);
    c.env("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
    let run = c
        .run_with_stdin(["login", "--pat"], &sim.demo().service_pat)
        .await;
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("keyring") && run.stderr.contains("PASSKEY_DESK_TOKEN"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains(&sim.demo().service_pat));
    // No plain-file fallback: the data dir holds nothing.
    assert_eq!(std::fs::read_dir(data.path()).unwrap().count(), 0);
}

#[tokio::test]
async fn keyring_store_round_trip() {
    require_keyring_session();
    let account = format!("passkey-desk-test {}", std::process::id());
    let store = KeyringStore;
    assert_eq!(store.load(&account).unwrap(), None);
    store.save(&account, "s3cret").unwrap();
    assert_eq!(store.load(&account).unwrap().as_deref(), Some("s3cret"));
    store.save(&account, "rotated").unwrap();
    assert_eq!(store.load(&account).unwrap().as_deref(), Some("rotated"));
    store.delete(&account).unwrap();
    assert_eq!(store.load(&account).unwrap(), None);
    store.delete(&account).unwrap();
}
