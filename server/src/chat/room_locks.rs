//! One async lock per room, for what must happen in one order per room:
//! storing a message and handing it to the members (so everyone sees a
//! room's messages in `seq` order), and reading a joiner's history (so it
//! misses none between its history and the stream).
//!
//! A lock per room rather than one for the whole chat: a slow store write
//! in one room holds up nobody in another. An entry lives only while a task
//! holds or waits for its lock, so the map never outgrows the rooms in use.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard};

/// The per-room locks.
#[derive(Debug, Default)]
pub(super) struct RoomLocks {
    locks: Mutex<HashMap<String, Arc<AsyncMutex<()>>>>,
}

/// Holds the lock of one room; released (and the entry dropped when nobody
/// else wants it) on drop.
#[derive(Debug)]
pub(super) struct RoomGuard<'a> {
    locks: &'a RoomLocks,
    room: String,
    guard: Option<OwnedMutexGuard<()>>,
}

impl RoomLocks {
    /// Waits for the lock of `room`. Tasks waiting for one room get it in
    /// the order they asked (tokio's mutex is fair).
    pub(super) async fn lock(&self, room: &str) -> RoomGuard<'_> {
        let lock = Arc::clone(self.map().entry(room.to_owned()).or_default());
        let guard = lock.lock_owned().await;
        RoomGuard {
            locks: self,
            room: room.to_owned(),
            guard: Some(guard),
        }
    }

    /// How many rooms have an entry (held or waited for).
    #[cfg(test)]
    fn len(&self) -> usize {
        self.map().len()
    }

    fn map(&self) -> MutexGuard<'_, HashMap<String, Arc<AsyncMutex<()>>>> {
        self.locks.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Drop for RoomGuard<'_> {
    fn drop(&mut self) {
        // Unlock first, then look under the map's lock (where every new
        // holder takes its clone) whether the map's own Arc is the last one.
        drop(self.guard.take());
        let mut map = self.locks.map();
        if map
            .get(&self.room)
            .is_some_and(|lock| Arc::strong_count(lock) == 1)
        {
            map.remove(&self.room);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn a_held_room_does_not_block_another_room() {
        let locks = RoomLocks::default();
        let _one = locks.lock("one").await;
        let two = tokio::time::timeout(Duration::from_secs(5), locks.lock("two")).await;
        assert!(two.is_ok(), "room two waited for room one");
    }

    #[tokio::test]
    async fn the_same_room_is_held_by_one_task_at_a_time() {
        let locks = Arc::new(RoomLocks::default());
        let first = locks.lock("r").await;
        let waiter = {
            let locks = Arc::clone(&locks);
            tokio::spawn(async move {
                let _second = locks.lock("r").await;
            })
        };
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!waiter.is_finished(), "a second holder got in");
        drop(first);
        tokio::time::timeout(Duration::from_secs(5), waiter)
            .await
            .expect("the waiter gets the lock once it is released")
            .expect("the waiter task");
    }

    #[tokio::test]
    async fn entries_are_dropped_once_nobody_holds_or_waits() {
        let locks = RoomLocks::default();
        {
            let _a = locks.lock("a").await;
            let _b = locks.lock("b").await;
            assert_eq!(locks.len(), 2);
        }
        assert_eq!(locks.len(), 0);
    }
}
