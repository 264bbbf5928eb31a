// The autoscaler's settings, with upstream cluster-autoscaler's flag names and defaults (durations in ms).

import { DEFAULT_GROUP_BACKOFF, type GroupBackoffOptions } from './group-backoff.js';
import type { ProviderConfig } from './providers/config.js';
import type { NodeProvider } from './providers/provider.js';
import { DEFAULT_SCALE_DOWN_OPTIONS, type ScaleDownOptions } from './scaledown/plan.js';
import type { ExpanderName } from './scaleup/expander.js';

export interface ScaleDownSettings extends ScaleDownOptions {
  /** Upstream --scale-down-enabled (true). */
  enabled: boolean;
  /** Upstream --scale-down-delay-after-add (10 min): no removal this long after a scale-up. */
  delayAfterAddMs: number;
  /** Upstream --scale-down-delay-after-delete (0: the scan interval). */
  delayAfterDeleteMs: number;
  /** Upstream --scale-down-delay-after-failure (3 min). */
  delayAfterFailureMs: number;
}

export interface ClusterAutoscalerOptions {
  /**
   * Providers by the name node groups refer to (`provider:` in a group's declaration): instances (the
   * caller owns them), or plain configs the autoscaler turns into providers with its API client.
   */
  providers: Record<string, NodeProvider | ProviderConfig>;
  /** Upstream --scan-interval (10 s). New unschedulable pods start a pass sooner. */
  scanIntervalMs?: number;
  /** Upstream --new-pod-scale-up-delay (0): younger unschedulable pods wait. */
  newPodScaleUpDelayMs?: number;
  /** Upstream --expander (least-waste). */
  expander?: ExpanderName;
  /** Upstream --max-node-provision-time (15 min): a node not Ready by then is removed and its group backs off. */
  maxNodeProvisionTimeMs?: number;
  /** Most time a provider's create call may take (default: the provision time). */
  nodeCreateTimeoutMs?: number;
  /** Most time a provider's delete or list call may take (default 5 min / 1 min). */
  nodeDeleteTimeoutMs?: number;
  nodeListTimeoutMs?: number;
  /** Upstream --max-nodes-total (0: no limit). */
  maxNodesTotal?: number;
  /** Upstream --max-nodes-per-scaleup (1000). */
  maxNodesPerScaleUp?: number;
  /**
   * Upstream --enforce-node-group-min-size, but on by default: a cloud group holds its minimum itself,
   * Tutti's providers hold nothing until asked, so a declared group is brought to its minSize.
   */
  enforceNodeGroupMinSize?: boolean;
  scaleDown?: Partial<ScaleDownSettings>;
  /** Upstream --max-pod-eviction-time (2 min): how long evictions of one node's pods are retried. */
  maxPodEvictionTimeMs?: number;
  /** Upstream --max-graceful-termination-sec (600): the grace period given to evicted pods at most. */
  maxGracefulTerminationSec?: number;
  /** Time between tries of an eviction a budget refused (429). */
  evictionRetryMs?: number;
  backoff?: Partial<GroupBackoffOptions>;
  /** Wait after a new unschedulable pod before the pass it starts, so a burst makes one pass (100 ms). */
  reactDelayMs?: number;
  /** Least time between two NotTriggerScaleUp events on one pod with the same message (5 min). */
  notTriggeredEventIntervalMs?: number;
  /** Least time between two writes of an unchanged status (60 s); a change is written at once. */
  statusRewriteMs?: number;
  /** Random source for the expanders and node names. */
  random?: () => number;
}

export type ResolvedOptions = Required<
  Omit<ClusterAutoscalerOptions, 'scaleDown' | 'backoff' | 'nodeCreateTimeoutMs'>
> & {
  nodeCreateTimeoutMs: number;
  scaleDown: ScaleDownSettings;
  backoff: GroupBackoffOptions;
};

export function resolveOptions(o: ClusterAutoscalerOptions): ResolvedOptions {
  const maxNodeProvisionTimeMs = o.maxNodeProvisionTimeMs ?? 15 * 60_000;
  return {
    providers: o.providers,
    scanIntervalMs: o.scanIntervalMs ?? 10_000,
    newPodScaleUpDelayMs: o.newPodScaleUpDelayMs ?? 0,
    expander: o.expander ?? 'least-waste',
    maxNodeProvisionTimeMs,
    nodeCreateTimeoutMs: o.nodeCreateTimeoutMs ?? maxNodeProvisionTimeMs,
    nodeDeleteTimeoutMs: o.nodeDeleteTimeoutMs ?? 5 * 60_000,
    nodeListTimeoutMs: o.nodeListTimeoutMs ?? 60_000,
    maxNodesTotal: o.maxNodesTotal ?? 0,
    maxNodesPerScaleUp: o.maxNodesPerScaleUp ?? 1000,
    enforceNodeGroupMinSize: o.enforceNodeGroupMinSize ?? true,
    scaleDown: {
      ...DEFAULT_SCALE_DOWN_OPTIONS,
      enabled: true,
      delayAfterAddMs: 10 * 60_000,
      delayAfterDeleteMs: 0,
      delayAfterFailureMs: 3 * 60_000,
      ...o.scaleDown,
    },
    maxPodEvictionTimeMs: o.maxPodEvictionTimeMs ?? 2 * 60_000,
    maxGracefulTerminationSec: o.maxGracefulTerminationSec ?? 600,
    evictionRetryMs: o.evictionRetryMs ?? 2_000,
    backoff: { ...DEFAULT_GROUP_BACKOFF, ...o.backoff },
    reactDelayMs: o.reactDelayMs ?? 100,
    notTriggeredEventIntervalMs: o.notTriggeredEventIntervalMs ?? 5 * 60_000,
    statusRewriteMs: o.statusRewriteMs ?? 60_000,
    random: o.random ?? Math.random,
  };
}
