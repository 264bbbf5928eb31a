import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { schemaLookup } from '../../api/openapi/index.js';
import { updateManagedFields } from '../../apimachinery/patch/index.js';
import { StatusError } from '../../core/status.js';
import type { KubeObject } from '../../core/types.js';
import { LAST_APPLIED, applyUpgradingLastApplied, buildLastApplied, goJson } from './last-applied.js';

const schema = schemaLookup('apps', 'v1', 'Deployment');
const now = '2026-12-02T00:00:00Z';

function manifest(replicas: number): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
    },
  } as KubeObject;
}

/** What a client-side `kubectl apply` of `manifest(replicas)` leaves: the annotation, owned by its manager. */
function clientSideApplied(replicas: number): KubeObject {
  const m = manifest(replicas);
  const withAnnotation = structuredClone(m);
  withAnnotation.metadata.annotations = {
    [LAST_APPLIED]: goJson({ ...m, metadata: { ...m.metadata, annotations: {} } }),
  };
  return updateManagedFields({
    old: undefined,
    updated: withAnnotation,
    manager: 'kubectl-client-side-apply',
    apiVersion: 'apps/v1',
    now,
    schema,
  });
}

const apply = (live: KubeObject, replicas: number, manager = 'kubectl') =>
  applyUpgradingLastApplied({
    live,
    applied: manifest(replicas),
    manager,
    force: false,
    schema,
    apiVersion: 'apps/v1',
    now,
  });

describe('server-side apply over client-side apply (the last-applied decorators)', () => {
  it('writes the annotation as Go does: sorted keys, HTML escaped, a trailing newline', () => {
    assert.equal(
      goJson({ b: 1, a: { d: '<&>', c: [true, null] } }),
      '{"a":{"c":[true,null],"d":"\\u003c\\u0026\\u003e"},"b":1}\n',
    );
    const m = manifest(1);
    m.metadata.annotations = { [LAST_APPLIED]: 'old', x: 'y' };
    assert.equal(JSON.parse(buildLastApplied(m)).metadata.annotations.x, 'y');
    assert.equal(JSON.parse(buildLastApplied(m)).metadata.annotations[LAST_APPLIED], undefined);
  });

  it('lets kubectl take fields whose live value is still the last-applied one, and refreshes the annotation', () => {
    const res = apply(clientSideApplied(2), 3);
    const spec = res.object.spec as { replicas: number };
    assert.equal(spec.replicas, 3);
    const last = JSON.parse(res.object.metadata.annotations![LAST_APPLIED]!);
    assert.equal(last.spec.replicas, 3);
    const owners = res.object.metadata.managedFields!.map((m) => `${m.manager}/${m.operation}`);
    assert.ok(owners.includes('kubectl/Apply'), owners.join(' '));
  });

  it('keeps the conflict for other managers and for fields changed since the last client-side apply', () => {
    const other = () => apply(clientSideApplied(2), 3, 'someone');
    assert.throws(other, (e: unknown) => e instanceof StatusError && e.code === 409);
    // A scaler changed replicas after the client-side apply: the annotation no longer speaks for it.
    const live = clientSideApplied(2);
    const scaled = updateManagedFields({
      old: live,
      updated: { ...live, spec: { ...(live.spec as object), replicas: 5 } },
      manager: 'scaler',
      apiVersion: 'apps/v1',
      now,
      schema,
    });
    assert.throws(
      () => apply(scaled, 3),
      (e: unknown) => e instanceof StatusError && e.code === 409 && /conflict with "scaler"/.test(e.message),
    );
  });
});
