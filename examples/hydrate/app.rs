//! The page both halves of the example share: rendered to HTML by
//! `page.rs` (feature `ssr`) and hydrated in the browser by `client.rs`
//! (feature `hydrate`). It uses the hooks the way an app would.

use leptos::prelude::*;
use leptos_socketio::leptos::{use_socket, Chat, UseSocketReturn};

/// A status line, a button whose click is echoed by the server (it only
/// works once hydration attached the handler), and a `<Chat/>`.
#[component]
pub fn App() -> impl IntoView {
    let UseSocketReturn {
        state,
        transport,
        socket,
        ..
    } = use_socket(""); // the page's own origin
    let clicks = RwSignal::new(0u32);
    let reply = RwSignal::new(String::new());
    let echo = move |_| {
        clicks.update(|n| *n += 1);
        let text = format!("hydrated {}", clicks.get_untracked());
        let ack = socket.emit_with_ack::<String>("echo", text);
        leptos::task::spawn_local(async move {
            reply.set(ack.await.unwrap_or_else(|err| err.to_string()));
        });
    };
    view! {
        <main>
            <p>"Connection: "<strong data-testid="page-state">{move || state.get().as_str()}</strong></p>
            <p>"Transport: "<strong data-testid="page-transport">{move || transport.get().as_str()}</strong></p>
            <button data-testid="echo-button" on:click=echo>"Echo"</button>
            <p data-testid="echo-reply">{move || reply.get()}</p>
            <Chat room="lobby".to_owned()/>
        </main>
    }
}
