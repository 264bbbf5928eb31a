import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultProfile } from '../default-profile.js';
import { schedulePod } from './schedule-pod.js';
import { snapshotOf } from './snapshot.js';
import { makeNode, makePod } from './testing.js';

test('victims: only as many lower-priority pods as the pod needs, the least important first', () => {
  const snap = snapshotOf(
    [makeNode('w1', { cpu: '4' })],
    [
      makePod('p10', { cpu: '1', nodeName: 'w1', priority: 10 }),
      makePod('p1', { cpu: '1', nodeName: 'w1', priority: 1 }),
      makePod('p5', { cpu: '1', nodeName: 'w1', priority: 5 }),
      makePod('same', { cpu: '1', nodeName: 'w1', priority: 100 }),
    ],
  );
  const r = schedulePod(makePod('high', { cpu: '2', priority: 100 }), snap, defaultProfile());
  assert.ok('unschedulable' in r);
  assert.equal(r.preemption?.node, 'w1');
  // Two cpus needed: the two lowest go; p10 is reprieved; an equal-priority pod is never a victim.
  assert.deepEqual(r.preemption?.victims.map((v) => v.pod.metadata.name).sort(), ['p1', 'p5']);
});

test('the node whose highest victim has the lowest priority wins; fewer victims break ties', () => {
  const snap = snapshotOf(
    [makeNode('a', { cpu: '2' }), makeNode('b', { cpu: '2' }), makeNode('c', { cpu: '2' })],
    [
      makePod('a-mid', { cpu: '2', nodeName: 'a', priority: 50 }),
      makePod('b-low1', { cpu: '1', nodeName: 'b', priority: 1 }),
      makePod('b-low2', { cpu: '1', nodeName: 'b', priority: 1 }),
      makePod('c-low', { cpu: '2', nodeName: 'c', priority: 1 }),
    ],
  );
  const r = schedulePod(makePod('high', { cpu: '2', priority: 100 }), snap, defaultProfile());
  assert.ok('unschedulable' in r);
  // a: top victim priority 50 (worse); b: two victims at 1, sum 2; c: one victim at 1, sum 1: c.
  assert.equal(r.preemption?.node, 'c');
  assert.deepEqual(
    r.preemption?.victims.map((v) => v.pod.metadata.name),
    ['c-low'],
  );
});

test('no plan when removing every lower-priority pod does not help, or for preemptionPolicy Never', () => {
  const snap = snapshotOf(
    [makeNode('w1', { cpu: '2' })],
    [
      makePod('low', { cpu: '1', nodeName: 'w1', priority: 0 }),
      makePod('peer', { cpu: '1', nodeName: 'w1', priority: 100 }),
    ],
  );
  const tooBig = schedulePod(makePod('high', { cpu: '2', priority: 100 }), snap, defaultProfile());
  assert.ok('unschedulable' in tooBig);
  assert.equal(tooBig.preemption, undefined);
  const never = makePod('polite', { cpu: '1', priority: 100 });
  never.spec!.preemptionPolicy = 'Never';
  const snap2 = snapshotOf([makeNode('w1', { cpu: '1' })], [makePod('low', { cpu: '1', nodeName: 'w1', priority: 0 })]);
  const r = schedulePod(never, snap2, defaultProfile());
  assert.ok('unschedulable' in r);
  assert.equal(r.preemption, undefined);
});
