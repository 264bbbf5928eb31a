import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startAutoCompaction } from './auto-compaction.js';
import { openMemoryStore } from './memory/index.js';
import { CompactedError } from './store.js';

test('auto compaction keeps only the last retainRevisions of history, and stops', async () => {
  const store = await openMemoryStore();
  for (let i = 0; i < 30; i++) await store.txn([], [{ type: 'put', key: `/k/${i % 3}`, value: String(i) }]);
  const stop = startAutoCompaction(store, { intervalMs: 10, retainRevisions: 5 });
  const deadline = Date.now() + 2000;
  while (store.compactedRevision() !== 25 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.equal(store.compactedRevision(), 25);
  await assert.rejects(store.range({ key: '/k/0', revision: 24 }), CompactedError);
  assert.equal((await store.range({ key: '/k/', end: '/k0' })).count, 3);
  stop();
  for (let i = 0; i < 10; i++) await store.txn([], [{ type: 'put', key: '/k/0', value: 'more' }]);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(store.compactedRevision(), 25, 'no compaction after stop');
  await store.close();
});
