// The conductor: an HTTP control server through which browser tests (which
// cannot spawn processes) start, kill, restart, freeze and proxy Socket.IO
// servers.
//
//   node tests/support/conductor.mjs [--port 0]
//
// prints `conductor on http://127.0.0.1:PORT` once bound (port 0 = a free
// one). CORS: any origin. Every answer is JSON; every error is
// `{"error": "<a sentence>"}`.
//
//   GET    /health                  → {"ok": true}
//   GET    /servers                 → [server, …]
//   POST   /servers                 body {"kind": "rust"|"node", "args": [...], "proxy": bool}
//                                    → server (201)
//   GET    /servers/:id             → server
//   POST   /servers/:id/kill        SIGKILL, waits for the exit → server
//   POST   /servers/:id/restart     starts it again with the same args on the
//                                    same port (kills it first if running) → server
//   POST   /servers/:id/freeze      SIGSTOP → server
//   POST   /servers/:id/thaw        SIGCONT → server
//   POST   /servers/:id/proxy       body {"mode": "pass"|"refuse-upgrade"|"hang-upgrade"|"cut"|"freeze"|"offline"}
//                                    → server
//   GET    /servers/:id/stats       → {"handshakes", "websocketHandshakes", "pollingHandshakes",
//                                      "openConnections", "upgradesRefused", "upgradesHung", "mode"}
//   POST   /servers/:id/stats/reset → the stats, zeroed (openConnections stays)
//   DELETE /servers/:id             stops the server (SIGTERM, SIGKILL after 2 s) and its proxy
//                                    → {"id", "deleted": true}
//
// where server = {"id", "kind", "url", "proxyUrl" (null without proxy), "pid",
// "state": "running"|"frozen"|"killed"|"exited", "proxyMode" (null without proxy)}.
//
// `rust` runs LSIO_SERVER_BIN (default target/debug/leptos-socketio-server)
// with `--host 127.0.0.1 --port 0` plus args, RUST_LOG=warn; `node` runs
// tests/support/node-server.mjs with `--port 0` plus args. Both must print
// `listening on http://…` within 15 s.
//
// On SIGTERM, SIGINT or when its stdin closes (watched only when stdin is a
// pipe or socket, e.g. `node conductor.mjs < <(sleep infinity)` or a
// coprocess; /dev/null or a terminal is ignored), it stops every child and
// proxy and exits; on any exit it SIGKILLs children still alive (thawing
// frozen ones first). The Node peer also exits when the conductor's pipe to
// its stdin closes, so it cannot outlive even a SIGKILLed conductor; the Rust
// server can, in that one case.

import { spawn } from 'node:child_process';
import { fstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { Proxy, MODES } from './proxy.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');
const RUST_BIN = process.env.LSIO_SERVER_BIN ?? path.join(root, 'target/debug/leptos-socketio-server');
const NODE_SERVER = path.join(here, 'node-server.mjs');
const START_TIMEOUT_MS = 15000;
const STOP_GRACE_MS = 2000;
const RESTART_TRIES = 40; // × 100 ms
const SIGNAL_SETTLE_MS = 2000;

/**
 * The state letter (`R`, `S`, `T`, …) of each thread of process `pid`, from
 * /proc; empty once it is gone. (The command name in `stat` may hold spaces,
 * hence the search for its closing parenthesis.)
 */
function threadStates(pid) {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
        return [stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)];
      } catch {
        return []; // the thread ended meanwhile
      }
    });
  } catch {
    return [];
  }
}

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** A started server: its child process, URL, and optional proxy. */
class Managed {
  constructor(id, kind, args) {
    this.id = id;
    this.kind = kind;
    this.args = args;
    this.child = null;
    this.port = 0;
    this.url = null;
    this.proxy = null;
    this.state = 'starting';
    this.stderr = '';
  }

  describe() {
    return {
      id: this.id,
      kind: this.kind,
      url: this.url,
      proxyUrl: this.proxy?.url ?? null,
      pid: this.child?.pid ?? null,
      state: this.state,
      proxyMode: this.proxy?.mode ?? null,
    };
  }

  alive() {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  command(port) {
    if (this.kind === 'rust') {
      // Chat history goes to a temporary --data-dir (never ./data), the same
      // one across restarts of this server.
      if (!this.dataDir && !this.args.some((a) => a.startsWith('--data-dir'))) {
        const dir = mkdtempSync(path.join(tmpdir(), 'lsio-data-'));
        process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
        this.dataDir = dir;
      }
      const data = this.dataDir ? ['--data-dir', this.dataDir] : [];
      return [RUST_BIN, ['--host', '127.0.0.1', '--port', String(port), ...data, ...this.args], { RUST_LOG: 'warn' }];
    }
    return [process.execPath, [NODE_SERVER, '--port', String(port), '--exit-with-stdin', ...this.args], {}];
  }

  /** Spawns the child on `port` and resolves once it printed its URL line. */
  spawnOnce(port) {
    const [bin, argv, env] = this.command(port);
    return new Promise((resolve, reject) => {
      let stderr = '';
      const child = spawn(bin, argv, {
        env: { ...process.env, ...env },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      children.add(child);
      child.on('exit', () => children.delete(child));
      child.stdin.on('error', () => {});
      child.stderr.on('data', (chunk) => {
        stderr = (stderr + chunk).slice(-16384);
        this.stderr = stderr;
      });
      let done = false;
      const fail = (why) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        child.kill('SIGKILL');
        const tail = stderr.trim() ? ` Its stderr: ${stderr.trim()}` : '';
        reject(new Error(`${why}.${tail}`));
      };
      const timer = setTimeout(() => fail(`the ${this.kind} server printed no URL within ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS);
      child.on('error', (e) => {
        const hint = this.kind === 'rust' ? ' (build it with `cargo build -p leptos-socketio-server`, or set LSIO_SERVER_BIN)' : '';
        fail(`cannot start ${bin}: ${e.message}${hint}`);
      });
      child.on('exit', (code, signal) => fail(`the ${this.kind} server exited before listening (${signal ?? `code ${code}`})`));
      const lines = createInterface({ input: child.stdout });
      lines.on('line', (line) => {
        if (done) return;
        const m = /^listening on (http:\/\/127\.0\.0\.1:(\d+))$/.exec(line);
        if (!m) return;
        done = true;
        clearTimeout(timer);
        child.on('exit', () => {
          if (this.child === child && this.state !== 'killed') this.state = 'exited';
        });
        resolve({ child, url: m[1], port: Number(m[2]) });
      });
    });
  }

  async start() {
    const { child, url, port } = await this.spawnOnce(0);
    Object.assign(this, { child, url, port, state: 'running' });
  }

  /** Starts again on the same port, retrying while the port is not free yet. */
  async restart() {
    if (this.alive()) await this.kill();
    let last;
    for (let i = 0; i < RESTART_TRIES; i++) {
      try {
        const { child } = await this.spawnOnce(this.port);
        Object.assign(this, { child, state: 'running' });
        return;
      } catch (e) {
        last = e;
        if (!/in use|EADDRINUSE/i.test(e.message)) break;
        await sleep(100);
      }
    }
    this.state = 'exited';
    throw new HttpError(500, `cannot restart server ${this.id} on port ${this.port}: ${last.message}`);
  }

  /** SIGKILL (works on a frozen process too); resolves once it exited. */
  async kill() {
    if (!this.alive()) {
      this.state = 'killed';
      return;
    }
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGKILL');
    await exited;
    this.state = 'killed';
  }

  /**
   * Sends SIGSTOP or SIGCONT and resolves once every thread of the process
   * is stopped (or none is): a signal is only a request, and a thread busy
   * elsewhere may take a moment to honour it, so a test must not go on
   * before that.
   */
  async signal(sig, state) {
    if (!this.alive()) {
      throw new HttpError(409, `server ${this.id} is not running (it is ${this.state}): restart it first`);
    }
    this.child.kill(sig);
    const stopped = sig === 'SIGSTOP';
    const deadline = Date.now() + SIGNAL_SETTLE_MS;
    while (threadStates(this.child.pid).some((t) => (t === 'T') !== stopped)) {
      if (Date.now() > deadline) {
        throw new HttpError(500, `server ${this.id} did not ${stopped ? 'stop' : 'resume'} within ${SIGNAL_SETTLE_MS} ms of ${sig}`);
      }
      await sleep(5);
    }
    this.state = state;
  }

  /** Thaws, SIGTERMs, SIGKILLs after the grace period; closes the proxy. */
  async stop() {
    if (this.alive()) {
      const child = this.child;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGCONT');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }
    this.state = 'killed';
    if (this.proxy) await this.proxy.close();
  }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const children = new Set(); // every child process alive, for the exit hook
const servers = new Map();
let nextId = 1;

function readJson(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => {
      body += c;
      if (body.length > 1_000_000) reject(new HttpError(413, 'the request body is over 1 MB'));
    });
    req.on('end', () => {
      if (body.trim() === '') return resolve({});
      try {
        resolve(JSON.parse(body));
      } catch (e) {
        reject(new HttpError(400, `the request body is not valid JSON: ${e.message}`));
      }
    });
    req.on('error', reject);
  });
}

async function createManaged(body) {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new HttpError(400, 'the body must be a JSON object like {"kind": "rust", "args": [], "proxy": false}');
  }
  const { kind, args = [], proxy = false } = body;
  if (kind !== 'rust' && kind !== 'node') {
    throw new HttpError(400, `"kind" must be "rust" or "node", got ${JSON.stringify(kind)}`);
  }
  if (!Array.isArray(args) || !args.every((a) => typeof a === 'string')) {
    throw new HttpError(400, '"args" must be an array of strings');
  }
  if (typeof proxy !== 'boolean') throw new HttpError(400, '"proxy" must be true or false');
  const s = new Managed(`s${nextId++}`, kind, args);
  try {
    await s.start();
  } catch (e) {
    throw new HttpError(500, `cannot start the ${kind} server: ${e.message}`);
  }
  if (proxy) {
    s.proxy = new Proxy({ backendPort: s.port });
    try {
      await s.proxy.listen(0);
    } catch (e) {
      await s.stop();
      throw new HttpError(500, `cannot start the proxy for the ${kind} server: ${e.message}`);
    }
  }
  servers.set(s.id, s);
  return s;
}

function requireProxy(s) {
  if (!s.proxy) {
    throw new HttpError(400, `server ${s.id} has no proxy: create it with "proxy": true to use proxy modes and stats`);
  }
  return s.proxy;
}

async function route(req, url) {
  const parts = url.pathname.split('/').filter(Boolean);
  const m = req.method;
  if (parts.length === 1 && parts[0] === 'health' && m === 'GET') return [200, { ok: true }];
  if (parts[0] !== 'servers') throw new HttpError(404, `no such endpoint: ${m} ${url.pathname}`);
  if (parts.length === 1) {
    if (m === 'GET') return [200, [...servers.values()].map((s) => s.describe())];
    if (m === 'POST') return [201, (await createManaged(await readJson(req))).describe()];
    throw new HttpError(405, `${m} is not allowed on /servers: use GET or POST`);
  }
  const s = servers.get(parts[1]);
  if (!s) throw new HttpError(404, `no server with id ${JSON.stringify(parts[1])}: create one with POST /servers`);
  const action = parts.slice(2).join('/');
  const want = (method) => {
    if (m !== method) throw new HttpError(405, `${m} is not allowed on ${url.pathname}: use ${method}`);
  };
  switch (action) {
    case '':
      if (m === 'DELETE') {
        servers.delete(s.id);
        await s.stop();
        return [200, { id: s.id, deleted: true }];
      }
      want('GET');
      return [200, s.describe()];
    case 'kill':
      want('POST');
      await s.kill();
      return [200, s.describe()];
    case 'restart':
      want('POST');
      await s.restart();
      return [200, s.describe()];
    case 'freeze':
      want('POST');
      await s.signal('SIGSTOP', 'frozen');
      return [200, s.describe()];
    case 'thaw':
      want('POST');
      await s.signal('SIGCONT', 'running');
      return [200, s.describe()];
    case 'proxy': {
      want('POST');
      const proxy = requireProxy(s);
      const { mode } = await readJson(req);
      if (!MODES.includes(mode)) {
        throw new HttpError(400, `"mode" must be one of ${MODES.join(', ')}; got ${JSON.stringify(mode)}`);
      }
      proxy.setMode(mode);
      return [200, s.describe()];
    }
    case 'stats':
      want('GET');
      return [200, requireProxy(s).getStats()];
    case 'stats/reset':
      want('POST');
      requireProxy(s).resetStats();
      return [200, s.proxy.getStats()];
    default:
      throw new HttpError(404, `no such endpoint: ${m} ${url.pathname}`);
  }
}

const CORS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET, POST, DELETE, OPTIONS',
  'Access-Control-Allow-Headers': 'content-type',
  'Access-Control-Max-Age': '600',
};

function send(res, status, value) {
  const body = JSON.stringify(value);
  res.writeHead(status, { ...CORS, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

const http = createServer(async (req, res) => {
  if (req.method === 'OPTIONS') {
    res.writeHead(204, CORS);
    res.end();
    return;
  }
  try {
    const url = new URL(req.url, 'http://127.0.0.1');
    const [status, value] = await route(req, url);
    send(res, status, value);
  } catch (e) {
    const status = e instanceof HttpError ? e.status : 500;
    send(res, status, { error: e.message });
    req.resume();
  }
});

let stopping = null;
function shutdown(code = 0) {
  stopping ??= (async () => {
    http.close();
    http.closeAllConnections?.();
    await Promise.allSettled([...servers.values()].map((s) => s.stop()));
    servers.clear();
    process.exit(code);
  })();
  return stopping;
}

process.on('SIGTERM', () => shutdown(0));
process.on('SIGINT', () => shutdown(0));
// Watch stdin only when it is a pipe or socket: a background job's stdin is
// often /dev/null, which would read as closed at once.
const stdinKind = fstatSync(0);
if (stdinKind.isFIFO() || stdinKind.isSocket()) {
  process.stdin.on('end', () => shutdown(0));
  process.stdin.on('error', () => {});
  process.stdin.resume();
}
process.on('exit', () => {
  for (const child of children) {
    try {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
});
process.on('uncaughtException', (e) => {
  process.stderr.write(`conductor: ${e.stack ?? e}\n`);
  shutdown(1);
});

const portFlag = process.argv.indexOf('--port');
const port = portFlag >= 0 ? Number(process.argv[portFlag + 1]) : 0;
http.listen(port, '127.0.0.1', () => {
  process.stdout.write(`conductor on http://127.0.0.1:${http.address().port}\n`);
});
