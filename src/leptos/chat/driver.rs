//! The driver of `<Chat/>`: feeds the sans-IO [`ChatState`] what happened
//! with the time, performs its commands through the [`Wire`], and keeps its
//! one timer armed.

use std::sync::{Arc, Mutex, PoisonError};

use leptos::prelude::*;

use crate::chat::{ChatState, InputError};
use crate::leptos::chat::clock::{self, Timer};
use crate::leptos::chat::saved;
use crate::leptos::chat::wire::{Incoming, Reply, Wire};
use crate::time::Instant;
use crate::ConnectionState;

/// Where a driver is kept in the view: on the page's one thread in the
/// browser (a browser timer is not `Send`); anywhere on the server, where no
/// timer exists and a multi-threaded server may dispose the owner elsewhere.
#[cfg(target_arch = "wasm32")]
pub(super) type DriverStorage = LocalStorage;
/// Where a driver is kept in the view (see the browser variant).
#[cfg(not(target_arch = "wasm32"))]
pub(super) type DriverStorage = SyncStorage;

/// Cheap to clone: every clone drives the same chat.
#[derive(Clone)]
pub(super) struct Driver {
    state: RwSignal<ChatState>,
    wire: Wire,
    timer: Arc<Mutex<Option<Timer>>>,
    /// The chat's server, as given (names what is saved).
    server: Arc<str>,
    /// The room, sync point and row count last saved.
    saved: Arc<Mutex<Option<(String, u64, usize)>>>,
}

impl Driver {
    pub(super) fn new(state: RwSignal<ChatState>, wire: Wire, server: &str) -> Self {
        Self {
            state,
            wire,
            timer: Arc::default(),
            server: server.into(),
            saved: Arc::default(),
        }
    }

    /// Applies `f` to the model at the current time, then performs the
    /// commands it queued and saves the room if it moved on. Does nothing
    /// once the component is gone.
    pub(super) fn apply<R>(&self, f: impl FnOnce(&mut ChatState, Instant) -> R) -> Option<R> {
        let now = clock::now();
        let result = self.state.try_update(|chat| f(chat, now))?;
        self.flush();
        self.save();
        Some(result)
    }

    /// The person joins `room` as `name`: what an earlier page left of it
    /// (saved messages, messages still in the outbox) shows at once.
    pub(super) fn join(&self, name: &str, room: &str) -> Option<Result<(), InputError>> {
        let (server, wire) = (self.server.clone(), self.wire.clone());
        self.apply(|chat, now| {
            chat.join(name, room, now)?;
            let (Some(room), Some(scope)) = (chat.room(), chat.durable_scope()) else {
                return Ok(());
            };
            let saved = saved::load(&server, room.name());
            chat.restore(saved, wire.pending(&scope));
            Ok(())
        })
    }

    /// Saves the room when its sync point or rows changed.
    fn save(&self) {
        let point = self.state.try_with_untracked(|chat| {
            let room = chat.room()?;
            Some((
                room.name().to_owned(),
                room.synced_seq(),
                room.messages().len(),
            ))
        });
        let Some(Some(point)) = point else { return };
        let mut last = self.saved.lock().unwrap_or_else(PoisonError::into_inner);
        if last.as_ref() == Some(&point) {
            return;
        }
        if let Some(Some(room)) = self.state.try_with_untracked(ChatState::saved_room) {
            saved::save(&self.server, &room);
        }
        *last = Some(point);
    }

    /// What the server said.
    pub(super) fn incoming(&self, incoming: Incoming) {
        self.apply(|chat, now| match incoming {
            Incoming::Message(message) => chat.handle_message(message, now),
            Incoming::Presence(presence) => chat.handle_presence(presence),
            Incoming::Typing(notice) => chat.handle_typing(notice, now),
            Incoming::Connection(ConnectionState::Connected) => chat.handle_connected(now),
            Incoming::Connection(_) => chat.handle_disconnected(now),
            Incoming::Unreadable(err) => chat.handle_unreadable(&err.event, &err.reason),
        });
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Option<Timer>> {
        self.timer.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Stops the timer (the component is going away).
    #[cfg(target_arch = "wasm32")]
    pub(super) fn stop(&self) {
        self.slot().take();
    }

    fn flush(&self) {
        loop {
            let commands = self
                .state
                .try_update_untracked(|chat| std::iter::from_fn(|| chat.poll_command()).collect())
                .unwrap_or_else(Vec::new);
            if commands.is_empty() {
                break;
            }
            for command in commands {
                let driver = self.clone();
                self.wire.perform(command, move |reply| driver.reply(reply));
            }
        }
        self.arm_timer();
    }

    fn reply(&self, reply: Reply) {
        self.apply(|chat, now| match reply {
            Reply::Join(ticket, Some(ack)) => chat.handle_join_ack(ticket, ack, now),
            Reply::Join(ticket, None) => chat.handle_join_lost(ticket),
            Reply::Message(ticket, Some(ack)) => chat.handle_message_ack(ticket, ack, now),
            Reply::Message(ticket, None) => chat.handle_message_lost(ticket),
        });
    }

    /// One timer, for the model's next deadline.
    fn arm_timer(&self) {
        let Some(deadline) = self.state.try_with_untracked(ChatState::poll_timeout) else {
            return;
        };
        let timer = deadline.and_then(|at| {
            let driver = self.clone();
            let wait = at.saturating_duration_since(clock::now());
            clock::after(wait, move || {
                driver.slot().take();
                driver.apply(|chat, now| chat.handle_timeout(now));
            })
        });
        // Replacing the old timer cancels it.
        *self.slot() = timer;
    }
}
