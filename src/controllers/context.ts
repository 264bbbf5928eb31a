// What every controller is given: one API client, informers shared between controllers (one LIST+WATCH
// per resource for the whole manager), an event recorder per component, a clock and a structured log.
// Also the worker loop all controllers share: queue of keys -> sync(key) -> forget or requeue with back-off.

import type { KubeObject } from '../core/types.js';
import {
  type ApiClient,
  type Clock,
  EventRecorder,
  Informer,
  objectKey,
  type ResourceDescriptor,
  realClock,
  type TimerHandle,
  type WorkQueue,
} from '../client/index.js';

export type Log = (message: string, fields: Record<string, unknown>) => void;

/** One JSON line per entry on stdout, as the other components log. */
export function jsonLog(component: string): Log {
  return (msg, fields) => console.log(JSON.stringify({ time: new Date().toISOString(), component, msg, ...fields }));
}

/** Informers shared by resource: the first caller creates it, everyone gets the same cache. */
export class SharedInformers {
  private readonly byPath = new Map<string, Informer>();
  private started = false;

  constructor(
    private readonly client: ApiClient,
    private readonly log: Log,
  ) {}

  forResource<T extends KubeObject = KubeObject>(resource: ResourceDescriptor): Informer<T> {
    const key = `${resource.group}/${resource.version}/${resource.resource}`;
    let inf = this.byPath.get(key);
    if (!inf) {
      inf = new Informer({ client: this.client, resource, log: this.log });
      this.byPath.set(key, inf);
      if (this.started) inf.start();
    }
    return inf as unknown as Informer<T>;
  }

  /** Starts every informer created so far and any created later. */
  start(): void {
    this.started = true;
    for (const inf of this.byPath.values()) inf.start();
  }

  stop(): void {
    for (const inf of this.byPath.values()) inf.stop();
  }
}

export interface ControllerContext {
  client: ApiClient;
  informers: SharedInformers;
  /** An EventRecorder whose source.component is the given name (e.g. 'replicaset-controller'). */
  recorder(component: string): EventRecorder;
  clock: Clock;
  log: Log;
}

export function newControllerContext(client: ApiClient, opts: { clock?: Clock; log?: Log } = {}): ControllerContext {
  const log = opts.log ?? jsonLog('controller-manager');
  const clock = opts.clock ?? realClock;
  const recorders = new Map<string, EventRecorder>();
  return {
    client,
    informers: new SharedInformers(client, log),
    recorder(component) {
      let r = recorders.get(component);
      if (!r) {
        r = new EventRecorder({ client, component, clock, log });
        recorders.set(component, r);
      }
      return r;
    },
    clock,
    log,
  };
}

export interface RunningController {
  readonly name: string;
  stop(): Promise<void>;
}

export interface WorkerLoopOptions {
  name: string;
  ctx: ControllerContext;
  queue: WorkQueue<string>;
  /** Informers whose first LIST must be in cache before any sync runs. */
  waitFor: { waitForSync(signal?: AbortSignal): Promise<boolean> }[];
  workers: number;
  /** Must be safe to run again; a throw requeues the key with back-off. */
  sync(key: string): Promise<void>;
}

/** Runs `workers` loops over the queue after the informers have synced; stop() drains and waits. */
export function runWorkers(o: WorkerLoopOptions): RunningController {
  const abort = new AbortController();
  const loop = async () => {
    for (;;) {
      const key = await o.queue.get();
      if (key === undefined) return;
      try {
        await o.sync(key);
        o.queue.forget(key);
      } catch (err) {
        if (!o.queue.isShuttingDown()) {
          o.ctx.log('sync failed, requeued', { controller: o.name, key, error: String(err) });
          o.queue.addRateLimited(key);
        }
      } finally {
        o.queue.done(key);
      }
    }
  };
  const running = (async () => {
    // One at a time: each wait listens on the signal, and many listeners at once trip Node's leak warning.
    for (const informer of o.waitFor) if (!(await informer.waitForSync(abort.signal))) return;
    await Promise.all(Array.from({ length: o.workers }, loop));
  })();
  return {
    name: o.name,
    async stop() {
      abort.abort();
      o.queue.shutDown();
      await running;
    },
  };
}

/** The queue key of an object: namespace/name, as client-go's MetaNamespaceKeyFunc. */
export function keyOf(obj: KubeObject): string {
  return objectKey(obj.metadata);
}

/**
 * Runs `pass` every `periodMs` once `ready()` holds, never two passes at once; errors are logged and the
 * loop goes on. stop() waits for a pass in flight. For controllers that sweep rather than react to keys.
 */
export function runPeriodically(o: {
  clock: Clock;
  periodMs: number;
  ready: () => boolean;
  pass: () => Promise<void>;
  onError: (err: unknown) => void;
}): { stop(): Promise<void> } {
  let stopped = false;
  let timer: TimerHandle | undefined;
  let current: Promise<void> = Promise.resolve();
  const tick = () => {
    if (stopped) return;
    current = (o.ready() ? o.pass() : Promise.resolve()).catch(o.onError).finally(() => {
      if (!stopped) timer = o.clock.setTimer(o.periodMs, tick);
    });
  };
  timer = o.clock.setTimer(o.periodMs, tick);
  return {
    async stop() {
      stopped = true;
      timer?.cancel();
      await current;
    },
  };
}
