//! # leptos-socketio
//!
//! A [Socket.IO](https://socket.io) client for the browser, written in Rust and
//! compiled to WebAssembly, with bindings for [Leptos](https://leptos.dev).
//! It speaks Engine.IO v4 and Socket.IO v5, so it talks to any Socket.IO 4.x
//! server, Node's or Rust's ([socketioxide](https://docs.rs/socketioxide)).
//!
//! The crate is layered; data flows down on send and up on receive:
//!
//! | module | holds |
//! |---|---|
//! | [`leptos`] | `use_socket`, `use_event`, context, `<Chat/>` |
//! | [`chat`] | the demo chat's payloads and state, sans-IO |
//! | [`client`] | [`Socket`]: connect, typed `emit`, acks, events, namespaces; the sans-IO core and the runtime that runs it |
//! | ↳ the driver seam | below it the runtime decides (URLs, timers, what to remember, the pump and the handlers); above it a driver performs: the browser's, or a test's |
//! | [`engine`] | the Engine.IO session (handshake, heartbeat), sans-IO |
//! | `transport` | the browser WebSocket and `fetch` wrappers (wasm32 only) |
//! | [`protocol`] | packet codecs; no IO, no clock |
//!
//! Everything but the driver and the transports is plain Rust with no
//! `cfg(target_arch)`, tested natively on a virtual clock; only the browser
//! driver and the transports touch `web_sys`.
//!
//! ```no_run
//! use leptos_socketio::{Socket, SocketOptions};
//! use serde::Deserialize;
//!
//! #[derive(Deserialize)]
//! struct Message { name: String, text: String }
//!
//! let socket = Socket::new(SocketOptions::new("http://127.0.0.1:3000"));
//! let _listener = socket.on("message", |message: Result<Message, _>| match message {
//!     Ok(m) => println!("{}: {}", m.name, m.text),
//!     Err(err) => eprintln!("{err}"), // the data did not match `Message`
//! });
//! socket.emit("echo", "hello").expect("echo is not a reserved event");
//! ```
//!
//! In a Leptos app, [`leptos::use_socket`] gives the same socket with its
//! state as signals, and [`leptos::Chat`] is a whole chat room.

pub mod chat;
pub mod client;
pub mod engine;
#[cfg(target_arch = "wasm32")]
mod js_error;
#[cfg(feature = "leptos")]
pub mod leptos;
pub mod protocol;
pub mod time;
#[cfg(target_arch = "wasm32")]
mod transport;

/// The README's Rust examples, compiled as doc tests so they stay true.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

pub use client::{
    AckError, AckSender, Args, ConnectionState, DataError, DurableError, EmitError, Emitter,
    EventListener, Manager, Socket, SocketOptions, TransportKind,
};
pub use engine::TransportMode;
