// kill -9 of the server during a stream of writes: every acknowledged write is there after restart, and a
// watch from the last seen resourceVersion misses no event.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type TestServer, startTestServer } from './harness.js';

describe('durability across kill -9', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tutti-durable-'));
  let s: TestServer | undefined;
  after(async () => {
    await s?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps every acknowledged write and resumes watches without gaps', async () => {
    s = await startTestServer({ dataDir });
    const server = s;
    const baseline = JSON.parse((await server.request('GET', '/api/v1/namespaces/default/configmaps')).body).metadata
      .resourceVersion as string;
    const acked: string[] = [];
    let stop = false;
    const writer = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const name = `w${w}-${i}`;
        try {
          const r = await server.request('POST', '/api/v1/namespaces/default/configmaps', {
            metadata: { name },
            data: { i: String(i) },
          });
          if (r.status === 201) acked.push(name);
        } catch {
          return; // the server died mid-request: this write was not acknowledged.
        }
      }
    };
    const writers = Array.from({ length: 16 }, (_, w) => writer(w));
    // Kill once enough writes are acknowledged (not after a fixed time: the machine may be loaded).
    const until = Date.now() + 30_000;
    while (acked.length < 100 && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    await server.kill9();
    stop = true;
    await Promise.all(writers);
    assert.ok(acked.length > 50, `only ${acked.length} writes acknowledged before the kill`);
    await server.restart();
    const list = JSON.parse((await server.request('GET', '/api/v1/namespaces/default/configmaps')).body) as {
      items: { metadata: { name: string } }[];
    };
    const present = new Set(list.items.map((i) => i.metadata.name));
    const missing = acked.filter((n) => !present.has(n));
    assert.deepEqual(missing, [], `${missing.length} acknowledged writes lost`);
    // A watch from before the writes replays every one of them, in order, with no gap.
    const w = await server.request(
      'GET',
      `/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=${baseline}&timeoutSeconds=2`,
    );
    const events = w.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; object: { metadata: { name: string; resourceVersion: string } } });
    const seen = new Set(events.filter((e) => e.type === 'ADDED').map((e) => e.object.metadata.name));
    for (const n of acked) assert.ok(seen.has(n), `watch missed ${n}`);
    const rvs = events.map((e) => Number(e.object.metadata.resourceVersion));
    assert.deepEqual(
      rvs,
      [...rvs].sort((a, b) => a - b),
    );
    console.log(`durability: ${acked.length} acknowledged writes before kill -9, all present after restart`);
  });
});
