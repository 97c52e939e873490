// Takes the README's screenshot of the demo: two people (isolated browser
// contexts) chatting in one room, seen by one of them, at desktop and phone
// width. Needs the built app (dist/, `trunk build --release`) and the server
// binary (`cargo build -p leptos-socketio-server`):
//
//   node scripts/screenshot.mjs      # writes docs/demo.png and docs/demo-phone.png

import path from 'node:path';
import { mkdirSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { root, startServer, stopServer } from '../tests/support/server.mjs';
import { CHROMIUM, CHROMIUM_ARGS } from '../tests/support/browser.mjs';


const server = await startServer(['--static-dir', path.join(root, 'dist')]);
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
try {
  const open = async (name, viewport) => {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    await page.goto(`${server.url}/?room=lobby&name=${name}`);
    await page.getByTestId('message-input').waitFor();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=member]').length > 0);
    return page;
  };
  const say = async (page, text) => {
    await page.getByTestId('message-input').fill(text);
    await page.getByTestId('send-button').click();
    await page.getByTestId('message').filter({ hasText: text }).waitFor();
  };
  const ada = await open('ada', { width: 960, height: 640 });
  const bob = await open('bob', { width: 375, height: 720 });
  await say(ada, 'Hi Bob! The chat runs on leptos-socketio, all Rust in the browser.');
  await say(bob, 'Nice. Over WebSocket, with polling as the fallback?');
  await say(ada, 'Yes, and a message typed while offline is re-sent when the connection is back.');
  await say(bob, '<b>HTML</b> shows as text, too.');
  await bob.getByTestId('message-input').pressSequentially('typing…', { delay: 30 });
  await ada.getByTestId('typing').waitFor();
  mkdirSync(path.join(root, 'docs'), { recursive: true });
  await ada.screenshot({ path: path.join(root, 'docs/demo.png') });
  await bob.screenshot({ path: path.join(root, 'docs/demo-phone.png') });
  console.log('wrote docs/demo.png and docs/demo-phone.png');
} finally {
  await browser.close();
  await stopServer(server);
}
