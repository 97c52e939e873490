// Several nodes serving one chat: two server nodes with socketioxide's Redis
// adapter (--redis-url), one PostgreSQL history (--database-url), nginx in
// front with sticky sessions (deploy/nginx-chat.conf), all started by
// scripts/cluster from Debian's packages and stopped at the end. Clients
// are the official socket.io-client (directly on a node, or through nginx
// pinned to a node by its sticky cookie) and the demo app in headless
// Chromium.
//
// LSIO_SERVER_BIN overrides the server binary (default
// target/debug/leptos-socketio-server), LSIO_DIST the app (default dist/).

import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { io } from 'socket.io-client';
import { CHROMIUM, CHROMIUM_ARGS, waitForState } from '../support/browser.mjs';
import { ask, connect, followRoom, freshId, freshRoom, join, seenIn, send, sleep, waitFor } from '../support/chat-client.mjs';
import { cookieFor, startCluster } from '../support/cluster.mjs';
import { metric, root } from '../support/server.mjs';

const dist = process.env.LSIO_DIST ?? path.join(root, 'dist');
const serverBin = process.env.LSIO_SERVER_BIN ?? path.join(root, 'target/debug/leptos-socketio-server');

let cluster;
const sockets = [];

before(async () => {
  // Bursts of 80 messages per client: above the default rate limit.
  const nodeArgs = ['--rate-limit-burst=1000', '--rate-limit-per-sec=1000'];
  cluster = await startCluster({ nodes: 2, serverBin, staticDir: dist, nodeArgs });
});

// Each test's sockets are closed after it, so counts of connected clients
// are its own.
afterEach(async () => {
  for (const s of sockets.splice(0)) s.close();
  await sleep(200);
});

after(async () => {
  await cluster?.stop();
});

/** `connect` that closes the socket when the tests end. */
async function open(url, mode, opts) {
  const socket = await connect(url, mode, opts);
  sockets.push(socket);
  return socket;
}

/** Options that send nginx's sticky cookie `value` (routing to one node). */
const pinned = (value) => ({ extraHeaders: { cookie: `lsio_node=${value}` } });

/** Waits until `socket` has seen `n` messages of `room`; returns them. */
async function messagesAt(socket, room, n, timeout = 15000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const got = seenIn(socket, 'message', room);
    if (got.length >= n) return got;
    if (Date.now() > deadline) throw new Error(`${got.length} of ${n} messages of ${room} arrived`);
    await sleep(20);
  }
}

/** Messages `[seq, id]` sorted by seq. */
const bySeq = (messages) => messages.map((m) => [m.seq, m.id]).sort((x, y) => x[0] - y[0]);

/** How many messages arrived after one with a higher seq. */
const outOfOrder = (messages) => messages.filter((m, i) => i > 0 && m.seq < messages[i - 1].seq).length;

/** The whole stored history of `room`, read through `socket`. */
async function storedHistory(socket, room, name) {
  const stored = [];
  for (;;) {
    const ack = await join(socket, room, name, stored.at(-1)?.seq ?? 0);
    stored.push(...ack.history);
    if (ack.history.length < (ack.limits?.historyLimit ?? 100)) return stored;
  }
}

/**
 * `a` and `b` (on different nodes) in one room: presence, typing and 30
 * messages each, sent at once, cross the nodes; both see every message once
 * with the same seq. Returns the line to print.
 */
async function crossNodes(a, b, label) {
  const room = freshRoom(label);
  const ackA = await join(a, room, 'ada');
  assert.deepEqual(ackA.members, ['ada']);
  const ackB = await join(b, room, 'bob');
  assert.deepEqual(ackB.members, ['ada', 'bob'], 'the joiner on node 2 sees the member on node 1');
  await waitFor(a, 'presence', (p) => p.room === room && p.members.join() === 'ada,bob');

  await ask(b, 'typing', { room });
  assert.deepEqual(await waitFor(a, 'typing', (t) => t.room === room), { room, name: 'bob' });
  await ask(a, 'typing', { room });
  assert.deepEqual(await waitFor(b, 'typing', (t) => t.room === room), { room, name: 'ada' });

  const sends = [];
  for (let i = 0; i < 30; i++) {
    sends.push(send(a, room, `a${i}`), send(b, room, `b${i}`));
  }
  const acks = await Promise.all(sends);
  assert.ok(acks.every((ack) => ack.ok), JSON.stringify(acks.find((ack) => !ack.ok)));
  const seqs = acks.map((ack) => ack.seq).sort((x, y) => x - y);
  assert.deepEqual(seqs, Array.from({ length: 60 }, (_, i) => i + 1), 'seq 1..60, each once');

  const atA = await messagesAt(a, room, 60);
  const atB = await messagesAt(b, room, 60);
  await sleep(200);
  assert.equal(atA.length + atB.length, 120, 'no message twice');
  assert.deepEqual(bySeq(atA), bySeq(atB), 'both see each message with the same seq');
  const same = JSON.stringify(bySeq(atA)) === JSON.stringify(bySeq(atB));

  // B disconnects: A (on the other node) sees it leave, and the presence
  // stays so once the changes have settled.
  a.seen = a.seen.filter((e) => e.event !== 'presence');
  b.disconnect();
  await waitFor(a, 'presence', (p) => p.room === room && p.members.join() === 'ada');
  await sleep(600);
  const after = seenIn(a, 'presence', room).map((p) => p.members);
  assert.deepEqual(after.filter((m) => m.join() !== 'ada'), [], 'no presence after the disconnect lists B');
  return (
    `cluster, ${label === 'nginx' ? 'through nginx' : label}: 60 messages sent at once through 2 nodes; A saw ${atA.length}, B saw ${atB.length} ` +
    `(duplicates 0), same seq order ${same} (arrived out of seq order: A ${outOfOrder(atA)}, B ${outOfOrder(atB)}); ` +
    `presence [ada, bob] and typing crossed both ways, and B's disconnect reached A as presence [ada]`
  );
}

test('a client on node 1 and one on node 2, directly: messages, presence and typing cross; same seq order', async () => {
  const a = await open(cluster.nodeUrl(1), 'websocket');
  const b = await open(cluster.nodeUrl(2), 'websocket');
  console.log(await crossNodes(a, b, 'direct'));
});

test('the same through nginx, each client pinned to its node by the sticky cookie', async () => {
  const [toNode1, toNode2] = [await cookieFor(cluster, 1), await cookieFor(cluster, 2)];
  const before1 = await metric(cluster.nodeUrl(1), 'lsio_connected_clients');
  const before2 = await metric(cluster.nodeUrl(2), 'lsio_connected_clients');
  const a = await open(cluster.env.NGINX_URL, 'upgrade', pinned(toNode1));
  const b = await open(cluster.env.NGINX_URL, 'upgrade', pinned(toNode2));
  assert.equal(await metric(cluster.nodeUrl(1), 'lsio_connected_clients'), before1 + 1, 'A is on node 1');
  assert.equal(await metric(cluster.nodeUrl(2), 'lsio_connected_clients'), before2 + 1, 'B is on node 2');
  console.log(await crossNodes(a, b, 'nginx'));
});

test('polling clients through nginx stay on their node (sticky cookie), and upgrade to WebSocket', async () => {
  const room = freshRoom('polling');
  // withCredentials: socket.io-client keeps the cookie nginx sets, as a browser does.
  const polling = [];
  for (let i = 0; i < 4; i++) {
    const s = await open(cluster.env.NGINX_URL, 'polling', { withCredentials: true });
    s.errors = [];
    s.on('connect_error', (e) => s.errors.push(e.message));
    s.on('disconnect', (reason) => s.errors.push(`disconnect: ${reason}`));
    await join(s, room, `p${i}`);
    polling.push(s);
  }
  const upgraded = [];
  for (let i = 0; i < 2; i++) {
    upgraded.push(await open(cluster.env.NGINX_URL, 'upgrade', { withCredentials: true }));
  }
  for (const s of upgraded) {
    assert.equal(s.io.engine.transport.name, 'websocket', 'upgraded through nginx');
    await join(s, room, 'u');
  }
  const acks = await Promise.all(polling.flatMap((s, i) => Array.from({ length: 5 }, (_, k) => send(s, room, `p${i}-${k}`))));
  assert.ok(acks.every((ack) => ack.ok));
  for (const s of [...polling, ...upgraded]) await messagesAt(s, room, 20);
  for (const s of polling) {
    assert.equal(s.io.engine.transport.name, 'polling');
    assert.deepEqual(s.errors, [], 'no polling request reached a node without the session');
  }
  const n1 = await metric(cluster.nodeUrl(1), 'lsio_connected_clients');
  const n2 = await metric(cluster.nodeUrl(2), 'lsio_connected_clients');
  console.log(
    `cluster, polling through nginx: 4 polling clients sent 20 messages over polling, each got 20, ` +
      `no session error; 2 clients upgraded to WebSocket through nginx; connected clients now node 1 ${n1}, node 2 ${n2}`,
  );
});

test('writers on both nodes at once, every id sent through both: no seq twice, no id stored twice', async () => {
  const room = freshRoom('writers');
  const w1 = await open(cluster.nodeUrl(1), 'websocket');
  const w2 = await open(cluster.nodeUrl(2), 'websocket');
  await join(w1, room, 'w1');
  await join(w2, room, 'w2');
  const ids = Array.from({ length: 80 }, () => freshId());
  // Each id through both nodes at once (a client re-sending through another node).
  const [acks1, acks2] = await Promise.all([
    Promise.all(ids.map((id) => send(w1, room, `from 1: ${id}`, id))),
    Promise.all(ids.map((id) => send(w2, room, `from 2: ${id}`, id))),
  ]);
  for (let i = 0; i < ids.length; i++) {
    assert.equal(acks1[i].ok && acks2[i].ok, true);
    assert.equal(acks1[i].seq, acks2[i].seq, `id ${ids[i]} has one seq on both nodes`);
  }
  const stored = await storedHistory(w1, room, 'w1');
  assert.deepEqual(stored.map((m) => m.seq), Array.from({ length: 80 }, (_, i) => i + 1), 'seq 1..80, no gap');
  assert.equal(new Set(stored.map((m) => m.id)).size, 80, 'each id stored once');
  console.log(
    `cluster, concurrent writers: 160 sends of 80 ids through 2 nodes at once; stored 80 with seq 1..80, ` +
      `no seq twice, no id twice; both nodes acked each id with the same seq`,
  );
});

test('the demo app through nginx on node 1 joins, sends, and sees a message from a client on node 2', async () => {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  try {
    const toNode1 = await cookieFor(cluster, 1);
    // The app's default (WebSocket first), and long-polling, whose every
    // request must reach node 1: the browser sends the sticky cookie.
    for (const transport of [undefined, 'polling']) {
      const room = freshRoom('browser');
      const bob = await open(cluster.nodeUrl(2), 'websocket');
      await join(bob, room, 'bob');
      const context = await browser.newContext();
      await context.addCookies([{ name: 'lsio_node', value: toNode1, url: cluster.env.NGINX_URL }]);
      const page = await context.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      const query = transport ? { room, name: 'ada', transport } : { room, name: 'ada' };
      await page.goto(`${cluster.env.NGINX_URL}/?${new URLSearchParams(query)}`);
      await waitForState(page, 'connected');
      // The page is node 1's only client (the previous page's connection may still be closing).
      let onNode1 = 0;
      for (let i = 0; i < 50 && onNode1 !== 1; i++) {
        onNode1 = await metric(cluster.nodeUrl(1), 'lsio_connected_clients');
        if (onNode1 !== 1) await sleep(100);
      }
      assert.equal(onNode1, 1, 'the page is on node 1');
      await page.waitForFunction(
        () => [...document.querySelectorAll('[data-testid=member]')].map((m) => m.textContent).join() === 'ada,bob',
        null,
        { timeout: 10000 },
      );
      await page.getByTestId('message-input').fill('hello from the browser');
      await page.getByTestId('message-input').press('Enter');
      const got = await waitFor(bob, 'message', (m) => m.room === room);
      assert.equal(got.text, 'hello from the browser');
      assert.equal(got.name, 'ada');
      await send(bob, room, 'hello from node 2');
      await page.waitForFunction(
        () => [...document.querySelectorAll('[data-testid=message]')].some((r) => r.textContent.includes('hello from node 2')),
        null,
        { timeout: 10000 },
      );
      const used = await page.getByTestId('transport').textContent();
      if (transport) assert.equal(used, transport);
      assert.deepEqual(errors, []);
      await context.close();
      console.log(
        `cluster, browser (${used}): the demo app through nginx on node 1 joined with bob on node 2 in its members, ` +
          `sent a message bob got, and showed bob's`,
      );
    }
  } finally {
    await browser.close();
  }
});

test('Redis restarted: the nodes reach each other again; what was sent meanwhile is caught up by seq', async () => {
  const room = freshRoom('redis');
  const a = await open(cluster.nodeUrl(1), 'websocket');
  const b = await open(cluster.nodeUrl(2), 'websocket');
  await join(a, room, 'ada');
  const follower = followRoom(b, room, 'bob');
  await follower.joined;
  await send(a, room, 'before');
  await messagesAt(b, room, 1);

  await cluster.stopRedis();
  const during = await send(a, room, 'while Redis is down');
  assert.equal(during.ok, true, 'stored and acked while Redis is down');
  await sleep(300);
  const liveDuring = b.seen.filter((e) => e.event === 'message' && e.args[0].text === 'while Redis is down').length;

  const restarted = Date.now();
  await cluster.startRedis();
  // Probe both ways until a message from each node reaches the other live.
  let probes = 0;
  let back = null;
  const arrived = (socket, text) => socket.seen.some((e) => e.event === 'message' && e.args[0].text === text);
  while (Date.now() - restarted < 20000 && back === null) {
    probes += 1;
    await Promise.all([send(a, room, `probe ${probes} from A`), send(b, room, `probe ${probes} from B`)]);
    await sleep(250);
    if (arrived(b, `probe ${probes} from A`) && arrived(a, `probe ${probes} from B`)) back = Date.now() - restarted;
  }
  assert.notEqual(back, null, 'messages cross the nodes both ways again within 20 s of Redis coming back');
  const total = 2 + 2 * probes;
  const deadline = Date.now() + 10000;
  while (follower.synced < total && Date.now() < deadline) await sleep(50);
  assert.deepEqual(follower.seqs(), Array.from({ length: total }, (_, i) => i + 1), 'B holds every message once');
  assert.equal(follower.mismatches, 0);

  // Presence crosses again too.
  const c = await open(cluster.nodeUrl(2), 'websocket');
  await join(c, room, 'cy');
  await waitFor(a, 'presence', (p) => p.room === room && p.members.includes('cy'));
  const errors = await metric(cluster.nodeUrl(1), 'lsio_cluster_errors_total');
  console.log(
    `cluster, Redis restarted: the message sent while it was down was stored and acked, reached B live ${liveDuring} times; ` +
      `messages crossed again ${back} ms after Redis started (${probes} probes); B caught up by seq and holds ${follower.seqs().length}/${total} ` +
      `(duplicates 0); presence crosses again; node 1 counted ${errors} cluster errors`,
  );
});

test('node 1 killed: its clients reconnect through nginx to node 2, catch up by since, nothing lost or duplicated', async () => {
  const room = freshRoom('failover');
  const toNode1 = await cookieFor(cluster, 1);
  // A: through nginx on node 1, reconnecting as the app does.
  const a = io(cluster.env.NGINX_URL, {
    transports: ['websocket'],
    forceNew: true,
    reconnectionDelay: 100,
    reconnectionDelayMax: 500,
    ...pinned(toNode1),
  });
  sockets.push(a);
  await new Promise((resolve) => a.once('connect', resolve));
  // Catches up by since on every reconnect (see followRoom).
  const f = followRoom(a, room, 'ada');
  await f.joined;
  let reconnectedAt = null;
  a.io.on('reconnect', () => {
    reconnectedAt ??= Date.now();
  });
  await sleep(200);
  assert.equal(await metric(cluster.nodeUrl(1), 'lsio_connected_clients'), 1, 'A is on node 1');

  const b = await open(cluster.nodeUrl(2), 'websocket');
  await join(b, room, 'bob');
  const total = 60;
  let killedAt = null;
  const acks = [];
  for (let i = 0; i < total; i++) {
    if (i === 20) {
      killedAt = Date.now();
      await cluster.killNode(1);
    }
    acks.push(await send(b, room, `m${i}`));
    await sleep(30);
  }
  assert.ok(acks.every((ack) => ack.ok));
  const deadline = Date.now() + 15000;
  while (f.synced < total && Date.now() < deadline) await sleep(50);
  const stored = await storedHistory(b, room, 'bob');
  assert.equal(stored.length, total, 'every message stored once');
  assert.deepEqual(f.seqs(), Array.from({ length: total }, (_, i) => i + 1), 'A holds every message');
  assert.equal(f.mismatches, 0, 'no seq held with another id');
  for (const m of stored) assert.equal(f.got.get(m.seq).id, m.id, `seq ${m.seq} is the stored message`);
  assert.notEqual(reconnectedAt, null, 'A reconnected');
  assert.equal(await metric(cluster.nodeUrl(2), 'lsio_connected_clients'), 2, 'A is on node 2 now');
  console.log(
    `cluster, node 1 killed: sent ${total}, stored ${stored.length}; A (node 1) reconnected through nginx to node 2 ` +
      `${reconnectedAt - killedAt} ms after the kill, caught up by since (${f.joins} catch-up joins) and holds ${f.got.size}/${total} ` +
      `(missing 0, duplicates 0, delivered twice live ${f.liveDuplicates})`,
  );
  await cluster.startNode(1);
});
