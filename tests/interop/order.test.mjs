// Interop: one connection's chat events are handled in the order they
// arrived (DESIGN.md, "Chat contract"), with the official socket.io-client
// (Node) against our server binary: a burst of messages is stored in send
// order, a `message` right behind its `join` finds the room joined, and two
// connections bursting into one room each keep their own order.
//
// Run from the repository root:
//   cargo build -p leptos-socketio-server && node --test tests/interop/order.test.mjs

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopServer } from '../support/server.mjs';
import { ask, connect, freshId, freshRoom, join, seenIn, send, waitFor } from '../support/chat-client.mjs';

const BURST = 200;
const range = (from, to) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** Emits `count` messages to `room` back to back (none awaited before the next is sent); resolves with their acks in send order. */
const burst = (socket, room, count, label) =>
  Promise.all(range(1, count).map((n) => send(socket, room, `${label} ${n}`)));

describe('one connection’s events in arrival order', () => {
  let server;
  before(async () => {
    // The bursts here are far over the default rate limit (40 at once).
    server = await startServer(['--rate-limit-burst', '10000', '--rate-limit-per-sec', '10000']);
  });
  after(async () => {
    if (server) await stopServer(server);
  });

  for (const mode of ['websocket', 'polling']) {
    describe(`over ${mode}`, () => {
      test(`${BURST} messages sent back to back are acked with seqs in send order, and broadcast so`, async () => {
        const [ada, bob] = await Promise.all([connect(server.url, mode), connect(server.url, mode)]);
        try {
          const room = freshRoom(`burst-${mode}`);
          await join(ada, room, 'Ada');
          await join(bob, room, 'Bob');
          const acks = await burst(ada, room, BURST, 'ada');
          assert.deepStrictEqual(acks.map((a) => a.seq), range(1, BURST), 'acked seqs, in send order');
          for (const socket of [ada, bob]) {
            await waitFor(socket, 'message', (m) => m.room === room && m.seq === BURST);
            const stream = [...seenIn(socket, 'message', room), { seq: BURST, text: `ada ${BURST}` }];
            assert.deepStrictEqual(
              stream.map((m) => [m.seq, m.text]),
              range(1, BURST).map((n) => [n, `ada ${n}`]),
              'every member sees the burst in send order',
            );
          }
        } finally {
          ada.close();
          bob.close();
        }
      });

      test('a message emitted right behind its join (no wait for the ack) finds the room joined', async () => {
        const tries = 50;
        const socket = await connect(server.url, mode);
        try {
          const outcomes = await Promise.all(
            range(1, tries).map(async () => {
              const room = freshRoom(`join-then-send-${mode}`);
              const [joined, sent] = await Promise.all([
                ask(socket, 'join', { room, name: 'Ada' }),
                send(socket, room, 'right behind the join'),
              ]);
              return { joined: joined.ok, sent };
            }),
          );
          const refused = outcomes.filter((o) => !o.joined || o.sent.ok !== true);
          assert.deepStrictEqual(refused, [], `${refused.length} of ${tries} were refused`);
          assert.ok(outcomes.every((o) => o.sent.seq === 1));
        } finally {
          socket.close();
        }
      });
    });
  }

  test('two connections bursting into one room: each keeps its own order, every seq is assigned once', async () => {
    const [ada, bob] = await Promise.all([connect(server.url, 'websocket'), connect(server.url, 'polling')]);
    try {
      const room = freshRoom('two-bursts');
      await join(ada, room, 'Ada');
      await join(bob, room, 'Bob');
      const [adaAcks, bobAcks] = await Promise.all([burst(ada, room, BURST, 'ada'), burst(bob, room, BURST, 'bob')]);
      for (const [who, acks] of [['ada', adaAcks], ['bob', bobAcks]]) {
        assert.ok(acks.every((a) => a.ok), `${who}: ${JSON.stringify(acks.filter((a) => !a.ok))}`);
        const seqs = acks.map((a) => a.seq);
        assert.ok(seqs.every((s, i) => i === 0 || s > seqs[i - 1]), `${who}'s seqs increase in send order: ${seqs}`);
      }
      const all = [...adaAcks, ...bobAcks].map((a) => a.seq).sort((a, b) => a - b);
      assert.deepStrictEqual(all, range(1, 2 * BURST), 'every seq once, none skipped');

      // The stored history agrees: a late joiner reads each sender's messages in send order.
      const carl = await connect(server.url, 'websocket');
      try {
        const { history } = await ask(carl, 'join', { room, name: 'Carl', since: 0 });
        const texts = (who) => history.filter((m) => m.name === who).map((m) => m.text);
        // `since: 0` reads from the start, at most the history limit (100) at a time.
        assert.equal(history.length, 100);
        const bySender = { Ada: texts('Ada'), Bob: texts('Bob') };
        for (const [who, label] of [['Ada', 'ada'], ['Bob', 'bob']]) {
          const numbers = bySender[who].map((t) => Number(t.slice(label.length + 1)));
          assert.deepStrictEqual(numbers, range(1, numbers.length), `${who}'s first stored messages, in send order`);
        }
      } finally {
        carl.close();
      }
    } finally {
      ada.close();
      bob.close();
    }
  });

  test('the same id sent twice in one burst is stored once, and both acks carry its seq', async () => {
    const socket = await connect(server.url, 'websocket');
    try {
      const room = freshRoom('dup-in-burst');
      await join(socket, room, 'Ada');
      const id = freshId();
      const acks = await Promise.all([
        send(socket, room, 'first'),
        send(socket, room, 'original', id),
        send(socket, room, 'again', id),
        send(socket, room, 'last'),
      ]);
      assert.deepStrictEqual(acks.map((a) => a.seq), [1, 2, 2, 3]);
    } finally {
      socket.close();
    }
  });
});
