//! The measurements, each on a running server and its fleet of clients.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::fleet::{Client, Counters, Fleet};
use crate::servers::{metric, Server};
use crate::stats::{Samples, Sorted};

/// Joins running at once.
const JOINING_AT_ONCE: usize = 64;
/// How long deliveries may stall before a scenario stops waiting.
const STALL: Duration = Duration::from_secs(10);

/// Clients held at one size: connect rate, memory, still connected.
#[derive(Debug, Clone)]
pub(crate) struct Held {
    pub(crate) clients: usize,
    /// Connections opened per second while growing to `clients`.
    pub(crate) connect_per_sec: f64,
    /// Server RSS growth per connection since before the first client.
    pub(crate) bytes_per_connection: f64,
    /// Clients still connected after the hold.
    pub(crate) held: usize,
}

/// A room broadcast: `messages` sent to a room of `receivers`.
#[derive(Debug, Clone)]
pub(crate) struct Broadcast {
    pub(crate) receivers: usize,
    pub(crate) messages: usize,
    pub(crate) expected: u64,
    pub(crate) delivered: u64,
    pub(crate) duplicates: u64,
    /// Deliveries that came after one of a higher seq.
    pub(crate) reordered: u64,
    pub(crate) lost: u64,
    pub(crate) per_sec: f64,
    pub(crate) fan_out: Sorted,
    /// Our server's failed deliveries meanwhile (`None` for Node).
    pub(crate) failed_deliveries: Option<u64>,
    /// The slowest `GET /metrics` while the broadcast ran (ours).
    pub(crate) slowest_metrics: Option<Duration>,
    /// CPU time the server and the load generator used meanwhile.
    pub(crate) cpu: Cpu,
}

/// CPU time used during a scenario, by the server and by this generator.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Cpu {
    pub(crate) server: Duration,
    pub(crate) generator: Duration,
}

impl Cpu {
    fn now(server: &Server) -> Self {
        Self {
            server: server.cpu(),
            generator: crate::servers::cpu_of(std::process::id()),
        }
    }

    fn since(self, server: &Server) -> Self {
        let now = Self::now(server);
        Self {
            server: now.server.saturating_sub(self.server),
            generator: now.generator.saturating_sub(self.generator),
        }
    }
}

/// Sustained `message` traffic: each sender in a room of its own, at a
/// fixed rate, every message stored and acked.
#[derive(Debug, Clone)]
pub(crate) struct Throughput {
    pub(crate) senders: usize,
    pub(crate) rate_per_sender: u32,
    pub(crate) sent: u64,
    pub(crate) stored: u64,
    pub(crate) refused: u64,
    pub(crate) failed: u64,
    pub(crate) per_sec: f64,
    pub(crate) acks: Sorted,
    /// Our server's count of stored messages over the run (`None` for Node).
    pub(crate) server_stored: Option<u64>,
}

/// Grows the fleet to `clients`, then measures the server's memory and
/// holds them for `hold`.
pub(crate) async fn hold(
    server: &Server,
    fleet: &mut Fleet,
    clients: usize,
    base_rss: u64,
    hold: Duration,
) -> Result<Held, String> {
    let label = format!("{} {clients}", server.kind.label());
    let before = fleet.clients.len();
    let took = fleet.grow_to(clients, &label).await?;
    // Let the connections settle (handshakes, first pings) before weighing.
    tokio::time::sleep(hold).await;
    let rss = server.rss().await?;
    Ok(Held {
        clients,
        connect_per_sec: (clients - before) as f64 / took.as_secs_f64(),
        bytes_per_connection: rss.saturating_sub(base_rss) as f64 / clients as f64,
        held: fleet.connected(),
    })
}

/// Joins each client of `clients` to its room (`room(i)`) as `load`,
/// [`JOINING_AT_ONCE`] at a time (their joins sent together, then their
/// acks awaited).
async fn join_all(clients: &[Client], room: impl Fn(usize) -> String) -> Result<(), String> {
    for (n, chunk) in clients.chunks(JOINING_AT_ONCE).enumerate() {
        let acks: Vec<_> = chunk
            .iter()
            .enumerate()
            .map(|(i, client)| client.join(&room(n * JOINING_AT_ONCE + i), "load"))
            .collect();
        for ack in acks {
            ack.await?;
        }
    }
    Ok(())
}

/// Waits until `count` stops changing for a second.
async fn settle(count: &AtomicU64) {
    let mut last = count.load(Ordering::Relaxed);
    loop {
        tokio::time::sleep(Duration::from_secs(1)).await;
        let now = count.load(Ordering::Relaxed);
        if now == last {
            return;
        }
        last = now;
    }
}

/// `messages` messages to one room of the first `receivers` clients, sent
/// at once by as many of them as it takes for each to send at most 20 (our
/// server's default rate limit lets a client send a burst of 40). Waits until every delivery arrived, or none did for
/// [`STALL`].
pub(crate) async fn broadcast(
    server: &Server,
    fleet: &Fleet,
    receivers: usize,
    messages: usize,
) -> Result<Broadcast, String> {
    let clients = fleet
        .clients
        .get(..receivers)
        .ok_or("fewer clients than receivers")?;
    let counters = &fleet.counters;
    join_all(clients, |_| "broadcast".to_owned()).await?;
    // Every join sends a presence to the room: wait for the last.
    settle(&counters.presences).await;

    let failed_before = failed_deliveries(server).await;
    let delivered_before = counters.delivered.load(Ordering::Relaxed);
    let duplicates_before = counters.duplicates.load(Ordering::Relaxed);
    let reordered_before = counters.reordered.load(Ordering::Relaxed);
    let _ = counters.fan_out.take_sorted();
    let expected = (receivers * messages) as u64;

    let cpu = Cpu::now(server);
    let start_us = counters.now_us();
    let senders = messages.div_ceil(20).clamp(1, receivers);
    let mut acks = Vec::with_capacity(messages);
    for k in 0..messages {
        let sender = &clients[k % senders];
        let text = counters.stamped_text();
        acks.push(sender.socket.emit_with_ack::<Value>(
            "message",
            json!({ "room": "broadcast", "id": format!("b-{k}"), "text": text }),
        ));
    }
    let scrape = watch_metrics(server);
    let mut last = (0, Instant::now());
    loop {
        let got = counters.delivered.load(Ordering::Relaxed) - delivered_before;
        if got >= expected {
            break;
        }
        if got != last.0 {
            last = (got, Instant::now());
        } else if last.1.elapsed() > STALL {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let cpu = cpu.since(server);
    let slowest_metrics = scrape.stop().await;
    for ack in acks {
        let ack = ack.await.map_err(|e| format!("a broadcast message: {e}"))?;
        if ack["ok"] != json!(true) {
            return Err(format!("a broadcast message was refused: {ack}"));
        }
    }
    let delivered = counters.delivered.load(Ordering::Relaxed) - delivered_before;
    let duplicates = counters.duplicates.load(Ordering::Relaxed) - duplicates_before;
    let reordered = counters.reordered.load(Ordering::Relaxed) - reordered_before;
    let took_us = counters
        .last_delivery_us
        .load(Ordering::Relaxed)
        .saturating_sub(start_us)
        .max(1);
    let failed = grown(failed_before, failed_deliveries(server).await);
    Ok(Broadcast {
        receivers,
        messages,
        expected,
        delivered,
        duplicates,
        reordered,
        lost: expected.saturating_sub(delivered - duplicates),
        per_sec: delivered as f64 / (took_us as f64 / 1e6),
        fan_out: counters.fan_out.take_sorted(),
        failed_deliveries: failed,
        slowest_metrics,
        cpu,
    })
}

/// Each of `senders` clients (the last ones of the fleet) joins a room of
/// its own and sends `rate` messages a second for `duration`, each acked
/// once stored.
pub(crate) async fn throughput(
    server: &Server,
    fleet: &Fleet,
    senders: usize,
    rate: u32,
    duration: Duration,
) -> Result<Throughput, String> {
    let from = fleet
        .clients
        .len()
        .checked_sub(senders)
        .ok_or("fewer clients than senders")?;
    let clients = &fleet.clients[from..];
    join_all(clients, |i| format!("throughput-{i}")).await?;
    let stored_before = stored_messages(server).await;
    let tally = Arc::new(AckTally::new(&fleet.counters));
    let start_us = fleet.counters.now_us();
    let mut tasks = Vec::new();
    let every = Duration::from_secs(1) / rate.max(1);
    let deadline = tokio::time::Instant::now() + duration;
    for (i, client) in clients.iter().enumerate() {
        let (socket, tally) = (client.socket.clone(), Arc::clone(&tally));
        tasks.push(tokio::spawn(async move {
            // Senders start spread over one interval, not all at once.
            let offset = every * u32::try_from(i % 1000).unwrap_or(0) / 1000;
            let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + offset, every);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut pending = Vec::new();
            let mut k = 0u64;
            while tick.tick().await < deadline {
                let sent_at = Instant::now();
                let ack = socket.emit_with_ack::<Value>(
                    "message",
                    json!({
                        "room": format!("throughput-{i}"),
                        "id": format!("t-{i}-{k}"),
                        "text": tally.counters.stamped_text(),
                    }),
                );
                k += 1;
                tally.sent.fetch_add(1, Ordering::Relaxed);
                let tally = Arc::clone(&tally);
                pending.push(tokio::spawn(async move {
                    tally.settle(sent_at, ack.await);
                }));
            }
            for p in pending {
                let _ = p.await;
            }
        }));
    }
    for task in tasks {
        task.await.map_err(|e| e.to_string())?;
    }
    let stored = tally.stored.load(Ordering::Relaxed);
    let took_us = tally
        .last_ack_us
        .load(Ordering::Relaxed)
        .saturating_sub(start_us)
        .max(1);
    Ok(Throughput {
        senders,
        rate_per_sender: rate,
        sent: tally.sent.load(Ordering::Relaxed),
        stored,
        refused: tally.refused.load(Ordering::Relaxed),
        failed: tally.failed.load(Ordering::Relaxed),
        per_sec: stored as f64 / (took_us as f64 / 1e6),
        acks: tally.acks.take_sorted(),
        server_stored: grown(stored_before, stored_messages(server).await),
    })
}

/// What the acks of the sustained traffic said, counted from every sender.
struct AckTally {
    counters: Arc<Counters>,
    acks: Samples,
    sent: AtomicU64,
    stored: AtomicU64,
    refused: AtomicU64,
    failed: AtomicU64,
    /// Microseconds from the fleet's epoch to the latest `{ok: true}`.
    last_ack_us: AtomicU64,
}

impl AckTally {
    fn new(counters: &Arc<Counters>) -> Self {
        Self {
            counters: Arc::clone(counters),
            acks: Samples::default(),
            sent: AtomicU64::new(0),
            stored: AtomicU64::new(0),
            refused: AtomicU64::new(0),
            failed: AtomicU64::new(0),
            last_ack_us: AtomicU64::new(0),
        }
    }

    /// Counts the ack of a message sent at `sent_at`.
    fn settle<E>(&self, sent_at: Instant, ack: Result<Value, E>) {
        match ack {
            Ok(v) if v["ok"] == json!(true) => {
                self.acks.record(sent_at.elapsed());
                self.stored.fetch_add(1, Ordering::Relaxed);
                self.last_ack_us
                    .fetch_max(self.counters.now_us(), Ordering::Relaxed);
            }
            Ok(_) => {
                self.refused.fetch_add(1, Ordering::Relaxed);
            }
            Err(_) => {
                self.failed.fetch_add(1, Ordering::Relaxed);
            }
        }
    }
}

/// How much a counter of our server grew, when it was read both times.
fn grown(before: Option<u64>, after: Option<u64>) -> Option<u64> {
    Some(after?.saturating_sub(before?))
}

async fn ours_metric(server: &Server, name: &str) -> Option<u64> {
    if !server.kind.is_ours() {
        return None;
    }
    let (text, _) = server.metrics().await.ok()?;
    metric(&text, name).map(|v| v as u64)
}

async fn failed_deliveries(server: &Server) -> Option<u64> {
    ours_metric(server, "lsio_deliveries_failed_total").await
}

async fn stored_messages(server: &Server) -> Option<u64> {
    ours_metric(server, "lsio_messages_stored_total").await
}

/// `GET /metrics` every 100 ms while a scenario runs (our server only).
struct MetricsWatch {
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<Option<Duration>>,
}

fn watch_metrics(server: &Server) -> MetricsWatch {
    let (stop, mut stopped) = tokio::sync::oneshot::channel();
    let ours = server.kind.is_ours();
    let url = server.url.clone();
    let task = tokio::spawn(async move {
        if !ours {
            return None;
        }
        let mut slowest = Duration::ZERO;
        loop {
            if let Ok((_, took)) = crate::servers::get_metrics(&url).await {
                slowest = slowest.max(took);
            }
            tokio::select! {
                _ = &mut stopped => return Some(slowest),
                () = tokio::time::sleep(Duration::from_millis(100)) => {}
            }
        }
    });
    MetricsWatch { stop, task }
}

impl MetricsWatch {
    async fn stop(self) -> Option<Duration> {
        let _ = self.stop.send(());
        self.task.await.ok().flatten()
    }
}
