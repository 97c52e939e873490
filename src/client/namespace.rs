//! [`Namespace`]: the sans-IO state of one Socket.IO namespace connection —
//! connect handshake, emits buffered while disconnected, ack ids and their
//! deadlines.

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use serde_json::Value;

use crate::protocol::{PacketBody, SocketPacket};
use crate::time::Instant;

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
        /// Its arguments.
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
    /// No acknowledgement came before the emit's deadline.
    AckTimedOut {
        /// The id [`Namespace::emit`] returned.
        id: u64,
    },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Status {
    /// No Engine.IO session, or CONNECT not yet sent.
    Idle,
    /// CONNECT sent, waiting for the answer.
    Connecting,
    Connected,
}

/// A sans-IO Socket.IO namespace connection over an Engine.IO session.
///
/// It produces encoded Socket.IO packets ([`poll_transmit`](Self::poll_transmit))
/// for the session to carry and consumes the text messages the session
/// received ([`handle_message`](Self::handle_message)).
///
/// ```
/// use leptos_socketio::client::{Namespace, NamespaceEvent};
/// use leptos_socketio::time::Instant;
///
/// let now = Instant::from_millis(0);
/// let mut ns = Namespace::new("/", None);
/// let id = ns.emit("echo", vec!["hi".into()], true, None, now);
/// ns.handle_session_open();
/// assert_eq!(ns.poll_transmit().as_deref(), Some("0"));
/// ns.handle_message(r#"0{"sid":"x"}"#).unwrap();
/// assert_eq!(ns.poll_transmit().as_deref(), Some(r#"20["echo","hi"]"#));
/// ns.handle_message(r#"30["hi"]"#).unwrap();
/// assert_eq!(ns.poll_event(), Some(NamespaceEvent::Connected { sid: "x".into() }));
/// assert_eq!(ns.poll_event(), Some(NamespaceEvent::Ack { id: id.unwrap(), args: vec!["hi".into()] }));
/// ```
#[derive(Debug)]
pub struct Namespace {
    name: String,
    auth: Option<Value>,
    status: Status,
    /// Packets emitted while not connected, sent in order once connected.
    buffer: VecDeque<SocketPacket>,
    next_ack_id: u64,
    /// Emits waiting for an ack, with their deadline if they have one.
    pending_acks: BTreeMap<u64, Option<Instant>>,
    transmit: VecDeque<String>,
    events: VecDeque<NamespaceEvent>,
}

impl Namespace {
    /// A namespace (`"/"` for the main one) that sends `auth` with its CONNECT.
    pub fn new(name: impl Into<String>, auth: Option<Value>) -> Self {
        Self {
            name: name.into(),
            auth,
            status: Status::Idle,
            buffer: VecDeque::new(),
            next_ack_id: 0,
            pending_acks: BTreeMap::new(),
            transmit: VecDeque::new(),
            events: VecDeque::new(),
        }
    }

    /// Whether the server has accepted this namespace's CONNECT.
    pub fn is_connected(&self) -> bool {
        self.status == Status::Connected
    }

    /// The Engine.IO session opened: send CONNECT.
    pub fn handle_session_open(&mut self) {
        self.status = Status::Connecting;
        let packet = SocketPacket::connect(self.name.clone(), self.auth.clone());
        self.transmit.push_back(packet.encode());
    }

    /// The Engine.IO session closed. Emits not yet sent stay buffered; acks
    /// keep waiting (until their deadline, if they have one).
    pub fn handle_session_closed(&mut self) {
        let was_connected = self.status == Status::Connected;
        self.status = Status::Idle;
        self.transmit.clear();
        if was_connected {
            self.events.push_back(NamespaceEvent::Disconnected);
        }
    }

    /// Emits `name` with `args`. Returns the ack id when `with_ack` is set.
    ///
    /// While not connected the packet is buffered, unless `volatile` — then it
    /// is dropped, as socket.io-client drops volatile packets.
    pub fn emit(
        &mut self,
        name: &str,
        args: Vec<Value>,
        with_ack: bool,
        ack_timeout: Option<Duration>,
        now: Instant,
    ) -> Option<u64> {
        let ack_id = with_ack.then(|| {
            let id = self.next_ack_id;
            self.next_ack_id = self.next_ack_id.wrapping_add(1);
            self.pending_acks.insert(id, ack_timeout.map(|t| now + t));
            id
        });
        let packet = SocketPacket::event(self.name.clone(), name.to_owned(), args, ack_id);
        if self.is_connected() {
            self.transmit.push_back(packet.encode());
        } else {
            self.buffer.push_back(packet);
        }
        ack_id
    }

    /// Answers the server's event that carried `ack_id`.
    pub fn ack(&mut self, ack_id: u64, args: Vec<Value>) {
        if self.is_connected() {
            let packet = SocketPacket::ack(self.name.clone(), ack_id, args);
            self.transmit.push_back(packet.encode());
        }
    }

    /// Forgets a pending ack (its waiter went away); a late answer is ignored.
    pub fn cancel_ack(&mut self, id: u64) {
        self.pending_acks.remove(&id);
    }

    /// Leaves the namespace: DISCONNECT is sent if connected, the buffer is
    /// dropped, and pending acks are forgotten.
    pub fn disconnect(&mut self) {
        if self.is_connected() {
            let packet = SocketPacket::disconnect(self.name.clone());
            self.transmit.push_back(packet.encode());
            self.events.push_back(NamespaceEvent::Disconnected);
        }
        self.status = Status::Idle;
        self.buffer.clear();
        self.pending_acks.clear();
    }

    /// Handles one text message from the Engine.IO session. A message that is
    /// not valid Socket.IO is returned as an error; the namespace state is
    /// unchanged by it.
    pub fn handle_message(&mut self, text: &str) -> Result<(), crate::protocol::DecodeError> {
        let packet = SocketPacket::decode(text)?;
        if packet.namespace != self.name {
            return Ok(());
        }
        match packet.body {
            PacketBody::Connect(data) => {
                let sid = data
                    .as_ref()
                    .and_then(|d| d.get("sid"))
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned();
                self.status = Status::Connected;
                self.events.push_back(NamespaceEvent::Connected { sid });
                while let Some(packet) = self.buffer.pop_front() {
                    self.transmit.push_back(packet.encode());
                }
            }
            PacketBody::ConnectError(data) => {
                self.status = Status::Idle;
                let message = data
                    .get("message")
                    .and_then(Value::as_str)
                    .map(str::to_owned)
                    .or_else(|| data.as_str().map(str::to_owned))
                    .unwrap_or_else(|| data.to_string());
                self.events
                    .push_back(NamespaceEvent::ConnectError { message });
            }
            PacketBody::Disconnect => {
                self.status = Status::Idle;
                self.events.push_back(NamespaceEvent::Disconnected);
            }
            PacketBody::Event { name, args, ack_id }
            | PacketBody::BinaryEvent {
                name, args, ack_id, ..
            } => self
                .events
                .push_back(NamespaceEvent::Event { name, args, ack_id }),
            PacketBody::Ack { args, ack_id } | PacketBody::BinaryAck { args, ack_id, .. } => {
                if self.pending_acks.remove(&ack_id).is_some() {
                    self.events
                        .push_back(NamespaceEvent::Ack { id: ack_id, args });
                }
            }
        }
        Ok(())
    }

    /// Fails every ack whose deadline is at or before `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        let expired: Vec<u64> = self
            .pending_acks
            .iter()
            .filter(|(_, deadline)| deadline.is_some_and(|d| d <= now))
            .map(|(id, _)| *id)
            .collect();
        for id in expired {
            self.pending_acks.remove(&id);
            self.events.push_back(NamespaceEvent::AckTimedOut { id });
        }
    }

    /// The next encoded packet for the Engine.IO session.
    pub fn poll_transmit(&mut self) -> Option<String> {
        self.transmit.pop_front()
    }

    /// The next event for the application.
    pub fn poll_event(&mut self) -> Option<NamespaceEvent> {
        self.events.pop_front()
    }

    /// The earliest ack deadline.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.pending_acks.values().flatten().min().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn t(ms: u64) -> Instant {
        Instant::from_millis(ms)
    }

    fn connected(name: &str) -> Namespace {
        let mut ns = Namespace::new(name, None);
        ns.handle_session_open();
        ns.poll_transmit();
        ns.handle_message(&format!("0{}{{\"sid\":\"s1\"}}", prefix(name)))
            .expect("valid connect");
        ns.poll_event();
        ns
    }

    fn prefix(name: &str) -> String {
        if name == "/" {
            String::new()
        } else {
            format!("{name},")
        }
    }

    #[test]
    fn connect_carries_the_auth_object() {
        let mut ns = Namespace::new("/", Some(json!({"token": "t"})));
        ns.handle_session_open();
        assert_eq!(ns.poll_transmit().as_deref(), Some(r#"0{"token":"t"}"#));
    }

    #[test]
    fn emits_made_while_disconnected_flush_in_order_after_connect() {
        let mut ns = Namespace::new("/", None);
        ns.emit("a", vec![json!(1)], false, None, t(0));
        ns.emit("b", vec![json!(2)], false, None, t(0));
        ns.handle_session_open();
        assert_eq!(ns.poll_transmit().as_deref(), Some("0"));
        assert_eq!(
            ns.poll_transmit(),
            None,
            "nothing before the CONNECT answer"
        );
        ns.handle_message(r#"0{"sid":"s"}"#).expect("valid");
        assert_eq!(ns.poll_transmit().as_deref(), Some(r#"2["a",1]"#));
        assert_eq!(ns.poll_transmit().as_deref(), Some(r#"2["b",2]"#));
    }

    #[test]
    fn ack_ids_increase_and_route_answers_to_their_emit() {
        let mut ns = connected("/");
        let a = ns.emit("x", vec![], true, None, t(0));
        let b = ns.emit("y", vec![], true, None, t(0));
        assert_eq!((a, b), (Some(0), Some(1)));
        assert_eq!(ns.poll_transmit().as_deref(), Some(r#"20["x"]"#));
        assert_eq!(ns.poll_transmit().as_deref(), Some(r#"21["y"]"#));
        ns.handle_message(r#"31["second"]"#).expect("valid");
        ns.handle_message(r#"31["again"]"#).expect("valid");
        assert_eq!(
            ns.poll_event(),
            Some(NamespaceEvent::Ack {
                id: 1,
                args: vec![json!("second")]
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
        let mut ns = connected("/");
        let id = ns
            .emit("x", vec![], true, Some(Duration::from_millis(100)), t(0))
            .expect("ack id");
        assert_eq!(ns.poll_timeout(), Some(t(100)));
        ns.handle_timeout(t(99));
        assert_eq!(ns.poll_event(), None);
        ns.handle_timeout(t(100));
        assert_eq!(ns.poll_event(), Some(NamespaceEvent::AckTimedOut { id }));
        ns.handle_message(&format!("3{id}[1]")).expect("valid");
        assert_eq!(ns.poll_event(), None);
    }

    #[test]
    fn packets_of_other_namespaces_are_ignored() {
        let mut ns = connected("/");
        ns.handle_message(r#"2/admin,["x"]"#).expect("valid");
        assert_eq!(ns.poll_event(), None);
    }

    #[test]
    fn connect_error_reports_the_server_message() {
        let mut ns = Namespace::new("/", None);
        ns.handle_session_open();
        ns.handle_message(r#"4{"message":"unauthorized"}"#)
            .expect("valid");
        assert_eq!(
            ns.poll_event(),
            Some(NamespaceEvent::ConnectError {
                message: "unauthorized".into()
            })
        );
        assert!(!ns.is_connected());
    }

    #[test]
    fn invalid_messages_are_errors_and_change_nothing() {
        let mut ns = connected("/");
        assert!(ns.handle_message("9").is_err());
        assert!(ns.handle_message("2[1]").is_err());
        assert!(ns.is_connected());
        assert_eq!(ns.poll_event(), None);
    }

    #[test]
    fn server_events_carry_their_ack_id_and_can_be_answered() {
        let mut ns = connected("/admin");
        ns.handle_message(r#"2/admin,7["ping",{"a":1}]"#)
            .expect("valid");
        assert_eq!(
            ns.poll_event(),
            Some(NamespaceEvent::Event {
                name: "ping".into(),
                args: vec![json!({"a": 1})],
                ack_id: Some(7)
            })
        );
        ns.ack(7, vec![json!("pong")]);
        assert_eq!(ns.poll_transmit().as_deref(), Some(r#"3/admin,7["pong"]"#));
    }

    #[test]
    fn losing_the_session_reports_disconnected_and_keeps_buffering() {
        let mut ns = connected("/");
        ns.handle_session_closed();
        assert_eq!(ns.poll_event(), Some(NamespaceEvent::Disconnected));
        ns.emit("later", vec![], false, None, t(0));
        assert_eq!(ns.poll_transmit(), None);
        ns.handle_session_open();
        ns.poll_transmit();
        ns.handle_message(r#"0{"sid":"s2"}"#).expect("valid");
        assert_eq!(ns.poll_transmit().as_deref(), Some(r#"2["later"]"#));
    }
}
