// PodDisruptionBudget rules that the disruption controller and the API server's eviction subresource share
// (upstream pkg/controller/disruption, pkg/apis/policy/helper and pkg/registry/core/pod/storage/eviction.go):
// which budgets cover a pod, the DisruptionAllowed condition, and whether an eviction may go ahead.

import { isPodReady } from './pods.js';
import { selectorOrNothing } from './selectors/index.js';
import { StatusError } from './status.js';
import { rfc3339 } from './time.js';
import type { Pod, PodDisruptionBudget, policyv1 } from './types.js';

/** How long an eviction's pod counts as disrupted before the controller gives up waiting for its deletion. */
export const DISRUPTION_DELETION_TIMEOUT_MS = 2 * 60 * 1000;
/** Upstream MaxDisruptedPodSize: evictions not yet confirmed by the controller. */
export const MAX_DISRUPTED_POD_SIZE = 2000;
export const DISRUPTION_ALLOWED_CONDITION = 'DisruptionAllowed';
export const DISRUPTION_BUDGET_CAUSE = 'DisruptionBudget';

type PdbStatus = policyv1.PodDisruptionBudgetStatus;
type Condition = NonNullable<PdbStatus['conditions']>[number];

/** The budgets of the pod's namespace whose selector matches it (policy/v1: an empty selector matches all). */
export function budgetsForPod(pod: Pod, budgets: readonly PodDisruptionBudget[]): PodDisruptionBudget[] {
  const ns = pod.metadata.namespace ?? '';
  return budgets.filter(
    (b) => (b.metadata.namespace ?? '') === ns && selectorOrNothing(b.spec?.selector).matches(pod.metadata.labels),
  );
}

/** apimeta.SetStatusCondition: a status change moves lastTransitionTime; reason, message and generation follow. */
export function setStatusCondition(
  conditions: Condition[],
  cond: Omit<Condition, 'lastTransitionTime'>,
  nowMs: number,
) {
  const existing = conditions.find((c) => c.type === cond.type);
  if (!existing) {
    conditions.push({ ...cond, lastTransitionTime: rfc3339(nowMs) } as Condition);
    return;
  }
  const e = existing as { -readonly [K in keyof Condition]: Condition[K] };
  if (e.status !== cond.status) {
    e.status = cond.status;
    e.lastTransitionTime = rfc3339(nowMs);
  }
  e.reason = cond.reason;
  e.message = cond.message;
  e.observedGeneration = cond.observedGeneration;
}

/** pdbhelper.UpdateDisruptionAllowedCondition: True/SufficientPods when disruptions are allowed, else False/InsufficientPods. */
export function updateDisruptionAllowedCondition(status: Partial<PdbStatus>, nowMs: number): void {
  const s = status as { conditions?: Condition[] };
  s.conditions ??= [];
  const allowed = (status.disruptionsAllowed ?? 0) > 0;
  setStatusCondition(
    s.conditions,
    {
      type: DISRUPTION_ALLOWED_CONDITION,
      status: allowed ? 'True' : 'False',
      reason: allowed ? 'SufficientPods' : 'InsufficientPods',
      message: '',
      observedGeneration: status.observedGeneration,
    },
    nowMs,
  );
}

/** pdbhelper.ConditionsAreUpToDate. */
export function disruptionConditionUpToDate(pdb: PodDisruptionBudget): boolean {
  const cond = pdb.status?.conditions?.find((c) => c.type === DISRUPTION_ALLOWED_CONDITION);
  if (!cond) return false;
  if ((pdb.status?.observedGeneration ?? 0) !== (pdb.metadata.generation ?? 0)) return false;
  if ((pdb.status?.disruptionsAllowed ?? 0) > 0) return cond.status === 'True' && cond.reason === 'SufficientPods';
  return cond.status === 'False' && cond.reason === 'InsufficientPods';
}

/**
 * What the eviction subresource does with a pod:
 * - `delete`: delete it without touching a budget (terminal, pending or terminating pods, no budget, or an
 *   unhealthy pod the budget lets go); `resourceVersion` set: delete with that precondition, so a pod that
 *   became ready meanwhile is not taken on the strength of an old decision;
 * - `decrement`: PUT `budget` (its status already decremented, the pod recorded in disruptedPods) to
 *   policy/v1 poddisruptionbudgets/NAME/status, then delete the pod; on a Conflict read the budget again and
 *   decide again (upstream retries);
 * - `reject`: answer with `error` (429 TooManyRequests with a DisruptionBudget cause, 403, or 500).
 */
export type EvictionDecision =
  | { action: 'delete'; resourceVersion?: string }
  | { action: 'decrement'; budget: PodDisruptionBudget }
  | { action: 'reject'; error: StatusError };

/** Terminal, pending and already terminating pods are deleted without consulting a budget (upstream canIgnorePDB). */
export function evictionIgnoresBudgets(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || !!pod.metadata.deletionTimestamp;
}

function tooManyRequests(retryAfterSeconds: number, cause: string): StatusError {
  return new StatusError(429, 'TooManyRequests', "Cannot evict pod as it would violate the pod's disruption budget.", {
    retryAfterSeconds,
    causes: [{ type: DISRUPTION_BUDGET_CAUSE, message: cause }],
  });
}

function forbidden(name: string, why: string): StatusError {
  return new StatusError(403, 'Forbidden', `poddisruptionbudgets.policy "${name}" is forbidden: ${why}`, {
    name,
    group: 'policy',
    kind: 'poddisruptionbudgets',
  });
}

/** The eviction decision for `pod` given the budgets of its namespace (upstream EvictionREST.Create). */
export function decideEviction(
  pod: Pod,
  budgets: readonly PodDisruptionBudget[],
  nowMs: number,
  opts: { dryRun?: boolean } = {},
): EvictionDecision {
  if (evictionIgnoresBudgets(pod)) return { action: 'delete' };
  const covering = budgetsForPod(pod, budgets);
  if (covering.length > 1) {
    return {
      action: 'reject',
      error: new StatusError(
        500,
        'InternalError',
        'Internal error occurred: This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
      ),
    };
  }
  if (covering.length === 0) return { action: 'delete' };
  const pdb = covering[0]!;
  const status: Partial<PdbStatus> = pdb.status ?? {};
  if (!isPodReady(pod)) {
    // An unready pod does not count towards currentHealthy: deleting it does not disrupt the application more.
    if (pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow') {
      return { action: 'delete', resourceVersion: pod.metadata.resourceVersion };
    }
    const desired = status.desiredHealthy ?? 0;
    if ((status.currentHealthy ?? 0) >= desired && desired > 0) {
      return { action: 'delete', resourceVersion: pod.metadata.resourceVersion };
    }
  }
  const name = pdb.metadata.name ?? '';
  if ((status.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0)) {
    return {
      action: 'reject',
      error: tooManyRequests(10, `The disruption budget ${name} is still being processed by the server.`),
    };
  }
  const allowed = status.disruptionsAllowed ?? 0;
  if (allowed < 0) return { action: 'reject', error: forbidden(name, 'pdb disruptions allowed is negative') };
  if (Object.keys(status.disruptedPods ?? {}).length > MAX_DISRUPTED_POD_SIZE) {
    return {
      action: 'reject',
      error: forbidden(name, 'DisruptedPods map too big - too many evictions not confirmed by PDB controller'),
    };
  }
  if (allowed === 0) {
    return {
      action: 'reject',
      error: tooManyRequests(
        0,
        `The disruption budget ${name} needs ${status.desiredHealthy ?? 0} healthy pods and has ${status.currentHealthy ?? 0} currently`,
      ),
    };
  }
  const next = structuredClone(status) as PdbStatus;
  const writable = next as { disruptionsAllowed?: number; disruptedPods?: Record<string, string> };
  writable.disruptionsAllowed = allowed - 1;
  if (writable.disruptionsAllowed === 0) updateDisruptionAllowedCondition(next, nowMs);
  if (!opts.dryRun)
    writable.disruptedPods = { ...(status.disruptedPods ?? {}), [pod.metadata.name ?? '']: rfc3339(nowMs) };
  return { action: 'decrement', budget: { ...pdb, status: next } };
}
