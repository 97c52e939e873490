// End-to-end: nothing is lost on a reload. The demo app (dist/) is served by
// our server; its socket goes through a proxy in front of the same server
// (`?server=<proxy>`), so the network can go away (proxy mode `offline`)
// while the page itself still loads. Each test prints its counts: sent,
// acked, stored, shown, duplicates.
//
// - offline → 20 messages → a reload while still offline → the network
//   back: every message stored once, shown once, in the order typed; the
//   reloaded page shows the saved history and joins `since` its last seq;
// - two tabs of one origin share the outbox: every entry stored once, and no
//   entry sent by both (the server's duplicate counter stays 0);
// - a tab closed while its messages are in flight leaves them to another
//   tab of the same person, which sends them: each stored once;
// - storage unavailable (full, or blocked): the message fails with the
//   sentence, the page keeps working.
//
// LSIO_DIST overrides the app directory (default dist/).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { metric, root, startServer, stopServer } from '../support/server.mjs';
import { CHROMIUM, CHROMIUM_ARGS, waitForState } from '../support/browser.mjs';
import { Proxy } from '../support/proxy.mjs';

const dist = process.env.LSIO_DIST ?? path.join(root, 'dist');
const dataDir = mkdtempSync(path.join(tmpdir(), 'lsio-e2e-durable-'));

let server;
let proxy;
let browser;

before(async () => {
  server = await startServer(['--static-dir', dist, '--data-dir', dataDir]);
  proxy = new Proxy({ backendPort: Number(new URL(server.url).port) });
  await proxy.listen();
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  proxy?.close();
  if (server) await stopServer(server);
  rmSync(dataDir, { recursive: true, force: true });
});

/** The demo page for `room` as `name`, its socket through the proxy. */
const pageUrl = (room, name) =>
  `${server.url}/?server=${encodeURIComponent(proxy.url)}&room=${room}&name=${name}`;

async function open(context, room, name) {
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  await page.goto(pageUrl(room, name));
  await waitForState(page, 'connected');
  await page.getByTestId('member').first().waitFor({ timeout: 10000 });
  return page;
}

async function send(page, text) {
  await page.getByTestId('message-input').fill(text);
  await page.getByTestId('send-button').click();
}

/** The rows shown, in order: `{text, status}` (status null for others'). */
function rows(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('[data-testid=message]')].map((m) => ({
      text: m.querySelector('.lsio-chat-text')?.textContent ?? '',
      status: m.querySelector('[data-testid=message-status]')?.textContent ?? null,
      error: m.querySelector('.lsio-chat-row-error')?.textContent ?? null,
    })),
  );
}

/** How many durable emits wait in this origin's outbox (every namespace). */
function outboxSize(page) {
  return page.evaluate(() =>
    Object.keys(localStorage)
      .filter((k) => k.startsWith('leptos-socketio:outbox:'))
      .reduce((n, k) => n + (JSON.parse(localStorage.getItem(k))?.entries?.length ?? 0), 0),
  );
}

/** The room's history as the server stored it (texts, in seq order). */
async function stored(context, room) {
  const page = await open(context, room, 'reader');
  const texts = (await rows(page)).map((r) => r.text);
  await page.close();
  return texts;
}

function countsOf(texts, sent) {
  const shown = texts.filter((t) => sent.includes(t));
  const duplicates = shown.length - new Set(shown).size;
  return { shown: shown.length, duplicates, inOrder: JSON.stringify(shown) === JSON.stringify(sent) };
}

test('offline, 20 messages, a reload while still offline, the network back: each stored and shown once, in order', async () => {
  const context = await browser.newContext();
  const room = 'durable-reload';
  const page = await open(context, room, 'ada');
  const duplicatesBefore = await metric(server.url, 'lsio_messages_duplicate_total');
  // Two messages while online: the room's history the reload keeps.
  for (const text of ['online 1', 'online 2']) await send(page, text);
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll('[data-testid=message-status]')].filter((s) => s.textContent === 'sent')
        .length === 2,
    null,
    { timeout: 10000 },
  );

  proxy.setMode('offline');
  await page.waitForFunction(
    () => document.querySelector('[data-testid=connection-state]')?.textContent !== 'connected',
    null,
    { timeout: 15000 },
  );
  const sent = Array.from({ length: 20 }, (_, i) => `offline ${String(i + 1).padStart(2, '0')}`);
  for (const text of sent) await send(page, text);
  assert.equal(await outboxSize(page), 20, 'all 20 in storage before the reload');

  // What the reloaded page sends over WebSocket, to see how it joins.
  const framesSent = [];
  page.on('websocket', (ws) => ws.on('framesent', (f) => framesSent.push(String(f.payload))));
  await page.reload();
  await page.waitForFunction(
    (n) => document.querySelectorAll('[data-testid=message-status]').length >= n,
    sent.length,
    { timeout: 15000 },
  );
  const afterReload = await rows(page);
  assert.deepEqual(
    afterReload.map((r) => [r.text, r.status]),
    [
      ['online 1', null],
      ['online 2', null],
      ...sent.map((t) => [t, 'pending']),
    ],
    'the reloaded page shows the saved history, then the 20 as pending, in order',
  );
  assert.notEqual(
    await page.getByTestId('connection-state').textContent(),
    'connected',
    'still offline after the reload',
  );

  proxy.setMode('pass');
  await page.waitForFunction(
    (n) =>
      [...document.querySelectorAll('[data-testid=message-status]')].filter((s) => s.textContent === 'sent')
        .length === n,
    sent.length,
    { timeout: 20000 },
  );
  const shownRows = await rows(page);
  const shown = countsOf(
    shownRows.map((r) => r.text),
    sent,
  );
  await page.waitForFunction(
    () =>
      Object.keys(localStorage)
        .filter((k) => k.startsWith('leptos-socketio:outbox:'))
        .every((k) => (JSON.parse(localStorage.getItem(k))?.entries?.length ?? 0) === 0),
    null,
    { timeout: 10000 },
  );
  const acked = sent.length - (await outboxSize(page));
  const join = framesSent.find((f) => /^42\d*\["join"/.test(f));
  assert.ok(join, `the reloaded page joined over WebSocket (sent: ${framesSent.slice(0, 5).join(' | ')})`);
  const since = JSON.parse(join.slice(join.indexOf('[')))[1].since;
  console.log(`durable, reload while offline: the reloaded page joined with since ${since}`);
  assert.equal(since, 2, `caught up from the saved seq, not refetched whole: ${join}`);
  const onServer = countsOf(await stored(context, room), sent);
  const duplicates = (await metric(server.url, 'lsio_messages_duplicate_total')) - duplicatesBefore;
  console.log(
    `durable, reload while offline: sent ${sent.length}, acked ${acked}, stored ${onServer.shown} ` +
      `(duplicates ${onServer.duplicates}, re-sent ids ${duplicates}), shown ${shown.shown} ` +
      `(duplicates ${shown.duplicates}), in order: page ${shown.inOrder}, server ${onServer.inOrder}`,
  );
  assert.equal(acked, 20);
  assert.deepEqual(onServer, { shown: 20, duplicates: 0, inOrder: true });
  assert.deepEqual(shown, { shown: 20, duplicates: 0, inOrder: true });
  assert.deepEqual(page.errors, []);
  await context.close();
});

test('two tabs of one origin share the outbox: every entry stored once, none sent by both', async () => {
  const context = await browser.newContext();
  const room = 'durable-tabs';
  const a = await open(context, room, 'bea');
  const b = await open(context, room, 'cyd');
  const duplicatesBefore = await metric(server.url, 'lsio_messages_duplicate_total');

  proxy.setMode('offline');
  for (const page of [a, b]) {
    await page.waitForFunction(
      () => document.querySelector('[data-testid=connection-state]')?.textContent !== 'connected',
      null,
      { timeout: 15000 },
    );
  }
  const fromA = Array.from({ length: 10 }, (_, i) => `bea ${String(i + 1).padStart(2, '0')}`);
  const fromB = Array.from({ length: 10 }, (_, i) => `cyd ${String(i + 1).padStart(2, '0')}`);
  for (let i = 0; i < 10; i++) {
    await send(a, fromA[i]);
    await send(b, fromB[i]);
  }
  assert.equal(await outboxSize(a), 20, 'one outbox, shared by the tabs');

  proxy.setMode('pass');
  const allSent = (page, mine) =>
    page.waitForFunction(
      (mine) => {
        const rows = [...document.querySelectorAll('[data-testid=message]')];
        return mine.every((t) =>
          rows.some(
            (r) =>
              r.querySelector('.lsio-chat-text')?.textContent === t &&
              r.querySelector('[data-testid=message-status]')?.textContent === 'sent',
          ),
        );
      },
      mine,
      { timeout: 30000 },
    );
  await allSent(a, fromA);
  await allSent(b, fromB);
  await a.waitForFunction(
    () =>
      Object.keys(localStorage)
        .filter((k) => k.startsWith('leptos-socketio:outbox:'))
        .every((k) => (JSON.parse(localStorage.getItem(k))?.entries?.length ?? 0) === 0),
    null,
    { timeout: 10000 },
  );

  const reader = await open(context, room, 'reader');
  const history = (await rows(reader)).map((r) => r.text);
  const senders = await reader.evaluate(() =>
    Object.fromEntries(
      [...document.querySelectorAll('[data-testid=message]')].map((m) => [
        m.querySelector('.lsio-chat-text')?.textContent,
        m.querySelector('.lsio-chat-sender')?.textContent,
      ]),
    ),
  );
  const all = [...fromA, ...fromB];
  const stored = history.filter((t) => all.includes(t));
  const duplicates = (await metric(server.url, 'lsio_messages_duplicate_total')) - duplicatesBefore;
  const shownA = countsOf((await rows(a)).map((r) => r.text), all.filter((t) => history.includes(t)));
  const shownB = countsOf((await rows(b)).map((r) => r.text), all.filter((t) => history.includes(t)));
  console.log(
    `durable, two tabs: sent ${all.length}, stored ${stored.length} (distinct ${new Set(stored).size}), ` +
      `sent by both tabs ${duplicates}, shown in tab A ${shownA.shown} (duplicates ${shownA.duplicates}), ` +
      `in tab B ${shownB.shown} (duplicates ${shownB.duplicates})`,
  );
  assert.equal(stored.length, 20);
  assert.equal(new Set(stored).size, 20, 'each entry stored once');
  assert.equal(duplicates, 0, 'no entry went out from both tabs');
  for (const t of fromA) assert.equal(senders[t], 'bea', `"${t}" stored under its own author`);
  for (const t of fromB) assert.equal(senders[t], 'cyd', `"${t}" stored under its own author`);
  assert.deepEqual(
    stored.filter((t) => t.startsWith('bea')),
    fromA,
    "one tab's messages in the order typed",
  );
  assert.deepEqual(
    stored.filter((t) => t.startsWith('cyd')),
    fromB,
    "the other tab's in the order typed",
  );
  for (const shown of [shownA, shownB]) assert.equal(shown.duplicates, 0);
  assert.deepEqual([...a.errors, ...b.errors], []);
  await context.close();
});

test('a tab closed while its messages are in flight leaves them to another tab: each stored once', async () => {
  const context = await browser.newContext();
  const room = 'durable-handover';
  // Two tabs of one person (same room, same name): either may send the
  // other's messages.
  const a = await open(context, room, 'fay');
  const b = await open(context, room, 'fay');

  // The network hangs: what tab A sends is held by the proxy, unanswered.
  proxy.setMode('freeze');
  const sent = Array.from({ length: 5 }, (_, i) => `handed over ${i + 1}`);
  for (const text of sent) await send(a, text);
  await a.waitForFunction(
    () =>
      Object.keys(localStorage)
        .filter((k) => k.startsWith('leptos-socketio:outbox:'))
        .some((k) => JSON.parse(localStorage.getItem(k))?.lease !== null),
    null,
    { timeout: 10000 },
  );
  assert.equal(await outboxSize(b), 5, 'tab B sees the entries tab A is sending');
  await a.close();
  // The held bytes are dropped with the connections: tab A's sends never
  // arrived.
  proxy.setMode('cut');

  await b.waitForFunction(
    (sent) => {
      const rows = [...document.querySelectorAll('[data-testid=message]')];
      return sent.every((t) => rows.some((r) => r.querySelector('.lsio-chat-text')?.textContent === t));
    },
    sent,
    { timeout: 20000 },
  );
  await b.waitForFunction(
    () =>
      Object.keys(localStorage)
        .filter((k) => k.startsWith('leptos-socketio:outbox:'))
        .every((k) => (JSON.parse(localStorage.getItem(k))?.entries?.length ?? 0) === 0),
    null,
    { timeout: 10000 },
  );
  const onServer = countsOf(await stored(context, room), sent);
  const shown = countsOf(
    (await rows(b)).map((r) => r.text),
    sent,
  );
  console.log(
    `durable, tab closed mid-send: sent 5 from tab A, stored ${onServer.shown} (duplicates ` +
      `${onServer.duplicates}, in order ${onServer.inOrder}), shown in tab B ${shown.shown} ` +
      `(duplicates ${shown.duplicates})`,
  );
  assert.deepEqual(onServer, { shown: 5, duplicates: 0, inOrder: true });
  assert.deepEqual(shown, { shown: 5, duplicates: 0, inOrder: true });
  assert.deepEqual(b.errors, []);
  await context.close();
});

test('storage that is blocked or full: the sentence, and the chat keeps working', async () => {
  // Blocked from the start: the chat says so and sends from memory.
  const blocked = await browser.newContext();
  await blocked.addInitScript(() => {
    Object.defineProperty(window, 'localStorage', {
      get() {
        throw new DOMException('storage is blocked in this test', 'SecurityError');
      },
    });
  });
  const page = await open(blocked, 'durable-nostorage', 'dee');
  const notice = await page.getByTestId('storage-notice').textContent({ timeout: 10000 });
  assert.match(notice, /cannot keep messages in browser storage/);
  assert.match(notice, /reload while offline loses/);
  await send(page, 'sent from memory');
  await page.waitForFunction(
    () => document.querySelector('[data-testid=message-status]')?.textContent === 'sent',
    null,
    { timeout: 10000 },
  );
  assert.deepEqual(page.errors, []);
  await blocked.close();

  // Full in the middle of the session: that message fails with the
  // sentence and is not sent; once there is room, a retry sends it.
  const full = await browser.newContext();
  await full.addInitScript(() => {
    const setItem = Storage.prototype.setItem;
    Storage.prototype.setItem = function (key, value) {
      if (window.__outboxFull && key.startsWith('leptos-socketio:outbox:')) {
        throw new DOMException('the quota has been exceeded in this test', 'QuotaExceededError');
      }
      return setItem.call(this, key, value);
    };
  });
  const later = await open(full, 'durable-full', 'eve');
  await later.evaluate(() => {
    window.__outboxFull = true;
  });
  await send(later, 'no room for me');
  await later.waitForFunction(
    () => document.querySelector('[data-testid=message-status]')?.textContent === 'failed',
    null,
    { timeout: 10000 },
  );
  const [row] = await rows(later);
  console.log(`durable, storage full: the row says "${row.error}"`);
  assert.match(row.error, /could not be kept in browser storage/);
  assert.match(row.error, /quota has been exceeded/);
  assert.match(row.error, /it was not sent/);
  await later.evaluate(() => {
    window.__outboxFull = false;
  });
  await later.getByRole('button', { name: 'Retry sending “no room for me”' }).click();
  await later.waitForFunction(
    () => document.querySelector('[data-testid=message-status]')?.textContent === 'sent',
    null,
    { timeout: 10000 },
  );
  assert.deepEqual(later.errors, []);
  await full.close();
});
