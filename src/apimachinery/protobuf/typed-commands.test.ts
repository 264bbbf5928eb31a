// One body per kubectl typed command whose kind the API serves (`kubectl create cronjob|quota|role|
// rolebinding|clusterrole|clusterrolebinding|pdb|priorityclass|ingress|serviceaccount`), encoded with
// protobufjs from the same .proto copies, decoded to the JSON kubectl sends with --dry-run=client -o json.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeProtobufObject } from './index.js';
import { kubeProtoRoot, objectTypeFor, unknownEnvelopeType } from './schema-root.js';

function body(apiVersion: string, kind: string, value: Record<string, unknown>): Buffer {
  const type = objectTypeFor(apiVersion, kind);
  assert.ok(type, `no message for ${apiVersion} ${kind}`);
  const raw = type.encode(type.fromObject(value)).finish();
  const unknown = unknownEnvelopeType();
  const envelope = unknown.encode(unknown.fromObject({ typeMeta: { apiVersion, kind }, raw })).finish();
  return Buffer.concat([Buffer.from('k8s\0', 'latin1'), envelope]);
}

const meta = (name: string) => ({ name });
const rbac = 'rbac.authorization.k8s.io';

describe('kubectl typed-command bodies decode for every served kind', () => {
  it('has the messages', () => {
    assert.ok(kubeProtoRoot().lookupType('k8s.io.api.batch.v1.CronJob'));
  });

  it('create cronjob', () => {
    const template = {
      metadata: {},
      spec: {
        containers: [{ name: 'c', image: 'busybox', command: ['date'], resources: {} }],
        restartPolicy: 'OnFailure',
      },
    };
    const decoded = decodeProtobufObject(
      body('batch/v1', 'CronJob', {
        metadata: meta('tick'),
        spec: { schedule: '*/1 * * * *', jobTemplate: { metadata: meta('tick'), spec: { template } } },
        status: {},
      }),
    );
    assert.deepEqual(decoded, {
      kind: 'CronJob',
      apiVersion: 'batch/v1',
      metadata: { name: 'tick', creationTimestamp: null },
      spec: {
        schedule: '*/1 * * * *',
        jobTemplate: {
          metadata: { name: 'tick', creationTimestamp: null },
          spec: {
            template: {
              metadata: { creationTimestamp: null },
              spec: {
                containers: [{ name: 'c', image: 'busybox', command: ['date'], resources: {} }],
                restartPolicy: 'OnFailure',
              },
            },
          },
        },
      },
      status: {},
    });
  });

  it('create quota', () => {
    const hard = { cpu: { string: '1' }, memory: { string: '1G' }, pods: { string: '2' } };
    const decoded = decodeProtobufObject(
      body('v1', 'ResourceQuota', { metadata: meta('q'), spec: { hard }, status: {} }),
    );
    assert.deepEqual(decoded, {
      kind: 'ResourceQuota',
      apiVersion: 'v1',
      metadata: { name: 'q', creationTimestamp: null },
      spec: { hard: { cpu: '1', memory: '1G', pods: '2' } },
      status: {},
    });
  });

  it('create role and clusterrole', () => {
    const rules = [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', 'pods/status'] }];
    assert.deepEqual(decodeProtobufObject(body(`${rbac}/v1`, 'Role', { metadata: meta('reader'), rules })), {
      kind: 'Role',
      apiVersion: `${rbac}/v1`,
      metadata: { name: 'reader', creationTimestamp: null },
      rules,
    });
    const clusterRules = [...rules, { verbs: ['get'], nonResourceURLs: ['/logs/*'] }];
    assert.deepEqual(
      decodeProtobufObject(body(`${rbac}/v1`, 'ClusterRole', { metadata: meta('viewer'), rules: clusterRules })),
      {
        kind: 'ClusterRole',
        apiVersion: `${rbac}/v1`,
        metadata: { name: 'viewer', creationTimestamp: null },
        rules: clusterRules,
      },
    );
  });

  it('create rolebinding and clusterrolebinding', () => {
    const subjects = [
      { kind: 'User', apiGroup: rbac, name: 'user1' },
      { kind: 'ServiceAccount', name: 'myapp', namespace: 'default' },
    ];
    const roleRef = { apiGroup: rbac, kind: 'ClusterRole', name: 'admin' };
    for (const kind of ['RoleBinding', 'ClusterRoleBinding']) {
      assert.deepEqual(decodeProtobufObject(body(`${rbac}/v1`, kind, { metadata: meta('b'), subjects, roleRef })), {
        kind,
        apiVersion: `${rbac}/v1`,
        metadata: { name: 'b', creationTimestamp: null },
        subjects,
        roleRef,
      });
    }
  });

  it('create pdb (IntOrString minAvailable, status counters written as 0)', () => {
    const decoded = decodeProtobufObject(
      body('policy/v1', 'PodDisruptionBudget', {
        metadata: meta('pdb'),
        spec: { maxUnavailable: { type: 1, strVal: '50%' }, selector: { matchLabels: { app: 'rails' } } },
        status: {},
      }),
    );
    assert.deepEqual(decoded, {
      kind: 'PodDisruptionBudget',
      apiVersion: 'policy/v1',
      metadata: { name: 'pdb', creationTimestamp: null },
      spec: { selector: { matchLabels: { app: 'rails' } }, maxUnavailable: '50%' },
      status: { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
    });
  });

  it('create priorityclass (globalDefault and a Never preemption policy)', () => {
    const decoded = decodeProtobufObject(
      body('scheduling.k8s.io/v1', 'PriorityClass', {
        metadata: meta('default-pc'),
        value: 10,
        globalDefault: true,
        preemptionPolicy: 'Never',
      }),
    );
    assert.deepEqual(decoded, {
      kind: 'PriorityClass',
      apiVersion: 'scheduling.k8s.io/v1',
      metadata: { name: 'default-pc', creationTimestamp: null },
      value: 10,
      globalDefault: true,
      preemptionPolicy: 'Never',
    });
  });

  it('create ingress (default backend by port name, a class)', () => {
    const decoded = decodeProtobufObject(
      body('networking.k8s.io/v1', 'Ingress', {
        metadata: meta('ing'),
        spec: {
          ingressClassName: 'nginx',
          defaultBackend: { service: { name: 'web', port: { name: 'http' } } },
          rules: [
            {
              host: 'a.example.com',
              // IngressRuleValue is embedded inline in Go, a field of its own on the wire.
              ingressRuleValue: {
                http: {
                  paths: [
                    { path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } },
                  ],
                },
              },
            },
          ],
        },
        status: { loadBalancer: {} },
      }),
    );
    assert.deepEqual(decoded, {
      kind: 'Ingress',
      apiVersion: 'networking.k8s.io/v1',
      metadata: { name: 'ing', creationTimestamp: null },
      spec: {
        ingressClassName: 'nginx',
        defaultBackend: { service: { name: 'web', port: { name: 'http' } } },
        rules: [
          {
            host: 'a.example.com',
            http: {
              paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }],
            },
          },
        ],
      },
      status: { loadBalancer: {} },
    });
  });

  it('create serviceaccount', () => {
    assert.deepEqual(decodeProtobufObject(body('v1', 'ServiceAccount', { metadata: meta('robot') })), {
      kind: 'ServiceAccount',
      apiVersion: 'v1',
      metadata: { name: 'robot', creationTimestamp: null },
    });
  });
});
