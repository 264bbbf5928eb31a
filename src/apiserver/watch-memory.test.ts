// Slow watchers (issue 8): 200 watchers that never read while 5,000 ConfigMaps are written. Each is closed
// once it falls MAX_BEHIND_BYTES behind and its connection dropped, so the server's memory stays bounded
// and is given back; a watcher that reads keeps every event.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import { watchStats } from './http/watch.js';
import type { ApiServerMetricsSink } from './request-metrics.js';
import { type TestServer, startTestServer } from './test-harness.js';

const WATCHERS = 200;
const WRITES = 5000;
const MB = 1024 * 1024;

// The stuck clients live in a child process, so that what the test measures is the server's memory only.
const STUCK_CLIENTS = `
const tls = require('node:tls');
const { PORT, TOKEN, RV, N, CA } = process.env;
let ready = 0;
for (let i = 0; i < Number(N); i++) {
  const so = tls.connect({ host: '127.0.0.1', port: Number(PORT), ca: CA }, () => {
    so.write('GET /api/v1/namespaces/default/configmaps?watch=true&resourceVersion=' + RV +
      ' HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nAuthorization: Bearer ' + TOKEN + '\\r\\n\\r\\n');
  });
  so.once('data', () => { so.pause(); if (++ready === Number(N)) process.stdout.write('ready\\n'); });
  so.on('error', () => {});
}
setInterval(() => {}, 1000);
`;

describe('watchers that fall behind', () => {
  let s: TestServer;
  let child: ChildProcess | undefined;
  const sockets: TLSSocket[] = [];
  // Metrics on, as `tutti server` runs: each close is counted (apiserver_terminated_watchers_total).
  const terminated = new Map<string, number>();
  const metrics: ApiServerMetricsSink = {
    request: () => {},
    longRunningStarted: () => () => {},
    metrics: async () => '',
    watcherTerminated: (group, resource) => {
      const k = `${group}/${resource}`;
      terminated.set(k, (terminated.get(k) ?? 0) + 1);
    },
  };
  before(async () => {
    s = await startTestServer({ metrics });
  });
  after(async () => {
    child?.kill();
    for (const so of sockets) so.destroy();
    await s?.stop();
  });

  it('closes 200 stuck watchers during 5,000 writes and keeps memory bounded', async () => {
    // One watcher that reads everything: it must see every write.
    const reader = await s.connect();
    sockets.push(reader);
    let seen = 0;
    let tail = '';
    reader.on('data', (d: Buffer) => {
      const text = tail + d.toString();
      const lines = text.split('\n');
      tail = lines.pop() ?? '';
      for (const l of lines) if (l.includes('"type":"ADDED"')) seen++;
    });
    const rv = String(s.store.currentRevision());
    reader.write(
      `GET /api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${rv} HTTP/1.1\r\n` +
        `Host: 127.0.0.1\r\nAuthorization: Bearer ${s.token}\r\n\r\n`,
    );
    const env = { ...process.env, PORT: String(s.api.port), TOKEN: s.token, RV: rv, N: String(WATCHERS), CA: s.ca };
    const c = spawn(process.execPath, ['-e', STUCK_CLIENTS], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    child = c;
    await new Promise((resolve) => c.stdout?.once('data', resolve));
    const closedBefore = watchStats.closedBehind;
    const rssBefore = process.memoryUsage().rss;
    let rssPeak = rssBefore;
    const value = 'x'.repeat(4096);
    const t = { resource: s.api.registry.find('', 'v1', 'configmaps')!, namespace: 'default' };
    for (let i = 0; i < WRITES; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, j) =>
          s.api.pipeline.create(t, { metadata: { name: `cm-${i + j}` }, data: { v: value } }),
        ),
      );
      // Let the sockets flush what they can.
      await new Promise((r) => setImmediate(r));
      rssPeak = Math.max(rssPeak, process.memoryUsage().rss);
    }
    const closed = watchStats.closedBehind - closedBefore;
    c.kill();
    await new Promise((r) => c.once('exit', r));
    await new Promise((r) => setTimeout(r, 500));
    const rssAfter = process.memoryUsage().rss;
    console.log(
      `# ${WATCHERS} stuck watchers, ${WRITES} writes of 4 KiB: ${closed} closed for falling behind; server RSS before ${Math.round(rssBefore / MB)} MB, peak ${Math.round(rssPeak / MB)} MB, after close ${Math.round(rssAfter / MB)} MB`,
    );
    assert.equal(closed, WATCHERS, 'every stuck watcher is closed');
    assert.deepEqual([...terminated], [['/configmaps', WATCHERS]], 'and counted by group and resource');
    // Unbounded, 200 watchers would hold 200 x 5,000 x 4 KiB = 4 GB.
    assert.ok(rssPeak - rssBefore < 800 * MB, `RSS grew by ${Math.round((rssPeak - rssBefore) / MB)} MB`);
    for (let i = 0; i < 100 && seen < WRITES; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(seen, WRITES, 'the reading watcher saw every event');
    assert.equal((await s.call('GET', '/readyz')).status, 200);
  });
});
