//! One connection's chat events, handled one at a time in the order they
//! arrived.
//!
//! socketioxide runs every incoming event's handler as a task of its own, so
//! the handlers of one connection's events would race: a burst of
//! `message`s would get its `seq`s out of send order, and a `message` sent
//! right behind its `join` could find the room not joined yet. socketioxide
//! does call each handler's synchronous part in arrival order, though. That
//! part is [`Inbox::arrive`]: it checks the payload, takes a rate-limit
//! token for a `message`, and queues the outcome. One task per connection
//! ([`serve`]) takes the queue in order and does the rest: store, ack,
//! broadcast. Each connection has its own task, so connections still
//! proceed in parallel, and what waits on one (a slow store write, say)
//! holds up no other.
//!
//! The queue is bounded (`--max-pending-events`): an event that finds it
//! full is refused at once with a sentence, never queued without limit.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use serde_json::Value;
use socketioxide::adapter::Adapter;
use socketioxide::socket::Sid;
use socketioxide::SocketIo;
use tokio::sync::{mpsc, oneshot};
use tracing::error;

use super::delivery::Reply;
use super::validate::{
    parse_join, parse_message, parse_room_only, Event, JoinRequest, MessageRequest, Rejection,
};
use super::Chat;
use crate::rate_limit::TokenBucket;

/// A checked chat event, ready to be handled.
#[derive(Debug)]
pub(super) enum Request {
    /// `join`.
    Join(JoinRequest),
    /// `leave` of this room.
    Leave(String),
    /// `message`.
    Message(MessageRequest),
    /// `typing` in this room.
    Typing(String),
}

/// What the connection's task is asked to do next. Small (an event is
/// boxed): a channel allocates room for 32 jobs up front, per connection.
#[derive(Debug)]
enum Job<A: Adapter> {
    /// Handle an event: a checked request, or the refusal to send back.
    Event(Box<Arrived<A>>),
    /// The connection is gone: clean up, say so on `done`, and stop.
    Disconnect { done: oneshot::Sender<()> },
}

/// An event as it arrived, checked.
#[derive(Debug)]
struct Arrived<A: Adapter> {
    event: Event,
    checked: Result<Request, Rejection>,
    reply: Reply<A>,
}

/// The queue of one connection's chat events, fed by its handlers.
#[derive(Debug)]
pub(super) struct Inbox<A: Adapter> {
    chat: Arc<Chat>,
    sid: Sid,
    jobs: mpsc::Sender<Job<A>>,
    /// The connection's `message` rate limit.
    bucket: Mutex<TokenBucket>,
}

impl<A: Adapter> Inbox<A> {
    /// The inbox of connection `sid`, with its task spawned on the current
    /// tokio runtime. The task ends after the disconnect, or when the
    /// inbox (that is, the socket holding its handlers) is dropped.
    pub(super) fn open(chat: &Arc<Chat>, sid: Sid, io: SocketIo<A>) -> Arc<Self> {
        let settings = chat.settings;
        let (jobs, queue) = mpsc::channel(settings.max_pending_events.max(1));
        tokio::spawn(serve(Arc::clone(chat), sid, io, queue));
        Arc::new(Self {
            chat: Arc::clone(chat),
            sid,
            jobs,
            bucket: Mutex::new(TokenBucket::new(
                settings.rate_per_sec,
                settings.rate_burst,
                Instant::now(),
            )),
        })
    }

    /// Takes in `event` with its `payload` (`None`: missing or unreadable)
    /// as it arrives, and queues it checked (or refused) for the
    /// connection's task. Runs in the handler's synchronous part, which
    /// socketioxide calls in arrival order.
    pub(super) fn arrive(&self, event: Event, payload: Option<Value>, reply: Reply<A>) {
        let checked = self.check(event, payload, Instant::now());
        let job = Job::Event(Box::new(Arrived {
            event,
            checked,
            reply,
        }));
        let refused = match self.jobs.try_send(job) {
            Ok(()) => return,
            Err(mpsc::error::TrySendError::Full(job)) => {
                (job, Rejection::too_many_pending(self.jobs.max_capacity()))
            }
            Err(mpsc::error::TrySendError::Closed(job)) => {
                error!(sid = %self.sid, event = event.name(), "the connection's event task is gone");
                (job, Rejection::not_handled())
            }
        };
        if let (Job::Event(arrived), rejection) = refused {
            self.chat.refuse(self.sid, event, &rejection, arrived.reply);
        }
    }

    /// Queues the disconnect behind every event that arrived before it, and
    /// resolves once the task has handled them all and cleaned up (so the
    /// socket leaves socketioxide's namespace only after that).
    pub(super) fn close(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let jobs = self.jobs.clone();
        async move {
            let (done, finished) = oneshot::channel();
            if jobs.send(Job::Disconnect { done }).await.is_ok() {
                // An error here means the task is gone: nothing left to wait for.
                let _ = finished.await;
            }
        }
    }

    fn check(
        &self,
        event: Event,
        payload: Option<Value>,
        now: Instant,
    ) -> Result<Request, Rejection> {
        if event == Event::Message && !self.bucket().try_take(now) {
            return Err(Rejection::rate_limited());
        }
        let payload = payload.ok_or_else(|| Rejection::unreadable(event))?;
        match event {
            Event::Join => parse_join(&payload).map(Request::Join),
            Event::Leave => parse_room_only(&payload, event).map(Request::Leave),
            Event::Message => {
                parse_message(&payload, self.chat.settings.max_text_chars).map(Request::Message)
            }
            Event::Typing => parse_room_only(&payload, event).map(Request::Typing),
        }
    }

    fn bucket(&self) -> MutexGuard<'_, TokenBucket> {
        self.bucket.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The connection's task: handles its jobs one at a time, in order.
async fn serve<A: Adapter>(
    chat: Arc<Chat>,
    sid: Sid,
    io: SocketIo<A>,
    mut queue: mpsc::Receiver<Job<A>>,
) {
    while let Some(job) = queue.recv().await {
        match job {
            Job::Event(arrived) => match arrived.checked {
                Err(rejection) => chat.refuse(sid, arrived.event, &rejection, arrived.reply),
                // Boxed: the handling (a store write, a history read) takes
                // room only while it runs, not in every idle connection's task.
                Ok(request) => Box::pin(chat.handle(sid, &io, request, arrived.reply)).await,
            },
            Job::Disconnect { done } => {
                Box::pin(chat.leave_all(sid, &io)).await;
                let _ = done.send(());
                return;
            }
        }
    }
    // Every handler is gone without a disconnect: clean up all the same.
    Box::pin(chat.leave_all(sid, &io)).await;
}
