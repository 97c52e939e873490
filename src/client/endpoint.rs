//! Where a connection goes, decided once for every driver: the server URL
//! (the page's origin stands in for an empty one), the Engine.IO URL of each
//! transport, and the working transport remembered between runs (the key it
//! is stored under, what is stored, and whether it is still fresh).
//!
//! A driver supplies only what it alone knows (the page's origin, the
//! wall clock, a storage slot); the decisions are here, tested natively.

use crate::client::{engine_url, ServerUrl, SocketOptions};
use crate::engine::{RememberedTransport, TransportError, TransportKind, DEFAULT_REMEMBER_TTL};

/// The server a socket connects to: `options.url`, or the page's `origin`
/// when the URL is empty (`use_socket("")` in a page served by the server).
/// Empty when there is neither: [`transport_url`] then says why.
pub(crate) fn server_url(options: &SocketOptions, origin: Option<&str>) -> String {
    if options.url.is_empty() {
        origin.unwrap_or_default().to_owned()
    } else {
        options.url.clone()
    }
}

/// The Engine.IO URL for `kind` (with `sid` once the session has one), or
/// the sentence a transport failure carries when the options cannot make
/// one.
pub(crate) fn transport_url(
    options: &SocketOptions,
    origin: Option<&str>,
    kind: TransportKind,
    sid: Option<&str>,
) -> Result<String, TransportError> {
    let server = server_url(options, origin);
    if server.is_empty() {
        return Err(TransportError::Unavailable(
            "the server URL is empty and there is no page origin to stand in for it; \
             give SocketOptions a URL such as http://127.0.0.1:3000"
                .to_owned(),
        ));
    }
    engine_url(&server, &options.path, kind, sid, &options.query)
        .map_err(|e| TransportError::Unavailable(e.to_string()))
}

/// The storage key the working transport is remembered under: one per
/// server (`host[:port]`), so two servers on one page do not share it.
pub(crate) fn remember_key(options: &SocketOptions, origin: Option<&str>) -> String {
    let authority = ServerUrl::parse(&server_url(options, origin))
        .map(|u| u.authority)
        .unwrap_or_default();
    let mut key = String::from("leptos-socketio:transport:");
    key.push_str(&authority);
    key
}

/// The transport to try first from what was stored under [`remember_key`]:
/// `None` when remembering is off, nothing is stored, the stored value is
/// not ours, or it is older than [`DEFAULT_REMEMBER_TTL`] at `now_unix_ms`.
pub(crate) fn remembered(
    options: &SocketOptions,
    stored: Option<&str>,
    now_unix_ms: u64,
) -> Option<TransportKind> {
    if !options.remember_transport {
        return None;
    }
    RememberedTransport::decode(stored?)?.fresh_kind(now_unix_ms, DEFAULT_REMEMBER_TTL)
}

/// What to store under [`remember_key`] when `kind` worked at
/// `now_unix_ms`; `None` when remembering is off.
pub(crate) fn remember_value(
    options: &SocketOptions,
    kind: TransportKind,
    now_unix_ms: u64,
) -> Option<String> {
    options
        .remember_transport
        .then(|| RememberedTransport::new(kind, now_unix_ms).encode())
}

/// The storage key of namespace `ns`'s durable emits on this server: shared
/// by every tab of the origin.
pub(crate) fn outbox_key(options: &SocketOptions, origin: Option<&str>, ns: &str) -> String {
    let authority = ServerUrl::parse(&server_url(options, origin))
        .map(|u| u.authority)
        .unwrap_or_default();
    let mut key = String::from("leptos-socketio:outbox:");
    key.push_str(&authority);
    key.push_str(ns);
    key
}

/// Appends `n` in lowercase hexadecimal, without leading zeros.
pub(crate) fn push_hex(out: &mut String, n: u64) {
    let digits = (64 - (n | 1).leading_zeros()).div_ceil(4);
    for shift in (0..digits).rev() {
        let nibble = ((n >> (shift * 4)) & 0xf) as u8;
        out.push(char::from(if nibble < 10 {
            b'0' + nibble
        } else {
            b'a' + nibble - 10
        }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORIGIN: Option<&str> = Some("https://chat.example:8443");
    const NOW: u64 = 1_700_000_000_000;

    #[test]
    fn an_empty_url_means_the_page_origin_and_an_explicit_one_wins() {
        let page = SocketOptions::new("");
        assert_eq!(server_url(&page, ORIGIN), "https://chat.example:8443");
        assert_eq!(
            transport_url(&page, ORIGIN, TransportKind::WebSocket, None).as_deref(),
            Ok("wss://chat.example:8443/socket.io/?EIO=4&transport=websocket")
        );
        let explicit = SocketOptions::new("http://127.0.0.1:3000");
        assert_eq!(
            transport_url(&explicit, ORIGIN, TransportKind::Polling, Some("abc")).as_deref(),
            Ok("http://127.0.0.1:3000/socket.io/?EIO=4&transport=polling&sid=abc")
        );
    }

    #[test]
    fn no_url_and_no_origin_is_a_failure_that_says_what_to_do() {
        let err = transport_url(&SocketOptions::new(""), None, TransportKind::Polling, None)
            .expect_err("nothing to connect to");
        assert!(
            err.to_string().contains("give SocketOptions a URL"),
            "{err}"
        );
        let bad = transport_url(
            &SocketOptions::new("ftp://h"),
            ORIGIN,
            TransportKind::Polling,
            None,
        )
        .expect_err("unsupported scheme");
        assert!(bad.to_string().contains("must start with http://"), "{bad}");
    }

    #[test]
    fn hex_is_lowercase_without_leading_zeros() {
        for n in [0, 1, 9, 10, 15, 16, 255, 0x18c_8f3a_1b2c, u64::MAX] {
            let mut out = String::new();
            push_hex(&mut out, n);
            assert_eq!(out, format!("{n:x}"));
        }
    }

    #[test]
    fn the_remembered_transport_is_keyed_per_server() {
        assert_eq!(
            remember_key(&SocketOptions::new(""), ORIGIN),
            "leptos-socketio:transport:chat.example:8443"
        );
        assert_eq!(
            remember_key(&SocketOptions::new("ws://10.0.0.1:3000/admin"), ORIGIN),
            "leptos-socketio:transport:10.0.0.1:3000"
        );
    }

    #[test]
    fn a_remembered_transport_is_used_only_when_fresh_ours_and_wanted() {
        let options = SocketOptions::new("http://h");
        let stored = remember_value(&options, TransportKind::Polling, NOW).expect("on by default");
        assert_eq!(
            remembered(&options, Some(&stored), NOW + 1_000),
            Some(TransportKind::Polling)
        );
        let ttl_ms = u64::try_from(DEFAULT_REMEMBER_TTL.as_millis()).expect("small");
        assert_eq!(remembered(&options, Some(&stored), NOW + ttl_ms), None);
        assert_eq!(remembered(&options, Some(&stored), NOW - 1), None);
        assert_eq!(remembered(&options, Some("polling@soon"), NOW), None);
        assert_eq!(remembered(&options, None, NOW), None);

        let mut off = options;
        off.remember_transport = false;
        assert_eq!(remembered(&off, Some(&stored), NOW), None);
        assert_eq!(remember_value(&off, TransportKind::Polling, NOW), None);
    }
}
