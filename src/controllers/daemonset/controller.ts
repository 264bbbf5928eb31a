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
import { type ControllerContext, type RunningController, runWorkers } from '../context.js';
import { ensureIndex } from '../shared/indexes.js';
import { type Node, nodeResource, type Pod, podResource } from '../nodelifecycle/core-types.js';
import { type DaemonSet, daemonSetResource, newDaemonPod, REVISION_HASH_LABEL } from './daemon-pod.js';
import { Expectations } from './expectations.js';
import { type ControllerRevision, controllerRevisionResource, planHistory, templateHash } from './history.js';
import { planDaemonSet } from './plan.js';

const COMPONENT = 'daemonset-controller';
const OWNER_INDEX = 'ownerUid';
/** Pods created per request batch; a large cluster gets its pods without opening thousands of streams. */
const WRITE_CONCURRENCY = 32;

export function startDaemonSetController(ctx: ControllerContext, opts: { workers?: number } = {}): RunningController {
  const { client, clock, log } = ctx;
  const recorder = ctx.recorder(COMPONENT);
  const daemonsets = ctx.informers.forResource<DaemonSet>(daemonSetResource);
  const nodes = ctx.informers.forResource<Node>(nodeResource);
  const pods = ctx.informers.forResource<Pod>(podResource);
  const revisions = ctx.informers.forResource<ControllerRevision>(controllerRevisionResource);
  ensureIndex(pods, OWNER_INDEX, ownerUidIndexFunc);
  ensureIndex(revisions, OWNER_INDEX, ownerUidIndexFunc);
  const queue = new WorkQueue<string>({ clock });
  const expectations = new Expectations(() => clock.now());

  const ownerDs = (pod: Pod): DaemonSet | undefined => {
    const ref = pod.metadata.ownerReferences?.find((r) => r.controller && r.kind === 'DaemonSet');
    if (!ref) return undefined;
    const ds = daemonsets.get(`${pod.metadata.namespace}/${ref.name}`);
    return ds?.metadata.uid === ref.uid ? ds : undefined;
  };
  daemonsets.addEventHandler({
    onAdd: (d) => queue.add(objectKey(d.metadata)),
    onUpdate: (_o, d) => queue.add(objectKey(d.metadata)),
    onDelete: (d) => expectations.forget(objectKey(d.metadata)),
  });
  pods.addEventHandler({
    onAdd: (p) => {
      const ds = ownerDs(p);
      if (!ds) return;
      expectations.observedAdd(objectKey(ds.metadata));
      queue.add(objectKey(ds.metadata));
    },
    onUpdate: (o, p) => {
      const ds = ownerDs(p);
      if (!ds) return;
      if (p.metadata.deletionTimestamp && !o.metadata.deletionTimestamp)
        expectations.observedDelete(objectKey(ds.metadata));
      queue.add(objectKey(ds.metadata));
    },
    onDelete: (p) => {
      const ds = ownerDs(p);
      if (!ds) return;
      if (!p.metadata.deletionTimestamp) expectations.observedDelete(objectKey(ds.metadata));
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
    if (!ds) return;
    const namespace = ds.metadata.namespace ?? '';
    const owned = pods.byIndex(OWNER_INDEX, ds.metadata.uid ?? '');
    const hash = templateHash(ds.spec.template, Number(ds.status?.collisionCount ?? 0));

    if (!ds.metadata.deletionTimestamp) await syncHistory(ds, hash, owned);
    const plan = planDaemonSet(ds, nodes.list(), owned, hash, clock.now());
    if (!ds.metadata.deletionTimestamp && expectations.satisfied(key)) {
      expectations.expect(key, plan.create.length, plan.delete.length);
      await inBatches(plan.create, async (node) => {
        try {
          const pod = await client.create<Pod>(resourcePath(podResource, { namespace }), newDaemonPod(ds, node, hash));
          void recorder.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
        } catch (err) {
          expectations.observedAdd(key);
          void recorder.event(ds, 'Warning', 'FailedCreate', `Error creating: ${String(err)}`);
          throw err;
        }
      });
      await inBatches(plan.delete, async ({ pod, reason }) => {
        try {
          await client.delete(resourcePath(podResource, { namespace, name: pod.metadata.name }), {
            preconditions: { uid: pod.metadata.uid },
          });
          void recorder.event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
          if (reason === 'failed')
            void recorder.event(
              ds,
              'Warning',
              'FailedDaemonPod',
              `Found failed daemon pod ${namespace}/${pod.metadata.name} on node ${pod.spec.nodeName}, will try to kill it`,
            );
        } catch (err) {
          expectations.observedDelete(key);
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
        resourcePath(daemonSetResource, { namespace, name: ds.metadata.name, subresource: 'status' }),
        { status },
        'merge',
      );
    }
    // Pods become available minReadySeconds after Ready: look again then.
    if ((ds.spec.minReadySeconds ?? 0) > 0 && status.numberAvailable < status.numberReady)
      queue.addAfter(key, ds.spec.minReadySeconds! * 1000);
  };

  const syncHistory = async (ds: DaemonSet, hash: string, owned: Pod[]) => {
    const namespace = ds.metadata.namespace ?? '';
    const inUse = new Set(owned.map((p) => p.metadata.labels?.[REVISION_HASH_LABEL] ?? ''));
    const history = planHistory(ds, hash, revisions.byIndex(OWNER_INDEX, ds.metadata.uid ?? ''), inUse);
    const collection = resourcePath(controllerRevisionResource, { namespace });
    if (history.current.action === 'create') {
      try {
        await client.create(collection, history.current.revision);
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
        // Same name, maybe another template (a hash collision): bump collisionCount, as upstream.
        const existing = await client.get<ControllerRevision>(
          `${collection}/${history.current.revision.metadata.name}`,
        );
        if (JSON.stringify(existing.data) !== JSON.stringify(history.current.revision.data)) {
          const collisionCount = Number(ds.status?.collisionCount ?? 0) + 1;
          await client.patch(
            resourcePath(daemonSetResource, { namespace, name: ds.metadata.name, subresource: 'status' }),
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

function pick(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = o[k];
  return out;
}

/** Runs fn over items with at most WRITE_CONCURRENCY in flight; throws the first error after all settle. */
export async function inBatches<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let firstError: unknown;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++]!;
      try {
        await fn(item);
      } catch (err) {
        firstError ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(WRITE_CONCURRENCY, items.length) }, worker));
  if (firstError !== undefined) throw firstError;
}
