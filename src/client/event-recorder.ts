// EventRecorder: posts core/v1 Events about objects, and folds repeats of the same
// (object, type, reason, message) into one Event by PATCHing its count and lastTimestamp, as
// client-go's EventCorrelator does, so a crash loop updates one Event instead of flooding the store.

import { resources } from '../core/resources.js';
import { rfc3339 } from '../core/time.js';
import type { Event, KubeObject, ObjectReference } from '../core/types.js';
import type { ApiClient } from './api-client.js';
import { type Clock, realClock } from './clock.js';
import { isNotFound } from './errors.js';
import { resourcePath } from './paths.js';

export type EventType = 'Normal' | 'Warning';

/** The core/v1 Event this recorder writes. */
export type CoreEvent = Event;

export interface EventRecorderOptions {
  client: ApiClient;
  /** source.component, e.g. 'deployment-controller', 'default-scheduler', 'kubelet'. */
  component: string;
  host?: string;
  clock?: Clock;
  /** Distinct (object, reason, message) entries remembered for aggregation; oldest dropped first. */
  cacheSize?: number;
  log?: (message: string, fields: Record<string, unknown>) => void;
}

interface Recorded {
  namespace: string;
  name: string;
  count: number;
}

export function referenceOf(obj: KubeObject): ObjectReference {
  const ref: ObjectReference = {
    apiVersion: obj.apiVersion,
    kind: obj.kind,
    namespace: obj.metadata.namespace,
    name: obj.metadata.name,
    uid: obj.metadata.uid,
    resourceVersion: obj.metadata.resourceVersion,
  };
  for (const k of Object.keys(ref) as (keyof ObjectReference)[]) if (ref[k] === undefined) delete ref[k];
  return ref;
}

export class EventRecorder {
  private readonly clock: Clock;
  private readonly recorded = new Map<string, Recorded>();
  /** Keeps names unique for events created in the same millisecond. */
  private seq = 0;
  /** One chain per aggregation key so concurrent repeats do not both create an Event. */
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(private readonly opts: EventRecorderOptions) {
    this.clock = opts.clock ?? realClock;
  }

  /**
   * Records an event about obj. Never throws: a failure to record is logged, as events are advisory.
   * The returned promise settles once the Event is written (tests and shutdown can await it).
   */
  event(obj: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    const ref = referenceOf(obj);
    // resourceVersion is left out of the key: each crash-loop restart changes it.
    const key = JSON.stringify([ref.apiVersion, ref.kind, ref.namespace, ref.name, ref.uid, type, reason, message]);
    const previous = this.inFlight.get(key) ?? Promise.resolve();
    const next = previous.then(() => this.write(key, ref, type, reason, message));
    this.inFlight.set(key, next);
    void next.then(() => {
      if (this.inFlight.get(key) === next) this.inFlight.delete(key);
    });
    return next;
  }

  /** Settles when every event recorded so far has been written. */
  async flush(): Promise<void> {
    await Promise.all([...this.inFlight.values()]);
  }

  private async write(key: string, ref: ObjectReference, type: EventType, reason: string, message: string) {
    const now = rfc3339(this.clock.now());
    try {
      const seen = this.recorded.get(key);
      if (seen) {
        try {
          const path = resourcePath(resources.events, { namespace: seen.namespace, name: seen.name });
          const patched = await this.opts.client.patch<CoreEvent>(
            path,
            { count: seen.count + 1, lastTimestamp: now },
            'strategic',
          );
          seen.count = patched.count ?? seen.count + 1;
          this.touch(key, seen);
          return;
        } catch (err) {
          // The Event expired or was deleted (events have a TTL): start a new one.
          if (!isNotFound(err)) throw err;
          this.recorded.delete(key);
        }
      }
      const namespace = ref.namespace || 'default';
      const name = `${ref.name ?? 'unknown'}.${(BigInt(this.clock.now()) * 1_000_000n + BigInt(this.seq++ % 1_000_000)).toString(16)}`;
      const body: CoreEvent = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace },
        involvedObject: ref,
        reason,
        message,
        type,
        source: this.opts.host
          ? { component: this.opts.component, host: this.opts.host }
          : { component: this.opts.component },
        count: 1,
        firstTimestamp: now,
        lastTimestamp: now,
        reportingComponent: this.opts.component,
        reportingInstance: this.opts.host ?? '',
      };
      const created = await this.opts.client.create<CoreEvent>(resourcePath(resources.events, { namespace }), body);
      this.touch(key, { namespace, name: created.metadata.name ?? name, count: created.count ?? 1 });
    } catch (err) {
      this.opts.log?.('event recorder: could not record event', {
        object: `${ref.namespace ?? ''}/${ref.name ?? ''}`,
        reason,
        error: String(err),
      });
    }
  }

  /** Map insertion order doubles as LRU order. */
  private touch(key: string, entry: Recorded): void {
    this.recorded.delete(key);
    this.recorded.set(key, entry);
    const max = this.opts.cacheSize ?? 4096;
    while (this.recorded.size > max) this.recorded.delete(this.recorded.keys().next().value!);
  }
}
