// The kubelet's /stats/summary document (k8s.io/kubelet/pkg/apis/stats/v1alpha1, the fields metrics tools
// read): the node's and each pod's and container's CPU and memory. summaryFromSnapshot writes it from a
// resource snapshot (usageNanoCores needs the previous snapshot); snapshotFromSummary reads one back.
import { rfc3339 } from '../core/time.js';
import { parseTime } from '../core/time.js';
import type { ResourceSnapshot, UsagePoint } from './resource-metrics.js';

export interface CPUStats {
  time: string;
  usageNanoCores?: number;
  usageCoreNanoSeconds?: number;
}

export interface MemoryStats {
  time: string;
  availableBytes?: number;
  usageBytes?: number;
  workingSetBytes?: number;
  rssBytes?: number;
  pageFaults?: number;
  majorPageFaults?: number;
}

export interface ContainerStats {
  name: string;
  startTime: string;
  cpu?: CPUStats;
  memory?: MemoryStats;
}

export interface PodReference {
  name: string;
  namespace: string;
  uid: string;
}

export interface PodStats {
  podRef: PodReference;
  startTime?: string;
  containers: ContainerStats[];
  cpu?: CPUStats;
  memory?: MemoryStats;
}

export interface NodeStats {
  nodeName: string;
  startTime?: string;
  cpu?: CPUStats;
  memory?: MemoryStats;
}

export interface Summary {
  node: NodeStats;
  pods: PodStats[];
}

export interface SummaryOptions {
  nodeName: string;
  /** Pod uids by namespace/name (podRef.uid); missing ones are written as ''. */
  podUids?: ReadonlyMap<string, string>;
  /** The snapshot before this one: usageNanoCores is the rate between the two. */
  previous?: ResourceSnapshot;
  nodeStartTimeMs?: number;
}

function cpuStats(p: UsagePoint, prev: UsagePoint | undefined): CPUStats {
  const out: CPUStats = { time: rfc3339(p.timestampMs), usageCoreNanoSeconds: Math.round(p.cpuSeconds * 1e9) };
  if (prev && p.timestampMs > prev.timestampMs && p.cpuSeconds >= prev.cpuSeconds) {
    out.usageNanoCores = Math.floor(
      ((p.cpuSeconds - prev.cpuSeconds) * 1e9) / ((p.timestampMs - prev.timestampMs) / 1000),
    );
  }
  return out;
}

const memoryStats = (p: UsagePoint): MemoryStats => ({ time: rfc3339(p.timestampMs), workingSetBytes: p.memoryBytes });

export function summaryFromSnapshot(s: ResourceSnapshot, o: SummaryOptions): Summary {
  const prevPods = new Map((o.previous?.pods ?? []).map((p) => [`${p.namespace}/${p.name}`, p]));
  const node: NodeStats = { nodeName: o.nodeName };
  if (o.nodeStartTimeMs !== undefined) node.startTime = rfc3339(o.nodeStartTimeMs);
  if (s.node) {
    node.cpu = cpuStats(s.node, o.previous?.node);
    node.memory = memoryStats(s.node);
  }
  const pods = s.pods.map((p): PodStats => {
    const key = `${p.namespace}/${p.name}`;
    const prev = prevPods.get(key);
    const prevContainers = new Map((prev?.containers ?? []).map((c) => [c.name, c.usage]));
    const containers = p.containers.map(
      (c): ContainerStats => ({
        name: c.name,
        startTime: rfc3339(c.usage.startTimeMs ?? c.usage.timestampMs),
        cpu: cpuStats(c.usage, prevContainers.get(c.name)),
        memory: memoryStats(c.usage),
      }),
    );
    const out: PodStats = {
      podRef: { name: p.name, namespace: p.namespace, uid: o.podUids?.get(key) ?? '' },
      containers,
    };
    if (p.usage) {
      out.cpu = cpuStats(p.usage, prev?.usage);
      out.memory = memoryStats(p.usage);
    }
    return out;
  });
  return { node, pods };
}

function pointOf(cpu: CPUStats | undefined, mem: MemoryStats | undefined, startTime?: string): UsagePoint | undefined {
  if (cpu?.usageCoreNanoSeconds === undefined || mem?.workingSetBytes === undefined) return undefined;
  const ts = parseTime(cpu.time) ?? parseTime(mem.time);
  if (ts === undefined) return undefined;
  const p: UsagePoint = {
    cpuSeconds: cpu.usageCoreNanoSeconds / 1e9,
    memoryBytes: mem.workingSetBytes,
    timestampMs: ts,
  };
  const start = startTime === undefined ? undefined : parseTime(startTime);
  if (start !== undefined) p.startTimeMs = start;
  return p;
}

/** The cumulative readings in a summary (entries without CPU time or working set are left out). */
export function snapshotFromSummary(summary: Summary): ResourceSnapshot {
  const out: ResourceSnapshot = { pods: [] };
  const node = pointOf(summary.node?.cpu, summary.node?.memory);
  if (node) out.node = node;
  for (const p of summary.pods ?? []) {
    const containers = (p.containers ?? []).flatMap((c) => {
      const usage = pointOf(c.cpu, c.memory, c.startTime);
      return usage ? [{ name: c.name, usage }] : [];
    });
    const usage = pointOf(p.cpu, p.memory);
    if (containers.length === 0 && !usage) continue;
    out.pods.push({ namespace: p.podRef.namespace, name: p.podRef.name, ...(usage ? { usage } : {}), containers });
  }
  return out;
}
