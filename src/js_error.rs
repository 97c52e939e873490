//! The text of a JavaScript exception, for error messages (browser only).

use wasm_bindgen::{JsCast, JsValue};

/// The exception's `message` if it is an `Error` (a `DOMException` is
/// one), the value itself if it is a string, else `fallback`. No `Debug`
/// formatting, which would bring wasm-bindgen's value printer along.
pub(crate) fn js_error_text(err: &JsValue, fallback: &str) -> String {
    err.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| err.as_string())
        .unwrap_or_else(|| fallback.to_owned())
}
