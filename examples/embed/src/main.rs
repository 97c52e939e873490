//! An app of its own that embeds leptos-socketio: a documentation page with
//! a support chat (`<Chat/>`) in its sidebar, and a live counter in its
//! header made with `use_socket` — its own connection, its own events.
//!
//! ```sh
//! cd examples/embed && trunk build --release
//! leptos-socketio-server --static-dir examples/embed/dist   # from the repository root
//! ```

// A binary: the component macro's `pub` markers reach nothing outside.
#![allow(unreachable_pub)]

use std::time::Duration;

use leptos::prelude::*;
use leptos_socketio::leptos::{use_socket, Chat, UseSocketReturn};

/// Asks the server to echo the next number every second and shows how many
/// it answered, with the connection state and round trip.
#[component]
fn LiveCounter() -> impl IntoView {
    let UseSocketReturn {
        state, rtt, socket, ..
    } = use_socket(""); // the page's own origin
    let answered = RwSignal::new(0u64);
    let tick = move || {
        let next = answered.get_untracked() + 1;
        // Volatile: while offline the ping is dropped, not queued up.
        let ack = socket
            .volatile()
            .timeout(Duration::from_secs(5))
            .emit_with_ack::<u64>("echo", next);
        leptos::task::spawn_local(async move {
            if let Ok(n) = ack.await {
                answered.try_update(|count| *count = (*count).max(n));
            }
        });
    };
    let interval = set_interval_with_handle(tick, Duration::from_secs(1)).ok();
    on_cleanup(move || {
        if let Some(interval) = interval {
            interval.clear();
        }
    });
    view! {
        <p class="live" aria-live="polite">
            <span data-testid="live-counter">{move || answered.get()}</span>
            " pings answered · "
            <span data-testid="live-state">{move || state.get().as_str()}</span>
            {move || rtt.get().map(|d| format!(" · {} ms", d.as_millis()))}
        </p>
    }
}

/// The site: its own header, article and sidebar; the chat is one part.
#[component]
fn Site() -> impl IntoView {
    view! {
        <div class="site">
            <header class="site-header">
                <strong>"Acme Widgets — docs"</strong>
                <LiveCounter/>
            </header>
            <main class="site-article">
                <h1>"Installing the widget"</h1>
                <p>"Unpack the widget, plug it in, and wait for the green light."</p>
                <p>"Questions? Ask in the support chat: people who know the widget are there."</p>
            </main>
            <aside class="site-sidebar" aria-label="Support chat">
                <h2>"Support"</h2>
                <Chat room="support".to_owned() class="acme-chat"/>
            </aside>
        </div>
    }
}

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(Site);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!(
        "this example runs in a browser: build it with `trunk build --release` in examples/embed"
    );
    std::process::exit(2);
}
