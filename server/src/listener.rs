//! Binding the listening socket, with errors a person can act on.

use std::io;

use thiserror::Error;
use tokio::net::TcpListener;

/// Why the server could not listen on the requested address.
///
/// Each message names the address and the flag (and variable) that fixes it.
#[derive(Debug, Error)]
pub enum BindError {
    /// Another process already listens on that port.
    #[error(
        "cannot listen on {addr}: address already in use — pass --port <PORT> \
         (or set LSIO_PORT) to use another port"
    )]
    AddrInUse {
        /// The `host:port` that was asked for.
        addr: String,
    },
    /// The OS refused the port (e.g. a port below 1024 without privileges).
    #[error(
        "cannot listen on {addr}: permission denied — pass --port <PORT> \
         (or set LSIO_PORT) with a port above 1023"
    )]
    PermissionDenied {
        /// The `host:port` that was asked for.
        addr: String,
    },
    /// The host is not an address of this machine, or does not resolve.
    #[error(
        "cannot listen on {addr}: {source} — pass --host <HOST> (or set LSIO_HOST) \
         with an address of this machine, e.g. 127.0.0.1 or 0.0.0.0"
    )]
    BadHost {
        /// The `host:port` that was asked for.
        addr: String,
        /// The underlying error.
        source: io::Error,
    },
    /// Any other failure to bind.
    #[error("cannot listen on {addr}: {source} — check --host and --port (LSIO_HOST, LSIO_PORT)")]
    Other {
        /// The `host:port` that was asked for.
        addr: String,
        /// The underlying error.
        source: io::Error,
    },
}

impl BindError {
    fn new(addr: String, source: io::Error) -> Self {
        match source.kind() {
            io::ErrorKind::AddrInUse => Self::AddrInUse { addr },
            io::ErrorKind::PermissionDenied => Self::PermissionDenied { addr },
            io::ErrorKind::AddrNotAvailable => Self::BadHost { addr, source },
            // Name resolution failures have no dedicated kind; they come back
            // as `Other`/`Uncategorized` with a "failed to lookup" message.
            _ if source.to_string().contains("lookup") => Self::BadHost { addr, source },
            _ => Self::Other { addr, source },
        }
    }
}

/// Binds a TCP listener on `host:port` (`port` 0 picks a free port).
///
/// `host` may be an IP address or a name (e.g. `localhost`); an IPv6 literal
/// may be given bare (`::1`) or in brackets (`[::1]`).
pub async fn bind(host: &str, port: u16) -> Result<TcpListener, BindError> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    let addr = if bare.contains(':') {
        format!("[{bare}]:{port}")
    } else {
        format!("{bare}:{port}")
    };
    TcpListener::bind((bare, port))
        .await
        .map_err(|e| BindError::new(addr, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_taken_port_names_the_port_flag() {
        let taken = bind("127.0.0.1", 0).await.expect("bind a free port");
        let port = taken.local_addr().expect("local addr").port();
        let err = bind("127.0.0.1", port).await.expect_err("port is taken");
        assert!(matches!(err, BindError::AddrInUse { .. }), "{err:?}");
        let msg = err.to_string();
        assert!(msg.contains(&format!("127.0.0.1:{port}")), "{msg}");
        assert!(msg.contains("--port"), "{msg}");
    }

    #[tokio::test]
    async fn a_foreign_address_names_the_host_flag() {
        // 192.0.2.1 (TEST-NET-1) is never an address of this machine; binding
        // to it fails locally without sending anything.
        let err = bind("192.0.2.1", 0).await.expect_err("not a local address");
        assert!(matches!(err, BindError::BadHost { .. }), "{err:?}");
        assert!(err.to_string().contains("--host"), "{err}");
    }
}
