//! Chat history in SQL: SQLite (`chat.sqlite3` in the `--data-dir`, the
//! default) or PostgreSQL (`--database-url postgres://…`, which several
//! servers can share), through sqlx's `Any` driver with the same
//! migrations and the same statements for both.
//!
//! The schema lives in `server/migrations/` and is applied on open. Each
//! room has its own `seq` (1, 2, 3, …), assigned in the same transaction that
//! stores the message; `UNIQUE(room, id)` makes a re-sent message a no-op
//! that returns the original `seq`. A transaction locks its rooms' rows in
//! the `rooms` table (each room's last `seq`) before it reads which ids
//! they have, and reserves their next `seq`s there; the rows stay locked
//! until it commits, so writers on several servers sharing one PostgreSQL
//! number a room's messages one after another: no `seq` twice, no gap, no
//! id stored twice.
//!
//! Writes are batched (group commit): one writer task takes every append
//! waiting in its queue, up to [`MAX_BATCH`], and stores them in one
//! transaction, in arrival order. A commit costs about as much as a few
//! dozen inserts, so under load the store keeps up by committing more per
//! transaction; alone, a message is committed by itself at once.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Arc, Mutex, Once, PoisonError};
use std::time::Duration;

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyConnection, AnyPool, Connection, Executor, Row};
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

/// Where the history lives (`--database-url`).
///
/// ```
/// use leptos_socketio_server::Database;
///
/// let db: Database = "postgres://chat@127.0.0.1:5432/chat".parse().unwrap();
/// assert!(matches!(db, Database::Postgres(_)));
/// let db: Database = "sqlite://data/chat.sqlite3".parse().unwrap();
/// assert_eq!(db, Database::Sqlite("data/chat.sqlite3".into()));
/// assert!("mysql://x".parse::<Database>().is_err());
/// ```
#[derive(Clone, PartialEq, Eq)]
pub enum Database {
    /// An SQLite file, created (with its directory) if missing. One server
    /// only: other servers cannot share it.
    Sqlite(PathBuf),
    /// A PostgreSQL URL (`postgres://user:password@host:port/database`);
    /// any number of servers may share it.
    Postgres(String),
}

impl Database {
    /// The default: `chat.sqlite3` in `dir`.
    pub fn in_dir(dir: &Path) -> Self {
        Self::Sqlite(dir.join(DB_FILE))
    }

    /// How logs and errors name it: the path, or the URL without its
    /// password.
    pub fn describe(&self) -> String {
        match self {
            Self::Sqlite(path) => path.display().to_string(),
            Self::Postgres(url) => redact_password(url),
        }
    }

    /// The flag that changes it, for error messages.
    fn flag_hint(&self) -> &'static str {
        match self {
            Self::Sqlite(_) => {
                "pass --data-dir <DIR> (or set LSIO_DATA_DIR) to a directory the server can \
                 write, or --database-url sqlite://<FILE> | postgres://<URL>"
            }
            Self::Postgres(_) => {
                "check --database-url (or LSIO_DATABASE_URL): is PostgreSQL running there, \
                 do the user, password and database exist?"
            }
        }
    }
}

impl fmt::Debug for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Database({})", self.describe())
    }
}

impl fmt::Display for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.describe())
    }
}

impl FromStr for Database {
    type Err = String;

    fn from_str(url: &str) -> Result<Self, String> {
        if let Some(path) = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            if path.is_empty() || path.contains('?') {
                return Err(format!(
                    "\"{url}\" names no SQLite file: write sqlite://<FILE>, e.g. \
                     sqlite://data/chat.sqlite3 (no ?options)"
                ));
            }
            return Ok(Self::Sqlite(PathBuf::from(path)));
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Self::Postgres(url.to_owned()));
        }
        Err(format!(
            "\"{}\" is not a database URL this server can use: write sqlite://<FILE> or \
             postgres://<USER>:<PASSWORD>@<HOST>:<PORT>/<DATABASE>",
            redact_password(url)
        ))
    }
}

/// `url` with the password after `user:` replaced by `***`.
pub(crate) fn redact_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return url.to_owned();
    };
    match rest[..at].split_once(':') {
        Some((user, _)) => format!("{scheme}://{user}:***{}", &rest[at..]),
        None => url.to_owned(),
    }
}

/// Which SQL engine a store talks to: the statements are the same, only
/// how a transaction starts differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Engine {
    Sqlite,
    Postgres,
}

/// Why the store could not be opened; each message names the database and
/// the flag that changes it.
#[derive(Debug, Error)]
pub enum OpenError {
    /// The SQLite file's directory could not be created.
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
    /// The database could not be opened, created or connected to.
    #[error("cannot open the history database {database}: {source} — {hint}")]
    Open {
        /// The database's path, or its URL without the password.
        database: String,
        /// What to change.
        hint: &'static str,
        /// The underlying error.
        source: sqlx::Error,
    },
    /// The schema could not be brought up to date.
    #[error(
        "cannot set up the history database {database}: {source} — is it the history of \
         another program or of a newer version of this server? {hint}"
    )]
    Migrate {
        /// The database's path, or its URL without the password.
        database: String,
        /// What to change.
        hint: &'static str,
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

/// The history store: a small connection pool and the writer task that
/// batches appends.
#[derive(Debug)]
pub struct Store {
    pool: AnyPool,
    /// The writer's queue; the only way this server appends, so its own
    /// appends never race (other servers' are ordered by the room locks).
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
    /// Opens `database` and applies the migrations. An SQLite file is
    /// created if missing, with its directory, and used in WAL mode; a
    /// PostgreSQL database must exist (its tables are created).
    pub async fn open(database: &Database) -> Result<Self, OpenError> {
        static DRIVERS: Once = Once::new();
        DRIVERS.call_once(sqlx::any::install_default_drivers);
        let open_err = |source| OpenError::Open {
            database: database.describe(),
            hint: database.flag_hint(),
            source,
        };
        let (engine, url, connections) = match database {
            Database::Sqlite(path) => {
                if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                    std::fs::create_dir_all(dir).map_err(|source| OpenError::CreateDir {
                        path: dir.to_owned(),
                        source,
                    })?;
                }
                (Engine::Sqlite, sqlite_url(path).map_err(open_err)?, 4)
            }
            Database::Postgres(url) => (Engine::Postgres, url.clone(), 8),
        };
        // One connection first: a refused or failed login is reported as
        // itself, where the pool would only time out.
        AnyConnection::connect(&url)
            .await
            .map_err(open_err)?
            .close()
            .await
            .map_err(open_err)?;
        let pool = AnyPoolOptions::new()
            .max_connections(connections)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if engine == Engine::Sqlite {
                        // WAL: readers do not wait for the writer; NORMAL:
                        // a commit is durable once the WAL is synced at a
                        // checkpoint (safe against a crash of the process).
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                             PRAGMA busy_timeout = 5000;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await
            .map_err(open_err)?;
        sqlx::migrate!("./migrations")
            .run(&pool)
            .await
            .map_err(|source| OpenError::Migrate {
                database: database.describe(),
                hint: database.flag_hint(),
                source,
            })?;
        let (writes, queue) = mpsc::channel(QUEUE);
        let stop = Arc::new(Notify::new());
        let writer = tokio::spawn(write_batches(
            pool.clone(),
            engine,
            queue,
            Arc::clone(&stop),
        ));
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
                     WHERE room = $1 ORDER BY seq DESC LIMIT $2",
                )
                .bind(room)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
                rows.reverse();
                rows
            }
            Some(since) => {
                sqlx::query(
                    "SELECT room, seq, id, name, text, ts FROM messages \
                     WHERE room = $1 AND seq > $2 ORDER BY seq ASC LIMIT $3",
                )
                .bind(room)
                .bind(i64::try_from(since).unwrap_or(i64::MAX))
                .bind(i64::from(limit))
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
    /// waits for connections in use (SQLite checkpoints its WAL). Appends after
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
async fn write_batches(
    pool: AnyPool,
    engine: Engine,
    mut queue: mpsc::Receiver<Write>,
    stop: Arc<Notify>,
) {
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
                store_batch(&pool, engine, &mut batch).await;
            }
            return;
        }
        store_batch(&pool, engine, &mut batch).await;
    }
}

/// Stores `batch` in one transaction and answers each append; a failed
/// transaction fails every append in it (none of them is stored).
async fn store_batch(pool: &AnyPool, engine: Engine, batch: &mut Vec<Write>) {
    match append_all(pool, engine, batch).await {
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

/// `rows` parenthesized tuples of `cols` numbered placeholders each, from
/// `$1`: `($1, $2), ($3, $4)`. (`$N` is understood by both PostgreSQL and
/// SQLite; sqlx's query builder writes `?` for the `Any` driver, which
/// PostgreSQL refuses.)
fn tuples(rows: usize, cols: usize) -> String {
    let mut sql = String::with_capacity(rows * cols * 5);
    for row in 0..rows {
        sql.push_str(if row == 0 { "(" } else { ", (" });
        for col in 0..cols {
            if col > 0 {
                sql.push_str(", ");
            }
            sql.push('$');
            sql.push_str(&(row * cols + col + 1).to_string());
        }
        sql.push(')');
    }
    sql
}

/// Stores a batch in one transaction, whatever its size, with a few
/// statements (sqlx runs SQLite on a thread of its own and PostgreSQL is a
/// network round trip away, so a statement per message would cost more
/// than the database's work itself: `benches/load`, BENCHMARKS.md).
///
/// A room's messages are numbered and inserted only by the transaction
/// holding the room's write lock, and the ids it already has are read
/// under that lock: so writers on several servers sharing one PostgreSQL
/// never give out a `seq` twice, and an id re-sent through another server
/// reads as a repeat instead of breaking `UNIQUE (room, id)`.
async fn append_all(
    pool: &AnyPool,
    engine: Engine,
    batch: &[Write],
) -> Result<Vec<Appended>, sqlx::Error> {
    let mut tx = match engine {
        // IMMEDIATE: take SQLite's write lock (the whole database's) at the
        // start, waiting (up to the busy timeout) while another process
        // holds it. A deferred transaction would read first and then fail
        // at once, without waiting, when it tries to become the writer.
        Engine::Sqlite => pool.begin_with("BEGIN IMMEDIATE").await?,
        // READ COMMITTED: each statement sees what other servers committed
        // before it started.
        Engine::Postgres => pool.begin().await?,
    };
    if engine == Engine::Postgres {
        // 0. Lock the batch's rooms' rows in `rooms` (made if new) until the
        //    commit: another server's batch for one of them waits, and what
        //    it stored is seen by the statements below. Rooms in one order
        //    everywhere (sorted), so two servers cannot deadlock.
        let rooms: BTreeSet<&str> = batch.iter().map(|w| w.room.as_str()).collect();
        let sql = format!(
            "INSERT INTO rooms (room, last_seq) VALUES {} \
             ON CONFLICT (room) DO UPDATE SET last_seq = rooms.last_seq",
            tuples(rooms.len(), 2)
        );
        let mut lock = sqlx::query(&sql);
        for room in rooms {
            lock = lock.bind(room).bind(0_i64);
        }
        lock.execute(&mut *tx).await?;
    }

    // 1. The ids the rooms already have: those appends are repeats.
    let sql = format!(
        "SELECT room, id, seq FROM messages WHERE (room, id) IN (VALUES {})",
        tuples(batch.len(), 2)
    );
    let mut query = sqlx::query_as::<_, (String, String, i64)>(&sql);
    for w in batch {
        query = query.bind(&w.room).bind(&w.id);
    }
    // Room, then id (looked up with the batch's own strings).
    let mut known: HashMap<String, HashMap<String, i64>> = HashMap::new();
    for (room, id, seq) in query.fetch_all(&mut *tx).await? {
        known.entry(room).or_default().insert(id, seq);
    }
    let known_seq = |w: &Write| known.get(&w.room)?.get(&w.id).copied();

    // 2. The others, once each (a repeat within the batch is a repeat of
    //    its first), counted per room. `firsts` holds the appends that
    //    store a message.
    let mut fresh: Vec<&Write> = Vec::new();
    let mut firsts: HashSet<(&str, &str)> = HashSet::new();
    let mut counts: BTreeMap<&str, i64> = BTreeMap::new();
    for w in batch {
        if known_seq(w).is_none() && firsts.insert((w.room.as_str(), w.id.as_str())) {
            fresh.push(w);
            *counts.entry(w.room.as_str()).or_default() += 1;
        }
    }
    let mut assigned: HashMap<(&str, &str), i64> = HashMap::with_capacity(fresh.len());
    if !fresh.is_empty() {
        // 3. Reserve each room's next seqs: its row in `rooms` (made if
        //    new) grows by the room's count.
        let sql = format!(
            "INSERT INTO rooms (room, last_seq) VALUES {} \
             ON CONFLICT (room) DO UPDATE SET last_seq = rooms.last_seq + excluded.last_seq \
             RETURNING room, last_seq",
            tuples(counts.len(), 2)
        );
        let mut reserve = sqlx::query_as::<_, (String, i64)>(&sql);
        for (room, count) in &counts {
            reserve = reserve.bind(*room).bind(*count);
        }
        // The next seq of each room: its new last one, less what was
        // reserved, plus one.
        let mut next: HashMap<String, i64> = HashMap::new();
        for (room, last) in reserve.fetch_all(&mut *tx).await? {
            let count = counts.get(room.as_str()).copied().unwrap_or_default();
            next.insert(room, last - count + 1);
        }

        // 4. The messages, numbered per room in arrival order.
        let sql = format!(
            "INSERT INTO messages (room, seq, id, name, text, ts) VALUES {}",
            tuples(fresh.len(), 6)
        );
        let mut insert = sqlx::query(&sql);
        for w in &fresh {
            let Some(seq) = next.get_mut(&w.room) else {
                // Step 3 returned a row for every room it was given.
                return Err(sqlx::Error::RowNotFound);
            };
            assigned.insert((w.room.as_str(), w.id.as_str()), *seq);
            insert = insert
                .bind(&w.room)
                .bind(*seq)
                .bind(&w.id)
                .bind(&w.name)
                .bind(&w.text)
                .bind(w.ts);
            *seq += 1;
        }
        insert.execute(&mut *tx).await?;
    }

    let mut outcomes = Vec::with_capacity(batch.len());
    for w in batch {
        let key = (w.room.as_str(), w.id.as_str());
        let Some(seq) = known_seq(w).or_else(|| assigned.get(&key).copied()) else {
            // Every append is known or numbered above.
            return Err(sqlx::Error::RowNotFound);
        };
        // The first append of a new id stores it; any other is a repeat.
        if firsts.remove(&key) {
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

/// The sqlx URL of an SQLite file: created if missing; the path
/// percent-encoded, so `?`, `#` and `%` in it stay part of it.
fn sqlite_url(path: &Path) -> Result<String, sqlx::Error> {
    let path = path.to_str().ok_or_else(|| {
        sqlx::Error::Configuration(format!("the path {} is not UTF-8", path.display()).into())
    })?;
    let encoded = percent_encoding::utf8_percent_encode(path, PATH_CHARS);
    Ok(format!("sqlite://{encoded}?mode=rwc"))
}

/// What is percent-encoded in an SQLite path: what would end the path or
/// start an escape in the URL.
const PATH_CHARS: &percent_encoding::AsciiSet =
    &percent_encoding::CONTROLS.add(b'?').add(b'#').add(b'%');

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
        let store = Store::open(&Database::in_dir(&dir.path().join("nested/data")))
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
        let store = Arc::new(
            Store::open(&Database::in_dir(dir.path()))
                .await
                .expect("open"),
        );
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
        let reopened = Store::open(&Database::in_dir(dir.path()))
            .await
            .expect("reopen");
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
        let store = Store::open(&Database::in_dir(dir.path()))
            .await
            .expect("open");
        let m = stored(&store, "r", "m1", "kept").await;
        store.close().await;
        let store = Store::open(&Database::in_dir(dir.path()))
            .await
            .expect("reopen");
        assert_eq!(store.history("r", None, 100).await.expect("history"), [m]);
        assert_eq!(stored(&store, "r", "m2", "next").await.seq, 2);
    }

    #[tokio::test]
    async fn a_history_from_before_the_shared_schema_is_kept_and_goes_on() {
        // A chat.sqlite3 made by the first schema alone (0001), with rows.
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join(DB_FILE);
        let url = sqlite_url(&path).expect("url");
        sqlx::any::install_default_drivers();
        let pool = AnyPool::connect(&url).await.expect("create");
        let mut first = sqlx::migrate!("./migrations");
        first.migrations = std::borrow::Cow::Owned(first.migrations[..1].to_vec());
        first.run(&pool).await.expect("the first migration");
        sqlx::query(
            "INSERT INTO messages (room, seq, id, name, text, ts) VALUES \
             ('r', 1, 'a', 'ada', 'one', 1700000000000), ('r', 2, 'b', 'ada', 'two', 1700000000001)",
        )
        .execute(&pool)
        .await
        .expect("old rows");
        pool.close().await;

        let store = Store::open(&Database::Sqlite(path)).await.expect("upgrade");
        let kept = store.history("r", None, 10).await.expect("history");
        let kept: Vec<_> = kept.iter().map(|m| (m.seq, m.id.as_str(), m.ts)).collect();
        assert_eq!(
            kept,
            [(1, "a", 1_700_000_000_000), (2, "b", 1_700_000_000_001)]
        );
        assert_eq!(stored(&store, "r", "c", "three").await.seq, 3);
        let again = store
            .append("r", "a", "ada", "one", 1)
            .await
            .expect("append");
        assert_eq!(again, Appended::Duplicate { seq: 1 });
    }

    #[test]
    fn database_urls_name_the_engine_and_hide_the_password() {
        let db: Database = "postgresql://chat:s3cret@db:5432/chat"
            .parse()
            .expect("postgres");
        assert_eq!(db.describe(), "postgresql://chat:***@db:5432/chat");
        assert_eq!(
            format!("{db:?}"),
            "Database(postgresql://chat:***@db:5432/chat)"
        );
        let db: Database = "sqlite:chat.db".parse().expect("sqlite");
        assert_eq!(db, Database::Sqlite("chat.db".into()));
        let err = "mysql://root:pw@db/chat"
            .parse::<Database>()
            .expect_err("mysql");
        assert!(err.contains("mysql://root:***@db/chat"), "{err}");
        assert!(err.contains("sqlite://<FILE> or postgres://"), "{err}");
        assert!("sqlite://".parse::<Database>().is_err());
    }

    #[test]
    fn placeholders_are_numbered_across_rows() {
        assert_eq!(tuples(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(tuples(1, 1), "($1)");
    }

    #[tokio::test]
    async fn a_sqlite_path_with_url_characters_is_one_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("odd ?#% name.sqlite3");
        let store = Store::open(&Database::Sqlite(path.clone()))
            .await
            .expect("open");
        stored(&store, "r", "a", "x").await;
        store.close().await;
        assert!(path.is_file(), "{} exists", path.display());
    }

    #[tokio::test]
    async fn an_unusable_data_dir_names_the_path_and_the_flag() {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("not-a-dir");
        std::fs::write(&file, b"x").expect("write a file");
        let err = Store::open(&Database::in_dir(&file.join("data")))
            .await
            .expect_err("a file is in the way");
        let msg = err.to_string();
        assert!(matches!(err, OpenError::CreateDir { .. }), "{msg}");
        assert!(msg.contains(&file.display().to_string()), "{msg}");
        assert!(msg.contains("--data-dir"), "{msg}");
    }
}
