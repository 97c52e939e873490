//! Interop with the official Node `socket.io` 4.8 server, in headless
//! Chromium: WebSocket, polling and upgrade; binary both ways; acks both ways
//! (the server acks our emits, we answer its `emitWithAck`); a second
//! namespace multiplexed on the same connection; CONNECT auth; query
//! parameters and extra headers in the handshake; options that cannot work reported without
//! an attempt; and a middleware's CONNECT_ERROR surfaced to the application.
//!
//! The Node server runs under the conductor (`tests/support/conductor.mjs`),
//! whose URL arrives in `LSIO_TEST_CONDUCTOR` at compile time.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use gloo_timers::future::TimeoutFuture;
use leptos_socketio::engine::TransportMode;
use leptos_socketio::protocol::Value;
use leptos_socketio::{Args, ConnectionState, Manager, Socket, SocketOptions, TransportKind};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[macro_use]
mod browser_support;
use browser_support::{call, echo, wait_for};

/// The Node peer behind a counting proxy: `(id, proxied url)`.
async fn node_server() -> (String, String) {
    let body = serde_json::json!({"kind": "node", "args": [], "proxy": true});
    let s = call("POST", "/servers", Some(body)).await;
    (
        s["id"].as_str().expect("an id").to_owned(),
        s["proxyUrl"].as_str().expect("a proxy").to_owned(),
    )
}

async fn stop(id: &str) {
    call("DELETE", &format!("/servers/{id}"), None).await;
}

fn options(url: &str, mode: TransportMode) -> SocketOptions {
    SocketOptions::new(url)
        .transports(mode)
        .remember_transport(false)
        .ack_timeout(Duration::from_secs(10))
}

async fn echo_text_and_binary(socket: &Socket) {
    let args = vec![
        json!("héllo"),
        json!({"nested": {"list": [1, 2.5, null]}}),
        Value::Binary(vec![0, 1, 254, 255]),
        json!({"file": "a.bin"}),
    ];
    assert_eq!(echo(socket, args.clone()).await, Ok(args));
    let nested = vec![Value::from(vec![
        Value::from("x"),
        Value::Binary(vec![9; 1000]),
    ])];
    assert_eq!(echo(socket, nested.clone()).await, Ok(nested));
}

#[wasm_bindgen_test]
async fn node_server_over_websocket_polling_and_upgrade() {
    let (id, url) = node_server().await;
    for (mode, expected) in [
        (TransportMode::WebSocketOnly, TransportKind::WebSocket),
        (TransportMode::PollingOnly, TransportKind::Polling),
    ] {
        let socket = Socket::new(options(&url, mode));
        wait_for("connected", 5_000, || {
            socket.state() == ConnectionState::Connected
        })
        .await;
        assert_eq!(socket.transport(), expected);
        echo_text_and_binary(&socket).await;
        socket.disconnect();
    }
    let socket = Socket::new(options(&url, TransportMode::PollingThenUpgrade));
    wait_for("the upgrade", 8_000, || {
        socket.transport() == TransportKind::WebSocket
    })
    .await;
    echo_text_and_binary(&socket).await;
    socket.disconnect();
    stop(&id).await;
}

#[wasm_bindgen_test]
async fn query_parameters_reach_the_node_servers_handshake_over_both_transports() {
    let (id, url) = node_server().await;
    for mode in [TransportMode::WebSocketOnly, TransportMode::PollingOnly] {
        let socket = Socket::new(
            options(&format!("{url}?from=url"), mode)
                .query("room", "café & co")
                .query("odd", "a=b?c#d/e+f"),
        );
        let query = socket
            .emit_with_ack::<serde_json::Value>("query", ())
            .await
            .expect("the server acks its handshake query");
        assert_eq!(query["from"], "url", "{mode:?}: {query}");
        assert_eq!(query["room"], "café & co", "{mode:?}: {query}");
        assert_eq!(query["odd"], "a=b?c#d/e+f", "{mode:?}: {query}");
        assert_eq!(query["EIO"], "4", "{mode:?}: {query}");
        socket.disconnect();
    }
    stop(&id).await;
}

#[wasm_bindgen_test]
async fn extra_headers_reach_the_node_server_over_polling() {
    let (id, url) = node_server().await;
    let socket = Socket::new(
        options(&url, TransportMode::PollingOnly).extra_header("X-Lsio-Test", "from the options"),
    );
    let headers = socket
        .emit_with_ack::<serde_json::Value>("headers", ())
        .await
        .expect("the server acks its handshake headers");
    assert_eq!(headers["x-lsio-test"], "from the options", "{headers}");
    socket.disconnect();
    stop(&id).await;
}

#[wasm_bindgen_test]
async fn options_that_cannot_work_are_reported_at_once_and_never_tried() {
    let (id, url) = node_server().await;
    for (options, reason) in [
        (
            SocketOptions::new("127.0.0.1:3000"),
            "must start with http://",
        ),
        (
            options(&url, TransportMode::Auto).query("transport", "polling"),
            "\"transport\" is reserved by Engine.IO",
        ),
    ] {
        let socket = Socket::new(options);
        assert_eq!(socket.state(), ConnectionState::Disconnected);
        let error = socket.last_error().unwrap_or_default();
        assert!(
            error.starts_with("cannot connect: ") && error.contains(reason),
            "{error}"
        );
        let reply = socket
            .timeout(Duration::from_millis(500))
            .emit_with_ack::<Args>("echo", "x")
            .await;
        assert!(reply.is_err(), "nothing answers: {reply:?}");
    }
    TimeoutFuture::new(1_500).await;
    let stats = call("GET", &format!("/servers/{id}/stats"), None).await;
    assert_eq!(
        stats["handshakes"], 0,
        "no attempt reached the server: {stats}"
    );
    stop(&id).await;
}

#[wasm_bindgen_test]
async fn we_answer_the_node_servers_emit_with_ack_and_receive_its_binary_events() {
    let (id, url) = node_server().await;
    let socket = Socket::new(
        options(&url, TransportMode::Auto).auth(serde_json::json!({"greet": true}).into()),
    );
    let greetings = Rc::new(RefCell::new(Vec::new()));
    let _greeting = {
        let greetings = greetings.clone();
        socket.on("greeting", move |args: Result<Args, _>| {
            greetings
                .borrow_mut()
                .extend(args.expect("any arguments decode").0);
        })
    };
    let _answer = socket.on_with_ack("question", |args: Result<Args, _>, ack| {
        let mut reply = vec![json!("answer to")];
        reply.extend(args.expect("any arguments decode").0);
        ack.send(Args(reply)).expect("values serialize");
    });
    let reply = socket.emit_with_ack::<Args>("ask", "life").await;
    assert_eq!(reply, Ok(Args(vec![json!({"answer": "answer to"})])));
    wait_for("the greeting", 5_000, || !greetings.borrow().is_empty()).await;
    let greeting = greetings.borrow()[0].clone();
    assert_eq!(greeting.get("hello"), Some(&json!("world")));
    assert_eq!(greeting.get("bin"), Some(&Value::Binary(vec![1, 2, 3])));
    socket.disconnect();
    stop(&id).await;
}

#[wasm_bindgen_test]
async fn a_second_namespace_shares_the_connection_and_auth_reaches_the_server() {
    let (id, url) = node_server().await;
    let manager = Manager::new(
        options(&url, TransportMode::WebSocketOnly)
            .auth(serde_json::json!({"token": "secret"}).into()),
    );
    let main = manager.socket("/");
    let admin = manager.socket("/admin");
    let private = manager.socket("/private");
    let whoami = admin
        .emit_with_ack::<Args>("whoami", ())
        .await
        .expect("admin answers");
    assert_eq!(whoami[0].get("nsp"), Some(&json!("/admin")));
    let whoami = private
        .emit_with_ack::<Args>("whoami", ())
        .await
        .expect("token accepted");
    assert_eq!(whoami[0].get("nsp"), Some(&json!("/private")));
    let auth = main
        .emit_with_ack::<Args>("auth", ())
        .await
        .expect("main answers");
    assert_eq!(auth, Args(vec![json!({"token": "secret"})]));
    let stats = call("GET", &format!("/servers/{id}/stats"), None).await;
    assert_eq!(
        stats["handshakes"], 1,
        "three namespaces, one Engine.IO connection: {stats}"
    );
    admin.disconnect();
    assert_eq!(
        main.state(),
        ConnectionState::Connected,
        "leaving one namespace keeps the others"
    );
    manager.close();
    stop(&id).await;
}

#[wasm_bindgen_test]
async fn a_middleware_refusal_is_reported_and_not_retried() {
    let (id, url) = node_server().await;
    let socket = Socket::new(options(&format!("{url}/private"), TransportMode::Auto));
    assert_eq!(socket.namespace(), "/private");
    wait_for("the refusal", 5_000, || socket.connect_error().is_some()).await;
    assert_eq!(socket.connect_error().as_deref(), Some("unauthorized"));
    assert_eq!(socket.state(), ConnectionState::Disconnected);
    let handshakes = call("GET", &format!("/servers/{id}/stats"), None).await["handshakes"].clone();
    TimeoutFuture::new(1_500).await;
    let later = call("GET", &format!("/servers/{id}/stats"), None).await["handshakes"].clone();
    assert_eq!(handshakes, later, "a refused namespace is not retried");
    stop(&id).await;
}
