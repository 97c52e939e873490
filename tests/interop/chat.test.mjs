// Interop: the official socket.io-client (Node) against our server's chat
// contract (DESIGN.md, "Chat contract"), over WebSocket, polling and
// polling → WebSocket upgrade.
//
// Run from the repository root:
//   cargo build -p leptos-socketio-server && node --test --test-concurrency=1 tests/interop/
// Every server here keeps its history in a fresh temporary --data-dir.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { io } from 'socket.io-client';
import { startServer, stopServer, tempDataDir } from '../support/server.mjs';
import {
  TIMEOUT_MS, ask, connect, freshId, freshRoom, join, seenIn, send, sleep, waitFor,
} from '../support/chat-client.mjs';

const MODES = ['websocket', 'polling', 'upgrade'];

describe('chat contract', () => {
  let server;
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    if (server) await stopServer(server);
  });

  for (const mode of MODES) {
    describe(`over ${mode}`, () => {
      let ada;
      let bob;
      before(async () => {
        [ada, bob] = await Promise.all([connect(server.url, mode), connect(server.url, mode)]);
        if (mode !== 'polling') assert.equal(ada.io.engine.transport.name, 'websocket');
        else assert.equal(ada.io.engine.transport.name, 'polling');
      });
      after(() => {
        ada?.close();
        bob?.close();
      });

      test('join acks empty history and the members; presence reaches the joiner', async () => {
        const room = freshRoom('join');
        const ack = await join(ada, room, '  Ada ');
        assert.deepStrictEqual(ack, { ok: true, history: [], members: ['Ada'], limits: { maxTextChars: 4000, historyLimit: 100 } });
        assert.deepStrictEqual(await waitFor(ada, 'presence', (p) => p.room === room), { room, members: ['Ada'] });
        const second = await join(bob, room, 'Bob');
        assert.deepStrictEqual(second.members, ['Ada', 'Bob']);
        for (const s of [ada, bob]) {
          assert.deepStrictEqual(
            await waitFor(s, 'presence', (p) => p.room === room && p.members.length === 2),
            { room, members: ['Ada', 'Bob'] },
          );
        }
      });

      test('a message is stored with a seq and broadcast to every member, the sender included', async () => {
        const room = freshRoom('msg');
        await join(ada, room, 'Ada');
        await join(bob, room, 'Bob');
        const before = Date.now();
        const id = freshId();
        const ack = await send(ada, room, 'hello', id);
        assert.deepStrictEqual(ack, { ok: true, seq: 1 });
        for (const s of [ada, bob]) {
          const m = await waitFor(s, 'message', (m) => m.room === room && m.id === id);
          assert.deepStrictEqual(Object.keys(m).sort(), ['id', 'name', 'room', 'seq', 'text', 'ts']);
          assert.equal(m.seq, 1);
          assert.equal(m.name, 'Ada');
          assert.equal(m.text, 'hello');
          assert.ok(m.ts >= before - 1000 && m.ts <= Date.now() + 1000, `ts ${m.ts} is server ms since epoch`);
        }
        assert.deepStrictEqual(await send(bob, room, 'hi Ada'), { ok: true, seq: 2 });
        const m2 = await waitFor(ada, 'message', (m) => m.room === room && m.seq === 2);
        assert.equal(m2.name, 'Bob');
      });

      test('leave and disconnect send presence to the others; leave is idempotent', async () => {
        const room = freshRoom('presence');
        const carl = await connect(server.url, mode);
        await join(ada, room, 'Ada');
        await join(carl, room, 'Carl');
        await waitFor(ada, 'presence', (p) => p.room === room && p.members.includes('Carl'));
        await join(bob, room, 'Bob');
        await waitFor(ada, 'presence', (p) => p.room === room && p.members.length === 3);

        assert.deepStrictEqual(await ask(bob, 'leave', { room }), { ok: true });
        assert.deepStrictEqual(await ask(bob, 'leave', { room }), { ok: true });
        assert.deepStrictEqual(await ask(bob, 'leave', { room: freshRoom('never') }), { ok: true });
        assert.deepStrictEqual(
          await waitFor(ada, 'presence', (p) => p.room === room && p.members.length === 2),
          { room, members: ['Ada', 'Carl'] },
        );
        carl.close();
        assert.deepStrictEqual(
          await waitFor(ada, 'presence', (p) => p.room === room && p.members.length === 1),
          { room, members: ['Ada'] },
        );
        // Bob left: sending there is refused.
        const refused = await send(bob, room, 'still here?');
        assert.equal(refused.ok, false);
        assert.equal(refused.error, `Join the room "${room}" before sending to it.`);
      });

      test('typing goes to the other members only', async () => {
        const room = freshRoom('typing');
        await join(ada, room, 'Ada');
        await join(bob, room, 'Bob');
        ada.emit('typing', { room });
        assert.deepStrictEqual(await waitFor(bob, 'typing', (t) => t.room === room), { room, name: 'Ada' });
        // Round trips on ada's own connection: anything sent to her is in by now.
        await ask(ada, 'echo', 'sync');
        await sleep(100);
        assert.deepStrictEqual(seenIn(ada, 'typing', room), []);
      });

      test('history on join: last messages ascending, and only newer ones with since', async () => {
        const room = freshRoom('history');
        await join(ada, room, 'Ada');
        for (let i = 1; i <= 5; i++) assert.equal((await send(ada, room, `m${i}`)).seq, i);
        const all = await join(bob, room, 'Bob');
        assert.deepStrictEqual(all.history.map((m) => [m.seq, m.text, m.name]), [
          [1, 'm1', 'Ada'], [2, 'm2', 'Ada'], [3, 'm3', 'Ada'], [4, 'm4', 'Ada'], [5, 'm5', 'Ada'],
        ]);
        const newer = await join(bob, room, 'Bob', 3);
        assert.deepStrictEqual(newer.history.map((m) => m.seq), [4, 5]);
        assert.deepStrictEqual((await join(bob, room, 'Bob', 5)).history, []);
        assert.deepStrictEqual((await join(bob, room, 'Bob', 99)).history, []);
        assert.deepStrictEqual((await join(bob, room, 'Bob', 0)).history.length, 5);
      });

      test('a repeated id returns the original seq and is neither stored nor broadcast again', async () => {
        const room = freshRoom('idem');
        await join(ada, room, 'Ada');
        await join(bob, room, 'Bob');
        const id = freshId();
        assert.deepStrictEqual(await send(ada, room, 'first', id), { ok: true, seq: 1 });
        await waitFor(bob, 'message', (m) => m.id === id);
        assert.deepStrictEqual(await send(ada, room, 'changed text', id), { ok: true, seq: 1 });
        assert.deepStrictEqual(await send(ada, room, 'next'), { ok: true, seq: 2 });
        await waitFor(bob, 'message', (m) => m.room === room && m.seq === 2);
        assert.deepStrictEqual(seenIn(bob, 'message', room).filter((m) => m.id === id), []);
        const { history } = await join(bob, room, 'Bob');
        assert.deepStrictEqual(history.map((m) => [m.seq, m.text]), [[1, 'first'], [2, 'next']]);
      });

      test('wrong payloads get {ok:false, error} and the socket keeps working', async () => {
        const room = freshRoom('invalid');
        const cases = [
          ['join', 'not an object', /must be an object/],
          ['join', { room, name: '' }, /name is empty/],
          ['join', { room, name: 'x'.repeat(33) }, /33 characters long; the limit is 32/],
          ['join', { room, name: 'a\nb' }, /control character/],
          ['join', { room: 'has space', name: 'Ada' }, /is not allowed/],
          ['join', { room: 'r'.repeat(65), name: 'Ada' }, /65 characters long; the limit is 64/],
          ['join', { room, name: 'Ada', since: -1 }, /non-negative integer/],
          ['join', { room, name: 'Ada', since: 'x' }, /non-negative integer/],
          ['join', undefined, /needs one argument|must be an object/],
          ['leave', 42, /must be an object/],
          ['message', { room, id: freshId(), text: 'not joined' }, /Join the room/],
          ['message', [1, 2], /must be an object/],
          ['message', { room, text: 'no id' }, /client-made id/],
          ['typing', { nope: true }, /room/],
        ];
        for (const [event, payload, pattern] of cases) {
          const ack = await ask(ada, event, payload);
          assert.equal(ack.ok, false, `${event} ${JSON.stringify(payload)}: ${JSON.stringify(ack)}`);
          assert.match(ack.error, pattern, `${event} ${JSON.stringify(payload)}`);
          assert.match(ack.error, /[.]$/, 'errors are sentences');
        }
        await join(ada, room, 'Ada');
        for (const [text, pattern] of [
          ['', /empty/],
          ['   \n ', /empty/],
          ['é'.repeat(4012), /^The message is 4012 characters long; the limit is 4000\.$/],
          [42, /as a string/],
        ]) {
          const ack = await send(ada, room, text);
          assert.equal(ack.ok, false);
          assert.match(ack.error, pattern);
        }
        assert.deepStrictEqual(await send(ada, room, 'é'.repeat(4000)), { ok: true, seq: 1 });
        assert.equal(await ask(ada, 'echo', 'still works'), 'still works');
        assert.ok(ada.connected);
      });
    });
  }

  test('a socket may be in several rooms with a name per room', async () => {
    const [ada, bob] = await Promise.all([connect(server.url, 'websocket'), connect(server.url, 'websocket')]);
    try {
      const [r1, r2] = [freshRoom('multi'), freshRoom('multi')];
      await join(ada, r1, 'Ada');
      await join(ada, r2, 'Countess');
      await join(bob, r2, 'Bob');
      assert.deepStrictEqual(
        await waitFor(bob, 'presence', (p) => p.room === r2 && p.members.length === 2),
        { room: r2, members: ['Bob', 'Countess'] },
      );
      const id = freshId();
      assert.deepStrictEqual(await send(ada, r2, 'in two', id), { ok: true, seq: 1 });
      assert.equal((await waitFor(bob, 'message', (m) => m.id === id)).name, 'Countess');
      assert.deepStrictEqual(await send(ada, r1, 'in one'), { ok: true, seq: 1 });
    } finally {
      ada.close();
      bob.close();
    }
  });

  // socket.io-client sends its buffered emits in the same tick as it handles
  // the CONNECT answer, so the server's handlers must exist before it answers
  // (handlers added by socketioxide's spawned connect handler could be late:
  // CI once lost a first `join` that way, under load).
  test('an event emitted before the connection is up is answered once it is', async () => {
    const clients = ['websocket', 'polling'].flatMap((mode) =>
      Array.from({ length: 100 }, () =>
        io(server.url, { transports: [mode], reconnection: false, forceNew: true }),
      ),
    );
    try {
      // A room each: this is about the first event, not about presence fan-out.
      const acks = await Promise.allSettled(
        clients.map((c) => c.timeout(TIMEOUT_MS).emitWithAck('join', { room: freshRoom('first'), name: 'early' })),
      );
      const lost = acks.filter((a) => a.status === 'rejected' || a.value.ok !== true).length;
      assert.equal(lost, 0, `${lost} of ${clients.length} first joins got no ok ack`);
    } finally {
      clients.forEach((c) => c.close());
    }
  });

  test('concurrent senders: every member sees one stream in strictly increasing seq order', async () => {
    const room = freshRoom('order');
    const clients = await Promise.all(MODES.map((m) => connect(server.url, m)));
    try {
      await Promise.all(clients.map((c, i) => join(c, room, `user${i}`)));
      const perClient = 20;
      const acks = await Promise.all(
        clients.flatMap((c, i) => Array.from({ length: perClient }, (_, k) => send(c, room, `c${i} m${k}`))),
      );
      const total = clients.length * perClient;
      assert.deepStrictEqual(acks.map((a) => a.seq).sort((a, b) => a - b), Array.from({ length: total }, (_, i) => i + 1));
      for (const c of clients) {
        await waitFor(c, 'message', (m) => m.room === room && m.seq === total);
        const seqs = seenIn(c, 'message', room).map((m) => m.seq);
        assert.deepStrictEqual(seqs, Array.from({ length: total - 1 }, (_, i) => i + 1), 'in order, none missing');
      }
    } finally {
      clients.forEach((c) => c.close());
    }
  });

  test('/metrics counts stored messages, acks, rejections and connections', async () => {
    const socket = await connect(server.url, 'websocket');
    try {
      const room = freshRoom('metrics');
      await join(socket, room, 'Ada');
      await send(socket, room, 'counted');
      await send(socket, room, '');
      const text = await (await fetch(`${server.url}/metrics`)).text();
      const value = (line) => {
        const found = text.split('\n').find((l) => l.startsWith(`${line} `));
        assert.ok(found, `${line} in:\n${text}`);
        return Number(found.slice(line.length + 1));
      };
      assert.ok(value('lsio_connections{transport="websocket"}') >= 1);
      assert.ok(value('lsio_messages_stored_total') >= 1);
      assert.ok(value('lsio_acks_sent_total') >= 3);
      assert.ok(value('lsio_rejected_inputs_total{reason="bad_text"}') >= 1);
      assert.equal(value('lsio_deliveries_failed_total') >= 0, true);
    } finally {
      socket.close();
    }
  });
});

for (const mode of ['websocket', 'polling']) {
  test(`a packet over the max payload closes only that connection (${mode})`, async () => {
    const server = await startServer(['--max-payload', '20000']);
    try {
      const [big, other] = await Promise.all([connect(server.url, mode), connect(server.url, mode)]);
      const closed = new Promise((resolve) => big.once('disconnect', resolve));
      big.emit('echo', 'x'.repeat(50000));
      const reason = await closed;
      assert.match(reason, /transport (close|error)/);
      assert.equal(await ask(other, 'echo', 'unaffected'), 'unaffected');
      other.close();
      // A new connection is fine too.
      const again = await connect(server.url, mode);
      assert.equal(await ask(again, 'echo', 'small'), 'small');
      again.close();
    } finally {
      await stopServer(server);
    }
  });
}

describe('token auth', () => {
  let server;
  before(async () => {
    server = await startServer(['--token', 's3cret']);
  });
  after(async () => {
    if (server) await stopServer(server);
  });

  for (const mode of ['websocket', 'polling']) {
    test(`without the right token connect_error is "unauthorized" (${mode})`, async () => {
      for (const opts of [{}, { auth: { token: 'wrong' } }, { auth: { token: '' } }, { auth: { other: 's3cret' } }]) {
        await assert.rejects(connect(server.url, mode, opts), (e) => {
          assert.equal(e.cause?.message, 'unauthorized', JSON.stringify(opts));
          return true;
        });
      }
    });

    test(`with the right token the socket connects and chats (${mode})`, async () => {
      const socket = await connect(server.url, mode, { auth: { token: 's3cret' } });
      try {
        const room = freshRoom('auth');
        await join(socket, room, 'Ada');
        assert.deepStrictEqual(await send(socket, room, 'authorised'), { ok: true, seq: 1 });
      } finally {
        socket.close();
      }
    });
  }
});

test('over the rate limit a message gets an error sentence; later ones pass again', async () => {
  const server = await startServer(['--rate-limit-per-sec', '5', '--rate-limit-burst', '3']);
  try {
    const socket = await connect(server.url, 'websocket');
    const room = freshRoom('rate');
    await join(socket, room, 'Ada');
    const acks = await Promise.all(Array.from({ length: 6 }, (_, i) => send(socket, room, `m${i}`)));
    // One connection's events are handled in arrival order: the first three pass.
    const tooFast = { ok: false, error: 'You are sending messages too fast; wait a moment and try again.' };
    assert.deepStrictEqual(acks, [
      { ok: true, seq: 1 }, { ok: true, seq: 2 }, { ok: true, seq: 3 }, tooFast, tooFast, tooFast,
    ]);
    await sleep(500);
    assert.deepStrictEqual(await send(socket, room, 'after a pause'), { ok: true, seq: 4 });
    socket.close();
  } finally {
    await stopServer(server);
  }
});

test('a message stored before SIGTERM is in the history after a restart on the same data dir', async () => {
  const dataDir = tempDataDir();
  const room = freshRoom('restart');
  const first = await startServer(['--data-dir', dataDir]);
  const socket = await connect(first.url, 'websocket');
  await join(socket, room, 'Ada');
  assert.deepStrictEqual(await send(socket, room, 'kept across restarts', 'keep-1'), { ok: true, seq: 1 });
  assert.equal(await stopServer(first), 0, first.stderr());
  socket.close();

  const second = await startServer(['--data-dir', dataDir]);
  try {
    const again = await connect(second.url, 'polling');
    const { history } = await join(again, room, 'Bob');
    assert.deepStrictEqual(history.map((m) => [m.seq, m.id, m.name, m.text]), [[1, 'keep-1', 'Ada', 'kept across restarts']]);
    assert.deepStrictEqual(await send(again, room, 'dup', 'keep-1'), { ok: true, seq: 1 });
    assert.deepStrictEqual(await send(again, room, 'next'), { ok: true, seq: 2 });
    again.close();
  } finally {
    await stopServer(second);
  }
});
