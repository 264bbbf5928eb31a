import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../core/types.js';
import { validatorFor } from './index.js';
import { fields, job } from './testdata.js';

type Loose = { [key: string]: Loose };
const loose = (o: unknown) => o as Loose;

test('objectmeta: name or generateName, namespace, labels, annotations, owner references, finalizers', () => {
  const v = validatorFor('', 'ConfigMap')!;
  const cm = (metadata: KubeObject['metadata']): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata });
  assert.deepEqual(v(cm({ generateName: 'cfg-', namespace: 'default' })), []);
  assert.deepEqual(fields(v(cm({ namespace: 'default' }))), ['metadata.name FieldValueRequired']);
  assert.equal(v(cm({ namespace: 'default' }))[0]!.message, 'Required value: name or generateName is required');
  assert.deepEqual(fields(v(cm({ name: 'a' }))), ['metadata.namespace FieldValueRequired']);
  const errs = v(
    cm({
      name: 'a',
      namespace: 'default',
      labels: { 'app/x/y': 'ok', tier: 'bad value' },
      annotations: { big: 'x'.repeat(300 * 1024) },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: '' }],
      finalizers: ['custom'],
    }),
  );
  assert.deepEqual(fields(errs), [
    'metadata.labels FieldValueInvalid',
    'metadata.labels FieldValueInvalid',
    'metadata.annotations FieldValueTooLong',
    'metadata.ownerReferences.uid FieldValueInvalid',
    'metadata.finalizers FieldValueInvalid',
  ]);
  assert.match(errs[1]!.message, /^Invalid value: "bad value": a valid label must be an empty string or consist of/);
});

test('namespaces and nodes are cluster scoped', () => {
  const ns = validatorFor('', 'Namespace')!;
  assert.deepEqual(ns({ metadata: { name: 'team-a' }, spec: { finalizers: ['kubernetes'] } }), []);
  assert.deepEqual(fields(ns({ metadata: { name: 'team.a' } })), ['metadata.name FieldValueInvalid']);
  assert.deepEqual(fields(ns({ metadata: { name: 'a', namespace: 'b' } })), ['metadata.namespace FieldValueForbidden']);
  const node = validatorFor('', 'Node')!;
  assert.deepEqual(
    node({ metadata: { name: 'node-1.example.com' }, status: { capacity: { cpu: '4', memory: '8Gi' } } }),
    [],
  );
  assert.deepEqual(fields(node({ metadata: { name: 'n' }, spec: { taints: [{ key: 'k', effect: 'Sometimes' }] } })), [
    'spec.taints[0].effect FieldValueNotSupported',
  ]);
});

test('job: valid, restart policy, generated selector, immutable template', () => {
  const v = validatorFor('batch', 'Job')!;
  assert.deepEqual(v(job()), []);
  const always = job();
  loose(always).spec!.template!.spec!.restartPolicy = 'Always' as unknown as Loose;
  const errs = v(always);
  assert.deepEqual(fields(errs), ['spec.template.spec.restartPolicy FieldValueNotSupported']);
  assert.equal(errs[0]!.message, 'Unsupported value: "Always": supported values: "OnFailure", "Never"');

  const unset = job();
  delete loose(unset).spec!.template!.spec!.restartPolicy;
  assert.deepEqual(fields(v(unset)), ['spec.template.spec.restartPolicy FieldValueRequired']);

  const foreign = job();
  loose(foreign).spec!.selector = { matchLabels: { app: 'x' } } as unknown as Loose;
  loose(foreign).spec!.template!.metadata!.labels = { app: 'x' } as unknown as Loose;
  assert.deepEqual(fields(v(foreign)), ['spec.selector FieldValueInvalid']);

  const changed = job();
  loose(changed).spec!.template!.spec!.containers![0]!.image = 'perl:5.40' as unknown as Loose;
  assert.deepEqual(fields(v(changed, job())), ['spec.template FieldValueInvalid']);
  const negative = job();
  loose(negative).spec!.parallelism = -1 as unknown as Loose;
  assert.deepEqual(fields(v(negative)), ['spec.parallelism FieldValueInvalid']);
});

test('hpa: scale target, min and max replicas, metrics', () => {
  const v = validatorFor('autoscaling', 'HorizontalPodAutoscaler')!;
  const hpa = (spec: Record<string, unknown>, apiVersion = 'autoscaling/v2'): KubeObject => ({
    apiVersion,
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web', namespace: 'default' },
    spec,
  });
  const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };
  assert.deepEqual(v(hpa({ scaleTargetRef: ref, minReplicas: 1, maxReplicas: 5 })), []);
  assert.deepEqual(fields(v(hpa({ scaleTargetRef: { kind: 'Deployment' }, minReplicas: 3, maxReplicas: 2 }))), [
    'spec.scaleTargetRef.name FieldValueRequired',
    'spec.maxReplicas FieldValueInvalid',
  ]);
  assert.deepEqual(fields(v(hpa({ scaleTargetRef: ref, maxReplicas: 0 }))), ['spec.maxReplicas FieldValueInvalid']);
  const badMetric = {
    type: 'Resource',
    resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 0 } },
  };
  assert.deepEqual(fields(v(hpa({ scaleTargetRef: ref, maxReplicas: 3, metrics: [badMetric] }))), [
    'spec.metrics[0].resource.target.averageUtilization FieldValueInvalid',
  ]);
  assert.deepEqual(
    fields(v(hpa({ scaleTargetRef: ref, maxReplicas: 3, targetCPUUtilizationPercentage: 0 }, 'autoscaling/v1'))),
    ['spec.targetCPUUtilizationPercentage FieldValueInvalid'],
  );
});

test('events, leases, endpoints, endpoint slices', () => {
  const ev = validatorFor('', 'Event')!;
  const meta = { name: 'web.17a', namespace: 'default' };
  assert.deepEqual(ev({ metadata: meta, involvedObject: { kind: 'Pod', namespace: 'default', name: 'web' } }), []);
  assert.deepEqual(fields(ev({ metadata: meta, involvedObject: { namespace: 'other' } })), [
    'involvedObject.namespace FieldValueInvalid',
  ]);
  const ev1 = validatorFor('events.k8s.io', 'Event')!;
  assert.deepEqual(fields(ev1({ apiVersion: 'events.k8s.io/v1', metadata: meta, type: 'Info' })), [
    'eventTime FieldValueRequired',
    'reportingController FieldValueRequired',
    'reportingInstance FieldValueRequired',
    'action FieldValueRequired',
    'reason FieldValueRequired',
    'type FieldValueNotSupported',
  ]);
  const lease = validatorFor('coordination.k8s.io', 'Lease')!;
  assert.deepEqual(
    fields(lease({ metadata: { name: 'n', namespace: 'kube-node-lease' }, spec: { leaseDurationSeconds: 0 } })),
    ['spec.leaseDurationSeconds FieldValueInvalid'],
  );
  const ep = validatorFor('', 'Endpoints')!;
  const subsets = [{ addresses: [{ ip: '10.42.0.5' }, { ip: 'nope' }], ports: [{ port: 80, protocol: 'TCP' }] }];
  assert.deepEqual(fields(ep({ metadata: meta, subsets })), ['subsets[0].addresses[1].ip FieldValueInvalid']);
  const slice = validatorFor('discovery.k8s.io', 'EndpointSlice')!;
  const good = {
    metadata: meta,
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.42.0.5'] }],
    ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
  };
  assert.deepEqual(slice(good), []);
  assert.deepEqual(fields(slice({ ...good, addressType: 'IPv6' })), ['endpoints[0].addresses[0] FieldValueInvalid']);
});
