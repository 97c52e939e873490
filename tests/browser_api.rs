//! The typed client API in headless Chromium, against the real servers:
//! serde types both ways, several arguments, binary inside structs, data of
//! the wrong shape as an error value, per-emit timeouts, volatile emits,
//! `on_any`/`on_any_outgoing`, answering the server's acks later, and the
//! measured round trip. `scripts/test` passes `LSIO_TEST_SERVER` (our
//! server) and `LSIO_TEST_CONDUCTOR` (which starts the Node server).
#![cfg(target_arch = "wasm32")]

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use gloo_timers::future::TimeoutFuture;
use leptos_socketio::engine::TransportMode;
use leptos_socketio::protocol::Value;
use leptos_socketio::{AckError, Args, ConnectionState, DataError, Socket, SocketOptions};
use serde::{Deserialize, Serialize};
use serde_bytes::ByteBuf;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[macro_use]
mod browser_support;
use browser_support::{call, wait_for};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Note {
    title: String,
    tags: Vec<String>,
    size: u32,
    attachment: ByteBuf,
    kind: Kind,
    reply_to: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum Kind {
    Plain,
    Quote { from: String },
}

fn note() -> Note {
    Note {
        title: "héllo 👋".into(),
        tags: vec!["a".into(), "b".into()],
        size: 3,
        attachment: ByteBuf::from(vec![0, 1, 255]),
        kind: Kind::Quote { from: "ada".into() },
        reply_to: None,
    }
}

fn our_server() -> Socket {
    let url = match option_env!("LSIO_TEST_SERVER") {
        Some(url) => url,
        None => panic!("LSIO_TEST_SERVER is not set: run the browser tests through scripts/test"),
    };
    Socket::new(
        SocketOptions::new(url)
            .remember_transport(false)
            .ack_timeout(Duration::from_secs(5)),
    )
}

async fn node_server(auth: serde_json::Value) -> (String, Socket) {
    let body = serde_json::json!({"kind": "node", "args": [], "proxy": false});
    let s = call("POST", "/servers", Some(body)).await;
    let id = s["id"].as_str().expect("an id").to_owned();
    let url = s["url"].as_str().expect("a url").to_owned();
    let socket = Socket::new(
        SocketOptions::new(url)
            .transports(TransportMode::WebSocketOnly)
            .remember_transport(false)
            .auth(auth.into())
            .ack_timeout(Duration::from_secs(5)),
    );
    (id, socket)
}

async fn stop(id: &str) {
    call("DELETE", &format!("/servers/{id}"), None).await;
}

#[wasm_bindgen_test]
async fn a_struct_with_binary_inside_comes_back_as_the_same_struct() {
    let socket = our_server();
    let back: Note = socket.emit_with_ack("echo", note()).await.expect("echoed");
    assert_eq!(back, note());
    socket.disconnect();
}

#[wasm_bindgen_test]
async fn a_tuple_is_sent_as_several_arguments_and_read_back_as_one() {
    let socket = our_server();
    let back: (u32, String, bool) = socket
        .emit_with_ack("echo", (1, "two", true))
        .await
        .expect("echoed");
    assert_eq!(back, (1, "two".to_owned(), true));
    let all: Args = socket
        .emit_with_ack("echo", (1, "two", true))
        .await
        .expect("echoed");
    assert_eq!(all.len(), 3, "three arguments went out: {all:?}");
    let one: Vec<u32> = socket
        .emit_with_ack("echo", vec![1, 2, 3])
        .await
        .expect("echoed");
    assert_eq!(one, [1, 2, 3], "a Vec is one argument");
    socket.disconnect();
}

#[wasm_bindgen_test]
async fn an_ack_of_the_wrong_shape_is_an_error_that_names_the_event() {
    let socket = our_server();
    let reply = socket.emit_with_ack::<Note>("echo", "just text").await;
    match reply {
        Err(AckError::Decode(DataError { event, reason })) => {
            assert_eq!(event, "echo");
            assert!(reason.contains("expected"), "{reason}");
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    // The socket is still usable.
    let text: String = socket
        .emit_with_ack("echo", "still here")
        .await
        .expect("echoed");
    assert_eq!(text, "still here");
    socket.disconnect();
}

#[wasm_bindgen_test]
async fn a_per_emit_timeout_fails_an_ack_the_server_never_sends() {
    let socket = our_server();
    wait_for("connected", 5_000, || {
        socket.state() == ConnectionState::Connected
    })
    .await;
    let started = js_sys::Date::now();
    let reply = socket
        .timeout(Duration::from_millis(300))
        .emit_with_ack::<Args>("nobody-answers-this", ())
        .await;
    let waited = js_sys::Date::now() - started;
    assert_eq!(reply, Err(AckError::Timeout(300)));
    assert!((290.0..2_000.0).contains(&waited), "waited {waited} ms");
    socket.disconnect();
}

#[wasm_bindgen_test]
async fn a_volatile_emit_is_dropped_while_not_connected_and_sent_once_connected() {
    let socket = our_server();
    assert_ne!(socket.state(), ConnectionState::Connected);
    let early = socket
        .volatile()
        .emit_with_ack::<String>("echo", "too early")
        .await;
    assert_eq!(early, Err(AckError::Dropped));
    wait_for("connected", 5_000, || {
        socket.state() == ConnectionState::Connected
    })
    .await;
    let late: String = socket
        .volatile()
        .emit_with_ack("echo", "in time")
        .await
        .expect("sent while connected");
    assert_eq!(late, "in time");
    socket.disconnect();
}

#[wasm_bindgen_test]
async fn the_round_trip_is_measured_from_acknowledged_emits() {
    let socket = our_server();
    let seen = Rc::new(RefCell::new(Vec::new()));
    let _rtt = {
        let seen = seen.clone();
        socket.on_rtt(move |rtt| seen.borrow_mut().push(rtt))
    };
    wait_for("connected", 5_000, || {
        socket.state() == ConnectionState::Connected
    })
    .await;
    assert_eq!(socket.rtt(), None);
    let _: String = socket.emit_with_ack("echo", "x").await.expect("echoed");
    let rtt = socket.rtt().expect("measured");
    assert!(rtt < Duration::from_secs(1), "{rtt:?} on loopback");
    assert_eq!(seen.borrow().as_slice(), [rtt]);
    socket.disconnect();
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
struct Greeting {
    hello: String,
    bin: ByteBuf,
}

#[wasm_bindgen_test]
async fn server_events_decode_into_types_and_a_mismatch_reaches_the_handler() {
    let (id, socket) = node_server(serde_json::json!({"greet": true})).await;
    let typed = Rc::new(RefCell::new(Vec::new()));
    let wrong = Rc::new(RefCell::new(Vec::new()));
    let any = Rc::new(RefCell::new(Vec::new()));
    let _typed = {
        let typed = typed.clone();
        socket.on("greeting", move |g: Result<Greeting, DataError>| {
            typed.borrow_mut().push(g)
        })
    };
    let _wrong = {
        let wrong = wrong.clone();
        socket.on("greeting", move |n: Result<u32, DataError>| {
            wrong.borrow_mut().push(n)
        })
    };
    let _any = {
        let any = any.clone();
        socket.on_any(move |event, args| any.borrow_mut().push((event.to_owned(), args.to_vec())))
    };
    wait_for("the greeting", 5_000, || !typed.borrow().is_empty()).await;
    assert_eq!(
        typed.borrow()[0],
        Ok(Greeting {
            hello: "world".into(),
            bin: ByteBuf::from(vec![1, 2, 3])
        })
    );
    let mismatch = wrong.borrow()[0]
        .clone()
        .expect_err("an object is not a u32");
    assert_eq!(mismatch.event, "greeting");
    assert!(
        mismatch.to_string().contains("does not match"),
        "{mismatch}"
    );
    let any = any.borrow().clone();
    assert_eq!(any.len(), 1, "{any:?}");
    assert_eq!(any[0].0, "greeting");
    assert_eq!(any[0].1[0].get("bin"), Some(&Value::Binary(vec![1, 2, 3])));
    socket.disconnect();
    stop(&id).await;
}

#[wasm_bindgen_test]
async fn the_servers_emit_with_ack_is_answered_later_from_a_task() {
    let (id, socket) = node_server(serde_json::json!({})).await;
    let outgoing = Rc::new(RefCell::new(Vec::new()));
    let _outgoing = {
        let outgoing = outgoing.clone();
        socket.on_any_outgoing(move |event, args| {
            outgoing.borrow_mut().push((event.to_owned(), args.len()));
        })
    };
    let _answer = socket.on_with_ack("question", |topic: Result<String, _>, ack| {
        let topic = topic.expect("a string");
        wasm_bindgen_futures::spawn_local(async move {
            TimeoutFuture::new(50).await;
            ack.send(serde_json::json!({ "about": topic, "answer": 42 }))
                .expect("serializable");
        });
    });
    let reply: serde_json::Value = socket.emit_with_ack("ask", "life").await.expect("answered");
    assert_eq!(
        reply,
        serde_json::json!({"answer": {"about": "life", "answer": 42}})
    );
    assert_eq!(outgoing.borrow().as_slice(), [("ask".to_owned(), 1)]);
    socket.disconnect();
    stop(&id).await;
}

#[wasm_bindgen_test]
async fn a_vec_of_u8_goes_out_as_binary_and_comes_back_as_binary() {
    #[derive(Serialize)]
    struct Upload {
        name: &'static str,
        data: Vec<u8>,
    }
    let socket = our_server();
    let reply: Args = socket
        .emit_with_ack(
            "echo",
            Upload {
                name: "a.bin",
                data: vec![0, 1, 255],
            },
        )
        .await
        .expect("echoed");
    assert_eq!(reply[0].get("data"), Some(&Value::Binary(vec![0, 1, 255])));
    socket.disconnect();
}
