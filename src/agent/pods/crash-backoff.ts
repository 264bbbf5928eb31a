// CrashLoopBackOff bookkeeping, as the kubelet's flowcontrol.Backoff keyed by pod/container: the first
// restart is immediate, then a container waits 10 s, 20 s, ... up to 5 min after its last exit. A container
// that ran for 10 minutes before exiting starts from the beginning again. Pure: callers pass the time.

export interface CrashBackoffOptions {
  initialMs?: number;
  maxMs?: number;
  /** A run at least this long resets the delay. */
  resetAfterRunMs?: number;
}

interface Entry {
  /** Delay applied after the most recent restart; 0 before the first restart. */
  delayMs: number;
  /** Exit time the current delay counts from. */
  since: number;
}

export class CrashBackoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly resetAfterRunMs: number;
  private readonly entries = new Map<string, Entry>();

  constructor(opts: CrashBackoffOptions = {}) {
    this.initialMs = opts.initialMs ?? 10_000;
    this.maxMs = opts.maxMs ?? 300_000;
    this.resetAfterRunMs = opts.resetAfterRunMs ?? 600_000;
  }

  /**
   * How long (ms) the container must still wait before a restart, given when its last run started and
   * finished; 0 when it may restart now.
   */
  remaining(key: string, startedAt: number, finishedAt: number, now: number): number {
    const e = this.entries.get(key);
    if (!e) return 0;
    if (finishedAt - startedAt >= this.resetAfterRunMs) {
      this.entries.delete(key);
      return 0;
    }
    return Math.max(0, finishedAt + e.delayMs - now);
  }

  /** Records a restart of a container that exited at finishedAt; the next one waits longer. */
  restarted(key: string, startedAt: number, finishedAt: number): void {
    const e = this.entries.get(key);
    if (!e || finishedAt - startedAt >= this.resetAfterRunMs) {
      this.entries.set(key, { delayMs: this.initialMs, since: finishedAt });
      return;
    }
    this.entries.set(key, { delayMs: Math.min(e.delayMs * 2, this.maxMs), since: finishedAt });
  }

  /** The delay the next restart will wait for, for messages (`back-off 20s restarting failed container`). */
  currentDelay(key: string): number {
    return this.entries.get(key)?.delayMs ?? 0;
  }

  forgetPrefix(prefix: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }
}
