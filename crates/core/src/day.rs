//! An enrollment day from a terminal: the queue of one org ([`crate::queue`]) worked through
//! with the link use cases ([`Links`]), saved after every step. The CLI's `queue` commands are
//! these; the desktop app does the same steps in its own state (`app/queue.rs`).

use crate::client::Authenticator;
use crate::coverage::CoverageOptions;
use crate::error::{Error, Result};
use crate::links::{BulkSend, IssuedLink, Links};
use crate::model::{Org, Registration, User};
use crate::queue::{Queue, QueueStore};
use crate::roster::{self, Roster, RosterMatch};

/// One org's day on the signed-in instance.
pub struct Day<'a> {
    links: &'a Links,
    store: QueueStore,
    org: Org,
}

impl<'a> Day<'a> {
    pub fn new(links: &'a Links, data_dir: &std::path::Path, org: Org) -> Day<'a> {
        Day {
            links,
            store: QueueStore::in_dir(data_dir),
            org,
        }
    }

    fn instance(&self) -> String {
        self.links.actor().instance
    }

    /// The time by the day's clock.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.links.clock().now()
    }

    /// The org's queue (an empty one when there is none yet).
    pub fn queue(&self) -> Result<Queue> {
        let instance = self.instance();
        Ok(self
            .store
            .load(&instance, self.org.id.as_str())?
            .unwrap_or_else(|| {
                Queue::new(&instance, self.org.id.as_str(), &self.org.name, self.now())
            }))
    }

    /// Loads, changes and saves the queue; nothing is saved when `change` fails.
    pub fn change<T>(&self, change: impl FnOnce(&mut Queue) -> Result<T>) -> Result<(T, Queue)> {
        let mut queue = self.queue()?;
        let answer = change(&mut queue)?;
        self.store.save(&queue)?;
        Ok((answer, queue))
    }

    /// Reads a roster and looks everyone up (nobody is added yet).
    pub async fn read_roster(&self, bytes: &[u8]) -> Result<(Roster, Vec<RosterMatch>)> {
        let roster = roster::parse_bytes(bytes)?;
        let matches = roster::match_people(
            self.links.desk(),
            &self.org.id,
            &roster,
            &CoverageOptions::default(),
            |_| {},
        )
        .await?;
        Ok((roster, matches))
    }

    /// Adds `people` at the end of the queue (`fresh`: the old queue is put aside first);
    /// answers how many were new.
    pub fn enqueue(&self, people: &[User], fresh: bool) -> Result<(usize, Queue)> {
        if fresh {
            self.store
                .archive(&self.instance(), self.org.id.as_str(), self.now())?;
        }
        let now = self.now();
        self.change(|queue| Ok(people.iter().filter(|u| queue.add(u, now)).count()))
    }

    /// The next person's link: the identity check first (`ticked`, where the org asks for
    /// one), then the first waiting person is called, their link created (audited with the
    /// check) and they are marked checked and shown the link.
    pub async fn next(
        &self,
        ticked: &[String],
        authenticator: Authenticator,
    ) -> Result<IssuedLink> {
        self.links.check_identity(&self.org, ticked)?;
        let now = self.now();
        let (user_id, _) = self.change(|queue| queue.call_next(now).map(|p| p.user_id.clone()))?;
        let issued = self
            .links
            .create(&self.org, &user_id, authenticator, ticked)
            .await?;
        let now = self.now();
        self.change(|queue| {
            queue.checked(&user_id, issued.subject.verified.clone(), now)?;
            queue.link_shown(&user_id, now)
        })?;
        Ok(issued)
    }

    /// Waits for `issued` like `link --wait`; the person is marked registered or expired.
    pub async fn wait(&self, issued: &IssuedLink) -> Result<Registration> {
        let outcome = self.links.watch(issued).await?;
        let passkey = match &outcome {
            Registration::Registered(p) => Some(p.name.clone()),
            Registration::Expired => None,
        };
        let now = self.now();
        self.change(|queue| {
            queue.link_ended(issued.user.id.as_str(), passkey, now);
            Ok(())
        })?;
        Ok(outcome)
    }

    /// The remote wave: ZITADEL emails everyone waiting (not the person at the desk), paced
    /// at `rate` per second; each one sent is marked at once.
    pub async fn send_waiting(
        &self,
        ticked: &[String],
        rate: u32,
        mut progress: impl FnMut(usize, usize),
    ) -> Result<BulkSend> {
        let queue = self.queue()?;
        let waiting: Vec<User> = queue.wave().map(|p| p.user_for(&self.org.id)).collect();
        if waiting.is_empty() {
            return Err(Error::QueueEmpty {
                org: self.org.name.clone(),
            });
        }
        let of = waiting.len();
        let mut done = 0;
        let mut failed_saves = None;
        let sent = self
            .links
            .send_all(&self.org, &waiting, rate, ticked, |user, outcome| {
                done += 1;
                if outcome.is_ok() {
                    let now = self.now();
                    if let Err(e) = self.change(|q| q.sent(user.id.as_str(), now)) {
                        failed_saves.get_or_insert(e);
                    }
                }
                progress(done, of);
            })
            .await?;
        match failed_saves {
            Some(e) => Err(e),
            None => Ok(sent),
        }
    }

    /// How many the remote wave would email (everyone waiting but the person at the desk).
    pub fn waiting_count(&self) -> Result<usize> {
        Ok(self.queue()?.wave().count())
    }
}
