// The multi-node chat for tests: `scripts/cluster` (PostgreSQL, Redis, the
// nodes and nginx from Debian's packages, on 127.0.0.1 in a temporary
// directory) driven from a test, with the URLs it wrote.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { root } from './server.mjs';

const run = promisify(execFile);
const script = path.join(root, 'scripts/cluster');

/** Runs `scripts/cluster <args>`; its output goes in the error if it fails. */
async function cluster(args) {
  try {
    await run(script, args, { maxBuffer: 16 << 20 });
  } catch (e) {
    throw new Error(`scripts/cluster ${args.join(' ')} failed:\n${e.stdout}\n${e.stderr}`);
  }
}

/**
 * Starts a cluster of `nodes` nodes with `serverBin`, serving `staticDir`,
 * every node started with `nodeArgs` too. Resolves with `{ env, killNode(k),
 * startNode(k), stopRedis(), startRedis(), stop() }`; `env` holds
 * `NGINX_URL`, `NODE1_URL`…, `REDIS_URL`, `DATABASE_URL`.
 */
export async function startCluster({ nodes = 2, serverBin, staticDir, nodeArgs = [] }) {
  const dir = mkdtempSync(path.join(tmpdir(), 'lsio-cluster-'));
  const args = ['start', '--dir', dir, '--nodes', String(nodes), '--server-bin', serverBin, '--static-dir', staticDir];
  for (const arg of nodeArgs) args.push(`--node-arg=${arg}`);
  await cluster(args);
  const env = Object.fromEntries(
    readFileSync(path.join(dir, 'cluster.env'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  return {
    dir,
    env,
    nodeUrl: (k) => env[`NODE${k}_URL`],
    killNode: (k) => cluster(['kill-node', String(k), '--dir', dir]),
    startNode: (k) => cluster(['start-node', String(k), '--dir', dir]),
    stopRedis: () => cluster(['stop-redis', '--dir', dir]),
    startRedis: () => cluster(['start-redis', '--dir', dir]),
    stop: () => cluster(['stop', '--dir', dir]),
  };
}

/**
 * A value of the `lsio_node` cookie that nginx routes to node `k`: nginx
 * hashes the cookie to a node and names the node that answered in
 * `X-Lsio-Node` (deploy/nginx-chat.conf).
 */
export async function cookieFor(c, k) {
  const want = new URL(c.nodeUrl(k)).host;
  for (let i = 0; i < 200; i++) {
    const value = `pick-${i}`;
    const res = await fetch(`${c.env.NGINX_URL}/healthz`, { headers: { cookie: `lsio_node=${value}` } });
    if (res.headers.get('x-lsio-node') === want) return value;
  }
  throw new Error(`no lsio_node cookie among 200 routes to node ${k} (${want})`);
}
