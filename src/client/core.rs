//! [`Core`]: everything a [`Socket`](crate::Socket) decides, composed from
//! the sans-IO parts — [`EngineSocket`] (transports), [`Connection`]
//! (namespaces, acks, attachments) and [`Reconnect`] (backoff). It never
//! touches the browser: the driver feeds it [`Input`]s and performs the
//! [`EngineAction`]s it queues, so it is tested natively.

use std::collections::VecDeque;
use std::time::Duration;

use futures_channel::oneshot;

use crate::client::durable::{DurableEmits, DurableHooks};
use crate::client::sorted_map::SortedMap;
use crate::client::url::check_server;
use crate::client::{
    AckError, AckFailure, Connection, ConnectionState, DurableError, EmitError, EmitOptions,
    NamespaceEvent, NamespaceOptions, OutboxError, Outgoing, Reconnect, ReconnectEvent,
    SocketOptions, TransportKind,
};
use crate::engine::{
    EngineAction, EngineEvent, EngineOptions, EngineSocket, TransportChoice, TransportEvent,
    TransportId,
};
use crate::protocol::Value;
use crate::time::Instant;

/// What an emit's acknowledgement resolves to.
pub(crate) type AckResult = Result<Vec<Value>, AckError>;

/// What the driver reported.
#[derive(Debug)]
pub(crate) enum Input {
    /// What transport `0` reported.
    Transport(TransportId, TransportEvent),
    /// A timer fired; deadlines are checked on every step anyway.
    Timer,
}

/// Work for the application, run after the core is released so handlers may
/// call back into the socket.
pub(crate) enum Dispatch {
    /// Namespace `0`'s state or transport changed.
    Connection(String, ConnectionState, TransportKind),
    /// The server emitted on namespace `0`; answer `ack_id` if set.
    Event(String, String, Vec<Value>, Option<u64>),
    /// An acknowledgement measured a new round-trip time.
    Rtt(Duration),
}

/// One namespace a socket joined.
#[derive(Default)]
struct Joined {
    connected: bool,
    /// The server's message when it refused this namespace's CONNECT.
    refused: Option<String>,
    /// Left with `disconnect()`, refused by the server, or ended by it.
    left: bool,
    ack_waiters: SortedMap<u64, AckWaiter>,
    /// The state and transport shown when the current step began, to
    /// report what the step changed.
    before_step: (ConnectionState, TransportKind),
    /// Left because the page was hidden: joined again if it comes back.
    suspended: bool,
}

/// Someone waiting for an emit's acknowledgement.
struct AckWaiter {
    sender: oneshot::Sender<AckResult>,
    /// How long each try of this emit waits for the ack — the duration the
    /// namespace set its deadline from (`Namespace::ack_timeout_of`), to
    /// report when it expires. `None`: it never expires.
    timeout: Option<Duration>,
    /// When it was written to a connected namespace (buffered emits have
    /// none): its answer then measures the round trip.
    sent_at: Option<Instant>,
}

pub(crate) struct Core {
    pub(crate) options: SocketOptions,
    /// The connection's state (a namespace adds its own on top).
    state: ConnectionState,
    pub(crate) transport: TransportKind,
    pub(crate) last_error: Option<String>,
    /// The round trip of the latest acknowledged emit that went out at once.
    pub(crate) rtt: Option<Duration>,
    engine: EngineSocket,
    connection: Connection,
    joined: SortedMap<String, Joined>,
    reconnect: Reconnect,
    /// No connection is wanted: every namespace left, or reconnection gave up.
    stopped: bool,
    /// Whether a namespace was connected since the last (re)start.
    connected_once: bool,
    /// Whether the current engine attempt reached the handshake.
    engine_opened: bool,
    /// For the driver.
    pub(crate) actions: VecDeque<EngineAction>,
    /// Durable emits, when the options turn them on.
    durable: Option<Box<dyn DurableHooks>>,
}

impl Core {
    /// `remembered`: the transport that worked last time, if fresh;
    /// `seed`: randomness for the backoff jitter.
    pub(crate) fn new(
        options: SocketOptions,
        remembered: Option<TransportKind>,
        seed: u64,
    ) -> Self {
        let remembered = remembered.filter(|_| options.remember_transport);
        let choice =
            TransportChoice::new(options.transports, remembered, options.websocket_deadline);
        let engine = EngineSocket::new(
            choice,
            EngineOptions {
                handshake_timeout: options.connect_timeout,
                ..EngineOptions::default()
            },
        );
        Self {
            durable: options.durable.map(|on| (on.make)(seed)),
            reconnect: Reconnect::new(options.reconnection).with_seed(seed),
            options,
            state: ConnectionState::Disconnected,
            transport: TransportKind::None,
            last_error: None,
            rtt: None,
            engine,
            connection: Connection::default(),
            joined: SortedMap::default(),
            stopped: true,
            connected_once: false,
            engine_opened: false,
            actions: VecDeque::new(),
        }
    }

    /// Joins namespace `ns` (again, after leaving it), connecting if needed.
    /// Options that cannot work (a server URL without a scheme, a reserved
    /// query key) leave it disconnected with the reason in `last_error`,
    /// without a single attempt: retrying would not help.
    pub(crate) fn join(&mut self, ns: &str, options: NamespaceOptions, now: Instant) {
        if self.stopped {
            if let Err(err) = check_server(&self.options.url, &self.options.query) {
                self.last_error = Some(format!("cannot connect: {err}"));
                self.joined.get_or_default(ns).left = true;
                return;
            }
        }
        let entry = self.joined.get_or_default(ns);
        if !entry.left && self.connection.namespace_mut(ns).is_some() {
            return;
        }
        entry.left = false;
        entry.connected = false;
        entry.refused = None;
        entry.suspended = false;
        self.connection.open_namespace(ns, options);
        if self.stopped {
            self.stopped = false;
            self.connected_once = false;
            self.state = ConnectionState::Connecting;
            self.reconnect.start();
            self.engine_opened = false;
            self.engine.connect(now);
        }
        self.flush(now);
        self.collect_actions();
    }

    /// Leaves every joined namespace because the page is going away (or
    /// into the back/forward cache), marking them for
    /// [`resume`](Self::resume). A namespace the application left itself
    /// is not marked.
    pub(crate) fn suspend(&mut self, now: Instant) {
        // One at a time, without a list: leaving marks each as left.
        loop {
            let next = self.namespaces().next();
            let Some(ns) = next else { break };
            self.leave(&ns, now);
            if let Some(j) = self.joined.get_mut(&ns) {
                j.suspended = true;
            }
        }
    }

    /// Joins again what [`suspend`](Self::suspend) left (the page came back
    /// from the back/forward cache), unless the application joined or left
    /// it since. Nothing happens without a suspension.
    pub(crate) fn resume(&mut self, now: Instant) {
        // One at a time, without a list: each mark is cleared first.
        loop {
            let next = self
                .joined
                .iter()
                .find(|(_, j)| j.suspended)
                .map(|(ns, _)| ns.clone());
            let Some(ns) = next else { break };
            if let Some(j) = self.joined.get_mut(&ns) {
                j.suspended = false;
            }
            let options = self.options.namespace_options();
            self.join(&ns, options, now);
        }
    }

    /// The namespaces joined (and not left).
    pub(crate) fn namespaces(&self) -> impl Iterator<Item = String> + '_ {
        self.joined
            .iter()
            .filter(|(_, j)| !j.left)
            .map(|(ns, _)| ns.clone())
    }

    /// The state of namespace `ns` as its socket shows it.
    /// Whether namespace `ns`'s last connect restored its session.
    pub(crate) fn recovered(&mut self, ns: &str) -> bool {
        self.connection
            .namespace_mut(ns)
            .is_some_and(|n| n.recovered())
    }

    pub(crate) fn state_of(&self, ns: &str) -> ConnectionState {
        self.joined
            .get(ns)
            .map_or(ConnectionState::Disconnected, |j| self.state_of_joined(j))
    }

    fn state_of_joined(&self, joined: &Joined) -> ConnectionState {
        shown_state(joined, self.state)
    }

    /// The server's message if it refused namespace `ns`'s CONNECT.
    pub(crate) fn refusal(&self, ns: &str) -> Option<String> {
        self.joined.get(ns).and_then(|j| j.refused.clone())
    }

    /// Whether namespace `ns` is joined and not left.
    pub(crate) fn is_active(&self, ns: &str) -> bool {
        self.joined.get(ns).is_some_and(|j| !j.left)
    }

    /// The durable emits, when the options turn them on.
    pub(crate) fn durable(&mut self) -> Option<&mut DurableEmits> {
        self.durable.as_mut().map(|d| d.emits())
    }

    /// Adds a durable emit on `ns` (see [`DurableEmits::push`]).
    pub(crate) fn durable_push(
        &mut self,
        ns: &str,
        scope: Option<&str>,
        event: &str,
        make: impl FnOnce(&str) -> Result<Vec<Value>, EmitError>,
        now_ms: u64,
    ) -> Result<(String, String), DurableError> {
        if !self.is_active(ns) {
            return Err(DurableError::Emit(EmitError::Disconnected));
        }
        let durable = self.durable().ok_or(OutboxError::Off)?;
        durable.push(ns, scope, event, make, now_ms)
    }

    /// Sends what the outboxes of connected namespaces may send now, and
    /// returns the stored forms that changed (sends, leases, acks), to store.
    pub(crate) fn durable_flush(&mut self, now_ms: u64, now: Instant) -> Vec<(String, String)> {
        let Some(durable) = self.durable.as_mut().map(|d| d.emits()) else {
            return Vec::new();
        };
        // Acks a lost connection took with it will not come: the namespaces
        // forget them, and the emits go again under new ones.
        for (ns, id) in durable.take_abandoned() {
            if let Some(namespace) = self.connection.namespace_mut(&ns) {
                namespace.cancel_ack(id);
            }
        }
        let mut changed = Vec::new();
        let mut moved = false;
        for ns in durable.namespaces() {
            let connected = self.joined.get(&ns).is_some_and(|j| j.connected);
            let (sendable, form) = durable.take_sendable(&ns, connected, now_ms);
            if let Some(namespace) = self.connection.namespace_mut(&ns) {
                for entry in sendable {
                    let options = EmitOptions {
                        ack: true,
                        ..EmitOptions::default()
                    };
                    if let Ok(Some(ack_id)) = namespace.emit(&entry.event, entry.args, options, now)
                    {
                        durable.sent(&ns, ack_id, entry.id);
                        moved = true;
                    }
                }
            }
            if let Some(form) = form {
                changed.push((ns, form));
            }
        }
        if moved {
            self.flush(now);
            self.collect_actions();
        }
        changed
    }

    /// Emits on `ns`; with an ack, returns its id and the receiver of the
    /// acknowledgement.
    pub(crate) fn emit(
        &mut self,
        ns: &str,
        event: &str,
        args: Vec<Value>,
        options: EmitOptions,
        now: Instant,
    ) -> Result<Option<(u64, oneshot::Receiver<AckResult>)>, EmitError> {
        if !self.is_active(ns) {
            return Err(EmitError::Disconnected);
        }
        let connected = self.joined.get(ns).is_some_and(|j| j.connected);
        let Some(namespace) = self.connection.namespace_mut(ns) else {
            return Ok(None);
        };
        let timeout = namespace.ack_timeout_of(&options);
        let id = namespace.emit(event, args, options, now)?;
        let receiver = id.map(|id| {
            let (sender, receiver) = oneshot::channel();
            if let Some(j) = self.joined.get_mut(ns) {
                let waiter = AckWaiter {
                    sender,
                    timeout,
                    sent_at: connected.then_some(now),
                };
                j.ack_waiters.insert(id, waiter);
            }
            (id, receiver)
        });
        Ok(receiver)
    }

    /// Forgets the acknowledgement `id` on `ns`: nobody waits for it any more.
    pub(crate) fn cancel_ack(&mut self, ns: &str, id: u64) {
        if let Some(j) = self.joined.get_mut(ns) {
            j.ack_waiters.remove(&id);
        }
        if let Some(n) = self.connection.namespace_mut(ns) {
            n.cancel_ack(id);
        }
    }

    /// The ack ids of `ns` someone waits for, as the core knows them, and
    /// as the namespace does (its in-flight and queued emits).
    #[cfg(test)]
    pub(crate) fn awaited_acks(&mut self, ns: &str) -> (Vec<u64>, Vec<u64>) {
        let waiters = self
            .joined
            .get(ns)
            .map(|j| j.ack_waiters.keys().copied().collect())
            .unwrap_or_default();
        let namespace = self
            .connection
            .namespace_mut(ns)
            .map(|n| n.awaited_acks())
            .unwrap_or_default();
        (waiters, namespace)
    }

    /// Answers the server's event `ack_id` on `ns`.
    pub(crate) fn ack(&mut self, ns: &str, ack_id: u64, args: Vec<Value>) {
        if let Some(n) = self.connection.namespace_mut(ns) {
            n.ack(ack_id, args);
        }
    }

    /// Leaves `ns` (DISCONNECT is sent); when no namespace is left, the
    /// connection closes for good and no reconnection is attempted.
    pub(crate) fn leave(&mut self, ns: &str, now: Instant) {
        let Some(entry) = self.joined.get_mut(ns) else {
            return;
        };
        // Left on purpose: not to be joined again when the page comes back.
        entry.suspended = false;
        if entry.left {
            return;
        }
        entry.left = true;
        entry.connected = false;
        if let Some(durable) = self.durable.as_mut() {
            // Leaving fails every ack of the namespace already.
            durable.connection_lost(Some(ns));
        }
        for waiter in entry.ack_waiters.drain_values() {
            // The receiver may be gone already: nobody waits any more.
            let _ = waiter.sender.send(Err(AckError::Disconnected));
        }
        self.connection.close_namespace(ns);
        self.flush(now);
        if self.joined.values().all(|j| j.left) {
            self.stop(now);
        }
        self.collect_actions();
    }

    fn stop(&mut self, now: Instant) {
        self.stopped = true;
        self.reconnect.stop();
        self.engine.close(now);
        self.connection.handle_session_closed();
        self.state = ConnectionState::Disconnected;
        self.transport = TransportKind::None;
    }

    /// One pass of the state machines over `inputs`; returns the work for
    /// handlers. Actions for the driver accumulate in `actions`.
    pub(crate) fn step(&mut self, inputs: Vec<Input>, now: Instant) -> Vec<Dispatch> {
        let (state, transport) = (self.state, self.transport);
        for j in self.joined.values_mut() {
            j.before_step = (shown_state(j, state), transport);
        }
        let mut dispatch = Vec::new();
        for input in inputs {
            match input {
                Input::Transport(id, event) => match event {
                    TransportEvent::Open => self.engine.handle_websocket_open(id, now),
                    TransportEvent::Frame(frame) => self.engine.handle_frame(id, frame, now),
                    TransportEvent::Response(body) => {
                        self.engine.handle_poll_response(id, &body, now);
                    }
                    TransportEvent::PostDone => self.engine.handle_post_done(id, now),
                    TransportEvent::Failed(error) => {
                        self.engine.handle_transport_error(id, error, now);
                    }
                },
                Input::Timer => {}
            }
        }
        self.engine.handle_timeout(now);
        self.connection.handle_timeout(now);
        self.reconnect.handle_timeout(now);

        // Loop until quiet: each part may wake another.
        for _ in 0..16 {
            let mut busy = false;
            while let Some(event) = self.reconnect.poll_event() {
                busy = true;
                self.handle_reconnect_event(event, now);
            }
            while let Some(event) = self.engine.poll_event() {
                busy = true;
                self.handle_engine_event(event, now);
            }
            busy |= self.flush(now);
            while let Some((ns, event)) = self.connection.poll_event() {
                busy = true;
                self.handle_namespace_event(ns, event, now, &mut dispatch);
            }
            if !busy {
                break;
            }
        }
        self.collect_actions();
        let changed: Vec<Dispatch> = self
            .joined
            .iter()
            .map(|(ns, j)| (ns, j.before_step, (self.state_of_joined(j), self.transport)))
            .filter(|(_, before, after)| before != after)
            .map(|(ns, _, (state, transport))| Dispatch::Connection(ns.clone(), state, transport))
            .collect();
        if !changed.is_empty() {
            dispatch.splice(0..0, changed);
        }
        dispatch
    }

    fn handle_reconnect_event(&mut self, event: ReconnectEvent, now: Instant) {
        match event {
            ReconnectEvent::Attempt { .. } => {
                if !self.stopped {
                    self.engine_opened = false;
                    self.engine.connect(now);
                }
            }
            ReconnectEvent::Reconnected { .. } => {}
            ReconnectEvent::GaveUp => {
                self.state = ConnectionState::Disconnected;
                self.stopped = true;
                self.last_error = Some(format!(
                    "could not reconnect after {} attempts; call reconnect() to try again",
                    self.reconnect.attempts()
                ));
                for j in self.joined.values_mut() {
                    j.left = true;
                }
            }
        }
    }

    fn handle_engine_event(&mut self, event: EngineEvent, now: Instant) {
        match event {
            EngineEvent::Opened { transport, .. } => {
                self.engine_opened = true;
                self.transport = transport;
                self.state = ConnectionState::Connected;
                self.connection.handle_session_open();
            }
            EngineEvent::Upgraded => self.transport = TransportKind::WebSocket,
            EngineEvent::Message(text) => {
                if let Err(err) = self.connection.handle_text(&text, now) {
                    self.last_error = Some(format!("ignored an invalid Socket.IO packet: {err}"));
                }
            }
            EngineEvent::Binary(bytes) => {
                if let Err(err) = self.connection.handle_binary(bytes, now) {
                    self.last_error = Some(format!("ignored an invalid binary attachment: {err}"));
                }
            }
            EngineEvent::Closed(reason) => {
                self.connection.handle_session_closed();
                for j in self.joined.values_mut() {
                    j.connected = false;
                }
                if let Some(durable) = self.durable.as_mut() {
                    durable.connection_lost(None);
                }
                if self.stopped || !reason.is_recoverable() {
                    return;
                }
                self.last_error = Some(reason.to_string());
                if self.engine_opened {
                    self.reconnect.handle_connection_lost(now);
                } else {
                    self.reconnect.handle_attempt_failed(now);
                }
                self.state = if !self.reconnect.is_reconnecting() {
                    ConnectionState::Disconnected
                } else if self.connected_once {
                    ConnectionState::Reconnecting
                } else {
                    ConnectionState::Connecting
                };
            }
        }
    }

    fn handle_namespace_event(
        &mut self,
        ns: String,
        event: NamespaceEvent,
        now: Instant,
        dispatch: &mut Vec<Dispatch>,
    ) {
        match event {
            NamespaceEvent::Connected { .. } => {
                if let Some(j) = self.joined.get_mut(&ns) {
                    j.connected = true;
                }
                self.transport = self.engine.transport();
                self.last_error = None;
                self.connected_once = true;
                self.reconnect.handle_connected();
            }
            NamespaceEvent::ConnectError { message } => {
                self.last_error = Some(format!("the server refused the connection: {message}"));
                if let Some(j) = self.joined.get_mut(&ns) {
                    j.refused = Some(message);
                }
                self.leave(&ns, now);
            }
            NamespaceEvent::Disconnected => {
                // The server ended the namespace while the session is up
                // ("io server disconnect"): like socket.io-client, do not
                // rejoin on our own.
                if self.engine.is_open() && self.is_active(&ns) {
                    self.last_error = Some(
                        "the server closed the connection; call reconnect() to connect again"
                            .into(),
                    );
                    self.leave(&ns, now);
                }
            }
            NamespaceEvent::Event { name, args, ack_id } => {
                dispatch.push(Dispatch::Event(ns, name, args, ack_id));
            }
            NamespaceEvent::Ack { id, args } => {
                let args = match self.durable.as_mut() {
                    Some(durable) => match durable.acknowledged(&ns, id, args) {
                        Some(args) => args,
                        None => return,
                    },
                    None => args,
                };
                if let Some(waiter) = self
                    .joined
                    .get_mut(&ns)
                    .and_then(|j| j.ack_waiters.remove(&id))
                {
                    if let Some(sent_at) = waiter.sent_at {
                        let rtt = now.saturating_duration_since(sent_at);
                        self.rtt = Some(rtt);
                        dispatch.push(Dispatch::Rtt(rtt));
                    }
                    // The receiver may be gone already: nobody waits any more.
                    let _ = waiter.sender.send(Ok(args));
                }
            }
            NamespaceEvent::AckFailed { id, reason } => {
                // A durable emit's: the entry stays and goes again on the
                // next connection.
                if let Some(durable) = self.durable.as_mut() {
                    if durable.ack_failed(&ns, id) {
                        return;
                    }
                }
                if let Some(waiter) = self
                    .joined
                    .get_mut(&ns)
                    .and_then(|j| j.ack_waiters.remove(&id))
                {
                    let error = match reason {
                        AckFailure::TimedOut => {
                            // Only an emit with a deadline times out, and
                            // its waiter holds the duration that deadline
                            // was set from.
                            debug_assert!(waiter.timeout.is_some(), "timed out without a timeout");
                            let ms = waiter.timeout.map_or(u128::MAX, |t| t.as_millis());
                            AckError::Timeout(u64::try_from(ms).unwrap_or(u64::MAX))
                        }
                        AckFailure::Dropped => AckError::Dropped,
                        AckFailure::Disconnected => AckError::Disconnected,
                    };
                    // The receiver may be gone already: nobody waits any more.
                    let _ = waiter.sender.send(Err(error));
                }
            }
        }
    }

    /// Namespace packets into the engine; `true` if anything moved.
    fn flush(&mut self, now: Instant) -> bool {
        let mut moved = false;
        while let Some(outgoing) = self.connection.poll_transmit() {
            moved = true;
            // Namespaces hand packets over only while the session is open
            // (before the handshake they hold emits themselves, bounded by
            // `max_buffered_emits`), so the engine's bound on messages
            // waiting for the handshake never refuses one here.
            let _queued = match outgoing {
                Outgoing::Text(text) => self.engine.send_message(text, now),
                Outgoing::Binary(bytes) => self.engine.send_binary(bytes, now),
            };
        }
        moved
    }

    fn collect_actions(&mut self) {
        while let Some(action) = self.engine.poll_action() {
            self.actions.push_back(action);
        }
    }

    /// The earliest deadline of every part.
    pub(crate) fn poll_timeout(&self) -> Option<Instant> {
        [
            self.engine.poll_timeout(),
            self.connection.poll_timeout(),
            self.reconnect.poll_timeout(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// When the next reconnection attempt starts, for a countdown.
    pub(crate) fn next_attempt_at(&self) -> Option<Instant> {
        self.reconnect.next_attempt_at()
    }
}

/// The state a namespace's socket shows, given the connection's.
fn shown_state(joined: &Joined, connection: ConnectionState) -> ConnectionState {
    match joined {
        j if j.left => ConnectionState::Disconnected,
        j if j.connected => ConnectionState::Connected,
        _ if connection == ConnectionState::Connected => ConnectionState::Connecting,
        _ => connection,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{TransportError, TransportMode};
    use crate::protocol::Frame;
    use EngineAction::{Close, OpenWebSocket, Poll, Post, Send};

    const OPEN: &str =
        r#"0{"sid":"S","upgrades":[],"pingInterval":300,"pingTimeout":200,"maxPayload":1000000}"#;

    fn t(ms: u64) -> Instant {
        Instant::from_millis(ms)
    }

    fn text(s: &str) -> Frame {
        Frame::Text(s.to_owned())
    }

    fn ws_closed() -> TransportError {
        TransportError::WebSocketClosed {
            code: 1006,
            reason: String::new(),
        }
    }

    fn core(mode: TransportMode) -> Core {
        let options = SocketOptions::new("http://h")
            .transports(mode)
            .reconnection(crate::client::ReconnectOptions::default().randomization_factor(0.0));
        let mut core = Core::new(options, None, 1);
        core.join("/", NamespaceOptions::default(), t(0));
        core
    }

    fn actions(core: &mut Core) -> Vec<EngineAction> {
        core.actions.drain(..).collect()
    }

    /// The text frames the core asked to send on transport `id`.
    fn texts_sent_on(core: &mut Core, id: u32) -> Vec<String> {
        actions(core)
            .into_iter()
            .filter_map(|a| match a {
                Send {
                    id: on,
                    frame: Frame::Text(s),
                } if on == id => Some(s),
                _ => None,
            })
            .collect()
    }

    /// Connects over WebSocket (transport `id`) at `now`.
    fn connect_ws(core: &mut Core, id: u32, now: Instant) {
        core.step(
            vec![
                Input::Transport(id, TransportEvent::Open),
                Input::Transport(id, TransportEvent::Frame(text(OPEN))),
                Input::Transport(id, TransportEvent::Frame(text(r#"40{"sid":"n"}"#))),
            ],
            now,
        );
    }

    #[test]
    fn connects_then_reports_reconnecting_and_comes_back_after_the_backoff() {
        let mut c = core(TransportMode::Auto);
        assert_eq!(actions(&mut c), [OpenWebSocket { id: 1, sid: None }]);
        connect_ws(&mut c, 1, t(10));
        assert_eq!(c.state_of("/"), ConnectionState::Connected);
        assert_eq!(c.transport, TransportKind::WebSocket);
        c.step(
            vec![Input::Transport(1, TransportEvent::Failed(ws_closed()))],
            t(100),
        );
        assert_eq!(c.state_of("/"), ConnectionState::Reconnecting);
        assert_eq!(c.next_attempt_at(), Some(t(1_100)));
        let _ = actions(&mut c);
        c.step(vec![Input::Timer], t(1_100));
        assert_eq!(actions(&mut c), [OpenWebSocket { id: 2, sid: None }]);
        connect_ws(&mut c, 2, t(1_110));
        assert_eq!(c.state_of("/"), ConnectionState::Connected);
        assert_eq!(c.last_error, None);
    }

    #[test]
    fn a_first_connection_that_fails_stays_connecting_while_retrying() {
        let mut c = core(TransportMode::WebSocketOnly);
        actions(&mut c);
        c.step(
            vec![Input::Transport(1, TransportEvent::Failed(ws_closed()))],
            t(5),
        );
        assert_eq!(c.state_of("/"), ConnectionState::Connecting);
        assert!(c.last_error.is_some());
    }

    #[test]
    fn disconnect_during_backoff_prevents_any_further_attempt() {
        let mut c = core(TransportMode::WebSocketOnly);
        actions(&mut c);
        c.step(
            vec![Input::Transport(1, TransportEvent::Failed(ws_closed()))],
            t(5),
        );
        c.leave("/", t(10));
        assert_eq!(c.state_of("/"), ConnectionState::Disconnected);
        for ms in (100..30_000).step_by(250) {
            c.step(vec![Input::Timer], t(ms));
        }
        assert!(!actions(&mut c)
            .iter()
            .any(|a| matches!(a, OpenWebSocket { .. } | Poll { .. })));
        assert_eq!(c.poll_timeout(), None);
    }

    #[test]
    fn emits_while_reconnecting_go_out_in_order_on_the_new_connection() {
        let mut c = core(TransportMode::WebSocketOnly);
        connect_ws(&mut c, 1, t(1));
        c.step(
            vec![Input::Transport(1, TransportEvent::Failed(ws_closed()))],
            t(50),
        );
        for i in 0..3 {
            c.emit("/", "n", vec![i.into()], EmitOptions::default(), t(60))
                .expect("not stopped");
        }
        c.step(vec![Input::Timer], t(1_050));
        actions(&mut c);
        connect_ws(&mut c, 2, t(1_060));
        let sent = texts_sent_on(&mut c, 2);
        assert_eq!(sent, ["40", r#"42["n",0]"#, r#"42["n",1]"#, r#"42["n",2]"#]);
    }

    #[test]
    fn a_full_emit_buffer_refuses_the_next_emit_and_sends_every_buffered_one_in_order() {
        let limit = crate::client::DEFAULT_MAX_BUFFERED_EMITS;
        let mut c = core(TransportMode::WebSocketOnly);
        connect_ws(&mut c, 1, t(1));
        c.step(
            vec![Input::Transport(1, TransportEvent::Failed(ws_closed()))],
            t(50),
        );
        for i in 0..limit {
            c.emit("/", "n", vec![i.into()], EmitOptions::default(), t(60))
                .expect("room in the buffer");
        }
        let refused = c
            .emit("/", "n", vec![limit.into()], EmitOptions::default(), t(60))
            .err();
        assert_eq!(refused, Some(EmitError::BufferFull { waiting: limit }));
        assert_eq!(
            refused.map(|e| e.to_string()).as_deref(),
            Some("1000 emits are already waiting to be sent; emit again once the socket is connected and they have gone out, or raise max_buffered_emits")
        );
        let ack = EmitOptions {
            ack: true,
            ..EmitOptions::default()
        };
        let refused = c.emit("/", "n", vec![], ack, t(60)).err();
        assert_eq!(refused, Some(EmitError::BufferFull { waiting: limit }));
        assert!(
            c.joined.get("/").is_some_and(|j| j.ack_waiters.is_empty()),
            "a refused emit leaves no waiter"
        );
        c.step(vec![Input::Timer], t(1_050));
        actions(&mut c);
        connect_ws(&mut c, 2, t(1_060));
        let sent = texts_sent_on(&mut c, 2);
        let expected: Vec<String> = std::iter::once("40".to_owned())
            .chain((0..limit).map(|i| format!(r#"42["n",{i}]"#)))
            .collect();
        assert_eq!(sent, expected, "all of them, in order, nothing else");
    }

    #[test]
    fn options_that_cannot_work_stop_before_any_attempt_with_the_reason() {
        for (options, reason) in [
            (
                SocketOptions::new("127.0.0.1:3000"),
                "must start with http://",
            ),
            (
                SocketOptions::new("http://h").query("sid", "x"),
                "\"sid\" is reserved by Engine.IO",
            ),
        ] {
            let mut c = Core::new(options, None, 1);
            c.join("/", NamespaceOptions::default(), t(0));
            assert_eq!(c.state_of("/"), ConnectionState::Disconnected);
            assert!(actions(&mut c).is_empty(), "no attempt");
            assert_eq!(c.poll_timeout(), None, "no retry");
            let error = c.last_error.clone().unwrap_or_default();
            assert!(
                error.starts_with("cannot connect: ") && error.contains(reason),
                "{error}"
            );
        }
    }

    #[test]
    fn a_refused_connect_stops_with_the_server_message() {
        let mut c = core(TransportMode::Auto);
        c.step(
            vec![
                Input::Transport(1, TransportEvent::Open),
                Input::Transport(1, TransportEvent::Frame(text(OPEN))),
                Input::Transport(
                    1,
                    TransportEvent::Frame(text(r#"44{"message":"unauthorized"}"#)),
                ),
            ],
            t(5),
        );
        assert_eq!(c.state_of("/"), ConnectionState::Disconnected);
        assert_eq!(
            c.last_error.as_deref(),
            Some("the server refused the connection: unauthorized")
        );
        assert!(actions(&mut c).contains(&Close { id: 1 }));
    }

    #[test]
    fn polling_fallback_shows_polling_as_the_transport() {
        let mut c = core(TransportMode::Auto);
        actions(&mut c);
        c.step(
            vec![Input::Transport(1, TransportEvent::Failed(ws_closed()))],
            t(5),
        );
        assert_eq!(
            actions(&mut c),
            [Close { id: 1 }, Poll { id: 2, sid: None }]
        );
        c.step(
            vec![Input::Transport(
                2,
                TransportEvent::Response(format!("{OPEN}\x1e40{{\"sid\":\"n\"}}")),
            )],
            t(10),
        );
        assert_eq!(c.state_of("/"), ConnectionState::Connected);
        assert_eq!(c.transport, TransportKind::Polling);
        assert_eq!(
            actions(&mut c)
                .iter()
                .filter(|a| matches!(a, Post { body, .. } if body == "40"))
                .count(),
            1
        );
        c.emit("/", "x", vec![], EmitOptions::default(), t(11))
            .expect("not stopped");
        c.step(vec![], t(11));
        assert!(
            !actions(&mut c).iter().any(|a| matches!(a, Post { .. })),
            "one POST at a time"
        );
        c.step(vec![Input::Transport(2, TransportEvent::PostDone)], t(12));
        assert!(actions(&mut c)
            .iter()
            .any(|a| matches!(a, Post { body, .. } if body == r#"42["x"]"#)));
    }

    #[test]
    fn a_failed_post_is_a_lost_connection_and_a_retried_emit_goes_out_again_after_it() {
        let retries = 1;
        let options = SocketOptions::new("http://h")
            .transports(TransportMode::PollingOnly)
            .retries(retries)
            .reconnection(crate::client::ReconnectOptions::default().randomization_factor(0.0));
        let mut c = Core::new(options, None, 1);
        let namespace = NamespaceOptions {
            retries,
            ..NamespaceOptions::default()
        };
        c.join("/", namespace, t(0));
        let posts = |c: &mut Core| -> Vec<String> {
            actions(c)
                .into_iter()
                .filter_map(|a| match a {
                    Post { body, .. } => Some(body),
                    _ => None,
                })
                .collect()
        };
        let open = r#"0{"sid":"S","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#;
        let connected = format!("{open}\x1e40{{\"sid\":\"n\"}}");
        assert_eq!(actions(&mut c), [Poll { id: 1, sid: None }]);
        c.step(
            vec![Input::Transport(
                1,
                TransportEvent::Response(connected.clone()),
            )],
            t(1),
        );
        assert_eq!(posts(&mut c), ["40"]);
        c.step(vec![Input::Transport(1, TransportEvent::PostDone)], t(2));
        let ack = EmitOptions {
            ack: true,
            ..EmitOptions::default()
        };
        let (_, mut receiver) = c
            .emit("/", "x", vec![], ack, t(3))
            .expect("active")
            .expect("an ack");
        c.step(vec![], t(3));
        assert_eq!(posts(&mut c), [r#"420["x"]"#]);

        let lost = TransportError::Network("network error, refused, or aborted".into());
        c.step(
            vec![Input::Transport(1, TransportEvent::Failed(lost))],
            t(10),
        );
        assert_eq!(
            c.state_of("/"),
            ConnectionState::Reconnecting,
            "the application hears that the connection is lost"
        );
        assert_eq!(actions(&mut c), [Close { id: 1 }], "nothing re-sent on it");
        assert_eq!(receiver.try_recv(), Ok(None), "the ack still waits");

        c.step(vec![Input::Timer], t(1_010));
        assert_eq!(actions(&mut c), [Poll { id: 2, sid: None }]);
        c.step(
            vec![Input::Transport(2, TransportEvent::Response(connected))],
            t(1_011),
        );
        assert_eq!(posts(&mut c), ["40"]);
        c.step(
            vec![Input::Transport(2, TransportEvent::PostDone)],
            t(1_012),
        );
        assert_eq!(
            posts(&mut c),
            [r#"421["x"]"#],
            "the retries queue sends the lost try again, with a new ack id"
        );
    }

    #[test]
    fn namespaces_share_one_connection_until_the_last_one_leaves() {
        let mut c = core(TransportMode::WebSocketOnly);
        c.join("/admin", NamespaceOptions::default(), t(0));
        assert_eq!(
            actions(&mut c),
            [OpenWebSocket { id: 1, sid: None }],
            "one connection"
        );
        c.step(
            vec![
                Input::Transport(1, TransportEvent::Open),
                Input::Transport(1, TransportEvent::Frame(text(OPEN))),
                Input::Transport(1, TransportEvent::Frame(text(r#"40{"sid":"a"}"#))),
                Input::Transport(1, TransportEvent::Frame(text(r#"40/admin,{"sid":"b"}"#))),
            ],
            t(5),
        );
        let sent: Vec<_> = actions(&mut c)
            .into_iter()
            .filter_map(|a| match a {
                Send {
                    frame: Frame::Text(s),
                    ..
                } => Some(s),
                _ => None,
            })
            .collect();
        assert_eq!(sent, ["40", "40/admin,"]);
        assert_eq!(c.state_of("/admin"), ConnectionState::Connected);
        c.leave("/admin", t(6));
        assert_eq!(
            actions(&mut c),
            [Send {
                id: 1,
                frame: text("41/admin,")
            }]
        );
        assert_eq!(c.state_of("/admin"), ConnectionState::Disconnected);
        assert_eq!(
            c.state_of("/"),
            ConnectionState::Connected,
            "the other namespace stays"
        );
        c.leave("/", t(7));
        assert_eq!(
            actions(&mut c),
            [
                Send {
                    id: 1,
                    frame: text("41")
                },
                Send {
                    id: 1,
                    frame: text("1")
                },
                Close { id: 1 }
            ]
        );
    }

    #[test]
    fn a_retried_emit_without_a_timeout_reports_the_timeout_each_try_waited() {
        // No ack timeout anywhere: with retries, each try waits the default.
        let retries = 1;
        let options = SocketOptions::new("http://h")
            .transports(TransportMode::WebSocketOnly)
            .retries(retries);
        let mut c = Core::new(options, None, 1);
        let namespace = NamespaceOptions {
            retries,
            ..NamespaceOptions::default()
        };
        c.join("/", namespace, t(0));
        // A heartbeat window (45 s) longer than both tries.
        let open = r#"0{"sid":"S","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#;
        c.step(
            vec![
                Input::Transport(1, TransportEvent::Open),
                Input::Transport(1, TransportEvent::Frame(text(open))),
                Input::Transport(1, TransportEvent::Frame(text(r#"40{"sid":"n"}"#))),
            ],
            t(1),
        );
        let ack = EmitOptions {
            ack: true,
            ..EmitOptions::default()
        };
        let (_, mut receiver) = c
            .emit("/", "x", vec![], ack, t(2))
            .expect("active")
            .expect("an ack");
        c.step(vec![Input::Timer], t(10_002));
        assert_eq!(receiver.try_recv(), Ok(None), "the first try is retried");
        c.step(vec![Input::Timer], t(20_002));
        let failed = receiver.try_recv().ok().flatten();
        assert_eq!(failed, Some(Err(AckError::Timeout(10_000))));
        assert_eq!(
            failed
                .and_then(Result::err)
                .map(|e| e.to_string())
                .as_deref(),
            Some("the server did not acknowledge within 10000 ms")
        );
    }

    #[test]
    fn an_abandoned_ack_is_forgotten_and_a_late_answer_ignored() {
        let mut c = core(TransportMode::WebSocketOnly);
        connect_ws(&mut c, 1, t(1));
        let ack = EmitOptions {
            ack: true,
            ..EmitOptions::default()
        };
        let (id, receiver) = c
            .emit("/", "x", vec![], ack, t(2))
            .expect("active")
            .expect("an ack");
        drop(receiver);
        c.cancel_ack("/", id);
        assert!(c.joined.get("/").is_some_and(|j| j.ack_waiters.is_empty()));
        c.step(
            vec![Input::Transport(
                1,
                TransportEvent::Frame(text(&format!("43{id}[1]"))),
            )],
            t(3),
        );
        assert_eq!(c.state_of("/"), ConnectionState::Connected);
    }

    #[test]
    fn a_restored_page_joins_again_only_what_it_left_when_hidden() {
        let mut c = core(TransportMode::WebSocketOnly);
        c.join("/chat", NamespaceOptions::default(), t(0));
        c.join("/admin", NamespaceOptions::default(), t(0));
        connect_ws(&mut c, 1, t(1));
        // The application leaves /admin before the page is hidden.
        c.leave("/admin", t(2));
        // The connection is lost: hidden while reconnecting, / and /chat
        // still count as joined.
        c.step(
            vec![Input::Transport(1, TransportEvent::Failed(ws_closed()))],
            t(3),
        );
        assert_eq!(c.state_of("/"), ConnectionState::Reconnecting);
        actions(&mut c);

        c.suspend(t(4));
        assert_eq!(c.namespaces().count(), 0, "every namespace left");
        assert_eq!(c.poll_timeout(), None, "no reconnection while hidden");
        // The application leaves /chat while the page is hidden.
        c.leave("/chat", t(5));
        actions(&mut c);

        c.resume(t(6));
        assert_eq!(c.namespaces().collect::<Vec<_>>(), ["/"]);
        assert_eq!(actions(&mut c), [OpenWebSocket { id: 2, sid: None }]);
        connect_ws(&mut c, 2, t(7));
        assert_eq!(c.state_of("/"), ConnectionState::Connected);
        assert_eq!(c.state_of("/chat"), ConnectionState::Disconnected);
        assert_eq!(c.state_of("/admin"), ConnectionState::Disconnected);

        actions(&mut c);

        // A second restore without a hide in between changes nothing.
        c.resume(t(8));
        assert!(actions(&mut c).is_empty());
    }

    #[test]
    fn a_restored_page_whose_reconnection_gave_up_stays_disconnected() {
        let options = SocketOptions::new("http://h")
            .transports(TransportMode::WebSocketOnly)
            .reconnection(crate::client::ReconnectOptions::default().max_attempts(Some(0)));
        let mut c = Core::new(options, None, 1);
        c.join("/", NamespaceOptions::default(), t(0));
        connect_ws(&mut c, 1, t(1));
        c.step(
            vec![Input::Transport(1, TransportEvent::Failed(ws_closed()))],
            t(2),
        );
        assert_eq!(c.state_of("/"), ConnectionState::Disconnected, "gave up");
        actions(&mut c);
        c.suspend(t(3));
        c.resume(t(4));
        assert!(actions(&mut c).is_empty(), "no attempt");
        assert_eq!(c.state_of("/"), ConnectionState::Disconnected);
    }
}
