import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { WatchEvent } from '../store.js';
import { EventRing } from './event-ring.js';

const events = (rev: number, n: number): WatchEvent[] =>
  Array.from({ length: n }, (_, i) => ({
    type: 'put',
    kv: { key: `/k${i}`, value: '', createRevision: rev, modRevision: rev, version: 1 },
  }));

test('evicts whole transactions beyond its capacity and tracks the revision it is complete from', () => {
  const ring = new EventRing(5, 1);
  ring.push({ revision: 1, events: events(1, 2) });
  ring.push({ revision: 2, events: events(2, 2) });
  assert.equal(ring.floor, 1);
  ring.push({ revision: 3, events: events(3, 3) }); // 7 events > 5: revision 1 goes
  assert.equal(ring.floor, 2);
  assert.equal(ring.eventCount, 5);
  assert.deepEqual(
    ring.since(2).map((r) => r.revision),
    [2, 3],
  );
  assert.deepEqual(
    ring.since(3).map((r) => r.revision),
    [3],
  );
  ring.push({ revision: 4, events: events(4, 9) }); // alone over capacity: kept, the rest goes
  assert.deepEqual([ring.floor, ring.eventCount], [4, 9]);
  ring.dropBefore(6);
  assert.deepEqual([ring.floor, ring.eventCount, ring.since(0).length], [6, 0, 0]);
});
