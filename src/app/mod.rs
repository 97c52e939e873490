//! The demo app: the [`Chat`] component, configured from the page's query.
//!
//! Query parameters (see the demo app contract in the README):
//! `server=URL` picks the Socket.IO server (default: the page's origin);
//! `transport=auto|websocket|polling` the transports (default `auto`);
//! `room=NAME&name=NAME` prefill the join form, and join at once when both
//! are given; `token=T` is sent as `auth: {token}`.

mod query;

use leptos::prelude::*;
use leptos_socketio::engine::TransportMode;
use leptos_socketio::leptos::Chat;

/// The whole demo page.
#[component]
pub(crate) fn App() -> impl IntoView {
    let transport = match query::param("transport").as_deref() {
        Some("websocket") => TransportMode::WebSocketOnly,
        Some("polling") => TransportMode::PollingOnly,
        _ => TransportMode::Auto,
    };
    view! {
        <main class="demo">
            <h1>"leptos-socketio chat"</h1>
            <Chat
                server=query::param("server").unwrap_or_default()
                transport=transport
                room=query::param("room")
                name=query::param("name")
                token=query::param("token")
            />
        </main>
    }
}
