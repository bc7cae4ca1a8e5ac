//! Secrets stay secret: every flow — browser sign-in (code + PKCE), phone sign-in, PAT and key
//! file, renewal after a 401, link, send, sign-out, and errors (403, 500, a foreign link) — runs
//! with `RUST_LOG=trace`, in the CLI (real keyring) and in the desktop app's core (its log
//! captured); then every output is scanned for the exact values of every access token,
//! refresh token, authorization and device code, PKCE verifier, registration code, PAT and key
//! the simulator handed out or received: stderr and stdout, the config file, the data dir
//! (session index, preferences, lock), the app's log and every error message the UI would show.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use passkey_desk_core::app::{AppPaths, DeskApp, LinkState, SettingsView};
use passkey_desk_core::auth::MemoryStore;
use passkey_desk_core::client::Authenticator;
use passkey_desk_e2e::host::Desktop;
use passkey_desk_e2e::report::Cases;
use passkey_desk_e2e::{require_keyring_session, Cli, Run, TempDir};
use zitadel_sim::{seed, Fault, FaultKind, Sim, SimConfig};

/// Kept only as an Argon2 hash in the config file.
const KIOSK_PIN: &str = "482916";

/// One place output ends up, and the secrets it may show by design (e.g. `link` prints the
/// link, and with it its code, on stdout).
struct Surface {
    name: String,
    text: String,
    allowed: Vec<String>,
}

#[derive(Default)]
struct Surfaces(Vec<Surface>);

impl Surfaces {
    fn add(&mut self, name: impl Into<String>, text: impl Into<String>) {
        self.add_allowing(name, text, Vec::new());
    }

    fn add_allowing(
        &mut self,
        name: impl Into<String>,
        text: impl Into<String>,
        allowed: Vec<String>,
    ) {
        self.0.push(Surface {
            name: name.into(),
            text: text.into(),
            allowed,
        });
    }

    /// A CLI run: its stderr (the log, at trace level) always; its stdout unless it is the
    /// command's product.
    fn run(&mut self, name: &str, run: &Run) {
        assert!(
            run.code == 0 || !run.stderr.is_empty(),
            "{name}: {}",
            run.stderr
        );
        self.add(format!("{name}: stderr"), run.stderr.clone());
        self.add(format!("{name}: stdout"), run.stdout.clone());
    }

    /// Every file under `dir`.
    fn files(&mut self, what: &str, dir: &Path) {
        for path in walk(dir) {
            let text =
                String::from_utf8_lossy(&std::fs::read(&path).unwrap_or_default()).into_owned();
            self.add(format!("{what}: {}", path.display()), text);
        }
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

fn fault(path: &str, kind: FaultKind) -> Fault {
    Fault {
        method: None,
        path: path.into(),
        times: Some(1),
        kind,
    }
}

/// The value of `k` in a link's query.
fn query(link: &str, k: &str) -> String {
    let url = reqwest::Url::parse(link).unwrap();
    url.query_pairs()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// Captures the core's log (trace level) for the in-process desk.
#[derive(Clone, Default)]
struct Log(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Log {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn cli_flows(sim: &Sim, surfaces: &mut Surfaces) {
    let data = TempDir::new("secrets-cli");
    let cli = || {
        let mut cli = Cli::for_sim(sim, &data);
        cli.env("RUST_LOG", "trace");
        cli
    };

    // Browser sign-in: authorization code + PKCE.
    let mut login = cli().spawn(["login", "--no-browser"]);
    let url = login
        .stderr_line(|l| l.trim().starts_with("http").then(|| l.trim().to_string()))
        .await;
    reqwest::get(&url).await.unwrap();
    let login = login.finish().await;
    assert_eq!(login.code, 0, "{}", login.stderr);
    surfaces.run("cli login (browser)", &login);

    surfaces.run("cli whoami", &cli().run(["whoami"]).await);
    surfaces.run("cli orgs", &cli().run(["--json", "orgs"]).await);
    // A 401 in the middle: one renewal with the refresh token, one retry.
    sim.inject(fault("/v2/users", FaultKind::Status { status: 401 }));
    sim.inject(fault(
        "/management/v1/users/_search",
        FaultKind::Status { status: 401 },
    ));
    let users = cli().run(["users", "max"]).await;
    assert_eq!(users.code, 0, "{}", users.stderr);
    surfaces.run("cli users after a 401 (renewal)", &users);
    sim.clear_faults();

    let png = data.path().join("qr.png");
    let link = cli()
        .run([
            "--json",
            "link",
            "jose.nunez",
            "--png",
            png.to_str().unwrap(),
        ])
        .await;
    assert_eq!(link.code, 0, "{}", link.stderr);
    let url = link.json()["link"].as_str().unwrap().to_string();
    surfaces.add("cli link: stderr", link.stderr.clone());
    surfaces.add_allowing(
        "cli link: stdout (the link is the product)",
        link.stdout.clone(),
        vec![query(&url, "code")],
    );
    surfaces.run("cli send", &cli().run(["send", "jose.nunez"]).await);

    // Errors: refused, broken, hostile.
    for (name, f) in [
        ("403", FaultKind::Status { status: 403 }),
        ("500", FaultKind::Status { status: 500 }),
        (
            "foreign link",
            FaultKind::ForeignLink {
                origin: "https://evil.example.net".into(),
            },
        ),
    ] {
        sim.inject(fault("/management/v1/users/*/passwordless/_link", f));
        let run = cli().run(["link", "max.muster"]).await;
        assert_ne!(run.code, 0, "{name}: {}", run.stdout);
        surfaces.run(&format!("cli link with {name}"), &run);
        sim.clear_faults();
    }

    surfaces.run("cli logout", &cli().run(["logout"]).await);

    // Phone sign-in (device code).
    let mut device = cli().spawn(["login", "--device"]);
    let user_code = device
        .stderr_line(|l| {
            l.split_whitespace()
                .find(|w| w.len() == 9 && w.as_bytes()[4] == b'-')
                .map(str::to_string)
        })
        .await;
    sim.approve_device(&user_code, seed::ADMIN_IAM_OWNER)
        .unwrap();
    let device = device.finish().await;
    assert_eq!(device.code, 0, "{}", device.stderr);
    surfaces.run("cli login (device)", &device);
    surfaces.run("cli logout (device)", &cli().run(["logout"]).await);

    // Service users: a PAT on stdin, a key file.
    let pat = sim.demo().service_pat.clone();
    let with_pat = cli()
        .run_with_stdin(["login", "--pat"], &format!("{pat}\n"))
        .await;
    assert_eq!(with_pat.code, 0, "{}", with_pat.stderr);
    surfaces.run("cli login (PAT)", &with_pat);
    surfaces.run("cli link (PAT)", &cli().run(["users", "jose"]).await);
    surfaces.run("cli logout (PAT)", &cli().run(["logout"]).await);
    let key_file = data.path().join("desk-bot.json");
    std::fs::write(&key_file, &sim.demo().service_key_json).unwrap();
    let with_key = cli()
        .run(["login", "--key-file", key_file.to_str().unwrap()])
        .await;
    assert_eq!(with_key.code, 0, "{}", with_key.stderr);
    surfaces.run("cli login (key file)", &with_key);
    surfaces.run("cli orgs (key file)", &cli().run(["orgs"]).await);
    surfaces.run("cli logout (key file)", &cli().run(["logout"]).await);
    std::fs::remove_file(&key_file).unwrap();
    std::fs::remove_file(&png).unwrap();

    surfaces.files("cli data dir", data.path());
}

/// Waits (on the real clock: the watch looks every 2 s) until the link on the desk ended.
async fn link_ended(app: &DeskApp) -> LinkState {
    let mut views = app.watch_desk();
    let ended = |view: &passkey_desk_core::app::DeskView| {
        view.workspace
            .as_ref()
            .and_then(|w| w.link.clone())
            .filter(|l| !matches!(l, LinkState::Live { .. }))
    };
    tokio::time::timeout(std::time::Duration::from_secs(60), async {
        loop {
            if let Some(link) = ended(&views.borrow_and_update()) {
                return link;
            }
            views.changed().await.unwrap();
        }
    })
    .await
    .expect("the link ended within 60 s")
}

async fn desk_flows(sim: &Sim, log: &Log, surfaces: &mut Surfaces) {
    let dir = TempDir::new("secrets-desk");
    let downloads = dir.path().join("downloads");
    std::fs::create_dir_all(&downloads).unwrap();
    let host = Arc::new(Desktop::with_downloads(downloads.clone()));
    let app = Arc::new(
        DeskApp::new(
            host.clone(),
            AppPaths {
                config_file: dir.path().join("config").join("config.toml"),
                data_dir: dir.path().join("data"),
            },
            Arc::new(MemoryStore::default()),
        )
        .unwrap(),
    );
    let mut errors = Vec::new();
    app.settings_save(SettingsView {
        instance: Some(sim.url()),
        client_id: Some(seed::NATIVE_CLIENT_ID.into()),
        clipboard_clear_secs: 60,
        idle_timeout_secs: 120,
        kiosk_relock_secs: 60,
        ..SettingsView::default()
    })
    .await
    .unwrap();
    app.kiosk_pin_set(Some(KIOSK_PIN)).unwrap();
    app.sign_in_browser().await.unwrap();
    app.org_select(seed::ACME_ORG_ID).await.unwrap();
    app.users_search("max").await.unwrap();
    let view = app
        .link_create(seed::JOSE_ID, Authenticator::Any, &[])
        .await
        .unwrap();
    app.link_copy().unwrap();
    app.link_save_png().unwrap();
    app.presenter_open(None).await.ok();
    // What the public windows receive, while a link is up: never the link or its code.
    surfaces.add(
        "public view (link up)",
        serde_json::to_string(&*app.watch_public().borrow()).unwrap(),
    );
    sim.complete_registration(
        seed::JOSE_ID,
        &query(&view.link, "codeID"),
        &query(&view.link, "code"),
        "Pixel 9",
    )
    .unwrap();
    link_ended(&app).await;
    surfaces.add(
        "desk view (registered)",
        serde_json::to_string(&app.desk_view()).unwrap(),
    );
    app.link_send(seed::JOSE_ID, &[]).await.unwrap();
    // Errors as the UI gets them.
    sim.inject(fault(
        "/management/v1/users/*/passwordless/_link",
        FaultKind::ForeignLink {
            origin: "https://evil.example.net".into(),
        },
    ));
    errors.push(
        app.link_create("max.muster", Authenticator::Any, &[])
            .await
            .unwrap_err()
            .to_report(),
    );
    sim.clear_faults();
    app.link_create("max.muster", Authenticator::Any, &[])
        .await
        .unwrap();
    sim.revoke_sessions_of(&sim.demo().admin(seed::ADMIN_IAM_OWNER).user_id);
    match link_ended(&app).await {
        LinkState::Failed { error, .. } => errors.push(error),
        other => panic!("{other:?}"),
    }
    surfaces.add(
        "desk view (session ended)",
        serde_json::to_string(&app.desk_view()).unwrap(),
    );
    // Kiosk mode on, then a wrong PIN, and an admin command while locked.
    app.kiosk_enter().unwrap();
    errors.push(app.kiosk_unlock_pin("000000").unwrap_err().to_report());
    errors.push(app.users_search("max").await.unwrap_err().to_report());
    for report in &errors {
        surfaces.add(
            format!("desk error {}", report.code),
            report.message.clone(),
        );
    }
    for file in walk(&downloads) {
        std::fs::remove_file(file).unwrap(); // the QR PNG holds the link by design
    }
    surfaces.files("desk files", dir.path());
    let captured = String::from_utf8_lossy(&log.0.lock().unwrap()).into_owned();
    assert!(
        captured.contains("TRACE") || captured.contains("DEBUG"),
        "the trace log was captured"
    );
    surfaces.add("desk log (trace)", captured);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_flow_leaks_a_secret_anywhere() {
    require_keyring_session();
    let log = Log::default();
    let writer = log.clone();
    tracing::subscriber::set_global_default(
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish(),
    )
    .expect("the only subscriber of this test binary");

    let sim = Sim::start(SimConfig {
        device_interval: std::time::Duration::from_secs(1),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    sim.set_auto_login(Some(seed::ADMIN_IAM_OWNER));
    let mut surfaces = Surfaces::default();
    cli_flows(&sim, &mut surfaces).await;
    desk_flows(&sim, &log, &mut surfaces).await;

    let mut needles: Vec<String> = zitadel_sim::secrets_seen();
    needles.extend(sim.demo().admins.iter().map(|a| a.pat.clone()));
    needles.push(sim.demo().service_pat.clone());
    needles.push(KIOSK_PIN.to_string());
    let key: serde_json::Value = serde_json::from_str(&sim.demo().service_key_json).unwrap();
    let private_key = key["key"].as_str().unwrap().to_string();
    // The PEM's body lines: any one of them in an output is a leak.
    needles.extend(
        private_key
            .lines()
            .filter(|l| l.len() > 40 && !l.starts_with("-----"))
            .map(str::to_string),
    );
    needles.sort();
    needles.dedup();

    let mut cases = Cases::new("secrets", "no_flow_leaks_a_secret_anywhere");
    let count = needles.len();
    cases.check(format!("{count} secret values to look for"), move || {
        // Tokens, refresh tokens, codes, verifiers, device codes, registration codes, PATs, key.
        assert!(
            count > 30,
            "only {count} secrets were seen: the scan would prove little"
        );
    });
    for surface in surfaces.0 {
        let needles = needles.clone();
        cases.check(format!("no secret in {}", surface.name), move || {
            for needle in &needles {
                if surface.allowed.contains(needle) {
                    continue;
                }
                assert!(
                    !surface.text.contains(needle.as_str()),
                    "a secret ({}…) is in {}",
                    &needle[..4.min(needle.len())],
                    surface.name
                );
            }
        });
    }
    cases.finish();
}
