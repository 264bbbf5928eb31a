// Back-off of node groups whose scale-up failed (upstream utils/backoff exponential backoff): the first
// failure blocks the group for the initial duration, each further failure within the reset timeout
// doubles it up to the maximum. A node that comes up Ready clears it.

export interface GroupBackoffOptions {
  /** Upstream --initial-node-group-backoff-duration (5 min). */
  initialMs: number;
  /** Upstream --max-node-group-backoff-duration (30 min). */
  maxMs: number;
  /** Upstream --node-group-backoff-reset-timeout (3 h). */
  resetMs: number;
}

export const DEFAULT_GROUP_BACKOFF: GroupBackoffOptions = {
  initialMs: 5 * 60_000,
  maxMs: 30 * 60_000,
  resetMs: 3 * 60 * 60_000,
};

export interface BackoffInfo {
  errorCode: string;
  errorMessage: string;
  until: number;
}

interface Entry extends BackoffInfo {
  durationMs: number;
  lastFailedAt: number;
}

export class GroupBackoff {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly opts: GroupBackoffOptions = DEFAULT_GROUP_BACKOFF) {}

  fail(group: string, now: number, errorCode: string, errorMessage: string): BackoffInfo {
    const prev = this.entries.get(group);
    const durationMs =
      prev && now - prev.lastFailedAt < this.opts.resetMs
        ? Math.min(prev.durationMs * 2, this.opts.maxMs)
        : this.opts.initialMs;
    const e: Entry = { errorCode, errorMessage, until: now + durationMs, durationMs, lastFailedAt: now };
    this.entries.set(group, e);
    return e;
  }

  /** The back-off in force, if any. */
  active(group: string, now: number): BackoffInfo | undefined {
    const e = this.entries.get(group);
    return e && e.until > now ? e : undefined;
  }

  /** The group's last back-off while it still counts for doubling (for the status after it expired). */
  last(group: string): BackoffInfo | undefined {
    return this.entries.get(group);
  }

  clear(group: string): void {
    this.entries.delete(group);
  }
}
