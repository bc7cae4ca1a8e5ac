// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use std::process::ExitCode;

const HELP: &str = "\
Passkey Desk: passkey registration links for ZITADEL users, as a big QR code.

Usage: passkey-desk [--demo] [--kiosk]

  --demo        against the built-in ZITADEL simulator, signed in as the demo admin
  --kiosk       one fullscreen window for an enrollment desk
  -V, --version print the version
  -h, --help    print this help

From a terminal or without a display use passkey-desk-cli.";

fn main() -> ExitCode {
    // Answered before the window starts, so they work without a display (packaging checks).
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "-V" | "--version" => {
                println!("passkey-desk {}", env!("CARGO_PKG_VERSION"));
                return ExitCode::SUCCESS;
            }
            "-h" | "--help" => {
                println!("{HELP}");
                return ExitCode::SUCCESS;
            }
            _ => {}
        }
    }
    passkey_desk_app::run()
}
