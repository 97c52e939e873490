//! Helpers shared by the browser tests (`tests/browser_*.rs`): waiting on a
//! condition, the `json!` shorthand for protocol values, and the conductor
//! client (`tests/support/conductor.mjs`, started by `scripts/test`).
#![allow(dead_code, unreachable_pub)]

use gloo_timers::future::TimeoutFuture;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// `serde_json::json!`, as a protocol [`Value`](leptos_socketio::protocol::Value).
#[macro_export]
macro_rules! json {
    ($($t:tt)*) => { leptos_socketio::protocol::Value::from(serde_json::json!($($t)*)) };
}

/// Waits until `done()` holds, failing after `ms` milliseconds.
pub async fn wait_for(what: &str, ms: u32, done: impl Fn() -> bool) {
    let mut waited = 0;
    while !done() {
        assert!(waited < ms, "gave up after {ms} ms waiting for {what}");
        TimeoutFuture::new(10).await;
        waited += 10;
    }
}

/// The conductor's URL, from `LSIO_TEST_CONDUCTOR` at compile time.
pub fn conductor() -> &'static str {
    match option_env!("LSIO_TEST_CONDUCTOR") {
        Some(url) => url,
        None => {
            panic!("LSIO_TEST_CONDUCTOR is not set: run the browser tests through scripts/test")
        }
    }
}

/// Calls the conductor; panics with its error sentence on failure.
pub async fn call(method: &str, path: &str, body: Option<serde_json::Value>) -> serde_json::Value {
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    if let Some(body) = &body {
        init.set_body(&wasm_bindgen::JsValue::from_str(&body.to_string()));
    }
    let url = format!("{}{path}", conductor());
    let request = web_sys::Request::new_with_str_and_init(&url, &init).expect("valid request");
    let window = web_sys::window().expect("a window");
    let response: web_sys::Response = JsFuture::from(window.fetch_with_request(&request))
        .await
        .expect("the conductor answers")
        .dyn_into()
        .expect("a Response");
    let text = JsFuture::from(response.text().expect("a body"))
        .await
        .expect("a body")
        .as_string()
        .unwrap_or_default();
    let value: serde_json::Value = serde_json::from_str(&text).expect("JSON from the conductor");
    assert!(response.ok(), "{method} {path}: {value}");
    value
}

/// Emits `echo` with `args` as separate arguments, at once, and yields every
/// argument of the ack.
pub fn echo(
    socket: &leptos_socketio::Socket,
    args: Vec<leptos_socketio::protocol::Value>,
) -> impl std::future::Future<
    Output = Result<Vec<leptos_socketio::protocol::Value>, leptos_socketio::AckError>,
> {
    let ack = socket.emit_with_ack::<leptos_socketio::Args>("echo", leptos_socketio::Args(args));
    async move { ack.await.map(|args| args.0) }
}
