//! The shell as built: the commands on Tauri's mock runtime, and the webview's security
//! settings read from the same files the build uses (tauri.conf.json, capabilities/).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use passkey_desk_core::app::{AppPaths, DeskApp, Host};
use passkey_desk_core::auth::MemoryStore;
use serde_json::Value;
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, mock_context, noop_assets, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::WebviewWindowBuilder;

#[derive(Default)]
struct NoDesktop {
    clipboard: Mutex<Option<String>>,
}

impl Host for NoDesktop {
    fn open(&self, _url: &str) -> passkey_desk_core::Result<()> {
        Ok(())
    }
    fn write_clipboard(&self, text: &str) -> passkey_desk_core::Result<()> {
        *self.clipboard.lock().unwrap() = Some(text.into());
        Ok(())
    }
    fn read_clipboard(&self) -> Option<String> {
        self.clipboard.lock().unwrap().clone()
    }
    fn downloads_dir(&self) -> Option<PathBuf> {
        None
    }
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn json(path: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(manifest_dir().join(path)).unwrap()).unwrap()
}

/// One app on the mock runtime with its own files, and the admin's webview.
struct Shell {
    _app: tauri::App<tauri::test::MockRuntime>,
    webview: tauri::WebviewWindow<tauri::test::MockRuntime>,
    dir: PathBuf,
}

impl Drop for Shell {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Shell {
    fn new(name: &str) -> Shell {
        let dir = std::env::temp_dir().join(format!("pd-shell-{}-{name}", std::process::id()));
        let paths = AppPaths {
            config_file: dir.join("config.toml"),
            data_dir: dir.join("data"),
        };
        let desk = DeskApp::new(
            Arc::new(NoDesktop::default()),
            paths,
            Arc::new(MemoryStore::default()),
        )
        .unwrap();
        let app = mock_builder()
            .invoke_handler(passkey_desk_app::handler())
            .manage(desk)
            .build(mock_context(noop_assets()))
            .expect("the mock app builds");
        let webview = WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .unwrap();
        Shell {
            _app: app,
            webview,
            dir,
        }
    }

    /// Calls a command; `Ok` body or `Err` body as JSON.
    fn call(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        let answer = get_ipc_response(
            &self.webview,
            InvokeRequest {
                cmd: cmd.into(),
                callback: CallbackFn(0),
                error: CallbackFn(1),
                url: "tauri://localhost".parse().unwrap(),
                body: InvokeBody::Json(args),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_string(),
            },
        );
        answer.map(|body| body.deserialize::<Value>().unwrap())
    }
}

/// Calls a command on a fresh app.
fn call(cmd: &str, args: Value) -> Result<Value, Value> {
    Shell::new(cmd).call(cmd, args)
}

/// The commands of `src/command_list.rs`, the one list build.rs and the handler share.
fn command_list() -> Vec<String> {
    let groups = passkey_desk_app::COMMANDS;
    [groups.admin, groups.public, groups.unlock]
        .concat()
        .iter()
        .map(|c| c.to_string())
        .collect()
}

/// The permission sets of permissions/windows.toml (written by build.rs), as commands.
fn permission_sets() -> std::collections::BTreeMap<String, Vec<String>> {
    let text = std::fs::read_to_string(manifest_dir().join("permissions/windows.toml")).unwrap();
    let file: toml::Table = toml::from_str(&text).unwrap();
    file["set"]
        .as_array()
        .unwrap()
        .iter()
        .map(|set| {
            let permissions = set["permissions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    let p = p.as_str().unwrap();
                    p.strip_prefix("allow-")
                        .unwrap_or_else(|| panic!("{p} is not an app command permission"))
                        .replace('-', "_")
                })
                .collect();
            (set["identifier"].as_str().unwrap().to_string(), permissions)
        })
        .collect()
}

#[test]
fn settings_round_trip_through_the_commands() {
    let shell = Shell::new("settings");
    let mut settings = shell.call("settings_get", Value::Null).unwrap();
    assert_eq!(settings["clipboardClearSecs"], 60);
    assert_eq!(settings["kioskRelockSecs"], 60);
    assert_eq!(settings["instance"], Value::Null);
    settings["instance"] = "https://auth.example.com".into();
    settings["clientId"] = "1234@desk".into();
    settings["clipboardClearSecs"] = 15.into();
    settings["kioskRelockSecs"] = 45.into();
    let saved = shell
        .call("settings_save", serde_json::json!({ "settings": settings }))
        .unwrap();
    assert_eq!(shell.call("settings_get", Value::Null).unwrap(), saved);
    assert_eq!(saved["instance"], "https://auth.example.com");
    assert_eq!(
        (
            saved["clipboardClearSecs"].clone(),
            saved["kioskRelockSecs"].clone()
        ),
        (15.into(), 45.into())
    );
    let file = std::fs::read_to_string(shell.dir.join("config.toml")).unwrap();
    assert!(file.contains("kiosk_relock_secs = 45"), "{file}");
}

#[test]
fn errors_reach_the_ui_as_code_and_message() {
    let e = call("settings_save", serde_json::json!({"settings": {"instance": "http://auth.example.com", "clientId": null, "defaultOrg": null, "loginHost": null, "caFile": null, "clipboardClearSecs": 60, "idleTimeoutSecs": 120, "kiosk": false, "kioskRelockSecs": 60, "kioskPinSet": false}})).unwrap_err();
    assert_eq!(e["code"], "config");
    assert!(e["message"].as_str().unwrap().contains("https://"), "{e}");

    let e = call("orgs_list", Value::Null).unwrap_err();
    assert_eq!(
        e,
        serde_json::json!({"code": "not_signed_in", "message": "not signed in: sign in first"})
    );
    let e = call("link_copy", Value::Null).unwrap_err();
    assert_eq!(
        e,
        serde_json::json!({"code": "no_link", "message": "no link on screen: create one first"})
    );
}

#[test]
fn csp_is_a_strict_directive_map() {
    let conf = json("tauri.conf.json");
    let security = &conf["app"]["security"];
    assert_eq!(security["freezePrototype"], true);
    let csp = security["csp"]
        .as_object()
        .expect("the CSP is a directive map");
    assert_eq!(csp["default-src"], "'self'");
    for (directive, value) in csp {
        let value = value.as_str().unwrap();
        assert!(!value.contains("unsafe-eval"), "{directive}: {value}");
        if directive != "img-src" {
            assert!(
                !value.contains("data:"),
                "data: is allowed only in img-src, not in {directive}"
            );
        }
        assert!(!value.contains('*'), "no wildcard in {directive}");
    }
    assert_eq!(csp["script-src"], "'self'");
    assert_eq!(csp["object-src"], "'none'");
}

/// A release build has the web inspector only with tauri's `devtools` feature (debug builds
/// always have it), so the shipped app has none unless the manifest turns it on.
#[test]
fn the_shipped_app_has_no_web_inspector() {
    let manifest: toml::Table =
        toml::from_str(&std::fs::read_to_string(manifest_dir().join("Cargo.toml")).unwrap())
            .unwrap();
    let tauri = &manifest["dependencies"]["tauri"];
    let features: Vec<&str> = tauri
        .get("features")
        .and_then(|f| f.as_array())
        .map(|f| f.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    assert!(
        !features.contains(&"devtools"),
        "tauri's devtools feature is on: {features:?}"
    );
    let own: Vec<String> = manifest["features"]
        .as_table()
        .unwrap()
        .values()
        .flat_map(|f| f.as_array().unwrap().iter())
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect();
    assert!(
        !own.iter().any(|f| f.ends_with("/devtools")),
        "a feature of the app turns devtools on: {own:?}"
    );
    let conf = json("tauri.conf.json");
    for window in conf["app"]["windows"].as_array().into_iter().flatten() {
        assert!(
            window.get("devtools").is_none_or(|d| d == false),
            "a window asks for devtools: {window}"
        );
    }
}

#[test]
fn capabilities_grant_only_the_apps_own_commands() {
    let commands = command_list();
    assert!(commands.len() > 30, "{commands:?}");
    let sets = permission_sets();
    let mut granted = std::collections::BTreeMap::<String, Vec<String>>::new();
    for entry in std::fs::read_dir(manifest_dir().join("capabilities")).unwrap() {
        let capability: Value =
            serde_json::from_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap()).unwrap();
        let windows = capability["windows"].as_array().unwrap();
        assert_eq!(windows.len(), 1, "one capability per window");
        assert!(
            capability.get("remote").is_none(),
            "no remote URL may call commands"
        );
        let mut allowed = Vec::new();
        for permission in capability["permissions"].as_array().unwrap() {
            let permission = permission
                .as_str()
                .expect("plain permission names, no scopes");
            let set = sets
                .get(permission)
                .unwrap_or_else(|| panic!("{permission} is not one of the app's window sets"));
            for command in set {
                assert!(commands.contains(command), "{command} is not a command");
                allowed.push(command.clone());
            }
        }
        allowed.sort();
        granted.insert(windows[0].as_str().unwrap().to_string(), allowed);
    }
    let sorted = |list: &[&str]| {
        let mut list: Vec<String> = list.iter().map(|c| c.to_string()).collect();
        list.sort();
        list
    };
    let groups = passkey_desk_app::COMMANDS;
    // The windows that face the public follow the public screen; the kiosk's also unlocks.
    assert!(groups.public.contains(&"screen_watch") && groups.unlock.contains(&"kiosk_unlock_pin"));
    assert_eq!(granted["presenter"], sorted(groups.public));
    assert_eq!(
        granted["kiosk"],
        sorted(&[groups.public, groups.unlock].concat())
    );
    // The admin's window: the admin commands, and none of the public windows'.
    assert!(groups.admin.contains(&"link_create") && !groups.admin.contains(&"screen_watch"));
    assert_eq!(granted["main"], sorted(groups.admin));
    assert_eq!(granted.len(), 3, "no other window has a capability");
    // Every command is in exactly one group.
    let mut all = commands.clone();
    all.sort();
    all.dedup();
    assert_eq!(all.len(), commands.len(), "a command in two groups");
}

#[test]
fn a_locked_kiosk_refuses_the_admins_commands_through_the_shell() {
    let shell = Shell::new("kiosk");
    let e = shell
        .call("kiosk_pin_set", serde_json::json!({"pin": "12"}))
        .unwrap_err();
    assert_eq!(e["code"], "invalid_input");
    let e = shell
        .call("presenter_open", serde_json::json!({"monitor": null}))
        .unwrap_err();
    assert_eq!(e["code"], "not_signed_in");
    shell.call("kiosk_enter", Value::Null).unwrap();
    for (cmd, args) in [
        ("users_search", serde_json::json!({"query": "a"})),
        ("link_create", serde_json::json!({"userId": "1"})),
        (
            "link_replace",
            serde_json::json!({"userId": "1", "passkeyIds": ["2"], "stolen": false}),
        ),
        ("org_select", serde_json::json!({"orgId": "1"})),
        ("sign_out", Value::Null),
        ("passkey_counts", Value::Null),
        ("passkeys_list", serde_json::json!({"userId": "1"})),
        ("coverage_start", Value::Null),
        ("coverage_send", Value::Null),
        (
            "passkey_remove",
            serde_json::json!({"userId": "1", "passkeyId": "2"}),
        ),
        ("link_print", Value::Null),
        (
            "audit_list",
            serde_json::json!({"filter": {"user": null, "since": null, "until": null}}),
        ),
    ] {
        let answer = shell.call(cmd, args);
        assert_eq!(answer.unwrap_err()["code"], "kiosk_locked", "{cmd}");
    }
    let e = shell
        .call("kiosk_unlock_pin", serde_json::json!({"pin": "123456"}))
        .unwrap_err();
    assert_eq!(e["code"], "no_pin");
}

#[test]
fn the_webviews_may_only_navigate_within_the_app() {
    let url = |s: &str| tauri::Url::parse(s).unwrap();
    for own in [
        "tauri://localhost/index.html",
        "tauri://localhost/presenter.html",
        "http://tauri.localhost/",
    ] {
        assert!(passkey_desk_app::is_app_url(&url(own)), "{own}");
    }
    for other in [
        "http://127.0.0.1:8080/ui/login/",
        "https://auth.example.com/",
        "tauri://evil.example.com/",
        "http://tauri.localhost.evil.example.com/",
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
        "about:blank",
    ] {
        assert!(!passkey_desk_app::is_app_url(&url(other)), "{other}");
    }
}

/// What the build compiled in (tauri-build writes gen/schemas/capabilities.json from
/// capabilities/): the same windows and permissions as the source files, and no remote URL.
#[test]
fn the_compiled_capabilities_are_the_designed_ones() {
    let compiled = json("gen/schemas/capabilities.json");
    let compiled = compiled.as_object().expect("a map by identifier");
    let mut identifiers: Vec<&str> = compiled.keys().map(String::as_str).collect();
    identifiers.sort();
    assert_eq!(identifiers, ["kiosk", "main", "presenter"]);
    for (identifier, capability) in compiled {
        let source = json(&format!("capabilities/{identifier}.json"));
        assert_eq!(capability["windows"], source["windows"], "{identifier}");
        assert_eq!(
            capability["permissions"], source["permissions"],
            "{identifier}"
        );
        assert_eq!(capability["local"], true, "{identifier}: local pages only");
        assert!(capability.get("remote").is_none(), "{identifier}");
    }
}
