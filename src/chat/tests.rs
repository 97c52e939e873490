//! Behaviour of [`ChatState`], stepped on a virtual clock.

use crate::chat::{
    ChatState, Command, InputError, JoinAck, Message, MessageAck, MessageStatus, Presence, Ticket,
    TypingNotice,
};
use crate::time::Instant;

fn t(ms: u64) -> Instant {
    Instant::from_millis(ms)
}

fn stored(seq: u64, id: &str, name: &str, text: &str) -> Message {
    Message {
        room: "lobby".into(),
        seq,
        id: id.into(),
        name: name.into(),
        text: text.into(),
        ts: 1_700_000_000_000 + seq,
    }
}

fn commands(chat: &mut ChatState) -> Vec<Command> {
    std::iter::from_fn(|| chat.poll_command()).collect()
}

fn join_ticket(commands: &[Command]) -> (Ticket, Option<u64>) {
    commands
        .iter()
        .find_map(|c| match c {
            Command::Join { ticket, request } => Some((*ticket, request.since)),
            _ => None,
        })
        .expect("a join command")
}

fn sends(commands: &[Command]) -> Vec<(Ticket, String, String)> {
    commands
        .iter()
        .filter_map(|c| match c {
            Command::SendMessage {
                ticket, request, ..
            } => Some((*ticket, request.id.clone(), request.text.clone())),
            _ => None,
        })
        .collect()
}

/// A chat joined to `lobby` as `ada` with `history`.
fn joined(history: Vec<Message>) -> ChatState {
    let mut chat = ChatState::new(1);
    chat.join("ada", "lobby", t(0)).expect("valid");
    chat.handle_connected(t(0));
    let (ticket, since) = join_ticket(&commands(&mut chat));
    assert_eq!(since, None);
    let members = vec!["ada".into()];
    chat.handle_join_ack(
        ticket,
        JoinAck::Joined {
            history,
            members,
            limits: None,
        },
        t(0),
    );
    assert!(chat.is_joined());
    chat
}

fn statuses(chat: &ChatState) -> Vec<(String, Option<MessageStatus>)> {
    let room = chat.room().expect("a room");
    room.messages()
        .iter()
        .map(|m| (m.text.clone(), m.status))
        .collect()
}

fn seqs(chat: &ChatState) -> Vec<Option<u64>> {
    let room = chat.room().expect("a room");
    room.messages().iter().map(|m| m.seq).collect()
}

#[test]
fn joining_waits_for_the_connection_and_invalid_input_is_refused() {
    let mut chat = ChatState::new(1);
    assert_eq!(chat.join(" ", "lobby", t(0)), Err(InputError::EmptyName));
    assert_eq!(
        chat.join("ada", "a b", t(0)),
        Err(InputError::RoomCharacter(' '))
    );
    chat.join("ada", "lobby", t(0)).expect("valid");
    assert!(
        commands(&mut chat).is_empty(),
        "nothing to emit before connecting"
    );
    chat.handle_connected(t(5));
    let out = commands(&mut chat);
    assert!(matches!(&out[..], [Command::Join { request, .. }]
        if request.room == "lobby" && request.name == "ada" && request.since.is_none()));
}

#[test]
fn own_message_goes_pending_then_sent_and_the_broadcast_is_not_duplicated() {
    let mut chat = joined(vec![stored(1, "old", "bob", "earlier")]);
    chat.send("hello", t(10)).expect("valid");
    let out = sends(&commands(&mut chat));
    let [(ticket, id, text)] = &out[..] else {
        panic!("one send: {out:?}")
    };
    assert_eq!(text, "hello");
    assert_eq!(
        statuses(&chat)[1],
        ("hello".into(), Some(MessageStatus::Pending))
    );
    chat.handle_message_ack(*ticket, MessageAck::Stored { seq: 2 }, t(11));
    chat.handle_message(stored(2, id, "ada", "hello"), t(12));
    assert_eq!(
        statuses(&chat),
        [
            ("earlier".into(), None),
            ("hello".into(), Some(MessageStatus::Sent))
        ]
    );
    assert_eq!(chat.room().map(|r| r.synced_seq()), Some(2));
}

#[test]
fn a_refused_message_fails_with_the_sentence_and_a_retry_resends_the_same_id() {
    let mut chat = joined(vec![]);
    chat.send("hi", t(0)).expect("valid");
    let [(ticket, id, _)] = &sends(&commands(&mut chat))[..] else {
        panic!("one send")
    };
    let error = "You are sending too fast; wait a moment.".to_owned();
    chat.handle_message_ack(
        *ticket,
        MessageAck::Refused {
            error: error.clone(),
        },
        t(1),
    );
    let row = &chat.room().expect("room").messages()[0];
    assert_eq!(
        (row.status, row.error.as_ref()),
        (Some(MessageStatus::Failed), Some(&error))
    );

    chat.retry(id, t(2));
    let [(again, same_id, _)] = &sends(&commands(&mut chat))[..] else {
        panic!("one re-send")
    };
    assert_eq!(same_id, id);
    assert_eq!(statuses(&chat)[0].1, Some(MessageStatus::Pending));
    chat.handle_message_ack(*again, MessageAck::Stored { seq: 1 }, t(3));
    assert_eq!(statuses(&chat)[0].1, Some(MessageStatus::Sent));
}

#[test]
fn retrying_a_message_that_did_not_fail_sends_nothing() {
    let mut chat = joined(vec![]);
    chat.send("hi", t(0)).expect("valid");
    let [(_, id, _)] = &sends(&commands(&mut chat))[..] else {
        panic!("one send")
    };
    chat.retry(id, t(1));
    assert!(commands(&mut chat).is_empty());
}

#[test]
fn pending_messages_survive_a_lost_connection_and_are_resent_after_the_rejoin() {
    let mut chat = joined(vec![stored(1, "a", "bob", "one")]);
    chat.send("in flight", t(0)).expect("valid");
    let [(lost_ticket, in_flight_id, _)] = &sends(&commands(&mut chat))[..] else {
        panic!("one send")
    };
    chat.handle_disconnected(t(1));
    chat.send("typed offline", t(2)).expect("valid");
    assert!(
        sends(&commands(&mut chat)).is_empty(),
        "held until joined again"
    );
    assert!(statuses(&chat)
        .iter()
        .skip(1)
        .all(|(_, s)| *s == Some(MessageStatus::Pending)));

    // A late refusal from the old connection does not fail the message.
    let refused = MessageAck::Refused {
        error: "You have not joined this room.".into(),
    };
    chat.handle_message_ack(*lost_ticket, refused, t(3));
    assert_eq!(statuses(&chat)[1].1, Some(MessageStatus::Pending));

    chat.handle_connected(t(4));
    let (ticket, since) = join_ticket(&commands(&mut chat));
    assert_eq!(since, Some(1), "the rejoin asks for what was missed");
    let history = vec![stored(2, "b", "bob", "two")];
    let members = vec!["ada".into(), "bob".into()];
    chat.handle_join_ack(
        ticket,
        JoinAck::Joined {
            history,
            members,
            limits: None,
        },
        t(5),
    );
    let resent = sends(&commands(&mut chat));
    assert_eq!(resent.len(), 2);
    assert_eq!(&resent[0].1, in_flight_id, "same id as before the loss");
    assert_eq!(resent[1].2, "typed offline");
    chat.handle_message_ack(resent[0].0, MessageAck::Stored { seq: 3 }, t(6));
    chat.handle_message_ack(resent[1].0, MessageAck::Stored { seq: 4 }, t(6));
    assert_eq!(seqs(&chat), [Some(1), Some(2), Some(3), Some(4)]);
    assert!(statuses(&chat)
        .iter()
        .skip(2)
        .all(|(_, s)| *s == Some(MessageStatus::Sent)));
}

#[test]
fn a_skipped_seq_asks_join_since_the_last_in_sync_and_merges_the_answer() {
    let mut chat = joined(vec![stored(1, "a", "bob", "one")]);
    chat.handle_message(stored(3, "c", "bob", "three"), t(1));
    let (ticket, since) = join_ticket(&commands(&mut chat));
    assert_eq!(since, Some(1));
    // A second gap while the catch-up is in flight asks nothing more.
    chat.handle_message(stored(5, "e", "bob", "five"), t(2));
    assert!(commands(&mut chat).is_empty());
    let history = vec![
        stored(2, "b", "bob", "two"),
        stored(3, "c", "bob", "three"),
        stored(4, "d", "bob", "four"),
    ];
    let members = vec!["ada".into(), "bob".into()];
    chat.handle_join_ack(
        ticket,
        JoinAck::Joined {
            history,
            members,
            limits: None,
        },
        t(3),
    );
    assert_eq!(seqs(&chat), [Some(1), Some(2), Some(3), Some(4), Some(5)]);
    assert_eq!(chat.room().map(|r| r.synced_seq()), Some(5));
    chat.handle_message(stored(6, "f", "bob", "six"), t(4));
    assert!(commands(&mut chat).is_empty(), "in order: no catch-up");
}

#[test]
fn an_unreadable_message_broadcast_is_shown_and_the_room_catches_up() {
    let mut chat = joined(vec![stored(1, "a", "bob", "one")]);
    chat.handle_unreadable("message", "missing field `seq`");
    assert_eq!(
        chat.error(),
        Some("The server sent a \"message\" event this app cannot read (missing field `seq`).")
    );
    let (_, since) = join_ticket(&commands(&mut chat));
    assert_eq!(
        since,
        Some(1),
        "asks for what came after the last in-sync seq"
    );
    chat.handle_unreadable("presence", "invalid type");
    assert!(
        commands(&mut chat).is_empty(),
        "only messages need a catch-up"
    );
}

#[test]
fn messages_are_kept_sorted_by_seq_and_unique_by_id() {
    let mut chat = joined(vec![stored(2, "b", "bob", "two")]);
    chat.handle_message(stored(4, "d", "bob", "four"), t(0));
    chat.handle_message(stored(3, "c", "bob", "three"), t(0));
    chat.handle_message(stored(3, "c", "bob", "three"), t(0));
    chat.handle_message(stored(2, "b", "bob", "two"), t(0));
    assert_eq!(seqs(&chat), [Some(2), Some(3), Some(4)]);
}

#[test]
fn a_presence_handled_before_the_join_ack_is_not_overwritten_by_its_older_members() {
    let mut chat = ChatState::new(7);
    chat.handle_connected(t(0));
    chat.join("ada", "lobby", t(0)).expect("valid");
    let (ticket, _) = join_ticket(&commands(&mut chat));
    // The server acked with [ada], then bob joined and it sent a presence;
    // the presence event is handled before the ack's future resumes.
    chat.handle_presence(Presence {
        room: "lobby".into(),
        members: vec!["ada".into(), "bob".into()],
    });
    let members = vec!["ada".into()];
    chat.handle_join_ack(
        ticket,
        JoinAck::Joined {
            history: vec![],
            members,
            limits: None,
        },
        t(1),
    );
    assert_eq!(
        chat.room().map(|r| r.members().to_vec()),
        Some(vec!["ada".into(), "bob".into()])
    );
    // Without a presence in between, the ack's members are used.
    chat.join("ada", "hall", t(2)).expect("valid");
    let (ticket, _) = join_ticket(&commands(&mut chat));
    let members = vec!["ada".into(), "cy".into()];
    chat.handle_join_ack(
        ticket,
        JoinAck::Joined {
            history: vec![],
            members,
            limits: None,
        },
        t(3),
    );
    assert_eq!(
        chat.room().map(|r| r.members().to_vec()),
        Some(vec!["ada".into(), "cy".into()])
    );
}

#[test]
fn presence_sets_the_members_of_our_room_only() {
    let mut chat = joined(vec![]);
    chat.handle_presence(Presence {
        room: "elsewhere".into(),
        members: vec!["zed".into()],
    });
    chat.handle_presence(Presence {
        room: "lobby".into(),
        members: vec!["ada".into(), "bob".into()],
    });
    assert_eq!(
        chat.room().map(|r| r.members().to_vec()),
        Some(vec!["ada".into(), "bob".into()])
    );
}

#[test]
fn another_members_typing_shows_for_three_seconds_after_their_last() {
    let mut chat = joined(vec![]);
    let notice = |name: &str| TypingNotice {
        room: "lobby".into(),
        name: name.into(),
    };
    chat.handle_typing(notice("ada"), t(0));
    assert_eq!(chat.poll_timeout(), None, "our own name is not shown");
    chat.handle_typing(notice("bob"), t(1_000));
    chat.handle_typing(notice("bob"), t(2_000));
    assert_eq!(chat.poll_timeout(), Some(t(5_000)));
    chat.handle_timeout(t(4_000));
    let typing = |chat: &ChatState| -> Vec<String> {
        chat.room()
            .map(|r| r.typing().map(str::to_owned).collect())
            .unwrap_or_default()
    };
    assert_eq!(typing(&chat), ["bob"]);
    chat.handle_timeout(t(5_000));
    assert!(typing(&chat).is_empty());
    assert_eq!(chat.poll_timeout(), None);

    chat.handle_typing(notice("bob"), t(6_000));
    chat.handle_message(stored(1, "x", "bob", "done"), t(6_100));
    assert!(typing(&chat).is_empty(), "their message ends the indicator");
}

#[test]
fn we_send_typing_at_most_once_a_second() {
    let mut chat = joined(vec![]);
    for ms in [0, 300, 999, 1_000, 1_500, 2_100] {
        chat.handle_input(t(ms));
    }
    let typing = commands(&mut chat)
        .iter()
        .filter(|c| matches!(c, Command::Typing { .. }))
        .count();
    assert_eq!(typing, 3, "at 0, 1000 and 2100 ms");

    chat.handle_input(t(2_200));
    assert!(commands(&mut chat).is_empty(), "still within the second");
    chat.send("done", t(2_300)).expect("valid");
    chat.handle_input(t(2_400));
    let out = commands(&mut chat);
    assert!(
        matches!(out.last(), Some(Command::Typing { .. })),
        "after sending, typing is announced again at once: {out:?}"
    );
}

#[test]
fn switching_rooms_leaves_the_old_one_and_joins_the_new_one() {
    let mut chat = joined(vec![stored(1, "a", "bob", "one")]);
    chat.join("ada", "kitchen", t(0)).expect("valid");
    let out = commands(&mut chat);
    assert!(
        matches!(&out[0], Command::Leave { request, scope } if request.room == "lobby" && scope == "lobby/ada")
    );
    assert!(matches!(&out[1], Command::Join { request, .. }
        if request.room == "kitchen" && request.since.is_none()));
    assert_eq!(chat.room().map(|r| r.messages().len()), Some(0));
    assert!(!chat.is_joined());
}

#[test]
fn a_refused_first_join_returns_to_the_form_with_the_sentence() {
    let mut chat = ChatState::new(1);
    chat.join("ada", "lobby", t(0)).expect("valid");
    chat.handle_connected(t(0));
    let (ticket, _) = join_ticket(&commands(&mut chat));
    let error = "That name is taken in this room.".to_owned();
    chat.handle_join_ack(
        ticket,
        JoinAck::Refused {
            error: error.clone(),
        },
        t(1),
    );
    assert_eq!(chat.error(), Some(error.as_str()));
    assert!(chat.room().is_none());
    assert_eq!(chat.send("hi", t(2)), Err(InputError::NotInRoom));
}

#[test]
fn an_ack_of_an_abandoned_join_is_ignored() {
    let mut chat = ChatState::new(1);
    chat.join("ada", "lobby", t(0)).expect("valid");
    chat.handle_connected(t(0));
    let (old, _) = join_ticket(&commands(&mut chat));
    chat.handle_disconnected(t(1));
    chat.handle_connected(t(2));
    let (new, _) = join_ticket(&commands(&mut chat));
    let joined = |history| JoinAck::Joined {
        history,
        members: vec![],
        limits: None,
    };
    chat.handle_join_ack(old, joined(vec![stored(1, "a", "bob", "stale")]), t(3));
    assert!(!chat.is_joined());
    chat.handle_join_ack(new, joined(vec![]), t(4));
    assert!(chat.is_joined());
}

#[test]
fn a_lost_join_ack_is_asked_again_at_once_while_connected_else_on_the_next_connection() {
    let mut chat = ChatState::new(1);
    chat.join("ada", "lobby", t(0)).expect("valid");
    chat.handle_connected(t(0));
    let (ticket, _) = join_ticket(&commands(&mut chat));
    // An overloaded server dropped the ack: the join timed out.
    chat.handle_join_lost(ticket);
    let (again, _) = join_ticket(&commands(&mut chat));
    assert_ne!(again, ticket);
    chat.handle_disconnected(t(1));
    chat.handle_join_lost(again);
    assert!(commands(&mut chat).is_empty(), "not while disconnected");
    chat.handle_connected(t(2));
    join_ticket(&commands(&mut chat));
}

#[test]
fn a_durable_chat_queues_each_message_once_and_leaves_re_sending_to_the_outbox() {
    let mut chat = ChatState::new(1).durable();
    chat.join("ada", "lobby", t(0)).expect("valid");
    chat.send("typed before connecting", t(1)).expect("a text");
    let first = sends(&commands(&mut chat));
    assert_eq!(first.len(), 1, "queued at once, for the outbox to keep");
    chat.handle_connected(t(2));
    let (ticket, _) = join_ticket(&commands(&mut chat));
    let members = vec!["ada".into()];
    chat.handle_join_ack(
        ticket,
        JoinAck::Joined {
            history: vec![],
            members,
            limits: None,
        },
        t(3),
    );
    let after_join = commands(&mut chat);
    assert!(sends(&after_join).is_empty(), "not sent twice");
    assert!(
        matches!(&after_join[..], [Command::Joined { scope }] if scope == "lobby/ada"),
        "the room's scope opens: {after_join:?}"
    );
    chat.handle_disconnected(t(4));
    chat.handle_connected(t(5));
    let (ticket, since) = join_ticket(&commands(&mut chat));
    assert_eq!(since, Some(0));
    let members = vec!["ada".into()];
    chat.handle_join_ack(
        ticket,
        JoinAck::Joined {
            history: vec![],
            members,
            limits: None,
        },
        t(6),
    );
    assert!(
        sends(&commands(&mut chat)).is_empty(),
        "the outbox re-sends"
    );
    // The ack of the first sending still lands after the reconnection.
    chat.handle_message_ack(first[0].0, MessageAck::Stored { seq: 1 }, t(7));
    assert_eq!(
        statuses(&chat),
        [(
            "typed before connecting".to_owned(),
            Some(MessageStatus::Sent)
        )]
    );
}

#[test]
fn a_reload_shows_saved_history_and_pending_rows_and_joins_since_the_saved_seq() {
    let mut before = joined(vec![
        stored(1, "a", "bob", "one"),
        stored(2, "b", "bob", "two"),
    ]);
    before.handle_message(stored(3, "c", "bob", "three"), t(1));
    let saved = before.saved_room().expect("a room");
    assert_eq!((saved.synced, saved.messages.len()), (3, 3));

    // The next page, still offline, with one message in the outbox.
    let mut chat = ChatState::new(2).durable();
    chat.join("ada", "lobby", t(0)).expect("valid");
    let pending = crate::chat::MessageRequest {
        room: "lobby".into(),
        id: "mine".into(),
        text: "typed offline".into(),
    };
    chat.restore(Some(saved), vec![pending]);
    assert_eq!(
        statuses(&chat),
        [
            ("one".to_owned(), None),
            ("two".to_owned(), None),
            ("three".to_owned(), None),
            ("typed offline".to_owned(), Some(MessageStatus::Pending)),
        ]
    );
    assert!(
        commands(&mut chat).is_empty(),
        "the outbox holds it already"
    );

    chat.handle_connected(t(1));
    let (ticket, since) = join_ticket(&commands(&mut chat));
    assert_eq!(
        since,
        Some(3),
        "caught up from the saved seq, not refetched whole"
    );
    let history = vec![
        stored(4, "d", "bob", "four"),
        stored(5, "mine", "ada", "typed offline"),
    ];
    let members = vec!["ada".into(), "bob".into()];
    chat.handle_join_ack(
        ticket,
        JoinAck::Joined {
            history,
            members,
            limits: None,
        },
        t(2),
    );
    assert_eq!(seqs(&chat), [Some(1), Some(2), Some(3), Some(4), Some(5)]);
    assert_eq!(
        statuses(&chat).last(),
        Some(&("typed offline".to_owned(), Some(MessageStatus::Sent))),
        "pending → sent, shown once"
    );
}

#[test]
fn a_saved_room_restored_while_connected_patches_the_queued_join() {
    let mut before = joined(vec![stored(1, "a", "bob", "one")]);
    before.handle_message(stored(2, "b", "bob", "two"), t(1));
    let saved = before.saved_room();
    let mut chat = ChatState::new(2).durable();
    chat.handle_connected(t(0));
    chat.join("ada", "lobby", t(0)).expect("valid");
    chat.restore(saved, vec![]);
    let (_, since) = join_ticket(&commands(&mut chat));
    assert_eq!(since, Some(2));
}

#[test]
fn an_own_ack_after_a_gap_asks_for_the_missing_messages() {
    let mut chat = joined(vec![stored(1, "a", "bob", "one")]);
    chat.send("mine", t(1)).expect("a text");
    let sent = sends(&commands(&mut chat));
    chat.handle_message_ack(sent[0].0, MessageAck::Stored { seq: 3 }, t(2));
    let (_, since) = join_ticket(&commands(&mut chat));
    assert_eq!(since, Some(1), "seq 2 was never seen");
}

#[test]
fn the_longest_text_is_the_one_the_server_says() {
    let mut chat = ChatState::new(1);
    chat.join("ada", "lobby", t(0)).expect("valid");
    chat.handle_connected(t(0));
    let (ticket, _) = join_ticket(&commands(&mut chat));
    let limits = Some(crate::chat::ChatLimits {
        max_text_chars: 10,
        ..Default::default()
    });
    let joined = JoinAck::Joined {
        history: vec![],
        members: vec!["ada".into()],
        limits,
    };
    chat.handle_join_ack(ticket, joined, t(1));
    assert_eq!(chat.limits().max_text_chars, 10);
    assert_eq!(
        chat.send("eleven char", t(2)),
        Err(InputError::LongText {
            chars: 11,
            limit: 10
        })
    );
    assert_eq!(chat.send("ten chars!", t(2)), Ok(()));
}

#[test]
fn a_catch_up_as_long_as_the_servers_page_asks_for_the_next_page() {
    let mut chat = joined(vec![stored(1, "a", "bob", "one")]);
    // Live message 9 shows 2–8 are missing; the server's page is 3 long.
    chat.handle_message(stored(9, "i", "bob", "nine"), t(1));
    let (ticket, since) = join_ticket(&commands(&mut chat));
    assert_eq!(since, Some(1));
    let limits = Some(crate::chat::ChatLimits {
        history_limit: 3,
        ..Default::default()
    });
    let page = |from: u64| {
        (from..from + 3)
            .map(|s| stored(s, &format!("m{s}"), "bob", "x"))
            .collect::<Vec<_>>()
    };
    let members = vec!["ada".into(), "bob".into()];
    let ack = |history| JoinAck::Joined {
        history,
        members: members.clone(),
        limits,
    };
    chat.handle_join_ack(ticket, ack(page(2)), t(2));
    let (ticket, since) = join_ticket(&commands(&mut chat));
    assert_eq!(since, Some(4), "a full page: ask for the next");
    chat.handle_join_ack(ticket, ack(page(5)), t(3));
    let (ticket, since) = join_ticket(&commands(&mut chat));
    assert_eq!(since, Some(7));
    chat.handle_join_ack(ticket, ack(vec![stored(8, "m8", "bob", "x")]), t(4));
    assert!(commands(&mut chat).is_empty(), "caught up");
    assert_eq!(
        seqs(&chat),
        (1..=9).map(Some).collect::<Vec<_>>(),
        "no seq skipped, 9 released after 8"
    );
}
