// Headless Debian Chromium through playwright-core, with the flags this
// sandboxed, offline machine needs (see README, "Tests").

import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

/** The flags headless Chromium needs here (root, no GPU, no network but loopback). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Launches a fresh headless Chromium; `close()` also removes its profile. */
export async function launchBrowser() {
  const profile = mkdtempSync(path.join(tmpdir(), 'lsio-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Waits until the page's connection bar shows `want` (e.g. `connected`). */
export function waitForState(page, want, timeout = 15000) {
  return page.waitForFunction(
    (want) => document.querySelector('[data-testid=connection-state]')?.textContent === want,
    want,
    { timeout },
  );
}
