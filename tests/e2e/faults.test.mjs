// Faults, counted: the demo app in headless Chromium against our server
// while the server process is killed, frozen, or the network breaks, with
// exact counts printed and asserted (sent, acked, shown per page,
// duplicates, order).
//
// The page is served by one server (`page`); its socket goes to another
// (`chat`, `?server=`), which the tests kill, freeze and restart on the same
// port and the same data directory, or reach through a proxy.
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
import { connect, followRoom } from '../support/chat-client.mjs';

const dist = process.env.LSIO_DIST ?? path.join(root, 'dist');
const scratch = mkdtempSync(path.join(tmpdir(), 'lsio-e2e-faults-'));

let page0; // serves the app
let browser;

before(async () => {
  page0 = await startServer(['--static-dir', dist, '--data-dir', path.join(scratch, 'page')]);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
});

after(async () => {
  await browser?.close();
  if (page0) await stopServer(page0);
  rmSync(scratch, { recursive: true, force: true });
});

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * A chat server that can be killed, frozen and restarted where it was:
 * same port, same data directory. Rate limits are lifted (the pages send
 * faster than a person, and re-send whole outboxes after each restart).
 */
async function chatServer(name, extra = []) {
  const args = [
    '--data-dir',
    path.join(scratch, name),
    '--allowed-origin',
    page0.url,
    '--rate-limit-per-sec',
    '100000',
    '--rate-limit-burst',
    '100000',
    '--history-limit',
    '1000',
    ...extra,
  ];
  const chat = { args, server: await startServer(args) };
  chat.port = Number(new URL(chat.server.url).port);
  chat.url = chat.server.url;
  chat.kill = async () => {
    const exited = new Promise((r) => chat.server.child.once('exit', r));
    chat.server.child.kill('SIGKILL');
    await exited;
  };
  chat.restart = async () => {
    for (let attempt = 0; ; attempt++) {
      try {
        chat.server = await startServer(args, {}, { port: chat.port });
        return;
      } catch (e) {
        if (attempt >= 20) throw e;
        await sleep(100); // the port may still be held for a moment
      }
    }
  };
  chat.signal = (sig) => chat.server.child.kill(sig);
  chat.stop = () => stopServer(chat.server);
  return chat;
}

async function openPage(context, socketUrl, room, name, extra = '') {
  const page = await context.newPage();
  page.errors = [];
  page.on('pageerror', (e) => page.errors.push(e.message));
  await page.goto(`${page0.url}/?server=${encodeURIComponent(socketUrl)}&room=${room}&name=${name}${extra}`);
  await waitForState(page, 'connected');
  await page.getByTestId('member').first().waitFor({ timeout: 10000 });
  return page;
}

/**
 * Types and sends `texts` in the page, one every `gapMs`, through the
 * composer as a person would (the input event, then the send button).
 */
function typeAll(page, texts, gapMs) {
  return page.evaluate(
    async ({ texts, gapMs }) => {
      const input = document.querySelector('[data-testid=message-input]');
      const button = document.querySelector('[data-testid=send-button]');
      for (const text of texts) {
        input.value = text;
        input.dispatchEvent(new Event('input', { bubbles: true }));
        button.click();
        await new Promise((r) => setTimeout(r, gapMs));
      }
    },
    { texts, gapMs },
  );
}

/** The rows shown, in order: `{text, status, seq}`. */
function rows(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('[data-testid=message]')].map((m) => ({
      text: m.querySelector('.lsio-chat-text')?.textContent ?? '',
      status: m.querySelector('[data-testid=message-status]')?.textContent ?? null,
    })),
  );
}

/** Waits until `page` shows every text of `texts`, its own ones as sent. */
function waitAllShown(page, texts, timeout) {
  return page.waitForFunction(
    (texts) => {
      const shown = new Map();
      for (const m of document.querySelectorAll('[data-testid=message]')) {
        shown.set(
          m.querySelector('.lsio-chat-text')?.textContent,
          m.querySelector('[data-testid=message-status]')?.textContent ?? 'other',
        );
      }
      return texts.every((t) => shown.has(t) && shown.get(t) !== 'pending' && shown.get(t) !== 'failed');
    },
    texts,
    { timeout, polling: 250 },
  );
}

function duplicates(list) {
  return list.length - new Set(list).size;
}

test('two pages send 300 messages each while the server is killed and restarted 3 times: 600 shown once each, same order, all acked', async () => {
  const chat = await chatServer('kill');
  const context = await browser.newContext();
  const room = 'faults-kill';
  const a = await openPage(context, chat.url, room, 'ann');
  const b = await openPage(await browser.newContext(), chat.url, room, 'ben');
  const fromA = Array.from({ length: 300 }, (_, i) => `ann ${String(i + 1).padStart(3, '0')}`);
  const fromB = Array.from({ length: 300 }, (_, i) => `ben ${String(i + 1).padStart(3, '0')}`);

  const typing = Promise.all([typeAll(a, fromA, 40), typeAll(b, fromB, 40)]);
  let kills = 0;
  for (const at of [2500, 3500, 3500]) {
    await sleep(at);
    await chat.kill();
    kills += 1;
    await sleep(600);
    await chat.restart();
  }
  await typing;
  const all = [...fromA, ...fromB];
  await waitAllShown(a, all, 60000);
  await waitAllShown(b, all, 60000);

  const shownA = (await rows(a)).map((r) => r.text).filter((t) => all.includes(t));
  const shownB = (await rows(b)).map((r) => r.text).filter((t) => all.includes(t));
  const ackedA = (await rows(a)).filter((r) => fromA.includes(r.text) && r.status === 'sent').length;
  const ackedB = (await rows(b)).filter((r) => fromB.includes(r.text) && r.status === 'sent').length;
  const stored = await metric(chat.url, 'lsio_messages_stored_total');
  const resent = await metric(chat.url, 'lsio_messages_duplicate_total');
  console.log(
    `faults, ${kills} SIGKILLs: sent 600, acked ${ackedA + ackedB}, shown on page A ${shownA.length} ` +
      `(duplicates ${duplicates(shownA)}), on page B ${shownB.length} (duplicates ${duplicates(shownB)}), ` +
      `same order ${JSON.stringify(shownA) === JSON.stringify(shownB)}; stored since the last restart ${stored}, ` +
      `re-sent ids refused as already stored since then ${resent}`,
  );
  assert.equal(shownA.length, 600);
  assert.equal(shownB.length, 600);
  assert.equal(duplicates(shownA), 0);
  assert.equal(duplicates(shownB), 0);
  assert.deepEqual(shownA, shownB, 'the same seq order on both pages');
  assert.equal(ackedA + ackedB, 600, 'every message acked (sent)');
  for (const [own, shown] of [
    [fromA, shownA],
    [fromB, shownB],
  ]) {
    assert.deepEqual(
      shown.filter((t) => own.includes(t)),
      own,
      "each person's messages in the order they were typed",
    );
  }
  assert.deepEqual([...a.errors, ...b.errors], []);
  await context.close();
  await chat.stop();
});

test('the server frozen past pingInterval + pingTimeout: the page shows reconnecting in time, and what was sent meanwhile arrives once after SIGCONT', async () => {
  const chat = await chatServer('freeze', ['--ping-interval-ms', '1000', '--ping-timeout-ms', '1000']);
  const context = await browser.newContext();
  const room = 'faults-freeze';
  const a = await openPage(context, chat.url, room, 'cat');
  const b = await openPage(await browser.newContext(), chat.url, room, 'dan');

  chat.signal('SIGSTOP');
  const frozenAt = Date.now();
  await waitForState(a, 'reconnecting', 5000);
  const noticedMs = Date.now() - frozenAt;
  const sent = Array.from({ length: 10 }, (_, i) => `while frozen ${i + 1}`);
  await typeAll(a, sent, 50);
  await sleep(Math.max(0, 4000 - (Date.now() - frozenAt)));
  chat.signal('SIGCONT');
  const frozenMs = Date.now() - frozenAt;

  await waitAllShown(a, sent, 20000);
  await waitAllShown(b, sent, 20000);
  const shownA = (await rows(a)).map((r) => r.text).filter((t) => sent.includes(t));
  const shownB = (await rows(b)).map((r) => r.text).filter((t) => sent.includes(t));
  console.log(
    `faults, SIGSTOP for ${frozenMs} ms (ping 1000 + 1000): "reconnecting" after ${noticedMs} ms; ` +
      `sent meanwhile 10, shown on the sender ${shownA.length} (duplicates ${duplicates(shownA)}), ` +
      `on the other page ${shownB.length} (duplicates ${duplicates(shownB)})`,
  );
  assert.ok(noticedMs <= 3500, `reconnecting within pingInterval + pingTimeout (+ a margin): ${noticedMs} ms`);
  assert.deepEqual(shownA, sent, 'once each, in order');
  assert.deepEqual(shownB, sent, 'once each, in order, on the other page too');
  assert.deepEqual([...a.errors, ...b.errors], []);
  await context.close();
  await chat.stop();
});

test('WebSocket breaks mid-session and keeps failing: the page goes on over polling, loses nothing, and upgrades back once it heals', async () => {
  const chat = await chatServer('websocket');
  const proxy = new Proxy({ backendPort: chat.port });
  await proxy.listen();
  const context = await browser.newContext();
  const room = 'faults-websocket';
  const a = await openPage(context, proxy.url, room, 'eve');
  assert.equal(await a.getByTestId('transport').textContent(), 'websocket');

  proxy.setMode('cut');
  proxy.setMode('refuse-upgrade');
  await a.waitForFunction(
    () =>
      document.querySelector('[data-testid=connection-state]')?.textContent === 'connected' &&
      document.querySelector('[data-testid=transport]')?.textContent === 'polling',
    null,
    { timeout: 15000 },
  );
  const overPolling = Array.from({ length: 20 }, (_, i) => `over polling ${i + 1}`);
  await typeAll(a, overPolling, 30);
  await waitAllShown(a, overPolling, 15000);
  const refused = proxy.getStats().upgradesRefused;

  proxy.setMode('pass');
  const healedAt = Date.now();
  await a.waitForFunction(() => document.querySelector('[data-testid=transport]')?.textContent === 'websocket', null, {
    timeout: 20000,
  });
  const upgradedMs = Date.now() - healedAt;
  const afterUpgrade = Array.from({ length: 5 }, (_, i) => `after the upgrade ${i + 1}`);
  await typeAll(a, afterUpgrade, 30);
  const all = [...overPolling, ...afterUpgrade];
  await waitAllShown(a, all, 15000);
  const shown = (await rows(a)).map((r) => r.text).filter((t) => all.includes(t));
  console.log(
    `faults, WebSocket refused (${refused} upgrades refused): sent 20 over polling and 5 after the ` +
      `upgrade back (${upgradedMs} ms after the network healed), shown ${shown.length} ` +
      `(duplicates ${duplicates(shown)}), in order ${JSON.stringify(shown) === JSON.stringify(all)}`,
  );
  assert.ok(refused >= 1, 'the WebSocket really was refused');
  assert.deepEqual(shown, all);
  assert.deepEqual(a.errors, []);
  await context.close();
  proxy.close();
  await chat.stop();
});

/** The page's JS heap in use after a full garbage collection (DevTools protocol). */
async function heapAfterGc(cdp) {
  await cdp.send('HeapProfiler.collectGarbage');
  const { usedSize } = await cdp.send('Runtime.getHeapUsage');
  return usedSize;
}

test('a 60-second soak through a proxy with latency that cuts a random connection every few seconds: nothing lost or doubled, the heap bounded', async () => {
  const SOAK_MS = 60_000;
  const chat = await chatServer('soak');
  const proxy = new Proxy({ backendPort: chat.port, latencyMs: 40 });
  await proxy.listen();
  const room = 'faults-soak';
  const contextA = await browser.newContext();
  const contextB = await browser.newContext();
  const a = await openPage(contextA, proxy.url, room, 'fay');
  const b = await openPage(contextB, proxy.url, room, 'gus');
  const cdpA = await contextA.newCDPSession(a);
  const cdpB = await contextB.newCDPSession(b);

  const count = Math.floor(SOAK_MS / 250);
  const fromA = Array.from({ length: count }, (_, i) => `fay ${String(i + 1).padStart(3, '0')}`);
  const fromB = Array.from({ length: count }, (_, i) => `gus ${String(i + 1).padStart(3, '0')}`);
  const started = Date.now();
  const typing = Promise.all([typeAll(a, fromA, 250), typeAll(b, fromB, 250)]);
  let cuts = 0;
  let heapBefore = null;
  while (Date.now() - started < SOAK_MS) {
    await sleep(2000 + Math.random() * 2000);
    if (heapBefore === null && Date.now() - started > 8000) {
      // Once warmed up: the wasm instantiated, the first reconnections done.
      heapBefore = [await heapAfterGc(cdpA), await heapAfterGc(cdpB)];
    }
    if (proxy.cutOne()) cuts += 1;
  }
  await typing;
  const all = [...fromA, ...fromB];
  await waitAllShown(a, all, 60000);
  await waitAllShown(b, all, 60000);
  const heapAfter = [await heapAfterGc(cdpA), await heapAfterGc(cdpB)];

  const shownA = (await rows(a)).map((r) => r.text).filter((t) => all.includes(t));
  const shownB = (await rows(b)).map((r) => r.text).filter((t) => all.includes(t));
  const acked = (await rows(a)).filter((r) => fromA.includes(r.text) && r.status === 'sent').length +
    (await rows(b)).filter((r) => fromB.includes(r.text) && r.status === 'sent').length;
  const mb = (n) => (n / 1048576).toFixed(1);
  console.log(
    `faults, ${SOAK_MS / 1000} s soak, 40 ms latency, ${cuts} connections cut: sent ${all.length}, acked ${acked}, ` +
      `shown on page A ${shownA.length} (duplicates ${duplicates(shownA)}), on page B ${shownB.length} ` +
      `(duplicates ${duplicates(shownB)}), same order ${JSON.stringify(shownA) === JSON.stringify(shownB)}; ` +
      `JS heap after GC, page A ${mb(heapBefore[0])} → ${mb(heapAfter[0])} MB, ` +
      `page B ${mb(heapBefore[1])} → ${mb(heapAfter[1])} MB`,
  );
  assert.ok(cuts >= 10, `connections were cut (${cuts})`);
  assert.equal(shownA.length, all.length);
  assert.equal(shownB.length, all.length);
  assert.equal(duplicates(shownA) + duplicates(shownB), 0);
  assert.deepEqual(shownA, shownB, 'the same seq order on both pages');
  assert.equal(acked, all.length);
  // The rooms hold ~480 rows each; a leak per connection or per message
  // would grow past this bound over the cuts and the messages.
  for (const [before, after] of [
    [heapBefore[0], heapAfter[0]],
    [heapBefore[1], heapAfter[1]],
  ]) {
    assert.ok(after - before < 8 * 1048576, `the heap grew by ${mb(after - before)} MB`);
  }
  assert.deepEqual([...a.errors, ...b.errors], []);
  await contextA.close();
  await contextB.close();
  proxy.close();
  await chat.stop();
});

test('overload: a tiny send buffer, 200 sockets in one room, a burst of 500: failures counted, yet every client ends with all 500 once, in order', async () => {
  const chat = await chatServer('overload', ['--send-buffer', '8', '--max-pending-events', '1000']);
  const room = 'faults-overload';
  const context = await browser.newContext();
  const page = await openPage(context, chat.url, room, 'page');
  const peers = [];
  // The sender on WebSocket; the other peers long-poll, so what the server
  // has for them waits in its per-socket buffer until they poll again.
  peers.push(await connect(chat.url, 'websocket'));
  for (let i = 1; i < 199; i++) peers.push(await connect(chat.url, 'polling'));
  const followers = peers.map((socket, i) => followRoom(socket, room, `peer${i}`));
  await Promise.all(followers.map((f) => f.joined));
  const failedBefore = await metric(chat.url, 'lsio_deliveries_failed_total');

  // The burst: one of the peers sends the 500 as fast as the server stores
  // them, 25 in flight (one timed out or refused is sent again with the
  // same id, which the server stores once), and the peers are slow
  // consumers: once the server is broadcasting, their process does not poll
  // for a second, so the server's per-socket buffers of 8 overflow.
  const sender = peers[0];
  const ids = Array.from({ length: 500 }, (_, i) => `burst-${i + 1}`);
  const sendOne = async (id) => {
    let last = null;
    for (let attempt = 0; attempt < 20; attempt++) {
      last = await sender
        .timeout(30000)
        .emitWithAck('message', { room, id, text: id })
        .catch((e) => ({ timeout: e.message }));
      if (last?.ok) return last.seq;
      await sleep(50);
    }
    throw new Error(`${id} was never acknowledged: ${JSON.stringify(last)} (connected: ${sender.connected})`);
  };
  const startedAt = Date.now();
  let next = 0;
  const lane = async () => {
    while (next < ids.length) await sendOne(ids[next++]);
  };
  const lanes = Array.from({ length: 25 }, lane);
  while (next < 50) await sleep(10);
  const stall = Date.now() + 1000;
  while (Date.now() < stall) {
    // Busy: no socket of this process reads meanwhile.
  }
  await Promise.all(lanes);
  const burstMs = Date.now() - startedAt;

  const want = Array.from({ length: 500 }, (_, i) => i + 1);
  const deadline = Date.now() + 60000;
  while (followers.some((f) => f.synced < 500) && Date.now() < deadline) await sleep(100);
  await waitAllShown(page, ids, 60000);
  const failed = (await metric(chat.url, 'lsio_deliveries_failed_total')) - failedBefore;
  const redelivered = await metric(chat.url, 'lsio_redeliveries_total');
  const complete = followers.filter((f) => JSON.stringify(f.seqs()) === JSON.stringify(want)).length;
  const shown = (await rows(page)).map((r) => r.text).filter((t) => ids.includes(t));
  const catchUps = followers.reduce((n, f) => n + f.joins, 0);
  console.log(
    `faults, overload (send buffer 8): 200 sockets, a burst of 500 in ${burstMs} ms; failed deliveries ` +
      `${failed}, redelivered ${redelivered}, catch-up joins by the peers ${catchUps}; peers with all 500 once ` +
      `in seq order ${complete}/199 (mismatched ids ${followers.reduce((n, f) => n + f.mismatches, 0)}); ` +
      `the page shows ${shown.length} (duplicates ${duplicates(shown)}, in order ${JSON.stringify(shown) === JSON.stringify(ids)})`,
  );
  assert.ok(failed > 0, 'the tiny buffer did refuse deliveries (else this proves nothing)');
  assert.equal(complete, 199, 'every peer holds seqs 1–500, each once');
  assert.deepEqual(shown, ids, 'the page shows all 500, once each, in order');
  assert.deepEqual(page.errors, []);
  for (const socket of peers) socket.close();
  await context.close();
  await chat.stop();
});
