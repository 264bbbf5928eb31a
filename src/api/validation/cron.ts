// Cron schedule syntax as the API validates it: robfig/cron's ParseStandard, through the one parser in
// src/core/cron.ts (the CronJob controller reads schedules with it too), so errors carry robfig's text.
import { isKnownTimeZone as knownZone, parseCronSchedule } from '../../core/cron.js';

/** Whether `zone` names an IANA time zone the runtime knows (Go's time.LoadLocation); '' is not one here. */
export function isKnownTimeZone(zone: string): boolean {
  return zone !== '' && knownZone(zone);
}

/** robfig's parse error for the schedule, or undefined when it parses. */
export function cronScheduleError(spec: string): string | undefined {
  try {
    parseCronSchedule(spec);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
