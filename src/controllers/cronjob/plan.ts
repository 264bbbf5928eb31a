// The CronJob controller's decisions as pure functions (upstream cronjob_controllerv2.go syncCronJob and
// cleanupFinishedJobs), in the order the controller applies them to one copy of the CronJob:
// finished jobs beyond the history limits -> the active list reconciled with the jobs -> whether to start a
// job now (and which active jobs Replace deletes first) -> when to look again.

import {
  type CronJob,
  type CronSchedule,
  formatRfc3339InZone,
  isKnownTimeZone,
  type Job,
  type ObjectReference,
  parseCronSchedule,
  rfc3339,
} from '../../core/index.js';
import { newControllerRef } from '../shared/ownership.js';
import { nextScheduleDelayMs, nextScheduleTime } from './schedule-times.js';

export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

export interface CronEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

type Status = NonNullable<CronJob['status']>;

/** Complete or Failed (upstream getFinishedStatus). */
export function finishedCondition(job: Job): 'Complete' | 'Failed' | undefined {
  for (const c of job.status?.conditions ?? []) {
    if ((c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') return c.type;
  }
  return undefined;
}

/** cj.status, made if missing. */
function statusOf(cj: CronJob): Status {
  cj.status ??= {};
  return cj.status as Status;
}

const inActive = (cj: CronJob, uid: string | undefined) => (cj.status?.active ?? []).some((r) => r.uid === uid);

export function removeFromActive(cj: CronJob, uid: string | undefined): void {
  const status = statusOf(cj);
  status.active = (status.active ?? []).filter((r) => r.uid !== uid);
}

/** getRef: the reference the active list holds. */
export function jobRef(job: Job): ObjectReference {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    namespace: job.metadata.namespace,
    name: job.metadata.name,
    uid: job.metadata.uid,
    resourceVersion: job.metadata.resourceVersion,
  };
}

/** byJobStartTime: started jobs by start time (name breaks ties), then jobs that never started. */
function byStartTime(a: Job, b: Job): number {
  const sa = a.status?.startTime;
  const sb = b.status?.startTime;
  if (!sa && sb) return 1;
  if (sa && !sb) return -1;
  if (sa === sb || Date.parse(sa ?? '') === Date.parse(sb ?? ''))
    return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
  return Date.parse(sa!) - Date.parse(sb!);
}

/** cleanupFinishedJobs: the oldest finished jobs beyond successfulJobsHistoryLimit and failedJobsHistoryLimit. */
export function jobsBeyondHistory(cj: CronJob, jobs: readonly Job[]): Job[] {
  const out: Job[] = [];
  const limits: ['Complete' | 'Failed', number | undefined][] = [
    ['Complete', cj.spec?.successfulJobsHistoryLimit],
    ['Failed', cj.spec?.failedJobsHistoryLimit],
  ];
  for (const [kind, limit] of limits) {
    if (limit === undefined || limit === null) continue;
    const finished = jobs.filter((j) => finishedCondition(j) === kind).sort(byStartTime);
    out.push(...finished.slice(0, Math.max(0, finished.length - limit)));
  }
  return out;
}

/**
 * The active list against the jobs the CronJob controls: finished jobs leave it (SawCompletedJob), jobs the
 * list lacks are reported (UnexpectedJob), entries whose job is gone (`missing`, confirmed by the API) leave it
 * (MissingJob); lastSuccessfulTime follows the latest completion. Mutates cj.status; true when it changed.
 */
export function reconcileActive(
  cj: CronJob,
  jobs: readonly Job[],
  missing: ReadonlySet<string>,
  events: CronEvent[],
): boolean {
  let changed = false;
  const status = statusOf(cj);
  for (const j of jobs) {
    const found = inActive(cj, j.metadata.uid);
    const finished = finishedCondition(j);
    if (!found && !finished) {
      events.push({
        type: 'Warning',
        reason: 'UnexpectedJob',
        message: `Saw a job that the controller did not create or forgot: ${j.metadata.name}`,
      });
    } else if (found && finished) {
      removeFromActive(cj, j.metadata.uid);
      events.push({
        type: 'Normal',
        reason: 'SawCompletedJob',
        message: `Saw completed job: ${j.metadata.name}, status: ${finished}`,
      });
      changed = true;
    } else if (finished === 'Complete') {
      // Not in the list any more (or never was): its completion still counts.
      const done = j.status?.completionTime;
      const last = status.lastSuccessfulTime;
      if ((last === undefined && done !== undefined) || (done && last && Date.parse(done) > Date.parse(last))) {
        status.lastSuccessfulTime = done;
        changed = true;
      }
    }
  }
  for (const ref of [...(status.active ?? [])]) {
    if (!ref.uid || !missing.has(ref.uid)) continue;
    events.push({ type: 'Normal', reason: 'MissingJob', message: `Active job went missing: ${ref.name}` });
    removeFromActive(cj, ref.uid);
    changed = true;
  }
  return changed;
}

/** The schedule as the controller parses it: `TZ=<timeZone> ` prefixed when spec.timeZone is set (formatSchedule). */
export function scheduleOf(cj: CronJob, defaultZone: string, events?: CronEvent[]): CronSchedule {
  const spec = cj.spec?.schedule ?? '';
  if (spec.includes('TZ')) {
    events?.push({
      type: 'Warning',
      reason: 'UnsupportedSchedule',
      message: `CRON_TZ or TZ used in schedule ${JSON.stringify(spec)} is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`,
    });
    return parseCronSchedule(spec, defaultZone);
  }
  const zone = cj.spec?.timeZone;
  if (zone && isKnownTimeZone(zone)) return parseCronSchedule(`TZ=${zone} ${spec}`, defaultZone);
  return parseCronSchedule(spec, defaultZone);
}

/** getJobFromTemplate2: `<cronjob>-<scheduled minutes since the epoch>`, the scheduled-timestamp annotation. */
export function jobFromTemplate(cj: CronJob, scheduledMs: number, zone: string): Job {
  const t = cj.spec?.jobTemplate;
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: `${cj.metadata.name}-${Math.floor(scheduledMs / 60_000)}`,
      namespace: cj.metadata.namespace,
      labels: { ...(t?.metadata?.labels ?? {}) },
      annotations: {
        ...(t?.metadata?.annotations ?? {}),
        [SCHEDULED_TIMESTAMP_ANNOTATION]: formatRfc3339InZone(scheduledMs, zone),
      },
      ownerReferences: [newControllerRef(cj, 'batch/v1', 'CronJob')],
    },
    spec: structuredClone(t?.spec ?? ({} as NonNullable<Job['spec']>)),
  };
}

export type ScheduleDecision =
  /** Nothing to start now; look again after requeueAfterMs (none: only a spec change can help). */
  | { kind: 'wait'; requeueAfterMs?: number }
  /** Start `job` for `scheduledMs`, after deleting `replace` (concurrencyPolicy Replace). */
  | { kind: 'start'; scheduledMs: number; job: Job; replace: ObjectReference[] };

/** syncCronJob after the active list is reconciled: whether a start is due and allowed. */
export function decideSchedule(cj: CronJob, nowMs: number, defaultZone: string, events: CronEvent[]): ScheduleDecision {
  const zone = cj.spec?.timeZone;
  if (zone !== undefined && zone !== null && !isKnownTimeZone(zone)) {
    events.push({
      type: 'Warning',
      reason: 'UnknownTimeZone',
      message: `invalid timeZone: ${JSON.stringify(zone)}: unknown time zone ${zone}`,
    });
    return { kind: 'wait' };
  }
  if (cj.spec?.suspend) return { kind: 'wait' };
  let schedule: CronSchedule;
  try {
    schedule = scheduleOf(cj, defaultZone, events);
  } catch (err) {
    events.push({
      type: 'Warning',
      reason: 'UnparseableSchedule',
      message: `unparseable schedule: ${JSON.stringify(cj.spec?.schedule ?? '')} : ${(err as Error).message}`,
    });
    return { kind: 'wait' };
  }
  const next = nextScheduleTime(cj, nowMs, schedule);
  if (next.tooManyMissed) {
    events.push({
      type: 'Warning',
      reason: 'TooManyMissedTimes',
      message: 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew',
    });
  }
  if (next.error) {
    events.push({
      type: 'Warning',
      reason: 'InvalidSchedule',
      message: `invalid schedule: ${cj.spec?.schedule} : ${next.error}`,
    });
    return { kind: 'wait' };
  }
  const requeue = () => ({ kind: 'wait' as const, requeueAfterMs: nextScheduleDelayMs(cj, nowMs, schedule) });
  if (next.scheduled === undefined) return requeue();
  const scheduled = next.scheduled;
  const deadline = cj.spec?.startingDeadlineSeconds;
  if (deadline !== undefined && deadline !== null && scheduled + deadline * 1000 < nowMs) {
    events.push({
      type: 'Warning',
      reason: 'MissSchedule',
      message: `Missed scheduled time to start a job: ${rfc1123z(scheduled)}`,
    });
    return requeue();
  }
  const job = jobFromTemplate(cj, scheduled, schedule.timeZone);
  const lastScheduled = cj.status?.lastScheduleTime ? Date.parse(cj.status.lastScheduleTime) : undefined;
  if (
    (cj.status?.active ?? []).some((r) => r.name === job.metadata.name && r.namespace === job.metadata.namespace) ||
    lastScheduled === scheduled
  ) {
    return requeue();
  }
  const active = cj.status?.active ?? [];
  if (cj.spec?.concurrencyPolicy === 'Forbid' && active.length > 0) {
    events.push({
      type: 'Normal',
      reason: 'JobAlreadyActive',
      message: 'Not starting job because prior execution is running and concurrency policy is Forbid',
    });
    return requeue();
  }
  return {
    kind: 'start',
    scheduledMs: scheduled,
    job,
    replace: cj.spec?.concurrencyPolicy === 'Replace' ? [...active] : [],
  };
}

/** After a start: the job in the active list and lastScheduleTime set. */
export function recordStart(cj: CronJob, job: Job, scheduledMs: number): void {
  const status = statusOf(cj);
  status.active = [...(status.active ?? []), jobRef(job)];
  status.lastScheduleTime = rfc3339(scheduledMs);
}

/** Go's time.RFC1123Z in UTC: `Mon, 02 Jan 2006 15:04:05 +0000`. */
function rfc1123z(ms: number): string {
  const d = new Date(ms);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]}, ${p(d.getUTCDate())} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}
