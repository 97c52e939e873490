//! [`Session`]: handshake, heartbeat watchdog and the outgoing queue of one
//! Engine.IO connection.

use std::collections::VecDeque;
use std::time::Duration;

use crate::engine::{CloseReason, TransportError};
use crate::protocol::{EnginePacket, Handshake};
use crate::time::Instant;

/// How many messages a [`Session`] keeps while it waits for the handshake;
/// [`Session::send_message`] refuses more (returns `false`) and keeps the
/// waiting ones. The Socket.IO client sends nothing before the handshake
/// (its namespaces hold emits themselves, up to
/// `SocketOptions::max_buffered_emits`), so this bounds what other users of
/// a `Session` may queue.
pub const MAX_WAITING_MESSAGES: usize = 1_000;

/// Where a [`Session`] is in its life.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionState {
    /// Waiting for the server's `open` packet.
    Opening,
    /// The handshake is done; messages flow.
    Open(Handshake),
    /// Over; a new connection needs a new `Session`. Why is told once, by
    /// [`SessionEvent::Closed`].
    Closed,
}

/// Something the application should learn about, from [`Session::poll_event`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionEvent {
    /// The handshake completed.
    Opened(Handshake),
    /// A text message (an encoded Socket.IO packet) arrived.
    Message(String),
    /// A binary message (a Socket.IO attachment) arrived.
    Binary(Vec<u8>),
    /// The session ended; the transport should be closed and dropped.
    Closed(CloseReason),
}

/// A sans-IO Engine.IO v4 client session over one transport.
///
/// Feed it with [`handle_packet`](Self::handle_packet),
/// [`handle_transport_closed`](Self::handle_transport_closed) and
/// [`handle_timeout`](Self::handle_timeout); drain
/// [`poll_transmit`](Self::poll_transmit) and [`poll_event`](Self::poll_event)
/// after each call, and arm a timer for [`poll_timeout`](Self::poll_timeout).
///
/// ```
/// use leptos_socketio::engine::{Session, SessionEvent};
/// use leptos_socketio::protocol::EnginePacket;
/// use leptos_socketio::time::Instant;
/// use std::time::Duration;
///
/// let t0 = Instant::from_millis(0);
/// let mut session = Session::new(t0, Duration::from_secs(20));
/// let open = EnginePacket::decode_text(
///     r#"0{"sid":"abc","upgrades":[],"pingInterval":300,"pingTimeout":200,"maxPayload":1000000}"#,
/// ).unwrap();
/// session.handle_packet(open, t0);
/// assert!(matches!(session.poll_event(), Some(SessionEvent::Opened(_))));
/// // No ping within pingInterval + pingTimeout: the session is declared dead.
/// assert_eq!(session.poll_timeout(), Some(Instant::from_millis(500)));
/// ```
#[derive(Debug)]
pub struct Session {
    state: SessionState,
    /// When the current wait (handshake or heartbeat) runs out.
    deadline: Option<Instant>,
    /// Messages the application sent before the handshake completed (at
    /// most [`MAX_WAITING_MESSAGES`]).
    waiting: Vec<EnginePacket>,
    transmit: VecDeque<EnginePacket>,
    events: VecDeque<SessionEvent>,
}

impl Session {
    /// A session whose transport was just opened at `now`; the server's `open`
    /// packet must arrive within `handshake_timeout`.
    pub fn new(now: Instant, handshake_timeout: Duration) -> Self {
        Self {
            state: SessionState::Opening,
            deadline: Some(now + handshake_timeout),
            waiting: Vec::new(),
            transmit: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    /// The current state.
    pub fn state(&self) -> &SessionState {
        &self.state
    }

    /// Whether the handshake is done and the session not closed.
    pub fn is_open(&self) -> bool {
        matches!(self.state, SessionState::Open(_))
    }

    /// Handles one packet received from the server at `now`.
    pub fn handle_packet(&mut self, packet: EnginePacket, now: Instant) {
        let handshake = match &self.state {
            SessionState::Closed => return,
            SessionState::Opening => None,
            SessionState::Open(handshake) => Some(handshake.clone()),
        };
        match (packet, handshake) {
            (EnginePacket::Open(handshake), None) => {
                self.deadline = Some(now + heartbeat_window(&handshake));
                self.state = SessionState::Open(handshake.clone());
                self.events.push_back(SessionEvent::Opened(handshake));
                self.transmit.extend(std::mem::take(&mut self.waiting));
            }
            (EnginePacket::Open(_), Some(_)) => {
                self.close_with(CloseReason::UnexpectedPacket("a second open packet"));
            }
            (_, None) => {
                self.close_with(CloseReason::UnexpectedPacket(
                    "a packet before the open handshake",
                ));
            }
            (EnginePacket::Ping(payload), Some(handshake)) => {
                self.deadline = Some(now + heartbeat_window(&handshake));
                self.transmit.push_back(EnginePacket::Pong(payload));
            }
            (EnginePacket::Message(text), Some(_)) => {
                self.events.push_back(SessionEvent::Message(text));
            }
            (EnginePacket::Binary(bytes), Some(_)) => {
                self.events.push_back(SessionEvent::Binary(bytes));
            }
            (EnginePacket::Close, Some(_)) => self.close_with(CloseReason::ServerClosed),
            // A pong only answers a probe (upgrade); noop ends a poll; a
            // client never receives `upgrade`. None of them changes the session.
            (EnginePacket::Pong(_) | EnginePacket::Noop | EnginePacket::Upgrade, Some(_)) => {}
        }
    }

    /// The transport delivered something that is not Engine.IO: the session
    /// is closed with [`CloseReason::ProtocolError`].
    pub fn handle_invalid(&mut self, error: crate::protocol::DecodeError) {
        if !matches!(self.state, SessionState::Closed) {
            self.close_with(CloseReason::ProtocolError(error));
        }
    }

    /// The transport closed or failed; `why` says how, for the close reason.
    pub fn handle_transport_closed(&mut self, error: TransportError) {
        if !matches!(self.state, SessionState::Closed) {
            self.close_with(CloseReason::TransportClosed(error));
        }
    }

    /// Call when the time from [`poll_timeout`](Self::poll_timeout) has come.
    pub fn handle_timeout(&mut self, now: Instant) {
        let Some(deadline) = self.deadline else {
            return;
        };
        if now < deadline {
            return;
        }
        match self.state {
            SessionState::Opening => self.close_with(CloseReason::HandshakeTimeout),
            SessionState::Open(_) => self.close_with(CloseReason::PingTimeout),
            SessionState::Closed => self.deadline = None,
        }
    }

    /// Queues a text message (an encoded Socket.IO packet). Before the
    /// handshake it waits, unless [`MAX_WAITING_MESSAGES`] already do: then
    /// it is refused and `false` returned (the waiting ones stay). After a
    /// close it is dropped and `false` returned.
    pub fn send_message(&mut self, text: String) -> bool {
        self.send(EnginePacket::Message(text))
    }

    /// Queues a binary message, like [`send_message`](Self::send_message).
    pub fn send_binary(&mut self, bytes: Vec<u8>) -> bool {
        self.send(EnginePacket::Binary(bytes))
    }

    fn send(&mut self, packet: EnginePacket) -> bool {
        match self.state {
            SessionState::Opening if self.waiting.len() >= MAX_WAITING_MESSAGES => return false,
            SessionState::Opening => self.waiting.push(packet),
            SessionState::Open(_) => self.transmit.push_back(packet),
            SessionState::Closed => return false,
        }
        true
    }

    /// Closes the session at the application's request: a `close` packet is
    /// queued for the server, then the transport should be closed.
    pub fn close(&mut self) {
        if self.is_open() {
            self.transmit.push_back(EnginePacket::Close);
        }
        if !matches!(self.state, SessionState::Closed) {
            self.close_with(CloseReason::ClientClosed);
        }
    }

    fn close_with(&mut self, reason: CloseReason) {
        self.state = SessionState::Closed;
        self.deadline = None;
        self.waiting.clear();
        self.events.push_back(SessionEvent::Closed(reason));
    }

    /// The next packet to send on the transport, if any.
    pub fn poll_transmit(&mut self) -> Option<EnginePacket> {
        self.transmit.pop_front()
    }

    /// The next event for the application, if any.
    pub fn poll_event(&mut self) -> Option<SessionEvent> {
        self.events.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) must next be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.deadline
    }
}

/// v4 heartbeat: the server pings every `pingInterval`, and waits
/// `pingTimeout` for the pong; a client that heard nothing for the sum of both
/// knows the connection is gone.
fn heartbeat_window(handshake: &Handshake) -> Duration {
    Duration::from_millis(
        handshake
            .ping_interval
            .saturating_add(handshake.ping_timeout),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(ms: u64) -> Instant {
        Instant::from_millis(ms)
    }

    fn handshake() -> Handshake {
        Handshake {
            sid: "sid1".into(),
            upgrades: vec![],
            ping_interval: 300,
            ping_timeout: 200,
            max_payload: 1_000_000,
        }
    }

    fn open_session() -> Session {
        let mut s = Session::new(t(0), Duration::from_secs(20));
        s.handle_packet(EnginePacket::Open(handshake()), t(0));
        assert_eq!(s.poll_event(), Some(SessionEvent::Opened(handshake())));
        s
    }

    #[test]
    fn answers_every_ping_with_a_pong_carrying_the_same_payload() {
        let mut s = open_session();
        s.handle_packet(EnginePacket::Ping(String::new()), t(300));
        s.handle_packet(EnginePacket::Ping("probe".into()), t(310));
        assert_eq!(s.poll_transmit(), Some(EnginePacket::Pong(String::new())));
        assert_eq!(s.poll_transmit(), Some(EnginePacket::Pong("probe".into())));
        assert_eq!(s.poll_transmit(), None);
    }

    #[test]
    fn heartbeat_timeout_fires_exactly_at_ping_interval_plus_ping_timeout() {
        let mut s = open_session();
        assert_eq!(s.poll_timeout(), Some(t(500)));
        s.handle_timeout(t(499));
        assert!(s.is_open(), "one millisecond early must not close");
        s.handle_timeout(t(500));
        assert_eq!(
            s.poll_event(),
            Some(SessionEvent::Closed(CloseReason::PingTimeout))
        );
        assert_eq!(s.poll_timeout(), None);
    }

    #[test]
    fn each_ping_pushes_the_heartbeat_deadline_back() {
        let mut s = open_session();
        s.handle_packet(EnginePacket::Ping(String::new()), t(300));
        assert_eq!(s.poll_timeout(), Some(t(800)));
        s.handle_timeout(t(500));
        assert!(s.is_open());
    }

    #[test]
    fn messages_sent_before_the_handshake_are_flushed_in_order_after_it() {
        let mut s = Session::new(t(0), Duration::from_secs(20));
        assert!(s.send_message("0".into()));
        assert!(s.send_message("2[\"a\"]".into()));
        assert_eq!(s.poll_transmit(), None);
        s.handle_packet(EnginePacket::Open(handshake()), t(5));
        assert_eq!(s.poll_transmit(), Some(EnginePacket::Message("0".into())));
        assert_eq!(
            s.poll_transmit(),
            Some(EnginePacket::Message("2[\"a\"]".into()))
        );
    }

    #[test]
    fn messages_over_the_waiting_bound_are_refused_and_the_waiting_ones_kept() {
        let mut s = Session::new(t(0), Duration::from_secs(20));
        for i in 0..MAX_WAITING_MESSAGES {
            assert!(s.send_message(i.to_string()), "message {i} waits");
        }
        assert!(!s.send_message("one too many".into()));
        assert!(!s.send_binary(vec![1]));
        s.handle_packet(EnginePacket::Open(handshake()), t(5));
        let sent: Vec<_> = std::iter::from_fn(|| s.poll_transmit()).collect();
        let waited: Vec<_> = (0..MAX_WAITING_MESSAGES)
            .map(|i| EnginePacket::Message(i.to_string()))
            .collect();
        assert_eq!(sent, waited, "every one, in order, and nothing else");
        assert!(s.send_message("after the handshake".into()));
    }

    #[test]
    fn handshake_that_never_comes_closes_the_session_at_the_deadline() {
        let mut s = Session::new(t(0), Duration::from_millis(1_000));
        s.handle_timeout(t(1_000));
        assert!(matches!(
            s.poll_event(),
            Some(SessionEvent::Closed(CloseReason::HandshakeTimeout))
        ));
    }

    #[test]
    fn a_message_before_the_handshake_is_a_protocol_error() {
        let mut s = Session::new(t(0), Duration::from_secs(20));
        s.handle_packet(EnginePacket::Message("2[\"x\"]".into()), t(1));
        assert!(matches!(
            s.poll_event(),
            Some(SessionEvent::Closed(CloseReason::UnexpectedPacket(_)))
        ));
    }

    #[test]
    fn server_close_and_transport_loss_are_reported_once() {
        let mut s = open_session();
        s.handle_packet(EnginePacket::Message("2[\"x\"]".into()), t(1));
        s.handle_packet(EnginePacket::Close, t(2));
        s.handle_transport_closed(TransportError::WebSocketClosed {
            code: 1006,
            reason: String::new(),
        });
        assert_eq!(
            s.poll_event(),
            Some(SessionEvent::Message("2[\"x\"]".into()))
        );
        assert_eq!(
            s.poll_event(),
            Some(SessionEvent::Closed(CloseReason::ServerClosed))
        );
        assert_eq!(s.poll_event(), None);
        assert!(
            !s.send_message("late".into()),
            "a closed session drops sends"
        );
    }

    #[test]
    fn client_close_sends_a_close_packet_and_is_not_recoverable() {
        let mut s = open_session();
        s.close();
        assert_eq!(s.poll_transmit(), Some(EnginePacket::Close));
        match s.poll_event() {
            Some(SessionEvent::Closed(reason)) => assert!(!reason.is_recoverable()),
            other => panic!("expected a close event, got {other:?}"),
        }
    }
}
