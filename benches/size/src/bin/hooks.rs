//! The bare page plus a live connection: `use_socket`, `use_event` and an
//! acknowledged emit, shown in the page so none of it is optimised away.

#![allow(unreachable_pub)]

use leptos::prelude::*;
use leptos_socketio::leptos::{use_event, use_socket};

#[component]
fn App() -> impl IntoView {
    let count = RwSignal::new(0);
    let io = use_socket(""); // "" = the page's own origin
    let greeting = use_event::<String>(&io.socket, "greeting");
    let reply = RwSignal::new(String::new());
    let socket = io.socket.clone();
    let ask = move |_| {
        count.update(|n| *n += 1);
        let socket = socket.clone();
        leptos::task::spawn_local(async move {
            let answer = socket.emit_with_ack::<String>("echo", "hello").await;
            reply.set(answer.unwrap_or_else(|e| e.to_string()));
        });
    };
    view! {
        <p>{move || io.state.get().to_string()}</p>
        <p>{move || greeting.get().and_then(Result::ok)}</p>
        <button on:click=ask>"asked " {count}</button>
        <p>{move || reply.get()}</p>
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {
    leptos::mount::mount_to_body(App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("a size benchmark page: build it with scripts/bench-size");
    std::process::exit(2);
}
