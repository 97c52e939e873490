//! Several nodes serving one chat (`--redis-url`): socketioxide's Redis
//! adapter (`socketioxide-redis`) carries room events and questions ("who
//! is in this room?") between the nodes over Redis pub/sub.
//!
//! The adapter talks to Redis through a [`Driver`]. socketioxide-redis's
//! own redis driver holds one multiplexed connection that stays broken
//! once Redis restarts; [`ManagedDriver`] holds a
//! [`ConnectionManager`] instead, which reconnects (and subscribes again to
//! every channel) by itself, and a heartbeat that makes it notice a lost
//! connection even when this node has nothing to send. So a Redis restart
//! costs only what is sent while Redis is down (see the README).

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::Duration;

use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{PushInfo, PushKind};
use socketioxide::adapter::Emitter;
use socketioxide_redis::drivers::{ChanItem, Driver, MessageStream};
use socketioxide_redis::{CustomRedisAdapter, RedisAdapterConfig, RedisAdapterCtr};
use tokio::sync::mpsc;
use tracing::{info, warn};

use crate::store::redact_password as redact;

/// The adapter of a node with others.
pub type ClusterAdapter = CustomRedisAdapter<Emitter, ManagedDriver>;

/// How long a question to the other nodes (e.g. the members of a room) may
/// wait for their answers; a node that does not answer in time is left out.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(2);

/// How often the connection to Redis is checked while it works.
const HEARTBEAT: Duration = Duration::from_secs(1);

/// How often Redis is tried while it is down.
const HEARTBEAT_WHILE_DOWN: Duration = Duration::from_millis(200);

/// Longest wait between two attempts to reach Redis again.
const MAX_RETRY_DELAY: Duration = Duration::from_secs(1);

/// Channels of the adapter and where their messages go.
type Handlers = Arc<RwLock<HashMap<String, mpsc::Sender<ChanItem>>>>;

/// A socketioxide-redis driver on a reconnecting [`ConnectionManager`].
#[derive(Clone)]
pub struct ManagedDriver {
    handlers: Handlers,
    conn: ConnectionManager,
    /// Whether the last heartbeat reached Redis. While it did not, what
    /// would go to Redis fails at once instead of waiting for a reconnect:
    /// a message to a room must not wait (its room's lock held) on a bus
    /// that is down; its members on other nodes catch up by `seq`.
    up: Arc<AtomicBool>,
}

impl std::fmt::Debug for ManagedDriver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ManagedDriver").finish_non_exhaustive()
    }
}

/// Why the node could not join the others.
#[derive(Debug, thiserror::Error)]
#[error(
    "cannot reach Redis at {url}: {source} — check --redis-url (or LSIO_REDIS_URL): \
     is Redis (7 or later) running there? Without --redis-url the server runs alone"
)]
pub struct ConnectError {
    url: String,
    source: redis::RedisError,
}

impl ManagedDriver {
    /// Connects to Redis at `url` (RESP3, which pub/sub pushes need) and
    /// starts the heartbeat.
    pub async fn connect(url: &str) -> Result<Self, ConnectError> {
        let fail = |source| ConnectError {
            url: redact(url),
            source,
        };
        let client = redis::Client::open(with_resp3(url)).map_err(fail)?;
        let handlers: Handlers = Arc::default();
        let push_to = Arc::clone(&handlers);
        let config = ConnectionManagerConfig::new()
            .set_push_sender(move |push: PushInfo| {
                route(push, &push_to);
                Ok::<(), Infallible>(())
            })
            .set_automatic_resubscription()
            .set_connection_timeout(Some(Duration::from_secs(1)))
            .set_response_timeout(Some(Duration::from_secs(1)))
            .set_number_of_retries(1)
            .set_max_delay(MAX_RETRY_DELAY);
        let conn = client
            .get_connection_manager_with_config(config)
            .await
            .map_err(fail)?;
        let up = Arc::new(AtomicBool::new(true));
        tokio::spawn(heartbeat(conn.clone(), Arc::clone(&up)));
        Ok(Self { handlers, conn, up })
    }

    /// The adapter's constructor state, for
    /// `SocketIo::builder().with_adapter::<ClusterAdapter>(…)`.
    pub fn into_adapter(self) -> RedisAdapterCtr<Self> {
        let config = RedisAdapterConfig::new()
            .with_prefix("lsio")
            .with_request_timeout(REQUEST_TIMEOUT);
        RedisAdapterCtr::new_with_driver(self, config)
    }

    /// Fails at once while the heartbeat finds Redis down.
    fn check_up(&self) -> Result<(), DriverError> {
        if self.up.load(Ordering::Relaxed) {
            Ok(())
        } else {
            Err(DriverError::Down)
        }
    }

    fn handlers(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<String, mpsc::Sender<ChanItem>>> {
        self.handlers
            .write()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// Pings Redis every [`HEARTBEAT`]: a command on a lost connection makes
/// the manager reconnect and subscribe again. Keeps `up`, and logs the
/// loss and the return once each. Ends when the node stops (the runtime
/// drops it).
async fn heartbeat(mut conn: ConnectionManager, up: Arc<AtomicBool>) {
    loop {
        let every = if up.load(Ordering::Relaxed) {
            HEARTBEAT
        } else {
            HEARTBEAT_WHILE_DOWN
        };
        tokio::time::sleep(every).await;
        let ping: redis::RedisResult<String> = redis::cmd("PING").query_async(&mut conn).await;
        match (ping, up.load(Ordering::Relaxed)) {
            (Err(e), true) => {
                up.store(false, Ordering::Relaxed);
                warn!(error = %e, "lost Redis: events do not reach the other nodes until it is back");
            }
            (Ok(_), false) => {
                up.store(true, Ordering::Relaxed);
                info!("Redis is back: events reach the other nodes again");
            }
            _ => {}
        }
    }
}

/// Hands a pub/sub message to its channel's stream. A full stream drops
/// the message (bounded: the adapter reads it as fast as it can) and says
/// so.
fn route(push: PushInfo, handlers: &Handlers) {
    if !matches!(push.kind, PushKind::Message | PushKind::SMessage) {
        return;
    }
    let mut data = push.data.into_iter();
    let (Some(chan), Some(payload)) = (data.next(), data.next()) else {
        return;
    };
    let (Ok(chan), Ok(payload)) = (
        redis::from_redis_value::<String>(chan),
        redis::from_redis_value::<Vec<u8>>(payload),
    ) else {
        warn!("a pub/sub message from Redis that is not (channel, bytes): ignored");
        return;
    };
    let handlers = handlers.read().unwrap_or_else(PoisonError::into_inner);
    if let Some(tx) = handlers.get(&chan) {
        if let Err(e) = tx.try_send((chan, payload)) {
            warn!(error = %e, "a message from the other nodes was dropped: this node is behind");
        }
    }
}

/// The error type of [`ManagedDriver`].
#[derive(Debug, thiserror::Error)]
pub enum DriverError {
    /// Redis answered with an error, or could not be reached.
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
    /// The heartbeat finds Redis down: not tried.
    #[error("Redis is down (the heartbeat cannot reach it); not sent")]
    Down,
}

impl Driver for ManagedDriver {
    type Error = DriverError;

    async fn publish(&self, chan: String, val: Vec<u8>) -> Result<(), DriverError> {
        self.check_up()?;
        redis::cmd("PUBLISH")
            .arg(chan)
            .arg(val)
            .query_async::<redis::Value>(&mut self.conn.clone())
            .await?;
        Ok(())
    }

    async fn subscribe(
        &self,
        chan: String,
        size: usize,
    ) -> Result<MessageStream<ChanItem>, DriverError> {
        let (tx, rx) = mpsc::channel(size);
        self.handlers().insert(chan.clone(), tx);
        self.conn.clone().subscribe(chan).await?;
        Ok(MessageStream::new(rx))
    }

    async fn unsubscribe(&self, chan: String) -> Result<(), DriverError> {
        self.handlers().remove(&chan);
        self.conn.clone().unsubscribe(chan).await?;
        Ok(())
    }

    async fn num_serv(&self, chan: &str) -> Result<u16, DriverError> {
        self.check_up()?;
        let (_, count): (String, u16) = redis::cmd("PUBSUB")
            .arg("NUMSUB")
            .arg(chan)
            .query_async(&mut self.conn.clone())
            .await?;
        Ok(count)
    }
}

/// `url` asking for RESP3 (pub/sub messages come as pushes on the same
/// connection), unless it names a protocol itself.
fn with_resp3(url: &str) -> String {
    if url.contains("protocol=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&protocol=resp3")
    } else {
        format!("{url}?protocol=resp3")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_url_asks_for_resp3_once() {
        assert_eq!(
            with_resp3("redis://127.0.0.1:6379/"),
            "redis://127.0.0.1:6379/?protocol=resp3"
        );
        assert_eq!(
            with_resp3("redis://h/0?db=1"),
            "redis://h/0?db=1&protocol=resp3"
        );
        assert_eq!(
            with_resp3("redis://h/?protocol=resp3"),
            "redis://h/?protocol=resp3"
        );
        assert_eq!(
            redact("redis://user:pw@h:6379/"),
            "redis://user:***@h:6379/"
        );
    }
}
