//! [`Reconnect`]: when to try again after the connection dropped, sans-IO.
//!
//! It follows socket.io-client's `Manager` (`reconnect()`, `onclose()`,
//! `onreconnect()`): a lost connection resets the [`Backoff`] and waits
//! `next_delay()` before attempt 1; each failed attempt waits the next delay;
//! after `max_attempts` failed attempts it gives up; a success resets the
//! sequence. It owns no timer and reads no clock: the driver passes `now`,
//! arms a timer for [`poll_timeout`](Reconnect::poll_timeout), and opens a
//! transport when [`poll_event`](Reconnect::poll_event) says
//! [`ReconnectEvent::Attempt`].

use std::collections::VecDeque;
use std::time::Duration;

use super::backoff::{Backoff, BackoffOptions};
use crate::time::Instant;

/// Whether and how to reconnect. Every default matches socket.io-client.
///
/// ```
/// use leptos_socketio::client::ReconnectOptions;
/// use std::time::Duration;
///
/// let options = ReconnectOptions::default()
///     .max_attempts(Some(10))
///     .delay_max(Duration::from_secs(30));
/// assert!(options.enabled);
/// assert_eq!(options.backoff.min, Duration::from_millis(1_000));
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReconnectOptions {
    /// Reconnect at all. Default: `true` (`reconnection`).
    pub enabled: bool,
    /// Give up after this many failed attempts. Default: `None`, unlimited
    /// (`reconnectionAttempts: Infinity`). `Some(0)` gives up at once (in
    /// socket.io-client 0 falls back to Infinity; here it means what it says).
    pub max_attempts: Option<u32>,
    /// The delays between attempts. Default: [`BackoffOptions::default`],
    /// 1 000 ms doubling to 5 000 ms with randomization 0.5.
    pub backoff: BackoffOptions,
}

impl ReconnectOptions {
    /// Sets [`enabled`](Self::enabled).
    pub fn enabled(mut self, enabled: bool) -> Self {
        self.enabled = enabled;
        self
    }

    /// Sets [`max_attempts`](Self::max_attempts).
    pub fn max_attempts(mut self, max_attempts: Option<u32>) -> Self {
        self.max_attempts = max_attempts;
        self
    }

    /// Sets [`backoff`](Self::backoff).
    pub fn backoff(mut self, backoff: BackoffOptions) -> Self {
        self.backoff = backoff;
        self
    }

    /// Sets the first delay, [`BackoffOptions::min`] (`reconnectionDelay`).
    pub fn delay(mut self, delay: Duration) -> Self {
        self.backoff.min = delay;
        self
    }

    /// Sets the longest delay, [`BackoffOptions::max`] (`reconnectionDelayMax`).
    pub fn delay_max(mut self, delay: Duration) -> Self {
        self.backoff.max = delay;
        self
    }

    /// Sets [`BackoffOptions::randomization_factor`] (`randomizationFactor`).
    pub fn randomization_factor(mut self, factor: f64) -> Self {
        self.backoff.randomization_factor = factor;
        self
    }
}

impl Default for ReconnectOptions {
    fn default() -> Self {
        Self {
            enabled: true,
            max_attempts: None,
            backoff: BackoffOptions::default(),
        }
    }
}

/// What the driver must act on, from [`Reconnect::poll_event`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReconnectEvent {
    /// Open a transport now. `number` counts from 1 within one outage
    /// (socket.io-client's `reconnect_attempt`).
    Attempt {
        /// Which attempt this is, from 1.
        number: u32,
    },
    /// An attempt connected after `attempts` attempts (`reconnect`).
    Reconnected {
        /// How many attempts it took, from 1.
        attempts: u32,
    },
    /// `max_attempts` attempts failed; no more are scheduled
    /// (`reconnect_failed`).
    GaveUp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Connected, never connected, gave up, or stopped: nothing scheduled.
    Idle,
    /// The next attempt is due at this instant.
    Waiting(Instant),
    /// An attempt is in flight; its outcome is awaited.
    Attempting,
}

/// The reconnection manager: a deterministic state machine on caller time.
///
/// ```
/// use leptos_socketio::client::{Reconnect, ReconnectEvent, ReconnectOptions};
/// use leptos_socketio::time::Instant;
///
/// let mut reconnect = Reconnect::new(ReconnectOptions::default().randomization_factor(0.0));
/// reconnect.handle_connected(); // the first connection: no event
///
/// reconnect.handle_connection_lost(Instant::from_millis(0));
/// assert_eq!(reconnect.poll_timeout(), Some(Instant::from_millis(1_000)));
///
/// reconnect.handle_timeout(Instant::from_millis(1_000));
/// assert_eq!(reconnect.poll_event(), Some(ReconnectEvent::Attempt { number: 1 }));
///
/// // The driver opened a transport and it connected.
/// reconnect.handle_connected();
/// assert_eq!(reconnect.poll_event(), Some(ReconnectEvent::Reconnected { attempts: 1 }));
/// assert!(!reconnect.is_reconnecting());
/// ```
#[derive(Debug, Clone)]
pub struct Reconnect {
    options: ReconnectOptions,
    backoff: Backoff,
    phase: Phase,
    stopped: bool,
    events: VecDeque<ReconnectEvent>,
}

impl Reconnect {
    /// An idle manager; the jitter uses a fixed seed until
    /// [`with_seed`](Self::with_seed).
    pub fn new(options: ReconnectOptions) -> Self {
        Self {
            options,
            backoff: Backoff::new(options.backoff),
            phase: Phase::Idle,
            stopped: false,
            events: VecDeque::new(),
        }
    }

    /// Seeds the jitter. In the browser: `js_sys::Math::random().to_bits()`.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.backoff = self.backoff.with_seed(seed);
        self
    }

    /// The options it was made with.
    pub fn options(&self) -> &ReconnectOptions {
        &self.options
    }

    /// The connection was lost (not by [`stop`](Self::stop)): starts a new
    /// sequence of attempts, the first after `min` (give or take jitter).
    ///
    /// Ignored when disabled or stopped, and while an attempt is already
    /// scheduled. During an attempt it counts as that attempt failing.
    pub fn handle_connection_lost(&mut self, now: Instant) {
        if !self.active() {
            return;
        }
        match self.phase {
            Phase::Waiting(_) => {}
            Phase::Attempting => self.schedule(now),
            Phase::Idle => {
                self.backoff.reset();
                self.schedule(now);
            }
        }
    }

    /// The attempt in flight failed (or the very first connection did, as
    /// socket.io-client's `maybeReconnectOnOpen`): schedules the next one, or
    /// gives up after `max_attempts`.
    ///
    /// Ignored when disabled or stopped, and while an attempt is scheduled.
    pub fn handle_attempt_failed(&mut self, now: Instant) {
        if !self.active() {
            return;
        }
        match self.phase {
            Phase::Waiting(_) => {}
            Phase::Attempting | Phase::Idle => self.schedule(now),
        }
    }

    /// Fires a scheduled attempt once `now` reaches it: emits
    /// [`ReconnectEvent::Attempt`]. Early calls do nothing.
    pub fn handle_timeout(&mut self, now: Instant) {
        if let Phase::Waiting(at) = self.phase {
            if now >= at {
                self.phase = Phase::Attempting;
                self.events.push_back(ReconnectEvent::Attempt {
                    number: self.backoff.attempts(),
                });
            }
        }
    }

    /// A connection is up: resets the sequence, and emits
    /// [`ReconnectEvent::Reconnected`] when it ended an outage.
    pub fn handle_connected(&mut self) {
        let was_reconnecting = self.is_reconnecting();
        let attempts = self.backoff.attempts();
        self.backoff.reset();
        self.phase = Phase::Idle;
        if was_reconnecting && attempts > 0 {
            self.events
                .push_back(ReconnectEvent::Reconnected { attempts });
        }
    }

    /// Manual disconnect: cancels any scheduled attempt, drops an
    /// [`Attempt`](ReconnectEvent::Attempt) not yet polled, and ignores every
    /// loss and failure until [`start`](Self::start).
    pub fn stop(&mut self) {
        self.stopped = true;
        self.phase = Phase::Idle;
        self.backoff.reset();
        self.events
            .retain(|event| !matches!(event, ReconnectEvent::Attempt { .. }));
    }

    /// Undoes [`stop`](Self::stop) (a manual connect); schedules nothing by itself.
    pub fn start(&mut self) {
        self.stopped = false;
    }

    /// Whether [`stop`](Self::stop) is in force.
    pub fn is_stopped(&self) -> bool {
        self.stopped
    }

    /// When [`handle_timeout`](Self::handle_timeout) has work to do.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.next_attempt_at()
    }

    /// The next event for the driver, oldest first.
    pub fn poll_event(&mut self) -> Option<ReconnectEvent> {
        self.events.pop_front()
    }

    /// Between a loss and a success (or giving up): waiting or attempting.
    pub fn is_reconnecting(&self) -> bool {
        self.phase != Phase::Idle
    }

    /// When the next attempt starts, for a countdown; `None` unless waiting.
    pub fn next_attempt_at(&self) -> Option<Instant> {
        match self.phase {
            Phase::Waiting(at) => Some(at),
            Phase::Idle | Phase::Attempting => None,
        }
    }

    /// Attempts made or scheduled in the current outage (0 when none).
    pub fn attempts(&self) -> u32 {
        self.backoff.attempts()
    }

    fn active(&self) -> bool {
        self.options.enabled && !self.stopped
    }

    /// `Manager.reconnect()`: give up, or wait the next delay.
    fn schedule(&mut self, now: Instant) {
        let made = self.backoff.attempts();
        if self.options.max_attempts.is_some_and(|max| made >= max) {
            self.backoff.reset();
            self.phase = Phase::Idle;
            self.events.push_back(ReconnectEvent::GaveUp);
        } else {
            let delay = self.backoff.next_delay();
            self.phase = Phase::Waiting(now + delay);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(ms: u64) -> Instant {
        Instant::from_millis(ms)
    }

    fn no_jitter() -> ReconnectOptions {
        ReconnectOptions::default().randomization_factor(0.0)
    }

    /// Jumps the virtual clock to the next timeout and fires it.
    fn fire(reconnect: &mut Reconnect) -> Option<(Instant, ReconnectEvent)> {
        let at = reconnect.poll_timeout()?;
        reconnect.handle_timeout(at);
        reconnect.poll_event().map(|event| (at, event))
    }

    /// Loses the connection at 0, then fails every attempt at once; returns
    /// the delays before each attempt and the last event.
    fn fail_every_attempt(
        reconnect: &mut Reconnect,
        limit: usize,
    ) -> (Vec<u64>, Vec<ReconnectEvent>) {
        let mut now = t(0);
        reconnect.handle_connection_lost(now);
        let (mut delays, mut events) = (Vec::new(), Vec::new());
        while let Some((at, event)) = fire(reconnect) {
            delays.push(at.as_millis() - now.as_millis());
            events.push(event);
            now = at;
            reconnect.handle_attempt_failed(now);
            if delays.len() == limit {
                break;
            }
        }
        events.extend(std::iter::from_fn(|| reconnect.poll_event()));
        (delays, events)
    }

    #[test]
    fn delays_follow_1000_2000_4000_5000_5000_without_jitter() {
        let mut reconnect = Reconnect::new(no_jitter());
        let (delays, events) = fail_every_attempt(&mut reconnect, 6);
        assert_eq!(delays, [1_000, 2_000, 4_000, 5_000, 5_000, 5_000]);
        let numbers: Vec<_> = (1..=6)
            .map(|number| ReconnectEvent::Attempt { number })
            .collect();
        assert_eq!(events, numbers);
    }

    #[test]
    fn jittered_delays_stay_within_bounds_across_seeds() {
        for seed in 0..300 {
            let mut reconnect = Reconnect::new(ReconnectOptions::default()).with_seed(seed);
            let (delays, _) = fail_every_attempt(&mut reconnect, 6);
            for (n, got) in delays.into_iter().enumerate() {
                let d = 1_000.0 * 2f64.powi(n as i32);
                let (low, high) = ((d * 0.5).min(5_000.0), (d * 1.5).min(5_000.0));
                assert!((low..=high).contains(&(got as f64)), "seed {seed}: {got}");
            }
        }
    }

    #[test]
    fn same_seed_gives_same_schedule() {
        let run = |seed| {
            fail_every_attempt(
                &mut Reconnect::new(ReconnectOptions::default()).with_seed(seed),
                8,
            )
            .0
        };
        assert_eq!(run(3), run(3));
        assert_ne!(run(3), run(4));
    }

    #[test]
    fn attempt_fires_only_when_due() {
        let mut reconnect = Reconnect::new(no_jitter());
        reconnect.handle_connection_lost(t(500));
        assert!(reconnect.is_reconnecting());
        assert_eq!(reconnect.next_attempt_at(), Some(t(1_500)));
        reconnect.handle_timeout(t(1_499));
        assert_eq!(reconnect.poll_event(), None);
        reconnect.handle_timeout(t(1_500));
        assert_eq!(
            reconnect.poll_event(),
            Some(ReconnectEvent::Attempt { number: 1 })
        );
        assert_eq!(
            reconnect.poll_timeout(),
            None,
            "nothing to time while attempting"
        );
        reconnect.handle_timeout(t(9_999));
        assert_eq!(reconnect.poll_event(), None, "one attempt per due time");
    }

    #[test]
    fn manual_stop_during_backoff_means_no_further_attempt() {
        let mut reconnect = Reconnect::new(no_jitter());
        reconnect.handle_connection_lost(t(0));
        reconnect.stop();
        assert_eq!(reconnect.poll_timeout(), None);
        assert!(!reconnect.is_reconnecting());
        for ms in [1_000, 10_000, 1_000_000] {
            reconnect.handle_timeout(t(ms));
            reconnect.handle_attempt_failed(t(ms));
            reconnect.handle_connection_lost(t(ms));
        }
        assert_eq!(reconnect.poll_timeout(), None);
        assert_eq!(reconnect.poll_event(), None);

        reconnect.start();
        reconnect.handle_connection_lost(t(2_000_000));
        assert_eq!(reconnect.next_attempt_at(), Some(t(2_001_000)));
    }

    #[test]
    fn stop_drops_an_attempt_not_yet_polled() {
        let mut reconnect = Reconnect::new(no_jitter());
        reconnect.handle_connection_lost(t(0));
        reconnect.handle_timeout(t(1_000));
        reconnect.stop();
        assert_eq!(reconnect.poll_event(), None);
    }

    #[test]
    fn max_attempts_gives_up_after_exactly_n_attempts() {
        for max in [1, 3, 7] {
            let mut reconnect = Reconnect::new(no_jitter().max_attempts(Some(max)));
            let (delays, events) = fail_every_attempt(&mut reconnect, 100);
            assert_eq!(delays.len(), max as usize);
            let mut expected: Vec<_> = (1..=max)
                .map(|number| ReconnectEvent::Attempt { number })
                .collect();
            expected.push(ReconnectEvent::GaveUp);
            assert_eq!(events, expected);
            assert!(!reconnect.is_reconnecting());
            assert_eq!(reconnect.poll_timeout(), None);
        }
    }

    #[test]
    fn zero_max_attempts_gives_up_at_once() {
        let mut reconnect = Reconnect::new(no_jitter().max_attempts(Some(0)));
        reconnect.handle_connection_lost(t(0));
        assert_eq!(reconnect.poll_event(), Some(ReconnectEvent::GaveUp));
        assert_eq!(reconnect.poll_timeout(), None);
    }

    #[test]
    fn success_resets_the_sequence() {
        let mut reconnect = Reconnect::new(no_jitter());
        reconnect.handle_connection_lost(t(0));
        fire(&mut reconnect);
        reconnect.handle_attempt_failed(t(1_000));
        assert_eq!(
            fire(&mut reconnect),
            Some((t(3_000), ReconnectEvent::Attempt { number: 2 }))
        );
        reconnect.handle_connected();
        assert_eq!(
            reconnect.poll_event(),
            Some(ReconnectEvent::Reconnected { attempts: 2 })
        );
        assert_eq!(reconnect.attempts(), 0);

        reconnect.handle_connection_lost(t(10_000));
        assert_eq!(
            fire(&mut reconnect),
            Some((t(11_000), ReconnectEvent::Attempt { number: 1 }))
        );
    }

    #[test]
    fn first_connection_emits_nothing() {
        let mut reconnect = Reconnect::new(ReconnectOptions::default());
        reconnect.handle_connected();
        assert_eq!(reconnect.poll_event(), None);
    }

    #[test]
    fn failed_first_connection_starts_reconnecting() {
        let mut reconnect = Reconnect::new(no_jitter());
        reconnect.handle_attempt_failed(t(0));
        assert_eq!(
            fire(&mut reconnect),
            Some((t(1_000), ReconnectEvent::Attempt { number: 1 }))
        );
    }

    #[test]
    fn repeated_loss_while_waiting_keeps_the_schedule() {
        let mut reconnect = Reconnect::new(no_jitter());
        reconnect.handle_connection_lost(t(0));
        reconnect.handle_connection_lost(t(400));
        reconnect.handle_attempt_failed(t(600));
        assert_eq!(reconnect.next_attempt_at(), Some(t(1_000)));
    }

    #[test]
    fn disabled_reconnection_never_schedules() {
        let mut reconnect = Reconnect::new(ReconnectOptions::default().enabled(false));
        reconnect.handle_connection_lost(t(0));
        reconnect.handle_attempt_failed(t(0));
        assert_eq!(reconnect.poll_timeout(), None);
        assert_eq!(reconnect.poll_event(), None);
        assert!(!reconnect.is_reconnecting());
    }

    #[test]
    fn unlimited_attempts_keep_going_at_max_delay() {
        let mut reconnect = Reconnect::new(no_jitter());
        let (delays, events) = fail_every_attempt(&mut reconnect, 2_000);
        assert_eq!(delays.len(), 2_000);
        assert!(delays[3..].iter().all(|&d| d == 5_000));
        assert_eq!(
            events.last(),
            Some(&ReconnectEvent::Attempt { number: 2_000 })
        );
    }
}
