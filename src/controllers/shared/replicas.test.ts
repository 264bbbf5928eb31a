import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod, ReplicationController } from '../../core/index.js';
import { podsToDelete } from './active-pods.js';
import { nextAvailableCheckMs, replicaDiff, replicaStatus, replicaStatusEqual } from './replicas.js';

const NOW = Date.parse('2026-01-01T00:10:00Z');

// A ReplicationController: the same rules apply as to a ReplicaSet (upstream runs one controller for both).
function rc(replicas: number, minReadySeconds?: number): ReplicationController {
  return {
    apiVersion: 'v1',
    kind: 'ReplicationController',
    metadata: { name: 'web', namespace: 'default', uid: 'rc-uid', generation: 2 },
    spec: {
      replicas,
      minReadySeconds,
      selector: { app: 'web' },
      template: { metadata: { labels: { app: 'web', tier: 'fe' } }, spec: { containers: [{ name: 'c' }] } },
    },
  };
}

let seq = 0;
function pod(o: { node?: string; ready?: boolean; readySince?: string; labels?: Record<string, string> } = {}): Pod {
  seq++;
  return {
    metadata: {
      name: `p${seq}`,
      namespace: 'default',
      labels: o.labels ?? { app: 'web', tier: 'fe' },
      creationTimestamp: `2026-01-01T00:00:${String(seq % 60).padStart(2, '0')}Z`,
    },
    spec: o.node ? { nodeName: o.node, containers: [] } : { containers: [] },
    status: {
      phase: 'Running',
      conditions: [
        {
          type: 'Ready',
          status: o.ready === false ? 'False' : 'True',
          lastTransitionTime: o.readySince ?? '2026-01-01T00:01:00Z',
        },
      ],
    },
  };
}

test('replica diff: the shortfall, the excess ranked for deletion, capped at the burst size', () => {
  assert.deepEqual(replicaDiff(rc(3), [pod()]), { kind: 'create', count: 2 });
  assert.deepEqual(replicaDiff(rc(1), [pod()]), { kind: 'none' });
  const unready = pod({ node: 'a', ready: false });
  const d = replicaDiff(rc(1), [pod({ node: 'a' }), unready]);
  assert.deepEqual(d, { kind: 'delete', pods: [unready] });
  assert.deepEqual(replicaDiff(rc(5000), []), { kind: 'create', count: 500 });
  assert.deepEqual(podsToDelete([pod()], 0), []);
});

test('status: replicas, fully labeled, ready, available after minReadySeconds; ReplicaFailure on errors', () => {
  const pods = [
    pod({ readySince: '2026-01-01T00:00:00Z' }),
    pod({ readySince: '2026-01-01T00:09:50Z' }),
    pod({ ready: false }),
  ];
  pods.push(pod({ labels: { app: 'web' } }));
  const s = replicaStatus(rc(4, 30), pods, NOW);
  assert.deepEqual(s, {
    replicas: 4,
    fullyLabeledReplicas: 3,
    readyReplicas: 3,
    availableReplicas: 2,
    observedGeneration: 2,
  });
  assert.equal(nextAvailableCheckMs(rc(4, 30), pods, NOW), Date.parse('2026-01-01T00:10:20Z'));
  const failing = replicaStatus(rc(2), [], NOW, { kind: 'create', message: 'quota exceeded' });
  assert.equal(failing.conditions?.[0]?.reason, 'FailedCreate');
  assert.equal(replicaStatusEqual(failing, { ...failing }), true);
  assert.equal(replicaStatus({ ...rc(2), status: failing }, [pod(), pod()], NOW).conditions, undefined);
});
