//! [`AckSender`]: the answer to a server event that asked for an
//! acknowledgement (the server's `emitWithAck` or an emit with a callback).

use serde::Serialize;

use crate::client::runtime::{Handle, Runtime};
use crate::client::EmitError;
use crate::protocol::{to_args, Value};

/// Answers one server event that asked for an acknowledgement; given to the
/// handler of [`Socket::on_with_ack`](crate::Socket::on_with_ack).
///
/// Call [`send`](Self::send) once, now or later (it may be moved into a
/// task). Dropped without an answer, it acknowledges with no arguments, so
/// the server's `emitWithAck` never hangs because of us.
///
/// ```
/// # use leptos_socketio::{AckSender, Socket, SocketOptions};
/// # use std::sync::{Arc, Mutex};
/// # let socket = Socket::new(SocketOptions::new("http://127.0.0.1:3000"));
/// // Answer an invitation once the user has clicked "Accept" or "Decline".
/// // (Handlers are `Send + Sync` natively; in the browser an `Rc<RefCell<_>>`
/// // does as well.)
/// let pending: Arc<Mutex<Option<AckSender>>> = Arc::default();
/// let waiting = pending.clone();
/// let _invites = socket.on_with_ack("invite", move |_room: Result<String, _>, ack| {
///     *waiting.lock().unwrap() = Some(ack);
/// });
/// // Later, in the "Accept" button's click handler:
/// if let Some(ack) = pending.lock().unwrap().take() {
///     ack.send(true)?;
/// }
/// # Ok::<(), leptos_socketio::EmitError>(())
/// ```
#[must_use = "dropping it answers the server with an empty acknowledgement"]
pub struct AckSender {
    runtime: Handle,
    namespace: String,
    id: u64,
    answered: bool,
}

impl AckSender {
    pub(crate) fn new(runtime: Handle, namespace: &str, id: u64) -> Self {
        Self {
            runtime,
            namespace: namespace.to_owned(),
            id,
            answered: false,
        }
    }

    /// Acknowledges with `data`: a tuple is sent as several arguments,
    /// anything else as one, `()` as none.
    ///
    /// Fails only when `data` cannot be serialized; the server then gets an
    /// empty acknowledgement instead.
    ///
    /// ```
    /// # use leptos_socketio::{Socket, SocketOptions};
    /// # let socket = Socket::new(SocketOptions::new("http://127.0.0.1:3000"));
    /// // The server asks who we are; a tuple answers with two arguments.
    /// let _whoami = socket.on_with_ack("whoami", |_: Result<(), _>, ack| {
    ///     if let Err(err) = ack.send(("ana", "lobby")) {
    ///         eprintln!("{err}");
    ///     }
    /// });
    /// ```
    pub fn send(mut self, data: impl Serialize) -> Result<(), EmitError> {
        match to_args(&data) {
            Ok(args) => {
                self.answer(args);
                Ok(())
            }
            Err(e) => {
                self.answer(Vec::new());
                Err(EmitError::Serialize {
                    event: format!("acknowledgement {}", self.id),
                    reason: e.to_string(),
                })
            }
        }
    }

    fn answer(&mut self, args: Vec<Value>) {
        if std::mem::replace(&mut self.answered, true) {
            return;
        }
        if let Some(runtime) = self.runtime.upgrade() {
            runtime.core.lock().ack(&self.namespace, self.id, args);
            Runtime::pump(&runtime);
        }
    }
}

impl Drop for AckSender {
    fn drop(&mut self) {
        self.answer(Vec::new());
    }
}

impl std::fmt::Debug for AckSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AckSender")
            .field("namespace", &self.namespace)
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}
