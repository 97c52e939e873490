// End-to-end chat: several isolated browser contexts (separate people) use
// the built demo app (dist/) served by the companion server, over WebSocket
// and over polling: messages, delivery status, presence, typing, text that
// looks like HTML, history for late joiners, and a server restart.
//
// LSIO_DIST overrides the app directory (default dist/); LSIO_SERVER_BIN
// the server binary (default target/debug/leptos-socketio-server).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { chromium } from 'playwright-core';
import { root, startServer, stopServer } from '../support/server.mjs';
import { CHROMIUM, CHROMIUM_ARGS as ARGS, waitForState } from '../support/browser.mjs';

const dist = process.env.LSIO_DIST ?? path.join(root, 'dist');
const serverBin =
  process.env.LSIO_SERVER_BIN ?? path.join(root, 'target/debug/leptos-socketio-server');

let browser;
let server;
let dataDir;
const contexts = [];

before(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'lsio-e2e-chat-'));
  server = await startServer(['--static-dir', dist, '--data-dir', dataDir]);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
});

after(async () => {
  for (const context of contexts) await context.close().catch(() => {});
  await browser?.close();
  if (server) await stopServer(server);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

let roomCounter = 0;
/** A room name no other test uses. */
function freshRoom(label) {
  roomCounter += 1;
  return `${label}-${process.pid}-${roomCounter}`;
}

/**
 * A new person (own browser context) on the app at `base` with `query`;
 * page errors are collected in `page.errors`.
 */
async function person(base, query) {
  const context = await browser.newContext();
  contexts.push(context);
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  await page.goto(`${base}/?${new URLSearchParams(query)}`);
  return page;
}

/** Waits until the members list is exactly `names`. */
function waitForMembers(page, names) {
  return page.waitForFunction(
    (names) =>
      JSON.stringify([...document.querySelectorAll('[data-testid=member]')].map((m) => m.textContent)) ===
      JSON.stringify(names),
    names,
    { timeout: 10000 },
  );
}

/** Waits for a message row containing `text`, and `status` when given. */
function waitForMessage(page, text, status) {
  return page.waitForFunction(
    ([text, status]) =>
      [...document.querySelectorAll('[data-testid=message]')].some(
        (row) =>
          row.textContent.includes(text) &&
          (status === undefined || row.querySelector('[data-testid=message-status]')?.textContent === status),
      ),
    [text, status],
    { timeout: 15000 },
  );
}

/** Records, in the page, every status the row with `text` ever shows. */
function recordStatuses(page, text) {
  return page.evaluate((text) => {
    window.__statuses = [];
    const look = () => {
      for (const row of document.querySelectorAll('[data-testid=message]')) {
        if (!row.textContent.includes(text)) continue;
        const status = row.querySelector('[data-testid=message-status]')?.textContent;
        if (status && window.__statuses.at(-1) !== status) window.__statuses.push(status);
      }
    };
    new MutationObserver(look).observe(document.body, { subtree: true, childList: true, characterData: true });
  }, text);
}

async function send(page, text) {
  await page.getByTestId('message-input').fill(text);
  await page.getByTestId('message-input').press('Enter');
}

async function messageTexts(page) {
  return page.locator('[data-testid=message] .lsio-chat-text').allTextContents();
}

for (const transport of ['websocket', 'polling']) {
  describe(`over ${transport}`, () => {
    test('two people in one room see both messages, each own one pending then sent, and both members', async () => {
      const room = freshRoom(`pair-${transport}`);
      const ada = await person(server.url, { transport, room, name: 'ada' });
      const bob = await person(server.url, { transport, room, name: 'bob' });
      for (const page of [ada, bob]) {
        await waitForState(page, 'connected');
        assert.equal(await page.getByTestId('transport').textContent(), transport);
        await waitForMembers(page, ['ada', 'bob']);
      }

      await recordStatuses(ada, 'hello from ada');
      await send(ada, 'hello from ada');
      await waitForMessage(ada, 'hello from ada', 'sent');
      const seen = await ada.evaluate(() => window.__statuses);
      assert.deepEqual(seen, ['pending', 'sent']);
      assert.equal(await ada.getByTestId('message-input').inputValue(), '', 'the composer is cleared');

      await send(bob, 'hi ada, bob here');
      for (const page of [ada, bob]) {
        await waitForMessage(page, 'hi ada, bob here');
        await waitForMessage(page, 'hello from ada');
        assert.deepEqual(await messageTexts(page), ['hello from ada', 'hi ada, bob here'], 'seq order, no duplicate');
      }
      const bobsRowAtAda = ada.getByTestId('message').filter({ hasText: 'hi ada, bob here' });
      assert.match(await bobsRowAtAda.textContent(), /bob/);
      assert.equal(await bobsRowAtAda.getByTestId('message-status').count(), 0, 'no status on others’ rows');
      assert.match(await bobsRowAtAda.locator('time').textContent(), /^\d\d:\d\d$/);

      await bob.close();
      await waitForMembers(ada, ['ada']);
      assert.deepEqual(ada.errors, []);
    });

    test('a server restart shows reconnecting, then connected, and a message typed meanwhile is delivered', async () => {
      const port = await freePort();
      const dir = mkdtempSync(path.join(tmpdir(), 'lsio-e2e-restart-'));
      let own = await spawnServer(port, dir);
      try {
        const room = freshRoom(`restart-${transport}`);
        const base = `http://127.0.0.1:${port}`;
        const ada = await person(base, { transport, room, name: 'ada' });
        const bob = await person(base, { transport, room, name: 'bob' });
        await waitForMembers(ada, ['ada', 'bob']);
        await send(ada, 'before the restart');
        await waitForMessage(bob, 'before the restart');

        own.kill('SIGKILL');
        await waitForState(ada, 'reconnecting');
        const countdown = ada.locator('.lsio-chat-countdown');
        await countdown.waitFor({ timeout: 10000 });
        assert.match(await countdown.textContent(), /^Retrying in \d+ s$/, 'the bar counts down to the next attempt');
        await recordStatuses(ada, 'typed while down');
        await send(ada, 'typed while down');
        await waitForMessage(ada, 'typed while down', 'pending');
        await ada.getByTestId('connection-state').filter({ hasText: 'reconnecting' }).waitFor();

        own = await spawnServer(port, dir);
        await waitForState(ada, 'connected', 20000);
        await waitForMessage(ada, 'typed while down', 'sent');
        assert.deepEqual(await ada.evaluate(() => window.__statuses), ['pending', 'sent']);
        await waitForMessage(bob, 'typed while down');
        for (const page of [ada, bob]) {
          assert.deepEqual(await messageTexts(page), ['before the restart', 'typed while down']);
        }
      } finally {
        own.kill('SIGKILL');
        rmSync(dir, { recursive: true, force: true });
      }
    });

    test('messages typed while the server is down are stored and shown in typing order once it is back', async () => {
      const port = await freePort();
      const dir = mkdtempSync(path.join(tmpdir(), 'lsio-e2e-offline-'));
      let own = await spawnServer(port, dir);
      try {
        const room = freshRoom(`offline-${transport}`);
        const base = `http://127.0.0.1:${port}`;
        const ada = await person(base, { transport, room, name: 'ada' });
        const bob = await person(base, { transport, room, name: 'bob' });
        await waitForMembers(ada, ['ada', 'bob']);

        own.kill('SIGKILL');
        await waitForState(ada, 'reconnecting');
        const typed = Array.from({ length: 20 }, (_, i) => `offline ${i}`);
        for (const text of typed) await send(ada, text);
        await waitForMessage(ada, typed.at(-1), 'pending');

        own = await spawnServer(port, dir);
        await waitForState(ada, 'connected', 20000);
        for (const text of typed) await waitForMessage(ada, text, 'sent');
        await waitForMessage(bob, typed.at(-1));
        for (const page of [ada, bob]) {
          assert.deepEqual(await messageTexts(page), typed, 'shown in seq order, which is typing order');
        }
        // A newcomer reads the stored history: typing order too.
        const cy = await person(base, { transport, room, name: 'cy' });
        await waitForMessage(cy, typed.at(-1));
        assert.deepEqual(await messageTexts(cy), typed, 'stored in typing order');
      } finally {
        own.kill('SIGKILL');
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}

test('typing shows in the other context and disappears about 3 s after the last keystroke', async () => {
  const room = freshRoom('typing');
  const ada = await person(server.url, { room, name: 'ada' });
  const bob = await person(server.url, { room, name: 'bob' });
  await waitForMembers(ada, ['ada', 'bob']);
  await waitForMembers(bob, ['ada', 'bob']);
  assert.equal(await ada.getByTestId('typing').count(), 0);
  await bob.getByTestId('message-input').pressSequentially('typing now', { delay: 20 });
  const typing = ada.getByTestId('typing');
  await typing.waitFor({ timeout: 5000 });
  const shownAt = Date.now();
  assert.match(await typing.textContent(), /bob/);
  assert.equal(await bob.getByTestId('typing').count(), 0, 'one does not see oneself typing');
  await typing.waitFor({ state: 'detached', timeout: 6000 });
  const shownFor = Date.now() - shownAt;
  assert.ok(shownFor >= 2000 && shownFor <= 4500, `shown for ${shownFor} ms`);
});

test('text that looks like HTML is shown as text and never runs', async () => {
  const room = freshRoom('xss');
  const ada = await person(server.url, { room, name: 'ada' });
  const bob = await person(server.url, { room, name: '<b>bob</b>' });
  await waitForMembers(ada, ['<b>bob</b>', 'ada']);
  const evil = '<img src=x onerror=window.__xss=1>';
  await send(ada, evil);
  for (const page of [ada, bob]) {
    await waitForMessage(page, evil);
    assert.deepEqual(await messageTexts(page), [evil]);
    assert.equal(await page.locator('.lsio-chat img, .lsio-chat b').count(), 0, 'no element was made from text');
    assert.equal(await page.evaluate(() => window.__xss), undefined, 'the handler did not run');
  }
});

test('someone joining later sees the history', async () => {
  const room = freshRoom('history');
  const ada = await person(server.url, { room, name: 'ada' });
  await waitForMembers(ada, ['ada']);
  for (const text of ['first', 'second', 'third']) {
    await send(ada, text);
    await waitForMessage(ada, text, 'sent');
  }
  const cy = await person(server.url, { room, name: 'cy' });
  await waitForMembers(cy, ['ada', 'cy']);
  await waitForMessage(cy, 'third');
  assert.deepEqual(await messageTexts(cy), ['first', 'second', 'third']);
  assert.equal(await cy.getByTestId('message-status').count(), 0, 'history is not cy’s own');
});

test('switching rooms leaves the old one and joins the new one', async () => {
  const [first, second] = [freshRoom('switch-a'), freshRoom('switch-b')];
  const ada = await person(server.url, { room: first, name: 'ada' });
  const bob = await person(server.url, { room: first, name: 'bob' });
  await waitForMembers(bob, ['ada', 'bob']);
  await send(bob, 'only in the first room');
  await waitForMessage(ada, 'only in the first room');
  await ada.getByTestId('room-input').fill(second);
  await ada.getByTestId('join-button').click();
  await waitForMembers(ada, ['ada']);
  await waitForMembers(bob, ['bob']);
  assert.equal(await ada.getByTestId('message').count(), 0, 'the new room has its own messages');
});

test('a message the server refuses is failed with its sentence, and Retry sends it again, stored once', async () => {
  // One message a second, no burst: of a quick run of sends most are refused.
  const limited = await startServer(['--static-dir', dist, '--rate-limit-per-sec', '1', '--rate-limit-burst', '1']);
  try {
    const room = freshRoom('retry');
    const ada = await person(limited.url, { room, name: 'ada' });
    const bob = await person(limited.url, { room, name: 'bob' });
    await waitForMembers(ada, ['ada', 'bob']);
    const texts = ['one', 'two', 'three', 'four', 'five'].map((n) => `quick ${n}`);
    for (const text of texts) await send(ada, text);
    const statuses = () =>
      ada.evaluate(() =>
        [...document.querySelectorAll('[data-testid=message]')].map((row) => [
          row.querySelector('.lsio-chat-text').textContent,
          row.querySelector('[data-testid=message-status]')?.textContent,
        ]),
      );
    await ada.waitForFunction(
      (n) =>
        [...document.querySelectorAll('[data-testid=message-status]')].filter((s) => s.textContent !== 'pending')
          .length === n,
      texts.length,
      { timeout: 10000 },
    );
    const settled = await statuses();
    const failed = settled.filter(([, s]) => s === 'failed').map(([t]) => t);
    const sent = settled.filter(([, s]) => s === 'sent').map(([t]) => t);
    assert.ok(failed.length >= 1 && sent.length >= 1, `statuses: ${JSON.stringify(settled)}`);
    assert.equal(failed.length + sent.length, texts.length);

    const row = ada.getByTestId('message').filter({ hasText: failed[0] });
    assert.match(await row.textContent(), /sending messages too fast; wait a moment and try again/);
    for (const text of sent) await waitForMessage(bob, text);
    assert.deepEqual(await messageTexts(bob), sent, 'a refused message reaches nobody');

    await new Promise((resolve) => setTimeout(resolve, 1200)); // the bucket refills
    await recordStatuses(ada, failed[0]);
    await row.getByRole('button', { name: 'Retry' }).click();
    await waitForMessage(ada, failed[0], 'sent');
    assert.deepEqual(await ada.evaluate(() => window.__statuses), ['pending', 'sent']);
    assert.equal(await row.getByRole('button', { name: 'Retry' }).count(), 0, 'no Retry on a sent message');
    await waitForMessage(bob, failed[0]);
    assert.deepEqual(await messageTexts(bob), [...sent, failed[0]]);

    const cy = await person(limited.url, { room, name: 'cy' });
    await waitForMembers(cy, ['ada', 'bob', 'cy']);
    await waitForMessage(cy, failed[0]);
    assert.deepEqual(await messageTexts(cy), [...sent, failed[0]], 'stored once, after the others');
    const onAda = (await statuses()).filter(([t]) => t === failed[0]);
    assert.equal(onAda.length, 1, 'the retried message is one row at the sender');
    assert.deepEqual(ada.errors, []);
  } finally {
    await stopServer(limited);
  }
});

test('with the keyboard alone one joins and sends; every control has an accessible name', async () => {
  const room = freshRoom('keyboard');
  const ada = await person(server.url, {});
  await waitForState(ada, 'connected');
  for (const [role, name] of [
    ['textbox', 'Name'],
    ['textbox', 'Room'],
    ['textbox', 'Message'],
    ['button', 'Join'],
    ['button', 'Send'],
  ]) {
    assert.equal(await ada.getByRole(role, { name, exact: true }).count(), 1, `${role} named ${name}`);
  }
  assert.equal(await ada.getByRole('form', { name: 'Join a room' }).count(), 1);
  assert.equal(await ada.getByRole('complementary', { name: 'Members' }).count(), 1);
  assert.match(await ada.getByRole('status').textContent(), /Connection: connected/);

  const focused = () => ada.evaluate(() => document.activeElement?.dataset.testid ?? null);
  await ada.keyboard.press('Tab');
  assert.equal(await focused(), 'name-input', 'the first Tab reaches the name');
  await ada.keyboard.type('ada');
  await ada.keyboard.press('Tab');
  assert.equal(await focused(), 'room-input');
  await ada.keyboard.type(room);
  await ada.keyboard.press('Enter');
  await waitForMembers(ada, ['ada']);
  assert.equal(await ada.getByRole('heading', { name: `Room ${room}` }).count(), 1);

  for (let i = 0; i < 3 && (await focused()) !== 'message-input'; i += 1) await ada.keyboard.press('Tab');
  assert.equal(await focused(), 'message-input', 'the composer is reached with Tab');
  await ada.keyboard.type('typed with keys');
  await ada.keyboard.press('Enter');
  await waitForMessage(ada, 'typed with keys', 'sent');
  assert.equal(await focused(), 'message-input', 'the composer keeps the focus for the next message');
  await ada.keyboard.type('and another');
  await ada.keyboard.press('Enter');
  await waitForMessage(ada, 'and another', 'sent');
  assert.match(await ada.getByRole('status').textContent(), /Round trip: \d+ ms/, 'the bar shows the round trip');
  assert.deepEqual(ada.errors, []);
});

test('the chat fits a 375 px wide phone screen', async () => {
  const room = freshRoom('phone');
  const context = await browser.newContext({ viewport: { width: 375, height: 740 } });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(`${server.url}/?${new URLSearchParams({ room, name: 'ada' })}`);
  await waitForMembers(page, ['ada']);
  await send(page, 'a long word: ' + 'x'.repeat(200));
  await waitForMessage(page, 'xxxx', 'sent');
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 375, `the page is ${width} px wide`);
  for (const id of ['message-input', 'send-button', 'join-button']) {
    assert.ok(await page.getByTestId(id).isVisible(), `${id} is visible`);
  }
});

/** A TCP port free right now on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** The server on a fixed `port` with data in `dir` (so it can be restarted in place). */
function spawnServer(port, dir) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      serverBin,
      ['--host', '127.0.0.1', '--port', String(port), '--static-dir', dist, '--data-dir', dir],
      { env: { ...process.env, RUST_LOG: 'warn' }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('the server printed no URL within 15 s'));
    }, 15000);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      if (!line.startsWith('listening on ')) reject(new Error(`unexpected line ${line}`));
      else resolve(child);
    });
  });
}
