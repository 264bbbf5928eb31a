// The scheduler's view of the cluster, fed by node/pod informer events plus its own "assumed" pods:
// a pod is assumed onto a node the moment it is scheduled, so the next decision already counts it,
// long before the binding POST returns and the informer reports the pod bound.
// assume -> finishBinding (bind returned; expiry clock starts) -> addPod confirms, or expiry drops it.
// forget undoes an assume when the bind fails.

import type { Node, Pod } from '../../core/types.js';
import { podUid } from '../framework/pod-key.js';
import { NodeInfo } from '../framework/node-info.js';
import { hasAffinityTerms, type PodInfo, podInfoOf } from '../framework/pod-info.js';
import { Snapshot } from '../framework/snapshot.js';
import { type Clock, systemClock } from '../clock.js';

interface PodState {
  pod: Pod;
  nodeName: string;
  assumed: boolean;
  /** Set once binding finished; an assumed pod not confirmed by then is dropped. */
  deadline?: number;
}

export interface CacheOptions {
  clock?: Clock;
  /** How long an assumed pod may wait for the informer to confirm it after binding (default 30s). */
  assumedPodTtlMs?: number;
}

export class SchedulerCache {
  private readonly clock: Clock;
  private readonly ttl: number;
  private readonly nodes = new Map<string, NodeInfo>();
  private readonly pods = new Map<string, PodState>();
  private generation = 0;
  /** Node names in insertion order, rebuilt into the snapshot only when nodes come or go. */
  private nodeSetChanged = true;
  /** Nodes changed since the last updateSnapshot, and the generation that update reached. */
  private readonly dirty = new Set<string>();
  private snapshotGeneration = -1;
  private podsWithAffinity = 0;
  private podsWithRequiredAntiAffinity = 0;

  constructor(opts: CacheOptions = {}) {
    this.clock = opts.clock ?? systemClock;
    this.ttl = opts.assumedPodTtlMs ?? 30_000;
  }

  get nodeCount(): number {
    let n = 0;
    for (const info of this.nodes.values()) if (info.node) n++;
    return n;
  }

  isAssumed(pod: Pod): boolean {
    return this.pods.get(podUid(pod))?.assumed ?? false;
  }

  addNode(node: Node): void {
    const name = node.metadata.name ?? '';
    let info = this.nodes.get(name);
    if (!info) {
      info = new NodeInfo(name);
      this.nodes.set(name, info);
    }
    if (!info.node) this.nodeSetChanged = true;
    info.setNode(node);
    this.touch(info);
  }

  updateNode(node: Node): void {
    this.addNode(node);
  }

  removeNode(node: Node): void {
    const name = node.metadata.name ?? '';
    const info = this.nodes.get(name);
    if (!info) return;
    // Keep a node-less entry while pods still point at it, as upstream does.
    if (info.pods.length > 0) {
      info.node = undefined;
      this.touch(info);
    } else this.nodes.delete(name);
    this.nodeSetChanged = true;
  }

  /** A bound pod from the informer; confirms an assumed pod (moving it if it landed elsewhere). */
  addPod(pod: Pod): void {
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) return;
    const uid = podUid(pod);
    const existing = this.pods.get(uid);
    if (existing) this.detach(uid, existing.nodeName);
    this.attach(pod, nodeName);
    this.pods.set(uid, { pod, nodeName, assumed: false });
  }

  updatePod(pod: Pod): void {
    this.addPod(pod);
  }

  removePod(pod: Pod): void {
    const uid = podUid(pod);
    const s = this.pods.get(uid);
    if (!s) return;
    this.detach(uid, s.nodeName);
    this.pods.delete(uid);
  }

  /** Counts `pod` on `nodeName` before the binding is confirmed. */
  assume(pod: Pod, nodeName: string): void {
    const uid = podUid(pod);
    if (this.pods.has(uid)) throw new Error(`pod ${uid} is already in the scheduler cache`);
    this.attach(pod, nodeName);
    this.pods.set(uid, { pod, nodeName, assumed: true });
  }

  /** The bind call returned; start the clock for the informer to confirm the pod. */
  finishBinding(pod: Pod): void {
    const s = this.pods.get(podUid(pod));
    if (s?.assumed) s.deadline = this.clock.now() + this.ttl;
  }

  /** The bind failed: the pod no longer counts on its node. */
  forget(pod: Pod): void {
    const uid = podUid(pod);
    const s = this.pods.get(uid);
    if (!s?.assumed) return;
    this.detach(uid, s.nodeName);
    this.pods.delete(uid);
  }

  /** Drops assumed pods whose binding finished more than the TTL ago without confirmation. */
  cleanupExpired(): Pod[] {
    const now = this.clock.now();
    const expired: Pod[] = [];
    for (const [uid, s] of this.pods) {
      if (s.assumed && s.deadline !== undefined && s.deadline <= now) {
        this.detach(uid, s.nodeName);
        this.pods.delete(uid);
        expired.push(s.pod);
      }
    }
    return expired;
  }

  /**
   * Brings `snapshot` up to date, cloning only the nodes changed since the last update, so a
   * scheduling cycle costs O(changed nodes), not O(cluster). Meant for one long-lived snapshot.
   */
  updateSnapshot(snapshot: Snapshot): void {
    if (snapshot.generation === this.generation) return;
    const full = this.nodeSetChanged || snapshot.generation !== this.snapshotGeneration;
    for (const name of full ? this.nodes.keys() : this.dirty) {
      const info = this.nodes.get(name);
      if (info?.node) {
        if (full && info.generation <= snapshot.generation && snapshot.byName.has(name)) continue;
        const clone = info.clone();
        snapshot.byName.set(name, clone);
        const at = full ? undefined : snapshot.positionOf(name);
        if (at !== undefined) snapshot.nodes[at] = clone;
      } else snapshot.byName.delete(name);
    }
    if (full) {
      for (const name of [...snapshot.byName.keys()]) if (!this.nodes.get(name)?.node) snapshot.byName.delete(name);
      // Stable (insertion) order, so the rotating search index stays meaningful.
      const list: NodeInfo[] = [];
      for (const name of this.nodes.keys()) {
        const n = snapshot.byName.get(name);
        if (n) list.push(n);
      }
      snapshot.setNodes(list);
      this.nodeSetChanged = false;
    }
    this.dirty.clear();
    snapshot.anyPodWithAffinity = this.podsWithAffinity > 0;
    snapshot.anyPodWithRequiredAntiAffinity = this.podsWithRequiredAntiAffinity > 0;
    snapshot.generation = this.generation;
    this.snapshotGeneration = this.generation;
    snapshot.invalidate();
  }

  snapshot(): Snapshot {
    const s = new Snapshot();
    s.generation = -1;
    this.updateSnapshot(s);
    return s;
  }

  private attach(pod: Pod, nodeName: string): void {
    let info = this.nodes.get(nodeName);
    if (!info) {
      info = new NodeInfo(nodeName);
      this.nodes.set(nodeName, info);
    }
    const p = podInfoOf(pod);
    info.addPod(p);
    this.countAffinity(p, 1);
    this.touch(info);
  }

  private detach(uid: string, nodeName: string): void {
    const info = this.nodes.get(nodeName);
    if (!info) return;
    const p = info.pods.find((x) => x.uid === uid);
    if (p && info.removePod(uid)) this.countAffinity(p, -1);
    this.touch(info);
    if (!info.node && info.pods.length === 0) this.nodes.delete(nodeName);
  }

  private countAffinity(p: PodInfo, sign: 1 | -1): void {
    if (hasAffinityTerms(p)) this.podsWithAffinity += sign;
    if (p.requiredAntiAffinity.length > 0) this.podsWithRequiredAntiAffinity += sign;
  }

  private touch(info: NodeInfo): void {
    info.generation = ++this.generation;
    this.dirty.add(info.name);
  }
}
