// batch/v1 CronJob (batch validation.go ValidateCronJobCreate/Update, validateCronJobSpec).
import { type FieldError, field } from '../../core/status.js';
import type { KubeObject } from '../../core/types.js';
import { nonNegative, obj, str } from './access.js';
import { cronScheduleError, isKnownTimeZone } from './cron.js';
import { validateJobTemplateSpec } from './job.js';
import { nameIsDNSSubdomain, validateObjectMeta } from './objectmeta.js';

const CONCURRENCY = ['Allow', 'Forbid', 'Replace'];
// The controller names jobs `<cronjob>-<11-char timestamp>`, and job names are DNS-1035 labels (63).
const MAX_NAME = 52;

function validateTimeZone(zone: unknown): FieldError[] {
  if (zone === undefined || zone === null) return [];
  const tz = String(zone);
  if (tz === '') return [field.invalid('spec.timeZone', tz, 'timeZone must be nil or non-empty string')];
  const errs: FieldError[] = [];
  if (tz.toLowerCase() === 'local') {
    errs.push(
      field.invalid(
        'spec.timeZone',
        tz,
        'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones',
      ),
    );
  }
  if (!isKnownTimeZone(tz)) errs.push(field.invalid('spec.timeZone', tz, `unknown time zone ${tz}`));
  return errs;
}

export function validateCronJob(o: KubeObject, old?: KubeObject): FieldError[] {
  const spec = obj(o.spec) ?? {};
  const errs = validateObjectMeta(o, { namespaced: true, name: nameIsDNSSubdomain });
  const schedule = str(spec.schedule) ?? '';
  if (!schedule) errs.push(field.required('spec.schedule', ''));
  else {
    const err = cronScheduleError(schedule);
    if (err) errs.push(field.invalid('spec.schedule', schedule, err));
    if (schedule.includes('TZ') && spec.timeZone !== undefined && spec.timeZone !== null) {
      errs.push(
        field.invalid('spec.schedule', schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'),
      );
    }
  }
  errs.push(...nonNegative('spec.startingDeadlineSeconds', spec.startingDeadlineSeconds));
  const oldZone = old ? obj(old.spec)?.timeZone : undefined;
  if (!old || oldZone !== spec.timeZone) errs.push(...validateTimeZone(spec.timeZone));
  const policy = str(spec.concurrencyPolicy) ?? '';
  if (!policy) errs.push(field.required('spec.concurrencyPolicy', ''));
  else if (!CONCURRENCY.includes(policy)) errs.push(field.notSupported('spec.concurrencyPolicy', policy, CONCURRENCY));
  errs.push(...validateJobTemplateSpec(spec.jobTemplate, 'spec.jobTemplate'));
  errs.push(...nonNegative('spec.successfulJobsHistoryLimit', spec.successfulJobsHistoryLimit));
  errs.push(...nonNegative('spec.failedJobsHistoryLimit', spec.failedJobsHistoryLimit));
  // Older cronjobs with longer names may still be updated and deleted.
  const name = o.metadata.name ?? '';
  if (!old && name.length > MAX_NAME) {
    errs.push(field.invalid('metadata.name', name, `must be no more than ${MAX_NAME} characters`));
  }
  return errs;
}
