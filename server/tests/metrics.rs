//! `GET /metrics`: Prometheus text with the chat's counters.

mod common;

use common::polling::Polling;
use common::{http_get, ServerProcess};
use serde_json::json;

fn value(body: &str, series: &str) -> u64 {
    body.lines()
        .find_map(|l| l.strip_prefix(series)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("{series} missing in:\n{body}"))
        .parse()
        .expect("an integer")
}

#[test]
fn metrics_count_connections_messages_acks_and_rejections() {
    let server = ServerProcess::start(&["--max-text-chars", "10"]);
    let mut client = Polling::open(server.authority());
    assert!(client.connect(None).starts_with('0'));
    client.ask("join", json!({"room": "r", "name": "Ada"}));
    assert_eq!(
        client.ask("message", json!({"room": "r", "id": "1", "text": "short"})),
        json!({"ok": true, "seq": 1})
    );
    assert_eq!(
        client.ask("message", json!({"room": "r", "id": "1", "text": "again"})),
        json!({"ok": true, "seq": 1})
    );
    let long = client.ask(
        "message",
        json!({"room": "r", "id": "2", "text": "much too long"}),
    );
    assert_eq!(
        long,
        json!({"ok": false, "error": "The message is 13 characters long; the limit is 10."})
    );
    let bad = client.ask("join", json!("lobby"));
    assert_eq!(bad["ok"], false);
    let not_joined = client.ask(
        "message",
        json!({"room": "elsewhere", "id": "3", "text": "x"}),
    );
    assert_eq!(
        not_joined["error"],
        "Join the room \"elsewhere\" before sending to it."
    );

    let res = http_get(server.authority(), "/metrics");
    assert_eq!(res.status, 200);
    assert!(
        res.header("content-type")
            .is_some_and(|t| t.starts_with("text/plain; version=0.0.4")),
        "{res:?}"
    );
    let body = String::from_utf8_lossy(&res.body);
    assert_eq!(value(&body, "lsio_connections{transport=\"polling\"}"), 1);
    assert_eq!(value(&body, "lsio_connections{transport=\"websocket\"}"), 0);
    assert_eq!(value(&body, "lsio_messages_stored_total"), 1);
    assert_eq!(value(&body, "lsio_messages_duplicate_total"), 1);
    assert_eq!(value(&body, "lsio_acks_sent_total"), 6);
    assert_eq!(value(&body, "lsio_deliveries_failed_total"), 0);
    assert_eq!(value(&body, "lsio_connected_clients"), 1);
    // The presence of the join and the stored message, to the one member.
    assert_eq!(value(&body, "lsio_deliveries_total"), 2);
    // Both `message`s went to the store (the second found its id there).
    assert_eq!(value(&body, "lsio_store_seconds_count"), 2);
    assert_eq!(
        value(
            &body,
            "lsio_rejected_inputs_total{reason=\"text_too_long\"}"
        ),
        1
    );
    assert_eq!(
        value(&body, "lsio_rejected_inputs_total{reason=\"bad_payload\"}"),
        1
    );
    assert_eq!(
        value(&body, "lsio_rejected_inputs_total{reason=\"not_joined\"}"),
        1
    );
    for family in [
        "lsio_connections",
        "lsio_messages_stored_total",
        "lsio_acks_sent_total",
        "lsio_deliveries_failed_total",
        "lsio_rejected_inputs_total",
    ] {
        assert!(body.contains(&format!("# TYPE {family} ")), "{family}");
    }
}

#[test]
fn over_the_rate_limit_messages_are_refused_with_a_sentence() {
    let server = ServerProcess::start(&["--rate-limit-per-sec", "1", "--rate-limit-burst", "2"]);
    let mut client = Polling::open(server.authority());
    assert!(client.connect(None).starts_with('0'));
    client.ask("join", json!({"room": "r", "name": "Ada"}));
    let acks: Vec<_> = (0..4)
        .map(|i| {
            client.ask(
                "message",
                json!({"room": "r", "id": format!("m{i}"), "text": "hi"}),
            )
        })
        .collect();
    assert_eq!(acks[0], json!({"ok": true, "seq": 1}));
    assert_eq!(acks[1], json!({"ok": true, "seq": 2}));
    let too_fast = json!({
        "ok": false,
        "error": "You are sending messages too fast; wait a moment and try again."
    });
    assert_eq!(acks[2], too_fast);
    assert_eq!(acks[3], too_fast);
    let body = String::from_utf8_lossy(&http_get(server.authority(), "/metrics").body).into_owned();
    assert_eq!(
        value(&body, "lsio_rejected_inputs_total{reason=\"rate_limited\"}"),
        2
    );
}

#[test]
fn a_full_send_buffer_is_counted_and_logged_as_failed_deliveries() {
    let server = ServerProcess::start(&["--send-buffer", "4"]);
    // `idle` joins and then never polls again: its buffer fills up.
    let mut idle = Polling::open(server.authority());
    assert!(idle.connect(None).starts_with('0'));
    idle.ask("join", json!({"room": "r", "name": "Idle"}));
    let mut sender = Polling::open(server.authority());
    assert!(sender.connect(None).starts_with('0'));
    sender.ask("join", json!({"room": "r", "name": "Busy"}));
    for i in 0..12 {
        let ack = sender.ask(
            "message",
            json!({"room": "r", "id": format!("m{i}"), "text": "hi"}),
        );
        assert_eq!(ack["ok"], true, "{ack}");
    }
    let body = String::from_utf8_lossy(&http_get(server.authority(), "/metrics").body).into_owned();
    let failed = value(&body, "lsio_deliveries_failed_total");
    assert!(
        failed >= 8,
        "12 messages into a 4-packet buffer: {failed} failed\n{body}"
    );
    assert_eq!(value(&body, "lsio_messages_stored_total"), 12);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while !server.stderr().contains("could not deliver") && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let stderr = server.stderr();
    let line = stderr
        .lines()
        .find(|l| l.contains("could not deliver"))
        .unwrap_or_else(|| panic!("a warning per failed delivery:\n{stderr}"));
    assert!(line.contains("WARN"), "{line}");
    assert!(line.contains("event=\"message\""), "{line}");
    assert!(line.contains("sid="), "{line}");

    // Once `idle` reads again, the latest message its buffer refused comes
    // after all: its seq tells the client what it missed (nothing is lost
    // silently; it catches up with `join {since}`).
    let mut latest = 0;
    while latest < 12 {
        latest = idle.next_event("message")["seq"].as_u64().expect("a seq");
    }
    let body = String::from_utf8_lossy(&http_get(server.authority(), "/metrics").body).into_owned();
    assert!(value(&body, "lsio_redeliveries_total") >= 1, "{body}");
}
