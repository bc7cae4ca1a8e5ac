// The app manifest lists the app's own commands, so that each needs an explicit
// `allow-<command>` permission in capabilities/ (nothing is allowed by default).
fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(&COMMANDS)),
    )
    .expect("tauri-build");
}

/// The app's commands; `handler()` in src/lib.rs registers exactly these.
const COMMANDS: [&str; 34] = [
    "settings_get",
    "settings_save",
    "connection_test",
    "session_get",
    "sign_in_browser",
    "sign_in_device_start",
    "sign_in_device_finish",
    "sign_in_cancel",
    "sign_out",
    "orgs_list",
    "org_current",
    "org_select",
    "users_search",
    "link_create",
    "link_wait",
    "link_copy",
    "link_email",
    "link_save_png",
    "link_send",
    "link_close",
    "screen_get",
    "screen_next",
    "screen_activity",
    "presenter_monitors",
    "presenter_open",
    "presenter_close",
    "kiosk_get",
    "kiosk_enter",
    "kiosk_leave",
    "kiosk_leave_by_sign_in",
    "kiosk_pin_set",
    "audit_list",
    "audit_export_csv",
    "ui_ready",
];
