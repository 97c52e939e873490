//! Helpers shared by the integration tests: the real server binary as a
//! child process (killed on drop), and a raw HTTP/1.1 GET.

#![allow(dead_code, unreachable_pub)] // each test binary uses a subset

pub mod polling;
pub mod services;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// How long the server may take to print its URL.
const START_TIMEOUT: Duration = Duration::from_secs(15);

/// The server binary built by cargo for these tests.
pub fn server_command() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_leptos-socketio-server"));
    // Keep LSIO_* from the environment out of the way of explicit flags.
    for var in [
        "LSIO_HOST",
        "LSIO_PORT",
        "LSIO_STATIC_DIR",
        "LSIO_PING_INTERVAL_MS",
        "LSIO_PING_TIMEOUT_MS",
        "LSIO_MAX_PAYLOAD",
        "LSIO_ALLOWED_ORIGINS",
        "LSIO_DATA_DIR",
        "LSIO_DATABASE_URL",
        "LSIO_REDIS_URL",
        "LSIO_HISTORY_LIMIT",
        "LSIO_MAX_TEXT_CHARS",
        "LSIO_TOKEN",
        "LSIO_RATE_LIMIT_PER_SEC",
        "LSIO_RATE_LIMIT_BURST",
        "LSIO_SEND_BUFFER",
        "LSIO_MAX_PENDING_EVENTS",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("RUST_LOG", "info");
    cmd
}

/// A running server; killed (and reaped) when dropped, even if a test panics.
pub struct ServerProcess {
    child: Child,
    /// `http://HOST:PORT`, from the server's stdout line (empty until known).
    pub url: String,
    stdout: Arc<Mutex<String>>,
    stderr: Arc<Mutex<String>>,
    /// The temporary `--data-dir` made for this server when the test gave
    /// none; removed on drop.
    _data_dir: Option<tempfile::TempDir>,
}

impl ServerProcess {
    /// Spawns the server with exactly `args`, without waiting for anything.
    pub fn spawn(args: &[&str]) -> Self {
        Self::spawn_with_env(args, &[])
    }

    /// Spawns the server with exactly `args` (plus `--data-dir` on a fresh
    /// temporary directory unless `args` or `env` give one) and environment
    /// variables `env`, without waiting for anything.
    pub fn spawn_with_env(args: &[&str], env: &[(&str, &str)]) -> Self {
        let given = args.iter().any(|a| a.starts_with("--data-dir"))
            || env.iter().any(|(k, _)| *k == "LSIO_DATA_DIR");
        let data_dir = (!given).then(|| tempfile::tempdir().expect("a temporary data dir"));
        let mut cmd = server_command();
        cmd.args(args);
        if let Some(dir) = &data_dir {
            cmd.arg("--data-dir").arg(dir.path());
        }
        let mut child = cmd
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn the server binary");
        let stdout = drain(child.stdout.take().expect("piped stdout"));
        let stderr = drain(child.stderr.take().expect("piped stderr"));
        ServerProcess {
            child,
            url: String::new(),
            stdout,
            stderr,
            _data_dir: data_dir,
        }
    }

    /// Starts the server on `127.0.0.1` and a free port with `extra` flags,
    /// and waits for its `listening on …` line.
    pub fn start(extra: &[&str]) -> Self {
        Self::start_with_env(extra, &[])
    }

    /// Like [`ServerProcess::start`], with environment variables `env` set.
    pub fn start_with_env(extra: &[&str], env: &[(&str, &str)]) -> Self {
        let mut args = vec!["--host", "127.0.0.1", "--port", "0"];
        args.extend_from_slice(extra);
        let mut server = Self::spawn_with_env(&args, env);
        let deadline = Instant::now() + START_TIMEOUT;
        let line = loop {
            if let Some((line, _)) = server.stdout().split_once('\n') {
                break line.to_owned();
            }
            let exited = server.child.try_wait().expect("try_wait");
            if exited.is_some() || Instant::now() > deadline {
                panic!(
                    "the server printed no URL line (exit: {exited:?}); stderr:\n{}",
                    server.stderr()
                );
            }
            thread::sleep(Duration::from_millis(20));
        };
        server.url = line
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first stdout line: {line:?}"))
            .to_owned();
        server
    }

    /// `HOST:PORT` of the server.
    pub fn authority(&self) -> &str {
        self.url.trim_start_matches("http://")
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything the server wrote to stdout so far.
    pub fn stdout(&self) -> String {
        self.stdout.lock().expect("stdout lock").clone()
    }

    /// Everything the server wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().expect("stderr lock").clone()
    }

    /// Waits up to `timeout` for the server to exit by itself, then gives its
    /// pipes a moment to be drained.
    pub fn wait_for_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                thread::sleep(Duration::from_millis(100));
                return Some(status);
            }
            thread::sleep(Duration::from_millis(20));
        }
        None
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        // Already exited is fine; otherwise kill it and reap it.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Collects a pipe into a shared string on a background thread.
fn drain(mut pipe: impl Read + Send + 'static) -> Arc<Mutex<String>> {
    let text = Arc::new(Mutex::new(String::new()));
    let sink = Arc::clone(&text);
    thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = pipe.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock()
                .expect("pipe lock")
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    text
}

/// A parsed HTTP response.
#[derive(Debug)]
pub struct Response {
    /// The status code.
    pub status: u16,
    /// Header names (lower-cased) and values, in order.
    pub headers: Vec<(String, String)>,
    /// The raw body (the tests only request non-chunked responses).
    pub body: Vec<u8>,
}

impl Response {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Sends `GET path` over a fresh connection with `Connection: close` and
/// reads the whole response.
pub fn http_get(authority: &str, path: &str) -> Response {
    http_request(authority, "GET", path, &[], b"")
}

/// Sends `method path` with a `Host` header, `headers` (plus
/// `Connection: close` unless they name a `Connection`) and `body` (with a
/// `Content-Length` when not empty) over a fresh connection, and reads the
/// response: its head, then `Content-Length` bytes of body, or (without a
/// length) nothing for `101 Switching Protocols` and everything up to the
/// close otherwise.
pub fn http_request(
    authority: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Response {
    let mut stream = TcpStream::connect(authority).expect("connect to the server");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .expect("set read timeout");
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {authority}\r\n");
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    if !headers
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("connection"))
    {
        head.push_str("Connection: close\r\n");
    }
    if !body.is_empty() {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("\r\n");
    stream
        .write_all(head.as_bytes())
        .expect("send the request head");
    stream.write_all(body).expect("send the request body");

    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    let split = loop {
        if let Some(split) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break split;
        }
        let n = stream.read(&mut buf).expect("read the response head");
        assert!(
            n > 0,
            "connection closed before a complete header block: {raw:?}"
        );
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut body = raw[split + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().expect("a status line");
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse::<usize>().ok());
    match length {
        Some(length) => {
            while body.len() < length {
                let n = stream.read(&mut buf).expect("read the response body");
                assert!(n > 0, "connection closed inside the body");
                body.extend_from_slice(&buf[..n]);
            }
        }
        None if status == 101 => {}
        None => {
            stream
                .read_to_end(&mut body)
                .expect("read the response body");
        }
    }
    Response {
        status,
        headers,
        body,
    }
}
