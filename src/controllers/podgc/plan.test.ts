import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from '../../core/index.js';
import { planPodGc } from './plan.js';

const pod = (name: string, created: string, phase: string, node?: string, deleting = false): Pod =>
  ({
    metadata: {
      name,
      namespace: 'ns',
      creationTimestamp: created,
      ...(deleting ? { deletionTimestamp: created } : {}),
    },
    spec: { nodeName: node, containers: [] },
    status: { phase },
  }) as Pod;

test('terminated pods over the threshold go oldest first; orphans and unscheduled terminating pods go', () => {
  const pods = [
    pod('old', '2025-01-01T00:00:00Z', 'Succeeded', 'n1'),
    pod('mid', '2025-01-02T00:00:00Z', 'Failed', 'n1'),
    pod('new', '2025-01-03T00:00:00Z', 'Succeeded', 'n1'),
    pod('run', '2025-01-01T00:00:00Z', 'Running', 'n1'),
    pod('orphan', '2025-01-01T00:00:00Z', 'Running', 'gone'),
    pod('stuck', '2025-01-01T00:00:00Z', 'Running', 'gone', true),
    pod('unsched', '2025-01-01T00:00:00Z', 'Pending', undefined, true),
    pod('pending', '2025-01-01T00:00:00Z', 'Pending'),
  ];
  const plan = planPodGc(pods, (n) => n === 'n1', 1);
  assert.deepEqual(
    plan.terminated.map((p) => p.metadata.name),
    ['old', 'mid'],
  );
  assert.deepEqual(
    plan.orphaned.map((p) => p.metadata.name),
    ['orphan', 'stuck'],
  );
  assert.deepEqual(
    plan.unscheduledTerminating.map((p) => p.metadata.name),
    ['unsched'],
  );
  assert.equal(planPodGc(pods, () => true, 0).terminated.length, 0);
});
