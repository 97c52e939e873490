//! The room `<Chat/>` keeps in browser storage between page loads (its last
//! messages and sync point, [`SavedRoom`]), so a reload shows them at once
//! and the next `join` asks only `since` that point. Outside the browser
//! nothing is kept.

use crate::chat::SavedRoom;

/// The storage key of `room` on `server` (empty: the page's origin).
#[cfg(target_arch = "wasm32")]
fn key(server: &str, room: &str) -> String {
    format!("leptos-socketio:chat:{server}:{room}")
}

#[cfg(target_arch = "wasm32")]
fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// What an earlier page kept of `room`; `None` if nothing (or something
/// unreadable: the room then starts afresh).
#[cfg(target_arch = "wasm32")]
pub(super) fn load(server: &str, room: &str) -> Option<SavedRoom> {
    let text = storage()?.get_item(&key(server, room)).ok()??;
    let value = crate::protocol::json::parse(&text).ok()?;
    crate::protocol::from_value(value).ok()
}

/// Keeps `saved`. Storage that refuses (full, private mode) costs only the
/// next reload's head start: the join then fetches the recent history.
#[cfg(target_arch = "wasm32")]
pub(super) fn save(server: &str, saved: &SavedRoom) {
    let (Some(storage), Ok(value)) = (storage(), crate::protocol::to_value(saved)) else {
        return;
    };
    let mut text = String::new();
    crate::protocol::json::write(&mut text, &value);
    let _ = storage.set_item(&key(server, &saved.room), &text);
}

/// Why this page cannot keep anything in browser storage (blocked, or
/// full), as a sentence; `None` when it can. Checked by writing and
/// removing a small value.
#[cfg(target_arch = "wasm32")]
pub(super) fn storage_problem() -> Option<String> {
    const PROBE: &str = "leptos-socketio:probe";
    let Some(storage) = storage() else {
        return Some("localStorage is not available on this page".to_owned());
    };
    if let Err(e) = storage.set_item(PROBE, "1") {
        return Some(crate::js_error::js_error_text(
            &e,
            "localStorage refused a write",
        ));
    }
    let _ = storage.remove_item(PROBE);
    None
}

/// Outside the browser nothing is kept, and nothing needs to be.
#[cfg(not(target_arch = "wasm32"))]
pub(super) fn storage_problem() -> Option<String> {
    None
}

/// Outside the browser nothing is kept.
#[cfg(not(target_arch = "wasm32"))]
pub(super) fn load(_server: &str, _room: &str) -> Option<SavedRoom> {
    None
}

/// Outside the browser nothing is kept.
#[cfg(not(target_arch = "wasm32"))]
pub(super) fn save(_server: &str, _saved: &SavedRoom) {}
