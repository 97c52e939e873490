//! The Socket.IO client: a [`Socket`] handle over one Engine.IO session.
//!
//! The bookkeeping is sans-IO: [`Namespace`] (connect, buffered and
//! volatile emits, ack ids and deadlines, retries) and [`Connection`]
//! (namespaces multiplexed over one session, binary attachments), composed
//! with the Engine.IO [`EngineSocket`](crate::engine::EngineSocket) and
//! [`Reconnect`] into one core.
//!
//! The seam: a runtime (`runtime/`) runs the core the same way on every
//! platform — the pump that feeds transport reports in and hands events to
//! handlers, the ack senders and waiters, the one timer, the URLs, the
//! remembered transport — and asks a driver (`driver.rs`, a small trait:
//! clock and seed, the page's origin, perform an IO, arm a timer, load and
//! store a value) to do the rest. In the browser the driver is
//! `browser.rs`; natively, until a native driver is chosen, an inert one,
//! so a `Socket` stays [`ConnectionState::Disconnected`] and never opens a
//! connection (server rendering). The runtime's tests run it on a fake
//! driver.
//!
//! With the `native` feature, the driver natively is tokio's: the same
//! `Socket` connects from a Rust program, made inside a tokio runtime
//! (`examples/native_client.rs` runs one against the companion server):
//!
//! ```ignore
//! # // Needs `--features native` and a tokio runtime; see examples/native_client.rs.
//! #[tokio::main]
//! async fn main() {
//!     let socket = leptos_socketio::Socket::new(
//!         leptos_socketio::SocketOptions::new("http://127.0.0.1:3000"),
//!     );
//!     let echoed: Result<String, _> = socket.emit_with_ack("echo", "hi").await;
//!     assert_eq!(echoed.as_deref(), Ok("hi"));
//! }
//! ```

mod ack_sender;
mod args;
mod backoff;
#[cfg(target_arch = "wasm32")]
mod browser;
mod connection;
mod core;
mod driver;
mod durable;
mod emitter;
mod endpoint;
mod error;
mod in_flight;
mod listeners;
mod manager;
mod namespace;
#[cfg(all(feature = "native", not(target_arch = "wasm32")))]
mod native;
mod options;
mod outbox;
mod reconnect;
mod runtime;
mod seq_stream;
mod socket;
mod sorted_map;
mod state;
mod sync;
mod url;

pub use ack_sender::AckSender;
pub use args::Args;
pub use emitter::Emitter;
pub use manager::Manager;

pub use backoff::{Backoff, BackoffOptions};
pub use connection::{Connection, Outgoing};
pub use error::{AckError, DataError, DurableError, EmitError};
pub use listeners::EventListener;
pub use namespace::{
    AckFailure, EmitOptions, Namespace, NamespaceEvent, NamespaceOptions,
    DEFAULT_MAX_BUFFERED_EMITS,
};
pub use options::{Durable, SocketOptions};
pub use outbox::{
    Outbox, OutboxEntry, OutboxError, OutboxEvent, MAX_DURABLE_EMITS, OUTBOX_LEASE_MS,
};
pub use reconnect::{Reconnect, ReconnectEvent, ReconnectOptions};
pub use seq_stream::{Arrival, SeqStream};
pub use socket::Socket;
pub use state::{ConnectionState, TransportKind};
pub use sync::{MaybeSend, MaybeSync};
pub use url::{engine_url, ServerUrl, UrlError};
