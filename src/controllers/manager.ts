// The controller manager: every controller in one process behind ONE leader election
// (Lease kube-system/tutti-controller-manager), all sharing one set of informers.
// Leading: create context -> start controllers (they register informers) -> start informers.
// Losing the lease or stop(): stop controllers, then informers.

import { hostname } from 'node:os';
import { type ApiClient, type Clock, LeaderElector, runWithWorkQueueName } from '../client/index.js';
import { type ClusterAutoscalerOptions, startClusterAutoscaler } from '../autoscaler/index.js';
import { type ControllerContext, type Log, newControllerContext, type RunningController } from './context.js';
import {
  type CsrSigningOptions,
  startCsrApprovingController,
  startCsrSigningController,
} from './certificates/controller.js';
import { type CronJobControllerOptions, startCronJobController } from './cronjob/controller.js';
import { startDisruptionController } from './disruption/controller.js';
import { startDaemonSetController } from './daemonset/controller.js';
import { startDeploymentController } from './deployment/controller.js';
import { startEndpointsController } from './endpoints/controller.js';
import { startEndpointSliceController } from './endpointslice/controller.js';
import { startEndpointSliceMirroringController } from './endpointslicemirroring/controller.js';
import { startGarbageCollector } from './garbagecollector/controller.js';
import { startIngressStatusController } from './ingress/controller.js';
import { type JobControllerOptions, startJobController } from './job/controller.js';
import { startNamespaceController } from './namespace/controller.js';
import { type NodeIpamOptions, startNodeIpamController } from './nodeipam/controller.js';
import { type NodeLifecycleOptions, startNodeLifecycleController } from './nodelifecycle/controller.js';
import { type PodGcOptions, startPodGcController } from './podgc/controller.js';
import { type HpaControllerOptions, startHorizontalPodAutoscalerController } from './podautoscaler/controller.js';
import { startReplicaSetController } from './replicaset/controller.js';
import { startReplicationControllerController } from './replicationcontroller/controller.js';
import { type ResourceQuotaControllerOptions, startResourceQuotaController } from './resourcequota/controller.js';
import { startServiceLbController } from './servicelb/controller.js';
import { type ServiceAccountControllerOptions, startServiceAccountController } from './serviceaccount/controller.js';
import { startTokensController } from './serviceaccount/tokens.js';
import { startStatefulSetController } from './statefulset/controller.js';
import { startVolumeController, type VolumeControllerOptions } from './volume/controller.js';

export interface ControllerManagerOptions {
  identity?: string;
  clock?: Clock;
  log?: Log;
  /** Names of controllers to leave out (e.g. 'nodeipam'). */
  disable?: string[];
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  nodeLifecycle?: NodeLifecycleOptions;
  nodeIpam?: NodeIpamOptions;
  job?: JobControllerOptions;
  podGc?: PodGcOptions;
  hpa?: HpaControllerOptions;
  cronJob?: CronJobControllerOptions;
  volume?: VolumeControllerOptions;
  resourceQuota?: ResourceQuotaControllerOptions;
  serviceAccount?: ServiceAccountControllerOptions;
  /** The CSR signer: the client CA (certificate and key) and --cluster-signing-duration; off without a CA. */
  csrSigning?: CsrSigningOptions;
  /**
   * The cluster autoscaler (`src/autoscaler`): runs only when given, with at least one provider
   * (`tutti server --autoscaler-config FILE`); its node groups come from ConfigMap kube-system/tutti-node-groups.
   */
  clusterAutoscaler?: ClusterAutoscalerOptions;
}

/** Starts one controller, or returns undefined when its options leave it off. */
type Starter = (ctx: ControllerContext, o: ControllerManagerOptions) => RunningController | undefined;

/** Every controller by name. Add new ones here. */
const CONTROLLERS: Record<string, Starter> = {
  nodelifecycle: (ctx, o) => startNodeLifecycleController(ctx, o.nodeLifecycle),
  nodeipam: (ctx, o) => startNodeIpamController(ctx, o.nodeIpam),
  endpoints: (ctx) => startEndpointsController(ctx),
  endpointslice: (ctx) => startEndpointSliceController(ctx),
  endpointslicemirroring: (ctx) => startEndpointSliceMirroringController(ctx),
  daemonset: (ctx) => startDaemonSetController(ctx),
  job: (ctx, o) => startJobController(ctx, o.job),
  podgc: (ctx, o) => startPodGcController(ctx, o.podGc),
  replicaset: (ctx) => startReplicaSetController(ctx),
  deployment: (ctx) => startDeploymentController(ctx),
  garbagecollector: (ctx) => startGarbageCollector(ctx),
  namespace: (ctx) => startNamespaceController(ctx),
  horizontalpodautoscaling: (ctx, o) => startHorizontalPodAutoscalerController(ctx, o.hpa),
  replicationcontroller: (ctx) => startReplicationControllerController(ctx),
  statefulset: (ctx) => startStatefulSetController(ctx),
  cronjob: (ctx, o) => startCronJobController(ctx, o.cronJob),
  volume: (ctx, o) => startVolumeController(ctx, o.volume),
  disruption: (ctx) => startDisruptionController(ctx),
  resourcequota: (ctx, o) => startResourceQuotaController(ctx, o.resourceQuota),
  servicelb: (ctx) => startServiceLbController(ctx),
  ingress: (ctx) => startIngressStatusController(ctx),
  serviceaccount: (ctx, o) => startServiceAccountController(ctx, o.serviceAccount),
  'serviceaccount-token': (ctx, o) =>
    startTokensController(ctx, { keyPem: o.serviceAccount?.tokenKeyPem, rootCaPem: o.serviceAccount?.rootCaPem }),
  csrsigning: (ctx, o) => startCsrSigningController(ctx, o.csrSigning),
  csrapproving: (ctx) => startCsrApprovingController(ctx),
  clusterautoscaler: (ctx, o) =>
    o.clusterAutoscaler && Object.keys(o.clusterAutoscaler.providers ?? {}).length > 0
      ? startClusterAutoscaler(ctx, o.clusterAutoscaler)
      : undefined,
};

/** The names of every controller the manager knows (for --disable lists and tests). */
export const CONTROLLER_NAMES: readonly string[] = Object.keys(CONTROLLERS);

/** Starts the named controllers on a context and its informers; no leader election (tests, embedding). */
export function startControllers(
  ctx: ControllerContext,
  opts: ControllerManagerOptions = {},
): { stop(): Promise<void> } {
  const disabled = new Set(opts.disable ?? []);
  const running = Object.entries(CONTROLLERS)
    .filter(([name]) => !disabled.has(name))
    // Each controller's work queues are named after it (workqueue_depth{name=...}, workqueue_adds_total).
    .map(([name, start]) => runWithWorkQueueName(name, () => start(ctx, opts)))
    .filter((c): c is RunningController => c !== undefined);
  ctx.informers.start();
  return {
    async stop() {
      await Promise.all(running.map((c) => c.stop()));
      ctx.informers.stop();
    },
  };
}

export async function startControllerManager(
  client: ApiClient,
  options: ControllerManagerOptions = {},
): Promise<{ stop(): Promise<void> }> {
  const log =
    options.log ??
    ((msg, fields) =>
      console.log(JSON.stringify({ time: new Date().toISOString(), component: 'controller-manager', msg, ...fields })));
  let current: { stop(): Promise<void> } | undefined;
  const elector = new LeaderElector({
    // Its own client, as upstream's: the controllers' requests must not delay the lease's renewal.
    client: client.separate('leader-election'),
    namespace: 'kube-system',
    name: 'tutti-controller-manager',
    identity: options.identity ?? `${hostname()}_${Math.random().toString(36).slice(2, 10)}`,
    leaseDurationMs: options.leaseDurationMs,
    renewDeadlineMs: options.renewDeadlineMs,
    retryPeriodMs: options.retryPeriodMs,
    log,
    onStartedLeading: () => {
      current = startControllers(newControllerContext(client, { clock: options.clock, log }), options);
    },
    onStoppedLeading: async () => {
      const c = current;
      current = undefined;
      await c?.stop();
    },
  });
  const campaign = elector.run();
  return {
    async stop() {
      await elector.stop();
      await campaign;
      await current?.stop();
    },
  };
}
