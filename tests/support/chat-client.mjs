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
