//! An enrollment day against zitadel-sim over real HTTP: a roster matched against the org,
//! the identity check that gates every link and send (and its audit entries), the queue
//! worked through in the desktop app (registered, expired, skipped, no-show) and saved in the
//! data dir across a restart and a kill, the results export, and the remote wave.

mod common;

use std::path::Path;
use std::sync::Arc;

use common::app::{desk_until, link_state, Fixture};
use common::*;
use passkey_desk_core::app::LinkState;
use passkey_desk_core::audit::{AuditAction, AuditFilter, AuditLog};
use passkey_desk_core::checks::IdentityChecks;
use passkey_desk_core::client::Authenticator;
use passkey_desk_core::clock::{Clock, SystemClock, Timer};
use passkey_desk_core::coverage::CoverageOptions;
use passkey_desk_core::day::Day;
use passkey_desk_core::links::{Actor, Links};
use passkey_desk_core::model::Org;
use passkey_desk_core::queue::{Queue, QueueState, QueueStore};
use passkey_desk_core::roster::{self, Found};
use passkey_desk_core::{ErrorCode, Registration};
use zitadel_sim::{seed, Fault, FaultKind, Sim};

const PHOTO_ID: &str = "Photo ID seen";
const CALLED_BACK: &str = "Called back on the number on record";

fn checks() -> IdentityChecks {
    IdentityChecks::new(
        [(
            seed::ACME_ORG_ID.to_string(),
            vec![PHOTO_ID.to_string(), CALLED_BACK.to_string()],
        )]
        .into(),
    )
    .unwrap()
}

fn links_at(sim: &Sim, admin: &str, dir: &Path) -> Links {
    Links::new(
        Arc::new(desk(sim, admin)),
        Arc::new(AuditLog::in_dir(dir)),
        Arc::new(SystemClock),
        Actor {
            instance: sim.url(),
            admin: admin.into(),
            named: true,
        },
    )
    .with_identity_checks(checks())
}

/// The IAM owner's links, with ACME's checklist, and ACME.
async fn owner_at_acme(sim: &Sim, dir: &Path) -> (Links, Org) {
    let links = links_at(sim, seed::ADMIN_IAM_OWNER, dir);
    let org = links
        .desk()
        .resolve_org(Some(seed::ACME_ORG_ID))
        .await
        .unwrap();
    (links, org)
}

fn calls_to(sim: &Sim, end: &str) -> usize {
    sim.requests()
        .iter()
        .filter(|r| r.path.ends_with(end))
        .count()
}

#[tokio::test]
async fn a_roster_is_matched_against_the_org_before_anything_starts() {
    let sim = sim().await;
    // Zoë's id is also someone's user name: the id alone is ambiguous.
    sim.add_human(seed::ACME_ORG_ID, seed::ZOE_ID, "Digit", "Name")
        .unwrap();
    // The server is busy for a moment: the lookups wait and go on.
    sim.inject(Fault {
        method: Some("POST".into()),
        path: "/management/v1/users/_search".into(),
        times: Some(3),
        kind: FaultKind::RateLimit {
            retry_after_secs: Some(1),
        },
    });
    let desk = desk(&sim, seed::ADMIN_IAM_OWNER);
    let text = format!(
        "\u{feff}Name;Login\r\nZoë;zoe.mueller\r\nJosé;{}\r\nLena;lena.locked\r\nIvan;ivan.inactive\r\nBot;ci-bot\r\nNobody;nobody.here\r\nDigits;{}\r\nZoë again;ZOE.MUELLER\r\n",
        seed::JOSE_ID,
        seed::ZOE_ID
    );
    let parsed = roster::parse_bytes(text.as_bytes()).unwrap();
    assert_eq!(parsed.column.as_deref(), Some("Login"));
    assert_eq!(parsed.repeated.len(), 1, "the same text twice is read once");
    let mut done = 0;
    let matches = roster::match_people(
        &desk,
        &acme(),
        &parsed,
        &CoverageOptions {
            backoff: std::time::Duration::from_millis(10),
            ..CoverageOptions::default()
        },
        |n| done = n,
    )
    .await
    .unwrap();
    assert_eq!(done, 7);
    let kinds: Vec<(&str, String)> = matches
        .iter()
        .map(|m| {
            let kind = match &m.found {
                Found::Ready { user } => format!("ready {}", user.id),
                Found::Blocked { reason, .. } => format!("blocked {}", reason.code),
                Found::Repeated { .. } => "repeated".into(),
                Found::Ambiguous { candidates } => format!("ambiguous {}", candidates.len()),
                Found::Unknown => "unknown".into(),
                Found::Failed { error } => format!("failed {}", error.code),
            };
            (m.entry.ident.as_str(), kind)
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("zoe.mueller", format!("ready {}", seed::ZOE_ID)),
            (seed::JOSE_ID, format!("ready {}", seed::JOSE_ID)),
            ("lena.locked", "blocked user_not_active".into()),
            ("ivan.inactive", "blocked user_not_active".into()),
            ("ci-bot", "blocked not_human".into()),
            ("nobody.here", "unknown".into()),
            (seed::ZOE_ID, "ambiguous 2".into()),
        ]
    );
    assert_eq!(matches[1].entry.line, 3, "lines as the file has them");
    let counts = roster::MatchCounts::of(&matches);
    assert_eq!(
        (
            counts.ready,
            counts.blocked,
            counts.unknown,
            counts.ambiguous
        ),
        (2, 3, 1, 1)
    );
    // The same person by email and by login name: the second is a repeat, not a second
    // place in the queue.
    let twice = roster::parse("zoe.mueller\njose.nunez\nJOSE.NUNEZ@acme.example.com\n").unwrap();
    let matches = roster::match_people(&desk, &acme(), &twice, &CoverageOptions::default(), |_| {})
        .await
        .unwrap();
    assert!(
        matches!(matches[2].found, Found::Repeated { .. } | Found::Unknown),
        "{:?}",
        matches[2].found
    );
    // A rejected token stops the import instead of reporting everyone unknown.
    sim.inject(Fault {
        method: Some("POST".into()),
        path: "/management/v1/users/_search".into(),
        times: None,
        kind: FaultKind::Status { status: 401 },
    });
    let e = roster::match_people(&desk, &acme(), &twice, &CoverageOptions::default(), |_| {})
        .await
        .unwrap_err();
    assert!(e.code().ends_session(), "{e}");
}

#[tokio::test]
async fn no_link_and_no_send_without_the_identity_check_and_the_check_is_audited() {
    let sim = sim().await;
    let dir = tempfile::tempdir().unwrap();
    let (links, org) = owner_at_acme(&sim, dir.path()).await;
    assert_eq!(
        links.identity_checks(org.id.as_str()),
        [PHOTO_ID, CALLED_BACK]
    );

    let e = links
        .create(&org, seed::ZOE_ID, Authenticator::Any, &[])
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::IdentityCheckRequired);
    let e = links
        .create(
            &org,
            seed::ZOE_ID,
            Authenticator::Any,
            &["I know her".into()],
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput, "free text is refused");
    let e = links.send(&org, seed::ZOE_ID, &[]).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::IdentityCheckRequired);
    let everyone = vec![links
        .desk()
        .resolve_user(&org.id, "zoe.mueller")
        .await
        .unwrap()];
    let e = links
        .send_all(&org, &everyone, 0, &[], |_, _| {})
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::IdentityCheckRequired);
    assert_eq!(
        calls_to(&sim, "/passwordless/_link"),
        0,
        "nothing was created"
    );
    assert_eq!(
        calls_to(&sim, "/passwordless/_send_link"),
        0,
        "nothing was sent"
    );

    let issued = links
        .create(
            &org,
            seed::ZOE_ID,
            Authenticator::Any,
            &[PHOTO_ID.to_lowercase()],
        )
        .await
        .unwrap();
    assert_eq!(issued.subject.verified, [PHOTO_ID]);
    links
        .send(&org, "jose.nunez", &[CALLED_BACK.into(), PHOTO_ID.into()])
        .await
        .unwrap();
    // Another org asks for no check.
    let globex_org = links
        .desk()
        .resolve_org(Some(seed::GLOBEX_ORG_ID))
        .await
        .unwrap();
    links
        .create(&globex_org, seed::MAX_GLOBEX_ID, Authenticator::Any, &[])
        .await
        .unwrap();

    let audit = AuditLog::in_dir(dir.path())
        .read(&AuditFilter::default())
        .unwrap();
    let refused: Vec<_> = audit
        .iter()
        .filter(|e| e.outcome == "identity_check_required")
        .map(|e| e.action)
        .collect();
    assert_eq!(
        refused,
        [AuditAction::Sent, AuditAction::Created],
        "each refusal is on record (newest first); the bulk send refused before any person"
    );
    let created = audit
        .iter()
        .find(|e| {
            e.action == AuditAction::Created && e.outcome == "ok" && e.org_id == seed::ACME_ORG_ID
        })
        .unwrap();
    assert_eq!(created.verified, [PHOTO_ID]);
    let sent = audit
        .iter()
        .find(|e| e.action == AuditAction::Sent && e.outcome == "ok")
        .unwrap();
    assert_eq!(sent.verified, [PHOTO_ID, CALLED_BACK], "the list's order");
    let globex_entry = audit
        .iter()
        .find(|e| e.org_id == seed::GLOBEX_ORG_ID)
        .unwrap();
    assert!(globex_entry.verified.is_empty());
    let line = std::fs::read_to_string(dir.path().join("audit.jsonl")).unwrap();
    assert!(line.contains(r#""verified":["Photo ID seen"]"#), "{line}");
}

/// The app's config: ACME asks for these identity checks before every link.
fn acme_asks_for(f: &Fixture, checks: &[&str]) {
    let items: Vec<String> = checks.iter().map(|c| format!("{c:?}")).collect();
    std::fs::write(
        f.dir.join("config.toml"),
        format!(
            "[identity_checks]\n\"{}\" = [{}]\n",
            seed::ACME_ORG_ID,
            items.join(", ")
        ),
    )
    .unwrap();
}

#[tokio::test]
async fn the_window_gates_create_link_send_and_a_replacement_on_the_check() {
    let f = Fixture::new().await;
    acme_asks_for(&f, &[PHOTO_ID, CALLED_BACK]);
    let app = f.at_acme(seed::ADMIN_IAM_OWNER).await;
    let org = app.org_current().await.unwrap().unwrap();
    assert_eq!(org.identity_checks, [PHOTO_ID, CALLED_BACK]);

    let e = app
        .link_create(seed::ZOE_ID, Authenticator::Any, &[])
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::IdentityCheckRequired);
    assert_eq!(link_state(&app.desk_view()), None, "nothing on screen");
    let e = app.link_send(seed::ZOE_ID, &[]).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::IdentityCheckRequired);
    // A stolen device's passkeys never go for someone who was not checked.
    let e = app
        .link_replace(
            seed::ZOE_ID,
            &[seed::ZOE_PASSKEY_ID.into()],
            true,
            Authenticator::Any,
            &[],
        )
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::IdentityCheckRequired);
    assert_eq!(
        f.sim
            .requests()
            .iter()
            .filter(|r| r.method == "DELETE")
            .count(),
        0
    );
    assert_eq!(calls_to(&f.sim, "/passwordless/_link"), 0);

    app.link_create(seed::ZOE_ID, Authenticator::Any, &[CALLED_BACK.into()])
        .await
        .unwrap();
    // The settings change the list at once, and the file keeps it.
    let list = app
        .identity_checks_set(seed::ACME_ORG_ID, &["Manager approved".into()])
        .await
        .unwrap();
    assert_eq!(list, ["Manager approved"]);
    let view = app.desk_view();
    assert_eq!(
        view.workspace.unwrap().org.unwrap().identity_checks,
        ["Manager approved"]
    );
    let e = app
        .link_create(seed::JOSE_ID, Authenticator::Any, &[PHOTO_ID.into()])
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidInput);
    let file = std::fs::read_to_string(f.dir.join("config.toml")).unwrap();
    assert!(
        file.contains("Manager approved") && !file.contains(PHOTO_ID),
        "{file}"
    );
    app.identity_checks_set(seed::ACME_ORG_ID, &[])
        .await
        .unwrap();
    app.link_create(seed::JOSE_ID, Authenticator::Any, &[])
        .await
        .unwrap();
}

/// Moves the clock past the live link's expiry and waits for the desk to see it.
async fn expire(f: &Fixture, app: &passkey_desk_core::app::DeskApp) {
    let Some(LinkState::Live { link }) = link_state(&app.desk_view()).cloned() else {
        panic!("a live link")
    };
    f.clock.parked(Timer::Poll).await;
    f.clock
        .advance((link.expires_at - f.clock.now()).to_std().unwrap());
    desk_until(app, |v| {
        matches!(link_state(v), Some(LinkState::Expired { .. }))
    })
    .await;
}

#[tokio::test]
async fn a_day_in_the_window_registered_expired_skipped_no_show_exported_and_kept() {
    let f = Fixture::new().await;
    acme_asks_for(&f, &[PHOTO_ID]);
    let app = f.at_acme(seed::ADMIN_IAM_OWNER).await;
    let roster =
        "login\nzoe.mueller\njose.nunez\nmax.muster\nlena.locked\nnobody.here\njoanna.mueller\n";
    let import = app.queue_import(roster.as_bytes()).await.unwrap();
    assert_eq!(
        (
            import.counts.ready,
            import.counts.blocked,
            import.counts.unknown
        ),
        (3, 1, 2),
        "{:?}",
        import.counts
    );
    let queue = app.queue_import_accept().await.unwrap();
    assert_eq!(queue.people.len(), 3);
    assert_eq!(queue.summary_text, "0 of 3 registered, 3 waiting");

    // 1: Zoë — checked, link, registered.
    let zoe = app.queue_next().await.unwrap();
    assert_eq!(zoe.user.id.as_str(), seed::ZOE_ID);
    let selected = app.desk_view().workspace.unwrap().selected.unwrap();
    assert_eq!(
        selected.user.id, zoe.user.id,
        "their panel shows who they are"
    );
    let e = app
        .link_create(seed::ZOE_ID, Authenticator::Any, &[])
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::IdentityCheckRequired);
    let link = app
        .link_create(seed::ZOE_ID, Authenticator::Any, &[PHOTO_ID.into()])
        .await
        .unwrap();
    let view = app.desk_view().workspace.unwrap().queue.unwrap();
    assert_eq!(view.people[0].state, QueueState::LinkShown);
    assert_eq!(view.people[0].verified, [PHOTO_ID]);
    f.register(&link.link, seed::ZOE_ID, "Zoë's iPhone");
    f.polls_until(&app, |v| {
        v.workspace
            .as_ref()
            .and_then(|w| w.queue.as_ref())
            .is_some_and(|q| q.people[0].state == QueueState::Registered)
    })
    .await;

    // 2: José — the link expires, a new one expires too; he goes to the back.
    let jose = app.queue_next().await.unwrap();
    assert_eq!(jose.user.id.as_str(), seed::JOSE_ID);
    app.link_create(seed::JOSE_ID, Authenticator::Any, &[PHOTO_ID.into()])
        .await
        .unwrap();
    expire(&f, &app).await;
    let q = app.desk_view().workspace.unwrap().queue.unwrap();
    assert_eq!(q.people[1].state, QueueState::Expired);
    app.link_create(seed::JOSE_ID, Authenticator::Any, &[PHOTO_ID.into()])
        .await
        .unwrap();
    let q = app.desk_view().workspace.unwrap().queue.unwrap();
    assert_eq!(
        (q.people[1].state, q.people[1].links),
        (QueueState::LinkShown, 2)
    );
    app.queue_back(seed::JOSE_ID).await.unwrap();
    assert_eq!(
        link_state(&app.desk_view()),
        None,
        "his link left the screen with him"
    );

    // 3: Max does not come; José comes back and is skipped.
    let max = app.queue_next().await.unwrap();
    app.queue_no_show(max.user.id.as_str()).await.unwrap();
    let again = app.queue_next().await.unwrap();
    assert_eq!(again.user.id.as_str(), seed::JOSE_ID);
    let q = app.queue_skip(seed::JOSE_ID).await.unwrap();
    assert_eq!(q.summary_text, "1 of 3 registered, 1 skipped, 1 no-show");
    assert_eq!(
        app.queue_next().await.unwrap_err().code(),
        ErrorCode::QueueEmpty
    );

    // The results as CSV in Downloads.
    let path = app.queue_export_csv().unwrap();
    let csv = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(
        lines[1].contains(",registered,Zoë's iPhone,Photo ID seen,1,"),
        "{}",
        lines[1]
    );
    assert!(lines[2].contains(",no_show,"), "{}", lines[2]);
    assert!(lines[3].contains(",skipped,"), "{}", lines[3]);

    // A restart: the queue is still there, for this org only.
    drop(app);
    let app = f.at_acme(seed::ADMIN_IAM_OWNER).await;
    let q = app.desk_view().workspace.unwrap().queue.unwrap();
    assert_eq!(q.summary_text, "1 of 3 registered, 1 skipped, 1 no-show");
    app.org_select(seed::GLOBEX_ORG_ID).await.unwrap();
    assert!(app.desk_view().workspace.unwrap().queue.is_none());
}

#[tokio::test]
async fn the_remote_wave_sends_to_everyone_waiting_and_one_failure_stops_nobody() {
    let f = Fixture::new().await;
    let app = f.at_acme(seed::ADMIN_IAM_OWNER).await;
    app.queue_import(b"zoe.mueller\njose.nunez\nmax.muster\n")
        .await
        .unwrap();
    app.queue_import_accept().await.unwrap();
    // José's send fails on the server.
    f.sim.inject(Fault {
        method: Some("POST".into()),
        path: format!(
            "/management/v1/users/{}/passwordless/_send_link",
            seed::JOSE_ID
        ),
        times: None,
        kind: FaultKind::Status { status: 500 },
    });
    let sent = app.queue_send_waiting(&[]).await.unwrap();
    assert_eq!(sent.sent, 2);
    assert_eq!(sent.failed.len(), 1);
    assert_eq!(sent.failed[0].user.id.as_str(), seed::JOSE_ID);
    let q = app.desk_view().workspace.unwrap().queue.unwrap();
    let states: Vec<QueueState> = q.people.iter().map(|p| p.state).collect();
    assert_eq!(
        states,
        [QueueState::Sent, QueueState::Waiting, QueueState::Sent]
    );
    assert_eq!(q.sent.as_ref().map(|s| s.sent), Some(2));
    let entries = app.audit_list(AuditFilter::default()).unwrap();
    let sends: Vec<&str> = entries
        .iter()
        .filter(|e| e.action == AuditAction::Sent)
        .map(|e| e.outcome.as_str())
        .collect();
    assert_eq!(sends.len(), 3, "each send audited: {sends:?}");
    assert_eq!(sends.iter().filter(|o| **o == "ok").count(), 2);
}

#[tokio::test]
async fn a_terminal_day_next_wait_and_the_queue_file() {
    let sim = sim().await;
    let dir = tempfile::tempdir().unwrap();
    let (links, org) = owner_at_acme(&sim, dir.path()).await;
    let day = Day::new(&links, dir.path(), org.clone());
    let (_, matches) = day.read_roster(b"zoe.mueller\njose.nunez\n").await.unwrap();
    let ready: Vec<_> = matches.iter().filter_map(|m| m.ready().cloned()).collect();
    let (added, _) = day.enqueue(&ready, false).unwrap();
    assert_eq!(added, 2);
    assert_eq!(day.enqueue(&ready, false).unwrap().0, 0, "nobody twice");

    // The gate before anyone is called.
    let e = day.next(&[], Authenticator::Any).await.unwrap_err();
    assert_eq!(e.code(), ErrorCode::IdentityCheckRequired);
    assert_eq!(day.queue().unwrap().current, None);

    let issued = day
        .next(&[PHOTO_ID.into()], Authenticator::Any)
        .await
        .unwrap();
    assert_eq!(issued.user.id.as_str(), seed::ZOE_ID);
    let (code_id, code) = code_of(issued.link.link.expose());
    sim.complete_registration(seed::ZOE_ID, &code_id, &code, "YubiKey 5")
        .unwrap();
    let outcome = day.wait(&issued).await.unwrap();
    assert!(matches!(outcome, Registration::Registered(ref p) if p.name == "YubiKey 5"));
    let queue = QueueStore::in_dir(dir.path())
        .load(&sim.url(), seed::ACME_ORG_ID)
        .unwrap()
        .unwrap();
    let zoe = queue.find(seed::ZOE_ID).unwrap();
    assert_eq!(zoe.state, QueueState::Registered);
    assert_eq!(zoe.passkey.as_deref(), Some("YubiKey 5"));
    assert_eq!(zoe.verified, [PHOTO_ID]);
    assert_eq!(queue.summary().to_string(), "1 of 2 registered, 1 waiting");
}

/// The writer of the kill test: saves a growing queue as fast as it can until killed.
fn writer(dir: &Path) -> ! {
    let store = QueueStore::in_dir(dir);
    let clock = SystemClock;
    let mut queue = Queue::new("https://auth.example.com", "100", "ACME", clock.now());
    let mut n = 0u32;
    loop {
        let user = passkey_desk_core::User {
            id: passkey_desk_core::UserId::new(format!("u{n}")),
            org_id: passkey_desk_core::OrgId::new("100"),
            kind: passkey_desk_core::UserKind::Human,
            state: passkey_desk_core::UserState::Active,
            user_name: format!("person{n}"),
            login_name: format!("person{n}@acme.example.com"),
            display_name: format!("Person {n} with a longer name to make the file larger"),
            email: Some(format!("person{n}@acme.example.com")),
            email_verified: true,
            preferred_language: None,
        };
        queue.add(&user, clock.now());
        store.save(&queue).unwrap();
        n += 1;
    }
}

#[test]
fn a_kill_during_a_write_leaves_the_last_whole_queue() {
    const WRITER: &str = "PASSKEY_DESK_QUEUE_WRITER";
    if let Some(dir) = std::env::var_os(WRITER) {
        writer(Path::new(&dir));
    }
    let dir = tempfile::tempdir().unwrap();
    let store = QueueStore::in_dir(dir.path());
    let mut seen = Vec::new();
    for round in 0..12u64 {
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "a_kill_during_a_write_leaves_the_last_whole_queue",
                "--nocapture",
            ])
            .env(WRITER, dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(60 + round * 23));
        child.kill().unwrap();
        child.wait().unwrap();
        // Whatever moment the kill hit: the file is a whole queue (or none yet).
        if let Some(queue) = store.load("https://auth.example.com", "100").unwrap() {
            assert!(queue
                .people
                .iter()
                .enumerate()
                .all(|(n, p)| p.user_id == format!("u{n}")));
            seen.push(queue.people.len());
        }
    }
    assert!(
        seen.iter().any(|n| *n > 0),
        "the writer wrote before it was killed: {seen:?}"
    );
}
