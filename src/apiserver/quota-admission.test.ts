// LimitRanger and ResourceQuota admission through the object pipeline on a MemoryStore: defaults on a new pod,
// the 403s with upstream's messages, and quota charges that concurrent creates cannot race past.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { Pod, ResourceQuota } from '../core/index.js';
import { StatusError } from '../core/status.js';
import { MemoryStore } from '../storage/index.js';
import { Admission, DEFAULT_ADMISSION } from './admission.js';
import { bootstrapCluster } from './bootstrap.js';
import { ObjectPipeline } from './pipeline/index.js';
import { ResourceRegistry, type ServedResource } from './resources.js';

async function statusError(fn: () => Promise<unknown>): Promise<StatusError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof StatusError) return err;
    throw err;
  }
  assert.fail('expected a StatusError');
}

function pod(name: string, resources?: Record<string, Record<string, string>>, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { containers: [{ name: 'main', image: 'busybox', ...(resources ? { resources } : {}) }], ...extra },
  };
}

describe('quota and limit range admission', () => {
  let p: ObjectPipeline;
  let r: (resource: string) => ServedResource;
  const at = (resource: string, name?: string) => ({ resource: r(resource), namespace: 'default', name: name! });

  /** A quota as the controller leaves it: status.hard = spec.hard, status.used as given. */
  const quota = async (name: string, hard: Record<string, string>, used: Record<string, string>, spec = {}) => {
    await p.create(at('resourcequotas'), { kind: 'ResourceQuota', metadata: { name }, spec: { hard, ...spec } });
    const q = await p.get(at('resourcequotas', name));
    await p.update({ ...at('resourcequotas', name), subresource: 'status' }, { ...q, status: { hard, used } });
  };
  const used = async (name: string) =>
    ((await p.get(at('resourcequotas', name))) as ResourceQuota).status?.used as Record<string, string>;

  beforeEach(async () => {
    const store = new MemoryStore();
    const registry = new ResourceRegistry();
    p = new ObjectPipeline({
      store,
      registry,
      admission: new Admission(store, DEFAULT_ADMISSION),
      now: () => new Date(),
    });
    await bootstrapCluster(p, { serviceCidr: '10.43.0.0/16', port: 6443, advertiseAddress: '10.0.0.1' });
    r = (resource) => registry.find(resource === 'deployments' ? 'apps' : '', 'v1', resource)!;
  });

  it('applies Container defaults before the QoS class and refuses a pod below min', async () => {
    await p.create(at('limitranges'), {
      kind: 'LimitRange',
      metadata: { name: 'lr' },
      spec: {
        limits: [
          {
            type: 'Container',
            min: { cpu: '100m' },
            default: { cpu: '500m', memory: '256Mi' },
            defaultRequest: { cpu: '200m' },
          },
        ],
      },
    });
    const created = (await p.create(at('pods'), pod('d'))) as Pod;
    assert.deepEqual(created.spec?.containers[0]?.resources, {
      requests: { cpu: '200m', memory: '256Mi' },
      limits: { cpu: '500m', memory: '256Mi' },
    });
    assert.equal(created.status?.qosClass, 'Burstable');
    assert.equal(
      created.metadata.annotations?.['kubernetes.io/limit-ranger'],
      'LimitRanger plugin set: cpu, memory request for container main; cpu, memory limit for container main',
    );
    const low = await statusError(() => p.create(at('pods'), pod('low', { requests: { cpu: '50m' } })));
    assert.equal(low.code, 403);
    assert.equal(low.message, 'pods "low" is forbidden: minimum cpu usage per Container is 100m, but request is 50m');
  });

  it('refuses the pod over a count quota and charges the admitted ones, once each under concurrency', async () => {
    await quota('pods', { pods: '3' }, { pods: '0' });
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => p.create(at('pods'), pod(`p${i}`))));
    const ok = results.filter((x) => x.status === 'fulfilled');
    assert.equal(ok.length, 3);
    for (const x of results) {
      if (x.status === 'rejected') {
        assert.ok(x.reason instanceof StatusError);
        assert.equal(x.reason.code, 403);
        assert.match(
          x.reason.message,
          /^pods "p\d" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=3, limited: pods=3$/,
        );
      }
    }
    assert.deepEqual(await used('pods'), { pods: '3' });
  });

  it('a compute quota refuses a pod without limits; dry-run checks but does not charge', async () => {
    await quota('compute', { 'limits.cpu': '1' }, { 'limits.cpu': '0' });
    const e = await statusError(() => p.create(at('pods'), pod('nolimit')));
    assert.equal(e.message, 'pods "nolimit" is forbidden: failed quota: compute: must specify limits.cpu for: main');
    await p.create(at('pods'), pod('dry', { limits: { cpu: '600m' } }), { dryRun: true });
    assert.deepEqual(await used('compute'), { 'limits.cpu': '0' });
    await p.create(at('pods'), pod('one', { limits: { cpu: '600m' } }));
    assert.deepEqual(await used('compute'), { 'limits.cpu': '600m' });
    const over = await statusError(() => p.create(at('pods'), pod('two', { limits: { cpu: '600m' } })));
    assert.equal(
      over.message,
      'pods "two" is forbidden: exceeded quota: compute, requested: limits.cpu=600m, used: limits.cpu=600m, limited: limits.cpu=1',
    );
  });

  it('a service turned NodePort by an update is charged its node ports', async () => {
    await quota('np', { 'services.nodeports': '0' }, { 'services.nodeports': '0' });
    await p.create(at('services'), { kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80 }] } });
    const svc = await p.get(at('services', 's'));
    const e = await statusError(() =>
      p.update(at('services', 's'), { ...svc, spec: { ...(svc.spec as object), type: 'NodePort' } }),
    );
    assert.equal(
      e.message,
      'services "s" is forbidden: exceeded quota: np, requested: services.nodeports=1, used: services.nodeports=0, limited: services.nodeports=0',
    );
  });
});
