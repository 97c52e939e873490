//! [`Room`]: one room as this client sees it — messages in `seq` order
//! without duplicates, members, who is typing, and how far it is in sync.

use serde::{Deserialize, Serialize};

use crate::chat::typing::Typists;
use crate::chat::{ChatMessage, Message, MessageStatus};
use crate::client::{Arrival, SeqStream};
use crate::time::Instant;

/// How many stored messages a [`SavedRoom`] keeps (as many as a `join`
/// without `since` returns).
pub const SAVED_MESSAGES: usize = 100;

/// What a room's `seq` stream carries: a stored message, or the ack of one
/// of ours (its `seq` taken, its row already marked).
#[derive(Debug, Clone, PartialEq, Eq)]
enum Stored {
    Message(Message),
    Own,
}

/// A room as kept in storage between page loads: its last stored messages
/// and how far it was in sync, so the next `join` asks only `since` that
/// point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedRoom {
    /// The room's name.
    pub room: String,
    /// Every `seq` up to this one was held.
    pub synced: u64,
    /// The last [`SAVED_MESSAGES`] stored messages, in `seq` order.
    pub messages: Vec<Message>,
}

/// One room: its messages sorted by `seq` (one's own unacknowledged ones
/// last, in the order they were written), de-duplicated by `id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Room {
    name: String,
    joined: bool,
    /// The `seq` order: what is held, what is missing, what to ask `since`.
    stream: SeqStream<Stored>,
    messages: Vec<ChatMessage>,
    members: Vec<String>,
    typists: Typists,
}

impl Room {
    pub(crate) fn new(name: String) -> Self {
        Self {
            name,
            joined: false,
            stream: SeqStream::new(),
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
        self.stream.synced()
    }

    /// The `since` to join with: none the first time, then the synced `seq`.
    pub(crate) fn since(&self) -> Option<u64> {
        self.stream.since()
    }

    /// Whether a message after a hole is held back (a `seq` was skipped).
    pub(crate) fn has_gap(&self) -> bool {
        self.stream.gap().is_some()
    }

    /// The room as saved a previous time: in sync up to `saved.synced`,
    /// with its messages shown.
    pub(crate) fn resume(saved: SavedRoom) -> Self {
        let mut room = Self::new(saved.room);
        room.stream = SeqStream::resume(saved.synced);
        room.messages = saved
            .messages
            .into_iter()
            .filter(|m| m.seq <= saved.synced)
            .map(ChatMessage::stored)
            .collect();
        room.sort();
        room
    }

    /// The room to save: its last stored messages and sync point.
    pub fn saved(&self) -> SavedRoom {
        let synced = self.stream.synced();
        let stored: Vec<Message> = self
            .messages
            .iter()
            .filter_map(|m| {
                let seq = m.seq.filter(|seq| *seq <= synced)?;
                Some(Message {
                    room: self.name.clone(),
                    seq,
                    id: m.id.clone(),
                    name: m.name.clone(),
                    text: m.text.clone(),
                    ts: m.ts.unwrap_or(0),
                })
            })
            .collect();
        let skip = stored.len().saturating_sub(SAVED_MESSAGES);
        SavedRoom {
            room: self.name.clone(),
            synced,
            messages: stored.into_iter().skip(skip).collect(),
        }
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
    ///
    /// When the answer is not `complete` (as long as the server's page),
    /// more may follow: the room is in sync up to its last `seq` only, and
    /// [`wants_more`](Self::wants_more) says to ask again.
    pub(crate) fn merge_history(&mut self, history: Vec<Message>, complete: bool) {
        let answer = history.into_iter().map(|m| (m.seq, Stored::Message(m)));
        let merged = if complete {
            self.stream.catch_up(answer)
        } else {
            self.stream.catch_up_page(answer)
        };
        for (_, stored) in merged {
            self.deliver(stored);
        }
    }

    /// Whether the room may be behind: the last catch-up was one page of
    /// more (`last_page_full`), or items are held after a gap.
    pub(crate) fn wants_more(&self, last_page_full: bool) -> bool {
        last_page_full || self.has_gap()
    }

    /// A broadcast `message`: shown when it is next in `seq` order (with
    /// any it unblocks), updated in place if already shown, held back
    /// after a gap until the catch-up fills it.
    pub(crate) fn receive(&mut self, message: Message) {
        self.typists.stopped(&message.name);
        match self.stream.receive(message.seq, Stored::Message(message)) {
            Arrival::InOrder(items) => {
                for (_, stored) in items {
                    self.deliver(stored);
                }
            }
            Arrival::Duplicate(Stored::Message(message)) => self.insert(message),
            Arrival::Duplicate(Stored::Own) | Arrival::Held => {}
        }
    }

    fn deliver(&mut self, stored: Stored) {
        if let Stored::Message(message) = stored {
            self.insert(message);
        }
    }

    /// Adds a new pending message of ours.
    pub(crate) fn push_own(&mut self, message: ChatMessage) {
        self.messages.push(message);
    }

    /// One's own message with `id`.
    pub(crate) fn own_mut(&mut self, id: &str) -> Option<&mut ChatMessage> {
        self.messages.iter_mut().find(|m| m.id == id && m.is_own())
    }

    /// The server stored our message `id` at `seq`: the row shows it at
    /// once, and the `seq` counts as held.
    pub(crate) fn mark_stored(&mut self, id: &str, seq: u64) {
        if let Some(message) = self.own_mut(id) {
            message.seq = Some(seq);
            message.status = Some(MessageStatus::Sent);
            message.error = None;
        }
        self.sort();
        if let Arrival::InOrder(items) = self.stream.receive(seq, Stored::Own) {
            for (_, stored) in items {
                self.deliver(stored);
            }
        }
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

    pub(crate) fn typists_next_expiry(&self) -> Option<Instant> {
        self.typists.next_expiry()
    }

    pub(crate) fn expire_typing(&mut self, now: Instant) {
        self.typists.expire(now);
    }
}
