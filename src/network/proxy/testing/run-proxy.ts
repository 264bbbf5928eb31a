// Runs the service proxy as its own process, for tests that start it inside a node's network namespace
// (as an agent in that namespace would). Argument: a JSON file {server, token, caPem, node, ...options}.
// Prints one JSON line per sync; SIGTERM stops the proxy (removing its table and route) and exits.
import { readFileSync } from 'node:fs';
import { ApiClient } from '../../../client/index.js';
import type { NodeFacts } from '../model/types.js';
import { startServiceProxy } from '../index.js';

interface Config {
  server: string;
  token: string;
  caPem: string;
  node: NodeFacts;
  minSyncPeriodMs?: number;
  syncPeriodMs?: number;
  serviceRoute?: { device?: string; src?: string } | false;
}

const cfg = JSON.parse(readFileSync(process.argv[2], 'utf8')) as Config;
const client = new ApiClient({ server: cfg.server, token: cfg.token, caPem: cfg.caPem, userAgent: 'tutti-proxy-test' });
const proxy = await startServiceProxy({
  client,
  node: cfg.node,
  minSyncPeriodMs: cfg.minSyncPeriodMs,
  syncPeriodMs: cfg.syncPeriodMs,
  serviceRoute: cfg.serviceRoute,
  log: (msg, fields) => console.error(JSON.stringify({ msg, ...fields })),
  onSync: (e) => console.log(JSON.stringify({ sync: e })),
});
console.log(JSON.stringify({ ready: true, healthy: proxy.healthy() }));
process.once('SIGTERM', () => {
  void proxy.stop().then(() => {
    client.close();
    process.exit(0);
  });
});
