//! [`EngineSocket`]: one Engine.IO connection over whichever transports it
//! takes — WebSocket first with a bounded fallback to long-polling, the
//! polling → WebSocket upgrade, and the polling request discipline — as a
//! sans-IO state machine.
//!
//! It owns the [`Session`] (handshake, heartbeat), a [`WriteBuffer`] for
//! polling, an [`Upgrade`] while probing, and the [`TransportChoice`]. The
//! driver performs its [`EngineAction`]s (open a WebSocket, start a GET, …)
//! and reports back what the browser did, tagged with the [`TransportId`] the
//! action named, so late reports from a transport that was dropped are
//! ignored.

use std::collections::VecDeque;
use std::time::Duration;

use crate::engine::TransportKind;
use crate::engine::{
    CloseReason, Fallback, Session, SessionEvent, TransportChoice, TransportError, Upgrade,
    UpgradeEvent, WriteBuffer,
};
use crate::protocol::{decode_payload, EnginePacket, Frame, Handshake};
use crate::time::Instant;

/// Names one transport instance (one WebSocket, or one polling "channel").
pub type TransportId = u32;

/// Timing of an [`EngineSocket`], with socket.io-client's defaults.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EngineOptions {
    /// How long a transport may take to deliver the server's `open` packet.
    /// Default: 20 000 ms (socket.io-client's `timeout`).
    pub handshake_timeout: Duration,
    /// How long an upgrade probe may take (WebSocket open plus `3probe`).
    /// Default: 5 000 ms.
    pub probe_timeout: Duration,
    /// After a failed upgrade probe, how long polling runs before the next
    /// probe. Default: 10 000 ms.
    pub upgrade_retry: Duration,
}

impl Default for EngineOptions {
    fn default() -> Self {
        Self {
            handshake_timeout: Duration::from_millis(20_000),
            probe_timeout: Duration::from_millis(5_000),
            upgrade_retry: Duration::from_millis(10_000),
        }
    }
}

/// What the driver must do, from [`EngineSocket::poll_action`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineAction {
    /// Open a WebSocket to the Engine.IO URL (`sid` set when it is an
    /// upgrade probe); report `handle_websocket_open`, frames and errors.
    OpenWebSocket {
        /// The new transport's id.
        id: TransportId,
        /// The session id, for an upgrade probe.
        sid: Option<String>,
    },
    /// Start a long-polling GET (without `sid`: the handshake); report its
    /// body with `handle_poll_response`.
    Poll {
        /// The polling transport's id.
        id: TransportId,
        /// The session id, once known.
        sid: Option<String>,
    },
    /// POST `body` (an encoded polling payload); report `handle_post_done`.
    Post {
        /// The polling transport's id.
        id: TransportId,
        /// The session id.
        sid: String,
        /// The payload.
        body: String,
    },
    /// POST `body`, the last packets of a closing polling session (its
    /// `close`), even while another POST is in flight, and let the request
    /// outlive the page (the page may be closing). Nothing is reported back:
    /// a `Close` of the same transport follows.
    PostLast {
        /// The polling transport's id.
        id: TransportId,
        /// The session id.
        sid: String,
        /// The payload.
        body: String,
    },
    /// Send one frame on the WebSocket `id`.
    Send {
        /// The WebSocket's id.
        id: TransportId,
        /// The frame.
        frame: Frame,
    },
    /// Close transport `id` (abort its GET; a POST may finish) and forget it.
    Close {
        /// The transport's id.
        id: TransportId,
    },
    /// This transport kind worked (only in `Auto` mode): remember it for the
    /// next page load.
    Remember(TransportKind),
}

/// What the application learns, from [`EngineSocket::poll_event`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineEvent {
    /// The handshake completed over `transport`.
    Opened {
        /// The transport that carried the handshake.
        transport: TransportKind,
        /// The server's handshake.
        handshake: Handshake,
    },
    /// A text message.
    Message(String),
    /// A binary message.
    Binary(Vec<u8>),
    /// The connection moved from polling to WebSocket.
    Upgraded,
    /// The connection is over; the driver has been told to close every
    /// transport.
    Closed(CloseReason),
}

#[derive(Debug)]
enum State {
    Idle,
    /// A transport is being tried, before the handshake.
    Connecting(Attempt),
    Open(Box<Open>),
    Closed,
}

#[derive(Debug)]
struct Attempt {
    id: TransportId,
    kind: TransportKind,
    session: Session,
    /// Auto mode, WebSocket: fall back to polling when not open by then.
    fallback_at: Option<Instant>,
    /// Polling: the handshake GET is out.
    get_in_flight: bool,
}

#[derive(Debug)]
struct Open {
    session: Session,
    sid: String,
    max_payload: u64,
    id: TransportId,
    kind: TransportKind,
    /// Polling only.
    buffer: WriteBuffer,
    get_in_flight: bool,
    probe: Option<Probe>,
    next_probe_at: Option<Instant>,
}

#[derive(Debug)]
struct Probe {
    id: TransportId,
    /// Until the probe WebSocket opens.
    open_deadline: Instant,
    /// Started once the WebSocket is open.
    upgrade: Option<Upgrade>,
    paused: bool,
}

/// A sans-IO Engine.IO v4 client connection across transports.
///
/// ```
/// use leptos_socketio::engine::{EngineAction, EngineEvent, EngineSocket, TransportChoice};
/// use leptos_socketio::protocol::Frame;
/// use leptos_socketio::time::Instant;
///
/// let t0 = Instant::from_millis(0);
/// let mut engine = EngineSocket::new(TransportChoice::default(), Default::default());
/// engine.connect(t0);
/// assert_eq!(engine.poll_action(), Some(EngineAction::OpenWebSocket { id: 1, sid: None }));
/// engine.handle_websocket_open(1, t0);
/// let open = r#"0{"sid":"s","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#;
/// engine.handle_frame(1, Frame::Text(open.into()), t0);
/// assert!(matches!(engine.poll_event(), Some(EngineEvent::Opened { .. })));
/// ```
#[derive(Debug)]
pub struct EngineSocket {
    choice: TransportChoice,
    options: EngineOptions,
    state: State,
    next_id: TransportId,
    actions: VecDeque<EngineAction>,
    events: VecDeque<EngineEvent>,
}

impl EngineSocket {
    /// A socket that will connect as `choice` says, once [`connect`](Self::connect)ed.
    pub fn new(choice: TransportChoice, options: EngineOptions) -> Self {
        Self {
            choice,
            options,
            state: State::Idle,
            next_id: 0,
            actions: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    /// The transport carrying the session now (`None` before the handshake
    /// and after the close).
    pub fn transport(&self) -> TransportKind {
        match &self.state {
            State::Open(open) => open.kind,
            _ => TransportKind::None,
        }
    }

    /// Whether the handshake is done and the connection not closed.
    pub fn is_open(&self) -> bool {
        matches!(self.state, State::Open(_))
    }

    /// Starts connecting (again, after a close).
    pub fn connect(&mut self, now: Instant) {
        if matches!(self.state, State::Idle | State::Closed) {
            self.start_attempt(self.choice.first(), now);
        }
    }

    fn new_id(&mut self) -> TransportId {
        self.next_id = self.next_id.wrapping_add(1);
        self.next_id
    }

    fn start_attempt(&mut self, kind: TransportKind, now: Instant) {
        let id = self.new_id();
        let (fallback_at, get_in_flight) = if kind == TransportKind::Polling {
            self.actions.push_back(EngineAction::Poll { id, sid: None });
            (None, true)
        } else {
            self.actions
                .push_back(EngineAction::OpenWebSocket { id, sid: None });
            (self.choice.websocket_open_deadline(now), false)
        };
        self.state = State::Connecting(Attempt {
            id,
            kind,
            session: Session::new(now, self.options.handshake_timeout),
            fallback_at,
            get_in_flight,
        });
    }

    /// Queues a text message (an encoded Socket.IO packet). `false`: it was
    /// not queued, because no connection is being made or open, or because
    /// [`MAX_WAITING_MESSAGES`](crate::engine::MAX_WAITING_MESSAGES) already
    /// wait for the handshake.
    pub fn send_message(&mut self, text: String, now: Instant) -> bool {
        let queued = self
            .session_mut()
            .is_some_and(|session| session.send_message(text));
        self.pump(now);
        queued
    }

    /// Queues a binary message (an attachment), like
    /// [`send_message`](Self::send_message).
    pub fn send_binary(&mut self, bytes: Vec<u8>, now: Instant) -> bool {
        let queued = self
            .session_mut()
            .is_some_and(|session| session.send_binary(bytes));
        self.pump(now);
        queued
    }

    fn session_mut(&mut self) -> Option<&mut Session> {
        match &mut self.state {
            State::Connecting(attempt) => Some(&mut attempt.session),
            State::Open(open) => Some(&mut open.session),
            State::Idle | State::Closed => None,
        }
    }

    /// Closes the connection at the application's request: a `close` packet
    /// goes to the server, then every transport is closed.
    pub fn close(&mut self, now: Instant) {
        if let Some(session) = self.session_mut() {
            session.close();
        }
        self.pump(now);
    }

    /// WebSocket `id` opened.
    pub fn handle_websocket_open(&mut self, id: TransportId, now: Instant) {
        if let State::Open(open) = &mut self.state {
            if let Some(probe) = open.probe.as_mut().filter(|p| p.id == id) {
                probe.upgrade = Some(Upgrade::start(now, self.options.probe_timeout));
            }
        }
        self.pump(now);
    }

    /// WebSocket `id` received `frame`.
    pub fn handle_frame(&mut self, id: TransportId, frame: Frame, now: Instant) {
        let packet = EnginePacket::decode_frame(frame);
        match &mut self.state {
            State::Connecting(attempt) if attempt.id == id => match packet {
                Ok(packet) => attempt.session.handle_packet(packet, now),
                Err(err) => attempt.session.handle_invalid(err),
            },
            State::Open(open) if open.id == id => match packet {
                Ok(packet) => open.session.handle_packet(packet, now),
                Err(err) => open.session.handle_invalid(err),
            },
            State::Open(open) => {
                if let Some(upgrade) = open
                    .probe
                    .as_mut()
                    .filter(|p| p.id == id)
                    .and_then(|p| p.upgrade.as_mut())
                {
                    match packet {
                        Ok(packet) => upgrade.handle_probe_packet(packet, now),
                        Err(err) => upgrade.handle_transport_failed(err.to_string()),
                    }
                }
            }
            _ => {}
        }
        self.pump(now);
    }

    /// The GET of polling transport `id` answered `body`.
    pub fn handle_poll_response(&mut self, id: TransportId, body: &str, now: Instant) {
        let packets = decode_payload(body);
        let session = match &mut self.state {
            State::Connecting(attempt) if attempt.id == id => {
                attempt.get_in_flight = false;
                &mut attempt.session
            }
            State::Open(open) if open.id == id && open.kind == TransportKind::Polling => {
                open.get_in_flight = false;
                &mut open.session
            }
            _ => return,
        };
        match packets {
            Ok(packets) => {
                for packet in packets {
                    session.handle_packet(packet, now);
                }
            }
            Err(err) => session.handle_invalid(err),
        }
        self.pump(now);
    }

    /// The POST of polling transport `id` succeeded. A failed POST is a
    /// [`handle_transport_error`](Self::handle_transport_error) instead.
    pub fn handle_post_done(&mut self, id: TransportId, now: Instant) {
        if let State::Open(open) = &mut self.state {
            if open.id == id {
                open.buffer.post_succeeded();
            }
        }
        self.pump(now);
    }

    /// Transport `id` failed or closed. For the transport carrying the
    /// session (a WebSocket, or a polling GET or POST that failed), the
    /// session ends: an [`EngineEvent::Closed`] follows, and the packets of
    /// a failed POST, like those still waiting to be sent, are dropped,
    /// never re-sent on this session or a later one (as in
    /// socket.io-client). A failed upgrade probe only ends the probe.
    pub fn handle_transport_error(&mut self, id: TransportId, error: TransportError, now: Instant) {
        match &mut self.state {
            State::Connecting(attempt) if attempt.id == id => {
                if attempt.kind == TransportKind::WebSocket
                    && self.choice.handle_websocket_failed() == Fallback::UsePolling
                {
                    self.actions.push_back(EngineAction::Close { id });
                    self.start_attempt(TransportKind::Polling, now);
                } else {
                    attempt.session.handle_transport_closed(error);
                }
            }
            State::Open(open) if open.id == id => open.session.handle_transport_closed(error),
            State::Open(open) => {
                if let Some(probe) = open.probe.as_mut().filter(|p| p.id == id) {
                    match probe.upgrade.as_mut() {
                        Some(upgrade) => upgrade.handle_transport_failed(error.to_string()),
                        None => {
                            let probe_id = probe.id;
                            fail_probe(open, probe_id, now, &self.options, &mut self.actions);
                        }
                    }
                }
            }
            _ => {}
        }
        self.pump(now);
    }

    /// Call when the time from [`poll_timeout`](Self::poll_timeout) has come.
    pub fn handle_timeout(&mut self, now: Instant) {
        match &mut self.state {
            State::Connecting(attempt) => {
                if attempt.fallback_at.is_some_and(|at| at <= now) {
                    let id = attempt.id;
                    self.actions.push_back(EngineAction::Close { id });
                    self.start_attempt(TransportKind::Polling, now);
                } else {
                    attempt.session.handle_timeout(now);
                }
            }
            State::Open(open) => {
                open.session.handle_timeout(now);
                if let Some(probe) = open.probe.as_mut() {
                    match probe.upgrade.as_mut() {
                        Some(upgrade) => upgrade.handle_timeout(now),
                        None if probe.open_deadline <= now => {
                            let probe_id = probe.id;
                            fail_probe(open, probe_id, now, &self.options, &mut self.actions);
                        }
                        None => {}
                    }
                }
                if open.next_probe_at.is_some_and(|at| at <= now) {
                    open.next_probe_at = None;
                    self.start_probe(now);
                }
            }
            State::Idle | State::Closed => {}
        }
        self.pump(now);
    }

    fn start_probe(&mut self, now: Instant) {
        let id = self.new_id();
        if let State::Open(open) = &mut self.state {
            open.probe = Some(Probe {
                id,
                open_deadline: now + self.options.probe_timeout,
                upgrade: None,
                paused: false,
            });
            self.actions.push_back(EngineAction::OpenWebSocket {
                id,
                sid: Some(open.sid.clone()),
            });
        }
    }

    /// Moves everything that can move after an input.
    fn pump(&mut self, now: Instant) {
        self.drain_session(now);
        self.drive_upgrade(now);
        self.drain_session(now);
        self.drive_polling();
    }

    fn drain_session(&mut self, now: Instant) {
        loop {
            let event = match &mut self.state {
                State::Connecting(attempt) => attempt.session.poll_event(),
                State::Open(open) => open.session.poll_event(),
                State::Idle | State::Closed => None,
            };
            let Some(event) = event else { break };
            match event {
                SessionEvent::Opened(handshake) => self.handle_opened(handshake, now),
                SessionEvent::Message(text) => self.events.push_back(EngineEvent::Message(text)),
                SessionEvent::Binary(bytes) => self.events.push_back(EngineEvent::Binary(bytes)),
                SessionEvent::Closed(reason) => {
                    self.flush_transmit();
                    self.close_all(&reason);
                    self.events.push_back(EngineEvent::Closed(reason));
                    return;
                }
            }
        }
        self.flush_transmit();
    }

    fn handle_opened(&mut self, handshake: Handshake, now: Instant) {
        let State::Connecting(attempt) = std::mem::replace(&mut self.state, State::Idle) else {
            return;
        };
        let kind = attempt.kind;
        let probe = kind == TransportKind::Polling && self.choice.should_probe_upgrade(&handshake);
        self.state = State::Open(Box::new(Open {
            session: attempt.session,
            sid: handshake.sid.clone(),
            max_payload: handshake.max_payload,
            id: attempt.id,
            kind,
            buffer: WriteBuffer::new(),
            get_in_flight: attempt.get_in_flight,
            probe: None,
            next_probe_at: None,
        }));
        if self.choice.remembers(kind) {
            self.actions.push_back(EngineAction::Remember(kind));
        }
        self.events.push_back(EngineEvent::Opened {
            transport: kind,
            handshake,
        });
        if probe {
            self.start_probe(now);
        }
    }

    /// Session packets onto the active transport.
    fn flush_transmit(&mut self) {
        let (id, kind, session, mut buffer) = match &mut self.state {
            State::Open(open) => (
                open.id,
                open.kind,
                &mut open.session,
                Some(&mut open.buffer),
            ),
            State::Connecting(attempt) => (attempt.id, attempt.kind, &mut attempt.session, None),
            State::Idle | State::Closed => return,
        };
        while let Some(packet) = session.poll_transmit() {
            match (kind, buffer.as_deref_mut()) {
                (TransportKind::Polling, Some(buffer)) => buffer.push(packet),
                // Before the handshake a session sends nothing but what the
                // application queued, which waits in the session itself.
                (TransportKind::Polling, None) => {}
                _ => self.actions.push_back(EngineAction::Send {
                    id,
                    frame: packet.into_frame(),
                }),
            }
        }
    }

    fn drive_upgrade(&mut self, now: Instant) {
        let State::Open(open) = &mut self.state else {
            return;
        };
        let Some(probe) = open.probe.as_mut() else {
            return;
        };
        let probe_id = probe.id;
        let Some(upgrade) = probe.upgrade.as_mut() else {
            return;
        };
        while let Some(packet) = upgrade.poll_transmit() {
            self.actions.push_back(EngineAction::Send {
                id: probe_id,
                frame: packet.into_frame(),
            });
        }
        let mut finished = None;
        while let Some(event) = upgrade.poll_event() {
            match event {
                UpgradeEvent::PausePolling => probe.paused = true,
                UpgradeEvent::Upgraded => finished = Some(Ok(())),
                UpgradeEvent::Failed(why) => finished = Some(Err(why)),
            }
        }
        if finished.is_none()
            && probe.paused
            && !open.get_in_flight
            && !open.buffer.is_post_in_flight()
        {
            upgrade.handle_polling_paused();
            while let Some(packet) = upgrade.poll_transmit() {
                self.actions.push_back(EngineAction::Send {
                    id: probe_id,
                    frame: packet.into_frame(),
                });
            }
            while let Some(event) = upgrade.poll_event() {
                match event {
                    UpgradeEvent::Upgraded => finished = Some(Ok(())),
                    UpgradeEvent::Failed(why) => finished = Some(Err(why)),
                    UpgradeEvent::PausePolling => {}
                }
            }
        }
        match finished {
            None => {}
            Some(Ok(())) => {
                let old = open.id;
                open.id = probe_id;
                open.kind = TransportKind::WebSocket;
                open.probe = None;
                open.get_in_flight = false;
                self.actions.push_back(EngineAction::Close { id: old });
                for packet in open.buffer.drain_all() {
                    self.actions.push_back(EngineAction::Send {
                        id: probe_id,
                        frame: packet.into_frame(),
                    });
                }
                if self.choice.remembers(TransportKind::WebSocket) {
                    self.actions
                        .push_back(EngineAction::Remember(TransportKind::WebSocket));
                }
                self.events.push_back(EngineEvent::Upgraded);
            }
            Some(Err(_)) => fail_probe(open, probe_id, now, &self.options, &mut self.actions),
        }
    }

    /// Polling discipline: one GET held open, one POST at a time, both
    /// paused while an upgrade waits for them to finish.
    fn drive_polling(&mut self) {
        let State::Open(open) = &mut self.state else {
            return;
        };
        if open.kind != TransportKind::Polling || !open.session.is_open() {
            return;
        }
        if open.probe.as_ref().is_some_and(|p| p.paused) {
            return;
        }
        if !open.get_in_flight {
            open.get_in_flight = true;
            self.actions.push_back(EngineAction::Poll {
                id: open.id,
                sid: Some(open.sid.clone()),
            });
        }
        if let Some(body) = open.buffer.take_batch(open.max_payload) {
            self.actions.push_back(EngineAction::Post {
                id: open.id,
                sid: open.sid.clone(),
                body,
            });
        }
    }

    /// Closes every transport of a session that ended for `reason`.
    fn close_all(&mut self, reason: &CloseReason) {
        match std::mem::replace(&mut self.state, State::Closed) {
            State::Connecting(attempt) => {
                self.actions
                    .push_back(EngineAction::Close { id: attempt.id });
            }
            State::Open(mut open) => {
                // When the application closes a polling session, its last
                // packets (ending with its `close`) still go out, without
                // waiting for a POST in flight: the server must learn at
                // once that the client left, not at its ping timeout. Any
                // other end (a failed GET or POST, the server's close, a
                // heartbeat timeout) leaves a dead session: what waits is
                // dropped with the buffer, as socket.io-client drops its
                // write buffer, since posting it could deliver it after a
                // lost batch, out of order.
                if *reason == CloseReason::ClientClosed {
                    if let Some(body) = open.buffer.take_last() {
                        self.actions.push_back(EngineAction::PostLast {
                            id: open.id,
                            sid: open.sid.clone(),
                            body,
                        });
                    }
                }
                if let Some(probe) = open.probe {
                    self.actions.push_back(EngineAction::Close { id: probe.id });
                }
                self.actions.push_back(EngineAction::Close { id: open.id });
            }
            State::Idle | State::Closed => {}
        }
    }

    /// The next thing the driver must do.
    pub fn poll_action(&mut self) -> Option<EngineAction> {
        self.actions.pop_front()
    }

    /// The next event for the application.
    pub fn poll_event(&mut self) -> Option<EngineEvent> {
        self.events.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) must next be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        match &self.state {
            State::Connecting(attempt) => [attempt.fallback_at, attempt.session.poll_timeout()]
                .into_iter()
                .flatten()
                .min(),
            State::Open(open) => {
                let probe = open.probe.as_ref().and_then(|p| match &p.upgrade {
                    Some(upgrade) => upgrade.poll_timeout(),
                    None => Some(p.open_deadline),
                });
                [open.session.poll_timeout(), probe, open.next_probe_at]
                    .into_iter()
                    .flatten()
                    .min()
            }
            State::Idle | State::Closed => None,
        }
    }
}

/// Abandons the probe: close its WebSocket, resume polling, try again later.
fn fail_probe(
    open: &mut Open,
    probe_id: TransportId,
    now: Instant,
    options: &EngineOptions,
    actions: &mut VecDeque<EngineAction>,
) {
    open.probe = None;
    open.next_probe_at = Some(now + options.upgrade_retry);
    actions.push_back(EngineAction::Close { id: probe_id });
}
