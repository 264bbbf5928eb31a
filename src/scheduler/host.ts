// Hosts the scheduler as an API client: pod, node, claim, volume and StorageClass informers feed it, binds go
// through pods/binding, failures through the pod's status and FailedScheduling events. Runs behind a leader
// election so two servers never schedule at once.
import type { ApiClient } from '../client/api-client.js';
import { isNotFound } from '../client/errors.js';
import { EventRecorder } from '../client/event-recorder.js';
import { Informer } from '../client/informer.js';
import { LeaderElector } from '../client/leader-election.js';
import { resourcePath } from '../client/paths.js';
import { resources } from '../core/resources.js';
import { rfc3339 } from '../core/time.js';
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod, StorageClass } from '../core/types.js';
import { Scheduler, type SchedulerIO, type SchedulerMetricsSink } from './scheduler.js';

const PODS = resources.pods;
const NODES = resources.nodes;

export interface SchedulerHostOptions {
  client: ApiClient;
  identity: string;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
  /** Skip leader election (tests, single-process benchmarks). */
  noLeaderElection?: boolean;
  /** Prometheus hooks (scheduler.ts `SchedulerMetricsSink`). */
  metrics?: SchedulerMetricsSink;
}

export function schedulerIO(client: ApiClient, recorder: EventRecorder): SchedulerIO {
  return {
    async bind(pod, nodeName) {
      const ns = pod.metadata.namespace!;
      const name = pod.metadata.name!;
      await client.create(resourcePath(PODS, { namespace: ns, name, subresource: 'binding' }), {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name, namespace: ns, uid: pod.metadata.uid },
        target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
      });
    },
    async markUnschedulable(pod, message) {
      const ns = pod.metadata.namespace!;
      const name = pod.metadata.name!;
      const cur = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
      if (cur && cur.status === 'False' && cur.reason === 'Unschedulable' && cur.message === message) return;
      await client.patch(
        resourcePath(PODS, { namespace: ns, name, subresource: 'status' }),
        {
          status: {
            conditions: [
              {
                type: 'PodScheduled',
                status: 'False',
                reason: 'Unschedulable',
                message,
                lastProbeTime: null,
                lastTransitionTime: rfc3339(Date.now()),
              },
            ],
          },
        },
        'strategic',
        { fieldManager: 'tutti-scheduler' },
      );
    },
    event(pod, type, reason, message) {
      void recorder.event(pod, type, reason, message);
    },
    async nominate(pod, nodeName) {
      if (pod.status?.nominatedNodeName === nodeName) return;
      const ns = pod.metadata.namespace!;
      const name = pod.metadata.name!;
      await client.patch(
        resourcePath(PODS, { namespace: ns, name, subresource: 'status' }),
        { status: { nominatedNodeName: nodeName } },
        'merge',
        { fieldManager: 'tutti-scheduler' },
      );
    },
    async evict(victim, preemptor) {
      // Upstream's prepareCandidate: the DisruptionTarget condition first (so the victim's owner and the
      // kubelet see why), then a graceful delete guarded by the victim's UID.
      const ns = victim.metadata.namespace!;
      const name = victim.metadata.name!;
      const path = resourcePath(PODS, { namespace: ns, name });
      await client
        .patch(
          `${path}/status`,
          {
            status: {
              conditions: [
                {
                  type: 'DisruptionTarget',
                  status: 'True',
                  reason: 'PreemptionByScheduler',
                  message: `${preemptor.spec?.schedulerName ?? 'default-scheduler'}: preempting to accommodate a higher priority pod`,
                  lastTransitionTime: rfc3339(Date.now()),
                },
              ],
            },
          },
          'strategic',
          { fieldManager: 'tutti-scheduler' },
        )
        .catch((err: unknown) => {
          if (!isNotFound(err)) throw err;
        });
      await client.delete(path, { preconditions: { uid: victim.metadata.uid } }).catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
    },
  };
}

/** Starts informers and the scheduling loop (after winning the election). */
export async function startSchedulerHost(opts: SchedulerHostOptions): Promise<{ stop(): Promise<void> }> {
  const { client } = opts;
  const recorder = new EventRecorder({ client, component: 'default-scheduler' });
  let scheduler: Scheduler | undefined;
  let pods: Informer<Pod> | undefined;
  let nodes: Informer<Node> | undefined;
  let storage: Array<Informer<PersistentVolumeClaim> | Informer<PersistentVolume> | Informer<StorageClass>> = [];

  const run = async () => {
    const s = new Scheduler({ io: schedulerIO(client, recorder), log: opts.log, metrics: opts.metrics });
    scheduler = s;
    nodes = new Informer<Node>({ client, resource: NODES });
    pods = new Informer<Pod>({
      client,
      resource: PODS,
      fieldSelector: 'status.phase!=Succeeded,status.phase!=Failed',
    });
    nodes.addEventHandler({
      onAdd: (n) => s.onNodeAdd(n),
      onUpdate: (_o, n) => s.onNodeUpdate(n),
      onDelete: (n) => s.onNodeDelete(n),
    });
    pods.addEventHandler({
      onAdd: (p) => s.onPodAdd(p),
      onUpdate: (o, p) => s.onPodUpdate(p, o),
      onDelete: (p) => s.onPodDelete(p),
    });
    // VolumeBinding's listers (role system:volume-scheduler reads them).
    const claims = new Informer<PersistentVolumeClaim>({ client, resource: resources.persistentvolumeclaims });
    const volumes = new Informer<PersistentVolume>({ client, resource: resources.persistentvolumes });
    const classes = new Informer<StorageClass>({ client, resource: resources.storageclasses });
    claims.addEventHandler({
      onAdd: (c) => s.onClaimAdd(c),
      onUpdate: (_o, c) => s.onClaimUpdate(c),
      onDelete: (c) => s.onClaimDelete(c),
    });
    volumes.addEventHandler({
      onAdd: (v) => s.onVolumeAdd(v),
      onUpdate: (_o, v) => s.onVolumeUpdate(v),
      onDelete: (v) => s.onVolumeDelete(v),
    });
    classes.addEventHandler({
      onAdd: (c) => s.onClassAdd(c),
      onUpdate: (_o, c) => s.onClassUpdate(c),
      onDelete: (c) => s.onClassDelete(c),
    });
    storage = [claims, volumes, classes];
    nodes.start();
    pods.start();
    for (const i of storage) i.start();
    await nodes.waitForSync();
    await pods.waitForSync();
    for (const i of storage) await i.waitForSync();
    s.start();
  };
  let starting: Promise<void> | undefined;
  const teardown = async () => {
    // A start still waiting for its caches finishes first, so that what it starts is stopped too.
    await starting;
    await scheduler?.stop();
    pods?.stop();
    nodes?.stop();
    for (const i of storage) i.stop();
    storage = [];
    scheduler = undefined;
  };

  if (opts.noLeaderElection) {
    await run();
    return { stop: teardown };
  }
  const elector = new LeaderElector({
    // Its own client, as upstream's: the scheduler's requests must not delay the lease's renewal.
    client: client.separate('leader-election'),
    namespace: 'kube-system',
    name: 'kube-scheduler',
    identity: opts.identity,
    onStartedLeading: () => {
      starting = run().catch((err) => opts.log?.('scheduler failed to start', { err: String(err) }));
    },
    onStoppedLeading: () => teardown(),
    log: opts.log,
  });
  const done = elector.run();
  return {
    async stop() {
      await elector.stop();
      await teardown();
      await done.catch(() => {});
    },
  };
}
