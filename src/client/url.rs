//! Building the Engine.IO URL from a server URL, as socket.io-client does.

use crate::client::TransportKind;

/// Why a server URL cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    /// The URL does not start with `http://`, `https://`, `ws://` or `wss://`.
    #[error("the server URL \"{0}\" must start with http://, https://, ws:// or wss://")]
    UnsupportedScheme(String),
    /// Nothing between `://` and the path.
    #[error("the server URL \"{0}\" has no host")]
    MissingHost(String),
    /// A query parameter (in the URL or in
    /// [`SocketOptions::query`](crate::SocketOptions::query)) uses a name
    /// Engine.IO needs for itself.
    #[error(
        "the query parameter \"{0}\" is reserved by Engine.IO (EIO, transport, sid, t); \
         give it another name"
    )]
    ReservedQueryKey(String),
}

/// Query parameter names Engine.IO itself sets (`t` is the polling
/// cache-buster).
const RESERVED_QUERY_KEYS: [&str; 4] = ["EIO", "transport", "sid", "t"];

/// The parts of a server URL that matter to Socket.IO.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerUrl {
    /// Whether TLS is used (`https`/`wss`).
    pub secure: bool,
    /// `host[:port]`.
    pub authority: String,
    /// The namespace named by the URL's path (`/` when there is none).
    pub namespace: String,
    /// The URL's query, without `?` (passed on to the server).
    pub query: String,
}

impl ServerUrl {
    /// Splits `url` into its parts.
    pub fn parse(url: &str) -> Result<Self, UrlError> {
        let (secure, rest) = if let Some(rest) = url.strip_prefix("https://") {
            (true, rest)
        } else if let Some(rest) = url.strip_prefix("wss://") {
            (true, rest)
        } else if let Some(rest) = url.strip_prefix("http://") {
            (false, rest)
        } else if let Some(rest) = url.strip_prefix("ws://") {
            (false, rest)
        } else {
            return Err(UrlError::UnsupportedScheme(url.to_owned()));
        };
        let rest = rest.split('#').next().unwrap_or_default();
        let (before_query, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (authority, path) = match before_query.find('/') {
            // `find` gives a char boundary, so this never falls back.
            Some(at) => before_query
                .split_at_checked(at)
                .unwrap_or((before_query, "")),
            None => (before_query, ""),
        };
        if authority.is_empty() {
            return Err(UrlError::MissingHost(url.to_owned()));
        }
        let namespace = match path.trim_end_matches('/') {
            "" => "/".to_owned(),
            ns => ns.to_owned(),
        };
        Ok(Self {
            secure,
            authority: authority.to_owned(),
            namespace,
            query: query.to_owned(),
        })
    }
}

/// The Engine.IO URL for `server` (see [`ServerUrl::parse`]), mounted at
/// `path`, over `transport`, resuming session `sid` when given
/// (percent-encoded). The server URL's own query comes first, then `query`
/// (percent-encoded).
///
/// ```
/// use leptos_socketio::client::engine_url;
/// use leptos_socketio::TransportKind;
///
/// let query = [("room".to_owned(), "a b".to_owned())];
/// let url = engine_url("https://example.com?v=2", "/socket.io/", TransportKind::WebSocket, None, &query);
/// assert_eq!(url.unwrap(), "wss://example.com/socket.io/?EIO=4&transport=websocket&v=2&room=a%20b");
/// ```
pub fn engine_url(
    server: &str,
    path: &str,
    transport: TransportKind,
    sid: Option<&str>,
    query: &[(String, String)],
) -> Result<String, UrlError> {
    let server = ServerUrl::parse(server)?;
    check_query(&server.query, query)?;
    let scheme = match (transport, server.secure) {
        (TransportKind::WebSocket, true) => "wss",
        (TransportKind::WebSocket, false) => "ws",
        (_, true) => "https",
        (_, false) => "http",
    };
    let path = path.trim_matches('/');
    let mut url = format!("{scheme}://{}/", server.authority);
    if !path.is_empty() {
        url.push_str(path);
        url.push('/');
    }
    url.push_str("?EIO=4&transport=");
    url.push_str(match transport {
        TransportKind::Polling => "polling",
        _ => "websocket",
    });
    if let Some(sid) = sid {
        // The server picks the sid: a `+`, `/`, `=`, `&` or space in it
        // must not change what the query says.
        url.push_str("&sid=");
        percent_encode_into(&mut url, sid);
    }
    if !server.query.is_empty() {
        url.push('&');
        url.push_str(&server.query);
    }
    for (key, value) in query {
        url.push('&');
        percent_encode_into(&mut url, key);
        url.push('=');
        percent_encode_into(&mut url, value);
    }
    Ok(url)
}

/// Checks what [`engine_url`] will check, before any attempt: `server`
/// (empty means the page's own origin, always fine) and the query keys.
pub(crate) fn check_server(server: &str, query: &[(String, String)]) -> Result<(), UrlError> {
    let url_query = if server.is_empty() {
        String::new()
    } else {
        ServerUrl::parse(server)?.query
    };
    check_query(&url_query, query)
}

/// Refuses a reserved key in the URL's query or in `query`.
fn check_query(url_query: &str, query: &[(String, String)]) -> Result<(), UrlError> {
    let url_keys = url_query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| pair.split_once('=').map_or(pair, |(key, _)| key));
    let option_keys = query.iter().map(|(key, _)| key.as_str());
    match url_keys
        .chain(option_keys)
        .find(|key| RESERVED_QUERY_KEYS.contains(key))
    {
        Some(key) => Err(UrlError::ReservedQueryKey(key.to_owned())),
        None => Ok(()),
    }
}

/// Appends `text` to `out` with every byte but RFC 3986's unreserved ones
/// (letters, digits, `-`, `.`, `_`, `~`) as `%XX`.
fn percent_encode_into(out: &mut String, text: &str) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0f)]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TransportKind::{Polling, WebSocket};

    #[test]
    fn builds_engine_urls_like_socket_io_client() {
        let cases = [
            (
                "http://127.0.0.1:3000",
                WebSocket,
                None,
                "ws://127.0.0.1:3000/socket.io/?EIO=4&transport=websocket",
            ),
            (
                "http://127.0.0.1:3000/",
                Polling,
                None,
                "http://127.0.0.1:3000/socket.io/?EIO=4&transport=polling",
            ),
            (
                "https://h",
                Polling,
                Some("abc"),
                "https://h/socket.io/?EIO=4&transport=polling&sid=abc",
            ),
            (
                "wss://h:8443?room=a",
                WebSocket,
                None,
                "wss://h:8443/socket.io/?EIO=4&transport=websocket&room=a",
            ),
            (
                "ws://h/admin",
                WebSocket,
                None,
                "ws://h/socket.io/?EIO=4&transport=websocket",
            ),
        ];
        for (server, transport, sid, want) in cases {
            assert_eq!(
                engine_url(server, "/socket.io/", transport, sid, &[]).as_deref(),
                Ok(want),
                "{server}"
            );
        }
    }

    #[test]
    fn custom_path_is_normalised() {
        let url = engine_url("http://h", "custom", WebSocket, None, &[]);
        assert_eq!(
            url.as_deref(),
            Ok("ws://h/custom/?EIO=4&transport=websocket")
        );
    }

    #[test]
    fn query_options_follow_the_url_query_percent_encoded() {
        let query = [
            ("room".to_owned(), "café & co".to_owned()),
            ("a=b".to_owned(), "?#/+".to_owned()),
            ("empty".to_owned(), String::new()),
        ];
        let url = engine_url("http://h?x=1", "/socket.io/", Polling, Some("s"), &query);
        assert_eq!(
            url.as_deref(),
            Ok("http://h/socket.io/?EIO=4&transport=polling&sid=s&x=1\
                &room=caf%C3%A9%20%26%20co&a%3Db=%3F%23%2F%2B&empty=")
        );
    }

    #[test]
    fn the_sid_is_percent_encoded_on_every_transport() {
        let sid = "a+b/c=d&e f";
        let ws = engine_url("http://h", "/socket.io/", WebSocket, Some(sid), &[]);
        assert_eq!(
            ws.as_deref(),
            Ok("ws://h/socket.io/?EIO=4&transport=websocket&sid=a%2Bb%2Fc%3Dd%26e%20f")
        );
        let polling = engine_url("http://h", "/socket.io/", Polling, Some(sid), &[]);
        assert_eq!(
            polling.as_deref(),
            Ok("http://h/socket.io/?EIO=4&transport=polling&sid=a%2Bb%2Fc%3Dd%26e%20f")
        );
    }

    #[test]
    fn reserved_query_keys_are_refused_with_advice() {
        for key in ["EIO", "transport", "sid", "t"] {
            let query = [(key.to_owned(), "1".to_owned())];
            let err = engine_url("http://h", "/socket.io/", WebSocket, None, &query)
                .expect_err("reserved in the options");
            assert_eq!(err, UrlError::ReservedQueryKey(key.to_owned()));
            assert!(err.to_string().contains("give it another name"), "{err}");
            let err = engine_url(
                &format!("http://h?ok=1&{key}=2"),
                "/socket.io/",
                WebSocket,
                None,
                &[],
            )
            .expect_err("reserved in the URL");
            assert_eq!(err, UrlError::ReservedQueryKey(key.to_owned()));
        }
        let fine = [("tee".to_owned(), "1".to_owned())];
        assert!(engine_url("http://h?eio=1", "/socket.io/", WebSocket, None, &fine).is_ok());
    }

    #[test]
    fn url_path_names_the_namespace() {
        let parsed = ServerUrl::parse("https://h/admin/?x=1#frag").expect("valid");
        assert_eq!(parsed.namespace, "/admin");
        assert_eq!(parsed.query, "x=1");
        assert_eq!(ServerUrl::parse("http://h").expect("valid").namespace, "/");
    }

    #[test]
    fn bad_urls_say_what_is_wrong() {
        let err = engine_url("127.0.0.1:3000", "/socket.io/", WebSocket, None, &[])
            .expect_err("no scheme");
        assert!(err.to_string().contains("must start with http://"), "{err}");
        let err =
            engine_url("http:///x", "/socket.io/", WebSocket, None, &[]).expect_err("no host");
        assert!(err.to_string().contains("has no host"), "{err}");
    }
}
