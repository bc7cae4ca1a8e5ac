//! Rollout coverage of an organisation: how many of its active people have at least one
//! passkey, and who has none — for the window's coverage panel and `passkey-desk-cli coverage`.
//!
//! It pages through the org's human users (by user name, so pages never overlap), asks each
//! active person's passkey list with bounded concurrency, never faster than the rate it is
//! given (ZITADEL Cloud allows 50 requests per second), and hands every person to the caller
//! as soon as they are counted: one page is in memory at a time, plus the ids already seen
//! (so nobody is counted twice). When the server says it is overloaded (429, 503, a timeout)
//! the whole count holds off — for the server's `Retry-After` when it names one, else for a
//! doubling backoff — and the person is asked again: a rate limit is not a failure, it only
//! slows the count. A person counts as unreadable only after `attempts` failures other than
//! rate limits (or 20 rate limits in a row). Dropping the future stops the calls.

use std::collections::HashSet;
use std::time::Duration;

use futures_util::stream::{self, StreamExt};
use serde::Serialize;
#[cfg(feature = "ts")]
use ts_rs::TS;

use crate::client::{MatchMode, UserSearch};
use crate::desk::Desk;
use crate::error::{Error, Result};
use crate::model::{OrgId, User, UserState};

/// How a coverage count treats the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CoverageOptions {
    /// Passkey lists asked at the same time.
    pub concurrency: usize,
    /// At most this many requests per second (0: no limit).
    pub max_rate: u32,
    /// Users per page of the user list.
    pub page_size: u32,
    /// How many failures (besides rate limits) one person's list may meet before they count
    /// as unreadable.
    pub attempts: u32,
    /// The first wait after a failure when the server named none; doubled for each further
    /// one of the same person, up to [`MAX_BACKOFF`].
    pub backoff: Duration,
}

impl Default for CoverageOptions {
    fn default() -> Self {
        CoverageOptions {
            concurrency: 8,
            max_rate: 50,
            page_size: 200,
            attempts: 5,
            backoff: Duration::from_secs(1),
        }
    }
}

/// Rate-limit answers one person's list may meet before they count as unreadable.
pub const RATE_LIMITED_TRIES: u32 = 20;
/// The longest wait between two tries of the same request.
pub const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// One active person and how many passkeys they have (`None`: could not be read).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct CoverageRow {
    pub user: User,
    pub passkeys: Option<u32>,
}

/// The count so far (and at the end).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(TS), ts(export))]
#[serde(rename_all = "camelCase")]
pub struct CoverageProgress {
    /// Human users the server reports for the org (every state), once the first page came.
    #[cfg_attr(feature = "ts", ts(type = "number | null"))]
    pub total: Option<u64>,
    /// Human users looked at so far (every state).
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub seen: u64,
    /// Active people with at least one passkey.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub with_passkey: u64,
    /// Active people without any.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub without_passkey: u64,
    /// Active people whose passkeys could not be read.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub unreadable: u64,
    /// People who are not active (locked, inactive, not yet initialised …): not counted.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub not_active: u64,
}

impl CoverageProgress {
    /// Active people counted so far.
    pub fn active(&self) -> u64 {
        self.with_passkey + self.without_passkey + self.unreadable
    }

    /// The share of counted active people with a passkey, in percent (`None` before any).
    pub fn percent(&self) -> Option<f64> {
        let known = self.with_passkey + self.without_passkey;
        (known > 0).then(|| self.with_passkey as f64 * 100.0 / known as f64)
    }

    fn count(&mut self, row: &CoverageRow) {
        match row.passkeys {
            Some(0) => self.without_passkey += 1,
            Some(_) => self.with_passkey += 1,
            None => self.unreadable += 1,
        }
    }
}

/// What a running count reports, in order: each person once, and the progress after them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CoverageEvent {
    Row(CoverageRow),
    Progress(CoverageProgress),
}

/// Who is counted: active people (an `Initial` user has not signed in yet, a locked one
/// cannot; neither is part of the rollout).
fn counted(user: &User) -> bool {
    user.state == UserState::Active
}

/// Requests spaced at least `1 / rate` apart, whoever sends them; after an overloaded answer
/// nobody sends until the hold is over.
pub(crate) struct Pacer {
    gap: Duration,
    next: tokio::sync::Mutex<tokio::time::Instant>,
}

impl Pacer {
    pub(crate) fn new(rate: u32) -> Pacer {
        Pacer {
            gap: if rate == 0 {
                Duration::ZERO
            } else {
                Duration::from_secs(1) / rate
            },
            next: tokio::sync::Mutex::new(tokio::time::Instant::now()),
        }
    }

    pub(crate) async fn turn(&self) {
        let at = {
            let mut next = self.next.lock().await;
            let at = (*next).max(tokio::time::Instant::now());
            *next = at + self.gap;
            at
        };
        tokio::time::sleep_until(at).await;
    }

    /// Nobody's next request before `wait` from now.
    async fn hold(&self, wait: Duration) {
        let mut next = self.next.lock().await;
        *next = (*next).max(tokio::time::Instant::now() + wait);
    }
}

/// The tries of one request: how many rate limits and failures it met so far.
#[derive(Default)]
struct Tries {
    limited: u32,
    failed: u32,
}

impl Tries {
    /// After `e`: how long the whole count holds off before this request is tried again, or
    /// `None` when it is not worth another try (a refusal, or too many failures).
    fn again(&mut self, e: &Error, options: &CoverageOptions) -> Option<Duration> {
        let doubled = |n: u32| {
            options
                .backoff
                .saturating_mul(1 << n.saturating_sub(1).min(10))
                .min(MAX_BACKOFF)
        };
        match e {
            Error::RateLimited { retry_after } if self.limited + 1 < RATE_LIMITED_TRIES => {
                self.limited += 1;
                Some(retry_after.map_or_else(|| doubled(self.limited), |w| w.min(MAX_BACKOFF)))
            }
            Error::Unavailable { .. } | Error::Timeout { .. } | Error::Network { .. }
                if self.failed + 1 < options.attempts =>
            {
                self.failed += 1;
                Some(doubled(self.failed))
            }
            Error::Server { status, .. }
                if *status >= 500 && self.failed + 1 < options.attempts =>
            {
                self.failed += 1;
                Some(doubled(self.failed))
            }
            _ => None,
        }
    }
}

/// Counts the passkey coverage of `org`, calling `report` for every person and after each of
/// them with the progress. An error that ends the count (the session, a missing permission,
/// the user list itself failing for good) is returned; what was reported until then stands.
pub async fn count(
    desk: &Desk,
    org: &OrgId,
    options: &CoverageOptions,
    mut report: impl FnMut(CoverageEvent),
) -> Result<CoverageProgress> {
    let pacer = Pacer::new(options.max_rate);
    let mut progress = CoverageProgress::default();
    let mut seen: HashSet<String> = HashSet::new();
    let mut offset = 0u64;
    loop {
        let search = UserSearch {
            text: String::new(),
            mode: MatchMode::Contains,
            humans_only: true,
            offset,
            limit: options.page_size.max(1),
        };
        let page = page(desk, org, &search, &pacer, options).await?;
        progress.total = Some(page.total);
        let fetched = page.users.len() as u64;
        offset += fetched;
        let mut people = Vec::new();
        for user in page.users {
            if !seen.insert(user.id.to_string()) {
                continue;
            }
            progress.seen += 1;
            if counted(&user) {
                people.push(user);
            } else {
                progress.not_active += 1;
            }
        }
        let mut rows = stream::iter(people)
            .map(|user| passkeys_of(desk, org, user, &pacer, options))
            .buffer_unordered(options.concurrency.max(1));
        while let Some(row) = rows.next().await {
            progress.count(&row);
            report(CoverageEvent::Row(row));
            report(CoverageEvent::Progress(progress.clone()));
        }
        if fetched == 0 || offset >= page.total {
            break;
        }
    }
    progress.total = Some(progress.total.unwrap_or(0).max(progress.seen));
    report(CoverageEvent::Progress(progress.clone()));
    Ok(progress)
}

/// One page of the user list, tried again like a passkey list when the server is busy.
async fn page(
    desk: &Desk,
    org: &OrgId,
    search: &UserSearch,
    pacer: &Pacer,
    options: &CoverageOptions,
) -> Result<crate::model::UserPage> {
    paced(pacer, options, || desk.client().list_users(org, search)).await
}

/// One call in its turn of `pacer`, tried again after a rate limit (as long as the server
/// asks, up to [`RATE_LIMITED_TRIES`]) or a failure that may pass (`options.attempts`), with
/// everyone held off meanwhile.
pub(crate) async fn paced<T, F, Fut>(pacer: &Pacer, options: &CoverageOptions, call: F) -> Result<T>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
{
    let mut tries = Tries::default();
    loop {
        pacer.turn().await;
        match call().await {
            Ok(answer) => return Ok(answer),
            Err(e) => match tries.again(&e, options) {
                Some(wait) => {
                    tracing::debug!(code = e.code().as_str(), "busy; trying again");
                    pacer.hold(wait).await;
                }
                None => return Err(e),
            },
        }
    }
}

/// One person's passkey count; unreadable when [`Tries::again`] gives up.
async fn passkeys_of(
    desk: &Desk,
    org: &OrgId,
    user: User,
    pacer: &Pacer,
    options: &CoverageOptions,
) -> CoverageRow {
    match paced(pacer, options, || {
        desk.client().list_passkeys(org, &user.id)
    })
    .await
    {
        Ok(keys) => CoverageRow {
            passkeys: Some(u32::try_from(keys.len()).unwrap_or(u32::MAX)),
            user,
        },
        Err(e) => {
            tracing::debug!(code = e.code().as_str(), user = %user.id, "passkeys unreadable");
            CoverageRow {
                passkeys: None,
                user,
            }
        }
    }
}

/// The CSV header of [`csv_row`].
pub const CSV_HEADER: &str = "user_id,login_name,display_name,email,passkeys\r\n";

/// One person as a CSV line (RFC 4180, CRLF; cells a spreadsheet would run as a formula are
/// defused as in the audit export). `passkeys` is empty when it could not be read.
pub fn csv_row(row: &CoverageRow) -> String {
    let cells = [
        row.user.id.to_string(),
        row.user.login_name.clone(),
        row.user.display_name.clone(),
        row.user.email.clone().unwrap_or_default(),
        row.passkeys.map(|n| n.to_string()).unwrap_or_default(),
    ];
    let mut line = cells
        .iter()
        .map(|c| crate::audit::csv_cell(c))
        .collect::<Vec<_>>()
        .join(",");
    line.push_str("\r\n");
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_share_counts_only_readable_people() {
        let p = CoverageProgress {
            with_passkey: 3,
            without_passkey: 1,
            unreadable: 4,
            ..CoverageProgress::default()
        };
        assert_eq!(p.percent(), Some(75.0));
        assert_eq!(p.active(), 8);
        assert_eq!(CoverageProgress::default().percent(), None);
    }

    #[test]
    fn rate_limits_only_slow_the_count_and_failures_end_after_the_attempts() {
        let options = CoverageOptions {
            attempts: 3,
            backoff: Duration::from_millis(100),
            ..CoverageOptions::default()
        };
        let limited = Error::RateLimited { retry_after: None };
        let mut tries = Tries::default();
        let waits: Vec<_> = (0..RATE_LIMITED_TRIES)
            .map(|_| tries.again(&limited, &options))
            .collect();
        assert_eq!(waits[0], Some(Duration::from_millis(100)));
        assert_eq!(waits[3], Some(Duration::from_millis(800)));
        assert_eq!(waits[18], Some(MAX_BACKOFF), "capped");
        assert_eq!(waits[19], None, "gives up after {RATE_LIMITED_TRIES}");
        // The server's Retry-After wins over the backoff.
        let named = Error::RateLimited {
            retry_after: Some(Duration::from_secs(2)),
        };
        assert_eq!(
            Tries::default().again(&named, &options),
            Some(Duration::from_secs(2))
        );

        let mut tries = Tries::default();
        let down = Error::Unavailable { status: 503 };
        assert!(tries.again(&down, &options).is_some());
        assert!(
            tries.again(&limited, &options).is_some(),
            "a rate limit does not count"
        );
        assert!(tries.again(&down, &options).is_some());
        assert_eq!(
            tries.again(&down, &options),
            None,
            "the third failure ends it"
        );

        let refused = Error::PermissionDenied {
            org: "o".into(),
            permission: "user.read".into(),
            send_allowed: None,
        };
        assert_eq!(Tries::default().again(&refused, &options), None);
    }

    #[tokio::test(start_paused = true)]
    async fn the_pacer_spaces_requests_whoever_sends_them() {
        let pacer = std::sync::Arc::new(Pacer::new(50));
        let start = tokio::time::Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..4 {
            let pacer = pacer.clone();
            tasks.push(tokio::spawn(async move {
                for _ in 0..25 {
                    pacer.turn().await;
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        // 100 turns at 50/s: the last one 99 gaps of 20 ms after the first.
        assert_eq!(start.elapsed(), Duration::from_millis(1980));

        // A hold keeps everyone waiting, also without a rate.
        let free = Pacer::new(0);
        free.hold(Duration::from_secs(3)).await;
        let start = tokio::time::Instant::now();
        free.turn().await;
        free.turn().await;
        assert_eq!(start.elapsed(), Duration::from_secs(3));
    }
}
