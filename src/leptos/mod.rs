//! Leptos bindings: the client as reactive signals.
//!
//! [`use_socket`] connects when the component is created and disconnects
//! when its reactive owner is disposed. Under server rendering (`ssr`) the
//! hook never touches browser APIs: its signals stay at `disconnected` and
//! `none`.

mod use_socket;

pub use use_socket::{use_socket, use_socket_with_options, UseSocketReturn};
