import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { runStoreContract } from '../contract.js';
import { openSqliteStore } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'tutti-sqlite-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const freshPath = () => join(dir, `store-${n++}.db`);

runStoreContract('sqlite', () => openSqliteStore({ path: freshPath() }));
// A one-event ring sends past reads and watches to SQLite: first undoing later writes, then whole old ranges.
runStoreContract('sqlite, history from disk', () => openSqliteStore({ path: freshPath(), watchCacheEvents: 1 }));
runStoreContract('sqlite, old ranges from disk', () =>
  openSqliteStore({ path: freshPath(), watchCacheEvents: 1, undoLimit: 0 }),
);

test('compaction bounds the database and survives a reopen', async () => {
  const path = freshPath();
  const store = await openSqliteStore({ path });
  for (let i = 0; i < 200; i++) {
    await store.txn(
      [],
      [
        { type: 'put', key: '/hot', value: String(i) },
        { type: 'put', key: `/tmp/${i}`, value: 'x' },
      ],
    );
    if (i > 0) await store.txn([], [{ type: 'delete', key: `/tmp/${i - 1}` }]);
  }
  const rows = () => {
    const db = new Database(path, { readonly: true });
    try {
      return db.prepare('SELECT COUNT(*) FROM kv').pluck().get() as number;
    } finally {
      db.close();
    }
  };
  assert.equal(rows(), 599, 'every write is a history row before compaction');
  const revision = store.currentRevision();
  await store.compact(revision);
  // Kept: /hot and /tmp/199 (live), and the delete of /tmp/198 at the compacted revision with its prevKv row.
  assert.equal(rows(), 4);
  await store.close();

  const reopened = await openSqliteStore({ path });
  try {
    assert.equal(reopened.currentRevision(), revision);
    assert.equal(reopened.compactedRevision(), revision);
    const live = await reopened.range({ key: '/', end: '0' });
    assert.deepEqual(
      live.kvs.map((kv) => `${kv.key}=${kv.value} v${kv.version}`),
      ['/hot=199 v200', '/tmp/199=x v1'],
    );
    const next = await reopened.txn([], [{ type: 'put', key: '/hot', value: 'after' }]);
    assert.equal(next.revision, revision + 1);
  } finally {
    await reopened.close();
  }
});
