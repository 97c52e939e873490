//! [`Room`]: one room as this client sees it — messages in `seq` order
//! without duplicates, members, who is typing, and how far it is in sync.

use crate::chat::typing::Typists;
use crate::chat::{ChatMessage, Message, MessageStatus};
use crate::time::Instant;

/// One room: its messages sorted by `seq` (one's own unacknowledged ones
/// last, in the order they were written), de-duplicated by `id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Room {
    name: String,
    joined: bool,
    /// Everything up to this `seq` is held (0: nothing yet).
    synced: u64,
    /// Whether a `join` ack was ever merged (so later joins ask `since`).
    synced_once: bool,
    messages: Vec<ChatMessage>,
    members: Vec<String>,
    typists: Typists,
}

impl Room {
    pub(crate) fn new(name: String) -> Self {
        Self {
            name,
            joined: false,
            synced: 0,
            synced_once: false,
            messages: Vec::new(),
            members: Vec::new(),
            typists: Typists::default(),
        }
    }

    /// The room's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the server has us as a member on the current connection.
    pub fn is_joined(&self) -> bool {
        self.joined
    }

    /// The messages, in `seq` order, one's own pending ones last.
    pub fn messages(&self) -> &[ChatMessage] {
        &self.messages
    }

    /// The names present, as the last `presence` said.
    pub fn members(&self) -> &[String] {
        &self.members
    }

    /// The other members typing now (sorted).
    pub fn typing(&self) -> impl Iterator<Item = &str> {
        self.typists.names()
    }

    /// Everything up to this `seq` is held.
    pub fn synced_seq(&self) -> u64 {
        self.synced
    }

    /// The `since` to join with: none the first time, then the synced `seq`.
    pub(crate) fn since(&self) -> Option<u64> {
        self.synced_once.then_some(self.synced)
    }

    /// Whether a message after a hole is held (a `seq` was skipped).
    pub(crate) fn has_gap(&self) -> bool {
        self.messages
            .iter()
            .filter_map(|m| m.seq)
            .any(|seq| seq > self.synced)
    }

    pub(crate) fn set_joined(&mut self, joined: bool) {
        self.joined = joined;
    }

    pub(crate) fn set_members(&mut self, members: Vec<String>) {
        self.members = members;
    }

    pub(crate) fn typists_mut(&mut self) -> &mut Typists {
        &mut self.typists
    }

    /// Merges a `join` ack's history. The server sent every message after
    /// `since` (or the last 100, when anything older is out of reach), so
    /// afterwards the room counts as in sync up to the highest `seq` held:
    /// a hole left now is a `seq` that does not exist.
    pub(crate) fn merge_history(&mut self, history: Vec<Message>) {
        self.synced_once = true;
        for message in history {
            self.insert(message);
        }
        let highest = self.messages.iter().filter_map(|m| m.seq).max();
        self.synced = self.synced.max(highest.unwrap_or(0));
    }

    /// A broadcast `message`: merged by `id`; advances the sync point when
    /// it is the next `seq`.
    pub(crate) fn receive(&mut self, message: Message) {
        self.typists.stopped(&message.name);
        self.insert(message);
        self.advance_synced();
    }

    /// Adds a new pending message of ours.
    pub(crate) fn push_own(&mut self, message: ChatMessage) {
        self.messages.push(message);
    }

    /// One's own message with `id`.
    pub(crate) fn own_mut(&mut self, id: &str) -> Option<&mut ChatMessage> {
        self.messages.iter_mut().find(|m| m.id == id && m.is_own())
    }

    /// The server stored our message `id` at `seq`.
    pub(crate) fn mark_stored(&mut self, id: &str, seq: u64) {
        if let Some(message) = self.own_mut(id) {
            message.seq = Some(seq);
            message.status = Some(MessageStatus::Sent);
            message.error = None;
        }
        self.sort();
        self.advance_synced();
    }

    /// Inserts or updates a stored message, keeping the order.
    fn insert(&mut self, message: Message) {
        if let Some(held) = self.messages.iter_mut().find(|m| m.id == message.id) {
            held.seq = Some(message.seq);
            held.ts = Some(message.ts);
            if held.is_own() {
                held.status = Some(MessageStatus::Sent);
                held.error = None;
            }
        } else {
            self.messages.push(ChatMessage::stored(message));
        }
        self.sort();
    }

    /// Stored messages by `seq`, then the unsequenced ones in writing order
    /// (a stable sort keeps that order).
    fn sort(&mut self) {
        self.messages
            .sort_by_key(|m| (m.seq.is_none(), m.seq.unwrap_or(0)));
    }

    fn advance_synced(&mut self) {
        for seq in self.messages.iter().filter_map(|m| m.seq) {
            if seq == self.synced + 1 {
                self.synced = seq;
            }
        }
    }

    pub(crate) fn typists_next_expiry(&self) -> Option<Instant> {
        self.typists.next_expiry()
    }

    pub(crate) fn expire_typing(&mut self, now: Instant) {
        self.typists.expire(now);
    }
}
