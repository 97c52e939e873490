//! [`PollingTransport`]: Engine.IO long-polling over `fetch`. It only moves
//! bytes: the engine decides when to GET and what to POST. The GET in flight
//! is aborted (with an `AbortController`) when the transport drops.

use std::cell::Cell;
use std::rc::Rc;

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Request, RequestCredentials, RequestInit, Response};

use crate::engine::{TransportError, TransportEvent};

/// Settings every request of a polling transport shares.
#[derive(Debug, Clone, Default)]
pub(crate) struct PollingConfig {
    /// Send cookies cross-origin.
    pub(crate) with_credentials: bool,
    /// Extra request headers.
    pub(crate) extra_headers: Vec<(String, String)>,
}

/// The most body bytes a browser lets `keepalive` requests carry in all
/// (the Fetch standard's 64 KiB quota).
const KEEPALIVE_BODY_LIMIT: usize = 64 * 1024;

/// One Engine.IO polling "channel": GETs and POSTs to the URLs the runtime
/// builds (with the `sid` and a cache-busting `t`).
pub(crate) struct PollingTransport {
    config: PollingConfig,
    on_event: Rc<dyn Fn(TransportEvent)>,
    get_abort: Option<AbortController>,
    /// Cleared on drop, so answers of requests still in flight are ignored.
    alive: Rc<Cell<bool>>,
}

impl PollingTransport {
    /// A polling transport that reports every answer (`Response`,
    /// `PostDone`) and failure (`Failed`) to `on_event`.
    pub(crate) fn new(config: PollingConfig, on_event: impl Fn(TransportEvent) + 'static) -> Self {
        Self {
            config,
            on_event: Rc::new(on_event),
            get_abort: None,
            alive: Rc::new(Cell::new(true)),
        }
    }

    /// Starts a GET (held open by the server until it has packets).
    pub(crate) fn get(&mut self, url: &str) {
        let controller = AbortController::new().ok();
        let request = self.request("GET", url, None, controller.as_ref(), false);
        self.get_abort = controller;
        self.spawn(request, TransportEvent::Response);
    }

    /// POSTs an encoded payload.
    pub(crate) fn post(&self, url: &str, body: String) {
        let request = self.request("POST", url, Some(&body), None, false);
        self.spawn(request, |_| TransportEvent::PostDone);
    }

    /// POSTs the last payload of a closing session (its `close`), as a
    /// `keepalive` request when it is small enough, so it is still sent
    /// when the page is being closed.
    pub(crate) fn post_last(&self, url: &str, body: String) {
        let keepalive = body.len() <= KEEPALIVE_BODY_LIMIT;
        let request = self.request("POST", url, Some(&body), None, keepalive);
        self.spawn(request, |_| TransportEvent::PostDone);
    }

    /// Runs `request` in the background and reports its answer (as
    /// `on_ok(body)`) or its failure, unless the transport was dropped.
    fn spawn(
        &self,
        request: Result<Request, TransportError>,
        on_ok: impl FnOnce(String) -> TransportEvent + 'static,
    ) {
        let on_event = self.on_event.clone();
        let alive = self.alive.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let result = match request {
                Ok(request) => fetch_text(request).await,
                Err(why) => Err(why),
            };
            if alive.get() {
                on_event(match result {
                    Ok(body) => on_ok(body),
                    Err(why) => TransportEvent::Failed(why),
                });
            }
        });
    }

    fn request(
        &self,
        method: &str,
        url: &str,
        body: Option<&str>,
        abort: Option<&AbortController>,
        keepalive: bool,
    ) -> Result<Request, TransportError> {
        let init = RequestInit::new();
        init.set_method(method);
        if keepalive {
            // web-sys's RequestInit has no setter for `keepalive` yet; it is
            // a plain dictionary member. Without it the request may simply
            // not be sent, which only delays the server noticing.
            let _ = js_sys::Reflect::set(&init, &"keepalive".into(), &true.into());
        }
        init.set_credentials(if self.config.with_credentials {
            RequestCredentials::Include
        } else {
            RequestCredentials::SameOrigin
        });
        if let Some(body) = body {
            init.set_body(&wasm_bindgen::JsValue::from_str(body));
        }
        if let Some(controller) = abort {
            init.set_signal(Some(&controller.signal()));
        }
        let request = Request::new_with_str_and_init(url, &init).map_err(|e| {
            let why = crate::js_error::js_error_text(&e, "an exception that is not an Error");
            TransportError::Unavailable(format!("cannot build a polling request to {url}: {why}"))
        })?;
        let headers = request.headers();
        if body.is_some() {
            let _ = headers.set("Content-Type", "text/plain;charset=UTF-8");
        }
        for (name, value) in &self.config.extra_headers {
            headers.set(name, value).map_err(|_| {
                TransportError::Unavailable(format!(
                    "the header \"{name}\" cannot be set by a browser"
                ))
            })?;
        }
        Ok(request)
    }
}

impl Drop for PollingTransport {
    fn drop(&mut self) {
        self.alive.set(false);
        if let Some(controller) = self.get_abort.take() {
            controller.abort();
        }
    }
}

/// Fetches `request` and returns its body.
async fn fetch_text(request: Request) -> Result<String, TransportError> {
    let window = web_sys::window()
        .ok_or_else(|| TransportError::Unavailable("polling needs a browser window".into()))?;
    let response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .map_err(|_| TransportError::Network("network error, refused, or aborted".into()))?;
    let response: Response = response
        .dyn_into()
        .map_err(|_| TransportError::Network("fetch did not return a Response".into()))?;
    let status = response.status();
    let text = match response.text() {
        Ok(promise) => JsFuture::from(promise)
            .await
            .ok()
            .and_then(|v| v.as_string())
            .unwrap_or_default(),
        Err(_) => String::new(),
    };
    if (200..300).contains(&status) {
        Ok(text)
    } else {
        Err(TransportError::from_http(status, &text))
    }
}
