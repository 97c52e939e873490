// The conductor (tests/support/conductor.mjs), its proxy and the Node
// socket.io peer, end to end with the official socket.io-client: the
// infrastructure the browser tests drive over HTTP.
//
// Run from the repository root after `cargo build -p leptos-socketio-server`:
//   node --test tests/interop/conductor.test.mjs

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import { io } from 'socket.io-client';
import { root } from '../support/server.mjs';

const CONDUCTOR = path.join(root, 'tests/support/conductor.mjs');

let conductor; // { child, url }
const sockets = new Set();

function startConductor() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CONDUCTOR], { stdio: ['pipe', 'pipe', 'inherit'] });
    const timer = setTimeout(() => reject(new Error('the conductor printed no URL within 10 s')), 10000);
    child.once('exit', (code) => reject(new Error(`the conductor exited early with code ${code}`)));
    createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      const m = /^conductor on (http:\/\/127\.0\.0\.1:\d+)$/.exec(line);
      if (!m) reject(new Error(`unexpected conductor line ${JSON.stringify(line)}`));
      else resolve({ child, url: m[1] });
    });
  });
}

/** Calls the conductor; resolves with `{status, body}`. */
async function call(method, url, body) {
  const res = await fetch(conductor.url + url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/** Like call(), but asserts a 2xx answer and returns its body. */
async function api(method, url, body) {
  const { status, body: answer } = await call(method, url, body);
  assert.ok(status >= 200 && status < 300, `${method} ${url} → ${status} ${JSON.stringify(answer)}`);
  return answer;
}

function client(url, opts = {}) {
  const socket = io(url, { reconnection: false, forceNew: true, ...opts });
  sockets.add(socket);
  return socket;
}

function once(socket, event, ms = 5000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${event} within ${ms} ms`)), ms);
    socket.once(event, (...args) => {
      clearTimeout(timer);
      resolve(args);
    });
  });
}

/** Connects and resolves with the socket, or rejects with the connect_error. */
function connect(url, opts = {}, ms = 5000) {
  const socket = client(url, opts);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not connected within ${ms} ms`)), ms);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('connect_error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

/** Emits with an ack and resolves with ALL the ack's arguments, as an array. */
function ack(socket, event, ...args) {
  return new Promise((resolve, reject) => {
    socket.timeout(5000).emit(event, ...args, (err, ...reply) => (err ? reject(err) : resolve(reply)));
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

before(async () => {
  conductor = await startConductor();
});

after(async () => {
  for (const s of sockets) s.disconnect();
  if (conductor && conductor.child.exitCode === null) {
    const exited = new Promise((r) => conductor.child.once('exit', r));
    conductor.child.kill('SIGTERM');
    await exited;
  }
});

describe('conductor API', () => {
  test('CORS preflight and headers', async () => {
    const res = await fetch(`${conductor.url}/servers`, { method: 'OPTIONS' });
    assert.equal(res.status, 204);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.match(res.headers.get('access-control-allow-methods'), /DELETE/);
    assert.match(res.headers.get('access-control-allow-headers'), /content-type/i);
  });

  test('errors are JSON sentences', async () => {
    const unknown = await call('POST', '/servers/nope/kill');
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.error, /no server with id "nope"/);
    const badKind = await call('POST', '/servers', { kind: 'python' });
    assert.equal(badKind.status, 400);
    assert.match(badKind.body.error, /"kind" must be "rust" or "node"/);
    const badRoute = await call('GET', '/nowhere');
    assert.equal(badRoute.status, 404);
    assert.match(badRoute.body.error, /no such endpoint/);
    const badArgs = await call('POST', '/servers', { kind: 'rust', args: ['--transports', 'flash'] });
    assert.equal(badArgs.status, 500);
    assert.match(badArgs.body.error, /unknown transport "flash"/);
  });
});

describe('rust server behind the proxy', () => {
  let s;
  before(async () => {
    s = await api('POST', '/servers', { kind: 'rust', proxy: true });
    assert.match(s.proxyUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
  });
  after(async () => {
    if (s) await api('DELETE', `/servers/${s.id}`);
  });

  test('websocket through the proxy; stats count the handshake', async () => {
    const socket = await connect(s.proxyUrl, { transports: ['websocket'] });
    assert.deepEqual(await ack(socket, 'echo', 'hi', Buffer.from([7])), ['hi', Buffer.from([7])]);
    const stats = await api('GET', `/servers/${s.id}/stats`);
    assert.equal(stats.handshakes, 1);
    assert.equal(stats.websocketHandshakes, 1);
    assert.equal(stats.pollingHandshakes, 0);
    assert.equal(stats.openConnections, 1);
    socket.disconnect();
  });

  test('refuse-upgrade: websocket fails, polling works', async () => {
    await api('POST', `/servers/${s.id}/stats/reset`);
    await api('POST', `/servers/${s.id}/proxy`, { mode: 'refuse-upgrade' });
    await assert.rejects(connect(s.proxyUrl, { transports: ['websocket'] }), /websocket error/);
    const polling = await connect(s.proxyUrl, { transports: ['polling'] });
    assert.deepEqual(await ack(polling, 'echo', 1), [1]);
    // A request line inside a POST body is not a request: bodies are skipped.
    const decoy = '\r\n\r\nGET /socket.io/?EIO=4&transport=polling HTTP/1.1\r\nHost: x\r\n\r\n';
    assert.deepEqual(await ack(polling, 'echo', decoy), [decoy]);
    // Polling first, then the upgrade is refused: the client stays on polling.
    const upgrading = await connect(s.proxyUrl, { transports: ['polling', 'websocket'] });
    await sleep(300);
    assert.equal(upgrading.io.engine.transport.name, 'polling');
    assert.deepEqual(await ack(upgrading, 'echo', 2), [2]);
    const stats = await api('GET', `/servers/${s.id}/stats`);
    assert.equal(stats.websocketHandshakes, 1);
    assert.equal(stats.pollingHandshakes, 2);
    assert.equal(stats.upgradesRefused, 2);
    polling.disconnect();
    upgrading.disconnect();
  });

  test('hang-upgrade: a websocket-only client does not connect within 1 s', async () => {
    await api('POST', `/servers/${s.id}/proxy`, { mode: 'hang-upgrade' });
    const socket = client(s.proxyUrl, { transports: ['websocket'] });
    let connected = false;
    socket.on('connect', () => (connected = true));
    await sleep(1000);
    assert.equal(connected, false);
    assert.equal((await api('GET', `/servers/${s.id}/stats`)).upgradesHung, 1);
    socket.disconnect();
    const polling = await connect(s.proxyUrl, { transports: ['polling'] });
    polling.disconnect();
    await api('POST', `/servers/${s.id}/proxy`, { mode: 'pass' });
  });

  test('cut disconnects a connected client', async () => {
    const socket = await connect(s.proxyUrl, { transports: ['websocket'] });
    const gone = once(socket, 'disconnect');
    const after = await api('POST', `/servers/${s.id}/proxy`, { mode: 'cut' });
    assert.equal(after.proxyMode, 'pass');
    const [reason] = await gone;
    assert.equal(reason, 'transport close');
    const again = await connect(s.proxyUrl, { transports: ['websocket'] });
    again.disconnect();
  });

  for (const transport of ['websocket', 'polling']) {
    test(`proxy freeze holds bytes until pass (${transport})`, async () => {
      const socket = await connect(s.proxyUrl, { transports: [transport] });
      await api('POST', `/servers/${s.id}/proxy`, { mode: 'freeze' });
      let answered = null;
      const pending = ack(socket, 'echo', 'held').then((r) => (answered = r));
      await sleep(400);
      assert.equal(answered, null, 'no answer while frozen');
      assert.equal(socket.connected, true);
      await api('POST', `/servers/${s.id}/proxy`, { mode: 'pass' });
      assert.deepEqual(await pending, ['held']);
      socket.disconnect();
    });
  }

  test('server freeze/thaw (SIGSTOP/SIGCONT)', async () => {
    const socket = await connect(s.url, { transports: ['websocket'] });
    assert.equal((await api('POST', `/servers/${s.id}/freeze`)).state, 'frozen');
    let answered = null;
    const pending = ack(socket, 'echo', 'x').then((r) => (answered = r));
    await sleep(300);
    assert.equal(answered, null);
    assert.equal((await api('POST', `/servers/${s.id}/thaw`)).state, 'running');
    assert.deepEqual(await pending, ['x']);
    socket.disconnect();
  });

  test('kill + restart: socket.io-client reconnects on the same URL', async () => {
    const socket = client(s.proxyUrl, {
      transports: ['websocket'],
      reconnection: true,
      reconnectionDelay: 100,
      reconnectionDelayMax: 200,
    });
    await once(socket, 'connect');
    const oldPid = (await api('GET', `/servers/${s.id}`)).pid;
    const gone = once(socket, 'disconnect');
    const killed = await api('POST', `/servers/${s.id}/kill`);
    assert.equal(killed.state, 'killed');
    assert.equal(alive(oldPid), false);
    await gone;
    await sleep(300); // a few failed attempts while it is down
    const back = once(socket, 'connect');
    const restarted = await api('POST', `/servers/${s.id}/restart`);
    assert.equal(restarted.url, s.url);
    assert.notEqual(restarted.pid, oldPid);
    await back;
    assert.deepEqual(await ack(socket, 'echo', 'back'), ['back']);
    socket.disconnect();
  });
});

describe('rust server --transports', () => {
  test('websocket only: polling is refused', async () => {
    const s = await api('POST', '/servers', { kind: 'rust', args: ['--transports', 'websocket'] });
    try {
      await connect(s.url, { transports: ['websocket'] }).then((x) => x.disconnect());
      await assert.rejects(connect(s.url, { transports: ['polling'] }));
    } finally {
      await api('DELETE', `/servers/${s.id}`);
    }
  });
});

describe('node socket.io peer', () => {
  let s;
  before(async () => {
    s = await api('POST', '/servers', { kind: 'node', args: ['--ping-interval', '2000'] });
  });
  after(async () => {
    if (s) await api('DELETE', `/servers/${s.id}`);
  });

  test('/private needs the token', async () => {
    await assert.rejects(connect(`${s.url}/private`, {}), (e) => e.message === 'unauthorized');
    const ok = await connect(`${s.url}/private`, { auth: { token: 'secret' } });
    assert.deepEqual(await ack(ok, 'whoami'), [{ nsp: '/private', id: ok.id }]);
    ok.disconnect();
  });

  test('echo, auth, whoami, greeting, /admin', async () => {
    const socket = client(s.url, { auth: { greet: true, n: 1 } });
    const [greeting] = await once(socket, 'greeting');
    assert.equal(greeting.hello, 'world');
    assert.deepEqual([...greeting.bin], [1, 2, 3]);
    assert.deepEqual(await ack(socket, 'echo', 'a', { b: Buffer.from([9]) }, 3), ['a', { b: Buffer.from([9]) }, 3]);
    assert.deepEqual(await ack(socket, 'auth'), [{ greet: true, n: 1 }]);
    assert.deepEqual(await ack(socket, 'whoami'), [{ nsp: '/', id: socket.id }]);
    const admin = await connect(`${s.url}/admin`, { transports: ['polling'] });
    assert.deepEqual(await ack(admin, 'echo', 5), [5]);
    assert.deepEqual(await ack(admin, 'whoami'), [{ nsp: '/admin', id: admin.id }]);
    socket.disconnect();
    admin.disconnect();
  });

  test('ask: the server asks, the client answers through its ack', async () => {
    const socket = await connect(s.url, {});
    socket.on('question', (a, b, reply) => reply(`${a}+${b}`));
    assert.deepEqual(await ack(socket, 'ask', 'x', 'y'), [{ answer: 'x+y' }]);
    socket.disconnect();
  });
});

test('the conductor stops every child on SIGTERM', async () => {
  const a = await api('POST', '/servers', { kind: 'rust', proxy: true });
  const b = await api('POST', '/servers', { kind: 'node' });
  await api('POST', `/servers/${a.id}/freeze`);
  const exited = new Promise((r) => conductor.child.once('exit', r));
  conductor.child.kill('SIGTERM');
  assert.equal(await exited, 0);
  assert.equal(alive(a.pid), false, 'the frozen rust server is gone');
  assert.equal(alive(b.pid), false, 'the node peer is gone');
});
