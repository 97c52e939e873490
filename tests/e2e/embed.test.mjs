// End-to-end: examples/embed, an app of its own that embeds <Chat/> and a
// use_socket live counter, built by trunk into LSIO_EMBED_DIST and served by
// our server. Both parts work side by side in one page.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { root, startServer, stopServer } from '../support/server.mjs';
import { launchBrowser } from '../support/browser.mjs';

const dist = process.env.LSIO_EMBED_DIST ?? path.join(root, 'examples/embed/dist');

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

test('the embedded chat and the live counter work side by side in the host page', async () => {
  const page = await browser.context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(server.url + '/');

  // The host's own layout is there, with the chat inside its sidebar.
  assert.equal(await page.locator('.site-sidebar .lsio-chat').count(), 1);
  assert.equal(await page.getByTestId('room-input').inputValue(), 'support');

  // The live counter counts answered pings on its own connection.
  await page.waitForFunction(
    () => Number(document.querySelector('[data-testid=live-counter]')?.textContent) >= 2,
    null,
    { timeout: 10000 },
  );
  assert.equal(await page.getByTestId('live-state').textContent(), 'connected');

  // The chat joins and sends.
  await page.getByTestId('name-input').fill('visitor');
  await page.getByTestId('join-button').click();
  await page.getByTestId('message-input').fill('how do I plug it in?');
  await page.getByTestId('send-button').click();
  const row = page.getByTestId('message').filter({ hasText: 'how do I plug it in?' });
  await row.getByTestId('message-status').filter({ hasText: /^sent$/ }).waitFor({ timeout: 10000 });
  assert.match(await row.textContent(), /visitor/);
  assert.deepEqual(errors, []);
  await page.close();
});
