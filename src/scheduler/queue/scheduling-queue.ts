// The scheduling queue (upstream internal/queue): three places a pending pod can wait.
//   activeQ        ready now, ordered by priority (high first) then creation time (old first)
//   backoffQ       failed recently; waits 1s, 2s, 4s... (max 10s) after its last attempt
//   unschedulable  failed for lack of fitting nodes; waits for a cluster event that may help,
//                  or for a periodic flush after 60s
// Pods are deduplicated by uid; the clock is injected.

import { jsonEqual } from '../../core/json.js';
import type { Pod } from '../../core/types.js';
import { podUid } from '../framework/pod-key.js';
import { type Clock, systemClock } from '../clock.js';
import { KeyedHeap } from './heap.js';

export interface QueuedPod {
  pod: Pod;
  uid: string;
  /** Failed scheduling attempts so far. */
  attempts: number;
  /** When this pod entered the queue the first time (ms). */
  initialAttemptTime: number;
  /** When it was added or last failed (ms); the backoff and unschedulable-flush timers start here. */
  timestamp: number;
  /** Scheduling cycle in which it was popped; used to catch events that raced its attempt. */
  cycle: number;
  /** Changed (as isPodUpdated sees it) while its attempt ran: a failure then backs off, not parks. */
  updatedInFlight?: boolean;
}

export interface QueueOptions {
  clock?: Clock;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** Unschedulable pods older than this go back to activeQ/backoffQ on flush. */
  maxUnschedulableMs?: number;
}

export type ClusterEvent =
  | 'NodeAdd'
  | 'NodeUpdate'
  | 'PodDelete'
  | 'PodUpdate'
  // VolumeBinding's events (upstream EventsToRegister): a claim bound or created, a volume made available, a class.
  | 'PvcAdd'
  | 'PvcUpdate'
  | 'PvAdd'
  | 'PvUpdate'
  | 'StorageClassAdd'
  | 'StorageClassUpdate';

function creationMs(p: Pod): number {
  const t = p.metadata.creationTimestamp;
  return t ? Date.parse(t) : 0;
}

export class SchedulingQueue {
  private readonly clock: Clock;
  private readonly initialBackoff: number;
  private readonly maxBackoff: number;
  private readonly maxUnschedulable: number;
  private readonly active: KeyedHeap<QueuedPod>;
  private readonly backoff: KeyedHeap<QueuedPod>;
  private readonly unschedulable = new Map<string, QueuedPod>();
  /** Popped and not yet returned (being scheduled or binding). */
  private readonly inFlight = new Map<string, QueuedPod>();
  private schedulingCycle = 0;
  private moveRequestCycle = -1;
  private waiters: Array<() => void> = [];
  private closed = false;

  constructor(opts: QueueOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.initialBackoff = opts.initialBackoffMs ?? 1000;
    this.maxBackoff = opts.maxBackoffMs ?? 10_000;
    this.maxUnschedulable = opts.maxUnschedulableMs ?? 60_000;
    this.active = new KeyedHeap(
      (q) => q.uid,
      (a, b) => {
        const pa = a.pod.spec?.priority ?? 0;
        const pb = b.pod.spec?.priority ?? 0;
        if (pa !== pb) return pa > pb;
        const ca = creationMs(a.pod);
        const cb = creationMs(b.pod);
        if (ca !== cb) return ca < cb;
        return a.timestamp < b.timestamp;
      },
    );
    this.backoff = new KeyedHeap(
      (q) => q.uid,
      (a, b) => this.backoffExpiry(a) < this.backoffExpiry(b),
    );
  }

  get lengths(): { active: number; backoff: number; unschedulable: number; inFlight: number } {
    return {
      active: this.active.size,
      backoff: this.backoff.size,
      unschedulable: this.unschedulable.size,
      inFlight: this.inFlight.size,
    };
  }

  /** A new pending pod (informer add). Ignored when the pod is already queued. */
  add(pod: Pod): void {
    const uid = podUid(pod);
    if (this.locate(uid)) {
      this.update(pod);
      return;
    }
    const now = this.clock.now();
    this.pushActive({ pod, uid, attempts: 0, initialAttemptTime: now, timestamp: now, cycle: 0 });
  }

  /**
   * A changed pending pod: replace it where it waits. An unschedulable one gets another try only when the
   * change may matter (upstream's isPodUpdated): not for its status, which the scheduler itself writes.
   */
  update(pod: Pod, old?: Pod): void {
    const uid = podUid(pod);
    const a = this.active.get(uid) ?? this.backoff.get(uid);
    if (a) {
      a.pod = pod;
      if (this.active.has(uid)) this.active.push(a);
      else this.backoff.push(a);
      return;
    }
    const u = this.unschedulable.get(uid);
    if (u && old && !isPodUpdated(old, pod)) {
      u.pod = pod;
      return;
    }
    if (u) {
      this.unschedulable.delete(uid);
      u.pod = pod;
      if (this.isBackingOff(u)) this.backoff.push(u);
      else this.pushActive(u);
      return;
    }
    const f = this.inFlight.get(uid);
    if (f) {
      if (!old || isPodUpdated(old, pod)) f.updatedInFlight = true;
      f.pod = pod;
      return;
    }
    this.add(pod);
  }

  delete(pod: Pod): void {
    const uid = podUid(pod);
    this.active.delete(uid);
    this.backoff.delete(uid);
    this.unschedulable.delete(uid);
    this.inFlight.delete(uid);
  }

  /** Next pod to schedule, or undefined when activeQ is empty. */
  pop(): QueuedPod | undefined {
    const q = this.active.pop();
    if (!q) return undefined;
    this.schedulingCycle++;
    q.cycle = this.schedulingCycle;
    this.inFlight.set(q.uid, q);
    return q;
  }

  /** Resolves when activeQ is non-empty (or the queue closes). */
  waitForPod(): Promise<void> {
    if (this.active.size > 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** The pod was scheduled (or dropped): it leaves the queue. */
  done(uid: string): void {
    this.inFlight.delete(uid);
  }

  /**
   * A popped pod failed. If a cluster event arrived while it was being scheduled, it may fit now, so
   * it goes to backoffQ; otherwise it parks in the unschedulable set (or backoffQ for errors).
   */
  requeueFailed(q: QueuedPod, reason: 'unschedulable' | 'error'): void {
    if (!this.inFlight.has(q.uid)) return; // deleted meanwhile
    this.inFlight.delete(q.uid);
    q.attempts++;
    q.timestamp = this.clock.now();
    const retry = reason === 'error' || this.moveRequestCycle >= q.cycle || q.updatedInFlight;
    q.updatedInFlight = false;
    if (retry) this.backoff.push(q);
    else this.unschedulable.set(q.uid, q);
  }

  /** A cluster change that may make unschedulable pods fit: give them all another try. */
  onClusterEvent(_event: ClusterEvent): void {
    for (const q of this.unschedulable.values()) {
      if (this.isBackingOff(q)) this.backoff.push(q);
      else this.pushActive(q);
    }
    this.unschedulable.clear();
    this.moveRequestCycle = this.schedulingCycle;
  }

  /** Periodic work: backoff-completed pods to activeQ, long-unschedulable pods out of parking. */
  flush(): void {
    const now = this.clock.now();
    for (let q = this.backoff.peek(); q && this.backoffExpiry(q) <= now; q = this.backoff.peek()) {
      this.backoff.pop();
      this.pushActive(q);
    }
    for (const [uid, q] of this.unschedulable) {
      if (now - q.timestamp < this.maxUnschedulable) continue;
      this.unschedulable.delete(uid);
      if (this.isBackingOff(q)) this.backoff.push(q);
      else this.pushActive(q);
    }
  }

  /** Wakes waiters; pop() returns undefined from now on when empty. */
  close(): void {
    this.closed = true;
    this.wake();
  }

  backoffDuration(attempts: number): number {
    if (attempts <= 0) return 0;
    let d = this.initialBackoff;
    for (let i = 1; i < attempts && d < this.maxBackoff; i++) d *= 2;
    return Math.min(d, this.maxBackoff);
  }

  private backoffExpiry(q: QueuedPod): number {
    return q.timestamp + this.backoffDuration(q.attempts);
  }

  private isBackingOff(q: QueuedPod): boolean {
    return this.backoffExpiry(q) > this.clock.now();
  }

  private locate(uid: string): boolean {
    return this.active.has(uid) || this.backoff.has(uid) || this.unschedulable.has(uid) || this.inFlight.has(uid);
  }

  private pushActive(q: QueuedPod): void {
    this.active.push(q);
    this.wake();
  }

  private wake(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }
}

/**
 * Whether a pod changed in a way that may make it schedulable: anything but its resourceVersion, generation,
 * status (resourceClaimStatuses aside), managedFields and finalizers (upstream's isPodUpdated).
 */
export function isPodUpdated(old: Pod, pod: Pod): boolean {
  const strip = (p: Pod) => {
    const { resourceVersion: _rv, generation: _g, managedFields: _mf, finalizers: _f, ...metadata } = p.metadata;
    const claims = (p.status as { resourceClaimStatuses?: unknown } | undefined)?.resourceClaimStatuses;
    return { ...p, metadata, status: claims === undefined ? undefined : { resourceClaimStatuses: claims } };
  };
  return !jsonEqual(strip(old), strip(pod));
}
