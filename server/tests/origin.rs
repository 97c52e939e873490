//! The origin allow-list (`--allowed-origin`): CORS for polling, 403 for
//! other origins on both transports, requests without `Origin` allowed.

mod common;

use std::thread;
use std::time::{Duration, Instant};

use common::{http_request, Response, ServerProcess};

/// The origin the tests allow explicitly.
const APP: &str = "http://app.example:8443";
/// An origin that is never allowed.
const EVIL: &str = "http://evil.example";

const POLLING: &str = "/socket.io/?EIO=4&transport=polling";
const WEBSOCKET: &str = "/socket.io/?EIO=4&transport=websocket";

/// A polling handshake, with `Origin: origin` when given.
fn polling_handshake(server: &ServerProcess, origin: Option<&str>) -> Response {
    let headers: Vec<(&str, &str)> = origin.map(|o| ("Origin", o)).into_iter().collect();
    http_request(server.authority(), "GET", POLLING, &headers, b"")
}

/// A WebSocket upgrade request head, sent by hand, with `Origin: origin`
/// when given; returns the response head (101 or an error).
fn websocket_handshake(server: &ServerProcess, origin: Option<&str>) -> Response {
    let mut headers = vec![
        ("Connection", "Upgrade"),
        ("Upgrade", "websocket"),
        ("Sec-WebSocket-Version", "13"),
        ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
    ];
    if let Some(origin) = origin {
        headers.push(("Origin", origin));
    }
    http_request(server.authority(), "GET", WEBSOCKET, &headers, b"")
}

/// The session id of a polling handshake response.
fn sid(res: &Response) -> String {
    let body = String::from_utf8_lossy(&res.body);
    let json = body
        .strip_prefix('0')
        .unwrap_or_else(|| panic!("open packet: {body}"));
    let open: serde_json::Value = serde_json::from_str(json).expect("open packet JSON");
    open["sid"].as_str().expect("a sid").to_owned()
}

/// The server's stderr once `done` holds for it (the pipe is read on
/// another thread), or after 5 s.
fn stderr_once(server: &ServerProcess, done: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let stderr = server.stderr();
        if done(&stderr) || Instant::now() > deadline {
            return stderr;
        }
        thread::sleep(Duration::from_millis(20));
    }
}

fn cors_headers(res: &Response) -> Vec<&(String, String)> {
    res.headers
        .iter()
        .filter(|(k, _)| k.starts_with("access-control-"))
        .collect()
}

fn assert_switches(res: &Response, what: &str) {
    assert_eq!(res.status, 101, "{what}: {res:?}");
    assert_eq!(
        res.header("sec-websocket-accept"),
        Some("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="),
        "{what}: {res:?}"
    );
}

fn assert_refused(res: &Response, origin: &str, what: &str) {
    assert_eq!(res.status, 403, "{what}: {res:?}");
    assert!(
        cors_headers(res).is_empty(),
        "{what}: no CORS headers: {res:?}"
    );
    let body = String::from_utf8_lossy(&res.body);
    assert!(
        body.contains(origin),
        "{what}: the body names the origin: {body}"
    );
    assert!(
        body.contains(&format!("--allowed-origin {origin}")),
        "{what}: the body names the flag: {body}"
    );
}

#[test]
fn polling_from_an_allowed_origin_gets_cors_headers() {
    let server = ServerProcess::start(&["--allowed-origin", &format!("{APP}/")]);

    let open = polling_handshake(&server, Some(APP));
    assert_eq!(open.status, 200, "{open:?}");
    assert_eq!(open.header("access-control-allow-origin"), Some(APP));
    assert_eq!(open.header("access-control-allow-credentials"), None);
    assert!(
        open.header("vary").is_some_and(|v| v.contains("origin")),
        "{open:?}"
    );
    let sid = sid(&open);

    // The preflight a browser sends before a POST with a content-type.
    let preflight = http_request(
        server.authority(),
        "OPTIONS",
        &format!("{POLLING}&sid={sid}"),
        &[
            ("Origin", APP),
            ("Access-Control-Request-Method", "POST"),
            ("Access-Control-Request-Headers", "content-type"),
        ],
        b"",
    );
    assert!(
        (200..300).contains(&preflight.status),
        "preflight: {preflight:?}"
    );
    assert_eq!(preflight.header("access-control-allow-origin"), Some(APP));
    let methods = preflight
        .header("access-control-allow-methods")
        .unwrap_or_default()
        .to_ascii_uppercase();
    for method in ["GET", "POST", "OPTIONS"] {
        assert!(methods.contains(method), "allow-methods: {methods}");
    }
    assert!(
        preflight
            .header("access-control-allow-headers")
            .is_some_and(|h| h.to_ascii_lowercase().contains("content-type")),
        "{preflight:?}"
    );
    assert_eq!(preflight.header("access-control-allow-credentials"), None);

    // The POST itself: the Socket.IO CONNECT, answered `ok`.
    let post = http_request(
        server.authority(),
        "POST",
        &format!("{POLLING}&sid={sid}"),
        &[
            ("Origin", APP),
            ("Content-Type", "text/plain;charset=UTF-8"),
        ],
        b"40",
    );
    assert_eq!(post.status, 200, "{post:?}");
    assert_eq!(post.body, b"ok");
    assert_eq!(post.header("access-control-allow-origin"), Some(APP));
}

#[test]
fn polling_from_another_origin_is_refused() {
    let server = ServerProcess::start(&["--allowed-origin", APP]);

    assert_refused(&polling_handshake(&server, Some(EVIL)), EVIL, "handshake");
    let preflight = http_request(
        server.authority(),
        "OPTIONS",
        POLLING,
        &[("Origin", EVIL), ("Access-Control-Request-Method", "POST")],
        b"",
    );
    assert_refused(&preflight, EVIL, "preflight");
    // Close to an allowed origin is not enough: the comparison is exact.
    for near in [
        "http://app.example",
        "https://app.example:8443",
        "http://app.example:8444",
    ] {
        assert_refused(&polling_handshake(&server, Some(near)), near, near);
    }

    // Outside /socket.io/ the request is served, without CORS headers.
    let health = http_request(
        server.authority(),
        "GET",
        "/healthz",
        &[("Origin", EVIL)],
        b"",
    );
    assert_eq!(health.status, 200, "{health:?}");
    assert!(cors_headers(&health).is_empty(), "{health:?}");

    let stderr = stderr_once(&server, |s| s.matches("refused").count() >= 2);
    let refusals: Vec<_> = stderr
        .lines()
        .filter(|l| l.contains("WARN") && l.contains(EVIL))
        .collect();
    assert_eq!(
        refusals.len(),
        2,
        "one warn line per refused request: {stderr}"
    );
    assert!(refusals[0].contains("--allowed-origin"), "{stderr}");
}

#[test]
fn websocket_handshake_from_another_origin_is_refused() {
    let server = ServerProcess::start(&["--allowed-origin", APP]);

    assert_refused(&websocket_handshake(&server, Some(EVIL)), EVIL, "websocket");
    assert_switches(&websocket_handshake(&server, Some(APP)), "allowed origin");

    let stderr = stderr_once(&server, |s| s.contains("refused"));
    assert!(
        stderr
            .lines()
            .any(|l| l.contains("WARN") && l.contains(EVIL)),
        "{stderr}"
    );
}

#[test]
fn no_origin_header_is_allowed() {
    // The list does not even hold the server's own origin.
    let server = ServerProcess::start(&["--allowed-origin", APP]);

    let open = polling_handshake(&server, None);
    assert_eq!(open.status, 200, "{open:?}");
    assert_eq!(open.header("access-control-allow-origin"), None);
    let sid = sid(&open);
    let post = http_request(
        server.authority(),
        "POST",
        &format!("{POLLING}&sid={sid}"),
        &[("Content-Type", "text/plain;charset=UTF-8")],
        b"40",
    );
    assert_eq!(post.status, 200, "{post:?}");
    assert_eq!(post.body, b"ok");

    assert_switches(&websocket_handshake(&server, None), "no origin");
    assert!(!server.stderr().contains("refused"), "{}", server.stderr());
}

#[test]
fn default_allows_own_origin_and_trunk_dev_port() {
    let server = ServerProcess::start(&[]);
    let port = server
        .authority()
        .rsplit_once(':')
        .map(|(_, p)| p.to_owned())
        .expect("a port in the URL");
    assert_ne!(port, "0");

    let own = [
        format!("http://127.0.0.1:{port}"),
        format!("http://localhost:{port}"),
    ];
    let trunk = ["http://127.0.0.1:8080", "http://localhost:8080"];
    for origin in own.iter().map(String::as_str).chain(trunk) {
        let open = polling_handshake(&server, Some(origin));
        assert_eq!(open.status, 200, "{origin}: {open:?}");
        assert_eq!(open.header("access-control-allow-origin"), Some(origin));
        assert_switches(&websocket_handshake(&server, Some(origin)), origin);
    }

    let others = [
        format!("https://127.0.0.1:{port}"),
        "http://localhost:8081".to_owned(),
        "http://127.0.0.1".to_owned(),
        EVIL.to_owned(),
    ];
    for origin in &others {
        assert_refused(&polling_handshake(&server, Some(origin)), origin, origin);
        assert_refused(&websocket_handshake(&server, Some(origin)), origin, origin);
    }
}

#[test]
fn origins_come_from_the_environment_too() {
    let server = ServerProcess::start_with_env(
        &[],
        &[(
            "LSIO_ALLOWED_ORIGINS",
            "http://a.example, https://b.example/",
        )],
    );
    for origin in ["http://a.example", "https://b.example"] {
        let open = polling_handshake(&server, Some(origin));
        assert_eq!(open.status, 200, "{origin}: {open:?}");
        assert_eq!(open.header("access-control-allow-origin"), Some(origin));
    }
    // The list replaces the default.
    assert_refused(
        &polling_handshake(&server, Some("http://localhost:8080")),
        "http://localhost:8080",
        "trunk",
    );
}

#[test]
fn an_invalid_origin_is_a_clear_error() {
    let mut server =
        ServerProcess::spawn(&["--port", "0", "--allowed-origin", "http://x.example/app"]);
    let status = server
        .wait_for_exit(Duration::from_secs(10))
        .expect("the server exits on a bad flag");
    let stderr = server.stderr();
    assert_eq!(status.code(), Some(2), "{stderr}");
    assert_eq!(server.stdout(), "");
    assert!(stderr.contains("--allowed-origin"), "{stderr}");
    assert!(stderr.contains("scheme://host[:port]"), "{stderr}");
}
