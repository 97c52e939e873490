//! Counters for `GET /metrics`, rendered in the Prometheus text format.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::chat::validate::Reason;

/// The server's counters; shared by every handler, updated lock-free.
#[derive(Debug, Default)]
pub struct Metrics {
    messages_stored: AtomicU64,
    messages_duplicate: AtomicU64,
    acks_sent: AtomicU64,
    deliveries_failed: AtomicU64,
    redeliveries: AtomicU64,
    store_errors: AtomicU64,
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
        out
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
            "lsio_rejected_inputs_total{reason=\"text_too_long\"} 1",
            "lsio_rejected_inputs_total{reason=\"rate_limited\"} 2",
            "lsio_rejected_inputs_total{reason=\"unauthorized\"} 0",
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
            value.parse::<u64>().expect("an integer value");
        }
    }
}
