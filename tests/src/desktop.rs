//! The desktop app in a real WebKit window, driven over WebDriver: `tauri-driver` (which
//! starts `WebKitWebDriver` and the app) on free loopback ports, with the app's config, data
//! dir and "browser" pointed at the test's simulator. Needs a display (make test runs the
//! suite under xvfb-run) and the release binary (`cargo build --release -p passkey-desk`).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use zitadel_sim::{seed, Sim};

use crate::TempDir;

/// The release binary of the app, in the target dir this test (or bench) was built in.
pub fn app_binary() -> PathBuf {
    release_binary("passkey-desk", "-p passkey-desk")
}

/// A release binary of the workspace: `target/release/<name>`, found from this executable
/// (`target/<profile>/deps/<test>` for a test, `target/<profile>/<bin>` for a bench program).
pub fn release_binary(name: &str, package: &str) -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary knows its path");
    let bin = exe
        .ancestors()
        .skip(1)
        .map(|dir| dir.join("release").join(name))
        .find(|bin| bin.exists())
        .unwrap_or_else(|| {
            panic!("target/release/{name} is missing: run `cargo build --release {package}` first (make test does)")
        });
    bin
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// How to start the app.
#[derive(Default)]
pub struct Launch<'a> {
    /// TOML lines appended to the config file.
    pub config: &'a str,
    pub args: &'a [&'a str],
}

/// One window at a time: the app is a single-instance app (a second start hands over to the
/// first and exits), so the tests take turns.
static ONE_WINDOW: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A running app window and the WebDriver session on it. Dropping it ends both.
pub struct Desktop {
    pub client: Client,
    driver: Option<Child>,
    /// WebKitWebDriver's port: tauri-driver's child, which outlives a killed tauri-driver.
    native_port: u16,
    dir: Option<TempDir>,
    /// Set when the test ends the app itself; until then the watchdog may (see `watchdog`).
    finished: Arc<AtomicBool>,
    _turn: tokio::sync::MutexGuard<'static, ()>,
}

/// How long one app window may live before the watchdog ends it: a guard against a hang (a
/// WebDriver request a stuck window never answers parks the test without a timer), not a
/// measure of speed. `PASSKEY_DESK_E2E_DEADLINE_SECS` overrides it.
const DEFAULT_DEADLINE_SECS: u64 = 300;

/// Ends tauri-driver, its WebKitWebDriver and the app if the test has not finished within the
/// deadline: the request the test waits for then fails, and the test with it, with this
/// message on stderr, instead of hanging the suite.
fn watchdog(driver_pid: u32, native_port: u16, finished: Arc<AtomicBool>) {
    let secs = std::env::var("PASSKEY_DESK_E2E_DEADLINE_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_DEADLINE_SECS);
    std::thread::spawn(move || {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while Instant::now() < deadline {
            if finished.load(Ordering::SeqCst) {
                return;
            }
            std::thread::sleep(Duration::from_millis(500));
        }
        if finished.load(Ordering::SeqCst) {
            return;
        }
        eprintln!(
            "the app window was still open after {secs} s: ending it (a WebDriver request was \
             never answered?); run with PASSKEY_DESK_E2E_WIRE=1 to see the requests"
        );
        let _ = Command::new("kill")
            .args(["-KILL", &driver_pid.to_string()])
            .status();
        let _ = Command::new("pkill")
            .arg("-f")
            .arg(format!("WebKitWebDriver --port={native_port}"))
            .status();
        let _ = Command::new("pkill")
            .args(["-KILL", "-f", &app_binary().to_string_lossy()])
            .status();
    });
}

impl Desktop {
    /// Starts the app for `sim` with a fresh config (instance + the demo client id), an empty
    /// data dir, and a "browser" that follows the sign-in redirects with curl.
    pub async fn launch(sim: &Sim) -> Desktop {
        Desktop::launch_with(sim, &Launch::default()).await
    }

    /// [`Desktop::launch`] with more config lines and command-line arguments.
    pub async fn launch_with(sim: &Sim, launch: &Launch<'_>) -> Desktop {
        assert!(
            std::env::var_os("DISPLAY").is_some(),
            "the desktop tests need a display: run them under xvfb-run (make test does)"
        );
        let turn = ONE_WINDOW.lock().await;
        let dir = TempDir::new("desktop");
        std::fs::write(
            dir.path().join("config.toml"),
            format!(
                "instance = \"{}\"\nclient_id = \"{}\"\nclipboard_clear_secs = 30\n{}\n",
                sim.url(),
                seed::NATIVE_CLIENT_ID,
                launch.config
            ),
        )
        .unwrap();
        let browser = dir.path().join("browser.sh");
        std::fs::write(
            &browser,
            "#!/bin/sh\nexec curl -sSL --max-time 20 -o /dev/null \"$1\"\n",
        )
        .unwrap();
        make_executable(&browser);
        std::fs::create_dir_all(dir.path().join("downloads")).unwrap();
        // Where a desktop says its Downloads folder is (XDG user dirs, as xdg-user-dirs-update
        // writes them): the app's exports and saved PNGs land in this test's directory.
        std::fs::create_dir_all(dir.path().join("xdg-config")).unwrap();
        std::fs::write(
            dir.path().join("xdg-config").join("user-dirs.dirs"),
            format!(
                "XDG_DOWNLOAD_DIR=\"{}\"\n",
                dir.path().join("downloads").display()
            ),
        )
        .unwrap();

        let (port, native_port) = (free_port(), free_port());
        let driver = Command::new("tauri-driver")
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native_port.to_string(),
            ])
            .args(["--native-driver", "/usr/bin/WebKitWebDriver"])
            .env("PASSKEY_DESK_CONFIG", dir.path().join("config.toml"))
            .env("PASSKEY_DESK_DATA_DIR", dir.path().join("data"))
            .env("PASSKEY_DESK_BROWSER", &browser)
            .env("XDG_DOWNLOAD_DIR", dir.path().join("downloads"))
            // The window's remembered place and the app's logs stay in this test's directory.
            .env("XDG_CONFIG_HOME", dir.path().join("xdg-config"))
            .env("XDG_DATA_HOME", dir.path().join("xdg-data"))
            .env("XDG_CACHE_HOME", dir.path().join("xdg-cache"))
            .stdout(log_file(&dir, "tauri-driver.log"))
            .stderr(log_file(&dir, "tauri-driver.log"))
            .spawn()
            .expect(
                "tauri-driver starts (cargo install tauri-driver --locked; make test installs it)",
            );
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "tauri-driver did not listen on {port}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        // PASSKEY_DESK_E2E_WIRE=1: every WebDriver request's first line on stderr, with the
        // time, when it is sent (to find the command a hung test waits for).
        let url = if std::env::var_os("PASSKEY_DESK_E2E_WIRE").is_some() {
            format!("http://127.0.0.1:{}", wire_log(port).await)
        } else {
            format!("http://127.0.0.1:{port}")
        };
        let mut caps = serde_json::Map::new();
        caps.insert(
            "tauri:options".into(),
            serde_json::json!({"application": app_binary(), "args": launch.args}),
        );
        caps.insert("browserName".into(), serde_json::json!("wry"));
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let mut builder = ClientBuilder::new(connector);
        builder.capabilities(caps);
        // The previous test's window may still be closing; this single-instance app then hands
        // over to it and exits, and the session fails. Try again a few times.
        // A window that never comes (an earlier instance still ending took the new one over)
        // is an attempt too: that instance is ended and the session asked for again.
        let mut attempt = 0;
        let client = loop {
            attempt += 1;
            let Ok(session) =
                tokio::time::timeout(Duration::from_secs(30), builder.connect(&url)).await
            else {
                assert!(
                    attempt < 3,
                    "no app window within 3 × 30 s (another instance running? see tauri-driver.log)"
                );
                eprintln!("no app window within 30 s (attempt {attempt}); ending stray instances");
                let _ = Command::new("pkill")
                    .args(["-KILL", "-f", &app_binary().to_string_lossy()])
                    .status();
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            };
            match session {
                Ok(client) => break client,
                Err(e) if attempt < 10 => {
                    eprintln!("WebDriver session attempt {attempt} failed ({e}); retrying");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                Err(e) => panic!("no WebDriver session on the app after {attempt} attempts: {e}"),
            }
        };
        let finished = Arc::new(AtomicBool::new(false));
        watchdog(driver.id(), native_port, finished.clone());
        Desktop {
            client,
            driver: Some(driver),
            native_port,
            dir: Some(dir),
            finished,
            _turn: turn,
        }
    }

    /// Waits (up to 20 s) for an element with this `data-testid`.
    pub async fn find(&self, testid: &str) -> fantoccini::elements::Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(20))
            .for_element(Locator::Css(&format!("[data-testid=\"{testid}\"]")))
            .await
            .unwrap_or_else(|e| panic!("no element [data-testid={testid}] within 20 s: {e}"))
    }

    /// Waits until the element's text satisfies `pred`; returns the text.
    pub async fn text_until(&self, testid: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(el) = self
                .client
                .find(Locator::Css(&format!("[data-testid=\"{testid}\"]")))
                .await
            {
                if let Ok(text) = el.text().await {
                    if pred(&text) {
                        return text;
                    }
                }
            }
            assert!(
                Instant::now() < deadline,
                "[data-testid={testid}] never showed the expected text"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Whether an element with this `data-testid` is in the DOM now.
    pub async fn present(&self, testid: &str) -> bool {
        self.client
            .find(Locator::Css(&format!("[data-testid=\"{testid}\"]")))
            .await
            .is_ok()
    }

    /// Clicks the element from inside the page once the script has returned: for a click
    /// that hides this very window (a kiosk locking, unlocking or being left). WebDriver's own
    /// click then waits for a window that is gone and may never answer (seen in CI: a parked
    /// test until the watchdog ended it).
    pub async fn click_hiding(&self, testid: &str) {
        self.find(testid).await;
        let script = format!(
            "const el = document.querySelector('[data-testid=\"{testid}\"]'); setTimeout(() => el.click(), 0); return true;"
        );
        self.client
            .execute(&script, Vec::new())
            .await
            .unwrap_or_else(|e| panic!("clicking [data-testid={testid}] from the page: {e}"));
    }

    /// Waits (up to 20 s) until the element with this `data-testid` has the focus (a dialog
    /// that focuses its button may scroll the page first: a click before that can land on
    /// whatever moved under it).
    pub async fn focused(&self, testid: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let now = match self.client.active_element().await {
                Ok(element) => element.attr("data-testid").await.ok().flatten(),
                Err(_) => None,
            };
            if now.as_deref() == Some(testid) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "[data-testid={testid}] never got the focus"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits (up to 20 s) until no element has this `data-testid` (the page re-renders after
    /// a click, not at once).
    pub async fn gone(&self, testid: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.present(testid).await {
            assert!(
                Instant::now() < deadline,
                "[data-testid={testid}] still there after 20 s"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// A screenshot of the webview, saved to `path` (PNG) and returned.
    pub async fn screenshot(&self, path: &Path) -> Vec<u8> {
        let png = self.client.screenshot().await.expect("a screenshot");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(path, &png).unwrap();
        png
    }

    /// Switches the WebDriver session to the window whose title is `title` (waits up to 20 s
    /// for it to appear).
    pub async fn switch_to(&self, title: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            for handle in self.client.windows().await.unwrap_or_default() {
                if self.client.switch_to_window(handle).await.is_ok()
                    && self.client.title().await.ok().as_deref() == Some(title)
                {
                    return;
                }
            }
            assert!(Instant::now() < deadline, "no window titled {title:?}");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// The titles of the app's windows now (the session stays on the last one looked at).
    pub async fn titles(&self) -> Vec<String> {
        let mut titles = Vec::new();
        for handle in self.client.windows().await.unwrap_or_default() {
            if self.client.switch_to_window(handle).await.is_ok() {
                if let Ok(title) = self.client.title().await {
                    titles.push(title);
                }
            }
        }
        titles
    }

    /// Signs in with the browser (the simulator's auto-login answers).
    pub async fn sign_in(&self) {
        crate::require_keyring_session();
        self.find("sign-in-browser").await.click().await.unwrap();
        self.find("header-admin").await;
    }

    /// Chooses the organisation by name in the searchable picker.
    pub async fn choose_org(&self, name: &str) {
        self.find("org-picker").await;
        // The picker opens by itself when no org is chosen (once the app has asked for the
        // remembered one); otherwise "Change" opens it.
        let deadline = Instant::now() + Duration::from_secs(20);
        while !self.present("org-filter").await {
            if let Ok(change) = self
                .client
                .find(Locator::Css("[data-testid=\"org-change\"]"))
                .await
            {
                change.click().await.unwrap();
                break;
            }
            assert!(Instant::now() < deadline, "no organisation picker");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let filter = self.find("org-filter").await;
        filter.send_keys(&name[..4]).await.unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            for option in self
                .client
                .find_all(Locator::Css("[data-testid=\"org-option\"]"))
                .await
                .unwrap()
            {
                if option.text().await.unwrap_or_default().contains(name) {
                    option.click().await.unwrap();
                    self.text_until("org-current", |t| t.contains(name)).await;
                    return;
                }
            }
            assert!(Instant::now() < deadline, "no option {name}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Searches and opens a user with the keyboard: type, Enter.
    pub async fn pick_user(&self, query: &str, display_name: &str) {
        let search = self.find("user-search").await;
        // An earlier search's text goes first (the new keys then start a fresh search).
        search.clear().await.unwrap();
        search.send_keys(query).await.unwrap();
        self.text_until("user-results", |t| t.contains(display_name))
            .await;
        search
            .send_keys(&fantoccini::key::Key::Enter.to_string())
            .await
            .unwrap();
        self.text_until("selected-user", |t| t.contains(display_name))
            .await;
    }

    /// Waits until the element's attribute `name` has `value`.
    pub async fn attr_until(&self, testid: &str, name: &str, value: &str) {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Ok(el) = self
                .client
                .find(Locator::Css(&format!("[data-testid=\"{testid}\"]")))
                .await
            {
                if el.attr(name).await.ok().flatten().as_deref() == Some(value) {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "[data-testid={testid}] never had {name}={value:?}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Runs `body` (an async function body that returns a string) in the current window;
    /// what it returned, or what went wrong.
    pub async fn probe(&self, body: &str) -> String {
        let script = format!(
            "const done = arguments[arguments.length - 1];
             (async () => {{ {body} }})().then(
               (v) => done(String(v)),
               (e) => done('threw: ' + (e && (e.message || e)) ));"
        );
        match self.client.execute_async(&script, Vec::new()).await {
            Ok(serde_json::Value::String(s)) => s,
            Ok(other) => other.to_string(),
            Err(e) => format!("webdriver error: {e}"),
        }
    }

    /// A command called from the current window's page, through Tauri's IPC as the UI calls
    /// it: `allowed: <answer>` or `refused: <error>`.
    pub async fn invoke(&self, cmd: &str, args: serde_json::Value) -> String {
        self.probe(&invoke_script(cmd, args)).await
    }

    /// Whether the app's process is running.
    pub fn app_running(&self) -> bool {
        Command::new("pgrep")
            .arg("-f")
            .arg(app_binary())
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false)
    }

    /// The directory with the app's config, data and downloads.
    pub fn dir(&self) -> &Path {
        self.dir.as_ref().expect("open").path()
    }

    /// Ends the WebDriver session (which closes the app) and tauri-driver, then waits (up to
    /// 10 s) until the app's process is gone, so the next window can start.
    pub async fn close(mut self) {
        // A kiosk refuses the window manager's close, and WebKitWebDriver then waits for a
        // window that never closes: the session's end is given 10 s, then the app is ended
        // the hard way, so the next test never starts into this instance.
        let closed =
            tokio::time::timeout(Duration::from_secs(10), self.client.clone().close()).await;
        if closed.is_err() {
            eprintln!("the WebDriver session did not end within 10 s; ending the app");
        }
        self.stop_processes();
        for _ in 0..100 {
            if !self.app_running() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let _ = Command::new("pkill")
            .args(["-KILL", "-f", &app_binary().to_string_lossy()])
            .status();
    }

    /// Ends tauri-driver, its WebKitWebDriver and (via the driver) the app.
    fn stop_processes(&mut self) {
        self.finished.store(true, Ordering::SeqCst);
        if let Some(mut driver) = self.driver.take() {
            let _ = driver.kill();
            let _ = driver.wait();
            let _ = Command::new("pkill")
                .arg("-f")
                .arg(format!("WebKitWebDriver --port={}", self.native_port))
                .status();
            let _ = Command::new("pkill").arg("-f").arg(app_binary()).status();
        }
    }
}

impl Drop for Desktop {
    /// A failed test ends here without `close`: the app goes too, or the next test's window
    /// would hand over to it (single instance) and never start.
    fn drop(&mut self) {
        if self.driver.is_some() {
            self.stop_processes();
            for _ in 0..50 {
                if !self.app_running() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
}

/// The page script of [`Desktop::invoke`].
pub fn invoke_script(cmd: &str, args: serde_json::Value) -> String {
    format!(
        "try {{ const r = await window.__TAURI_INTERNALS__.invoke({cmd:?}, {args}); return 'allowed: ' + JSON.stringify(r); }}
         catch (e) {{ return 'refused: ' + (typeof e === 'string' ? e : JSON.stringify(e)); }}"
    )
}

/// Whether an [`Desktop::invoke`] or [`Desktop::probe`] was refused (or threw).
pub fn refused(outcome: &str) -> bool {
    outcome.starts_with("refused") || outcome.starts_with("threw")
}

/// tauri-driver's and the app's output, kept in the test's directory (or shown with
/// PASSKEY_DESK_E2E_LOG=1 on the test's stderr).
fn log_file(dir: &TempDir, name: &str) -> Stdio {
    if std::env::var_os("PASSKEY_DESK_E2E_LOG").is_some() {
        return Stdio::inherit();
    }
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.path().join(name))
        .map(Stdio::from)
        .unwrap_or_else(|_| Stdio::null())
}

/// A loopback TCP relay to `port` that prints the first line of each request it passes on.
async fn wire_log(port: u16) -> u16 {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0))
        .await
        .unwrap();
    let local = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((mut client, _)) = listener.accept().await {
            tokio::spawn(async move {
                let Ok(mut server) = tokio::net::TcpStream::connect(("127.0.0.1", port)).await
                else {
                    return;
                };
                let (mut cr, mut cw) = client.split();
                let (mut sr, mut sw) = server.split();
                let up = async {
                    let mut buf = vec![0u8; 65536];
                    while let Ok(n) = cr.read(&mut buf).await {
                        if n == 0 {
                            break;
                        }
                        let text = String::from_utf8_lossy(&buf[..n]);
                        if let Some(line) = text.lines().next().filter(|l| l.contains("HTTP/1")) {
                            let body = text.split("\r\n\r\n").nth(1).unwrap_or("");
                            eprintln!(
                                "[wire {:.3}] {line} {}",
                                std::time::SystemTime::now()
                                    .duration_since(std::time::UNIX_EPOCH)
                                    .map_or(0.0, |d| d.as_secs_f64() % 3600.0),
                                body.chars().take(160).collect::<String>()
                            );
                        }
                        if sw.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                };
                let down = tokio::io::copy(&mut sr, &mut cw);
                tokio::select! { _ = up => {}, _ = down => {} }
            });
        }
    });
    local
}

fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let mut perms = std::fs::metadata(path).unwrap().permissions();
    perms.set_mode(0o755);
    std::fs::set_permissions(path, perms).unwrap();
}

/// Where the WebDriver tests keep their screenshots: `screenshots/` in the target dir, so a
/// test run leaves the clone as it was. `make screenshots` copies them into docs/screenshots/
/// (shown in the README).
pub fn screenshot_path(name: &str) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"));
    let dir = target.join("screenshots");
    std::fs::create_dir_all(&dir).expect("the screenshots dir in the target dir");
    dir.join(name)
}

/// The text of the QR codes found in a PNG (a screenshot).
pub fn decode_qr(png: &[u8]) -> Vec<String> {
    let img = image::load_from_memory(png).expect("a PNG").to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(img);
    prepared
        .detect_grids()
        .into_iter()
        .filter_map(|g| g.decode().ok().map(|(_, text)| text))
        .collect()
}

/// Asks every top-level X11 window titled `title` to close, as a window manager does for
/// Alt+F4 or the close button: a `WM_PROTOCOLS`/`WM_DELETE_WINDOW` client message. Returns how
/// many windows were asked.
pub fn request_close(title: &str) -> usize {
    use x11rb::connection::Connection;
    use x11rb::protocol::xproto::{
        AtomEnum, ClientMessageEvent, ConnectionExt as _, EventMask, CLIENT_MESSAGE_EVENT,
    };
    let (conn, screen) = x11rb::connect(None).expect("the X display of the test");
    let root = conn.setup().roots[screen].root;
    let atom = |name: &str| {
        conn.intern_atom(false, name.as_bytes())
            .unwrap()
            .reply()
            .unwrap()
            .atom
    };
    let (protocols, delete, net_name, utf8) = (
        atom("WM_PROTOCOLS"),
        atom("WM_DELETE_WINDOW"),
        atom("_NET_WM_NAME"),
        atom("UTF8_STRING"),
    );
    let children = conn.query_tree(root).unwrap().reply().unwrap().children;
    let mut asked = 0;
    for window in children {
        let Ok(reply) = conn
            .get_property(false, window, net_name, utf8, 0, 256)
            .unwrap()
            .reply()
        else {
            continue;
        };
        if reply.value != title.as_bytes() {
            continue;
        }
        let supports_delete = conn
            .get_property(false, window, protocols, AtomEnum::ATOM, 0, 32)
            .unwrap()
            .reply()
            .ok()
            .and_then(|r| r.value32().map(|v| v.collect::<Vec<_>>()))
            .is_some_and(|atoms| atoms.contains(&delete));
        if !supports_delete {
            continue;
        }
        let event = ClientMessageEvent {
            response_type: CLIENT_MESSAGE_EVENT,
            format: 32,
            sequence: 0,
            window,
            type_: protocols,
            data: [delete, x11rb::CURRENT_TIME, 0, 0, 0].into(),
        };
        conn.send_event(false, window, EventMask::NO_EVENT, event)
            .unwrap();
        asked += 1;
    }
    conn.flush().unwrap();
    asked
}

/// Presses and releases the key `keysym` (e.g. `0xff1b`, Escape) on the X display, as a
/// person at the keyboard would (XTEST): it goes to the window under the pointer, whatever
/// the WebDriver session looks at. (WebDriver's own key input waits for the web page to take
/// the keys, which a window the app hid or refused to close may never do.)
pub fn press_key(keysym: u32) {
    use x11rb::connection::Connection;
    use x11rb::protocol::xproto::{ConnectionExt as _, KEY_PRESS_EVENT, KEY_RELEASE_EVENT};
    use x11rb::protocol::xtest::ConnectionExt as _;
    use x11rb::wrapper::ConnectionExt as _;
    let (conn, screen) = x11rb::connect(None).expect("the X display of the test");
    let root = conn.setup().roots[screen].root;
    let (min, max) = (conn.setup().min_keycode, conn.setup().max_keycode);
    let map = conn
        .get_keyboard_mapping(min, max - min + 1)
        .unwrap()
        .reply()
        .unwrap();
    let per = usize::from(map.keysyms_per_keycode);
    let index = map
        .keysyms
        .iter()
        .position(|k| *k == keysym)
        .unwrap_or_else(|| panic!("no key for keysym {keysym:#x} on this display"));
    let keycode = min + u8::try_from(index / per).unwrap();
    for kind in [KEY_PRESS_EVENT, KEY_RELEASE_EVENT] {
        conn.xtest_fake_input(kind, keycode, x11rb::CURRENT_TIME, root, 0, 0, 0)
            .unwrap();
    }
    conn.sync().unwrap();
}

/// The size of the X screen the tests run on (xvfb-run's `-screen 0 WxHxD`).
pub fn screen_size() -> (u64, u64) {
    use x11rb::connection::Connection;
    let (conn, screen) = x11rb::connect(None).expect("the X display of the test");
    let root = &conn.setup().roots[screen];
    (
        u64::from(root.width_in_pixels),
        u64::from(root.height_in_pixels),
    )
}
