//! The native client (feature `native`, tokio) against the official Node
//! `socket.io` 4.8 server and ours: WebSocket, polling and the upgrade;
//! fallback when the WebSocket is refused and when it hangs; acks both ways;
//! binary; namespaces, CONNECT auth and CONNECT_ERROR; reconnection after the
//! server is killed and restarted; `disconnect` stopping for good; the last
//! handle dropped closing the connection; durable emits made while our
//! server is down, stored once each and in order after it returns.
//!
//! The servers run under the conductor (`tests/support/conductor.mjs`),
//! started once for this test binary and stopped when it exits.
#![cfg(all(feature = "native", not(target_arch = "wasm32")))]

use std::io::{BufRead, BufReader};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use leptos_socketio::engine::TransportMode;
use leptos_socketio::protocol::Value;
use leptos_socketio::{
    Args, ConnectionState, EventListener, Manager, Socket, SocketOptions, TransportKind,
};
use serde_json::json;

/// The conductor's URL; its process lives as long as this test binary (it
/// exits when the pipe to its stdin closes).
fn conductor() -> &'static str {
    static CONDUCTOR: OnceLock<(String, Mutex<(Child, ChildStdin)>)> = OnceLock::new();
    &CONDUCTOR
        .get_or_init(|| {
            let root = env!("CARGO_MANIFEST_DIR");
            let mut child = Command::new("node")
                .arg("tests/support/conductor.mjs")
                .current_dir(root)
                .stdin(Stdio::piped())
                .stdout(Stdio::piped())
                .stderr(Stdio::inherit())
                .spawn()
                .expect("node runs the conductor (scripts/setup.sh installs it)");
            let stdin = child.stdin.take().expect("piped");
            let stdout = child.stdout.take().expect("piped");
            let mut line = String::new();
            BufReader::new(stdout)
                .read_line(&mut line)
                .expect("the conductor prints its URL");
            let url = line
                .trim()
                .strip_prefix("conductor on ")
                .unwrap_or_else(|| panic!("not the conductor's first line: {line:?}"))
                .to_owned();
            (url, Mutex::new((child, stdin)))
        })
        .0
}

async fn call(method: &str, path: &str, body: Option<serde_json::Value>) -> serde_json::Value {
    let client = reqwest::Client::new();
    let url = format!("{}{path}", conductor());
    let request = match method {
        "GET" => client.get(&url),
        "DELETE" => client.delete(&url),
        _ => client
            .post(&url)
            .header("content-type", "application/json")
            .body(body.unwrap_or(json!({})).to_string()),
    };
    let response = request.send().await.expect("the conductor answers");
    let text = response.text().await.expect("a body");
    let answer: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert!(answer.get("error").is_none(), "{method} {path}: {answer}");
    answer
}

/// A server of `kind` (`node` or `rust`) behind the conductor's proxy:
/// `(id, proxied url)`.
async fn server(kind: &str, args: serde_json::Value) -> (String, String) {
    let s = call(
        "POST",
        "/servers",
        Some(json!({"kind": kind, "args": args, "proxy": true})),
    )
    .await;
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

/// Waits up to `ms` for `done`, polling every 20 ms.
async fn wait_for(what: &str, ms: u64, done: impl Fn() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_millis(ms),
            "waited {ms} ms for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn echo(socket: &Socket, args: Vec<Value>) -> Vec<Value> {
    socket
        .emit_with_ack::<Args>("echo", Args(args))
        .await
        .expect("echo answers")
        .0
}

async fn echo_text_and_binary(socket: &Socket) {
    let args = vec![
        Value::from(json!("héllo")),
        Value::from(json!({"nested": {"list": [1, 2.5, null]}})),
        Value::Binary(vec![0, 1, 254, 255]),
    ];
    assert_eq!(echo(socket, args.clone()).await, args);
    let nested = vec![Value::from(vec![
        Value::from("x"),
        Value::Binary(vec![9; 1000]),
    ])];
    assert_eq!(echo(socket, nested.clone()).await, nested);
}

#[tokio::test]
async fn websocket_polling_and_the_upgrade_against_node_and_ours() {
    for kind in ["node", "rust"] {
        let (id, url) = server(kind, json!([])).await;
        for (mode, expected) in [
            (TransportMode::WebSocketOnly, TransportKind::WebSocket),
            (TransportMode::PollingOnly, TransportKind::Polling),
        ] {
            let socket = Socket::new(options(&url, mode));
            wait_for("connected", 5_000, || {
                socket.state() == ConnectionState::Connected
            })
            .await;
            assert_eq!(socket.transport(), expected, "{kind}");
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
}

#[tokio::test]
async fn a_refused_or_hanging_websocket_falls_back_to_polling() {
    let (id, url) = server("node", json!([])).await;
    for mode in ["refuse-upgrade", "hang-upgrade"] {
        call(
            "POST",
            &format!("/servers/{id}/proxy"),
            Some(json!({"mode": mode})),
        )
        .await;
        let started = Instant::now();
        let socket = Socket::new(
            options(&url, TransportMode::Auto).websocket_deadline(Duration::from_millis(800)),
        );
        wait_for("connected", 6_000, || {
            socket.state() == ConnectionState::Connected
        })
        .await;
        assert_eq!(socket.transport(), TransportKind::Polling, "{mode}");
        assert!(
            started.elapsed() < Duration::from_secs(4),
            "{mode}: the bounded deadline"
        );
        echo_text_and_binary(&socket).await;
        socket.disconnect();
    }
    stop(&id).await;
}

#[tokio::test]
async fn acks_both_ways_and_binary_events_from_the_node_server() {
    let (id, url) = server("node", json!([])).await;
    let socket =
        Socket::new(options(&url, TransportMode::Auto).auth(json!({"greet": true}).into()));
    let greetings = Arc::new(Mutex::new(Vec::new()));
    let _greeting = {
        let greetings = greetings.clone();
        socket.on("greeting", move |args: Result<Args, _>| {
            greetings
                .lock()
                .expect("not poisoned")
                .extend(args.expect("any arguments decode").0);
        })
    };
    let _answer = socket.on_with_ack("question", |args: Result<Args, _>, ack| {
        let mut reply = vec![Value::from("answer to")];
        reply.extend(args.expect("any arguments decode").0);
        ack.send(Args(reply)).expect("values serialize");
    });
    let reply = socket.emit_with_ack::<Args>("ask", "life").await;
    assert_eq!(
        reply,
        Ok(Args(vec![Value::from(json!({"answer": "answer to"}))]))
    );
    wait_for("the greeting", 5_000, || {
        !greetings.lock().expect("not poisoned").is_empty()
    })
    .await;
    let greeting = greetings.lock().expect("not poisoned")[0].clone();
    assert_eq!(greeting.get("hello"), Some(&Value::from("world")));
    assert_eq!(greeting.get("bin"), Some(&Value::Binary(vec![1, 2, 3])));
    socket.disconnect();
    stop(&id).await;
}

#[tokio::test]
async fn namespaces_share_one_connection_auth_reaches_the_server_and_a_refusal_is_reported() {
    let (id, url) = server("node", json!([])).await;
    let manager = Manager::new(
        options(&url, TransportMode::WebSocketOnly).auth(json!({"token": "secret"}).into()),
    );
    let main = manager.socket("/");
    let admin = manager.socket("/admin");
    let private = manager.socket("/private");
    let whoami = admin.emit_with_ack::<Args>("whoami", ()).await;
    assert_eq!(
        whoami.expect("admin answers")[0].get("nsp"),
        Some(&Value::from("/admin"))
    );
    let whoami = private.emit_with_ack::<Args>("whoami", ()).await;
    assert_eq!(
        whoami.expect("token accepted")[0].get("nsp"),
        Some(&Value::from("/private"))
    );
    let auth = main.emit_with_ack::<Args>("auth", ()).await;
    assert_eq!(
        auth,
        Ok(Args(vec![Value::from(json!({"token": "secret"}))]))
    );
    let stats = call("GET", &format!("/servers/{id}/stats"), None).await;
    assert_eq!(stats["handshakes"], 1, "one Engine.IO connection: {stats}");
    manager.close();

    let refused = Socket::new(options(&format!("{url}/private"), TransportMode::Auto));
    wait_for("the refusal", 5_000, || refused.connect_error().is_some()).await;
    assert_eq!(refused.connect_error().as_deref(), Some("unauthorized"));
    assert_eq!(refused.state(), ConnectionState::Disconnected);
    stop(&id).await;
}

#[tokio::test]
async fn reconnects_after_our_server_is_killed_and_restarted() {
    let (id, url) = server("rust", json!([])).await;
    let socket = Socket::new(options(&url, TransportMode::WebSocketOnly));
    wait_for("connected", 5_000, || {
        socket.state() == ConnectionState::Connected
    })
    .await;
    call("POST", &format!("/servers/{id}/kill"), None).await;
    wait_for("the loss", 5_000, || {
        socket.state() == ConnectionState::Reconnecting
    })
    .await;
    // Buffered while the server is down, sent once it is back.
    let echoed = socket.emit_with_ack::<Args>("echo", "after the restart");
    call("POST", &format!("/servers/{id}/restart"), None).await;
    wait_for("reconnected", 10_000, || {
        socket.state() == ConnectionState::Connected
    })
    .await;
    assert_eq!(
        echoed.await,
        Ok(Args(vec![Value::from("after the restart")]))
    );
    socket.disconnect();
    stop(&id).await;
}

#[tokio::test]
async fn disconnect_stops_for_good_and_dropping_the_last_handle_closes_the_connection() {
    let (id, url) = server("node", json!([])).await;
    let open = || async {
        call("GET", &format!("/servers/{id}/stats"), None).await["openConnections"]
            .as_u64()
            .expect("a count")
    };

    let socket = Socket::new(options(&url, TransportMode::WebSocketOnly));
    wait_for("connected", 5_000, || {
        socket.state() == ConnectionState::Connected
    })
    .await;
    socket.disconnect();
    assert_eq!(socket.state(), ConnectionState::Disconnected);
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    assert_eq!(
        socket.state(),
        ConnectionState::Disconnected,
        "no reconnection"
    );
    assert_eq!(open().await, 0);

    let socket = Socket::new(options(&url, TransportMode::WebSocketOnly));
    wait_for("connected", 5_000, || {
        socket.state() == ConnectionState::Connected
    })
    .await;
    assert_eq!(open().await, 1);
    drop(socket);
    let start = Instant::now();
    while open().await != 0 {
        assert!(
            start.elapsed() < Duration::from_secs(5),
            "the connection outlived its last handle"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop(&id).await;
}

#[tokio::test]
async fn outside_a_tokio_runtime_the_socket_says_why_it_cannot_connect() {
    let options = options("http://127.0.0.1:9", TransportMode::WebSocketOnly);
    let socket = std::thread::spawn(move || Socket::new(options))
        .join()
        .expect("no panic");
    let error = socket.last_error().unwrap_or_default();
    assert!(error.contains("no tokio runtime"), "{error}");
}

/// Joins `room` as `name` on every connection and opens the room's durable
/// scope once the join is acknowledged, as `<Chat/>` does.
fn rejoin_on_connect(socket: &Socket, room: &'static str, name: &'static str) -> EventListener {
    let s = socket.clone();
    socket.on_connection_change(move |state, _| {
        if state != ConnectionState::Connected {
            return;
        }
        let joined =
            s.emit_with_ack::<serde_json::Value>("join", json!({"room": room, "name": name}));
        let s = s.clone();
        tokio::spawn(async move {
            if joined.await.is_ok_and(|ack| ack["ok"] == true) {
                s.open_durable_scope(room);
            }
        });
    })
}

#[tokio::test]
async fn durable_messages_sent_while_our_server_is_down_are_stored_once_in_order() {
    let (id, url) = server("rust", json!([])).await;
    let socket = Socket::new(options(&url, TransportMode::WebSocketOnly).durable());
    let _rejoin = rejoin_on_connect(&socket, "durable", "ada");
    wait_for("connected", 5_000, || {
        socket.state() == ConnectionState::Connected
    })
    .await;
    call("POST", &format!("/servers/{id}/kill"), None).await;
    wait_for("the loss", 5_000, || {
        socket.state() == ConnectionState::Reconnecting
    })
    .await;

    let ids: Vec<String> = (0..5).map(|n| format!("native-{n}")).collect();
    let sends: Vec<_> = ids
        .iter()
        .map(|id| {
            let payload =
                json!({"room": "durable", "id": id, "text": format!("typed offline: {id}")});
            socket.emit_durable_in::<serde_json::Value, _>(Some("durable"), "message", move |_| {
                payload
            })
        })
        .collect();
    assert_eq!(socket.durable_entries().len(), 5, "kept while offline");

    call("POST", &format!("/servers/{id}/restart"), None).await;
    let mut seqs = Vec::new();
    for send in sends {
        let ack = tokio::time::timeout(Duration::from_secs(15), send)
            .await
            .expect("acknowledged after the restart")
            .expect("stored");
        seqs.push(ack["seq"].as_u64().expect("a seq"));
    }
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "in order: {seqs:?}");
    assert!(socket.durable_entries().is_empty(), "removed once stored");

    // Another client reads the room: each message once, in the order sent.
    let reader = Socket::new(options(&url, TransportMode::WebSocketOnly));
    let history: serde_json::Value = reader
        .emit_with_ack("join", json!({"room": "durable", "name": "bo"}))
        .await
        .expect("joined");
    let stored: Vec<&str> = history["history"]
        .as_array()
        .expect("history")
        .iter()
        .filter_map(|m| m["id"].as_str())
        .collect();
    eprintln!("durable: sent 5, acked {}, stored {:?}", seqs.len(), stored);
    assert_eq!(stored, ids, "stored once each, in the order sent");
    socket.disconnect();
    reader.disconnect();
    stop(&id).await;
}

/// A server of `kind` behind the conductor's proxy: `(id, proxied url,
/// direct url)`.
async fn server_with_direct(kind: &str, args: serde_json::Value) -> (String, String, String) {
    let s = call(
        "POST",
        "/servers",
        Some(json!({"kind": kind, "args": args, "proxy": true})),
    )
    .await;
    let text = |key: &str| s[key].as_str().expect(key).to_owned();
    (text("id"), text("proxyUrl"), text("url"))
}

async fn proxy_mode(id: &str, mode: &str) {
    call(
        "POST",
        &format!("/servers/{id}/proxy"),
        Some(json!({ "mode": mode })),
    )
    .await;
}

/// A socket that records every `tick` it receives.
fn ticker(url: &str) -> (Socket, Arc<Mutex<Vec<u64>>>, EventListener) {
    let socket = Socket::new(options(url, TransportMode::WebSocketOnly));
    let ticks = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&ticks);
    let listener = socket.on("tick", move |n: Result<u64, _>| {
        seen.lock()
            .expect("not poisoned")
            .push(n.expect("a tick is one number, the offset taken off"));
    });
    (socket, ticks, listener)
}

async fn publish(publisher: &Socket, from: u64, count: u64) {
    let done: bool = publisher
        .emit_with_ack("feed-publish", json!({"from": from, "count": count}))
        .await
        .expect("published");
    assert!(done);
}

/// Takes the network away from `socket` (through the proxy of server
/// `id`), runs `meanwhile`, gives it back, and waits for the reconnection.
async fn cut(id: &str, socket: &Socket, meanwhile: impl std::future::Future<Output = ()>) {
    proxy_mode(id, "offline").await;
    wait_for("the cut", 10_000, || {
        socket.state() == ConnectionState::Reconnecting
    })
    .await;
    meanwhile.await;
    proxy_mode(id, "pass").await;
    wait_for("reconnected", 15_000, || {
        socket.state() == ConnectionState::Connected
    })
    .await;
}

#[tokio::test]
async fn connection_state_recovery_against_node_delivers_what_was_missed_in_order_once() {
    let (id, proxied, direct) = server_with_direct("node", json!(["--recovery"])).await;
    let publisher = Socket::new(options(&direct, TransportMode::WebSocketOnly));
    let (socket, ticks, _ticks) = ticker(&proxied);
    let joined: bool = socket.emit_with_ack("feed-join", ()).await.expect("joined");
    assert!(
        joined && !socket.recovered(),
        "a first connection recovers nothing"
    );
    publish(&publisher, 0, 5).await;
    wait_for("the first ticks", 5_000, || {
        ticks.lock().expect("ok").len() == 5
    })
    .await;

    // Three cuts in one session, each with events emitted while cut off.
    for round in 1..=3u64 {
        cut(&id, &socket, publish(&publisher, round * 5, 5)).await;
        let want = usize::try_from((round + 1) * 5).expect("small");
        wait_for("the missed ticks", 5_000, || {
            ticks.lock().expect("ok").len() >= want
        })
        .await;
        assert!(socket.recovered(), "cut {round}: the session was restored");
        let session: serde_json::Value = socket.emit_with_ack("session", ()).await.expect("acked");
        assert_eq!(
            session,
            json!({"recovered": true, "rooms": ["feed"]}),
            "cut {round}"
        );
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let got = ticks.lock().expect("ok").clone();
    eprintln!(
        "recovery: 3 cuts, published 20, received {} (distinct {}), in order: {}",
        got.len(),
        got.iter().collect::<std::collections::BTreeSet<_>>().len(),
        got.windows(2).all(|w| w[0] < w[1])
    );
    assert_eq!(got, (0..20).collect::<Vec<u64>>(), "each once, in order");

    // A cut before any event was received: the server needs the offset of
    // one to restore, so this is a new session, and the app is told.
    let (fresh, fresh_ticks, _fresh) = ticker(&proxied);
    let _: bool = fresh.emit_with_ack("feed-join", ()).await.expect("joined");
    cut(&id, &fresh, publish(&publisher, 100, 3)).await;
    assert!(!fresh.recovered(), "nothing to restore from");
    let session: serde_json::Value = fresh.emit_with_ack("session", ()).await.expect("acked");
    eprintln!(
        "recovery: a cut before any event: recovered {}, rooms {}, ticks {:?}",
        fresh.recovered(),
        session["rooms"],
        fresh_ticks.lock().expect("ok")
    );
    assert_eq!(session, json!({"recovered": false, "rooms": []}));
    for s in [&socket, &fresh, &publisher] {
        s.disconnect();
    }
    stop(&id).await;
}

#[tokio::test]
async fn against_a_server_without_recovery_nothing_changes() {
    let (id, proxied, direct) = server_with_direct("node", json!([])).await;
    let publisher = Socket::new(options(&direct, TransportMode::WebSocketOnly));
    let (socket, ticks, _ticks) = ticker(&proxied);
    let _: bool = socket.emit_with_ack("feed-join", ()).await.expect("joined");
    publish(&publisher, 0, 2).await;
    wait_for("ticks", 5_000, || ticks.lock().expect("ok").len() == 2).await;
    cut(&id, &socket, publish(&publisher, 2, 2)).await;
    assert!(!socket.recovered());
    let auth: serde_json::Value = socket.emit_with_ack("auth", ()).await.expect("acked");
    assert_eq!(auth, json!({}), "no pid or offset in the CONNECT");
    let args: Args = socket
        .emit_with_ack("echo", (1, "last string stays"))
        .await
        .expect("echoed");
    assert_eq!(args.0.len(), 2, "no argument taken off");
    assert_eq!(
        *ticks.lock().expect("ok"),
        [0, 1],
        "what was missed is gone"
    );
    socket.disconnect();
    publisher.disconnect();
    stop(&id).await;
}
