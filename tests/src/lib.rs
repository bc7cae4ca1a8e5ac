//! Harness for the end-to-end tests: runs the real `passkey-desk-cli` binary as a subprocess
//! against a `zitadel-sim` started in the test process, on loopback.

pub mod desktop;
pub mod host;
pub mod oidc_provider;
pub mod proxy;
pub mod report;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use zitadel_sim::Sim;

/// The CLI binary next to this test binary (`make test` builds it with `cargo build --bins`).
pub fn cli_binary() -> PathBuf {
    let exe = std::env::current_exe().expect("the test binary knows its path");
    let dir = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target/<profile>/deps");
    let bin = dir.join(format!("passkey-desk-cli{}", std::env::consts::EXE_SUFFIX));
    assert!(
        bin.exists(),
        "{} is missing: run `cargo build --workspace --bins` before the tests (make test does)",
        bin.display()
    );
    bin
}

/// What one CLI run printed and how it ended.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}): {}", self.stdout))
    }
}

/// A CLI invocation with a clean environment: no config file, no inherited PASSKEY_DESK_*.
pub struct Cli {
    command: Command,
}

impl Cli {
    pub fn new() -> Self {
        let mut command = Command::new(cli_binary());
        for (key, _) in std::env::vars() {
            if key.starts_with("PASSKEY_DESK_") || key == "RUST_LOG" {
                command.env_remove(key);
            }
        }
        command.env(
            "PASSKEY_DESK_CONFIG",
            "/nonexistent/passkey-desk/config.toml",
        );
        // The audit log (and session index) of test runs stays out of the real data dir.
        command.env(
            "PASSKEY_DESK_DATA_DIR",
            std::env::temp_dir().join("passkey-desk-cli-tests-data"),
        );
        Cli { command }
    }

    /// Signed in as a demo admin of `sim`, with `--instance` pointing at it.
    pub fn as_admin(sim: &Sim, admin: &str) -> Self {
        let mut cli = Cli::new();
        cli.env("PASSKEY_DESK_TOKEN", &sim.demo().admin(admin).pat);
        cli.args(["--instance", &sim.url()]);
        cli
    }

    /// Signs in for itself against `sim`: its own session index in `data`, the instance and
    /// the demo client id from the environment, the real keyring, no PASSKEY_DESK_TOKEN.
    pub fn for_sim(sim: &Sim, data: &TempDir) -> Self {
        let mut cli = Cli::new();
        cli.env("PASSKEY_DESK_DATA_DIR", data.path().to_str().unwrap())
            .env("PASSKEY_DESK_INSTANCE", &sim.url())
            .env(
                "PASSKEY_DESK_CLIENT_ID",
                zitadel_sim::seed::NATIVE_CLIENT_ID,
            );
        cli
    }

    pub fn env(&mut self, key: &str, value: &str) -> &mut Self {
        self.command.env(key, value);
        self
    }

    pub fn args<'a>(&mut self, args: impl IntoIterator<Item = &'a str>) -> &mut Self {
        self.command.args(args);
        self
    }

    /// Runs the CLI off the async runtime, so the in-process simulator keeps serving.
    pub async fn run<'a>(self, args: impl IntoIterator<Item = &'a str>) -> Run {
        self.run_with_stdin(args, "").await
    }

    /// Runs the CLI on a terminal (a pseudo-terminal from util-linux `script`), typing
    /// `input`: what an admin at a shell sees and answers. Stdout and stderr arrive merged, in
    /// `stdout`.
    pub async fn run_on_terminal<'a>(
        self,
        args: impl IntoIterator<Item = &'a str>,
        input: &str,
    ) -> Run {
        let quote =
            |s: &std::ffi::OsStr| format!("'{}'", s.to_string_lossy().replace('\'', r"'\''"));
        let mut line = vec![quote(self.command.get_program())];
        line.extend(self.command.get_args().map(quote));
        line.extend(args.into_iter().map(|a| quote(std::ffi::OsStr::new(a))));
        let mut script = Command::new("script");
        script.args(["-q", "-e", "-c", &line.join(" "), "/dev/null"]);
        for (key, value) in self.command.get_envs() {
            match value {
                Some(value) => script.env(key, value),
                None => script.env_remove(key),
            };
        }
        Cli { command: script }.run_with_stdin([], input).await
    }

    /// Runs the CLI with `input` on its stdin.
    pub async fn run_with_stdin<'a>(
        mut self,
        args: impl IntoIterator<Item = &'a str>,
        input: &str,
    ) -> Run {
        self.command.args(args);
        let mut command = self.command;
        let input = input.to_string();
        let output = tokio::task::spawn_blocking(move || {
            command
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            let mut child = command.spawn()?;
            child
                .stdin
                .take()
                .expect("piped stdin")
                .write_all(input.as_bytes())?;
            child.wait_with_output()
        })
        .await
        .expect("the blocking task ran")
        .expect("the CLI binary starts");
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Starts the CLI and lets the test read its output line by line while it runs (for
    /// sign-in flows that print a URL or a code and then wait).
    pub fn spawn<'a>(mut self, args: impl IntoIterator<Item = &'a str>) -> Running {
        self.command
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = self.command.spawn().expect("the CLI binary starts");
        let stdout = Lines::read(child.stdout.take().expect("piped stdout"));
        let stderr = Lines::read(child.stderr.take().expect("piped stderr"));
        Running {
            child: Some(child),
            stdout,
            stderr,
        }
    }
}

/// The lines of one output stream, read by a thread as they come.
struct Lines {
    lines: std::sync::mpsc::Receiver<String>,
    reader: Option<std::thread::JoinHandle<()>>,
    seen: String,
}

impl Lines {
    fn read(stream: impl Read + Send + 'static) -> Lines {
        let (tx, lines) = std::sync::mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        Lines {
            lines,
            reader: Some(reader),
            seen: String::new(),
        }
    }

    async fn find<T>(&mut self, pick: impl Fn(&str) -> Option<T>) -> T {
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        loop {
            match self.lines.try_recv() {
                Ok(line) => {
                    self.seen.push_str(&line);
                    self.seen.push('\n');
                    if let Some(found) = pick(&line) {
                        return found;
                    }
                }
                Err(std::sync::mpsc::TryRecvError::Empty)
                    if std::time::Instant::now() < deadline =>
                {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                Err(_) => panic!(
                    "the CLI never printed the expected line; so far:\n{}",
                    self.seen
                ),
            }
        }
    }

    /// Everything, once the stream has ended.
    fn rest(mut self) -> String {
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
        while let Ok(line) = self.lines.try_recv() {
            self.seen.push_str(&line);
            self.seen.push('\n');
        }
        self.seen
    }
}

/// A CLI process still running.
pub struct Running {
    child: Option<Child>,
    stdout: Lines,
    stderr: Lines,
}

impl Running {
    /// Waits (up to 30 s) for a stderr line that `pick` accepts and returns what it extracts.
    pub async fn stderr_line<T>(&mut self, pick: impl Fn(&str) -> Option<T>) -> T {
        self.stderr.find(pick).await
    }

    /// The same for stdout.
    pub async fn stdout_line<T>(&mut self, pick: impl Fn(&str) -> Option<T>) -> T {
        self.stdout.find(pick).await
    }

    /// Waits for the process to end.
    pub async fn finish(mut self) -> Run {
        let mut child = self.child.take().expect("finish once");
        let stdout = std::mem::replace(&mut self.stdout, Lines::empty());
        let stderr = std::mem::replace(&mut self.stderr, Lines::empty());
        tokio::task::spawn_blocking(move || {
            let status = child.wait().expect("the CLI ends");
            Run {
                code: status.code().unwrap_or(-1),
                stdout: stdout.rest(),
                stderr: stderr.rest(),
            }
        })
        .await
        .expect("the blocking task ran")
    }
}

impl Lines {
    fn empty() -> Lines {
        Lines {
            lines: std::sync::mpsc::channel().1,
            reader: None,
            seen: String::new(),
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
        }
    }
}

/// A fresh directory for one test's session index and files; removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("pd-{name}-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temp dir");
        TempDir(dir)
    }

    pub fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Fails with a clear message when the test is not inside `scripts/with-keyring`.
pub fn require_keyring_session() {
    assert_eq!(
        std::env::var("PASSKEY_DESK_IN_KEYRING_SESSION").as_deref(),
        Ok("1"),
        "this test needs the Secret Service: run it through scripts/with-keyring (make test does)"
    );
}

impl Default for Cli {
    fn default() -> Self {
        Cli::new()
    }
}

/// Writes a benchmark's JSON report (the bench/ dir made if needed) and says where.
pub fn write_report(path: &Path, report: &serde_json::Value) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("the output folder can be made");
    }
    std::fs::write(
        path,
        serde_json::to_string_pretty(report).expect("JSON") + "\n",
    )
    .expect("the result can be written");
    println!("wrote {}", path.display());
}
