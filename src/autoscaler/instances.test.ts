import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Node } from '../core/types.js';
import { countNodes, Instances, isUpcoming } from './instances.js';
import { readyNode } from './testing/fixtures.js';

const T = Date.parse('2025-01-01T00:10:00Z');

test('reconcile adopts listed machines and drops running ones no longer listed', () => {
  const ready = readyNode('g-aaaaa');
  ready.metadata.creationTimestamp = '2025-01-01T00:00:00Z';
  const nodes = new Map<string, Node>([['g-aaaaa', ready]]);
  const inst = new Instances();
  inst.add({ name: 'g-creat', group: 'g', phase: 'creating', requestedAt: T });
  inst.add({ name: 'g-gone1', group: 'g', phase: 'running', requestedAt: T });
  const gone = inst.reconcile('g', ['g-aaaaa', 'g-boot1'], nodes, T);
  assert.deepEqual(
    gone.map((i) => i.name),
    ['g-gone1'],
  );
  assert.deepEqual(inst.get('g-aaaaa'), {
    name: 'g-aaaaa',
    group: 'g',
    phase: 'running',
    requestedAt: Date.parse('2025-01-01T00:00:00Z'),
    wasReady: true,
  });
  assert.equal(inst.get('g-boot1')?.requestedAt, T, 'not Ready yet: a whole provision time from now');
  assert.equal(inst.has('g-creat'), true, 'a machine being created is kept though not listed yet');
  assert.equal(inst.targetSize('g'), 3);
});

test('node counts as upstream: ready, not started, unready, unregistered, long unregistered, being deleted', () => {
  const ready = readyNode('a');
  const booting = readyNode('b');
  booting.status!.conditions = [{ type: 'Ready', status: 'False' }];
  const tainted = readyNode('c');
  tainted.spec!.taints = [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }];
  const dead = readyNode('d');
  dead.status!.conditions = [{ type: 'Ready', status: 'Unknown' }];
  const leaving = readyNode('e');
  const nodes = new Map<string, Node>([ready, booting, tainted, dead, leaving].map((n) => [n.metadata.name!, n]));
  const inst = new Instances();
  const add = (name: string, requestedAt: number, phase: 'running' | 'deleting' = 'running') =>
    inst.add({ name, group: 'g', phase, requestedAt });
  add('a', T - 60_000);
  add('b', T - 60_000);
  add('c', T - 60_000);
  add('d', T - 3_600_000);
  add('e', T - 60_000, 'deleting');
  add('f', T - 60_000);
  add('h', T - 3_600_000);
  const c = countNodes(inst.ofGroup('g'), nodes, T, 15 * 60_000);
  assert.deepEqual(c, {
    registered: { total: 5, ready: 1, notStarted: 2, beingDeleted: 1, unready: { total: 1, resourceUnready: 0 } },
    longUnregistered: 1,
    unregistered: 1,
  });
  assert.equal(isUpcoming(inst.get('c')!, nodes), true, 'Ready but still tainted: still coming up');
  assert.equal(isUpcoming(inst.get('a')!, nodes), false);
  assert.equal(isUpcoming(inst.get('e')!, nodes), false);
});
