//! [`WebSocketTransport`]: a `web_sys::WebSocket` whose event listeners are
//! owned by the transport and removed when it drops.

use gloo_events::EventListener;
use wasm_bindgen::JsCast;
use web_sys::{BinaryType, CloseEvent, MessageEvent, WebSocket};

use crate::engine::{TransportError, TransportEvent};
use crate::protocol::Frame;

/// One browser WebSocket carrying Engine.IO packets.
pub(crate) struct WebSocketTransport {
    socket: WebSocket,
    _listeners: [EventListener; 4],
}

impl WebSocketTransport {
    /// Opens a WebSocket to `url`; `on_event` is called with `Open`, each
    /// `Frame`, then at most one `Failed` [`TransportEvent`], until the
    /// transport is dropped.
    pub(crate) fn open(
        url: &str,
        on_event: impl Fn(TransportEvent) + 'static,
    ) -> Result<Self, TransportError> {
        let socket = WebSocket::new(url).map_err(|err| {
            TransportError::Unavailable(format!(
                "cannot open a WebSocket to {url}: {}",
                describe(&err)
            ))
        })?;
        socket.set_binary_type(BinaryType::Arraybuffer);
        let on_event = std::rc::Rc::new(on_event);

        let open = {
            let on_event = on_event.clone();
            EventListener::new(&socket, "open", move |_| on_event(TransportEvent::Open))
        };
        let message = {
            let on_event = on_event.clone();
            EventListener::new(&socket, "message", move |event| {
                let Some(event) = event.dyn_ref::<MessageEvent>() else {
                    return;
                };
                let data = event.data();
                let frame = if let Some(text) = data.as_string() {
                    Frame::Text(text)
                } else if let Some(buffer) = data.dyn_ref::<js_sys::ArrayBuffer>() {
                    Frame::Binary(js_sys::Uint8Array::new(buffer).to_vec())
                } else {
                    return;
                };
                on_event(TransportEvent::Frame(frame));
            })
        };
        let error = EventListener::new(&socket, "error", |_| {
            // Browsers give no detail on WebSocket errors; the close event
            // that always follows carries the code, so report there.
        });
        let close = {
            let on_event = on_event.clone();
            EventListener::new(&socket, "close", move |event| {
                let (code, reason) = event
                    .dyn_ref::<CloseEvent>()
                    .map_or((1006, String::new()), |close| {
                        (close.code(), close.reason())
                    });
                on_event(TransportEvent::Failed(TransportError::WebSocketClosed {
                    code,
                    reason,
                }));
            })
        };
        Ok(Self {
            socket,
            _listeners: [open, message, error, close],
        })
    }

    /// Sends one frame. An error means the socket is no longer usable.
    pub(crate) fn send(&self, frame: &Frame) -> Result<(), TransportError> {
        let result = match frame {
            Frame::Text(text) => self.socket.send_with_str(text),
            Frame::Binary(bytes) => self.socket.send_with_u8_array(bytes),
        };
        result.map_err(|err| {
            TransportError::Unavailable(format!("WebSocket send failed: {}", describe(&err)))
        })
    }
}

impl Drop for WebSocketTransport {
    fn drop(&mut self) {
        // The listeners detach themselves when dropped right after this; the
        // socket is closed so the server sees a clean goodbye.
        let _ = self.socket.close();
    }
}

/// Text of a JS exception, for error messages.
fn describe(err: &wasm_bindgen::JsValue) -> String {
    crate::js_error::js_error_text(err, "an exception that is not an Error")
}
