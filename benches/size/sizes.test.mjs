// The size budget check of benches/size/sizes.mjs, on made-up pages: within
// the budget it passes; over it, it fails naming the figure, the budget and
// where to look; a malformed budget file is an error naming the line.
// Run: node --test benches/size/ (part of the test command).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, test } from 'node:test';

const script = new URL('./sizes.mjs', import.meta.url).pathname;
const out = mkdtempSync(join(tmpdir(), 'lsio-sizes-'));
after(() => rmSync(out, { recursive: true, force: true }));

// Random bytes do not compress: each page's gzip size is about its raw size.
for (const [page, wasm] of [['bare', 1000], ['hooks', 6000], ['demo', 9000]]) {
  mkdirSync(join(out, page));
  writeFileSync(join(out, page, `${page}-0_bg.wasm`), randomBytes(wasm));
  writeFileSync(join(out, page, `${page}-0.js`), 'export {};\n');
}

function check(budget) {
  const file = join(out, `budget-${Math.random()}.toml`);
  writeFileSync(file, budget);
  return spawnSync(process.execPath, [script, out, '--check', file], { encoding: 'utf8' });
}

test('pages within their budgets pass', () => {
  const run = check('# generous\nhooks_added_gzip = 100_000\ndemo_added_gzip = 100_000\n');
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /size budget ok: use_socket \+ use_event \+ emit_with_ack adds 5 \d{3} B gzip/);
});

test('a page over its budget fails with the figure, the budget and where to look', () => {
  const run = check('hooks_added_gzip = 4_000\ndemo_added_gzip = 100_000\n');
  assert.equal(run.status, 1);
  assert.match(run.stdout, /size budget exceeded: use_socket \+ use_event \+ emit_with_ack adds 5 \d{3} B gzip to a bare Leptos page, 1 \d{3} B over the budget of 4 000 \(hooks_added_gzip in /);
  assert.match(run.stdout, /scripts\/bench-size --attribute/);
  assert.match(run.stdout, /size budget ok: demo app/);
});

test('a malformed or incomplete budget file is an error naming the problem', () => {
  let run = check('hooks_added_gzip = lots\n');
  assert.equal(run.status, 2);
  assert.match(run.stderr, /:1: expected `name = bytes`, found "hooks_added_gzip = lots"/);
  run = check('hooks_added_gzip = 100_000\n');
  assert.equal(run.status, 2);
  assert.match(run.stderr, /has no demo_added_gzip/);
});
