// End-to-end: a page restored from the back/forward cache connects again.
// The client closes its connection on `pagehide` (so the page may enter the
// cache at all: an open WebSocket keeps a page out of it) and joins again
// on `pageshow` when the page comes back from the cache. Playwright turns
// the cache off by default; this test turns it back on.
//
// LSIO_DIST overrides the app directory (default dist/).

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { root, startServer, stopServer } from '../support/server.mjs';
import { CHROMIUM, CHROMIUM_ARGS } from '../support/browser.mjs';

const dist = process.env.LSIO_DIST ?? path.join(root, 'dist');
const dataDir = mkdtempSync(path.join(tmpdir(), 'lsio-e2e-bfcache-'));

let server;
let browser;

before(async () => {
  server = await startServer(['--static-dir', dist, '--data-dir', dataDir]);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    ignoreDefaultArgs: ['--disable-back-forward-cache'],
  });
});

after(async () => {
  await browser?.close();
  if (server) await stopServer(server);
  rmSync(dataDir, { recursive: true, force: true });
});

function waitForState(page, want, timeout = 10000) {
  return page.waitForFunction(
    (want) => document.querySelector('[data-testid=connection-state]')?.textContent === want,
    want,
    { timeout },
  );
}

test('a page restored from the back/forward cache shows "connected" again and can send', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // Every load records its `pageshow`s; a restore adds `true` to the same
  // list. From a restore on, each connection state the page renders is
  // logged, starting with the one it was hidden with.
  await page.addInitScript(() => {
    const shown = () => document.querySelector('[data-testid=connection-state]')?.textContent;
    window.__pageshows = [];
    window.__statesSinceRestore = null;
    addEventListener('pageshow', (e) => {
      window.__pageshows.push(e.persisted);
      if (e.persisted) window.__statesSinceRestore = [shown()];
    });
    new MutationObserver(() => {
      const log = window.__statesSinceRestore;
      const state = shown();
      if (log && state !== log.at(-1)) log.push(state);
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
  await page.goto(`${server.url}/?room=bfcache&name=bea`);
  await waitForState(page, 'connected');
  await page.getByTestId('member').first().waitFor({ timeout: 10000 });

  await page.goto(`${server.url}/?room=elsewhere&name=bea`);
  await waitForState(page, 'connected');
  // A restore fires no `load`: wait for the navigation's commit only.
  await page.goBack({ waitUntil: 'commit' });
  await page.waitForFunction(() => window.__pageshows?.length >= 1);

  const shows = await page.evaluate(() => window.__pageshows);
  const reasons = await page.evaluate(() =>
    JSON.stringify(performance.getEntriesByType('navigation')[0]?.notRestoredReasons ?? null),
  );
  assert.deepEqual(shows, [false, true], `restored from the cache (not: ${reasons})`);
  // The page was hidden showing "connected" and a restore brings that
  // render back as it was, so only a state rendered after the restore
  // counts: the client went through a new connection.
  const connectedAgain = await page
    .waitForFunction(
      () => {
        const log = window.__statesSinceRestore;
        return log?.length > 1 && log.at(-1) === 'connected';
      },
      null,
      { timeout: 10000 },
    )
    .then(
      () => true,
      () => false,
    );
  const states = await page.evaluate(() => window.__statesSinceRestore);
  assert.ok(
    connectedAgain,
    `the restored page never showed "connected" again (shown since the restore: ${JSON.stringify(states)})`,
  );
  // The connection really is back: a message is acknowledged by the server.
  await page.getByTestId('message-input').fill('back again');
  await page.getByTestId('send-button').click();
  const row = page.getByTestId('message').filter({ hasText: 'back again' });
  await assert.doesNotReject(
    page.waitForFunction(
      () =>
        [...document.querySelectorAll('[data-testid=message]')]
          .find((m) => m.textContent.includes('back again'))
          ?.querySelector('[data-testid=message-status]')?.textContent === 'sent',
      null,
      { timeout: 10000 },
    ),
    `the message was never acknowledged: ${await row.textContent().catch(() => 'no row')}`,
  );
  assert.deepEqual(errors, []);
  await context.close();
});
