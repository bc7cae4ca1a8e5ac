//! The admin's work: the organisation, the person, the link and what can be done with it,
//! and the audit log. Every command here is refused while a kiosk is locked.

use std::sync::Arc;

use super::state::{Live, WatchEnd};
use super::views::{LinkView, OrgView, PasskeyCount, SavedPng, UserRow};
use super::{lock, DeskApp, Shared, Watch, SEARCH_LIMIT};
use crate::audit::{AuditAction, AuditEntry, AuditFilter};
use crate::client::Authenticator;
use crate::clock::Timer;
use crate::error::{Error, Result};
use crate::links::IssuedLink;
use crate::model::{Org, Passkey, Registration, User};
use crate::qr::Qr;

impl DeskApp {
    // ---- organisations ------------------------------------------------------------------------

    /// The orgs the admin may act in: read once per session; `refresh` reads them again
    /// (an org added or a role granted meanwhile).
    pub async fn orgs_list(&self, refresh: bool) -> Result<Vec<Org>> {
        let shared = self.shared();
        shared.admin("list the organisations")?;
        shared.observe(shared.orgs(refresh).await).await
    }

    /// Chooses the org to act in, reads the admin's permissions there, and remembers it.
    /// Another org closes the link on screen and forgets the person.
    pub async fn org_select(&self, org_id: &str) -> Result<OrgView> {
        let shared = self.shared();
        shared.admin("choose an organisation")?;
        let view = shared.observe(shared.org_view(org_id).await).await?;
        let (session, _) = shared.live()?;
        shared
            .prefs()
            .remember_org(&session.info().await.instance, view.org.id.as_str())?;
        let chosen = view.clone();
        shared.apply(|state| state.org_chosen(chosen)).await;
        shared.queue_load().await;
        Ok(view)
    }

    /// The org on screen, else the remembered (or configured) one with fresh permissions;
    /// forgotten if the server says it is gone.
    pub async fn org_current(&self) -> Result<Option<OrgView>> {
        self.shared().admin("choose an organisation")?;
        self.org_restore().await
    }

    pub(super) async fn org_restore(&self) -> Result<Option<OrgView>> {
        let shared = self.shared();
        if let Some(view) = lock(&shared.state).org().cloned() {
            return Ok(Some(view));
        }
        let (session, _) = shared.live()?;
        let instance = session.info().await.instance;
        let remembered = shared.prefs().last_org(&instance)?;
        let configured = lock(&shared.config).default_org.clone();
        let Some(org_id) = remembered.or(configured) else {
            return Ok(None);
        };
        match shared.observe(shared.org_view(&org_id).await).await {
            Ok(view) => {
                let chosen = view.clone();
                shared.apply(|state| state.org_chosen(chosen)).await;
                shared.queue_load().await;
                Ok(Some(view))
            }
            Err(Error::OrgNotFound { .. }) => {
                shared.prefs().forget_org(&instance)?;
                shared.apply(|state| state.org_cleared()).await;
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    // ---- people -------------------------------------------------------------------------------

    /// People of the current org matching `query`: one search call, no passkey counts (those
    /// are asked once the query has settled, not on every keystroke).
    pub async fn users_search(&self, query: &str) -> Result<Vec<UserRow>> {
        let shared = self.shared();
        shared.admin("search people")?;
        let rows = shared.observe(shared.search(query).await).await?;
        *lock(&shared.results) = rows.clone();
        Ok(rows)
    }

    /// The passkey counts of the last search's people (read in parallel), for the window to
    /// show once the admin stopped typing. Only the people of that search are counted.
    pub async fn passkey_counts(&self) -> Result<Vec<PasskeyCount>> {
        let shared = self.shared();
        shared.admin("count passkeys")?;
        let (_, links) = shared.live()?;
        let org = shared.current_org()?;
        let ids: Vec<_> = lock(&shared.results)
            .iter()
            .filter(|r| r.user.org_id == org.id)
            .map(|r| r.user.id.clone())
            .collect();
        let desk = links.desk();
        let mut counts = tokio::task::JoinSet::new();
        for id in ids {
            let (desk, org) = (desk.clone(), org.id.clone());
            counts.spawn(async move {
                let count = desk
                    .client()
                    .list_passkeys(&org, &id)
                    .await
                    .ok()
                    .map(|p| p.len() as u32);
                PasskeyCount {
                    user_id: id.to_string(),
                    count,
                }
            });
        }
        let mut found = Vec::new();
        while let Some(joined) = counts.join_next().await {
            if let Ok(count) = joined {
                found.push(count);
            }
        }
        let mut results = lock(&shared.results);
        for row in results.iter_mut() {
            if let Some(c) = found.iter().find(|c| c.user_id == row.user.id.as_str()) {
                row.passkey_count = c.count;
            }
        }
        found.sort_by_key(|c| {
            results
                .iter()
                .position(|r| r.user.id.as_str() == c.user_id)
                .unwrap_or(usize::MAX)
        });
        Ok(found)
    }

    /// Chooses the person to work for (from the last search, else looked up in the org). A
    /// link for someone else closes.
    pub async fn user_select(&self, user_id: &str) -> Result<UserRow> {
        let shared = self.shared();
        shared.admin("choose a person")?;
        let found = lock(&shared.results)
            .iter()
            .find(|r| r.user.id.as_str() == user_id)
            .cloned();
        let row = match found {
            Some(row) => row,
            None => {
                let (_, links) = shared.live()?;
                let org = shared.current_org()?;
                let user = shared
                    .observe(links.desk().resolve_user(&org.id, user_id).await)
                    .await?;
                UserRow {
                    user,
                    passkey_count: None,
                }
            }
        };
        let chosen = row.clone();
        shared.apply(|state| state.user_selected(chosen)).await;
        Ok(row)
    }

    /// The passkeys of a person of the current org (name and state; ZITADEL gives no date).
    pub async fn passkeys_list(&self, user_id: &str) -> Result<Vec<Passkey>> {
        let shared = self.shared();
        shared.admin("list passkeys")?;
        let (_, links) = shared.live()?;
        let org = shared.current_org()?;
        let (user, passkeys) = shared
            .observe(links.desk().passkeys(&org.id, user_id).await)
            .await?;
        shared.counted(&user, passkeys.len());
        Ok(passkeys)
    }

    /// Removes one passkey (by id) of a person of the current org — from the person's panel,
    /// or *Not the person's device?* after a registration. The permission, the person and the
    /// passkey are checked first; `removed` is audited. Answers the passkeys left.
    pub async fn passkey_remove(&self, user_id: &str, passkey_id: &str) -> Result<Vec<Passkey>> {
        let shared = self.shared();
        shared.admin("remove a passkey")?;
        let (_, links) = shared.live()?;
        let org = shared.current_org()?;
        let (user, _) = shared
            .observe(links.remove_passkey(&org, user_id, passkey_id).await)
            .await?;
        let left = shared
            .observe(links.desk().client().list_passkeys(&org.id, &user.id).await)
            .await?;
        shared.counted(&user, left.len());
        Ok(left)
    }

    /// "Back to search" and "Next person": the link on screen is closed (its watch stops, the
    /// clipboard forgets it, the audit says so) and the person is forgotten.
    pub async fn back_to_search(&self) -> Result<()> {
        let shared = self.shared();
        shared.admin("go back to the search")?;
        shared.apply(|state| state.back_to_search()).await;
        Ok(())
    }

    // ---- the link -----------------------------------------------------------------------------

    /// Creates a link for a person of the current org. Another person's link on screen is
    /// closed first; the same person's is replaced when the new one exists (*New link* after a
    /// code died: no welcome in between on the public screen). The new one's watch looks for
    /// the registration; a kiosk locks as soon as it shows.
    ///
    /// `verified`: how the person's identity was checked (the org's checklist items the
    /// admin ticked); where the org has a checklist, no link without one. A person of the
    /// day's queue who is at the desk is marked checked and shown the link.
    pub async fn link_create(
        &self,
        user_id: &str,
        authenticator: Authenticator,
        verified: &[String],
    ) -> Result<LinkView> {
        self.shared().admin("create a link")?;
        self.shared()
            .create_link(user_id, authenticator, Vec::new(), verified)
            .await
    }

    /// Replaces a lost or old device: `passkeys` (ids or names) of the person are removed —
    /// once the new link's passkey is registered, so the person is never left with none, or
    /// at once when the old device was `stolen` (then the link is made only if all of them
    /// went). Each removal is audited, and one `replaced` entry names the new passkey.
    pub async fn link_replace(
        &self,
        user_id: &str,
        passkeys: &[String],
        stolen: bool,
        authenticator: Authenticator,
        verified: &[String],
    ) -> Result<LinkView> {
        let shared = self.shared();
        shared.admin("replace a device")?;
        let (_, links) = shared.live()?;
        let org = shared.current_org()?;
        if passkeys.is_empty() {
            return Err(Error::InvalidInput(
                "choose the old device's passkeys to replace".into(),
            ));
        }
        // The identity check comes first: a stolen device's passkeys never go for someone
        // who was not checked.
        links.check_identity(&org, verified)?;
        shared
            .observe(links.desk().may_replace(&org.id).await)
            .await?;
        let (user, old) = shared
            .observe(links.choose_passkeys(&org, user_id, passkeys).await)
            .await?;
        if !stolen {
            return shared
                .create_link(user.id.as_str(), authenticator, old, verified)
                .await;
        }
        let retired = links.retire(&org, &user, &old, None).await;
        if let Some(error) = retired.iter().find_map(|r| r.error.clone()) {
            return Err(Error::Forbidden {
                id: error.code.as_str().into(),
                reason: format!(
                    "the stolen device's passkeys could not all be removed, so no new link was made: {}",
                    error.message
                ),
            });
        }
        shared
            .create_link(user.id.as_str(), authenticator, Vec::new(), verified)
            .await
    }

    /// The admin's Close: the link is wiped everywhere (the public screen shows the welcome).
    pub async fn link_close(&self) -> Result<()> {
        let shared = self.shared();
        shared.admin("close the link")?;
        shared.apply(|state| state.close_link()).await;
        Ok(())
    }

    /// Copies the link; clears the clipboard later if it still holds the link. Never on a
    /// kiosk.
    pub fn link_copy(&self) -> Result<()> {
        let shared = self.shared();
        shared.not_kiosk("copy the link")?;
        let (live, subject) = shared.touch_link()?;
        let written = shared.host.write_clipboard(&live.link);
        shared.record(&subject, AuditAction::Copied, &written);
        written?;
        let secs = shared.settings_view().clipboard_clear_secs;
        if secs > 0 {
            let (host, link) = (shared.host.clone(), live.link);
            let sleep = shared.clock.sleep(
                std::time::Duration::from_secs(u64::from(secs)),
                Timer::Clipboard,
            );
            tokio::spawn(async move {
                sleep.await;
                if host.read_clipboard().as_deref() == Some(link.as_str()) {
                    let _ = host.write_clipboard("");
                }
            });
        }
        Ok(())
    }

    /// Opens the mail client with the link, addressed to the person. Never on a kiosk. An
    /// address ZITADEL has not verified could be anyone's: refused until the admin
    /// `confirmed` it with the person.
    pub fn link_email(&self, confirmed: bool) -> Result<()> {
        let shared = self.shared();
        shared.not_kiosk("email the link")?;
        let (live, subject) = shared.touch_link()?;
        if !live.user.email_verified && !confirmed {
            return Err(Error::EmailUnverified {
                user: crate::error::sanitize(live.user.label(), 100),
            });
        }
        let opened = shared
            .host
            .open(crate::link::mailto(&live.user, &live.link, live.expires_at).as_str());
        shared.record(&subject, AuditAction::Emailed, &opened);
        opened
    }

    /// Saves the QR as a 1024 px PNG in the Downloads folder (0600); returns where and until
    /// when the link in it works. Audited. Never on a kiosk.
    pub fn link_save_png(&self) -> Result<SavedPng> {
        let shared = self.shared();
        shared.not_kiosk("save the QR code")?;
        let (live, subject) = shared.touch_link()?;
        let saved = Self::save_png(shared, &live);
        shared.record(&subject, AuditAction::SavedPng, &saved);
        saved
    }

    /// The admin prints the QR (the window's print dialog opens after this): audited. Never
    /// on a kiosk.
    pub fn link_print(&self) -> Result<()> {
        let shared = self.shared();
        shared.not_kiosk("print the QR code")?;
        let (_, subject) = shared.touch_link()?;
        shared.record(&subject, AuditAction::Printed, &Ok(()));
        Ok(())
    }

    fn save_png(shared: &Shared, live: &LinkView) -> Result<SavedPng> {
        let dir = shared
            .host
            .downloads_dir()
            .ok_or_else(|| Error::desktop("save the QR code", "there is no Downloads folder"))?;
        let path = dir.join(format!(
            "passkey-link-{}-{}.png",
            file_safe(&live.user.user_name),
            live.expires_at.format("%Y%m%d-%H%M")
        ));
        let png = Qr::new(&live.link)?.png(1024)?;
        crate::files::write_atomic(&path, &png)?;
        Ok(SavedPng {
            path: path.display().to_string(),
            valid_until: live.expires_at,
            expiry_estimated: live.expiry_estimated,
        })
    }

    /// Asks ZITADEL to email the link to the person (the ORG_USER_MANAGER's way), after the
    /// identity check where the org asks for one (`verified`).
    pub async fn link_send(&self, user_id: &str, verified: &[String]) -> Result<User> {
        let shared = self.shared();
        shared.admin("send a link")?;
        let (_, links) = shared.live()?;
        let org = shared.current_org()?;
        shared.update(|state| state.link_touched(shared.clock.now()));
        let sent = shared
            .observe(links.send(&org, user_id, verified).await)
            .await?;
        shared.queue_sent(&sent);
        Ok(sent)
    }

    // ---- the audit log ------------------------------------------------------------------------

    /// The audit log's entries that match, newest first (never on a kiosk).
    pub fn audit_list(&self, filter: AuditFilter) -> Result<Vec<AuditEntry>> {
        self.shared().not_kiosk("read the audit log")?;
        self.shared.audit.read(&filter)
    }

    /// Writes the matching entries as CSV into the Downloads folder; returns its path.
    pub fn audit_export_csv(&self, filter: AuditFilter) -> Result<String> {
        self.shared().not_kiosk("export the audit log")?;
        let dir = self.shared.host.downloads_dir().ok_or_else(|| {
            Error::desktop("export the audit log", "there is no Downloads folder")
        })?;
        Ok(self
            .shared
            .audit
            .export_csv(&filter, &dir)?
            .display()
            .to_string())
    }
}

impl Shared {
    /// The chosen org, with fresh permissions.
    pub(super) async fn org_view(&self, org_id: &str) -> Result<OrgView> {
        let (_, links) = self.live()?;
        let desk = links.desk();
        let orgs = self.orgs(false).await?;
        let org = match orgs.into_iter().find(|o| o.id.as_str() == org_id) {
            Some(org) => org,
            None => desk.resolve_org(Some(org_id)).await?,
        };
        let access = desk.org_access(&org.id).await?;
        let identity_checks = links.identity_checks(org.id.as_str());
        Ok(OrgView {
            org,
            capabilities: access.capabilities,
            create_link_lacks: access.create_link_lacks,
            send_link_lacks: access.send_link_lacks,
            remove_passkeys_lacks: access.remove_passkeys_lacks,
            authenticator_choice: access.authenticator_choice,
            identity_checks,
        })
    }

    pub(super) fn current_org(&self) -> Result<Org> {
        lock(&self.state)
            .org()
            .map(|o| o.org.clone())
            .ok_or(Error::NoOrg)
    }

    /// Keeps the last search's count for `user` in step with a list just read.
    fn counted(&self, user: &User, count: usize) {
        for row in lock(&self.results).iter_mut() {
            if row.user.id == user.id {
                row.passkey_count = u32::try_from(count).ok();
            }
        }
    }

    async fn search(&self, query: &str) -> Result<Vec<UserRow>> {
        let (_, links) = self.live()?;
        let org = self.current_org()?;
        let desk = links.desk();
        let page = desk.search_users(&org.id, query, SEARCH_LIMIT).await?;
        Ok(page
            .users
            .into_iter()
            .map(|user| UserRow {
                user,
                passkey_count: None,
            })
            .collect())
    }

    /// The live link, for an action of the admin on it (which keeps it from the idle wipe).
    fn touch_link(self: &Arc<Self>) -> Result<(LinkView, crate::audit::AuditSubject)> {
        let now = self.clock.now();
        self.update(|state| {
            state.link_touched(now);
            state
                .live()
                .map(|live| (live.view.clone(), live.subject.clone()))
                .ok_or(Error::NoLink)
        })
    }

    /// One audit entry for an action on the link.
    fn record<T>(
        &self,
        subject: &crate::audit::AuditSubject,
        action: AuditAction,
        result: &Result<T>,
    ) {
        crate::links::record(
            &self.audit,
            self.clock.as_ref(),
            subject,
            action,
            result.as_ref().map(|_| ()).map_err(Error::code),
        );
    }

    /// Creates a link for a person of the current org (another person's link closes first) and
    /// watches it; `retire`: a replaced device's passkeys, removed once it is registered.
    async fn create_link(
        self: &Arc<Self>,
        user_id: &str,
        authenticator: Authenticator,
        retire: Vec<Passkey>,
        verified: &[String],
    ) -> Result<LinkView> {
        let (_, links) = self.live()?;
        let org = self.current_org()?;
        // Refused before anything on screen changes.
        links.check_identity(&org, verified)?;
        // Another person's link closes first. The same person's (a code that died, *New
        // link*) stays on screen until the new one replaces it: the presenter and the kiosk go
        // from the old QR to the new one without a welcome in between, and if the new one
        // cannot be made the old one is still there.
        if !lock(&self.state).link_is_for(user_id) {
            self.apply(|state| state.close_link()).await;
        }
        let issued = self
            .observe(links.create(&org, user_id, authenticator, verified).await)
            .await?;
        self.queue_link_shown(&issued);
        let view = LinkView {
            qr_svg: Qr::new(issued.link.link.expose())?.svg(),
            link: issued.link.link.expose().clone(),
            expires_at: issued.link.expires_at,
            expiry_estimated: issued.link.expiry_estimated,
            org_id: org.id.to_string(),
            user: issued.user.clone(),
            retiring: retire.iter().map(|p| p.name.clone()).collect(),
        };
        let now = self.clock.now();
        let generation = self.update(|state| state.next_generation());
        let live = Live {
            generation,
            view: view.clone(),
            subject: issued.subject.clone(),
            last_activity: now,
        };
        self.apply(|state| state.link_shown(live)).await;
        self.watch_link(generation, links, issued, retire);
        Ok(view)
    }

    /// Starts the watch of link `generation`: until the registration, the expiry, or a
    /// failure; what it sees goes into the state.
    fn watch_link(
        self: &Arc<Self>,
        generation: u64,
        links: Arc<crate::links::Links>,
        issued: IssuedLink,
        retire: Vec<Passkey>,
    ) {
        let app = Arc::downgrade(self);
        let task = tokio::spawn(async move {
            let end = match links.watch(&issued).await {
                Ok(Registration::Registered(passkey)) => {
                    // A replacement: the old device goes now that the new one is there.
                    let retired = if retire.is_empty() {
                        Vec::new()
                    } else {
                        links
                            .retire(&issued.org, &issued.user, &retire, Some(&passkey))
                            .await
                    };
                    WatchEnd::Registered(passkey, retired)
                }
                Ok(Registration::Expired) => WatchEnd::Expired,
                Err(e) => WatchEnd::Failed(e.to_report()),
            };
            if let Some(shared) = app.upgrade() {
                shared.queue_link_ended(&issued.user, &end);
                let now = shared.clock.now();
                // Our own handle goes: this watch has ended.
                let mut watch = lock(&shared.watch);
                if watch.as_ref().is_some_and(|w| w.generation == generation) {
                    watch.take();
                }
                drop(watch);
                shared.apply_now(|state| state.link_ended(generation, end, now));
            }
        });
        let still_live = lock(&self.state)
            .live()
            .is_some_and(|live| live.generation == generation);
        if still_live {
            *lock(&self.watch) = Some(Watch { generation, task });
        } else {
            // Closed while it was being made: no watch for it.
            task.abort();
        }
    }
}

/// A person's user name as part of a file name.
fn file_safe(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect()
}
