//! What the server answers over plain HTTP.

mod common;

use common::{http_get, ServerProcess};

#[test]
fn healthz_answers_ok() {
    let server = ServerProcess::start(&[]);
    let res = http_get(server.authority(), "/healthz");
    assert_eq!(res.status, 200);
    assert_eq!(res.body, b"ok");
}

#[test]
fn serves_wasm_with_application_wasm_mime() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("index.html"), "<!doctype html><p>app</p>")
        .expect("write index.html");
    let wasm = b"\0asm\x01\0\0\0";
    std::fs::write(dir.path().join("a.wasm"), wasm).expect("write a.wasm");
    let static_dir = dir.path().to_str().expect("utf-8 temp path");
    let server = ServerProcess::start(&["--static-dir", static_dir]);

    let res = http_get(server.authority(), "/a.wasm");
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-type"), Some("application/wasm"));
    assert_eq!(res.body, wasm);

    let index = http_get(server.authority(), "/");
    assert_eq!(index.status, 200);
    assert!(
        index
            .header("content-type")
            .is_some_and(|t| t.starts_with("text/html")),
        "{:?}",
        index.headers
    );
    assert_eq!(index.body, b"<!doctype html><p>app</p>");
}

#[test]
fn missing_static_dir_warns_and_still_serves_socketio() {
    let dir = tempfile::tempdir().expect("temp dir");
    let missing = dir.path().join("not-built");
    let missing = missing.to_str().expect("utf-8 temp path");
    let server = ServerProcess::start(&["--static-dir", missing]);

    let res = http_get(server.authority(), "/socket.io/?EIO=4&transport=polling");
    assert_eq!(res.status, 200);
    let body = String::from_utf8_lossy(&res.body);
    assert!(body.starts_with("0{\"sid\":"), "handshake: {body}");
    assert!(body.contains("\"maxPayload\":1000000"), "handshake: {body}");

    let stderr = server.stderr();
    assert!(stderr.contains("--static-dir"), "stderr: {stderr}");
    assert!(stderr.contains("Run the build first"), "stderr: {stderr}");
}
