// EventRecorder: posts core/v1 Events about objects as client-go's EventCorrelator does
// (tools/record/events_cache.go), so that neither a crash loop nor a controller creating 10,000 pods
// floods the store:
//   - repeats of the same (object, type, reason, message) fold into one Event: its count and
//     lastTimestamp are PATCHed;
//   - similar events (same object, type and reason) with 10 different messages within 10 minutes are
//     combined: from then on one "(combined from similar events): <latest message>" Event counts them;
//   - a spam filter per (source, object, type): a token bucket of 25, refilled one per 5 minutes; an
//     event that finds no token is not written (its count is kept for the next write of that Event).

import { resources } from '../core/resources.js';
import { rfc3339 } from '../core/time.js';
import type { Event, KubeObject, ObjectReference } from '../core/types.js';
import type { ApiClient } from './api-client.js';
import { type Clock, realClock } from './clock.js';
import { isNotFound } from './errors.js';
import { resourcePath } from './paths.js';
import { TokenBucket } from './throttle.js';

/** client-go's defaults: defaultAggregateMaxEvents, defaultAggregateIntervalInSeconds, spam filter burst and qps. */
export const AGGREGATE_MAX_EVENTS = 10;
export const AGGREGATE_INTERVAL_MS = 600_000;
export const SPAM_BURST = 25;
export const SPAM_QPS = 1 / 300;
export const COMBINED_PREFIX = '(combined from similar events): ';

export type EventType = 'Normal' | 'Warning';

/** The core/v1 Event this recorder writes. */
export type CoreEvent = Event;

export interface EventRecorderOptions {
  client: ApiClient;
  /** source.component, e.g. 'deployment-controller', 'default-scheduler', 'kubelet'. */
  component: string;
  host?: string;
  clock?: Clock;
  /** Entries remembered per cache (events, similar-event records, spam buckets); oldest dropped first. */
  cacheSize?: number;
  log?: (message: string, fields: Record<string, unknown>) => void;
}

interface Recorded {
  namespace: string;
  name: string;
  count: number;
}

/** Messages seen for one (object, type, reason) within the aggregation interval. */
interface Similar {
  messages: Set<string>;
  last: number;
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
  private readonly similar = new Map<string, Similar>();
  private readonly spam = new Map<string, TokenBucket>();
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
    const now = this.clock.now();
    // resourceVersion is left out of the keys: each crash-loop restart changes it.
    const source = [
      this.opts.component,
      this.opts.host ?? '',
      ref.apiVersion,
      ref.kind,
      ref.namespace,
      ref.name,
      ref.uid,
    ];
    const similarKey = JSON.stringify([...source, type, reason]);
    let similar = this.similar.get(similarKey);
    if (!similar || now - similar.last > AGGREGATE_INTERVAL_MS) similar = { messages: new Set(), last: now };
    similar.messages.add(message);
    similar.last = now;
    this.remember(this.similar, similarKey, similar);
    let key = JSON.stringify([...source, type, reason, message]);
    let text = message;
    if (similar.messages.size >= AGGREGATE_MAX_EVENTS) {
      // As upstream: drop one remembered message, and count this one on the combined Event.
      similar.messages.delete(similar.messages.values().next().value!);
      key = similarKey;
      text = COMBINED_PREFIX + message;
    }
    const spamKey = JSON.stringify([...source, type]);
    const bucket = this.spam.get(spamKey) ?? new TokenBucket(SPAM_QPS, SPAM_BURST, now);
    this.remember(this.spam, spamKey, bucket);
    const accepted = bucket.tryTake(now);
    const previous = this.inFlight.get(key) ?? Promise.resolve();
    const next = previous.then(() => (accepted ? this.write(key, ref, type, reason, text) : this.skipped(key)));
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
            { count: seen.count + 1, lastTimestamp: now, message },
            'strategic',
          );
          seen.count = patched.count ?? seen.count + 1;
          this.remember(this.recorded, key, seen);
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
      this.remember(this.recorded, key, { namespace, name: created.metadata.name ?? name, count: created.count ?? 1 });
    } catch (err) {
      this.opts.log?.('event recorder: could not record event', {
        object: `${ref.namespace ?? ''}/${ref.name ?? ''}`,
        reason,
        error: String(err),
      });
    }
  }

  /** An event the spam filter dropped still counts on its Event, written with the next one that passes. */
  private skipped(key: string): void {
    const seen = this.recorded.get(key);
    if (seen) seen.count++;
  }

  /** Map insertion order doubles as LRU order. */
  private remember<V>(cache: Map<string, V>, key: string, entry: V): void {
    cache.delete(key);
    cache.set(key, entry);
    const max = this.opts.cacheSize ?? 4096;
    while (cache.size > max) cache.delete(cache.keys().next().value!);
  }
}
