# shellcheck shell=bash
# Installs whatever the project needs and is missing; sourced by scripts/run
# and scripts/test. Every step checks first, so a second run takes seconds.
# Nothing here downloads a prebuilt binary: tools come from crates.io, npm
# and Debian's packages.

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export PATH="$HOME/.cargo/bin:$ROOT/node_modules/.bin:$PATH"

TRUNK_VERSION="0.21.14"

say() { printf '\n==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# A TCP port free on 127.0.0.1 right now (for a server to bind next).
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# The wasm-bindgen version in Cargo.lock: the CLI must match it exactly.
wasm_bindgen_version() {
    awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock
}

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"
    elif command -v sudo >/dev/null; then sudo "$@"
    else die "'$*' needs root; run it as root or install sudo"
    fi
}

ensure_rust() {
    command -v cargo >/dev/null || die "cargo not found: install Rust with rustup (https://rustup.rs) first"
    if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
        say "adding the wasm32-unknown-unknown target to rustup (about 1 minute, once)"
        rustup target add wasm32-unknown-unknown
    fi
}

ensure_trunk() {
    if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
        say "installing trunk $TRUNK_VERSION from crates.io (compiles from source: about 9 minutes on 2 cores, once)"
        cargo install --locked trunk --version "$TRUNK_VERSION"
    fi
}

ensure_wasm_bindgen() {
    local want
    want="$(wasm_bindgen_version)"
    [ -n "$want" ] || die "no wasm-bindgen in Cargo.lock"
    if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $want" ]; then
        say "installing wasm-bindgen-cli $want to match Cargo.lock (compiles from source: about 4 minutes, once)"
        # Not --locked: its lockfile pins a crate version the registry may lack.
        cargo install wasm-bindgen-cli --version "$want" --force
    fi
}

ensure_npm() {
    command -v npm >/dev/null || die "npm not found: install Node.js 20 (Debian: apt-get install nodejs npm)"
    if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
        say "installing npm packages from package-lock.json (wasm-opt 132, test peers; under a minute, once)"
        npm ci --no-audit --no-fund
    fi
}

ensure_chromium() {
    if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
        say "installing Debian chromium and chromium-driver for the browser tests (1-3 minutes, once)"
        as_root apt-get update
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver
    fi
}

# Redis, PostgreSQL and nginx for the multi-node chat (scripts/cluster).
# Debian starts their system services on install (where it can): those use
# the usual ports and are not touched; scripts/cluster starts its own.
ensure_cluster_packages() {
    local missing=()
    command -v redis-server >/dev/null || missing+=(redis-server)
    command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
    pg_bin_dir >/dev/null || missing+=(postgresql)
    if [ "${#missing[@]}" -gt 0 ]; then
        say "installing ${missing[*]} from Debian's packages for the multi-node chat (about 1 minute, once)"
        as_root apt-get update
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
    fi
}

# The directory of PostgreSQL's server programs (initdb, pg_ctl), newest
# version first: Debian keeps them out of PATH.
pg_bin_dir() {
    local dir
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n -r); do
        [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
    done
    return 1
}

# Builds the demo app into dist/ (release: small wasm, wasm-opt -Oz).
build_app() {
    say "building the demo app with trunk (release)"
    trunk build --release
}

# twiggy, for scripts/bench-size --attribute only (where the bytes go).
ensure_twiggy() {
    if ! command -v twiggy >/dev/null; then
        say "installing twiggy from crates.io (compiles from source: about 3 minutes, once)"
        cargo install --locked twiggy
    fi
}
