import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConfigMap, Secret } from '../../core/types.js';
import { type ConfigSource, ContainerConfigError, expandVars, resolveEnv } from './env.js';
import { testPod } from './testing.js';

const facts = {
  hostIP: '192.168.1.10',
  podIP: '10.0.0.7',
  allocatableCpuMillis: 2000,
  allocatableMemoryBytes: 4 << 30,
};

function source(cms: Record<string, ConfigMap['data']>, secrets: Record<string, Record<string, string>>): ConfigSource {
  return {
    configMap: async (_ns, name) => (cms[name] ? { metadata: { name }, data: cms[name] } : undefined),
    secret: async (_ns, name): Promise<Secret | undefined> =>
      secrets[name]
        ? {
            metadata: { name },
            data: Object.fromEntries(
              Object.entries(secrets[name]).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
            ),
          }
        : undefined,
  };
}

test('expandVars follows upstream $(VAR) rules', () => {
  const vars = new Map([['A', 'x']]);
  assert.equal(expandVars('$(A)-$(B)-$$(A)-$', vars), 'x-$(B)-$(A)-$');
});

test('env from values, references, envFrom, fields and resources', async () => {
  const pod = testPod([
    {
      name: 'a',
      resources: { limits: { memory: '64Mi' }, requests: { cpu: '250m' } },
      envFrom: [{ configMapRef: { name: 'cm' }, prefix: 'CM_' }, { secretRef: { name: 's' } }],
      env: [
        { name: 'GREETING', value: 'hello' },
        { name: 'MSG', value: '$(GREETING) world' },
        { name: 'FROM_CM', valueFrom: { configMapKeyRef: { name: 'cm', key: 'k' } } },
        { name: 'FROM_SECRET', valueFrom: { secretKeyRef: { name: 's', key: 'password' } } },
        { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
        { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
        { name: 'CPULIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
        { name: 'OPT', valueFrom: { configMapKeyRef: { name: 'missing', key: 'k', optional: true } } },
      ],
    },
  ]);
  const env = await resolveEnv(
    pod,
    pod.spec.containers[0]!,
    source({ cm: { k: 'v' } }, { s: { password: 'pw' } }),
    facts,
  );
  assert.deepEqual(Object.fromEntries(env), {
    CM_k: 'v',
    password: 'pw',
    GREETING: 'hello',
    MSG: 'hello world',
    FROM_CM: 'v',
    FROM_SECRET: 'pw',
    POD: 'p',
    IP: '10.0.0.7',
    MEM: '64',
    CPU: '250',
    CPULIMIT: '2',
  });
});

test('a missing required source is a config error', async () => {
  const pod = testPod([{ name: 'a', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'nope', key: 'k' } } }] }]);
  await assert.rejects(resolveEnv(pod, pod.spec.containers[0]!, source({}, {}), facts), (e: unknown) => {
    assert.ok(e instanceof ContainerConfigError);
    assert.match(e.message, /secret "nope" not found/);
    return true;
  });
});

test('Service variables come last, lose to explicit ones, and expand in $(VAR)', async () => {
  const pod = testPod([
    {
      name: 'a',
      env: [
        { name: 'URL', value: 'http://$(BACKEND_SERVICE_HOST):$(BACKEND_SERVICE_PORT)/' },
        { name: 'BACKEND_SERVICE_PORT', value: '8080' },
      ],
    },
  ]);
  const serviceEnv = new Map([
    ['BACKEND_SERVICE_HOST', '10.43.0.9'],
    ['BACKEND_SERVICE_PORT', '80'],
  ]);
  const env = await resolveEnv(pod, pod.spec.containers[0]!, source({}, {}), facts, serviceEnv);
  assert.deepEqual(
    [...env],
    [
      ['URL', 'http://10.43.0.9:80/'],
      ['BACKEND_SERVICE_PORT', '8080'],
      ['BACKEND_SERVICE_HOST', '10.43.0.9'],
    ],
  );
});
