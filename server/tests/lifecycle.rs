//! Starting and stopping the server process.

mod common;

use std::net::TcpListener;
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};

use common::polling::Polling;
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
fn an_unreachable_redis_or_database_is_one_error_line_naming_the_flag() {
    let closed = TcpListener::bind("127.0.0.1:0").expect("bind a free port");
    let port = closed.local_addr().expect("local addr").port();
    drop(closed);
    let redis = format!("redis://:secret@127.0.0.1:{port}/");
    let postgres = format!("postgres://chat:secret@127.0.0.1:{port}/chat");
    for (flag, url, says) in [
        (
            "--redis-url",
            redis.as_str(),
            "cannot reach Redis at redis://:***@127.0.0.1",
        ),
        (
            "--database-url",
            postgres.as_str(),
            "cannot open the history database postgres://chat:***@127.0.0.1",
        ),
    ] {
        let mut server = ServerProcess::spawn(&["--port", "0", flag, url]);
        let status = server
            .wait_for_exit(Duration::from_secs(20))
            .expect("the server exits");
        let stderr = server.stderr();
        assert_eq!(status.code(), Some(1), "stderr: {stderr}");
        let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error:")).collect();
        assert_eq!(errors.len(), 1, "one error line: {stderr}");
        assert!(errors[0].contains(says), "{says} in: {stderr}");
        assert!(errors[0].contains(flag), "{flag} in: {stderr}");
        assert!(
            !stderr.contains("secret"),
            "the password is not shown: {stderr}"
        );
    }
}

#[test]
fn the_server_raises_its_own_open_file_limit_to_the_hard_one() {
    // Children inherit this process's limits: start the server with a low
    // soft limit, as a fresh machine's 1 024 would be.
    let (_, hard) = rlimit::getrlimit(rlimit::Resource::NOFILE).expect("read the limit");
    rlimit::setrlimit(rlimit::Resource::NOFILE, 256.min(hard), hard).expect("lower the limit");
    let server = ServerProcess::start(&[]);
    let limits = std::fs::read_to_string(format!("/proc/{}/limits", server.pid()))
        .expect("read the server's limits");
    let open_files: Vec<&str> = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .expect("a Max open files line")
        .split_whitespace()
        .collect();
    // "Max open files <soft> <hard> files"
    assert_eq!(open_files[3], open_files[4], "{limits}");
    assert_eq!(open_files[4], hard.to_string(), "{limits}");
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
        ("--database-url", "LSIO_DATABASE_URL"),
        ("--redis-url", "LSIO_REDIS_URL"),
    ] {
        assert!(help.contains(flag), "{flag} in:\n{help}");
        assert!(help.contains(&format!("env: {var}")), "{var} in:\n{help}");
    }
}

/// The first line of `log` holding `message` and `sid`, waiting up to 5 s
/// for the server to write it.
fn log_line(server: &ServerProcess, message: &str, sid: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let log = server.stderr();
        if let Some(line) = log.lines().find(|l| l.contains(message) && l.contains(sid)) {
            return line.to_owned();
        }
        assert!(
            Instant::now() < deadline,
            "no {message:?} line for {sid} in:\n{log}"
        );
        thread::sleep(Duration::from_millis(20));
    }
}

#[test]
fn each_connect_and_disconnect_is_one_log_line_with_sid_transport_and_origin() {
    let server = ServerProcess::start(&[]);
    let origin = server.url.clone();
    let mut client = Polling::open_with_headers(server.authority(), &[("Origin", &origin)]);
    let answer = client.connect(None);
    let connected: serde_json::Value =
        serde_json::from_str(answer.strip_prefix('0').expect("connected")).expect("CONNECT JSON");
    let sid = connected["sid"].as_str().expect("a sid").to_owned();

    let line = log_line(&server, "socket connected", &sid);
    assert!(line.contains("INFO"), "{line}");
    assert!(line.contains("transport=Polling"), "{line}");
    assert!(line.contains(&format!("origin=\"{origin}\"")), "{line}");

    client.post("41");
    let line = log_line(&server, "socket disconnected", &sid);
    assert!(line.contains("transport=Polling"), "{line}");
    assert!(line.contains(&format!("origin=\"{origin}\"")), "{line}");
    assert!(line.contains("reason="), "{line}");
    let log = server.stderr();
    assert_eq!(
        log.lines().filter(|l| l.contains(&sid)).count(),
        2,
        "one line each:\n{log}"
    );
}
