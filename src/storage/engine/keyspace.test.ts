import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KeyValue } from '../store.js';
import { Keyspace } from './keyspace.js';

const kv = (key: string, value: string, rev = 1): KeyValue => ({
  key,
  value,
  createRevision: rev,
  modRevision: rev,
  version: 1,
});

test('keeps keys sorted through puts and deletes', () => {
  const ks = new Keyspace();
  for (const k of ['/d', '/b', '/a', '/c', '/b']) ks.put(kv(k, k));
  ks.delete('/c');
  ks.delete('/nope');
  const r = ks.range('/', '0', 0, false);
  assert.deepEqual(
    r.kvs.map((x) => x.key),
    ['/a', '/b', '/d'],
  );
  assert.deepEqual([ks.size, r.count, r.more], [3, 3, false]);
  assert.deepEqual(ks.range('/b', '/z', 1, false).kvs[0]?.key, '/b');
  assert.equal(ks.range('/b', '/z', 1, false).more, true);
});

test('rangeAsOf merges the older values of changed keys into the latest ones', () => {
  const ks = Keyspace.fromSorted([kv('/a', 'a'), kv('/c', 'c-new'), kv('/e', 'e')]);
  // Since then: /b was deleted, /c updated, /e created.
  const before = new Map<string, KeyValue | undefined>([
    ['/b', kv('/b', 'b')],
    ['/c', kv('/c', 'c-old')],
    ['/e', undefined],
  ]);
  const all = ks.rangeAsOf('/', '0', 0, false, before);
  assert.deepEqual(
    all.kvs.map((x) => `${x.key}=${x.value}`),
    ['/a=a', '/b=b', '/c=c-old'],
  );
  assert.equal(all.count, 3);
  const page = ks.rangeAsOf('/', '0', 2, false, before);
  assert.deepEqual([page.kvs.map((x) => x.key), page.count, page.more], [['/a', '/b'], 3, true]);
  assert.equal(ks.rangeAsOf('/', '0', 0, true, before).count, 3);
  assert.equal(ks.rangeAsOf('/e', undefined, 0, false, before).count, 0);
  assert.equal(ks.rangeAsOf('/b', undefined, 0, false, before).kvs[0]?.value, 'b');
});
