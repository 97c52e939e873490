//! Starting and stopping the server process.

mod common;

use std::net::TcpListener;
use std::process::Command;
use std::time::Duration;

use common::ServerProcess;

#[test]
fn prints_the_actually_bound_port() {
    let server = ServerProcess::start(&[]);
    let port: u16 = server
        .authority()
        .rsplit_once(':')
        .and_then(|(_, p)| p.parse().ok())
        .expect("a port in the URL");
    assert_ne!(port, 0);
    assert!(
        server.url.starts_with("http://127.0.0.1:"),
        "{}",
        server.url
    );
}

#[test]
fn port_in_use_prints_a_clear_error() {
    let taken = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    let port = taken.local_addr().expect("local addr").port().to_string();

    let mut server = ServerProcess::spawn(&["--host", "127.0.0.1", "--port", &port]);
    let status = server
        .wait_for_exit(Duration::from_secs(10))
        .expect("the server exits when its port is taken");
    let (stdout, stderr) = (server.stdout(), server.stderr());

    assert_eq!(status.code(), Some(1), "stderr: {stderr}");
    assert_eq!(stdout, "", "no URL line when not listening");
    let expected = format!("error: cannot listen on 127.0.0.1:{port}: address already in use");
    assert!(stderr.contains(&expected), "stderr: {stderr}");
    assert!(stderr.contains("--port"), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "stderr: {stderr}");
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
}

#[test]
fn sigterm_shuts_down_gracefully() {
    stops_with_exit_code_0_on("TERM");
}

#[test]
fn sigint_shuts_down_gracefully() {
    stops_with_exit_code_0_on("INT");
}

/// Sends `SIG<signal>` right after the URL line and expects exit code 0
/// within a few seconds, with stdout holding just the URL line.
fn stops_with_exit_code_0_on(signal: &str) {
    let mut server = ServerProcess::start(&[]);
    let sent = Command::new("kill")
        .args([&format!("-{signal}"), &server.pid().to_string()])
        .status()
        .expect("run kill");
    assert!(sent.success());
    let status = server
        .wait_for_exit(Duration::from_secs(5))
        .unwrap_or_else(|| panic!("the server exits within 5 s of SIG{signal}"));
    let stderr = server.stderr();
    assert_eq!(status.code(), Some(0), "stderr: {stderr}");
    assert!(
        stderr.contains(&format!("SIG{signal} received")),
        "stderr: {stderr}"
    );
    assert_eq!(server.stdout(), format!("listening on {}\n", server.url));
}

#[test]
fn help_explains_every_flag_and_its_variable() {
    let out = Command::new(env!("CARGO_BIN_EXE_leptos-socketio-server"))
        .arg("--help")
        .output()
        .expect("run --help");
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for (flag, var) in [
        ("--host", "LSIO_HOST"),
        ("--port", "LSIO_PORT"),
        ("--static-dir", "LSIO_STATIC_DIR"),
        ("--max-payload", "LSIO_MAX_PAYLOAD"),
        ("--transports", "LSIO_TRANSPORTS"),
        ("--allowed-origin", "LSIO_ALLOWED_ORIGINS"),
        ("--data-dir", "LSIO_DATA_DIR"),
        ("--history-limit", "LSIO_HISTORY_LIMIT"),
        ("--max-text-chars", "LSIO_MAX_TEXT_CHARS"),
        ("--token", "LSIO_TOKEN"),
        ("--rate-limit-per-sec", "LSIO_RATE_LIMIT_PER_SEC"),
        ("--rate-limit-burst", "LSIO_RATE_LIMIT_BURST"),
        ("--send-buffer", "LSIO_SEND_BUFFER"),
    ] {
        assert!(help.contains(flag), "{flag} in:\n{help}");
        assert!(help.contains(&format!("env: {var}")), "{var} in:\n{help}");
    }
}
