//! The Socket.IO client: a [`Socket`] handle over one Engine.IO session.
//!
//! The bookkeeping (namespace connect, buffered emits, ack ids and their
//! deadlines) is the sans-IO [`Namespace`]; [`Socket`] runs it, and the
//! Engine.IO [`Session`](crate::engine::Session), on browser timers and a
//! browser transport. Outside the browser (native tests, SSR) a `Socket` is
//! inert: it stays [`ConnectionState::Disconnected`] and never opens a
//! connection.

mod error;
mod listeners;
mod namespace;
mod options;
mod socket;
mod state;
mod url;

pub use error::{AckError, EmitError};
pub use listeners::EventListener;
pub use namespace::{Namespace, NamespaceEvent};
pub use options::SocketOptions;
pub use socket::Socket;
pub use state::{ConnectionState, TransportKind};
pub use url::{engine_url, ServerUrl, UrlError};
