// When a CronJob should run (upstream cronjob/utils.go mostRecentScheduleTime, nextScheduleTime,
// nextScheduleTimeDuration): the latest missed start since the last one (or creation), how many were missed,
// and how long to wait for the next.

import type { CronJob, CronSchedule } from '../../core/index.js';

/** Upstream nextScheduleDelta: wake up a little after the scheduled minute, for clock skew. */
export const NEXT_SCHEDULE_DELTA_MS = 100;

export type Missed = 'none' | 'few' | 'many';

export interface MostRecent {
  /** The last schedule time, or the creation time (and no earlier than now - startingDeadlineSeconds). */
  earliest: number;
  /** The most recent start that should have happened by now, if any. */
  mostRecent?: number;
  missed: Missed;
  /** A schedule that fields allow but the calendar never meets twice (e.g. 31 February). */
  error?: string;
}

export function mostRecentScheduleTime(
  cj: CronJob,
  nowMs: number,
  schedule: CronSchedule,
  includeStartingDeadline: boolean,
): MostRecent {
  let earliest = Date.parse(cj.status?.lastScheduleTime ?? cj.metadata.creationTimestamp ?? '');
  if (Number.isNaN(earliest)) earliest = nowMs;
  const deadline = cj.spec?.startingDeadlineSeconds;
  if (includeStartingDeadline && deadline !== undefined && deadline !== null) {
    // The controller schedules nothing before this point.
    earliest = Math.max(earliest, nowMs - deadline * 1000);
  }
  const t1 = schedule.next(earliest);
  const t2 = t1 === undefined ? undefined : schedule.next(t1);
  if (t1 !== undefined && nowMs < t1) return { earliest, missed: 'none' };
  if (t1 !== undefined && t2 !== undefined && nowMs < t2) return { earliest, mostRecent: t1, missed: 'none' };
  const between = t1 === undefined || t2 === undefined ? 0 : Math.round((t2 - t1) / 1000);
  if (between < 1) {
    return { earliest, missed: 'none', error: 'time difference between two schedules is less than 1 second' };
  }
  // A rough count: how many intervals fit between the first missed start and now.
  const elapsed = Math.trunc((nowMs - t1!) / 1000);
  const missedCount = Math.trunc(elapsed / between) + 1;
  // Start one interval before the estimate, so irregular schedules (30 6-16/4 * * 1-5) still land right.
  let mostRecent: number | undefined;
  for (
    let t = schedule.next(t1! + (missedCount - 2) * between * 1000);
    t !== undefined && t <= nowMs;
    t = schedule.next(t)
  ) {
    mostRecent = t;
  }
  const missed: Missed = missedCount > 100 ? 'many' : missedCount > 0 ? 'few' : 'none';
  return mostRecent === undefined ? { earliest, missed } : { earliest, mostRecent, missed };
}

/** nextScheduleTime: the start to make now (none if it is not yet due), and whether too many were missed. */
export function nextScheduleTime(
  cj: CronJob,
  nowMs: number,
  schedule: CronSchedule,
): { scheduled?: number; tooManyMissed: boolean; error?: string } {
  const r = mostRecentScheduleTime(cj, nowMs, schedule, true);
  if (r.mostRecent === undefined || r.mostRecent > nowMs) return { tooManyMissed: false, error: r.error };
  return { scheduled: r.mostRecent, tooManyMissed: r.missed === 'many', error: r.error };
}

/** nextScheduleTimeDuration: how long until the next start after the last one, plus the delta. */
export function nextScheduleDelayMs(cj: CronJob, nowMs: number, schedule: CronSchedule): number {
  const r = mostRecentScheduleTime(cj, nowMs, schedule, false);
  let from: number;
  if (r.error) from = nowMs;
  else if (r.mostRecent === undefined) from = r.missed === 'none' ? r.earliest : nowMs;
  else from = r.mostRecent;
  const next = schedule.next(from);
  // A schedule that never fires again: look again in a day rather than never.
  if (next === undefined) return 24 * 3_600_000;
  return next + NEXT_SCHEDULE_DELTA_MS - nowMs;
}
