//! [`EngineSocket`] on a virtual clock: WebSocket first, bounded fallback to
//! polling, the polling request discipline, and the polling → WebSocket
//! upgrade, with the driver's side played by the test.
#![cfg(not(target_arch = "wasm32"))]

use leptos_socketio::client::TransportKind;
use leptos_socketio::engine::{
    CloseReason, EngineAction, EngineEvent, EngineOptions, EngineSocket, TransportChoice,
    TransportError, TransportMode, DEFAULT_WEBSOCKET_DEADLINE,
};
use leptos_socketio::protocol::Frame;
use leptos_socketio::time::Instant;

use EngineAction::{Close, OpenWebSocket, Poll, Post, PostLast, Remember, Send};

fn t(ms: u64) -> Instant {
    Instant::from_millis(ms)
}

const OPEN_NO_UPGRADE: &str =
    r#"0{"sid":"S","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#;
const OPEN_UPGRADE: &str = r#"0{"sid":"S","upgrades":["websocket"],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#;

fn engine(mode: TransportMode) -> EngineSocket {
    let choice = TransportChoice::new(mode, None, DEFAULT_WEBSOCKET_DEADLINE);
    EngineSocket::new(choice, EngineOptions::default())
}

fn actions(e: &mut EngineSocket) -> Vec<EngineAction> {
    std::iter::from_fn(|| e.poll_action()).collect()
}

fn events(e: &mut EngineSocket) -> Vec<EngineEvent> {
    std::iter::from_fn(|| e.poll_event()).collect()
}

fn ws_refused() -> TransportError {
    TransportError::WebSocketClosed {
        code: 1006,
        reason: String::new(),
    }
}

fn session_unknown() -> TransportError {
    TransportError::Http {
        status: 400,
        message: "Session ID unknown".into(),
    }
}

fn sid() -> Option<String> {
    Some("S".to_owned())
}

fn text(s: &str) -> Frame {
    Frame::Text(s.to_owned())
}

fn send(id: u32, s: &str) -> EngineAction {
    Send { id, frame: text(s) }
}

fn post(id: u32, body: &str) -> EngineAction {
    Post {
        id,
        sid: "S".to_owned(),
        body: body.to_owned(),
    }
}

fn post_last(id: u32, body: &str) -> EngineAction {
    PostLast {
        id,
        sid: "S".to_owned(),
        body: body.to_owned(),
    }
}

/// An engine connected over polling (transport 1) in `mode`; in `Auto`, as
/// when polling is the remembered transport.
fn on_polling(mode: TransportMode, open: &str) -> EngineSocket {
    let choice = TransportChoice::new(
        mode,
        Some(TransportKind::Polling),
        DEFAULT_WEBSOCKET_DEADLINE,
    );
    let mut e = EngineSocket::new(choice, EngineOptions::default());
    e.connect(t(0));
    assert_eq!(actions(&mut e), [Poll { id: 1, sid: None }]);
    e.handle_poll_response(1, open, t(10));
    e
}

#[test]
fn websocket_first_connects_over_websocket_and_remembers_it() {
    let mut e = engine(TransportMode::Auto);
    e.connect(t(0));
    assert_eq!(actions(&mut e), [OpenWebSocket { id: 1, sid: None }]);
    e.handle_websocket_open(1, t(5));
    e.handle_frame(1, text(OPEN_NO_UPGRADE), t(6));
    assert_eq!(e.transport(), TransportKind::WebSocket);
    assert_eq!(actions(&mut e), [Remember(TransportKind::WebSocket)]);
    assert!(matches!(
        events(&mut e)[..],
        [EngineEvent::Opened {
            transport: TransportKind::WebSocket,
            ..
        }]
    ));
    e.send_message("2[\"x\"]".into(), t(7));
    assert_eq!(actions(&mut e), [send(1, "42[\"x\"]")]);
}

#[test]
fn websocket_refused_falls_back_to_polling_at_once() {
    let mut e = engine(TransportMode::Auto);
    e.connect(t(0));
    actions(&mut e);
    e.handle_transport_error(1, ws_refused(), t(30));
    assert_eq!(
        actions(&mut e),
        [Close { id: 1 }, Poll { id: 2, sid: None }]
    );
    e.handle_poll_response(2, OPEN_NO_UPGRADE, t(40));
    assert_eq!(e.transport(), TransportKind::Polling);
    assert_eq!(
        actions(&mut e),
        [Remember(TransportKind::Polling), Poll { id: 2, sid: sid() }]
    );
}

#[test]
fn websocket_that_hangs_falls_back_exactly_at_the_deadline() {
    let mut e = engine(TransportMode::Auto);
    e.connect(t(1_000));
    actions(&mut e);
    assert_eq!(
        e.poll_timeout(),
        Some(t(3_500)),
        "2500 ms after the attempt started"
    );
    e.handle_timeout(t(3_499));
    assert_eq!(actions(&mut e), []);
    e.handle_timeout(t(3_500));
    assert_eq!(
        actions(&mut e),
        [Close { id: 1 }, Poll { id: 2, sid: None }]
    );
    // A late open of the abandoned WebSocket changes nothing.
    e.handle_websocket_open(1, t(3_600));
    e.handle_frame(1, text(OPEN_NO_UPGRADE), t(3_600));
    assert_eq!(e.transport(), TransportKind::None);
}

#[test]
fn websocket_only_mode_fails_instead_of_falling_back() {
    let mut e = engine(TransportMode::WebSocketOnly);
    e.connect(t(0));
    actions(&mut e);
    assert_eq!(
        e.poll_timeout(),
        Some(t(20_000)),
        "only the handshake timeout"
    );
    e.handle_transport_error(1, ws_refused(), t(5));
    assert!(matches!(
        events(&mut e)[..],
        [EngineEvent::Closed(CloseReason::TransportClosed(_))]
    ));
    assert_eq!(actions(&mut e), [Close { id: 1 }]);
}

#[test]
fn polling_holds_one_get_and_batches_sends_one_post_at_a_time() {
    let mut e = on_polling(TransportMode::PollingOnly, OPEN_NO_UPGRADE);
    assert_eq!(
        actions(&mut e),
        [Poll { id: 1, sid: sid() }],
        "no Remember outside Auto"
    );
    e.send_message("a".into(), t(20));
    e.send_message("b".into(), t(21));
    e.send_message("c".into(), t(22));
    assert_eq!(actions(&mut e), [post(1, "4a")], "one POST in flight");
    e.handle_post_done(1, t(30));
    assert_eq!(actions(&mut e), [post(1, "4b\x1e4c")]);
    e.handle_poll_response(1, "4hello\x1e2", t(40));
    assert_eq!(events(&mut e)[1..], [EngineEvent::Message("hello".into())]);
    assert_eq!(
        actions(&mut e),
        [Poll { id: 1, sid: sid() }],
        "the next GET, and the pong waits for the POST"
    );
    e.handle_post_done(1, t(41));
    assert_eq!(actions(&mut e), [post(1, "3")]);
}

#[test]
fn polling_upgrades_to_websocket_without_losing_or_duplicating_a_packet() {
    let mut e = on_polling(TransportMode::PollingThenUpgrade, OPEN_UPGRADE);
    assert_eq!(
        actions(&mut e),
        [
            OpenWebSocket { id: 2, sid: sid() },
            Poll { id: 1, sid: sid() }
        ]
    );
    e.send_message("m1".into(), t(11));
    assert_eq!(actions(&mut e), [post(1, "4m1")]);
    e.handle_websocket_open(2, t(12));
    assert_eq!(actions(&mut e), [send(2, "2probe")]);
    e.handle_frame(2, text("3probe"), t(13));
    e.send_message("m2".into(), t(14));
    assert_eq!(
        actions(&mut e),
        [],
        "paused: neither a GET nor a POST starts"
    );
    e.handle_post_done(1, t(15));
    assert_eq!(actions(&mut e), [], "the GET is still in flight");
    e.handle_poll_response(1, "4last by polling\x1e6", t(16));
    assert_eq!(
        actions(&mut e),
        [send(2, "5"), Close { id: 1 }, send(2, "4m2")],
        "upgrade, drop polling, then the queued packet over WebSocket"
    );
    assert_eq!(e.transport(), TransportKind::WebSocket);
    let seen = events(&mut e);
    assert!(seen.contains(&EngineEvent::Message("last by polling".into())));
    assert_eq!(seen.last(), Some(&EngineEvent::Upgraded));
    e.send_message("m3".into(), t(17));
    e.handle_frame(2, text("4after"), t(18));
    assert_eq!(actions(&mut e), [send(2, "4m3")]);
    assert_eq!(events(&mut e), [EngineEvent::Message("after".into())]);
}

#[test]
fn upgrade_probe_without_answer_keeps_polling_and_probes_again_later() {
    let mut e = on_polling(TransportMode::Auto, OPEN_UPGRADE);
    actions(&mut e);
    e.handle_websocket_open(2, t(100));
    assert_eq!(actions(&mut e), [send(2, "2probe")]);
    assert_eq!(e.poll_timeout(), Some(t(5_100)), "probe timeout");
    e.handle_timeout(t(5_100));
    assert_eq!(actions(&mut e), [Close { id: 2 }]);
    assert_eq!(e.transport(), TransportKind::Polling);
    e.send_message("still works".into(), t(5_200));
    assert_eq!(actions(&mut e), [post(1, "4still works")]);
    assert_eq!(
        e.poll_timeout(),
        Some(t(15_100)),
        "next probe after upgrade_retry"
    );
    e.handle_timeout(t(15_100));
    assert_eq!(actions(&mut e), [OpenWebSocket { id: 3, sid: sid() }]);
}

#[test]
fn refused_probe_websocket_keeps_polling() {
    let mut e = on_polling(TransportMode::Auto, OPEN_UPGRADE);
    actions(&mut e);
    e.handle_transport_error(2, ws_refused(), t(50));
    assert_eq!(actions(&mut e), [Close { id: 2 }]);
    assert_eq!(e.transport(), TransportKind::Polling);
    assert!(!events(&mut e)
        .iter()
        .any(|ev| matches!(ev, EngineEvent::Closed(_))));
}

#[test]
fn losing_the_polling_transport_closes_everything_once() {
    let mut e = on_polling(TransportMode::Auto, OPEN_UPGRADE);
    actions(&mut e);
    e.handle_transport_error(1, session_unknown(), t(60));
    assert_eq!(actions(&mut e), [Close { id: 2 }, Close { id: 1 }]);
    let closed: Vec<_> = events(&mut e)
        .into_iter()
        .filter(|ev| matches!(ev, EngineEvent::Closed(_)))
        .collect();
    assert_eq!(
        closed,
        [EngineEvent::Closed(CloseReason::TransportClosed(
            session_unknown()
        ))]
    );
}

#[test]
fn a_failed_post_ends_the_session_and_its_packets_are_not_sent_again() {
    let mut e = on_polling(TransportMode::PollingOnly, OPEN_NO_UPGRADE);
    actions(&mut e);
    events(&mut e);
    e.send_message("a".into(), t(20));
    e.send_message("b".into(), t(21));
    assert_eq!(actions(&mut e), [post(1, "4a")], "b waits behind the POST");
    let refused = TransportError::Network("network error, refused, or aborted".into());
    e.handle_transport_error(1, refused.clone(), t(30));
    assert_eq!(
        actions(&mut e),
        [Close { id: 1 }],
        "the session is over: b is not posted to it, and a is not retried"
    );
    assert_eq!(
        events(&mut e),
        [EngineEvent::Closed(CloseReason::TransportClosed(refused))]
    );
    assert!(!e.is_open());
    // The failed transport's late reports change nothing.
    e.handle_post_done(1, t(31));
    e.handle_poll_response(1, "4late", t(31));
    assert_eq!((actions(&mut e), events(&mut e)), (vec![], vec![]));
    // A new session starts with nothing to send: the engine replays
    // nothing; what is sent again is the Socket.IO client's decision.
    e.connect(t(40));
    assert_eq!(actions(&mut e), [Poll { id: 2, sid: None }]);
    e.handle_poll_response(2, OPEN_NO_UPGRADE, t(50));
    assert_eq!(actions(&mut e), [Poll { id: 2, sid: sid() }], "no POST");
}

#[test]
fn a_garbled_frame_closes_the_session_with_a_protocol_error() {
    let mut e = engine(TransportMode::Auto);
    e.connect(t(0));
    e.handle_websocket_open(1, t(1));
    e.handle_frame(1, text(OPEN_NO_UPGRADE), t(2));
    events(&mut e);
    e.handle_frame(1, text("9?"), t(3));
    assert!(matches!(
        events(&mut e)[..],
        [EngineEvent::Closed(CloseReason::ProtocolError(_))]
    ));
}

#[test]
fn client_close_over_polling_does_not_wait_for_the_post_in_flight() {
    let mut e = on_polling(TransportMode::PollingOnly, OPEN_NO_UPGRADE);
    actions(&mut e);
    e.send_message("last words".into(), t(20));
    assert_eq!(actions(&mut e), [post(1, "4last words")]);
    e.close(t(21));
    assert_eq!(
        actions(&mut e),
        [post_last(1, "1"), Close { id: 1 }],
        "the server learns at once that the client left (a page closing \
         cannot wait for the POST in flight)"
    );
}

#[test]
fn client_close_sends_close_then_closes_the_transport() {
    let mut e = on_polling(TransportMode::PollingOnly, OPEN_NO_UPGRADE);
    actions(&mut e);
    e.close(t(20));
    assert_eq!(actions(&mut e), [post_last(1, "1"), Close { id: 1 }]);
    assert_eq!(e.poll_timeout(), None);
    e.connect(t(30));
    assert_eq!(
        actions(&mut e),
        [Poll { id: 2, sid: None }],
        "connect() starts over"
    );
}
