//! The chat contract through the real server binary, with raw polling
//! clients: rooms and presence, per-room `seq` order, idempotent ids,
//! payload limits (each refusal a sentence, the connection still usable),
//! and a packet over the max payload closing only its own connection.
//! (History, `since`, restarts, the token, the rate limit and the origin
//! allow-list have files of their own.)

mod common;

use common::polling::Polling;
use common::{http_request, ServerProcess};
use serde_json::{json, Value};

/// Short pings, so a poll with nothing to deliver comes back quickly.
const FAST_PINGS: [&str; 4] = ["--ping-interval-ms", "300", "--ping-timeout-ms", "2000"];

fn connected(server: &ServerProcess) -> Polling {
    let mut client = Polling::open(server.authority());
    let answer = client.connect(None);
    assert!(answer.starts_with('0'), "CONNECT answered {answer}");
    client
}

fn join(client: &mut Polling, room: &str, name: &str) -> Value {
    let ack = client.ask("join", json!({"room": room, "name": name}));
    assert_eq!(ack["ok"], true, "join {room} as {name}: {ack}");
    ack
}

/// A message's `(seq, text)`, to compare in one assertion.
fn seq_and_text(message: &Value) -> (Value, Value) {
    (message["seq"].clone(), message["text"].clone())
}

fn send(client: &mut Polling, room: &str, id: &str, text: &str) -> Value {
    client.ask("message", json!({"room": room, "id": id, "text": text}))
}

#[test]
fn messages_and_presence_reach_the_members_of_the_room_only() {
    let server = ServerProcess::start(&FAST_PINGS);
    let (mut ada, mut bob, mut cy) = (connected(&server), connected(&server), connected(&server));
    assert_eq!(join(&mut ada, "one", "Ada")["members"], json!(["Ada"]));
    assert_eq!(
        ada.next_event("presence"),
        json!({"room": "one", "members": ["Ada"]})
    );
    assert_eq!(
        join(&mut bob, "one", "Bob")["members"],
        json!(["Ada", "Bob"])
    );
    assert_eq!(
        ada.next_event("presence"),
        json!({"room": "one", "members": ["Ada", "Bob"]})
    );
    join(&mut cy, "two", "Cy");

    assert_eq!(
        send(&mut ada, "one", "a1", "for room one"),
        json!({"ok": true, "seq": 1})
    );
    for client in [&mut ada, &mut bob] {
        let message = client.next_event("message");
        assert_eq!(message["room"], "one");
        assert_eq!(message["text"], "for room one");
        assert_eq!(message["name"], "Ada");
        assert_eq!(message["id"], "a1");
        assert!(
            message["ts"]
                .as_u64()
                .is_some_and(|ts| ts > 1_700_000_000_000),
            "{message}"
        );
    }
    // Cy's next message is his own: room one's never reached him.
    assert_eq!(
        send(&mut cy, "two", "c1", "for room two"),
        json!({"ok": true, "seq": 1})
    );
    assert_eq!(cy.next_event("message")["text"], "for room two");

    assert_eq!(
        bob.ask("leave", json!({"room": "one"})),
        json!({"ok": true})
    );
    assert_eq!(
        ada.next_event("presence"),
        json!({"room": "one", "members": ["Ada"]})
    );
    assert_eq!(
        send(&mut bob, "one", "b1", "after leaving")["error"],
        "Join the room \"one\" before sending to it."
    );
}

#[test]
fn seq_counts_per_room_and_members_receive_messages_in_seq_order() {
    let server = ServerProcess::start(&FAST_PINGS);
    let (mut ada, mut bob) = (connected(&server), connected(&server));
    join(&mut ada, "busy", "Ada");
    join(&mut bob, "busy", "Bob");
    join(&mut ada, "quiet", "Ada");
    for n in 1..=20 {
        let ack = send(&mut ada, "busy", &format!("m{n}"), &format!("number {n}"));
        assert_eq!(ack, json!({"ok": true, "seq": n}));
    }
    assert_eq!(
        send(&mut ada, "quiet", "q1", "elsewhere"),
        json!({"ok": true, "seq": 1})
    );
    for n in 1..=20 {
        let message = bob.next_event("message");
        assert_eq!(
            (message["seq"].as_u64(), message["text"].as_str()),
            (Some(n), Some(format!("number {n}").as_str()))
        );
    }
}

#[test]
fn a_repeated_id_returns_the_original_seq_and_is_neither_stored_nor_broadcast_again() {
    let server = ServerProcess::start(&FAST_PINGS);
    let (mut ada, mut bob) = (connected(&server), connected(&server));
    join(&mut ada, "r", "Ada");
    join(&mut bob, "r", "Bob");
    assert_eq!(
        send(&mut ada, "r", "same", "first"),
        json!({"ok": true, "seq": 1})
    );
    assert_eq!(
        send(&mut ada, "r", "same", "edited"),
        json!({"ok": true, "seq": 1})
    );
    assert_eq!(
        send(&mut bob, "r", "same", "someone else"),
        json!({"ok": true, "seq": 1})
    );
    assert_eq!(
        send(&mut ada, "r", "other", "second"),
        json!({"ok": true, "seq": 2})
    );

    let delivered = [bob.next_event("message"), bob.next_event("message")];
    let expected = [(json!(1), json!("first")), (json!(2), json!("second"))];
    assert_eq!(delivered.each_ref().map(seq_and_text), expected);

    let mut cy = connected(&server);
    let history = join(&mut cy, "r", "Cy")["history"].clone();
    let stored: Vec<(Value, Value)> = history
        .as_array()
        .expect("a history")
        .iter()
        .map(seq_and_text)
        .collect();
    assert_eq!(stored, expected);
}

#[test]
fn limits_are_refused_with_sentences_and_the_connection_stays_usable() {
    let server = ServerProcess::start(&FAST_PINGS);
    let mut ada = connected(&server);
    let refusals = [
        (
            "join",
            json!({"room": "r", "name": "n".repeat(33)}),
            "The name is 33 characters long; the limit is 32.",
        ),
        (
            "join",
            json!({"room": "r".repeat(65), "name": "Ada"}),
            "The room name is 65 characters long; the limit is 64.",
        ),
    ];
    for (event, payload, sentence) in refusals {
        let ack = ada.ask(event, payload);
        assert_eq!(ack, json!({"ok": false, "error": sentence}));
    }
    let bad_room = ada.ask("join", json!({"room": "two words", "name": "Ada"}));
    assert_eq!(bad_room["ok"], false);
    assert!(
        bad_room["error"]
            .as_str()
            .is_some_and(|e| e.contains("may only hold letters, digits")),
        "{bad_room}"
    );

    join(&mut ada, "r", "Ada");
    assert_eq!(
        send(&mut ada, "r", "long", &"é".repeat(4001)),
        json!({"ok": false, "error": "The message is 4001 characters long; the limit is 4000."})
    );
    assert_eq!(
        send(&mut ada, "r", "empty", "  \n "),
        json!({"ok": false, "error": "The message is empty; type some text before sending."})
    );
    assert_eq!(
        send(&mut ada, "r", "fits", &"é".repeat(4000)),
        json!({"ok": true, "seq": 1})
    );
    assert_eq!(
        ada.ask("echo", json!("still usable")),
        json!("still usable")
    );
}

#[test]
fn a_packet_over_the_max_payload_closes_only_its_own_connection() {
    let server = ServerProcess::start(&[&FAST_PINGS[..], &["--max-payload", "2000"]].concat());
    let mut ada = connected(&server);
    let mut bob = connected(&server);
    join(&mut ada, "r", "Ada");
    join(&mut bob, "r", "Bob");

    let big = format!(
        "42{}",
        json!(["message", {"room": "r", "id": "big", "text": "x".repeat(3000)}])
    );
    let res = http_request(
        server.authority(),
        "POST",
        &ada.path(),
        &[],
        format!("4{big}").as_bytes(),
    );
    assert_eq!(res.status, 413, "an oversized POST is refused: {res:?}");
    let after = http_request(server.authority(), "GET", &ada.path(), &[], b"");
    assert_eq!(
        after.status, 400,
        "the oversized session is over: {after:?}"
    );
    assert!(
        String::from_utf8_lossy(&after.body).contains("Session ID unknown"),
        "{after:?}"
    );

    assert_eq!(
        send(&mut bob, "r", "ok", "unaffected"),
        json!({"ok": true, "seq": 1})
    );
    let mut cy = connected(&server);
    let history = join(&mut cy, "r", "Cy")["history"].clone();
    assert_eq!(
        history.as_array().map(Vec::len),
        Some(1),
        "the big one was not stored: {history}"
    );
}
