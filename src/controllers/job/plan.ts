// Pure: the next step for a Job on a snapshot of its pods (pkg/controller/job syncJob, NonIndexed mode):
// count active/succeeded/failed pods, decide whether the job has finished (Complete, or Failed by
// BackoffLimitExceeded / DeadlineExceeded), how many pods to create or delete, and the new status.

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

export interface JobPlanOptions {
  /** Delay before re-creating pods after failures: base × 2^(failures-1), capped (upstream 10 s, 6 min). */
  backoffBaseMs: number;
  backoffMaxMs: number;
}

export const DEFAULT_JOB_PLAN_OPTIONS: JobPlanOptions = { backoffBaseMs: 10_000, backoffMaxMs: 360_000 };

export interface JobPlan {
  createPods: number;
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

export function planJob(
  job: Job,
  pods: readonly Pod[],
  now: number,
  opts: JobPlanOptions = DEFAULT_JOB_PLAN_OPTIONS,
): JobPlan {
  const stamp = rfc3339(now);
  const active = pods.filter((p) => !p.metadata.deletionTimestamp && !isPodTerminal(p));
  const terminating = pods.filter((p) => p.metadata.deletionTimestamp && !isPodTerminal(p)).length;
  const succeededPods = pods.filter((p) => p.status?.phase === 'Succeeded');
  const failedPods = pods.filter((p) => p.status?.phase === 'Failed');
  // Counts never go down: pods may be garbage-collected after they were counted.
  const succeeded = Math.max(job.status?.succeeded ?? 0, succeededPods.length);
  const failed = Math.max(job.status?.failed ?? 0, failedPods.length);
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

  const completions = job.spec?.completions ?? undefined;
  const parallelism = job.spec?.parallelism ?? 1;
  const backoffLimit = job.spec?.backoffLimit ?? 6;
  const deadline = job.spec?.activeDeadlineSeconds;
  const started = parseTime(status.startTime) ?? now;

  let failure: JobPlan['finished'];
  if (failed + restarts > backoffLimit)
    failure = {
      type: 'Failed',
      reason: 'BackoffLimitExceeded',
      message: 'Job has reached the specified backoff limit',
    };
  else if (deadline !== undefined && now - started >= deadline * 1000)
    failure = { type: 'Failed', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' };

  const complete = completions != null ? succeeded >= completions : succeeded > 0 && active.length === 0;
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
    conditions = setCondition(
      conditions,
      'SuccessCriteriaMet',
      'CompletionsReached',
      'Reached expected number of succeeded pods',
      stamp,
    );
    plan.deletePods = completions != null ? active : [];
    if (completions == null && active.length > 0) {
      // Work-queue jobs: the first success means no new pods; the rest finish on their own.
    } else if (active.length === 0 && terminating === 0) {
      conditions = setCondition(
        conditions,
        'Complete',
        'CompletionsReached',
        'Reached expected number of succeeded pods',
        stamp,
      );
      status.completionTime = stamp;
      plan.finished = { type: 'Complete', reason: 'Completed', message: 'Job completed' };
    } else {
      plan.requeueAfterMs = 1000;
    }
  } else {
    const wantActive = completions != null ? Math.min(parallelism, completions - succeeded) : parallelism;
    if (active.length > wantActive) {
      plan.deletePods = [...active].sort(newestFirst).slice(0, active.length - wantActive);
    } else if (active.length < wantActive) {
      const lastFailure = failedPods.reduce((t, p) => Math.max(t, finishedAt(p)), 0);
      const delay = failed > 0 ? Math.min(opts.backoffMaxMs, opts.backoffBaseMs * 2 ** (failed - 1)) : 0;
      const readyAt = lastFailure + delay;
      if (failed > 0 && readyAt > now) plan.requeueAfterMs = readyAt - now;
      else plan.createPods = wantActive - active.length;
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

export function newJobPod(job: Job): Pod {
  const meta = job.spec?.template.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${job.metadata.name}-`,
      namespace: job.metadata.namespace,
      labels: {
        ...(meta.labels ?? {}),
        'batch.kubernetes.io/job-name': job.metadata.name ?? '',
        'job-name': job.metadata.name ?? '',
      },
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ownerReferences: [
        {
          apiVersion: 'batch/v1',
          kind: 'Job',
          name: job.metadata.name ?? '',
          uid: job.metadata.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    spec: structuredClone(job.spec?.template.spec),
  };
}
