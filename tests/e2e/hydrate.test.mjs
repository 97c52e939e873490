// End-to-end: server rendering then hydration. `scripts/test` renders the
// hydrate example's page with `--features ssr` (examples/hydrate/page.rs)
// and builds its client with `--features hydrate` into LSIO_HYDRATE_DIST;
// our server serves it. The HTML as sent must show the inert SSR state, and
// once hydrated the same markup must come alive: connected, and the button's
// handler attached, with no hydration error and no duplicated markup.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { root, startServer, stopServer } from '../support/server.mjs';
import { launchBrowser } from '../support/browser.mjs';

const dist = process.env.LSIO_HYDRATE_DIST ?? path.join(root, 'target/hydrate-dist');

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

test('the server-rendered HTML shows the inert state of the hooks', async () => {
  const html = await (await fetch(server.url + '/')).text();
  assert.match(html, /data-testid="page-state">disconnected</);
  assert.match(html, /data-testid="page-transport">none</);
  // <Chat/>'s own bar and form are in the HTML too.
  assert.match(html, /data-testid="connection-state"[^>]*>disconnected</);
  assert.match(html, /data-testid="join-button"/);
});

test('hydration takes over the server markup: it connects, the handlers work, the chat joins', async () => {
  const page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && errors.push(m.text()));
  await page.goto(server.url + '/');
  await page.waitForFunction(
    () => document.querySelector('[data-testid=page-state]')?.textContent === 'connected',
    null,
    { timeout: 10000 },
  );
  assert.equal(await page.getByTestId('page-transport').textContent(), 'websocket');
  await page.getByTestId('echo-button').click();
  await page.waitForFunction(
    () => document.querySelector('[data-testid=echo-reply]')?.textContent === 'hydrated 1',
    null,
    { timeout: 5000 },
  );
  assert.equal(await page.locator('[data-testid=page-state]').count(), 1, 'markup not duplicated');
  assert.equal(await page.locator('main').count(), 1, 'markup not duplicated');
  assert.equal(await page.locator('.lsio-chat').count(), 1, 'markup not duplicated');

  // The hydrated <Chat/> works: its own connection, join, send.
  await page.waitForFunction(
    () => document.querySelector('.lsio-chat [data-testid=connection-state]')?.textContent === 'connected',
    null,
    { timeout: 10000 },
  );
  assert.equal(await page.getByTestId('room-input').inputValue(), 'lobby');
  await page.getByTestId('name-input').fill('hydra');
  await page.getByTestId('join-button').click();
  await page.getByTestId('member').filter({ hasText: 'hydra' }).waitFor({ timeout: 5000 });
  await page.getByTestId('message-input').fill('hello after hydration');
  await page.getByTestId('send-button').click();
  await page
    .getByTestId('message')
    .filter({ hasText: 'hello after hydration' })
    .getByTestId('message-status')
    .filter({ hasText: /^sent$/ })
    .waitFor({ timeout: 5000 });
  assert.deepEqual(errors, [], 'no hydration error or warning in the console');
  await page.close();
});
