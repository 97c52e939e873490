//! The servers under test: ours (the release binary) and the official Node
//! `socket.io` 4.8 speaking the same chat contract
//! (`tests/support/chat-server.mjs`). Each runs as a child process on
//! 127.0.0.1 with a port it picks, in a temporary directory of its own,
//! and is killed when dropped. For several nodes, ours runs as one node on
//! PostgreSQL or two nodes on PostgreSQL and Redis, started (and stopped)
//! by `scripts/cluster`.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::process::{Child, Command};

/// Which server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `leptos-socketio-server`: axum + socketioxide, history in SQLite.
    Ours,
    /// Node `socket.io` 4.8, history in memory.
    Node,
    /// Ours, one node, history in PostgreSQL (no Redis).
    OneNode,
    /// Ours, two nodes through Redis, history in PostgreSQL.
    TwoNodes,
}

impl Kind {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Self::Ours => "ours",
            Self::Node => "node",
            Self::OneNode => "1-node",
            Self::TwoNodes => "2-nodes",
        }
    }

    /// Our server (with its `/metrics`), on one node or more.
    pub(crate) fn is_ours(self) -> bool {
        self != Self::Node
    }
}

/// Where the servers' programs are.
#[derive(Debug, Clone)]
pub(crate) struct Programs {
    /// Our server's binary.
    pub(crate) ours: PathBuf,
    /// The Node chat server's script.
    pub(crate) node_script: PathBuf,
    /// Extra flags for our server.
    pub(crate) ours_args: Vec<String>,
}

/// A running server.
#[derive(Debug)]
pub(crate) struct Server {
    pub(crate) kind: Kind,
    /// `http://127.0.0.1:PORT` (of the first node).
    pub(crate) url: String,
    /// Every node's URL.
    pub(crate) urls: Vec<String>,
    /// Every node's process id.
    pids: Vec<u32>,
    /// The child process, or none for nodes `scripts/cluster` runs.
    child: Option<Child>,
    dir: PathBuf,
}

impl Server {
    /// Starts a server of `kind` in a fresh temporary directory and waits
    /// for its `listening on` line.
    pub(crate) async fn start(kind: Kind, programs: &Programs) -> Result<Self, String> {
        static RUN: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = RUN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!(
            "lsio-load-{}-{}-{n}",
            std::process::id(),
            kind.label()
        ));
        std::fs::create_dir_all(&dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let (mut command, what) = match kind {
            Kind::OneNode | Kind::TwoNodes => return Self::start_nodes(kind, programs, dir).await,
            Kind::Ours => {
                let mut c = Command::new(&programs.ours);
                c.args(["--host", "127.0.0.1", "--port", "0", "--static-dir"])
                    .arg(dir.join("no-app"))
                    .arg("--data-dir")
                    .arg(dir.join("data"))
                    .args(&programs.ours_args);
                (c, programs.ours.display().to_string())
            }
            Kind::Node => {
                let mut c = Command::new("node");
                c.arg("--expose-gc").arg(&programs.node_script).args([
                    "--port",
                    "0",
                    "--exit-with-stdin",
                ]);
                (c, format!("node {}", programs.node_script.display()))
            }
        };
        let log = std::fs::File::create(dir.join("server.log"))
            .map_err(|e| format!("cannot create the server log in {}: {e}", dir.display()))?;
        command
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log)
            .kill_on_drop(true);
        let mut child = command.spawn().map_err(|e| {
            format!("cannot start {what}: {e} (build it first: scripts/bench-load does)")
        })?;
        let pid = child.id().ok_or("the server exited at once")?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut lines = BufReader::new(stdout).lines();
        let first = tokio::time::timeout(Duration::from_secs(30), lines.next_line()).await;
        let url = match first {
            Ok(Ok(Some(line))) => line.strip_prefix("listening on ").map(str::to_owned),
            _ => None,
        };
        let Some(url) = url else {
            let log = std::fs::read_to_string(dir.join("server.log")).unwrap_or_default();
            return Err(format!(
                "{what} did not print `listening on URL`; its log:\n{log}"
            ));
        };
        Ok(Self {
            kind,
            urls: vec![url.clone()],
            url,
            pids: vec![pid],
            child: Some(child),
            dir,
        })
    }

    /// One node of ours on PostgreSQL, or two on PostgreSQL and Redis,
    /// started by `scripts/cluster` in `dir` (no nginx: the clients are
    /// spread over the nodes round-robin).
    async fn start_nodes(kind: Kind, programs: &Programs, dir: PathBuf) -> Result<Self, String> {
        let (nodes, only) = match kind {
            Kind::TwoNodes => (2, "postgres,redis,nodes"),
            _ => (1, "postgres,nodes"),
        };
        let cluster = dir.join("cluster");
        let mut command = Command::new(repo_root().join("scripts/cluster"));
        command
            .arg("start")
            .arg("--dir")
            .arg(&cluster)
            .args(["--nodes", &nodes.to_string(), "--only", only])
            .arg("--server-bin")
            .arg(&programs.ours)
            .arg("--static-dir")
            .arg(dir.join("no-app"));
        for arg in &programs.ours_args {
            command.arg(format!("--node-arg={arg}"));
        }
        let out = command
            .output()
            .await
            .map_err(|e| format!("cannot run scripts/cluster: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "scripts/cluster start failed:\n{}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let env = std::fs::read_to_string(cluster.join("cluster.env"))
            .map_err(|e| format!("cannot read cluster.env: {e}"))?;
        let value = |key: &str| {
            env.lines()
                .filter_map(|l| l.strip_prefix(key)?.strip_prefix('='))
                .next_back()
                .map(str::to_owned)
        };
        let mut urls = Vec::new();
        let mut pids = Vec::new();
        for k in 1..=nodes {
            urls.push(value(&format!("NODE{k}_URL")).ok_or("no node URL in cluster.env")?);
            let pid = std::fs::read_to_string(cluster.join(format!("node{k}/pid")))
                .map_err(|e| format!("no pid of node {k}: {e}"))?;
            pids.push(
                pid.trim()
                    .parse()
                    .map_err(|e| format!("pid of node {k}: {e}"))?,
            );
        }
        Ok(Self {
            kind,
            url: urls[0].clone(),
            urls,
            pids,
            child: None,
            dir,
        })
    }

    /// The server's resident set size in bytes (for Node after a full
    /// garbage collection, which its `/rss` runs).
    pub(crate) async fn rss(&self) -> Result<u64, String> {
        if self.kind == Kind::Node {
            http_get(&self.url, "/rss").await?;
        }
        self.pids.iter().map(|&pid| rss_of(pid)).sum()
    }

    /// CPU time the server has used so far (user + system; every node's;
    /// not Redis's or PostgreSQL's).
    pub(crate) fn cpu(&self) -> Duration {
        self.pids.iter().map(|&pid| cpu_of(pid)).sum()
    }

    /// `GET /metrics` of our server (every node's, one after the other: a
    /// counter read with [`metric`] is their sum) and how long the slowest
    /// took.
    pub(crate) async fn metrics(&self) -> Result<(String, Duration), String> {
        let mut text = String::new();
        let mut slowest = Duration::ZERO;
        for url in &self.urls {
            let (body, took) = get_metrics(url).await?;
            text.push_str(&body);
            slowest = slowest.max(took);
        }
        Ok((text, slowest))
    }

    /// Stops the server (SIGKILL; nothing it holds is needed afterwards)
    /// and removes its directory.
    pub(crate) async fn stop(mut self) {
        match &mut self.child {
            Some(child) => {
                let _ = child.kill().await;
            }
            None => {
                let _ = Command::new(repo_root().join("scripts/cluster"))
                    .arg("stop")
                    .arg("--dir")
                    .arg(self.dir.join("cluster"))
                    .output()
                    .await;
            }
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }

    /// The server's log so far (every node's).
    pub(crate) fn log(&self) -> String {
        if self.child.is_some() {
            return std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default();
        }
        (1..=self.urls.len())
            .map(|k| {
                std::fs::read_to_string(self.dir.join(format!("cluster/node{k}/server.log")))
                    .unwrap_or_default()
            })
            .collect()
    }
}

/// `GET base/metrics` and how long it took.
pub(crate) async fn get_metrics(base: &str) -> Result<(String, Duration), String> {
    let start = Instant::now();
    let body = http_get(base, "/metrics").await?;
    Ok((body, start.elapsed()))
}

/// A metric's value in a Prometheus text exposition (labels summed).
pub(crate) fn metric(text: &str, name: &str) -> Option<f64> {
    let mut found = None;
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let Some((key, value)) = line.rsplit_once(' ') else {
            continue;
        };
        let key = key.split('{').next().unwrap_or(key);
        if key == name {
            if let Ok(v) = value.parse::<f64>() {
                found = Some(found.unwrap_or(0.0) + v);
            }
        }
    }
    found
}

/// CPU time process `pid` has used (user + system; zero when unreadable).
pub(crate) fn cpu_of(pid: u32) -> Duration {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces): state is the
    // 3rd field, utime the 14th and stime the 15th, in clock ticks (100/s).
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<u64> = after
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|f| f.parse().ok())
        .collect();
    Duration::from_millis(fields.iter().sum::<u64>() * 10)
}

/// `VmRSS` of process `pid`, in bytes.
fn rss_of(pid: u32) -> Result<u64, String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .map_err(|e| format!("cannot read /proc/{pid}/status: {e}"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kb| kb * 1024)
        .ok_or_else(|| format!("no VmRSS in /proc/{pid}/status"))
}

/// The body of `GET base/path` (HTTP/1.0, 127.0.0.1 only).
async fn http_get(base: &str, path: &str) -> Result<String, String> {
    let host = base
        .strip_prefix("http://")
        .ok_or_else(|| format!("not an http:// URL: {base}"))?;
    let mut stream = TcpStream::connect(host)
        .await
        .map_err(|e| format!("cannot reach {base}: {e}"))?;
    let request = format!("GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| format!("GET {path}: {e}"))?;
    let mut answer = String::new();
    stream
        .read_to_string(&mut answer)
        .await
        .map_err(|e| format!("GET {path}: {e}"))?;
    let (head, body) = answer
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("GET {path}: not an HTTP answer"))?;
    if !head.starts_with("HTTP/1.1 200") && !head.starts_with("HTTP/1.0 200") {
        return Err(format!(
            "GET {path}: {}",
            head.lines().next().unwrap_or_default()
        ));
    }
    Ok(body.to_owned())
}

/// The repository's root (two levels above this crate).
pub(crate) fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metric_sums_labelled_samples() {
        let text = "# HELP x y\n# TYPE x gauge\nx{a=\"1\"} 2\nx{a=\"2\"} 3\nxy 9\n";
        assert_eq!(metric(text, "x"), Some(5.0));
        assert_eq!(metric(text, "xy"), Some(9.0));
        assert_eq!(metric(text, "z"), None);
    }

    #[test]
    fn cpu_of_this_process_grows_with_work() {
        let before = cpu_of(std::process::id());
        let start = Instant::now();
        let mut x = 0u64;
        while start.elapsed() < Duration::from_millis(300) {
            x = x.wrapping_mul(31).wrapping_add(7);
        }
        assert!(x != 1);
        assert!(cpu_of(std::process::id()) > before);
    }

    #[test]
    fn rss_of_this_process_is_read() {
        let rss = rss_of(std::process::id()).expect("VmRSS");
        assert!(rss > 1024 * 1024, "{rss}");
    }
}
