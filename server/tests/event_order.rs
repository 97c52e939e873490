//! One connection's chat events are handled in the order they arrived,
//! through the real server binary with raw polling clients: a `join` and a
//! burst of messages in one POST body, a disconnect behind a burst, the
//! bound on waiting events, and a store write held up by another SQLite
//! writer holding up nobody else. (The same order with the official
//! socket.io-client, over WebSocket and polling: `tests/interop/order.test.mjs`.)

mod common;

use std::path::Path;
use std::str::FromStr;

use common::polling::Polling;
use common::ServerProcess;
use serde_json::{json, Value};
use sqlx::sqlite::SqliteConnectOptions;
use sqlx::{ConnectOptions, SqliteConnection};

/// Short pings, so a poll with nothing to deliver comes back quickly.
const FAST_PINGS: [&str; 4] = ["--ping-interval-ms", "300", "--ping-timeout-ms", "2000"];
/// Flags that lift the rate limit out of the way of bursts.
const NO_RATE_LIMIT: [&str; 4] = [
    "--rate-limit-per-sec",
    "10000",
    "--rate-limit-burst",
    "10000",
];

fn connected(server: &ServerProcess) -> Polling {
    let mut client = Polling::open(server.authority());
    let answer = client.connect(None);
    assert!(answer.starts_with('0'), "CONNECT answered {answer}");
    client
}

fn join(client: &mut Polling, room: &str, name: &str) {
    let ack = client.ask("join", json!({"room": room, "name": name}));
    assert_eq!(ack["ok"], true, "join {room} as {name}: {ack}");
}

/// `message` events `label 1` … `label count` to `room`, ids `label-N`.
fn messages(room: &str, label: &str, count: u64) -> Vec<(&'static str, Value)> {
    (1..=count)
        .map(|n| {
            let payload =
                json!({"room": room, "id": format!("{label}-{n}"), "text": format!("{label} {n}")});
            ("message", payload)
        })
        .collect()
}

/// The next `count` `message` events' `(seq, text)`.
fn stream(client: &mut Polling, count: u64) -> Vec<(u64, String)> {
    (0..count)
        .map(|_| {
            let m = client.next_event("message");
            let seq = m["seq"].as_u64().expect("a seq");
            (seq, m["text"].as_str().expect("a text").to_owned())
        })
        .collect()
}

fn server_with(data: &Path, extra: &[&str]) -> ServerProcess {
    let data = data.to_str().expect("a UTF-8 path");
    let args = [
        &FAST_PINGS[..],
        &NO_RATE_LIMIT[..],
        &["--data-dir", data],
        extra,
    ]
    .concat();
    ServerProcess::start(&args)
}

/// Another SQLite connection to the server's history database holding the
/// write lock (`BEGIN IMMEDIATE`): the server's writes wait (up to its 5 s
/// busy timeout) until [`release`](Self::release); reads go on (WAL).
struct WriteLock {
    runtime: tokio::runtime::Runtime,
    conn: SqliteConnection,
}

impl WriteLock {
    fn take(data: &Path) -> Self {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        let mut conn = runtime.block_on(async {
            SqliteConnectOptions::from_str("sqlite:")
                .expect("options")
                .filename(data.join("chat.sqlite3"))
                .connect()
                .await
                .expect("open the server's database")
        });
        runtime.block_on(async {
            sqlx::query("BEGIN IMMEDIATE")
                .execute(&mut conn)
                .await
                .expect("take the write lock")
        });
        Self { runtime, conn }
    }

    fn release(mut self) {
        self.runtime.block_on(async {
            sqlx::query("COMMIT")
                .execute(&mut self.conn)
                .await
                .expect("release the write lock")
        });
    }
}

#[test]
fn a_join_and_a_burst_in_one_post_are_handled_in_order() {
    let data = tempfile::tempdir().expect("a data dir");
    let server = server_with(data.path(), &[]);
    let (mut ada, mut bob) = (connected(&server), connected(&server));
    join(&mut bob, "burst", "Bob");

    let mut events = vec![("join", json!({"room": "burst", "name": "Ada"}))];
    events.extend(messages("burst", "ada", 200));
    let ids = ada.emit_all(&events);
    let acks = ada.acks(&ids);
    assert_eq!(acks[0]["ok"], true, "the join: {}", acks[0]);
    let seqs: Vec<&Value> = acks[1..].iter().map(|a| &a["seq"]).collect();
    let expected: Vec<Value> = (1..=200).map(Value::from).collect();
    assert_eq!(
        seqs,
        expected.iter().collect::<Vec<_>>(),
        "acked seqs in send order"
    );

    let seen = stream(&mut bob, 200);
    let sent: Vec<(u64, String)> = (1..=200).map(|n| (n, format!("ada {n}"))).collect();
    assert_eq!(seen, sent, "the members see the burst in send order");
}

#[test]
fn messages_right_before_a_disconnect_are_stored_before_the_sender_leaves() {
    let data = tempfile::tempdir().expect("a data dir");
    let server = server_with(data.path(), &[]);
    let (mut ada, mut bob) = (connected(&server), connected(&server));
    join(&mut ada, "bye", "Ada");
    join(&mut bob, "bye", "Bob");
    assert_eq!(bob.next_event("presence")["members"], json!(["Ada", "Bob"]));

    // Twenty messages, then the Engine.IO close, in one body.
    let (mut packets, _) = ada.event_packets(&messages("bye", "ada", 20));
    packets.push("1".to_owned());
    ada.post(&packets.join("\u{1e}"));

    let sent: Vec<(u64, String)> = (1..=20).map(|n| (n, format!("ada {n}"))).collect();
    assert_eq!(stream(&mut bob, 20), sent);
    assert_eq!(
        bob.next_event("presence"),
        json!({"room": "bye", "members": ["Bob"]})
    );
}

#[test]
fn events_over_the_pending_limit_are_refused_with_a_sentence_and_the_rest_keep_their_order() {
    let data = tempfile::tempdir().expect("a data dir");
    let server = server_with(data.path(), &["--max-pending-events", "4"]);
    let mut ada = connected(&server);
    join(&mut ada, "full", "Ada");

    // The store is held up, so the connection's events pile up: four wait
    // in the queue, and a fifth if the connection's task has taken one out
    // (to wait on the store); the others are refused. Which ones are refused
    // depends on when the task takes its first (socketioxide may hand the
    // body's events over in more than one go), so at least 12 - 5 refusals,
    // whichever they are, must come while the store is still held up.
    let lock = WriteLock::take(data.path());
    let ids = ada.emit_all(&messages("full", "ada", 12));
    let sentence = "The server is still handling 4 earlier events from this connection; \
                    wait for their answers, then send this again.";
    let too_many = json!({"ok": false, "error": sentence});
    let refused_at_once = ada.some_acks(&ids, 7);
    for (id, ack) in &refused_at_once {
        assert_eq!(
            ack, &too_many,
            "message {id} answered while the store was held up"
        );
    }
    lock.release();

    // Every other event is answered: stored, numbered in send order, or
    // refused the same way.
    let rest: Vec<u32> = ids
        .iter()
        .copied()
        .filter(|id| refused_at_once.iter().all(|(refused, _)| refused != id))
        .collect();
    let mut stored = Vec::new();
    for (id, ack) in rest.iter().zip(ada.acks(&rest)) {
        if ack == too_many {
            continue;
        }
        let seq = ack["seq"].as_u64();
        assert!(seq.is_some(), "message {id} answered {ack}");
        let n = ids.iter().position(|i| i == id).expect("one of ids") + 1;
        stored.push((seq, format!("ada {n}")));
    }
    assert!(
        stored.len() == 4 || stored.len() == 5,
        "4 queued (and one taken by the task) are stored, no more: {stored:?}"
    );
    let seqs: Vec<Option<u64>> = stored.iter().map(|(seq, _)| *seq).collect();
    let in_order: Vec<Option<u64>> = (1..=stored.len() as u64).map(Some).collect();
    assert_eq!(seqs, in_order, "numbered in send order: {stored:?}");

    let mut bob = connected(&server);
    let history = bob.ask("join", json!({"room": "full", "name": "Bob"}))["history"].clone();
    let texts: Vec<&str> = history
        .as_array()
        .expect("a history")
        .iter()
        .filter_map(|m| m["text"].as_str())
        .collect();
    let expected: Vec<&str> = stored.iter().map(|(_, text)| text.as_str()).collect();
    assert_eq!(
        texts, expected,
        "only the queued ones were stored, in send order"
    );
}

#[test]
fn a_store_write_held_up_holds_up_only_its_own_connection() {
    let data = tempfile::tempdir().expect("a data dir");
    let server = server_with(data.path(), &[]);
    let (mut ada, mut bob) = (connected(&server), connected(&server));
    join(&mut ada, "slow", "Ada");
    join(&mut bob, "slow", "Bob");

    let lock = WriteLock::take(data.path());
    let held = ada.emit_all(&messages("slow", "ada", 1));
    // While Ada's write waits, Bob joins another room (reading its history),
    // types and leaves, each answered at once; Ada's own echo too.
    let joined = bob.ask("join", json!({"room": "elsewhere", "name": "Bob"}));
    assert_eq!(
        joined,
        json!({"ok": true, "history": [], "members": ["Bob"], "limits": {"maxTextChars": 4000, "historyLimit": 100}})
    );
    assert_eq!(
        bob.ask("typing", json!({"room": "slow"})),
        json!({"ok": true})
    );
    assert_eq!(
        bob.ask("leave", json!({"room": "elsewhere"})),
        json!({"ok": true})
    );
    assert_eq!(ada.ask("echo", json!("not queued")), json!("not queued"));
    lock.release();

    assert_eq!(ada.acks(&held), [json!({"ok": true, "seq": 1})]);
    assert_eq!(bob.next_event("message")["text"], "ada 1");
}
