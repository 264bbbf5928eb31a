import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ResourceQuota } from '../types.js';
import type { KubeObject, PersistentVolumeClaim, Pod, Service } from '../types.js';
import {
  claimUsage,
  exceededResources,
  formatQuotaAmount,
  matchingResources,
  objectUsage,
  podMatchesScope,
  podUsage,
  quotaExceededMessage,
  quotaMatchesObject,
  quotaUsed,
  serviceUsage,
} from './usage.js';

const NOW = Date.parse('2025-01-01T00:00:00Z');

function pod(o: {
  requests?: Record<string, string>;
  limits?: Record<string, string>;
  phase?: string;
  deadline?: number;
  priorityClass?: string;
  qos?: string;
}): Pod {
  return {
    metadata: { name: 'p', namespace: 'ns' },
    spec: {
      containers: [{ name: 'c', resources: { requests: o.requests, limits: o.limits } }],
      ...(o.deadline !== undefined ? { activeDeadlineSeconds: o.deadline } : {}),
      ...(o.priorityClass ? { priorityClassName: o.priorityClass } : {}),
    },
    status: { phase: o.phase ?? 'Running', ...(o.qos ? { qosClass: o.qos } : {}) },
  };
}

test('pod usage: object count always; pods, requests and limits while not terminal', () => {
  const p = pod({ requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '1', memory: '128Mi' } });
  assert.deepEqual(podUsage(p, NOW), {
    'count/pods': 1,
    pods: 1,
    cpu: 250,
    'requests.cpu': 250,
    memory: 64 * 1024 * 1024,
    'requests.memory': 64 * 1024 * 1024,
    'limits.cpu': 1000,
    'limits.memory': 128 * 1024 * 1024,
  });
  assert.deepEqual(podUsage(pod({ phase: 'Succeeded', requests: { cpu: '1' } }), NOW), { 'count/pods': 1 });
  const stuck = pod({ requests: { cpu: '1' } });
  stuck.metadata.deletionTimestamp = '2024-12-31T23:59:00Z';
  stuck.metadata.deletionGracePeriodSeconds = 30;
  assert.deepEqual(podUsage(stuck, NOW), { 'count/pods': 1 }, 'terminating past its grace period');
  const ext = podUsage(pod({ requests: { 'example.com/gpu': '2', 'hugepages-2Mi': '4Mi' } }), NOW);
  assert.equal(ext['requests.example.com/gpu'], 2);
  assert.equal(ext['requests.hugepages-2Mi'], 4 * 1024 * 1024);
});

test('scopes: Terminating, BestEffort, PriorityClass selectors', () => {
  const be = pod({});
  const burst = pod({ requests: { cpu: '100m' } });
  const deadline = pod({ deadline: 60 });
  assert.equal(podMatchesScope(be, { scopeName: 'BestEffort', operator: 'Exists' }), true);
  assert.equal(podMatchesScope(burst, { scopeName: 'BestEffort', operator: 'Exists' }), false);
  assert.equal(podMatchesScope(burst, { scopeName: 'NotBestEffort', operator: 'Exists' }), true);
  assert.equal(podMatchesScope(pod({ qos: 'Burstable' }), { scopeName: 'BestEffort', operator: 'Exists' }), false);
  assert.equal(podMatchesScope(deadline, { scopeName: 'Terminating', operator: 'Exists' }), true);
  assert.equal(podMatchesScope(be, { scopeName: 'NotTerminating', operator: 'Exists' }), true);
  const high = pod({ priorityClass: 'high' });
  const inHigh = { scopeName: 'PriorityClass', operator: 'In', values: ['high'] };
  assert.equal(podMatchesScope(high, inHigh), true);
  assert.equal(podMatchesScope(be, inHigh), false);
  assert.equal(podMatchesScope(be, { scopeName: 'PriorityClass', operator: 'NotIn', values: ['high'] }), true);
  assert.equal(podMatchesScope(be, { scopeName: 'PriorityClass', operator: 'Exists' }), false);
  assert.equal(podMatchesScope(be, { scopeName: 'PriorityClass', operator: 'DoesNotExist' }), true);
});

test('services, claims and other objects', () => {
  const svc = {
    metadata: { name: 's' },
    spec: { type: 'LoadBalancer', ports: [{ port: 80 }, { port: 443 }] },
  } as Service;
  assert.deepEqual(serviceUsage(svc), {
    'count/services': 1,
    services: 1,
    'services.loadbalancers': 1,
    'services.nodeports': 2,
  });
  const pvc = {
    metadata: { name: 'c' },
    spec: { storageClassName: 'fast', resources: { requests: { storage: '1Gi' } } },
  } as PersistentVolumeClaim;
  assert.deepEqual(claimUsage(pvc), {
    'count/persistentvolumeclaims': 1,
    persistentvolumeclaims: 1,
    'requests.storage': 1024 ** 3,
    'fast.storageclass.storage.k8s.io/persistentvolumeclaims': 1,
    'fast.storageclass.storage.k8s.io/requests.storage': 1024 ** 3,
  });
  assert.deepEqual(objectUsage('', 'configmaps', { metadata: {} }, NOW), { 'count/configmaps': 1, configmaps: 1 });
  assert.deepEqual(objectUsage('apps', 'deployments', { metadata: {} }, NOW), { 'count/deployments.apps': 1 });
  assert.deepEqual(matchingResources('', 'pods', ['pods', 'requests.cpu', 'configmaps', 'count/pods']), [
    'pods',
    'requests.cpu',
    'count/pods',
  ]);
});

test('status.used: summed over matching objects, masked to hard, scoped quotas count only selected pods', () => {
  const quota = {
    metadata: { name: 'q', namespace: 'ns' },
    spec: {
      hard: {
        pods: '10',
        'requests.cpu': '4',
        'requests.memory': '1Gi',
        'count/configmaps': '5',
        'count/jobs.batch': '3',
      },
    },
    status: { used: { 'count/jobs.batch': '2' } },
  } as unknown as ResourceQuota;
  const objects: Record<string, KubeObject[]> = {
    '/pods': [
      pod({ requests: { cpu: '500m', memory: '64Mi' } }),
      pod({ requests: { cpu: '1', memory: '64Mi' } }),
      pod({ phase: 'Failed', requests: { cpu: '8' } }),
    ],
    '/configmaps': [{ metadata: {} }, { metadata: {} }],
  };
  const used = quotaUsed(quota, (g, r) => objects[`${g}/${r}`], NOW);
  assert.deepEqual(used, {
    pods: '2',
    'requests.cpu': '1500m',
    'requests.memory': '128Mi',
    'count/configmaps': '2',
    'count/jobs.batch': '2',
  });
  const bestEffort = {
    metadata: { name: 'be' },
    spec: { hard: { pods: '5', configmaps: '3' }, scopes: ['BestEffort'] },
  } as unknown as ResourceQuota;
  assert.equal(quotaMatchesObject(bestEffort, '', 'pods', pod({})), true);
  assert.equal(quotaMatchesObject(bestEffort, '', 'pods', pod({ requests: { cpu: '1' } })), false);
  assert.equal(quotaMatchesObject(bestEffort, '', 'configmaps', { metadata: {} }), false, 'scopes select only pods');
  assert.deepEqual(
    quotaUsed(bestEffort, (g, r) => objects[`${g}/${r}`] ?? [], NOW),
    { pods: '0', configmaps: '0' },
  );
});

test('admission helpers: exceeded resources and the upstream message', () => {
  const hard = { pods: '2', 'requests.cpu': '1' };
  const used = { pods: '2', 'requests.cpu': '500m' };
  const requested = { pods: 1, 'requests.cpu': 250, 'count/pods': 1 };
  const exceeded = exceededResources(hard, used, requested);
  assert.deepEqual(exceeded, ['pods']);
  assert.equal(
    quotaExceededMessage('compute', exceeded, requested, used, hard),
    'exceeded quota: compute, requested: pods=1, used: pods=2, limited: pods=2',
  );
  assert.equal(formatQuotaAmount('limits.cpu', 2000), '2');
  assert.equal(formatQuotaAmount('requests.storage', 1_000_000_000), '1G');
});
