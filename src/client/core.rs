//! [`Core`]: everything a [`Socket`](crate::Socket) decides, composed from
//! the sans-IO parts — [`EngineSocket`] (transports), [`Connection`]
//! (namespaces, acks, attachments) and [`Reconnect`] (backoff). It never
//! touches the browser: the driver feeds it [`Input`]s and performs the
//! [`EngineAction`]s it queues, so it is tested natively.

use std::collections::{HashMap, VecDeque};

use futures_channel::oneshot;

use crate::client::{
    AckError, AckFailure, Connection, ConnectionState, EmitError, EmitOptions, NamespaceEvent,
    NamespaceOptions, Outgoing, Reconnect, ReconnectEvent, SocketOptions, TransportKind,
};
use crate::engine::{
    EngineAction, EngineEvent, EngineOptions, EngineSocket, TransportChoice, TransportId,
};
use crate::protocol::{Frame, Value};
use crate::time::Instant;

/// What an emit's acknowledgement resolves to.
pub(crate) type AckResult = Result<Vec<Value>, AckError>;

/// What the browser reported, tagged with the transport it concerns.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
#[derive(Debug)]
pub(crate) enum Input {
    WebSocketOpen(TransportId),
    Frame(TransportId, Frame),
    PollResponse(TransportId, String),
    PostDone(TransportId),
    TransportError(TransportId, String),
    /// A timer fired; deadlines are checked on every step anyway.
    Timer,
}

/// Work for the application, run after the core is released so handlers may
/// call back into the socket.
pub(crate) enum Dispatch {
    Connection(ConnectionState, TransportKind),
    Event(String, Vec<Value>),
}

pub(crate) struct Core {
    pub(crate) options: SocketOptions,
    pub(crate) state: ConnectionState,
    pub(crate) transport: TransportKind,
    pub(crate) last_error: Option<String>,
    engine: EngineSocket,
    /// The namespace this socket is connected to, within `connection`.
    namespace: String,
    connection: Connection,
    reconnect: Reconnect,
    ack_waiters: HashMap<u64, oneshot::Sender<AckResult>>,
    /// Set by `disconnect()` (and a refused CONNECT), cleared by `reconnect()`.
    pub(crate) stopped: bool,
    /// Whether the namespace was connected since the last (re)start.
    connected_once: bool,
    /// Whether the current engine attempt reached the handshake.
    engine_opened: bool,
    /// For the driver.
    pub(crate) actions: VecDeque<EngineAction>,
}

impl Core {
    /// `remembered`: the transport that worked last time, if fresh;
    /// `seed`: randomness for the backoff jitter.
    pub(crate) fn new(
        options: SocketOptions,
        remembered: Option<TransportKind>,
        seed: u64,
    ) -> Self {
        let namespace = crate::client::url::ServerUrl::parse(&options.url)
            .map(|u| u.namespace)
            .unwrap_or_else(|_| "/".to_owned());
        let mut connection = Connection::default();
        connection.open_namespace(
            &namespace,
            NamespaceOptions {
                auth: options.auth.clone(),
                ack_timeout: options.ack_timeout,
                retries: options.retries,
            },
        );
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
            reconnect: Reconnect::new(options.reconnection).with_seed(seed),
            options,
            state: ConnectionState::Connecting,
            transport: TransportKind::None,
            last_error: None,
            engine,
            namespace,
            connection,
            ack_waiters: HashMap::new(),
            stopped: false,
            connected_once: false,
            engine_opened: false,
            actions: VecDeque::new(),
        }
    }

    /// Starts (or restarts, after `disconnect`) connecting.
    pub(crate) fn start(&mut self, now: Instant) {
        self.stopped = false;
        self.connected_once = false;
        self.state = ConnectionState::Connecting;
        self.reconnect.start();
        self.engine_opened = false;
        self.engine.connect(now);
        self.collect_actions();
    }

    /// Whether a connection exists or is being made.
    pub(crate) fn is_active(&self) -> bool {
        !self.stopped
    }

    /// Emits; with `with_ack`, returns the receiver of the acknowledgement.
    pub(crate) fn emit(
        &mut self,
        event: &str,
        args: Vec<Value>,
        options: EmitOptions,
        now: Instant,
    ) -> Result<Option<oneshot::Receiver<AckResult>>, EmitError> {
        if self.stopped {
            return Err(EmitError::Disconnected);
        }
        let namespace = self.namespace.clone();
        let id = self
            .connection
            .namespace_mut(&namespace)
            .and_then(|ns| ns.emit(event, args, options, now));
        Ok(id.map(|id| {
            let (sender, receiver) = oneshot::channel();
            self.ack_waiters.insert(id, sender);
            receiver
        }))
    }

    /// Leaves the namespace and closes the connection for good; returns the
    /// ack waiters to fail.
    pub(crate) fn stop(&mut self, now: Instant) {
        if self.stopped {
            return;
        }
        self.stopped = true;
        self.reconnect.stop();
        let namespace = self.namespace.clone();
        if let Some(ns) = self.connection.namespace_mut(&namespace) {
            ns.disconnect();
        }
        self.flush(now);
        self.engine.close(now);
        self.connection.handle_session_closed();
        self.state = ConnectionState::Disconnected;
        self.transport = TransportKind::None;
        self.collect_actions();
        for (_, waiter) in self.ack_waiters.drain() {
            let _ = waiter.send(Err(AckError::Disconnected));
        }
    }

    /// One pass of the state machines over `inputs`; returns the work for
    /// handlers. Actions for the driver accumulate in `actions`.
    pub(crate) fn step(&mut self, inputs: Vec<Input>, now: Instant) -> Vec<Dispatch> {
        let before = (self.state, self.transport);
        let mut dispatch = Vec::new();
        for input in inputs {
            match input {
                Input::WebSocketOpen(id) => self.engine.handle_websocket_open(id, now),
                Input::Frame(id, frame) => self.engine.handle_frame(id, frame, now),
                Input::PollResponse(id, body) => self.engine.handle_poll_response(id, &body, now),
                Input::PostDone(id) => self.engine.handle_post_done(id, now),
                Input::TransportError(id, why) => self.engine.handle_transport_error(id, &why, now),
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
            while let Some((namespace, event)) = self.connection.poll_event() {
                busy = true;
                if namespace == self.namespace {
                    self.handle_namespace_event(event, now, &mut dispatch);
                }
            }
            if !busy {
                break;
            }
        }
        self.collect_actions();
        if (self.state, self.transport) != before {
            dispatch.insert(0, Dispatch::Connection(self.state, self.transport));
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
            }
        }
    }

    fn handle_engine_event(&mut self, event: EngineEvent, now: Instant) {
        match event {
            EngineEvent::Opened { transport, .. } => {
                self.engine_opened = true;
                self.transport = transport;
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
        event: NamespaceEvent,
        now: Instant,
        dispatch: &mut Vec<Dispatch>,
    ) {
        match event {
            NamespaceEvent::Connected { .. } => {
                self.state = ConnectionState::Connected;
                self.transport = self.engine.transport();
                self.last_error = None;
                self.connected_once = true;
                self.reconnect.handle_connected();
            }
            NamespaceEvent::ConnectError { message } => {
                self.last_error = Some(format!("the server refused the connection: {message}"));
                self.stop(now);
            }
            NamespaceEvent::Disconnected => {
                // The server ended the namespace while the session is up
                // ("io server disconnect"): like socket.io-client, do not
                // reconnect on our own.
                if self.engine.is_open() && !self.stopped {
                    self.last_error = Some(
                        "the server closed the connection; call reconnect() to connect again"
                            .into(),
                    );
                    self.stop(now);
                }
            }
            NamespaceEvent::Event { name, args, ack_id } => {
                if let (Some(id), Some(ns)) =
                    (ack_id, self.connection.namespace_mut(&self.namespace))
                {
                    // Answering acks from handlers comes with the typed API;
                    // until then the server gets an empty ack, so its
                    // `emitWithAck` does not hang.
                    ns.ack(id, Vec::new());
                }
                dispatch.push(Dispatch::Event(name, args));
            }
            NamespaceEvent::Ack { id, args } => {
                if let Some(waiter) = self.ack_waiters.remove(&id) {
                    let _ = waiter.send(Ok(args));
                }
            }
            NamespaceEvent::AckFailed { id, reason } => {
                if let Some(waiter) = self.ack_waiters.remove(&id) {
                    let ms = self.options.ack_timeout.map_or(0, |t| t.as_millis());
                    let error = match reason {
                        AckFailure::TimedOut => {
                            AckError::Timeout(u64::try_from(ms).unwrap_or(u64::MAX))
                        }
                        AckFailure::Dropped => AckError::Dropped,
                        AckFailure::Disconnected => AckError::Disconnected,
                    };
                    let _ = waiter.send(Err(error));
                }
            }
        }
    }

    /// Namespace packets into the engine; `true` if anything moved.
    fn flush(&mut self, now: Instant) -> bool {
        let mut moved = false;
        while let Some(outgoing) = self.connection.poll_transmit() {
            moved = true;
            match outgoing {
                Outgoing::Text(text) => self.engine.send_message(text, now),
                Outgoing::Binary(bytes) => self.engine.send_binary(bytes, now),
            }
        }
        moved
    }

    fn collect_actions(&mut self) {
        while let Some(action) = self.engine.poll_action() {
            self.actions.push_back(action);
        }
    }

    /// The earliest deadline of every part.
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::TransportMode;
    use EngineAction::{Close, OpenWebSocket, Poll, Post, Send};

    const OPEN: &str =
        r#"0{"sid":"S","upgrades":[],"pingInterval":300,"pingTimeout":200,"maxPayload":1000000}"#;

    fn t(ms: u64) -> Instant {
        Instant::from_millis(ms)
    }

    fn text(s: &str) -> Frame {
        Frame::Text(s.to_owned())
    }

    fn core(mode: TransportMode) -> Core {
        let options = SocketOptions::new("http://h")
            .transports(mode)
            .reconnection(crate::client::ReconnectOptions::default().randomization_factor(0.0));
        let mut core = Core::new(options, None, 1);
        core.start(t(0));
        core
    }

    fn actions(core: &mut Core) -> Vec<EngineAction> {
        core.actions.drain(..).collect()
    }

    /// Connects over WebSocket (transport `id`) at `now`.
    fn connect_ws(core: &mut Core, id: u32, now: Instant) {
        core.step(
            vec![
                Input::WebSocketOpen(id),
                Input::Frame(id, text(OPEN)),
                Input::Frame(id, text(r#"40{"sid":"n"}"#)),
            ],
            now,
        );
    }

    #[test]
    fn connects_then_reports_reconnecting_and_comes_back_after_the_backoff() {
        let mut c = core(TransportMode::Auto);
        assert_eq!(actions(&mut c), [OpenWebSocket { id: 1, sid: None }]);
        connect_ws(&mut c, 1, t(10));
        assert_eq!(c.state, ConnectionState::Connected);
        assert_eq!(c.transport, TransportKind::WebSocket);
        c.step(
            vec![Input::TransportError(
                1,
                "WebSocket closed (code 1006)".into(),
            )],
            t(100),
        );
        assert_eq!(c.state, ConnectionState::Reconnecting);
        assert_eq!(c.next_attempt_at(), Some(t(1_100)));
        let _ = actions(&mut c);
        c.step(vec![Input::Timer], t(1_100));
        assert_eq!(actions(&mut c), [OpenWebSocket { id: 2, sid: None }]);
        connect_ws(&mut c, 2, t(1_110));
        assert_eq!(c.state, ConnectionState::Connected);
        assert_eq!(c.last_error, None);
    }

    #[test]
    fn a_first_connection_that_fails_stays_connecting_while_retrying() {
        let mut c = core(TransportMode::WebSocketOnly);
        actions(&mut c);
        c.step(vec![Input::TransportError(1, "refused".into())], t(5));
        assert_eq!(c.state, ConnectionState::Connecting);
        assert!(c.last_error.is_some());
    }

    #[test]
    fn disconnect_during_backoff_prevents_any_further_attempt() {
        let mut c = core(TransportMode::WebSocketOnly);
        actions(&mut c);
        c.step(vec![Input::TransportError(1, "refused".into())], t(5));
        c.stop(t(10));
        assert_eq!(c.state, ConnectionState::Disconnected);
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
        c.step(vec![Input::TransportError(1, "cut".into())], t(50));
        for i in 0..3 {
            c.emit("n", vec![i.into()], EmitOptions::default(), t(60))
                .expect("not stopped");
        }
        c.step(vec![Input::Timer], t(1_050));
        actions(&mut c);
        connect_ws(&mut c, 2, t(1_060));
        let sent: Vec<_> = actions(&mut c)
            .into_iter()
            .filter_map(|a| match a {
                Send {
                    id: 2,
                    frame: Frame::Text(s),
                } => Some(s),
                _ => None,
            })
            .collect();
        assert_eq!(sent, ["40", r#"42["n",0]"#, r#"42["n",1]"#, r#"42["n",2]"#]);
    }

    #[test]
    fn a_refused_connect_stops_with_the_server_message() {
        let mut c = core(TransportMode::Auto);
        c.step(
            vec![
                Input::WebSocketOpen(1),
                Input::Frame(1, text(OPEN)),
                Input::Frame(1, text(r#"44{"message":"unauthorized"}"#)),
            ],
            t(5),
        );
        assert_eq!(c.state, ConnectionState::Disconnected);
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
        c.step(vec![Input::TransportError(1, "refused".into())], t(5));
        assert_eq!(
            actions(&mut c),
            [Close { id: 1 }, Poll { id: 2, sid: None }]
        );
        c.step(
            vec![Input::PollResponse(
                2,
                format!("{OPEN}\x1e40{{\"sid\":\"n\"}}"),
            )],
            t(10),
        );
        assert_eq!(c.state, ConnectionState::Connected);
        assert_eq!(c.transport, TransportKind::Polling);
        assert_eq!(
            actions(&mut c)
                .iter()
                .filter(|a| matches!(a, Post { body, .. } if body == "40"))
                .count(),
            1
        );
        c.emit("x", vec![], EmitOptions::default(), t(11))
            .expect("not stopped");
        c.step(vec![], t(11));
        assert!(
            !actions(&mut c).iter().any(|a| matches!(a, Post { .. })),
            "one POST at a time"
        );
        c.step(vec![Input::PostDone(2)], t(12));
        assert!(actions(&mut c)
            .iter()
            .any(|a| matches!(a, Post { body, .. } if body == r#"42["x"]"#)));
    }
}
