//! Many real clients of one server: the library's `Socket` on its native
//! driver, WebSocket only, each counting what it receives.

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use leptos_socketio::engine::TransportMode;
use leptos_socketio::{ConnectionState, EventListener, Socket, SocketOptions};
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::{oneshot, Semaphore};

use crate::stats::Samples;

/// How many connection attempts are in flight at once.
const CONNECTING_AT_ONCE: usize = 64;
/// How long one client may take to connect or to have an ack.
const PATIENCE: Duration = Duration::from_secs(60);

/// What every client of a fleet adds to.
#[derive(Debug)]
pub(crate) struct Counters {
    /// When the fleet was made; message texts carry their send time from it.
    epoch: Instant,
    /// `message` events received, all clients.
    pub(crate) delivered: AtomicU64,
    /// `message` events whose room and seq a client had already seen.
    pub(crate) duplicates: AtomicU64,
    /// `message` events that arrived after one of a higher seq of their
    /// room (with several nodes, two messages sent through two nodes at
    /// once may reach a member in either order; clients order by seq).
    pub(crate) reordered: AtomicU64,
    /// `presence` events received, all clients.
    pub(crate) presences: AtomicU64,
    /// Times a connected client lost its connection.
    pub(crate) drops: AtomicU64,
    /// Fan-out latencies: from the send to each delivery.
    pub(crate) fan_out: Samples,
    /// Microseconds from `epoch` to the latest delivery.
    pub(crate) last_delivery_us: AtomicU64,
}

impl Counters {
    fn new() -> Self {
        Self {
            epoch: Instant::now(),
            delivered: AtomicU64::new(0),
            duplicates: AtomicU64::new(0),
            reordered: AtomicU64::new(0),
            presences: AtomicU64::new(0),
            drops: AtomicU64::new(0),
            fan_out: Samples::default(),
            last_delivery_us: AtomicU64::new(0),
        }
    }

    /// Microseconds since the fleet was made.
    pub(crate) fn now_us(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_micros()).unwrap_or(u64::MAX)
    }

    /// A 32-character message text carrying the time it is made.
    pub(crate) fn stamped_text(&self) -> String {
        format!("t{:012}-load-benchmark-txt", self.now_us())
    }
}

/// The send time a [`Counters::stamped_text`] carries.
fn stamp_of(text: &str) -> Option<u64> {
    text.get(1..13)?.parse().ok()
}

/// The part of a `message` event the clients look at.
#[derive(Debug, Deserialize)]
struct Delivered {
    room: String,
    seq: u64,
    text: String,
}

/// One connected client.
pub(crate) struct Client {
    pub(crate) socket: Socket,
    connected: Arc<AtomicBool>,
    _listeners: [EventListener; 3],
}

impl Client {
    /// Connects to `url` and waits until the namespace is joined.
    async fn connect(url: &str, counters: &Arc<Counters>) -> Result<Self, String> {
        let socket = Socket::new(
            SocketOptions::new(url)
                .transports(TransportMode::WebSocketOnly)
                .ack_timeout(PATIENCE),
        );
        let (tx, rx) = oneshot::channel::<()>();
        let tx = Mutex::new(Some(tx));
        let connected = Arc::new(AtomicBool::new(false));
        let status = {
            let (counters, connected) = (Arc::clone(counters), Arc::clone(&connected));
            socket.on_connection_change(move |state, _| {
                let now = state == ConnectionState::Connected;
                if connected.swap(now, Ordering::Relaxed) && !now {
                    counters.drops.fetch_add(1, Ordering::Relaxed);
                }
                if now {
                    if let Some(tx) = tx.lock().ok().and_then(|mut tx| tx.take()) {
                        let _ = tx.send(());
                    }
                }
            })
        };
        // Per room: the highest seq seen, and every seq seen.
        let seen = Mutex::new(HashMap::<String, (u64, HashSet<u64>)>::new());
        let messages = {
            let counters = Arc::clone(counters);
            socket.on("message", move |m: Result<Delivered, _>| {
                let Ok(m) = m else { return };
                let now = counters.now_us();
                counters.delivered.fetch_add(1, Ordering::Relaxed);
                counters.last_delivery_us.fetch_max(now, Ordering::Relaxed);
                {
                    let mut seen = seen.lock().unwrap_or_else(PoisonError::into_inner);
                    let (highest, seqs) = seen.entry(m.room).or_default();
                    if !seqs.insert(m.seq) {
                        counters.duplicates.fetch_add(1, Ordering::Relaxed);
                    } else if m.seq < *highest {
                        counters.reordered.fetch_add(1, Ordering::Relaxed);
                    }
                    *highest = (*highest).max(m.seq);
                }
                if let Some(sent) = stamp_of(&m.text) {
                    counters
                        .fan_out
                        .record(Duration::from_micros(now.saturating_sub(sent)));
                }
            })
        };
        let presences = {
            let counters = Arc::clone(counters);
            socket.on("presence", move |_: Result<Value, _>| {
                counters.presences.fetch_add(1, Ordering::Relaxed);
            })
        };
        match tokio::time::timeout(PATIENCE, rx).await {
            Ok(Ok(())) => Ok(Self {
                socket,
                connected,
                _listeners: [status, messages, presences],
            }),
            _ => Err(format!(
                "a client did not connect within {} s (state {}, transport {}): {}",
                PATIENCE.as_secs(),
                socket.state(),
                socket.transport(),
                socket
                    .last_error()
                    .unwrap_or_else(|| "no error reported".into())
            )),
        }
    }

    /// Whether the client is connected now.
    pub(crate) fn is_connected(&self) -> bool {
        self.connected.load(Ordering::Relaxed)
    }

    /// Joins `room` as `name`: the `join` goes out now; the future
    /// resolves with its ack (a refusal as the `Err`).
    pub(crate) fn join(
        &self,
        room: &str,
        name: &str,
    ) -> impl std::future::Future<Output = Result<(), String>> + 'static {
        let ack = self
            .socket
            .emit_with_ack::<Value>("join", json!({ "room": room, "name": name }));
        let room = room.to_owned();
        async move {
            match ack.await {
                Ok(v) if v["ok"] == json!(true) => Ok(()),
                Ok(v) => Err(format!("join {room} refused: {v}")),
                Err(e) => Err(format!("join {room}: {e}")),
            }
        }
    }
}

/// The clients of one server, and what they counted.
pub(crate) struct Fleet {
    /// The servers' URLs: client `i` connects to `urls[i % len]`.
    urls: Vec<String>,
    pub(crate) clients: Vec<Client>,
    pub(crate) counters: Arc<Counters>,
}

impl Fleet {
    pub(crate) fn new(urls: &[String]) -> Self {
        Self {
            urls: urls.to_vec(),
            clients: Vec::new(),
            counters: Arc::new(Counters::new()),
        }
    }

    /// Connects clients until there are `total`, at most
    /// [`CONNECTING_AT_ONCE`] at a time, printing a progress line to
    /// stderr. Returns how long it took.
    pub(crate) async fn grow_to(&mut self, total: usize, label: &str) -> Result<Duration, String> {
        let start = Instant::now();
        let from = self.clients.len();
        let wanted = total.saturating_sub(from);
        let gate = Arc::new(Semaphore::new(CONNECTING_AT_ONCE));
        let done = Arc::new(AtomicU64::new(0));
        let mut tasks = Vec::with_capacity(wanted);
        for i in from..total {
            let (gate, done, url, counters) = (
                Arc::clone(&gate),
                Arc::clone(&done),
                self.urls[i % self.urls.len().max(1)].clone(),
                Arc::clone(&self.counters),
            );
            tasks.push(tokio::spawn(async move {
                let _permit = gate.acquire_owned().await.map_err(|e| e.to_string())?;
                let client = Client::connect(&url, &counters).await;
                done.fetch_add(1, Ordering::Relaxed);
                client
            }));
        }
        let progress = {
            let (done, label) = (Arc::clone(&done), label.to_owned());
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    let n = done.load(Ordering::Relaxed);
                    let rate = n as f64 / start.elapsed().as_secs_f64();
                    eprint!(
                        "\r{label}: connected {}/{total} ({rate:.0}/s)   ",
                        from as u64 + n
                    );
                }
            })
        };
        let mut first_error = None;
        for task in tasks {
            match task.await {
                Ok(Ok(client)) => self.clients.push(client),
                Ok(Err(e)) => {
                    first_error.get_or_insert(e);
                }
                Err(e) => {
                    first_error.get_or_insert(e.to_string());
                }
            }
        }
        progress.abort();
        let took = start.elapsed();
        eprintln!(
            "\r{label}: connected {}/{total} in {:.1} s            ",
            self.clients.len(),
            took.as_secs_f64()
        );
        match first_error {
            Some(e) => Err(format!(
                "{} of {wanted} clients did not connect; the first: {e}",
                total - self.clients.len()
            )),
            None => Ok(took),
        }
    }

    /// How many clients are connected now.
    pub(crate) fn connected(&self) -> usize {
        self.clients.iter().filter(|c| c.is_connected()).count()
    }

    /// Closes every client's connection.
    pub(crate) fn close(self) {
        for client in &self.clients {
            client.socket.disconnect();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stamped_text_is_32_characters_and_carries_its_time() {
        let counters = Counters::new();
        let text = counters.stamped_text();
        assert_eq!(text.len(), 32, "{text}");
        let stamp = stamp_of(&text).expect("a stamp");
        assert!(stamp <= counters.now_us());
        assert_eq!(stamp_of("hello"), None);
    }
}
