// The scheduling loop. Informers call the on* methods; the loop pops one pod at a time, decides
// against the cache snapshot (pure), assumes the pod onto the chosen node, and starts the bind
// without awaiting it so the next pod is scheduled while the POST is in flight.

import { type Clock, systemClock } from './clock.js';
import { SchedulerCache } from './cache/scheduler-cache.js';
import { VolumeCache } from './cache/volume-cache.js';
import { DEFAULT_SCHEDULER_NAME, defaultProfile } from './default-profile.js';
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod, StorageClass } from '../core/types.js';
import { podInfoOf } from './framework/pod-info.js';
import { podKey } from './framework/pod-key.js';
import type { Profile } from './framework/profile.js';
import { schedulePod } from './framework/schedule-pod.js';
import { Snapshot } from './framework/snapshot.js';
import { type QueuedPod, SchedulingQueue } from './queue/scheduling-queue.js';

/** The scheduler's only way out to the API server; wired by whoever hosts the scheduler. */
export interface SchedulerIO {
  /** POST pods/<name>/binding. */
  bind(pod: Pod, nodeName: string): Promise<void>;
  /** Set the PodScheduled=False condition (reason Unschedulable) with this message. */
  markUnschedulable(pod: Pod, message: string): Promise<void>;
  /** Record a core/v1 Event about the pod. */
  event(
    pod: Pod,
    type: 'Normal' | 'Warning',
    reason: 'Scheduled' | 'FailedScheduling' | 'Preempted',
    message: string,
  ): void;
  /** Set the preemptor's status.nominatedNodeName (optional: hosts without preemption leave it out). */
  nominate?(pod: Pod, nodeName: string): Promise<void>;
  /** Mark the victim DisruptionTarget (PreemptionByScheduler) and delete it gracefully. */
  evict?(victim: Pod, preemptor: Pod, nodeName: string): Promise<void>;
}

export interface SchedulerOptions {
  io: SchedulerIO;
  profile?: Profile;
  clock?: Clock;
  queue?: SchedulingQueue;
  cache?: SchedulerCache;
  /** Claims, volumes and StorageClasses for VolumeBinding (fed by the on{Claim,Volume,Class}* methods). */
  volumes?: VolumeCache;
  /** How often backoff/unschedulable flushes and assumed-pod expiry run (ms); 0 disables the timer. */
  housekeepingIntervalMs?: number;
  /** Structured log sink; silent by default. */
  log?: (msg: string, fields: Record<string, unknown>) => void;
  /** scheduler_schedule_attempts_total, scheduler_scheduling_attempt_duration_seconds, scheduler_pending_pods. */
  metrics?: SchedulerMetricsSink;
}

export type AttemptResult = 'scheduled' | 'unschedulable' | 'error';

/** Where the scheduler reports its attempts (upstream pkg/scheduler/metrics); the command layer wires Prometheus. */
export interface SchedulerMetricsSink {
  /** One scheduling attempt ended: from taking the pod off activeQ to the bind's answer (or the failure). */
  attempt(result: AttemptResult, profile: string, seconds: number): void;
  /** Called once with a reader of the queue's lengths (scheduler_pending_pods by queue). */
  pendingPods?(read: () => { active: number; backoff: number; unschedulable: number; gated: number }): void;
}

export function isBound(pod: Pod): boolean {
  return Boolean(pod.spec?.nodeName);
}

function isTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

export class Scheduler {
  readonly queue: SchedulingQueue;
  readonly cache: SchedulerCache;
  readonly volumes: VolumeCache;
  readonly profile: Profile;
  private readonly io: SchedulerIO;
  private readonly snapshot = new Snapshot();
  private readonly log: (msg: string, fields: Record<string, unknown>) => void;
  private readonly housekeepingMs: number;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private loopDone: Promise<void> = Promise.resolve();
  private readonly pendingBinds = new Set<Promise<void>>();
  private readonly metrics: SchedulerMetricsSink | undefined;
  /** Start of the attempt in flight per pod uid (performance.now()). */
  private readonly attemptStarted = new Map<string, number>();

  constructor(opts: SchedulerOptions) {
    const clock = opts.clock ?? systemClock;
    this.io = opts.io;
    this.profile = opts.profile ?? defaultProfile();
    this.queue = opts.queue ?? new SchedulingQueue({ clock });
    this.cache = opts.cache ?? new SchedulerCache({ clock });
    this.volumes = opts.volumes ?? new VolumeCache();
    this.snapshot.volumes = this.volumes;
    this.housekeepingMs = opts.housekeepingIntervalMs ?? 1000;
    this.log = opts.log ?? (() => {});
    this.metrics = opts.metrics;
    this.metrics?.pendingPods?.(() => {
      const l = this.queue.lengths;
      return { active: l.active, backoff: l.backoff, unschedulable: l.unschedulable, gated: 0 };
    });
  }

  private responsibleFor(pod: Pod): boolean {
    return (pod.spec?.schedulerName ?? DEFAULT_SCHEDULER_NAME) === this.profile.schedulerName;
  }

  // --- informer events -------------------------------------------------------------------------

  onPodAdd(pod: Pod): void {
    if (isBound(pod)) {
      if (!isTerminal(pod)) this.cache.addPod(pod);
      return;
    }
    if (this.responsibleFor(pod) && !isTerminal(pod) && !pod.metadata.deletionTimestamp) this.queue.add(pod);
  }

  onPodUpdate(pod: Pod, old?: Pod): void {
    if (isBound(pod)) {
      // Bound now (possibly by us): it leaves the queue and counts in the cache.
      this.queue.delete(pod);
      if (isTerminal(pod)) {
        this.cache.removePod(pod);
        this.queue.onClusterEvent('PodDelete');
      } else this.cache.updatePod(pod);
      return;
    }
    if (this.responsibleFor(pod)) this.queue.update(pod, old);
  }

  onPodDelete(pod: Pod): void {
    this.queue.delete(pod);
    if (isBound(pod) || this.cache.isAssumed(pod)) {
      this.cache.removePod(pod);
      this.queue.onClusterEvent('PodDelete');
    }
  }

  onNodeAdd(node: Node): void {
    this.cache.addNode(node);
    this.queue.onClusterEvent('NodeAdd');
  }

  onNodeUpdate(node: Node): void {
    this.cache.updateNode(node);
    this.queue.onClusterEvent('NodeUpdate');
  }

  onNodeDelete(node: Node): void {
    this.cache.removeNode(node);
  }

  // Storage: what VolumeBinding reads. Additions and changes may let waiting pods fit; removals cannot.

  onClaimAdd(claim: PersistentVolumeClaim): void {
    this.volumes.setClaim(claim);
    this.queue.onClusterEvent('PvcAdd');
  }

  onClaimUpdate(claim: PersistentVolumeClaim): void {
    this.volumes.setClaim(claim);
    this.queue.onClusterEvent('PvcUpdate');
  }

  onClaimDelete(claim: PersistentVolumeClaim): void {
    this.volumes.removeClaim(claim);
  }

  onVolumeAdd(pv: PersistentVolume): void {
    this.volumes.setVolume(pv);
    this.queue.onClusterEvent('PvAdd');
  }

  onVolumeUpdate(pv: PersistentVolume): void {
    this.volumes.setVolume(pv);
    this.queue.onClusterEvent('PvUpdate');
  }

  onVolumeDelete(pv: PersistentVolume): void {
    this.volumes.removeVolume(pv);
  }

  onClassAdd(sc: StorageClass): void {
    this.volumes.setClass(sc);
    this.queue.onClusterEvent('StorageClassAdd');
  }

  onClassUpdate(sc: StorageClass): void {
    this.volumes.setClass(sc);
    this.queue.onClusterEvent('StorageClassUpdate');
  }

  onClassDelete(sc: StorageClass): void {
    this.volumes.removeClass(sc);
  }

  // --- loop ------------------------------------------------------------------------------------

  start(): void {
    if (this.running) return;
    this.running = true;
    if (this.housekeepingMs > 0) {
      this.timer = setInterval(() => this.housekeeping(), this.housekeepingMs);
      this.timer.unref();
    }
    this.loopDone = this.loop();
  }

  /** Stops the loop and waits for in-flight binds to settle. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    this.queue.close();
    await this.loopDone;
    await Promise.allSettled([...this.pendingBinds]);
  }

  /** Flushes queues and expires assumed pods; the timer calls this, tests may too. */
  housekeeping(): void {
    this.queue.flush();
    for (const pod of this.cache.cleanupExpired()) this.log('assumed pod expired', { pod: podKey(pod) });
  }

  private async loop(): Promise<void> {
    let sinceYield = 0;
    while (this.running) {
      if (!this.scheduleOne()) {
        await this.queue.waitForPod();
        sinceYield = 0;
      } else if (++sinceYield >= 16) {
        // Let informer events and bind completions run between bursts of decisions.
        await new Promise<void>((r) => setImmediate(r));
        sinceYield = 0;
      }
    }
  }

  /** Schedules the next pod in activeQ, if any; returns whether one was taken. Public for tests. */
  scheduleOne(): boolean {
    const q = this.queue.pop();
    if (!q) return false;
    this.attemptStarted.set(q.uid, performance.now());
    const pod = q.pod;
    if (isBound(pod) || this.cache.isAssumed(pod)) {
      this.attemptStarted.delete(q.uid);
      this.queue.done(q.uid);
      return true;
    }
    this.cache.updateSnapshot(this.snapshot);
    let result: ReturnType<typeof schedulePod>;
    try {
      result = schedulePod(pod, this.snapshot, this.profile);
    } catch (err) {
      this.fail(q, `${(err as Error).message}`, 'error');
      return true;
    }
    if ('unschedulable' in result) {
      this.fail(q, result.message, 'unschedulable');
      if (result.preemption)
        this.preempt(
          pod,
          result.preemption.node,
          result.preemption.victims.map((v) => v.pod),
        );
      return true;
    }
    const nodeName = result.node;
    this.cache.assume(pod, nodeName);
    const info = podInfoOf(pod);
    for (const p of this.profile.reserve) p.reserve(result.state, info, nodeName);
    const unreserve = () => {
      for (const p of this.profile.reserve) p.unreserve(result.state, info, nodeName);
    };
    const bind = this.bind(q, nodeName, unreserve);
    this.pendingBinds.add(bind);
    void bind.finally(() => this.pendingBinds.delete(bind));
    return true;
  }

  private async bind(q: QueuedPod, nodeName: string, unreserve: () => void): Promise<void> {
    const pod = q.pod;
    const key = podKey(pod);
    try {
      await this.io.bind(pod, nodeName);
    } catch (err) {
      this.cache.forget(pod);
      unreserve();
      this.log('binding rejected', { pod: key, node: nodeName, error: String(err) });
      this.fail(q, `Binding rejected: ${(err as Error).message ?? String(err)}`, 'error');
      return;
    }
    this.cache.finishBinding(pod);
    this.attemptEnded(q, 'scheduled');
    this.queue.done(q.uid);
    this.io.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${key} to ${nodeName}`);
  }

  /**
   * Upstream DefaultPreemption's prepareCandidate: nominate the node, then evict the victims. The
   * preemptor stays unschedulable; the victims' deletion (a PodDelete event) moves it back to activeQ.
   * A pod whose nominated node still has lower-priority pods terminating waits for them instead.
   */
  private preempt(pod: Pod, nodeName: string, victims: Pod[]): void {
    const { nominate, evict } = this.io;
    if (!nominate || !evict) return;
    if (victims.some((v) => v.metadata.deletionTimestamp)) return;
    const prio = pod.spec?.priority ?? 0;
    const nominated = pod.status?.nominatedNodeName;
    if (nominated) {
      const info = this.snapshot.get(nominated);
      if (info?.pods.some((p) => p.priority < prio && p.pod.metadata.deletionTimestamp)) return;
    }
    const key = podKey(pod);
    this.log('preempting', { pod: key, node: nodeName, victims: victims.map(podKey) });
    const work = (async () => {
      await nominate(pod, nodeName);
      await Promise.all(
        victims.map(async (v) => {
          await evict(v, pod, nodeName);
          this.io.event(v, 'Normal', 'Preempted', `Preempted by pod ${pod.metadata.uid} on node ${nodeName}`);
        }),
      );
    })().catch((err: unknown) => this.log('preemption failed', { pod: key, node: nodeName, error: String(err) }));
    this.pendingBinds.add(work);
    void work.finally(() => this.pendingBinds.delete(work));
  }

  private attemptEnded(q: QueuedPod, result: AttemptResult): void {
    const started = this.attemptStarted.get(q.uid);
    this.attemptStarted.delete(q.uid);
    if (started !== undefined) {
      this.metrics?.attempt(result, this.profile.schedulerName, (performance.now() - started) / 1000);
    }
  }

  private fail(q: QueuedPod, message: string, kind: 'unschedulable' | 'error'): void {
    const pod = q.pod;
    this.attemptEnded(q, kind);
    this.io.event(pod, 'Warning', 'FailedScheduling', message);
    this.io.markUnschedulable(pod, message).catch((err: unknown) => {
      this.log('updating PodScheduled condition failed', { pod: podKey(pod), error: String(err) });
    });
    this.queue.requeueFailed(q, kind);
  }
}
