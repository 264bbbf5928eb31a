import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SchemaNode } from '../../apimachinery/schema.js';
import { schemaLookup, unknownFields } from './index.js';

function schema(group: string, version: string, kind: string): SchemaNode {
  const s = schemaLookup(group, version, kind);
  assert.ok(s);
  return s;
}

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'web',
    namespace: 'default',
    labels: { app: 'web' },
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
    ownerReferences: [{ apiVersion: 'v1', kind: 'Thing', name: 'o', uid: 'u', controller: true }],
    finalizers: ['example.com/f'],
    managedFields: [{ manager: 'kubectl', operation: 'Apply', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } }],
  },
  spec: {
    replicas: 3,
    revisionHistoryLimit: 5,
    selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a'] }] },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        restartPolicy: 'Always',
        terminationGracePeriodSeconds: 30,
        nodeSelector: { 'kubernetes.io/os': 'linux' },
        tolerations: [{ key: 'k', operator: 'Exists', effect: 'NoSchedule' }],
        affinity: {
          podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              { weight: 100, podAffinityTerm: { topologyKey: 'kubernetes.io/hostname', labelSelector: {} } },
            ],
          },
        },
        volumes: [
          { name: 'cfg', configMap: { name: 'cfg', items: [{ key: 'a', path: 'a' }] } },
          { name: 'tmp', emptyDir: { sizeLimit: '1Gi' } },
        ],
        initContainers: [{ name: 'init', image: 'busybox', command: ['sh', '-c', 'true'] }],
        containers: [
          {
            name: 'web',
            image: 'nginx:1.27',
            imagePullPolicy: 'IfNotPresent',
            args: ['--port', '80'],
            ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }],
            env: [
              { name: 'A', value: '1' },
              { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
              { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
            ],
            envFrom: [{ configMapRef: { name: 'cfg' } }],
            resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: 1, memory: '128Mi' } },
            readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 5 },
            livenessProbe: { tcpSocket: { port: 80 }, initialDelaySeconds: 3 },
            lifecycle: { preStop: { exec: { command: ['sleep', '1'] } } },
            securityContext: { runAsNonRoot: true, capabilities: { drop: ['ALL'] } },
            volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg', readOnly: true }],
          },
        ],
      },
    },
  },
  status: {
    replicas: 3,
    conditions: [{ type: 'Available', status: 'True', lastTransitionTime: '2024-01-01T00:00:00Z' }],
  },
};

test('a realistic Deployment manifest has no unknown fields', () => {
  assert.deepEqual(unknownFields(deployment, schema('apps', 'v1', 'Deployment')), []);
});

test('nested typos are reported with strict-decoding paths', () => {
  const bad = structuredClone(deployment) as unknown as {
    spec: {
      spek?: number;
      template: { spec: { containers: Record<string, unknown>[]; volumes: Record<string, unknown>[] } };
    };
    metadata: Record<string, unknown>;
  };
  bad.spec.spek = 1;
  bad.spec.template.spec.containers[0]!.imagee = 'x';
  bad.spec.template.spec.volumes[1]!.emptyDir = { sizeLimt: '1Gi' };
  bad.metadata.lables = {};
  assert.deepEqual(unknownFields(bad, schema('apps', 'v1', 'Deployment')).sort(), [
    'metadata.lables',
    'spec.spek',
    'spec.template.spec.containers[0].imagee',
    'spec.template.spec.volumes[1].emptyDir.sizeLimt',
  ]);
});

test('apiVersion and kind are allowed at the top only; free-form JSON is not checked', () => {
  const pod = schema('', 'v1', 'Pod');
  assert.deepEqual(unknownFields({ apiVersion: 'v1', kind: 'Pod' }, pod), []);
  assert.deepEqual(unknownFields({ spec: { kind: 'x' } }, pod), ['spec.kind']);
  const rev = { metadata: { name: 'r' }, revision: 1, data: { anything: { goes: [1] } } };
  assert.deepEqual(unknownFields(rev, schema('apps', 'v1', 'ControllerRevision')), []);
});

test('int-or-string fields accept both numbers and strings', () => {
  const svc = schema('', 'v1', 'Service');
  for (const targetPort of [8080, 'http']) {
    const obj = { spec: { ports: [{ port: 80, targetPort }], selector: { app: 'web' } } };
    assert.deepEqual(unknownFields(obj, svc), []);
  }
  assert.equal(svc.field('spec')?.field('ports')?.items()?.field('targetPort')?.type, 'int-or-string');
  assert.deepEqual(unknownFields({ spec: { ports: [{ port: 80, targetPort: { x: 1 } }] } }, svc), []);
});

test('map values are walked with .key paths', () => {
  const node = schema('', 'v1', 'Node');
  assert.deepEqual(
    unknownFields({ status: { capacity: { cpu: '4' }, images: [{ names: ['a'], sizeBites: 1 }] } }, node),
    ['status.images[0].sizeBites'],
  );
});
