//! [`TransportChoice`]: which transport to open first, when to fall back to
//! long-polling, and when to probe for a WebSocket upgrade.
//!
//! The default ([`TransportMode::Auto`]) tries WebSocket first; if it cannot
//! open (refused, blocked by a proxy, or no answer within a deadline) it
//! falls back to fetch long-polling, and from polling keeps probing for an
//! upgrade. The transport that worked is remembered (by the driver, in
//! browser storage, as a [`RememberedTransport`]) so the next page load goes
//! straight to it.

use std::time::Duration;

use crate::engine::TransportKind;
use crate::protocol::Handshake;
use crate::time::Instant;

/// How long a WebSocket may take to open, in [`TransportMode::Auto`], before
/// the client falls back to polling: 2500 ms.
pub const DEFAULT_WEBSOCKET_DEADLINE: Duration = Duration::from_millis(2_500);

/// How long a [`RememberedTransport`] is trusted: 24 hours.
pub const DEFAULT_REMEMBER_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// Which transports a client may use, and in which order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TransportMode {
    /// The default: WebSocket first (or polling first, when polling is the
    /// remembered transport); if the WebSocket does not open within the
    /// deadline, fall back to polling; on polling, probe for a WebSocket
    /// upgrade whenever the server offers one.
    #[default]
    Auto,
    /// socket.io-client's own default: always start on polling, then probe
    /// for a WebSocket upgrade. Slower to connect, works everywhere.
    PollingThenUpgrade,
    /// WebSocket only: a WebSocket that fails fails the connection attempt,
    /// and reconnection retries it.
    WebSocketOnly,
    /// Long-polling only: never opens a WebSocket.
    PollingOnly,
}

/// What to do when the first WebSocket fails, from
/// [`TransportChoice::handle_websocket_failed`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Fallback {
    /// Open long-polling now, in the same connection attempt.
    UsePolling,
    /// Fail this connection attempt; reconnection (with its backoff) will
    /// try the WebSocket again.
    FailAttempt,
}

/// The transport that last worked, with when, as the driver persists it
/// (per origin, e.g. in `localStorage`).
///
/// The memory expires (after [`DEFAULT_REMEMBER_TTL`] by default): a network
/// that blocked WebSockets yesterday may have healed, or the person may have
/// moved from a hotel Wi-Fi to home, and an expired memory puts the client
/// back on the WebSocket-first default. (In [`TransportMode::Auto`] a client
/// on polling also keeps probing for an upgrade, so it climbs back to
/// WebSocket even before that, once the page is loaded.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RememberedTransport {
    /// The transport that worked.
    pub kind: TransportKind,
    /// When it worked, in milliseconds since the Unix epoch (a wall clock,
    /// unlike [`Instant`], because it must survive page loads).
    pub at_unix_ms: u64,
}

impl RememberedTransport {
    /// A memory of `kind` having worked at `at_unix_ms`.
    pub fn new(kind: TransportKind, at_unix_ms: u64) -> Self {
        Self { kind, at_unix_ms }
    }

    /// Whether the memory can still be trusted at `now_unix_ms`: it names a
    /// transport, is younger than `ttl`, and is not from the future (a clock
    /// that jumped back makes its age unknown, so it is not trusted).
    pub fn is_fresh(&self, now_unix_ms: u64, ttl: Duration) -> bool {
        let ttl_ms = u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX);
        self.kind != TransportKind::None
            && now_unix_ms >= self.at_unix_ms
            && now_unix_ms - self.at_unix_ms < ttl_ms
    }

    /// The remembered transport if the memory is fresh (see
    /// [`is_fresh`](Self::is_fresh)): what to give [`TransportChoice::new`].
    pub fn fresh_kind(&self, now_unix_ms: u64, ttl: Duration) -> Option<TransportKind> {
        self.is_fresh(now_unix_ms, ttl).then_some(self.kind)
    }

    /// The stored form: `<kind>@<unix ms>`, e.g. `polling@1700000000000`.
    pub fn encode(&self) -> String {
        format!("{}@{}", self.kind.as_str(), self.at_unix_ms)
    }

    /// Parses the form [`encode`](Self::encode) writes; `None` for anything
    /// else (a stored value from another version is simply forgotten).
    pub fn decode(stored: &str) -> Option<Self> {
        let (kind, at) = stored.split_once('@')?;
        let kind = match kind {
            "websocket" => TransportKind::WebSocket,
            "polling" => TransportKind::Polling,
            _ => return None,
        };
        Some(Self::new(kind, at.parse().ok()?))
    }
}

/// The transport decisions of one client, for one [`TransportMode`].
///
/// A pure value: it reads no storage and no clock. The driver gives it the
/// remembered transport (if fresh) and the time, and asks it what to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TransportChoice {
    mode: TransportMode,
    remembered: Option<TransportKind>,
    websocket_deadline: Duration,
}

impl Default for TransportChoice {
    /// [`TransportMode::Auto`], nothing remembered, and
    /// [`DEFAULT_WEBSOCKET_DEADLINE`].
    fn default() -> Self {
        Self::new(TransportMode::Auto, None, DEFAULT_WEBSOCKET_DEADLINE)
    }
}

impl TransportChoice {
    /// Decisions for `mode`, given the transport remembered from an earlier
    /// page load (pass only a fresh one, see
    /// [`RememberedTransport::fresh_kind`]) and how long a first WebSocket
    /// may take to open in [`TransportMode::Auto`] (default
    /// [`DEFAULT_WEBSOCKET_DEADLINE`]).
    ///
    /// The remembered transport matters in [`TransportMode::Auto`] only, and
    /// only for which transport is tried first.
    pub fn new(
        mode: TransportMode,
        remembered: Option<TransportKind>,
        websocket_deadline: Duration,
    ) -> Self {
        Self {
            mode,
            remembered,
            websocket_deadline,
        }
    }

    /// The mode.
    pub fn mode(&self) -> TransportMode {
        self.mode
    }

    /// The transport to open first: in [`TransportMode::Auto`], WebSocket
    /// unless polling is remembered; polling in
    /// [`TransportMode::PollingThenUpgrade`] and
    /// [`TransportMode::PollingOnly`]; WebSocket in
    /// [`TransportMode::WebSocketOnly`]. Never [`TransportKind::None`].
    pub fn first(&self) -> TransportKind {
        match self.mode {
            TransportMode::Auto if self.remembered == Some(TransportKind::Polling) => {
                TransportKind::Polling
            }
            TransportMode::Auto | TransportMode::WebSocketOnly => TransportKind::WebSocket,
            TransportMode::PollingThenUpgrade | TransportMode::PollingOnly => {
                TransportKind::Polling
            }
        }
    }

    /// For a first WebSocket created at `now`: when to give up waiting for
    /// it to open and fall back (call
    /// [`handle_websocket_failed`](Self::handle_websocket_failed) then).
    ///
    /// [`TransportMode::Auto`] only; in [`TransportMode::WebSocketOnly`]
    /// there is nothing to fall back to, and the connection attempt's own
    /// timeout applies.
    pub fn websocket_open_deadline(&self, now: Instant) -> Option<Instant> {
        (self.mode == TransportMode::Auto).then(|| now + self.websocket_deadline)
    }

    /// The first WebSocket failed — it was refused, closed before
    /// opening, or missed its [open deadline](Self::websocket_open_deadline):
    /// [`Fallback::UsePolling`], except in [`TransportMode::WebSocketOnly`],
    /// where the attempt fails and reconnection retries.
    ///
    /// A failed upgrade probe is not this: [`Upgrade`](crate::engine::Upgrade)
    /// reports it, and polling simply goes on.
    pub fn handle_websocket_failed(&self) -> Fallback {
        match self.mode {
            TransportMode::WebSocketOnly => Fallback::FailAttempt,
            TransportMode::Auto
            | TransportMode::PollingThenUpgrade
            | TransportMode::PollingOnly => Fallback::UsePolling,
        }
    }

    /// On polling, after the handshake: whether to probe for a WebSocket
    /// upgrade. Yes in [`TransportMode::Auto`] (whatever is remembered) and
    /// [`TransportMode::PollingThenUpgrade`], when the server lists
    /// `websocket` in its upgrades; never in the single-transport modes.
    pub fn should_probe_upgrade(&self, handshake: &Handshake) -> bool {
        match self.mode {
            TransportMode::Auto | TransportMode::PollingThenUpgrade => {
                handshake.upgrades.iter().any(|u| u == "websocket")
            }
            TransportMode::WebSocketOnly | TransportMode::PollingOnly => false,
        }
    }

    /// What to persist once a connection works on `worked` (the transport
    /// it ended on, after any upgrade), at `now_unix_ms`.
    ///
    /// `None` means persist nothing: outside [`TransportMode::Auto`] the
    /// memory would never be used, and a page forced onto polling must not
    /// push later `Auto` page loads onto polling; [`TransportKind::None`]
    /// is not a transport that worked.
    pub fn remember(&self, worked: TransportKind, now_unix_ms: u64) -> Option<RememberedTransport> {
        self.remembers(worked)
            .then(|| RememberedTransport::new(worked, now_unix_ms))
    }

    /// Whether [`remember`](Self::remember) would persist `worked`: only in
    /// [`TransportMode::Auto`], and only for a real transport.
    pub fn remembers(&self, worked: TransportKind) -> bool {
        self.mode == TransportMode::Auto && worked != TransportKind::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR_MS: u64 = 60 * 60 * 1000;

    fn t(ms: u64) -> Instant {
        Instant::from_millis(ms)
    }

    fn handshake(upgrades: &[&str]) -> Handshake {
        Handshake {
            sid: "s".into(),
            upgrades: upgrades.iter().map(|u| (*u).to_owned()).collect(),
            ping_interval: 25_000,
            ping_timeout: 20_000,
            max_payload: 1_000_000,
        }
    }

    fn choice(mode: TransportMode, remembered: Option<TransportKind>) -> TransportChoice {
        TransportChoice::new(mode, remembered, DEFAULT_WEBSOCKET_DEADLINE)
    }

    #[test]
    fn the_default_is_auto_websocket_first_with_a_2500_ms_deadline() {
        let c = TransportChoice::default();
        assert_eq!(TransportMode::default(), TransportMode::Auto);
        assert_eq!(c.mode(), TransportMode::Auto);
        assert_eq!(c.first(), TransportKind::WebSocket);
        assert_eq!(c.websocket_open_deadline(t(1_000)), Some(t(3_500)));
    }

    #[test]
    fn auto_falls_back_to_polling_when_websocket_fails() {
        let c = choice(TransportMode::Auto, None);
        assert_eq!(c.handle_websocket_failed(), Fallback::UsePolling);
    }

    #[test]
    fn auto_uses_the_configured_websocket_deadline() {
        let c = TransportChoice::new(TransportMode::Auto, None, Duration::from_millis(100));
        assert_eq!(c.websocket_open_deadline(t(50)), Some(t(150)));
    }

    #[test]
    fn auto_on_polling_probes_websocket_when_the_server_offers_it() {
        let c = choice(TransportMode::Auto, None);
        assert!(c.should_probe_upgrade(&handshake(&["websocket"])));
        assert!(!c.should_probe_upgrade(&handshake(&[])));
        assert!(!c.should_probe_upgrade(&handshake(&["webtransport"])));
    }

    #[test]
    fn in_auto_a_remembered_transport_only_changes_which_one_is_tried_first() {
        let on_polling = choice(TransportMode::Auto, Some(TransportKind::Polling));
        let plain = choice(TransportMode::Auto, None);
        assert_eq!(on_polling.first(), TransportKind::Polling);
        // On polling the client keeps probing WebSocket …
        assert!(on_polling.should_probe_upgrade(&handshake(&["websocket"])));
        // … and everything else is decided as without the memory.
        assert_eq!(
            on_polling.websocket_open_deadline(t(0)),
            plain.websocket_open_deadline(t(0))
        );
        assert_eq!(
            on_polling.handle_websocket_failed(),
            plain.handle_websocket_failed()
        );
        let on_websocket = choice(TransportMode::Auto, Some(TransportKind::WebSocket));
        assert_eq!(on_websocket.first(), TransportKind::WebSocket);
        let on_none = choice(TransportMode::Auto, Some(TransportKind::None));
        assert_eq!(on_none.first(), TransportKind::WebSocket);
    }

    #[test]
    fn polling_then_upgrade_starts_on_polling_and_probes() {
        for remembered in [None, Some(TransportKind::WebSocket)] {
            let c = choice(TransportMode::PollingThenUpgrade, remembered);
            assert_eq!(c.first(), TransportKind::Polling);
            assert!(c.should_probe_upgrade(&handshake(&["websocket"])));
            assert!(!c.should_probe_upgrade(&handshake(&[])));
            assert_eq!(c.websocket_open_deadline(t(0)), None);
        }
    }

    #[test]
    fn websocket_only_fails_the_attempt_instead_of_falling_back() {
        for remembered in [None, Some(TransportKind::Polling)] {
            let c = choice(TransportMode::WebSocketOnly, remembered);
            assert_eq!(c.first(), TransportKind::WebSocket);
            assert_eq!(c.handle_websocket_failed(), Fallback::FailAttempt);
            assert_eq!(c.websocket_open_deadline(t(0)), None);
            assert!(!c.should_probe_upgrade(&handshake(&["websocket"])));
        }
    }

    #[test]
    fn polling_only_never_probes_websocket() {
        for remembered in [None, Some(TransportKind::WebSocket)] {
            let c = choice(TransportMode::PollingOnly, remembered);
            assert_eq!(c.first(), TransportKind::Polling);
            assert!(!c.should_probe_upgrade(&handshake(&["websocket"])));
            assert_eq!(c.websocket_open_deadline(t(0)), None);
        }
    }

    #[test]
    fn auto_remembers_the_transport_that_worked() {
        let c = choice(TransportMode::Auto, Some(TransportKind::Polling));
        assert_eq!(
            c.remember(TransportKind::WebSocket, 42),
            Some(RememberedTransport::new(TransportKind::WebSocket, 42))
        );
        assert_eq!(
            c.remember(TransportKind::Polling, 43),
            Some(RememberedTransport::new(TransportKind::Polling, 43))
        );
        assert_eq!(c.remember(TransportKind::None, 44), None);
    }

    #[test]
    fn fixed_modes_remember_nothing_so_they_cannot_steer_a_later_auto_page() {
        for mode in [
            TransportMode::PollingThenUpgrade,
            TransportMode::WebSocketOnly,
            TransportMode::PollingOnly,
        ] {
            let c = choice(mode, None);
            assert_eq!(c.remember(TransportKind::Polling, 1), None, "{mode:?}");
            assert_eq!(c.remember(TransportKind::WebSocket, 1), None, "{mode:?}");
        }
    }

    #[test]
    fn a_remembered_transport_expires_after_its_ttl() {
        let m = RememberedTransport::new(TransportKind::Polling, 1_000);
        let ttl = DEFAULT_REMEMBER_TTL;
        assert_eq!(ttl.as_millis(), u128::from(24 * HOUR_MS));
        assert!(m.is_fresh(1_000, ttl));
        assert!(m.is_fresh(1_000 + 24 * HOUR_MS - 1, ttl));
        assert!(!m.is_fresh(1_000 + 24 * HOUR_MS, ttl));
        assert_eq!(
            m.fresh_kind(1_000 + HOUR_MS, ttl),
            Some(TransportKind::Polling)
        );
        assert_eq!(m.fresh_kind(1_000 + 25 * HOUR_MS, ttl), None);
    }

    #[test]
    fn an_expired_memory_puts_auto_back_on_websocket_first() {
        let m = RememberedTransport::new(TransportKind::Polling, 0);
        let later = 25 * HOUR_MS;
        let c = choice(
            TransportMode::Auto,
            m.fresh_kind(later, DEFAULT_REMEMBER_TTL),
        );
        assert_eq!(c.first(), TransportKind::WebSocket);
    }

    #[test]
    fn a_memory_from_the_future_or_of_no_transport_is_not_trusted() {
        let future = RememberedTransport::new(TransportKind::Polling, 10_000);
        assert!(!future.is_fresh(9_999, DEFAULT_REMEMBER_TTL));
        let none = RememberedTransport::new(TransportKind::None, 10_000);
        assert!(!none.is_fresh(10_000, DEFAULT_REMEMBER_TTL));
        let forever = RememberedTransport::new(TransportKind::WebSocket, 0);
        assert!(forever.is_fresh(u64::MAX - 1, Duration::MAX));
    }

    #[test]
    fn a_remembered_transport_round_trips_through_its_stored_form() {
        for m in [
            RememberedTransport::new(TransportKind::Polling, 1_700_000_000_000),
            RememberedTransport::new(TransportKind::WebSocket, 0),
        ] {
            assert_eq!(RememberedTransport::decode(&m.encode()), Some(m));
        }
        assert_eq!(
            RememberedTransport::new(TransportKind::Polling, 5).encode(),
            "polling@5"
        );
    }

    #[test]
    fn a_stored_form_that_does_not_parse_is_forgotten() {
        for stored in [
            "",
            "polling",
            "none@5",
            "Polling@5",
            "polling@",
            "polling@-1",
            "polling@1.5",
            "websocket@99999999999999999999999",
            "@5",
        ] {
            assert_eq!(RememberedTransport::decode(stored), None, "{stored:?}");
        }
    }
}
