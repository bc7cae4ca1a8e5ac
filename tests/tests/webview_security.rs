//! The built app's webviews, from the inside: scripts run in the admin's window and in the
//! presenter window (over WebDriver) try to reach the network, call plugins, call commands
//! outside their capability and navigate away — and the simulator's request log proves that
//! nothing left the window.

use std::sync::Arc;

use passkey_desk_e2e::desktop::{invoke_script as invoke, refused, Desktop};
use passkey_desk_e2e::report::Cases;
use serde_json::json;
use zitadel_sim::{seed, Sim, SimConfig};

const PRESENTER_TITLE: &str = "Passkey Desk — Presenter";

async fn probe(desk: &Desktop, body: &str) -> String {
    desk.probe(body).await
}

#[tokio::test]
async fn the_ui_cannot_reach_the_network_or_commands_outside_its_capability() {
    let sim = Arc::new(Sim::start(SimConfig::default()).await.unwrap());
    sim.set_auto_login(Some(seed::ADMIN_IAM_OWNER));
    let desk = Desktop::launch(&sim).await;
    desk.sign_in().await;
    desk.choose_org("ACME AG").await;

    let mut outcomes: Vec<(String, String)> = Vec::new();
    let probe_path = |name: &str| format!("/__probe/{name}");
    let target = |name: &str| format!("{}{}", sim.url(), probe_path(name));

    // The network, every way a page can try.
    let network = [
        ("fetch", format!("await fetch({:?}); return 'reached';", target("fetch"))),
        (
            "XMLHttpRequest",
            format!(
                "return await new Promise((ok) => {{ const x = new XMLHttpRequest(); x.onload = () => ok('reached'); x.onerror = () => ok('blocked'); x.open('GET', {:?}); x.send(); }});",
                target("xhr")
            ),
        ),
        (
            "WebSocket",
            format!(
                "return await new Promise((ok) => {{ try {{ const w = new WebSocket({:?}); w.onopen = () => ok('reached'); w.onerror = () => ok('blocked'); }} catch (e) {{ ok('threw: ' + e.message); }} }});",
                target("ws").replace("http://", "ws://")
            ),
        ),
        (
            "image",
            format!(
                "return await new Promise((ok) => {{ const i = new Image(); i.onload = () => ok('reached'); i.onerror = () => ok('blocked'); i.src = {:?}; }});",
                target("img")
            ),
        ),
        (
            "navigation",
            format!(
                "location.href = {:?}; await new Promise((r) => setTimeout(r, 1500)); return location.protocol + '//' + location.host;",
                target("navigate")
            ),
        ),
        (
            "window.open",
            format!("const w = window.open({:?}); return w ? 'opened' : 'blocked';", target("open")),
        ),
    ];
    for (name, body) in &network {
        outcomes.push((format!("main window: {name}"), probe(&desk, body).await));
    }
    // Plugins and commands the admin's window is not granted.
    let commands = [
        (
            "plugin clipboard read",
            "plugin:clipboard-manager|read_text",
            json!({}),
        ),
        (
            "plugin opener",
            "plugin:opener|open_url",
            json!({"url": target("opener")}),
        ),
        (
            "plugin window create",
            "plugin:webview|create_webview_window",
            json!({"options": {"label": "x", "url": target("webview")}}),
        ),
        (
            "plugin log",
            "plugin:log|log",
            json!({"level": 3, "message": "x"}),
        ),
        ("unknown command", "fs_read", json!({"path": "/etc/passwd"})),
    ];
    for (name, cmd, args) in &commands {
        outcomes.push((
            format!("main window: {name}"),
            probe(&desk, &invoke(cmd, args.clone())).await,
        ));
    }
    let own = probe(&desk, &invoke("settings_get", json!({}))).await;
    // The kiosk's unlock is the public window's, not the admin's.
    outcomes.push((
        "main window: kiosk_unlock_pin".into(),
        probe(&desk, &invoke("kiosk_unlock_pin", json!({"pin": "000000"}))).await,
    ));

    // The presenter may read the public screen and nothing else.
    desk.pick_user("núñez", "José Núñez").await;
    desk.find("create-link").await.click().await.unwrap();
    desk.text_until("link-text", |t| t.starts_with("http"))
        .await;
    desk.find("present-link").await.click().await.unwrap();
    desk.switch_to(PRESENTER_TITLE).await;
    let presenter_own = probe(&desk, &invoke("screen_activity", json!({}))).await;
    for (name, cmd, args) in [
        (
            "link_create",
            "link_create",
            json!({"userId": seed::MAX_ACME_ID}),
        ),
        ("link_copy", "link_copy", json!({})),
        ("users_search", "users_search", json!({"query": "a"})),
        ("session_restore", "session_restore", json!({})),
        ("kiosk_leave", "kiosk_leave", json!({})),
        (
            "kiosk_unlock_pin",
            "kiosk_unlock_pin",
            json!({"pin": "000000"}),
        ),
    ] {
        outcomes.push((
            format!("presenter: {name}"),
            probe(&desk, &invoke(cmd, args)).await,
        ));
    }
    outcomes.push(("presenter: fetch".into(), probe(&desk, &network[0].1).await));
    desk.close().await;

    for (name, outcome) in &outcomes {
        eprintln!("probe {name}: {outcome}");
    }
    let mut cases = Cases::new(
        "webview",
        "the_ui_cannot_reach_the_network_or_commands_outside_its_capability",
    );
    let seen: Vec<String> = sim
        .requests()
        .into_iter()
        .map(|r| r.path)
        .filter(|p| p.starts_with("/__probe/"))
        .collect();
    for (name, outcome) in outcomes {
        let seen = seen.clone();
        cases.check(name.clone(), move || {
            assert!(
                !outcome.contains("reached")
                    && !outcome.starts_with("allowed")
                    && outcome != "opened",
                "{name}: {outcome}"
            );
            if name.contains("navigation") {
                assert_eq!(outcome, "tauri://localhost", "the page stayed in the app");
            } else {
                // Refused by the ACL, or blocked/thrown by the CSP — never a WebDriver hiccup.
                assert!(
                    refused(&outcome) || outcome == "blocked",
                    "{name}: {outcome}"
                );
            }
            assert!(
                seen.is_empty(),
                "requests from the webview reached the network: {seen:?}"
            );
        });
    }
    cases.check("the windows' own commands still work", move || {
        assert!(own.starts_with("allowed"), "main: {own}");
        assert!(
            presenter_own.starts_with("allowed"),
            "presenter: {presenter_own}"
        );
    });
    cases.finish();
}
