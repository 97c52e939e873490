// The browser benchmark: our client, socket.io-client 4.8 and a raw
// WebSocket floor, side by side in one headless Chromium, against the Node
// socket.io 4.8 server and ours. Run it through scripts/bench-browser, which
// builds the pages and the server first; see BENCHMARKS.md.
//
//   node benches/browser/run.mjs --server-bin PATH --ours-dist DIR
//        [--quick] [--runs R] [--profile] [--baseline-dist DIR]
//
// Every run is a fresh page: connect, warm up, measure, close. Runs of all
// cases are interleaved (run 1 of every case, then run 2, …), so drift on
// this shared machine spreads over every client alike. Medians over the
// runs; ratios from the same run set. --quick: one run of small counts,
// checking only that every client completes with correct echoes.
// --profile: instead, each client's pipelined 32 B echoes over WebSocket to
// each server under Chromium's sampling CPU profiler (DevTools protocol):
// the main thread's busy time per message, and the functions that take it.
// --baseline-dist DIR: also our page as built at an earlier commit (trunk's
// output of ours.html there), in the same runs, for a before/after table.

import { spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { launchBrowser } from '../../tests/support/browser.mjs';
import { Proxy } from '../../tests/support/proxy.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '../..');

function usage(why) {
  process.stderr.write(
    `error: ${why}\nusage: node benches/browser/run.mjs --server-bin PATH --ours-dist DIR [--quick] [--runs R]\n`,
  );
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { quick: false, profile: false, runs: 5, serverBin: undefined, oursDist: undefined, baselineDist: undefined };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--quick') opts.quick = true;
    else if (flag === '--profile') opts.profile = true;
    else if (flag === '--runs') {
      opts.runs = Number(argv[++i]);
      if (!Number.isInteger(opts.runs) || opts.runs < 1) usage(`--runs needs a positive integer, got ${argv[i]}`);
    } else if (flag === '--server-bin') opts.serverBin = argv[++i];
    else if (flag === '--ours-dist') opts.oursDist = argv[++i];
    else if (flag === '--baseline-dist') opts.baselineDist = argv[++i];
    else usage(`unknown argument ${JSON.stringify(flag)}`);
  }
  if (!opts.serverBin || !existsSync(opts.serverBin)) usage(`--server-bin must name the built server, got ${opts.serverBin}`);
  if (!opts.oursDist || !existsSync(path.join(opts.oursDist, 'index.html'))) {
    usage(`--ours-dist must name trunk's output for benches/browser/ours.html, got ${opts.oursDist}`);
  }
  if (opts.quick) opts.runs = 1;
  return opts;
}

const opts = parseArgs(process.argv.slice(2));

// ---- the pages, from one origin -------------------------------------------------

const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };

/** Serves the three pages; cross-origin isolated, so performance.now() has its fine resolution. */
function servePages() {
  const files = (urlPath) => {
    if (urlPath === '/socket.io.min.js') return path.join(root, 'node_modules/socket.io-client/dist/socket.io.min.js');
    if (urlPath.startsWith('/ours/')) return path.join(opts.oursDist, urlPath.slice('/ours/'.length) || 'index.html');
    if (urlPath.startsWith('/baseline/') && opts.baselineDist) {
      return path.join(opts.baselineDist, urlPath.slice('/baseline/'.length) || 'index.html');
    }
    return path.join(here, 'www', urlPath.slice(1));
  };
  const server = createServer((req, res) => {
    const urlPath = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    const file = files(urlPath);
    if (urlPath.includes('..') || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
      'cache-control': 'no-store',
    });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

// ---- the servers --------------------------------------------------------------------

const children = [];

/** Spawns `cmd args`, resolves with its `listening on URL` URL. */
function startProcess(name, cmd, args, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    children.push(child);
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => reject(new Error(`${name} printed no URL within 15 s\n${stderr}`)), 15000);
    child.once('exit', (code) => reject(new Error(`${name} exited early (${code})\n${stderr}`)));
    createInterface({ input: child.stdout }).once('line', (line) => {
      clearTimeout(timer);
      const match = /^listening on (http:\/\/\S+)$/.exec(line);
      if (match) resolve(match[1]);
      else reject(new Error(`${name}: unexpected first line ${JSON.stringify(line)}`));
    });
  });
}

function stopAll() {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
}
process.on('exit', stopAll);

// ---- the cases ----------------------------------------------------------------------

const CLIENTS = ['raw', 'socket.io-client', 'ours'];
const PAGES = {
  raw: '/raw.html',
  'socket.io-client': '/socketio.html',
  ours: '/ours/index.html',
  'ours-baseline': '/baseline/index.html',
};
const SIZES = [32, 16 * 1024];

/** Counts per case: full runs are sized for about 15 minutes on 2 cores, --quick for well under one. */
function counts(transport, kind, size) {
  if (opts.quick) return { warmup: 5, count: kind === 'rtt' ? 20 : 100, inflight: 100 };
  const big = size > 1024;
  if (transport === 'websocket') {
    return kind === 'rtt'
      ? { warmup: 300, count: big ? 2000 : 4000, inflight: 100 }
      : { warmup: 300, count: big ? 4000 : 20000, inflight: 100 };
  }
  return kind === 'rtt'
    ? { warmup: 30, count: big ? 300 : 500, inflight: 100 }
    : { warmup: 30, count: big ? 2000 : 6000, inflight: 100 };
}

function cases(servers) {
  const list = [];
  for (const server of servers) {
    for (const transport of ['websocket', 'polling']) {
      for (const client of CLIENTS) {
        if (client === 'raw' && transport !== 'websocket') continue;
        list.push({ server: server.name, url: server.url, client, transport, kind: 'connect', size: 0, warmup: 0, count: 0 });
        for (const kind of ['rtt', 'pipelined']) {
          for (const size of SIZES) {
            list.push({ server: server.name, url: server.url, client, transport, kind, size, ...counts(transport, kind, size) });
          }
        }
      }
    }
    if (opts.baselineDist) {
      for (const transport of ['websocket', 'polling']) {
        for (const kind of ['rtt', 'pipelined']) {
          for (const size of SIZES) {
            list.push({ server: server.name, url: server.url, client: 'ours-baseline', transport, kind, size, ...counts(transport, kind, size) });
          }
        }
      }
    }
    // WebSocket hanging (accepted, never answered): each client's default policy.
    for (const client of ['socket.io-client', 'ours']) {
      list.push({ server: server.name, url: server.hangUrl, client, transport: 'auto', kind: 'connect', hang: true, size: 0, warmup: 0, count: 0 });
    }
  }
  return list;
}

const key = (c) => `${c.server}|${c.client}|${c.transport}|${c.kind}|${c.size}|${c.hang ? 'hang' : ''}`;

async function runOne(context, pagesUrl, spec, profile) {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(`${pagesUrl}${PAGES[spec.client]}`);
    await page.waitForFunction(() => window.lsioBench && (!document.title.includes('leptos-socketio') || window.wasmBindings), null, {
      timeout: 20000,
    });
    const cdp = profile ? await context.newCDPSession(page) : undefined;
    if (cdp) {
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
      await cdp.send('Profiler.start');
    }
    const result = await page.evaluate((s) => window.lsioBench(s), spec);
    if (cdp) result.profile = (await cdp.send('Profiler.stop')).profile;
    if (errors.length) throw new Error(errors.join('; '));
    return result;
  } finally {
    await page.close();
  }
}

// ---- figures ------------------------------------------------------------------------

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (x, digits = 0) => (x === undefined ? '—' : x.toLocaleString('en-US', { maximumFractionDigits: digits }).replace(/,/g, ' '));
const ratio = (a, b) => (a === undefined || b === undefined ? '—' : (a / b).toFixed(2));
const sizeLabel = (size) => (size >= 1024 ? `${size / 1024} KiB` : `${size} B`);

function report(results, servers) {
  const get = (spec, field) => {
    const runs = results.get(key(spec));
    return runs ? median(runs.map((r) => r[field])) : undefined;
  };
  const lines = [];
  const targets = [];
  lines.push('| server | transport | case | payload | raw WebSocket | socket.io-client | ours | ours / socket.io-client | ours / raw |');
  lines.push('|---|---|---|---|---:|---:|---:|---:|---:|');
  for (const { name: server } of servers) {
    for (const transport of ['websocket', 'polling']) {
      const at = (client, kind, size) => ({ server, client, transport, kind, size });
      const row = (label, size, kind, field, unit, digits) => {
        const [raw, sio, ours] = CLIENTS.map((c) => get(at(c, kind, size), field));
        lines.push(
          `| ${server} | ${transport} | ${label} | ${size ? sizeLabel(size) : '—'} | ${fmt(raw, digits)} | ${fmt(sio, digits)} | ${fmt(ours, digits)} | ${ratio(ours, sio)} | ${ratio(ours, raw)} |`,
        );
        return { raw, sio, ours };
      };
      row(`time to connected (ms)`, 0, 'connect', 'connectMs', 'ms', 1);
      for (const size of SIZES) {
        const p50 = row('p50 round trip (µs)', size, 'rtt', 'p50', 'µs', 0);
        row('p99 round trip (µs)', size, 'rtt', 'p99', 'µs', 0);
        const pipe = row('pipelined, 100 in flight (msgs/s)', size, 'pipelined', 'msgsPerSec', 'msgs/s', 0);
        if (transport === 'websocket') {
          targets.push([`${server}, WebSocket, ${sizeLabel(size)}: p50 ≤ 1.1× the raw floor`, p50.ours / p50.raw, (r) => r <= 1.1]);
          targets.push([`${server}, WebSocket, ${sizeLabel(size)}: pipelined ≥ 0.95× the raw floor`, pipe.ours / pipe.raw, (r) => r >= 0.95]);
        } else {
          targets.push([`${server}, polling, ${sizeLabel(size)}: p50 ≤ 0.8× socket.io-client`, p50.ours / p50.sio, (r) => r <= 0.8]);
          targets.push([`${server}, polling, ${sizeLabel(size)}: pipelined ≥ 1.0× socket.io-client`, pipe.ours / pipe.sio, (r) => r >= 1.0]);
        }
      }
    }
    const hang = (client) => get({ server, client, transport: 'auto', kind: 'connect', size: 0, hang: true }, 'connectMs');
    const [sio, ours] = [hang('socket.io-client'), hang('ours')];
    lines.push(
      `| ${server} | WebSocket hanging, default policy | time to connected (ms) | — | — | ${fmt(sio, 1)} | ${fmt(ours, 1)} | ${ratio(ours, sio)} | — |`,
    );
  }
  if (opts.baselineDist) {
    lines.push('');
    lines.push('| server | transport | case | payload | ours before | ours now | now / before |');
    lines.push('|---|---|---|---|---:|---:|---:|');
    for (const { name: server } of servers) {
      for (const transport of ['websocket', 'polling']) {
        for (const size of SIZES) {
          for (const [label, kind, field, digits] of [
            ['p50 round trip (µs)', 'rtt', 'p50', 0],
            ['pipelined (msgs/s)', 'pipelined', 'msgsPerSec', 0],
          ]) {
            const [before, now] = ['ours-baseline', 'ours'].map((client) => get({ server, client, transport, kind, size }, field));
            lines.push(`| ${server} | ${transport} | ${label} | ${sizeLabel(size)} | ${fmt(before, digits)} | ${fmt(now, digits)} | ${ratio(now, before)} |`);
          }
        }
      }
    }
  }
  lines.push('');
  lines.push('| target | ratio | |');
  lines.push('|---|---:|---|');
  for (const [label, value, ok] of targets) {
    lines.push(`| ${label} | ${Number.isFinite(value) ? value.toFixed(2) : '—'} | ${ok(value) ? 'met' : '**not met**'} |`);
  }
  return lines.join('\n');
}

/** Busy time (µs) of the page's main thread per message, and the top functions by self time. */
function summarize(profile, messages, top = Number(process.env.LSIO_PROFILE_TOP ?? 25)) {
  const self = new Map();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    total += dt;
    const { functionName, url, lineNumber } = byId.get(id).callFrame;
    const name = functionName || `(anonymous ${url.split('/').pop()}:${lineNumber})`;
    self.set(name, (self.get(name) ?? 0) + dt);
  });
  // Inclusive time: each sample counts once for every function on its stack.
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inclusive = new Map();
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const { functionName } = byId.get(at).callFrame;
      if (functionName && !seen.has(functionName)) {
        seen.add(functionName);
        inclusive.set(functionName, (inclusive.get(functionName) ?? 0) + dt);
      }
    }
  });
  const idle = self.get('(idle)') ?? 0;
  const busy = total - idle;
  const rows = [...self.entries()].filter(([n]) => n !== '(idle)').sort((a, b) => b[1] - a[1]).slice(0, top);
  const inclusiveRows = [...inclusive.entries()]
    .filter(([n]) => !n.startsWith('('))
    .sort((a, b) => b[1] - a[1])
    .slice(0, top);
  return {
    inclusiveRows: inclusiveRows.map(([name, us]) => `  ${(us / messages).toFixed(1).padStart(7)} µs/msg  ${name}`),
    busyPerMessage: busy / messages,
    idleShare: idle / total,
    rows: rows.map(([name, us]) => `  ${(us / messages).toFixed(1).padStart(7)} µs/msg  ${((100 * us) / busy).toFixed(1).padStart(5)} %  ${name}`),
  };
}

async function profileAll(context, pagesUrl, servers) {
  for (const server of servers) {
    for (const client of CLIENTS) {
      const spec = { server: server.name, url: server.url, client, transport: 'websocket', kind: 'pipelined', size: 32, warmup: 200, count: 10000, inflight: 100 };
      const result = await runOne(context, pagesUrl, spec, true);
      const { busyPerMessage, idleShare, rows, inclusiveRows } = summarize(result.profile, spec.count + spec.warmup);
      process.stdout.write(
        `\n${server.name} · ${client}: ${fmt(result.msgsPerSec)} msgs/s, main thread busy ${busyPerMessage.toFixed(1)} µs per message, idle ${(100 * idleShare).toFixed(0)} %\n` +
          `self time:\n${rows.join('\n')}\ninclusive time:\n${inclusiveRows.join('\n')}\n`,
      );
    }
  }
}

/** Every case, `opts.runs` times interleaved; prints the table; returns the number of failed runs. */
async function runMatrix(context, pagesUrl, servers) {
  let failures = 0;
  const list = cases(servers);
  const results = new Map();
  const started = Date.now();
  process.stderr.write(`${list.length} cases × ${opts.runs} run(s), pages on ${pagesUrl}\n`);
  for (let run = 1; run <= opts.runs; run++) {
    for (const spec of list) {
      const label = `run ${run}: ${spec.server} · ${spec.client} · ${spec.hang ? 'WebSocket hanging' : spec.transport} · ${spec.kind}${spec.size ? ` · ${sizeLabel(spec.size)}` : ''}`;
      try {
        const result = await runOne(context, pagesUrl, spec);
        const expected = spec.hang ? 'polling' : spec.transport;
        if (result.transport !== expected) throw new Error(`connected over ${result.transport}, not ${expected}`);
        if (!results.has(key(spec))) results.set(key(spec), []);
        results.get(key(spec)).push(result);
        process.stderr.write(`ok   ${label}\n`);
      } catch (e) {
        failures++;
        process.stderr.write(`FAIL ${label}: ${e.message}\n`);
      }
    }
  }
  process.stderr.write(`done in ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
  if (!opts.quick) {
    process.stdout.write(`\n${report(results, servers)}\n`);
  }
  const total = list.length * opts.runs;
  process.stdout.write(`\n${total - failures} passed, ${failures} failed\n`);
  return failures;
}

// ---- main ---------------------------------------------------------------------------

const dataDir = mkdtempSync(path.join(tmpdir(), 'lsio-bench-'));
const pages = await servePages();
const pagesUrl = `http://127.0.0.1:${pages.address().port}`;
const servers = [];
const proxies = [];
let browser;
let failures = 0;
try {
  const nodeUrl = await startProcess('the Node socket.io server', process.execPath, [
    path.join(root, 'tests/support/node-server.mjs'), '--port', '0', '--exit-with-stdin',
  ]);
  const oursUrl = await startProcess(
    'our server',
    opts.serverBin,
    ['--host', '127.0.0.1', '--port', '0', '--data-dir', dataDir, '--static-dir', dataDir, '--allowed-origin', pagesUrl],
    { RUST_LOG: 'warn' },
  );
  for (const [name, url] of [['Node socket.io 4.8', nodeUrl], ['ours (socketioxide 0.18)', oursUrl]]) {
    const proxy = new Proxy({ backendPort: Number(new URL(url).port) });
    const hangUrl = await proxy.listen();
    proxy.setMode('hang-upgrade');
    proxies.push(proxy);
    servers.push({ name, url, hangUrl });
  }
  browser = await launchBrowser();
  if (opts.profile) await profileAll(browser.context, pagesUrl, servers);
  else failures = await runMatrix(browser.context, pagesUrl, servers);
} finally {
  await browser?.close();
  for (const proxy of proxies) proxy.close();
  pages.close();
  stopAll();
  rmSync(dataDir, { recursive: true, force: true });
}
process.exit(failures ? 1 : 0);
