//! In-browser tests (headless Chromium via wasm-bindgen-test) against the real
//! companion server. `scripts/test` starts the server on a free port and
//! passes its URL in `LSIO_TEST_SERVER` at compile time.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use gloo_timers::future::TimeoutFuture;
use leptos_socketio::{
    AckError, Args, ConnectionState, EmitError, Socket, SocketOptions, TransportKind,
};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[macro_use]
mod browser_support;
use browser_support::{echo, wait_for};

fn server() -> &'static str {
    match option_env!("LSIO_TEST_SERVER") {
        Some(url) => url,
        None => panic!("LSIO_TEST_SERVER is not set: run the browser tests through scripts/test"),
    }
}

fn connect() -> Socket {
    Socket::new(SocketOptions::new(server()).ack_timeout(Duration::from_secs(5)))
}

#[wasm_bindgen_test]
async fn state_goes_from_connecting_to_connected_over_websocket() {
    let socket = connect();
    let seen = Rc::new(RefCell::new(vec![socket.state()]));
    let _watch = {
        let seen = seen.clone();
        socket.on_connection_change(move |state, _| seen.borrow_mut().push(state))
    };
    assert_eq!(socket.transport(), TransportKind::None);
    wait_for("connected", 5_000, || {
        socket.state() == ConnectionState::Connected
    })
    .await;
    assert_eq!(socket.transport(), TransportKind::WebSocket);
    let seen = seen.borrow().clone();
    assert_eq!(seen.first(), Some(&ConnectionState::Connecting));
    assert_eq!(seen.last(), Some(&ConnectionState::Connected));
    assert!(!seen.contains(&ConnectionState::Disconnected), "{seen:?}");
    socket.disconnect();
}

#[wasm_bindgen_test]
async fn echo_acks_text_json_and_several_arguments() {
    let socket = connect();
    // Emitted before the connection exists: buffered, then sent.
    let text = echo(&socket, vec![json!("héllo 👋")]).await;
    assert_eq!(text, Ok(vec![json!("héllo 👋")]));

    let nested = json!({"a": [1, 2, {"b": null}], "c": "d", "e": 1.5, "f": true});
    let reply = echo(&socket, vec![nested.clone()]).await;
    assert_eq!(reply, Ok(vec![nested]));

    let several = vec![json!(1), json!("two"), json!([3])];
    let reply = echo(&socket, several.clone()).await;
    assert_eq!(reply, Ok(several));
    socket.disconnect();
}

#[wasm_bindgen_test]
async fn acks_come_back_to_the_right_emit_when_many_are_in_flight() {
    let socket = connect();
    let acks: Vec<_> = (0..50).map(|i| echo(&socket, vec![json!(i)])).collect();
    for (i, ack) in acks.into_iter().enumerate() {
        assert_eq!(ack.await, Ok(vec![json!(i)]));
    }
    socket.disconnect();
}

#[wasm_bindgen_test]
async fn reserved_event_names_are_refused() {
    let socket = connect();
    assert_eq!(
        socket.emit("disconnect", ()),
        Err(EmitError::ReservedEvent("disconnect".into()))
    );
    socket.disconnect();
}

#[wasm_bindgen_test]
async fn disconnect_fails_pending_acks_and_stops_for_good() {
    let socket = connect();
    wait_for("connected", 5_000, || {
        socket.state() == ConnectionState::Connected
    })
    .await;
    let pending = echo(&socket, vec![json!("never answered")]);
    socket.disconnect();
    assert_eq!(pending.await, Err(AckError::Disconnected));
    assert_eq!(socket.state(), ConnectionState::Disconnected);
    assert_eq!(socket.emit("echo", ()), Err(EmitError::Disconnected));
    TimeoutFuture::new(200).await;
    assert_eq!(socket.state(), ConnectionState::Disconnected);

    socket.connect();
    wait_for("connected again", 5_000, || {
        socket.state() == ConnectionState::Connected
    })
    .await;
    let reply = echo(&socket, vec![json!("again")]).await;
    assert_eq!(reply, Ok(vec![json!("again")]));
    socket.disconnect();
}

#[wasm_bindgen_test]
async fn dropping_a_listener_guard_unregisters_the_handler() {
    let socket = connect();
    let guard = socket.on("message", |_: Result<Args, _>| {});
    let watch = socket.on_connection_change(|_, _| {});
    assert_eq!(socket.listener_count(), 2);
    drop(guard);
    drop(watch);
    assert_eq!(socket.listener_count(), 0);
    socket.disconnect();
}
