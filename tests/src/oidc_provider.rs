//! A third-party, OpenID Certified identity provider for the sign-in tests: npm `oidc-provider`
//! (pinned in `tests/oidc-provider/package.json`) run by `node` on loopback, plus [`Browser`], a
//! scripted browser that walks its development login, consent and device pages.
//!
//! ```no_run
//! # async fn demo() {
//! use passkey_desk_e2e::oidc_provider::{Browser, OidcProvider};
//! let op = OidcProvider::start(); // `READY` seen; killed when dropped
//! let browser = Browser::new();
//! // … the app builds an authorize URL for op.issuer / op.client_id and listens on
//! // http://127.0.0.1:{port}/callback; the browser logs in as "alice" and hits that callback:
//! let callback = browser.authorize("http://127.0.0.1:…/auth?…", "alice").await.unwrap();
//! # }
//! ```
//!
//! What the provider does differently from ZITADEL (see `tests/oidc-provider/provider.mjs`):
//! `offline_access` (so a refresh token) only with `prompt=consent`; endpoints live at other
//! paths (read them from discovery); any login id and password sign in; device `interval` is 1 s.

use std::collections::VecDeque;
use std::fs::{self, File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{mpsc, Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use reqwest::redirect::Policy;
use reqwest::{StatusCode, Url};

/// The one client registered in the provider: public, native, PKCE.
pub const CLIENT_ID: &str = "passkey-desk";
/// Its registered redirect; the provider accepts it on any port (RFC 8252 §7.3).
pub const REDIRECT_URI: &str = "http://127.0.0.1/callback";
/// The scopes the app asks ZITADEL for; the provider knows all of them.
pub const SCOPES: &str =
    "openid profile email offline_access urn:zitadel:iam:org:project:id:zitadel:aud";

/// How long `node provider.mjs` may take to print `READY` (about a second; much longer on a
/// loaded 2-core machine).
const START_LIMIT: Duration = Duration::from_secs(90);
/// How long `npm ci` may take (about 2 s on a warm cache).
const NPM_CI_LIMIT: Duration = Duration::from_secs(300);

/// A running `oidc-provider` on `127.0.0.1`, killed on drop.
pub struct OidcProvider {
    /// `http://127.0.0.1:{port}`, also the issuer in its tokens and discovery.
    pub issuer: String,
    /// [`CLIENT_ID`].
    pub client_id: String,
    /// [`REDIRECT_URI`] as registered (without port).
    pub redirect_uri: String,
    child: Child,
    /// Held open: the provider exits when it closes (also when this process dies without Drop).
    _stdin: ChildStdin,
}

impl OidcProvider {
    /// Starts the provider with its defaults (access tokens 3600 s, device codes 300 s).
    pub fn start() -> OidcProvider {
        OidcProvider::start_with(&[])
    }

    /// Starts the provider with extra environment for `provider.mjs`: `ACCESS_TOKEN_TTL`,
    /// `DEVICE_CODE_TTL`, `REFRESH_TOKEN_TTL` (seconds), `DEVICE_INTERVAL` (seconds).
    /// Installs its npm packages first if needed. Panics, saying what failed, if it can't.
    pub fn start_with(env: &[(&str, &str)]) -> OidcProvider {
        let dir = OidcProvider::dir();
        ensure_node_modules(&dir);

        let mut command = Command::new("node");
        command
            .arg("provider.mjs")
            .arg("0")
            .current_dir(&dir)
            .env_remove("PORT")
            .env("EXIT_ON_STDIN_EOF", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command.spawn().unwrap_or_else(|e| {
            panic!(
                "oidc-provider harness: cannot run `node` ({e}); Node.js 20 or later must be on PATH"
            )
        });
        let stdin = child.stdin.take().expect("piped stdin");
        let stdout = child.stdout.take().expect("piped stdout");
        let stderr = child.stderr.take().expect("piped stderr");

        // stderr: echoed to the test's output (shown when a test fails) and kept for panics.
        let stderr_tail = Arc::new(Mutex::new(VecDeque::new()));
        let tail = stderr_tail.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                eprintln!("[oidc-provider] {line}");
                let mut tail = tail.lock().unwrap_or_else(|e| e.into_inner());
                if tail.len() == 40 {
                    tail.pop_front();
                }
                tail.push_back(line);
            }
        });
        // stdout: lines go to the channel until READY; drained for the rest of its life.
        let (lines, ready) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = lines.send(line);
            }
        });

        let deadline = Instant::now() + START_LIMIT;
        let issuer = loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match ready.recv_timeout(left) {
                Ok(line) => match line.strip_prefix("READY ") {
                    Some(issuer) => break issuer.trim().to_string(),
                    None => eprintln!("[oidc-provider] {line}"),
                },
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    let status = child.wait().map(|s| s.to_string()).unwrap_or_default();
                    std::thread::sleep(Duration::from_millis(100)); // let stderr arrive
                    panic!(
                        "oidc-provider harness: `node provider.mjs` in {} exited ({status}) before READY; its stderr:\n{}",
                        dir.display(),
                        tail_text(&stderr_tail)
                    );
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!(
                        "oidc-provider harness: `node provider.mjs` printed no READY within {} s; its stderr:\n{}",
                        START_LIMIT.as_secs(),
                        tail_text(&stderr_tail)
                    );
                }
            }
        };

        OidcProvider {
            issuer,
            client_id: CLIENT_ID.to_string(),
            redirect_uri: REDIRECT_URI.to_string(),
            child,
            _stdin: stdin,
        }
    }

    /// `tests/oidc-provider`, where `package.json` and `provider.mjs` are.
    pub fn dir() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("oidc-provider")
    }

    /// `{issuer}/.well-known/openid-configuration`.
    pub fn discovery_url(&self) -> String {
        format!("{}/.well-known/openid-configuration", self.issuer)
    }

    /// The provider's discovery document (endpoints are not ZITADEL's paths: read them here).
    pub async fn discovery(&self) -> serde_json::Value {
        let url = self.discovery_url();
        let response = reqwest::get(&url)
            .await
            .unwrap_or_else(|e| panic!("GET {url}: {e}"));
        assert!(
            response.status().is_success(),
            "GET {url}: {}",
            response.status()
        );
        response
            .json()
            .await
            .unwrap_or_else(|e| panic!("GET {url}: not JSON: {e}"))
    }
}

impl Drop for OidcProvider {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tail_text(tail: &Mutex<VecDeque<String>>) -> String {
    let tail = tail.lock().unwrap_or_else(|e| e.into_inner());
    if tail.is_empty() {
        "(nothing)".to_string()
    } else {
        tail.iter().cloned().collect::<Vec<_>>().join("\n")
    }
}

/// Runs `npm ci` in `dir` unless `node_modules` holds the locked `oidc-provider` already.
/// Serialised within this process by a mutex and across processes by a lock file.
fn ensure_node_modules(dir: &Path) {
    static IN_PROCESS: Mutex<()> = Mutex::new(());
    let _guard = IN_PROCESS.lock().unwrap_or_else(|e| e.into_inner());
    if installed(dir) {
        return;
    }
    let _lock = LockFile::acquire(dir);
    if installed(dir) {
        return; // another process installed it while we waited
    }

    let log_path =
        std::env::temp_dir().join(format!("passkey-desk-npm-ci-{}.log", std::process::id()));
    let log = File::create(&log_path)
        .unwrap_or_else(|e| panic!("oidc-provider harness: create {}: {e}", log_path.display()));
    let log_err = log.try_clone().expect("clone the npm log handle");
    let mut npm = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log_err)
        .spawn()
        .unwrap_or_else(|e| {
            let _ = fs::remove_file(&log_path);
            panic!(
                "oidc-provider harness: cannot run `npm` ({e}); Node.js with npm must be on PATH"
            )
        });
    let deadline = Instant::now() + NPM_CI_LIMIT;
    let status = loop {
        match npm.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(100)),
            Ok(None) => {
                let _ = npm.kill();
                let _ = npm.wait();
                panic!(
                    "oidc-provider harness: `npm ci` in {} took over {} s; its output:\n{}",
                    dir.display(),
                    NPM_CI_LIMIT.as_secs(),
                    fs::read_to_string(&log_path).unwrap_or_default()
                );
            }
            Err(e) => panic!("oidc-provider harness: waiting for `npm ci`: {e}"),
        }
    };
    let output = fs::read_to_string(&log_path).unwrap_or_default();
    let _ = fs::remove_file(&log_path);
    assert!(
        status.success(),
        "oidc-provider harness: `npm ci --no-audit --no-fund` in {} failed ({status}); its output:\n{output}",
        dir.display()
    );
    assert!(
        installed(dir),
        "oidc-provider harness: `npm ci` in {} succeeded but node_modules/oidc-provider does not match package-lock.json; its output:\n{output}",
        dir.display()
    );
}

/// Whether a finished `npm ci` left the version of `oidc-provider` that package-lock.json pins.
fn installed(dir: &Path) -> bool {
    let json = |path: PathBuf| -> Option<serde_json::Value> {
        serde_json::from_str(&fs::read_to_string(path).ok()?).ok()
    };
    // npm writes node_modules/.package-lock.json last: its absence means an unfinished install.
    if !dir.join("node_modules/.package-lock.json").exists() {
        return false;
    }
    let locked = json(dir.join("package-lock.json")).and_then(|lock| {
        lock["packages"]["node_modules/oidc-provider"]["version"]
            .as_str()
            .map(str::to_owned)
    });
    let present = json(dir.join("node_modules/oidc-provider/package.json"))
        .and_then(|package| package["version"].as_str().map(str::to_owned));
    locked.is_some() && locked == present
}

/// An exclusive lock between processes: a file created with `create_new`, removed on drop.
/// One older than [`NPM_CI_LIMIT`] is taken for a dead holder's and removed.
struct LockFile(PathBuf);

impl LockFile {
    fn acquire(dir: &Path) -> LockFile {
        let name: String = dir
            .to_string_lossy()
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let path = std::env::temp_dir().join(format!("passkey-desk-npm-ci{name}.lock"));
        let deadline = Instant::now() + NPM_CI_LIMIT + Duration::from_secs(30);
        loop {
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut file) => {
                    let _ = writeln!(file, "{}", std::process::id());
                    return LockFile(path);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let stale = fs::metadata(&path)
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| SystemTime::now().duration_since(t).ok())
                        .is_some_and(|age| age > NPM_CI_LIMIT);
                    if stale {
                        let _ = fs::remove_file(&path);
                    } else if Instant::now() > deadline {
                        panic!(
                            "oidc-provider harness: lock {} still held; remove it if no `npm ci` runs",
                            path.display()
                        );
                    } else {
                        std::thread::sleep(Duration::from_millis(200));
                    }
                }
                Err(e) => panic!("oidc-provider harness: create lock {}: {e}", path.display()),
            }
        }
    }
}

impl Drop for LockFile {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

/// A scripted browser for oidc-provider's development pages: keeps cookies (the provider's
/// session and interaction state live there) and follows redirects itself, one hop at a time.
/// One `Browser` is one browser profile: a second sign-in in it reuses the provider's session
/// (no login page, and no consent page unless `prompt=consent`).
/// With `OIDC_BROWSER_TRACE=1` in the environment it prints each hop to stderr.
pub struct Browser {
    http: reqwest::Client,
    trace: bool,
}

/// What the walk through the provider's pages should end with.
#[derive(Clone, Copy, PartialEq)]
enum Goal<'a> {
    /// Log in as this login id, consent, stop at the loopback callback.
    Authorize(&'a str),
    /// Press the pages' `[ Cancel ]`, stop at the loopback callback (carrying `access_denied`).
    CancelAuthorize,
    /// Confirm the user code, log in as this login id, consent, stop at "Sign-in Success".
    ApproveDevice(&'a str),
    /// Press `[ Abort ]` on the user-code confirmation page.
    DenyDevice,
}

/// How the walk ended.
enum End {
    Callback(String),
    DeviceDone,
}

/// More hops than any of the provider's flows need (the device flow takes about 10).
const MAX_HOPS: usize = 40;

impl Browser {
    pub fn new() -> Browser {
        let http = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(Policy::none())
            .timeout(Duration::from_secs(15))
            .build()
            .expect("a reqwest client with a cookie store");
        let trace = std::env::var_os("OIDC_BROWSER_TRACE").is_some_and(|v| v == "1");
        Browser { http, trace }
    }

    /// Opens `authorize_url`, logs in on the provider's login page as `login` (any password),
    /// consents, and follows redirects until one points at a loopback `…/callback` URL (any
    /// port); requests that URL too (the app's listener waits there) and returns it, with its
    /// `code`, `state` and `iss` (or `error`). `Err` says which page or hop went wrong.
    pub async fn authorize(&self, authorize_url: &str, login: &str) -> Result<String, String> {
        match self.walk(authorize_url, Goal::Authorize(login)).await? {
            End::Callback(url) => Ok(url),
            End::DeviceDone => Err("the authorize flow ended on a device success page".into()),
        }
    }

    /// Opens `authorize_url` and presses `[ Cancel ]` on the first login or consent page; the
    /// provider then redirects to the callback with `error=access_denied`, which this requests
    /// and returns like [`Browser::authorize`].
    pub async fn cancel_authorize(&self, authorize_url: &str) -> Result<String, String> {
        match self.walk(authorize_url, Goal::CancelAuthorize).await? {
            End::Callback(url) => Ok(url),
            End::DeviceDone => Err("the authorize flow ended on a device success page".into()),
        }
    }

    /// Opens `verification_uri_complete` (it carries the user code), confirms the code, logs in
    /// as `login` (any password) and consents, until the provider shows "Sign-in Success";
    /// the device's next poll of the token endpoint then gets its tokens.
    pub async fn approve_device(
        &self,
        verification_uri_complete: &str,
        login: &str,
    ) -> Result<(), String> {
        match self
            .walk(verification_uri_complete, Goal::ApproveDevice(login))
            .await?
        {
            End::DeviceDone => Ok(()),
            End::Callback(url) => Err(format!("the device flow redirected to {url}")),
        }
    }

    /// Opens `verification_uri_complete` and presses `[ Abort ]` on the confirmation page; the
    /// device's next poll of the token endpoint gets `access_denied`.
    pub async fn deny_device(&self, verification_uri_complete: &str) -> Result<(), String> {
        match self
            .walk(verification_uri_complete, Goal::DenyDevice)
            .await?
        {
            End::DeviceDone => Ok(()),
            End::Callback(url) => Err(format!("the device flow redirected to {url}")),
        }
    }

    async fn walk(&self, start: &str, goal: Goal<'_>) -> Result<End, String> {
        let mut url = Url::parse(start).map_err(|e| format!("not a URL: {start}: {e}"))?;
        let mut form: Option<Vec<(String, String)>> = None; // Some = POST these fields
        let mut trail = Vec::new();
        for _ in 0..MAX_HOPS {
            let request = match &form {
                Some(fields) => self.http.post(url.clone()).form(fields),
                None => self.http.get(url.clone()),
            };
            let method = if form.is_some() { "POST" } else { "GET" };
            let response = request
                .send()
                .await
                .map_err(|e| format!("{method} {url}: {e} (after {})", trail.join(" → ")))?;
            let status = response.status();
            trail.push(format!("{method} {} {}", url.path(), status.as_u16()));
            if self.trace {
                eprintln!("[browser] {method} {url} → {status}");
            }

            if status.is_redirection() {
                let location = response
                    .headers()
                    .get(reqwest::header::LOCATION)
                    .and_then(|l| l.to_str().ok())
                    .ok_or_else(|| format!("{method} {url}: {status} without Location"))?;
                let next = url
                    .join(location)
                    .map_err(|e| format!("{method} {url}: bad Location {location}: {e}"))?;
                if is_loopback_callback(&next) {
                    return self.hit_callback(next).await;
                }
                // 307/308 repeat the method and body; the others turn into GET.
                if !matches!(
                    status,
                    StatusCode::TEMPORARY_REDIRECT | StatusCode::PERMANENT_REDIRECT
                ) {
                    form = None;
                }
                url = next;
                continue;
            }

            let body = response
                .text()
                .await
                .map_err(|e| format!("{method} {url}: reading the page: {e}"))?;
            let unexpected = |what: &str| {
                format!(
                    "{what} at {method} {url} ({status}) after {}: {}",
                    trail.join(" → "),
                    page_text(&body)
                )
            };
            if !status.is_success() {
                return Err(unexpected("error page"));
            }

            // Device pages: the end of the approval, or the notice after an abort.
            if body.contains("<title>Sign-in Success</title>") {
                return match goal {
                    Goal::ApproveDevice(_) => Ok(End::DeviceDone),
                    _ => Err(unexpected("unexpected device success page")),
                };
            }
            if body.contains("The Sign-in request was interrupted") {
                return match goal {
                    Goal::DenyDevice => Ok(End::DeviceDone),
                    _ => Err(unexpected("device sign-in interrupted")),
                };
            }

            let forms = parse_forms(&body);
            let cancel = find_cancel_link(&body);
            let cancelling = matches!(goal, Goal::CancelAuthorize | Goal::DenyDevice);
            let has = |f: &Form, name: &str| f.fields.iter().any(|(n, _)| n == name);
            let value = |f: &Form, name: &str| {
                f.fields
                    .iter()
                    .find(|(n, _)| n == name)
                    .map(|(_, v)| v.clone())
            };

            let (next, fields) = if let Some(f) = forms.iter().find(|f| has(f, "login")) {
                // devInteractions login page: `prompt=login`, `login`, `password`.
                if cancelling {
                    (
                        cancel.ok_or_else(|| unexpected("login page without [ Cancel ]"))?,
                        None,
                    )
                } else {
                    let login = match goal {
                        Goal::Authorize(login) | Goal::ApproveDevice(login) => login,
                        _ => unreachable!("not cancelling"),
                    };
                    let mut fields = f.fields.clone();
                    set(&mut fields, "login", login);
                    set(&mut fields, "password", "any password");
                    (f.action.clone(), Some(fields))
                }
            } else if let Some(f) = forms
                .iter()
                .find(|f| value(f, "prompt").as_deref() == Some("consent"))
            {
                // devInteractions consent page: `prompt=consent`, one Continue button.
                if cancelling {
                    (
                        cancel.ok_or_else(|| unexpected("consent page without [ Cancel ]"))?,
                        None,
                    )
                } else {
                    (f.action.clone(), Some(f.fields.clone()))
                }
            } else if let Some(f) = forms.iter().find(|f| f.id == "op.deviceConfirmForm") {
                // Device confirmation: `xsrf`, `user_code`, `confirm=yes`; Abort adds `abort=yes`.
                let mut fields = f.fields.clone();
                if goal == Goal::DenyDevice {
                    fields.push(("abort".into(), "yes".into()));
                }
                (f.action.clone(), Some(fields))
            } else if let Some(f) = forms.iter().find(|f| f.id == "op.deviceInputForm") {
                let code = value(f, "user_code").unwrap_or_default();
                if code.is_empty() {
                    return Err(unexpected(
                        "the device page asks for a user code (open verification_uri_complete)",
                    ));
                }
                return Err(unexpected("the provider refused the user code"));
            } else if let [f] = forms.as_slice() {
                // A self-submitting page (form_post), e.g. GET /device?user_code=… posts the code.
                (f.action.clone(), Some(f.fields.clone()))
            } else {
                return Err(unexpected("unexpected page"));
            };

            let next = url
                .join(&next)
                .map_err(|e| format!("{method} {url}: bad form action or link {next}: {e}"))?;
            if is_loopback_callback(&next) {
                return self.hit_callback(next).await; // form_post back to the app
            }
            url = next;
            form = fields;
        }
        Err(format!(
            "no end after {MAX_HOPS} hops: {}",
            trail.join(" → ")
        ))
    }

    /// Requests the app's loopback callback, as a browser would, and returns its URL.
    async fn hit_callback(&self, callback: Url) -> Result<End, String> {
        self.http
            .get(callback.clone())
            .send()
            .await
            .map_err(|e| format!("GET {callback} (the app's loopback callback): {e}"))?;
        Ok(End::Callback(callback.to_string()))
    }
}

impl Default for Browser {
    fn default() -> Browser {
        Browser::new()
    }
}

/// `http://127.0.0.1|localhost|[::1]:{any port}/…/callback`: where the app listens.
fn is_loopback_callback(url: &Url) -> bool {
    url.scheme() == "http"
        && matches!(
            url.host_str(),
            Some("127.0.0.1") | Some("localhost") | Some("[::1]")
        )
        && url.path().ends_with("/callback")
}

fn set(fields: &mut Vec<(String, String)>, name: &str, value: &str) {
    match fields.iter_mut().find(|(n, _)| n == name) {
        Some(field) => field.1 = value.to_string(),
        None => fields.push((name.to_string(), value.to_string())),
    }
}

/// One `<form>` of a page: its id, action and the named `<input>`s inside it.
#[derive(Debug)]
struct Form {
    id: String,
    action: String,
    fields: Vec<(String, String)>,
}

/// The forms of one of oidc-provider's pages (plain, generated HTML: no regex or DOM needed).
fn parse_forms(html: &str) -> Vec<Form> {
    let mut forms = Vec::new();
    let mut rest = html;
    while let Some(start) = find_tag(rest, "form") {
        let after = &rest[start..];
        let end = after.find("</form>").unwrap_or(after.len());
        let inner = &after[..end];
        let open = tag_attrs(inner);
        let mut fields = Vec::new();
        let mut inputs = inner;
        while let Some(at) = find_tag(inputs, "input") {
            let attrs = tag_attrs(&inputs[at..]);
            if let Some(name) = attr(&attrs, "name") {
                fields.push((name, attr(&attrs, "value").unwrap_or_default()));
            }
            inputs = &inputs[at + 1..];
        }
        forms.push(Form {
            id: attr(&open, "id").unwrap_or_default(),
            action: attr(&open, "action").unwrap_or_default(),
            fields,
        });
        rest = &after[end.max(1)..];
    }
    forms
}

/// The `href` of the devInteractions layout's `[ Cancel ]` link (`/interaction/{uid}/abort`).
fn find_cancel_link(html: &str) -> Option<String> {
    let mut rest = html;
    while let Some(at) = find_tag(rest, "a") {
        let tag = &rest[at..];
        let text_start = tag.find('>')? + 1;
        let text_end = tag.find("</a>").unwrap_or(tag.len());
        if tag[text_start..text_end].contains("Cancel") {
            return attr(&tag_attrs(tag), "href");
        }
        rest = &rest[at + 1..];
    }
    None
}

/// Byte offset of the next `<name` tag (followed by whitespace, `/` or `>`).
fn find_tag(html: &str, name: &str) -> Option<usize> {
    let needle = format!("<{name}");
    let mut from = 0;
    while let Some(at) = html[from..].find(&needle) {
        let at = from + at;
        let next = html[at + needle.len()..].chars().next();
        if matches!(next, Some(c) if c.is_whitespace() || c == '>' || c == '/') {
            return Some(at);
        }
        from = at + needle.len();
    }
    None
}

/// The attributes of the tag starting at `tag[0] == '<'`, names lower-cased, values decoded.
/// Splits only at ASCII bytes, so slicing never cuts a UTF-8 character.
fn tag_attrs(tag: &str) -> Vec<(String, String)> {
    let b = tag.as_bytes();
    let delim = |c: u8| c.is_ascii_whitespace() || matches!(c, b'=' | b'>' | b'/');
    let mut attrs = Vec::new();
    let mut i = 1;
    while i < b.len() && !delim(b[i]) {
        i += 1; // the tag's name
    }
    loop {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        if i >= b.len() || b[i] == b'>' {
            break;
        }
        let start = i;
        while i < b.len() && !delim(b[i]) {
            i += 1;
        }
        let name = tag[start..i].to_ascii_lowercase();
        let mut value = String::new();
        if i < b.len() && b[i] == b'=' {
            i += 1;
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let quote = b[i] as char;
                let from = i + 1;
                let to = tag[from..].find(quote).map_or(tag.len(), |n| from + n);
                value = decode_entities(&tag[from..to]);
                i = (to + 1).min(b.len());
            } else {
                let from = i;
                while i < b.len() && !(b[i].is_ascii_whitespace() || b[i] == b'>') {
                    i += 1;
                }
                value = decode_entities(&tag[from..i]);
            }
        }
        if !name.is_empty() {
            attrs.push((name, value));
        }
    }
    attrs
}

fn attr(attrs: &[(String, String)], name: &str) -> Option<String> {
    attrs
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
}

/// The entities oidc-provider's `htmlSafe` and its templates produce, plus numeric ones.
fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let Some(semi) = rest.find(';').filter(|&n| n <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..semi];
        let decoded = match entity {
            "amp" => Some('&'),
            "quot" => Some('"'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|hex| u32::from_str_radix(hex, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// A page's visible text, short: for error messages.
fn page_text(html: &str) -> String {
    let mut html = html.to_string();
    for skipped in ["head", "style", "script"] {
        let close = format!("</{skipped}>");
        while let Some(at) = find_tag(&html, skipped) {
            let end = html[at..]
                .find(&close)
                .map_or(html.len(), |n| at + n + close.len());
            html.replace_range(at..end, " ");
        }
    }
    let mut visible = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                visible.push(' ');
            }
            _ if !in_tag => visible.push(c),
            _ => {}
        }
    }
    let visible = decode_entities(&visible)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    visible.chars().take(600).collect()
}
