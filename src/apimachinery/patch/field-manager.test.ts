import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../core/types.js';
import { StatusError } from '../../core/status.js';
import { type ApplyRequest, serverSideApply, updateManagedFields } from './field-manager.js';
import { deployment, deploymentSchema } from './fixture-schemas.js';

const T0 = '2025-01-01T00:00:00Z';
const T1 = '2025-01-01T00:01:00Z';

function apply(live: KubeObject | undefined, applied: KubeObject, extra: Partial<ApplyRequest> = {}): KubeObject {
  return serverSideApply({
    live,
    applied,
    manager: 'kubectl',
    force: false,
    schema: deploymentSchema,
    apiVersion: 'apps/v1',
    now: T0,
    ...extra,
  }).object;
}

function applyError(live: KubeObject, applied: KubeObject, manager = 'kubectl'): StatusError {
  try {
    apply(live, applied, { manager });
  } catch (e) {
    if (e instanceof StatusError) return e;
    throw e;
  }
  assert.fail('expected a conflict');
}

const spec = (o: KubeObject) => o.spec as { replicas?: number; template: { spec: { containers: KubeObject[] } } };

test('apply to a missing object creates it with one Apply entry', () => {
  const obj = apply(undefined, deployment());
  assert.equal(spec(obj).replicas, 2);
  assert.deepEqual(obj.metadata.managedFields, [
    {
      manager: 'kubectl',
      operation: 'Apply',
      apiVersion: 'apps/v1',
      time: T0,
      fieldsType: 'FieldsV1',
      fieldsV1: {
        'f:metadata': { 'f:labels': { 'f:app': {} } },
        'f:spec': {
          'f:replicas': {},
          'f:selector': {},
          'f:template': {
            'f:metadata': { 'f:labels': { 'f:app': {} } },
            'f:spec': {
              'f:containers': {
                'k:{"name":"nginx"}': {
                  '.': {},
                  'f:image': {},
                  'f:name': {},
                  'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } },
                },
              },
            },
          },
        },
      },
    },
  ]);
});

test('re-applying changes owned fields and removes the ones no longer applied', () => {
  const first = apply(undefined, deployment({ labels: { app: 'web', tier: 'fe' } }));
  // Server-side defaults and status are not in the config and must survive.
  first.status = { replicas: 2 };
  const second = apply(first, deployment({ replicas: 5, image: 'nginx:1.27' }), { now: T1 });
  assert.equal(spec(second).replicas, 5);
  assert.equal(spec(second).template.spec.containers[0]?.image, 'nginx:1.27');
  assert.deepEqual(second.metadata.labels, { app: 'web' }, 'the dropped label is removed');
  assert.deepEqual(second.status, { replicas: 2 });
  assert.equal(second.metadata.managedFields?.length, 1);
  assert.equal(second.metadata.managedFields?.[0]?.time, T1);

  // Dropping replicas from the config removes the field (the server then defaults it).
  const noReplicas = deployment();
  delete (noReplicas.spec as { replicas?: number }).replicas;
  const third = apply(second, noReplicas);
  assert.equal(spec(third).replicas, undefined);
});

test('a field another manager changed is a 409 conflict with upstream wording', () => {
  const created = updateManagedFields({
    old: undefined,
    updated: deployment(),
    manager: 'kubectl-client-side-apply',
    apiVersion: 'apps/v1',
    now: T0,
    schema: deploymentSchema,
  });
  const err = applyError(created, deployment({ replicas: 3 }));
  assert.equal(err.code, 409);
  assert.equal(err.reason, 'Conflict');
  assert.equal(
    err.message,
    'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
  );
  assert.deepEqual(err.details?.causes, [
    {
      type: 'FieldManagerConflict',
      message: 'conflict with "kubectl-client-side-apply" using apps/v1',
      field: '.spec.replicas',
    },
  ]);

  const two = applyError(created, deployment({ replicas: 3, image: 'nginx:2' }));
  assert.equal(
    two.message,
    'Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using apps/v1:\n' +
      '- .spec.replicas\n- .spec.template.spec.containers[name="nginx"].image',
  );
});

test('applying the same values as another manager shares ownership without conflict', () => {
  const created = updateManagedFields({
    old: undefined,
    updated: deployment(),
    manager: 'kubectl-create',
    apiVersion: 'apps/v1',
    now: T0,
    schema: deploymentSchema,
  });
  const applied = apply(created, deployment());
  const managers = applied.metadata.managedFields?.map((m) => `${m.manager}/${m.operation}`);
  assert.deepEqual(managers, ['kubectl/Apply', 'kubectl-create/Update']);
});

test('--force-conflicts takes ownership away from the other manager', () => {
  const mine = apply(undefined, deployment());
  const scaled = updateManagedFields({
    old: mine,
    updated: { ...mine, spec: { ...spec(mine), replicas: 7 } },
    manager: 'kube-controller-manager',
    apiVersion: 'apps/v1',
    now: T1,
    schema: deploymentSchema,
  });
  const hpa = scaled.metadata.managedFields?.find((m) => m.manager === 'kube-controller-manager');
  assert.deepEqual(hpa?.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  const kubectlEntry = scaled.metadata.managedFields?.find((m) => m.manager === 'kubectl');
  assert.ok(
    !('f:replicas' in (((kubectlEntry?.fieldsV1 as Record<string, unknown> | undefined)?.['f:spec'] as object) ?? {})),
    'kubectl lost replicas',
  );

  const err = applyError(scaled, deployment({ replicas: 2 }), 'other-tool');
  assert.match(err.message, /conflict with "kube-controller-manager" using apps\/v1: \.spec\.replicas/);

  const forced = apply(scaled, deployment({ replicas: 2 }), { force: true, manager: 'kubectl' });
  assert.equal(spec(forced).replicas, 2);
  assert.deepEqual(
    forced.metadata.managedFields?.map((m) => m.manager),
    ['kubectl'],
    'the controller entry became empty and was dropped',
  );
});

test('pruning keeps fields another manager still owns', () => {
  const mine = apply(undefined, deployment({ labels: { app: 'web', team: 'a' } }));
  const labelled = updateManagedFields({
    old: mine,
    updated: { ...mine, metadata: { ...mine.metadata, labels: { app: 'web', team: 'b' } } },
    manager: 'kubectl-label',
    apiVersion: 'apps/v1',
    now: T1,
    schema: deploymentSchema,
  });
  const out = apply(labelled, deployment({ labels: { app: 'web' } }));
  assert.deepEqual(out.metadata.labels, { app: 'web', team: 'b' });
});

test('containers added by another manager survive; the applier removes only its own container', () => {
  const config = deployment();
  (spec(config).template.spec.containers as unknown[]).push({ name: 'log', image: 'busybox' });
  const mine = apply(undefined, config);
  const injected = structuredClone(mine);
  spec(injected).template.spec.containers.push({ name: 'proxy', image: 'envoy' } as unknown as KubeObject);
  const withProxy = updateManagedFields({
    old: mine,
    updated: injected,
    manager: 'injector',
    apiVersion: 'apps/v1',
    now: T1,
    schema: deploymentSchema,
  });
  const out = apply(withProxy, deployment());
  assert.deepEqual(
    spec(out).template.spec.containers.map((c) => c.name),
    ['nginx', 'proxy'],
  );
});

test('updateManagedFields on create owns every field with "." on added maps, not status or identity', () => {
  const obj = { ...deployment(), status: { replicas: 0 } } as KubeObject;
  obj.metadata.uid = 'u1';
  obj.metadata.resourceVersion = '1';
  const out = updateManagedFields({
    old: undefined,
    updated: obj,
    manager: 'kubectl-create',
    apiVersion: 'apps/v1',
    now: T0,
    schema: deploymentSchema,
  });
  const entry = out.metadata.managedFields?.[0];
  assert.equal(out.metadata.managedFields?.length, 1);
  assert.equal(entry?.operation, 'Update');
  const fields = entry?.fieldsV1 as Record<string, Record<string, unknown>>;
  assert.deepEqual(fields['f:metadata'], { 'f:labels': { '.': {}, 'f:app': {} } });
  assert.ok(!('f:status' in fields));
  assert.ok(!('f:apiVersion' in fields));
  assert.ok('f:replicas' in fields['f:spec']!);
});

test('an update that changes nothing keeps managedFields and times as they were', () => {
  const created = updateManagedFields({
    old: undefined,
    updated: deployment(),
    manager: 'kubectl-create',
    apiVersion: 'apps/v1',
    now: T0,
  });
  const again = updateManagedFields({
    old: created,
    updated: created,
    manager: 'other',
    apiVersion: 'apps/v1',
    now: T1,
  });
  assert.deepEqual(again.metadata.managedFields, created.metadata.managedFields);
});

test('status subresource writes own only status', () => {
  const mine = apply(undefined, deployment());
  const updated = { ...mine, status: { replicas: 2, observedGeneration: 1 } } as KubeObject;
  const out = updateManagedFields({
    old: mine,
    updated,
    manager: 'kube-controller-manager',
    apiVersion: 'apps/v1',
    now: T1,
    subresource: 'status',
    schema: deploymentSchema,
  });
  const status = out.metadata.managedFields?.find((m) => m.subresource === 'status');
  assert.deepEqual(status?.fieldsV1, { 'f:status': { 'f:observedGeneration': {}, 'f:replicas': {} } });
  assert.equal(out.metadata.managedFields?.length, 2);
});

test('apply with managedFields in the body is a 400', () => {
  const body = deployment() as KubeObject;
  body.metadata.managedFields = [{ manager: 'x', operation: 'Apply' }];
  assert.throws(
    () => apply(undefined, body),
    (e: unknown) => e instanceof StatusError && e.code === 400,
  );
});

test('objects without managedFields are first assigned to before-first-apply', () => {
  const legacy = deployment() as KubeObject;
  const err = applyError(legacy, deployment({ replicas: 9 }));
  assert.match(err.message, /conflict with "before-first-apply" using apps\/v1: \.spec\.replicas/);
});

test("creates from one template share their creator's field set, remembered by the object without its identity", () => {
  const create = (name: string, now: string, extra: Partial<Parameters<typeof deployment>[0]> = {}) => {
    const d: KubeObject = deployment(extra);
    d.metadata = { ...d.metadata, name, uid: `uid-${name}`, creationTimestamp: now };
    return updateManagedFields({
      old: undefined,
      updated: d,
      manager: 'm',
      apiVersion: 'apps/v1',
      now,
      schema: deploymentSchema,
    });
  };
  const entry = (o: KubeObject) => o.metadata.managedFields![0]!;
  const a = create('a', T0);
  const b = create('b', T1);
  assert.equal(entry(b).fieldsV1, entry(a).fieldsV1, 'the second create reuses the first one’s FieldsV1');
  assert.ok(Object.isFrozen(entry(a).fieldsV1), 'shared, so frozen');
  assert.deepEqual(
    { ...entry(b), fieldsV1: undefined },
    { manager: 'm', operation: 'Update', apiVersion: 'apps/v1', time: T1, fieldsType: 'FieldsV1', fieldsV1: undefined },
  );
  assert.equal(b.metadata.name, 'b');
  // The same set as an update from an empty object computes.
  const fresh = updateManagedFields({
    old: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'c' } },
    updated: deployment(),
    manager: 'm',
    apiVersion: 'apps/v1',
    now: T0,
    schema: deploymentSchema,
  });
  assert.deepEqual(entry(fresh).fieldsV1, entry(a).fieldsV1);
  // Another value is another object: its set is computed, and differs where the object does.
  const labels = (o: KubeObject) =>
    (entry(o).fieldsV1 as { 'f:metadata': { 'f:labels': Record<string, unknown> } })['f:metadata']['f:labels'];
  const c = create('c', T0, { labels: { app: 'web', tier: 'x' } });
  assert.notEqual(entry(c).fieldsV1, entry(a).fieldsV1);
  assert.ok(labels(c)['f:tier']);
  assert.equal(labels(a)['f:tier'], undefined);
});
