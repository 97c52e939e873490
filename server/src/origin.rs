//! The origin allow-list (`--allowed-origin`): which web pages may talk to
//! `/socket.io/` from another origin.
//!
//! Browsers send an `Origin` header on WebSocket handshakes and on
//! cross-origin (and same-origin non-GET) fetches. A request whose `Origin`
//! is not in the list gets no CORS headers anywhere, and on `/socket.io/`
//! (both transports) is refused with 403 before socketioxide sees it. A
//! request without `Origin` (a same-origin GET, curl, Node clients) is
//! allowed: the check protects browsers' users from other sites' pages, and
//! only browsers send the header.

use std::collections::BTreeSet;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{CONTENT_TYPE, ORIGIN};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer};
use tracing::warn;

/// The port of the trunk dev server (`trunk serve`), allowed by default.
pub(crate) const TRUNK_DEV_PORT: u16 = 8080;

/// A web origin, `scheme://host[:port]`, in the form browsers send in the
/// `Origin` header: scheme and host lower-cased, no default port (80 for
/// `http`/`ws`, 443 for `https`/`wss`), no path and no trailing slash.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Origin(String);

impl Origin {
    /// `http://host:port`; `host` is a name or an IP address (an IPv6
    /// address is put in brackets).
    fn http(host: &str, port: u16) -> Self {
        let host = match host.parse::<IpAddr>() {
            Ok(IpAddr::V6(v6)) => format!("[{v6}]"),
            Ok(IpAddr::V4(v4)) => v4.to_string(),
            Err(_) => host.to_ascii_lowercase(),
        };
        if port == 80 {
            Self(format!("http://{host}"))
        } else {
            Self(format!("http://{host}:{port}"))
        }
    }

    /// The origin as a string, e.g. `http://localhost:8080`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Origin {
    type Err = String;

    /// Parses `scheme://host[:port]`, trimming surrounding spaces and one
    /// trailing `/`. Anything else (a path, a query, user info, `*`,
    /// `null`) is an error that names the flag.
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let bad = |why: &str| {
            format!(
                "{why}: --allowed-origin (LSIO_ALLOWED_ORIGINS) takes origins as \
                 scheme://host[:port], e.g. http://localhost:8080 or https://chat.example.com"
            )
        };
        let value = input.trim();
        if value.is_empty() {
            return Err(bad(
                "empty origin (an empty value, or a stray comma in a list)",
            ));
        }
        let value = value.strip_suffix('/').unwrap_or(value);
        let Some((scheme, rest)) = value.split_once("://") else {
            return Err(bad("no scheme:// in it"));
        };
        let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if !scheme_ok {
            return Err(bad("the scheme is not valid"));
        }
        let scheme = scheme.to_ascii_lowercase();
        if rest.contains(['/', '?', '#']) {
            return Err(bad("an origin has no path, query or fragment"));
        }
        if rest.contains('@') {
            return Err(bad("an origin has no user info"));
        }
        let (host, port) = if let Some(bracketed) = rest.strip_prefix('[') {
            let Some((inside, after)) = bracketed.split_once(']') else {
                return Err(bad("an IPv6 host needs a closing ]"));
            };
            if inside.parse::<std::net::Ipv6Addr>().is_err() {
                return Err(bad("the host is not a valid IPv6 address"));
            }
            let port = match after {
                "" => None,
                _ => match after.strip_prefix(':') {
                    Some(port) => Some(port),
                    None => return Err(bad("unexpected text after the IPv6 host")),
                },
            };
            (format!("[{}]", inside.to_ascii_lowercase()), port)
        } else {
            let (host, port) = match rest.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (rest, None),
            };
            let host_ok = !host.is_empty()
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'));
            if !host_ok {
                return Err(bad(
                    "the host must be a name or an IP address (no wildcards)",
                ));
            }
            (host.to_ascii_lowercase(), port)
        };
        let port = match port {
            None => None,
            Some(port) => {
                if port.is_empty() || !port.chars().all(|c| c.is_ascii_digit()) {
                    return Err(bad("the port must be a number"));
                }
                match port.parse::<u16>() {
                    Ok(port) => Some(port),
                    Err(_) => return Err(bad("the port must be at most 65535")),
                }
            }
        };
        let default_port = match scheme.as_str() {
            "http" | "ws" => Some(80),
            "https" | "wss" => Some(443),
            _ => None,
        };
        Ok(match port {
            Some(port) if Some(port) != default_port => Self(format!("{scheme}://{host}:{port}")),
            _ => Self(format!("{scheme}://{host}")),
        })
    }
}

/// The origins whose pages may use `/socket.io/` (the `--allowed-origin`
/// list, or the default for the bound address).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowedOrigins {
    origins: BTreeSet<Origin>,
}

impl AllowedOrigins {
    /// The given `origins`; when there are none, the default for a server
    /// started with `--host host` and bound to `addr`:
    /// [`AllowedOrigins::default_for`].
    pub fn new_or_default(origins: &[Origin], host: &str, addr: SocketAddr) -> Self {
        if origins.is_empty() {
            Self::default_for(host, addr)
        } else {
            Self {
                origins: origins.iter().cloned().collect(),
            }
        }
    }

    /// The default list: the server's own origin `http://HOST:PORT` for the
    /// bound `addr` (with `localhost` for a loopback address; the loopback
    /// names when bound to all interfaces; the `--host` name when it is a
    /// name), plus the trunk dev server `http://127.0.0.1:8080` and
    /// `http://localhost:8080`.
    pub fn default_for(host: &str, addr: SocketAddr) -> Self {
        let port = addr.port();
        let mut origins = BTreeSet::new();
        let ip = addr.ip();
        if ip.is_unspecified() {
            origins.insert(Origin::http("127.0.0.1", port));
            if ip.is_ipv6() {
                origins.insert(Origin::http("::1", port));
            }
            origins.insert(Origin::http("localhost", port));
        } else {
            origins.insert(Origin::http(&ip.to_string(), port));
            if ip.is_loopback() {
                origins.insert(Origin::http("localhost", port));
            }
        }
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        if bare.parse::<IpAddr>().is_err() && !bare.is_empty() {
            origins.insert(Origin::http(bare, port));
        }
        origins.insert(Origin::http("127.0.0.1", TRUNK_DEV_PORT));
        origins.insert(Origin::http("localhost", TRUNK_DEV_PORT));
        Self { origins }
    }

    /// Whether a request's `Origin` header value is in the list (compared
    /// exactly, byte for byte).
    pub fn allows(&self, origin: &HeaderValue) -> bool {
        origin
            .to_str()
            .is_ok_and(|o| self.origins.iter().any(|allowed| allowed.as_str() == o))
    }

    /// The origins, sorted.
    pub fn iter(&self) -> impl Iterator<Item = &Origin> {
        self.origins.iter()
    }

    /// The CORS layer for these origins: `Access-Control-Allow-Origin` only
    /// for a listed origin, methods GET, POST and OPTIONS, the requested
    /// headers mirrored on preflights (socket.io clients ask for
    /// `content-type`), and no credentials.
    pub fn cors_layer(&self) -> CorsLayer {
        let values = self
            .origins
            .iter()
            .filter_map(|o| HeaderValue::from_str(o.as_str()).ok());
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(values))
            .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
            .allow_headers(AllowHeaders::mirror_request())
            .allow_credentials(false)
    }
}

impl fmt::Display for AllowedOrigins {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, origin) in self.origins.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{origin}")?;
        }
        Ok(())
    }
}

/// Whether `path` is served by socketioxide (its default path `/socket.io`).
pub(crate) fn is_socketio_path(path: &str) -> bool {
    path == "/socket.io" || path.starts_with("/socket.io/")
}

/// Middleware in front of the CORS and Socket.IO layers: a request whose
/// `Origin` is not allowed is refused with 403 on `/socket.io/` (polling and
/// the WebSocket handshake alike, before any upgrade), and gets its CORS
/// headers removed elsewhere. Requests without `Origin` pass untouched.
pub(crate) async fn guard_origin(
    State(allowed): State<Arc<AllowedOrigins>>,
    request: Request,
    next: Next,
) -> Response {
    let Some(origin) = request.headers().get(ORIGIN).cloned() else {
        return next.run(request).await;
    };
    if allowed.allows(&origin) {
        return next.run(request).await;
    }
    let shown = String::from_utf8_lossy(origin.as_bytes())
        .escape_debug()
        .to_string();
    let path = request.uri().path().to_owned();
    if is_socketio_path(&path) {
        let fix = match shown.parse::<Origin>() {
            Ok(normal) => format!(
                "start the server with --allowed-origin {normal} (or add it to \
                 LSIO_ALLOWED_ORIGINS) to let its pages connect"
            ),
            Err(_) => "it is not of the form scheme://host[:port], so it cannot be allowed \
                       (serve the page over http(s) from a named origin)"
                .to_owned(),
        };
        warn!(
            method = %request.method(),
            %path,
            "refused a Socket.IO request from origin {shown}, which is not allowed: {fix}"
        );
        let body = format!("Origin {shown} is not allowed by this server: {fix}.\n");
        return (
            StatusCode::FORBIDDEN,
            [(CONTENT_TYPE, "text/plain; charset=utf-8")],
            body,
        )
            .into_response();
    }
    let mut response = next.run(request).await;
    strip_cors_headers(&mut response);
    response
}

/// Removes every `Access-Control-*` header from `response`.
fn strip_cors_headers(response: &mut Response) {
    let names: Vec<_> = response
        .headers()
        .keys()
        .filter(|name| name.as_str().starts_with("access-control-"))
        .cloned()
        .collect();
    for name in names {
        response.headers_mut().remove(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<String, String> {
        s.parse::<Origin>().map(|o| o.to_string())
    }

    #[test]
    fn origins_parse_and_normalise() {
        for (input, want) in [
            ("http://localhost:8080", "http://localhost:8080"),
            ("http://localhost:8080/", "http://localhost:8080"),
            (" https://Chat.Example.COM ", "https://chat.example.com"),
            ("HTTP://example.com:80", "http://example.com"),
            ("https://example.com:443/", "https://example.com"),
            ("https://example.com:80", "https://example.com:80"),
            ("http://127.0.0.1:3000", "http://127.0.0.1:3000"),
            ("http://[::1]:3000", "http://[::1]:3000"),
            ("http://[::1]", "http://[::1]"),
            ("app://my_app", "app://my_app"),
        ] {
            assert_eq!(parse(input).as_deref(), Ok(want), "{input:?}");
        }
    }

    #[test]
    fn non_origins_are_rejected_naming_the_flag() {
        for input in [
            "",
            "localhost:8080",
            "*",
            "null",
            "http://",
            "http://*",
            "http://*.example.com",
            "http://example.com/app",
            "http://example.com//",
            "http://example.com?x=1",
            "http://user@example.com",
            "http://example.com:",
            "http://example.com:99999",
            "http://example.com:80a",
            "http://[::1",
            "http://[zz]:80",
            "http://[::1]x",
            "1http://example.com",
            "http://exa mple.com",
        ] {
            let err = parse(input).expect_err(input);
            assert!(err.contains("--allowed-origin"), "{input:?}: {err}");
            assert!(err.contains("scheme://host[:port]"), "{input:?}: {err}");
        }
    }

    fn default(host: &str, addr: &str) -> Vec<String> {
        let addr: SocketAddr = addr.parse().expect("socket addr");
        AllowedOrigins::default_for(host, addr)
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn default_is_own_origin_and_trunk() {
        let trunk = ["http://127.0.0.1:8080", "http://localhost:8080"];
        let mut want = vec!["http://127.0.0.1:4321", "http://localhost:4321"];
        want.extend(trunk);
        want.sort_unstable();
        assert_eq!(default("127.0.0.1", "127.0.0.1:4321"), want);
        assert_eq!(default("localhost", "127.0.0.1:4321"), want);

        let mut want = vec!["http://[::1]:4321", "http://localhost:4321"];
        want.extend(trunk);
        want.sort_unstable();
        assert_eq!(default("::1", "[::1]:4321"), want);

        let mut want = vec!["http://192.168.1.5:4321"];
        want.extend(trunk);
        want.sort_unstable();
        assert_eq!(default("192.168.1.5", "192.168.1.5:4321"), want);

        let mut want = vec![
            "http://127.0.0.1:4321",
            "http://localhost:4321",
            "http://box.lan:4321",
        ];
        want.extend(trunk);
        want.sort_unstable();
        assert_eq!(default("box.lan", "0.0.0.0:4321"), want);
    }

    #[test]
    fn explicit_list_replaces_the_default() {
        let addr: SocketAddr = "127.0.0.1:4321".parse().expect("addr");
        let given = ["https://chat.example.com"
            .parse::<Origin>()
            .expect("origin")];
        let list = AllowedOrigins::new_or_default(&given, "127.0.0.1", addr);
        assert!(list.allows(&HeaderValue::from_static("https://chat.example.com")));
        assert!(!list.allows(&HeaderValue::from_static("http://127.0.0.1:4321")));
        assert!(!list.allows(&HeaderValue::from_static("https://chat.example.com/")));
    }

    #[test]
    fn socketio_paths() {
        assert!(is_socketio_path("/socket.io/"));
        assert!(is_socketio_path("/socket.io"));
        assert!(!is_socketio_path("/socket.iox"));
        assert!(!is_socketio_path("/healthz"));
    }
}
