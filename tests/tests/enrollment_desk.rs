//! The enrollment desk (issue 5) in real WebKit windows under Xvfb, over WebDriver, against
//! zitadel-sim: the presenter window shows only the person's part and is wiped on
//! registration, after the idle timeout and on expiry; the kiosk refuses to close, opens only
//! with the admin's PIN, and makes wrong PINs wait. Screenshots go to docs/screenshots/.

use std::time::Duration;

use fantoccini::key::Key;
use passkey_desk_core::kiosk::PinHash;
use passkey_desk_e2e::desktop::{
    decode_qr, request_close, screen_size, screenshot_path, Desktop, Launch,
};
use zitadel_sim::{seed, Sim, SimConfig};

const MAIN_TITLE: &str = "Passkey Desk";
const PRESENTER_TITLE: &str = "Passkey Desk — Presenter";
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
    desk.screenshot(&screenshot_path("presenter-registered.png"))
        .await;
    // The next person starts from a blank screen.
    desk.attr_until("public-screen", "data-phase", "blank")
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
    desk.attr_until("public-screen", "data-phase", "blank")
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
    desk.attr_until("public-screen", "data-phase", "blank")
        .await;
    desk.switch_to(MAIN_TITLE).await;
    desk.attr_until("link-ended", "data-reason", "expired")
        .await;
    assert!(!desk.present("qr").await && !desk.present("link-text").await);
    assert!(!source(&desk).await.contains(&code));
    desk.close().await;
}

#[tokio::test]
async fn the_kiosk_refuses_to_close_without_the_pin_and_wrong_pins_wait() {
    let sim = Sim::start(SimConfig {
        device_interval: Duration::from_secs(1),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let hash = PinHash::new(PIN).unwrap();
    let config = format!("kiosk_pin = \"{}\"", hash.as_str());
    let desk = Desktop::launch_with(
        &sim,
        &Launch {
            config: &config,
            args: &["--kiosk"],
        },
    )
    .await;
    passkey_desk_e2e::require_keyring_session();

    // The kiosk covers the whole screen (even here, where no window manager runs).
    desk.find("kiosk-badge").await;
    let (width, height) = desk.client.get_window_size().await.unwrap();
    assert_eq!(
        (width, height),
        screen_size(),
        "the kiosk window fills the screen"
    );

    // No keyboard at a kiosk: the admin signs it in from their phone.
    desk.find("sign-in-device").await.click().await.unwrap();
    let user_code = desk.text_until("device-code", |t| !t.is_empty()).await;
    desk.find("kiosk-badge").await;
    desk.screenshot(&screenshot_path("kiosk-sign-in.png")).await;
    sim.approve_device(&user_code, seed::ADMIN_IAM_OWNER)
        .unwrap();
    desk.find("header-admin").await;

    desk.choose_org("ACME AG").await;
    desk.pick_user("núñez", "José Núñez").await;
    desk.find("create-link").await.click().await.unwrap();
    desk.attr_until("public-screen", "data-phase", "showing")
        .await;
    for hidden in [
        "copy-link",
        "email-link",
        "save-png",
        "print-link",
        "open-settings",
    ] {
        assert!(!desk.present(hidden).await, "{hidden} in kiosk mode");
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let png = desk.screenshot(&screenshot_path("kiosk.png")).await;
    let decoded = decode_qr(&png);
    assert_eq!(decoded.len(), 1, "one QR on the kiosk");
    assert!(
        decoded[0].contains(&format!("userID={}", seed::JOSE_ID)),
        "{decoded:?}"
    );

    // Alt+F4 / the close button (the window manager's close request) and Escape are refused.
    assert!(
        request_close(MAIN_TITLE) >= 1,
        "the kiosk window was asked to close"
    );
    desk.client
        .active_element()
        .await
        .unwrap()
        .send_keys(&Key::Escape.to_string())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(desk.app_running(), "the kiosk is still running");
    desk.find("kiosk-badge").await;
    desk.attr_until("public-screen", "data-phase", "showing")
        .await;

    // The admin cancels: blank again, then leaves kiosk mode.
    desk.find("kiosk-cancel").await.click().await.unwrap();
    desk.find("user-search").await;
    assert!(!source(&desk).await.contains(&decoded[0]));
    desk.find("kiosk-leave").await.click().await.unwrap();
    desk.find("kiosk-dialog").await;
    for _ in 0..3 {
        let pin = desk.find("kiosk-pin").await;
        pin.send_keys("000000").await.unwrap();
        desk.find("kiosk-unlock").await.click().await.unwrap();
        desk.text_until("kiosk-pin-message", |t| t.contains("Wrong PIN"))
            .await;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    desk.text_until("kiosk-pin-message", |t| t.contains("Try again in"))
        .await;
    assert!(
        desk.find("kiosk-unlock")
            .await
            .attr("disabled")
            .await
            .unwrap()
            .is_some(),
        "no tries during the delay"
    );
    desk.screenshot(&screenshot_path("kiosk-pin.png")).await;
    assert!(desk.present("kiosk-badge").await, "still a kiosk");

    // After the delay, the right PIN opens it.
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while desk
        .find("kiosk-unlock")
        .await
        .attr("disabled")
        .await
        .unwrap()
        .is_some()
    {
        assert!(std::time::Instant::now() < deadline, "the delay ends");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    desk.find("kiosk-pin").await.send_keys(PIN).await.unwrap();
    desk.find("kiosk-unlock").await.click().await.unwrap();
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    while desk.present("kiosk-badge").await {
        assert!(std::time::Instant::now() < deadline, "kiosk mode ends");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    desk.find("open-settings").await;
    let (width, _) = desk.client.get_window_size().await.unwrap();
    assert!(
        (1000..screen_size().0).contains(&width),
        "the window is back to its own size: {width}"
    );

    // Out of kiosk mode, the same close request closes the app.
    request_close(MAIN_TITLE);
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while desk.app_running() {
        assert!(std::time::Instant::now() < deadline, "the app closes");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
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
    let action = desk.text_until("error-action", |t| !t.is_empty()).await;
    assert!(action.to_lowercase().contains("sign in"), "{action}");
    assert!(!source(&desk).await.contains(&code), "the link is gone");
    desk.close().await;
}
