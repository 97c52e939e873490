//! [`Namespace`]: the sans-IO state of one Socket.IO namespace connection —
//! connect handshake, emits buffered while disconnected, volatile emits,
//! ack ids with their deadlines, and socket.io-client's `retries` queue.

use std::collections::VecDeque;
use std::time::Duration;

use crate::client::in_flight::{InFlight, Waiting};
use crate::client::EmitError;
use crate::protocol::{PacketBody, SocketPacket, Value};
use crate::time::Instant;

/// How many emits may wait to be sent by default (see
/// [`NamespaceOptions::max_buffered_emits`]).
pub const DEFAULT_MAX_BUFFERED_EMITS: usize = 1_000;

/// Settings of one namespace connection.
#[derive(Debug, Clone, PartialEq)]
pub struct NamespaceOptions {
    /// Sent with CONNECT, e.g. `{"token": "…"}`. Default: none.
    pub auth: Option<Value>,
    /// Default ack timeout of every emit that asks for an ack. Default: none
    /// (wait forever), as socket.io-client's `ackTimeout`.
    pub ack_timeout: Option<Duration>,
    /// socket.io-client's `retries` (4.6+): when set, every emit is queued,
    /// one is in flight at a time, and each is re-sent until the server acks
    /// it or it was sent `retries + 1` times. Each try waits `ack_timeout`
    /// (default 10 s when unset, since a try needs an end). Default: 0 (off).
    pub retries: u32,
    /// How many emits may wait to be sent: those made while not connected
    /// (sent in order once connected) and, with `retries`, those queued
    /// behind the one waiting for its ack. When that many wait,
    /// [`Namespace::emit`] refuses the next with [`EmitError::BufferFull`];
    /// the waiting ones stay. Volatile emits never wait; with 0, no emit
    /// does. Default: [`DEFAULT_MAX_BUFFERED_EMITS`] (1 000;
    /// socket.io-client has no bound).
    pub max_buffered_emits: usize,
}

impl Default for NamespaceOptions {
    fn default() -> Self {
        Self {
            auth: None,
            ack_timeout: None,
            retries: 0,
            max_buffered_emits: DEFAULT_MAX_BUFFERED_EMITS,
        }
    }
}

/// How one emit is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EmitOptions {
    /// Ask the server for an acknowledgement.
    pub ack: bool,
    /// Overrides [`NamespaceOptions::ack_timeout`] for this emit.
    pub timeout: Option<Duration>,
    /// Dropped instead of buffered when the namespace is not connected.
    pub volatile: bool,
}

/// Why an emit's acknowledgement will never come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AckFailure {
    /// No acknowledgement within the timeout (after every retry).
    TimedOut,
    /// The emit was volatile and the namespace was not connected.
    Dropped,
    /// The namespace was left with [`Namespace::disconnect`].
    Disconnected,
}

/// Something the application should learn about, from [`Namespace::poll_event`].
#[derive(Debug, Clone, PartialEq)]
pub enum NamespaceEvent {
    /// The server accepted the CONNECT; `sid` is this namespace's socket id.
    Connected {
        /// The socket id the server gave.
        sid: String,
    },
    /// The server refused the CONNECT (e.g. a middleware said `unauthorized`).
    ConnectError {
        /// The server's message.
        message: String,
    },
    /// The namespace connection ended (server DISCONNECT or the session closed).
    Disconnected,
    /// The server emitted an event.
    Event {
        /// Event name.
        name: String,
        /// Its arguments, binary parts in place.
        args: Vec<Value>,
        /// Set when the server waits for an acknowledgement.
        ack_id: Option<u64>,
    },
    /// The server acknowledged one of our emits.
    Ack {
        /// The id [`Namespace::emit`] returned.
        id: u64,
        /// The acknowledgement's arguments.
        args: Vec<Value>,
    },
    /// An emit's acknowledgement will never come.
    AckFailed {
        /// The id [`Namespace::emit`] returned.
        id: u64,
        /// Why.
        reason: AckFailure,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    /// No Engine.IO session, or CONNECT not yet sent.
    Idle,
    /// CONNECT sent, waiting for the answer.
    Connecting,
    Connected,
}

/// An emit in the `retries` queue.
#[derive(Debug)]
struct Queued {
    handle: Option<u64>,
    name: String,
    args: Vec<Value>,
    timeout: Duration,
    tries: u32,
    /// The wire ack id of the try in flight.
    in_flight: Option<u64>,
}

/// Ack timeout of a retried emit when none is configured.
const DEFAULT_RETRY_TIMEOUT: Duration = Duration::from_secs(10);

/// A sans-IO Socket.IO namespace connection over an Engine.IO session.
///
/// It produces [`SocketPacket`]s ([`poll_transmit`](Self::poll_transmit)) —
/// binary parts still in place; the [`Connection`](crate::client::Connection) turns
/// them into attachments — and consumes the packets addressed to it
/// ([`handle_packet`](Self::handle_packet)).
///
/// ```
/// use leptos_socketio::client::{EmitOptions, Namespace, NamespaceEvent, NamespaceOptions};
/// use leptos_socketio::protocol::{SocketPacket, Value};
/// use leptos_socketio::time::Instant;
///
/// let now = Instant::from_millis(0);
/// let mut ns = Namespace::new("/", NamespaceOptions::default());
/// // Buffered until the namespace is connected (up to `max_buffered_emits`).
/// let id = ns.emit("echo", vec!["hi".into()], EmitOptions { ack: true, ..Default::default() }, now)?;
/// ns.handle_session_open();
/// assert_eq!(ns.poll_transmit().map(|p| p.encode()).as_deref(), Some("0"));
/// ns.handle_packet(SocketPacket::decode(r#"0{"sid":"x"}"#).unwrap(), now);
/// assert_eq!(ns.poll_transmit().map(|p| p.encode()).as_deref(), Some(r#"20["echo","hi"]"#));
/// ns.handle_packet(SocketPacket::decode(r#"30["hi"]"#).unwrap(), now);
/// assert_eq!(ns.poll_event(), Some(NamespaceEvent::Connected { sid: "x".into() }));
/// assert_eq!(ns.poll_event(), Some(NamespaceEvent::Ack { id: id.unwrap(), args: vec!["hi".into()] }));
/// # Ok::<(), leptos_socketio::EmitError>(())
/// ```
#[derive(Debug)]
pub struct Namespace {
    name: String,
    options: NamespaceOptions,
    status: Status,
    /// Packets emitted while not connected, sent in order once connected.
    buffer: VecDeque<SocketPacket>,
    /// The `retries` queue (used only when `retries > 0`).
    queue: VecDeque<Queued>,
    next_handle: u64,
    next_ack_id: u64,
    /// Emits waiting for an ack, by wire ack id.
    in_flight: InFlight,
    transmit: VecDeque<SocketPacket>,
    events: VecDeque<NamespaceEvent>,
    /// Connection state recovery: the private session id the server gave
    /// in its CONNECT answer (servers with `connectionStateRecovery` only).
    pid: Option<String>,
    /// The offset of the last event received from such a server.
    offset: Option<String>,
    /// The last CONNECT restored the previous session.
    recovered: bool,
}

impl Namespace {
    /// A namespace (`"/"` for the main one).
    pub fn new(name: impl Into<String>, options: NamespaceOptions) -> Self {
        Self {
            name: name.into(),
            options,
            status: Status::Idle,
            buffer: VecDeque::new(),
            queue: VecDeque::new(),
            next_handle: 0,
            next_ack_id: 0,
            in_flight: InFlight::default(),
            transmit: VecDeque::new(),
            events: VecDeque::new(),
            pid: None,
            offset: None,
            recovered: false,
        }
    }

    /// Whether the server restored this namespace's previous session on the
    /// last connect (Socket.IO connection state recovery, socket.io 4.6+
    /// servers with `connectionStateRecovery`): the rooms it was in, and the
    /// events emitted to it while it was cut off, which arrive right after
    /// the connect. `false` for a first connection, when the server has no
    /// recovery, or could not restore (the session expired, or no event had
    /// been received before the cut: the server needs the offset of one).
    pub fn recovered(&self) -> bool {
        self.recovered
    }

    /// The CONNECT's auth: the application's, plus, once a recovering
    /// server gave a session id, `{pid, offset}` to restore it (the
    /// application's keys win, as in socket.io-client).
    fn connect_auth(&self) -> Option<Value> {
        let Some(pid) = &self.pid else {
            return self.options.auth.clone();
        };
        let mut auth = match &self.options.auth {
            Some(Value::Object(map)) => map.clone(),
            Some(_) => return self.options.auth.clone(),
            None => Default::default(),
        };
        auth.entry("pid".to_owned())
            .or_insert_with(|| Value::String(pid.clone()));
        if let Some(offset) = &self.offset {
            auth.entry("offset".to_owned())
                .or_insert_with(|| Value::String(offset.clone()));
        }
        Some(Value::Object(auth))
    }

    /// The namespace's name, e.g. `/` or `/admin`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the server has accepted this namespace's CONNECT.
    pub fn is_connected(&self) -> bool {
        self.status == Status::Connected
    }

    /// The Engine.IO session opened: send CONNECT.
    pub fn handle_session_open(&mut self) {
        self.status = Status::Connecting;
        let packet = SocketPacket::connect(self.name.clone(), self.connect_auth());
        self.transmit.push_back(packet);
    }

    /// The Engine.IO session closed. Emits not yet sent stay buffered; acks
    /// keep waiting (until their deadline, if they have one); the try in
    /// flight of the `retries` queue is sent again after reconnecting.
    pub fn handle_session_closed(&mut self) {
        let was_connected = self.status == Status::Connected;
        self.status = Status::Idle;
        self.transmit.clear();
        if let Some(head) = self.queue.front_mut() {
            if let Some(wire) = head.in_flight.take() {
                self.in_flight.remove(wire);
            }
        }
        if was_connected {
            self.events.push_back(NamespaceEvent::Disconnected);
        }
    }

    /// Emits `name` with `args` (binary parts allowed anywhere). Returns the
    /// id that the [`NamespaceEvent::Ack`] or [`NamespaceEvent::AckFailed`]
    /// will carry, when `options.ack` is set.
    ///
    /// While not connected the packet is buffered — unless volatile, then it
    /// is dropped. With `retries` configured, it joins the retries queue.
    /// When [`max_buffered_emits`](NamespaceOptions::max_buffered_emits)
    /// emits already wait there, it fails with [`EmitError::BufferFull`] and
    /// nothing changes.
    pub fn emit(
        &mut self,
        name: &str,
        args: Vec<Value>,
        options: EmitOptions,
        now: Instant,
    ) -> Result<Option<u64>, EmitError> {
        if let Some(waiting) = self.waiting_before(&options) {
            if waiting >= self.options.max_buffered_emits {
                return Err(EmitError::BufferFull { waiting });
            }
        }
        let handle = options.ack.then(|| {
            let id = self.next_handle;
            self.next_handle = self.next_handle.wrapping_add(1);
            id
        });
        let timeout = self.ack_timeout_of(&options);
        if options.volatile && !self.is_connected() {
            if let Some(id) = handle {
                self.events.push_back(NamespaceEvent::AckFailed {
                    id,
                    reason: AckFailure::Dropped,
                });
            }
            return Ok(handle);
        }
        if self.retries_apply(&options) {
            self.queue.push_back(Queued {
                handle,
                name: name.to_owned(),
                args,
                timeout: timeout.unwrap_or(DEFAULT_RETRY_TIMEOUT),
                tries: 0,
                in_flight: None,
            });
            self.drain_queue(now);
            return Ok(handle);
        }
        let ack_id = handle.map(|handle| {
            let wire = self.next_wire_id();
            self.in_flight.insert(
                wire,
                Waiting {
                    handle: Some(handle),
                    deadline: timeout.map(|t| now + t),
                },
            );
            wire
        });
        let packet = SocketPacket::event(self.name.clone(), name.to_owned(), args, ack_id);
        if self.is_connected() {
            self.transmit.push_back(packet);
        } else {
            self.buffer.push_back(packet);
        }
        Ok(handle)
    }

    /// How long each try of an emit sent with `options` waits for its ack:
    /// the emit's timeout, else the namespace's; with `retries` (not for a
    /// volatile emit), [`DEFAULT_RETRY_TIMEOUT`] when neither is set, since
    /// a try needs an end. `None`: it waits forever. The one rule for the
    /// deadlines set here and the duration reported when one expires.
    pub(crate) fn ack_timeout_of(&self, options: &EmitOptions) -> Option<Duration> {
        let timeout = options.timeout.or(self.options.ack_timeout);
        if self.retries_apply(options) {
            Some(timeout.unwrap_or(DEFAULT_RETRY_TIMEOUT))
        } else {
            timeout
        }
    }

    /// When an emit sent with `options` would wait to be sent, how many
    /// wait already (in the buffer, or in the retries queue behind the one
    /// in flight); `None` when it would go out at once (or be dropped).
    fn waiting_before(&self, options: &EmitOptions) -> Option<usize> {
        if self.retries_apply(options) {
            let head_in_flight = self.queue.front().is_some_and(|q| q.in_flight.is_some());
            let queued = self.queue.len() - usize::from(head_in_flight);
            let waits = !self.queue.is_empty() || !self.is_connected();
            waits.then_some(queued)
        } else {
            let waits = !self.is_connected() && !options.volatile;
            waits.then_some(self.buffer.len())
        }
    }

    /// Whether an emit sent with `options` goes through the retries queue.
    fn retries_apply(&self, options: &EmitOptions) -> bool {
        self.options.retries > 0 && !options.volatile
    }

    fn next_wire_id(&mut self) -> u64 {
        let id = self.next_ack_id;
        self.next_ack_id = self.next_ack_id.wrapping_add(1);
        id
    }

    /// Sends the head of the retries queue when connected and nothing of the
    /// queue is in flight.
    fn drain_queue(&mut self, now: Instant) {
        let ready = self.queue.front().is_some_and(|q| q.in_flight.is_none());
        if !self.is_connected() || !ready {
            return;
        }
        let wire = self.next_wire_id();
        let Some(head) = self.queue.front_mut() else {
            return;
        };
        head.tries += 1;
        head.in_flight = Some(wire);
        self.in_flight.insert(
            wire,
            Waiting {
                handle: head.handle,
                deadline: Some(now + head.timeout),
            },
        );
        let packet = SocketPacket::event(
            self.name.clone(),
            head.name.clone(),
            head.args.clone(),
            Some(wire),
        );
        self.transmit.push_back(packet);
    }

    /// Answers the server's event that carried `ack_id`.
    pub fn ack(&mut self, ack_id: u64, args: Vec<Value>) {
        if self.is_connected() {
            self.transmit
                .push_back(SocketPacket::ack(self.name.clone(), ack_id, args));
        }
    }

    /// Forgets an emit's ack (its waiter went away): a late answer is not
    /// reported. A queued emit is still sent (and retried).
    pub fn cancel_ack(&mut self, id: u64) {
        let queued_wire = self.queue.front().and_then(|q| q.in_flight);
        self.in_flight
            .retain(|wire, f| f.handle != Some(id) || Some(wire) == queued_wire);
        for flight in self.in_flight.values_mut() {
            if flight.handle == Some(id) {
                flight.handle = None;
            }
        }
        for queued in &mut self.queue {
            if queued.handle == Some(id) {
                queued.handle = None;
            }
        }
    }

    /// The ids of the emits whose ack is still reported, in flight first.
    #[cfg(test)]
    pub(crate) fn awaited_acks(&self) -> Vec<u64> {
        let queued = self.queue.iter().filter_map(|q| q.handle);
        self.in_flight.handles().chain(queued).collect()
    }

    /// Leaves the namespace: DISCONNECT is sent if connected; buffered and
    /// queued emits are dropped and every pending ack fails with
    /// [`AckFailure::Disconnected`].
    pub fn disconnect(&mut self) {
        if self.is_connected() {
            self.transmit
                .push_back(SocketPacket::disconnect(self.name.clone()));
            self.events.push_back(NamespaceEvent::Disconnected);
        }
        self.status = Status::Idle;
        self.buffer.clear();
        // In handle order, each once (an emit may be both queued and in flight).
        let mut failed: Vec<u64> = Vec::new();
        let handles = self.in_flight.handles();
        for handle in handles.chain(self.queue.iter().filter_map(|q| q.handle)) {
            if let Err(at) = failed.binary_search(&handle) {
                failed.insert(at, handle);
            }
        }
        self.in_flight.clear();
        self.queue.clear();
        for id in failed {
            self.events.push_back(NamespaceEvent::AckFailed {
                id,
                reason: AckFailure::Disconnected,
            });
        }
    }

    /// Handles one packet addressed to this namespace (binary parts in place).
    pub fn handle_packet(&mut self, packet: SocketPacket, now: Instant) {
        match packet.body {
            PacketBody::Connect(data) => {
                let field = |name: &str| {
                    data.as_ref()
                        .and_then(|d| d.get(name))
                        .and_then(Value::as_str)
                        .map(str::to_owned)
                };
                let sid = field("sid").unwrap_or_default();
                let pid = field("pid");
                self.recovered = pid.is_some() && pid == self.pid;
                if !self.recovered {
                    self.offset = None;
                }
                self.pid = pid;
                self.status = Status::Connected;
                self.events.push_back(NamespaceEvent::Connected { sid });
                while let Some(packet) = self.buffer.pop_front() {
                    self.transmit.push_back(packet);
                }
                self.drain_queue(now);
            }
            PacketBody::ConnectError(data) => {
                self.status = Status::Idle;
                let message = data
                    .get("message")
                    .and_then(Value::as_str)
                    .or_else(|| data.as_str())
                    .map_or_else(|| data.to_string(), str::to_owned);
                self.events
                    .push_back(NamespaceEvent::ConnectError { message });
            }
            PacketBody::Disconnect => self.handle_session_closed(),
            PacketBody::Event {
                name,
                mut args,
                ack_id,
            }
            | PacketBody::BinaryEvent {
                name,
                mut args,
                ack_id,
                ..
            } => {
                // A recovering server appends its offset to every event it
                // stores (those without an ack): kept for the next CONNECT,
                // and taken off, so handlers see what the server emitted.
                if self.pid.is_some() && ack_id.is_none() {
                    if let Some(Value::String(_)) = args.last() {
                        if let Some(Value::String(offset)) = args.pop() {
                            self.offset = Some(offset);
                        }
                    }
                }
                self.events
                    .push_back(NamespaceEvent::Event { name, args, ack_id });
            }
            PacketBody::Ack { args, ack_id } | PacketBody::BinaryAck { args, ack_id, .. } => {
                self.handle_ack(ack_id, args, now);
            }
        }
    }

    fn handle_ack(&mut self, wire: u64, args: Vec<Value>, now: Instant) {
        let Some(flight) = self.in_flight.remove(wire) else {
            return;
        };
        if self
            .queue
            .front()
            .is_some_and(|q| q.in_flight == Some(wire))
        {
            self.queue.pop_front();
            self.drain_queue(now);
        }
        if let Some(id) = flight.handle {
            self.events.push_back(NamespaceEvent::Ack { id, args });
        }
    }

    /// Fails (or retries) every ack whose deadline is at or before `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        for wire in self.in_flight.overdue(now) {
            let Some(flight) = self.in_flight.remove(wire) else {
                continue;
            };
            let head_is_this = self
                .queue
                .front()
                .is_some_and(|q| q.in_flight == Some(wire));
            if head_is_this {
                let retries = self.options.retries;
                let give_up = self.queue.front().is_some_and(|q| q.tries > retries);
                if give_up {
                    self.queue.pop_front();
                } else if let Some(head) = self.queue.front_mut() {
                    head.in_flight = None;
                    self.drain_queue(now);
                    continue;
                }
                self.drain_queue(now);
            }
            if let Some(id) = flight.handle {
                self.events.push_back(NamespaceEvent::AckFailed {
                    id,
                    reason: AckFailure::TimedOut,
                });
            }
        }
    }

    /// The next packet for the Engine.IO session (binary parts in place).
    pub fn poll_transmit(&mut self) -> Option<SocketPacket> {
        self.transmit.pop_front()
    }

    /// The next event for the application.
    pub fn poll_event(&mut self) -> Option<NamespaceEvent> {
        self.events.pop_front()
    }

    /// The earliest ack deadline.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.in_flight.earliest()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn t(ms: u64) -> Instant {
        Instant::from_millis(ms)
    }

    fn v(json: serde_json::Value) -> Value {
        Value::from(json)
    }

    fn ack() -> EmitOptions {
        EmitOptions {
            ack: true,
            ..EmitOptions::default()
        }
    }

    /// Feeds the text form of a packet, as the server would send it.
    fn recv(ns: &mut Namespace, text: &str, now: Instant) {
        let packet = SocketPacket::decode(text).expect("test packets are valid");
        ns.handle_packet(packet, now);
    }

    fn sent(ns: &mut Namespace) -> Vec<String> {
        std::iter::from_fn(|| ns.poll_transmit().map(|p| p.encode())).collect()
    }

    fn connected(name: &str, options: NamespaceOptions) -> Namespace {
        let mut ns = Namespace::new(name, options);
        ns.handle_session_open();
        ns.poll_transmit();
        let prefix = if name == "/" {
            String::new()
        } else {
            format!("{name},")
        };
        recv(&mut ns, &format!("0{prefix}{{\"sid\":\"s1\"}}"), t(0));
        assert_eq!(
            ns.poll_event(),
            Some(NamespaceEvent::Connected { sid: "s1".into() })
        );
        ns
    }

    #[test]
    fn connect_carries_the_auth_object() {
        let options = NamespaceOptions {
            auth: Some(v(json!({"token": "t"}))),
            ..NamespaceOptions::default()
        };
        let mut ns = Namespace::new("/", options);
        ns.handle_session_open();
        assert_eq!(sent(&mut ns), [r#"0{"token":"t"}"#]);
    }

    #[test]
    fn emits_made_while_disconnected_flush_in_order_after_connect() {
        let mut ns = Namespace::new("/", NamespaceOptions::default());
        ns.emit("a", vec![1.into()], EmitOptions::default(), t(0))
            .expect("not full");
        ns.emit("b", vec![2.into()], EmitOptions::default(), t(0))
            .expect("not full");
        ns.handle_session_open();
        assert_eq!(sent(&mut ns), ["0"], "nothing before the CONNECT answer");
        recv(&mut ns, r#"0{"sid":"s"}"#, t(1));
        assert_eq!(sent(&mut ns), [r#"2["a",1]"#, r#"2["b",2]"#]);
    }

    #[test]
    fn buffered_emits_survive_a_lost_session_and_flush_in_order_after_reconnect() {
        let mut ns = connected("/", NamespaceOptions::default());
        ns.handle_session_closed();
        assert_eq!(ns.poll_event(), Some(NamespaceEvent::Disconnected));
        for i in 0..3 {
            ns.emit("m", vec![i.into()], EmitOptions::default(), t(10))
                .expect("not full");
        }
        assert_eq!(sent(&mut ns), Vec::<String>::new());
        ns.handle_session_open();
        recv(&mut ns, r#"0{"sid":"s2"}"#, t(20));
        assert_eq!(
            sent(&mut ns),
            ["0", r#"2["m",0]"#, r#"2["m",1]"#, r#"2["m",2]"#]
        );
    }

    #[test]
    fn volatile_emits_are_dropped_while_disconnected_and_sent_while_connected() {
        let mut ns = Namespace::new("/", NamespaceOptions::default());
        let volatile = EmitOptions {
            volatile: true,
            ack: true,
            ..EmitOptions::default()
        };
        let id = ns
            .emit("tick", vec![], volatile, t(0))
            .expect("not full")
            .expect("ack id");
        assert_eq!(
            ns.poll_event(),
            Some(NamespaceEvent::AckFailed {
                id,
                reason: AckFailure::Dropped
            })
        );
        ns.handle_session_open();
        recv(&mut ns, r#"0{"sid":"s"}"#, t(0));
        assert_eq!(sent(&mut ns), ["0"], "the dropped emit is never sent");
        ns.emit(
            "tick",
            vec![],
            EmitOptions {
                volatile: true,
                ..EmitOptions::default()
            },
            t(0),
        )
        .expect("not full");
        assert_eq!(sent(&mut ns), [r#"2["tick"]"#]);
    }

    #[test]
    fn ack_ids_increase_and_route_answers_to_their_emit() {
        let mut ns = connected("/", NamespaceOptions::default());
        let a = ns.emit("x", vec![], ack(), t(0));
        let b = ns.emit("y", vec![], ack(), t(0));
        assert_eq!((a, b), (Ok(Some(0)), Ok(Some(1))));
        assert_eq!(sent(&mut ns), [r#"20["x"]"#, r#"21["y"]"#]);
        recv(&mut ns, r#"31["second"]"#, t(1));
        recv(&mut ns, r#"31["again"]"#, t(1));
        assert_eq!(
            ns.poll_event(),
            Some(NamespaceEvent::Ack {
                id: 1,
                args: vec!["second".into()]
            })
        );
        assert_eq!(
            ns.poll_event(),
            None,
            "a second answer to one ack is ignored"
        );
    }

    #[test]
    fn ack_times_out_at_its_deadline_and_a_late_answer_is_ignored() {
        let mut ns = connected("/", NamespaceOptions::default());
        let options = EmitOptions {
            timeout: Some(Duration::from_millis(100)),
            ..ack()
        };
        let id = ns
            .emit("x", vec![], options, t(0))
            .expect("not full")
            .expect("ack id");
        assert_eq!(ns.poll_timeout(), Some(t(100)));
        ns.handle_timeout(t(99));
        assert_eq!(ns.poll_event(), None);
        ns.handle_timeout(t(100));
        assert_eq!(
            ns.poll_event(),
            Some(NamespaceEvent::AckFailed {
                id,
                reason: AckFailure::TimedOut
            })
        );
        recv(&mut ns, &format!("3{id}[1]"), t(150));
        assert_eq!(ns.poll_event(), None);
        assert_eq!(ns.poll_timeout(), None);
    }

    #[test]
    fn retries_resend_until_acked_one_emit_in_flight_at_a_time() {
        let options = NamespaceOptions {
            retries: 2,
            ack_timeout: Some(Duration::from_millis(100)),
            ..NamespaceOptions::default()
        };
        let mut ns = connected("/", options);
        let first = ns
            .emit("a", vec![], ack(), t(0))
            .expect("not full")
            .expect("ack id");
        ns.emit("b", vec![], EmitOptions::default(), t(0))
            .expect("not full");
        assert_eq!(sent(&mut ns), [r#"20["a"]"#], "b waits until a is acked");
        ns.handle_timeout(t(100));
        assert_eq!(
            sent(&mut ns),
            [r#"21["a"]"#],
            "a is re-sent with a new ack id"
        );
        assert_eq!(ns.poll_event(), None, "a retry is not a failure");
        recv(&mut ns, r#"30["late answer to the first try"]"#, t(150));
        assert_eq!(
            sent(&mut ns),
            Vec::<String>::new(),
            "an answer to an abandoned try changes nothing"
        );
        recv(&mut ns, r#"31["ok"]"#, t(160));
        assert_eq!(
            ns.poll_event(),
            Some(NamespaceEvent::Ack {
                id: first,
                args: vec!["ok".into()]
            })
        );
        assert_eq!(
            sent(&mut ns),
            [r#"22["b"]"#],
            "then b goes, with an ack of its own"
        );
    }

    #[test]
    fn retries_give_up_after_retries_plus_one_tries() {
        let options = NamespaceOptions {
            retries: 2,
            ack_timeout: Some(Duration::from_millis(100)),
            ..NamespaceOptions::default()
        };
        let mut ns = connected("/", options);
        let id = ns
            .emit("a", vec![], ack(), t(0))
            .expect("not full")
            .expect("ack id");
        let mut tries = sent(&mut ns).len();
        for step in 1..=3 {
            ns.handle_timeout(t(100 * step));
            tries += sent(&mut ns).len();
        }
        assert_eq!(tries, 3);
        assert_eq!(
            ns.poll_event(),
            Some(NamespaceEvent::AckFailed {
                id,
                reason: AckFailure::TimedOut
            })
        );
    }

    #[test]
    fn a_full_retries_queue_refuses_the_next_emit_until_one_is_acked() {
        let options = NamespaceOptions {
            retries: 1,
            max_buffered_emits: 2,
            ..NamespaceOptions::default()
        };
        let mut ns = connected("/", options);
        for name in ["a", "b", "c"] {
            ns.emit(name, vec![], EmitOptions::default(), t(0))
                .expect("a in flight, b and c waiting");
        }
        assert_eq!(
            ns.emit("d", vec![], ack(), t(0)),
            Err(EmitError::BufferFull { waiting: 2 })
        );
        assert_eq!(ns.poll_event(), None, "a refused emit has no ack to fail");
        recv(&mut ns, r#"30[]"#, t(1));
        ns.emit("d", vec![], EmitOptions::default(), t(1))
            .expect("room again");
        for wire in 1..4 {
            recv(&mut ns, &format!("3{wire}[]"), t(2));
        }
        assert_eq!(
            sent(&mut ns),
            [r#"20["a"]"#, r#"21["b"]"#, r#"22["c"]"#, r#"23["d"]"#]
        );
    }

    #[test]
    fn a_full_buffer_refuses_only_emits_that_would_wait() {
        let options = NamespaceOptions {
            max_buffered_emits: 0,
            ..NamespaceOptions::default()
        };
        let mut ns = Namespace::new("/", options.clone());
        assert_eq!(
            ns.emit("a", vec![], EmitOptions::default(), t(0)),
            Err(EmitError::BufferFull { waiting: 0 })
        );
        let volatile = EmitOptions {
            volatile: true,
            ..EmitOptions::default()
        };
        assert_eq!(ns.emit("b", vec![], volatile, t(0)), Ok(None), "dropped");
        let mut ns = connected("/", options);
        assert_eq!(ns.emit("c", vec![], EmitOptions::default(), t(0)), Ok(None));
        assert_eq!(sent(&mut ns), [r#"2["c"]"#]);
    }

    #[test]
    fn the_try_in_flight_is_resent_after_a_reconnect() {
        let options = NamespaceOptions {
            retries: 1,
            ..NamespaceOptions::default()
        };
        let mut ns = connected("/", options);
        ns.emit("a", vec![], EmitOptions::default(), t(0))
            .expect("not full");
        assert_eq!(sent(&mut ns), [r#"20["a"]"#]);
        ns.handle_session_closed();
        ns.handle_session_open();
        recv(&mut ns, r#"0{"sid":"s2"}"#, t(5));
        assert_eq!(sent(&mut ns), ["0", r#"21["a"]"#]);
    }

    #[test]
    fn disconnect_fails_every_pending_ack_and_sends_disconnect() {
        let mut ns = connected("/admin", NamespaceOptions::default());
        let id = ns
            .emit("x", vec![], ack(), t(0))
            .expect("not full")
            .expect("ack id");
        sent(&mut ns);
        ns.disconnect();
        assert_eq!(sent(&mut ns), ["1/admin,"]);
        assert_eq!(ns.poll_event(), Some(NamespaceEvent::Disconnected));
        assert_eq!(
            ns.poll_event(),
            Some(NamespaceEvent::AckFailed {
                id,
                reason: AckFailure::Disconnected
            })
        );
    }

    #[test]
    fn connect_error_reports_the_server_message() {
        let mut ns = Namespace::new("/", NamespaceOptions::default());
        ns.handle_session_open();
        recv(&mut ns, r#"4{"message":"unauthorized"}"#, t(0));
        assert_eq!(
            ns.poll_event(),
            Some(NamespaceEvent::ConnectError {
                message: "unauthorized".into()
            })
        );
        assert!(!ns.is_connected());
    }

    #[test]
    fn server_events_carry_their_ack_id_and_can_be_answered() {
        let mut ns = connected("/admin", NamespaceOptions::default());
        recv(&mut ns, r#"2/admin,7["ping",{"a":1}]"#, t(0));
        assert_eq!(
            ns.poll_event(),
            Some(NamespaceEvent::Event {
                name: "ping".into(),
                args: vec![v(json!({"a": 1}))],
                ack_id: Some(7)
            })
        );
        ns.ack(7, vec!["pong".into()]);
        assert_eq!(sent(&mut ns), [r#"3/admin,7["pong"]"#]);
    }

    #[test]
    fn a_cancelled_ack_is_not_reported() {
        let mut ns = connected("/", NamespaceOptions::default());
        let id = ns
            .emit("x", vec![], ack(), t(0))
            .expect("not full")
            .expect("ack id");
        ns.cancel_ack(id);
        recv(&mut ns, r#"30[1]"#, t(1));
        assert_eq!(ns.poll_event(), None);
    }

    fn events(ns: &mut Namespace) -> Vec<NamespaceEvent> {
        std::iter::from_fn(|| ns.poll_event()).collect()
    }

    #[test]
    fn a_recovering_server_gets_pid_and_offset_back_and_its_offsets_are_taken_off() {
        let options = NamespaceOptions {
            auth: Some(v(json!({"token": "t"}))),
            ..NamespaceOptions::default()
        };
        let mut ns = Namespace::new("/", options);
        ns.handle_session_open();
        sent(&mut ns);
        recv(&mut ns, r#"0{"sid":"s1","pid":"p1"}"#, t(0));
        assert!(!ns.recovered(), "a first connection recovers nothing");
        recv(&mut ns, r#"2["tick",1,"off-1"]"#, t(1));
        recv(&mut ns, r#"2["tick","a string","off-2"]"#, t(2));
        recv(&mut ns, r#"27["ask","keep me"]"#, t(3));
        let args: Vec<Vec<Value>> = events(&mut ns)
            .into_iter()
            .filter_map(|e| match e {
                NamespaceEvent::Event { args, .. } => Some(args),
                _ => None,
            })
            .collect();
        assert_eq!(
            args,
            [
                vec![v(json!(1))],
                vec![v(json!("a string"))],
                vec![v(json!("keep me"))]
            ],
            "offsets off; an event that asks for an ack has none"
        );

        ns.handle_session_closed();
        ns.handle_session_open();
        assert_eq!(
            sent(&mut ns),
            [r#"0{"offset":"off-2","pid":"p1","token":"t"}"#],
            "the application's auth, plus the session to restore"
        );
        recv(&mut ns, r#"0{"sid":"s1","pid":"p1"}"#, t(4));
        assert!(ns.recovered());

        // The session could not be restored: a new pid, and no old offset.
        ns.handle_session_closed();
        ns.handle_session_open();
        sent(&mut ns);
        recv(&mut ns, r#"0{"sid":"s9","pid":"p9"}"#, t(5));
        assert!(!ns.recovered());
        ns.handle_session_closed();
        ns.handle_session_open();
        assert_eq!(sent(&mut ns), [r#"0{"pid":"p9","token":"t"}"#]);
    }

    #[test]
    fn without_recovery_every_argument_reaches_the_application() {
        let mut ns = connected("/", NamespaceOptions::default());
        recv(&mut ns, r#"2["tick",1,"not an offset"]"#, t(1));
        assert_eq!(
            ns.poll_event(),
            Some(NamespaceEvent::Event {
                name: "tick".into(),
                args: vec![v(json!(1)), v(json!("not an offset"))],
                ack_id: None
            })
        );
        ns.handle_session_closed();
        ns.handle_session_open();
        assert_eq!(sent(&mut ns), ["0"], "no pid: nothing to restore");
        assert!(!ns.recovered());
    }
}
