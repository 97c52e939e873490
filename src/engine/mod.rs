//! The Engine.IO v4 session, as a sans-IO state machine.
//!
//! [`Session`] takes decoded packets, transport events and the current time in,
//! and hands back packets to send, the next deadline, and [`SessionEvent`]s.
//! It never reads a clock or touches a socket, so it runs natively in tests on
//! a virtual clock, in the style of `quinn-proto`.

mod close_reason;
mod session;

pub use close_reason::CloseReason;
pub use session::{Session, SessionEvent, SessionState};
