//! Harness for the end-to-end tests: runs the real `passkey-desk-cli` binary as a subprocess
//! against a `zitadel-sim` started in the test process, on loopback.

pub mod oidc_provider;

use std::path::PathBuf;
use std::process::Command;

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
        Cli { command }
    }

    /// Signed in as a demo admin of `sim`, with `--instance` pointing at it.
    pub fn as_admin(sim: &Sim, admin: &str) -> Self {
        let mut cli = Cli::new();
        cli.env("PASSKEY_DESK_TOKEN", &sim.demo().admin(admin).pat);
        cli.args(["--instance", &sim.url()]);
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
    pub async fn run<'a>(mut self, args: impl IntoIterator<Item = &'a str>) -> Run {
        self.command.args(args);
        let mut command = self.command;
        let output = tokio::task::spawn_blocking(move || command.output())
            .await
            .expect("the blocking task ran")
            .expect("the CLI binary starts");
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl Default for Cli {
    fn default() -> Self {
        Cli::new()
    }
}
