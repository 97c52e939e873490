//! The runtime on a fake driver: a scripted server and a virtual clock, so
//! the pump, the dispatch to handlers, the timer and the remembered
//! transport run natively exactly as they run in the browser.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use super::Handle;
use crate::client::driver::{Driver, HttpConfig, Io};
use crate::client::{ConnectionState, Manager, Socket, SocketOptions, TransportKind};
use crate::engine::{TransportError, TransportEvent, TransportId, TransportMode};
use crate::protocol::Frame;
use crate::time::Instant;

/// A server that pings every 300 ms and gives up 200 ms later.
const OPEN: &str =
    r#"0{"sid":"s1","upgrades":[],"pingInterval":300,"pingTimeout":200,"maxPayload":1000000}"#;

#[derive(Default)]
struct World {
    now_ms: u64,
    performed: Vec<Io>,
    /// When the armed timer fires, on the virtual clock.
    timer_at: Option<u64>,
    timers_armed: usize,
    storage: HashMap<String, String>,
    handle: Option<Handle>,
    refuse_websocket: bool,
    storage_full: bool,
}

/// The driver: records what the runtime asks and lets the test report.
#[derive(Clone, Default)]
struct Fake(Arc<Mutex<World>>);

impl Fake {
    fn world(&self) -> MutexGuard<'_, World> {
        self.0.lock().expect("no test panicked holding the world")
    }

    fn handle(&self) -> Handle {
        self.world().handle.clone().expect("attached")
    }

    /// What the runtime asked for since the last look.
    fn performed(&self) -> Vec<Io> {
        std::mem::take(&mut self.world().performed)
    }

    /// The text frames sent since the last look (everything else dropped).
    fn sent(&self) -> Vec<String> {
        self.performed()
            .into_iter()
            .filter_map(|io| match io {
                Io::Send {
                    frame: Frame::Text(text),
                    ..
                } => Some(text),
                _ => None,
            })
            .collect()
    }

    fn report(&self, id: TransportId, event: TransportEvent) {
        // Reported with the world unlocked: the runtime calls back in.
        let handle = self.handle();
        handle.report(id, event);
    }

    fn server_says(&self, id: TransportId, text: &str) {
        self.report(id, TransportEvent::Frame(Frame::Text(text.to_owned())));
    }

    /// Moves the clock to `ms`, firing the timer (once) if it is due.
    fn advance_to(&self, ms: u64) {
        let due = {
            let mut world = self.world();
            world.now_ms = ms;
            world.timer_at.is_some_and(|at| at <= ms)
        };
        if due {
            self.world().timer_at = None;
            self.handle().wake();
        }
    }
}

impl Driver for Fake {
    fn now(&self) -> Instant {
        Instant::from_millis(self.world().now_ms)
    }

    fn unix_ms(&self) -> u64 {
        1_700_000_000_000 + self.world().now_ms
    }

    fn seed(&self) -> u64 {
        7
    }

    fn origin(&self) -> Option<String> {
        Some("http://page.test".to_owned())
    }

    fn perform(&self, io: Io, _: HttpConfig<'_>, _: &Handle) -> Result<(), TransportError> {
        let mut world = self.world();
        if world.refuse_websocket && matches!(io, Io::OpenWebSocket { .. }) {
            return Err(TransportError::Unavailable(
                "blocked by the test".to_owned(),
            ));
        }
        world.performed.push(io);
        Ok(())
    }

    fn arm_timer(&self, delay: Option<Duration>, _: &Handle) {
        let mut world = self.world();
        let now = world.now_ms;
        world.timer_at = delay.map(|d| now + u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        world.timers_armed += 1;
    }

    fn load(&self, key: &str) -> Option<String> {
        self.world().storage.get(key).cloned()
    }

    fn store(&self, key: &str, value: &str) -> Result<(), String> {
        let mut world = self.world();
        if world.storage_full {
            return Err("QuotaExceededError: the quota has been exceeded".to_owned());
        }
        world.storage.insert(key.to_owned(), value.to_owned());
        Ok(())
    }

    fn attach(&self, handle: &Handle) {
        self.world().handle = Some(handle.clone());
    }
}

fn opened_websocket(performed: &[Io]) -> TransportId {
    performed
        .iter()
        .find_map(|io| match io {
            Io::OpenWebSocket { id, .. } => Some(*id),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no WebSocket opened: {performed:?}"))
}

/// A socket on `/` of `options`' server, connected over WebSocket.
fn connected(fake: &Fake, options: SocketOptions) -> (Manager, Socket, TransportId) {
    let manager = Manager::with_driver(options, Box::new(fake.clone()));
    let socket = manager.socket("/");
    let id = opened_websocket(&fake.performed());
    fake.report(id, TransportEvent::Open);
    fake.server_says(id, OPEN);
    assert_eq!(fake.sent(), ["40"], "CONNECT once the session is open");
    fake.server_says(id, r#"40{"sid":"n1"}"#);
    assert_eq!(socket.state(), ConnectionState::Connected);
    (manager, socket, id)
}

fn options() -> SocketOptions {
    SocketOptions::new("http://127.0.0.1:3000").durable()
}

#[test]
fn the_runtime_builds_every_url_the_driver_opens() {
    let fake = Fake::default();
    let page = SocketOptions::new("");
    let _socket = Manager::with_driver(page, Box::new(fake.clone())).socket("/");
    let performed = fake.performed();
    let id = opened_websocket(&performed);
    assert_eq!(
        performed,
        [Io::OpenWebSocket {
            id,
            url: "ws://page.test/socket.io/?EIO=4&transport=websocket".to_owned(),
        }]
    );
}

#[test]
fn an_event_with_an_ack_is_answered_by_its_handler() {
    let fake = Fake::default();
    let (_manager, socket, id) = connected(&fake, options());
    let _asked = socket.on_with_ack("ask", |question: Result<String, _>, ack| {
        let answer = format!("{}!", question.expect("a string"));
        ack.send(answer).expect("serializable");
    });
    fake.server_says(id, r#"425["ask","why"]"#);
    assert_eq!(fake.sent(), [r#"435["why!"]"#]);
}

#[test]
fn every_listener_and_the_answering_handler_get_the_arguments() {
    let fake = Fake::default();
    let (_manager, socket, id) = connected(&fake, options());
    let heard = Arc::new(Mutex::new(Vec::new()));
    let listen = |who: &'static str| {
        let heard = Arc::clone(&heard);
        socket.on("ask", move |question: Result<String, _>| {
            heard
                .lock()
                .expect("lock")
                .push(format!("{who}: {}", question.expect("a string")));
        })
    };
    let (_a, _b) = (listen("a"), listen("b"));
    let _asked = socket.on_with_ack("ask", |question: Result<String, _>, ack| {
        ack.send(format!("{}!", question.expect("a string")))
            .expect("serializable");
    });
    fake.server_says(id, r#"425["ask","why"]"#);
    assert_eq!(fake.sent(), [r#"435["why!"]"#]);
    // Without an ack, the last listener takes the arguments: both still hear them.
    fake.server_says(id, r#"42["ask","how"]"#);
    assert_eq!(
        *heard.lock().expect("lock"),
        ["a: why", "b: why", "a: how", "b: how"]
    );
}

#[test]
fn an_ack_nobody_answers_is_sent_empty_so_the_server_does_not_hang() {
    let fake = Fake::default();
    let (_manager, _socket, id) = connected(&fake, options());
    fake.server_says(id, r#"426["nobody-listens"]"#);
    assert_eq!(fake.sent(), ["436[]"]);
}

#[test]
fn a_handler_that_emits_is_heard_in_the_same_pump() {
    let fake = Fake::default();
    let (_manager, socket, id) = connected(&fake, options());
    let replier = socket.clone();
    let _hello = socket.on("hello", move |n: Result<u32, _>| {
        replier
            .emit("reply", n.expect("a number") + 1)
            .expect("connected");
    });
    fake.server_says(id, r#"42["hello",1]"#);
    assert_eq!(fake.sent(), [r#"42["reply",2]"#]);
}

#[test]
fn a_handler_that_disconnects_leaves_for_good() {
    let fake = Fake::default();
    let (_manager, socket, id) = connected(&fake, options());
    let leaver = socket.clone();
    let _bye = socket.on("bye", move |_: Result<(), _>| leaver.disconnect());
    fake.server_says(id, r#"42["bye"]"#);
    let performed = fake.performed();
    assert!(
        performed.contains(&Io::Send {
            id,
            frame: Frame::Text("41".to_owned())
        }),
        "DISCONNECT sent: {performed:?}"
    );
    assert!(performed.contains(&Io::Close { id }), "{performed:?}");
    assert_eq!(socket.state(), ConnectionState::Disconnected);
    // Nothing is armed to bring it back.
    fake.advance_to(60_000);
    assert!(fake.performed().is_empty());
}

#[test]
fn a_timer_that_fires_late_still_finds_the_silent_server_and_reconnects() {
    let fake = Fake::default();
    let (_manager, socket, id) = connected(&fake, options());
    assert_eq!(
        fake.world().timer_at,
        Some(500),
        "armed for pingInterval + pingTimeout"
    );
    // The page was busy: the timer fires 400 ms late.
    fake.advance_to(900);
    assert!(fake.performed().contains(&Io::Close { id }));
    assert_eq!(socket.state(), ConnectionState::Reconnecting);
    let emitted = socket.emit("while-away", 1);
    assert_eq!(emitted, Ok(()), "buffered while reconnecting");

    // The backoff's first delay is at most 1.5 s with the default jitter.
    let retry_at = fake.world().timer_at.expect("a reconnection timer");
    assert!(retry_at <= 900 + 1_500, "{retry_at}");
    fake.advance_to(retry_at);
    let again = opened_websocket(&fake.performed());
    assert_ne!(again, id, "a new transport");
    fake.report(again, TransportEvent::Open);
    fake.server_says(again, OPEN);
    fake.server_says(again, r#"40{"sid":"n2"}"#);
    assert_eq!(socket.state(), ConnectionState::Connected);
    assert_eq!(fake.sent(), ["40", r#"42["while-away",1]"#]);
}

#[test]
fn the_timer_is_armed_again_only_when_the_deadline_moves() {
    let fake = Fake::default();
    let (_manager, socket, id) = connected(&fake, options());
    let armed = fake.world().timers_armed;
    let _x = socket.on("x", |_: Result<u32, _>| {});
    for n in 0..5 {
        fake.server_says(id, &format!(r#"42["x",{n}]"#));
    }
    assert_eq!(fake.world().timers_armed, armed, "events moved no deadline");
    // A ping moves the deadline: the server is alive.
    fake.advance_to(250);
    fake.server_says(id, "2");
    assert_eq!(fake.sent(), ["3"]);
    assert_eq!(fake.world().timers_armed, armed + 1);
    assert_eq!(fake.world().timer_at, Some(750));
}

#[test]
fn the_sid_is_percent_encoded_in_every_url_that_carries_it() {
    let fake = Fake::default();
    let options = options().transports(TransportMode::PollingThenUpgrade);
    let manager = Manager::with_driver(options, Box::new(fake.clone()));
    let _socket = manager.socket("/");
    let Some(Io::Get { id, .. }) = fake.performed().into_iter().next() else {
        panic!("polling first");
    };
    let open = r#"0{"sid":"a+b/c=d&e f","upgrades":["websocket"],"pingInterval":300,"pingTimeout":200,"maxPayload":1000000}"#;
    fake.report(id, TransportEvent::Response(open.to_owned()));
    let urls: Vec<String> = fake
        .performed()
        .into_iter()
        .filter_map(|io| match io {
            Io::OpenWebSocket { url, .. } | Io::Get { url, .. } | Io::Post { url, .. } => Some(url),
            _ => None,
        })
        .collect();
    let with_sid = |transport: &str| {
        format!("127.0.0.1:3000/socket.io/?EIO=4&transport={transport}&sid=a%2Bb%2Fc%3Dd%26e%20f")
    };
    let probe = format!("ws://{}", with_sid("websocket"));
    let polling = format!("http://{}&t=", with_sid("polling"));
    assert_eq!(
        urls.len(),
        3,
        "the probe, the next GET, the CONNECT's POST: {urls:?}"
    );
    assert_eq!(
        urls.iter().filter(|url| **url == probe).count(),
        1,
        "{urls:?}"
    );
    assert_eq!(
        urls.iter().filter(|url| url.starts_with(&polling)).count(),
        2,
        "{urls:?}"
    );
}

#[test]
fn a_websocket_the_platform_refuses_falls_back_to_polling_which_is_remembered() {
    let fake = Fake::default();
    fake.world().refuse_websocket = true;
    let manager = Manager::with_driver(options(), Box::new(fake.clone()));
    let socket = manager.socket("/");
    let performed = fake.performed();
    let Some((id, url)) = performed.iter().find_map(|io| match io {
        Io::Get { id, url } => Some((*id, url.clone())),
        _ => None,
    }) else {
        panic!("polling after the refusal: {performed:?}");
    };
    assert!(
        url.starts_with("http://127.0.0.1:3000/socket.io/?EIO=4&transport=polling&t="),
        "{url}"
    );
    fake.report(id, TransportEvent::Response(OPEN.to_owned()));
    assert_eq!(manager.transport(), TransportKind::Polling);
    let stored = fake.world().storage.clone();
    assert_eq!(
        stored
            .get("leptos-socketio:transport:127.0.0.1:3000")
            .map(|v| v.starts_with("polling@")),
        Some(true),
        "{stored:?}"
    );
    drop((socket, manager));

    // The next run (the page reloaded) starts on polling at once.
    let next = Fake::default();
    next.world().storage = stored;
    let _socket = Manager::with_driver(options(), Box::new(next.clone())).socket("/");
    assert!(
        matches!(next.performed().first(), Some(Io::Get { .. })),
        "polling first"
    );
}

#[test]
fn dropping_the_last_handle_drops_the_driver_and_its_transports() {
    let fake = Fake::default();
    let (manager, socket, id) = connected(&fake, options());
    let handle = fake.handle();
    let listener = socket.on("x", |_: Result<u32, _>| {});
    drop((socket, manager));
    assert!(handle.upgrade().is_none(), "nothing else holds the runtime");
    assert_eq!(Arc::strong_count(&fake.0), 1, "the driver was dropped");
    // A transport report or a guard that outlived it is ignored.
    handle.report(id, TransportEvent::PostDone);
    drop(listener);
}

#[test]
fn an_ack_future_keeps_the_connection_until_it_is_answered() {
    let fake = Fake::default();
    let (manager, socket, id) = connected(&fake, options());
    let ack = socket.emit_with_ack::<u32>("count", ());
    assert_eq!(fake.sent(), [r#"420["count"]"#]);
    drop((socket, manager));
    fake.server_says(id, "430[7]");
    assert_eq!(block_on(ack), Ok(7));
    assert_eq!(Arc::strong_count(&fake.0), 1, "then the driver was dropped");
}

/// Polls `future` to completion on this thread (it never waits on IO here).
fn block_on<F: std::future::Future>(future: F) -> F::Output {
    use std::task::{Context, Poll, Waker};
    let mut future = std::pin::pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    match future.as_mut().poll(&mut context) {
        Poll::Ready(output) => output,
        Poll::Pending => panic!("the future was still waiting"),
    }
}

#[test]
fn a_frozen_server_is_found_at_ping_interval_plus_timeout_and_emits_meanwhile_follow_in_order() {
    use crate::client::{AckError, ReconnectOptions};
    let fake = Fake::default();
    let mut options = options();
    options.ack_timeout = Some(Duration::from_millis(1_000));
    options.reconnection = ReconnectOptions::default().randomization_factor(0.0);
    let (_manager, socket, id) = connected(&fake, options);
    fake.advance_to(10);
    let lost = socket.emit_with_ack::<()>("a", "a");
    assert_eq!(fake.sent(), [r#"420["a","a"]"#]);

    // The server answers one ping, then freezes.
    fake.advance_to(300);
    fake.server_says(id, "2");
    assert_eq!(fake.sent(), ["3"]);
    assert_eq!(
        fake.world().timer_at,
        Some(800),
        "300 + pingInterval 300 + pingTimeout 200"
    );
    fake.advance_to(799);
    assert!(fake.performed().is_empty(), "one millisecond early");
    fake.advance_to(800);
    assert!(fake.performed().contains(&Io::Close { id }));
    assert_eq!(socket.state(), ConnectionState::Reconnecting);

    // Emits while disconnected are buffered, not lost.
    fake.advance_to(850);
    socket.emit("b", "b").expect("buffered");
    fake.advance_to(860);
    socket.emit("c", "c").expect("buffered");
    assert!(fake.performed().is_empty());

    // The unanswered ack fails at its own deadline.
    fake.advance_to(1_010);
    assert_eq!(block_on(lost), Err(AckError::Timeout(1_000)));

    // The first attempt comes after the first backoff delay (1 000 ms, no
    // jitter), and the buffered emits follow the CONNECT in order.
    fake.advance_to(1_799);
    assert!(fake.performed().is_empty());
    fake.advance_to(1_800);
    let again = opened_websocket(&fake.performed());
    fake.report(again, TransportEvent::Open);
    fake.server_says(again, OPEN);
    fake.server_says(again, r#"40{"sid":"n2"}"#);
    assert_eq!(fake.sent(), ["40", r#"42["b","b"]"#, r#"42["c","c"]"#]);
    assert_eq!(socket.state(), ConnectionState::Connected);
}

#[test]
fn leaving_during_the_backoff_means_no_further_attempt() {
    let fake = Fake::default();
    let (_manager, socket, _id) = connected(&fake, options());
    fake.advance_to(500);
    assert_eq!(socket.state(), ConnectionState::Reconnecting);
    fake.performed();
    socket.disconnect();
    for ms in (600..60_000).step_by(100) {
        fake.advance_to(ms);
    }
    assert!(
        !fake
            .performed()
            .iter()
            .any(|io| matches!(io, Io::OpenWebSocket { .. })),
        "no attempt after leaving"
    );
    assert_eq!(fake.world().timer_at, None, "nothing armed");
    assert_eq!(socket.state(), ConnectionState::Disconnected);
}

#[test]
fn a_page_hidden_then_restored_from_the_back_forward_cache_connects_again() {
    let fake = Fake::default();
    let (manager, socket, id) = connected(&fake, options());
    let admin = manager.socket("/admin");
    let performed = fake.performed();
    assert!(
        performed.contains(&Io::Send {
            id,
            frame: Frame::Text("40/admin,".to_owned())
        }),
        "{performed:?}"
    );
    fake.server_says(id, r#"40/admin,{"sid":"a1"}"#);
    // The application leaves /admin on purpose: it must stay left.
    admin.disconnect();
    fake.performed();

    fake.handle().suspend();
    assert!(fake.performed().contains(&Io::Close { id }));
    assert_eq!(socket.state(), ConnectionState::Disconnected);
    assert!(
        fake.world().timer_at.is_none(),
        "no reconnection while hidden"
    );

    fake.handle().resume();
    let again = opened_websocket(&fake.performed());
    fake.report(again, TransportEvent::Open);
    fake.server_says(again, OPEN);
    assert_eq!(fake.sent(), ["40"], "only / joins again, not /admin");
    fake.server_says(again, r#"40{"sid":"n2"}"#);
    assert_eq!(socket.state(), ConnectionState::Connected);
    assert_eq!(admin.state(), ConnectionState::Disconnected);

    // A second restore without a hide in between changes nothing.
    fake.handle().resume();
    assert!(fake.performed().is_empty());
}

#[test]
fn a_socket_disconnected_while_the_page_is_hidden_stays_disconnected_when_it_returns() {
    let fake = Fake::default();
    let (_manager, socket, _id) = connected(&fake, options());
    fake.handle().suspend();
    socket.disconnect();
    fake.performed();
    fake.handle().resume();
    assert!(
        !fake
            .performed()
            .iter()
            .any(|io| matches!(io, Io::OpenWebSocket { .. })),
        "left on purpose"
    );
    assert_eq!(socket.state(), ConnectionState::Disconnected);
}

/// The stored outbox of `/` on the test server, as JSON.
fn stored_outbox(fake: &Fake) -> Option<serde_json::Value> {
    let world = fake.world();
    let form = world
        .storage
        .get("leptos-socketio:outbox:127.0.0.1:3000/")?;
    serde_json::from_str(form).ok()
}

fn stored_ids(fake: &Fake) -> Vec<String> {
    stored_outbox(fake)
        .and_then(|o| o["entries"].as_array().cloned())
        .unwrap_or_default()
        .iter()
        .filter_map(|e| e["id"].as_str().map(str::to_owned))
        .collect()
}

/// The silent server of a connected socket is given up on; the retry's new
/// transport opens and `/` joins again (session `n2`).
fn lose_and_reconnect(fake: &Fake) -> TransportId {
    fake.advance_to(900);
    let retry_at = fake.world().timer_at.expect("a reconnection");
    fake.advance_to(retry_at);
    let again = opened_websocket(&fake.performed());
    fake.report(again, TransportEvent::Open);
    fake.server_says(again, OPEN);
    fake.server_says(again, r#"40{"sid":"n2"}"#);
    again
}

#[test]
fn a_durable_emit_is_stored_before_it_is_sent_and_removed_by_its_ack() {
    let fake = Fake::default();
    let (_manager, socket, id) = connected(&fake, options());
    let stored = socket.emit_durable::<serde_json::Value, _>(
        "message",
        |id| serde_json::json!({"id": id, "text": "hi"}),
    );
    let ids = stored_ids(&fake);
    assert_eq!(ids.len(), 1, "in storage while it is sent");
    let sent = fake.sent();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].starts_with("420[\"message\",{"), "{sent:?}");
    assert!(sent[0].contains(&ids[0]), "the id travels: {sent:?}");
    fake.server_says(id, r#"430[{"ok":true,"seq":7}]"#);
    assert_eq!(
        block_on(stored),
        Ok(serde_json::json!({"ok": true, "seq": 7}))
    );
    assert!(stored_ids(&fake).is_empty(), "removed once stored");
}

#[test]
fn a_durable_emit_survives_a_reload_and_goes_out_with_the_same_id() {
    let fake = Fake::default();
    let (manager, socket, id) = connected(&fake, options());
    // The connection is lost; the person types and the page is closed.
    fake.advance_to(900);
    assert_eq!(socket.state(), ConnectionState::Reconnecting);
    let pending = socket.emit_durable::<(), _>(
        "message",
        |id| serde_json::json!({"id": id, "text": "typed offline"}),
    );
    let ids = stored_ids(&fake);
    assert_eq!(ids.len(), 1);
    drop((pending, socket, manager));
    let _ = id;

    // The next page load, same storage.
    let next = Fake::default();
    next.world().storage = fake.world().storage.clone();
    next.world().now_ms = 10_000; // the old page's lease has run out
    let (_manager, _socket, again) = connected(&next, options());
    let sent = next.sent();
    assert_eq!(sent.len(), 1, "sent once after the reload: {sent:?}");
    assert!(
        sent[0].contains(&ids[0]),
        "with the id it was made with: {sent:?}"
    );
    next.server_says(again, r#"430[{"ok":true,"seq":1}]"#);
    assert!(stored_ids(&next).is_empty());
}

#[test]
fn a_durable_emit_in_flight_when_the_connection_drops_goes_again_with_the_same_id() {
    let fake = Fake::default();
    let (_manager, socket, _id) = connected(&fake, options());
    let stored = socket.emit_durable::<(), _>("message", |id| serde_json::json!({"id": id}));
    let first = fake.sent();
    let again = lose_and_reconnect(&fake);
    let second = fake.sent();
    assert_eq!(second.len(), 2, "CONNECT, then the emit again: {second:?}");
    let payload = |p: &str| p[p.find('[').unwrap_or(0)..].to_owned();
    assert_eq!(
        payload(&second[1]),
        payload(&first[0]),
        "same event, same id"
    );
    // The first sending's ack will not come: nothing waits for it.
    let awaited = socket
        .manager_ref()
        .with_core(|core| core.awaited_acks("/"));
    assert_eq!(awaited, (vec![], vec![1]), "only the new sending's ack");
    // Acknowledged under the ack id of its new sending.
    let ack_id = &second[1][2..second[1].find('[').unwrap_or(2)];
    fake.server_says(again, &format!(r#"43{ack_id}[{{"ok":true}}]"#));
    assert_eq!(block_on(stored), Ok(()));
}

#[test]
fn a_refused_durable_emit_fails_and_is_not_sent_again() {
    let fake = Fake::default();
    let (_manager, socket, id) = connected(&fake, options());
    let refused = socket.emit_durable::<(), _>("message", |id| serde_json::json!({"id": id}));
    fake.sent();
    fake.server_says(
        id,
        r#"430[{"ok":false,"error":"The message is too long."}]"#,
    );
    assert_eq!(
        block_on(refused),
        Err(crate::client::DurableError::Refused(
            "The message is too long.".to_owned()
        ))
    );
    assert!(stored_ids(&fake).is_empty());
}

#[test]
fn durable_emits_are_off_unless_the_options_turn_them_on() {
    let fake = Fake::default();
    let plain = SocketOptions::new("http://127.0.0.1:3000");
    let (_manager, socket, _id) = connected(&fake, plain);
    let off = socket.emit_durable::<(), _>("message", |id| serde_json::json!({"id": id}));
    let err = block_on(off).expect_err("off");
    assert!(
        err.to_string().contains("SocketOptions::durable()"),
        "{err}"
    );
    assert!(fake.sent().is_empty());
}

#[test]
fn storage_that_refuses_fails_the_durable_emit_with_a_sentence_and_sends_nothing() {
    let fake = Fake::default();
    let (_manager, socket, _id) = connected(&fake, options());
    fake.world().storage_full = true;
    let failed = socket.emit_durable::<(), _>("message", |id| serde_json::json!({"id": id}));
    let err = block_on(failed).expect_err("not kept");
    assert!(
        err.to_string()
            .contains("could not be kept in browser storage"),
        "{err}"
    );
    assert!(fake.sent().is_empty(), "nothing sent that is not kept");
}

#[test]
fn durable_emits_follow_what_connect_handlers_emit_and_scoped_ones_wait_for_their_scope() {
    let fake = Fake::default();
    let (_manager, socket, _id) = connected(&fake, options());
    let rejoin = socket.clone();
    let _on = socket.on_connection_change(move |state, _| {
        if state == ConnectionState::Connected {
            rejoin.emit("join", "lobby").expect("a plain event");
        }
    });
    let plain = socket.emit_durable::<(), _>("note", |id| serde_json::json!({"id": id}));
    let scoped = socket.emit_durable_in::<(), _>(
        Some("lobby"),
        "message",
        |id| serde_json::json!({"id": id}),
    );
    let sent = fake.sent();
    assert_eq!(sent.len(), 1, "the scoped one waits: {sent:?}");
    assert!(sent[0].starts_with("420[\"note\""), "{sent:?}");

    // The connection is lost with both unacknowledged.
    let again = lose_and_reconnect(&fake);
    let sent = fake.sent();
    assert_eq!(sent.len(), 3, "{sent:?}");
    assert_eq!(sent[0], "40");
    assert_eq!(sent[1], r#"42["join","lobby"]"#, "the handler's emit first");
    assert!(
        sent[2].contains("\"note\""),
        "then the durable one: {sent:?}"
    );
    let note = sent[2].clone();

    socket.open_durable_scope("lobby");
    let sent = fake.sent();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert!(sent[0].contains("\"message\""), "{sent:?}");
    let ack_id = |p: &str| p[2..p.find('[').unwrap_or(2)].to_owned();
    fake.server_says(again, &format!(r#"43{}[{{"ok":true}}]"#, ack_id(&sent[0])));
    assert_eq!(block_on(scoped), Ok(()));
    assert_eq!(stored_ids(&fake).len(), 1, "the note still waits");
    fake.server_says(again, &format!(r#"43{}[{{"ok":true}}]"#, ack_id(&note)));
    assert_eq!(block_on(plain), Ok(()));
    assert!(stored_ids(&fake).is_empty());
}
