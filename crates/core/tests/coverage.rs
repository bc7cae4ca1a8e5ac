//! Rollout coverage against zitadel-sim over real HTTP: exact counts over 10 000 people while
//! the server rate-limits (with and without `Retry-After`), fails and stalls; the count
//! streams page by page; stopping it stops the calls; a missing permission ends it at once.

mod common;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use passkey_desk_core::client::RetryPolicy;
use passkey_desk_core::coverage::{self, CoverageEvent, CoverageOptions};
use passkey_desk_core::{ClientOptions, ErrorCode};
use zitadel_sim::{seed, Fault, FaultKind, Sim};

const PASSKEY_SEARCH: &str = "/management/v1/users/*/passwordless/_search";

fn fault(path: &str, times: u32, kind: FaultKind) -> Fault {
    Fault {
        method: Some("POST".into()),
        path: path.into(),
        times: Some(times),
        kind,
    }
}

/// Quick retries, so that the faults cost milliseconds.
fn quick_retries() -> ClientOptions {
    ClientOptions {
        retry: RetryPolicy {
            read_retries: 1,
            backoff: Duration::from_millis(10),
            max_retry_after: Duration::from_secs(1),
        },
        ..ClientOptions::default()
    }
}

fn options() -> CoverageOptions {
    CoverageOptions {
        concurrency: 16,
        max_rate: 0,
        page_size: 500,
        attempts: 6,
        backoff: Duration::from_millis(20),
    }
}

/// Counts `org`, collecting every row by user id (a second row for someone fails the test).
async fn count_all(
    sim: &Sim,
    org: &passkey_desk_core::OrgId,
    options: &CoverageOptions,
) -> (coverage::CoverageProgress, BTreeMap<String, Option<u32>>) {
    let desk = desk_with(sim, seed::ADMIN_IAM_OWNER, quick_retries());
    let mut rows = BTreeMap::new();
    let progress = coverage::count(&desk, org, options, |event| {
        if let CoverageEvent::Row(row) = event {
            let id = row.user.id.to_string();
            assert!(
                rows.insert(id.clone(), row.passkeys).is_none(),
                "{id} twice"
            );
        }
    })
    .await
    .unwrap();
    (progress, rows)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_people_counted_exactly_through_rate_limits_failures_and_a_slow_page() {
    let sim = sim().await;
    sim.seed_users(seed::INITECH_ORG_ID, 10_000).unwrap();
    let with = sim.seed_passkeys(seed::INITECH_ORG_ID, 3);
    let truth = sim.passkey_counts(seed::INITECH_ORG_ID);
    assert!(truth.len() > 9_000, "{}", truth.len());

    for kind in [
        FaultKind::RateLimit {
            retry_after_secs: Some(1),
        },
        FaultKind::RateLimit {
            retry_after_secs: None,
        },
        FaultKind::Status { status: 503 },
    ] {
        sim.inject(fault(PASSKEY_SEARCH, 40, kind));
    }
    sim.inject(fault(
        "/management/v1/users/_search",
        1,
        FaultKind::Delay { ms: 1_500 },
    ));
    sim.inject(fault(
        "/management/v1/users/_search",
        2,
        FaultKind::RateLimit {
            retry_after_secs: None,
        },
    ));

    let org = passkey_desk_core::OrgId::new(seed::INITECH_ORG_ID);
    let (progress, rows) = count_all(&sim, &org, &options()).await;

    let expected: BTreeMap<String, Option<u32>> = truth
        .iter()
        .map(|(id, n)| (id.clone(), Some(*n as u32)))
        .collect();
    assert_eq!(rows.len(), expected.len(), "nobody missed");
    let wrong: Vec<_> = rows
        .iter()
        .filter(|(id, n)| expected.get(*id) != Some(n))
        .take(5)
        .collect();
    let answers: Vec<_> = wrong
        .iter()
        .map(|(id, _)| {
            sim.requests()
                .into_iter()
                .filter(|r| r.path.contains(id.as_str()))
                .map(|r| r.status)
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "counts the simulator does not have: {wrong:?}, its answers {answers:?} ({progress:?})"
    );
    assert_eq!(progress.with_passkey as usize, with);
    assert_eq!(progress.without_passkey as usize, truth.len() - with);
    assert_eq!(progress.unreadable, 0);
    assert_eq!(progress.seen, progress.total.unwrap());
    assert_eq!(progress.seen, progress.active() + progress.not_active);
    let faulted = sim
        .requests()
        .iter()
        .filter(|r| r.status == 429 || r.status == 503)
        .count();
    assert_eq!(faulted, 122, "every injected fault was met");
}

#[tokio::test]
async fn the_count_streams_page_by_page_and_marks_the_unreadable() {
    let sim = sim().await;
    sim.seed_users(seed::INITECH_ORG_ID, 120).unwrap();
    let org = passkey_desk_core::OrgId::new(seed::INITECH_ORG_ID);
    let desk = desk_with(&sim, seed::ADMIN_IAM_OWNER, quick_retries());
    let page_calls = || {
        sim.requests()
            .iter()
            .filter(|r| r.path == "/management/v1/users/_search")
            .count()
    };
    // One person's list fails for good (a 500 on every try, bounded by the attempts).
    sim.inject(fault(PASSKEY_SEARCH, 6, FaultKind::Status { status: 500 }));
    let mut pages_at_first_row = None;
    let progress = coverage::count(
        &desk,
        &org,
        &CoverageOptions {
            page_size: 50,
            concurrency: 1,
            attempts: 3,
            ..options()
        },
        |event| {
            if let CoverageEvent::Row(_) = event {
                pages_at_first_row.get_or_insert_with(page_calls);
            }
        },
    )
    .await
    .unwrap();
    assert_eq!(
        pages_at_first_row,
        Some(1),
        "rows came before the next page was asked"
    );
    assert!(page_calls() >= 3, "{}", page_calls());
    // 6 failing answers at 3 attempts each: two people unreadable, the rest counted.
    assert_eq!(progress.unreadable, 2, "{progress:?}");
    assert_eq!(
        progress.active() as usize,
        sim.passkey_counts(seed::INITECH_ORG_ID).len()
    );
}

#[tokio::test]
async fn stopping_the_count_stops_the_calls() {
    let sim = sim().await;
    sim.seed_users(seed::INITECH_ORG_ID, 2_000).unwrap();
    let org = passkey_desk_core::OrgId::new(seed::INITECH_ORG_ID);
    let counted = Arc::new(Mutex::new(0usize));
    let task = {
        let (desk, counted, org) = (
            desk_with(&sim, seed::ADMIN_IAM_OWNER, quick_retries()),
            counted.clone(),
            org.clone(),
        );
        tokio::spawn(async move {
            let options = CoverageOptions {
                max_rate: 200,
                ..options()
            };
            coverage::count(&desk, &org, &options, |event| {
                if let CoverageEvent::Row(_) = event {
                    *counted.lock().unwrap() += 1;
                }
            })
            .await
        })
    };
    while *counted.lock().unwrap() < 20 {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    task.abort();
    let _ = task.await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    let calls = sim.requests().len();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(sim.requests().len(), calls, "no call after the stop");
    assert!(calls < 200, "stopped early: {calls} calls");
}

#[tokio::test]
async fn an_admin_who_may_not_read_the_org_gets_the_permission_error_at_once() {
    let sim = sim().await;
    let desk = desk(&sim, seed::ADMIN_ORG_OWNER);
    let e = coverage::count(&desk, &acme(), &options(), |_| {})
        .await
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::PermissionDenied, "{e}");
    assert_eq!(sim.requests().len(), 1, "no retries of a refusal");
}

#[tokio::test]
async fn the_csv_defuses_formulas_and_leaves_unreadable_counts_empty() {
    let sim = sim().await;
    let id = sim
        .add_human(seed::ACME_ORG_ID, "=cmd.evil", "=HYPERLINK(\"x\")", "Smith")
        .unwrap();
    let desk = desk(&sim, seed::ADMIN_IAM_OWNER);
    let mut lines = Vec::new();
    coverage::count(&desk, &acme(), &options(), |event| {
        if let CoverageEvent::Row(row) = event {
            if row.user.id.as_str() == id {
                lines.push(coverage::csv_row(&row));
                lines.push(coverage::csv_row(&coverage::CoverageRow {
                    passkeys: None,
                    ..row
                }));
            }
        }
    })
    .await
    .unwrap();
    assert_eq!(lines.len(), 2);
    assert!(lines[0].contains(",'=cmd.evil@"), "{}", lines[0]);
    assert!(
        lines[0].contains("\"'=HYPERLINK(\"\"x\"\") Smith\""),
        "{}",
        lines[0]
    );
    assert!(lines[0].ends_with(",0\r\n"), "{}", lines[0]);
    assert!(lines[1].ends_with(",\r\n"), "{}", lines[1]);
}
