//! The demo app: connection status, and a text echoed through the server.
//!
//! Query parameters (see the demo app contract in the README):
//! `server=URL` picks the Socket.IO server (default: the page's origin);
//! `transport=auto|websocket|polling` the transports (default `auto`);
//! `token=T` is sent as `auth: {token}`.

mod query;

use leptos::prelude::*;
use leptos_socketio::engine::TransportMode;
use leptos_socketio::leptos::{use_socket_with_options, UseSocketReturn};
use leptos_socketio::protocol::Value;
use leptos_socketio::SocketOptions;

/// The whole demo page.
#[component]
pub(crate) fn App() -> impl IntoView {
    let UseSocketReturn {
        state,
        transport,
        last_error,
        socket,
        ..
    } = use_socket_with_options(options_from_query());

    let (text, set_text) = signal(String::new());
    let (reply, set_reply) = signal(None::<String>);
    let (echo_error, set_echo_error) = signal(None::<String>);

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let value = text.get_untracked();
        if value.trim().is_empty() {
            set_echo_error.set(Some("Type some text to echo first.".to_owned()));
            return;
        }
        set_echo_error.set(None);
        let ack = socket.emit_with_ack::<leptos_socketio::Args>("echo", value);
        leptos::task::spawn_local(async move {
            match ack.await {
                Ok(args) => set_reply.set(Some(describe_reply(&args))),
                Err(err) => set_echo_error.set(Some(format!("The echo failed: {err}."))),
            }
        });
    };

    let error = move || echo_error.get().or_else(|| last_error.get());

    view! {
        <main class="demo">
            <header class="status-bar" aria-live="polite">
                <span>"Connection: "</span>
                <strong data-testid="connection-state" class=move || format!("state {}", state.get())>
                    {move || state.get().as_str()}
                </strong>
                <span>" over "</span>
                <strong data-testid="transport">{move || transport.get().as_str()}</strong>
            </header>
            <h1>"leptos-socketio echo"</h1>
            <form class="composer" on:submit=on_submit>
                <label for="echo-input">"Text to send"</label>
                <input
                    id="echo-input"
                    data-testid="echo-input"
                    type="text"
                    autocomplete="off"
                    prop:value=move || text.get()
                    on:input=move |ev| set_text.set(event_target_value(&ev))
                />
                <button data-testid="echo-button" type="submit">"Echo"</button>
            </form>
            <section aria-live="polite">
                <h2>"Server reply"</h2>
                <p data-testid="echo-reply">{move || reply.get().unwrap_or_default()}</p>
            </section>
            <Show when=move || error().is_some()>
                <p data-testid="error" role="alert" class="error">{move || error().unwrap_or_default()}</p>
            </Show>
        </main>
    }
}

/// Socket options from the page's query parameters.
fn options_from_query() -> SocketOptions {
    let mut options = SocketOptions::new(query::param("server").unwrap_or_default());
    options.transports = match query::param("transport").as_deref() {
        Some("websocket") => TransportMode::WebSocketOnly,
        Some("polling") => TransportMode::PollingOnly,
        _ => TransportMode::Auto,
    };
    if let Some(token) = query::param("token") {
        options = options.auth(serde_json::json!({ "token": token }).into());
    }
    options
}

/// The ack's arguments as text: a single string as itself, anything else as JSON.
fn describe_reply(args: &[Value]) -> String {
    match args {
        [Value::String(text)] => text.clone(),
        other => Value::Array(other.to_vec()).to_string(),
    }
}
