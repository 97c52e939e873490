//! [`Runtime`]: what runs the sans-IO [`Core`] on a [`Driver`]: the pump
//! that feeds transport reports in, performs the core's actions (with every
//! URL built here) and hands events to handlers; the one timer; the
//! remembered transport. The same code runs in the browser and natively; a
//! driver only performs.

use std::collections::VecDeque;

use crate::client::ack_sender::AckSender;
use crate::client::core::{Core, Dispatch, Input};
use crate::client::driver::{Driver, HttpConfig, Io};
use crate::client::endpoint;
use crate::client::listeners::{Direction, Listeners};
use crate::client::sync::{Lock, Shared, Weak};
use crate::client::{SocketOptions, TransportKind};
use crate::engine::{EngineAction, TransportError, TransportEvent, TransportId};
use crate::time::Instant;

/// One connection's shared state.
pub(crate) struct Runtime {
    pub(crate) core: Lock<Core>,
    /// What the transports and the timer reported, for the next pump.
    inbox: Lock<VecDeque<Input>>,
    pub(crate) listeners: Shared<Lock<Listeners>>,
    pump: Lock<PumpFlags>,
    /// The deadline the driver's timer is armed for.
    armed: Lock<Option<Instant>>,
    /// Polling requests made, for their cache-busting values.
    requests: Lock<u32>,
    /// The options the connection was made with (the core has its own
    /// copy), for the URLs and requests built here without locking it.
    options: SocketOptions,
    /// The page's origin, read once: it does not change.
    origin: Option<String>,
    driver: Box<dyn Driver>,
}

#[derive(Default)]
struct PumpFlags {
    pumping: bool,
    /// A pump was asked for while one ran (a handler emitted, another
    /// thread reported): the running pump goes round once more.
    repump: bool,
}

/// A runtime as its driver and its guards hold it: weakly, so dropping the
/// last [`Manager`](crate::Manager) ends the connection even while a
/// transport or a timer still holds a handle.
#[derive(Clone)]
pub(crate) struct Handle(Weak<Runtime>);

// Natively only a test driver reports (no native driver yet).
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
impl Handle {
    /// Reports what transport `id` did, then lets the runtime act on it.
    pub(crate) fn report(&self, id: TransportId, event: TransportEvent) {
        if let Some(runtime) = self.0.upgrade() {
            runtime.inbox.lock().push_back(Input::Transport(id, event));
            Runtime::pump(&runtime);
        }
    }

    /// The driver's timer fired.
    pub(crate) fn wake(&self) {
        if let Some(runtime) = self.0.upgrade() {
            // Forget the armed deadline: the pump arms a fresh timer even
            // for the same deadline.
            *runtime.armed.lock() = None;
            runtime.inbox.lock().push_back(Input::Timer);
            Runtime::pump(&runtime);
        }
    }

    /// The page is going away, or into the back/forward cache: leaves
    /// every namespace and closes the connection, remembering what was
    /// joined for [`resume`](Self::resume).
    pub(crate) fn suspend(&self) {
        if let Some(runtime) = self.0.upgrade() {
            let now = runtime.now();
            runtime.core.lock().suspend(now);
            Runtime::pump(&runtime);
        }
    }

    /// The page came back from the back/forward cache: joins again what
    /// [`suspend`](Self::suspend) left.
    pub(crate) fn resume(&self) {
        if let Some(runtime) = self.0.upgrade() {
            let now = runtime.now();
            runtime.core.lock().resume(now);
            Runtime::pump(&runtime);
        }
    }

    /// The runtime, while a manager still holds it.
    pub(crate) fn upgrade(&self) -> Option<Shared<Runtime>> {
        self.0.upgrade()
    }
}

impl Runtime {
    /// A runtime for `options` on `driver`, attached to it.
    pub(crate) fn start(options: SocketOptions, driver: Box<dyn Driver>) -> Shared<Self> {
        let origin = driver.origin();
        let remembered = if driver.connects() {
            let stored = driver.load(&endpoint::remember_key(&options, origin.as_deref()));
            endpoint::remembered(&options, stored.as_deref(), driver.unix_ms())
        } else {
            None
        };
        let core = Core::new(options.clone(), remembered, driver.seed());
        let runtime = Shared::new(Self {
            core: Lock::new(core),
            inbox: Lock::default(),
            listeners: Shared::default(),
            pump: Lock::default(),
            armed: Lock::default(),
            requests: Lock::default(),
            options,
            origin,
            driver,
        });
        runtime.driver.attach(&runtime.handle());
        runtime
    }

    pub(crate) fn handle(self: &Shared<Self>) -> Handle {
        Handle(Shared::downgrade(self))
    }

    /// Whether the driver connects at all (see [`Driver::connects`]).
    pub(crate) fn connects(&self) -> bool {
        self.driver.connects()
    }

    /// Now, on the driver's clock.
    pub(crate) fn now(&self) -> Instant {
        self.driver.now()
    }

    /// Leaves every namespace and closes the connection.
    pub(crate) fn close(self: &Shared<Self>) {
        let now = self.now();
        {
            let mut core = self.core.lock();
            let namespaces: Vec<String> = core.namespaces().collect();
            for ns in namespaces {
                core.leave(&ns, now);
            }
        }
        Self::pump(self);
    }

    /// Moves everything that can move: reports into the core, the core's
    /// actions to the driver, events to handlers.
    ///
    /// A call while a pump runs (from a handler that emits, or another
    /// thread) returns at once; the running pump goes round again for it.
    /// The core is stepped again only when there is something new.
    pub(crate) fn pump(self: &Shared<Self>) {
        {
            let mut flags = self.pump.lock();
            if flags.pumping {
                flags.repump = true;
                return;
            }
            flags.pumping = true;
        }
        // One reading of the clock per pump (it has millisecond steps, and
        // the loop rarely turns more than twice).
        let now = self.now();
        loop {
            let inputs = Vec::from(std::mem::take(&mut *self.inbox.lock()));
            let dispatch = self.core.lock().step(inputs, now);
            self.perform_actions();
            for item in dispatch {
                self.dispatch_one(item);
            }
            // Durable emits go after the handlers above ran, so what a
            // connect handler emits (joining its rooms again) comes first.
            if let Some(durable) = self.options.durable {
                (durable.step)(self, now);
                self.perform_actions();
            }
            // Decided under the flags' lock, so a report that arrives now
            // either sees `pumping` or is seen here.
            let mut flags = self.pump.lock();
            if flags.repump || !self.inbox.lock().is_empty() {
                flags.repump = false;
                continue;
            }
            flags.pumping = false;
            break;
        }
        self.arm_timer();
    }

    fn dispatch_one(self: &Shared<Self>, item: Dispatch) {
        match item {
            Dispatch::Connection(ns, state, transport) => {
                let handlers = self.listeners.lock().connection_handlers(&ns);
                for handler in handlers {
                    handler(state, transport);
                }
            }
            Dispatch::Rtt(rtt) => {
                let handlers = self.listeners.lock().rtt_handlers();
                for handler in handlers {
                    handler(rtt);
                }
            }
            Dispatch::Event(ns, name, args, ack_id) => {
                let (any, handlers, answer) = {
                    let listeners = self.listeners.lock();
                    (
                        listeners.any_handlers(&ns, Direction::Incoming),
                        listeners.event_handlers(&ns, &name),
                        listeners.ack_handler(&ns, &name),
                    )
                };
                for handler in any {
                    handler(&name, &args);
                }
                // The last handler takes the arguments, unless the answering
                // handler still needs them: one copy fewer per event.
                let mut handlers = handlers;
                let mut args = args;
                let last = (ack_id.is_none() || answer.is_none())
                    .then(|| handlers.pop())
                    .flatten();
                for handler in handlers {
                    handler(args.clone());
                }
                if let Some(last) = last {
                    last(std::mem::take(&mut args));
                }
                if let Some(id) = ack_id {
                    // Without an answering handler the server still gets an
                    // (empty) ack, so its `emitWithAck` does not hang.
                    let sender = AckSender::new(self.handle(), &ns, id);
                    match answer {
                        Some(answer) => answer(args, sender),
                        None => drop(sender),
                    }
                }
            }
        }
    }

    /// Performs every action the core queued, one at a time and with no
    /// lock held while the driver works (it may report at once).
    fn perform_actions(self: &Shared<Self>) {
        let handle = self.handle();
        let http = HttpConfig {
            with_credentials: self.options.with_credentials,
            extra_headers: &self.options.extra_headers,
        };
        loop {
            let Some(action) = self.core.lock().actions.pop_front() else {
                break;
            };
            let Some((id, io)) = self.io_for(action) else {
                continue;
            };
            if let Err(why) = io.and_then(|io| self.driver.perform(io, http, &handle)) {
                self.inbox
                    .lock()
                    .push_back(Input::Transport(id, TransportEvent::Failed(why)));
            }
        }
    }

    /// What the driver must do for `action`, with its URL built; `None`
    /// when nothing is left for a driver (the remembered transport is
    /// stored here).
    fn io_for(&self, action: EngineAction) -> Option<(TransportId, Result<Io, TransportError>)> {
        let options = &self.options;
        let url = |kind, sid: Option<&str>| {
            let mut url = endpoint::transport_url(options, self.origin.as_deref(), kind, sid)?;
            if kind == TransportKind::Polling {
                self.bust_cache(&mut url);
            }
            Ok(url)
        };
        Some(match action {
            EngineAction::OpenWebSocket { id, sid } => (
                id,
                url(TransportKind::WebSocket, sid.as_deref())
                    .map(|url| Io::OpenWebSocket { id, url }),
            ),
            EngineAction::Poll { id, sid } => (
                id,
                url(TransportKind::Polling, sid.as_deref()).map(|url| Io::Get { id, url }),
            ),
            EngineAction::Post { id, sid, body } => (
                id,
                url(TransportKind::Polling, Some(&sid)).map(|url| Io::Post {
                    id,
                    url,
                    body,
                    last: false,
                }),
            ),
            EngineAction::PostLast { id, sid, body } => (
                id,
                url(TransportKind::Polling, Some(&sid)).map(|url| Io::Post {
                    id,
                    url,
                    body,
                    last: true,
                }),
            ),
            EngineAction::Send { id, frame } => (id, Ok(Io::Send { id, frame })),
            EngineAction::Close { id } => (id, Ok(Io::Close { id })),
            EngineAction::Remember(kind) => {
                if let Some(value) = endpoint::remember_value(options, kind, self.driver.unix_ms())
                {
                    let key = endpoint::remember_key(options, self.origin.as_deref());
                    // Remembering is an optimisation: a refused write only
                    // means the next run starts from the default order.
                    let _ = self.driver.store(&key, &value);
                }
                return None;
            }
        })
    }

    /// Appends `&t=<unix ms><n>` in hex, a value no earlier request used, so
    /// no proxy or browser cache may answer a polling request.
    fn bust_cache(&self, url: &mut String) {
        let n = {
            let mut requests = self.requests.lock();
            *requests = requests.wrapping_add(1);
            *requests
        };
        url.push_str("&t=");
        endpoint::push_hex(url, self.driver.unix_ms());
        endpoint::push_hex(url, u64::from(n));
    }

    /// The storage key of namespace `ns`'s outbox.
    fn outbox_key(&self, ns: &str) -> String {
        endpoint::outbox_key(&self.options, self.origin.as_deref(), ns)
    }

    /// Whether durable emits are on ([`SocketOptions::durable`]).
    pub(crate) fn durable(&self) -> Option<crate::client::options::Durable> {
        self.options.durable
    }

    /// Takes in what storage holds for namespace `ns`'s outbox (this tab's
    /// entries, another tab's, or a previous page's).
    pub(crate) fn durable_load(&self, ns: &str) {
        let stored = self.driver.load(&self.outbox_key(ns));
        if let Some(durable) = self.core.lock().durable() {
            durable.load(ns, stored.as_deref());
        }
    }

    /// Stores namespace `ns`'s outbox form.
    pub(crate) fn durable_store(&self, ns: &str, form: &str) -> Result<(), String> {
        self.driver.store(&self.outbox_key(ns), form)
    }

    /// Milliseconds since the Unix epoch, on the driver's clock.
    pub(crate) fn unix_ms(&self) -> u64 {
        self.driver.unix_ms()
    }

    /// Stores what acknowledgements settled, takes in the other tabs'
    /// changes, sends what may be sent, and stores that too.
    pub(crate) fn durable_step(&self, now: Instant) {
        let (settled, namespaces) = match self.core.lock().durable() {
            Some(durable) => (durable.take_dirty(), durable.namespaces()),
            None => return,
        };
        for (ns, form) in settled {
            // Storage that refuses now only delays the removal: the entry
            // goes again and the server stores it once.
            let _ = self.durable_store(&ns, &form);
        }
        if namespaces.is_empty() {
            return;
        }
        for ns in &namespaces {
            self.durable_load(ns);
        }
        let changed = self.core.lock().durable_flush(self.unix_ms(), now);
        for (ns, form) in changed {
            let _ = self.durable_store(&ns, &form);
        }
    }

    /// When durable emits want attention next, on this runtime's clock (an
    /// outbox counts in Unix milliseconds: its lease is shared with other
    /// tabs).
    pub(crate) fn durable_deadline(&self) -> Option<Instant> {
        let at_ms = self.core.lock().durable()?.deadline()?;
        let wait = at_ms.saturating_sub(self.unix_ms());
        Some(self.now() + std::time::Duration::from_millis(wait))
    }

    /// Arms the driver's timer for the core's earliest deadline, unless it
    /// is armed for that one already.
    fn arm_timer(self: &Shared<Self>) {
        let core_deadline = self.core.lock().poll_timeout();
        let durable = self.options.durable.and_then(|on| (on.deadline)(self));
        let deadline = match (core_deadline, durable) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        {
            let mut armed = self.armed.lock();
            if *armed == deadline {
                return;
            }
            *armed = deadline;
        }
        let delay = deadline.map(|at| at.saturating_duration_since(self.now()));
        self.driver.arm_timer(delay, &self.handle());
    }
}

#[cfg(test)]
mod tests;
