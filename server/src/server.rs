//! Running the server: bind, announce the URL, serve, shut down gracefully.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tracing::{info, warn};

use crate::app::{build_app, App};
use crate::config::Args;
use crate::listener::bind;
use crate::origin::AllowedOrigins;
use crate::shutdown::ShutdownSignal;
use crate::store::Store;

/// How long in-flight requests may take to finish after a stop signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Runs the server until SIGINT or SIGTERM.
///
/// Binds, then opens the history database (`--database-url`, else
/// `--data-dir`/chat.sqlite3, creating both).
/// Once bound, prints exactly one line to stdout, `listening on
/// http://HOST:PORT`, with the port actually bound (so `--port 0` can be
/// used by test harnesses), and flushes it. On a stop signal it closes every
/// Socket.IO connection, lets in-flight HTTP requests finish (at most
/// 10 s), closes the database (so everything stored is on disk) and
/// returns success.
///
/// Returns exit code 1 after printing one `error: …` line to stderr when it
/// cannot open the database, listen or serve.
pub async fn run(args: Args) -> ExitCode {
    let listener = match bind(&args.host, args.port).await {
        Ok(listener) => listener,
        Err(e) => return fail(&e),
    };
    // Once listening: a server that cannot start says only why.
    raise_fd_limit();
    let database = args.database();
    let store = match Store::open(&database).await {
        Ok(store) => Arc::new(store),
        Err(e) => return fail(&e),
    };
    info!(%database, "history database open");
    let code = serve(&args, listener, Arc::clone(&store)).await;
    store.close().await;
    info!("history database closed");
    code
}

/// Raises this process's soft limit on open files to its hard limit (each
/// connection holds one), as servers that hold many connections do; the
/// machine's limits are not touched. Logs the limit, or why it stays.
fn raise_fd_limit() {
    match rlimit::increase_nofile_limit(u64::MAX) {
        Ok(limit) => info!(limit, "open-file limit (each connection holds one)"),
        Err(e) => warn!(
            "cannot raise the open-file limit ({e}); connections beyond it will be refused \
             — raise it with `ulimit -n` before starting the server"
        ),
    }
}

/// Announces and serves until a stop signal (see [`run`]).
async fn serve(args: &Args, listener: TcpListener, store: Arc<Store>) -> ExitCode {
    let addr = match listener.local_addr() {
        Ok(addr) => addr,
        Err(e) => return fail(&format!("cannot read the bound address: {e}")),
    };
    let origins = AllowedOrigins::new_or_default(&args.allowed_origins, &args.host, addr);
    info!(%origins, "allowed origins");
    let App { router, io, .. } = match build_app(args, origins, store).await {
        Ok(app) => app,
        Err(e) => return fail(&e),
    };
    let stop = ShutdownSignal::install();
    if let Err(e) = announce(&format!("listening on http://{addr}")) {
        return fail(&format!("cannot write to stdout: {e}"));
    }
    info!(%addr, static_dir = %args.static_dir.display(), "server started");

    let (stopping_tx, stopping_rx) = oneshot::channel::<()>();
    let graceful = async move {
        stop.recv().await;
        if stopping_tx.send(()).is_err() {
            warn!("shutdown deadline is not armed");
        }
        io.close().await;
    };
    let serve = axum::serve(listener, router).with_graceful_shutdown(graceful);
    let deadline = async {
        match stopping_rx.await {
            Ok(()) => tokio::time::sleep(SHUTDOWN_GRACE).await,
            Err(_) => std::future::pending::<()>().await,
        }
    };

    tokio::select! {
        served = serve => match served {
            Ok(()) => {
                info!("server stopped");
                ExitCode::SUCCESS
            }
            Err(e) => fail(&format!("the server stopped with an error: {e}")),
        },
        () = deadline => {
            warn!(grace = ?SHUTDOWN_GRACE, "requests still open after the grace period; stopping anyway");
            ExitCode::SUCCESS
        }
    }
}

/// Writes the one stdout line and flushes it.
fn announce(line: &str) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{line}")?;
    out.flush()
}

/// Prints the one line `error: <what>` to stderr and returns exit code 1.
fn fail(what: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("error: {what}");
    ExitCode::FAILURE
}
