// Node lifecycle controller: marks nodes whose heartbeat went stale Ready=Unknown, keeps the
// not-ready/unreachable/unschedulable taints in step with the Ready condition, and evicts pods from
// nodes with NoExecute taints once their tolerations run out (the taint-eviction controller upstream).
//
// nodes, leases ──▶ monitor tick (every monitorPeriod) ──▶ PATCH node status (Unknown) ─┐
// nodes ──▶ nodeQueue ──▶ syncNode: PATCH taints, enqueue its pods                      │
// pods  ──▶ podQueue  ──▶ syncPod: evict now (DELETE) or addAfter(toleration deadline)  ◀┘

import { isNotFound, objectKey, resourcePath, WorkQueue } from '../../client/index.js';
import {
  type Lease,
  NODE_LEASE_NAMESPACE,
  type Node,
  type Pod,
  POD_NODE_INDEX,
  podNodeIndex,
  resources,
} from '../../core/index.js';
import { type ControllerContext, type RunningController, runPeriodically, runWorkers } from '../context.js';
import { ensureIndex } from '../shared/indexes.js';
import {
  desiredNodeTaints,
  type HealthProbe,
  notReadyPodConditions,
  observeHeartbeat,
  podEviction,
  staleNodeConditions,
} from './health.js';

export interface NodeLifecycleOptions {
  /** How long a node may go without a heartbeat before it is Unknown (upstream --node-monitor-grace-period, 40 s). */
  gracePeriodMs?: number;
  /** How often every node's heartbeat is checked (upstream --node-monitor-period, 5 s). */
  monitorPeriodMs?: number;
  workers?: number;
}

const COMPONENT = 'node-controller';

export function startNodeLifecycleController(
  ctx: ControllerContext,
  opts: NodeLifecycleOptions = {},
): RunningController {
  const grace = opts.gracePeriodMs ?? 40_000;
  const period = opts.monitorPeriodMs ?? 5_000;
  const { client, clock, log } = ctx;
  const recorder = ctx.recorder(COMPONENT);
  const nodes = ctx.informers.forResource<Node>(resources.nodes);
  const leases = ctx.informers.forResource<Lease>(resources.leases);
  const pods = ctx.informers.forResource<Pod>(resources.pods);
  ensureIndex(pods, POD_NODE_INDEX, podNodeIndex);
  const probes = new Map<string, HealthProbe>();
  const nodeQueue = new WorkQueue<string>({ clock });
  const podQueue = new WorkQueue<string>({ clock });

  nodes.addEventHandler({
    onAdd: (n) => nodeQueue.add(n.metadata.name ?? ''),
    onUpdate: (_o, n) => nodeQueue.add(n.metadata.name ?? ''),
    onDelete: (n) => probes.delete(n.metadata.name ?? ''),
  });
  const onPod = (p: Pod) => {
    if (p.spec?.nodeName && !p.metadata.deletionTimestamp) podQueue.add(objectKey(p.metadata));
  };
  pods.addEventHandler({ onAdd: onPod, onUpdate: (_o, p) => onPod(p) });

  /** One pass over every node: stale heartbeats become Ready=Unknown (monitorNodeHealth). */
  const monitor = async () => {
    const now = clock.now();
    for (const node of nodes.list()) {
      const name = node.metadata.name ?? '';
      const lease = leases.get(`${NODE_LEASE_NAMESPACE}/${name}`);
      const probe = observeHeartbeat(probes.get(name), node, lease, now);
      probes.set(name, probe);
      const conditions = staleNodeConditions(node, probe, now, grace);
      if (!conditions) continue;
      try {
        await client.patch(
          resourcePath(resources.nodes, { name, subresource: 'status' }),
          { status: { conditions } },
          'merge',
        );
        log('node heartbeat stale: Ready=Unknown', {
          controller: COMPONENT,
          object: name,
          sinceMs: now - probe.observedAt,
        });
        void recorder.event(node, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
        await markPodsNotReady(name);
      } catch (err) {
        if (!isNotFound(err))
          log('could not mark node unknown', { controller: COMPONENT, object: name, error: String(err) });
      }
    }
  };

  const markPodsNotReady = async (nodeName: string) => {
    for (const pod of pods.byIndex(POD_NODE_INDEX, nodeName)) {
      const conditions = notReadyPodConditions(pod, clock.now());
      if (!conditions) continue;
      const path = resourcePath(resources.pods, {
        namespace: pod.metadata.namespace,
        name: pod.metadata.name,
        subresource: 'status',
      });
      try {
        await client.patch(path, { status: { conditions } }, 'merge');
        void recorder.event(pod, 'Warning', 'NodeNotReady', 'Node is not ready');
      } catch (err) {
        if (!isNotFound(err))
          log('could not mark pod not ready', {
            controller: COMPONENT,
            object: objectKey(pod.metadata),
            error: String(err),
          });
      }
    }
  };

  const syncNode = async (name: string) => {
    const node = nodes.get(name);
    if (!node) return;
    const taints = desiredNodeTaints(node, clock.now());
    if (taints) {
      await client.patch(
        resourcePath(resources.nodes, { name }),
        { metadata: { resourceVersion: node.metadata.resourceVersion }, spec: { taints } },
        'merge',
      );
      log('node taints updated', {
        controller: COMPONENT,
        object: name,
        taints: taints.map((t) => `${t.key}:${t.effect}`),
      });
    }
    for (const pod of pods.byIndex(POD_NODE_INDEX, name)) podQueue.add(objectKey(pod.metadata));
  };

  const syncPod = async (key: string) => {
    const pod = pods.get(key);
    const nodeName = pod?.spec?.nodeName;
    if (!pod || !nodeName) return;
    const node = nodes.get(nodeName);
    if (!node) return;
    const now = clock.now();
    const decision = podEviction(pod, node.spec?.taints, now);
    if (decision.kind === 'keep') return;
    if (decision.kind === 'evictAt') {
      podQueue.addAfter(key, decision.at - now);
      return;
    }
    void recorder.event(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`);
    try {
      await client.delete(
        resourcePath(resources.pods, { namespace: pod.metadata.namespace, name: pod.metadata.name }),
        {
          preconditions: { uid: pod.metadata.uid },
        },
      );
      log('evicted pod from tainted node', { controller: COMPONENT, object: key, node: node.metadata.name });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  };

  const workers = [
    runWorkers({
      name: `${COMPONENT}-taints`,
      ctx,
      queue: nodeQueue,
      waitFor: [nodes, pods],
      workers: opts.workers ?? 2,
      sync: syncNode,
    }),
    runWorkers({
      name: `${COMPONENT}-eviction`,
      ctx,
      queue: podQueue,
      waitFor: [nodes, pods],
      workers: opts.workers ?? 2,
      sync: syncPod,
    }),
  ];

  const sweep = runPeriodically({
    clock,
    periodMs: period,
    ready: () => nodes.hasSynced() && leases.hasSynced(),
    pass: monitor,
    onError: (err) => log('node monitor failed', { controller: COMPONENT, error: String(err) }),
  });

  return {
    name: COMPONENT,
    async stop() {
      await sweep.stop();
      await Promise.all(workers.map((w) => w.stop()));
    },
  };
}
