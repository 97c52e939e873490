// Starting and stopping the companion server for the Node tests.
//
// LSIO_SERVER_BIN overrides the server binary (default
// target/debug/leptos-socketio-server, built by `cargo test`/`cargo build`).

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const serverBin =
  process.env.LSIO_SERVER_BIN ?? path.join(root, 'target/debug/leptos-socketio-server');

/** A fresh temporary directory for `--data-dir`, removed when the process exits. */
export function tempDataDir() {
  const dir = mkdtempSync(path.join(tmpdir(), 'lsio-data-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Starts the server on a free port (or on `port`, to restart one where it
 * was) with extra `args` (and extra environment variables `env`) and
 * resolves with
 * `{ child, url, stderr(), dataDir }` once it printed its URL line.
 * Unless `args` give a `--data-dir`, the history goes to a fresh temporary
 * directory (never ./data).
 */
export function startServer(args = [], env = {}, { port = 0 } = {}) {
  const given = args.some((a) => a.startsWith('--data-dir')) || 'LSIO_DATA_DIR' in env;
  const dataDir = given ? undefined : tempDataDir();
  const dataArgs = dataDir ? ['--data-dir', dataDir] : [];
  return new Promise((resolve, reject) => {
    const child = spawn(serverBin, ['--host', '127.0.0.1', '--port', String(port), ...dataArgs, ...args], {
      env: { ...process.env, RUST_LOG: process.env.RUST_LOG ?? 'warn', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const fail = (why) => {
      child.kill('SIGKILL');
      reject(new Error(`${why} (server: ${serverBin})\nstderr:\n${stderr}`));
    };
    const timer = setTimeout(() => fail('the server printed no URL within 15 s'), 15000);
    child.on('error', (e) => {
      clearTimeout(timer);
      fail(`cannot start the server: ${e.message}; build it with cargo build -p leptos-socketio-server`);
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      fail(`the server exited early with code ${code}`);
    });
    createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      child.removeAllListeners('exit');
      const match = /^listening on (http:\/\/\S+)$/.exec(line);
      if (!match) return fail(`unexpected first stdout line: ${JSON.stringify(line)}`);
      resolve({ child, url: match[1], stderr: () => stderr, dataDir });
    });
  });
}

/** Stops the server with SIGTERM (SIGKILL after 12 s) and resolves with its exit code. */
export function stopServer({ child }) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), 12000);
    child.once('exit', (code) => {
      clearTimeout(killer);
      resolve(code);
    });
    child.kill('SIGTERM');
  });
}

/** The value of counter `name` in the `/metrics` of the server at `url`. */
export async function metric(url, name) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`${name} is not in ${url}/metrics`);
  return Number(line.split(' ')[1]);
}
