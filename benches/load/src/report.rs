//! The side-by-side table: ours, Node, the ratio, and each target met or
//! not.

use std::fmt::Write as _;

use crate::scenarios::{Broadcast, Held, Throughput};
use crate::servers::Kind;
use crate::stats::Sorted;

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

/// ours / Node of `value`, or `–` unless both were measured.
fn ratio_of<T>(ours: Option<&T>, node: Option<&T>, value: impl Fn(&T) -> f64) -> String {
    match (ours, node) {
        (Some(o), Some(n)) => ratio(value(o), value(n)),
        _ => "–".into(),
    }
}

/// `what`, with whether it is met when `ok` is known.
fn target(what: &str, ok: Option<bool>) -> String {
    match ok {
        Some(true) => format!("{what}: **met**"),
        Some(false) => format!("{what}: **not met**"),
        None => what.to_owned(),
    }
}

fn ms(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), |v| format!("{v:.1} ms"))
}

fn p50_p99(samples: &Sorted) -> String {
    format!(
        "{} / {}",
        ms(samples.percentile_ms(50.0)),
        ms(samples.percentile_ms(99.0))
    )
}

/// What `run` measured with `clients` held.
fn held_at(run: Option<&Run>, clients: usize) -> Option<&Held> {
    run?.held.iter().find(|h| h.clients == clients)
}

/// The markdown table being written.
struct Table(String);

impl Table {
    fn row(&mut self, name: &str, ours: &str, node: &str, ratio: &str, target: &str) {
        let _ = writeln!(self.0, "| {name} | {ours} | {node} | {ratio} | {target} |");
    }

    /// A row showing each side's measurement (`–` where there is none).
    fn pair<T>(
        &mut self,
        name: &str,
        (ours, node): (Option<&T>, Option<&T>),
        show: impl Fn(&T) -> String,
        ratio: &str,
        target: &str,
    ) {
        let cell = |m: Option<&T>| m.map_or_else(|| "–".to_owned(), &show);
        self.row(name, &cell(ours), &cell(node), ratio, target);
    }
}

/// What the two columns of a table are.
pub(crate) struct Sides {
    pub(crate) a: &'static str,
    pub(crate) b: &'static str,
    pub(crate) ratio: &'static str,
    /// Whether the targets (set against Node) are judged.
    pub(crate) targets: bool,
}

/// Ours against Node, with the targets.
pub(crate) const OURS_VS_NODE: Sides = Sides {
    a: "ours",
    b: "Node socket.io 4.8",
    ratio: "ours / Node",
    targets: true,
};

/// Two nodes of ours against one (both on PostgreSQL).
pub(crate) const TWO_NODES_VS_ONE: Sides = Sides {
    a: "2 nodes (Redis adapter)",
    b: "1 node",
    ratio: "2 / 1",
    targets: false,
};

impl Sides {
    fn target(&self, what: &str, ok: Option<bool>) -> String {
        if self.targets {
            target(what, ok)
        } else {
            String::new()
        }
    }
}

/// The markdown table for `ours` and `node` (either may be missing).
pub(crate) fn table(ours: Option<&Run>, node: Option<&Run>) -> String {
    table_of(ours, node, &OURS_VS_NODE)
}

/// The markdown table for runs `a` and `b` (either may be missing) as
/// `sides` names them.
pub(crate) fn table_of(ours: Option<&Run>, node: Option<&Run>, sides: &Sides) -> String {
    let mut t = Table(String::new());
    t.row("measure", sides.a, sides.b, sides.ratio, "target");
    let _ = writeln!(t.0, "|---|---:|---:|---:|---|");
    let sizes: Vec<usize> = ours
        .or(node)
        .map(|r| r.held.iter().map(|h| h.clients).collect())
        .unwrap_or_default();
    for n in sizes {
        let both = (held_at(ours, n), held_at(node, n));
        t.pair(
            &format!("{n} clients: connections opened per second"),
            both,
            |h| format!("{:.0}/s", h.connect_per_sec),
            &ratio_of(both.0, both.1, |h| h.connect_per_sec),
            "",
        );
        let kib = |h: &Held| h.bytes_per_connection / 1024.0;
        let lighter = both.0.zip(both.1).map(|(o, n)| kib(o) <= kib(n));
        t.pair(
            &format!("{n} clients: server memory per idle connection"),
            both,
            |h| format!("{:.1} KiB", kib(h)),
            &ratio_of(both.0, both.1, kib),
            &sides.target("≤ Node's", lighter),
        );
        t.pair(
            &format!("{n} clients: still connected after the hold"),
            both,
            |h| h.held.to_string(),
            "",
            &sides.target("all held", both.0.map(|h| h.held == n)),
        );
    }
    let both = (
        ours.and_then(|r| r.broadcast.as_ref()),
        node.and_then(|r| r.broadcast.as_ref()),
    );
    if let Some(b) = both.0.or(both.1) {
        let label = format!(
            "broadcast, {} receivers × {} messages of 32 B",
            b.receivers, b.messages
        );
        let faster = both
            .0
            .zip(both.1)
            .map(|(o, n)| o.per_sec >= 5.0 * n.per_sec);
        t.pair(
            &format!("{label}: deliveries per second"),
            both,
            |b| format!("{:.0}/s", b.per_sec),
            &ratio_of(both.0, both.1, |b| b.per_sec),
            &sides.target("≥ 5× Node's", faster),
        );
        t.pair(
            &format!("{label}: delivered / expected"),
            both,
            |b| {
                format!(
                    "{} / {} (lost {}, duplicates {}, out of seq order {})",
                    b.delivered - b.duplicates,
                    b.expected,
                    b.lost,
                    b.duplicates,
                    b.reordered
                )
            },
            "",
            &sides.target("0 lost", both.0.map(|o| o.lost == 0 && o.duplicates == 0)),
        );
        t.pair(
            &format!("{label}: fan-out latency p50 / p99"),
            both,
            |b| p50_p99(&b.fan_out),
            "",
            "",
        );
        let per_cpu = |b: &Broadcast| b.delivered as f64 / b.cpu.server.as_secs_f64().max(1e-3);
        t.pair(
            &format!("{label}: deliveries per second of server CPU (CPU time used meanwhile)"),
            both,
            |b| {
                format!(
                    "{:.0}/s ({:.2} s server, {:.2} s load generator)",
                    per_cpu(b),
                    b.cpu.server.as_secs_f64(),
                    b.cpu.generator.as_secs_f64()
                )
            },
            &ratio_of(both.0, both.1, per_cpu),
            "",
        );
        if let Some(o) = both.0 {
            let failed = o
                .failed_deliveries
                .map_or_else(|| "–".into(), |f| f.to_string());
            let slowest = o.slowest_metrics.map_or_else(
                || "–".into(),
                |d| format!("{:.1} ms", d.as_secs_f64() * 1000.0),
            );
            t.row(
                &format!(
                    "{label}: failed deliveries (`/metrics`) / slowest `GET /metrics` meanwhile"
                ),
                &format!("{failed} / {slowest}"),
                "–",
                "",
                "",
            );
        }
    }
    let both = (
        ours.and_then(|r| r.throughput.as_ref()),
        node.and_then(|r| r.throughput.as_ref()),
    );
    if let Some(first) = both.0.or(both.1) {
        let label = format!(
            "`message` with persistence, {} senders × {}/s",
            first.senders, first.rate_per_sender
        );
        let all_stored = both
            .0
            .map(|o| o.stored == o.sent && o.server_stored == Some(o.sent));
        t.pair(
            &format!("{label}: stored per second"),
            both,
            |t: &Throughput| {
                format!(
                    "{:.0}/s ({} of {} stored, {} refused, {} failed)",
                    t.per_sec, t.stored, t.sent, t.refused, t.failed
                )
            },
            &ratio_of(both.0, both.1, |t| t.per_sec),
            &sides.target("every message stored", all_stored),
        );
        t.pair(
            &format!("{label}: ack latency p50 / p99"),
            both,
            |t| p50_p99(&t.acks),
            "",
            "",
        );
    }
    t.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenarios::Cpu;
    use std::time::Duration;

    fn run(kind: Kind, per_sec: f64, kib: f64, held: usize, lost: u64) -> Run {
        Run {
            kind,
            held: vec![Held {
                clients: 10,
                connect_per_sec: 100.0,
                bytes_per_connection: kib * 1024.0,
                held,
            }],
            broadcast: Some(Broadcast {
                receivers: 10,
                messages: 2,
                expected: 20,
                delivered: 20 - lost,
                duplicates: 0,
                reordered: 0,
                lost,
                per_sec,
                fan_out: Sorted::default(),
                failed_deliveries: (kind == Kind::Ours).then_some(3),
                slowest_metrics: (kind == Kind::Ours).then_some(Duration::from_millis(4)),
                cpu: Cpu {
                    server: Duration::from_secs(1),
                    generator: Duration::from_secs(2),
                },
            }),
            throughput: None,
        }
    }

    fn line<'a>(table: &'a str, start: &str) -> &'a str {
        table
            .lines()
            .find(|l| l.starts_with(start))
            .unwrap_or_else(|| panic!("no row {start:?} in\n{table}"))
    }

    #[test]
    fn two_nodes_against_one_names_the_sides_and_judges_no_target() {
        let two = run(Kind::TwoNodes, 500.0, 20.0, 10, 0);
        let one = run(Kind::OneNode, 250.0, 18.0, 10, 0);
        let t = table_of(Some(&two), Some(&one), &TWO_NODES_VS_ONE);
        assert!(
            t.starts_with("| measure | 2 nodes (Redis adapter) | 1 node | 2 / 1 | target |"),
            "{t}"
        );
        assert!(!t.contains("met**"), "no target judged: {t}");
        assert!(t.contains("| 2.00× |"), "{t}");
    }

    #[test]
    fn each_row_shows_both_sides_the_ratio_and_whether_ours_meets_its_target() {
        let ours = run(Kind::Ours, 500.0, 20.0, 10, 0);
        let node = run(Kind::Node, 100.0, 15.0, 10, 1);
        let table = table(Some(&ours), Some(&node));
        assert_eq!(
            line(&table, "| 10 clients: server memory"),
            "| 10 clients: server memory per idle connection | 20.0 KiB | 15.0 KiB | 1.33× | ≤ Node's: **not met** |"
        );
        assert_eq!(
            line(&table, "| 10 clients: still"),
            "| 10 clients: still connected after the hold | 10 | 10 |  | all held: **met** |"
        );
        assert!(line(
            &table,
            "| broadcast, 10 receivers × 2 messages of 32 B: deliveries per second"
        )
        .ends_with("| 500/s | 100/s | 5.00× | ≥ 5× Node's: **met** |"));
        assert!(line(&table, "| broadcast, 10 receivers × 2 messages of 32 B: delivered")
            .ends_with("| 20 / 20 (lost 0, duplicates 0, out of seq order 0) | 19 / 20 (lost 1, duplicates 0, out of seq order 0) |  | 0 lost: **met** |"));
        assert!(line(
            &table,
            "| broadcast, 10 receivers × 2 messages of 32 B: failed"
        )
        .ends_with("| 3 / 4.0 ms | – |  |  |"));
        // Without Node's run: no ratio, no verdict against it, `–` in its column.
        let alone = super::table(Some(&ours), None);
        assert_eq!(
            line(&alone, "| 10 clients: server memory"),
            "| 10 clients: server memory per idle connection | 20.0 KiB | – | – | ≤ Node's |"
        );
    }
}
