//! The audit trail through `DeskApp` against zitadel-sim: one entry per action with the right
//! fields, no secret in the file, and a log that survives a process killed mid-append.

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::app::{code_of, link_state, Fixture};
use passkey_desk_core::app::{DeskApp, LinkState, SettingsView};
use passkey_desk_core::audit::{AuditAction, AuditEntry, AuditFilter, AuditLog, AuditSubject};
use passkey_desk_core::client::Authenticator;
use passkey_desk_core::clock::{Clock, Timer};
use passkey_desk_core::ErrorCode;
use zitadel_sim::{seed, SimConfig};

/// A desk in ACME AG whose public screens wipe an untouched link after `idle_timeout_secs`.
async fn signed_in(f: &Fixture, admin: &str, idle_timeout_secs: u32) -> DeskApp {
    let app = f.app();
    app.settings_save(SettingsView {
        idle_timeout_secs,
        ..f.settings(seed::NATIVE_CLIENT_ID)
    })
    .await
    .unwrap();
    f.sim.set_auto_login(Some(admin));
    app.sign_in_browser().await.unwrap();
    app.org_select(seed::ACME_ORG_ID).await.unwrap();
    app
}

fn audit_file(f: &Fixture) -> PathBuf {
    f.dir.join("data").join("audit.jsonl")
}

fn actions(entries: &[AuditEntry]) -> Vec<(AuditAction, String, String)> {
    // Oldest first, as they happened.
    entries
        .iter()
        .rev()
        .map(|e| (e.action, e.login_name.clone(), e.outcome.clone()))
        .collect()
}

#[tokio::test]
async fn every_action_is_one_entry_and_no_secret_is_in_the_file() {
    let f = Fixture::new().await;
    let app = signed_in(&f, seed::ADMIN_IAM_OWNER, 4).await;
    let mut links = Vec::new();
    let any = Authenticator::Any;

    // Created, copied, emailed, closed.
    let jose = app.link_create(seed::JOSE_ID, any, &[]).await.unwrap();
    links.push(jose.link.clone());
    app.link_copy().unwrap();
    app.link_email(true).unwrap();
    app.link_close().await.unwrap();

    // Sent by ZITADEL.
    app.link_send(seed::JOSE_ID, &[]).await.unwrap();

    // Presented (the presenter opens on a link), then registered.
    let max = app.link_create("max.muster", any, &[]).await.unwrap();
    links.push(max.link.clone());
    app.presenter_open(None).await.unwrap();
    f.register(&max.link, max.user.id.as_str(), "Pixel 9");
    f.polls_until(&app, |v| {
        matches!(link_state(v), Some(LinkState::Registered { .. }))
    })
    .await;

    // Presented (a link made while the presenter is open), then wiped as idle.
    let zoe = app.link_create(seed::ZOE_ID, any, &[]).await.unwrap();
    links.push(zoe.link.clone());
    f.clock.parked(Timer::LinkRules).await;
    f.clock.advance(Duration::from_secs(4));
    common::app::desk_until(&app, |v| {
        matches!(link_state(v), Some(LinkState::Idle { .. }))
    })
    .await;
    app.presenter_close();

    // Wiped by the session's end: the server ends it, then the admin signs out.
    let again = app.link_create(seed::JOSE_ID, any, &[]).await.unwrap();
    links.push(again.link.clone());
    f.sim
        .revoke_sessions_of(&f.sim.demo().admin(seed::ADMIN_IAM_OWNER).user_id);
    let view = f
        .polls_until(&app, |v| {
            matches!(link_state(v), Some(LinkState::Failed { .. }))
        })
        .await;
    let Some(LinkState::Failed { error: ended, .. }) = link_state(&view).cloned() else {
        unreachable!()
    };
    app.sign_in_browser().await.unwrap();
    app.org_select(seed::ACME_ORG_ID).await.unwrap();
    let last = app.link_create(seed::JOSE_ID, any, &[]).await.unwrap();
    links.push(last.link.clone());
    app.sign_out().await.unwrap();

    // A failure is recorded with its code.
    let app = signed_in(&f, seed::ADMIN_IAM_OWNER, 4).await;
    let missing = app.link_create("no-such-user", any, &[]).await.unwrap_err();

    let entries = app.audit_list(AuditFilter::default()).unwrap();
    let jose_login = jose.user.login_name.clone();
    let max_login = max.user.login_name.clone();
    let zoe_login = zoe.user.login_name.clone();
    let ok = || "ok".to_string();
    use AuditAction::*;
    assert_eq!(
        actions(&entries),
        vec![
            (Created, jose_login.clone(), ok()),
            (Copied, jose_login.clone(), ok()),
            (Emailed, jose_login.clone(), ok()),
            (WipedClosed, jose_login.clone(), ok()),
            (Sent, jose_login.clone(), ok()),
            (Created, max_login.clone(), ok()),
            (Presented, max_login.clone(), ok()),
            (Registered, max_login.clone(), ok()),
            (Created, zoe_login.clone(), ok()),
            (Presented, zoe_login.clone(), ok()),
            (WipedIdle, zoe_login.clone(), ok()),
            (Created, jose_login.clone(), ok()),
            (WipedSessionEnd, jose_login.clone(), ended.code.to_string()),
            (Created, jose_login.clone(), ok()),
            (WipedSessionEnd, jose_login.clone(), ok()),
            (Created, String::new(), missing.code().to_string()),
        ]
    );
    let admin = "desk.admin@acme.example.com";
    for e in &entries {
        assert_eq!(e.instance, f.sim.url());
        assert_eq!(e.admin, admin);
        assert_eq!(e.org_id, seed::ACME_ORG_ID);
        assert_eq!(e.org_name.as_deref(), Some("ACME AG"));
        // The expiry is known once a link exists.
        let has_link = e.action != Sent && !e.login_name.is_empty();
        assert_eq!(e.expires_at.is_some(), has_link, "{e:?}");
    }
    let created_max = entries
        .iter()
        .find(|e| e.action == Created && e.login_name == max_login)
        .unwrap();
    assert_eq!(created_max.user_id, max.user.id.as_str());
    assert_eq!(created_max.expires_at, Some(max.expires_at));
    assert_eq!(
        entries.iter().find(|e| e.action == Sent).unwrap().user_id,
        seed::JOSE_ID
    );

    // Filters and CSV export.
    let only_zoe = app
        .audit_list(AuditFilter {
            user: Some(seed::ZOE_ID.into()),
            ..AuditFilter::default()
        })
        .unwrap();
    assert_eq!(only_zoe.len(), 3);
    let csv = app.audit_export_csv(AuditFilter::default()).unwrap();
    assert!(csv.starts_with(f.host.downloads.to_str().unwrap()), "{csv}");
    let text = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(text.lines().count(), entries.len() + 1);

    // The secret scan: no link, code or token in the log (or the export).
    let log = std::fs::read_to_string(audit_file(&f)).unwrap();
    let mut needles: Vec<String> = zitadel_sim::secrets_seen();
    needles.extend(f.sim.demo().admins.iter().map(|a| a.pat.clone()));
    needles.extend(links.iter().cloned());
    for link in &links {
        let (code_id, code) = code_of(link);
        needles.push(code);
        assert!(!code_id.is_empty());
    }
    needles.retain(|n| n.len() >= 8);
    assert!(needles.len() > links.len() * 2, "{}", needles.len());
    for needle in &needles {
        assert!(
            !log.contains(needle.as_str()),
            "a secret is in the audit log"
        );
        assert!(!text.contains(needle.as_str()), "a secret is in the CSV");
    }
    eprintln!(
        "audit: {} entries, {} bytes, {} secrets scanned",
        entries.len(),
        log.len(),
        needles.len()
    );
}

#[tokio::test]
async fn an_expired_link_is_recorded() {
    let f = Fixture::with(SimConfig {
        code_lifetime: Duration::from_secs(120),
        ..SimConfig::default()
    })
    .await;
    let app = signed_in(&f, seed::ADMIN_IAM_OWNER, 0).await;
    let view = app
        .link_create(seed::ZOE_ID, Authenticator::Any, &[])
        .await
        .unwrap();
    f.clock.parked(Timer::Poll).await;
    f.clock
        .advance((view.expires_at - f.clock.now()).to_std().unwrap());
    common::app::desk_until(&app, |v| {
        matches!(link_state(v), Some(LinkState::Expired { .. }))
    })
    .await;
    let entries = app.audit_list(AuditFilter::default()).unwrap();
    assert_eq!(
        entries.iter().map(|e| e.action).collect::<Vec<_>>(),
        vec![AuditAction::Expired, AuditAction::Created]
    );
    assert_eq!(entries[0].expires_at, Some(view.expires_at));
    assert_eq!(entries[0].user_id, seed::ZOE_ID);
    assert_eq!(
        entries[0].time,
        view.expires_at.max(entries[0].time),
        "the core's clock"
    );
}

#[tokio::test]
async fn the_audit_screen_is_not_for_the_kiosk() {
    let f = Fixture::new().await;
    let app = signed_in(&f, seed::ADMIN_IAM_OWNER, 0).await;
    app.kiosk_pin_set(Some("482916")).unwrap();
    app.kiosk_enter().unwrap();
    app.kiosk_unlock_pin("482916").unwrap();
    // Even unlocked, a kiosk shows no audit log: it names the people who came.
    assert_eq!(
        app.audit_list(AuditFilter::default()).unwrap_err().code(),
        ErrorCode::KioskMode
    );
    assert_eq!(
        app.audit_export_csv(AuditFilter::default())
            .unwrap_err()
            .code(),
        ErrorCode::KioskMode
    );
}

const CRASH_DIR: &str = "PASSKEY_DESK_AUDIT_CRASH_DIR";
const WRITER_DIR: &str = "PASSKEY_DESK_AUDIT_WRITER_DIR";
const WRITER_ID: &str = "PASSKEY_DESK_AUDIT_WRITER_ID";
const WRITES: u64 = 1500;

/// A child of `two_processes_share_the_log_and_its_rotation`: appends `WRITES` entries to a
/// log that rotates every few lines. Run by that test with `--ignored`.
#[test]
#[ignore = "a child process of two_processes_share_the_log_and_its_rotation"]
fn writer_child() {
    let dir = std::env::var_os(WRITER_DIR).expect("run by two_processes_share_the_log");
    let id = std::env::var(WRITER_ID).unwrap();
    let log = AuditLog::in_dir(&PathBuf::from(dir)).with_rotation(2048, 1000);
    let subject = AuditSubject {
        instance: "https://auth.example.com".into(),
        admin: "admin".into(),
        org_id: "1".into(),
        org_name: None,
        user_id: "2".into(),
        login_name: id.clone(),
        expires_at: None,
        verified: Vec::new(),
    };
    for i in 0..WRITES {
        let mut e = subject.entry(AuditAction::Created, Ok(()));
        e.user_id = format!("{id}-{i}");
        log.append(&e).unwrap();
    }
}

/// The desktop app and the CLI append to the same log: two processes writing and rotating at
/// once lose no entry and write none twice (without the lock file, two rotations at once
/// rename one rotated file over another).
#[test]
fn two_processes_share_the_log_and_its_rotation() {
    let dir = std::env::temp_dir().join(format!("pd-audit-share-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let children: Vec<_> = ["a", "b"]
        .iter()
        .map(|id| {
            std::process::Command::new(std::env::current_exe().unwrap())
                .args(["--exact", "writer_child", "--ignored", "--test-threads=1"])
                .env(WRITER_DIR, &dir)
                .env(WRITER_ID, id)
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success(), "a writer failed");
    }
    let log = AuditLog::in_dir(&dir).with_rotation(2048, 1000);
    let entries = log.read(&AuditFilter::default()).unwrap();
    let mut ids: Vec<String> = entries.iter().map(|e| e.user_id.clone()).collect();
    ids.sort();
    let all = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), all, "an entry written twice");
    for writer in ["a", "b"] {
        let mine = ids
            .iter()
            .filter(|i| i.starts_with(&format!("{writer}-")))
            .count();
        assert_eq!(mine as u64, WRITES, "entries of writer {writer} lost");
    }
    let rotated = std::fs::read_dir(&dir)
        .unwrap()
        .filter(|e| {
            let name = e.as_ref().unwrap().file_name();
            let name = name.to_string_lossy();
            name.starts_with("audit.jsonl.") && name != "audit.jsonl.lock"
        })
        .count();
    assert!(rotated > 100, "rotated {rotated} times");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The child of `a_killed_writer_leaves_a_readable_log`: appends until it is killed. Not a
/// test of its own (ignored): the parent runs it with `--ignored`.
#[test]
#[ignore = "the child process of a_killed_writer_leaves_a_readable_log"]
fn crash_child() {
    let dir = std::env::var_os(CRASH_DIR).expect("run by a_killed_writer_leaves_a_readable_log");
    let log = AuditLog::in_dir(&PathBuf::from(dir)).with_rotation(64 * 1024, 3);
    let subject = AuditSubject {
        instance: "https://auth.example.com".into(),
        admin: "admin, \"the\" one".into(),
        org_id: "1".into(),
        org_name: Some("=ACME".into()),
        user_id: "2".into(),
        login_name: "x".repeat(300),
        expires_at: Some(chrono::Utc::now()),
        verified: vec!["Photo ID seen".into()],
    };
    for i in 0u64.. {
        let mut e = subject.entry(AuditAction::Created, Ok(()));
        e.user_id = i.to_string();
        log.append(&e).unwrap();
    }
}

#[test]
fn a_killed_writer_leaves_a_readable_log() {
    let dir = std::env::temp_dir().join(format!("pd-audit-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "crash_child",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CRASH_DIR, &dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let file = dir.join("audit.jsonl");
    let started = std::time::Instant::now();
    // Let it write and rotate a while, then SIGKILL it mid-loop.
    while !dir.join("audit.jsonl.1").exists() && started.elapsed() < Duration::from_secs(60) {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(150));
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();

    let log = AuditLog::in_dir(&dir).with_rotation(64 * 1024, 3);
    let entries = log.read(&AuditFilter::default()).unwrap();
    let mut lines = 0usize;
    for path in [dir.join("audit.jsonl.1"), file.clone()] {
        let text = std::fs::read(&path).unwrap_or_default();
        let complete = text.split(|b| *b == b'\n').collect::<Vec<_>>();
        // Every newline-terminated line parses; only the last one may be torn.
        for line in &complete[..complete.len().saturating_sub(1)] {
            serde_json::from_slice::<AuditEntry>(line).expect("a complete line is a whole entry");
            lines += 1;
        }
    }
    assert!(lines > 10, "{lines}");
    assert!(entries.len() >= lines, "{} < {lines}", entries.len());
    let ids: Vec<u64> = entries.iter().map(|e| e.user_id.parse().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted.len(), ids.len(), "no entry twice");
    assert!(
        entries.iter().all(|e| e.login_name == "x".repeat(300)),
        "nothing corrupt"
    );
    eprintln!(
        "crash: {} entries read back after SIGKILL, current file {} bytes",
        entries.len(),
        std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
