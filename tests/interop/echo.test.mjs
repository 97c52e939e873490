// Interop: the official socket.io-client (Node) against our server's `echo`.
//
// Run from the repository root after `cargo build -p leptos-socketio-server`:
//   node --test tests/interop/
// LSIO_SERVER_BIN overrides the server binary (default
// target/debug/leptos-socketio-server).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { io } from 'socket.io-client';
import { startServer, stopServer } from '../support/server.mjs';

const ACK_TIMEOUT_MS = 5000;

let server; // { child, url, stderr() }

/** Connects with exactly one transport and resolves once connected. */
function connect(url, transport) {
  return new Promise((resolve, reject) => {
    const socket = io(url, { transports: [transport], reconnection: false, forceNew: true });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (e) => {
      socket.close();
      reject(new Error(`cannot connect over ${transport}: ${e.message}`));
    });
  });
}

/** Emits `echo` with `args` and resolves with ALL the ack's arguments. */
function echoAll(socket, ...args) {
  return new Promise((resolve, reject) => {
    socket.timeout(ACK_TIMEOUT_MS).emit('echo', ...args, (err, ...reply) => {
      if (err) reject(err);
      else resolve(reply);
    });
  });
}

const isBinary = (v) => Buffer.isBuffer(v) || v instanceof ArrayBuffer || ArrayBuffer.isView(v);

/** Asserts `actual` is binary (not a JSON array of numbers) with the bytes of `expected`. */
function assertSameBytes(actual, expected, where) {
  assert.ok(isBinary(actual), `${where}: expected binary, got ${typeof actual} ${JSON.stringify(actual)}`);
  const bytes = actual instanceof ArrayBuffer ? Buffer.from(actual) : Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength);
  assert.deepEqual([...bytes], [...expected], `${where}: bytes differ`);
}

/** Deep-compares a value that may hold Buffers anywhere; binary must come back as binary. */
function assertEchoed(actual, expected, where = 'value') {
  if (Buffer.isBuffer(expected)) return assertSameBytes(actual, expected, where);
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${where}: expected an array`);
    assert.equal(actual.length, expected.length, `${where}: length`);
    expected.forEach((e, i) => assertEchoed(actual[i], e, `${where}[${i}]`));
    return;
  }
  if (expected !== null && typeof expected === 'object') {
    assert.ok(actual !== null && typeof actual === 'object' && !isBinary(actual), `${where}: expected an object`);
    assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), `${where}: keys`);
    for (const k of Object.keys(expected)) assertEchoed(actual[k], expected[k], `${where}.${k}`);
    return;
  }
  assert.deepStrictEqual(actual, expected, where);
}

before(async () => {
  server = await startServer();
});

after(async () => {
  if (server) await stopServer(server);
});

for (const transport of ['websocket', 'polling']) {
  describe(`echo over ${transport}`, () => {
    let socket;

    before(async () => {
      socket = await connect(server.url, transport);
      assert.equal(socket.io.engine.transport.name, transport);
    });

    after(() => socket?.close());

    test('a string comes back unchanged', async () => {
      const reply = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('echo', 'héllo, wörld ✓');
      assert.equal(reply, 'héllo, wörld ✓');
    });

    test('nested JSON comes back unchanged', async () => {
      const value = {
        n: 42,
        f: -1.5,
        big: 9007199254740991,
        t: true,
        z: null,
        s: 'text',
        list: [1, 'two', { three: [3] }, [], {}],
        obj: { a: { b: { c: 'deep' } } },
      };
      const reply = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('echo', value);
      assert.deepStrictEqual(reply, value);
    });

    test('several arguments come back in order', async () => {
      const args = ['first', 2, { third: true }, [4], null];
      const first = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('echo', ...args);
      assert.deepStrictEqual(first, 'first');
      const all = await echoAll(socket, ...args);
      assert.deepStrictEqual(all, args);
    });

    test('a Buffer comes back as binary with equal bytes', async () => {
      const buf = Buffer.from([0, 1, 2, 127, 128, 254, 255]);
      const reply = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('echo', buf);
      assertSameBytes(reply, buf, 'reply');
    });

    test('an object holding Buffers comes back with binary in place', async () => {
      const value = {
        name: 'file.bin',
        data: Buffer.from('binary payload'),
        parts: [Buffer.from([1, 2, 3]), { inner: Buffer.from([]) }, 'after'],
      };
      const reply = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('echo', value);
      assertEchoed(reply, value, 'reply');
    });

    test('binary and text arguments mixed come back in order', async () => {
      const args = [Buffer.from([9, 8, 7]), 'between', { b: Buffer.from([6]) }];
      const all = await echoAll(socket, ...args);
      assertEchoed(all, args, 'args');
    });
  });
}

test('SIGTERM with clients connected closes them and exits 0 promptly', async () => {
  const clients = await Promise.all([connect(server.url, 'polling'), connect(server.url, 'websocket')]);
  const disconnected = clients.map((c) => new Promise((resolve) => c.once('disconnect', resolve)));
  const started = Date.now();
  const code = await stopServer(server);
  assert.equal(code, 0, `exit code; stderr:\n${server.stderr()}`);
  assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
  await Promise.all(disconnected);
  clients.forEach((c) => c.close());
});
