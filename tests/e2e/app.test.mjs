// End-to-end: the server serves the built demo app (dist/, from `trunk build
// --release`); headless Chromium opens it and sees it connect, over
// WebSocket or polling, refuse an empty message with a sentence, and close
// cleanly when the page goes away. The chat itself: chat.test.mjs.
//
// LSIO_DIST overrides the app directory (default dist/).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { root, startServer, stopServer } from '../support/server.mjs';
import { launchBrowser } from '../support/browser.mjs';

const dist = process.env.LSIO_DIST ?? path.join(root, 'dist');
const dataDir = mkdtempSync(path.join(tmpdir(), 'lsio-e2e-app-'));

let server;
let browser;

before(async () => {
  server = await startServer(['--static-dir', dist, '--data-dir', dataDir]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  if (server) await stopServer(server);
  rmSync(dataDir, { recursive: true, force: true });
});

function waitForState(page, want) {
  return page.waitForFunction(
    (want) => document.querySelector('[data-testid=connection-state]')?.textContent === want,
    want,
    { timeout: 10000 },
  );
}

test('the demo page connects over WebSocket and shows the join form', async () => {
  const page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('response', (r) => r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`));
  await page.goto(server.url + '/');
  await assert.doesNotReject(waitForState(page, 'connected'), 'the page never showed "connected"');
  assert.equal(await page.getByTestId('transport').textContent(), 'websocket');
  for (const id of ['name-input', 'room-input', 'join-button', 'message-input', 'send-button']) {
    assert.equal(await page.getByTestId(id).count(), 1, `one ${id}`);
  }
  assert.equal(await page.getByTestId('typing').count(), 0);
  assert.deepEqual(errors, []);
  await page.close();
});

test('the page starts as "connecting" with transport "none" before the server answers', async () => {
  const page = await browser.context.newPage();
  // Hold the WebSocket back so the first render is observable.
  await page.routeWebSocket(/socket\.io/, () => {});
  await page.goto(server.url + '/');
  await page.getByTestId('connection-state').waitFor();
  assert.equal(await page.getByTestId('connection-state').textContent(), 'connecting');
  assert.equal(await page.getByTestId('transport').textContent(), 'none');
  await page.close();
});

test('an empty message and an invalid room are refused with sentences instead of being sent', async () => {
  const page = await browser.context.newPage();
  await page.goto(server.url + '/?room=refusals&name=ada');
  await waitForState(page, 'connected');
  await page.getByTestId('member').first().waitFor({ timeout: 10000 });
  await page.getByTestId('send-button').click();
  const error = page.getByTestId('error');
  await error.waitFor({ timeout: 5000 });
  assert.match(await error.textContent(), /The message is empty; type some text/);
  assert.equal(await page.getByTestId('message').count(), 0);

  await page.getByTestId('room-input').fill('no spaces allowed');
  await page.getByTestId('join-button').click();
  await page.waitForFunction(
    () => /letters, digits/.test(document.querySelector('[data-testid=error]')?.textContent ?? ''),
    null,
    { timeout: 5000 },
  );
  await page.close();
});

test("the longest text is the server's: a server started with --max-text-chars 10 has the page refuse 11", async () => {
  const strict = await startServer(['--static-dir', dist, '--max-text-chars', '10']);
  try {
    const page = await browser.context.newPage();
    await page.goto(strict.url + '/?room=limits&name=ada');
    await waitForState(page, 'connected');
    await page.getByTestId('member').first().waitFor({ timeout: 10000 });
    await page.getByTestId('message-input').fill('eleven char');
    await page.getByTestId('send-button').click();
    const error = page.getByTestId('error');
    await error.waitFor({ timeout: 5000 });
    assert.equal(
      await error.textContent(),
      'The message is 11 characters long; the limit is 10.',
      'refused at once, with the limit the server gave in its join ack',
    );
    assert.equal(await page.getByTestId('message').count(), 0, 'nothing was sent');
    await page.getByTestId('message-input').fill('ten chars!');
    await page.getByTestId('send-button').click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid=message-status]')?.textContent === 'sent',
      null,
      { timeout: 10000 },
    );
    await page.close();
  } finally {
    await stopServer(strict);
  }
});

test('with ?transport=polling the page connects over polling and can join', async () => {
  const page = await browser.context.newPage();
  await page.goto(server.url + '/?transport=polling&room=polled&name=poll');
  await waitForState(page, 'connected');
  assert.equal(await page.getByTestId('transport').textContent(), 'polling');
  await page.getByTestId('member').filter({ hasText: 'poll' }).waitFor({ timeout: 10000 });
  await page.close();
});

test('leaving the page closes the connection cleanly (a DISCONNECT, not a dropped socket)', async () => {
  const logged = await startServer(['--static-dir', dist, '--data-dir', dataDir], { RUST_LOG: 'info' });
  try {
    const page = await browser.context.newPage();
    await page.goto(logged.url + '/');
    await waitForState(page, 'connected');
    await page.goto('about:blank');
    const deadline = Date.now() + 5000;
    while (!/socket disconnected/.test(logged.stderr()) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const line = logged.stderr().split('\n').find((l) => l.includes('socket disconnected')) ?? '';
    assert.match(line, /manually disconnected/, `the server saw: ${line || 'no disconnect'}`);
    await page.close();
  } finally {
    await stopServer(logged);
  }
});

test('with a server token, ?token= is sent as auth and a missing token is refused with a sentence', async () => {
  const guarded = await startServer(['--static-dir', dist, '--data-dir', dataDir, '--token', 's3cret']);
  try {
    const refused = await browser.context.newPage();
    await refused.goto(guarded.url + '/?room=guarded&name=ada');
    await refused.getByTestId('error').waitFor({ timeout: 10000 });
    assert.match(await refused.getByTestId('error').textContent(), /unauthori[sz]ed/i);
    assert.notEqual(await refused.getByTestId('connection-state').textContent(), 'connected');
    assert.equal(await refused.getByTestId('member').count(), 0);
    await refused.close();

    const allowed = await browser.context.newPage();
    await allowed.goto(guarded.url + '/?room=guarded&name=ada&token=s3cret');
    await waitForState(allowed, 'connected');
    await allowed.getByTestId('member').filter({ hasText: 'ada' }).waitFor({ timeout: 10000 });
    await allowed.close();
  } finally {
    await stopServer(guarded);
  }
});
