import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../core/types.js';
import { converterFor } from './index.js';

const conv = converterFor('events.k8s.io', 'v1', 'Event')!;

const v1Event = (): KubeObject => ({
  apiVersion: 'events.k8s.io/v1',
  kind: 'Event',
  metadata: { name: 'web-0.17a', namespace: 'default' },
  eventTime: '2024-05-01T10:00:00.000000Z',
  series: { count: 3, lastObservedTime: '2024-05-01T10:05:00.000000Z' },
  reportingController: 'tutti.io/scheduler',
  reportingInstance: 'tutti-server',
  action: 'Binding',
  reason: 'Scheduled',
  regarding: { kind: 'Pod', namespace: 'default', name: 'web-0', uid: 'p1' },
  note: 'Successfully assigned default/web-0 to node-1',
  type: 'Normal',
  deprecatedCount: 3,
});

test('events.k8s.io/v1 maps onto core/v1 field names', () => {
  const core = conv.toStorage(v1Event());
  assert.equal(core.apiVersion, 'v1');
  assert.deepEqual(core.involvedObject, { kind: 'Pod', namespace: 'default', name: 'web-0', uid: 'p1' });
  assert.equal(core.message, 'Successfully assigned default/web-0 to node-1');
  assert.equal(core.reportingComponent, 'tutti.io/scheduler');
  assert.equal(core.count, 3);
  assert.equal(core.note, undefined);
  assert.equal(core.regarding, undefined);
});

test('round trip through storage is lossless', () => {
  assert.deepEqual(conv.fromStorage(conv.toStorage(v1Event())), v1Event());
});

test('a core event written by kubelet-style clients reads back as events.k8s.io/v1', () => {
  const core: KubeObject = {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name: 'x', namespace: 'default' },
    involvedObject: { kind: 'Pod', name: 'web-0', namespace: 'default' },
    reason: 'Pulled',
    message: 'Container image already present',
    source: { component: 'kubelet', host: 'node-1' },
    firstTimestamp: '2024-05-01T10:00:00Z',
    lastTimestamp: '2024-05-01T10:01:00Z',
    count: 2,
    type: 'Normal',
  };
  const v1 = conv.fromStorage(core);
  assert.deepEqual(v1.deprecatedSource, { component: 'kubelet', host: 'node-1' });
  assert.equal(v1.deprecatedFirstTimestamp, '2024-05-01T10:00:00Z');
  assert.equal(v1.deprecatedCount, 2);
  assert.equal(v1.note, 'Container image already present');
});
