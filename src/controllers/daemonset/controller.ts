// DaemonSet controller: one pod per eligible node, rolling updates, history and status.
//
// daemonsets, nodes, pods, controllerrevisions ──▶ queue of ds keys ──▶ sync:
//   history (ControllerRevision for the template) ─▶ planDaemonSet ─▶ create/delete pods ─▶ PATCH status

import {
  isAlreadyExists,
  isNotFound,
  objectKey,
  ownerUidIndexFunc,
  resourcePath,
  WorkQueue,
} from '../../client/index.js';
import { type ControllerRevision, type DaemonSet, type Node, type Pod, resources } from '../../core/index.js';
import { type ControllerContext, type RunningController, runWorkers } from '../context.js';
import { inBatches } from '../shared/batches.js';
import { Expectations } from '../shared/expectations.js';
import { equalRevision } from '../shared/history.js';
import { ensureIndex, OWNER_UID_INDEX } from '../shared/indexes.js';
import { SpecGuard } from '../shared/spec-guard.js';
import { newDaemonPod, REVISION_HASH_LABEL } from './daemon-pod.js';
import { planHistory, templateHash } from './history.js';
import { planDaemonSet } from './plan.js';

const COMPONENT = 'daemonset-controller';

export function startDaemonSetController(ctx: ControllerContext, opts: { workers?: number } = {}): RunningController {
  const { client, clock, log } = ctx;
  const recorder = ctx.recorder(COMPONENT);
  const guard = new SpecGuard(recorder, 'DaemonSet', 'apps/v1', ctx.log);
  const daemonsets = ctx.informers.forResource<DaemonSet>(resources.daemonsets);
  const nodes = ctx.informers.forResource<Node>(resources.nodes);
  const pods = ctx.informers.forResource<Pod>(resources.pods);
  const revisions = ctx.informers.forResource<ControllerRevision>(resources.controllerrevisions);
  ensureIndex(pods, OWNER_UID_INDEX, ownerUidIndexFunc);
  ensureIndex(revisions, OWNER_UID_INDEX, ownerUidIndexFunc);
  const queue = new WorkQueue<string>({ clock });
  const expectations = new Expectations(clock);

  const ownerDs = (pod: Pod): DaemonSet | undefined => {
    const ref = pod.metadata.ownerReferences?.find((r) => r.controller && r.kind === 'DaemonSet');
    if (!ref) return undefined;
    const ds = daemonsets.get(`${pod.metadata.namespace}/${ref.name}`);
    return ds?.metadata.uid === ref.uid ? ds : undefined;
  };
  daemonsets.addEventHandler({
    onAdd: (d) => queue.add(objectKey(d.metadata)),
    onUpdate: (_o, d) => queue.add(objectKey(d.metadata)),
    onDelete: (d) => expectations.delete(objectKey(d.metadata)),
  });
  pods.addEventHandler({
    onAdd: (p) => {
      const ds = ownerDs(p);
      if (!ds) return;
      expectations.creationObserved(objectKey(ds.metadata));
      queue.add(objectKey(ds.metadata));
    },
    onUpdate: (o, p) => {
      const ds = ownerDs(p);
      if (!ds) return;
      if (p.metadata.deletionTimestamp && !o.metadata.deletionTimestamp)
        expectations.deletionObserved(objectKey(ds.metadata));
      queue.add(objectKey(ds.metadata));
    },
    onDelete: (p) => {
      const ds = ownerDs(p);
      if (!ds) return;
      if (!p.metadata.deletionTimestamp) expectations.deletionObserved(objectKey(ds.metadata));
      queue.add(objectKey(ds.metadata));
    },
  });
  const allDaemonSets = () => {
    for (const d of daemonsets.list()) queue.add(objectKey(d.metadata));
  };
  nodes.addEventHandler({
    onAdd: allDaemonSets,
    onDelete: allDaemonSets,
    onUpdate: (o, n) => {
      // Heartbeats change status only; placement depends on labels, taints and readiness of pods.
      if (JSON.stringify([o.metadata.labels, o.spec]) !== JSON.stringify([n.metadata.labels, n.spec])) allDaemonSets();
    },
  });

  const sync = async (key: string) => {
    const ds = daemonsets.get(key);
    if (!ds || guard.refuse(ds)) return;
    const namespace = ds.metadata.namespace ?? '';
    const owned = pods.byIndex(OWNER_UID_INDEX, ds.metadata.uid ?? '');
    const hash = templateHash(ds.spec?.template, Number(ds.status?.collisionCount ?? 0));

    if (!ds.metadata.deletionTimestamp) await syncHistory(ds, hash, owned);
    const plan = planDaemonSet(ds, nodes.list(), owned, hash, clock.now());
    if (!ds.metadata.deletionTimestamp && expectations.satisfied(key)) {
      expectations.expect(key, plan.create.length, plan.delete.length);
      await inBatches(plan.create, async (node) => {
        try {
          const pod = await client.create<Pod>(
            resourcePath(resources.pods, { namespace }),
            newDaemonPod(ds, node, hash),
          );
          void recorder.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
        } catch (err) {
          expectations.creationObserved(key);
          void recorder.event(ds, 'Warning', 'FailedCreate', `Error creating: ${String(err)}`);
          throw err;
        }
      });
      await inBatches(plan.delete, async ({ pod, reason }) => {
        try {
          await client.delete(resourcePath(resources.pods, { namespace, name: pod.metadata.name }), {
            preconditions: { uid: pod.metadata.uid },
          });
          void recorder.event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
          if (reason === 'failed')
            void recorder.event(
              ds,
              'Warning',
              'FailedDaemonPod',
              `Found failed daemon pod ${namespace}/${pod.metadata.name} on node ${pod.spec?.nodeName}, will try to kill it`,
            );
        } catch (err) {
          expectations.deletionObserved(key);
          if (!isNotFound(err)) throw err;
        }
      });
      if (plan.create.length + plan.delete.length > 0) {
        log('daemonset synced', {
          controller: COMPONENT,
          object: key,
          created: plan.create.length,
          deleted: plan.delete.length,
        });
      }
    }
    const status = { ...plan.status, observedGeneration: ds.metadata.generation };
    if (ds.status?.collisionCount !== undefined) status.collisionCount = Number(ds.status.collisionCount);
    if (JSON.stringify(pick(ds.status ?? {}, Object.keys(status))) !== JSON.stringify(status)) {
      await client.patch(
        resourcePath(resources.daemonsets, { namespace, name: ds.metadata.name, subresource: 'status' }),
        { status },
        'merge',
      );
    }
    // Pods become available minReadySeconds after Ready: look again then.
    const minReadySeconds = ds.spec?.minReadySeconds ?? 0;
    if (minReadySeconds > 0 && status.numberAvailable < status.numberReady) queue.addAfter(key, minReadySeconds * 1000);
  };

  const syncHistory = async (ds: DaemonSet, hash: string, owned: Pod[]) => {
    const namespace = ds.metadata.namespace ?? '';
    const inUse = new Set(owned.map((p) => p.metadata.labels?.[REVISION_HASH_LABEL] ?? ''));
    const history = planHistory(ds, hash, revisions.byIndex(OWNER_UID_INDEX, ds.metadata.uid ?? ''), inUse);
    const collection = resourcePath(resources.controllerrevisions, { namespace });
    if (history.current.action === 'create') {
      try {
        await client.create(collection, history.current.revision);
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
        // Same name, maybe another template (a hash collision): bump collisionCount, as upstream.
        const existing = await client.get<ControllerRevision>(
          `${collection}/${history.current.revision.metadata.name}`,
        );
        if (!equalRevision(existing, history.current.revision)) {
          const collisionCount = Number(ds.status?.collisionCount ?? 0) + 1;
          await client.patch(
            resourcePath(resources.daemonsets, { namespace, name: ds.metadata.name, subresource: 'status' }),
            { status: { collisionCount } },
            'merge',
          );
          throw new Error(`controllerrevision hash collision for ${objectKey(ds.metadata)}`);
        }
      }
    } else if (history.current.action === 'bump') {
      await client.update(`${collection}/${history.current.revision.metadata.name}`, history.current.revision);
    }
    for (const r of history.prune) {
      try {
        await client.delete(`${collection}/${r.metadata.name}`);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
  };

  const running = runWorkers({
    name: COMPONENT,
    ctx,
    queue,
    waitFor: [daemonsets, nodes, pods, revisions],
    workers: opts.workers ?? 2,
    sync,
  });
  return { name: COMPONENT, stop: () => running.stop() };
}

function pick(o: object, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = (o as Record<string, unknown>)[k];
  return out;
}
