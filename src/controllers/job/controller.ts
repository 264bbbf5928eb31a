// Job controller (NonIndexed and Indexed jobs, podFailurePolicy) plus the TTL-after-finished cleanup.
//
// jobs, pods ──▶ queue of job keys ──▶ sync: planJob ─▶ create/delete pods ─▶ PUT status ─▶ events
//                                      finished + ttlSecondsAfterFinished ─▶ DELETE job (Foreground)

import { isNotFound, objectKey, ownerUidIndexFunc, resourcePath, WorkQueue } from '../../client/index.js';
import { type ControllerContext, type RunningController, runWorkers } from '../context.js';
import { type Job, jsonEqual, type Pod, resources } from '../../core/index.js';
import { inBatches } from '../shared/batches.js';
import { Expectations } from '../shared/expectations.js';
import { ensureIndex, OWNER_UID_INDEX } from '../shared/indexes.js';
import { SpecGuard } from '../shared/spec-guard.js';
import { DEFAULT_JOB_PLAN_OPTIONS, type JobPlanOptions, jobExpiry, newJobPod, planJob } from './plan.js';

const COMPONENT = 'job-controller';

export interface JobControllerOptions extends Partial<JobPlanOptions> {
  workers?: number;
}

export function startJobController(ctx: ControllerContext, opts: JobControllerOptions = {}): RunningController {
  const { client, clock, log } = ctx;
  const planOpts: JobPlanOptions = { ...DEFAULT_JOB_PLAN_OPTIONS, ...opts };
  const recorder = ctx.recorder(COMPONENT);
  const guard = new SpecGuard(recorder, 'Job', 'batch/v1', ctx.log);
  const jobs = ctx.informers.forResource<Job>(resources.jobs);
  const pods = ctx.informers.forResource<Pod>(resources.pods);
  ensureIndex(pods, OWNER_UID_INDEX, ownerUidIndexFunc);
  const queue = new WorkQueue<string>({ clock });
  const expectations = new Expectations(clock);

  const ownerJob = (pod: Pod): string | undefined => {
    const ref = pod.metadata.ownerReferences?.find((r) => r.controller && r.kind === 'Job');
    if (!ref) return undefined;
    const key = `${pod.metadata.namespace}/${ref.name}`;
    return jobs.get(key)?.metadata.uid === ref.uid ? key : undefined;
  };
  jobs.addEventHandler({
    onAdd: (j) => queue.add(objectKey(j.metadata)),
    onUpdate: (_o, j) => queue.add(objectKey(j.metadata)),
    onDelete: (j) => expectations.delete(objectKey(j.metadata)),
  });
  pods.addEventHandler({
    onAdd: (p) => {
      const key = ownerJob(p);
      if (!key) return;
      expectations.creationObserved(key);
      queue.add(key);
    },
    onUpdate: (o, p) => {
      const key = ownerJob(p);
      if (!key) return;
      if (p.metadata.deletionTimestamp && !o.metadata.deletionTimestamp) expectations.deletionObserved(key);
      queue.add(key);
    },
    onDelete: (p) => {
      const key = ownerJob(p);
      if (!key) return;
      if (!p.metadata.deletionTimestamp) expectations.deletionObserved(key);
      queue.add(key);
    },
  });

  const sync = async (key: string) => {
    const job = jobs.get(key);
    if (!job || job.metadata.deletionTimestamp || guard.refuse(job)) return;
    const namespace = job.metadata.namespace ?? '';
    const now = clock.now();
    const expiry = jobExpiry(job);
    if (expiry !== undefined) {
      if (expiry > now) {
        queue.addAfter(key, expiry - now);
        return;
      }
      try {
        await client.delete(resourcePath(resources.jobs, { namespace, name: job.metadata.name }), {
          propagationPolicy: 'Foreground',
          preconditions: { uid: job.metadata.uid },
        });
        log('deleted finished job (ttlSecondsAfterFinished)', { controller: COMPONENT, object: key });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      return;
    }
    if (!expectations.satisfied(key)) return;
    const plan = planJob(job, pods.byIndex(OWNER_UID_INDEX, job.metadata.uid ?? ''), now, planOpts);
    expectations.expect(key, plan.createPods, plan.deletePods.length);
    const toCreate = plan.newPods ?? Array.from({ length: plan.createPods }, () => ({}));
    await inBatches(toCreate, async (which) => {
      try {
        const pod = await client.create<Pod>(resourcePath(resources.pods, { namespace }), newJobPod(job, which));
        void recorder.event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
      } catch (err) {
        expectations.creationObserved(key);
        void recorder.event(job, 'Warning', 'FailedCreate', `Error creating: ${String(err)}`);
        throw err;
      }
    });
    await inBatches(plan.deletePods, async (pod) => {
      try {
        await client.delete(resourcePath(resources.pods, { namespace, name: pod.metadata.name }), {
          preconditions: { uid: pod.metadata.uid },
        });
        void recorder.event(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
      } catch (err) {
        expectations.deletionObserved(key);
        if (!isNotFound(err)) throw err;
      }
    });
    if (!jsonEqual(plan.status, job.status ?? {})) {
      await client.updateStatus(resourcePath(resources.jobs, { namespace, name: job.metadata.name }), {
        ...job,
        status: plan.status,
      });
    }
    if (plan.finished) {
      const type = plan.finished.type === 'Complete' ? 'Normal' : 'Warning';
      void recorder.event(job, type, plan.finished.reason, plan.finished.message);
      log('job finished', {
        controller: COMPONENT,
        object: key,
        condition: plan.finished.type,
        reason: plan.finished.reason,
      });
      const ttl = job.spec?.ttlSecondsAfterFinished;
      if (ttl !== undefined) queue.addAfter(key, ttl * 1000);
    }
    if (plan.requeueAfterMs !== undefined) queue.addAfter(key, Math.max(1, plan.requeueAfterMs));
  };

  const running = runWorkers({ name: COMPONENT, ctx, queue, waitFor: [jobs, pods], workers: opts.workers ?? 2, sync });
  return { name: COMPONENT, stop: () => running.stop() };
}
