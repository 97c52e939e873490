//! Leptos bindings: the client as reactive signals, and a chat component.
//!
//! [`use_socket`] connects when the component is created and disconnects
//! when its reactive owner is disposed. [`Chat`] is a complete chat client
//! for the companion server. Under server rendering (`ssr`) both never
//! touch browser APIs: the signals stay at `disconnected` and `none`, and
//! `<Chat/>` renders its join form.

mod chat;
mod use_socket;

pub use chat::Chat;
pub use use_socket::{use_socket, use_socket_with_options, UseSocketReturn};
