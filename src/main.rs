//! The demo app that trunk builds (see `index.html`): it mounts [`app::App`].

// A binary: nothing here is reachable from outside, so `pub` markers made by
// the component macro are not a concern.
#![allow(unreachable_pub)]

mod app;

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the demo app runs in a browser: build it with `trunk build` (see README.md)");
    std::process::exit(2);
}
