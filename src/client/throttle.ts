// Client-side request throttling, as client-go's rest.Config QPS/Burst (flowcontrol's token bucket): every
// request takes a token; tokens refill at qps per second up to burst; a request that finds none waits until its
// token is due. Watches are long-lived and few (one per informer) and open unthrottled. No qps means no limit.

import { type Clock, realClock } from './clock.js';

export interface ThrottleOptions {
  qps: number;
  burst: number;
}

/** The pure bucket: reserve() returns how many ms the caller must wait for its token (0 when one is free). */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly qps: number,
    readonly burst: number,
    now: number,
  ) {
    this.tokens = Math.max(1, burst);
    this.last = now;
  }

  reserve(now: number): number {
    const burst = Math.max(1, this.burst);
    this.tokens = Math.min(burst, this.tokens + (Math.max(0, now - this.last) / 1000) * this.qps);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.qps) * 1000);
  }

  /** Takes a token if one is free now (flowcontrol's TryAccept); false, and nothing taken, otherwise. */
  tryTake(now: number): boolean {
    const burst = Math.max(1, this.burst);
    this.tokens = Math.min(burst, this.tokens + (Math.max(0, now - this.last) / 1000) * this.qps);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

export class RequestThrottle {
  private readonly bucket: TokenBucket;
  /** Total ms requests spent waiting, and how many waited: what client-go logs as client-side throttling. */
  waitedMs = 0;
  throttled = 0;

  constructor(
    opts: ThrottleOptions,
    private readonly clock: Clock = realClock,
  ) {
    this.bucket = new TokenBucket(opts.qps, opts.burst, clock.now());
  }

  async wait(): Promise<void> {
    const ms = this.bucket.reserve(this.clock.now());
    if (ms <= 0) return;
    this.throttled++;
    this.waitedMs += ms;
    await new Promise<void>((resolve) => this.clock.setTimer(ms, resolve));
  }
}

/** A throttle for the options, or undefined when they set no limit. */
export function throttleFor(opts: Partial<ThrottleOptions>): RequestThrottle | undefined {
  if (opts.qps === undefined || !(opts.qps > 0)) return undefined;
  return new RequestThrottle({ qps: opts.qps, burst: opts.burst ?? Math.ceil(opts.qps) });
}
