//! The desktop app, release build, in a real WebKit window under Xvfb, driven over WebDriver
//! (tauri-driver + WebKitWebDriver) against zitadel-sim: sign in, pick an organisation, search
//! a user, create a link, read the countdown, copy it, see the registration — plus the
//! ORG_USER_MANAGER case and a session that ends. Screenshots go to the target dir (`make screenshots` copies them to docs/screenshots/).

use std::time::Duration;

use passkey_desk_e2e::desktop::{decode_qr, screenshot_path, Desktop};
use zitadel_sim::{seed, Sim, SimConfig};

#[tokio::test]
async fn the_helpdesk_flow_in_a_real_window() {
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    sim.set_auto_login(Some(seed::ADMIN_IAM_OWNER));
    let desk = Desktop::launch(&sim).await;

    desk.find("sign-in").await;
    desk.screenshot(&screenshot_path("sign-in.png")).await;
    desk.sign_in().await;
    desk.text_until("header-admin", |t| {
        t.contains("desk.admin") || t.contains("Dana")
    })
    .await;
    desk.text_until("header-instance", |t| {
        t.contains(&sim.url().replace("http://", ""))
    })
    .await;

    desk.choose_org("ACME AG").await;
    desk.pick_user("núñez", "José Núñez").await;
    desk.screenshot(&screenshot_path("user.png")).await;

    // The demo instance's links go to Login UI v1: the kind of passkey can be chosen.
    desk.find("authenticator")
        .await
        .select_by_value("platform")
        .await
        .unwrap();
    desk.find("create-link").await.click().await.unwrap();
    let link = desk
        .text_until("link-text", |t| t.starts_with("http"))
        .await;
    assert!(
        link.starts_with(&format!("{}/ui/login/login/passwordless/init?", sim.url())),
        "{link}"
    );
    assert!(link.contains(&format!("userID={}", seed::JOSE_ID)));
    assert!(link.ends_with("&requestPlatformType=platform"), "{link}");
    let countdown = desk.text_until("countdown", |t| t.contains(':')).await;
    assert!(
        countdown.contains("59:") || countdown.contains("60:00"),
        "{countdown}"
    );

    // The QR on screen is the link the simulator issued.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let png = desk.screenshot(&screenshot_path("link.png")).await;
    assert_eq!(
        decode_qr(&png),
        vec![link.clone()],
        "the QR in the window decodes to the link"
    );

    desk.find("copy-link").await.click().await.unwrap();
    desk.text_until("notice", |t| t.to_lowercase().contains("copied"))
        .await;

    let url = reqwest::Url::parse(&link).unwrap();
    let q = |k: &str| {
        url.query_pairs()
            .find(|(n, _)| n == k)
            .unwrap()
            .1
            .into_owned()
    };
    sim.complete_registration(seed::JOSE_ID, &q("codeID"), &q("code"), "iPhone 17")
        .unwrap();
    desk.text_until("registration-status", |t| {
        t.contains("Registered") && t.contains("iPhone 17")
    })
    .await;
    assert!(
        !desk.present("link-text").await,
        "the link is wiped from the DOM"
    );
    let source = desk.client.source().await.unwrap();
    assert!(
        !source.contains(&q("code")),
        "nothing of the link stays in the page"
    );
    desk.screenshot(&screenshot_path("registered.png")).await;

    // Not the person's device: the new passkey goes again, after a confirmation naming it.
    desk.find("not-mine").await.click().await.unwrap();
    desk.focused("cancel-remove").await;
    let question = desk
        .text_until("confirm-removal-text", |t| !t.is_empty())
        .await;
    assert!(
        question.contains("iPhone 17") && question.contains("José Núñez"),
        "{question}"
    );
    desk.find("confirm-remove").await.click().await.unwrap();
    desk.text_until("notice", |t| {
        t.contains("iPhone 17") && t.contains("removed")
    })
    .await;
    desk.gone("not-mine").await;
    let removals: Vec<_> = sim
        .requests()
        .into_iter()
        .filter(|r| r.method == "DELETE")
        .collect();
    assert_eq!(removals.len(), 1, "{removals:?}");
    assert_eq!(removals[0].status, 200);
    desk.close().await;
}

#[tokio::test]
async fn an_org_user_manager_gets_send_instead_of_a_failing_button() {
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    sim.set_auto_login(Some(seed::ADMIN_USER_MANAGER));
    let desk = Desktop::launch(&sim).await;
    desk.sign_in().await;
    desk.choose_org("ACME AG").await;
    desk.pick_user("jose", "José Núñez").await;
    let create = desk.find("create-link").await;
    assert!(
        create.attr("disabled").await.unwrap().is_some(),
        "create link is disabled"
    );
    let reason = desk
        .text_until("create-link-reason", |t| !t.is_empty())
        .await;
    assert!(reason.contains("user.credential.write"), "{reason}");
    desk.screenshot(&screenshot_path("org-user-manager.png"))
        .await;
    desk.find("send-link").await.click().await.unwrap();
    desk.text_until("notice", |t| !t.is_empty()).await;
    assert_eq!(sim.emails().len(), 1);
    assert!(
        sim.requests().iter().all(|r| !r.path.ends_with("/_link")),
        "no link was made"
    );

    // The user manager may remove a passkey (user.write): from the person's panel, after a
    // confirmation; Cancel first keeps it.
    desk.pick_user("zoe", "Zoë Müller").await;
    desk.text_until("passkey-name", |t| t == seed::ZOE_PASSKEY_NAME)
        .await;
    desk.find("remove-passkey").await.click().await.unwrap();
    desk.focused("cancel-remove").await;
    desk.find("cancel-remove").await.click().await.unwrap();
    desk.gone("confirm-removal").await;
    desk.find("remove-passkey").await.click().await.unwrap();
    desk.focused("cancel-remove").await;
    let question = desk
        .text_until("confirm-removal-text", |t| !t.is_empty())
        .await;
    assert!(
        question.contains(seed::ZOE_PASSKEY_NAME) && question.contains("Zoë Müller"),
        "{question}"
    );
    desk.screenshot(&screenshot_path("remove-passkey.png"))
        .await;
    desk.find("confirm-remove").await.click().await.unwrap();
    desk.find("passkeys-none").await;
    desk.text_until("notice", |t| t.contains("removed")).await;
    assert_eq!(
        sim.requests()
            .iter()
            .filter(|r| r.method == "DELETE" && r.status == 200)
            .count(),
        1
    );
    desk.close().await;
}

#[tokio::test]
async fn an_ended_session_asks_to_sign_in_again() {
    let sim = Sim::start(SimConfig {
        access_token_lifetime: Duration::from_secs(30),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    sim.set_auto_login(Some(seed::ADMIN_IAM_OWNER));
    let desk = Desktop::launch(&sim).await;
    desk.sign_in().await;
    desk.choose_org("ACME AG").await;
    sim.revoke_sessions_of(&sim.demo().admin(seed::ADMIN_IAM_OWNER).user_id);
    desk.find("user-search")
        .await
        .send_keys("max")
        .await
        .unwrap();
    desk.find("error-banner").await;
    let message = desk.text_until("error-message", |t| !t.is_empty()).await;
    assert!(message.contains("sign in again"), "{message}");
    let action = desk.text_until("error-action", |t| !t.is_empty()).await;
    assert!(action.to_lowercase().contains("sign in"), "{action}");
    desk.screenshot(&screenshot_path("session-ended.png")).await;
    desk.close().await;
}

#[tokio::test]
async fn the_coverage_panel_counts_an_org_and_sends_to_everyone_without_a_passkey() {
    let sim = Sim::start(SimConfig::default()).await.unwrap();
    sim.seed_users(seed::INITECH_ORG_ID, 120).unwrap();
    let with = sim.seed_passkeys(seed::INITECH_ORG_ID, 3);
    let active = sim.passkey_counts(seed::INITECH_ORG_ID).len();
    sim.set_auto_login(Some(seed::ADMIN_IAM_OWNER));
    let desk = Desktop::launch(&sim).await;
    desk.sign_in().await;
    desk.choose_org("Initech SA").await;

    desk.find("coverage-start").await.click().await.unwrap();
    desk.attr_until("coverage-summary", "data-phase", "done")
        .await;
    let summary = desk.text_until("coverage-summary", |t| !t.is_empty()).await;
    assert!(
        summary.contains(&format!("{with} of {active} active people have a passkey")),
        "{summary}"
    );
    let without = active - with;
    desk.screenshot(&screenshot_path("coverage.png")).await;

    desk.find("coverage-send").await.click().await.unwrap();
    let question = desk.text_until("coverage-confirm", |t| !t.is_empty()).await;
    assert!(
        question.contains(&format!("{without} people")),
        "{question}"
    );
    assert!(sim.emails().is_empty(), "nothing sent before the yes");
    desk.find("coverage-send-yes").await.click().await.unwrap();
    desk.text_until("coverage-sent", |t| {
        t.contains(&format!("to {without} people"))
    })
    .await;
    assert_eq!(sim.emails().len(), without);
    desk.close().await;
}
