//! Transports on real networks, in headless Chromium against the real server:
//! polling, upgrade, WebSocket refused or hanging behind a proxy, a server
//! killed and restarted, a frozen server, and `disconnect()` during backoff.
//!
//! The browser cannot start processes, so the tests drive the conductor
//! (`tests/support/conductor.mjs`, started by `scripts/test`) over HTTP; its
//! URL arrives in `LSIO_TEST_CONDUCTOR` at compile time.
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use gloo_timers::future::TimeoutFuture;
use leptos_socketio::client::ReconnectOptions;
use leptos_socketio::engine::TransportMode;
use leptos_socketio::protocol::Value;
use leptos_socketio::{ConnectionState, DataError, Socket, SocketOptions, TransportKind};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[macro_use]
mod browser_support;
use browser_support::{call, echo, wait_for};

/// A server started through the conductor, stopped when dropped... by the
/// conductor's own cleanup; tests delete it explicitly at the end.
struct Server {
    id: String,
    url: String,
    proxy_url: Option<String>,
}

impl Server {
    async fn start(extra: &[&str], proxy: bool) -> Server {
        let origin = web_sys::window()
            .and_then(|w| w.location().origin().ok())
            .expect("a page origin");
        let mut args: Vec<String> = vec!["--allowed-origin".into(), origin];
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        let body = serde_json::json!({"kind": "rust", "args": args, "proxy": proxy});
        let s = call("POST", "/servers", Some(body)).await;
        Server {
            id: s["id"].as_str().expect("an id").to_owned(),
            url: s["url"].as_str().expect("a url").to_owned(),
            proxy_url: s["proxyUrl"].as_str().map(str::to_owned),
        }
    }

    fn proxied(&self) -> String {
        self.proxy_url.clone().expect("started with a proxy")
    }

    async fn post(&self, what: &str, body: Option<serde_json::Value>) -> serde_json::Value {
        call("POST", &format!("/servers/{}/{what}", self.id), body).await
    }

    async fn proxy_mode(&self, mode: &str) {
        self.post("proxy", Some(serde_json::json!({ "mode": mode })))
            .await;
    }

    async fn handshakes(&self) -> u64 {
        let stats = call("GET", &format!("/servers/{}/stats", self.id), None).await;
        stats["handshakes"].as_u64().expect("a count")
    }

    async fn stop(self) {
        call("DELETE", &format!("/servers/{}", self.id), None).await;
    }
}

fn now_ms() -> f64 {
    js_sys::Date::now()
}

fn options(url: &str, mode: TransportMode) -> SocketOptions {
    SocketOptions::new(url)
        .transports(mode)
        .remember_transport(false)
        .ack_timeout(Duration::from_secs(10))
}

async fn connected(socket: &Socket, ms: u32) {
    wait_for("connected", ms, || {
        socket.state() == ConnectionState::Connected
    })
    .await;
}

/// Echoes text, nested JSON, a 100 KB string and binary (top level and
/// nested), and checks each comes back equal.
async fn echo_everything(socket: &Socket) {
    let big = "x".repeat(100 * 1024);
    let cases = vec![
        vec![json!("héllo 👋")],
        vec![json!({"a": [1, 2, {"b": null}], "c": "d"})],
        vec![Value::from(big)],
        vec![Value::Binary((0..=255).collect())],
        vec![
            json!({"name": "f.bin"}),
            Value::from(vec![Value::Binary(vec![1, 2, 3])]),
        ],
    ];
    for args in cases {
        let reply = echo(socket, args.clone()).await;
        assert_eq!(reply.as_ref().map(Vec::len), Ok(args.len()));
        assert_eq!(reply, Ok(args));
    }
}

#[wasm_bindgen_test]
async fn echo_over_polling_only_carries_text_json_large_strings_and_binary() {
    let server = Server::start(&[], false).await;
    let socket = Socket::new(options(&server.url, TransportMode::PollingOnly));
    connected(&socket, 5_000).await;
    assert_eq!(socket.transport(), TransportKind::Polling);
    echo_everything(&socket).await;
    assert_eq!(
        socket.transport(),
        TransportKind::Polling,
        "polling only never upgrades"
    );
    socket.disconnect();
    server.stop().await;
}

#[wasm_bindgen_test]
async fn echo_over_websocket_carries_large_strings_and_binary() {
    let server = Server::start(&[], false).await;
    let socket = Socket::new(options(&server.url, TransportMode::WebSocketOnly));
    connected(&socket, 5_000).await;
    assert_eq!(socket.transport(), TransportKind::WebSocket);
    echo_everything(&socket).await;
    socket.disconnect();
    server.stop().await;
}

#[wasm_bindgen_test]
async fn polling_first_upgrades_to_websocket_and_no_ack_is_lost_or_doubled() {
    let server = Server::start(&[], false).await;
    let socket = Socket::new(options(&server.url, TransportMode::PollingThenUpgrade));
    let seen = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let _watch = {
        let seen = seen.clone();
        socket.on_connection_change(move |_, transport| seen.borrow_mut().push(transport))
    };
    // Emits start before the connection and run across the upgrade.
    let mut acks = Vec::new();
    for i in 0..200 {
        acks.push(echo(&socket, vec![Value::from(i)]));
        if i % 20 == 0 {
            TimeoutFuture::new(5).await;
        }
    }
    for (i, ack) in acks.into_iter().enumerate() {
        assert_eq!(ack.await, Ok(vec![Value::from(i)]), "ack {i}");
    }
    wait_for("the upgrade", 5_000, || {
        socket.transport() == TransportKind::WebSocket
    })
    .await;
    let seen = seen.borrow().clone();
    assert!(
        seen.contains(&TransportKind::Polling),
        "it started on polling: {seen:?}"
    );
    assert_eq!(seen.last(), Some(&TransportKind::WebSocket));
    let reply = echo(&socket, vec![json!("after")]).await;
    assert_eq!(reply, Ok(vec![json!("after")]));
    socket.disconnect();
    server.stop().await;
}

#[wasm_bindgen_test]
async fn websocket_refused_by_a_proxy_connects_over_polling_at_once() {
    let server = Server::start(&[], true).await;
    server.proxy_mode("refuse-upgrade").await;
    let started = now_ms();
    let socket = Socket::new(options(&server.proxied(), TransportMode::Auto));
    connected(&socket, 5_000).await;
    let took = now_ms() - started;
    assert_eq!(socket.transport(), TransportKind::Polling);
    web_sys::console::log_1(&format!("fallback after a refused WebSocket: {took:.0} ms").into());
    assert!(
        took < 2_000.0,
        "a refusal must not wait for the deadline ({took} ms)"
    );
    echo_everything(&socket).await;
    socket.disconnect();
    server.stop().await;
}

#[wasm_bindgen_test]
async fn websocket_that_hangs_falls_back_to_polling_within_the_deadline() {
    let server = Server::start(&[], true).await;
    server.proxy_mode("hang-upgrade").await;
    let started = now_ms();
    let socket = Socket::new(options(&server.proxied(), TransportMode::Auto));
    connected(&socket, 6_000).await;
    let took = now_ms() - started;
    web_sys::console::log_1(&format!("fallback after a hanging WebSocket: {took:.0} ms").into());
    assert_eq!(socket.transport(), TransportKind::Polling);
    assert!(
        took >= 2_500.0,
        "not before the 2500 ms deadline ({took} ms)"
    );
    assert!(
        took < 2_500.0 + 1_000.0,
        "within the deadline plus a margin ({took} ms)"
    );
    socket.disconnect();
    server.stop().await;
}

#[wasm_bindgen_test]
async fn a_restarted_server_is_reconnected_and_buffered_emits_arrive_in_order() {
    let server = Server::start(&[], false).await;
    let socket = Socket::new(options(&server.url, TransportMode::WebSocketOnly));
    connected(&socket, 5_000).await;
    server.post("kill", None).await;
    wait_for("reconnecting", 5_000, || {
        socket.state() == ConnectionState::Reconnecting
    })
    .await;
    let acks: Vec<_> = (0..5)
        .map(|i| echo(&socket, vec![Value::from(i)]))
        .collect();
    server.post("restart", None).await;
    connected(&socket, 10_000).await;
    for (i, ack) in acks.into_iter().enumerate() {
        assert_eq!(ack.await, Ok(vec![Value::from(i)]), "buffered emit {i}");
    }
    socket.disconnect();
    server.stop().await;
}

#[wasm_bindgen_test]
async fn a_frozen_server_is_noticed_within_ping_interval_plus_timeout_and_reconnected_after() {
    let timings = ["--ping-interval-ms", "300", "--ping-timeout-ms", "200"];
    let server = Server::start(&timings, false).await;
    let socket = Socket::new(options(&server.url, TransportMode::WebSocketOnly));
    connected(&socket, 5_000).await;
    server.post("freeze", None).await;
    let frozen = now_ms();
    wait_for("the loss to be noticed", 3_000, || {
        socket.state() != ConnectionState::Connected
    })
    .await;
    let took = now_ms() - frozen;
    assert!(
        took <= 500.0 + 300.0,
        "pingInterval 300 + pingTimeout 200 + margin ({took} ms)"
    );
    server.post("thaw", None).await;
    connected(&socket, 10_000).await;
    let reply = echo(&socket, vec![json!("back")]).await;
    assert_eq!(reply, Ok(vec![json!("back")]));
    socket.disconnect();
    server.stop().await;
}

#[wasm_bindgen_test]
async fn disconnect_during_backoff_makes_no_further_attempts() {
    let server = Server::start(&[], true).await;
    let reconnection = ReconnectOptions::default().delay(Duration::from_millis(300));
    let socket = Socket::new(
        options(&server.proxied(), TransportMode::WebSocketOnly).reconnection(reconnection),
    );
    connected(&socket, 5_000).await;
    server.post("kill", None).await;
    wait_for("reconnecting", 5_000, || {
        socket.state() == ConnectionState::Reconnecting
    })
    .await;
    socket.disconnect();
    assert_eq!(socket.state(), ConnectionState::Disconnected);
    server.post("restart", None).await;
    let before = server.handshakes().await;
    TimeoutFuture::new(3_000).await;
    assert_eq!(
        server.handshakes().await,
        before,
        "no connection attempt after disconnect()"
    );
    assert_eq!(socket.state(), ConnectionState::Disconnected);
    server.stop().await;
}

/// Joins chat `room` as `name` and asserts the ack is ok.
async fn join(socket: &Socket, room: &str, name: &str) {
    let ack = socket
        .emit_with_ack::<serde_json::Value>("join", serde_json::json!({"room": room, "name": name}))
        .await;
    assert_eq!(
        ack.as_ref().map(|a| a["ok"].clone()),
        Ok(serde_json::json!(true)),
        "join: {ack:?}"
    );
}

#[wasm_bindgen_test]
async fn disconnect_over_polling_with_a_post_in_flight_is_seen_by_the_server_at_once() {
    let server = Server::start(&[], false).await;
    let watcher = Socket::new(options(&server.url, TransportMode::WebSocketOnly));
    let leaver = Socket::new(options(&server.url, TransportMode::PollingOnly));
    connected(&watcher, 5_000).await;
    connected(&leaver, 5_000).await;
    let members = Rc::new(RefCell::new(Vec::<String>::new()));
    let _presence = watcher.on("presence", {
        let members = Rc::clone(&members);
        move |p: Result<serde_json::Value, DataError>| {
            if let Ok(names) = serde_json::from_value(p.expect("a presence")["members"].clone()) {
                *members.borrow_mut() = names;
            }
        }
    });
    join(&watcher, "leave-at-once", "watcher").await;
    join(&leaver, "leave-at-once", "leaver").await;
    wait_for("both members", 5_000, || {
        *members.borrow() == ["leaver", "watcher"]
    })
    .await;

    // The emit's POST is still in flight when disconnect() sends `close`: it
    // must not wait behind it (a closing page has no time to), or the
    // server would only notice at its ping timeout (45 s by default).
    leaver
        .emit("typing", serde_json::json!({"room": "leave-at-once"}))
        .expect("typing encodes");
    leaver.disconnect();
    wait_for("the leaver gone from the members", 5_000, || {
        *members.borrow() == ["watcher"]
    })
    .await;
    watcher.disconnect();
    server.stop().await;
}

#[wasm_bindgen_test]
async fn a_server_without_websocket_is_reached_over_polling() {
    let server = Server::start(&["--transports", "polling"], false).await;
    let socket = Socket::new(options(&server.url, TransportMode::Auto));
    connected(&socket, 5_000).await;
    assert_eq!(socket.transport(), TransportKind::Polling);
    let reply = echo(&socket, vec![json!("polling only")]).await;
    assert_eq!(reply, Ok(vec![json!("polling only")]));
    socket.disconnect();
    server.stop().await;
}

#[wasm_bindgen_test]
async fn the_transport_that_worked_is_remembered_and_tried_first_next_time() {
    let server = Server::start(&[], true).await;
    server.proxy_mode("refuse-upgrade").await;
    let remembering = |url: &str| options(url, TransportMode::Auto).remember_transport(true);
    let first = Socket::new(remembering(&server.proxied()));
    connected(&first, 5_000).await;
    assert_eq!(first.transport(), TransportKind::Polling);
    first.disconnect();
    let stats = |s: serde_json::Value| {
        (
            s["websocketHandshakes"].as_u64().expect("a count"),
            s["pollingHandshakes"].as_u64().expect("a count"),
        )
    };
    let path = format!("/servers/{}/stats", server.id);
    assert_eq!(
        stats(call("GET", &path, None).await),
        (1, 1),
        "WebSocket tried, then polling"
    );

    // A new page load (a new socket): polling straight away.
    let second = Socket::new(remembering(&server.proxied()));
    connected(&second, 5_000).await;
    assert_eq!(second.transport(), TransportKind::Polling);
    assert_eq!(
        stats(call("GET", &path, None).await),
        (1, 2),
        "no WebSocket handshake first"
    );
    second.disconnect();

    // Forget it again, so other tests start from a clean slate.
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.clear();
    }
    server.stop().await;
}
