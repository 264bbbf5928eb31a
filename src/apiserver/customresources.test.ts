// The CRD controller on a MemoryStore through the object pipeline: a CRD is served once Established, a restart
// (a new controller on the same store) serves it again, name conflicts are refused, and deletion removes the
// objects before the CRD goes.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { StatusError } from '../core/status.js';
import { MemoryStore } from '../storage/index.js';
import { Admission, DEFAULT_ADMISSION } from './admission.js';
import { bootstrapCluster } from './bootstrap.js';
import { CustomResourceDefinitions } from './customresources.js';
import { ObjectPipeline } from './pipeline/index.js';
import { ResourceRegistry, type ServedResource } from './resources.js';

function crdOf(plural: string, kind: string) {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.example.com` },
    spec: {
      group: 'example.com',
      scope: 'Namespaced',
      names: { plural, kind },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: {
            openAPIV3Schema: {
              type: 'object',
              properties: { spec: { type: 'object', properties: { n: { type: 'integer', default: 7 } } } },
            },
          },
        },
      ],
    },
  };
}

async function until<T>(fn: () => T | undefined | Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('timed out');
}

describe('CustomResourceDefinitions controller', () => {
  let store: MemoryStore;
  let p: ObjectPipeline;
  let crds: CustomResourceDefinitions;
  let crdResource: ServedResource;
  const open: CustomResourceDefinitions[] = [];

  const start = async () => {
    const registry = new ResourceRegistry();
    p = new ObjectPipeline({
      store,
      registry,
      admission: new Admission(store, DEFAULT_ADMISSION),
      now: () => new Date(),
    });
    crds = new CustomResourceDefinitions(p, store, () => {});
    open.push(crds);
    await crds.start();
    crdResource = registry.find('apiextensions.k8s.io', 'v1', 'customresourcedefinitions')!;
  };
  const condition = async (name: string, type: string) => {
    const o = await p.get({ resource: crdResource, name });
    return ((o.status as { conditions?: { type: string; status: string; reason: string }[] })?.conditions ?? []).find(
      (c) => c.type === type,
    );
  };

  beforeEach(async () => {
    store = new MemoryStore();
    await start();
    await bootstrapCluster(p, { serviceCidr: '10.43.0.0/16', port: 6443, advertiseAddress: '10.0.0.1' });
  });
  afterEach(() => {
    for (const c of open.splice(0)) c.stop();
  });

  it('serves an Established CRD, again after a restart, with defaults from the schema', async () => {
    await p.create({ resource: crdResource }, crdOf('foos', 'Foo'));
    const est = await until(() => condition('foos.example.com', 'Established'));
    assert.equal(est.status, 'True');
    const foos = p.registry.find('example.com', 'v1', 'foos')!;
    assert.ok(foos.custom);
    await p.create({ resource: foos, namespace: 'default' }, { metadata: { name: 'a' }, spec: {} });
    crds.stop();
    await start();
    const again = p.registry.find('example.com', 'v1', 'foos');
    assert.ok(again, 'served right after start, before any event');
    const a = await p.get({ resource: again, namespace: 'default', name: 'a' });
    assert.deepEqual(a.spec, { n: 7 });
    assert.equal(a.apiVersion, 'example.com/v1');
  });

  it('refuses a kind another CRD of the group serves', async () => {
    await p.create({ resource: crdResource }, crdOf('foos', 'Foo'));
    await until(() => condition('foos.example.com', 'Established'));
    await p.create({ resource: crdResource }, crdOf('others', 'Foo'));
    const names = await until(() => condition('others.example.com', 'NamesAccepted'));
    assert.deepEqual([names.status, names.reason], ['False', 'KindConflict']);
    assert.equal(p.registry.find('example.com', 'v1', 'others'), undefined);
  });

  it('deletes the objects of a deleted CRD, then the CRD', async () => {
    await p.create({ resource: crdResource }, crdOf('bars', 'Bar'));
    await until(() => condition('bars.example.com', 'Established'));
    const bars = p.registry.find('example.com', 'v1', 'bars')!;
    for (const n of ['x', 'y']) await p.create({ resource: bars, namespace: 'default' }, { metadata: { name: n } });
    const del = await p.delete({ resource: crdResource, name: 'bars.example.com' });
    assert.equal(del.deleted, false, 'held by the cleanup finalizer');
    await until(async () => {
      try {
        await p.get({ resource: crdResource, name: 'bars.example.com' });
        return undefined;
      } catch (err) {
        return err instanceof StatusError && err.code === 404 ? true : undefined;
      }
    });
    assert.equal((await p.list({ resource: bars })).items.length, 0);
    await until(() => (p.registry.find('example.com', 'v1', 'bars') ? undefined : true));
  });
});
