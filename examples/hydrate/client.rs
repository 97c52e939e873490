//! Browser half of the hydrate example: hydrates the HTML that `page.rs`
//! rendered on the server, so the hooks take over the server's markup.
//!
//! ```sh
//! cargo build --target wasm32-unknown-unknown --features hydrate --example hydrate
//! ```

#![allow(unreachable_pub)]

mod app;

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("this example runs in a browser: build it for wasm32-unknown-unknown (see page.rs)");
    std::process::exit(2);
}
