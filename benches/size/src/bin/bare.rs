//! A bare Leptos page (one signal, one button): the size baseline.

#![allow(unreachable_pub)]

use leptos::prelude::*;

#[component]
fn App() -> impl IntoView {
    let count = RwSignal::new(0);
    view! {
        <button on:click=move |_| count.update(|n| *n += 1)>"clicked " {count}</button>
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
