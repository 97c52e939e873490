//! `bench-load`: thousands of real Socket.IO clients (leptos-socketio's
//! native driver) against our chat server and the official Node
//! `socket.io` 4.8 speaking the same chat contract, in one run, printed
//! side by side as ratios. See BENCHMARKS.md ("The server under load").
//!
//! ```sh
//! scripts/bench-load                # the full run: 1 000, 5 000, 10 000 clients
//! scripts/bench-load --smoke        # a few hundred clients; fails unless every delivery arrived
//! ```
//!
//! Everything runs on 127.0.0.1. The file-descriptor limit is raised inside
//! this process (soft up to hard); the servers, its children, inherit it.

mod fleet;
mod report;
mod scenarios;
mod servers;
mod stats;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;

use crate::fleet::Fleet;
use crate::report::Run;
use crate::servers::{repo_root, Kind, Programs, Server};

/// Load generator for the chat server (ours and Node's, side by side).
#[derive(Debug, Parser)]
#[command(name = "bench-load")]
struct Args {
    /// Clients to hold, in growing steps (comma-separated).
    #[arg(long, value_delimiter = ',', default_value = "1000,5000,10000")]
    clients: Vec<usize>,
    /// Members of the broadcast room.
    #[arg(long, default_value_t = 1000)]
    receivers: usize,
    /// Messages broadcast to that room.
    #[arg(long, default_value_t = 200)]
    messages: usize,
    /// Senders of the sustained `message` traffic (each in a room of its own).
    #[arg(long, default_value_t = 1000)]
    senders: usize,
    /// Messages per second and sender (our server allows 20 by default).
    #[arg(long, default_value_t = 16)]
    rate: u32,
    /// How long the sustained traffic lasts, in seconds.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Seconds the clients are held idle before the server is weighed.
    #[arg(long, default_value_t = 3)]
    hold: u64,
    /// Which servers (comma-separated): ours, node; 1-node, 2-nodes (ours
    /// on PostgreSQL, alone or two nodes through Redis, started by
    /// scripts/cluster: the several-nodes comparison).
    #[arg(long, value_delimiter = ',', default_value = "ours,node")]
    servers: Vec<String>,
    /// Our server's binary (default target/release/leptos-socketio-server).
    #[arg(long)]
    ours_bin: Option<PathBuf>,
    /// A flag for our server, e.g. `--ours-arg=--send-buffer=128`
    /// (repeatable); its defaults otherwise.
    #[arg(long, allow_hyphen_values = true)]
    ours_arg: Vec<String>,
    /// A quick check for the test command: 300 clients, 200 receivers × 100
    /// messages, 100 senders × 5/s for 3 s; exits 1 unless every client
    /// stayed connected, every delivery arrived once and every message was
    /// stored.
    #[arg(long)]
    smoke: bool,
}

#[tokio::main]
async fn main() -> ExitCode {
    let mut args = Args::parse();
    if args.smoke {
        args.clients = vec![300];
        args.receivers = 200;
        args.messages = 100;
        args.senders = 100;
        args.rate = 5;
        args.seconds = 3;
        args.hold = 1;
    }
    match run(&args).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: &Args) -> Result<bool, String> {
    let most = args.clients.iter().copied().max().unwrap_or(0);
    if args.receivers > most || args.senders > most {
        return Err(format!(
            "--receivers ({}) and --senders ({}) cannot be more than the most --clients ({most})",
            args.receivers, args.senders
        ));
    }
    // Each client holds one socket here and one in the server.
    let limit = rlimit::increase_nofile_limit(u64::MAX)
        .map_err(|e| format!("cannot raise the file-descriptor limit: {e}"))?;
    let needed = most as u64 + 256;
    if limit < needed {
        return Err(format!(
            "the file-descriptor limit is {limit} but {most} clients need about {needed}: \
             raise the hard limit (ulimit -Hn) or ask for fewer --clients"
        ));
    }
    let root = repo_root();
    let programs = Programs {
        ours: args
            .ours_bin
            .clone()
            .unwrap_or_else(|| root.join("target/release/leptos-socketio-server")),
        node_script: root.join("tests/support/chat-server.mjs"),
        ours_args: args.ours_arg.clone(),
    };
    eprintln!(
        "bench-load: clients {:?}, broadcast {} × {}, {} senders × {}/s for {} s; fd limit {limit}",
        args.clients, args.receivers, args.messages, args.senders, args.rate, args.seconds
    );
    let mut runs = Vec::new();
    for name in &args.servers {
        let kind = match name.as_str() {
            "ours" => Kind::Ours,
            "node" => Kind::Node,
            "1-node" => Kind::OneNode,
            "2-nodes" => Kind::TwoNodes,
            other => {
                return Err(format!(
                    "unknown server {other:?}: the servers are ours, node, 1-node and 2-nodes"
                ))
            }
        };
        runs.push(measure(kind, &programs, args).await?);
    }
    let find = |k: Kind| runs.iter().find(|r| r.kind == k);
    // The table is the program's output (stdout); progress goes to stderr.
    #[allow(clippy::print_stdout)]
    {
        if find(Kind::Ours).or(find(Kind::Node)).is_some() {
            println!("{}", report::table(find(Kind::Ours), find(Kind::Node)));
        }
        if find(Kind::TwoNodes).or(find(Kind::OneNode)).is_some() {
            println!(
                "{}",
                report::table_of(
                    find(Kind::TwoNodes),
                    find(Kind::OneNode),
                    &report::TWO_NODES_VS_ONE
                )
            );
        }
    }
    if !args.smoke {
        return Ok(true);
    }
    let mut ok = true;
    for run in &runs {
        for problem in smoke_problems(run, args) {
            eprintln!("smoke, {}: {problem}", run.kind.label());
            ok = false;
        }
    }
    if ok {
        eprintln!("smoke: every client held, every delivery arrived once, every message stored");
    }
    Ok(ok)
}

/// Everything against one server, started fresh.
async fn measure(kind: Kind, programs: &Programs, args: &Args) -> Result<Run, String> {
    let server = Server::start(kind, programs).await?;
    let result = measure_on(&server, args).await;
    if result.is_err() {
        let log = server.log();
        let tail: Vec<&str> = log.lines().rev().take(20).collect();
        eprintln!("the {} server's last log lines:", kind.label());
        for line in tail.into_iter().rev() {
            eprintln!("  {line}");
        }
    }
    server.stop().await;
    result
}

async fn measure_on(server: &Server, args: &Args) -> Result<Run, String> {
    tokio::time::sleep(Duration::from_millis(500)).await;
    let base_rss = server.rss().await?;
    let mut fleet = Fleet::new(&server.urls);
    let mut held = Vec::new();
    let mut sizes = args.clients.clone();
    sizes.sort_unstable();
    for n in sizes {
        let h = scenarios::hold(
            server,
            &mut fleet,
            n,
            base_rss,
            Duration::from_secs(args.hold),
        )
        .await?;
        eprintln!(
            "{}: {n} clients held {}, {:.1} KiB per connection, {:.0} connections/s",
            server.kind.label(),
            h.held,
            h.bytes_per_connection / 1024.0,
            h.connect_per_sec
        );
        held.push(h);
    }
    let broadcast = scenarios::broadcast(server, &fleet, args.receivers, args.messages).await?;
    eprintln!(
        "{}: broadcast delivered {}/{} ({:.0}/s); CPU meanwhile: server {:.2} s, load generator {:.2} s",
        server.kind.label(),
        broadcast.delivered,
        broadcast.expected,
        broadcast.per_sec,
        broadcast.cpu.server.as_secs_f64(),
        broadcast.cpu.generator.as_secs_f64(),
    );
    let throughput = scenarios::throughput(
        server,
        &fleet,
        args.senders,
        args.rate,
        Duration::from_secs(args.seconds),
    )
    .await?;
    eprintln!(
        "{}: stored {}/{} ({:.0}/s)",
        server.kind.label(),
        throughput.stored,
        throughput.sent,
        throughput.per_sec
    );
    fleet.close();
    Ok(Run {
        kind: server.kind,
        held,
        broadcast: Some(broadcast),
        throughput: Some(throughput),
    })
}

/// What the smoke run found wrong with `run`.
fn smoke_problems(run: &Run, args: &Args) -> Vec<String> {
    let mut problems = Vec::new();
    for h in &run.held {
        if h.held != h.clients {
            problems.push(format!(
                "{} of {} clients still connected",
                h.held, h.clients
            ));
        }
    }
    if let Some(b) = &run.broadcast {
        if b.delivered != b.expected || b.lost != 0 || b.duplicates != 0 {
            problems.push(format!(
                "broadcast delivered {} of {} (lost {}, duplicates {})",
                b.delivered, b.expected, b.lost, b.duplicates
            ));
        }
    }
    if let Some(t) = &run.throughput {
        let expected = args.senders as u64;
        if t.stored != t.sent || t.sent < expected || t.server_stored.is_some_and(|s| s != t.sent) {
            problems.push(format!(
                "throughput stored {} of {} sent (the server counted {:?}; refused {}, failed {})",
                t.stored, t.sent, t.server_stored, t.refused, t.failed
            ));
        }
    }
    problems
}
