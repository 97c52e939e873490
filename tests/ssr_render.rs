//! Server rendering: components that use the hooks render to HTML natively
//! under the `ssr` feature, inert (`disconnected`, `none`), touching no
//! browser API, and their reactive owner can be disposed on another thread
//! (as a multi-threaded server does).
//!
//! Run with `cargo test --features ssr --test ssr_render`.
#![cfg(feature = "ssr")]

use leptos::prelude::*;
use leptos_socketio::leptos::{
    provide_socket, use_event, use_socket, use_socket_context, UseSocketReturn,
};

#[component]
fn Status() -> impl IntoView {
    let UseSocketReturn {
        state,
        transport,
        rtt,
        last_error,
        ..
    } = use_socket_context().expect("provided by <Page/>");
    view! {
        <p class="state">{move || state.get().as_str()}</p>
        <p class="transport">{move || transport.get().as_str()}</p>
        <p class="rtt">{move || rtt.get().map_or("no rtt".to_owned(), |d| format!("{d:?}"))}</p>
        <p class="error">{move || last_error.get().unwrap_or_else(|| "no error".to_owned())}</p>
    }
}

#[component]
fn Page() -> impl IntoView {
    let socket = use_socket("http://127.0.0.1:9");
    let greeting = use_event::<String>(&socket.socket, "greeting");
    let disconnect = socket.disconnect;
    provide_socket(socket);
    view! {
        <Status/>
        <p class="greeting">{move || match greeting.get() {
            None => "no greeting yet".to_owned(),
            Some(Ok(text)) => text,
            Some(Err(err)) => err.to_string(),
        }}</p>
        <button on:click=move |_| disconnect.run(())>"Leave"</button>
    }
}

#[test]
fn hooks_render_inert_signals_to_html_on_the_server() {
    let owner = Owner::new();
    let html = owner.with(|| view! { <Page/> }.to_html());
    for expected in [
        r#"<p class="state">disconnected</p>"#,
        r#"<p class="transport">none</p>"#,
        r#"<p class="rtt">no rtt</p>"#,
        r#"<p class="error">no error</p>"#,
        r#"<p class="greeting">no greeting yet</p>"#,
    ] {
        assert!(html.contains(expected), "{expected} missing from {html}");
    }
}

#[test]
fn a_rendered_owner_can_be_disposed_on_another_thread() {
    let owner = Owner::new();
    let html = owner.with(|| view! { <Page/> }.to_html());
    assert!(html.contains("disconnected"));
    std::thread::spawn(move || {
        owner.cleanup();
        drop(owner);
    })
    .join()
    .expect("disposing the hooks on another thread does not panic");
}

#[test]
fn without_a_provider_the_context_is_none() {
    let owner = Owner::new();
    let found = owner.with(|| use_socket_context().is_some());
    assert!(!found);
}

#[test]
fn chat_renders_its_join_form_inert_on_the_server() {
    use leptos_socketio::leptos::Chat;

    let owner = Owner::new();
    let html = owner.with(|| {
        view! { <Chat server="http://127.0.0.1:9" room="lobby".to_owned() name="ada".to_owned() class="mine"/> }
            .to_html()
    });
    for expected in [
        r#"class="lsio-chat mine""#,
        r#"data-testid="connection-state""#,
        r#">disconnected</strong>"#,
        r#"data-testid="transport">none</strong>"#,
        r#"data-testid="name-input""#,
        r#"data-testid="room-input""#,
        r#"data-testid="join-button""#,
        r#"data-testid="message-input""#,
        r#"data-testid="send-button""#,
    ] {
        assert!(html.contains(expected), "{expected} missing from {html}");
    }
    // Nothing connected, so nobody is in the room and nobody types.
    for absent in [
        r#"data-testid="member""#,
        r#"data-testid="typing""#,
        r#"data-testid="message""#,
    ] {
        assert!(!html.contains(absent), "{absent} in {html}");
    }
    owner.unset();
}

#[test]
fn a_rendered_chat_can_be_disposed_on_another_thread() {
    use leptos_socketio::leptos::Chat;

    let owner = Owner::new();
    let html = owner.with(|| {
        view! { <Chat server="http://127.0.0.1:9" room="lobby".to_owned() name="ada".to_owned()/> }
            .to_html()
    });
    assert!(html.contains("disconnected"));
    std::thread::spawn(move || {
        owner.cleanup();
        drop(owner);
    })
    .join()
    .expect("disposing <Chat/> on another thread does not panic");
}
