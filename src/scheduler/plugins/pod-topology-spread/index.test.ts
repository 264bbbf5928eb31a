import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TopologySpreadConstraint } from '../../../core/types.js';
import { makeNode, makePod } from '../../framework/testing.js';
import { filterAll, reasonsOf, scoreAll } from '../test-helpers.js';
import { podTopologySpread } from './index.js';

const nodes = [
  makeNode('a1', { labels: { zone: 'a' } }),
  makeNode('a2', { labels: { zone: 'a' } }),
  makeNode('b1', { labels: { zone: 'b' } }),
  makeNode('nolabel'),
];
const spread = (when: TopologySpreadConstraint['whenUnsatisfiable'], extra: Partial<TopologySpreadConstraint> = {}) =>
  makePod('new', {
    labels: { app: 'web' },
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: 'zone',
        whenUnsatisfiable: when,
        labelSelector: { matchLabels: { app: 'web' } },
        ...extra,
      },
    ],
  });
const web = (name: string, node: string) => makePod(name, { labels: { app: 'web' }, nodeName: node });

test('DoNotSchedule rejects domains that would exceed maxSkew', () => {
  const pods = [web('w1', 'a1'), web('w2', 'a2')]; // zone a: 2, zone b: 0
  const r = filterAll(podTopologySpread, spread('DoNotSchedule'), nodes, pods);
  assert.deepEqual(reasonsOf(r.get('a1')), ["node(s) didn't match pod topology spread constraints"]);
  assert.equal(r.get('a1')?.code, 'Unschedulable');
  assert.equal(r.get('b1'), null);
  assert.deepEqual(reasonsOf(r.get('nolabel')), [
    "node(s) didn't match pod topology spread constraints (missing required label)",
  ]);
  assert.equal(r.get('nolabel')?.code, 'UnschedulableAndUnresolvable');
  // Balanced (1 and 1): every labelled node fits with maxSkew 1.
  const r2 = filterAll(podTopologySpread, spread('DoNotSchedule'), nodes, [web('w1', 'a1'), web('w3', 'b1')]);
  assert.equal(r2.get('a2'), null);
  assert.equal(r2.get('b1'), null);
});

test('minDomains above the domain count treats the global minimum as 0', () => {
  const pods = [web('w1', 'a1'), web('w2', 'b1')];
  const r = filterAll(podTopologySpread, spread('DoNotSchedule', { minDomains: 3 }), nodes, pods);
  assert.notEqual(r.get('a1'), null);
  assert.notEqual(r.get('b1'), null);
});

test('ScheduleAnyway scores emptier domains higher and ignores other namespaces', () => {
  const pods = [
    web('w1', 'a1'),
    web('w2', 'a2'),
    makePod('x', { labels: { app: 'web' }, nodeName: 'b1', namespace: 'x' }),
  ];
  const s = scoreAll(podTopologySpread, spread('ScheduleAnyway'), nodes, pods);
  assert.ok(s.get('b1')! > s.get('a1')!);
  assert.equal(s.get('b1'), 100);
  assert.equal(s.get('nolabel'), 0);
  assert.equal(filterAll(podTopologySpread, spread('ScheduleAnyway'), nodes, pods).get('a1'), null);
});
