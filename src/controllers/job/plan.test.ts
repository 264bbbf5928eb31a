import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Job, JobSpec, JobStatus, Pod } from '../../core/index.js';
import { jobExpiry, newJobPod, planJob } from './plan.js';

const NOW = Date.parse('2025-01-01T00:10:00Z');
const job = (spec: Partial<JobSpec> = {}, status: JobStatus = {}): Job => ({
  metadata: { name: 'pi', namespace: 'ns', uid: 'job-uid' },
  spec: {
    parallelism: 2,
    completions: 3,
    backoffLimit: 1,
    template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c' }], restartPolicy: 'Never' } },
    ...spec,
  },
  status,
});
const pod = (name: string, phase: string, finished = '2025-01-01T00:09:59Z'): Pod =>
  ({
    metadata: { name, namespace: 'ns', creationTimestamp: '2025-01-01T00:00:00Z' },
    spec: { containers: [], restartPolicy: 'Never' },
    status: {
      phase,
      containerStatuses:
        phase === 'Failed' ? [{ restartCount: 0, state: { terminated: { finishedAt: finished } } }] : [],
    },
  }) as unknown as Pod;

test('creates up to parallelism, capped by remaining completions', () => {
  const p = planJob(job(), [], NOW);
  assert.equal(p.createPods, 2);
  assert.equal(p.status.startTime, '2025-01-01T00:10:00Z');
  const p2 = planJob(job(), [pod('a', 'Succeeded'), pod('b', 'Succeeded'), pod('c', 'Running')], NOW);
  assert.equal(p2.createPods, 0);
  assert.equal(p2.status.active, 1);
  assert.equal(p2.status.succeeded, 2);
  const pod1 = newJobPod(job());
  assert.equal(pod1.metadata.labels?.['job-name'], 'pi');
  assert.equal(pod1.metadata.ownerReferences?.[0]?.kind, 'Job');
});

test('completes once completions succeeded and nothing runs', () => {
  const p = planJob(job(), [pod('a', 'Succeeded'), pod('b', 'Succeeded'), pod('c', 'Succeeded')], NOW);
  assert.equal(p.finished?.type, 'Complete');
  assert.deepEqual(
    p.status.conditions?.map((c) => c.type),
    ['SuccessCriteriaMet', 'Complete'],
  );
  assert.equal(p.status.completionTime, '2025-01-01T00:10:00Z');
  const done = job({ ttlSecondsAfterFinished: 5 }, p.status);
  assert.equal(jobExpiry(done), NOW + 5000);
  assert.equal(planJob(done, [], NOW + 1000).createPods, 0);
});

test('failures back off, then exceed the backoff limit', () => {
  const opts = { backoffBaseMs: 10_000, backoffMaxMs: 60_000 };
  const one = planJob(job(), [pod('a', 'Failed'), pod('b', 'Running')], NOW, opts);
  assert.equal(one.createPods, 0);
  assert.equal(one.requeueAfterMs, 9000);
  assert.equal(planJob(job(), [pod('a', 'Failed'), pod('b', 'Running')], NOW + 9000, opts).createPods, 1);
  const two = planJob(job(), [pod('a', 'Failed'), pod('b', 'Failed'), pod('c', 'Running')], NOW, opts);
  assert.deepEqual(
    two.deletePods.map((p) => p.metadata.name),
    ['c'],
  );
  assert.equal(two.finished, undefined);
  assert.equal(two.status.conditions?.[0]?.type, 'FailureTarget');
  const final = planJob(job({}, two.status), [pod('a', 'Failed'), pod('b', 'Failed')], NOW, opts);
  assert.equal(final.finished?.reason, 'BackoffLimitExceeded');
  assert.deepEqual(
    final.status.conditions?.map((c) => c.type),
    ['FailureTarget', 'Failed'],
  );
});

test('activeDeadlineSeconds fails the job with DeadlineExceeded', () => {
  const j = job({ activeDeadlineSeconds: 60 }, { startTime: '2025-01-01T00:08:00Z' });
  const p = planJob(j, [], NOW);
  assert.equal(p.finished?.reason, 'DeadlineExceeded');
  const early = planJob(job({ activeDeadlineSeconds: 600 }, { startTime: '2025-01-01T00:08:00Z' }), [], NOW);
  assert.equal(early.createPods, 2);
  assert.equal(early.requeueAfterMs, 480_000);
});
