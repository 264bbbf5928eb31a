import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseNodeGroup, parseNodeGroups } from './node-groups.js';

const GOOD = `
provider: sim
minSize: 1
maxSize: 5
template:
  capacity: {cpu: "4", memory: 8Gi}
  labels: {pool: general}
  taints:
  - {key: dedicated, value: batch, effect: NoSchedule}
`;

test('a group with defaults filled in', () => {
  assert.deepEqual(parseNodeGroup('general', GOOD), {
    name: 'general',
    provider: 'sim',
    minSize: 1,
    maxSize: 5,
    priority: 0,
    template: {
      capacity: { cpu: '4', memory: '8Gi', pods: '110' },
      labels: { pool: 'general' },
      taints: [{ key: 'dedicated', value: 'batch', effect: 'NoSchedule' }],
    },
  });
});

test('bad groups are reported by name and left out; good ones still parse', () => {
  const r = parseNodeGroups({
    general: GOOD,
    Bad_Name: GOOD,
    sizes: 'provider: sim\nminSize: 3\nmaxSize: 2\ntemplate: {capacity: {cpu: "1", memory: 1Gi}}',
    nocpu: 'provider: sim\nminSize: 0\nmaxSize: 2\ntemplate: {capacity: {memory: 1Gi}}',
    taint:
      'provider: sim\nminSize: 0\nmaxSize: 2\ntemplate: {capacity: {cpu: "1", memory: 1Gi}, taints: [{key: a, effect: Sometimes}]}',
    quantity: 'provider: sim\nminSize: 0\nmaxSize: 2\ntemplate: {capacity: {cpu: lots, memory: 1Gi}}',
    noprovider: 'minSize: 0\nmaxSize: 1\ntemplate: {capacity: {cpu: "1", memory: 1Gi}}',
    label: 'provider: sim\nminSize: 0\nmaxSize: 1\ntemplate: {capacity: {cpu: "1", memory: 1Gi}, labels: {"a b": c}}',
    yaml: 'provider: [sim',
  });
  assert.deepEqual(
    r.groups.map((g) => g.name),
    ['general'],
  );
  const byGroup = Object.fromEntries(r.errors.map((e) => [e.group, e.message]));
  assert.match(byGroup['Bad_Name']!, /^name: a lowercase RFC 1123 label/);
  assert.equal(byGroup['sizes'], 'maxSize (2) must not be below minSize (3)');
  assert.equal(byGroup['nocpu'], 'template.capacity.cpu is required');
  assert.equal(byGroup['taint'], 'template.taints[0].effect must be one of NoSchedule, PreferNoSchedule, NoExecute');
  assert.equal(byGroup['quantity'], 'template.capacity.cpu: "lots" is not a quantity');
  assert.equal(byGroup['noprovider'], 'provider is required');
  assert.match(byGroup['label']!, /^template\.labels: key "a b": name part must consist of/);
  assert.match(byGroup['yaml']!, /^not YAML: /);
});

test('no ConfigMap, no groups', () => {
  assert.deepEqual(parseNodeGroups(undefined), { groups: [], errors: [] });
});
