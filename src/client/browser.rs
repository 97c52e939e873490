//! [`BrowserDriver`] (wasm32 only): the client's runtime on a page. It
//! performs [`Io`] with real transports (`WebSocket`, `fetch`), runs one
//! `setTimeout` timer, keeps the remembered transport in `localStorage`, and
//! closes the connection when the page is left. Every JS callback it creates
//! is owned here and dropped with the connection; every decision is the
//! runtime's.

use std::cell::RefCell;
use std::rc::{Rc, Weak};
use std::time::Duration;

use gloo_events::EventListener;
use gloo_timers::callback::Timeout;

use crate::client::driver::{Driver, HttpConfig, Io};
use crate::client::runtime::Handle;
use crate::client::sorted_map::SortedMap;
use crate::engine::{TransportError, TransportId};
use crate::time::Instant;
use crate::transport::{PollingConfig, PollingTransport, WebSocketTransport};

enum Transport {
    WebSocket(WebSocketTransport),
    Polling(PollingTransport),
}

/// The browser resources of one connection.
#[derive(Default)]
pub(crate) struct BrowserDriver {
    transports: RefCell<SortedMap<TransportId, Transport>>,
    /// Shared with the timer's own callback, which takes itself out before
    /// waking the runtime (the runtime may arm a new timer from inside).
    timer: Rc<RefCell<Option<Timeout>>>,
    /// `pagehide`, `pageshow` and `storage` (other tabs' writes).
    page_life: RefCell<Option<[EventListener; 3]>>,
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// `performance.now()` of the global scope (a window or a worker): one
    /// call into JS, where going through `window()` and `performance()`
    /// took three (and a `Window` type check) on every message.
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

impl Driver for BrowserDriver {
    fn now(&self) -> Instant {
        // performance.now() is non-negative and far below 2^53.
        Instant::from_millis(performance_now().max(0.0) as u64)
    }

    fn unix_ms(&self) -> u64 {
        js_sys::Date::now() as u64
    }

    fn seed(&self) -> u64 {
        (js_sys::Math::random() * 9_007_199_254_740_992.0) as u64
    }

    fn origin(&self) -> Option<String> {
        web_sys::window()?.location().origin().ok()
    }

    fn perform(&self, io: Io, http: HttpConfig<'_>, handle: &Handle) -> Result<(), TransportError> {
        match io {
            Io::OpenWebSocket { id, url } => {
                let handle = handle.clone();
                let ws = WebSocketTransport::open(&url, move |event| handle.report(id, event))?;
                self.transports
                    .borrow_mut()
                    .insert(id, Transport::WebSocket(ws));
            }
            Io::Get { id, url } => {
                let mut transports = self.transports.borrow_mut();
                if !transports.contains_key(&id) {
                    let config = PollingConfig {
                        with_credentials: http.with_credentials,
                        extra_headers: http.extra_headers.to_vec(),
                    };
                    let handle = handle.clone();
                    let polling =
                        PollingTransport::new(config, move |event| handle.report(id, event));
                    transports.insert(id, Transport::Polling(polling));
                }
                if let Some(Transport::Polling(polling)) = transports.get_mut(&id) {
                    polling.get(&url);
                }
            }
            Io::Post {
                id,
                url,
                body,
                last,
            } => {
                if let Some(Transport::Polling(polling)) = self.transports.borrow().get(&id) {
                    if last {
                        polling.post_last(&url, body);
                    } else {
                        polling.post(&url, body);
                    }
                }
            }
            Io::Send { id, frame } => {
                if let Some(Transport::WebSocket(ws)) = self.transports.borrow().get(&id) {
                    ws.send(&frame)?;
                }
            }
            Io::Close { id } => {
                // Dropped outside the borrow: a WebSocket close may report.
                let removed = self.transports.borrow_mut().remove(&id);
                drop(removed);
            }
        }
        Ok(())
    }

    fn arm_timer(&self, delay: Option<Duration>, handle: &Handle) {
        let timeout = delay.map(|delay| {
            let delay = u32::try_from(delay.as_millis()).unwrap_or(u32::MAX);
            let handle = handle.clone();
            let slot: Weak<RefCell<Option<Timeout>>> = Rc::downgrade(&self.timer);
            Timeout::new(delay, move || {
                // This timer has fired: take it out, so arming a new one
                // from inside the wake does not drop the running callback.
                let fired = slot.upgrade().and_then(|slot| slot.borrow_mut().take());
                handle.wake();
                drop(fired);
            })
        });
        // The replaced timer is dropped outside the borrow.
        let replaced = self.timer.replace(timeout);
        drop(replaced);
    }

    fn load(&self, key: &str) -> Option<String> {
        local_storage()?.get_item(key).ok().flatten()
    }

    fn store(&self, key: &str, value: &str) -> Result<(), String> {
        let storage = local_storage().ok_or("localStorage is not available on this page")?;
        storage
            .set_item(key, value)
            .map_err(|e| crate::js_error::js_error_text(&e, "localStorage refused the write"))
    }

    fn attach(&self, handle: &Handle) {
        let Some(window) = web_sys::window() else {
            return;
        };
        // Closes the connection cleanly when the page is left (or put in the
        // back/forward cache, which a page with an open WebSocket could not
        // enter), and connects again when it comes back from that cache.
        let hide = {
            let handle = handle.clone();
            EventListener::new(&window, "pagehide", move |_| handle.suspend())
        };
        // Only a page restored from that cache has anything to resume, so
        // every `pageshow` may ask.
        let show = {
            let handle = handle.clone();
            EventListener::new(&window, "pageshow", move |_| handle.resume())
        };
        // Another tab of the origin wrote to storage (a durable emit added,
        // settled, or its lease let go): look again at once instead of at
        // the lease's expiry.
        let handle = handle.clone();
        let storage = EventListener::new(&window, "storage", move |_| handle.wake());
        *self.page_life.borrow_mut() = Some([hide, show, storage]);
    }
}
