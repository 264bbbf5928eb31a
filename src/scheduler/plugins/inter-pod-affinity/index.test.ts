import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PodAffinityTerm } from '../../../core/types.js';
import { makeNode, makePod } from '../../framework/testing.js';
import { filterAll, reasonsOf, scoreAll } from '../test-helpers.js';
import { interPodAffinity } from './index.js';

const nodes = [
  makeNode('a1', { labels: { zone: 'a' } }),
  makeNode('a2', { labels: { zone: 'a' } }),
  makeNode('b1', { labels: { zone: 'b' } }),
];
const term = (app: string, topologyKey: string): PodAffinityTerm => ({
  labelSelector: { matchLabels: { app } },
  topologyKey,
});
const db = makePod('db', { labels: { app: 'db' }, nodeName: 'a1' });

test('required affinity places the pod in the topology domain of matching pods', () => {
  const pod = makePod('web', {
    labels: { app: 'web' },
    affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('db', 'zone')] } },
  });
  const r = filterAll(interPodAffinity, pod, nodes, [db]);
  assert.equal(r.get('a1'), null);
  assert.equal(r.get('a2'), null);
  assert.deepEqual(reasonsOf(r.get('b1')), ["node(s) didn't match pod affinity rules"]);
  assert.equal(r.get('b1')?.code, 'UnschedulableAndUnresolvable');
  // No db pod anywhere: unschedulable, unless the pod matches its own term (first of a group).
  assert.notEqual(filterAll(interPodAffinity, pod, nodes).get('a1'), null);
  const self = makePod('db2', {
    labels: { app: 'db' },
    affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('db', 'zone')] } },
  });
  assert.equal(filterAll(interPodAffinity, self, nodes).get('b1'), null);
});

test('required anti-affinity keeps the pod out of domains with matching pods', () => {
  const pod = makePod('web', {
    affinity: {
      podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('db', 'kubernetes.io/hostname')] },
    },
  });
  const r = filterAll(interPodAffinity, pod, nodes, [db]);
  assert.deepEqual(reasonsOf(r.get('a1')), ["node(s) didn't match pod anti-affinity rules"]);
  assert.equal(r.get('a2'), null);
  // Other namespaces do not count unless listed.
  const otherNs = makePod('db', { labels: { app: 'db' }, nodeName: 'a1', namespace: 'prod' });
  assert.equal(filterAll(interPodAffinity, pod, nodes, [otherNs]).get('a1'), null);
});

test("existing pods' anti-affinity rejects the incoming pod", () => {
  const loner = makePod('loner', {
    labels: { app: 'loner' },
    nodeName: 'b1',
    affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term('web', 'zone')] } },
  });
  const r = filterAll(interPodAffinity, makePod('w', { labels: { app: 'web' } }), nodes, [loner]);
  assert.deepEqual(reasonsOf(r.get('b1')), ["node(s) didn't satisfy existing pods anti-affinity rules"]);
  assert.equal(r.get('a1'), null);
  assert.equal(filterAll(interPodAffinity, makePod('x', { labels: { app: 'x' } }), nodes, [loner]).get('b1'), null);
});

test('preferred affinity scores nodes in the matching domain higher', () => {
  const pod = makePod('web', {
    affinity: {
      podAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 50, podAffinityTerm: term('db', 'zone') }],
      },
    },
  });
  const s = scoreAll(interPodAffinity, pod, nodes, [db]);
  assert.deepEqual([s.get('a1'), s.get('a2'), s.get('b1')], [100, 100, 0]);
});
