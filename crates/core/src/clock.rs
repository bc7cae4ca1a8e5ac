//! The time the core decides by. Every clock-driven rule (link expiry, the idle wipe, the
//! kiosk's relock, the PIN back-off, the registration poll) asks a [`Clock`] for the time and
//! for its timers, so tests replace it with a [`ManualClock`] and move time by hand instead of
//! waiting.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use tokio::sync::watch;

/// A timer's future: resolves once the clock has reached its deadline.
pub type Sleep = Pin<Box<dyn Future<Output = ()> + Send + 'static>>;

/// What a timer waits for (for a test to know which one it is, and for the logs).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Timer {
    /// The next look at the person's passkeys.
    Poll,
    /// The link's wipe rules on a public screen: expiry or the idle timeout.
    LinkRules,
    /// The kiosk's admin side locks itself again.
    Relock,
    /// "Registered ✓" leaves the public screen.
    RegisteredHold,
    /// A copied link leaves the clipboard.
    Clipboard,
}

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> DateTime<Utc>;

    /// Resolves when this clock reaches `at` (at once if it has).
    fn sleep_until(&self, at: DateTime<Utc>, timer: Timer) -> Sleep;

    /// Resolves `after` from now on this clock.
    fn sleep(&self, after: Duration, timer: Timer) -> Sleep {
        let at = self.now() + chrono::Duration::from_std(after).unwrap_or(chrono::Duration::MAX);
        self.sleep_until(at, timer)
    }
}

/// The real time: the system clock and tokio's timers.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    fn sleep_until(&self, at: DateTime<Utc>, _timer: Timer) -> Sleep {
        let wait = (at - Utc::now()).to_std().unwrap_or(Duration::ZERO);
        Box::pin(tokio::time::sleep(wait))
    }
}

/// A clock that moves only when told to ([`ManualClock::advance`]): timers whose deadline it
/// passes resolve, the others keep waiting. [`ManualClock::parked`] tells a test that a task
/// is waiting on a timer, so that moving the time cannot race the task.
#[derive(Clone)]
pub struct ManualClock {
    now: watch::Sender<DateTime<Utc>>,
    sleepers: Arc<Mutex<Sleepers>>,
    parked: watch::Sender<u64>,
}

#[derive(Default)]
struct Sleepers {
    next_id: u64,
    waiting: BTreeMap<u64, (DateTime<Utc>, Timer)>,
}

impl ManualClock {
    pub fn new(start: DateTime<Utc>) -> ManualClock {
        ManualClock {
            now: watch::Sender::new(start),
            sleepers: Arc::default(),
            parked: watch::Sender::new(0),
        }
    }

    /// Starts at the system's time (the simulator's codes expire by it).
    pub fn starting_now() -> ManualClock {
        ManualClock::new(Utc::now())
    }

    /// Moves the time forward; the timers it passes resolve.
    pub fn advance(&self, by: Duration) {
        let by = chrono::Duration::from_std(by).unwrap_or(chrono::Duration::MAX);
        self.now.send_modify(|now| *now += by);
    }

    /// Waits until some task waits on a `timer` whose deadline is still ahead.
    pub async fn parked(&self, timer: Timer) {
        let mut changes = self.parked.subscribe();
        loop {
            if self.waiting_on(timer) {
                return;
            }
            if changes.changed().await.is_err() {
                return;
            }
        }
    }

    /// Whether some task waits on a `timer` whose deadline is still ahead.
    pub fn waiting_on(&self, timer: Timer) -> bool {
        let now = *self.now.borrow();
        lock(&self.sleepers)
            .waiting
            .values()
            .any(|(at, t)| *t == timer && *at > now)
    }

    /// The deadlines of the timers still ahead, soonest first.
    pub fn pending(&self) -> Vec<(DateTime<Utc>, Timer)> {
        let now = *self.now.borrow();
        let mut pending: Vec<_> = lock(&self.sleepers)
            .waiting
            .values()
            .filter(|(at, _)| *at > now)
            .copied()
            .collect();
        pending.sort();
        pending
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Removes a timer from the waiting list when its future is done or dropped.
struct Registration {
    id: u64,
    sleepers: Arc<Mutex<Sleepers>>,
    parked: watch::Sender<u64>,
}

impl Drop for Registration {
    fn drop(&mut self) {
        lock(&self.sleepers).waiting.remove(&self.id);
        self.parked.send_modify(|n| *n += 1);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.now.borrow()
    }

    fn sleep_until(&self, at: DateTime<Utc>, timer: Timer) -> Sleep {
        let id = {
            let mut sleepers = lock(&self.sleepers);
            sleepers.next_id += 1;
            let id = sleepers.next_id;
            sleepers.waiting.insert(id, (at, timer));
            id
        };
        self.parked.send_modify(|n| *n += 1);
        let registration = Registration {
            id,
            sleepers: self.sleepers.clone(),
            parked: self.parked.clone(),
        };
        let mut now = self.now.subscribe();
        Box::pin(async move {
            let _registered = registration;
            // The sender lives as long as the clock; if it is gone, nothing moves time again.
            let _ = now.wait_for(|now| *now >= at).await;
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_manual_timer_resolves_when_the_time_passes_its_deadline() {
        let clock = ManualClock::new(DateTime::from_timestamp(1_800_000_000, 0).unwrap());
        let start = clock.now();
        let mut sleep = clock.sleep(Duration::from_secs(10), Timer::Poll);
        assert!(clock.waiting_on(Timer::Poll));
        assert!(!clock.waiting_on(Timer::Relock));
        clock.advance(Duration::from_secs(9));
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        assert!(
            sleep.as_mut().poll(&mut cx).is_pending(),
            "9 s of 10 passed"
        );
        clock.advance(Duration::from_secs(1));
        sleep.await;
        assert_eq!(clock.now() - start, chrono::Duration::seconds(10));
        assert!(clock.pending().is_empty(), "a finished timer is forgotten");

        // A deadline in the past resolves at once.
        clock.sleep_until(start, Timer::Relock).await;
    }

    #[tokio::test]
    async fn parked_waits_for_a_task_to_wait_on_that_timer() {
        let clock = ManualClock::starting_now();
        let task = {
            let clock = clock.clone();
            tokio::spawn(async move {
                tokio::task::yield_now().await;
                clock.sleep(Duration::from_secs(2), Timer::Poll).await;
            })
        };
        clock.parked(Timer::Poll).await;
        clock.advance(Duration::from_secs(2));
        task.await.unwrap();
        assert!(!clock.waiting_on(Timer::Poll));
    }
}
