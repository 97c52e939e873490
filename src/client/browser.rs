//! The browser driver (wasm32 only): performs the core's
//! [`EngineAction`]s with real transports, runs one timer for the core's
//! earliest deadline, remembers the working transport in `localStorage`, and
//! closes the connection when the page goes away. Every JS callback it
//! creates is owned here and dropped with the socket.

use std::rc::{Rc, Weak};

use gloo_events::EventListener;
use gloo_timers::callback::Timeout;

use crate::client::core::Input;
use crate::client::endpoint;
use crate::client::manager::Shared;
use crate::client::sorted_map::SortedMap;
use crate::client::Manager;
use crate::client::{SocketOptions, TransportKind};
use crate::engine::{EngineAction, TransportError, TransportId};
use crate::time::Instant;
use crate::transport::{
    PollingConfig, PollingEvent, PollingTransport, TransportEvent, WebSocketTransport,
};

enum Transport {
    WebSocket(WebSocketTransport),
    Polling(PollingTransport),
}

/// The browser resources of one socket.
#[derive(Default)]
pub(crate) struct Io {
    transports: SortedMap<TransportId, Transport>,
    timer: Option<(Instant, Timeout)>,
    page_exit: Option<EventListener>,
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// `performance.now()` of the global scope (a window or a worker): one
    /// call into JS, where going through `window()` and `performance()`
    /// took three (and a `Window` type check) on every message.
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

pub(crate) fn now() -> Instant {
    // performance.now() is non-negative and far below 2^53.
    Instant::from_millis(performance_now().max(0.0) as u64)
}

/// The page's origin, for an empty server URL.
fn origin() -> Option<String> {
    web_sys::window()?.location().origin().ok()
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The remembered transport (if fresh) and a seed for the backoff jitter.
pub(crate) fn startup(options: &SocketOptions) -> (Option<TransportKind>, u64) {
    let key = endpoint::remember_key(options, origin().as_deref());
    let stored = local_storage().and_then(|s| s.get_item(&key).ok().flatten());
    let remembered = endpoint::remembered(options, stored.as_deref(), js_sys::Date::now() as u64);
    let seed = (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64;
    (remembered, seed)
}

/// Closes the connection cleanly when the page is left.
pub(crate) fn watch_page_exit(socket: &Manager) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let weak = Rc::downgrade(&socket.shared);
    let listener = EventListener::new(&window, "pagehide", move |_| {
        if let Some(shared) = weak.upgrade() {
            Manager::from_shared(shared).close();
        }
    });
    socket.shared.io.borrow_mut().page_exit = Some(listener);
}

/// Reports a transport event to the socket, then lets it run.
fn report(weak: &Weak<Shared>, input: Input) {
    if let Some(shared) = weak.upgrade() {
        shared.inbox.borrow_mut().push_back(input);
        Manager::from_shared(shared).pump();
    }
}

/// Performs every action the core queued.
///
/// The browser functions take the `Rc<Shared>` the caller got from its
/// `Manager` once: every look through a `Manager`'s `SendWrapper` checks
/// the current thread, which adds up on the per-message path.
pub(crate) fn perform_actions(shared: &Rc<Shared>) {
    loop {
        let Some(action) = shared.core.borrow_mut().actions.pop_front() else {
            break;
        };
        match action {
            EngineAction::OpenWebSocket { id, sid } => {
                let weak = Rc::downgrade(shared);
                let opened =
                    url_for(shared, TransportKind::WebSocket, sid.as_deref()).and_then(|url| {
                        WebSocketTransport::open(&url, move |event| {
                            let input = match event {
                                TransportEvent::Open => Input::WebSocketOpen(id),
                                TransportEvent::Frame(frame) => Input::Frame(id, frame),
                                TransportEvent::Closed(why) => Input::TransportError(id, why),
                            };
                            report(&weak, input);
                        })
                    });
                match opened {
                    Ok(ws) => {
                        shared
                            .io
                            .borrow_mut()
                            .transports
                            .insert(id, Transport::WebSocket(ws));
                    }
                    Err(why) => shared
                        .inbox
                        .borrow_mut()
                        .push_back(Input::TransportError(id, why)),
                }
            }
            EngineAction::Poll { id, sid } => {
                let mut io = shared.io.borrow_mut();
                if !io.transports.contains_key(&id) {
                    match polling_transport(shared, id) {
                        Ok(polling) => {
                            io.transports.insert(id, Transport::Polling(polling));
                        }
                        Err(why) => {
                            shared
                                .inbox
                                .borrow_mut()
                                .push_back(Input::TransportError(id, why));
                            continue;
                        }
                    }
                }
                if let Some(Transport::Polling(polling)) = io.transports.get_mut(&id) {
                    polling.get(sid.as_deref());
                }
            }
            EngineAction::Post { id, sid, body } => {
                if let Some(Transport::Polling(polling)) = shared.io.borrow().transports.get(&id) {
                    polling.post(&sid, body);
                }
            }
            EngineAction::PostLast { id, sid, body } => {
                if let Some(Transport::Polling(polling)) = shared.io.borrow().transports.get(&id) {
                    polling.post_last(&sid, body);
                }
            }
            EngineAction::Send { id, frame } => {
                let sent = match shared.io.borrow().transports.get(&id) {
                    Some(Transport::WebSocket(ws)) => ws.send(&frame),
                    _ => Ok(()),
                };
                if let Err(why) = sent {
                    shared
                        .inbox
                        .borrow_mut()
                        .push_back(Input::TransportError(id, why));
                }
            }
            EngineAction::Close { id } => {
                // Dropped outside the borrow: a WebSocket close may report.
                let removed = shared.io.borrow_mut().transports.remove(&id);
                drop(removed);
            }
            EngineAction::Remember(kind) => {
                let core = shared.core.borrow();
                let now_unix_ms = js_sys::Date::now() as u64;
                if let (Some(value), Some(storage)) = (
                    endpoint::remember_value(&core.options, kind, now_unix_ms),
                    local_storage(),
                ) {
                    let key = endpoint::remember_key(&core.options, origin().as_deref());
                    // Full or refused storage: the next load starts from the
                    // default order, which is all remembering is for.
                    let _ = storage.set_item(&key, &value);
                }
            }
        }
    }
}

/// The Engine.IO URL of the socket's server for `kind` (and `sid`).
fn url_for(
    shared: &Shared,
    kind: TransportKind,
    sid: Option<&str>,
) -> Result<String, TransportError> {
    endpoint::transport_url(
        &shared.core.borrow().options,
        origin().as_deref(),
        kind,
        sid,
    )
}

fn polling_transport(
    shared: &Rc<Shared>,
    id: TransportId,
) -> Result<PollingTransport, TransportError> {
    let url = url_for(shared, TransportKind::Polling, None)?;
    let weak = Rc::downgrade(shared);
    let core = shared.core.borrow();
    let config = PollingConfig {
        url,
        with_credentials: core.options.with_credentials,
        extra_headers: core.options.extra_headers.clone(),
    };
    Ok(PollingTransport::new(config, move |event| {
        let input = match event {
            PollingEvent::Response(body) => Input::PollResponse(id, body),
            PollingEvent::PostDone => Input::PostDone(id),
            PollingEvent::Failed(error) => Input::TransportError(id, error),
        };
        report(&weak, input);
    }))
}

/// Arms one browser timer for the core's earliest deadline.
pub(crate) fn arm_timer(shared: &Rc<Shared>) {
    let deadline = shared.core.borrow().poll_timeout();
    let mut io = shared.io.borrow_mut();
    match deadline {
        None => io.timer = None,
        Some(at) if io.timer.as_ref().is_some_and(|(t, _)| *t == at) => {}
        Some(at) => {
            let delay = at.saturating_duration_since(now()).as_millis();
            let delay = u32::try_from(delay).unwrap_or(u32::MAX);
            let weak = Rc::downgrade(shared);
            let timeout = Timeout::new(delay, move || {
                if let Some(shared) = weak.upgrade() {
                    // This timer has fired: forget it, so the pump arms a
                    // fresh one even for the same deadline.
                    let fired = shared.io.borrow_mut().timer.take();
                    shared.inbox.borrow_mut().push_back(Input::Timer);
                    Manager::from_shared(shared).pump();
                    drop(fired);
                }
            });
            io.timer = Some((at, timeout));
        }
    }
}
