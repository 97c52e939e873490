// Bad input on every chat event, sent raw over WebSocket (a client library
// would refuse to send most of it): wrong-typed, truncated, nested 10 000
// levels deep, and over the max payload. Each gets a clear `{ok:false,
// error}` when its packet can be read (the ack id with it), or, when the
// packet cannot be read or is over the max payload, that one connection is
// closed. Meanwhile an official socket.io-client in the room keeps being
// served, and nothing stored is lost. The counts are printed.
//
// Run from the repository root:
//   cargo build -p leptos-socketio-server && node --test tests/interop/bad_input.test.mjs

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import WebSocket from 'ws';
import { startServer, stopServer } from '../support/server.mjs';
import { connect, freshRoom, join, send, waitFor } from '../support/chat-client.mjs';

const EVENTS = ['join', 'leave', 'message', 'typing', 'echo'];
const MAX_PAYLOAD = 1_000_000;

let server;

before(async () => {
  server = await startServer();
});

after(async () => {
  if (server) await stopServer(server);
});

const deep = (levels) => '['.repeat(levels) + ']'.repeat(levels);

/**
 * Opens a raw Engine.IO WebSocket, joins namespace `/` (and `room`, when
 * given, so a `message` is allowed), sends `frame`, and resolves with
 * `{ack, closed}`: the answer to ack id 9 (parsed), or whether the server
 * closed the connection, within `ms`.
 */
function rawSend(frame, room, ms = 2000) {
  const url = `${server.url.replace('http', 'ws')}/socket.io/?EIO=4&transport=websocket`;
  return new Promise((resolve) => {
    const ws = new WebSocket(url);
    const done = (outcome) => {
      clearTimeout(timer);
      ws.removeAllListeners();
      ws.on('error', () => {});
      ws.close();
      resolve(outcome);
    };
    const timer = setTimeout(() => done({ ack: null, closed: false }), ms);
    ws.on('message', (data) => {
      const text = String(data);
      if (text.startsWith('0{')) ws.send('40');
      else if (text === '2') ws.send('3');
      else if (text.startsWith('40{')) {
        if (room) ws.send(`421["join",${JSON.stringify({ room, name: 'mallory' })}]`);
        else ws.send(frame);
      } else if (text.startsWith('431[') && room) ws.send(frame);
      else if (text.startsWith('439[')) done({ ack: JSON.parse(text.slice(3))[0], closed: false });
      else if (text === '1') done({ ack: null, closed: true });
    });
    ws.on('close', () => done({ ack: null, closed: true }));
    ws.on('error', () => done({ ack: null, closed: true }));
  });
}

/** The bad payloads of `event`: `[kind, frame, what must happen]`. */
function badFrames(event) {
  const frames = [];
  if (event !== 'echo') {
    // echo takes any value, so nothing is of the wrong type for it.
    for (const value of [42, '"a string"', '[1,2]', 'null', '{"room":5,"name":[],"id":{},"text":[]}']) {
      frames.push(['wrong-typed', `429["${event}",${value}]`, 'refused']);
    }
    frames.push(['no argument', `429["${event}"]`, 'refused']);
    frames.push(['deeply nested', `429["${event}",{"room":${deep(10_000)}}]`, 'refused']);
  } else {
    frames.push(['deeply nested', `429["echo",${deep(10_000)}]`, 'answered or closed']);
  }
  frames.push(['truncated', `429["${event}",{"room":"x","text":"cut o`, 'closed']);
  const big = 'x'.repeat(MAX_PAYLOAD + 10);
  frames.push(['over the max payload', `429["${event}",{"room":"r","id":"big","text":"${big}"}]`, 'closed']);
  return frames;
}

test('bad input on every chat event: a sentence or that one connection closed; others served, nothing lost', async () => {
  const room = freshRoom('bad');
  const watcher = await connect(server.url, 'websocket');
  await join(watcher, room, 'Wendy');
  const before = [];
  for (const text of ['one', 'two', 'three']) before.push(await send(watcher, room, text));
  assert.ok(before.every((a) => a.ok));

  const counts = { sent: 0, refused: 0, closed: 0, answered: 0 };
  for (const event of EVENTS) {
    for (const [kind, frame, want] of badFrames(event)) {
      counts.sent += 1;
      const { ack, closed } = await rawSend(frame, event === 'message' ? room : undefined);
      const what = `${event}, ${kind}`;
      if (want === 'refused') {
        assert.equal(closed, false, `${what}: the connection stays open`);
        assert.equal(ack?.ok, false, `${what}: {ok:false} (got ${JSON.stringify(ack)})`);
        assert.match(ack.error, /^[A-Z].{10,}\.$/, `${what}: a sentence (got ${JSON.stringify(ack.error)})`);
        counts.refused += 1;
      } else if (want === 'closed') {
        assert.equal(closed, true, `${what}: that connection is closed (got the ack ${JSON.stringify(ack)})`);
        counts.closed += 1;
      } else {
        assert.ok(closed || ack !== null, `${what}: answered or closed, not left hanging`);
        if (closed) counts.closed += 1;
        else counts.answered += 1;
      }
      assert.equal(server.child.exitCode, null, `${what}: the server is still running`);
    }
  }

  // The watcher was served throughout and still is.
  assert.ok(watcher.connected, 'the watcher was never disconnected');
  const after = await send(watcher, room, 'four');
  assert.equal(after.ok, true);
  await waitFor(watcher, 'message', (m) => m.room === room && m.text === 'four');
  const reader = await connect(server.url, 'polling');
  const history = (await join(reader, room, 'Reader')).history;
  const texts = history.filter((m) => m.name === 'Wendy').map((m) => m.text);
  console.log(
    `bad input: ${counts.sent} bad payloads on ${EVENTS.length} events, ${counts.refused} refused with ` +
      `{ok:false, error}, ${counts.closed} connections closed, ${counts.answered} answered; ` +
      `the watcher served throughout; stored before 3, after ${texts.length} (lost ${3 + 1 - texts.length}); ` +
      `stored by the attacker: ${history.length - texts.length}`,
  );
  assert.deepEqual(texts, ['one', 'two', 'three', 'four'], 'nothing stored is lost');
  assert.deepEqual(
    history.map((m) => m.seq),
    [1, 2, 3, 4],
    'no bad input was stored',
  );
  watcher.close();
  reader.close();
});
