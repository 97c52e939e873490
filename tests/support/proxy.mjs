// A TCP proxy (node:net) in front of a backend port, for tests of transports,
// fallback and reconnection. Modes, switchable at runtime with setMode():
//
//   pass            forward everything both ways.
//   refuse-upgrade  a connection whose first request is a WebSocket upgrade
//                   (an `Upgrade: websocket` header) gets `HTTP/1.1 403
//                   Forbidden` with a short body and is closed, as a
//                   corporate proxy would; other connections pass.
//   hang-upgrade    a connection whose first request is a WebSocket upgrade
//                   is accepted and read but never answered; it stays open
//                   until the mode changes (then it is closed) or the proxy
//                   closes. Other connections pass.
//   cut             destroys every current connection (both sides) at once,
//                   then behaves as `pass`; mode() reports `pass` afterwards.
//   offline         destroys every current connection, as `cut`, and every
//                   new one as soon as it is accepted, until the mode
//                   changes: the network is gone.
//
// Besides the modes: `latencyMs` (constructor option, or set the property)
// delays every chunk by that much in each direction, keeping their order;
// cutOne() destroys one current connection picked at random.
//   freeze          keeps every connection open but forwards no bytes either
//                   way (nor closes), and holds new connections the same
//                   way; leaving `freeze` (for any other mode, normally
//                   `pass`) releases the held bytes and closes in order.
//
// How requests are seen: the client→server byte stream of each connection
// goes through a small HTTP/1.1 request parser: it reads a request head (up
// to the blank line), then skips a `Content-Length` body, then expects the
// next head (keep-alive: several polling requests share one connection).
// Every head is observed, not only the first; the upgrade decisions above
// only look at the FIRST head of a connection (browsers and Node open a
// WebSocket on a fresh connection, so that is where an upgrade comes).
//
// Handshake counting: a request whose path starts with `/socket.io/` and
// whose query has no `sid` is an Engine.IO handshake, split into websocket
// and polling by its `transport` query parameter. Requests are counted when
// the proxy processes them, so refused and hung upgrade attempts count too
// (see upgradesRefused / upgradesHung for those), and requests held by
// `freeze` count once released.
//
// Limits: after a WebSocket upgrade head, or a head with `Transfer-Encoding:
// chunked` (browsers' fetch with a string/ArrayBuffer body and Node's
// socket.io-client both send Content-Length), or a head over 64 KiB, the
// rest of that connection is forwarded unparsed. HTTP/2 and TLS are not
// understood (the tests use plain HTTP/1.1 on 127.0.0.1). There is no
// backpressure: bytes are buffered in memory when one side is slow, and
// all bytes are buffered while frozen; fine for tests, not for bulk data.

import net from 'node:net';

export const MODES = ['pass', 'refuse-upgrade', 'hang-upgrade', 'cut', 'freeze', 'offline'];

const MAX_HEAD = 64 * 1024;
const HEAD_END = Buffer.from('\r\n\r\n');

/**
 * Incremental HTTP/1.1 request parser for the client→server stream; calls
 * `onHead({method, target, path, query, headers, upgrade})` for each head.
 */
class RequestParser {
  constructor(onHead) {
    this.onHead = onHead;
    this.state = 'head'; // 'head' | 'body' | 'opaque'
    this.head = Buffer.alloc(0);
    this.bodyLeft = 0;
  }

  feed(chunk) {
    let buf = chunk;
    while (buf.length > 0 && this.state !== 'opaque') {
      if (this.state === 'body') {
        const n = Math.min(this.bodyLeft, buf.length);
        this.bodyLeft -= n;
        buf = buf.subarray(n);
        if (this.bodyLeft === 0) this.state = 'head';
        continue;
      }
      // state === 'head'. Search the joined buffer, keeping a 3-byte overlap.
      const joined = this.head.length ? Buffer.concat([this.head, buf]) : buf;
      const end = joined.indexOf(HEAD_END, Math.max(0, this.head.length - 3));
      if (end < 0) {
        if (joined.length > MAX_HEAD) this.state = 'opaque';
        else this.head = Buffer.from(joined);
        return;
      }
      const text = joined.subarray(0, end).toString('latin1');
      buf = joined.subarray(end + 4);
      this.head = Buffer.alloc(0);
      // Tolerate stray CRLFs between requests (RFC 9112 §2.2).
      const head = parseHead(text.replace(/^(\r\n)+/, ''));
      if (!head) {
        this.state = 'opaque';
        return;
      }
      this.onHead(head);
      if (head.upgrade || head.chunked) {
        this.state = 'opaque';
      } else if (head.contentLength > 0) {
        this.state = 'body';
        this.bodyLeft = head.contentLength;
      }
    }
  }
}

function parseHead(text) {
  const lines = text.split('\r\n');
  const m = /^([A-Z]+) (\S+) HTTP\/\d\.\d$/.exec(lines[0]);
  if (!m) return null;
  const headers = {};
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    const value = line.slice(i + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
  }
  const [method, target] = [m[1], m[2]];
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : target.slice(q + 1));
  const contentLength = Number.parseInt(headers['content-length'] ?? '0', 10);
  return {
    method,
    target,
    path,
    query,
    headers,
    upgrade: /\bwebsocket\b/i.test(headers.upgrade ?? ''),
    chunked: /\bchunked\b/i.test(headers['transfer-encoding'] ?? ''),
    contentLength: Number.isFinite(contentLength) && contentLength > 0 ? contentLength : 0,
  };
}

function refusal() {
  const body = 'WebSocket connections are blocked by this proxy.\n';
  return (
    'HTTP/1.1 403 Forbidden\r\n' +
    'Content-Type: text/plain; charset=utf-8\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'Connection: close\r\n\r\n' +
    body
  );
}

/** Ends `sock` once its pending writes are flushed (destroys at the latest after 2 s). */
function closeAfterFlush(sock) {
  if (!sock || sock.destroyed) return;
  if (sock.writableFinished) {
    sock.destroy();
    return;
  }
  sock.once('finish', () => sock.destroy());
  sock.end();
  setTimeout(() => sock.destroy(), 2000).unref();
}

/** One proxied client connection. */
class Conn {
  constructor(proxy, client) {
    this.proxy = proxy;
    this.client = client;
    this.backend = null;
    this.decided = false; // the first head has been seen and acted on
    this.hung = false;
    this.pending = []; // client bytes before the decision
    this.held = []; // [dir, item] while frozen; dir 'up' = client→server
    this.parser = new RequestParser((head) => this.onHead(head));
    this.firstHead = null;

    client.on('data', (b) => this.push('up', b));
    client.on('end', () => this.push('up', 'end'));
    client.on('close', (hadError) => {
      proxy.conns.delete(this);
      proxy.hung.delete(this);
      if (proxy.frozen) proxy.closedWhileFrozen.add(this);
      this.push('up', hadError ? 'reset' : 'close');
    });
    client.on('error', () => {});
    if (proxy.frozen) client.pause();
  }

  push(dir, item) {
    const delay = this.proxy.latencyMs;
    if (delay > 0) setTimeout(() => this.forward(dir, item), delay);
    else this.forward(dir, item);
  }

  forward(dir, item) {
    if (this.proxy.frozen && !this.dead) {
      this.held.push([dir, item]);
      return;
    }
    this.apply(dir, item);
  }

  release() {
    const held = this.held;
    this.held = [];
    for (const [dir, item] of held) this.apply(dir, item);
    if (!this.client.destroyed) this.client.resume();
    if (this.backend && !this.backend.destroyed) this.backend.resume();
  }

  apply(dir, item) {
    if (this.dead) return;
    if (dir === 'up') {
      if (Buffer.isBuffer(item)) {
        this.parser.feed(item);
        if (this.hung || this.dead) return;
        if (!this.decided) {
          this.pending.push(item);
          return;
        }
        this.backend?.write(item);
      } else if (item === 'end') {
        if (this.backend) this.backend.end();
        else this.kill();
      } else if (item === 'reset') {
        this.kill();
      } else {
        // The client closed: finish what the backend still has to receive.
        if (this.backend) closeAfterFlush(this.backend);
        this.dead = true;
      }
    } else if (Buffer.isBuffer(item)) {
      this.client.write(item);
    } else if (item === 'end') {
      this.client.end();
    } else if (item === 'reset') {
      this.kill();
    } else {
      closeAfterFlush(this.client);
    }
  }

  onHead(head) {
    this.proxy.observe(head);
    if (this.decided || this.hung) return;
    this.firstHead = head;
    const mode = this.proxy.mode;
    if (head.upgrade && mode === 'refuse-upgrade') {
      this.proxy.stats.upgradesRefused += 1;
      this.dead = true;
      this.pending = [];
      this.client.end(refusal());
      setTimeout(() => this.client.destroy(), 2000).unref();
      return;
    }
    if (head.upgrade && mode === 'hang-upgrade') {
      this.proxy.stats.upgradesHung += 1;
      this.hung = true;
      this.pending = [];
      this.proxy.hung.add(this);
      return;
    }
    this.connectBackend();
  }

  connectBackend() {
    this.decided = true;
    const backend = net.connect({
      host: this.proxy.backendHost,
      port: this.proxy.backendPort,
      allowHalfOpen: true,
    });
    this.backend = backend;
    backend.on('data', (b) => this.push('down', b));
    backend.on('end', () => this.push('down', 'end'));
    backend.on('close', (hadError) => this.push('down', hadError ? 'reset' : 'close'));
    backend.on('error', () => {});
    if (this.proxy.frozen) backend.pause();
    for (const b of this.pending) backend.write(b);
    this.pending = [];
  }

  pause() {
    this.client.pause();
    this.backend?.pause();
  }

  /** Destroys both sides now. */
  kill() {
    this.dead = true;
    this.held = [];
    this.pending = [];
    this.proxy.hung.delete(this);
    this.client.destroy();
    this.backend?.destroy();
  }
}

export class Proxy {
  /** A proxy to `backendPort` on `backendHost` (default 127.0.0.1); call listen(). */
  constructor({ backendPort, backendHost = '127.0.0.1', latencyMs = 0 }) {
    this.backendPort = backendPort;
    this.backendHost = backendHost;
    this.latencyMs = latencyMs;
    this.mode = 'pass';
    this.frozen = false;
    this.conns = new Set();
    this.hung = new Set();
    this.closedWhileFrozen = new Set();
    this.resetStats();
    this.server = net.createServer({ allowHalfOpen: true, pauseOnConnect: false }, (client) => {
      if (this.mode === 'offline') {
        client.on('error', () => {});
        client.destroy();
        return;
      }
      this.conns.add(new Conn(this, client));
    });
  }

  /** Listens on 127.0.0.1:`port` (0 = free) and resolves with `http://127.0.0.1:P`. */
  listen(port = 0, host = '127.0.0.1') {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        this.port = this.server.address().port;
        this.url = `http://${host}:${this.port}`;
        resolve(this.url);
      });
    });
  }

  /** Switches mode; throws an Error with a sentence for an unknown one. */
  setMode(mode) {
    if (!MODES.includes(mode)) {
      throw new Error(`unknown proxy mode ${JSON.stringify(mode)}: use one of ${MODES.join(', ')}`);
    }
    if (mode === 'cut' || mode === 'offline') {
      this.frozen = false;
      for (const c of [...this.conns, ...this.closedWhileFrozen]) c.kill();
      this.conns.clear();
      this.hung.clear();
      this.closedWhileFrozen.clear();
      this.mode = mode === 'cut' ? 'pass' : 'offline';
      return;
    }
    if (mode !== 'hang-upgrade') {
      for (const c of [...this.hung]) c.kill();
      this.hung.clear();
    }
    this.mode = mode;
    if (mode === 'freeze' && !this.frozen) {
      this.frozen = true;
      for (const c of this.conns) c.pause();
    } else if (mode !== 'freeze' && this.frozen) {
      this.frozen = false;
      for (const c of [...this.conns]) c.release();
      // Connections whose client already closed are no longer in conns but
      // may hold bytes for the backend.
      for (const c of [...this.closedWhileFrozen]) c.release();
      this.closedWhileFrozen.clear();
    }
  }

  /** Destroys one current connection, picked at random; false if there is none. */
  cutOne() {
    const conns = [...this.conns];
    if (conns.length === 0) return false;
    const victim = conns[Math.floor(Math.random() * conns.length)];
    this.conns.delete(victim);
    victim.kill();
    return true;
  }

  observe(head) {
    if (!head.path.startsWith('/socket.io/') || head.query.has('sid')) return;
    this.stats.handshakes += 1;
    const transport = head.query.get('transport');
    if (transport === 'websocket') this.stats.websocketHandshakes += 1;
    else if (transport === 'polling') this.stats.pollingHandshakes += 1;
  }

  resetStats() {
    this.stats = {
      handshakes: 0,
      websocketHandshakes: 0,
      pollingHandshakes: 0,
      upgradesRefused: 0,
      upgradesHung: 0,
    };
  }

  /** Counters since the start (or the last resetStats()), and the open connections. */
  getStats() {
    return { ...this.stats, openConnections: this.conns.size, mode: this.mode };
  }

  /** Stops listening and destroys every connection. */
  close() {
    this.frozen = false;
    for (const c of [...this.conns, ...this.closedWhileFrozen]) c.kill();
    this.conns.clear();
    this.hung.clear();
    this.closedWhileFrozen.clear();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
