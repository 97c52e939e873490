//! Server half of the hydrate example: renders [`app::App`] to a complete
//! HTML page on stdout, the way an SSR server would, with a module script
//! that loads the `hydrate` example's wasm (built with wasm-bindgen
//! `--target web --out-name hydrate`).
//!
//! ```sh
//! cargo run --features ssr --example hydrate_page > dist-hydrate/index.html
//! ```

#![allow(unreachable_pub, clippy::print_stdout)]

mod app;

use leptos::prelude::*;

fn main() {
    let owner = Owner::new();
    let body = owner.with(|| view! { <app::App/> }.to_html());
    println!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>leptos-socketio hydrate example</title><link rel=\"icon\" href=\"data:,\">\
         <script type=\"module\">import init from './hydrate.js'; init();</script>\
         </head><body>{body}</body></html>"
    );
}
