//! Leptos bindings: the client as reactive signals, and a chat component.
//!
//! - [`use_socket`] / [`use_socket_with_options`]: a socket for the life of
//!   the current reactive owner, its state, transport, round trip and last
//!   error as signals ([`UseSocketReturn`]).
//! - [`use_event`]: the latest data of one server event, typed.
//! - [`provide_socket`] / [`use_socket_context`]: one connection for a tree.
//! - [`Chat`]: a complete chat client for the companion server.
//!
//! Everything a hook or component registers (handlers, timers, the
//! connection) is released when its owner is disposed. Under server
//! rendering (`ssr`) they never touch browser APIs: the socket is inert,
//! the signals stay at `disconnected`, `none` and `None`, and `<Chat/>`
//! renders its join form.

mod chat;
mod context;
mod use_event;
mod use_socket;

pub use chat::Chat;
pub use context::{provide_socket, use_socket_context};
pub use use_event::use_event;
pub use use_socket::{use_socket, use_socket_with_options, UseSocketReturn};
