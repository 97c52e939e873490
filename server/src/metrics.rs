//! Counters for `GET /metrics`, rendered in the Prometheus text format.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::time::Duration;

use crate::chat::validate::Reason;

/// Upper bounds, in seconds, of the store-latency histogram's buckets.
const STORE_BUCKETS: [f64; 12] = [
    0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

/// The server's counters; shared by every handler, updated lock-free, so
/// reading them (`GET /metrics`) never waits for a broadcast or a write.
#[derive(Debug, Default)]
pub struct Metrics {
    connected: AtomicI64,
    deliveries: AtomicU64,
    /// Stores answered within each of [`STORE_BUCKETS`] (not cumulative).
    store_buckets: [AtomicU64; STORE_BUCKETS.len()],
    /// Stores slower than the last bucket.
    store_slower: AtomicU64,
    store_micros: AtomicU64,
    messages_stored: AtomicU64,
    messages_duplicate: AtomicU64,
    acks_sent: AtomicU64,
    deliveries_failed: AtomicU64,
    redeliveries: AtomicU64,
    store_errors: AtomicU64,
    cluster_errors: AtomicU64,
    rejected: [AtomicU64; Reason::ALL.len()],
}

/// Open Socket.IO connections by Engine.IO transport, counted when
/// `/metrics` is read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Connections {
    /// Connections on WebSocket (including upgraded ones).
    pub websocket: u64,
    /// Connections on HTTP long-polling.
    pub polling: u64,
}

fn index(reason: Reason) -> usize {
    Reason::ALL
        .iter()
        .position(|r| *r == reason)
        .unwrap_or_default()
}

impl Metrics {
    /// A client connected to namespace `/`.
    pub fn client_connected(&self) {
        self.connected.fetch_add(1, Ordering::Relaxed);
    }

    /// A client of namespace `/` disconnected.
    pub fn client_disconnected(&self) {
        self.connected.fetch_sub(1, Ordering::Relaxed);
    }

    /// Clients connected to namespace `/` now.
    pub fn connected_clients(&self) -> u64 {
        u64::try_from(self.connected.load(Ordering::Relaxed)).unwrap_or_default()
    }

    /// An event (`message`, `presence`, `typing`) was handed to a socket.
    pub fn delivered(&self) {
        self.deliveries.fetch_add(1, Ordering::Relaxed);
    }

    /// A `message` append took `took`, from handing it to the store to its
    /// answer (queueing for the writer included).
    pub fn store_took(&self, took: Duration) {
        let seconds = took.as_secs_f64();
        let bucket = STORE_BUCKETS.iter().position(|&le| seconds <= le);
        match bucket.and_then(|i| self.store_buckets.get(i)) {
            Some(counter) => counter.fetch_add(1, Ordering::Relaxed),
            None => self.store_slower.fetch_add(1, Ordering::Relaxed),
        };
        let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        self.store_micros.fetch_add(micros, Ordering::Relaxed);
    }

    /// A message was stored (a new `seq`).
    pub fn message_stored(&self) {
        self.messages_stored.fetch_add(1, Ordering::Relaxed);
    }

    /// A message repeated an id the room already had; not stored again.
    pub fn message_duplicate(&self) {
        self.messages_duplicate.fetch_add(1, Ordering::Relaxed);
    }

    /// An ack was handed to a socket.
    pub fn ack_sent(&self) {
        self.acks_sent.fetch_add(1, Ordering::Relaxed);
    }

    /// An event or ack could not be handed to a socket (buffer full, gone).
    pub fn delivery_failed(&self) {
        self.deliveries_failed.fetch_add(1, Ordering::Relaxed);
    }

    /// A message a full send buffer had refused was handed over later.
    pub fn redelivered(&self) {
        self.redeliveries.fetch_add(1, Ordering::Relaxed);
    }

    /// The history store failed to read or write.
    pub fn store_error(&self) {
        self.store_errors.fetch_add(1, Ordering::Relaxed);
    }

    /// The other nodes could not be reached (`--redis-url`).
    pub fn cluster_error(&self) {
        self.cluster_errors.fetch_add(1, Ordering::Relaxed);
    }

    /// An input was refused for `reason`.
    pub fn rejected(&self, reason: Reason) {
        if let Some(counter) = self.rejected.get(index(reason)) {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// How many inputs were refused for `reason` so far.
    pub fn rejected_count(&self, reason: Reason) -> u64 {
        self.rejected
            .get(index(reason))
            .map_or(0, |c| c.load(Ordering::Relaxed))
    }

    /// The Prometheus text exposition of every metric, with `connections`
    /// as the current connection gauge.
    pub fn render(&self, connections: Connections) -> String {
        let mut out = String::new();
        let load = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let mut family = |name: &str, kind: &str, help: &str, samples: &[(&str, u64)]| {
            // Writing to a String cannot fail.
            let _infallible = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
            for (labels, value) in samples {
                let _infallible = writeln!(out, "{name}{labels} {value}");
            }
        };
        family(
            "lsio_connections",
            "gauge",
            "Open Socket.IO connections by transport.",
            &[
                ("{transport=\"websocket\"}", connections.websocket),
                ("{transport=\"polling\"}", connections.polling),
            ],
        );
        family(
            "lsio_connected_clients",
            "gauge",
            "Clients connected to namespace / (counted as they come and go; cheap to read).",
            &[("", self.connected_clients())],
        );
        family(
            "lsio_deliveries_total",
            "counter",
            "Events (message, presence, typing) handed to sockets.",
            &[("", load(&self.deliveries))],
        );
        family(
            "lsio_messages_stored_total",
            "counter",
            "Chat messages stored (each got a new seq).",
            &[("", load(&self.messages_stored))],
        );
        family(
            "lsio_messages_duplicate_total",
            "counter",
            "Chat messages whose id the room already had (not stored again).",
            &[("", load(&self.messages_duplicate))],
        );
        family(
            "lsio_acks_sent_total",
            "counter",
            "Acks handed to sockets.",
            &[("", load(&self.acks_sent))],
        );
        family(
            "lsio_deliveries_failed_total",
            "counter",
            "Events or acks that could not be handed to a socket (send buffer full or socket gone).",
            &[("", load(&self.deliveries_failed))],
        );
        family(
            "lsio_redeliveries_total",
            "counter",
            "Messages handed over again, once its send buffer had room, to a socket whose buffer had refused them (the client then catches up by seq).",
            &[("", load(&self.redeliveries))],
        );
        family(
            "lsio_store_errors_total",
            "counter",
            "History store reads or writes that failed.",
            &[("", load(&self.store_errors))],
        );
        family(
            "lsio_cluster_errors_total",
            "counter",
            "Events or questions for the other nodes (--redis-url) that could not be sent; their members catch up by seq.",
            &[("", load(&self.cluster_errors))],
        );
        let labels: Vec<String> = Reason::ALL
            .iter()
            .map(|r| format!("{{reason=\"{}\"}}", r.label()))
            .collect();
        let rejected: Vec<(&str, u64)> = labels
            .iter()
            .zip(&self.rejected)
            .map(|(l, c)| (l.as_str(), load(c)))
            .collect();
        family(
            "lsio_rejected_inputs_total",
            "counter",
            "Inputs refused, by reason.",
            &rejected,
        );
        self.render_store_latency(&mut out);
        out
    }

    /// `lsio_store_seconds`: a Prometheus histogram of append latencies.
    fn render_store_latency(&self, out: &mut String) {
        let name = "lsio_store_seconds";
        let _infallible = writeln!(
            out,
            "# HELP {name} Time to store a chat message, from handing it to the store to its answer (waiting for the batching writer included).\n# TYPE {name} histogram"
        );
        let mut cumulative = 0;
        for (le, counter) in STORE_BUCKETS.iter().zip(&self.store_buckets) {
            cumulative += counter.load(Ordering::Relaxed);
            let _infallible = writeln!(out, "{name}_bucket{{le=\"{le}\"}} {cumulative}");
        }
        let count = cumulative + self.store_slower.load(Ordering::Relaxed);
        let sum = self.store_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _infallible = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
        let _infallible = writeln!(out, "{name}_sum {sum}");
        let _infallible = writeln!(out, "{name}_count {count}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_every_family_with_its_type() {
        let metrics = Metrics::default();
        metrics.message_stored();
        metrics.message_stored();
        metrics.ack_sent();
        metrics.delivery_failed();
        metrics.rejected(Reason::TextTooLong);
        metrics.rejected(Reason::RateLimited);
        metrics.rejected(Reason::RateLimited);
        metrics.client_connected();
        metrics.client_connected();
        metrics.client_disconnected();
        metrics.delivered();
        metrics.store_took(Duration::from_micros(300));
        metrics.store_took(Duration::from_millis(30));
        metrics.store_took(Duration::from_secs(5));
        let text = metrics.render(Connections {
            websocket: 3,
            polling: 1,
        });
        for line in [
            "# TYPE lsio_connections gauge",
            "lsio_connections{transport=\"websocket\"} 3",
            "lsio_connections{transport=\"polling\"} 1",
            "# TYPE lsio_messages_stored_total counter",
            "lsio_messages_stored_total 2",
            "lsio_messages_duplicate_total 0",
            "lsio_acks_sent_total 1",
            "lsio_deliveries_failed_total 1",
            "lsio_store_errors_total 0",
            "lsio_cluster_errors_total 0",
            "lsio_rejected_inputs_total{reason=\"text_too_long\"} 1",
            "lsio_rejected_inputs_total{reason=\"rate_limited\"} 2",
            "lsio_rejected_inputs_total{reason=\"unauthorized\"} 0",
            "lsio_connected_clients 1",
            "lsio_deliveries_total 1",
            "# TYPE lsio_store_seconds histogram",
            "lsio_store_seconds_bucket{le=\"0.0005\"} 1",
            "lsio_store_seconds_bucket{le=\"0.025\"} 1",
            "lsio_store_seconds_bucket{le=\"0.05\"} 2",
            "lsio_store_seconds_bucket{le=\"2.5\"} 2",
            "lsio_store_seconds_bucket{le=\"+Inf\"} 3",
            "lsio_store_seconds_sum 5.0303",
            "lsio_store_seconds_count 3",
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "missing {line:?} in:\n{text}"
            );
        }
        assert_eq!(metrics.rejected_count(Reason::RateLimited), 2);
        // Every non-comment line is `name[{labels}] value`.
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let (_, value) = line.rsplit_once(' ').expect("a value");
            value.parse::<f64>().expect("a number");
        }
    }
}
