// WorkQueue<K>: the queue between informers and a controller's sync(key), after client-go's
// rate-limited delaying work queue.
// - A key is queued at most once however often it is added (dirty set).
// - A key being processed is not handed to a second worker; if added meanwhile, it is queued again
//   when done(key) is called, so the latest state is always synced.
// - addAfter/addRateLimited hold a key back on the injected clock; forget() clears its failure count.

import { type Clock, realClock, type TimerHandle } from './clock.js';
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiter.js';

export interface WorkQueueOptions<K> {
  clock?: Clock;
  rateLimiter?: RateLimiter<K>;
  /** The queue's name in metrics; default the one `runWithWorkQueueName` is running with. */
  name?: string;
}

/**
 * What client-go's workqueue.MetricsProvider is for: `workqueue_depth` and `workqueue_adds_total` per queue
 * name. One per process (thread); queues created while none is set report nothing.
 */
export interface WorkQueueMetricsProvider {
  /** A named queue was created; `depth` reads its current length. */
  queueCreated(name: string, depth: () => number): void;
  /** A named queue was shut down (stop reading its depth). */
  queueShutDown(name: string, depth: () => number): void;
  /** A key was queued (not counting adds of a key already waiting to be processed). */
  added(name: string): void;
}

let metricsProvider: WorkQueueMetricsProvider | undefined;
/** The name `runWithWorkQueueName` is running with, while it runs. */
let scopeName: string | undefined;

export function setWorkQueueMetricsProvider(provider: WorkQueueMetricsProvider | undefined): void {
  metricsProvider = provider;
}

/**
 * Runs `fn` so that the queues it creates while it runs (synchronously: controllers make theirs as they start)
 * are named `name`, as the controller manager names each controller's. A plain scope rather than an
 * AsyncLocalStorage: one of those turns on async hooks for every promise of the thread.
 */
export function runWithWorkQueueName<T>(name: string, fn: () => T): T {
  const outer = scopeName;
  scopeName = name;
  try {
    return fn();
  } finally {
    scopeName = outer;
  }
}

export class WorkQueue<K> {
  private readonly clock: Clock;
  private readonly rateLimiter: RateLimiter<K>;
  private queue: K[] = [];
  /** Index of the queue's first live entry; shift() on a long array is O(n). */
  private head = 0;
  private readonly dirty = new Set<K>();
  private readonly processing = new Set<K>();
  private readonly waiting = new Map<K, { readyAt: number; timer: TimerHandle }>();
  private getters: ((key: K | undefined) => void)[] = [];
  private shuttingDown = false;
  readonly name: string | undefined;
  private readonly metrics: WorkQueueMetricsProvider | undefined;
  private readonly depth = () => this.len();

  constructor(opts: WorkQueueOptions<K> = {}) {
    this.clock = opts.clock ?? realClock;
    this.rateLimiter = opts.rateLimiter ?? defaultControllerRateLimiter<K>(this.clock);
    this.name = opts.name ?? scopeName;
    this.metrics = this.name ? metricsProvider : undefined;
    if (this.name) this.metrics?.queueCreated(this.name, this.depth);
  }

  add(key: K): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    if (this.name) this.metrics?.added(this.name);
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.queue.push(key);
    this.dispatch();
  }

  /** Resolves with the next key (the caller must call done(key)), or undefined once shut down and drained. */
  get(): Promise<K | undefined> {
    const key = this.take();
    if (key !== undefined) return Promise.resolve(key);
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  done(key: K): void {
    this.processing.delete(key);
    if (this.dirty.has(key)) {
      this.queue.push(key);
      this.dispatch();
    }
  }

  /** Adds the key after ms; if it is already waiting, the earlier time wins. */
  addAfter(key: K, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    const readyAt = this.clock.now() + ms;
    const existing = this.waiting.get(key);
    if (existing) {
      if (existing.readyAt <= readyAt) return;
      existing.timer.cancel();
    }
    const timer = this.clock.setTimer(ms, () => {
      this.waiting.delete(key);
      this.add(key);
    });
    this.waiting.set(key, { readyAt, timer });
  }

  addRateLimited(key: K): void {
    this.addAfter(key, this.rateLimiter.when(key));
  }

  /** Call after a successful sync: the key's next failure starts back at the base delay. */
  forget(key: K): void {
    this.rateLimiter.forget(key);
  }

  numRequeues(key: K): number {
    return this.rateLimiter.numRequeues(key);
  }

  /** Keys ready to be handed out (not counting those being processed or waiting on a delay). */
  len(): number {
    return this.queue.length - this.head;
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Stops accepting keys and drops delayed ones; get() drains what is queued, then returns undefined. */
  shutDown(): void {
    if (!this.shuttingDown && this.name) this.metrics?.queueShutDown(this.name, this.depth);
    this.shuttingDown = true;
    for (const w of this.waiting.values()) w.timer.cancel();
    this.waiting.clear();
    const getters = this.getters;
    this.getters = [];
    for (const g of getters) g(undefined);
  }

  private take(): K | undefined {
    if (this.head >= this.queue.length) return undefined;
    const key = this.queue[this.head++]!;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    this.processing.add(key);
    this.dirty.delete(key);
    return key;
  }

  private dispatch(): void {
    while (this.getters.length > 0 && this.head < this.queue.length) {
      const getter = this.getters.shift()!;
      getter(this.take());
    }
  }
}
