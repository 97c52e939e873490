//! The Leptos hooks in headless Chromium: signals follow the connection,
//! `use_event` shows the latest server event, a provided socket reaches
//! descendants, mounting then unmounting components 100 times leaves no
//! connection open at the server and no handler registered in the client,
//! and options that cannot work show as an error from the first render.
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use leptos_socketio::engine::TransportMode;
use leptos_socketio::leptos::{
    provide_socket, use_event, use_socket_context, use_socket_with_options, UseSocketReturn,
};
use leptos_socketio::protocol::Value;
use leptos_socketio::{ConnectionState, Socket, SocketOptions, TransportKind};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[macro_use]
mod browser_support;
use browser_support::{call, wait_for};

fn options(url: &str) -> SocketOptions {
    SocketOptions::new(url)
        .transports(TransportMode::WebSocketOnly)
        .remember_transport(false)
}

/// A fresh element to mount into.
fn host() -> web_sys::HtmlElement {
    let document = web_sys::window()
        .and_then(|w| w.document())
        .expect("a document");
    let element = document.create_element("div").expect("a div");
    document
        .body()
        .expect("a body")
        .append_child(&element)
        .expect("appended");
    element.dyn_into().expect("an HTML element")
}

fn text_of(host: &web_sys::HtmlElement, class: &str) -> String {
    host.query_selector(&format!(".{class}"))
        .ok()
        .flatten()
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

async fn node_server() -> (String, String) {
    let body = serde_json::json!({"kind": "node", "args": [], "proxy": true});
    let s = call("POST", "/servers", Some(body)).await;
    (
        s["id"].as_str().expect("an id").to_owned(),
        s["proxyUrl"].as_str().expect("a proxy").to_owned(),
    )
}

async fn open_connections(id: &str) -> u64 {
    call("GET", &format!("/servers/{id}/stats"), None).await["openConnections"]
        .as_u64()
        .expect("a count")
}

#[component]
fn Status() -> impl IntoView {
    let UseSocketReturn {
        state, transport, ..
    } = use_socket_context().expect("provided by the parent");
    view! {
        <span class="state">{move || state.get().as_str()}</span>
        <span class="transport">{move || transport.get().as_str()}</span>
    }
}

#[component]
fn Greeted(url: String) -> impl IntoView {
    let socket =
        use_socket_with_options(options(&url).auth(serde_json::json!({"greet": true}).into()));
    // Raw values: the greeting carries binary, which serde_json::Value cannot hold.
    let greeting = use_event::<Value>(&socket.socket, "greeting");
    provide_socket(socket);
    view! {
        <Status/>
        <span class="greeting">{move || match greeting.get() {
            Some(Ok(value)) => value.get("hello").and_then(Value::as_str).unwrap_or_default().to_owned(),
            Some(Err(err)) => err.to_string(),
            None => "none yet".to_owned(),
        }}</span>
    }
}

#[wasm_bindgen_test]
async fn signals_follow_the_connection_and_use_event_shows_the_latest_event() {
    let (id, url) = node_server().await;
    let host = host();
    let mounted = leptos::mount::mount_to(host.clone(), move || view! { <Greeted url=url/> });
    assert_eq!(text_of(&host, "state"), "connecting");
    assert_eq!(text_of(&host, "transport"), "none");
    wait_for("the greeting", 5_000, || {
        text_of(&host, "greeting") == "world"
    })
    .await;
    assert_eq!(text_of(&host, "state"), "connected");
    assert_eq!(text_of(&host, "transport"), "websocket");
    drop(mounted);
    stop(&id).await;
}

/// Opens its own connection and listens on a shared one.
#[component]
fn Listener(url: String, shared: Socket) -> impl IntoView {
    let own = use_socket_with_options(options(&url));
    let news = use_event::<String>(&shared, "news");
    let count = use_event::<u32>(&own.socket, "count");
    let state = own.state;
    view! {
        <span class="state">{move || state.get().as_str()}</span>
        <span>{move || format!("{:?} {:?}", news.get(), count.get())}</span>
    }
}

#[wasm_bindgen_test]
async fn mounting_and_unmounting_100_times_leaves_no_connection_and_no_handler() {
    let (id, url) = node_server().await;
    let shared = Socket::new(options(&url));
    wait_for("the shared socket", 5_000, || {
        shared.state() == ConnectionState::Connected
    })
    .await;
    let baseline_handlers = shared.listener_count();
    let baseline_connections = open_connections(&id).await;
    assert_eq!(baseline_connections, 1, "only the shared socket");

    for round in 0..100 {
        let host = host();
        let (url, socket) = (url.clone(), shared.clone());
        let mounted = leptos::mount::mount_to(host.clone(), move || {
            view! { <Listener url=url shared=socket/> }
        });
        assert_eq!(
            shared.listener_count(),
            baseline_handlers + 1,
            "round {round}"
        );
        wait_for("the component's connection", 5_000, || {
            text_of(&host, "state") == "connected"
        })
        .await;
        drop(mounted);
        host.remove();
        assert_eq!(
            shared.listener_count(),
            baseline_handlers,
            "round {round}: the component's handler is gone with it"
        );
    }

    let mut open = open_connections(&id).await;
    for _ in 0..100 {
        if open == baseline_connections {
            break;
        }
        gloo_timers::future::TimeoutFuture::new(30).await;
        open = open_connections(&id).await;
    }
    assert_eq!(
        open, baseline_connections,
        "every component's connection closed"
    );
    assert_eq!(shared.state(), ConnectionState::Connected);
    assert_eq!(shared.transport(), TransportKind::WebSocket);
    shared.disconnect();
    stop(&id).await;
}

async fn stop(id: &str) {
    call("DELETE", &format!("/servers/{id}"), None).await;
}

#[wasm_bindgen_test]
async fn the_disconnect_and_connect_callbacks_drive_the_state_signal() {
    let (id, url) = node_server().await;
    let host = host();
    let kept = std::rc::Rc::new(std::cell::RefCell::new(None::<UseSocketReturn>));
    let mounted = {
        let kept = kept.clone();
        leptos::mount::mount_to(host.clone(), move || {
            let socket = use_socket_with_options(options(&url));
            let state = socket.state;
            *kept.borrow_mut() = Some(socket);
            view! { <span class="state">{move || state.get().as_str()}</span> }
        })
    };
    wait_for("connected", 5_000, || {
        text_of(&host, "state") == "connected"
    })
    .await;
    let socket = kept.borrow().clone().expect("mounted");
    socket.disconnect.run(());
    wait_for("disconnected", 5_000, || {
        text_of(&host, "state") == "disconnected"
    })
    .await;
    assert_eq!(socket.socket.state(), ConnectionState::Disconnected);
    socket.connect.run(());
    wait_for("connected again", 5_000, || {
        text_of(&host, "state") == "connected"
    })
    .await;
    drop(mounted);
    stop(&id).await;
}

#[component]
fn Misconfigured() -> impl IntoView {
    let UseSocketReturn {
        state, last_error, ..
    } = use_socket_with_options(options("127.0.0.1:3000"));
    view! {
        <span class="state">{move || state.get().as_str()}</span>
        <span class="error">{move || last_error.get().unwrap_or_default()}</span>
    }
}

#[wasm_bindgen_test]
fn a_url_without_a_scheme_shows_disconnected_and_the_reason_from_the_first_render() {
    let host = host();
    let mounted = leptos::mount::mount_to(host.clone(), || view! { <Misconfigured/> });
    assert_eq!(text_of(&host, "state"), "disconnected");
    assert_eq!(
        text_of(&host, "error"),
        "cannot connect: the server URL \"127.0.0.1:3000\" must start with http://, https://, ws:// or wss://"
    );
    drop(mounted);
}
