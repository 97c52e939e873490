//! `leptos-socketio-server`: serves the demo app and the chat contract.
//!
//! Prints `listening on http://HOST:PORT` on stdout once bound; logs go to
//! stderr. Run with `--help` for the flags.

use std::process::ExitCode;

use clap::Parser;
use leptos_socketio_server::{init_logging, run, Args};

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    init_logging();
    run(args).await
}
