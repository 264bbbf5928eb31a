import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { prefixEnd, type WatchEvent } from '../store.js';
import { openSqliteStore } from './index.js';

const child = fileURLToPath(new URL('./durability-child.js', import.meta.url));

/** Runs the writer child until it has acknowledged `acks` writes, then kill -9s it. Returns key -> revision. */
async function writeThenKill(path: string, tag: string, acks: number): Promise<Map<string, number>> {
  const proc = spawn(process.execPath, [child, path, tag], { stdio: ['ignore', 'pipe', 'inherit'] });
  const acked = new Map<string, number>();
  let buffered = '';
  await new Promise<void>((resolve, reject) => {
    proc.on('error', reject);
    proc.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve();
      else reject(new Error(`writer exited on its own (code ${code})`));
    });
    proc.stdout!.setEncoding('utf8');
    proc.stdout!.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop()!; // a torn last line is not an ack we can count
      for (const line of lines) {
        const [key, rev] = line.split(' ');
        if (key && rev) acked.set(key, Number(rev));
      }
      if (acked.size >= acks && proc.exitCode === null && !proc.killed) proc.kill('SIGKILL');
    });
  });
  assert.ok(acked.size >= acks);
  return acked;
}

test('acknowledged writes survive kill -9, revisions stay consistent, watch replays without gaps', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tutti-durability-'));
  const path = join(dir, 'store.db');
  try {
    const first = await writeThenKill(path, 'one', 400);
    const second = await writeThenKill(path, 'two', 400); // reopens after the crash, then crashes again
    const maxFirst = Math.max(...first.values());
    assert.ok(Math.min(...second.values()) > maxFirst, 'revisions continue after reopening, never reused');

    const store = await openSqliteStore({ path });
    try {
      const acked = new Map([...first, ...second]);
      for (const [key, revision] of acked) {
        const kv = (await store.range({ key })).kvs[0];
        assert.ok(kv, `acknowledged key ${key} is missing`);
        assert.equal(kv.modRevision, revision, key);
        assert.equal(kv.version, 1);
      }
      const current = store.currentRevision();
      assert.ok(current >= Math.max(...acked.values()));
      const all = await store.range({ key: '/dur/', end: prefixEnd('/dur/'), countOnly: true });
      assert.equal(all.count, current, 'every revision is one durable put');

      // Watch from the start: one event per revision 1..current, in order, including every acked key.
      const events: WatchEvent[] = [];
      let failed: Error | undefined;
      const w = store.watch(
        { key: '/dur/', end: prefixEnd('/dur/'), startRevision: 1 },
        (batch) => events.push(...batch),
        (err) => {
          failed = err;
        },
      );
      const deadline = Date.now() + 5000;
      while (events.length < current && !failed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      w.cancel();
      assert.equal(failed, undefined);
      assert.deepEqual(
        events.map((e) => e.kv.modRevision),
        Array.from({ length: current }, (_, i) => i + 1),
      );
      const seen = new Set(events.map((e) => e.kv.key));
      for (const key of acked.keys()) assert.ok(seen.has(key), `watch missed ${key}`);

      const next = await store.txn([], [{ type: 'put', key: '/after', value: '1' }]);
      assert.equal(next.revision, current + 1);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
