//! The protocol core: codecs for Engine.IO v4 and Socket.IO v5 packets.
//!
//! Pure functions from text or bytes to typed packets and back; no IO, no
//! clock, so everything here is tested natively. Decoders never panic:
//! malformed input gives a [`DecodeError`] that says what was wrong.
//!
//! Two seams pick the platform's own codec, each in one file: JSON
//! (`json.rs`: `JSON.parse` in the browser, serde_json elsewhere, with a
//! plain-JSON reader in Rust in front of both) and base64 (`base64.rs`:
//! `atob`/`btoa` in the browser, the `base64` crate elsewhere). They are
//! pure functions of the JavaScript engine, not browser IO; their browser
//! side is tested in Chromium (`tests/browser_codec.rs`).
//!
//! - [`EnginePacket`]: one Engine.IO packet, from a WebSocket [`Frame`] or
//!   from text; the `open` packet carries a [`Handshake`].
//! - [`encode_payload`] / [`decode_payload`]: several Engine.IO packets in
//!   one polling body, joined by `\x1e`.
//! - [`SocketPacket`]: one Socket.IO packet (namespace plus [`PacketBody`]),
//!   carried in an [`EnginePacket::Message`]; its arguments are [`Value`]s,
//!   JSON that may hold binary data. [`SocketPacket::into_wire`] and the
//!   [`Reassembler`] move binary parts to and from attachments.
//! - [`to_value`] / [`from_value`], [`to_args`] / [`from_args`]: typed
//!   events, any serde type to and from [`Value`]s, bytes kept as binary; a
//!   conversion that does not fit gives a [`ValueError`].
//!
//! Specs: the READMEs of `socketio/engine.io-protocol` and
//! `socketio/socket.io-protocol`.

mod attachments;
mod base64;
mod engine_packet;
mod error;
mod handshake;
pub(crate) mod json;
mod payload;
pub(crate) mod serde;
mod socket_packet;
mod value;

pub use self::serde::{from_args, from_value, to_args, to_value, ValueError};
pub use attachments::{deconstruct, reconstruct, Reassembler};
pub use engine_packet::{EnginePacket, Frame};
pub use error::DecodeError;
pub use handshake::Handshake;
pub use payload::{decode_payload, encode_payload};
pub use socket_packet::{PacketBody, SocketPacket};
pub use value::Value;

#[cfg(test)]
mod test_support;
