// The browser benchmark's runner, loaded by each of the three pages
// (ours, socket.io-client, raw WebSocket). One loop drives every client
// through the same adapter: `connected()` resolves with the transport's name,
// `echo(payload, done)` emits `echo` with an ack and calls `done(error,
// echoed)`, `close()` disconnects. `benches/browser/run.mjs` calls
// `window.lsioBench(spec)` in a fresh page per run.

'use strict';

/** The raw floor: Engine.IO v4 / Socket.IO v5 over a bare WebSocket, nothing else. */
class RawClient {
  constructor(url) {
    this.ws = new WebSocket(`${url.replace(/^http/, 'ws')}/socket.io/?EIO=4&transport=websocket`);
    this.nextId = 0;
    this.pending = new Map();
    this.ready = new Promise((resolve, reject) => {
      this.ws.onerror = () => reject(new Error('the WebSocket failed'));
      this.ws.onmessage = ({ data }) => {
        if (data === '2') return this.ws.send('3');
        if (data.startsWith('43')) {
          let end = 2;
          while (data.charCodeAt(end) >= 48 && data.charCodeAt(end) <= 57) end++;
          const id = Number(data.slice(2, end));
          const done = this.pending.get(id);
          this.pending.delete(id);
          return done?.(null, JSON.parse(data.slice(end))[0]);
        }
        if (data.startsWith('40')) return resolve('websocket');
        if (data[0] === '0') return this.ws.send('40');
      };
    });
  }
  connected() {
    return this.ready;
  }
  echo(payload, done) {
    const id = this.nextId++;
    this.pending.set(id, done);
    this.ws.send(`42${id}${JSON.stringify(['echo', payload])}`);
  }
  close() {
    this.ws.close();
  }
}

/** socket.io-client 4.8 (the page loads its browser bundle). `auto` is its own default: polling, then upgrade. */
function socketIoClient(url, transport) {
  const transports = transport === 'auto' ? ['polling', 'websocket'] : [transport];
  const socket = window.io(url, { transports, reconnection: false, forceNew: true });
  return {
    connected: () =>
      new Promise((resolve, reject) => {
        socket.once('connect', () => resolve(socket.io.engine.transport.name));
        socket.once('connect_error', (e) => reject(new Error(e.message)));
      }),
    echo: (payload, done) => socket.emit('echo', payload, (echoed) => done(null, echoed)),
    close: () => socket.close(),
  };
}

function makeClient(client, url, transport) {
  switch (client) {
    case 'ours':
    case 'ours-baseline':
      return new window.wasmBindings.OursClient(url, transport);
    case 'socket.io-client':
      return socketIoClient(url, transport);
    case 'raw':
      if (transport !== 'websocket') throw new Error(`the raw floor speaks WebSocket only, not ${transport}`);
      return new RawClient(url);
    default:
      throw new Error(`unknown client ${client}`);
  }
}

/** `size` bytes of ASCII, the same for every client. */
function makePayload(size) {
  const unit = 'abcdefghijklmnopqrstuvwxyz012345';
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
}

function echoOnce(client, payload) {
  return new Promise((resolve, reject) =>
    client.echo(payload, (error, echoed) => {
      if (error != null) reject(new Error(`an echo failed: ${error}`));
      else if (echoed !== payload) reject(new Error(`an echo came back different (${String(echoed).length} bytes)`));
      else resolve();
    }),
  );
}

/** `count` round trips one after another; their times in ms. */
async function sequential(client, payload, count) {
  const times = new Array(count);
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await echoOnce(client, payload);
    times[i] = performance.now() - start;
  }
  return times;
}

/** `total` echoes with `inflight` outstanding at any time; messages per second. */
function pipelined(client, payload, total, inflight) {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let done = 0;
    let failed = false;
    const start = performance.now();
    const sendOne = () => {
      sent++;
      client.echo(payload, (error, echoed) => {
        if (failed) return;
        if (error != null || echoed !== payload) {
          failed = true;
          return reject(new Error(error != null ? `an echo failed: ${error}` : 'an echo came back different'));
        }
        done++;
        if (done === total) return resolve(total / ((performance.now() - start) / 1000));
        if (sent < total) sendOne();
      });
    };
    for (let i = 0; i < Math.min(inflight, total); i++) sendOne();
  });
}

function quantile(times, q) {
  const sorted = [...times].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * One run: connect `client` to `url` over `transport`, then `kind`:
 * `connect` (time to connected only), `rtt` (`count` sequential round trips
 * after `warmup`: p50, p99 in µs) or `pipelined` (`count` echoes, `inflight`
 * outstanding, after `warmup`: msgs/s). Every echo is checked.
 */
window.lsioBench = async function lsioBench({ client, url, transport, kind, size, warmup, count, inflight }) {
  const start = performance.now();
  const c = makeClient(client, url, transport);
  try {
    const connectedOver = await withTimeout(c.connected(), 20000, 'connecting');
    const result = { transport: connectedOver, connectMs: performance.now() - start };
    if (kind === 'connect') return result;
    const payload = makePayload(size);
    await withTimeout(sequential(c, payload, warmup), 60000, 'the warm-up');
    if (kind === 'rtt') {
      const times = await withTimeout(sequential(c, payload, count), 120000, 'the round trips');
      result.p50 = quantile(times, 0.5) * 1000;
      result.p99 = quantile(times, 0.99) * 1000;
    } else if (kind === 'pipelined') {
      result.msgsPerSec = await withTimeout(pipelined(c, payload, count, inflight), 120000, 'the pipelined echoes');
    } else {
      throw new Error(`unknown kind ${kind}`);
    }
    result.echoes = warmup + count;
    return result;
  } finally {
    c.close();
  }
};
