//! [`Manager`]: one Engine.IO connection shared by the [`Socket`]s of its
//! namespaces. Decisions are the sans-IO [`Core`]'s; this file holds the
//! handle and the pump that moves data between the core, the browser driver
//! and the handlers.
//!
//! The handle is `Send + Sync` on every target, so Leptos views and
//! contexts can hold it: in the browser the state lives on the page's one
//! thread (behind a [`SendWrapper`](send_wrapper::SendWrapper)); elsewhere
//! (native code, server rendering) a manager is inert and holds only its
//! core, which never connects.

use crate::client::core::Core;
use crate::client::{Socket, SocketOptions, TransportKind};
use crate::time::Instant;

#[cfg(target_arch = "wasm32")]
pub(crate) use browser_side::Shared;

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
    #[cfg(target_arch = "wasm32")]
    pub(crate) shared: send_wrapper::SendWrapper<std::rc::Rc<Shared>>,
    #[cfg(not(target_arch = "wasm32"))]
    core: std::sync::Arc<std::sync::Mutex<Core>>,
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
        #[cfg(target_arch = "wasm32")]
        {
            let manager = browser_side::new(options);
            crate::client::browser::watch_page_exit(&manager);
            manager
        }
        #[cfg(not(target_arch = "wasm32"))]
        Manager {
            core: std::sync::Arc::new(std::sync::Mutex::new(Core::new(options, None, 0))),
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
        let now = now();
        self.with_core(|core| {
            let namespaces: Vec<String> = core.namespaces().collect();
            for ns in namespaces {
                core.leave(&ns, now);
            }
        });
        self.pump();
    }

    /// Runs `f` on the core. Not re-entrant: `f` must not call back into
    /// the manager.
    pub(crate) fn with_core<R>(&self, f: impl FnOnce(&mut Core) -> R) -> R {
        #[cfg(target_arch = "wasm32")]
        {
            f(&mut self.shared.core.borrow_mut())
        }
        #[cfg(not(target_arch = "wasm32"))]
        {
            let mut core = self
                .core
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            f(&mut core)
        }
    }

    /// Runs `f` on the core unless it is in use right now (a drop that
    /// happens inside a handler); then does nothing.
    pub(crate) fn try_with_core(&self, f: impl FnOnce(&mut Core)) {
        #[cfg(target_arch = "wasm32")]
        if let Ok(mut core) = self.shared.core.try_borrow_mut() {
            f(&mut core);
        }
        #[cfg(not(target_arch = "wasm32"))]
        if let Ok(mut core) = self.core.try_lock() {
            f(&mut core);
        }
    }

    /// Moves everything that can move: browser input into the core, the
    /// core's actions to the browser, events to handlers. Outside the
    /// browser there is nothing to move.
    pub(crate) fn pump(&self) {
        #[cfg(target_arch = "wasm32")]
        browser_side::pump(self);
        #[cfg(not(target_arch = "wasm32"))]
        self.with_core(|core| {
            // Nothing connects here, so nothing comes back to dispatch.
            drop(core.step(Vec::new(), now()));
            core.actions.clear();
        });
    }
}

/// Now, on the clock the state machines run on.
pub(crate) fn now() -> Instant {
    #[cfg(target_arch = "wasm32")]
    {
        crate::client::browser::now()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        Instant::default()
    }
}

#[cfg(target_arch = "wasm32")]
mod browser_side {
    //! The browser half: the shared state of one connection and its pump.

    use std::cell::{Cell, RefCell};
    use std::collections::VecDeque;
    use std::rc::Rc;

    use send_wrapper::SendWrapper;

    use super::{now, Manager};
    use crate::client::ack_sender::AckSender;
    use crate::client::core::{Core, Dispatch, Input};
    use crate::client::listeners::{Direction, Listeners};
    use crate::client::SocketOptions;

    pub(crate) struct Shared {
        pub(crate) core: RefCell<Core>,
        /// What the transports and the timer reported, waiting for the next pump.
        pub(crate) inbox: RefCell<VecDeque<Input>>,
        pub(crate) listeners: Rc<RefCell<Listeners>>,
        pumping: Cell<bool>,
        /// A pump was asked for while one ran (a handler emitted, say): the
        /// running pump steps once more.
        repump: Cell<bool>,
        pub(crate) io: RefCell<crate::client::browser::Io>,
    }

    pub(super) fn new(options: SocketOptions) -> Manager {
        let (remembered, seed) = crate::client::browser::startup(&options);
        let shared = Shared {
            core: RefCell::new(Core::new(options, remembered, seed)),
            inbox: RefCell::new(VecDeque::new()),
            listeners: Rc::new(RefCell::new(Listeners::default())),
            pumping: Cell::new(false),
            repump: Cell::new(false),
            io: RefCell::new(crate::client::browser::Io::default()),
        };
        Manager::from_shared(Rc::new(shared))
    }

    impl Manager {
        pub(crate) fn from_shared(shared: Rc<Shared>) -> Self {
            Manager {
                shared: SendWrapper::new(shared),
            }
        }
    }

    /// Re-entrant calls (from a handler that emits) return at once; the
    /// outer loop picks up their work. It steps the core again only when
    /// there is something new: input, or a handler's call (every call that
    /// changes the core pumps after it).
    pub(super) fn pump(manager: &Manager) {
        // Through the SendWrapper once (each look checks the thread).
        let shared: &Rc<Shared> = &manager.shared;
        if shared.pumping.replace(true) {
            shared.repump.set(true);
            return;
        }
        // One reading of the clock per pump (it has millisecond steps, and
        // the loop rarely turns more than twice).
        let now = now();
        loop {
            let inputs = Vec::from(std::mem::take(&mut *shared.inbox.borrow_mut()));
            let dispatch = shared.core.borrow_mut().step(inputs, now);
            crate::client::browser::perform_actions(shared);
            if dispatch.is_empty() && shared.inbox.borrow().is_empty() {
                break;
            }
            shared.repump.set(false);
            for item in dispatch {
                dispatch_one(manager, item);
            }
            if !shared.repump.get() && shared.inbox.borrow().is_empty() {
                break;
            }
        }
        shared.pumping.set(false);
        crate::client::browser::arm_timer(shared);
    }

    fn dispatch_one(manager: &Manager, item: Dispatch) {
        let listeners = &manager.shared.listeners;
        match item {
            Dispatch::Connection(ns, state, transport) => {
                let handlers = listeners.borrow().connection_handlers(&ns);
                for handler in handlers {
                    handler(state, transport);
                }
            }
            Dispatch::Rtt(rtt) => {
                let handlers = listeners.borrow().rtt_handlers();
                for handler in handlers {
                    handler(rtt);
                }
            }
            Dispatch::Event(ns, name, args, ack_id) => {
                let (any, handlers, answer) = {
                    let listeners = listeners.borrow();
                    (
                        listeners.any_handlers(&ns, Direction::Incoming),
                        listeners.event_handlers(&ns, &name),
                        listeners.ack_handler(&ns, &name),
                    )
                };
                for handler in any {
                    handler(&name, &args);
                }
                for handler in handlers {
                    handler(args.clone());
                }
                if let Some(id) = ack_id {
                    // Without an answering handler the server still gets an
                    // (empty) ack, so its `emitWithAck` does not hang.
                    let sender = AckSender::new(manager, &ns, id);
                    match answer {
                        Some(answer) => answer(args, sender),
                        None => drop(sender),
                    }
                }
            }
        }
    }
}
