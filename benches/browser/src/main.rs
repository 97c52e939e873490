//! Our client on the browser benchmark's page: `OursClient`, a JS class
//! with the same three calls as the runner's adapters for socket.io-client
//! and the raw WebSocket floor (`benches/browser/runner.js`), so one JS loop
//! drives all three clients alike.
//!
//! Each call is what a Rust app does: `Socket::new` with options,
//! `on_connection_change`, and `emit_with_ack::<String>` awaited in a task.
//! Built by trunk exactly as the demo is (profile `wasm-release`, wasm-opt
//! `-Oz`); trunk hands the exports to the page as `window.wasmBindings`.

#[cfg(target_arch = "wasm32")]
mod page {
    use std::cell::RefCell;
    use std::rc::Rc;

    use js_sys::{Function, Promise};
    use leptos_socketio::{ConnectionState, EventListener, Socket, SocketOptions, TransportMode};
    use wasm_bindgen::prelude::*;

    /// One connection of our client, as the benchmark runner sees it.
    #[wasm_bindgen]
    pub struct OursClient {
        socket: Socket,
        /// Keeps the `connected()` listener alive as long as the client.
        waiting: Rc<RefCell<Option<EventListener>>>,
    }

    #[wasm_bindgen]
    impl OursClient {
        /// Connects to `url` over `transport`: `websocket` (only), `polling`
        /// (only) or `auto` (the default policy: WebSocket first, polling
        /// when it cannot open). The transport is not remembered between
        /// runs.
        #[wasm_bindgen(constructor)]
        pub fn new(url: String, transport: &str) -> Result<OursClient, JsError> {
            let mode = match transport {
                "websocket" => TransportMode::WebSocketOnly,
                "polling" => TransportMode::PollingOnly,
                "auto" => TransportMode::Auto,
                other => {
                    return Err(JsError::new(&format!(
                        "unknown transport {other:?}: use websocket, polling or auto"
                    )))
                }
            };
            let options = SocketOptions::new(url)
                .transports(mode)
                .remember_transport(false);
            Ok(OursClient {
                socket: Socket::new(options),
                waiting: Rc::default(),
            })
        }

        /// Resolves with the transport's name once connected; rejects with
        /// the reason if the client gives up.
        pub fn connected(&self) -> Promise {
            let socket = self.socket.clone();
            let waiting = Rc::clone(&self.waiting);
            Promise::new(&mut |resolve, reject| {
                let watched = socket.clone();
                let listener = socket.on_connection_change(move |state, transport| match state {
                    ConnectionState::Connected => {
                        let _ = resolve.call1(&JsValue::NULL, &transport.as_str().into());
                    }
                    ConnectionState::Disconnected => {
                        let why = watched
                            .last_error()
                            .unwrap_or_else(|| "disconnected".into());
                        let _ = reject.call1(&JsValue::NULL, &why.into());
                    }
                    _ => {}
                });
                *waiting.borrow_mut() = Some(listener);
            })
        }

        /// Emits `echo` with `payload` and calls `done(error, echoed)`.
        pub fn echo(&self, payload: String, done: Function) {
            let ack = self.socket.emit_with_ack::<String>("echo", payload);
            wasm_bindgen_futures::spawn_local(async move {
                let _ = match ack.await {
                    Ok(echoed) => done.call2(&JsValue::NULL, &JsValue::NULL, &echoed.into()),
                    Err(e) => done.call1(&JsValue::NULL, &e.to_string().into()),
                };
            });
        }

        /// Disconnects.
        pub fn close(&self) {
            self.socket.disconnect();
            self.waiting.borrow_mut().take();
        }
    }
}

fn main() {
    #[cfg(not(target_arch = "wasm32"))]
    {
        eprintln!("the browser benchmark's page: build and run it with scripts/bench-browser");
        std::process::exit(2);
    }
}
