//! Leptos bindings: the client as reactive signals.
//!
//! - [`use_socket`] / [`use_socket_with_options`]: a socket for the life of
//!   the current reactive owner, its state, transport, round trip and last
//!   error as signals ([`UseSocketReturn`]).
//! - [`use_event`]: the latest data of one server event, typed.
//! - [`provide_socket`] / [`use_socket_context`]: one connection for a tree.
//!
//! Everything a hook registers (handlers, the connection) is released when
//! its owner is disposed. Under server rendering (`ssr`) the hooks never
//! touch browser APIs: the socket is inert and the signals stay at
//! `disconnected`, `none` and `None`.

mod context;
mod use_event;
mod use_socket;

pub use context::{provide_socket, use_socket_context};
pub use use_event::use_event;
pub use use_socket::{use_socket, use_socket_with_options, UseSocketReturn};
