// The chat contract of DESIGN.md on the official socket.io 4.8 server: the
// Node side of the load benchmark (benches/load), so both servers answer
// the same clients with the same events.
//
//   node tests/support/chat-server.mjs --port 0 [--exit-with-stdin]
//
// Listens on 127.0.0.1 and prints `listening on http://127.0.0.1:PORT` once
// bound; stops on SIGTERM/SIGINT (and when stdin closes with
// --exit-with-stdin). `GET /rss` answers the process's resident set size in
// bytes after a full garbage collection when node runs with --expose-gc
// (the benchmark measures memory per connection with it).
//
// What differs from our server, on purpose and stated in BENCHMARKS.md:
// history lives in memory (Node 20 has no SQLite without a native module,
// which cannot be built here), there is no rate limit and no per-socket
// send buffer (socket.io's buffers grow without bound, so it never refuses
// a delivery). Broadcasts use socket.io's own `io.to(room).emit`.

import { createServer } from 'node:http';
import { Server } from 'socket.io';

const HISTORY_LIMIT = 100;
const MAX_TEXT_CHARS = 4000;
const ROOM = /^[A-Za-z0-9._-]{1,64}$/;

function usage(why) {
  process.stderr.write(`error: ${why}\nusage: node tests/support/chat-server.mjs --port PORT [--exit-with-stdin]\n`);
  process.exit(2);
}

let port = 0;
let exitWithStdin = false;
const argv = process.argv.slice(2);
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--port') {
    port = Number(argv[++i]);
    if (!Number.isInteger(port) || port < 0 || port > 65535) usage(`--port needs 0-65535, got ${JSON.stringify(argv[i])}`);
  } else if (argv[i] === '--exit-with-stdin') {
    exitWithStdin = true;
  } else {
    usage(`unknown argument ${JSON.stringify(argv[i])}`);
  }
}

const httpServer = createServer((req, res) => {
  if (req.url === '/rss') {
    globalThis.gc?.();
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(String(process.memoryUsage.rss()));
    return;
  }
  if (req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  }
});
const io = new Server(httpServer, { cors: { origin: '*' } });

/** room → { seq, messages: [Message], ids: Map<id, seq> } */
const history = new Map();
/** room → Map<socket id, name> */
const members = new Map();

function roomOf(name) {
  let room = history.get(name);
  if (!room) {
    room = { seq: 0, messages: [], ids: new Map() };
    history.set(name, room);
  }
  return room;
}

function names(room) {
  return [...new Set((members.get(room) ?? new Map()).values())].sort();
}

function presence(room) {
  io.to(room).emit('presence', { room, members: names(room) });
}

function ackWith(ack, value) {
  if (typeof ack === 'function') ack(value);
}

const refuse = (ack, error) => ackWith(ack, { ok: false, error });

io.on('connection', (socket) => {
  socket.on('join', (payload, ack) => {
    const { room, name, since } = payload ?? {};
    if (typeof room !== 'string' || !ROOM.test(room)) return refuse(ack, 'The room name is not valid.');
    if (typeof name !== 'string' || name.trim().length === 0 || name.trim().length > 32) {
      return refuse(ack, 'The name must be 1 to 32 characters.');
    }
    if (since !== undefined && since !== null && !(Number.isInteger(since) && since >= 0)) {
      return refuse(ack, 'since must be a non-negative integer.');
    }
    socket.join(room);
    if (!members.has(room)) members.set(room, new Map());
    members.get(room).set(socket.id, name.trim());
    const stored = roomOf(room).messages;
    const page =
      since === undefined || since === null
        ? stored.slice(-HISTORY_LIMIT)
        : stored.filter((m) => m.seq > since).slice(0, HISTORY_LIMIT);
    ackWith(ack, {
      ok: true,
      history: page,
      members: names(room),
      limits: { maxTextChars: MAX_TEXT_CHARS, historyLimit: HISTORY_LIMIT },
    });
    presence(room);
  });

  socket.on('leave', (payload, ack) => {
    const room = payload?.room;
    const was = members.get(room)?.delete(socket.id);
    socket.leave(room);
    ackWith(ack, { ok: true });
    if (was) presence(room);
  });

  socket.on('message', (payload, ack) => {
    const { room, id, text } = payload ?? {};
    const name = members.get(room)?.get(socket.id);
    if (name === undefined) return refuse(ack, `Join room "${room}" before sending to it.`);
    if (typeof id !== 'string' || id.length === 0 || id.length > 128) return refuse(ack, 'The id must be 1 to 128 characters.');
    if (typeof text !== 'string' || text.trim().length === 0 || [...text].length > MAX_TEXT_CHARS) {
      return refuse(ack, `The text must be 1 to ${MAX_TEXT_CHARS} characters.`);
    }
    const stored = roomOf(room);
    const seen = stored.ids.get(id);
    if (seen !== undefined) return ackWith(ack, { ok: true, seq: seen });
    const message = { room, seq: ++stored.seq, id, name, text, ts: Date.now() };
    stored.messages.push(message);
    stored.ids.set(id, message.seq);
    ackWith(ack, { ok: true, seq: message.seq });
    io.to(room).emit('message', message);
  });

  socket.on('typing', (payload) => {
    const room = payload?.room;
    const name = members.get(room)?.get(socket.id);
    if (name !== undefined) socket.to(room).emit('typing', { room, name });
  });

  socket.on('echo', (...args) => {
    const ack = args.at(-1);
    if (typeof ack === 'function') ack(...args.slice(0, -1));
  });

  socket.on('disconnect', () => {
    for (const [room, inRoom] of members) {
      if (inRoom.delete(socket.id)) presence(room);
    }
  });
});

function stop() {
  io.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
if (exitWithStdin) {
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
}

httpServer.once('error', (e) => {
  process.stderr.write(`error: cannot listen on 127.0.0.1:${port}: ${e.message}\n`);
  process.exit(1);
});
httpServer.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening on http://127.0.0.1:${httpServer.address().port}\n`);
});
