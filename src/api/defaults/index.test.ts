import assert from 'node:assert/strict';
import { describe, it, test } from 'node:test';
import type { KubeObject } from '../../core/types.js';
import { defaulterFor } from './index.js';
import { defaultPullPolicy } from './pod.js';

function run(group: string, kind: string, o: KubeObject): KubeObject {
  const d = defaulterFor(group, kind);
  assert.ok(d, `no defaulter for ${group}/${kind}`);
  d(o);
  return o;
}

/** Untyped JSON, for reading nested fields in assertions. */
type Loose = { [key: string]: Loose };

const container = (image: string, extra: Record<string, unknown> = {}) => ({ name: 'app', image, ...extra });

test('image pull policy follows the tag', () => {
  assert.equal(defaultPullPolicy('nginx'), 'Always');
  assert.equal(defaultPullPolicy('nginx:latest'), 'Always');
  assert.equal(defaultPullPolicy('nginx:1.27'), 'IfNotPresent');
  assert.equal(defaultPullPolicy('localhost:5000/app'), 'Always');
  assert.equal(defaultPullPolicy('localhost:5000/app:v1'), 'IfNotPresent');
  assert.equal(defaultPullPolicy('nginx@sha256:abc'), 'IfNotPresent');
});

test('pod defaults fill spec, containers, probes, volumes and requests', () => {
  const pod = run('', 'Pod', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'default' },
    spec: {
      containers: [
        container('nginx:1.27', {
          ports: [{ containerPort: 80 }],
          livenessProbe: { httpGet: { port: 80 } },
          env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }],
          resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '100m' } },
        }),
      ],
      volumes: [{ name: 'cfg', configMap: { name: 'c' } }, { name: 'scratch' }],
    },
  });
  const spec = pod.spec as unknown as Loose;
  assert.equal(spec.restartPolicy, 'Always');
  assert.equal(spec.dnsPolicy, 'ClusterFirst');
  assert.equal(spec.schedulerName, 'default-scheduler');
  assert.equal(spec.terminationGracePeriodSeconds, 30);
  assert.deepEqual(spec.securityContext, {});
  assert.equal(spec.enableServiceLinks, true);
  assert.equal(spec.serviceAccountName, 'default');
  assert.equal(spec.serviceAccount, 'default');
  assert.equal(spec.priority, undefined); // the Priority admission's
  const c = spec.containers[0];
  assert.equal(c.imagePullPolicy, 'IfNotPresent');
  assert.equal(c.terminationMessagePath, '/dev/termination-log');
  assert.equal(c.terminationMessagePolicy, 'File');
  assert.equal(c.ports[0].protocol, 'TCP');
  assert.deepEqual(c.livenessProbe, {
    httpGet: { port: 80, path: '/', scheme: 'HTTP' },
    timeoutSeconds: 1,
    periodSeconds: 10,
    successThreshold: 1,
    failureThreshold: 3,
  });
  assert.equal(c.env[0].valueFrom.fieldRef.apiVersion, 'v1');
  assert.deepEqual(c.resources.requests, { cpu: '100m', memory: '128Mi' });
  assert.equal(spec.volumes[0].configMap.defaultMode, 420);
  assert.deepEqual(spec.volumes[1].emptyDir, {});
});

test('defaulting twice changes nothing (runs again on every update)', () => {
  const make = (): KubeObject => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', uid: 'u1' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [container('nginx')] } },
    },
  });
  const once = run('apps', 'Deployment', make());
  const twice = run('apps', 'Deployment', structuredClone(once));
  assert.deepEqual(twice, once);
});

test('deployment defaults: replicas, strategy, history, deadline; template without pod-only fields', () => {
  const d = run('apps', 'Deployment', {
    metadata: { name: 'web', namespace: 'default' },
    spec: { template: { spec: { containers: [container('nginx')] } } },
  });
  const spec = d.spec as unknown as Loose;
  assert.equal(spec.replicas, 1);
  assert.deepEqual(spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(spec.revisionHistoryLimit, 10);
  assert.equal(spec.progressDeadlineSeconds, 600);
  assert.equal(spec.minReadySeconds, undefined);
  assert.equal(spec.template.spec.restartPolicy, 'Always');
  assert.equal(spec.template.spec.containers[0].imagePullPolicy, 'Always');
  assert.equal(spec.template.spec.priority, undefined);
  assert.equal(spec.template.spec.serviceAccountName, undefined);
});

test('recreate deployments get no rollingUpdate block', () => {
  const d = run('apps', 'Deployment', { metadata: { name: 'x' }, spec: { strategy: { type: 'Recreate' } } });
  assert.deepEqual((d.spec as unknown as Loose).strategy, { type: 'Recreate' });
});

test('daemonset and replicaset defaults', () => {
  const ds = run('apps', 'DaemonSet', { metadata: { name: 'x' }, spec: {} });
  assert.deepEqual((ds.spec as unknown as Loose).updateStrategy, {
    type: 'RollingUpdate',
    rollingUpdate: { maxUnavailable: 1, maxSurge: 0 },
  });
  assert.equal((ds.spec as unknown as Loose).revisionHistoryLimit, 10);
  const rs = run('apps', 'ReplicaSet', { metadata: { name: 'x' }, spec: {} });
  assert.equal((rs.spec as unknown as Loose).replicas, 1);
});

test('job defaults generate the selector and labels from the uid', () => {
  const job = run('batch', 'Job', {
    metadata: { name: 'pi', namespace: 'default', uid: 'abc-123' },
    spec: { template: { spec: { containers: [container('perl:5.34')], restartPolicy: 'Never' } } },
  });
  const spec = job.spec as unknown as Loose;
  assert.equal(spec.completions, 1);
  assert.equal(spec.parallelism, 1);
  assert.equal(spec.backoffLimit, 6);
  assert.equal(spec.completionMode, 'NonIndexed');
  assert.equal(spec.suspend, false);
  assert.equal(spec.podReplacementPolicy, 'TerminatingOrFailed');
  assert.deepEqual(spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': 'abc-123' } });
  const labels = {
    'batch.kubernetes.io/controller-uid': 'abc-123',
    'batch.kubernetes.io/job-name': 'pi',
    'controller-uid': 'abc-123',
    'job-name': 'pi',
  };
  assert.deepEqual(spec.template.metadata.labels, labels);
  assert.deepEqual(job.metadata.labels, labels);
});

test('job templates keep an unset restartPolicy; parallelism alone leaves completions unset', () => {
  const job = run('batch', 'Job', {
    metadata: { name: 'j', uid: 'u' },
    spec: { parallelism: 3, template: { spec: { containers: [container('busybox')] } } },
  });
  const spec = job.spec as unknown as Loose;
  assert.equal(spec.template.spec.restartPolicy, undefined);
  assert.equal(spec.completions, undefined);
  assert.equal(spec.parallelism, 3);
});

test('manualSelector jobs keep their selector', () => {
  const job = run('batch', 'Job', {
    metadata: { name: 'j', uid: 'u' },
    spec: {
      manualSelector: true,
      selector: { matchLabels: { a: 'b' } },
      template: { metadata: { labels: { a: 'b' } } },
    },
  });
  assert.deepEqual((job.spec as unknown as Loose).selector, { matchLabels: { a: 'b' } });
  assert.deepEqual((job.spec as unknown as Loose).template.metadata.labels, { a: 'b' });
});

test('service defaults', () => {
  const svc = run('', 'Service', {
    metadata: { name: 's' },
    spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80 }, { port: 443, targetPort: 'https' }] },
  });
  const spec = svc.spec as unknown as Loose;
  assert.equal(spec.sessionAffinity, 'None');
  assert.deepEqual(spec.ports, [
    { port: 80, protocol: 'TCP', targetPort: 80 },
    { port: 443, targetPort: 'https', protocol: 'TCP' },
  ]);
  assert.equal(spec.externalTrafficPolicy, 'Cluster');
  assert.equal(spec.internalTrafficPolicy, 'Cluster');
  assert.equal(spec.ipFamilyPolicy, 'SingleStack');
  assert.deepEqual(spec.ipFamilies, ['IPv4']);
  const plain = run('', 'Service', { metadata: { name: 's' }, spec: { ports: [{ port: 80 }] } });
  assert.equal((plain.spec as unknown as Loose).type, 'ClusterIP');
  assert.equal((plain.spec as unknown as Loose).externalTrafficPolicy, undefined);
});

test('namespace, secret, node, endpoint defaults', () => {
  const ns = run('', 'Namespace', { metadata: { name: 'team' } });
  assert.deepEqual(ns.spec, { finalizers: ['kubernetes'] });
  assert.deepEqual(ns.status, { phase: 'Active' });
  assert.equal(ns.metadata.labels?.['kubernetes.io/metadata.name'], 'team');

  const secret = run('', 'Secret', { metadata: { name: 's' }, stringData: { password: 'hunter2' } });
  assert.equal(secret.type, 'Opaque');
  assert.deepEqual(secret.data, { password: Buffer.from('hunter2').toString('base64') });
  assert.equal(secret.stringData, undefined);

  const node = run('', 'Node', { metadata: { name: 'n' }, status: { capacity: { cpu: '2', pods: '110' } } });
  assert.deepEqual((node.status as unknown as Loose).allocatable, { cpu: '2', pods: '110' });

  const slice = run('discovery.k8s.io', 'EndpointSlice', { metadata: { name: 'e' }, ports: [{ port: 80 }] });
  assert.deepEqual(slice.ports, [{ port: 80, protocol: 'TCP', name: '' }]);
});

test('hpa v2 defaults: minReplicas, cpu metric, behavior rules', () => {
  const hpa = run('autoscaling', 'HorizontalPodAutoscaler', {
    apiVersion: 'autoscaling/v2',
    metadata: { name: 'h' },
    spec: { maxReplicas: 5, behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } },
  });
  const spec = hpa.spec as unknown as Loose;
  assert.equal(spec.minReplicas, 1);
  assert.deepEqual(spec.metrics, [
    { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
  ]);
  assert.deepEqual(spec.behavior.scaleDown, {
    stabilizationWindowSeconds: 60,
    selectPolicy: 'Max',
    policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
  });
  assert.equal(spec.behavior.scaleUp.policies.length, 2);
  const v1 = run('autoscaling', 'HorizontalPodAutoscaler', {
    apiVersion: 'autoscaling/v1',
    metadata: { name: 'h' },
    spec: {},
  });
  assert.deepEqual(v1.spec, { minReplicas: 1 });
});

describe('always-present status', () => {
  it('a Service always has status.loadBalancer, a ReplicaSet status.replicas', () => {
    const svc = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's' },
      spec: { ports: [{ port: 80 }] },
    } as KubeObject;
    defaulterFor('', 'Service')!(svc);
    assert.deepEqual(svc.status, { loadBalancer: {} });
    const rs = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: 'r' },
      status: { readyReplicas: 2 },
    } as KubeObject;
    defaulterFor('apps', 'ReplicaSet')!(rs);
    assert.deepEqual(rs.status, { readyReplicas: 2, replicas: 0 });
  });
});
