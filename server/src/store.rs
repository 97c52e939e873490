//! Chat history in SQLite: `chat.sqlite3` in the `--data-dir`.
//!
//! The schema lives in `server/migrations/` and is applied on open. Each
//! room has its own `seq` (1, 2, 3, …), assigned in the same transaction that
//! stores the message; `UNIQUE(room, id)` makes a re-sent message a no-op
//! that returns the original `seq`.
//!
//! Writes are batched (group commit): one writer task takes every append
//! waiting in its queue, up to [`MAX_BATCH`], and stores them in one
//! transaction, in arrival order. A commit costs about as much as a few
//! dozen inserts, so under load the store keeps up by committing more per
//! transaction; alone, a message is committed by itself at once.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{QueryBuilder, Row, Sqlite, SqlitePool};
use std::collections::HashMap;
use thiserror::Error;
use tokio::sync::{mpsc, oneshot, Notify};
use tokio::task::JoinHandle;

/// The database file's name inside the data directory.
pub const DB_FILE: &str = "chat.sqlite3";

/// A stored chat message, as the `message` event and `join` history carry
/// it: the contract's own type, shared with the client.
pub use leptos_socketio::chat::Message;

/// The outcome of [`Store::append`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Appended {
    /// Stored with a new `seq`.
    Stored(Message),
    /// The room already had this id: nothing stored; the original `seq`.
    Duplicate {
        /// The `seq` of the message first stored with this id.
        seq: u64,
    },
}

/// Why the store could not be opened; each message names the path and the
/// flag that changes it.
#[derive(Debug, Error)]
pub enum OpenError {
    /// The data directory could not be created.
    #[error(
        "cannot create the data directory {}: {source} — pass --data-dir <DIR> \
         (or set LSIO_DATA_DIR) to a directory the server can write",
        path.display()
    )]
    CreateDir {
        /// The directory.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The database file could not be opened or created.
    #[error(
        "cannot open the history database {}: {source} — pass --data-dir <DIR> \
         (or set LSIO_DATA_DIR) to a directory the server can write",
        path.display()
    )]
    Open {
        /// The database file.
        path: PathBuf,
        /// The underlying error.
        source: sqlx::Error,
    },
    /// The schema could not be brought up to date.
    #[error(
        "cannot set up the history database {}: {source} — is it a chat.sqlite3 from \
         another program or a newer version? Pass --data-dir <DIR> (or set LSIO_DATA_DIR) \
         to use another directory",
        path.display()
    )]
    Migrate {
        /// The database file.
        path: PathBuf,
        /// The underlying error.
        source: sqlx::migrate::MigrateError,
    },
}

/// Most appends stored in one transaction.
pub const MAX_BATCH: usize = 256;

/// Appends waiting for the writer; a full queue makes the next append wait
/// (each connection handles one event at a time, so this bounds nothing a
/// client can grow, but it keeps the queue's memory bounded).
const QUEUE: usize = 4096;

/// Why an append failed: the database refused the batch it was in, or the
/// store is closed. Either way nothing of it was stored.
#[derive(Debug, Clone, Error)]
pub enum AppendError {
    /// The transaction holding this append failed.
    #[error("{0}")]
    Database(Arc<sqlx::Error>),
    /// The store was closed (the server is shutting down).
    #[error("the history store is closed")]
    Closed,
}

/// One append waiting for the writer.
struct Write {
    room: String,
    id: String,
    name: String,
    text: String,
    ts: i64,
    done: oneshot::Sender<Result<Appended, AppendError>>,
}

/// The history store: a small SQLite pool (WAL mode) and the writer task
/// that batches appends.
#[derive(Debug)]
pub struct Store {
    pool: SqlitePool,
    /// The writer's queue; the only way to append, so `seq` assignment
    /// never races.
    writes: mpsc::Sender<Write>,
    /// Tells the writer to store what is queued and stop.
    stop: Arc<Notify>,
    writer: Mutex<Option<JoinHandle<()>>>,
}

impl std::fmt::Debug for Write {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Write")
            .field("room", &self.room)
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if needed) `dir/chat.sqlite3`, creating `dir` too,
    /// and applies the migrations.
    pub async fn open(dir: &Path) -> Result<Self, OpenError> {
        std::fs::create_dir_all(dir).map_err(|source| OpenError::CreateDir {
            path: dir.to_owned(),
            source,
        })?;
        let path = dir.join(DB_FILE);
        let open_err = |source| OpenError::Open {
            path: path.clone(),
            source,
        };
        let options = SqliteConnectOptions::from_str("sqlite:")
            .map_err(open_err)?
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(Duration::from_secs(5));
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(open_err)?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(|source| OpenError::Migrate {
                path: path.clone(),
                source,
            })?;
        let (writes, queue) = mpsc::channel(QUEUE);
        let stop = Arc::new(Notify::new());
        let writer = tokio::spawn(write_batches(pool.clone(), queue, Arc::clone(&stop)));
        Ok(Self {
            pool,
            writes,
            stop,
            writer: Mutex::new(Some(writer)),
        })
    }

    /// Stores a message from `name` in `room` with client id `id`, at
    /// `ts` (ms since the epoch), with the room's next `seq` — unless the
    /// room already has `id`, in which case nothing changes and the
    /// original `seq` comes back.
    pub async fn append(
        &self,
        room: &str,
        id: &str,
        name: &str,
        text: &str,
        ts: i64,
    ) -> Result<Appended, AppendError> {
        let (done, answer) = oneshot::channel();
        let write = Write {
            room: room.to_owned(),
            id: id.to_owned(),
            name: name.to_owned(),
            text: text.to_owned(),
            ts,
            done,
        };
        self.writes
            .send(write)
            .await
            .map_err(|_| AppendError::Closed)?;
        answer.await.unwrap_or(Err(AppendError::Closed))
    }

    /// The history of `room` in ascending `seq`, at most `limit` messages:
    /// without `since` the last ones; with `since` the first ones after it.
    pub async fn history(
        &self,
        room: &str,
        since: Option<u64>,
        limit: u32,
    ) -> Result<Vec<Message>, sqlx::Error> {
        let rows = match since {
            None => {
                let mut rows = sqlx::query(
                    "SELECT room, seq, id, name, text, ts FROM messages \
                     WHERE room = ?1 ORDER BY seq DESC LIMIT ?2",
                )
                .bind(room)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                rows.reverse();
                rows
            }
            Some(since) => {
                sqlx::query(
                    "SELECT room, seq, id, name, text, ts FROM messages \
                     WHERE room = ?1 AND seq > ?2 ORDER BY seq ASC LIMIT ?3",
                )
                .bind(room)
                .bind(i64::try_from(since).unwrap_or(i64::MAX))
                .bind(limit)
                .fetch_all(&self.pool)
                .await?
            }
        };
        rows.iter()
            .map(|row| {
                Ok(Message {
                    room: row.try_get("room")?,
                    seq: to_u64(row.try_get("seq")?),
                    id: row.try_get("id")?,
                    name: row.try_get("name")?,
                    text: row.try_get("text")?,
                    ts: to_u64(row.try_get("ts")?),
                })
            })
            .collect()
    }

    /// Stores what is queued, stops the writer, then closes the pool:
    /// waits for connections in use, checkpoints the WAL. Appends after
    /// this fail with [`AppendError::Closed`].
    pub async fn close(&self) {
        self.stop.notify_one();
        let writer = self
            .writer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take();
        if let Some(writer) = writer {
            let _ = writer.await;
        }
        self.pool.close().await;
    }
}

/// The writer task: takes what is queued (up to [`MAX_BATCH`]) and stores
/// it in one transaction, until told to stop; then it stores what is left.
async fn write_batches(pool: SqlitePool, mut queue: mpsc::Receiver<Write>, stop: Arc<Notify>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    loop {
        let stopping = tokio::select! {
            biased;
            n = queue.recv_many(&mut batch, MAX_BATCH) => {
                if n == 0 {
                    return;
                }
                false
            }
            () = stop.notified() => true,
        };
        if stopping {
            queue.close();
            while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
                store_batch(&pool, &mut batch).await;
            }
            return;
        }
        store_batch(&pool, &mut batch).await;
    }
}

/// Stores `batch` in one transaction and answers each append; a failed
/// transaction fails every append in it (none of them is stored).
async fn store_batch(pool: &SqlitePool, batch: &mut Vec<Write>) {
    match append_all(pool, batch).await {
        Ok(outcomes) => {
            for (write, outcome) in batch.drain(..).zip(outcomes) {
                let _ = write.done.send(Ok(outcome));
            }
        }
        Err(e) => {
            let e = AppendError::Database(Arc::new(e));
            for write in batch.drain(..) {
                let _ = write.done.send(Err(e.clone()));
            }
        }
    }
}

/// Stores a batch in one transaction with two statements, whatever its
/// size: sqlx runs SQLite on a thread of its own, so every statement is a
/// round trip between threads, and a statement per message cost more than
/// SQLite's work itself (`benches/load`, BENCHMARKS.md).
async fn append_all(pool: &SqlitePool, batch: &[Write]) -> Result<Vec<Appended>, sqlx::Error> {
    // IMMEDIATE: take SQLite's write lock at the start, waiting (up to
    // the busy timeout) while another process holds it. A deferred
    // transaction would read first and then fail at once, without
    // waiting, when it tries to become the writer.
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;

    // 1. The ids the rooms already have: those appends are repeats.
    let mut known =
        QueryBuilder::<Sqlite>::new("SELECT room, id, seq FROM messages WHERE (room, id) IN (");
    known.push_values(batch, |mut row, w| {
        row.push_bind(&w.room).push_bind(&w.id);
    });
    known.push(")");
    let mut seqs: HashMap<(String, String), i64> = known
        .build_query_as::<(String, String, i64)>()
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|(room, id, seq)| ((room, id), seq))
        .collect();

    // 2. The others, once each (a repeat within the batch is a repeat of
    //    its first), numbered per room in arrival order after the room's
    //    last seq. SQLite evaluates the SELECT before inserting, since it
    //    reads the table it inserts into.
    let mut fresh = Vec::new();
    let mut firsts = std::collections::HashSet::new();
    for (ord, w) in batch.iter().enumerate() {
        let key = (w.room.clone(), w.id.clone());
        if !seqs.contains_key(&key) && firsts.insert(key) {
            fresh.push((ord, w));
        }
    }
    let mut stored = std::collections::HashSet::new();
    if !fresh.is_empty() {
        let mut insert = QueryBuilder::<Sqlite>::new("WITH b(ord, room, id, name, text, ts) AS (");
        insert.push_values(&fresh, |mut row, (ord, w)| {
            row.push_bind(i64::try_from(*ord).unwrap_or(i64::MAX))
                .push_bind(&w.room)
                .push_bind(&w.id)
                .push_bind(&w.name)
                .push_bind(&w.text)
                .push_bind(w.ts);
        });
        insert.push(
            ") INSERT INTO messages (room, seq, id, name, text, ts) \
             SELECT room, \
                    COALESCE((SELECT MAX(m.seq) FROM messages m WHERE m.room = b.room), 0) \
                      + ROW_NUMBER() OVER (PARTITION BY room ORDER BY ord), \
                    id, name, text, ts \
             FROM b ORDER BY ord \
             RETURNING room, id, seq",
        );
        let rows = insert
            .build_query_as::<(String, String, i64)>()
            .fetch_all(&mut *tx)
            .await?;
        for (room, id, seq) in rows {
            stored.insert((room.clone(), id.clone()));
            seqs.insert((room, id), seq);
        }
    }
    let mut outcomes = Vec::with_capacity(batch.len());
    for w in batch {
        let key = (w.room.clone(), w.id.clone());
        let Some(&seq) = seqs.get(&key) else {
            // Every append is either known or inserted; a missing row means
            // the database did not do what it was asked: roll it all back.
            return Err(sqlx::Error::RowNotFound);
        };
        // The first append of a new id stores it; any other is a repeat.
        if stored.remove(&key) {
            outcomes.push(Appended::Stored(Message {
                room: w.room.clone(),
                seq: to_u64(seq),
                id: w.id.clone(),
                name: w.name.clone(),
                text: w.text.clone(),
                ts: to_u64(w.ts),
            }));
        } else {
            outcomes.push(Appended::Duplicate { seq: to_u64(seq) });
        }
    }
    tx.commit().await?;
    Ok(outcomes)
}

/// `seq` values are positive; a negative one (never written) reads as 0.
fn to_u64(seq: i64) -> u64 {
    u64::try_from(seq).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    async fn open_temp() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(&dir.path().join("nested/data"))
            .await
            .expect("open the store");
        (dir, store)
    }

    async fn stored(store: &Store, room: &str, id: &str, text: &str) -> Message {
        match store.append(room, id, "ada", text, 1_700_000_000_000).await {
            Ok(Appended::Stored(m)) => m,
            other => panic!("expected a stored message, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn seq_counts_from_one_in_each_room() {
        let (_dir, store) = open_temp().await;
        assert_eq!(stored(&store, "a", "1", "x").await.seq, 1);
        assert_eq!(stored(&store, "a", "2", "y").await.seq, 2);
        assert_eq!(stored(&store, "b", "1", "z").await.seq, 1);
        assert_eq!(stored(&store, "a", "3", "w").await.seq, 3);
    }

    #[tokio::test]
    async fn a_repeated_id_returns_the_first_seq_and_stores_nothing() {
        let (_dir, store) = open_temp().await;
        let first = stored(&store, "r", "m1", "first").await;
        stored(&store, "r", "m2", "second").await;
        let again = store
            .append("r", "m1", "bob", "changed", 5)
            .await
            .expect("append");
        assert_eq!(again, Appended::Duplicate { seq: first.seq });
        let history = store.history("r", None, 100).await.expect("history");
        assert_eq!(history.len(), 2);
        assert_eq!(history[0], first);
    }

    #[tokio::test]
    async fn history_is_the_last_n_ascending_or_after_since() {
        let (_dir, store) = open_temp().await;
        for i in 1..=10 {
            stored(&store, "r", &format!("m{i}"), &format!("t{i}")).await;
        }
        stored(&store, "other", "m1", "elsewhere").await;
        let seqs = |h: Vec<Message>| h.into_iter().map(|m| m.seq).collect::<Vec<_>>();
        let h = store.history("r", None, 3).await.expect("history");
        assert_eq!(seqs(h), [8, 9, 10]);
        let h = store.history("r", Some(6), 100).await.expect("since");
        assert_eq!(seqs(h), [7, 8, 9, 10]);
        let h = store
            .history("r", Some(2), 3)
            .await
            .expect("since, limited");
        assert_eq!(seqs(h), [3, 4, 5]);
        assert!(store
            .history("r", Some(10), 100)
            .await
            .expect("at end")
            .is_empty());
        assert!(store
            .history("r", Some(u64::MAX), 100)
            .await
            .expect("past end")
            .is_empty());
        assert!(store
            .history("nobody", None, 100)
            .await
            .expect("empty")
            .is_empty());
    }

    #[tokio::test]
    async fn concurrent_appends_get_distinct_consecutive_seqs() {
        let (_dir, store) = open_temp().await;
        let store = Arc::new(store);
        let tasks: Vec<_> = (0..50)
            .map(|i| {
                let store = Arc::clone(&store);
                tokio::spawn(async move {
                    store
                        .append("r", &format!("m{i}"), "ada", "hi", 1)
                        .await
                        .expect("append")
                })
            })
            .collect();
        let mut seqs = Vec::new();
        for task in tasks {
            match task.await.expect("task") {
                Appended::Stored(m) => seqs.push(m.seq),
                other => panic!("{other:?}"),
            }
        }
        seqs.sort_unstable();
        assert_eq!(seqs, (1..=50).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn appends_queued_together_share_a_transaction_and_keep_every_rule() {
        let (_dir, store) = open_temp().await;
        let store = Arc::new(store);
        // 600 appends at once (more than one batch) to 3 rooms, each id sent
        // twice: every room gets 1..=100 once, and each repeat gets the
        // first one's seq.
        let tasks: Vec<_> = (0..600)
            .map(|i| {
                let store = Arc::clone(&store);
                tokio::spawn(async move {
                    let (room, id) = (format!("r{}", i % 3), format!("m{}", (i / 3) % 100));
                    let outcome = store.append(&room, &id, "ada", "hi", 1).await;
                    (room, id, outcome.expect("append"))
                })
            })
            .collect();
        let mut stored = std::collections::BTreeMap::<(String, String), u64>::new();
        let mut repeats = Vec::new();
        for task in tasks {
            let (room, id, outcome) = task.await.expect("task");
            match outcome {
                Appended::Stored(m) => {
                    assert!(stored.insert((room, id), m.seq).is_none(), "stored twice");
                }
                Appended::Duplicate { seq } => repeats.push((room, id, seq)),
            }
        }
        assert_eq!(stored.len(), 300);
        assert_eq!(repeats.len(), 300);
        for (room, id, seq) in repeats {
            assert_eq!(
                stored.get(&(room, id)),
                Some(&seq),
                "a repeat gets the first seq"
            );
        }
        for room in ["r0", "r1", "r2"] {
            let seqs: Vec<u64> = store
                .history(room, Some(0), 1000)
                .await
                .expect("history")
                .iter()
                .map(|m| m.seq)
                .collect();
            assert_eq!(seqs, (1..=100).collect::<Vec<_>>(), "{room}");
        }
    }

    #[tokio::test]
    async fn close_stores_what_is_queued_and_later_appends_say_closed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Arc::new(Store::open(dir.path()).await.expect("open"));
        let queued: Vec<_> = (0..50)
            .map(|i| {
                let store = Arc::clone(&store);
                tokio::spawn(
                    async move { store.append("r", &format!("m{i}"), "ada", "x", 1).await },
                )
            })
            .collect();
        tokio::task::yield_now().await;
        store.close().await;
        let mut answered = 0;
        for task in queued {
            match task.await.expect("task") {
                Ok(Appended::Stored(_)) => answered += 1,
                Err(AppendError::Closed) => {}
                other => panic!("{other:?}"),
            }
        }
        let err = store.append("r", "late", "ada", "x", 1).await;
        assert!(matches!(err, Err(AppendError::Closed)), "{err:?}");
        let reopened = Store::open(dir.path()).await.expect("reopen");
        let kept = reopened.history("r", Some(0), 1000).await.expect("history");
        assert_eq!(
            kept.len(),
            answered,
            "every append answered Stored is on disk"
        );
    }

    #[tokio::test]
    async fn history_survives_reopening() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path()).await.expect("open");
        let m = stored(&store, "r", "m1", "kept").await;
        store.close().await;
        let store = Store::open(dir.path()).await.expect("reopen");
        assert_eq!(store.history("r", None, 100).await.expect("history"), [m]);
        assert_eq!(stored(&store, "r", "m2", "next").await.seq, 2);
    }

    #[tokio::test]
    async fn an_unusable_data_dir_names_the_path_and_the_flag() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("not-a-dir");
        std::fs::write(&file, b"x").expect("write a file");
        let err = Store::open(&file.join("data"))
            .await
            .expect_err("a file is in the way");
        let msg = err.to_string();
        assert!(matches!(err, OpenError::CreateDir { .. }), "{msg}");
        assert!(msg.contains(&file.display().to_string()), "{msg}");
        assert!(msg.contains("--data-dir"), "{msg}");
    }
}
