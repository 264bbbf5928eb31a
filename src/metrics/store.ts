// The latest usage of every node, pod and container, computed as metrics-server does
// (pkg/storage/{node,pod}.go): each scrape's point becomes `last` and the point before it `prev`; usage is
// the CPU rate between the two (nanocores, window = the time between them) and the last working set.
// Something with one point so far has no metrics yet and is left out, never shown as zero. A node's entry
// is replaced by each scrape, so pods that went away are dropped with it; deleted nodes are dropped by
// retainNodes (bounded memory).
import type { ResourceSnapshot, UsagePoint } from './resource-metrics.js';

/** A point as stored: CPU as integer nanoseconds (uint64 in metrics-server). */
interface StoredPoint {
  cpuNs: number;
  memoryBytes: number;
  timestampMs: number;
  startTimeMs?: number;
}

export interface Usage {
  /** CPU rate over the window, in nanocores (floored, as metrics-server's uint64 conversion). */
  cpuNanocores: number;
  memoryBytes: number;
  /** End of the window (the last point's time), ms since the epoch. */
  timestampMs: number;
  windowMs: number;
}

export interface PodUsage {
  namespace: string;
  name: string;
  timestampMs: number;
  windowMs: number;
  containers: { name: string; usage: Usage }[];
}

interface PodEntry {
  namespace: string;
  name: string;
  last: Map<string, StoredPoint>;
  prev: Map<string, StoredPoint>;
}

interface NodeEntry {
  last?: StoredPoint;
  prev?: StoredPoint;
  pods: Map<string, PodEntry>;
}

const toStored = (p: UsagePoint): StoredPoint => {
  const s: StoredPoint = {
    cpuNs: Math.round(p.cpuSeconds * 1e9),
    memoryBytes: p.memoryBytes,
    timestampMs: p.timestampMs,
  };
  if (p.startTimeMs !== undefined) s.startTimeMs = p.startTimeMs;
  return s;
};

/** metrics-server's choice of the previous point when a new one arrives (storage/node.go, pod.go). */
function previousPoint(
  next: StoredPoint,
  last: StoredPoint | undefined,
  prev: StoredPoint | undefined,
  checkRestart: boolean,
): StoredPoint | undefined {
  if (!last) return undefined;
  // A container that started after the stored sample was restarted: its counter began again.
  if (checkRestart && !(next.startTimeMs === undefined || next.startTimeMs < last.timestampMs)) return undefined;
  if (next.timestampMs > last.timestampMs) return last;
  if (prev && prev.timestampMs < next.timestampMs) return prev;
  return undefined;
}

function usageBetween(last: StoredPoint, prev: StoredPoint): Usage | undefined {
  // metrics-server skips a point whose cumulative CPU went down.
  if (last.cpuNs < prev.cpuNs) return undefined;
  const windowMs = last.timestampMs - prev.timestampMs;
  if (windowMs <= 0) return undefined;
  return {
    cpuNanocores: Math.floor((last.cpuNs - prev.cpuNs) / (windowMs / 1000)),
    memoryBytes: last.memoryBytes,
    timestampMs: last.timestampMs,
    windowMs,
  };
}

export class MetricsStore {
  private readonly nodes = new Map<string, NodeEntry>();
  /** namespace/name -> node the pod was last reported by. */
  private readonly podNodes = new Map<string, string>();

  /** Stores one node's scrape; it replaces what that node reported before. */
  storeNode(nodeName: string, snapshot: ResourceSnapshot): void {
    const old = this.nodes.get(nodeName);
    const entry: NodeEntry = { pods: new Map() };
    if (snapshot.node) {
      const next = toStored(snapshot.node);
      entry.last = next;
      entry.prev = previousPoint(next, old?.last, old?.prev, false);
    }
    for (const p of snapshot.pods) {
      const key = `${p.namespace}/${p.name}`;
      if (entry.pods.has(key)) continue; // duplicate pod point: the first wins, as metrics-server
      const before = old?.pods.get(key);
      const pod: PodEntry = { namespace: p.namespace, name: p.name, last: new Map(), prev: new Map() };
      for (const c of p.containers) {
        if (pod.last.has(c.name)) continue;
        const next = toStored(c.usage);
        pod.last.set(c.name, next);
        const prev = previousPoint(next, before?.last.get(c.name), before?.prev.get(c.name), true);
        if (prev) pod.prev.set(c.name, prev);
      }
      entry.pods.set(key, pod);
    }
    if (old) for (const key of old.pods.keys()) if (!entry.pods.has(key)) this.forgetPod(key, nodeName);
    for (const key of entry.pods.keys()) this.podNodes.set(key, nodeName);
    this.nodes.set(nodeName, entry);
  }

  /** Forgets a node (its scrape failed, as metrics-server serves nothing for a node it could not scrape). */
  dropNode(nodeName: string): void {
    const old = this.nodes.get(nodeName);
    if (!old) return;
    for (const key of old.pods.keys()) this.forgetPod(key, nodeName);
    this.nodes.delete(nodeName);
  }

  /** Drops every node not in `names` (deleted nodes) with its pods. */
  retainNodes(names: Iterable<string>): void {
    const keep = new Set(names);
    for (const n of [...this.nodes.keys()]) if (!keep.has(n)) this.dropNode(n);
  }

  nodeUsage(nodeName: string): Usage | undefined {
    const e = this.nodes.get(nodeName);
    return e?.last && e.prev ? usageBetween(e.last, e.prev) : undefined;
  }

  /** A pod's usage when every one of its containers has two points; the earliest container time wins. */
  podUsage(namespace: string, name: string): PodUsage | undefined {
    const key = `${namespace}/${name}`;
    const node = this.podNodes.get(key);
    const pod = node === undefined ? undefined : this.nodes.get(node)?.pods.get(key);
    if (!pod || pod.last.size === 0) return undefined;
    const containers: PodUsage['containers'] = [];
    let earliest: Usage | undefined;
    for (const [cname, last] of pod.last) {
      const prev = pod.prev.get(cname);
      if (!prev) return undefined;
      const usage = usageBetween(last, prev);
      if (!usage) continue;
      containers.push({ name: cname, usage });
      if (!earliest || earliest.timestampMs > usage.timestampMs) earliest = usage;
    }
    if (!earliest) return undefined;
    containers.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { namespace, name, timestampMs: earliest.timestampMs, windowMs: earliest.windowMs, containers };
  }

  /** Number of nodes and pods held (for tests of the memory bound and for the bench). */
  size(): { nodes: number; pods: number } {
    return { nodes: this.nodes.size, pods: this.podNodes.size };
  }

  private forgetPod(key: string, nodeName: string): void {
    if (this.podNodes.get(key) === nodeName) this.podNodes.delete(key);
  }
}
