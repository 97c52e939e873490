// The official socket.io-client (Node) as a chat client for the interop
// tests: connect over one transport, emit with an ack, and wait for the
// events the server sends (each socket records them all from the start).

import assert from 'node:assert/strict';
import { io } from 'socket.io-client';

/** How long a connection, an ack or an awaited event may take. */
export const TIMEOUT_MS = 5000;

let counter = 0;
/** A room name no other test uses. */
export const freshRoom = (tag) => `${tag}-${process.pid}-${++counter}`;
/** A message id no other test uses. */
export const freshId = () => `id-${process.pid}-${++counter}`;

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Connects over `mode` (`websocket`, `polling`, or `upgrade`: polling first,
 * resolved once upgraded to WebSocket) and resolves with the socket.
 */
export function connect(url, mode, opts = {}) {
  return new Promise((resolve, reject) => {
    const transports = mode === 'upgrade' ? ['polling', 'websocket'] : [mode];
    const socket = io(url, { transports, reconnection: false, forceNew: true, ...opts });
    // Register every server event at once, so none is missed before a test waits for it.
    socket.seen = [];
    socket.onAny((event, ...args) => socket.seen.push({ event, args }));
    const timer = setTimeout(() => reject(new Error(`no connection over ${mode} within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
    socket.once('connect_error', (e) => {
      clearTimeout(timer);
      socket.close();
      reject(Object.assign(new Error(`cannot connect over ${mode}: ${e.message}`), { cause: e }));
    });
    socket.once('connect', () => {
      if (mode !== 'upgrade') {
        clearTimeout(timer);
        return resolve(socket);
      }
      const done = () => {
        clearTimeout(timer);
        resolve(socket);
      };
      if (socket.io.engine.transport.name === 'websocket') done();
      else socket.io.engine.once('upgrade', done);
    });
  });
}

/** Emits `event` with `payload` and resolves with the ack. */
export const ask = (socket, event, payload) => socket.timeout(TIMEOUT_MS).emitWithAck(event, payload);

/**
 * Resolves with the first `event` (already seen or coming) whose first
 * argument satisfies `match`, and removes it from `socket.seen`.
 */
export function waitFor(socket, event, match = () => true) {
  return new Promise((resolve, reject) => {
    const take = () => {
      const i = socket.seen.findIndex((e) => e.event === event && match(e.args[0]));
      if (i < 0) return false;
      const [found] = socket.seen.splice(i, 1);
      resolve(found.args[0]);
      return true;
    };
    if (take()) return;
    const timer = setTimeout(() => {
      socket.offAny(listener);
      reject(new Error(`no ${event} matching within ${TIMEOUT_MS} ms; seen: ${JSON.stringify(socket.seen)}`));
    }, TIMEOUT_MS);
    const listener = () => {
      if (take()) {
        clearTimeout(timer);
        socket.offAny(listener);
      }
    };
    socket.onAny(listener);
  });
}

/** The `event`s seen so far whose first argument has `room`. */
export const seenIn = (socket, event, room) =>
  socket.seen.filter((e) => e.event === event && e.args[0]?.room === room).map((e) => e.args[0]);

/** Joins `room` as `name` and returns the ack, asserting it is ok. */
export async function join(socket, room, name, since) {
  const payload = since === undefined ? { room, name } : { room, name, since };
  const ack = await ask(socket, 'join', payload);
  assert.equal(ack.ok, true, `join ${room} as ${name}: ${JSON.stringify(ack)}`);
  return ack;
}

/** Sends `text` to `room` and returns the ack. */
export const send = (socket, room, text, id = freshId()) => ask(socket, 'message', { room, id, text });

/**
 * Follows `room` on `socket` as a client that catches up by `seq`: every
 * `message` is kept by its seq; when one skips ahead, or a catch-up came
 * back a full page long, it joins again `since` the last seq it holds
 * without a hole. Resolves the returned object's `joined` once the first
 * join is acked; after socket.io-client reconnects, it joins again the
 * same way. `seqs()` lists what it holds, `synced` how far it is
 * complete; `liveDuplicates` counts messages delivered again live.
 */
export function followRoom(socket, room, name) {
  const follower = { got: new Map(), synced: 0, fetching: false, liveDuplicates: 0, joins: 0, mismatches: 0 };
  const take = (m) => {
    const held = follower.got.get(m.seq);
    if (held) {
      if (held.id !== m.id) follower.mismatches += 1;
      return false;
    }
    follower.got.set(m.seq, m);
    return true;
  };
  const advance = () => {
    while (follower.got.has(follower.synced + 1)) follower.synced += 1;
  };
  const behind = () => {
    for (const seq of follower.got.keys()) if (seq > follower.synced) return true;
    return false;
  };
  const catchUp = async () => {
    if (follower.fetching) return;
    follower.fetching = true;
    try {
      for (;;) {
        follower.joins += 1;
        // An overloaded server may drop the ack (the socket's buffer was
        // full): ask again.
        const ack = await socket
          .timeout(3000)
          .emitWithAck('join', { room, name, since: follower.synced })
          .catch(() => null);
        if (!ack?.ok) continue;
        for (const m of ack.history) take(m);
        const page = ack.history;
        // The server's history is gap-free: a page covers up to its last seq.
        if (page.length > 0) follower.synced = Math.max(follower.synced, page.at(-1).seq);
        advance();
        const limit = ack.limits?.historyLimit ?? 100;
        if (page.length < limit && !behind()) break;
      }
    } finally {
      follower.fetching = false;
    }
  };
  socket.on('message', (m) => {
    if (m.room !== room) return;
    if (!take(m)) follower.liveDuplicates += 1;
    advance();
    if (behind()) catchUp();
  });
  // A reconnection is a new session (on whichever server answers), which
  // is in no room: join again since the last seq held without a hole.
  socket.io.on('reconnect', () => catchUp());
  follower.joined = socket
    .timeout(20000)
    .emitWithAck('join', { room, name })
    .then((ack) => {
      for (const m of ack.history) take(m);
      advance();
    });
  follower.seqs = () => [...follower.got.keys()].sort((x, y) => x - y);
  return follower;
}
