import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../core/types.js';
import { controllerRevisionTable, daemonSetTable, deploymentTable, jobTable, replicaSetTable } from './workloads.js';

const now = Date.parse('2024-05-01T12:00:00Z');
const meta = { name: 'web', namespace: 'default', creationTimestamp: '2024-04-29T09:00:00Z' };
const template = {
  spec: {
    containers: [
      { name: 'nginx', image: 'nginx:1.27' },
      { name: 'sidecar', image: 'busybox' },
    ],
  },
};

describe('deploymentTable', () => {
  it('prints READY ready/desired, counts and the wide template cells', () => {
    const d: KubeObject = {
      metadata: meta,
      spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template },
      status: { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
    };
    assert.deepEqual(
      deploymentTable.columns.map((c) => c.name),
      ['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers', 'Images', 'Selector'],
    );
    assert.deepEqual(deploymentTable.row(d, now), [
      'web',
      '2/3',
      3,
      2,
      '2d3h',
      'nginx,sidecar',
      'nginx:1.27,busybox',
      'app=web',
    ]);
    const fresh: KubeObject = { metadata: meta, spec: { replicas: 0, template } };
    assert.deepEqual(deploymentTable.row(fresh, now).slice(1, 4), ['0/0', 0, 0]);
    const bad: KubeObject = {
      metadata: meta,
      spec: { selector: { matchExpressions: [{ key: 'a', operator: 'Nope' }] } },
    };
    assert.equal(deploymentTable.row(bad, now)[7], '<invalid>');
  });
});

describe('replicaSetTable and daemonSetTable', () => {
  it('prints integer cells', () => {
    const rs: KubeObject = {
      metadata: meta,
      spec: { replicas: 2, selector: { matchLabels: { app: 'web', 'pod-template-hash': 'abc' } }, template },
      status: { replicas: 2, readyReplicas: 1 },
    };
    assert.deepEqual(replicaSetTable.row(rs, now), [
      'web',
      2,
      2,
      1,
      '2d3h',
      'nginx,sidecar',
      'nginx:1.27,busybox',
      'app=web,pod-template-hash=abc',
    ]);
    const ds: KubeObject = {
      metadata: meta,
      spec: {
        selector: { matchLabels: { app: 'agent' } },
        template: { spec: { nodeSelector: { 'kubernetes.io/os': 'linux' }, containers: [] } },
      },
      status: {
        desiredNumberScheduled: 3,
        currentNumberScheduled: 3,
        numberReady: 2,
        updatedNumberScheduled: 3,
        numberAvailable: 2,
      },
    };
    assert.deepEqual(daemonSetTable.row(ds, now), [
      'web',
      3,
      3,
      2,
      3,
      2,
      'kubernetes.io/os=linux',
      '2d3h',
      '',
      '',
      'app=agent',
    ]);
    assert.equal(daemonSetTable.row({ metadata: meta, spec: {} }, now)[6], '<none>');
  });
});

describe('jobTable', () => {
  const base = { metadata: meta, spec: { completions: 1, template } };
  it('prints status, completions and duration', () => {
    const running: KubeObject = { ...base, status: { startTime: '2024-05-01T11:59:30Z', active: 1 } };
    assert.deepEqual(jobTable.row(running, now).slice(0, 5), ['web', 'Running', '0/1', '30s', '2d3h']);
    const done: KubeObject = {
      ...base,
      status: {
        succeeded: 1,
        startTime: '2024-05-01T11:00:00Z',
        completionTime: '2024-05-01T11:03:02Z',
        conditions: [{ type: 'Complete', status: 'True' }],
      },
    };
    assert.deepEqual(jobTable.row(done, now).slice(1, 4), ['Complete', '1/1', '3m2s']);
    const failed: KubeObject = { ...base, status: { conditions: [{ type: 'Failed', status: 'True' }] } };
    assert.deepEqual(jobTable.row(failed, now).slice(1, 4), ['Failed', '0/1', '']);
    const suspended: KubeObject = { ...base, status: { conditions: [{ type: 'Suspended', status: 'True' }] } };
    assert.equal(jobTable.row(suspended, now)[1], 'Suspended');
    const deleting: KubeObject = {
      ...base,
      metadata: { ...meta, deletionTimestamp: '2024-05-01T11:00:00Z' },
      status: {},
    };
    assert.equal(jobTable.row(deleting, now)[1], 'Terminating');
  });

  it('formats completions without a completion count', () => {
    const parallel: KubeObject = { metadata: meta, spec: { parallelism: 3, template }, status: { succeeded: 1 } };
    assert.equal(jobTable.row(parallel, now)[2], '1/1 of 3');
    const single: KubeObject = { metadata: meta, spec: { parallelism: 1, template }, status: {} };
    assert.equal(jobTable.row(single, now)[2], '0/1');
  });
});

describe('controllerRevisionTable', () => {
  it('names the controller by kind.group/name', () => {
    const rev: KubeObject = {
      metadata: {
        ...meta,
        name: 'agent-7c9f',
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'u', controller: true }],
      },
      revision: 2,
    };
    assert.deepEqual(controllerRevisionTable.row(rev, now), ['agent-7c9f', 'daemonset.apps/agent', 2, '2d3h']);
    assert.equal(controllerRevisionTable.row({ metadata: meta, revision: 1 }, now)[1], '<none>');
  });
});
