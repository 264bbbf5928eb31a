import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../../core/types.js';
import { cronScheduleError } from './cron.js';
import { validatorFor } from './index.js';
import { fields, podSpec } from './testdata.js';

const rcValidator = validatorFor('', 'ReplicationController')!;
const stsValidator = validatorFor('apps', 'StatefulSet')!;
const cronValidator = validatorFor('batch', 'CronJob')!;

const rc = (): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ReplicationController',
  metadata: { name: 'web', namespace: 'default' },
  spec: { replicas: 2, selector: { app: 'web' }, template: { metadata: { labels: { app: 'web' } }, spec: podSpec() } },
  status: { replicas: 0 },
});

const sts = (): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'db', namespace: 'default' },
  spec: {
    replicas: 1,
    podManagementPolicy: 'OrderedReady',
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
    persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
    serviceName: 'db',
    selector: { matchLabels: { app: 'db' } },
    template: { metadata: { labels: { app: 'db' } }, spec: podSpec() },
  },
  status: { replicas: 0, availableReplicas: 0 },
});

const cronJob = (): KubeObject => ({
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: { name: 'tick', namespace: 'default' },
  spec: {
    schedule: '*/5 * * * *',
    concurrencyPolicy: 'Allow',
    suspend: false,
    successfulJobsHistoryLimit: 3,
    failedJobsHistoryLimit: 1,
    jobTemplate: { spec: { template: { spec: { ...podSpec(), restartPolicy: 'OnFailure' } } } },
  },
});

type Loose = { [key: string]: Loose };
const loose = (o: unknown) => o as Loose;
const set = (o: KubeObject, f: (l: Loose) => void): KubeObject => {
  f(loose(o));
  return o;
};

describe('ReplicationController', () => {
  it('accepts a defaulted controller', () => {
    assert.deepEqual(rcValidator(rc()), []);
  });

  it('requires a selector that matches the template, Always, no activeDeadlineSeconds', () => {
    const noSelector = set(rc(), (o) => delete o.spec!.selector);
    assert.deepEqual(fields(rcValidator(noSelector)), ['spec.selector FieldValueRequired']);
    const mismatch = set(rc(), (o) => {
      o.spec!.selector = { app: 'other' } as unknown as Loose;
    });
    const errs = rcValidator(mismatch);
    assert.deepEqual(fields(errs), ['spec.template.metadata.labels FieldValueInvalid']);
    assert.equal(errs[0]!.message, 'Invalid value: {"app":"web"}: `selector` does not match template `labels`');
    const never = set(rc(), (o) => {
      o.spec!.template!.spec!.restartPolicy = 'Never' as unknown as Loose;
      o.spec!.template!.spec!.activeDeadlineSeconds = 10 as unknown as Loose;
    });
    const neverErrs = rcValidator(never);
    assert.deepEqual(fields(neverErrs), [
      'spec.template.spec.restartPolicy FieldValueNotSupported',
      'spec.template.spec.activeDeadlineSeconds FieldValueForbidden',
    ]);
    assert.equal(neverErrs[0]!.message, 'Unsupported value: "Never": supported values: "Always"');
    assert.equal(neverErrs[1]!.message, 'Forbidden: activeDeadlineSeconds in ReplicationController is not Supported');
  });

  it('checks status counters against status.replicas', () => {
    const bad = set(rc(), (o) => {
      o.status = { replicas: 1, readyReplicas: 2, availableReplicas: 3 } as unknown as Loose;
    });
    const errs = rcValidator(bad);
    assert.deepEqual(
      errs.map((e) => `${e.field}: ${e.message}`),
      [
        'status.readyReplicas: Invalid value: 2: cannot be greater than status.replicas',
        'status.availableReplicas: Invalid value: 3: cannot be greater than status.replicas',
        'status.availableReplicas: Invalid value: 3: cannot be greater than readyReplicas',
      ],
    );
  });
});

describe('PodTemplate', () => {
  it('validates the template as a pod template', () => {
    const v = validatorFor('', 'PodTemplate')!;
    const pt: KubeObject = { metadata: { name: 't', namespace: 'default' }, template: { spec: podSpec() } };
    assert.deepEqual(v(pt), []);
    const empty: KubeObject = { metadata: { name: 't', namespace: 'default' }, template: { spec: {} } };
    assert.deepEqual(fields(v(empty)), [
      'template.spec.containers FieldValueRequired',
      'template.spec.restartPolicy FieldValueRequired',
    ]);
  });
});

describe('StatefulSet', () => {
  it('accepts a defaulted set', () => {
    assert.deepEqual(stsValidator(sts()), []);
  });

  it('requires a DNS-label name on create, policies and a matching, non-empty selector', () => {
    const dotted = set(sts(), (o) => {
      o.metadata!.name = 'db.v1' as unknown as Loose;
    });
    assert.deepEqual(fields(stsValidator(dotted)), ['metadata.name FieldValueInvalid']);
    const bad = set(sts(), (o) => {
      o.spec!.podManagementPolicy = 'Random' as unknown as Loose;
      o.spec!.updateStrategy = { type: 'OnDelete', rollingUpdate: { partition: 1 } } as unknown as Loose;
      o.spec!.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Keep', whenScaled: 'Retain' } as unknown as Loose;
      o.spec!.selector = {} as unknown as Loose;
    });
    const errs = stsValidator(bad);
    assert.deepEqual(
      errs.map((e) => `${e.field}: ${e.message}`),
      [
        `spec.podManagementPolicy: Invalid value: "Random": must be 'OrderedReady' or 'Parallel'`,
        `spec.updateStrategy.rollingUpdate: Invalid value: {"partition":1}: only allowed for updateStrategy 'RollingUpdate'`,
        'spec.persistentVolumeClaimRetentionPolicy.whenDeleted: Unsupported value: "Keep": supported values: "Retain", "Delete"',
        'spec.selector: Invalid value: {}: empty selector is invalid for statefulset',
      ],
    );
    const mismatch = set(sts(), (o) => {
      o.spec!.template!.metadata!.labels = { app: 'web' } as unknown as Loose;
      o.spec!.template!.spec!.restartPolicy = 'OnFailure' as unknown as Loose;
    });
    assert.deepEqual(fields(stsValidator(mismatch)), [
      'spec.template.metadata.labels FieldValueInvalid',
      'spec.template.spec.restartPolicy FieldValueNotSupported',
    ]);
  });

  it('allows replicas, template and strategy changes only', () => {
    const scaled = set(sts(), (o) => {
      o.spec!.replicas = 5 as unknown as Loose;
      o.spec!.template!.spec!.containers![0]!.image = 'nginx:1.28' as unknown as Loose;
    });
    assert.deepEqual(stsValidator(scaled, sts()), []);
    const renamed = set(sts(), (o) => {
      o.spec!.serviceName = 'other' as unknown as Loose;
    });
    const errs = stsValidator(renamed, sts());
    assert.deepEqual(fields(errs), ['spec FieldValueForbidden']);
    assert.equal(
      errs[0]!.message,
      "Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
    );
  });
});

describe('CronJob', () => {
  it('accepts a defaulted cronjob and descriptors', () => {
    assert.deepEqual(cronValidator(cronJob()), []);
    const daily = set(cronJob(), (o) => {
      o.spec!.schedule = '@daily' as unknown as Loose;
      o.spec!.timeZone = 'Europe/Berlin' as unknown as Loose;
    });
    assert.deepEqual(cronValidator(daily), []);
  });

  it('rejects bad schedules with the cron parser error', () => {
    const bad = set(cronJob(), (o) => {
      o.spec!.schedule = '61 * * * *' as unknown as Loose;
    });
    const errs = cronValidator(bad);
    assert.deepEqual(
      errs.map((e) => `${e.field}: ${e.message}`),
      ['spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61'],
    );
  });

  it('checks time zones, concurrency policy, the job template and the name length', () => {
    const bad = set(cronJob(), (o) => {
      o.metadata!.name = 'a'.repeat(53) as unknown as Loose;
      o.spec!.timeZone = 'Mars/Olympus' as unknown as Loose;
      o.spec!.concurrencyPolicy = 'Sometimes' as unknown as Loose;
      o.spec!.jobTemplate!.spec!.selector = { matchLabels: { a: 'b' } } as unknown as Loose;
      o.spec!.jobTemplate!.spec!.template!.spec!.restartPolicy = 'Always' as unknown as Loose;
    });
    const errs = cronValidator(bad);
    assert.deepEqual(
      errs.map((e) => `${e.field}: ${e.message}`),
      [
        'spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus',
        'spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"',
        'spec.jobTemplate.spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"',
        'spec.jobTemplate.spec.selector: Invalid value: {"matchLabels":{"a":"b"}}: `selector` will be auto-generated',
        `metadata.name: Invalid value: "${'a'.repeat(53)}": must be no more than 52 characters`,
      ],
    );
    // Long names stay updatable; an unchanged time zone is not re-validated.
    const long = set(cronJob(), (o) => {
      o.metadata!.name = 'a'.repeat(53) as unknown as Loose;
    });
    assert.deepEqual(cronValidator(long, long), []);
  });
});

describe('cron schedules (robfig/cron ParseStandard)', () => {
  it('accepts the standard forms', () => {
    for (const s of [
      '* * * * *',
      '*/15 0-6 1,15 * MON-FRI',
      '0 0 1 jan *',
      '@hourly',
      '@every 1h30m',
      'TZ=UTC 0 * * * *',
      '5/10 * * * ?',
    ]) {
      assert.equal(cronScheduleError(s), undefined, s);
    }
  });

  it('reports the parser errors', () => {
    assert.equal(cronScheduleError('* * * *'), 'expected exactly 5 fields, found 4: [* * * *]');
    assert.equal(
      cronScheduleError('x * * * *'),
      'failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax',
    );
    assert.equal(cronScheduleError('5-1 * * * *'), 'beginning of range (5) beyond end of range (1): 5-1');
    assert.equal(cronScheduleError('* * 0 * *'), 'beginning of range (0) below minimum (1): 0');
    assert.equal(cronScheduleError('*/0 * * * *'), 'step of range should be a positive number: */0');
    assert.equal(cronScheduleError('@sometimes'), 'unrecognized descriptor: @sometimes');
    assert.equal(
      cronScheduleError('TZ=Nowhere/Here * * * * *'),
      'provided bad location Nowhere/Here: unknown time zone Nowhere/Here',
    );
  });
});
