// CronJob controller (upstream cronjob_controllerv2.go): Jobs on a cron schedule.
//
// cronjobs, jobs ──▶ queue of cronjob keys ──▶ sync: delete finished jobs beyond the history limits ─▶
//   reconcile status.active with the jobs ─▶ decideSchedule ─▶ (Replace: delete active jobs) ─▶ create the
//   job `<cronjob>-<minutes>` ─▶ PUT status ─▶ requeue at the next scheduled time (+100 ms)

import {
  isAlreadyExists,
  isNotFound,
  NAMESPACE_INDEX,
  objectKey,
  resourcePath,
  WorkQueue,
} from '../../client/index.js';
import { type CronJob, type Job, localTimeZone, resources, stableJson } from '../../core/index.js';
import { type ControllerContext, keyOf, type RunningController, runWorkers } from '../context.js';
import { controllerRef } from '../shared/ownership.js';
import {
  type CronEvent,
  decideSchedule,
  finishedCondition,
  jobsBeyondHistory,
  reconcileActive,
  recordStart,
  removeFromActive,
  scheduleOf,
} from './plan.js';
import { SpecGuard } from '../shared/spec-guard.js';
import { nextScheduleDelayMs } from './schedule-times.js';

export const CRONJOB_COMPONENT = 'cronjob-controller';

export interface CronJobControllerOptions {
  workers?: number;
  /** Where schedules without spec.timeZone are read (upstream: the controller manager's local time). */
  defaultTimeZone?: string;
}

export function startCronJobController(ctx: ControllerContext, opts: CronJobControllerOptions = {}): RunningController {
  const { client, clock, log } = ctx;
  const zone = opts.defaultTimeZone ?? localTimeZone();
  const recorder = ctx.recorder(CRONJOB_COMPONENT);
  const guard = new SpecGuard(recorder, 'CronJob', 'batch/v1', ctx.log);
  const cronjobs = ctx.informers.forResource<CronJob>(resources.cronjobs);
  const jobs = ctx.informers.forResource<Job>(resources.jobs);
  const queue = new WorkQueue<string>({ clock });

  const ownerKey = (job: Job): string | undefined => {
    const ref = controllerRef(job);
    if (!ref || ref.kind !== 'CronJob') return undefined;
    const key = objectKey({ namespace: job.metadata.namespace, name: ref.name });
    return cronjobs.get(key)?.metadata.uid === ref.uid ? key : undefined;
  };
  const enqueueOwner = (job: Job) => {
    const key = ownerKey(job);
    if (key) queue.add(key);
  };
  jobs.addEventHandler({
    onAdd: enqueueOwner,
    onUpdate: (old, cur) => {
      if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
      const oldKey = ownerKey(old);
      if (oldKey && oldKey !== ownerKey(cur)) queue.add(oldKey);
      enqueueOwner(cur);
    },
    onDelete: enqueueOwner,
  });
  cronjobs.addEventHandler({
    onAdd: (cj) => queue.add(keyOf(cj)),
    onUpdate: (old, cj) => {
      // A new schedule: wait for its next time; the sync of an earlier wake-up does nothing.
      if (old.spec?.schedule !== cj.spec?.schedule || old.spec?.timeZone !== cj.spec?.timeZone) {
        try {
          queue.addAfter(keyOf(cj), nextScheduleDelayMs(cj, clock.now(), scheduleOf(cj, zone)));
        } catch {
          void recorder.event(
            withKind(cj),
            'Warning',
            'UnParseableCronJobSchedule',
            `unparseable schedule for cronjob: ${cj.spec?.schedule}`,
          );
        }
        return;
      }
      queue.add(keyOf(cj));
    },
    onDelete: (cj) => queue.add(keyOf(cj)),
  });

  const sync = async (key: string): Promise<void> => {
    const cached = cronjobs.get(key);
    if (!cached || guard.refuse(cached)) return;
    let cj = withKind(structuredClone(cached));
    const ns = cj.metadata.namespace ?? '';
    const path = resourcePath(resources.cronjobs, { namespace: ns, name: cj.metadata.name });
    const children = jobs.byIndex(NAMESPACE_INDEX, ns).filter((j) => controllerRef(j)?.name === cj.metadata.name);
    const events: CronEvent[] = [];
    const emit = () => {
      for (const e of events.splice(0)) void recorder.event(cj, e.type, e.reason, e.message);
    };
    let before = stableJson(cached.status ?? {});
    const writeStatus = async () => {
      if (stableJson(cj.status ?? {}) === before) return;
      try {
        await client.updateStatus(path, cj);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    };

    /** Deletes a job (Background) with upstream's events; false when it failed. */
    const deleteJob = async (job: Job): Promise<boolean> => {
      try {
        await client.delete(resourcePath(resources.jobs, { namespace: ns, name: job.metadata.name }), {
          propagationPolicy: 'Background',
        });
      } catch (err) {
        if (!isNotFound(err)) {
          void recorder.event(cj, 'Warning', 'FailedDelete', `Deleted job: ${String(err)}`);
          return false;
        }
      }
      void recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`);
      return true;
    };

    // Finished jobs beyond the history limits go first (upstream cleanupFinishedJobs).
    for (const job of jobsBeyondHistory(cj, children)) {
      if (await deleteJob(job)) removeFromActive(cj, job.metadata.uid);
    }
    // A job the cache shows before our own status update: read the CronJob fresh before calling it unexpected.
    if (children.some((j) => !finishedCondition(j) && !cj.status?.active?.some((r) => r.uid === j.metadata.uid))) {
      try {
        const fresh = withKind(await client.get<CronJob>(path));
        if (fresh.metadata.uid === cj.metadata.uid) {
          cj = fresh;
          before = stableJson(fresh.status ?? {});
        }
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    // Active entries whose job the cache lacks: gone only if the API agrees.
    const missing = new Set<string>();
    for (const ref of cj.status?.active ?? []) {
      if (children.some((j) => j.metadata.uid === ref.uid)) continue;
      try {
        await client.get(resourcePath(resources.jobs, { namespace: ref.namespace ?? ns, name: ref.name }));
      } catch (err) {
        if (!isNotFound(err)) throw err;
        if (ref.uid) missing.add(ref.uid);
      }
    }
    reconcileActive(cj, children, missing, events);
    if (cj.metadata.deletionTimestamp) {
      emit();
      return writeStatus();
    }

    const now = clock.now();
    const decision = decideSchedule(cj, now, zone, events);
    emit();
    if (decision.kind === 'wait') {
      await writeStatus();
      if (decision.requeueAfterMs !== undefined) queue.addAfter(key, Math.max(0, decision.requeueAfterMs));
      return;
    }
    for (const ref of decision.replace) {
      let job: Job;
      try {
        job = await client.get<Job>(resourcePath(resources.jobs, { namespace: ref.namespace ?? ns, name: ref.name }));
      } catch (err) {
        void recorder.event(cj, 'Warning', 'FailedGet', `Get job: ${String(err)}`);
        await writeStatus();
        throw err;
      }
      if (!(await deleteJob(job))) {
        await writeStatus();
        throw new Error(`could not replace job ${ns}/${job.metadata.name}`);
      }
      removeFromActive(cj, job.metadata.uid);
    }
    let created: Job;
    try {
      created = await client.create<Job>(resourcePath(resources.jobs, { namespace: ns }), decision.job);
      void recorder.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${created.metadata.name}`);
      log('cronjob: created job', { controller: CRONJOB_COMPONENT, object: key, job: created.metadata.name });
    } catch (err) {
      if (!isAlreadyExists(err)) {
        void recorder.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${String(err)}`);
        await writeStatus();
        throw err;
      }
      // Made by an earlier sync whose status update was lost, or by someone else (then theirs to track).
      created = await client.get<Job>(
        resourcePath(resources.jobs, { namespace: ns, name: decision.job.metadata.name }),
      );
      if (
        controllerRef(created)?.uid !== cj.metadata.uid ||
        cj.status?.active?.some((r) => r.uid === created.metadata.uid)
      ) {
        return writeStatus();
      }
      log('cronjob: job already exists', { controller: CRONJOB_COMPONENT, object: key, job: created.metadata.name });
    }
    recordStart(cj, created, decision.scheduledMs);
    await writeStatus();
    queue.addAfter(key, Math.max(0, nextScheduleDelayMs(cj, now, scheduleOf(cj, zone))));
  };

  return runWorkers({
    name: CRONJOB_COMPONENT,
    ctx,
    queue,
    waitFor: [cronjobs, jobs],
    workers: opts.workers ?? 2,
    sync,
  });
}

function withKind(cj: CronJob): CronJob {
  return { ...cj, apiVersion: 'batch/v1', kind: 'CronJob' };
}
