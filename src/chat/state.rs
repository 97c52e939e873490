//! [`ChatState`]: one person in one room, driven by inputs and the time,
//! answering with [`Command`]s for the driver to emit.

use std::collections::{BTreeMap, VecDeque};

use crate::chat::typing::may_send_typing;
use crate::chat::{
    check_name, check_room, check_text, ChatLimits, ChatMessage, IdGenerator, InputError, JoinAck,
    JoinRequest, LeaveRequest, Message, MessageAck, MessageRequest, MessageStatus, Presence, Room,
    SavedRoom, TypingNotice, TypingRequest,
};
use crate::time::Instant;

/// Names one emit that waits for an ack, so the ack finds its way back
/// (acks of abandoned emits are recognised and ignored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ticket(u64);

/// What the driver must emit; acks go back with the [`Ticket`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Emit `join` with an ack; hand it to [`ChatState::handle_join_ack`].
    Join {
        /// Names the ack.
        ticket: Ticket,
        /// The payload.
        request: JoinRequest,
    },
    /// Emit `leave` (its ack carries nothing to act on), and close the
    /// room's durable `scope` ([`Socket::close_durable_scope`](crate::Socket::close_durable_scope)).
    Leave {
        /// The payload.
        request: LeaveRequest,
        /// The room's [`durable_scope`].
        scope: String,
    },
    /// Emit `message` with an ack; hand it to
    /// [`ChatState::handle_message_ack`]. For a [durable](ChatState::durable)
    /// chat: as a durable emit in `scope`
    /// ([`Socket::emit_durable_in`](crate::Socket::emit_durable_in)),
    /// whether connected or not; the outbox sends it once the room is
    /// joined under the same name.
    SendMessage {
        /// Names the ack.
        ticket: Ticket,
        /// The payload.
        request: MessageRequest,
        /// The room's [`durable_scope`] for the name it is sent under.
        scope: String,
    },
    /// Emit `typing` (no ack).
    Typing {
        /// The payload.
        request: TypingRequest,
    },
    /// For a [durable](ChatState::durable) chat: the room is joined on this
    /// connection, so open its durable `scope`
    /// ([`Socket::open_durable_scope`](crate::Socket::open_durable_scope)):
    /// the outbox may send its messages now. (A [`Command::Leave`] closes
    /// it, and so does a lost connection.)
    Joined {
        /// The room's [`durable_scope`].
        scope: String,
    },
}

/// The durable scope of the messages `name` sends to `room`: the server
/// stores a `message` under the name its connection joined the room with,
/// so only a connection (of any tab) joined to that room *under that name*
/// may send them.
///
/// ```
/// assert_eq!(leptos_socketio::chat::durable_scope("lobby", "ada"), "lobby/ada");
/// ```
pub fn durable_scope(room: &str, name: &str) -> String {
    // Room names have no `/`, so the scope names one room and one name.
    format!("{room}/{name}")
}

/// The chat as one person sees it. Sans-IO: every method takes what
/// happened and the time; emits are queued as [`Command`]s
/// ([`poll_command`](Self::poll_command)); the next deadline is
/// [`poll_timeout`](Self::poll_timeout).
///
/// Rules it keeps (the chat contract): own messages go pending → sent on
/// `{ok:true}` or failed on `{ok:false}`, and a retry re-sends the same id;
/// pending messages survive a lost connection and are re-sent, same id,
/// once the room is joined again; a skipped `seq` or a reconnect asks
/// `join {since}` and merges the answer; messages stay sorted by `seq`
/// and unique by `id`.
#[derive(Debug, Clone)]
pub struct ChatState {
    name: Option<String>,
    room: Option<Room>,
    connected: bool,
    /// The join waiting for its ack, if any.
    joining: Option<Ticket>,
    /// A `presence` of our room arrived while the join was waiting for its
    /// ack. The server sends every presence after the acks before it, but
    /// an ack is handled a little later (its future resumes on the next
    /// task) than an event, so such a presence is at least as fresh as the
    /// ack's member list, which then must not overwrite it.
    presence_while_joining: bool,
    /// Message emits waiting for their acks: ticket → message id.
    sending: BTreeMap<Ticket, String>,
    next_ticket: u64,
    ids: IdGenerator,
    typing_sent_at: Option<Instant>,
    error: Option<String>,
    commands: VecDeque<Command>,
    /// Messages go out as durable emits, which the outbox re-sends.
    durable: bool,
    /// The server's limits, as its last `join` ack gave them.
    limits: ChatLimits,
}

impl ChatState {
    /// A chat not in any room yet; message ids derive from `seed` (pass a
    /// random one).
    pub fn new(seed: u64) -> Self {
        Self {
            name: None,
            room: None,
            connected: false,
            joining: None,
            presence_while_joining: false,
            sending: BTreeMap::new(),
            next_ticket: 0,
            ids: IdGenerator::new(seed),
            typing_sent_at: None,
            error: None,
            commands: VecDeque::new(),
            durable: false,
            limits: ChatLimits::default(),
        }
    }

    /// A chat whose messages the driver sends as durable emits
    /// ([`Socket::emit_durable_in`](crate::Socket::emit_durable_in), in the
    /// room's scope): each [`Command::SendMessage`] is queued once, when the
    /// person sends (or retries), connected or not, and the outbox keeps it
    /// through lost connections and reloads. The driver opens the room's
    /// scope when a join is acknowledged. Without this the state keeps
    /// pending messages itself, in memory, and re-sends them after each
    /// join.
    ///
    /// ```
    /// use leptos_socketio::chat::{ChatState, Command};
    /// use leptos_socketio::time::Instant;
    ///
    /// let now = Instant::from_millis(0);
    /// let mut chat = ChatState::new(7).durable();
    /// chat.join("ada", "lobby", now).expect("valid");
    /// chat.send("typed offline", now).expect("a text");
    /// assert!(matches!(chat.poll_command(), Some(Command::SendMessage { .. })));
    /// ```
    pub fn durable(mut self) -> Self {
        self.durable = true;
        self
    }

    /// Takes back what an earlier page left, right after
    /// [`join`](Self::join) of the same room: `saved` (the room's last
    /// messages and sync point, so the join asks only `since` it) and
    /// `pending`, the messages still in the outbox under this room's
    /// [`durable_scope`], shown as pending again (the outbox sends them; no
    /// command is queued).
    pub fn restore(&mut self, saved: Option<SavedRoom>, pending: Vec<MessageRequest>) {
        let (Some(name), Some(room)) = (self.name.clone(), self.room.as_mut()) else {
            return;
        };
        if let Some(saved) = saved.filter(|s| s.room == room.name() && !room.is_joined()) {
            *room = Room::resume(saved);
            // A join already queued (connected when `join` was called)
            // asks only for what came after the saved point too.
            let since = room.since();
            for command in &mut self.commands {
                if let Command::Join { request, .. } = command {
                    if request.room == room.name() {
                        request.since = since;
                    }
                }
            }
        }
        for request in pending {
            let known = room.messages().iter().any(|m| m.id == request.id);
            if request.room == room.name() && !known {
                room.push_own(ChatMessage::own(request.id, name.clone(), request.text));
            }
        }
    }

    /// The [`durable_scope`] of the room joined (or being joined) and the
    /// name.
    pub fn durable_scope(&self) -> Option<String> {
        Some(durable_scope(
            self.room.as_ref()?.name(),
            self.name.as_deref()?,
        ))
    }

    /// The server's limits (from its last `join` ack; the defaults before).
    pub fn limits(&self) -> ChatLimits {
        self.limits
    }

    /// The room to keep in storage (see [`restore`](Self::restore)).
    pub fn saved_room(&self) -> Option<SavedRoom> {
        self.room.as_ref().map(Room::saved)
    }

    /// The room joined or being joined.
    pub fn room(&self) -> Option<&Room> {
        self.room.as_ref()
    }

    /// The name we joined with.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// Whether we are in the room on the current connection.
    pub fn is_joined(&self) -> bool {
        self.room.as_ref().is_some_and(Room::is_joined)
    }

    /// The last error, as a sentence for the person.
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }

    /// Forgets the error shown.
    pub fn clear_error(&mut self) {
        self.error = None;
    }

    /// The next command to perform.
    pub fn poll_command(&mut self) -> Option<Command> {
        self.commands.pop_front()
    }

    /// When [`handle_timeout`](Self::handle_timeout) must be called next
    /// (a typing indicator ends).
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.room.as_ref()?.typists_next_expiry()
    }

    /// Time passed: typing indicators that ended are removed.
    pub fn handle_timeout(&mut self, now: Instant) {
        if let Some(room) = &mut self.room {
            room.expire_typing(now);
        }
    }

    /// The person asks to join `room` as `name` (leaving the room they were
    /// in). Joins now if connected, else as soon as connected.
    pub fn join(&mut self, name: &str, room: &str, _now: Instant) -> Result<(), InputError> {
        let name = check_name(name)?;
        // What a person types may carry stray spaces around the room.
        let room = check_room(room.trim())?;
        self.error = None;
        let same = self.room.as_ref().is_some_and(|r| r.name() == room)
            && self.name.as_deref() == Some(name.as_str());
        if same && (self.is_joined() || self.joining.is_some()) {
            return Ok(());
        }
        if let Some(old) = self.room.take() {
            if old.is_joined() && self.connected {
                self.commands.push_back(Command::Leave {
                    scope: durable_scope(old.name(), self.name.as_deref().unwrap_or_default()),
                    request: LeaveRequest {
                        room: old.name().to_owned(),
                    },
                });
            }
        }
        self.name = Some(name);
        self.room = Some(Room::new(room));
        self.joining = None;
        self.sending.clear();
        self.typing_sent_at = None;
        if self.connected {
            self.request_join();
        }
        Ok(())
    }

    /// The person sends `text`: a pending row now, emitted when joined.
    pub fn send(&mut self, text: &str, _now: Instant) -> Result<(), InputError> {
        let text = check_text(text, self.limits.max_text_chars)?;
        let (Some(name), Some(room)) = (self.name.clone(), self.room.as_mut()) else {
            return Err(InputError::NotInRoom);
        };
        let id = self.ids.next_id();
        // Our message ends our typing indicator at the others, so the next
        // keystroke announces typing again at once.
        self.typing_sent_at = None;
        room.push_own(ChatMessage::own(id.clone(), name, text));
        self.emit_message(&id);
        Ok(())
    }

    /// The person retries failed message `id`: pending again, same id.
    pub fn retry(&mut self, id: &str, _now: Instant) {
        let Some(message) = self.room.as_mut().and_then(|r| r.own_mut(id)) else {
            return;
        };
        if message.status != Some(MessageStatus::Failed) {
            return;
        }
        message.status = Some(MessageStatus::Pending);
        message.error = None;
        self.emit_message(id);
    }

    /// The person typed in the composer: `typing` goes out at most once a
    /// second.
    pub fn handle_input(&mut self, now: Instant) {
        let Some(room) = self.room.as_ref().filter(|r| r.is_joined()) else {
            return;
        };
        if !self.connected || !may_send_typing(self.typing_sent_at, now) {
            return;
        }
        self.typing_sent_at = Some(now);
        self.commands.push_back(Command::Typing {
            request: TypingRequest {
                room: room.name().to_owned(),
            },
        });
    }

    /// The socket connected (first time or again): join (again), asking
    /// for what was missed.
    pub fn handle_connected(&mut self, _now: Instant) {
        self.connected = true;
        if self.room.is_some() && self.joining.is_none() && !self.is_joined() {
            self.request_join();
        }
    }

    /// The connection dropped: nothing is failed; the room is joined again,
    /// and pending messages re-sent, once connected.
    pub fn handle_disconnected(&mut self, _now: Instant) {
        self.connected = false;
        self.joining = None;
        if !self.durable {
            // Durable emits keep waiting for their acks across connections.
            self.sending.clear();
        }
        if let Some(room) = &mut self.room {
            room.set_joined(false);
        }
    }

    /// The ack of the join with `ticket`.
    pub fn handle_join_ack(&mut self, ticket: Ticket, ack: JoinAck, _now: Instant) {
        if self.joining != Some(ticket) {
            return;
        }
        self.joining = None;
        match ack {
            JoinAck::Joined {
                history,
                members,
                limits,
            } => {
                self.limits = limits.unwrap_or_default();
                let Some(room) = &mut self.room else { return };
                room.set_joined(true);
                // An answer as long as the server's page may have more after it.
                let full_page = history.len() >= self.limits.history_limit;
                room.merge_history(history, !full_page);
                let behind = room.wants_more(full_page);
                if !std::mem::take(&mut self.presence_while_joining) {
                    room.set_members(members);
                }
                if self.durable {
                    // The outbox sends them, once the room's scope is open.
                    let name = self.name.as_deref().unwrap_or_default();
                    self.commands.push_back(Command::Joined {
                        scope: durable_scope(room.name(), name),
                    });
                } else {
                    let unsent: Vec<String> = room
                        .messages()
                        .iter()
                        .filter(|m| m.status == Some(MessageStatus::Pending))
                        .map(|m| m.id.clone())
                        .filter(|id| !self.sending.values().any(|s| s == id))
                        .collect();
                    for id in unsent {
                        self.emit_message(&id);
                    }
                }
                if behind {
                    // The next page, since the last seq now held.
                    self.request_join();
                }
            }
            JoinAck::Refused { error } => {
                let was_joined_before = self.room.as_ref().is_some_and(|r| r.since().is_some());
                self.error = Some(error);
                if !was_joined_before {
                    // Back to the form: the person picks another name or room.
                    self.room = None;
                    self.name = None;
                }
            }
        }
    }

    /// A join's ack never came (it timed out: an overloaded server may drop
    /// an ack; or the emit failed): asked again now if connected, else on
    /// the next connection.
    pub fn handle_join_lost(&mut self, ticket: Ticket) {
        if self.joining == Some(ticket) {
            self.joining = None;
            if self.connected {
                self.request_join();
            }
        }
    }

    /// The ack of the message emit with `ticket`.
    pub fn handle_message_ack(&mut self, ticket: Ticket, ack: MessageAck, _now: Instant) {
        let Some(id) = self.sending.remove(&ticket) else {
            return;
        };
        let Some(room) = &mut self.room else { return };
        match ack {
            MessageAck::Stored { seq } => {
                room.mark_stored(&id, seq);
                if room.has_gap() && room.is_joined() && self.joining.is_none() {
                    self.request_join();
                }
            }
            MessageAck::Refused { error } => {
                if let Some(message) = room.own_mut(&id) {
                    if message.status == Some(MessageStatus::Pending) {
                        message.status = Some(MessageStatus::Failed);
                        message.error = Some(error);
                    }
                }
            }
        }
    }

    /// A message emit's ack never came (the socket gave up on it): the
    /// message stays pending and is re-sent after the next join.
    pub fn handle_message_lost(&mut self, ticket: Ticket) {
        self.sending.remove(&ticket);
    }

    /// A broadcast `message`.
    pub fn handle_message(&mut self, message: Message, _now: Instant) {
        let Some(room) = self.room.as_mut().filter(|r| r.name() == message.room) else {
            return;
        };
        if !room.is_joined() {
            return;
        }
        room.receive(message);
        if room.has_gap() && self.joining.is_none() {
            self.request_join();
        }
    }

    /// A broadcast `event` whose data did not match the contract
    /// (`reason` says how). It is shown as an error; when it may have been a
    /// message, the room catches up from its last in-sync `seq`, so nothing
    /// is lost because one broadcast could not be read.
    pub fn handle_unreadable(&mut self, event: &str, reason: &str) {
        self.error = Some(format!(
            "The server sent a \"{event}\" event this app cannot read ({reason})."
        ));
        let joined = self.is_joined();
        if event == "message" && joined && self.joining.is_none() {
            self.request_join();
        }
    }

    /// A broadcast `presence`.
    pub fn handle_presence(&mut self, presence: Presence) {
        if let Some(room) = self.room.as_mut().filter(|r| r.name() == presence.room) {
            room.set_members(presence.members);
            if self.joining.is_some() {
                self.presence_while_joining = true;
            }
        }
    }

    /// A broadcast `typing`: `name` shows as typing for 3 s from `now`.
    pub fn handle_typing(&mut self, notice: TypingNotice, now: Instant) {
        if self.name.as_deref() == Some(notice.name.as_str()) {
            return;
        }
        if let Some(room) = self.room.as_mut().filter(|r| r.name() == notice.room) {
            room.typists_mut().typed(notice.name, now);
        }
    }

    fn ticket(&mut self) -> Ticket {
        self.next_ticket += 1;
        Ticket(self.next_ticket)
    }

    fn request_join(&mut self) {
        let (Some(name), Some(room)) = (self.name.clone(), self.room.as_ref()) else {
            return;
        };
        let request = JoinRequest {
            room: room.name().to_owned(),
            name,
            since: room.since(),
        };
        let ticket = self.ticket();
        self.joining = Some(ticket);
        self.presence_while_joining = false;
        self.commands.push_back(Command::Join { ticket, request });
    }

    /// Emits own message `id` if joined and connected; otherwise it waits
    /// (pending) for the next join. A durable chat emits it at once: the
    /// outbox waits.
    fn emit_message(&mut self, id: &str) {
        if !self.durable && (!self.connected || !self.is_joined()) {
            return;
        }
        let Some(room) = self.room.as_ref() else {
            return;
        };
        let Some(message) = room.messages().iter().find(|m| m.id == id) else {
            return;
        };
        let request = MessageRequest {
            room: room.name().to_owned(),
            id: message.id.clone(),
            text: message.text.clone(),
        };
        let scope = durable_scope(room.name(), self.name.as_deref().unwrap_or_default());
        let ticket = self.ticket();
        self.sending.insert(ticket, request.id.clone());
        self.commands.push_back(Command::SendMessage {
            ticket,
            request,
            scope,
        });
    }
}
