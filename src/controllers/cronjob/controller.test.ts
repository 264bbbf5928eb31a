// The CronJob controller against the client's fake API server with a fake clock: it wakes up exactly at the
// next scheduled minute (+100 ms), creates the job named for that minute, and records it in status.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ApiClient, FakeClock } from '../../client/index.js';
import { FakeApiServer } from '../../client/testing/fake-server.js';
import { waitFor } from '../../client/testing/wait.js';
import type { CronJob, Job } from '../../core/index.js';
import { newControllerContext, type RunningController } from '../context.js';
import { startCronJobController } from './controller.js';

let server: FakeApiServer;
let client: ApiClient;
let running: RunningController;
let stopInformers: () => void;
const clock = new FakeClock(Date.now());

before(async () => {
  server = await FakeApiServer.start();
  client = new ApiClient({ server: server.url });
  const ctx = newControllerContext(client, { clock, log: () => {} });
  running = startCronJobController(ctx, { defaultTimeZone: 'UTC' });
  ctx.informers.start();
  stopInformers = () => ctx.informers.stop();
});
after(async () => {
  await running.stop();
  stopInformers();
  client.close();
  await server.stop();
});

test('requeues for the next minute, creates the job then, and lists it as active', async () => {
  const cj = server.put('batch', 'cronjobs', {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'tick', namespace: 'ns' },
    spec: {
      schedule: '* * * * *',
      concurrencyPolicy: 'Allow',
      jobTemplate: {
        spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }], restartPolicy: 'Never' } } },
      },
    },
  }) as CronJob;
  const created = Date.parse(cj.metadata.creationTimestamp!);
  const nextMinute = created - (created % 60_000) + 60_000;
  const jobName = `tick-${nextMinute / 60_000}`;
  await waitFor(() => clock.pendingTimers() > 0);
  const wait = nextMinute + 100 - clock.now();
  clock.advance(wait - 200);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(server.getObject('batch', 'jobs', 'ns', jobName), undefined, 'not before its minute');
  clock.advance(200);
  await waitFor(() => server.getObject('batch', 'jobs', 'ns', jobName) !== undefined);
  const job = server.getObject('batch', 'jobs', 'ns', jobName) as Job;
  assert.equal(job.metadata.ownerReferences?.[0]?.uid, cj.metadata.uid);
  assert.equal(
    job.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'],
    new Date(nextMinute).toISOString().replace('.000Z', 'Z'),
  );
  await waitFor(() => (server.getObject('batch', 'cronjobs', 'ns', 'tick') as CronJob).status?.active?.length === 1);
  const status = (server.getObject('batch', 'cronjobs', 'ns', 'tick') as CronJob).status!;
  assert.equal(status.active?.[0]?.name, jobName);
  assert.equal(Date.parse(status.lastScheduleTime!), nextMinute);
});
