//! [`Manager`]: one Engine.IO connection shared by the [`Socket`]s of its
//! namespaces. Decisions are the sans-IO [`Core`](crate::client::core)'s,
//! run by the [`Runtime`] on a [`Driver`]; this file holds the handle.
//!
//! The handle is `Send + Sync` on every target, so Leptos views and
//! contexts can hold it: in the browser the state lives on the page's one
//! thread (behind a [`SendWrapper`](send_wrapper::SendWrapper)); natively it
//! is thread-safe. Outside the browser, until a native driver is chosen, a
//! manager runs on an inert driver and never connects (server rendering).

use crate::client::core::Core;
use crate::client::driver::{platform_driver, Driver};
use crate::client::runtime::Runtime;
use crate::client::sync::{page_bound, PageBound, Shared};
use crate::client::{Socket, SocketOptions, TransportKind};

/// One connection to a Socket.IO server (one Engine.IO session), shared by
/// the [`Socket`]s of its namespaces, as socket.io-client's `Manager`.
///
/// It connects when its first socket is opened and closes when the last one
/// disconnects. Cheap to clone: every clone is the same connection.
///
/// ```no_run
/// use leptos_socketio::{Manager, SocketOptions};
///
/// let manager = Manager::new(SocketOptions::new("http://127.0.0.1:3000"));
/// let main = manager.socket("/");
/// let admin = manager.socket("/admin"); // multiplexed on the same connection
/// ```
#[derive(Clone)]
pub struct Manager {
    runtime: PageBound<Shared<Runtime>>,
}

impl std::fmt::Debug for Manager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.with_core(|core| {
            f.debug_struct("Manager")
                .field("url", &core.options.url)
                .field("transport", &core.transport)
                .finish_non_exhaustive()
        })
    }
}

impl Manager {
    /// A connection to the server of `options`; nothing happens until a
    /// namespace is opened with [`socket`](Self::socket).
    pub fn new(options: SocketOptions) -> Self {
        Self::with_driver(options, platform_driver())
    }

    /// A connection run by `driver`.
    pub(crate) fn with_driver(options: SocketOptions, driver: Box<dyn Driver>) -> Self {
        Self::from_runtime(Runtime::start(options, driver))
    }

    pub(crate) fn from_runtime(runtime: Shared<Runtime>) -> Self {
        Manager {
            runtime: page_bound(runtime),
        }
    }

    /// Opens namespace `namespace` (e.g. `/` or `/admin`) on this
    /// connection, with the auth, ack timeout and retries of the options.
    pub fn socket(&self, namespace: &str) -> Socket {
        Socket::open(self.clone(), namespace)
    }

    /// The transport in use now (`None` before the first connection).
    pub fn transport(&self) -> TransportKind {
        self.with_core(|core| core.transport)
    }

    /// Leaves every namespace and closes the connection.
    pub fn close(&self) {
        Runtime::close(self.runtime());
    }

    /// The runtime (through the page-bound wrapper once: every look
    /// through a `SendWrapper` checks the thread).
    pub(crate) fn runtime(&self) -> &Shared<Runtime> {
        &self.runtime
    }

    /// Runs `f` on the core. Not re-entrant: `f` must not call back into
    /// the manager.
    pub(crate) fn with_core<R>(&self, f: impl FnOnce(&mut Core) -> R) -> R {
        f(&mut self.runtime().core.lock())
    }

    /// Runs `f` on the core unless it is in use right now (a drop that
    /// happens inside a handler); then does nothing.
    pub(crate) fn try_with_core(&self, f: impl FnOnce(&mut Core)) {
        if let Some(mut core) = self.runtime().core.try_lock() {
            f(&mut core);
        }
    }

    /// Moves everything that can move (see [`Runtime::pump`]).
    pub(crate) fn pump(&self) {
        Runtime::pump(self.runtime());
    }

    /// Now, on the clock the state machines run on.
    pub(crate) fn now(&self) -> crate::time::Instant {
        self.runtime().now()
    }
}
