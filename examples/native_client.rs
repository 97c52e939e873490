//! A Rust program on the native client: it joins a room of the companion
//! chat server, prints what is said there, says hello, and leaves after ten
//! seconds. The same `Socket` API as in the browser, on tokio.
//!
//! ```sh
//! cargo run --example native_client --no-default-features --features native -- \
//!     http://127.0.0.1:3000 lobby rustacean
//! ```

use std::time::Duration;

use leptos_socketio::{Socket, SocketOptions};
use serde::Deserialize;
use serde_json::json;

/// A chat message, as the server broadcasts it.
#[derive(Debug, Deserialize)]
struct Message {
    seq: u64,
    name: String,
    text: String,
}

/// The server's answer to `join` and `message`.
#[derive(Debug, Deserialize)]
struct Ack {
    ok: bool,
    #[serde(default)]
    seq: Option<u64>,
    #[serde(default)]
    error: Option<String>,
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut args = std::env::args().skip(1);
    let url = args
        .next()
        .unwrap_or_else(|| "http://127.0.0.1:3000".to_owned());
    let room = args.next().unwrap_or_else(|| "lobby".to_owned());
    let name = args.next().unwrap_or_else(|| "rustacean".to_owned());

    let socket = Socket::new(SocketOptions::new(url.as_str()));
    let _status = socket.on_connection_change(|state, transport| {
        eprintln!("[{state} over {transport}]");
    });
    let _messages = socket.on("message", |message: Result<Message, _>| match message {
        Ok(m) => eprintln!("#{} {}: {}", m.seq, m.name, m.text),
        Err(err) => eprintln!("an unreadable message: {err}"),
    });

    // Emits made before the connection is up are buffered and sent in order.
    let joined: Result<Ack, _> = socket
        .timeout(Duration::from_secs(5))
        .emit_with_ack("join", json!({ "room": room, "name": name }))
        .await;
    match joined {
        Ok(Ack { ok: true, .. }) => eprintln!("joined {room} as {name}"),
        Ok(Ack { error, .. }) => return eprintln!("refused: {}", error.unwrap_or_default()),
        Err(err) => {
            let why = socket.last_error().unwrap_or_default();
            return eprintln!("could not join {room} at {url}: {err} ({why})");
        }
    }

    let id = format!("native-{}", std::process::id());
    let sent: Result<Ack, _> = socket
        .emit_with_ack(
            "message",
            json!({ "room": room, "id": id, "text": "hello from Rust" }),
        )
        .await;
    match sent {
        Ok(Ack { seq: Some(seq), .. }) => eprintln!("stored as #{seq}"),
        Ok(ack) => eprintln!("not stored: {ack:?}"),
        Err(err) => eprintln!("no answer: {err}"),
    }

    tokio::time::sleep(Duration::from_secs(10)).await;
    socket.disconnect();
}
