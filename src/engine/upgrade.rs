//! [`Upgrade`]: the Engine.IO v4 polling → WebSocket upgrade, as a sans-IO
//! state machine.
//!
//! The dance, with the session still running on polling meanwhile:
//!
//! 1. open a WebSocket with the session's `sid` (the *probe transport*) and
//!    send `2probe` on it;
//! 2. the server answers `3probe` on it;
//! 3. pause polling: send no new GET or POST, and wait for those in flight
//!    to finish (the server ends the pending GET with a `6` noop);
//! 4. send `5` (upgrade) on the WebSocket, which from then on carries the
//!    session; flush the polling write buffer over it.
//!
//! Any failure before step 4 leaves polling in place: the probe transport
//! is closed and the session goes on as if nothing happened.

use std::collections::VecDeque;
use std::time::Duration;

use crate::protocol::EnginePacket;
use crate::time::Instant;

/// The payload of the probe ping and of its pong.
const PROBE: &str = "probe";

/// Where an [`Upgrade`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UpgradeState {
    /// `2probe` is (to be) sent; waiting for `3probe`.
    Probing,
    /// The probe was answered; waiting for polling to pause.
    Pausing,
    /// `5` is (to be) sent: the probe transport now carries the session.
    Done,
    /// The upgrade was abandoned; polling stays.
    Failed,
}

/// What the driver must act on, from [`Upgrade::poll_event`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpgradeEvent {
    /// The server answered the probe: stop starting GETs and POSTs, and call
    /// [`Upgrade::handle_polling_paused`] once the ones in flight are done
    /// (the server ends the pending GET with a noop). Packets those last
    /// requests bring still go to the session.
    PausePolling,
    /// The upgrade is complete, and the `5` packet has been handed out by
    /// [`Upgrade::poll_transmit`]: send it first, then make the probe
    /// transport the session's transport, drop polling, and send the write
    /// buffer's packets ([`WriteBuffer::drain_all`](crate::engine::WriteBuffer::drain_all))
    /// over the WebSocket.
    Upgraded,
    /// The upgrade was abandoned, for the reason given: close the probe
    /// transport, and resume polling if it was paused. The session is not
    /// affected; a later upgrade may be tried.
    Failed(String),
}

/// The polling → WebSocket upgrade dance of Engine.IO v4, sans-IO.
///
/// Create it with [`start`](Self::start); feed it what arrives on the probe
/// transport ([`handle_probe_packet`](Self::handle_probe_packet)), the end of
/// polling ([`handle_polling_paused`](Self::handle_polling_paused)), the
/// probe transport's failure
/// ([`handle_transport_failed`](Self::handle_transport_failed)) and timer
/// expiries ([`handle_timeout`](Self::handle_timeout)); after each call,
/// send what [`poll_transmit`](Self::poll_transmit) gives **on the probe
/// transport**, act on [`poll_event`](Self::poll_event), and arm a timer
/// for [`poll_timeout`](Self::poll_timeout).
///
/// ```
/// use leptos_socketio::engine::{Upgrade, UpgradeEvent};
/// use leptos_socketio::protocol::EnginePacket;
/// use leptos_socketio::time::Instant;
/// use std::time::Duration;
///
/// let t0 = Instant::from_millis(0);
/// let mut upgrade = Upgrade::start(t0, Duration::from_millis(1_000));
/// assert_eq!(upgrade.poll_transmit(), Some(EnginePacket::Ping("probe".into())));
/// upgrade.handle_probe_packet(EnginePacket::Pong("probe".into()), Instant::from_millis(40));
/// assert_eq!(upgrade.poll_event(), Some(UpgradeEvent::PausePolling));
/// upgrade.handle_polling_paused();
/// assert_eq!(upgrade.poll_transmit(), Some(EnginePacket::Upgrade));
/// assert_eq!(upgrade.poll_event(), Some(UpgradeEvent::Upgraded));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Upgrade {
    state: UpgradeState,
    /// When the probe must have been answered, while probing.
    deadline: Option<Instant>,
    probe_timeout: Duration,
    transmit: VecDeque<EnginePacket>,
    events: VecDeque<UpgradeEvent>,
}

impl Upgrade {
    /// Starts an upgrade at `now`: `2probe` is queued for the probe
    /// transport, and `3probe` must come back within `probe_timeout`.
    ///
    /// Start it when the probe WebSocket opens, so the timeout covers the
    /// round trip only; or when the WebSocket is created, holding
    /// [`poll_transmit`](Self::poll_transmit) until it opens, so the timeout
    /// also covers the opening.
    pub fn start(now: Instant, probe_timeout: Duration) -> Self {
        Self {
            state: UpgradeState::Probing,
            deadline: Some(now + probe_timeout),
            probe_timeout,
            transmit: VecDeque::from([EnginePacket::Ping(PROBE.to_owned())]),
            events: VecDeque::new(),
        }
    }

    /// The current state.
    pub fn state(&self) -> UpgradeState {
        self.state
    }

    /// Handles a packet received on the probe transport at `now`.
    ///
    /// While probing, only `3probe` is valid, and only before the deadline;
    /// until the upgrade is done, the server sends nothing else there, so
    /// anything else abandons the upgrade. Once the upgrade is done (or
    /// failed) this does nothing: after [`UpgradeEvent::Upgraded`] the
    /// transport's packets belong to the [`Session`](crate::engine::Session).
    pub fn handle_probe_packet(&mut self, packet: EnginePacket, now: Instant) {
        match self.state {
            UpgradeState::Probing => {}
            UpgradeState::Pausing => {
                return self.fail(format!(
                    "the server sent an unexpected {} packet on the WebSocket while the upgrade waited for polling to pause",
                    kind_name(&packet)
                ));
            }
            UpgradeState::Done | UpgradeState::Failed => return,
        }
        if self.deadline.is_some_and(|deadline| now >= deadline) {
            return self.fail_timed_out();
        }
        match packet {
            EnginePacket::Pong(payload) if payload == PROBE => {
                self.state = UpgradeState::Pausing;
                self.deadline = None;
                self.events.push_back(UpgradeEvent::PausePolling);
            }
            EnginePacket::Pong(payload) => {
                let mut quoted = String::new();
                crate::protocol::json::write_str(&mut quoted, &payload);
                self.fail(format!(
                    "the server answered the WebSocket upgrade probe with pong {quoted} instead of \"probe\""
                ));
            }
            other => self.fail(format!(
                "the server answered the WebSocket upgrade probe with an unexpected {} packet instead of pong \"probe\"",
                kind_name(&other)
            )),
        }
    }

    /// Polling is paused: no GET or POST is in flight any more. Queues the
    /// `5` packet and completes the upgrade. Does nothing unless the upgrade
    /// was waiting for exactly this.
    pub fn handle_polling_paused(&mut self) {
        if self.state != UpgradeState::Pausing {
            return;
        }
        self.state = UpgradeState::Done;
        self.transmit.push_back(EnginePacket::Upgrade);
        self.events.push_back(UpgradeEvent::Upgraded);
    }

    /// The probe transport closed or failed before the upgrade was done;
    /// `reason` says how. Abandons the upgrade. After it is done, the
    /// transport is the session's and this does nothing: tell the
    /// [`Session`](crate::engine::Session) instead.
    pub fn handle_transport_failed(&mut self, reason: impl Into<String>) {
        if matches!(self.state, UpgradeState::Probing | UpgradeState::Pausing) {
            self.fail(format!(
                "the WebSocket failed during the upgrade: {}",
                reason.into()
            ));
        }
    }

    /// Call when the time from [`poll_timeout`](Self::poll_timeout) has come:
    /// at or after the deadline, a probe still unanswered abandons the
    /// upgrade.
    ///
    /// Only the probe has a deadline. Pausing waits for requests the server
    /// answers by itself; if it never does, the session's heartbeat declares
    /// the whole connection dead.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.state == UpgradeState::Probing && self.deadline.is_some_and(|d| now >= d) {
            self.fail_timed_out();
        }
    }

    /// The next packet to send on the probe transport, if any.
    pub fn poll_transmit(&mut self) -> Option<EnginePacket> {
        self.transmit.pop_front()
    }

    /// The next event for the driver, if any.
    pub fn poll_event(&mut self) -> Option<UpgradeEvent> {
        self.events.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) must next be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.deadline
    }

    fn fail_timed_out(&mut self) {
        self.fail(format!(
            "the server did not answer the WebSocket upgrade probe within {} ms",
            u64::try_from(self.probe_timeout.as_millis()).unwrap_or(u64::MAX)
        ));
    }

    fn fail(&mut self, reason: String) {
        self.state = UpgradeState::Failed;
        self.deadline = None;
        self.transmit.clear();
        self.events.push_back(UpgradeEvent::Failed(reason));
    }
}

/// The name of a packet's type, for error messages.
fn kind_name(packet: &EnginePacket) -> &'static str {
    match packet {
        EnginePacket::Open(_) => "open",
        EnginePacket::Close => "close",
        EnginePacket::Ping(_) => "ping",
        EnginePacket::Pong(_) => "pong",
        EnginePacket::Message(_) => "message",
        EnginePacket::Binary(_) => "binary",
        EnginePacket::Upgrade => "upgrade",
        EnginePacket::Noop => "noop",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(ms: u64) -> Instant {
        Instant::from_millis(ms)
    }

    fn probing() -> Upgrade {
        let mut u = Upgrade::start(t(1_000), Duration::from_millis(500));
        assert_eq!(u.poll_transmit(), Some(EnginePacket::Ping("probe".into())));
        assert_eq!(u.poll_transmit(), None);
        u
    }

    fn pausing() -> Upgrade {
        let mut u = probing();
        u.handle_probe_packet(EnginePacket::Pong("probe".into()), t(1_100));
        assert_eq!(u.poll_event(), Some(UpgradeEvent::PausePolling));
        u
    }

    fn failure(u: &mut Upgrade) -> String {
        assert_eq!(u.state(), UpgradeState::Failed);
        assert_eq!(u.poll_transmit(), None, "a failed upgrade sends nothing");
        assert_eq!(u.poll_timeout(), None);
        match u.poll_event() {
            Some(UpgradeEvent::Failed(reason)) => reason,
            other => panic!("expected a failure, got {other:?}"),
        }
    }

    #[test]
    fn succeeds_by_probe_pong_pause_then_upgrade_packet_in_that_order() {
        let mut u = Upgrade::start(t(0), Duration::from_millis(500));
        assert_eq!(u.state(), UpgradeState::Probing);
        assert_eq!(u.poll_transmit(), Some(EnginePacket::Ping("probe".into())));
        assert_eq!(u.poll_event(), None);

        u.handle_probe_packet(EnginePacket::Pong("probe".into()), t(30));
        assert_eq!(u.state(), UpgradeState::Pausing);
        assert_eq!(u.poll_event(), Some(UpgradeEvent::PausePolling));
        assert_eq!(
            u.poll_transmit(),
            None,
            "the upgrade packet waits for the pause"
        );
        assert_eq!(u.poll_timeout(), None);

        u.handle_polling_paused();
        assert_eq!(u.state(), UpgradeState::Done);
        assert_eq!(u.poll_transmit(), Some(EnginePacket::Upgrade));
        assert_eq!(u.poll_event(), Some(UpgradeEvent::Upgraded));
        assert_eq!((u.poll_transmit(), u.poll_event()), (None, None));
    }

    #[test]
    fn probe_timeout_fires_exactly_at_the_deadline_and_not_before() {
        let mut u = probing();
        assert_eq!(u.poll_timeout(), Some(t(1_500)));
        u.handle_timeout(t(1_499));
        assert_eq!(u.state(), UpgradeState::Probing);
        assert_eq!(u.poll_event(), None);
        u.handle_timeout(t(1_500));
        let reason = failure(&mut u);
        assert!(reason.contains("within 500 ms"), "{reason}");
    }

    #[test]
    fn a_pong_just_before_the_deadline_is_in_time() {
        let mut u = probing();
        u.handle_probe_packet(EnginePacket::Pong("probe".into()), t(1_499));
        assert_eq!(u.poll_event(), Some(UpgradeEvent::PausePolling));
        u.handle_timeout(t(1_500));
        assert_eq!(u.state(), UpgradeState::Pausing, "the timer is disarmed");
    }

    #[test]
    fn a_pong_processed_at_the_deadline_is_too_late() {
        let mut u = probing();
        u.handle_probe_packet(EnginePacket::Pong("probe".into()), t(1_500));
        let reason = failure(&mut u);
        assert!(reason.contains("did not answer"), "{reason}");
    }

    #[test]
    fn a_pong_with_the_wrong_payload_abandons_the_upgrade() {
        let mut u = probing();
        u.handle_probe_packet(EnginePacket::Pong("prob".into()), t(1_010));
        let reason = failure(&mut u);
        assert!(reason.contains("\"prob\""), "{reason}");
    }

    #[test]
    fn an_unexpected_packet_instead_of_the_pong_abandons_the_upgrade() {
        for packet in [
            EnginePacket::Message("2[\"x\"]".into()),
            EnginePacket::Ping("probe".into()),
            EnginePacket::Noop,
            EnginePacket::Close,
        ] {
            let mut u = probing();
            u.handle_probe_packet(packet.clone(), t(1_010));
            let reason = failure(&mut u);
            assert!(reason.contains(kind_name(&packet)), "{packet:?}: {reason}");
        }
    }

    #[test]
    fn a_packet_on_the_probe_transport_while_pausing_abandons_the_upgrade() {
        let mut u = pausing();
        u.handle_probe_packet(EnginePacket::Message("2[\"x\"]".into()), t(1_200));
        let reason = failure(&mut u);
        assert!(reason.contains("message"), "{reason}");
        u.handle_polling_paused();
        assert_eq!(u.poll_transmit(), None, "no upgrade packet after a failure");
    }

    #[test]
    fn transport_failure_while_probing_abandons_the_upgrade() {
        let mut u = probing();
        u.handle_transport_failed("connection refused");
        let reason = failure(&mut u);
        assert!(reason.contains("connection refused"), "{reason}");
    }

    #[test]
    fn transport_failure_while_pausing_abandons_the_upgrade_and_is_reported_once() {
        let mut u = pausing();
        u.handle_transport_failed("closed with code 1006");
        let reason = failure(&mut u);
        assert!(reason.contains("1006"), "{reason}");
        u.handle_transport_failed("again");
        u.handle_timeout(t(10_000));
        assert_eq!(u.poll_event(), None);
    }

    #[test]
    fn after_the_upgrade_the_transport_belongs_to_the_session() {
        let mut u = pausing();
        u.handle_polling_paused();
        assert_eq!(u.poll_transmit(), Some(EnginePacket::Upgrade));
        assert_eq!(u.poll_event(), Some(UpgradeEvent::Upgraded));
        u.handle_probe_packet(EnginePacket::Message("2[\"x\"]".into()), t(1_300));
        u.handle_transport_failed("closed");
        u.handle_timeout(t(10_000));
        assert_eq!(u.state(), UpgradeState::Done);
        assert_eq!((u.poll_transmit(), u.poll_event()), (None, None));
    }

    #[test]
    fn polling_paused_before_the_probe_is_answered_is_ignored() {
        let mut u = probing();
        u.handle_polling_paused();
        assert_eq!(u.state(), UpgradeState::Probing);
        assert_eq!((u.poll_transmit(), u.poll_event()), (None, None));
        assert_eq!(u.poll_timeout(), Some(t(1_500)));
    }
}
