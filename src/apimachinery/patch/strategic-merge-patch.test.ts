import assert from 'node:assert/strict';
import { test } from 'node:test';
import { StatusError } from '../../core/status.js';
import { deploymentSchema } from './fixture-schemas.js';
import { applyStrategicMergePatch } from './strategic-merge-patch.js';

const podTemplate = (containers: unknown[]) => ({ spec: { template: { spec: { containers } } } });

test('kubectl apply patch: containers merge by name with $setElementOrder, annotations merge', () => {
  const live = {
    metadata: { name: 'web', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': 'old' } },
    ...podTemplate([
      { name: 'a', image: 'a:1', ports: [{ containerPort: 80, protocol: 'TCP' }] },
      { name: 'sidecar', image: 's:1' },
    ]),
  };
  const patch = {
    metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': 'new' } },
    spec: {
      template: {
        spec: {
          '$setElementOrder/containers': [{ name: 'a' }, { name: 'sidecar' }],
          containers: [{ image: 'a:2', name: 'a' }],
        },
      },
    },
  };
  const out = applyStrategicMergePatch(live, JSON.parse(JSON.stringify(patch)), deploymentSchema);
  assert.deepEqual(out, {
    metadata: { name: 'web', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': 'new' } },
    ...podTemplate([
      { name: 'a', image: 'a:2', ports: [{ containerPort: 80, protocol: 'TCP' }] },
      { name: 'sidecar', image: 's:1' },
    ]),
  });
  assert.equal((live.spec.template.spec.containers[0] as { image: string }).image, 'a:1', 'input is not modified');
});

test('$setElementOrder reorders; server-only items are interleaved by live order (mergeSortedSlice)', () => {
  const live = podTemplate([{ name: 'a' }, { name: 'injected' }, { name: 'b' }]);
  const out = applyStrategicMergePatch(
    live,
    {
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }, { name: 'c' }],
            containers: [{ name: 'c', image: 'c:1' }],
          },
        },
      },
    },
    deploymentSchema,
  );
  assert.deepEqual(
    (out.spec.template.spec.containers as { name: string }[]).map((c) => c.name),
    // upstream: 'injected' (live index 1) sorts before 'b' (live index 2), the head of the patch order.
    ['injected', 'b', 'a', 'c'],
  );
});

test('$patch: delete removes a list element by merge key; null removes a field', () => {
  const live = podTemplate([
    { name: 'a', image: 'a:1', args: ['x'] },
    { name: 'b', image: 'b:1' },
  ]);
  const out = applyStrategicMergePatch(
    live,
    {
      spec: {
        template: {
          spec: {
            containers: [
              { name: 'b', $patch: 'delete' },
              { name: 'a', args: null },
            ],
          },
        },
      },
    },
    deploymentSchema,
  );
  assert.deepEqual(out, podTemplate([{ name: 'a', image: 'a:1' }]));
});

test('$patch: replace on a list element replaces the whole list; on a map replaces the map', () => {
  const live = podTemplate([{ name: 'a' }, { name: 'b' }]);
  const out = applyStrategicMergePatch(
    live,
    { spec: { template: { spec: { containers: [{ name: 'z', image: 'z:1' }, { $patch: 'replace' }] } } } },
    deploymentSchema,
  );
  assert.deepEqual(out, podTemplate([{ name: 'z', image: 'z:1' }]));

  const labels = applyStrategicMergePatch(
    { metadata: { labels: { a: '1', b: '2' } } },
    { metadata: { labels: { $patch: 'replace', c: '3' } } },
    deploymentSchema,
  );
  assert.deepEqual(labels, { metadata: { labels: { c: '3' } } });
});

test('env (patchStrategy merge, key name) merges; args (no strategy) is replaced', () => {
  const live = podTemplate([
    {
      name: 'a',
      args: ['--x', '--y'],
      env: [
        { name: 'A', value: '1' },
        { name: 'B', value: '2' },
      ],
    },
  ]);
  const out = applyStrategicMergePatch(
    live,
    podTemplate([
      {
        name: 'a',
        args: ['--z'],
        env: [
          { name: 'B', value: '3' },
          { name: 'C', value: '4' },
        ],
      },
    ]),
    deploymentSchema,
  );
  assert.deepEqual(
    out,
    podTemplate([
      {
        name: 'a',
        args: ['--z'],
        env: [
          { name: 'A', value: '1' },
          { name: 'B', value: '3' },
          { name: 'C', value: '4' },
        ],
      },
    ]),
  );
});

test('primitive merge lists union, and $deleteFromPrimitiveList removes values', () => {
  const live = { metadata: { finalizers: ['a', 'b'] } };
  assert.deepEqual(applyStrategicMergePatch(live, { metadata: { finalizers: ['b', 'c'] } }, deploymentSchema), {
    metadata: { finalizers: ['a', 'b', 'c'] },
  });
  assert.deepEqual(
    applyStrategicMergePatch(live, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }, deploymentSchema),
    { metadata: { finalizers: ['b'] } },
  );
});

test('$retainKeys drops fields of a retainKeys struct not listed (strategy type switch)', () => {
  const live = { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } };
  const out = applyStrategicMergePatch(
    live,
    { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null } } },
    deploymentSchema,
  );
  assert.deepEqual(out, { spec: { strategy: { type: 'Recreate' } } });
});

test('$retainKeys rejects a patch that sets a field it does not retain', () => {
  assert.throws(
    () =>
      applyStrategicMergePatch(
        {},
        { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: { maxSurge: 1 } } } },
        deploymentSchema,
      ),
    (e: unknown) => e instanceof StatusError && e.code === 400,
  );
});

test('a live order with the server-only item first keeps it after its live predecessor', () => {
  const live = podTemplate([{ name: 'a' }, { name: 'injected' }, { name: 'b' }]);
  const out = applyStrategicMergePatch(
    live,
    { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }] } } } },
    deploymentSchema,
  );
  assert.deepEqual(
    (out.spec.template.spec.containers as { name: string }[]).map((c) => c.name),
    ['a', 'injected', 'b'],
  );
});

test('cordon, uncordon and rollout restart patches', () => {
  const node = { spec: { podCIDR: '10.0.0.0/24' } };
  const cordoned = applyStrategicMergePatch(node, { spec: { unschedulable: true } }, undefined);
  assert.deepEqual(cordoned, { spec: { podCIDR: '10.0.0.0/24', unschedulable: true } });
  assert.deepEqual(applyStrategicMergePatch(cordoned, { spec: { unschedulable: null } }, undefined), node);

  const restarted = applyStrategicMergePatch(
    podTemplate([{ name: 'a' }]),
    { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': 't' } } } } },
    deploymentSchema,
  );
  assert.deepEqual(restarted.spec.template, {
    metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': 't' } },
    spec: { containers: [{ name: 'a' }] },
  });
});

test('without a schema lists are replaced, as a JSON merge patch', () => {
  const out = applyStrategicMergePatch(
    { items: [{ name: 'a' }, { name: 'b' }], k: 1 },
    { items: [{ name: 'c' }] },
    undefined,
  );
  assert.deepEqual(out, { items: [{ name: 'c' }], k: 1 });
});

test('bad directives and missing merge keys are rejected with status errors', () => {
  const missingKey = () =>
    applyStrategicMergePatch(podTemplate([{ name: 'a' }]), podTemplate([{ image: 'x' }]), deploymentSchema);
  assert.throws(missingKey, (e: unknown) => e instanceof StatusError && e.code === 422);
  const badDirective = () => applyStrategicMergePatch({}, { metadata: { $patch: 'explode' } }, deploymentSchema);
  assert.throws(badDirective, (e: unknown) => e instanceof StatusError && e.code === 400);
  assert.throws(
    () => applyStrategicMergePatch({}, [], deploymentSchema),
    (e: unknown) => e instanceof StatusError && e.code === 400,
  );
});
