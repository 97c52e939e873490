//! The Engine.IO v4 session, as sans-IO state machines.
//!
//! - [`Session`] takes decoded packets, transport events and the current
//!   time in, and hands back packets to send, the next deadline, and
//!   [`SessionEvent`]s.
//! - [`WriteBuffer`] queues outgoing packets for long-polling: one POST in
//!   flight at a time, batched up to the server's `maxPayload`. A failed
//!   POST ends the session, as in socket.io-client; nothing is re-sent.
//! - [`Upgrade`] runs the polling → WebSocket upgrade (probe, pause polling,
//!   `upgrade` packet), reporting [`UpgradeEvent`]s.
//! - [`TransportChoice`] decides, for a [`TransportMode`], which transport to
//!   open first, when to [`Fallback`] to polling and when to probe for an
//!   upgrade; [`RememberedTransport`] is what the driver persists between
//!   page loads.
//!
//! - [`EngineSocket`] puts them together: one Engine.IO connection across
//!   transports, telling the driver what to do as [`EngineAction`]s.
//!
//! None of them reads a clock or touches a socket, so they run natively in
//! tests on a virtual clock, in the style of `quinn-proto`.

mod close_reason;
mod engine_socket;
mod session;
mod transport_choice;
mod transport_error;
mod transport_event;
mod transport_kind;
mod upgrade;
mod write_buffer;

pub use close_reason::CloseReason;
pub use engine_socket::{EngineAction, EngineEvent, EngineOptions, EngineSocket, TransportId};
pub use session::{Session, SessionEvent, SessionState, MAX_WAITING_MESSAGES};
pub use transport_choice::{
    Fallback, RememberedTransport, TransportChoice, TransportMode, DEFAULT_REMEMBER_TTL,
    DEFAULT_WEBSOCKET_DEADLINE,
};
pub use transport_error::TransportError;
pub use transport_event::TransportEvent;
pub use transport_kind::TransportKind;
pub use upgrade::{Upgrade, UpgradeEvent, UpgradeState};
pub use write_buffer::WriteBuffer;
