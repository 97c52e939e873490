//! Waiting for the signal to stop: SIGINT (Ctrl-C) or SIGTERM.

use tracing::{info, warn};

/// SIGINT and SIGTERM handlers, installed when this value is created.
///
/// Create it *before* announcing the server as ready, so a stop signal sent
/// right after the `listening on …` line is never lost to the default action
/// (which would kill the process without a graceful shutdown).
#[derive(Debug)]
pub struct ShutdownSignal {
    #[cfg(unix)]
    interrupt: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    terminate: Option<tokio::signal::unix::Signal>,
}

impl ShutdownSignal {
    /// Installs the handlers. One that cannot be installed is logged and
    /// left out; the other signal still works. Must be called inside a Tokio
    /// runtime.
    pub fn install() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let install = |kind: SignalKind, name: &str| match signal(kind) {
                Ok(s) => Some(s),
                Err(e) => {
                    warn!(error = %e, "cannot listen for {name}; it will not stop the server gracefully");
                    None
                }
            };
            Self {
                interrupt: install(SignalKind::interrupt(), "SIGINT"),
                terminate: install(SignalKind::terminate(), "SIGTERM"),
            }
        }
        #[cfg(not(unix))]
        {
            Self {}
        }
    }

    /// Resolves when SIGINT or SIGTERM arrives (Ctrl-C only on non-Unix).
    pub async fn recv(self) {
        #[cfg(unix)]
        {
            async fn next(signal: Option<tokio::signal::unix::Signal>) {
                match signal {
                    Some(mut s) => {
                        s.recv().await;
                    }
                    None => std::future::pending::<()>().await,
                }
            }
            tokio::select! {
                () = next(self.interrupt) => info!("SIGINT received, shutting down"),
                () = next(self.terminate) => info!("SIGTERM received, shutting down"),
            }
        }
        #[cfg(not(unix))]
        {
            match tokio::signal::ctrl_c().await {
                Ok(()) => info!("Ctrl-C received, shutting down"),
                Err(e) => {
                    warn!(error = %e, "cannot listen for Ctrl-C; the server runs until killed");
                    std::future::pending::<()>().await;
                }
            }
        }
    }
}
