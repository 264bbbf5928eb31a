import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FakeClock } from '../clock.js';
import { Snapshot } from '../framework/snapshot.js';
import { makeNode, makePod } from '../framework/testing.js';
import { SchedulerCache } from './scheduler-cache.js';

test('assumed pods count until confirmed, forgotten, or expired', () => {
  const clock = new FakeClock(0);
  const cache = new SchedulerCache({ clock, assumedPodTtlMs: 30_000 });
  cache.addNode(makeNode('n'));
  const snap = new Snapshot();
  const p = makePod('p', { cpu: '1' });
  cache.assume(p, 'n');
  cache.updateSnapshot(snap);
  assert.equal(snap.get('n')!.requested.milliCpu, 1000);
  // Not expired before binding finished, however long it takes.
  clock.advance(100_000);
  assert.deepEqual(cache.cleanupExpired(), []);
  cache.finishBinding(p);
  clock.advance(30_000);
  assert.deepEqual(cache.cleanupExpired(), [p]);
  cache.updateSnapshot(snap);
  assert.equal(snap.get('n')!.requested.milliCpu, 0);

  const q = makePod('q', { cpu: '2' });
  cache.assume(q, 'n');
  cache.forget(q);
  cache.updateSnapshot(snap);
  assert.equal(snap.get('n')!.pods.length, 0);

  const r = makePod('r', { cpu: '500m' });
  cache.assume(r, 'n');
  cache.finishBinding(r);
  cache.addPod({ ...r, spec: { ...r.spec, nodeName: 'n' } });
  clock.advance(60_000);
  assert.deepEqual(cache.cleanupExpired(), []);
  assert.equal(cache.isAssumed(r), false);
  cache.updateSnapshot(snap);
  assert.equal(snap.get('n')!.requested.milliCpu, 500);
});

test('snapshots update incrementally and keep a stable node order', () => {
  const cache = new SchedulerCache({ clock: new FakeClock() });
  for (const n of ['a', 'b', 'c']) cache.addNode(makeNode(n));
  const snap = new Snapshot();
  cache.updateSnapshot(snap);
  const before = snap.get('a');
  cache.addPod(makePod('p', { nodeName: 'b', cpu: '1' }));
  cache.updateSnapshot(snap);
  assert.equal(snap.get('a'), before, 'unchanged nodes are not copied');
  assert.equal(snap.nodes[1]!.requested.milliCpu, 1000);
  assert.deepEqual(
    snap.nodes.map((n) => n.name),
    ['a', 'b', 'c'],
  );
  cache.removeNode(makeNode('a'));
  cache.addNode(makeNode('d'));
  cache.updateSnapshot(snap);
  assert.deepEqual(
    snap.nodes.map((n) => n.name),
    ['b', 'c', 'd'],
  );
  // Pods on unknown nodes are held until the node arrives.
  cache.addPod(makePod('early', { nodeName: 'e', cpu: '1' }));
  cache.updateSnapshot(snap);
  assert.equal(snap.get('e'), undefined);
  cache.addNode(makeNode('e'));
  cache.updateSnapshot(snap);
  assert.equal(snap.get('e')!.requested.milliCpu, 1000);
  cache.removePod(makePod('p', { nodeName: 'b' }));
  cache.updateSnapshot(snap);
  assert.equal(snap.get('b')!.pods.length, 0);
});
