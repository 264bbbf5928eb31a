// What the agent reports on /metrics/resource and /stats/summary: per container the runtime's CRI stats
// (ListContainerStats: cumulative CPU nanoseconds and the working set, which containerd computes as the
// kubelet does, usage - inactive_file on cgroup v2, usage - total_inactive_file on v1), grouped into pods
// by the labels the pod workers put on containers, and the node's own usage (node-usage.ts).
// `snapshotFromRuntime` is pure; `ResourceStatsCollector` does the runtime calls and keeps the previous
// snapshot so /stats/summary can carry usageNanoCores as the kubelet's does.
import type { ResourceSnapshot, Summary } from '../../metrics/index.js';
import { renderResourceMetrics, summaryFromSnapshot } from '../../metrics/index.js';
import { LABEL_CONTAINER_NAME, LABEL_POD_NAME, LABEL_POD_NAMESPACE, LABEL_POD_UID } from '../pods/labels.js';
import type { ContainerRuntime, ContainerStats, ContainerSummary } from '../runtime/index.js';
import { type NodeUsage, readNodeUsage } from './node-usage.js';

/**
 * The snapshot of one moment: running containers that have both CPU and memory stats, by pod; pods with no
 * such container are left out (a pod whose containers all stopped reports nothing, as the kubelet's
 * resource collector skips terminated containers). Pod totals are the sum of their containers.
 */
export function snapshotFromRuntime(
  containers: readonly ContainerSummary[],
  stats: readonly ContainerStats[],
  node: NodeUsage | undefined,
): { snapshot: ResourceSnapshot; podUids: Map<string, string> } {
  const byId = new Map(stats.map((s) => [s.id, s]));
  const pods = new Map<string, ResourceSnapshot['pods'][number]>();
  const podUids = new Map<string, string>();
  for (const c of containers) {
    if (c.state !== 'running') continue;
    const namespace = c.labels[LABEL_POD_NAMESPACE];
    const name = c.labels[LABEL_POD_NAME];
    const container = c.labels[LABEL_CONTAINER_NAME];
    if (!namespace || !name || !container) continue;
    const s = byId.get(c.id);
    const cpuNs = s?.cpu?.usageCoreNanoSeconds;
    const memory = s?.memory?.workingSetBytes;
    if (cpuNs === undefined || memory === undefined) continue;
    const key = `${namespace}/${name}`;
    let pod = pods.get(key);
    if (!pod) {
      pod = { namespace, name, containers: [] };
      pods.set(key, pod);
      const uid = c.labels[LABEL_POD_UID];
      if (uid) podUids.set(key, uid);
    }
    pod.containers.push({
      name: container,
      usage: {
        cpuSeconds: Number(cpuNs) / 1e9,
        memoryBytes: Number(memory),
        timestampMs: (s?.cpu?.timestamp ?? s?.memory?.timestamp ?? new Date()).getTime(),
        startTimeMs: c.createdAt.getTime(),
      },
    });
  }
  for (const pod of pods.values()) {
    pod.containers.sort((a, b) => a.name.localeCompare(b.name));
    pod.usage = {
      cpuSeconds: pod.containers.reduce((n, c) => n + c.usage.cpuSeconds, 0),
      memoryBytes: pod.containers.reduce((n, c) => n + c.usage.memoryBytes, 0),
      timestampMs: Math.max(...pod.containers.map((c) => c.usage.timestampMs)),
    };
  }
  const snapshot: ResourceSnapshot = { pods: [...pods.values()] };
  if (node) snapshot.node = node;
  return { snapshot, podUids };
}

export interface ResourceStatsOptions {
  nodeName: string;
  /** The runtime, once it is up (undefined before: only the node is reported). */
  runtime: () => Pick<ContainerRuntime, 'listContainers' | 'listContainerStats'> | undefined;
  readNode?: () => NodeUsage | undefined;
  nodeStartTimeMs?: number;
}

export class ResourceStatsCollector {
  private previous: ResourceSnapshot | undefined;

  constructor(private readonly opts: ResourceStatsOptions) {}

  async collect(): Promise<{ snapshot: ResourceSnapshot; podUids: Map<string, string>; error: boolean }> {
    const node = (this.opts.readNode ?? readNodeUsage)();
    const rt = this.opts.runtime();
    if (!rt) return { ...snapshotFromRuntime([], [], node), error: false };
    try {
      const [containers, stats] = await Promise.all([rt.listContainers({ state: 'running' }), rt.listContainerStats()]);
      return { ...snapshotFromRuntime(containers, stats, node), error: false };
    } catch {
      return { ...snapshotFromRuntime([], [], node), error: true };
    }
  }

  /** GET /metrics/resource. */
  async resourceMetrics(): Promise<string> {
    const { snapshot, error } = await this.collect();
    return renderResourceMetrics(snapshot, { scrapeError: error });
  }

  /** GET /stats/summary. */
  async summary(): Promise<Summary> {
    const { snapshot, podUids } = await this.collect();
    const summary = summaryFromSnapshot(snapshot, {
      nodeName: this.opts.nodeName,
      podUids,
      ...(this.previous ? { previous: this.previous } : {}),
      ...(this.opts.nodeStartTimeMs !== undefined ? { nodeStartTimeMs: this.opts.nodeStartTimeMs } : {}),
    });
    this.previous = snapshot;
    return summary;
  }
}
