//! Chat history in SQLite: `chat.sqlite3` in the `--data-dir`.
//!
//! The schema lives in `server/migrations/` and is applied on open. Each
//! room has its own `seq` (1, 2, 3, …), assigned in the same transaction that
//! stores the message; `UNIQUE(room, id)` makes a re-sent message a no-op
//! that returns the original `seq`.

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};
use thiserror::Error;
use tokio::sync::Mutex;

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

/// The history store: a small SQLite pool (WAL mode).
#[derive(Debug)]
pub struct Store {
    pool: SqlitePool,
    /// One writer at a time, so `seq` assignment never races.
    write: Mutex<()>,
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
        Ok(Self {
            pool,
            write: Mutex::new(()),
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
    ) -> Result<Appended, sqlx::Error> {
        let _writer = self.write.lock().await;
        // IMMEDIATE: take SQLite's write lock at the start, waiting (up to
        // the busy timeout) while another process holds it. A deferred
        // transaction would read first and then fail at once, without
        // waiting, when it tries to become the writer.
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let existing: Option<i64> =
            sqlx::query_scalar("SELECT seq FROM messages WHERE room = ?1 AND id = ?2")
                .bind(room)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        if let Some(seq) = existing {
            tx.commit().await?;
            return Ok(Appended::Duplicate { seq: to_u64(seq) });
        }
        let seq: i64 = sqlx::query_scalar(
            "INSERT INTO messages (room, seq, id, name, text, ts) \
             SELECT ?1, COALESCE(MAX(seq), 0) + 1, ?2, ?3, ?4, ?5 FROM messages WHERE room = ?1 \
             RETURNING seq",
        )
        .bind(room)
        .bind(id)
        .bind(name)
        .bind(text)
        .bind(ts)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Appended::Stored(Message {
            room: room.to_owned(),
            seq: to_u64(seq),
            id: id.to_owned(),
            name: name.to_owned(),
            text: text.to_owned(),
            ts: to_u64(ts),
        }))
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

    /// Closes the pool: waits for connections in use, checkpoints the WAL.
    pub async fn close(&self) {
        self.pool.close().await;
    }
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
