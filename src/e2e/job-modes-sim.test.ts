// Job completion modes and pod failure policies in a real `tutti server` (whole control plane) with simulated
// nodes, driven by kubectl: an Indexed Job (indexes 0..2 as annotation, label, hostname, env, pod names,
// completedIndexes "0-2"), a podFailurePolicy FailJob rule on exit code 42 (simulated pods exit with the
// simulated.tutti.io/exit-code annotation), an Ignore rule on DisruptionTarget that spares backoffLimit, and
// backoffLimitPerIndex failing one index (failedIndexes) while the others complete.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { ApiClient } from '../client/api-client.js';
import type { Job, Pod } from '../core/index.js';
import { pollUntil, type TestServer } from './harness.js';
import { type SimCluster, startSimCluster } from './testing/sim-cluster.js';

const until = <T>(what: string, ms: number, fn: () => Promise<T | undefined | false>) => pollUntil(what, fn, ms, 100);
const INDEX = 'batch.kubernetes.io/job-completion-index';

describe('Job modes with simulated nodes', () => {
  let s: TestServer;
  let cluster: SimCluster | undefined;
  let client: ApiClient;
  const dataDir = mkdtempSync('/tmp/h9-e2e-');
  const pods = async (job: string) =>
    (await client.list<Pod>('/api/v1/namespaces/default/pods', { labelSelector: `job-name=${job}` })).items;
  const getJob = async (name: string) => JSON.parse(await s.k('get', 'job', name, '-o', 'json')) as Job;
  const condition = (j: Job, type: string) => j.status?.conditions?.find((c) => c.type === type && c.status === 'True');
  const apply = (manifest: unknown) => s.kubectl(['apply', '-f', '-'], { input: JSON.stringify(manifest) });
  const jobManifest = (
    name: string,
    spec: Record<string, unknown>,
    annotations: Record<string, string> = {},
    podSpec: Record<string, unknown> = {},
  ) => ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name },
    spec: {
      ...spec,
      template: {
        metadata: { annotations },
        spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox:1.36' }], ...podSpec },
      },
    },
  });

  before(async () => {
    cluster = await startSimCluster(
      { controlPlane: true, dataDir },
      {
        count: 2,
        capacity: { cpu: '8', memory: '16Gi', pods: '110' },
        podStartMs: 200,
        podDeleteMs: 200,
        runToCompletionMs: 500,
        leaseRenewMs: 1000,
        statusUpdateMs: 1000,
      },
    );
    ({ s, client } = cluster);
  });
  after(async () => {
    await cluster?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs an Indexed Job: one pod per index 0..2 with its index, then completedIndexes "0-2"', async () => {
    const r = await apply(
      jobManifest('idx', { completionMode: 'Indexed', completions: 3, parallelism: 3 }, {}, { subdomain: 'workers' }),
    );
    assert.equal(r.code, 0, r.stderr);
    const w = await s.kubectl(['wait', '--for=condition=Complete', 'job/idx', '--timeout=30s']);
    assert.equal(w.code, 0, w.stderr);
    const job = await getJob('idx');
    assert.equal(job.status?.completedIndexes, '0-2');
    assert.equal(job.status?.succeeded, 3);
    const ps = await pods('idx');
    const byIndex = new Map(ps.map((p) => [p.metadata.annotations?.[INDEX], p]));
    assert.deepEqual([...byIndex.keys()].sort(), ['0', '1', '2']);
    assert.equal(ps.length, 3, 'one pod per index');
    for (const [ix, p] of byIndex) {
      assert.match(p.metadata.name ?? '', new RegExp(`^idx-${ix}-[a-z0-9]{5}$`));
      assert.equal(p.metadata.labels?.[INDEX], ix);
      assert.equal(p.spec?.hostname, `idx-${ix}`);
      assert.equal(p.spec?.subdomain, 'workers');
      assert.deepEqual(
        p.spec?.containers[0]?.env?.find((e) => e.name === 'JOB_COMPLETION_INDEX')?.valueFrom?.fieldRef?.fieldPath,
        `metadata.annotations['${INDEX}']`,
      );
    }
    // kubectl shows the indexes too.
    assert.match(await s.k('describe', 'job', 'idx'), /Completed Indexes:\s+0-2/);
  });

  it('fails a Job with reason PodFailurePolicy when its pod exits 42 under a FailJob rule', async () => {
    const r = await apply(
      jobManifest(
        'exit42',
        {
          backoffLimit: 6,
          podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } }] },
        },
        { 'simulated.tutti.io/exit-code': '42' },
      ),
    );
    assert.equal(r.code, 0, r.stderr);
    const w = await s.kubectl(['wait', '--for=condition=Failed', 'job/exit42', '--timeout=30s']);
    assert.equal(w.code, 0, w.stderr);
    const job = await getJob('exit42');
    const [p] = await pods('exit42');
    assert.ok(p, 'the failed pod is kept');
    const failed = condition(job, 'Failed');
    assert.equal(failed?.reason, 'PodFailurePolicy');
    assert.equal(
      failed?.message,
      `Container main for pod default/${p.metadata.name} failed with exit code 42 matching FailJob rule at index 0`,
    );
    assert.equal(condition(job, 'FailureTarget')?.reason, 'PodFailurePolicy');
    assert.equal((await pods('exit42')).length, 1, 'no retry although backoffLimit is 6');
    assert.match(await s.k('get', 'events', '--field-selector', 'involvedObject.name=exit42'), /PodFailurePolicy/);
  });

  it('does not count a DisruptionTarget failure under an Ignore rule towards backoffLimit 0', async () => {
    const r = await apply(
      jobManifest(
        'disrupted',
        {
          backoffLimit: 0,
          podFailurePolicy: {
            rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] }],
          },
        },
        { 'simulated.tutti.io/run-ms': '4000' },
      ),
    );
    assert.equal(r.code, 0, r.stderr);
    const first = await until('a running pod', 15_000, async () =>
      (await pods('disrupted')).find((p) => p.status?.phase === 'Running'),
    );
    // As an eviction's kubelet would: the pod fails with DisruptionTarget (strategic merge on conditions).
    const patch = {
      status: {
        phase: 'Failed',
        conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI' }],
      },
    };
    await s.k('patch', 'pod', first.metadata.name ?? '', '--subresource=status', '-p', JSON.stringify(patch));
    const w = await s.kubectl(['wait', '--for=condition=Complete', 'job/disrupted', '--timeout=30s']);
    assert.equal(w.code, 0, w.stderr);
    const job = await getJob('disrupted');
    assert.equal(job.status?.failed ?? 0, 0);
    assert.equal(job.status?.succeeded, 1);
    assert.equal(condition(job, 'Failed'), undefined);
    const ps = await pods('disrupted');
    assert.deepEqual(ps.map((p) => p.status?.phase).sort(), ['Failed', 'Succeeded']);
  });

  it('marks an index failed past backoffLimitPerIndex 0; the others complete; Failed with FailedIndexes', async () => {
    const r = await apply(
      jobManifest(
        'perindex',
        { completionMode: 'Indexed', completions: 3, parallelism: 3, backoffLimitPerIndex: 0 },
        { 'simulated.tutti.io/run-ms': '3000' },
      ),
    );
    assert.equal(r.code, 0, r.stderr);
    const one = await until('index 1 running', 15_000, async () =>
      (await pods('perindex')).find((p) => p.metadata.annotations?.[INDEX] === '1' && p.status?.phase === 'Running'),
    );
    assert.equal(one.metadata.annotations?.['batch.kubernetes.io/job-index-failure-count'], '0');
    // Its container exits 3 (as a kubelet reports it; a merge patch replaces the statuses list).
    const t = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const containerStatuses = (one.status?.containerStatuses ?? []).map((cs) => ({
      ...cs,
      ready: false,
      started: false,
      state: { terminated: { exitCode: 3, reason: 'Error', startedAt: t, finishedAt: t } },
    }));
    const patch = { status: { phase: 'Failed', containerStatuses } };
    await s.k(
      'patch',
      'pod',
      one.metadata.name ?? '',
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify(patch),
    );
    const w = await s.kubectl(['wait', '--for=condition=Failed', 'job/perindex', '--timeout=30s']);
    assert.equal(w.code, 0, w.stderr);
    const job = await getJob('perindex');
    assert.equal(job.status?.failedIndexes, '1');
    assert.equal(job.status?.completedIndexes, '0,2');
    assert.equal(condition(job, 'Failed')?.reason, 'FailedIndexes');
    assert.equal(condition(job, 'Failed')?.message, 'Job has failed indexes');
    const ps = await pods('perindex');
    assert.equal(ps.filter((p) => p.metadata.annotations?.[INDEX] === '1').length, 1, 'index 1 not retried');
  });

  it('completes an Indexed Job early by its successPolicy (reason SuccessPolicy), starting no further index', async () => {
    const r = await apply(
      jobManifest('leader', {
        completionMode: 'Indexed',
        completions: 3,
        parallelism: 1,
        successPolicy: { rules: [{ succeededIndexes: '0' }] },
      }),
    );
    assert.equal(r.code, 0, r.stderr);
    const w = await s.kubectl(['wait', '--for=condition=Complete', 'job/leader', '--timeout=30s']);
    assert.equal(w.code, 0, w.stderr);
    const job = await getJob('leader');
    assert.equal(job.status?.completedIndexes, '0');
    assert.equal(condition(job, 'SuccessCriteriaMet')?.reason, 'SuccessPolicy');
    assert.equal(condition(job, 'Complete')?.message, 'Matched rules at index 0');
    assert.deepEqual(
      (await pods('leader')).map((p) => p.metadata.annotations?.[INDEX]),
      ['0'],
    );
  });
});
