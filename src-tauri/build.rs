// The app manifest lists the app's own commands, so that each needs an explicit
// `allow-<command>` permission in capabilities/ (nothing is allowed by default).
include!("src/command_list.rs");

macro_rules! names {
    ($($command:ident),*) => {
        &[$(stringify!($command)),*]
    };
}

/// The app's commands; `handler()` in src/lib.rs registers exactly these.
const COMMANDS: &[&str] = with_commands!(names);

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build");
}
