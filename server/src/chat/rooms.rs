//! Who is in which room, under which name.
//!
//! A plain registry, generic over the socket id so it is tested without a
//! server. A socket may be in several rooms, with one name per room.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::hash::Hash;

/// Room memberships: for each room, its sockets and their names.
#[derive(Debug, Clone)]
pub struct Rooms<K> {
    rooms: HashMap<String, HashMap<K, String>>,
    by_socket: HashMap<K, HashSet<String>>,
}

impl<K> Default for Rooms<K> {
    fn default() -> Self {
        Self {
            rooms: HashMap::new(),
            by_socket: HashMap::new(),
        }
    }
}

impl<K: Copy + Eq + Hash> Rooms<K> {
    /// Puts `socket` in `room` as `name` (replacing its earlier name there).
    pub fn join(&mut self, socket: K, room: &str, name: &str) {
        self.rooms
            .entry(room.to_owned())
            .or_default()
            .insert(socket, name.to_owned());
        self.by_socket
            .entry(socket)
            .or_default()
            .insert(room.to_owned());
    }

    /// Takes `socket` out of `room`; `true` if it was in it.
    pub fn leave(&mut self, socket: K, room: &str) -> bool {
        let Some(members) = self.rooms.get_mut(room) else {
            return false;
        };
        let was_in = members.remove(&socket).is_some();
        if members.is_empty() {
            self.rooms.remove(room);
        }
        if let Some(rooms) = self.by_socket.get_mut(&socket) {
            rooms.remove(room);
            if rooms.is_empty() {
                self.by_socket.remove(&socket);
            }
        }
        was_in
    }

    /// Takes `socket` out of every room; returns those rooms, sorted.
    pub fn leave_all(&mut self, socket: K) -> Vec<String> {
        let mut left: Vec<String> = self
            .by_socket
            .remove(&socket)
            .map(|rooms| rooms.into_iter().collect())
            .unwrap_or_default();
        left.sort_unstable();
        for room in &left {
            if let Some(members) = self.rooms.get_mut(room) {
                members.remove(&socket);
                if members.is_empty() {
                    self.rooms.remove(room);
                }
            }
        }
        left
    }

    /// The name `socket` joined `room` with, if it is in it.
    pub fn name_in(&self, socket: K, room: &str) -> Option<&str> {
        self.rooms.get(room)?.get(&socket).map(String::as_str)
    }

    /// The sorted, distinct names in `room`.
    pub fn names(&self, room: &str) -> Vec<String> {
        let names: BTreeSet<&str> = self
            .rooms
            .get(room)
            .map(|members| members.values().map(String::as_str).collect())
            .unwrap_or_default();
        names.into_iter().map(str::to_owned).collect()
    }

    /// The sockets in `room`.
    pub fn sockets(&self, room: &str) -> Vec<K> {
        self.rooms
            .get(room)
            .map(|members| members.keys().copied().collect())
            .unwrap_or_default()
    }

    /// The number of rooms with at least one member.
    pub fn room_count(&self) -> usize {
        self.rooms.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(mut v: Vec<u32>) -> Vec<u32> {
        v.sort_unstable();
        v
    }

    #[test]
    fn names_are_sorted_and_distinct() {
        let mut rooms = Rooms::default();
        rooms.join(1, "r", "zoe");
        rooms.join(2, "r", "ada");
        rooms.join(3, "r", "zoe");
        assert_eq!(rooms.names("r"), ["ada", "zoe"]);
        assert_eq!(sorted(rooms.sockets("r")), [1, 2, 3]);
        assert!(rooms.names("other").is_empty());
    }

    #[test]
    fn a_socket_has_one_name_per_room() {
        let mut rooms = Rooms::default();
        rooms.join(1, "a", "ada");
        rooms.join(1, "b", "lovelace");
        assert_eq!(rooms.name_in(1, "a"), Some("ada"));
        assert_eq!(rooms.name_in(1, "b"), Some("lovelace"));
        rooms.join(1, "a", "countess");
        assert_eq!(rooms.names("a"), ["countess"]);
        assert_eq!(rooms.name_in(2, "a"), None);
    }

    #[test]
    fn leave_is_idempotent_and_forgets_empty_rooms() {
        let mut rooms = Rooms::default();
        rooms.join(1, "r", "ada");
        rooms.join(2, "r", "bob");
        assert!(rooms.leave(1, "r"));
        assert!(!rooms.leave(1, "r"));
        assert!(!rooms.leave(1, "never"));
        assert_eq!(rooms.names("r"), ["bob"]);
        assert!(rooms.leave(2, "r"));
        assert_eq!(rooms.room_count(), 0);
    }

    #[test]
    fn leave_all_returns_every_room_left() {
        let mut rooms = Rooms::default();
        rooms.join(1, "b", "ada");
        rooms.join(1, "a", "ada");
        rooms.join(2, "a", "bob");
        assert_eq!(rooms.leave_all(1), ["a", "b"]);
        assert_eq!(rooms.names("a"), ["bob"]);
        assert_eq!(rooms.room_count(), 1);
        assert!(rooms.leave_all(1).is_empty());
    }
}
