// Pure: the next step for a Job on a snapshot of its pods (pkg/controller/job syncJob, NonIndexed and Indexed
// completion modes): count active/succeeded/failed pods (the podFailurePolicy decides which failures count),
// decide whether the job has finished (Complete, or Failed by PodFailurePolicy / BackoffLimitExceeded /
// FailedIndexes / MaxFailedIndexesExceeded / DeadlineExceeded), which pods to create (with their completion
// index) or delete, and the new status.

import {
  isPodReady,
  isPodTerminal,
  type Job,
  type JobCondition,
  type JobStatus,
  type Pod,
  parseTime,
  rfc3339,
} from '../../core/index.js';
import { podsToDelete } from '../shared/active-pods.js';
import { type FailureVerdict, matchPodFailurePolicy } from './failure-policy.js';
import {
  COMPLETION_INDEX_ANNOTATION,
  COMPLETION_INDEX_ENV,
  firstPendingIndexes,
  formatIntervals,
  generateNameWithIndex,
  INDEX_FAILURE_COUNT_ANNOTATION,
  indexedPodsForRemoval,
  matchSuccessPolicy,
  parseIntervals,
  podCompletionIndex,
} from './indexed.js';

export interface JobPlanOptions {
  /** Delay before re-creating pods after failures: base × 2^(failures-1), capped (upstream 10 s, 6 min). */
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export const DEFAULT_JOB_PLAN_OPTIONS: JobPlanOptions = { backoffBaseMs: 10_000, backoffMaxMs: 360_000 };

/** One pod to create: its completion index (Indexed jobs) and the failures its index already had. */
export interface NewJobPod {
  index?: number;
  indexFailures?: number;
}

export interface JobPlan {
  createPods: number;
  /** For Indexed jobs, the pods to create (createPods of them), lowest pending index first. */
  newPods?: NewJobPod[];
  /** Active pods to delete (surplus, or all of them once the job failed or is suspended). */
  deletePods: Pod[];
  status: JobStatus;
  /** Set when the job has just reached a final condition this sync. */
  finished?: { type: 'Complete' | 'Failed'; reason: string; message: string };
  /** When to look again (backoff over, deadline reached), in ms from now. */
  requeueAfterMs?: number;
}

export function jobFinished(job: Job): { type: 'Complete' | 'Failed'; time?: string } | undefined {
  for (const c of job.status?.conditions ?? []) {
    if ((c.type === 'Complete' || c.type === 'Failed') && c.status === 'True')
      return { type: c.type, time: c.lastTransitionTime };
  }
  return undefined;
}

function setCondition(
  conditions: JobCondition[],
  type: string,
  reason: string,
  message: string,
  stamp: string,
): JobCondition[] {
  if (conditions.some((c) => c.type === type && c.status === 'True')) return conditions;
  const out = conditions.filter((c) => c.type !== type);
  out.push({ type, status: 'True', lastProbeTime: stamp, lastTransitionTime: stamp, reason, message });
  return out;
}

const newestFirst = (a: Pod, b: Pod) =>
  (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '') ||
  (b.metadata.name ?? '').localeCompare(a.metadata.name ?? '');

function finishedAt(pod: Pod): number {
  let t = 0;
  for (const cs of pod.status?.containerStatuses ?? []) {
    t = Math.max(t, parseTime(cs.state?.terminated?.finishedAt) ?? 0);
  }
  return t || (parseTime(pod.metadata.creationTimestamp) ?? 0);
}

const MAX_INT32 = 2147483647;

/** The verdict of the podFailurePolicy on each failed pod (every failure counts without a policy). */
function failureVerdicts(job: Job, failedPods: readonly Pod[]): Map<Pod, FailureVerdict> {
  const out = new Map<Pod, FailureVerdict>();
  for (const p of failedPods)
    out.set(p, job.spec?.podFailurePolicy ? matchPodFailurePolicy(job, p) : { action: 'Count', counts: true });
  return out;
}

function indexFailureCount(pod: Pod): number {
  const v = Number(pod.metadata.annotations?.[INDEX_FAILURE_COUNT_ANNOTATION] ?? 0);
  return Number.isInteger(v) && v > 0 ? v : 0;
}

export function planJob(
  job: Job,
  pods: readonly Pod[],
  now: number,
  opts: JobPlanOptions = DEFAULT_JOB_PLAN_OPTIONS,
): JobPlan {
  const stamp = rfc3339(now);
  const indexed = job.spec?.completionMode === 'Indexed';
  const active = pods.filter((p) => !p.metadata.deletionTimestamp && !isPodTerminal(p));
  const terminating = pods.filter((p) => p.metadata.deletionTimestamp && !isPodTerminal(p)).length;
  const succeededPods = pods.filter((p) => p.status?.phase === 'Succeeded');
  const failedPods = [...pods.filter((p) => p.status?.phase === 'Failed')].sort(
    (a, b) => finishedAt(a) - finishedAt(b),
  );
  const verdicts = failureVerdicts(job, failedPods);
  const countedFailedPods = failedPods.filter((p) => verdicts.get(p)?.counts);
  const completions = job.spec?.completions ?? undefined;
  const perIndexLimit = indexed ? (job.spec?.backoffLimitPerIndex ?? undefined) : undefined;

  // Indexed: the indexes that succeeded (never forgotten: status.completedIndexes) and, with
  // backoffLimitPerIndex, the failed ones and each index's counted failures so far.
  const succeededIndexes = new Set<number>();
  const failedIndexes = new Set<number>();
  const indexFailures = new Map<number, number>();
  if (indexed && completions != null) {
    for (const i of parseIntervals(job.status?.completedIndexes, completions)) succeededIndexes.add(i);
    for (const p of succeededPods) {
      const ix = podCompletionIndex(p);
      if (ix !== undefined && ix < completions) succeededIndexes.add(ix);
    }
    if (perIndexLimit !== undefined) {
      for (const i of parseIntervals(job.status?.failedIndexes ?? undefined, completions)) failedIndexes.add(i);
      for (const p of pods) {
        const ix = podCompletionIndex(p);
        if (ix === undefined || ix >= completions) continue;
        const v = verdicts.get(p);
        const n = indexFailureCount(p) + (v?.counts ? 1 : 0);
        indexFailures.set(ix, Math.max(indexFailures.get(ix) ?? 0, n));
        if (succeededIndexes.has(ix)) continue;
        if (v?.action === 'FailIndex' || (v?.counts && n > perIndexLimit)) failedIndexes.add(ix);
      }
    }
  }
  const finishedIndexes = new Set([...succeededIndexes, ...failedIndexes]);

  // Counts never go down: pods may be garbage-collected after they were counted.
  const succeeded = indexed ? succeededIndexes.size : Math.max(job.status?.succeeded ?? 0, succeededPods.length);
  const failed = Math.max(job.status?.failed ?? 0, countedFailedPods.length);
  const restarts = active.reduce(
    (n, p) =>
      n +
      (p.spec?.restartPolicy === 'OnFailure'
        ? (p.status?.containerStatuses ?? []).reduce((m, cs) => m + Number(cs.restartCount ?? 0), 0)
        : 0),
    0,
  );
  const status: JobStatus = {
    ...(job.status ?? {}),
    active: active.length,
    ready: active.filter(isPodReady).length,
    succeeded,
    failed,
    terminating,
    uncountedTerminatedPods: {},
  };
  if (indexed) {
    const done = formatIntervals(succeededIndexes);
    if (done) status.completedIndexes = done;
    else delete status.completedIndexes;
    if (perIndexLimit !== undefined) status.failedIndexes = formatIntervals(failedIndexes);
  }
  const plan: JobPlan = { createPods: 0, deletePods: [], status };
  let conditions = [...(job.status?.conditions ?? [])];

  if (jobFinished(job)) {
    plan.deletePods = active;
    status.active = 0;
    status.ready = 0;
    return plan;
  }
  if (job.spec?.suspend) {
    plan.deletePods = active;
    status.active = 0;
    if (!conditions.some((c) => c.type === 'Suspended' && c.status === 'True')) {
      conditions = setCondition(conditions, 'Suspended', 'JobSuspended', 'Job suspended', stamp);
    }
    status.conditions = conditions;
    return plan;
  }
  if (conditions.some((c) => c.type === 'Suspended' && c.status === 'True')) {
    conditions = conditions.map((c) =>
      c.type === 'Suspended'
        ? { ...c, status: 'False', reason: 'JobResumed', message: 'Job resumed', lastTransitionTime: stamp }
        : c,
    );
    status.startTime = stamp; // a resumed job's deadline counts from now, as upstream
  }
  status.startTime ??= stamp;

  const parallelism = job.spec?.parallelism ?? 1;
  const backoffLimit = job.spec?.backoffLimit ?? (perIndexLimit !== undefined ? MAX_INT32 : 6);
  const deadline = job.spec?.activeDeadlineSeconds;
  const started = parseTime(status.startTime) ?? now;
  const maxFailedIndexes = job.spec?.maxFailedIndexes ?? undefined;

  // An earlier sync's FailureTarget stands (its pods may be gone); else the first FailJob match decides,
  // then the backoff limit, the failed indexes and the deadline (upstream's order).
  const target = conditions.find((c) => c.type === 'FailureTarget' && c.status === 'True');
  const failJob = failedPods.map((p) => verdicts.get(p)).find((v) => v?.action === 'FailJob');
  const earlier = conditions.find((c) => c.type === 'SuccessCriteriaMet' && c.status === 'True');
  let failure: JobPlan['finished'];
  if (earlier) {
    // Success criteria met: the job completes once its pods have stopped, whatever they do meanwhile.
  } else if (target) failure = { type: 'Failed', reason: target.reason ?? '', message: target.message ?? '' };
  else if (failJob)
    failure = { type: 'Failed', reason: 'PodFailurePolicy', message: failJob.message ?? 'matching FailJob rule' };
  else if (failed + restarts > backoffLimit)
    failure = {
      type: 'Failed',
      reason: 'BackoffLimitExceeded',
      message: 'Job has reached the specified backoff limit',
    };
  else if (maxFailedIndexes !== undefined && failedIndexes.size > maxFailedIndexes)
    failure = {
      type: 'Failed',
      reason: 'MaxFailedIndexesExceeded',
      message: 'Job has exceeded the specified maximal number of failed indexes',
    };
  else if (failedIndexes.size > 0 && completions != null && finishedIndexes.size >= completions)
    failure = { type: 'Failed', reason: 'FailedIndexes', message: 'Job has failed indexes' };
  else if (deadline !== undefined && now - started >= deadline * 1000)
    failure = { type: 'Failed', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' };

  // Indexed jobs may succeed early by their successPolicy (an earlier sync's verdict stands).
  let success = { reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' };
  let byPolicy: string | undefined;
  if (earlier?.reason === 'SuccessPolicy') byPolicy = earlier.message ?? '';
  else if (indexed && completions != null)
    byPolicy = matchSuccessPolicy(job.spec?.successPolicy?.rules, completions, succeededIndexes);
  if (byPolicy !== undefined) success = { reason: 'SuccessPolicy', message: byPolicy };
  const complete =
    earlier !== undefined ||
    byPolicy !== undefined ||
    (completions != null ? succeeded >= completions : succeeded > 0 && active.length === 0);
  if (failure) {
    // FailureTarget first; Failed once no pod of the job is running any more (1.31+ behaviour).
    conditions = setCondition(conditions, 'FailureTarget', failure.reason, failure.message, stamp);
    plan.deletePods = active;
    if (active.length === 0 && terminating === 0) {
      conditions = setCondition(conditions, 'Failed', failure.reason, failure.message, stamp);
      plan.finished = failure;
    } else {
      plan.requeueAfterMs = 1000;
    }
    status.active = 0;
    status.ready = 0;
  } else if (complete || (completions == null && succeeded > 0)) {
    // Success: SuccessCriteriaMet first, Complete once every pod has stopped (1.31+).
    conditions = setCondition(conditions, 'SuccessCriteriaMet', success.reason, success.message, stamp);
    plan.deletePods = completions != null ? active : [];
    if (completions == null && active.length > 0) {
      // Work-queue jobs: the first success means no new pods; the rest finish on their own.
    } else if (active.length === 0 && terminating === 0) {
      conditions = setCondition(conditions, 'Complete', success.reason, success.message, stamp);
      status.completionTime = stamp;
      plan.finished = { type: 'Complete', reason: 'Completed', message: 'Job completed' };
    } else {
      plan.requeueAfterMs = 1000;
    }
  } else {
    // With podReplacementPolicy Failed, a pod being deleted is replaced only once it has stopped.
    const replacing = job.spec?.podReplacementPolicy === 'Failed' ? terminating : 0;
    let keep = active;
    let wantActive: number;
    if (indexed && completions != null) {
      const split = indexedPodsForRemoval(active, completions, finishedIndexes);
      plan.deletePods = split.remove;
      keep = split.keep;
      wantActive = Math.min(parallelism, completions - finishedIndexes.size);
    } else {
      wantActive = completions != null ? Math.min(parallelism, completions - succeeded) : parallelism;
    }
    if (keep.length > wantActive) {
      const surplus = indexed ? podsToDelete(keep, keep.length - wantActive) : [...keep].sort(newestFirst);
      plan.deletePods = [...plan.deletePods, ...surplus.slice(0, keep.length - wantActive)];
    } else if (keep.length + replacing < wantActive) {
      const want = wantActive - keep.length - replacing;
      const readyAt = (failures: number, failedPods: readonly Pod[]) =>
        failures > 0
          ? failedPods.reduce((t, p) => Math.max(t, finishedAt(p)), 0) +
            Math.min(opts.backoffMaxMs, opts.backoffBaseMs * 2 ** (failures - 1))
          : 0;
      const waitFor = (at: number) => {
        if (at > now) plan.requeueAfterMs = Math.min(plan.requeueAfterMs ?? at - now, at - now);
        return at > now;
      };
      if (indexed && completions != null) {
        const taken = new Set([...finishedIndexes, ...keep.map((p) => podCompletionIndex(p) as number)]);
        let pending = firstPendingIndexes(completions, completions, taken);
        if (perIndexLimit !== undefined) {
          // Each index backs off on its own failures (upstream getRemainingTimePerIndex).
          pending = pending.filter((index) => {
            const n = indexFailures.get(index) ?? 0;
            return !waitFor(
              readyAt(
                n,
                countedFailedPods.filter((p) => podCompletionIndex(p) === index),
              ),
            );
          });
        } else if (waitFor(readyAt(failed, countedFailedPods))) pending = [];
        plan.newPods = pending.slice(0, want).map((index) => ({
          index,
          ...(perIndexLimit !== undefined ? { indexFailures: indexFailures.get(index) ?? 0 } : {}),
        }));
        plan.createPods = plan.newPods.length;
      } else if (!waitFor(readyAt(failed, countedFailedPods))) plan.createPods = want;
    }
    if (deadline !== undefined) {
      const left = started + deadline * 1000 - now;
      plan.requeueAfterMs = Math.min(plan.requeueAfterMs ?? left, left);
    }
  }
  status.conditions = conditions;
  return plan;
}

/** When a finished job with ttlSecondsAfterFinished must be deleted (ms since epoch), if it has a TTL. */
export function jobExpiry(job: Job): number | undefined {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  const done = jobFinished(job);
  if (ttl === undefined || !done) return undefined;
  const at = parseTime(job.status?.completionTime) ?? parseTime(done.time);
  return at === undefined ? undefined : at + ttl * 1000;
}

/**
 * A pod of the job from its template. Indexed: the completion index as annotation and label, the
 * JOB_COMPLETION_INDEX env var (downward API on that annotation) in every container, hostname "<job>-<index>"
 * unless the template sets one, name "<job>-<index>-<random>"; with backoffLimitPerIndex the index's failures.
 */
export function newJobPod(job: Job, which: NewJobPod = {}): Pod {
  const meta = job.spec?.template.metadata ?? {};
  const name = job.metadata.name ?? '';
  const spec = structuredClone(job.spec?.template.spec) as NonNullable<Pod['spec']>;
  const labels: Record<string, string> = {
    ...(meta.labels ?? {}),
    'batch.kubernetes.io/job-name': name,
    'job-name': name,
  };
  const annotations: Record<string, string> = { ...(meta.annotations ?? {}) };
  const { index } = which;
  if (index !== undefined) {
    annotations[COMPLETION_INDEX_ANNOTATION] = String(index);
    labels[COMPLETION_INDEX_ANNOTATION] = String(index);
    if (which.indexFailures !== undefined) annotations[INDEX_FAILURE_COUNT_ANNOTATION] = String(which.indexFailures);
    if (spec) {
      spec.hostname ||= `${name}-${index}`;
      for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
        if (c.env?.some((e) => e.name === COMPLETION_INDEX_ENV)) continue;
        c.env = [
          ...(c.env ?? []),
          {
            name: COMPLETION_INDEX_ENV,
            valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${COMPLETION_INDEX_ANNOTATION}']` } },
          },
        ];
      }
    }
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: index !== undefined ? generateNameWithIndex(name, index) : `${name}-`,
      namespace: job.metadata.namespace,
      labels,
      ...(Object.keys(annotations).length ? { annotations } : {}),
      ownerReferences: [
        {
          apiVersion: 'batch/v1',
          kind: 'Job',
          name,
          uid: job.metadata.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec,
  };
}
