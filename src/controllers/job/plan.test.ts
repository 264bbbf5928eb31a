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

const ANN = 'batch.kubernetes.io/job-completion-index';
const ipod = (name: string, index: number, phase: string, extra: Partial<Pod['status']> = {}, ann = {}): Pod =>
  ({
    ...pod(name, phase),
    metadata: {
      ...pod(name, phase).metadata,
      annotations: { [ANN]: String(index), ...ann },
    },
    status: { ...pod(name, phase).status, ...extra },
  }) as Pod;
const indexed = (spec: Partial<JobSpec> = {}, status: JobStatus = {}) =>
  job({ completionMode: 'Indexed', completions: 5, parallelism: 3, ...spec }, status);

test('Indexed: one pod per pending index, lowest first, up to parallelism; the pod carries its index', () => {
  const p = planJob(indexed(), [ipod('a', 1, 'Running'), ipod('b', 0, 'Succeeded')], NOW);
  assert.deepEqual(
    p.newPods?.map((n) => n.index),
    [2, 3],
  );
  assert.equal(p.createPods, 2);
  assert.equal(p.status.completedIndexes, '0');
  assert.equal(p.status.succeeded, 1);
  const j = indexed({
    subdomain: 'svc',
    template: {
      spec: { restartPolicy: 'Never', containers: [{ name: 'c', env: [{ name: 'X', value: '1' }] }] },
    },
  } as Partial<JobSpec>);
  const created = newJobPod(j, { index: 3 });
  assert.equal(created.metadata.generateName, 'pi-3-');
  assert.equal(created.metadata.annotations?.[ANN], '3');
  assert.equal(created.metadata.labels?.[ANN], '3');
  assert.equal(created.spec?.hostname, 'pi-3');
  assert.deepEqual(created.spec?.containers[0]?.env?.[1], {
    name: 'JOB_COMPLETION_INDEX',
    valueFrom: { fieldRef: { fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } },
  });
  // The template is not modified.
  assert.equal(j.spec?.template.spec?.containers[0]?.env?.length, 1);
  assert.equal(newJobPod(job()).metadata.generateName, 'pi-');
});

test('Indexed: duplicates of an index and pods of succeeded indexes are deleted; completes on all indexes', () => {
  const p = planJob(
    indexed({ completions: 3 }),
    [ipod('a', 0, 'Running'), ipod('b', 0, 'Pending'), ipod('c', 1, 'Succeeded'), ipod('d', 1, 'Running')],
    NOW,
  );
  assert.deepEqual(p.deletePods.map((x) => x.metadata.name).sort(), ['b', 'd']);
  assert.deepEqual(
    p.newPods?.map((n) => n.index),
    [2],
  );
  // completedIndexes survives the pods: status already says 0-1, pod of index 2 succeeded.
  const done = planJob(indexed({ completions: 3 }, { completedIndexes: '0-1' }), [ipod('e', 2, 'Succeeded')], NOW);
  assert.equal(done.status.completedIndexes, '0-2');
  assert.equal(done.status.succeeded, 3);
  assert.equal(done.finished?.type, 'Complete');
  // A failed index is retried with a new pod for that index.
  const retry = planJob(
    indexed({ completions: 2, backoffLimit: 3 }),
    [ipod('f', 0, 'Failed'), ipod('g', 1, 'Running')],
    NOW + 60_000,
  );
  assert.deepEqual(
    retry.newPods?.map((n) => n.index),
    [0],
  );
});

const exited = (name: string, code: number, conditions: { type: string; status: string }[] = []) =>
  ({
    ...pod(name, 'Failed'),
    status: {
      phase: 'Failed',
      conditions,
      containerStatuses: [
        { name: 'c', restartCount: 0, state: { terminated: { exitCode: code, finishedAt: '2025-01-01T00:09:59Z' } } },
      ],
    },
  }) as unknown as Pod;

test('podFailurePolicy FailJob: FailureTarget, active pods deleted, then Failed with reason PodFailurePolicy', () => {
  const j = job({
    backoffLimit: 6,
    podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } }] },
  });
  const msg = 'Container c for pod ns/a failed with exit code 42 matching FailJob rule at index 0';
  const p = planJob(j, [exited('a', 42), pod('b', 'Running')], NOW);
  assert.deepEqual(
    p.deletePods.map((x) => x.metadata.name),
    ['b'],
  );
  assert.equal(p.finished, undefined);
  assert.deepEqual(
    p.status.conditions?.map((c) => [c.type, c.reason, c.message]),
    [['FailureTarget', 'PodFailurePolicy', msg]],
  );
  // Next sync: the running pod is gone (and even the failed one): Failed with the same reason and message.
  const final = planJob({ ...j, status: p.status }, [], NOW);
  assert.deepEqual(final.finished, { type: 'Failed', reason: 'PodFailurePolicy', message: msg });
  assert.deepEqual(
    final.status.conditions?.map((c) => [c.type, c.reason]),
    [
      ['FailureTarget', 'PodFailurePolicy'],
      ['Failed', 'PodFailurePolicy'],
    ],
  );
  // Another exit code counts as usual.
  assert.equal(planJob(j, [exited('a', 1), pod('b', 'Running')], NOW).status.failed, 1);
});

test('podFailurePolicy Ignore: a DisruptionTarget failure does not consume backoffLimit and is replaced at once', () => {
  const j = job({
    backoffLimit: 0,
    completions: 1,
    parallelism: 1,
    podFailurePolicy: {
      rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }],
    },
  });
  const evicted = exited('a', 137, [{ type: 'DisruptionTarget', status: 'True' }]);
  const p = planJob(j, [evicted], NOW);
  assert.equal(p.finished, undefined);
  assert.equal(p.status.failed, 0);
  assert.equal(p.createPods, 1);
  assert.equal(p.requeueAfterMs, undefined);
  // Without the condition the same failure exceeds backoffLimit 0.
  const counted = planJob(j, [exited('a', 137)], NOW);
  assert.equal(counted.finished?.reason, 'BackoffLimitExceeded');
  assert.equal(counted.status.failed, 1);
});

test('backoffLimitPerIndex and FailIndex: failed indexes, then FailedIndexes or MaxFailedIndexesExceeded', () => {
  const j = indexed({
    completions: 3,
    parallelism: 3,
    backoffLimit: undefined,
    backoffLimitPerIndex: 1,
    podFailurePolicy: { rules: [{ action: 'FailIndex', onExitCodes: { operator: 'In', values: [9] } }] },
  });
  // Index 0 failed once (limit 1): retried, its new pod knows one failure. Index 1 hit FailIndex: not retried.
  const p = planJob(
    j,
    [exited('a', 1), exited('b', 9), ipod('c', 2, 'Succeeded')].map((x, i) => withIndex(x, i)),
    NOW + 60_000,
  );
  assert.equal(p.status.failedIndexes, '1');
  assert.equal(p.status.completedIndexes, '2');
  assert.deepEqual(p.newPods, [{ index: 0, indexFailures: 1 }]);
  assert.equal(p.finished, undefined);
  // Index 0's second failure exceeds its limit: every index is finished, one failed.
  const second = withIndex(exited('d', 1), 0, { 'batch.kubernetes.io/job-index-failure-count': '1' });
  const f = planJob({ ...j, status: p.status }, [second], NOW + 60_000);
  assert.equal(f.status.failedIndexes, '0-1');
  assert.equal(f.finished?.reason, 'FailedIndexes');
  assert.equal(f.finished?.message, 'Job has failed indexes');
  const m = planJob({ ...j, spec: { ...j.spec!, maxFailedIndexes: 0 } }, [withIndex(exited('b', 9), 1)], NOW);
  assert.equal(m.finished?.reason, 'MaxFailedIndexesExceeded');
});

function withIndex(p: Pod, index: number, ann: Record<string, string> = {}): Pod {
  return { ...p, metadata: { ...p.metadata, annotations: { [ANN]: String(index), ...ann } } };
}

test('backoffLimitPerIndex: each index backs off on its own failures', () => {
  const opts = { backoffBaseMs: 10_000, backoffMaxMs: 60_000 };
  const j = indexed({ completions: 3, parallelism: 3, backoffLimit: undefined, backoffLimitPerIndex: 3 });
  const twice = withIndex(exited('a', 1), 0, { 'batch.kubernetes.io/job-index-failure-count': '1' });
  // Index 0 failed a second time 1 s ago (20 s backoff), index 1 has no failures, index 2 runs.
  const p = planJob(j, [twice, ipod('c', 2, 'Running')], NOW, opts);
  assert.deepEqual(p.newPods, [{ index: 1, indexFailures: 0 }]);
  assert.equal(p.requeueAfterMs, 19_000);
  const later = planJob(j, [twice, ipod('b', 1, 'Running'), ipod('c', 2, 'Running')], NOW + 19_000, opts);
  assert.deepEqual(later.newPods, [{ index: 0, indexFailures: 2 }]);
  // Without backoffLimitPerIndex the job-wide backoff holds every index back.
  const global = planJob(
    indexed({ completions: 3, parallelism: 3, backoffLimit: 6 }),
    [withIndex(exited('a', 1), 0)],
    NOW,
    opts,
  );
  assert.equal(global.createPods, 0);
  assert.equal(global.requeueAfterMs, 9000);
});

test('Indexed successPolicy: SuccessCriteriaMet by policy, lingering pods deleted, then Complete', () => {
  const j = indexed({ completions: 3, successPolicy: { rules: [{ succeededIndexes: '0' }] } });
  const p = planJob(j, [ipod('a', 0, 'Succeeded'), ipod('b', 1, 'Running')], NOW);
  assert.deepEqual(
    p.deletePods.map((x) => x.metadata.name),
    ['b'],
  );
  assert.equal(p.createPods, 0);
  assert.deepEqual(
    p.status.conditions?.map((c) => [c.type, c.reason, c.message]),
    [['SuccessCriteriaMet', 'SuccessPolicy', 'Matched rules at index 0']],
  );
  // The lingering pod failed while stopping: the verdict stands, no failure counts against it.
  const next = planJob(
    { ...j, spec: { ...j.spec!, backoffLimit: 0 }, status: p.status },
    [ipod('a', 0, 'Succeeded'), exited('b', 1)],
    NOW,
  );
  assert.equal(next.finished?.type, 'Complete');
  assert.deepEqual(
    next.status.conditions?.map((c) => [c.type, c.reason]),
    [
      ['SuccessCriteriaMet', 'SuccessPolicy'],
      ['Complete', 'SuccessPolicy'],
    ],
  );
  assert.equal(next.status.completedIndexes, '0');
});
