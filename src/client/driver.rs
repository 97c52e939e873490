//! [`Driver`]: what the client's runtime asks of a platform, and nothing
//! more: a clock and a seed, the page's origin where there is one, transports
//! that move bytes, one timer, and a small storage slot.
//!
//! Every decision (which URL, when to open or close a transport, what to
//! remember, when to wake) is the runtime's
//! ([`Runtime`](crate::client::runtime::Runtime)), below this seam and the
//! same for every driver; a driver only performs it and reports back through
//! the [`Handle`] it is given.

use std::time::Duration;

use crate::client::runtime::Handle;
use crate::client::sync::{MaybeSend, MaybeSync};
#[cfg(doc)]
use crate::engine::TransportEvent;
use crate::engine::{TransportError, TransportId};
use crate::protocol::Frame;
use crate::time::Instant;

/// One thing a transport must do, with every URL already built.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Io {
    /// Open a WebSocket to `url`; report [`TransportEvent::Open`], then
    /// frames, then at most one failure.
    OpenWebSocket { id: TransportId, url: String },
    /// Long-poll: GET `url`, report the body (or the failure). The first
    /// request of an `id` creates its polling transport.
    Get { id: TransportId, url: String },
    /// POST `body` to `url`, report [`TransportEvent::PostDone`] (or the
    /// failure). `last`: the session's closing POST, which should outlive
    /// the page (a `keepalive` request in the browser).
    Post {
        id: TransportId,
        url: String,
        body: String,
        last: bool,
    },
    /// Send one frame on WebSocket `id`.
    Send { id: TransportId, frame: Frame },
    /// Close transport `id` and drop everything it holds; it reports
    /// nothing more.
    Close { id: TransportId },
}

/// What every HTTP request of a connection carries.
// Natively only a test driver reads these (no native driver yet).
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
#[derive(Debug, Clone, Copy)]
pub(crate) struct HttpConfig<'a> {
    /// Send cookies cross-origin.
    pub(crate) with_credentials: bool,
    /// Extra request headers.
    pub(crate) extra_headers: &'a [(String, String)],
}

/// A platform under the client's runtime: the browser's (`browser.rs`), or
/// a test's. Methods are called without any runtime lock held, so a driver
/// may report synchronously from inside them.
pub(crate) trait Driver: MaybeSend + MaybeSync + 'static {
    /// Whether this driver connects at all. An inert one (server rendering)
    /// does not, and the sockets on it stay `disconnected`.
    fn connects(&self) -> bool {
        true
    }

    /// Now, on a monotonic clock.
    fn now(&self) -> Instant;

    /// Milliseconds since the Unix epoch (for what is remembered across
    /// runs, which a monotonic clock cannot date).
    fn unix_ms(&self) -> u64;

    /// Randomness for the reconnection jitter.
    fn seed(&self) -> u64;

    /// The page's origin, which an empty server URL stands for.
    fn origin(&self) -> Option<String> {
        None
    }

    /// Does `io`, reporting what follows through `handle`. An error is a
    /// failure known at once (a URL the platform refuses); the runtime
    /// treats it as the transport's failure.
    fn perform(&self, io: Io, http: HttpConfig<'_>, handle: &Handle) -> Result<(), TransportError>;

    /// Calls [`Handle::wake`] once `delay` has passed, replacing the timer
    /// armed before; `None` disarms it. The runtime asks only when its
    /// earliest deadline changes.
    fn arm_timer(&self, delay: Option<Duration>, handle: &Handle);

    /// The value stored under `key`, if any.
    fn load(&self, key: &str) -> Option<String>;

    /// Stores `value` under `key`, or says why it could not (storage full
    /// or unavailable, as in some private windows).
    fn store(&self, key: &str, value: &str) -> Result<(), String>;

    /// Called once, when the runtime starts: a driver that watches the
    /// page's life (leaving it, coming back to it) keeps `handle` for that.
    fn attach(&self, handle: &Handle) {
        let _ = handle;
    }
}

/// The driver of a platform with nothing to connect with (server rendering,
/// native code without the `native` feature): it never connects, so its
/// sockets stay `disconnected` and nothing is ever dispatched.
#[derive(Debug, Default)]
pub(crate) struct InertDriver;

impl Driver for InertDriver {
    fn connects(&self) -> bool {
        false
    }

    fn now(&self) -> Instant {
        Instant::default()
    }

    fn unix_ms(&self) -> u64 {
        0
    }

    fn seed(&self) -> u64 {
        0
    }

    fn perform(&self, io: Io, _: HttpConfig<'_>, _: &Handle) -> Result<(), TransportError> {
        // Never asked: an inert runtime joins no namespace.
        drop(io);
        Err(TransportError::Unavailable(
            "this build has no transport (server rendering)".to_owned(),
        ))
    }

    fn arm_timer(&self, _: Option<Duration>, _: &Handle) {}

    fn load(&self, _: &str) -> Option<String> {
        None
    }

    fn store(&self, _: &str, _: &str) -> Result<(), String> {
        Err("there is no storage here (server rendering)".to_owned())
    }
}

/// The driver `Manager::new` uses on this platform: the browser's in the
/// browser; natively, with the `native` feature, tokio's (or, outside a
/// tokio runtime, one that says so), and an inert one without it.
pub(crate) fn platform_driver() -> Box<dyn Driver> {
    #[cfg(target_arch = "wasm32")]
    {
        Box::new(crate::client::browser::BrowserDriver::default())
    }
    #[cfg(all(not(target_arch = "wasm32"), feature = "native"))]
    {
        match crate::client::native::TokioDriver::current() {
            Some(driver) => Box::new(driver),
            None => Box::new(crate::client::native::NoRuntimeDriver::new()),
        }
    }
    #[cfg(all(not(target_arch = "wasm32"), not(feature = "native")))]
    {
        Box::new(InertDriver)
    }
}
