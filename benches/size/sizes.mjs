// Sizes of the pages scripts/bench-size built, and the size budget.
//
//   node benches/size/sizes.mjs OUT_DIR                prints the table
//   node benches/size/sizes.mjs OUT_DIR --check FILE   also checks the budget
//
// OUT_DIR holds one directory per page (bare, hooks, demo), each a trunk
// dist with one `*_bg.wasm` and one `*.js`. Sizes are bytes: raw, gzip -9
// and brotli -11 (Node's zlib, so no extra tool). A page's share is its
// gzip total (wasm + JS) minus the bare page's: what the library (hooks) or
// the demo app adds to a bare Leptos page.
//
// The budget file has `name = bytes` lines (`#` starts a comment):
//   hooks_added_gzip   the most the hooks page may add, gzip
//   demo_added_gzip    the most the demo page may add, gzip
// Size is deterministic for one toolchain, so this is a check, not a timing.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

const PAGES = [
  ['bare', 'bare Leptos 0.8 page'],
  ['hooks', 'use_socket + use_event + emit_with_ack'],
  ['demo', 'demo app: <Chat/>'],
];
const BUDGETS = { hooks: 'hooks_added_gzip', demo: 'demo_added_gzip' };

function fail(message) {
  process.stderr.write(`error: ${message}\n`);
  process.exit(2);
}

/** One file of a page's dist: raw, gzip -9 and brotli -11 bytes. */
function measure(dir, suffix) {
  const names = readdirSync(dir).filter((n) => n.endsWith(suffix) && (suffix !== '.js' || !n.endsWith('_bg.js')));
  if (names.length !== 1) fail(`expected one *${suffix} file in ${dir}, found ${names.length}: build the page first (scripts/bench-size)`);
  const data = readFileSync(join(dir, names[0]));
  return {
    raw: data.length,
    gzip: gzipSync(data, { level: 9 }).length,
    brotli: brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

/** `name = bytes` lines; anything else is an error naming the line. */
export function parseBudget(text, file) {
  const budget = {};
  text.split('\n').forEach((line, i) => {
    const body = line.replace(/#.*/, '').trim();
    if (!body) return;
    const m = /^([a-z_]+)\s*=\s*([0-9_]+)$/.exec(body);
    if (!m) fail(`${file}:${i + 1}: expected \`name = bytes\`, found ${JSON.stringify(line.trim())}`);
    if (!Object.values(BUDGETS).includes(m[1])) fail(`${file}:${i + 1}: unknown budget ${m[1]} (known: ${Object.values(BUDGETS).join(', ')})`);
    budget[m[1]] = Number(m[2].replaceAll('_', ''));
  });
  return budget;
}

const spaced = (n) => n.toLocaleString('en-US').replaceAll(',', ' ');
const signed = (n) => (n >= 0 ? '+' : '−') + spaced(Math.abs(n));

function main(argv) {
  const [out, flag, budgetFile] = argv;
  if (!out || (flag && (flag !== '--check' || !budgetFile))) {
    fail('usage: node benches/size/sizes.mjs OUT_DIR [--check BUDGET_FILE]');
  }
  const pages = PAGES.filter(([page]) => {
    try {
      return readdirSync(join(out, page)).length > 0;
    } catch {
      return false;
    }
  });
  if (!pages.some(([p]) => p === 'bare')) fail(`no bare page in ${out}: build it first (scripts/bench-size)`);

  const rows = new Map(pages.map(([page]) => [page, { wasm: measure(join(out, page), '_bg.wasm'), js: measure(join(out, page), '.js') }]));
  const total = (page, kind) => rows.get(page).wasm[kind] + rows.get(page).js[kind];

  console.log('| page | wasm raw | wasm gzip | wasm brotli | js raw | js gzip | js brotli | gzip total | brotli total | ratio to bare (gzip) | added gzip | added brotli |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const [page, label] of pages) {
    const { wasm, js } = rows.get(page);
    const cells = [wasm.raw, wasm.gzip, wasm.brotli, js.raw, js.gzip, js.brotli, total(page, 'gzip'), total(page, 'brotli')].map(spaced);
    const ratio = (total(page, 'gzip') / total('bare', 'gzip')).toFixed(2);
    const added = [signed(total(page, 'gzip') - total('bare', 'gzip')), signed(total(page, 'brotli') - total('bare', 'brotli'))];
    console.log(`| ${label} | ${cells.join(' | ')} | ${ratio} | ${added.join(' | ')} |`);
  }
  // The official JavaScript client, for comparison (npm's copy, the test peer).
  const sioDir = new URL('../../node_modules/socket.io-client/', import.meta.url);
  try {
    const { version } = JSON.parse(readFileSync(new URL('package.json', sioDir), 'utf8'));
    const data = readFileSync(new URL('dist/socket.io.min.js', sioDir));
    const gz = gzipSync(data, { level: 9 }).length;
    const br = brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
    console.log(`\nFor comparison, socket.io-client ${version} (socket.io.min.js, a page adds it whole): ${spaced(data.length)} raw, ${spaced(gz)} gzip, ${spaced(br)} brotli.`);
  } catch {
    // Not installed (npm ci installs it): no comparison line.
  }
  if (flag !== '--check') return;

  const budget = parseBudget(readFileSync(budgetFile, 'utf8'), budgetFile);
  let over = 0;
  console.log('');
  for (const [page, key] of Object.entries(BUDGETS)) {
    if (!rows.has(page)) continue;
    if (budget[key] === undefined) fail(`${budgetFile} has no ${key}: add \`${key} = <bytes>\``);
    const added = total(page, 'gzip') - total('bare', 'gzip');
    const label = PAGES.find(([p]) => p === page)[1];
    if (added <= budget[key]) {
      console.log(`size budget ok: ${label} adds ${spaced(added)} B gzip to a bare page (budget ${spaced(budget[key])}, ${spaced(budget[key] - added)} to spare)`);
    } else {
      over++;
      console.log(
        `size budget exceeded: ${label} adds ${spaced(added)} B gzip to a bare Leptos page, ` +
          `${spaced(added - budget[key])} B over the budget of ${spaced(budget[key])} (${key} in ${budgetFile}).\n` +
          '  See where the bytes went: scripts/bench-size --attribute (twiggy top and diff against the bare page).\n' +
          '  Win them back, or, if the feature is worth its bytes, raise the budget in that file and say why in the commit.',
      );
    }
  }
  if (over) process.exit(1);
}

main(process.argv.slice(2));
