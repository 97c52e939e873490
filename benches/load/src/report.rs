//! The side-by-side table: ours, Node, the ratio, and each target met or
//! not.

use std::fmt::Write as _;

use crate::scenarios::{Broadcast, Held, Throughput};
use crate::servers::Kind;

/// Everything measured against one server.
#[derive(Debug, Clone)]
pub(crate) struct Run {
    pub(crate) kind: Kind,
    pub(crate) held: Vec<Held>,
    pub(crate) broadcast: Option<Broadcast>,
    pub(crate) throughput: Option<Throughput>,
}

fn ratio(ours: f64, node: f64) -> String {
    if node > 0.0 {
        format!("{:.2}×", ours / node)
    } else {
        "–".into()
    }
}

fn met(ok: bool) -> &'static str {
    if ok {
        "**met**"
    } else {
        "**not met**"
    }
}

fn ms(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), |v| format!("{v:.1} ms"))
}

/// The markdown table for `ours` and `node` (either may be missing).
pub(crate) fn table(ours: Option<&Run>, node: Option<&Run>) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| measure | ours | Node socket.io 4.8 | ours / Node | target |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---|");
    let mut row = |name: &str, o: String, n: String, r: String, t: String| {
        let _ = writeln!(out, "| {name} | {o} | {n} | {r} | {t} |");
    };
    let held_of = |run: Option<&Run>, clients: usize| {
        run.and_then(|r| r.held.iter().find(|h| h.clients == clients).cloned())
    };
    let sizes: Vec<usize> = ours
        .or(node)
        .map(|r| r.held.iter().map(|h| h.clients).collect())
        .unwrap_or_default();
    for &n in &sizes {
        let (o, nd) = (held_of(ours, n), held_of(node, n));
        let f = |h: &Option<Held>, g: fn(&Held) -> f64, unit: &str| {
            h.as_ref()
                .map_or_else(|| "–".into(), |h| format!("{:.0}{unit}", g(h)))
        };
        let both = |g: fn(&Held) -> f64| match (&o, &nd) {
            (Some(a), Some(b)) => ratio(g(a), g(b)),
            _ => "–".into(),
        };
        row(
            &format!("{n} clients: connections opened per second"),
            f(&o, |h| h.connect_per_sec, "/s"),
            f(&nd, |h| h.connect_per_sec, "/s"),
            both(|h| h.connect_per_sec),
            String::new(),
        );
        let kib = |h: &Held| h.bytes_per_connection / 1024.0;
        let memory_target = match (&o, &nd) {
            (Some(a), Some(b)) => format!("≤ Node's: {}", met(kib(a) <= kib(b))),
            _ => "≤ Node's".into(),
        };
        row(
            &format!("{n} clients: server memory per idle connection"),
            o.as_ref()
                .map_or_else(|| "–".into(), |h| format!("{:.1} KiB", kib(h))),
            nd.as_ref()
                .map_or_else(|| "–".into(), |h| format!("{:.1} KiB", kib(h))),
            both(kib),
            memory_target,
        );
        let held_target = o.as_ref().map_or_else(
            || "all held".into(),
            |h| format!("all held: {}", met(h.held == n)),
        );
        row(
            &format!("{n} clients: still connected after the hold"),
            f(&o, |h| h.held as f64, ""),
            f(&nd, |h| h.held as f64, ""),
            String::new(),
            held_target,
        );
    }
    let (ob, nb) = (
        ours.and_then(|r| r.broadcast.as_ref()),
        node.and_then(|r| r.broadcast.as_ref()),
    );
    if let Some(b) = ob.or(nb) {
        let label = format!(
            "broadcast, {} receivers × {} messages of 32 B",
            b.receivers, b.messages
        );
        let per_sec =
            |b: Option<&Broadcast>| b.map_or_else(|| "–".into(), |b| format!("{:.0}/s", b.per_sec));
        let target = match (ob, nb) {
            (Some(o), Some(n)) => format!("≥ 5× Node's: {}", met(o.per_sec >= 5.0 * n.per_sec)),
            _ => "≥ 5× Node's".into(),
        };
        let r = match (ob, nb) {
            (Some(o), Some(n)) => ratio(o.per_sec, n.per_sec),
            _ => "–".into(),
        };
        row(
            &format!("{label}: deliveries per second"),
            per_sec(ob),
            per_sec(nb),
            r,
            target,
        );
        let delivered = |b: Option<&Broadcast>| {
            b.map_or_else(
                || "–".into(),
                |b| {
                    format!(
                        "{} / {} (lost {}, duplicates {})",
                        b.delivered - b.duplicates,
                        b.expected,
                        b.lost,
                        b.duplicates
                    )
                },
            )
        };
        let lost_target = ob.map_or_else(
            || "0 lost".into(),
            |o| format!("0 lost: {}", met(o.lost == 0 && o.duplicates == 0)),
        );
        row(
            &format!("{label}: delivered / expected"),
            delivered(ob),
            delivered(nb),
            String::new(),
            lost_target,
        );
        let pct = |b: Option<&Broadcast>| {
            b.map_or_else(
                || "–".into(),
                |b| {
                    format!(
                        "{} / {}",
                        ms(b.fan_out.percentile_ms(50.0)),
                        ms(b.fan_out.percentile_ms(99.0))
                    )
                },
            )
        };
        row(
            &format!("{label}: fan-out latency p50 / p99"),
            pct(ob),
            pct(nb),
            String::new(),
            String::new(),
        );
        let per_cpu = |b: &Broadcast| b.delivered as f64 / b.cpu.server.as_secs_f64().max(1e-3);
        let cpu = |b: Option<&Broadcast>| {
            b.map_or_else(
                || "–".into(),
                |b| {
                    format!(
                        "{:.0}/s ({:.2} s server, {:.2} s load generator)",
                        per_cpu(b),
                        b.cpu.server.as_secs_f64(),
                        b.cpu.generator.as_secs_f64()
                    )
                },
            )
        };
        let r = match (ob, nb) {
            (Some(o), Some(n)) => ratio(per_cpu(o), per_cpu(n)),
            _ => "–".into(),
        };
        row(
            &format!("{label}: deliveries per second of server CPU (CPU time used meanwhile)"),
            cpu(ob),
            cpu(nb),
            r,
            String::new(),
        );
        if let Some(o) = ob {
            row(
                &format!(
                    "{label}: failed deliveries (`/metrics`) / slowest `GET /metrics` meanwhile"
                ),
                format!(
                    "{} / {}",
                    o.failed_deliveries
                        .map_or_else(|| "–".into(), |f| f.to_string()),
                    o.slowest_metrics.map_or_else(
                        || "–".into(),
                        |d| format!("{:.1} ms", d.as_secs_f64() * 1000.0)
                    ),
                ),
                "–".into(),
                String::new(),
                String::new(),
            );
        }
    }
    let (ot, nt) = (
        ours.and_then(|r| r.throughput.as_ref()),
        node.and_then(|r| r.throughput.as_ref()),
    );
    if let Some(t) = ot.or(nt) {
        let label = format!(
            "`message` with persistence, {} senders × {}/s",
            t.senders, t.rate_per_sender
        );
        let per_sec = |t: Option<&Throughput>| {
            t.map_or_else(
                || "–".into(),
                |t| {
                    format!(
                        "{:.0}/s ({} of {} stored, {} refused, {} failed)",
                        t.per_sec, t.stored, t.sent, t.refused, t.failed
                    )
                },
            )
        };
        let r = match (ot, nt) {
            (Some(o), Some(n)) => ratio(o.per_sec, n.per_sec),
            _ => "–".into(),
        };
        let target = ot.map_or_else(
            || "every message stored".into(),
            |o| {
                format!(
                    "every message stored: {}",
                    met(o.stored == o.sent && o.server_stored == Some(o.sent))
                )
            },
        );
        row(
            &format!("{label}: stored per second"),
            per_sec(ot),
            per_sec(nt),
            r,
            target,
        );
        let pct = |t: Option<&Throughput>| {
            t.map_or_else(
                || "–".into(),
                |t| {
                    format!(
                        "{} / {}",
                        ms(t.acks.percentile_ms(50.0)),
                        ms(t.acks.percentile_ms(99.0))
                    )
                },
            )
        };
        row(
            &format!("{label}: ack latency p50 / p99"),
            pct(ot),
            pct(nt),
            String::new(),
            String::new(),
        );
    }
    out
}
