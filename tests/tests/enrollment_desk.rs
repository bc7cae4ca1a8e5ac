//! The enrollment desk in real WebKit windows under Xvfb, over WebDriver, against zitadel-sim:
//! the presenter window shows only the person's part and is wiped on registration, after the
//! idle timeout and on expiry; the kiosk is locked by construction — its public window holds
//! the welcome, the person's QR and the unlock, nothing else, its capability refuses every
//! admin command, and after a cancelled, an idle-wiped or an expired link neither window holds
//! a search field, anyone's data, New link or Sign out; the operator unlocks with the PIN
//! (wrong PINs wait) and signs the kiosk in from their phone. Screenshots go to the target
//! dir (`make screenshots` copies them to docs/screenshots/).

use std::time::Duration;

use passkey_desk_core::kiosk::PinHash;
use passkey_desk_e2e::desktop::{
    decode_qr, press_key, refused, request_close, screen_size, screenshot_path, Desktop, Launch,
};
use serde_json::json;
use zitadel_sim::{seed, Sim, SimConfig};

/// The X keysym of the Escape key.
const ESCAPE: u32 = 0xff1b;

const MAIN_TITLE: &str = "Passkey Desk";
const PRESENTER_TITLE: &str = "Passkey Desk — Presenter";
const KIOSK_TITLE: &str = "Passkey Desk — Kiosk";
const PIN: &str = "482916";

/// (codeID, code) of a Login v1 link.
fn code_of(link: &str) -> (String, String) {
    let url = reqwest::Url::parse(link).unwrap();
    let q = |k: &str| {
        url.query_pairs()
            .find(|(n, _)| n == k)
            .unwrap_or_else(|| panic!("{k} in the link"))
            .1
            .into_owned()
    };
    (q("codeID"), q("code"))
}

/// Signs in, picks the user and creates a link in the admin's window; returns the link.
async fn link_for(desk: &Desktop, query: &str, display_name: &str) -> String {
    desk.sign_in().await;
    desk.choose_org("ACME AG").await;
    desk.pick_user(query, display_name).await;
    desk.find("create-link").await.click().await.unwrap();
    desk.text_until("link-text", |t| t.starts_with("http"))
        .await
}

/// Opens the presenter from the link screen and switches the session to it.
async fn present(desk: &Desktop) {
    desk.find("present-link").await.click().await.unwrap();
    desk.switch_to(PRESENTER_TITLE).await;
}

/// What the page holds, markup included.
async fn source(desk: &Desktop) -> String {
    desk.client.source().await.unwrap()
}

#[tokio::test]
async fn the_presenter_shows_only_the_persons_part_and_both_windows_wipe_on_registration() {
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    sim.set_auto_login(Some(seed::ADMIN_IAM_OWNER));
    let desk = Desktop::launch(&sim).await;
    let link = link_for(&desk, "zoe", "Zoë Müller").await;
    let (code_id, code) = code_of(&link);

    present(&desk).await;
    desk.attr_until("public-screen", "data-phase", "showing")
        .await;
    assert_eq!(
        desk.text_until("public-name", |t| !t.is_empty()).await,
        "Zoë Müller"
    );
    assert_eq!(
        desk.text_until("public-org", |t| !t.is_empty()).await,
        "ACME AG"
    );
    let instructions = desk
        .text_until("public-instructions", |t| !t.is_empty())
        .await;
    assert!(
        instructions.contains("Kamera"),
        "Zoë prefers German: {instructions}"
    );
    desk.text_until("public-countdown", |t| t.contains(':'))
        .await;
    assert_eq!(desk.client.title().await.unwrap(), PRESENTER_TITLE);
    let page = source(&desk).await;
    // Her user name is the start of her login name and email address.
    for private in [
        link.as_str(),
        code.as_str(),
        seed::ZOE_ID,
        "zoe.mueller",
        "desk.admin",
    ] {
        assert!(!page.contains(private), "the presenter shows {private:?}");
    }
    for admin_control in ["copy-link", "email-link", "user-search", "create-link"] {
        assert!(
            !desk.present(admin_control).await,
            "{admin_control} on the presenter"
        );
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let png = desk.screenshot(&screenshot_path("presenter.png")).await;
    assert_eq!(
        decode_qr(&png),
        vec![link.clone()],
        "the presenter's QR is the link"
    );

    // The admin's window keeps working meanwhile.
    desk.switch_to(MAIN_TITLE).await;
    desk.text_until("countdown", |t| t.contains(':')).await;

    sim.complete_registration(seed::ZOE_ID, &code_id, &code, "iPhone 17")
        .unwrap();
    desk.text_until("registration-status", |t| t.contains("iPhone 17"))
        .await;
    assert!(
        !source(&desk).await.contains(&code),
        "the admin's window forgot the link"
    );
    assert_eq!(desk.client.title().await.unwrap(), MAIN_TITLE);

    desk.switch_to(PRESENTER_TITLE).await;
    desk.attr_until("public-screen", "data-phase", "registered")
        .await;
    let done = desk
        .text_until("public-registered", |t| !t.is_empty())
        .await;
    assert!(done.contains("Registriert"), "{done}");
    assert!(!desk.present("public-qr").await, "the QR is gone");
    let page = source(&desk).await;
    assert!(
        !page.contains(&code) && !page.contains("<svg"),
        "nothing of the link stays"
    );
    let passkey = desk.text_until("public-passkey", |t| !t.is_empty()).await;
    assert!(passkey.contains("iPhone 17"), "{passkey}");
    desk.screenshot(&screenshot_path("presenter-registered.png"))
        .await;
    // The next person starts from the welcome.
    desk.attr_until("public-screen", "data-phase", "welcome")
        .await;
    assert!(!source(&desk).await.contains("Zoë"), "no name lingers");
    desk.close().await;
}

#[tokio::test]
async fn an_idle_link_is_wiped_from_both_windows() {
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    sim.set_auto_login(Some(seed::ADMIN_IAM_OWNER));
    let desk = Desktop::launch_with(
        &sim,
        &Launch {
            config: "idle_timeout_secs = 4",
            ..Launch::default()
        },
    )
    .await;
    let link = link_for(&desk, "núñez", "José Núñez").await;
    let (_, code) = code_of(&link);
    present(&desk).await;
    desk.attr_until("public-screen", "data-phase", "showing")
        .await;
    // Nobody touches either window: after 4 s both are wiped.
    desk.attr_until("public-screen", "data-phase", "welcome")
        .await;
    assert!(
        !source(&desk).await.contains("José"),
        "no name on the public screen"
    );
    desk.switch_to(MAIN_TITLE).await;
    desk.attr_until("link-ended", "data-reason", "idle").await;
    assert!(!desk.present("qr").await && !desk.present("link-text").await);
    assert!(!source(&desk).await.contains(&code));
    desk.close().await;
}

#[tokio::test]
async fn an_expired_link_is_wiped_from_both_windows() {
    let sim = Sim::start(SimConfig {
        code_lifetime: Duration::from_secs(8),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    sim.set_auto_login(Some(seed::ADMIN_IAM_OWNER));
    let desk = Desktop::launch(&sim).await;
    let link = link_for(&desk, "núñez", "José Núñez").await;
    let (_, code) = code_of(&link);
    present(&desk).await;
    desk.attr_until("public-screen", "data-phase", "showing")
        .await;
    desk.attr_until("public-screen", "data-phase", "welcome")
        .await;
    desk.switch_to(MAIN_TITLE).await;
    desk.attr_until("link-ended", "data-reason", "expired")
        .await;
    assert!(!desk.present("qr").await && !desk.present("link-text").await);
    assert!(!source(&desk).await.contains(&code));
    desk.close().await;
}

/// What a stranger at the kiosk could reach: no field to search, nobody's data, no way to a
/// new link, a sign-out, the settings or the audit log — in the public window and in the
/// admin's (hidden) one alike.
async fn assert_nothing_reachable(desk: &Desktop, people: &[&str]) {
    for title in [KIOSK_TITLE, MAIN_TITLE] {
        desk.switch_to(title).await;
        let page = source(desk).await;
        for admin_control in [
            "user-search",
            "org-current",
            "org-filter",
            "new-link",
            "create-link",
            "sign-out",
            "open-settings",
            "open-audit",
            "send-link",
            "copy-link",
        ] {
            assert!(
                !page.contains(&format!("data-testid=\"{admin_control}\"")),
                "{title}: {admin_control} is reachable"
            );
        }
        for person in people {
            assert!(!page.contains(person), "{title}: {person:?} is on it");
        }
    }
    desk.switch_to(KIOSK_TITLE).await;
}

/// The operator unlocks with the PIN on the kiosk's window; the admin's window comes up.
async fn unlock_with_pin(desk: &Desktop) {
    desk.switch_to(KIOSK_TITLE).await;
    desk.find("kiosk-staff").await.click().await.unwrap();
    desk.find("unlock-pin").await.send_keys(PIN).await.unwrap();
    desk.click_hiding("unlock-submit").await;
    desk.switch_to(MAIN_TITLE).await;
    desk.find("kiosk-lock").await;
}

/// A kiosk started with `--kiosk`, a PIN, nobody signed in yet.
async fn kiosk(sim: &Sim, extra: &str) -> Desktop {
    let hash = PinHash::new(PIN).unwrap();
    let config = format!("kiosk_pin = \"{}\"\n{extra}", hash.as_str());
    let desk = Desktop::launch_with(
        sim,
        &Launch {
            config: &config,
            args: &["--kiosk"],
        },
    )
    .await;
    passkey_desk_e2e::require_keyring_session();
    desk
}

/// The operator signs the kiosk in from their phone (after the PIN), in ACME AG.
async fn sign_in_from_the_phone(desk: &Desktop, sim: &Sim) {
    unlock_with_pin(desk).await;
    assert!(
        !desk.present("sign-in-browser").await,
        "no browser sign-in on a kiosk"
    );
    desk.find("sign-in-device").await.click().await.unwrap();
    let user_code = desk.text_until("device-code", |t| !t.is_empty()).await;
    desk.screenshot(&screenshot_path("kiosk-sign-in.png")).await;
    sim.approve_device(&user_code, seed::ADMIN_IAM_OWNER)
        .unwrap();
    desk.find("header-admin").await;
    desk.choose_org("ACME AG").await;
}

/// Creates a link for José from the unlocked admin side; the kiosk locks and shows it.
async fn show_jose(desk: &Desktop) -> String {
    desk.switch_to(MAIN_TITLE).await;
    desk.pick_user("núñez", "José Núñez").await;
    desk.click_hiding("create-link").await;
    desk.switch_to(KIOSK_TITLE).await;
    desk.attr_until("public-screen", "data-phase", "showing")
        .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let png = desk.screenshot(&screenshot_path("kiosk.png")).await;
    let decoded = decode_qr(&png);
    assert_eq!(decoded.len(), 1, "one QR on the kiosk");
    assert!(
        decoded[0].contains(&format!("userID={}", seed::JOSE_ID)),
        "{decoded:?}"
    );
    decoded[0].clone()
}

#[tokio::test]
async fn the_kiosk_is_locked_by_construction_between_people() {
    let sim = Sim::start(SimConfig {
        device_interval: Duration::from_secs(1),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let desk = kiosk(&sim, "idle_timeout_secs = 4").await;

    // Locked from the start: the public window alone, the welcome and the Staff button.
    desk.switch_to(KIOSK_TITLE).await;
    desk.attr_until("public-screen", "data-phase", "welcome")
        .await;
    let (width, height) = desk.client.get_window_size().await.unwrap();
    assert_eq!((width, height), screen_size(), "the kiosk fills the screen");
    assert_nothing_reachable(&desk, &[]).await;
    // Its capability grants no admin command, whatever a script on it calls.
    for (cmd, args) in [
        ("users_search", json!({"query": "a"})),
        ("link_create", json!({"userId": seed::JOSE_ID})),
        ("org_select", json!({"orgId": seed::ACME_ORG_ID})),
        ("sign_out", json!({})),
        ("kiosk_leave", json!({})),
        ("desk_activity", json!({})),
    ] {
        let outcome = desk.invoke(cmd, args).await;
        assert!(refused(&outcome), "{cmd} from the kiosk window: {outcome}");
        assert!(
            outcome.contains("not allowed"),
            "refused by the capability, not by the core: {outcome}"
        );
    }
    assert!(desk
        .invoke("screen_activity", json!({}))
        .await
        .starts_with("allowed"));

    sign_in_from_the_phone(&desk, &sim).await;

    // 1. A link the operator cancels. While it shows, the person sees their name and QR, and
    // still nothing else.
    let link = show_jose(&desk).await;
    assert_nothing_reachable(&desk, &["jose.nunez", &link]).await;
    unlock_with_pin(&desk).await;
    desk.find("close-link").await.click().await.unwrap();
    desk.click_hiding("kiosk-lock").await;
    desk.switch_to(KIOSK_TITLE).await;
    desk.attr_until("public-screen", "data-phase", "welcome")
        .await;
    assert_nothing_reachable(&desk, &["José", "jose.nunez", &link]).await;

    // 2. A link nobody touches: wiped after the idle time.
    unlock_with_pin(&desk).await;
    let link = show_jose(&desk).await;
    desk.attr_until("public-screen", "data-phase", "welcome")
        .await;
    assert_nothing_reachable(&desk, &["José", "jose.nunez", &link]).await;

    // Alt+F4 / the close button on either window, and Escape: refused.
    assert!(
        request_close(KIOSK_TITLE) >= 1,
        "the kiosk was asked to close"
    );
    request_close(MAIN_TITLE);
    press_key(ESCAPE);
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(desk.app_running(), "the kiosk is still running");
    desk.find("kiosk-staff").await;

    // Wrong PINs wait longer each time.
    desk.find("kiosk-staff").await.click().await.unwrap();
    for _ in 0..3 {
        desk.find("unlock-pin")
            .await
            .send_keys("000000")
            .await
            .unwrap();
        desk.find("unlock-submit").await.click().await.unwrap();
        desk.text_until("unlock-message", |t| t.contains("Wrong PIN"))
            .await;
    }
    desk.text_until("unlock-message", |t| t.contains("Try again in"))
        .await;
    assert!(
        desk.find("unlock-submit")
            .await
            .attr("disabled")
            .await
            .unwrap()
            .is_some(),
        "no tries during the delay"
    );
    desk.screenshot(&screenshot_path("kiosk-pin.png")).await;
    desk.close().await;
}

#[tokio::test]
async fn an_expired_link_leaves_the_kiosk_locked_and_leaving_needs_the_unlock() {
    let sim = Sim::start(SimConfig {
        device_interval: Duration::from_secs(1),
        code_lifetime: Duration::from_secs(8),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let desk = kiosk(&sim, "").await;
    sign_in_from_the_phone(&desk, &sim).await;
    let link = show_jose(&desk).await;
    desk.attr_until("public-screen", "data-phase", "welcome")
        .await;
    assert_nothing_reachable(&desk, &["José", "jose.nunez", &link]).await;

    // Leaving kiosk mode: the unlock, then "Leave kiosk mode"; the window is the admin's again.
    unlock_with_pin(&desk).await;
    desk.attr_until("link-ended", "data-reason", "expired")
        .await;
    desk.click_hiding("kiosk-leave").await;
    desk.find("open-settings").await;
    assert!(!desk.present("kiosk-badge").await);
    let (width, _) = desk.client.get_window_size().await.unwrap();
    assert!(
        (1000..screen_size().0).contains(&width),
        "the window is back to its own size: {width}"
    );
    let titles = desk.titles().await;
    assert!(
        !titles.iter().any(|t| t == KIOSK_TITLE),
        "the kiosk's window is gone: {titles:?}"
    );
    desk.switch_to(MAIN_TITLE).await;
    // Out of kiosk mode, the close request closes the app. The window becomes closable again
    // a moment after the page says so (the window system applies it on its own loop): the
    // request is repeated, as a person would press the close button again.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let mut asked = 0;
    while desk.app_running() {
        assert!(std::time::Instant::now() < deadline, "the app closes");
        asked += request_close(MAIN_TITLE);
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(asked >= 1, "the window was asked to close");
    desk.close().await;
}
#[tokio::test]
async fn an_ended_session_shows_one_moment_to_the_person_and_sign_in_to_the_admin() {
    let sim = Sim::start(SimConfig {
        access_token_lifetime: Duration::from_secs(30),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    sim.set_auto_login(Some(seed::ADMIN_IAM_OWNER));
    let desk = Desktop::launch(&sim).await;
    let link = link_for(&desk, "núñez", "José Núñez").await;
    let (_, code) = code_of(&link);
    present(&desk).await;
    desk.attr_until("public-screen", "data-phase", "showing")
        .await;
    sim.revoke_sessions_of(&sim.demo().admin(seed::ADMIN_IAM_OWNER).user_id);
    // The link's watcher finds out at its next look (every 2 s).
    desk.attr_until("public-screen", "data-phase", "paused")
        .await;
    let page = source(&desk).await;
    assert!(
        !page.contains(&code) && !page.contains("José") && !page.contains("error"),
        "a neutral screen, no error dump, no person"
    );
    desk.screenshot(&screenshot_path("presenter-one-moment.png"))
        .await;
    desk.switch_to(MAIN_TITLE).await;
    // The core ended the session: the admin is back at the sign-in, told why.
    let lost = desk.text_until("session-lost", |t| !t.is_empty()).await;
    assert!(lost.to_lowercase().contains("sign in"), "{lost}");
    desk.find("sign-in-browser").await;
    assert!(!source(&desk).await.contains(&code), "the link is gone");
    desk.close().await;
}

/// The queue row of `login` (its state, its buttons).
async fn queue_row(desk: &Desktop, login: &str) -> fantoccini::elements::Element {
    desk.client
        .wait()
        .at_most(Duration::from_secs(20))
        .for_element(fantoccini::Locator::Css(&format!(
            "[data-testid=\"queue-person\"][data-login=\"{login}\"]"
        )))
        .await
        .unwrap_or_else(|e| panic!("no queue row for {login}: {e}"))
}

/// Waits until the queue row of `login` is in `state`.
async fn queue_state_until(desk: &Desktop, login: &str, state: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let now = queue_row(desk, login)
            .await
            .attr("data-state")
            .await
            .unwrap();
        if now.as_deref() == Some(state) {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{login} stayed {now:?}, not {state}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Ticks the first identity check of the person at the desk: *Create link* was disabled
/// (with the reason) until then.
async fn check_identity(desk: &Desktop) {
    let create = desk.find("create-link").await;
    assert!(
        create.attr("disabled").await.unwrap().is_some(),
        "Create link before the check"
    );
    assert!(desk.present("identity-check-reason").await);
    desk.find("identity-check").await.click().await.unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while desk
        .find("create-link")
        .await
        .attr("disabled")
        .await
        .unwrap()
        .is_some()
    {
        assert!(
            std::time::Instant::now() < deadline,
            "Create link stayed disabled"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// An enrollment day in the window: a roster pasted and checked (who can be added, who is
/// locked, who matches nobody), the queue worked through with the presenter open — Anna
/// checked and registered, Björn checked and his link expired, Chloé skipped — the day at a
/// glance, and the results exported as CSV with each outcome and how each person was checked.
#[tokio::test]
async fn an_enrollment_day_from_a_roster_with_the_identity_check_before_every_link() {
    let sim = Sim::start(SimConfig {
        code_lifetime: Duration::from_secs(10),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    sim.set_auto_login(Some(seed::ADMIN_IAM_OWNER));
    let config = format!(
        "[identity_checks]\n\"{}\" = [\"Photo ID seen\", \"Called back on the number on record\"]\n",
        seed::ACME_ORG_ID
    );
    let desk = Desktop::launch_with(
        &sim,
        &Launch {
            config: &config,
            ..Launch::default()
        },
    )
    .await;
    desk.sign_in().await;
    desk.choose_org("ACME AG").await;

    // The roster, pasted: three who can come, one locked, one nobody has.
    // Typed line by line: Enter between the lines, as at a keyboard.
    let roster = desk.find("roster-text").await;
    let enter = fantoccini::key::Key::Enter.to_string();
    let lines = [
        "login",
        "anna.schmidt",
        "bjoern.lindqvist",
        "chloe.martin",
        "lena.locked",
        "nobody.here",
    ];
    roster.send_keys(&lines.join(&enter)).await.unwrap();
    desk.find("roster-read").await.click().await.unwrap();
    let ready = desk
        .text_until("roster-ready", |t| t.contains("can be added"))
        .await;
    let typed = roster.prop("value").await.unwrap().unwrap_or_default();
    assert!(
        ready.contains("3 people can be added"),
        "{ready} (typed: {typed:?})"
    );
    let problems = desk.text_until("roster-problems", |t| !t.is_empty()).await;
    assert!(
        problems.contains("lena.locked") && problems.contains("locked"),
        "{problems}"
    );
    assert!(
        problems.contains("nobody.here") && problems.contains("matches nobody"),
        "{problems}"
    );
    desk.screenshot(&screenshot_path("queue-import.png")).await;
    desk.find("roster-accept").await.click().await.unwrap();
    desk.text_until("queue-summary", |t| t.contains("0 of 3 registered"))
        .await;

    // Anna: called, checked, shown on the presenter, registered.
    desk.find("queue-next").await.click().await.unwrap();
    desk.text_until("selected-user", |t| t.contains("Anna Schmidt"))
        .await;
    let reason = desk
        .text_until("identity-check-reason", |t| !t.is_empty())
        .await;
    assert!(
        reason.contains("Anna Schmidt") && reason.contains("ACME AG"),
        "{reason}"
    );
    desk.client
        .execute("window.scrollTo(0, 0); return null;", Vec::new())
        .await
        .unwrap();
    desk.screenshot(&screenshot_path("identity-check.png"))
        .await;
    check_identity(&desk).await;
    desk.find("create-link").await.click().await.unwrap();
    let link = desk
        .text_until("link-text", |t| t.starts_with("http"))
        .await;
    queue_state_until(&desk, "anna.schmidt@acme.example.com", "link_shown").await;
    present(&desk).await;
    desk.attr_until("public-screen", "data-phase", "showing")
        .await;
    assert_eq!(
        desk.text_until("public-name", |t| !t.is_empty()).await,
        "Anna Schmidt"
    );
    desk.switch_to(MAIN_TITLE).await;
    let (code_id, code) = code_of(&link);
    sim.complete_registration("320000000000000007", &code_id, &code, "Pixel 9")
        .unwrap();
    desk.text_until("registration-status", |t| t.contains("Pixel 9"))
        .await;
    queue_state_until(&desk, "anna.schmidt@acme.example.com", "registered").await;

    // Björn: the next in the queue from the registered screen; his link runs out.
    desk.find("queue-next-after").await.click().await.unwrap();
    desk.text_until("selected-user", |t| t.contains("Björn Lindqvist"))
        .await;
    check_identity(&desk).await;
    desk.find("create-link").await.click().await.unwrap();
    desk.text_until("link-text", |t| t.starts_with("http"))
        .await;
    desk.switch_to(PRESENTER_TITLE).await;
    assert_eq!(
        desk.text_until("public-name", |t| t.contains("Björn"))
            .await,
        "Björn Lindqvist"
    );
    desk.attr_until("public-screen", "data-phase", "welcome")
        .await;
    desk.switch_to(MAIN_TITLE).await;
    desk.attr_until("link-ended", "data-reason", "expired")
        .await;
    queue_state_until(&desk, "bjoern.lindqvist@acme.example.com", "expired").await;

    // Chloé is called, but not today.
    desk.find("queue-next-after").await.click().await.unwrap();
    desk.text_until("selected-user", |t| t.contains("Chloé Martin"))
        .await;
    queue_row(&desk, "chloe.martin@acme.example.com")
        .await
        .find(fantoccini::Locator::Css("[data-testid=\"queue-skip\"]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    queue_state_until(&desk, "chloe.martin@acme.example.com", "skipped").await;
    let summary = desk
        .text_until("queue-summary", |t| t.contains("skipped"))
        .await;
    assert_eq!(summary, "1 of 3 registered, 1 expired, 1 skipped");
    let anna = queue_row(&desk, "anna.schmidt@acme.example.com")
        .await
        .text()
        .await
        .unwrap();
    assert!(anna.contains("registered: Pixel 9"), "{anna}");
    desk.screenshot(&screenshot_path("queue.png")).await;

    // The day's results.
    desk.find("queue-export").await.click().await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !desk.present("error-banner").await,
        "the export failed: {}",
        desk.text_until("error-message", |_| true).await
    );
    let notice = desk
        .text_until("queue-exported", |t| t.starts_with("Saved to"))
        .await;
    let path = notice.trim_start_matches("Saved to ").trim();
    assert!(
        path.starts_with(desk.dir().join("downloads").to_str().unwrap()),
        "{path}"
    );
    let csv = std::fs::read_to_string(path).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert!(
        lines[0]
            .starts_with("position,user_id,login_name,display_name,email,outcome,passkey,verified"),
        "{csv}"
    );
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(
        lines[1].contains(",registered,Pixel 9,Photo ID seen,1,"),
        "{csv}"
    );
    assert!(lines[2].contains(",expired,,Photo ID seen,1,"), "{csv}");
    assert!(lines[3].contains(",skipped,,,0,"), "{csv}");
    assert!(!csv.contains(&code), "no code in the results");
    desk.close().await;
}
