//! The history store on PostgreSQL (`--database-url postgres://…`), as
//! several servers share it: a real PostgreSQL from Debian's packages,
//! started by `scripts/cluster` for each test.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use common::services::Services;
use leptos_socketio_server::{Appended, Database, Store};

async fn open(services: &Services) -> Store {
    let url: Database = services
        .get("DATABASE_URL")
        .parse()
        .expect("a postgres:// URL");
    Store::open(&url)
        .await
        .expect("open the store on PostgreSQL")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_store_keeps_its_rules_on_postgres() {
    let services = Services::start("postgres");
    let store = open(&services).await;
    // Milliseconds since the epoch: past 32 bits.
    let ts = 1_767_000_000_123_i64;
    let first = match store.append("r", "m1", "ada", "hello", ts).await {
        Ok(Appended::Stored(m)) => m,
        other => panic!("expected a stored message, got {other:?}"),
    };
    assert_eq!((first.seq, first.ts), (1, 1_767_000_000_123));
    for i in 2..=5 {
        let outcome = store
            .append("r", &format!("m{i}"), "ada", "x", ts)
            .await
            .expect("append");
        assert!(
            matches!(outcome, Appended::Stored(ref m) if m.seq == i),
            "{outcome:?}"
        );
    }
    let again = store.append("r", "m1", "bob", "changed", ts).await;
    assert_eq!(again.expect("append"), Appended::Duplicate { seq: 1 });
    let seqs =
        |h: Vec<leptos_socketio_server::Message>| h.iter().map(|m| m.seq).collect::<Vec<_>>();
    assert_eq!(
        seqs(store.history("r", None, 2).await.expect("history")),
        [4, 5]
    );
    assert_eq!(
        seqs(store.history("r", Some(3), 100).await.expect("since")),
        [4, 5]
    );
    let history = store.history("r", Some(0), 1).await.expect("first");
    assert_eq!(
        history,
        [first],
        "stored as sent, text and timestamp included"
    );
    store.close().await;

    // Opened again (a server restarted): the schema is there, seq goes on.
    let store = open(&services).await;
    let next = store
        .append("r", "m6", "ada", "x", ts)
        .await
        .expect("append");
    assert!(
        matches!(next, Appended::Stored(ref m) if m.seq == 6),
        "{next:?}"
    );
    store.close().await;
}

/// Four servers (each a store with its own pool and writer, as each node
/// has) write to two rooms at once; every id is sent by two of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn servers_writing_one_room_at_once_never_share_a_seq_or_store_an_id_twice() {
    const SERVERS: usize = 4;
    const PER_SERVER: usize = 300;
    let services = Services::start("postgres");
    let mut stores = Vec::new();
    for _ in 0..SERVERS {
        stores.push(Arc::new(open(&services).await));
    }
    let mut tasks = Vec::new();
    for (k, store) in stores.iter().enumerate() {
        // Server k sends ids k*150 .. k*150+300: each overlaps the next
        // server's, as a client re-sending through another node would.
        for i in 0..PER_SERVER {
            let store = Arc::clone(store);
            let n = k * PER_SERVER / 2 + i;
            tasks.push(tokio::spawn(async move {
                let room = if n.is_multiple_of(3) { "s" } else { "r" };
                let id = format!("m{n}");
                let outcome = store.append(room, &id, "ada", "x", 1).await;
                (room, id, outcome.expect("append"))
            }));
        }
    }
    let mut stored = BTreeMap::<(&str, String), u64>::new();
    let mut repeats = Vec::new();
    for task in tasks {
        let (room, id, outcome) = task.await.expect("task");
        match outcome {
            Appended::Stored(m) => {
                assert!(
                    stored.insert((room, id), m.seq).is_none(),
                    "an id stored twice"
                );
            }
            Appended::Duplicate { seq } => repeats.push((room, id, seq)),
        }
    }
    let distinct = (SERVERS - 1) * PER_SERVER / 2 + PER_SERVER;
    assert_eq!(stored.len(), distinct, "each distinct id stored once");
    assert_eq!(repeats.len(), SERVERS * PER_SERVER - distinct);
    for (room, id, seq) in repeats {
        assert_eq!(
            stored.get(&(room, id)),
            Some(&seq),
            "a repeat gets the first seq"
        );
    }
    for room in ["r", "s"] {
        let history = stores[0]
            .history(room, Some(0), 10_000)
            .await
            .expect("history");
        let seqs: Vec<u64> = history.iter().map(|m| m.seq).collect();
        let expected = stored.keys().filter(|(r, _)| *r == room).count();
        assert_eq!(
            seqs,
            (1..=u64::try_from(expected).expect("fits")).collect::<Vec<_>>(),
            "room {room}: every seq once, no gap"
        );
        let ids: BTreeSet<&str> = history.iter().map(|m| m.id.as_str()).collect();
        assert_eq!(ids.len(), expected, "room {room}: no id twice");
        // The figures, for the test log (`--nocapture`).
        #[allow(clippy::print_stdout)]
        {
            println!(
                "{SERVERS} servers, {} appends to rooms r and s at once; room {room}: stored \
                 {expected} with seq 1..={expected}, no seq twice, no id twice",
                SERVERS * PER_SERVER
            );
        }
    }
    for store in stores {
        store.close().await;
    }
}
