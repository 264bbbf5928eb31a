import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConfigMap, Pod, ResourceQuota, Service } from '../types.js';
import { checkQuotaRequest, podQuotaConstraints, type QuotaRequest } from './admission.js';

const NOW = Date.parse('2025-01-01T00:00:00Z');

function quota(
  name: string,
  hard: Record<string, string>,
  used: Record<string, string> | undefined,
  spec: Partial<NonNullable<ResourceQuota['spec']>> = {},
): ResourceQuota {
  return {
    metadata: { name, namespace: 'ns' },
    spec: { hard, ...spec },
    status: used === undefined ? undefined : { hard, used },
  };
}

function pod(resources: { requests?: Record<string, string>; limits?: Record<string, string> } = {}, extra = {}): Pod {
  return {
    metadata: { name: 'p', namespace: 'ns' },
    spec: { containers: [{ name: 'app', image: 'x', resources }], ...extra },
  };
}

const create = (resource: string, obj: QuotaRequest['obj']): QuotaRequest => ({
  group: '',
  resource,
  operation: 'create',
  obj,
  nowMs: NOW,
});

test('pods=2 with 2 used refuses the third pod with the upstream message', () => {
  const d = checkQuotaRequest([quota('q', { pods: '2' }, { pods: '2' })], create('pods', pod()));
  assert.deepEqual(d, {
    allowed: false,
    message: 'exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2',
  });
});

test('an admitted pod is charged to every pertinent quota', () => {
  const d = checkQuotaRequest(
    [
      quota('count', { pods: '5', 'count/pods': '5' }, { pods: '1', 'count/pods': '1' }),
      quota('compute', { 'requests.cpu': '1', 'limits.cpu': '2' }, { 'requests.cpu': '250m', 'limits.cpu': '500m' }),
      quota('cms', { configmaps: '3' }, { configmaps: '0' }),
    ],
    create('pods', pod({ requests: { cpu: '250m' }, limits: { cpu: '1' } })),
  );
  assert.equal(d.allowed, true);
  assert.ok(d.allowed);
  assert.deepEqual(Object.fromEntries(d.charged), {
    count: { pods: '2', 'count/pods': '2' },
    compute: { 'requests.cpu': '500m', 'limits.cpu': '1500m' },
  });
});

test('compute quotas: several exceeded resources are listed sorted', () => {
  const d = checkQuotaRequest(
    [
      quota(
        'compute',
        { 'requests.cpu': '1', 'requests.memory': '1Gi' },
        { 'requests.cpu': '900m', 'requests.memory': '1000Mi' },
      ),
    ],
    create('pods', pod({ requests: { cpu: '200m', memory: '100Mi' } })),
  );
  assert.deepEqual(d, {
    allowed: false,
    message:
      'exceeded quota: compute, requested: requests.cpu=200m,requests.memory=100Mi, used: requests.cpu=900m,requests.memory=1000Mi, limited: requests.cpu=1,requests.memory=1Gi',
  });
});

test('a compute quota makes every container state the resource', () => {
  const d = checkQuotaRequest(
    [quota('compute', { 'limits.cpu': '2', 'requests.memory': '1Gi' }, {})],
    create('pods', pod()),
  );
  assert.deepEqual(d, {
    allowed: false,
    message: 'failed quota: compute: must specify limits.cpu for: app; requests.memory for: app',
  });
  const two: Pod = {
    metadata: { name: 'p', namespace: 'ns' },
    spec: {
      containers: [
        { name: 'b', image: 'x', resources: { limits: { cpu: '1' } } },
        { name: 'a', image: 'x' },
      ],
      initContainers: [{ name: 'init', image: 'x' }],
    },
  };
  assert.equal(podQuotaConstraints(['limits.cpu', 'pods'], two), 'must specify limits.cpu for: a,init');
  assert.equal(podQuotaConstraints(['pods', 'count/pods'], two), undefined);
  // Pod-level resources stand in for the containers'.
  const podLevel = { ...two, spec: { ...two.spec!, resources: { limits: { cpu: '2' } } } } as Pod;
  assert.equal(podQuotaConstraints(['limits.cpu'], podLevel), undefined);
});

test('pod updates are charged only when they change the Terminating scope', () => {
  const q = quota('t', { pods: '1' }, { pods: '1' }, { scopes: ['Terminating'] });
  const old = { ...pod(), metadata: { name: 'p', namespace: 'ns', resourceVersion: '3' } };
  const update = (obj: Pod): QuotaRequest => ({ ...create('pods', obj), operation: 'update', old });
  assert.deepEqual(checkQuotaRequest([q], update(pod({ requests: { cpu: '1' } }))), {
    allowed: true,
    charged: new Map(),
  });
  assert.deepEqual(checkQuotaRequest([q], update(pod({}, { activeDeadlineSeconds: 30 }))), {
    allowed: false,
    message: 'exceeded quota: t, requested: pods=1, used: pods=1, limited: pods=1',
  });
});

test('a quota the controller has not observed yet (no status.hard) does not apply; unknown usage refuses', () => {
  assert.equal(checkQuotaRequest([quota('q', { pods: '0' }, undefined)], create('pods', pod())).allowed, true);
  const unknown: ResourceQuota = {
    metadata: { name: 'q', namespace: 'ns' },
    spec: { hard: { pods: '3', 'count/pods': '3' } },
    status: { hard: { pods: '3', 'count/pods': '3' }, used: { pods: '0' } },
  };
  assert.deepEqual(checkQuotaRequest([unknown], create('pods', pod())), {
    allowed: false,
    message: 'status unknown for quota: q, resources: count/pods,pods',
  });
});

test('scopes: BestEffort, NotTerminating and PriorityClass select pods; scoped quotas ignore other kinds', () => {
  const be = quota('be', { pods: '0' }, { pods: '0' }, { scopes: ['BestEffort'] });
  assert.equal(checkQuotaRequest([be], create('pods', pod())).allowed, false);
  assert.equal(checkQuotaRequest([be], create('pods', pod({ requests: { cpu: '1' } }))).allowed, true);
  const term = quota('t', { pods: '0' }, { pods: '0' }, { scopes: ['Terminating'] });
  assert.equal(checkQuotaRequest([term], create('pods', pod())).allowed, true);
  assert.equal(checkQuotaRequest([term], create('pods', pod({}, { activeDeadlineSeconds: 10 }))).allowed, false);
  const pc = quota(
    'pc',
    { pods: '0' },
    { pods: '0' },
    {
      scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }] },
    },
  );
  assert.equal(checkQuotaRequest([pc], create('pods', pod({}, { priorityClassName: 'high' }))).allowed, false);
  assert.equal(checkQuotaRequest([pc], create('pods', pod({}, { priorityClassName: 'low' }))).allowed, true);
  const scopedCount = quota('s', { 'count/configmaps': '0' }, { 'count/configmaps': '0' }, { scopes: ['BestEffort'] });
  const cm: ConfigMap = { metadata: { name: 'c', namespace: 'ns' } };
  assert.equal(checkQuotaRequest([scopedCount], create('configmaps', cm)).allowed, true);
});

test('object counts: legacy names and count/<resource>.<group>', () => {
  const cm: ConfigMap = { metadata: { name: 'c', namespace: 'ns' } };
  assert.deepEqual(
    checkQuotaRequest([quota('q', { configmaps: '1' }, { configmaps: '1' })], create('configmaps', cm)),
    {
      allowed: false,
      message: 'exceeded quota: q, requested: configmaps=1, used: configmaps=1, limited: configmaps=1',
    },
  );
  const d = checkQuotaRequest([quota('q', { 'count/deployments.apps': '1' }, { 'count/deployments.apps': '1' })], {
    ...create('deployments', { metadata: { name: 'd', namespace: 'ns' } }),
    group: 'apps',
  });
  assert.equal(d.allowed, false);
  // The generic evaluator charges creates only.
  const u = checkQuotaRequest([quota('q', { configmaps: '1' }, { configmaps: '1' })], {
    ...create('configmaps', cm),
    operation: 'update',
    old: { ...cm, metadata: { ...cm.metadata, resourceVersion: '5' } },
  });
  assert.deepEqual(u, { allowed: true, charged: new Map() });
});

test('services: node ports and load balancers, and an update charged by its delta', () => {
  const svc = (type: string, ports = 1, rv?: string): Service => ({
    metadata: { name: 's', namespace: 'ns', resourceVersion: rv },
    spec: { type, ports: Array.from({ length: ports }, (_, i) => ({ port: 80 + i })) },
  });
  const q = quota('q', { 'services.nodeports': '1', services: '5' }, { 'services.nodeports': '0', services: '1' });
  assert.deepEqual(checkQuotaRequest([q], create('services', svc('NodePort', 2))), {
    allowed: false,
    message:
      'exceeded quota: q, requested: services.nodeports=2, used: services.nodeports=0, limited: services.nodeports=1',
  });
  const up = checkQuotaRequest([q], {
    ...create('services', svc('NodePort', 1)),
    operation: 'update',
    old: svc('ClusterIP', 1, '7'),
  });
  assert.ok(up.allowed);
  assert.deepEqual(Object.fromEntries(up.charged), { q: { 'services.nodeports': '1', services: '1' } });
  const lb = quota('lb', { 'services.loadbalancers': '0' }, { 'services.loadbalancers': '0' });
  assert.equal(checkQuotaRequest([lb], create('services', svc('LoadBalancer'))).allowed, false);
});

test('claims: requests.storage and per-class counts', () => {
  const q = quota(
    'q',
    { 'requests.storage': '5Gi', 'fast.storageclass.storage.k8s.io/persistentvolumeclaims': '0' },
    {
      'requests.storage': '4Gi',
      'fast.storageclass.storage.k8s.io/persistentvolumeclaims': '0',
    },
  );
  const claim = (storage: string, cls?: string) => ({
    metadata: { name: 'c', namespace: 'ns' },
    spec: { storageClassName: cls, resources: { requests: { storage } } },
  });
  assert.deepEqual(checkQuotaRequest([q], create('persistentvolumeclaims', claim('2Gi'))), {
    allowed: false,
    message:
      'exceeded quota: q, requested: requests.storage=2Gi, used: requests.storage=4Gi, limited: requests.storage=5Gi',
  });
  assert.equal(checkQuotaRequest([q], create('persistentvolumeclaims', claim('1Gi'))).allowed, true);
  assert.equal(checkQuotaRequest([q], create('persistentvolumeclaims', claim('1Gi', 'fast'))).allowed, false);
});
