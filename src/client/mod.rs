//! The Socket.IO client: a [`Socket`] handle over one Engine.IO session.
//!
//! The bookkeeping is sans-IO: [`Namespace`] (connect, buffered and
//! volatile emits, ack ids and deadlines, retries) and [`Connection`]
//! (namespaces multiplexed over one session, binary attachments). [`Socket`]
//! runs them, and the
//! Engine.IO [`Session`](crate::engine::Session), on browser timers and a
//! browser transport. Outside the browser (native tests, SSR) a `Socket` is
//! inert: it stays [`ConnectionState::Disconnected`] and never opens a
//! connection.

mod ack_sender;
mod args;
mod backoff;
#[cfg(target_arch = "wasm32")]
mod browser;
mod connection;
mod core;
mod driver;
mod emitter;
mod endpoint;
mod error;
mod in_flight;
mod listeners;
mod manager;
mod namespace;
mod options;
mod reconnect;
mod runtime;
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
pub use error::{AckError, DataError, EmitError};
pub use listeners::EventListener;
pub use namespace::{
    AckFailure, EmitOptions, Namespace, NamespaceEvent, NamespaceOptions,
    DEFAULT_MAX_BUFFERED_EMITS,
};
pub use options::SocketOptions;
pub use reconnect::{Reconnect, ReconnectEvent, ReconnectOptions};
pub use socket::Socket;
pub use state::{ConnectionState, TransportKind};
pub use sync::{MaybeSend, MaybeSync};
pub use url::{engine_url, ServerUrl, UrlError};
