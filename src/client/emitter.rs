//! [`Emitter`]: one emit with options (timeout, volatile), and the future
//! that waits for its acknowledgement.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Duration;

use futures_channel::oneshot;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::client::core::AckResult;
use crate::client::error::check_event_name;
use crate::client::{AckError, DataError, EmitError, EmitOptions, Manager, Socket};
use crate::protocol::{from_args, to_args, Value};

/// An emit being set up: from [`Socket::timeout`] or [`Socket::volatile`],
/// finished with [`emit`](Self::emit) or [`emit_with_ack`](Self::emit_with_ack).
///
/// ```no_run
/// # use leptos_socketio::{Socket, SocketOptions};
/// # use std::time::Duration;
/// # fn demo(socket: Socket) -> Result<(), leptos_socketio::EmitError> {
/// socket.volatile().emit("cursor", (10, 20))?; // dropped when offline
/// let ack = socket
///     .timeout(Duration::from_secs(5))
///     .emit_with_ack::<u64>("count", ());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
#[must_use = "nothing is sent until emit or emit_with_ack is called"]
pub struct Emitter {
    socket: Socket,
    options: EmitOptions,
}

impl Emitter {
    pub(crate) fn new(socket: Socket) -> Self {
        Self {
            socket,
            options: EmitOptions::default(),
        }
    }

    /// Fail the acknowledgement with [`AckError::Timeout`] when the server
    /// has not answered within `timeout` (overrides
    /// [`SocketOptions::ack_timeout`](crate::SocketOptions::ack_timeout)).
    ///
    /// ```no_run
    /// # use leptos_socketio::Socket;
    /// # use std::time::Duration;
    /// # async fn f(socket: Socket) -> Result<(), Box<dyn std::error::Error>> {
    /// // Ask who is in the room, only if online now, and give up after a second.
    /// let members: Vec<String> = socket
    ///     .volatile()
    ///     .timeout(Duration::from_secs(1))
    ///     .emit_with_ack("who", "lobby")
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.options.timeout = Some(timeout);
        self
    }

    /// Send only if connected now; otherwise drop the emit instead of
    /// buffering it (its acknowledgement fails with [`AckError::Dropped`]).
    ///
    /// ```no_run
    /// # use leptos_socketio::{AckError, Socket};
    /// # use std::time::Duration;
    /// # async fn f(socket: Socket) -> Result<(), Box<dyn std::error::Error>> {
    /// let emit = socket.timeout(Duration::from_secs(1)).volatile();
    /// match emit.emit_with_ack::<Vec<String>>("who", "lobby").await {
    ///     Ok(members) => println!("{} in the lobby", members.len()),
    ///     Err(AckError::Dropped) => println!("offline: not asked"),
    ///     Err(err) => return Err(err.into()),
    /// }
    /// # Ok(()) }
    /// ```
    pub fn volatile(mut self) -> Self {
        self.options.volatile = true;
        self
    }

    /// Emits `event` with `data` (see [`Socket::emit`]).
    ///
    /// ```no_run
    /// # use leptos_socketio::{EmitError, Socket, SocketOptions};
    /// # let socket = Socket::new(SocketOptions::new("http://127.0.0.1:3000"));
    /// socket.volatile().emit("typing", "lobby")?;
    /// # Ok::<(), EmitError>(())
    /// ```
    pub fn emit(self, event: &str, data: impl Serialize) -> Result<(), EmitError> {
        self.send(event, &data, false).map(|_| ())
    }

    /// Emits `event` and waits for the acknowledgement, decoded into `R`
    /// (see [`Socket::emit_with_ack`]).
    ///
    /// ```no_run
    /// # use leptos_socketio::Socket;
    /// # use std::time::Duration;
    /// # async fn f(socket: Socket) -> Result<(), Box<dyn std::error::Error>> {
    /// // The server stores the message and answers with its id.
    /// let id: u64 = socket
    ///     .timeout(Duration::from_secs(5))
    ///     .emit_with_ack("message", ("lobby", "hello, all"))
    ///     .await?;
    /// println!("stored as message {id}");
    /// # Ok(()) }
    /// ```
    pub fn emit_with_ack<R: DeserializeOwned + 'static>(
        self,
        event: &str,
        data: impl Serialize,
    ) -> impl Future<Output = Result<R, AckError>> + 'static {
        // The ack is registered now, so the guard is made now too: the
        // future then releases it when dropped, even if never polled.
        let pending = match self.send(event, &data, true) {
            Ok(Some((id, receiver))) => Ok(PendingAck {
                manager: self.socket.manager_ref().clone(),
                namespace: self.socket.namespace_arc().clone(),
                id,
                receiver,
                answered: false,
            }),
            Ok(None) => Err(AckError::Disconnected),
            Err(err) => Err(AckError::Emit(err)),
        };
        let event = event.to_owned();
        async move {
            let args = pending?.await?;
            from_args(args).map_err(|e| AckError::Decode(DataError::new(event, e.to_string())))
        }
    }

    fn send(
        &self,
        event: &str,
        data: &impl Serialize,
        ack: bool,
    ) -> Result<Option<(u64, oneshot::Receiver<AckResult>)>, EmitError> {
        check_event_name(event)?;
        let args: Vec<Value> = to_args(data).map_err(|e| EmitError::Serialize {
            event: event.to_owned(),
            reason: e.to_string(),
        })?;
        let options = EmitOptions {
            ack,
            ..self.options
        };
        let socket = &self.socket;
        socket.notify_outgoing(event, &args);
        let now = socket.manager_ref().now();
        let receiver = socket
            .manager_ref()
            .with_core(|core| core.emit(socket.namespace(), event, args, options, now))?;
        socket.manager_ref().pump();
        Ok(receiver)
    }
}

/// An acknowledgement registered in the core, waited for. Dropped before
/// the answer came — polled or not — it releases the registration (the
/// core's waiter and the namespace's record of the ack id), so abandoned
/// waits do not pile up.
struct PendingAck {
    manager: Manager,
    namespace: Arc<str>,
    id: u64,
    receiver: oneshot::Receiver<AckResult>,
    /// The core has sent the outcome: nothing is left to release.
    answered: bool,
}

impl Future for PendingAck {
    type Output = AckResult;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<AckResult> {
        let this = self.get_mut();
        let result = ready!(Pin::new(&mut this.receiver).poll(cx));
        this.answered = true;
        // A sender dropped unanswered: the core let the waiter go.
        Poll::Ready(result.unwrap_or(Err(AckError::Disconnected)))
    }
}

impl Drop for PendingAck {
    fn drop(&mut self) {
        if !self.answered {
            self.manager
                .try_with_core(|core| core.cancel_ack(&self.namespace, self.id));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::SocketOptions;

    /// A socket of `options` whose (inert) core has joined `/`: emits are
    /// buffered and their acks registered, as in the browser before the
    /// connection.
    fn joined_socket_with(options: SocketOptions) -> Socket {
        let namespace = options.namespace_options();
        let manager = Manager::new(options);
        let now = manager.now();
        manager.with_core(|core| core.join("/", namespace, now));
        manager.socket("/")
    }

    fn joined_socket() -> Socket {
        joined_socket_with(SocketOptions::new("http://127.0.0.1:3000"))
    }

    fn awaited(socket: &Socket) -> (Vec<u64>, Vec<u64>) {
        socket
            .manager_ref()
            .with_core(|core| core.awaited_acks(socket.namespace()))
    }

    #[test]
    fn an_ack_future_dropped_without_being_polled_releases_its_waiter() {
        let socket = joined_socket();
        let ack = socket.emit_with_ack::<String>("x", ());
        assert_eq!(awaited(&socket), (vec![0], vec![0]), "registered at emit");
        drop(ack);
        assert_eq!(awaited(&socket), (vec![], vec![]));
    }

    #[test]
    fn an_ack_future_dropped_after_a_poll_releases_its_waiter() {
        let socket = joined_socket();
        let mut ack = Box::pin(socket.emit_with_ack::<String>("x", ()));
        let mut cx = Context::from_waker(std::task::Waker::noop());
        assert!(ack.as_mut().poll(&mut cx).is_pending(), "no answer offline");
        assert_eq!(awaited(&socket), (vec![0], vec![0]));
        drop(ack);
        assert_eq!(awaited(&socket), (vec![], vec![]));
    }

    #[test]
    fn emits_over_the_buffer_bound_fail_through_their_result_or_their_future() {
        let options = SocketOptions::new("http://127.0.0.1:3000").max_buffered_emits(2);
        let socket = joined_socket_with(options);
        socket.emit("a", ()).expect("room for a");
        let kept = socket.emit_with_ack::<()>("b", ());
        let full = EmitError::BufferFull { waiting: 2 };
        assert_eq!(socket.emit("c", ()), Err(full.clone()));
        let mut refused = Box::pin(socket.emit_with_ack::<()>("d", ()));
        let mut cx = Context::from_waker(std::task::Waker::noop());
        assert_eq!(
            refused.as_mut().poll(&mut cx),
            Poll::Ready(Err(AckError::Emit(full)))
        );
        assert_eq!(awaited(&socket), (vec![0], vec![0]), "b still waits");
        drop(kept);
    }
}
