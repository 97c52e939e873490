//! Chat history lives in `--data-dir` and survives a graceful restart.

mod common;

use std::process::Command;
use std::time::Duration;

use common::polling::Polling;
use common::ServerProcess;
use serde_json::json;

fn sigterm(server: &mut ServerProcess) {
    let sent = Command::new("kill")
        .args(["-TERM", &server.pid().to_string()])
        .status()
        .expect("run kill");
    assert!(sent.success());
    let status = server
        .wait_for_exit(Duration::from_secs(10))
        .expect("the server exits after SIGTERM");
    assert_eq!(status.code(), Some(0), "stderr: {}", server.stderr());
}

#[test]
fn a_message_stored_before_sigterm_is_there_after_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("chat-data");
    let data = data.to_str().expect("a UTF-8 path");

    let mut first = ServerProcess::start(&["--data-dir", data]);
    let mut client = Polling::open(first.authority());
    assert!(client.connect(None).starts_with('0'));
    let joined = client.ask("join", json!({"room": "lobby", "name": "Ada"}));
    assert_eq!(
        joined,
        json!({"ok": true, "history": [], "members": ["Ada"], "limits": {"maxTextChars": 4000, "historyLimit": 100}})
    );
    let sent = client.ask(
        "message",
        json!({"room": "lobby", "id": "m1", "text": "kept"}),
    );
    assert_eq!(sent, json!({"ok": true, "seq": 1}));
    sigterm(&mut first);
    assert!(
        first.stderr().contains("history database closed"),
        "{}",
        first.stderr()
    );
    assert!(dir.path().join("chat-data/chat.sqlite3").is_file());

    let second = ServerProcess::start(&["--data-dir", data]);
    let mut client = Polling::open(second.authority());
    assert!(client.connect(None).starts_with('0'));
    let joined = client.ask("join", json!({"room": "lobby", "name": "Bob"}));
    let history = joined["history"].as_array().expect("a history");
    assert_eq!(history.len(), 1, "{joined}");
    assert_eq!(history[0]["seq"], 1);
    assert_eq!(history[0]["id"], "m1");
    assert_eq!(history[0]["name"], "Ada");
    assert_eq!(history[0]["text"], "kept");
    assert!(history[0]["ts"].as_i64().expect("ts") > 1_600_000_000_000);
    let next = client.ask(
        "message",
        json!({"room": "lobby", "id": "m2", "text": "more"}),
    );
    assert_eq!(next, json!({"ok": true, "seq": 2}));
}

#[test]
fn the_history_limit_and_since_shape_the_join_history() {
    let server = ServerProcess::start(&["--history-limit", "2"]);
    let mut client = Polling::open(server.authority());
    assert!(client.connect(None).starts_with('0'));
    client.ask("join", json!({"room": "r", "name": "Ada"}));
    for i in 1..=4 {
        let ack = client.ask(
            "message",
            json!({"room": "r", "id": format!("m{i}"), "text": "t"}),
        );
        assert_eq!(ack, json!({"ok": true, "seq": i}));
    }
    let seqs = |ack: serde_json::Value| -> Vec<u64> {
        ack["history"]
            .as_array()
            .expect("history")
            .iter()
            .map(|m| m["seq"].as_u64().expect("seq"))
            .collect()
    };
    assert_eq!(
        seqs(client.ask("join", json!({"room": "r", "name": "Ada"}))),
        [3, 4]
    );
    assert_eq!(
        seqs(client.ask("join", json!({"room": "r", "name": "Ada", "since": 1}))),
        [2, 3]
    );
    assert!(seqs(client.ask("join", json!({"room": "r", "name": "Ada", "since": 4}))).is_empty());
}

#[test]
fn an_unusable_data_dir_is_one_error_line_naming_the_flag() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"not a directory").expect("write a file");
    let data = file.join("data");
    let data = data.to_str().expect("a UTF-8 path");
    let mut server =
        ServerProcess::spawn(&["--host", "127.0.0.1", "--port", "0", "--data-dir", data]);
    let status = server
        .wait_for_exit(Duration::from_secs(10))
        .expect("the server exits");
    let stderr = server.stderr();
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("error: cannot create the data directory"),
        "{stderr}"
    );
    assert!(stderr.contains(data), "{stderr}");
    assert!(stderr.contains("--data-dir"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(
        server.stdout(),
        "",
        "no URL line when the store cannot open"
    );
}
