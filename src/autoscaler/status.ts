// The status the autoscaler publishes in ConfigMap kube-system/cluster-autoscaler-status, key `status`,
// in upstream's shape (clusterstate/api ClusterAutoscalerStatus, YAML): cluster-wide and per-group health
// with node counts and target sizes, scale-up (InProgress, NoActivity, Backoff with the error) and
// scale-down (CandidatesPresent, NoCandidates). Transition times persist across loops in StatusClock.

import { stringify } from 'yaml';
import { rfc3339 } from '../core/time.js';

export type HealthStatus = 'Healthy' | 'Unhealthy';
export type ScaleUpStatus = 'InProgress' | 'NoActivity' | 'Backoff';
export type ScaleDownStatus = 'CandidatesPresent' | 'NoCandidates';

export interface NodeCounts {
  registered: {
    total: number;
    ready: number;
    notStarted: number;
    beingDeleted: number;
    unready: { total: number; resourceUnready: number };
  };
  longUnregistered: number;
  unregistered: number;
}

export interface GroupObservation {
  name: string;
  health: HealthStatus;
  /** Why the group is unhealthy (no provider, a provider failing to list, a bad declaration). */
  healthMessage?: string;
  nodeCounts: NodeCounts;
  /** Nodes the group has or is creating (upstream: the cloud provider's target size). */
  target: number;
  minSize: number;
  maxSize: number;
  scaleUp: ScaleUpStatus;
  backoff?: { errorCode: string; errorMessage: string };
  scaleDownCandidates: number;
}

export interface ClusterObservation {
  autoscalerStatus: 'Running' | 'Initializing';
  message?: string;
  groups: GroupObservation[];
}

interface Condition {
  status: string;
  lastProbeTime: string;
  lastTransitionTime: string;
}

/** Remembers when each condition last changed, so lastTransitionTime means what it says. */
export class StatusClock {
  private readonly since = new Map<string, { status: string; at: number }>();

  condition(key: string, status: string, now: number): Condition {
    const prev = this.since.get(key);
    const at = prev && prev.status === status ? prev.at : now;
    this.since.set(key, { status, at });
    return { status, lastProbeTime: rfc3339(now), lastTransitionTime: rfc3339(at) };
  }
}

export function emptyCounts(): NodeCounts {
  return {
    registered: { total: 0, ready: 0, notStarted: 0, beingDeleted: 0, unready: { total: 0, resourceUnready: 0 } },
    longUnregistered: 0,
    unregistered: 0,
  };
}

function sumCounts(all: readonly NodeCounts[]): NodeCounts {
  const t = emptyCounts();
  for (const c of all) {
    t.registered.total += c.registered.total;
    t.registered.ready += c.registered.ready;
    t.registered.notStarted += c.registered.notStarted;
    t.registered.beingDeleted += c.registered.beingDeleted;
    t.registered.unready.total += c.registered.unready.total;
    t.longUnregistered += c.longUnregistered;
    t.unregistered += c.unregistered;
  }
  return t;
}

/** The status object (upstream's field names), as plain data. */
export function statusObject(o: ClusterObservation, clock: StatusClock, now: number): Record<string, unknown> {
  const health: HealthStatus = o.groups.every((g) => g.health === 'Healthy') ? 'Healthy' : 'Unhealthy';
  const scaleUp: ScaleUpStatus = o.groups.some((g) => g.scaleUp === 'InProgress') ? 'InProgress' : 'NoActivity';
  const candidates = o.groups.reduce((n, g) => n + g.scaleDownCandidates, 0);
  const scaleDown: ScaleDownStatus = candidates > 0 ? 'CandidatesPresent' : 'NoCandidates';
  return {
    time: rfc3339(now),
    autoscalerStatus: o.autoscalerStatus,
    ...(o.message ? { message: o.message } : {}),
    clusterWide: {
      health: {
        ...clock.condition('cluster/health', health, now),
        nodeCounts: sumCounts(o.groups.map((g) => g.nodeCounts)),
      },
      scaleUp: clock.condition('cluster/scaleUp', scaleUp, now),
      scaleDown: { ...clock.condition('cluster/scaleDown', scaleDown, now), ...(candidates ? { candidates } : {}) },
    },
    nodeGroups: o.groups.map((g) => ({
      name: g.name,
      health: {
        ...clock.condition(`${g.name}/health`, g.health, now),
        ...(g.healthMessage ? { message: g.healthMessage } : {}),
        nodeCounts: g.nodeCounts,
        cloudProviderTarget: g.target,
        minSize: g.minSize,
        maxSize: g.maxSize,
      },
      scaleUp: {
        ...clock.condition(`${g.name}/scaleUp`, g.scaleUp, now),
        ...(g.backoff ? { backoffInfo: g.backoff } : {}),
      },
      scaleDown: {
        ...clock.condition(
          `${g.name}/scaleDown`,
          g.scaleDownCandidates > 0 ? 'CandidatesPresent' : 'NoCandidates',
          now,
        ),
        ...(g.scaleDownCandidates ? { candidates: g.scaleDownCandidates } : {}),
      },
    })),
  };
}

/** The ConfigMap's `status` value. */
export function renderStatus(status: Record<string, unknown>): string {
  return stringify(status, { lineWidth: 0 });
}
