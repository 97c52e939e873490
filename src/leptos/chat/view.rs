//! The markup of `<Chat/>`: connection bar, join form, messages, typing
//! indicator, composer and members. Text is always rendered as text.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::chat::{ChatMessage, ChatState, MessageStatus};
use crate::leptos::chat::clock;
use crate::leptos::chat::driver::{Driver, DriverStorage};
use crate::{ConnectionState, TransportKind};

/// What the view is made of.
pub(super) struct Parts {
    pub(super) ids: String,
    pub(super) class: String,
    pub(super) chat: RwSignal<ChatState>,
    pub(super) driver: StoredValue<Driver, DriverStorage>,
    pub(super) connection: Signal<ConnectionState>,
    pub(super) transport: Signal<TransportKind>,
    pub(super) last_error: Signal<Option<String>>,
    pub(super) rtt: Signal<Option<u64>>,
    pub(super) countdown: Signal<Option<u64>>,
    /// Why messages cannot be kept in browser storage, if they cannot.
    pub(super) storage_notice: Signal<Option<String>>,
    pub(super) name: String,
    pub(super) room: String,
}

pub(super) fn render(parts: Parts) -> impl IntoView {
    let Parts {
        ids,
        class,
        chat,
        driver,
        connection,
        transport,
        last_error,
        rtt,
        countdown,
        storage_notice,
        name,
        room,
    } = parts;
    let name_input = RwSignal::new(name);
    let room_input = RwSignal::new(room);
    let draft = RwSignal::new(String::new());
    let input_error = RwSignal::new(None::<String>);

    let on_join = move |ev: SubmitEvent| {
        ev.prevent_default();
        let (name, room) = (name_input.get_untracked(), room_input.get_untracked());
        let result = driver.get_value().join(&name, &room);
        input_error.set(result.and_then(Result::err).map(|e| e.to_string()));
    };
    let on_send = move |ev: SubmitEvent| {
        ev.prevent_default();
        let text = draft.get_untracked();
        let result = driver.get_value().apply(|chat, now| chat.send(&text, now));
        match result {
            Some(Ok(())) => {
                draft.set(String::new());
                input_error.set(None);
            }
            Some(Err(err)) => input_error.set(Some(err.to_string())),
            None => {}
        }
    };
    let on_type = move |ev| {
        let text = event_target_value(&ev);
        let typed = !text.trim().is_empty();
        draft.set(text);
        if typed {
            driver.get_value().apply(|chat, now| chat.handle_input(now));
        }
    };

    // The sentence to show: the person's last mistake, the server's last
    // refusal, or why the connection is not up.
    let error = move || {
        input_error
            .get()
            .or_else(|| chat.with(|c| c.error().map(str::to_owned)))
            .or_else(|| {
                (connection.get() != ConnectionState::Connected)
                    .then(|| last_error.get())
                    .flatten()
            })
    };
    let in_room = move || chat.with(|c| c.room().map(|r| r.name().to_owned()));
    let rows = move || chat.with(|c| c.room().map(|r| r.messages().to_vec()).unwrap_or_default());
    let members = move || chat.with(|c| c.room().map(|r| r.members().to_vec()).unwrap_or_default());
    let typing = move || {
        chat.with(|c| {
            c.room()
                .map(|r| r.typing().map(str::to_owned).collect::<Vec<_>>())
                .unwrap_or_default()
        })
    };
    let typing_sentence = move || match typing().as_slice() {
        [] => String::new(),
        [one] => format!("{one} is typing…"),
        [one, two] => format!("{one} and {two} are typing…"),
        more => format!("{} people are typing…", more.len()),
    };

    let name_id = format!("{ids}-name");
    let room_id = format!("{ids}-room");
    let draft_id = format!("{ids}-draft");
    let messages_id = format!("{ids}-messages");
    let (name_for, room_for, draft_for, messages_by) = (
        name_id.clone(),
        room_id.clone(),
        draft_id.clone(),
        messages_id.clone(),
    );

    view! {
        <div class=format!("lsio-chat {class}").trim_end().to_owned()>
            <header class="lsio-chat-bar" role="status" aria-live="polite">
                <span class="lsio-chat-bar-item">
                    "Connection: "
                    <strong
                        data-testid="connection-state"
                        class=move || format!("lsio-chat-state lsio-chat-state-{}", connection.get())
                    >
                        {move || connection.get().as_str()}
                    </strong>
                </span>
                <span class="lsio-chat-bar-item">
                    "Transport: " <strong data-testid="transport">{move || transport.get().as_str()}</strong>
                </span>
                // The bar is a live region for the connection state; the
                // round trip and the countdown change too often to announce.
                <Show when=move || rtt.get().is_some()>
                    <span class="lsio-chat-bar-item" aria-live="off">
                        "Round trip: " {move || rtt.get().unwrap_or_default()} " ms"
                    </span>
                </Show>
                <Show when=move || countdown.get().is_some()>
                    <span class="lsio-chat-bar-item lsio-chat-countdown" aria-live="off">
                        {move || format!("Retrying in {} s", countdown.get().unwrap_or_default())}
                    </span>
                </Show>
            </header>

            <form class="lsio-chat-join" on:submit=on_join aria-label="Join a room">
                <label for=name_for>"Name"</label>
                <input
                    id=name_id
                    data-testid="name-input"
                    type="text"
                    autocomplete="nickname"
                    maxlength=crate::chat::MAX_NAME_CHARS.to_string()
                    prop:value=move || name_input.get()
                    on:input=move |ev| name_input.set(event_target_value(&ev))
                />
                <label for=room_for>"Room"</label>
                <input
                    id=room_id
                    data-testid="room-input"
                    type="text"
                    autocomplete="off"
                    maxlength=crate::chat::MAX_ROOM_CHARS.to_string()
                    prop:value=move || room_input.get()
                    on:input=move |ev| room_input.set(event_target_value(&ev))
                />
                <button data-testid="join-button" type="submit">
                    {move || if in_room().is_some() { "Switch room" } else { "Join" }}
                </button>
            </form>

            <Show when=move || error().is_some()>
                <p data-testid="error" class="lsio-chat-error" role="alert">
                    {move || error().unwrap_or_default()}
                </p>
            </Show>
            <Show when=move || storage_notice.get().is_some()>
                <p data-testid="storage-notice" class="lsio-chat-notice" role="status">
                    {move || storage_notice.get().unwrap_or_default()}
                </p>
            </Show>

            <div class="lsio-chat-body">
                <section class="lsio-chat-room" aria-labelledby=messages_by>
                    <h2 id=messages_id class="lsio-chat-room-title">
                        {move || in_room().map_or_else(|| "No room joined".to_owned(), |r| format!("Room {r}"))}
                    </h2>
                    <ol class="lsio-chat-messages" aria-live="polite" aria-relevant="additions">
                        <For
                            each=rows
                            key=|m: &ChatMessage| (m.id.clone(), m.seq, m.status)
                            children=move |m: ChatMessage| message_row(m, driver)
                        />
                    </ol>
                    <Show when=move || !typing().is_empty()>
                        <p data-testid="typing" class="lsio-chat-typing" aria-live="polite">
                            {typing_sentence}
                        </p>
                    </Show>
                    <form class="lsio-chat-composer" on:submit=on_send aria-label="Send a message">
                        <label for=draft_for class="lsio-chat-visually-hidden">"Message"</label>
                        <input
                            id=draft_id
                            data-testid="message-input"
                            type="text"
                            autocomplete="off"
                            placeholder="Write a message"
                            prop:value=move || draft.get()
                            on:input=on_type
                        />
                        <button data-testid="send-button" type="submit">"Send"</button>
                    </form>
                </section>
                <aside class="lsio-chat-members" aria-label="Members">
                    <h2>"Members"</h2>
                    <ul>
                        <For
                            each=members
                            key=|name: &String| name.clone()
                            children=|name: String| view! { <li data-testid="member">{name}</li> }
                        />
                    </ul>
                </aside>
            </div>
        </div>
    }
}

/// One message: sender, time, text; for one's own, the status, and for a
/// failed one the reason and a retry button.
fn message_row(m: ChatMessage, driver: StoredValue<Driver, DriverStorage>) -> impl IntoView {
    let own = m.is_own();
    let status = m.status.map(MessageStatus::as_str);
    let failed = m.status == Some(MessageStatus::Failed);
    let time = m.ts.map(|ts| {
        view! { <time class="lsio-chat-time" datetime=clock::iso_time(ts)>{clock::clock_time(ts)}</time> }
    });
    let id = m.id.clone();
    let retry_label = failed.then(|| format!("Retry sending “{}”", m.text));
    let retry = move |_| {
        driver.get_value().apply(|chat, now| chat.retry(&id, now));
    };
    view! {
        <li data-testid="message" class=if own { "lsio-chat-message lsio-chat-own" } else { "lsio-chat-message" }>
            <span class="lsio-chat-sender">{m.name}</span>
            " "
            {time}
            <p class="lsio-chat-text">{m.text}</p>
            {status.map(|s| view! {
                <span data-testid="message-status" class=format!("lsio-chat-status lsio-chat-status-{s}")>{s}</span>
            })}
            {retry_label.map(|label| view! {
                <span class="lsio-chat-row-error">{m.error.clone().unwrap_or_default()}</span>
                <button type="button" class="lsio-chat-retry" aria-label=label on:click=retry>"Retry"</button>
            })}
        </li>
    }
}
