//! The sans-IO pieces — Engine.IO [`Session`], Socket.IO [`Connection`] and
//! [`Reconnect`] — composed as the browser driver composes them, against a
//! scripted server, on a virtual clock: a frozen server is detected at exactly
//! `pingInterval + pingTimeout`, the client reconnects after its backoff
//! delay, and emits made meanwhile reach the new connection in order.
#![cfg(not(target_arch = "wasm32"))]

use std::time::Duration;

use leptos_socketio::client::{
    AckFailure, Connection, EmitOptions, NamespaceEvent, NamespaceOptions, Outgoing, Reconnect,
    ReconnectEvent, ReconnectOptions,
};
use leptos_socketio::engine::{CloseReason, Session, SessionEvent};
use leptos_socketio::protocol::{EnginePacket, Value};
use leptos_socketio::time::Instant;

fn t(ms: u64) -> Instant {
    Instant::from_millis(ms)
}

const OPEN: &str =
    r#"0{"sid":"s","upgrades":[],"pingInterval":300,"pingTimeout":200,"maxPayload":1000000}"#;

/// A client as the driver runs it; `wire` is what reached the server.
struct Client {
    session: Option<Session>,
    connection: Connection,
    reconnect: Reconnect,
    wire: Vec<String>,
    events: Vec<NamespaceEvent>,
    closed: Vec<CloseReason>,
}

impl Client {
    fn new() -> Self {
        let mut connection = Connection::default();
        connection.open_namespace(
            "/",
            NamespaceOptions {
                ack_timeout: Some(Duration::from_millis(1_000)),
                ..NamespaceOptions::default()
            },
        );
        let options = ReconnectOptions::default().randomization_factor(0.0);
        Self {
            session: None,
            connection,
            reconnect: Reconnect::new(options),
            wire: Vec::new(),
            events: Vec::new(),
            closed: Vec::new(),
        }
    }

    /// A transport opened and the server sent its handshake and accepted
    /// the namespace.
    fn server_accepts(&mut self, now: Instant) {
        let mut session = Session::new(now, Duration::from_secs(20));
        session.handle_packet(EnginePacket::decode_text(OPEN).expect("valid open"), now);
        self.session = Some(session);
        self.step(now);
        self.server_says("40{\"sid\":\"ns\"}", now);
    }

    fn server_says(&mut self, text: &str, now: Instant) {
        let packet = EnginePacket::decode_text(text).expect("valid packet");
        if let Some(session) = self.session.as_mut() {
            session.handle_packet(packet, now);
        }
        self.step(now);
    }

    fn emit(&mut self, name: &str, ack: bool, now: Instant) -> Option<u64> {
        let options = EmitOptions {
            ack,
            ..EmitOptions::default()
        };
        let id = self.connection.namespace_mut("/").and_then(|ns| {
            ns.emit(name, vec![Value::from(name)], options, now)
                .expect("the buffer has room")
        });
        self.step(now);
        id
    }

    /// What the driver does after every input.
    fn step(&mut self, now: Instant) {
        if let Some(session) = self.session.as_mut() {
            session.handle_timeout(now);
        }
        self.connection.handle_timeout(now);
        self.reconnect.handle_timeout(now);
        while let Some(event) = self.reconnect.poll_event() {
            if let ReconnectEvent::Attempt { .. } = event {
                self.server_accepts(now);
            }
        }
        while let Some(event) = self.session.as_mut().and_then(Session::poll_event) {
            match event {
                SessionEvent::Opened(_) => self.connection.handle_session_open(),
                SessionEvent::Message(text) => {
                    self.connection.handle_text(&text, now).expect("valid");
                }
                SessionEvent::Binary(bytes) => {
                    self.connection.handle_binary(bytes, now).expect("valid");
                }
                SessionEvent::Closed(reason) => {
                    self.connection.handle_session_closed();
                    self.session = None;
                    self.closed.push(reason);
                    self.reconnect.handle_connection_lost(now);
                }
            }
        }
        if let Some(session) = self.session.as_mut() {
            while let Some(out) = self.connection.poll_transmit() {
                match out {
                    Outgoing::Text(text) => session.send_message(text),
                    Outgoing::Binary(bytes) => session.send_binary(bytes),
                };
            }
            while let Some(packet) = session.poll_transmit() {
                self.wire.push(packet.encode_text());
            }
        }
        while let Some((_, event)) = self.connection.poll_event() {
            if let NamespaceEvent::Connected { .. } = event {
                self.reconnect.handle_connected();
            }
            self.events.push(event);
        }
    }

    /// The next time anything is due.
    fn next_deadline(&self) -> Option<Instant> {
        [
            self.session.as_ref().and_then(Session::poll_timeout),
            self.connection.poll_timeout(),
            self.reconnect.poll_timeout(),
        ]
        .into_iter()
        .flatten()
        .min()
    }
}

#[test]
fn frozen_server_is_detected_at_ping_interval_plus_timeout_then_the_client_reconnects_and_flushes_in_order(
) {
    let mut client = Client::new();
    client.server_accepts(t(0));
    assert_eq!(client.wire, ["40"]);
    let lost = client.emit("a", true, t(10)).expect("ack id");
    assert_eq!(
        client.wire.last().map(String::as_str),
        Some(r#"420["a","a"]"#)
    );

    // The server answers one ping, then freezes.
    client.server_says("2", t(300));
    assert_eq!(client.wire.last().map(String::as_str), Some("3"));
    assert_eq!(
        client.next_deadline(),
        Some(t(800)),
        "300 + pingInterval 300 + pingTimeout 200"
    );
    client.step(t(799));
    assert!(client.closed.is_empty(), "one millisecond early");
    client.step(t(800));
    assert_eq!(client.closed, [CloseReason::PingTimeout]);

    // Emits while disconnected are buffered, not lost.
    client.emit("b", false, t(850));
    client.emit("c", false, t(860));
    assert!(!client.wire.iter().any(|w| w.contains("\"b\"")));

    // The unanswered ack fails at its own deadline.
    client.step(t(1_010));
    assert!(client.events.contains(&NamespaceEvent::AckFailed {
        id: lost,
        reason: AckFailure::TimedOut
    }));

    // First attempt after the first backoff delay (1000 ms, no jitter).
    assert_eq!(client.reconnect.next_attempt_at(), Some(t(1_800)));
    client.step(t(1_799));
    assert_eq!(client.wire.iter().filter(|w| *w == "40").count(), 1);
    client.step(t(1_800));
    let after: Vec<&str> = client
        .wire
        .iter()
        .map(String::as_str)
        .skip_while(|w| *w != "3")
        .skip(1)
        .collect();
    assert_eq!(after, ["40", r#"42["b","b"]"#, r#"42["c","c"]"#]);
    assert!(!client.reconnect.is_reconnecting());
}

#[test]
fn manual_stop_during_backoff_means_no_further_attempt() {
    let mut client = Client::new();
    client.server_accepts(t(0));
    client.step(t(500));
    assert_eq!(client.closed, [CloseReason::PingTimeout]);
    client.reconnect.stop();
    for ms in (600..60_000).step_by(100) {
        client.step(t(ms));
    }
    assert_eq!(client.wire.iter().filter(|w| *w == "40").count(), 1);
    assert_eq!(client.next_deadline(), None);
}
