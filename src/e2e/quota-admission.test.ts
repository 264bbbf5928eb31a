// ResourceQuota and LimitRange admission in a real `tutti server` (control plane, no nodes) driven by kubectl:
// a count quota refuses the pod over it with upstream's message and admits again once the controller has
// seen a pod go; concurrent creates never exceed it; a compute quota refuses a pod without limits ("must specify"); LimitRange defaults appear
// on a created pod (and satisfy a compute quota); a pod below min and a claim above max are refused.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { Pod } from '../core/index.js';
import { pollUntil, type TestServer, startTestServer } from './harness.js';

interface QuotaView {
  status?: { hard?: Record<string, string>; used?: Record<string, string> };
}

describe('quota and limit range admission (kubectl)', () => {
  let s: TestServer;
  let dataDir: string;

  const apply = async (manifest: object) => {
    const r = await s.kubectl(['apply', '-f', '-'], { input: JSON.stringify(manifest) });
    assert.equal(r.code, 0, r.stderr);
  };
  /** The quota as the controller has observed it (status.hard set), as admission requires. */
  const observedQuota = (ns: string, name: string) =>
    pollUntil(
      `quota ${ns}/${name} observed`,
      async () => {
        const q = JSON.parse(await s.k('get', 'quota', name, '-n', ns, '-o', 'json')) as QuotaView;
        return q.status?.hard && q.status.used ? q : undefined;
      },
      30_000,
      200,
    );

  before(async () => {
    dataDir = mkdtempSync('/tmp/h1-e2e-');
    s = await startTestServer({ controlPlane: true, dataDir });
  });
  after(async () => {
    await s?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses the third pod under pods=2 with the upstream message, admits again after a delete', async () => {
    await s.k('create', 'namespace', 'q-count');
    await s.k('create', 'quota', 'q', '--hard=pods=2,count/configmaps=5', '-n', 'q-count');
    await observedQuota('q-count', 'q');
    await s.k('run', 'p1', '--image=busybox', '--restart=Never', '-n', 'q-count');
    await s.k('run', 'p2', '--image=busybox', '--restart=Never', '-n', 'q-count');
    const third = await s.kubectl(['run', 'p3', '--image=busybox', '--restart=Never', '-n', 'q-count']);
    assert.notEqual(third.code, 0);
    assert.match(
      third.stderr,
      /Error from server \(Forbidden\): pods "p3" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2/,
    );
    const q = JSON.parse(await s.k('get', 'quota', 'q', '-n', 'q-count', '-o', 'json')) as QuotaView;
    assert.equal(q.status?.used?.pods, '2');
    // The controller gives the unit back once p1 is gone; then p3 fits.
    await s.k('delete', 'pod', 'p1', '-n', 'q-count', '--wait=false');
    await pollUntil(
      'p3 admitted after p1 went',
      async () => (await s.kubectl(['run', 'p3', '--image=busybox', '--restart=Never', '-n', 'q-count'])).code === 0,
      30_000,
      300,
    );
  });

  it('admits exactly as many of 8 concurrent pod creates as the quota has room for', async () => {
    await s.k('create', 'namespace', 'q-race');
    await s.k('create', 'quota', 'three', '--hard=pods=3', '-n', 'q-race');
    await observedQuota('q-race', 'three');
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        s.request('POST', '/api/v1/namespaces/q-race/pods', {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: `r${i}` },
          spec: { containers: [{ name: 'c', image: 'busybox' }] },
        }),
      ),
    );
    const codes = results.map((r) => r.status).sort();
    assert.deepEqual(codes, [201, 201, 201, 403, 403, 403, 403, 403]);
    for (const r of results.filter((x) => x.status === 403)) {
      const status = JSON.parse(r.body) as { reason: string; message: string };
      assert.equal(status.reason, 'Forbidden');
      assert.match(status.message, /exceeded quota: three, requested: pods=1, used: pods=3, limited: pods=3$/);
    }
    const pods = JSON.parse(await s.k('get', 'pods', '-n', 'q-race', '-o', 'json')) as { items: unknown[] };
    assert.equal(pods.items.length, 3);
  });

  it('counts custom resources: count/<plural>.<group> refuses the object over it', async () => {
    await apply({
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'widgets.example.com' },
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          },
        ],
      },
    });
    await s.k('wait', '--for=condition=Established', 'crd/widgets.example.com', '--timeout=30s');
    await s.k('create', 'namespace', 'q-crd');
    await s.k('create', 'quota', 'q', '--hard=count/widgets.example.com=1', '-n', 'q-crd');
    const q = await observedQuota('q-crd', 'q');
    assert.equal(q.status?.used?.['count/widgets.example.com'], '0');
    const widget = (name: string) => ({
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name, namespace: 'q-crd' },
    });
    await apply(widget('w1'));
    const second = await s.kubectl(['create', '-f', '-'], { input: JSON.stringify(widget('w2')) });
    assert.notEqual(second.code, 0);
    assert.match(
      second.stderr,
      /widgets\.example\.com "w2" is forbidden: exceeded quota: q, requested: count\/widgets\.example\.com=1, used: count\/widgets\.example\.com=1, limited: count\/widgets\.example\.com=1/,
    );
  });

  it('refuses a pod without limits under a compute quota: must specify', async () => {
    await s.k('create', 'namespace', 'q-compute');
    await s.k('create', 'quota', 'compute', '--hard=limits.cpu=2,limits.memory=1Gi', '-n', 'q-compute');
    await observedQuota('q-compute', 'compute');
    const r = await s.kubectl(['run', 'bare', '--image=busybox', '--restart=Never', '-n', 'q-compute']);
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /pods "bare" is forbidden: failed quota: compute: must specify limits\.cpu for: bare; limits\.memory for: bare/,
    );
    const big = await s.kubectl(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'big', namespace: 'q-compute' },
        spec: { containers: [{ name: 'c', image: 'busybox', resources: { limits: { cpu: '3', memory: '512Mi' } } }] },
      }),
    });
    assert.match(
      big.stderr,
      /pods "big" is forbidden: exceeded quota: compute, requested: limits\.cpu=3, used: limits\.cpu=0, limited: limits\.cpu=2/,
    );
  });

  it('applies LimitRange defaults to a new pod (enough for a compute quota) and refuses one below min', async () => {
    await s.k('create', 'namespace', 'q-limits');
    await apply({
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: { name: 'limits', namespace: 'q-limits' },
      spec: {
        limits: [
          {
            type: 'Container',
            default: { cpu: '300m', memory: '128Mi' },
            defaultRequest: { cpu: '100m', memory: '64Mi' },
            min: { cpu: '50m' },
          },
          { type: 'PersistentVolumeClaim', max: { storage: '1Gi' } },
        ],
      },
    });
    await s.k('create', 'quota', 'compute', '--hard=limits.cpu=1,requests.memory=1Gi', '-n', 'q-limits');
    await observedQuota('q-limits', 'compute');
    await s.k('run', 'defaulted', '--image=busybox', '--restart=Never', '-n', 'q-limits');
    const pod = JSON.parse(await s.k('get', 'pod', 'defaulted', '-n', 'q-limits', '-o', 'json')) as Pod;
    assert.deepEqual(pod.spec?.containers[0]?.resources, {
      requests: { cpu: '100m', memory: '64Mi' },
      limits: { cpu: '300m', memory: '128Mi' },
    });
    assert.equal(pod.status?.qosClass, 'Burstable');
    assert.equal(
      pod.metadata.annotations?.['kubernetes.io/limit-ranger'],
      'LimitRanger plugin set: cpu, memory request for container defaulted; cpu, memory limit for container defaulted',
    );
    const used = await pollUntil(
      'compute quota charged',
      async () => {
        const q = JSON.parse(await s.k('get', 'quota', 'compute', '-n', 'q-limits', '-o', 'json')) as QuotaView;
        return q.status?.used?.['limits.cpu'] === '300m' ? q.status.used : undefined;
      },
      10_000,
    );
    assert.equal(used['requests.memory'], '64Mi');
    const low = await s.kubectl(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'low', namespace: 'q-limits' },
        spec: { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '10m' } } }] },
      }),
    });
    assert.notEqual(low.code, 0);
    assert.match(low.stderr, /pods "low" is forbidden: minimum cpu usage per Container is 50m, but request is 10m/);
    const claim = await s.kubectl(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'huge', namespace: 'q-limits' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } } },
      }),
    });
    assert.match(
      claim.stderr,
      /persistentvolumeclaims "huge" is forbidden: maximum storage usage per PersistentVolumeClaim is 1Gi, but request is 5Gi/,
    );
  });
});
