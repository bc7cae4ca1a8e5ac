// The app manifest lists the app's own commands, so that each needs an explicit
// `allow-<command>` permission (nothing is allowed by default), and permissions/windows.toml
// gathers them into one permission set per kind of window, from the one list in
// src/command_list.rs; capabilities/ grant those sets.
include!("src/command_list.rs");

const GROUPS: CommandGroups = with_commands!(command_groups);

fn allow(commands: &[&[&str]]) -> String {
    let names: Vec<String> = commands
        .iter()
        .flat_map(|group| group.iter())
        .map(|c| format!("\"allow-{}\"", c.replace('_', "-")))
        .collect();
    format!("[{}]", names.join(", "))
}

/// permissions/windows.toml: the three sets, as Tauri reads an app's permission files.
fn window_sets() -> String {
    let set = |identifier: &str, description: &str, commands: &[&[&str]]| {
        format!(
            "[[set]]\nidentifier = \"{identifier}\"\ndescription = \"{description}\"\npermissions = {}\n",
            allow(commands)
        )
    };
    let sets = [
        set(
            "admin-window",
            "The admin's window: the admin commands of src/command_list.rs.",
            &[GROUPS.admin],
        ),
        set(
            "presenter-window",
            "The presenter window: follow the public screen, report a touch.",
            &[GROUPS.public],
        ),
        set(
            "kiosk-window",
            "The kiosk's window: the public screen and the operator's unlock.",
            &[GROUPS.public, GROUPS.unlock],
        ),
    ];
    format!(
        "# Written by build.rs from src/command_list.rs: edit that list, not this file.\n\n{}",
        sets.join("\n")
    )
}

fn main() {
    let all: &'static [&'static str] = Box::leak(
        [GROUPS.admin, GROUPS.public, GROUPS.unlock]
            .concat()
            .into_boxed_slice(),
    );
    let path = std::path::Path::new("permissions").join("windows.toml");
    let text = window_sets();
    if std::fs::read_to_string(&path).ok().as_deref() != Some(text.as_str()) {
        std::fs::write(&path, text).expect("write permissions/windows.toml");
    }
    println!("cargo:rerun-if-changed=src/command_list.rs");
    tauri_build::try_build(
        tauri_build::Attributes::new().app_manifest(tauri_build::AppManifest::new().commands(all)),
    )
    .expect("tauri-build");
}
