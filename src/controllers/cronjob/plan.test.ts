import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type CronJob, type Job, parseCronSchedule } from '../../core/index.js';
import {
  type CronEvent,
  decideSchedule,
  jobsBeyondHistory,
  reconcileActive,
  recordStart,
  SCHEDULED_TIMESTAMP_ANNOTATION,
} from './plan.js';
import { mostRecentScheduleTime, NEXT_SCHEDULE_DELTA_MS, nextScheduleDelayMs } from './schedule-times.js';

const T = (s: string) => Date.parse(s);

function cronJob(spec: Partial<NonNullable<CronJob['spec']>> = {}, status: CronJob['status'] = {}): CronJob {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'hello', namespace: 'ns', uid: 'cj-uid', creationTimestamp: '2026-03-01T10:00:30Z' },
    spec: {
      schedule: '* * * * *',
      concurrencyPolicy: 'Allow',
      suspend: false,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 1,
      jobTemplate: {
        metadata: { labels: { team: 'a' }, annotations: { note: 'x' } },
        spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }], restartPolicy: 'OnFailure' } } },
      },
      ...spec,
    },
    status,
  };
}

function job(
  name: string,
  o: { finished?: 'Complete' | 'Failed'; start?: string; done?: string; uid?: string } = {},
): Job {
  return {
    metadata: { name, namespace: 'ns', uid: o.uid ?? name },
    status: {
      ...(o.start ? { startTime: o.start } : {}),
      ...(o.done ? { completionTime: o.done } : {}),
      ...(o.finished ? { conditions: [{ type: o.finished, status: 'True' }] } : {}),
    },
  };
}

test('most recent schedule time: none yet, one due, several missed, many missed, impossible schedules', () => {
  const every = parseCronSchedule('* * * * *');
  const cj = cronJob();
  assert.deepEqual(mostRecentScheduleTime(cj, T('2026-03-01T10:00:50Z'), every, false), {
    earliest: T('2026-03-01T10:00:30Z'),
    missed: 'none',
  });
  assert.equal(
    mostRecentScheduleTime(cj, T('2026-03-01T10:01:05Z'), every, false).mostRecent,
    T('2026-03-01T10:01:00Z'),
  );
  const several = mostRecentScheduleTime(cj, T('2026-03-01T10:05:10Z'), every, false);
  assert.equal(several.mostRecent, T('2026-03-01T10:05:00Z'));
  assert.equal(several.missed, 'few');
  assert.equal(mostRecentScheduleTime(cj, T('2026-03-01T13:00:10Z'), every, false).missed, 'many');
  const weekdays = parseCronSchedule('30 6-16/4 * * 1-5');
  // 2026-03-02 is a Monday: starts at 06:30, 10:30, 14:30.
  const irregular = cronJob({ schedule: '30 6-16/4 * * 1-5' }, { lastScheduleTime: '2026-03-02T06:30:00Z' });
  assert.equal(
    mostRecentScheduleTime(irregular, T('2026-03-03T11:00:00Z'), weekdays, false).mostRecent,
    T('2026-03-03T10:30:00Z'),
  );
  const never = mostRecentScheduleTime(cj, T('2026-03-05T00:00:00Z'), parseCronSchedule('59 23 31 2 *'), false);
  assert.match(never.error ?? '', /less than 1 second/);
});

test('a due start: the job named by scheduled minutes, template labels and annotations, the scheduled timestamp', () => {
  const now = T('2026-03-01T10:01:05Z');
  const events: CronEvent[] = [];
  const d = decideSchedule(cronJob(), now, 'UTC', events);
  assert.equal(d.kind, 'start');
  if (d.kind !== 'start') return;
  assert.equal(d.scheduledMs, T('2026-03-01T10:01:00Z'));
  assert.equal(d.job.metadata.name, `hello-${T('2026-03-01T10:01:00Z') / 60_000}`);
  assert.deepEqual(d.job.metadata.labels, { team: 'a' });
  assert.deepEqual(d.job.metadata.annotations, { note: 'x', [SCHEDULED_TIMESTAMP_ANNOTATION]: '2026-03-01T10:01:00Z' });
  assert.equal(d.job.metadata.ownerReferences?.[0]?.kind, 'CronJob');
  assert.equal(d.job.spec?.template.spec?.restartPolicy, 'OnFailure');
  assert.deepEqual(events, []);
  const cj = cronJob();
  recordStart(cj, { ...d.job, metadata: { ...d.job.metadata, uid: 'j1' } }, d.scheduledMs);
  assert.equal(cj.status?.lastScheduleTime, '2026-03-01T10:01:00Z');
  assert.equal(cj.status?.active?.[0]?.uid, 'j1');
  // Processed: the next wake-up is the next minute plus the delta.
  const again = decideSchedule(cj, now, 'UTC', []);
  assert.deepEqual(again, { kind: 'wait', requeueAfterMs: T('2026-03-01T10:02:00Z') + NEXT_SCHEDULE_DELTA_MS - now });
});

test('not yet due: wait exactly until the next start; suspended and unparseable wait for a spec change', () => {
  const now = T('2026-03-01T10:00:40Z');
  assert.deepEqual(decideSchedule(cronJob(), now, 'UTC', []), {
    kind: 'wait',
    requeueAfterMs: T('2026-03-01T10:01:00Z') + NEXT_SCHEDULE_DELTA_MS - now,
  });
  assert.equal(nextScheduleDelayMs(cronJob(), now, parseCronSchedule('* * * * *')), 20_100);
  assert.deepEqual(decideSchedule(cronJob({ suspend: true }), now + 60_000, 'UTC', []), { kind: 'wait' });
  const events: CronEvent[] = [];
  assert.deepEqual(decideSchedule(cronJob({ schedule: 'bogus' }), now, 'UTC', events), { kind: 'wait' });
  assert.equal(events[0]?.reason, 'UnparseableSchedule');
  const tz: CronEvent[] = [];
  decideSchedule(cronJob({ timeZone: 'Nowhere/Land' }), now, 'UTC', tz);
  assert.equal(tz[0]?.reason, 'UnknownTimeZone');
});

test('missed starts: too many warns but still starts the latest; past the starting deadline it is skipped', () => {
  const events: CronEvent[] = [];
  const late = decideSchedule(cronJob(), T('2026-03-01T14:00:10Z'), 'UTC', events);
  assert.equal(late.kind === 'start' && late.scheduledMs, T('2026-03-01T14:00:00Z'));
  assert.deepEqual(
    events.map((e) => e.reason),
    ['TooManyMissedTimes'],
  );
  const deadline: CronEvent[] = [];
  const hourly = cronJob({ schedule: '0 * * * *', startingDeadlineSeconds: 30 });
  assert.equal(decideSchedule(hourly, T('2026-03-01T11:05:00Z'), 'UTC', deadline).kind, 'wait');
  assert.deepEqual(deadline, [], 'the deadline bounds the search: no start to miss');
  const withinWindow = cronJob({ schedule: '0 * * * *', startingDeadlineSeconds: 600 });
  assert.equal(decideSchedule(withinWindow, T('2026-03-01T11:05:00Z'), 'UTC', []).kind, 'start');
});

test('concurrency: Forbid waits while a job runs, Replace deletes the active jobs first, Allow runs beside', () => {
  const now = T('2026-03-01T10:02:05Z');
  const active = {
    active: [{ name: 'hello-1', namespace: 'ns', uid: 'a1' }],
    lastScheduleTime: '2026-03-01T10:01:00Z',
  };
  const forbid: CronEvent[] = [];
  assert.equal(decideSchedule(cronJob({ concurrencyPolicy: 'Forbid' }, active), now, 'UTC', forbid).kind, 'wait');
  assert.equal(forbid[0]?.reason, 'JobAlreadyActive');
  const replace = decideSchedule(cronJob({ concurrencyPolicy: 'Replace' }, active), now, 'UTC', []);
  assert.deepEqual(replace.kind === 'start' && replace.replace.map((r) => r.uid), ['a1']);
  const allow = decideSchedule(cronJob({}, active), now, 'UTC', []);
  assert.deepEqual(allow.kind === 'start' && allow.replace, []);
});

test('time zones: fields read in spec.timeZone, the annotation with its offset', () => {
  const tokyo = cronJob(
    { schedule: '0 9 * * *', timeZone: 'Asia/Tokyo' },
    { lastScheduleTime: '2026-02-28T00:00:00Z' },
  );
  const d = decideSchedule(tokyo, T('2026-03-01T00:00:30Z'), 'UTC', []);
  assert.equal(d.kind === 'start' && d.scheduledMs, T('2026-03-01T00:00:00Z'), '09:00 in Tokyo is 00:00 UTC');
  assert.equal(
    d.kind === 'start' && d.job.metadata.annotations?.[SCHEDULED_TIMESTAMP_ANNOTATION],
    '2026-03-01T09:00:00+09:00',
  );
  // Without spec.timeZone, the controller's zone.
  const local = decideSchedule(
    cronJob({ schedule: '0 9 * * *' }, { lastScheduleTime: '2026-02-28T00:00:00Z' }),
    T('2026-03-01T00:00:30Z'),
    'Asia/Tokyo',
    [],
  );
  assert.equal(local.kind, 'start');
});

test('history limits: the oldest finished jobs beyond each limit, by start time', () => {
  const cj = cronJob({ successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 0 });
  const jobs = [
    job('s2', { finished: 'Complete', start: '2026-03-01T10:02:00Z' }),
    job('s1', { finished: 'Complete', start: '2026-03-01T10:01:00Z' }),
    job('s3', { finished: 'Complete', start: '2026-03-01T10:03:00Z' }),
    job('f1', { finished: 'Failed', start: '2026-03-01T10:00:00Z' }),
    job('running', { start: '2026-03-01T10:04:00Z' }),
  ];
  assert.deepEqual(
    jobsBeyondHistory(cj, jobs).map((j) => j.metadata.name),
    ['s1', 's2', 'f1'],
  );
});

test('active list: finished jobs leave it, unknown running jobs are reported, missing ones dropped', () => {
  const cj = cronJob(
    {},
    {
      active: [
        { name: 'done', namespace: 'ns', uid: 'done' },
        { name: 'gone', namespace: 'ns', uid: 'gone' },
      ],
    },
  );
  const events: CronEvent[] = [];
  const changed = reconcileActive(
    cj,
    [
      job('done', { finished: 'Complete', done: '2026-03-01T10:05:00Z' }),
      job('stray'),
      job('old', { finished: 'Complete', done: '2026-03-01T09:00:00Z' }),
    ],
    new Set(['gone']),
    events,
  );
  assert.equal(changed, true);
  assert.deepEqual(cj.status?.active, []);
  assert.deepEqual(
    events.map((e) => e.reason),
    ['SawCompletedJob', 'UnexpectedJob', 'MissingJob'],
  );
  assert.equal(cj.status?.lastSuccessfulTime, '2026-03-01T09:00:00Z', 'a completed job not in the list counts at once');
  reconcileActive(cj, [job('done', { finished: 'Complete', done: '2026-03-01T10:05:00Z' })], new Set(), []);
  assert.equal(cj.status?.lastSuccessfulTime, '2026-03-01T10:05:00Z');
});
