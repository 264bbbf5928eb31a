import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../core/types.js';
import { CATALOG } from './catalog.js';
import { generationFieldFor } from './generation.js';
import { scaleOf, scalePolicyFor } from './scale.js';

const meta = {
  name: 'web',
  namespace: 'default',
  uid: 'u1',
  resourceVersion: '7',
  creationTimestamp: '2024-05-01T11:00:00Z',
};

describe('scale policy', () => {
  it('covers exactly the kinds that serve a scale subresource', () => {
    for (const r of CATALOG) {
      assert.equal(
        scalePolicyFor(r.group, r.kind) !== undefined,
        r.subresources.includes('scale'),
        `${r.group}/${r.kind}`,
      );
    }
  });

  it('reads a label selector (StatefulSet, Deployment, ReplicaSet)', () => {
    const sts: KubeObject = {
      metadata: meta,
      spec: {
        replicas: 3,
        selector: {
          matchLabels: { app: 'db' },
          matchExpressions: [{ key: 'tier', operator: 'In', values: ['b', 'a'] }],
        },
      },
      status: { replicas: 2 },
    };
    assert.deepEqual(scaleOf('apps', 'StatefulSet', sts), {
      kind: 'Scale',
      apiVersion: 'autoscaling/v1',
      metadata: meta,
      spec: { replicas: 3 },
      status: { replicas: 2, selector: 'app=db,tier in (a,b)' },
    });
  });

  it("reads ReplicationController's map selector, empty selecting everything", () => {
    const rc: KubeObject = { metadata: meta, spec: { replicas: 1, selector: { tier: 'fe', app: 'web' } } };
    assert.deepEqual(scaleOf('', 'ReplicationController', rc)?.status, { replicas: 0, selector: 'app=web,tier=fe' });
    assert.deepEqual(scaleOf('', 'ReplicationController', { metadata: meta, spec: { selector: {} } })?.status, {
      replicas: 0,
    });
  });

  it('writes replicas into a copy, and knows nothing of other kinds', () => {
    const policy = scalePolicyFor('', 'ReplicationController')!;
    const rc: KubeObject = { metadata: meta, spec: { replicas: 1, selector: { app: 'web' } } };
    const scaled = policy.withReplicas(rc, 5);
    assert.equal((scaled.spec as { replicas: number }).replicas, 5);
    assert.equal((rc.spec as { replicas: number }).replicas, 1);
    assert.equal(policy.desiredReplicas(scaled), 5);
    assert.equal(scalePolicyFor('apps', 'DaemonSet'), undefined);
    assert.equal(scaleOf('batch', 'Job', rc), undefined);
  });

  it('an invalid label selector reads as none', () => {
    const bad: KubeObject = {
      metadata: meta,
      spec: { selector: { matchExpressions: [{ key: 'a', operator: 'Nope' }] } },
    };
    assert.deepEqual(scaleOf('apps', 'Deployment', bad)?.status, { replicas: 0 });
  });
});

describe('generation tracking', () => {
  it('follows the upstream strategies', () => {
    assert.equal(generationFieldFor('apps', 'StatefulSet'), 'spec');
    assert.equal(generationFieldFor('batch', 'CronJob'), 'spec');
    assert.equal(generationFieldFor('', 'ReplicationController'), 'spec');
    assert.equal(generationFieldFor('', 'PodTemplate'), 'template');
    assert.equal(generationFieldFor('policy', 'PodDisruptionBudget'), 'spec');
    assert.equal(generationFieldFor('networking.k8s.io', 'Ingress'), 'spec');
    assert.equal(generationFieldFor('networking.k8s.io', 'NetworkPolicy'), 'spec');
    assert.equal(generationFieldFor('', 'PersistentVolumeClaim'), undefined);
    assert.equal(generationFieldFor('rbac.authorization.k8s.io', 'Role'), undefined);
    assert.equal(generationFieldFor('apps', 'ControllerRevision'), undefined);
  });
});
