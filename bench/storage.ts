// Storage benchmark: txn/s and latency of pod-sized creates at concurrency 32, main-thread CPU per txn,
// and LIST of 10,000 keys. Run: node dist/bench/storage.js [seconds=5]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { openSqliteStore } from '../src/storage/sqlite/index.js';
import { prefixEnd } from '../src/storage/store.js';

const CONCURRENCY = 32;
const seconds = Number(process.argv[2] ?? 5);
const value = JSON.stringify({ kind: 'Pod', apiVersion: 'v1', spec: 'x'.repeat(1400) }); // ~1.5 KB
const prefix = '/registry/pods/bench/';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

async function timeIt(runs: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b)[Math.floor(runs / 2)]!;
}

const dir = mkdtempSync(join(tmpdir(), 'tutti-bench-'));
const store = await openSqliteStore({ path: join(dir, 'store.db') });
try {
  let next = 0;
  const latencies: number[] = [];
  const deadline = performance.now() + seconds * 1000;
  const client = async () => {
    while (performance.now() < deadline) {
      const key = `${prefix}pod-${String(next++).padStart(7, '0')}`;
      const t = performance.now();
      const r = await store.txn([{ key, target: 'mod', result: '=', value: 0 }], [{ type: 'put', key, value }]);
      latencies.push(performance.now() - t);
      if (!r.succeeded) throw new Error('create lost its CAS');
    }
  };
  const elu0 = performance.eventLoopUtilization();
  const stats0 = store.stats();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, client));
  const wall = performance.now() - t0;
  const elu = performance.eventLoopUtilization(elu0);
  const stats = store.stats();
  latencies.sort((a, b) => a - b);
  const txns = latencies.length;
  const batches = stats.batches - stats0.batches;
  console.log(`creates at concurrency ${CONCURRENCY}, ${value.length}-byte values, ${(wall / 1000).toFixed(1)} s`);
  console.log(`  throughput      ${Math.round((txns / wall) * 1000)} txn/s (${txns} txns)`);
  console.log(
    `  latency         p50 ${percentile(latencies, 50).toFixed(2)} ms, p99 ${percentile(latencies, 99).toFixed(2)} ms, max ${latencies[txns - 1]!.toFixed(2)} ms`,
  );
  console.log(`  group commit    ${batches} fsync batches, ${(txns / batches).toFixed(1)} txns per batch`);
  console.log(
    `  main thread     ${((elu.active / txns) * 1000).toFixed(1)} us busy per txn (event loop ${(elu.utilization * 100).toFixed(0)}% busy, includes this benchmark's clients)`,
  );

  const end = prefixEnd(prefix);
  const oldRevision = store.currentRevision() - 1000;
  const n = (await store.range({ key: prefix, end, countOnly: true })).count;
  const list = async (limit: number, revision?: number) => {
    const r = await store.range({ key: prefix, end, limit, revision });
    if (r.kvs.length !== Math.min(limit || n, n)) throw new Error('short list');
  };
  console.log(`LIST (${n} keys in the store under the prefix)`);
  console.log(`  10,000 keys, current revision      ${(await timeIt(20, () => list(10_000))).toFixed(2)} ms`);
  console.log(`  all ${n} keys, current revision  ${(await timeIt(5, () => list(0))).toFixed(2)} ms`);
  console.log(
    `  count only                         ${(await timeIt(20, () => store.range({ key: prefix, end, countOnly: true }))).toFixed(3)} ms`,
  );
  console.log(
    `  500-key page, revision -1000 (ring)  ${(await timeIt(20, () => list(500, oldRevision))).toFixed(2)} ms`,
  );
  const beyondRing = store.currentRevision() - 15_000;
  console.log(
    `  500-key page, revision -15000 (SQLite, undo) ${(await timeIt(5, () => list(500, beyondRing))).toFixed(2)} ms`,
  );
  const ancient = Math.floor(store.currentRevision() / 2);
  console.log(
    `  500-key page, revision ${ancient} (SQLite) ${(await timeIt(5, () => list(500, ancient))).toFixed(2)} ms`,
  );
} finally {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
