//! The coverage panel's commands: count the current org's rollout coverage in the background
//! (its progress and the people without a passkey pushed with the desk's view), stop it, and
//! ask ZITADEL to email a link to everyone it found without one.

use std::sync::Arc;

use super::views::{CoveragePhase, CoverageView};
use super::{lock, DeskApp, Shared};
use crate::coverage::{self, CoverageEvent, CoverageOptions};
use crate::error::{Error, Result};
use crate::model::User;

/// How many of the people without a passkey the panel lists (the count says how many more).
pub const COVERAGE_LISTED: usize = 200;
/// Rows between two pushes of the progress (and the last one at the end).
const PUSH_EVERY: u64 = 25;

impl DeskApp {
    /// Starts counting the current org's coverage (a count already running for it goes on;
    /// one of another org was stopped when the org changed).
    pub fn coverage_start(&self) -> Result<CoverageView> {
        let shared = self.shared();
        shared.admin("count the passkey coverage")?;
        let (_, links) = shared.live()?;
        let org = shared.current_org()?;
        if let Some(view) = lock(&shared.state).coverage().cloned() {
            if view.org_id == org.id.as_str() && view.phase == CoveragePhase::Counting {
                return Ok(view);
            }
        }
        let generation = shared.update(|state| state.next_generation());
        let view = CoverageView::counting(org.id.to_string(), generation);
        let started = view.clone();
        shared.apply_now(|state| state.coverage_started(started));
        lock(&shared.coverage_without).clear();

        let app = Arc::downgrade(shared);
        let task = tokio::spawn(async move {
            let desk = links.desk().clone();
            let mut rows = 0u64;
            let counted = coverage::count(&desk, &org.id, &CoverageOptions::default(), |event| {
                let Some(shared) = app.upgrade() else { return };
                match event {
                    CoverageEvent::Row(row) => {
                        rows += 1;
                        if row.passkeys == Some(0) {
                            lock(&shared.coverage_without).push(row.user);
                        }
                    }
                    CoverageEvent::Progress(progress) => {
                        if rows.is_multiple_of(PUSH_EVERY) {
                            let without = listed(&shared);
                            shared.update(|state| {
                                state.coverage_progress(generation, progress, without)
                            });
                        }
                    }
                }
            })
            .await;
            if let Some(shared) = app.upgrade() {
                let without = listed(&shared);
                let result = counted.map_err(|e| e.to_report());
                shared.apply_now(|state| state.coverage_ended(generation, result, without));
            }
        });
        *lock(&shared.coverage_task) = Some(task);
        Ok(view)
    }

    /// Stops the running count; what it counted stays on the panel.
    pub fn coverage_stop(&self) -> Result<()> {
        let shared = self.shared();
        shared.admin("stop the count")?;
        if let Some(task) = lock(&shared.coverage_task).take() {
            task.abort();
        }
        let without = listed(shared);
        shared.apply_now(|state| state.coverage_stopped(without));
        Ok(())
    }

    /// Asks ZITADEL to email a registration link to everyone the finished count found without
    /// a passkey (the window asked for a yes with the count first): paced under ZITADEL
    /// Cloud's 50 requests per second, each audited; one failure does not stop the others,
    /// the panel lists them at the end.
    ///
    /// `verified`: where the org asks for an identity check, how this wave was checked
    /// (e.g. "Manager approved"), recorded in every entry.
    pub async fn coverage_send(&self, verified: &[String]) -> Result<CoverageView> {
        let shared = self.shared();
        shared.admin("send links to everyone without a passkey")?;
        let (_, links) = shared.live()?;
        let org = shared.current_org()?;
        let ready = lock(&shared.state)
            .coverage()
            .is_some_and(|c| c.org_id == org.id.as_str() && c.phase == CoveragePhase::Done);
        if !ready {
            return Err(Error::InvalidInput(
                "count the coverage first: the links go to the people it found without a passkey"
                    .into(),
            ));
        }
        let people: Vec<User> = lock(&shared.coverage_without).clone();
        let sent = shared
            .send_wave(&links, &org, &people, verified, |shared, done, of| {
                shared.update(|state| state.coverage_sending(done, of))
            })
            .await;
        shared.update(|state| state.coverage_sent(sent.as_ref().ok().cloned()));
        sent?;
        lock(&shared.state).coverage().cloned().ok_or(Error::NoOrg)
    }
}

/// The first people without a passkey, as the panel lists them, and how many there are.
fn listed(shared: &Shared) -> (Vec<User>, u64) {
    let all = lock(&shared.coverage_without);
    (
        all.iter().take(COVERAGE_LISTED).cloned().collect(),
        all.len() as u64,
    )
}

impl CoverageView {
    fn counting(org_id: String, generation: u64) -> CoverageView {
        CoverageView {
            org_id,
            generation,
            phase: CoveragePhase::Counting,
            progress: Default::default(),
            without: Vec::new(),
            without_total: 0,
            error: None,
            sending: None,
            sent: None,
        }
    }
}
