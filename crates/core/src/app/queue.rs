//! The enrollment day in the window: a queue from a roster (or the search), *Next*, the
//! identity check before the link, *Skip*, *No-show*, *Back of the queue*, the day's results
//! as CSV and the remote wave. The queue of the current org is kept in the data dir
//! ([`QueueStore`]) and saved after every change, before the window hears of it.

use std::sync::Arc;

use super::state::WatchEnd;
use super::views::{ImportView, QueueView, Sending, UserRow};
use super::{lock, DeskApp, Shared};
use crate::coverage::CoverageOptions;
use crate::error::{Error, Result};
use crate::links::{BulkSend, IssuedLink, Links};
use crate::model::{Org, User};
use crate::queue::{Queue, QueueStore};
use crate::roster::{self, MatchCounts};

impl DeskApp {
    /// Reads a roster (the file's bytes) and looks everyone up in the current org; nobody is
    /// added yet: the window shows what each line found, then [`DeskApp::queue_import_accept`].
    pub async fn queue_import(&self, roster: &[u8]) -> Result<ImportView> {
        let shared = self.shared();
        shared.admin("import a roster")?;
        let (_, links) = shared.live()?;
        let org = shared.current_org()?;
        let roster = roster::parse_bytes(roster)?;
        let matches = shared
            .observe(
                roster::match_people(
                    links.desk(),
                    &org.id,
                    &roster,
                    &CoverageOptions::default(),
                    |_| {},
                )
                .await,
            )
            .await?;
        let ready: Vec<User> = matches.iter().filter_map(|m| m.ready().cloned()).collect();
        let queued_already = {
            let queue = lock(&shared.queue);
            ready
                .iter()
                .filter(|u| {
                    queue
                        .as_ref()
                        .is_some_and(|q| q.find(u.id.as_str()).is_some())
                })
                .count() as u32
        };
        *lock(&shared.pending_import) = ready;
        Ok(ImportView {
            counts: MatchCounts::of(&matches),
            matches,
            repeated: roster.repeated,
            column: roster.column,
            queued_already,
        })
    }

    /// Adds the people the last import found ready to the queue (after those already in it).
    pub async fn queue_import_accept(&self) -> Result<QueueView> {
        let shared = self.shared();
        shared.admin("add the roster to the queue")?;
        let people = std::mem::take(&mut *lock(&shared.pending_import));
        if people.is_empty() {
            return Err(Error::InvalidInput(
                "nobody to add: import a roster first".into(),
            ));
        }
        let now = shared.clock.now();
        shared
            .queue_change(true, |queue| {
                for user in &people {
                    queue.add(user, now);
                }
                Ok(())
            })
            .await?;
        shared.queue_view()
    }

    /// Adds one person of the current org (from the search) at the end of the queue.
    pub async fn queue_add(&self, user_id: &str) -> Result<QueueView> {
        let shared = self.shared();
        shared.admin("add a person to the queue")?;
        let (_, links) = shared.live()?;
        let org = shared.current_org()?;
        let user = shared
            .observe(links.desk().resolve_user(&org.id, user_id).await)
            .await?;
        crate::desk::ensure_can_register(&user)?;
        let now = shared.clock.now();
        shared
            .queue_change(true, |queue| {
                queue.add(&user, now);
                Ok(())
            })
            .await?;
        shared.queue_view()
    }

    /// *Next*: the first waiting person comes to the desk and is chosen (their panel shows
    /// who they are, for the identity check; the link follows once checked).
    pub async fn queue_next(&self) -> Result<UserRow> {
        let shared = self.shared();
        shared.admin("call the next person")?;
        let now = shared.clock.now();
        let user_id = shared
            .queue_change(false, |queue| {
                queue.call_next(now).map(|p| p.user_id.clone())
            })
            .await?;
        self.user_select(&user_id).await
    }

    /// *Skip*: not today. A link of theirs on screen closes.
    pub async fn queue_skip(&self, user_id: &str) -> Result<QueueView> {
        self.queue_finish(user_id, "skip a person", |q, id, now| q.skip(id, now))
            .await
    }

    /// Called, never came.
    pub async fn queue_no_show(&self, user_id: &str) -> Result<QueueView> {
        self.queue_finish(user_id, "mark a no-show", |q, id, now| q.no_show(id, now))
            .await
    }

    /// *Back of the queue*: waiting again, after everyone else; checked again when they
    /// come back. A link of theirs on screen closes.
    pub async fn queue_back(&self, user_id: &str) -> Result<QueueView> {
        self.queue_finish(
            user_id,
            "send a person to the back of the queue",
            |q, id, _| q.back(id),
        )
        .await
    }

    async fn queue_finish(
        &self,
        user_id: &str,
        what: &str,
        change: impl FnOnce(&mut Queue, &str, chrono::DateTime<chrono::Utc>) -> Result<()>,
    ) -> Result<QueueView> {
        let shared = self.shared();
        shared.admin(what)?;
        let now = shared.clock.now();
        shared
            .queue_change(false, |queue| change(queue, user_id, now))
            .await?;
        // Their link (or their ended link) leaves the screen with them.
        if lock(&shared.state).link_is_for(user_id) {
            shared.apply(|state| state.back_to_search()).await;
        }
        shared.queue_view()
    }

    /// Starts a new queue for the current org: the old one is kept aside in the data dir.
    pub async fn queue_new(&self) -> Result<()> {
        let shared = self.shared();
        shared.admin("start a new queue")?;
        let (instance, org) = shared.queue_place().await?;
        shared
            .queue_store()
            .archive(&instance, org.id.as_str(), shared.clock.now())?;
        *lock(&shared.queue) = None;
        shared.update(|state| state.queue_shown(None));
        Ok(())
    }

    /// The day's results as CSV in the Downloads folder; returns the path. Never on a kiosk.
    pub fn queue_export_csv(&self) -> Result<String> {
        let shared = self.shared();
        shared.not_kiosk("export the queue")?;
        let csv = lock(&shared.queue)
            .as_ref()
            .map(Queue::to_csv)
            .ok_or_else(|| {
                Error::InvalidInput("no queue to export: import a roster first".into())
            })?;
        let dir = shared
            .host
            .downloads_dir()
            .ok_or_else(|| Error::desktop("export the queue", "there is no Downloads folder"))?;
        let path = dir.join(format!(
            "passkey-desk-queue-{}.csv",
            shared.clock.now().format("%Y%m%d-%H%M%S")
        ));
        crate::files::write_atomic(&path, csv.as_bytes())?;
        Ok(path.display().to_string())
    }

    /// The remote wave: ZITADEL emails a link to everyone still waiting (the window asked for
    /// a yes with the count first; `verified`: how the wave was checked, where the org asks).
    /// Paced under ZITADEL Cloud's 50 requests per second; each send audited and the person
    /// marked sent at once; one failure does not stop the others.
    pub async fn queue_send_waiting(&self, verified: &[String]) -> Result<BulkSend> {
        let shared = self.shared();
        shared.admin("send links to everyone waiting")?;
        let (_, links) = shared.live()?;
        let org = shared.current_org()?;
        let waiting: Vec<User> = lock(&shared.queue)
            .as_ref()
            .map(|q| q.wave().map(|p| p.user_for(&org.id)).collect())
            .unwrap_or_default();
        if waiting.is_empty() {
            return Err(Error::QueueEmpty {
                org: org.name.clone(),
            });
        }
        let sent = shared
            .send_wave(&links, &org, &waiting, verified, |shared, done, of| {
                shared.queue_sending(Some(Sending { done, of }), None)
            })
            .await;
        shared.queue_sending(None, sent.as_ref().ok().cloned());
        sent
    }

    /// Sets the identity checklist of an org (the settings screen; never on a kiosk): saved
    /// in the config file, in force for the next link at once.
    pub async fn identity_checks_set(&self, org_id: &str, items: &[String]) -> Result<Vec<String>> {
        let shared = self.shared();
        shared.not_kiosk("change the identity checks")?;
        shared.admin("change the identity checks")?;
        let mut config = lock(&shared.config).clone();
        let mut checks = crate::checks::IdentityChecks::new(config.identity_checks.clone())?;
        checks.set(org_id, items)?;
        config.identity_checks = checks.all().clone();
        config.save_to(&shared.paths.config_file)?;
        *lock(&shared.config) = config;
        let list = checks.of(org_id).to_vec();
        if let Ok((_, links)) = shared.live() {
            links.set_identity_checks(checks);
        }
        let list_for_view = list.clone();
        shared.update(|state| state.identity_checks_changed(org_id, list_for_view));
        Ok(list)
    }
}

impl Shared {
    fn queue_store(&self) -> QueueStore {
        QueueStore::in_dir(&self.paths.data_dir)
    }

    /// The instance and org the current queue belongs to.
    async fn queue_place(&self) -> Result<(String, Org)> {
        let (session, _) = self.live()?;
        let org = self.current_org()?;
        Ok((session.info().await.instance, org))
    }

    /// Loads the current org's queue (after the org was chosen). A damaged file is left as it
    /// is and named in the log; the panel starts without a queue.
    pub(super) async fn queue_load(self: &Arc<Self>) {
        let Ok((instance, org)) = self.queue_place().await else {
            return;
        };
        let loaded = match self.queue_store().load(&instance, org.id.as_str()) {
            Ok(queue) => queue,
            Err(e) => {
                tracing::warn!(error = %e, "the queue could not be read");
                None
            }
        };
        let view = loaded.as_ref().map(QueueView::of);
        *lock(&self.queue) = loaded;
        self.update(|state| state.queue_shown(view));
    }

    fn queue_view(&self) -> Result<QueueView> {
        lock(&self.state)
            .queue()
            .cloned()
            .ok_or_else(|| Error::InvalidInput("no queue: import a roster first".into()))
    }

    /// Changes the current org's queue (made when `create` and there is none): the change is
    /// made on a copy, saved, and only then the queue and the window's view — so a failed
    /// save loses nothing and shows nothing that is not on disk.
    async fn queue_change<T>(
        self: &Arc<Self>,
        create: bool,
        change: impl FnOnce(&mut Queue) -> Result<T>,
    ) -> Result<T> {
        let (instance, org) = self.queue_place().await?;
        let now = self.clock.now();
        let mut guard = lock(&self.queue);
        let mut queue = match guard.as_ref() {
            Some(q) if q.org_id == org.id.as_str() && q.instance == instance => q.clone(),
            _ if create => Queue::new(&instance, org.id.as_str(), &org.name, now),
            _ => {
                return Err(Error::InvalidInput(
                    "no queue for this organisation: import a roster or add people first".into(),
                ))
            }
        };
        let answer = change(&mut queue)?;
        self.queue_store().save(&queue)?;
        let view = QueueView::of(&queue);
        *guard = Some(queue);
        drop(guard);
        self.update(|state| state.queue_shown(Some(view)));
        Ok(answer)
    }

    /// A change the core makes on its own (a link shown, registered, expired, sent): saved
    /// like the admin's; a failure is logged (nobody is waiting for an answer).
    fn queue_note(self: &Arc<Self>, change: impl FnOnce(&mut Queue) -> bool) {
        let mut guard = lock(&self.queue);
        let Some(queue) = guard.as_mut() else { return };
        let mut changed = queue.clone();
        if !change(&mut changed) || changed == *queue {
            return;
        }
        if let Err(e) = self.queue_store().save(&changed) {
            tracing::warn!(error = %e, "the queue could not be saved");
            return;
        }
        let view = QueueView::of(&changed);
        *queue = changed;
        drop(guard);
        self.update(|state| {
            let (sending, sent) = state
                .queue()
                .map(|q| (q.sending, q.sent.clone()))
                .unwrap_or_default();
            state.queue_shown(Some(QueueView {
                sending,
                sent,
                ..view
            }))
        });
    }

    /// Asks ZITADEL to email each of `people` a link, paced under ZITADEL Cloud's 50
    /// requests per second (each send audited by [`Links::send_all`]); whoever of them waits
    /// in the queue is marked sent at once. `progress(done, of)` from 0 to the end.
    pub(super) async fn send_wave(
        self: &Arc<Self>,
        links: &Links,
        org: &Org,
        people: &[User],
        verified: &[String],
        mut progress: impl FnMut(&Arc<Self>, u32, u32),
    ) -> Result<BulkSend> {
        let of = people.len() as u32;
        let mut done = 0;
        progress(self, done, of);
        let sent = links
            .send_all(
                org,
                people,
                CoverageOptions::default().max_rate,
                verified,
                |user, outcome| {
                    done += 1;
                    if outcome.is_ok() {
                        self.queue_sent(user);
                    }
                    progress(self, done, of);
                },
            )
            .await;
        self.observe(sent).await
    }

    /// A link for the person at the desk is on screen: they were checked as its audit entry
    /// says, and shown the link.
    pub(super) fn queue_link_shown(self: &Arc<Self>, issued: &IssuedLink) {
        let now = self.clock.now();
        let id = issued.user.id.as_str();
        self.queue_note(|queue| {
            queue.current.as_deref() == Some(id)
                && queue
                    .checked(id, issued.subject.verified.clone(), now)
                    .is_ok()
                && queue.link_shown(id, now).is_ok()
        });
    }

    /// A link's watch ended: registered or expired, for a person of the queue.
    pub(super) fn queue_link_ended(self: &Arc<Self>, user: &User, end: &WatchEnd) {
        let passkey = match end {
            WatchEnd::Registered(passkey, _) => Some(passkey.name.clone()),
            WatchEnd::Expired => None,
            WatchEnd::Failed(_) => return,
        };
        let now = self.clock.now();
        self.queue_note(|queue| {
            queue.link_ended(user.id.as_str(), passkey, now);
            true
        });
    }

    /// ZITADEL emailed `user` a link: someone waiting in the queue is marked sent.
    pub(super) fn queue_sent(self: &Arc<Self>, user: &User) {
        let now = self.clock.now();
        self.queue_note(|queue| queue.sent(user.id.as_str(), now).is_ok());
    }

    fn queue_sending(self: &Arc<Self>, sending: Option<Sending>, sent: Option<BulkSend>) {
        self.update(|state| {
            if let Some(view) = state.queue().cloned() {
                state.queue_shown(Some(QueueView {
                    sending,
                    sent: sent.or(view.sent.clone()).filter(|_| sending.is_none()),
                    ..view
                }));
            }
        });
    }
}
