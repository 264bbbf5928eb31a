// The object pipeline without HTTP, on a MemoryStore: each verb's result and its StatusErrors.
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { StatusError } from '../../core/status.js';
import { MemoryStore } from '../../storage/index.js';
import { Admission, DEFAULT_ADMISSION } from '../admission.js';
import { bootstrapCluster } from '../bootstrap.js';
import { ResourceRegistry, type ServedResource } from '../resources.js';
import { MERGE_PATCH, ObjectPipeline, STRATEGIC_MERGE_PATCH, JSON_PATCH, type ObjectEvent } from './index.js';

const NOW = new Date('2026-03-04T05:06:07.890Z');

function configMap(name: string, data: Record<string, string> = { a: '1' }, labels?: Record<string, string>) {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...(labels ? { labels } : {}) }, data };
}

function pod(name: string, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { containers: [{ name: 'main', image: 'busybox' }], ...extra },
  };
}

/** Runs `fn` and returns the StatusError it must throw. */
async function statusError(fn: () => Promise<unknown>): Promise<StatusError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof StatusError) return err;
    throw err;
  }
  assert.fail('expected a StatusError');
}

describe('object pipeline', () => {
  let p: ObjectPipeline;
  let configmaps: ServedResource;
  let pods: ServedResource;
  let deployments: ServedResource;
  const cm = (name?: string) => ({ resource: configmaps, namespace: 'default', name: name! });

  beforeEach(async () => {
    const store = new MemoryStore();
    const registry = new ResourceRegistry();
    const admission = new Admission(store, DEFAULT_ADMISSION);
    p = new ObjectPipeline({ store, registry, admission, now: () => NOW });
    await bootstrapCluster(p, { serviceCidr: '10.43.0.0/16', port: 6443, advertiseAddress: '10.0.0.1' });
    configmaps = registry.find('', 'v1', 'configmaps')!;
    pods = registry.find('', 'v1', 'pods')!;
    deployments = registry.find('apps', 'v1', 'deployments')!;
  });

  describe('bootstrap', () => {
    it('creates the system namespaces and the kubernetes Service and Endpoints', async () => {
      const namespaces = p.registry.find('', 'v1', 'namespaces')!;
      const names = (await p.list({ resource: namespaces })).items.map((i) => i.object.metadata.name);
      assert.deepEqual(names.sort(), ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
      const services = p.registry.find('', 'v1', 'services')!;
      const svc = await p.get({ resource: services, namespace: 'default', name: 'kubernetes' });
      assert.equal((svc.spec as { clusterIP: string }).clusterIP, '10.43.0.1');
      assert.equal(svc.metadata.managedFields?.[0]?.manager, 'tutti-apiserver');
      const endpoints = p.registry.find('', 'v1', 'endpoints')!;
      const ep = await p.get({ resource: endpoints, namespace: 'default', name: 'kubernetes' });
      assert.deepEqual(ep.subsets, [
        { addresses: [{ ip: '10.0.0.1' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] },
      ]);
    });

    it('leaves existing objects alone when run again', async () => {
      const ns = p.registry.find('', 'v1', 'namespaces')!;
      const before = await p.get({ resource: ns, name: 'default' });
      await bootstrapCluster(p, { serviceCidr: '10.43.0.0/16', port: 6443, advertiseAddress: '10.0.0.1' });
      assert.equal(
        (await p.get({ resource: ns, name: 'default' })).metadata.resourceVersion,
        before.metadata.resourceVersion,
      );
    });
  });

  describe('create and get', () => {
    it('sets the metadata the server owns and stores the object', async () => {
      const out = await p.create(cm(), configMap('one'), { fieldManager: 'tester' });
      assert.equal(out.metadata.namespace, 'default');
      assert.match(out.metadata.uid!, /^[0-9a-f-]{36}$/);
      assert.equal(out.metadata.creationTimestamp, '2026-03-04T05:06:07Z');
      assert.match(out.metadata.resourceVersion!, /^\d+$/);
      assert.equal(out.metadata.managedFields?.[0]?.manager, 'tester');
      assert.deepEqual(await p.get(cm('one')), out);
      const read = await p.read(cm('one'));
      assert.deepEqual(JSON.parse(read.json), out);
      assert.equal(read.resourceVersion, out.metadata.resourceVersion);
    });

    it('serves one encoding as JSON bytes and as watch frames of any type, none disturbing the others', async () => {
      const out = await p.create(cm(), configMap('frames', { text: 'grüße, 世界' }), { fieldManager: 'tester' });
      const read = await p.read(cm('frames'));
      const bytes = Buffer.from(read.bytes);
      for (const type of ['MODIFIED', 'ADDED', 'DELETED', 'MODIFIED']) {
        const line = read.frame(type).toString('utf8');
        assert.ok(line.endsWith('}\n'), line);
        assert.deepEqual(JSON.parse(line), { type, object: out });
      }
      // The frames were written around the bytes, not over them.
      assert.deepEqual(read.bytes, bytes);
      assert.deepEqual(JSON.parse(read.bytes.toString('utf8')), out);
      assert.equal(read.frame('ADDED'), read.frame('ADDED'), 'a frame is made once');
    });

    it('takes the field manager from the user agent when none is given', async () => {
      const out = await p.create(cm(), configMap('ua'), { userAgent: 'kubectl/v1.32.0 (linux/amd64)' });
      assert.equal(out.metadata.managedFields?.[0]?.manager, 'kubectl');
    });

    it('generates a name from generateName', async () => {
      const out = await p.create(cm(), { kind: 'ConfigMap', metadata: { generateName: 'gen-' } });
      assert.match(out.metadata.name!, /^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    });

    it('generates a taken name again (RetryGenerateName), 8 attempts in all, each from the object as sent', async () => {
      await p.create(cm(), configMap('taken-bbbbb'));
      const random = Math.random;
      let calls = 0;
      // The first two suffixes come out as "bbbbb" (taken), then random ones.
      Math.random = () => (calls++ < 10 ? 0 : random());
      try {
        const out = await p.create(cm(), { kind: 'ConfigMap', metadata: { generateName: 'taken-' }, data: { b: '2' } });
        assert.match(out.metadata.name!, /^taken-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
        assert.notEqual(out.metadata.name, 'taken-bbbbb');
        assert.deepEqual(out.data, { b: '2' });
        assert.equal(calls > 10, true);
        // Every attempt taken: the last 409 is the answer, and nothing else was stored.
        Math.random = () => 0;
        const err = await statusError(() =>
          p.create(cm(), { kind: 'ConfigMap', metadata: { generateName: 'taken-' } }),
        );
        assert.equal(err.code, 409);
        assert.equal(err.reason, 'AlreadyExists');
        assert.equal(err.message, 'configmaps "taken-bbbbb" already exists');
      } finally {
        Math.random = random;
      }
      const names = (await p.list(cm())).items
        .map((i) => i.object.metadata.name)
        .filter((n) => n?.startsWith('taken-'));
      assert.equal(names.length, 2);
    });

    it('answers a duplicate with 409 AlreadyExists and a missing namespace with 404', async () => {
      await p.create(cm(), configMap('dup'));
      const dup = await statusError(() => p.create(cm(), configMap('dup')));
      assert.equal(dup.code, 409);
      assert.equal(dup.reason, 'AlreadyExists');
      assert.equal(dup.message, 'configmaps "dup" already exists');
      const missing = await statusError(() => p.create({ resource: configmaps, namespace: 'nope' }, configMap('x')));
      assert.equal(missing.code, 404);
      assert.equal(missing.message, 'namespaces "nope" not found');
    });

    it('answers a missing object with 404 NotFound', async () => {
      const err = await statusError(() => p.get(cm('ghost')));
      assert.equal(err.code, 404);
      assert.equal(err.message, 'configmaps "ghost" not found');
    });

    it('rejects bodies that do not decode into the resource with 400', async () => {
      const kind = await statusError(() => p.create(cm(), { kind: 'Secret', metadata: { name: 'x' } }));
      assert.equal(kind.code, 400);
      assert.equal(
        kind.message,
        'Secret in version "v1" cannot be handled as a ConfigMap: converting (v1.Secret) to (core.ConfigMap): unknown conversion',
      );
      const unknownKind = await statusError(() =>
        p.create(cm(), { apiVersion: 'v1', kind: 'Widget', metadata: { name: 'x' } }),
      );
      assert.equal(
        unknownKind.message,
        'Widget in version "v1" cannot be handled as a ConfigMap: no kind "Widget" is registered for version "v1" in scheme "pkg/api/legacyscheme/scheme.go:30"',
      );
      const notObject = await statusError(() => p.create(cm(), [1, 2]));
      assert.equal(notObject.code, 400);
      const badName = await statusError(() => p.create(cm(), { metadata: { name: 5 } }));
      assert.equal(badName.code, 400);
      assert.match(badName.message, /cannot unmarshal number into Go struct field ObjectMeta.metadata.name/);
      const ns = await statusError(() => p.create(cm(), { metadata: { name: 'x', namespace: 'other' } }));
      assert.equal(ns.code, 400);
      assert.match(ns.message, /does not match the namespace sent on the request/);
    });

    it('warns about unknown fields, or rejects them under Strict', async () => {
      const warnings: string[] = [];
      await p.create(cm(), { ...configMap('warned'), bogus: 1 }, { warnings });
      assert.deepEqual(warnings, ['unknown field "bogus"']);
      const strict = await statusError(() =>
        p.create(cm(), { ...configMap('strict'), bogus: 1 }, { fieldValidation: 'Strict' }),
      );
      assert.equal(strict.code, 400);
      assert.equal(strict.message, 'strict decoding error: unknown field "bogus"');
      const ignored: string[] = [];
      await p.create(cm(), { ...configMap('ignored'), bogus: 1 }, { fieldValidation: 'Ignore', warnings: ignored });
      assert.deepEqual(ignored, []);
    });

    it('answers invalid objects with 422 Invalid and field causes', async () => {
      const err = await statusError(() => p.create(cm(), configMap('Not_A_Name')));
      assert.equal(err.code, 422);
      assert.equal(err.reason, 'Invalid');
      assert.equal(err.details?.causes?.[0]?.field, 'metadata.name');
      const noContainers = await statusError(() =>
        p.create({ resource: pods, namespace: 'default' }, { metadata: { name: 'p' }, spec: { containers: [] } }),
      );
      assert.equal(noContainers.code, 422);
      assert.ok(noContainers.details?.causes?.some((c) => c.field === 'spec.containers'));
    });

    it('runs admission and defaults on a dry run but stores nothing', async () => {
      const out = await p.create({ resource: pods, namespace: 'default' }, pod('dry'), { dryRun: true });
      assert.equal((out.status as { phase: string }).phase, 'Pending');
      assert.equal((out.status as { qosClass: string }).qosClass, 'BestEffort');
      assert.equal(out.metadata.resourceVersion, undefined);
      assert.equal((await statusError(() => p.get({ resource: pods, namespace: 'default', name: 'dry' }))).code, 404);
    });
  });

  describe('list', () => {
    beforeEach(async () => {
      for (const [name, tier] of [
        ['a', 'web'],
        ['b', 'db'],
        ['c', 'web'],
      ]) {
        await p.create(cm(), configMap(name, {}, { tier }));
      }
    });

    it('filters by label and field selectors', async () => {
      const web = await p.list(cm(), { labelSelector: 'tier=web' });
      assert.deepEqual(
        web.items.map((i) => i.object.metadata.name),
        ['a', 'c'],
      );
      const byName = await p.list(cm(), { fieldSelector: 'metadata.name=b' });
      assert.deepEqual(
        byName.items.map((i) => JSON.parse(i.json).metadata.name),
        ['b'],
      );
      const bad = await statusError(() => p.list(cm(), { labelSelector: 'tier in (web' }));
      assert.equal(bad.code, 400);
    });

    it('pages with limit and continue at the first page revision', async () => {
      const first = await p.list(cm(), { limit: 2 });
      assert.equal(first.items.length, 2);
      assert.equal(first.metadata.remainingItemCount, 1);
      assert.ok(first.metadata.continue);
      await p.create(cm(), configMap('d'));
      const rest = await p.list(cm(), { limit: 2, continue: first.metadata.continue });
      assert.deepEqual(
        rest.items.map((i) => i.object.metadata.name),
        ['c'],
      );
      assert.equal(rest.metadata.resourceVersion, first.metadata.resourceVersion);
      assert.equal(rest.metadata.continue, undefined);
      const bad = await statusError(() => p.list(cm(), { continue: '%%%' }));
      assert.equal(bad.code, 400);
    });
  });

  describe('update', () => {
    it('replaces the object and conflicts on a stale resourceVersion', async () => {
      const created = await p.create(cm(), configMap('u'));
      const { object, created: isNew } = await p.update(cm('u'), { ...created, data: { a: '2' } });
      assert.equal(isNew, false);
      assert.deepEqual(object.data, { a: '2' });
      assert.notEqual(object.metadata.resourceVersion, created.metadata.resourceVersion);
      assert.equal(object.metadata.uid, created.metadata.uid);
      const stale = await statusError(() => p.update(cm('u'), { ...created, data: { a: '3' } }));
      assert.equal(stale.code, 409);
      assert.equal(stale.reason, 'Conflict');
      assert.match(stale.message, /the object has been modified/);
    });

    it('keeps the resourceVersion of a no-op write', async () => {
      const created = await p.create(cm(), configMap('same'));
      const { object } = await p.update(cm('same'), created);
      assert.equal(object.metadata.resourceVersion, created.metadata.resourceVersion);
    });

    it('creates a missing object, but not through a subresource', async () => {
      const { object, created } = await p.update(cm('fresh'), configMap('fresh'));
      assert.equal(created, true);
      assert.equal(object.metadata.name, 'fresh');
      const status = await statusError(() =>
        p.update({ resource: pods, namespace: 'default', name: 'none', subresource: 'status' }, pod('none')),
      );
      assert.equal(status.code, 404);
      const renamed = await statusError(() => p.update(cm('x'), configMap('y')));
      assert.equal(renamed.code, 400);
    });

    it('changes only status through the status subresource', async () => {
      const created = await p.create({ resource: pods, namespace: 'default' }, pod('s'));
      const t = { resource: pods, namespace: 'default', name: 's', subresource: 'status' };
      const { object } = await p.update(t, {
        ...created,
        metadata: { ...created.metadata, labels: { ignored: 'yes' } },
        status: { phase: 'Running' },
      });
      assert.equal((object.status as { phase: string }).phase, 'Running');
      assert.equal(object.metadata.labels, undefined);
    });

    it('bumps generation when the spec changes', async () => {
      const deploy = {
        metadata: { name: 'web' },
        spec: {
          selector: { matchLabels: { app: 'web' } },
          template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
        },
      };
      const t = { resource: deployments, namespace: 'default', name: 'web' };
      const created = await p.create(t, deploy);
      assert.equal(created.metadata.generation, 1);
      const patched = await p.patch(t, MERGE_PATCH, { spec: { replicas: 3 } });
      assert.equal(patched.metadata.generation, 2);
    });
  });

  describe('patch', () => {
    it('applies merge, strategic merge and JSON patches', async () => {
      await p.create(cm(), configMap('p', { a: '1', b: '2' }));
      const merged = await p.patch(cm('p'), MERGE_PATCH, { data: { b: null, c: '3' } });
      assert.deepEqual(merged.data, { a: '1', c: '3' });
      const strategic = await p.patch(cm('p'), STRATEGIC_MERGE_PATCH, { metadata: { labels: { x: 'y' } } });
      assert.deepEqual(strategic.metadata.labels, { x: 'y' });
      const json = await p.patch(cm('p'), JSON_PATCH, [{ op: 'replace', path: '/data/a', value: '9' }]);
      assert.deepEqual(json.data, { a: '9', c: '3' });
    });

    it('answers an unknown patch type with 415 and a missing object with 404', async () => {
      const type = await statusError(() => p.patch(cm('p'), 'application/xml', {}));
      assert.equal(type.code, 415);
      const missing = await statusError(() => p.patch(cm('ghost'), MERGE_PATCH, {}));
      assert.equal(missing.code, 404);
    });

    it('conflicts when the patch names a stale resourceVersion', async () => {
      await p.create(cm(), configMap('rv'));
      const err = await statusError(() => p.patch(cm('rv'), MERGE_PATCH, { metadata: { resourceVersion: '1' } }));
      assert.equal(err.code, 409);
    });
  });

  describe('apply', () => {
    it('creates, then updates, by field manager', async () => {
      const first = await p.apply(cm('ssa'), configMap('ssa', { a: '1' }), { fieldManager: 'one' });
      assert.equal(first.created, true);
      assert.deepEqual(first.object.data, { a: '1' });
      const again = await p.apply(cm('ssa'), configMap('ssa', { a: '1', b: '2' }), { fieldManager: 'one' });
      assert.equal(again.created, false);
      assert.deepEqual(again.object.data, { a: '1', b: '2' });
    });

    it('requires a field manager and reports conflicts unless forced', async () => {
      const none = await statusError(() => p.apply(cm('ssa'), configMap('ssa'), {}));
      assert.equal(none.code, 400);
      assert.match(none.message, /requires fieldManager parameter/);
      await p.apply(cm('ssa'), configMap('ssa', { a: '1' }), { fieldManager: 'one' });
      const conflict = await statusError(() =>
        p.apply(cm('ssa'), configMap('ssa', { a: '2' }), { fieldManager: 'two' }),
      );
      assert.equal(conflict.code, 409);
      assert.ok(conflict.details?.causes?.length);
      const forced = await p.apply(cm('ssa'), configMap('ssa', { a: '2' }), { fieldManager: 'two', force: true });
      assert.deepEqual(forced.object.data, { a: '2' });
    });
  });

  describe('delete', () => {
    it('deletes at once what nothing holds', async () => {
      await p.create(cm(), configMap('gone'));
      const out = await p.delete(cm('gone'));
      assert.equal(out.deleted, true);
      assert.equal(out.object.metadata.name, 'gone');
      assert.equal((await statusError(() => p.get(cm('gone')))).code, 404);
      assert.equal((await statusError(() => p.delete(cm('gone')))).code, 404);
    });

    it('marks a bound pod for graceful deletion', async () => {
      const t = { resource: pods, namespace: 'default', name: 'bound' };
      await p.create({ resource: pods, namespace: 'default' }, pod('bound', { nodeName: 'n1' }));
      const out = await p.delete(t, { gracePeriodSeconds: 10 });
      assert.equal(out.deleted, false);
      assert.equal(out.object.metadata.deletionTimestamp, '2026-03-04T05:06:17Z');
      assert.equal(out.object.metadata.deletionGracePeriodSeconds, 10);
      assert.ok(await p.get(t));
    });

    it('keeps finalizers from the propagation policy, checks preconditions, and dry-runs', async () => {
      const created = await p.create(cm(), configMap('held'));
      const uid = await statusError(() => p.delete(cm('held'), { preconditions: { uid: 'other' } }));
      assert.equal(uid.code, 409);
      assert.match(uid.message, /Precondition failed: UID in precondition: other/);
      const dry = await p.delete(cm('held'), { dryRun: ['All'] });
      assert.equal(dry.object.metadata.uid, created.metadata.uid);
      assert.ok(await p.get(cm('held')));
      const orphan = await p.delete(cm('held'), { propagationPolicy: 'Orphan' });
      assert.equal(orphan.deleted, false);
      assert.deepEqual(orphan.object.metadata.finalizers, ['orphan']);
    });

    it('deletes a collection by selector', async () => {
      await p.create(cm(), configMap('x1', {}, { group: 'x' }));
      await p.create(cm(), configMap('x2', {}, { group: 'x' }));
      await p.create(cm(), configMap('y1', {}, { group: 'y' }));
      const deleted = await p.deleteCollection(cm(), { labelSelector: 'group=x' });
      assert.deepEqual(deleted.map((o) => o.metadata.name).sort(), ['x1', 'x2']);
      assert.deepEqual(
        (await p.list(cm())).items.map((i) => i.object.metadata.name),
        ['y1'],
      );
    });
  });

  describe('subresources', () => {
    it('reads and writes scale', async () => {
      const t = { resource: deployments, namespace: 'default', name: 'web' };
      await p.create(t, {
        metadata: { name: 'web' },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'web' } },
          template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } },
        },
      });
      const scale = await p.getScale(t);
      assert.deepEqual(scale.spec, { replicas: 1 });
      assert.equal((scale.status as { selector: string }).selector, 'app=web');
      const updated = await p.updateScale(t, { ...scale, spec: { replicas: 4 } });
      assert.deepEqual(updated.spec, { replicas: 4 });
      const patched = await p.patchScale(t, MERGE_PATCH, { spec: { replicas: 2 } });
      assert.deepEqual(patched.spec, { replicas: 2 });
      assert.equal(((await p.get(t)).spec as { replicas: number }).replicas, 2);
      const negative = await statusError(() => p.patchScale(t, MERGE_PATCH, { spec: { replicas: -1 } }));
      assert.equal(negative.code, 422);
      const stale = await statusError(() => p.updateScale(t, scale));
      assert.equal(stale.code, 409);
    });

    it('binds a pod once, and evicts it', async () => {
      const t = { resource: pods, namespace: 'default', name: 'b' };
      await p.create({ resource: pods, namespace: 'default' }, pod('b'));
      await p.bind(t, { target: { kind: 'Node', name: 'n1' } });
      const bound = await p.get(t);
      assert.equal((bound.spec as { nodeName: string }).nodeName, 'n1');
      const conditions = (bound.status as { conditions: { type: string; lastTransitionTime: string }[] }).conditions;
      assert.deepEqual(
        conditions.map((c) => [c.type, c.lastTransitionTime]),
        [['PodScheduled', '2026-03-04T05:06:07Z']],
      );
      const again = await statusError(() => p.bind(t, { target: { name: 'n2' } }));
      assert.equal(again.code, 409);
      assert.match(again.message, /already assigned to node "n1"/);
      const noTarget = await statusError(() => p.bind(t, {}));
      assert.equal(noTarget.code, 422);
      await p.evict(t, { deleteOptions: { gracePeriodSeconds: 0 } });
      assert.equal((await statusError(() => p.get(t))).code, 404);
    });
  });

  describe('watch', () => {
    it('sends the current state, then changes, filtered by selector', async () => {
      await p.create(cm(), configMap('old', {}, { app: 'w' }));
      const events: ObjectEvent[] = [];
      const w = p.watch(cm(), { labelSelector: 'app=w' });
      await w.start(
        (evs) => events.push(...evs),
        (err) => assert.fail(err),
      );
      await p.create(cm(), configMap('new', {}, { app: 'w' }));
      await p.create(cm(), configMap('other', {}, { app: 'x' }));
      await p.patch(cm('new'), MERGE_PATCH, { metadata: { labels: { app: 'x' } } });
      for (let i = 0; i < 50 && events.length < 3; i++) await new Promise((r) => setTimeout(r, 10));
      w.cancel();
      assert.deepEqual(
        events.map((e) => [e.type, e.object.object.metadata.name]),
        [
          ['ADDED', 'old'],
          ['ADDED', 'new'],
          ['DELETED', 'new'],
        ],
      );
      assert.ok(w.lastRevision >= Number(events[2]!.object.resourceVersion));
    });

    it('rejects an invalid resourceVersion before starting', () => {
      assert.throws(
        () => p.watch(cm(), { resourceVersion: 'abc' }),
        (err: unknown) => err instanceof StatusError && err.code === 400,
      );
    });
  });
});
