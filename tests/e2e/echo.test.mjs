// End-to-end: the server serves the built demo app (dist/, from `trunk build
// --release`); headless Chromium opens it, sees it connect, types a text and
// sees the server's echo rendered.
//
// LSIO_DIST overrides the app directory (default dist/).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { root, startServer, stopServer } from '../support/server.mjs';
import { launchBrowser } from '../support/browser.mjs';

const dist = process.env.LSIO_DIST ?? path.join(root, 'dist');

let server;
let browser;

before(async () => {
  server = await startServer(['--static-dir', dist]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  if (server) await stopServer(server);
});

async function openDemo() {
  const page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('response', (r) => r.status() >= 400 && errors.push(`${r.status()} ${r.url()}`));
  await page.goto(server.url + '/');
  return { page, errors };
}

test('the demo page connects over WebSocket and renders the echoed text', async () => {
  const { page, errors } = await openDemo();
  const state = page.getByTestId('connection-state');
  await state.waitFor();
  await assert.doesNotReject(
    page.waitForFunction(
      () => document.querySelector('[data-testid=connection-state]')?.textContent === 'connected',
      null,
      { timeout: 10000 },
    ),
    'the page never showed "connected"',
  );
  assert.equal(await page.getByTestId('transport').textContent(), 'websocket');

  const text = 'hello from Chromium <b>not bold</b> ✓';
  await page.getByTestId('echo-input').fill(text);
  await page.getByTestId('echo-button').click();
  await page.waitForFunction(
    (want) => document.querySelector('[data-testid=echo-reply]')?.textContent === want,
    text,
    { timeout: 10000 },
  );
  assert.equal(await page.locator('[data-testid=echo-reply] b').count(), 0, 'text must not become HTML');
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

test('an empty text is refused with a sentence instead of being sent', async () => {
  const { page } = await openDemo();
  await page.getByTestId('echo-button').click();
  const error = page.getByTestId('error');
  await error.waitFor({ timeout: 5000 });
  assert.match(await error.textContent(), /Type some text/);
  assert.equal(await page.getByTestId('echo-reply').textContent(), '');
  await page.close();
});

test('with ?transport=polling the page connects over polling and still echoes', async () => {
  const page = await browser.context.newPage();
  await page.goto(server.url + '/?transport=polling');
  await page.waitForFunction(
    () => document.querySelector('[data-testid=connection-state]')?.textContent === 'connected',
    null,
    { timeout: 10000 },
  );
  assert.equal(await page.getByTestId('transport').textContent(), 'polling');
  await page.getByTestId('echo-input').fill('over polling');
  await page.getByTestId('echo-button').click();
  await page.waitForFunction(
    () => document.querySelector('[data-testid=echo-reply]')?.textContent === 'over polling',
    null,
    { timeout: 10000 },
  );
  await page.close();
});

test('leaving the page closes the connection cleanly (a DISCONNECT, not a dropped socket)', async () => {
  const logged = await startServer(['--static-dir', dist], { RUST_LOG: 'info' });
  try {
    const page = await browser.context.newPage();
    await page.goto(logged.url + '/');
    await page.waitForFunction(
      () => document.querySelector('[data-testid=connection-state]')?.textContent === 'connected',
      null,
      { timeout: 10000 },
    );
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
