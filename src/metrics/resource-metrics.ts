// The kubelet's /metrics/resource endpoint (pkg/kubelet/metrics/collectors/resource_metrics.go): cumulative
// CPU seconds and working-set bytes of the node, each pod and each container, with sample timestamps.
// decodeResourceMetrics reads it as metrics-server does (pkg/scraper/client/resource/decode.go);
// renderResourceMetrics writes it as the kubelet does, for agents and simulated nodes to serve.
import { formatPrometheusText, type MetricFamily, parsePrometheusText } from './prometheus-text.js';

/** One reading: cumulative CPU core-seconds and the working set at a time (and when the container started). */
export interface UsagePoint {
  cpuSeconds: number;
  memoryBytes: number;
  timestampMs: number;
  /** container_start_time_seconds, in ms: a later start than a stored sample means the counter restarted. */
  startTimeMs?: number;
}

export interface ContainerReading {
  name: string;
  usage: UsagePoint;
}

export interface PodReading {
  namespace: string;
  name: string;
  /** pod_* totals (the kubelet serves them; metrics-server sums the containers instead). */
  usage?: UsagePoint;
  containers: ContainerReading[];
}

/** What one scrape of one node says. */
export interface ResourceSnapshot {
  node?: UsagePoint;
  pods: PodReading[];
}

export const RESOURCE_METRICS_PATH = '/metrics/resource';

const HELP = {
  node_cpu_usage_seconds_total: '[STABLE] Cumulative cpu time consumed by the node in core-seconds',
  node_memory_working_set_bytes: '[STABLE] Current working set of the node in bytes',
  container_cpu_usage_seconds_total: '[STABLE] Cumulative cpu time consumed by the container in core-seconds',
  container_memory_working_set_bytes: '[STABLE] Current working set of the container in bytes',
  container_start_time_seconds: '[STABLE] Start time of the container since unix epoch in seconds',
  pod_cpu_usage_seconds_total: '[STABLE] Cumulative cpu time consumed by the pod in core-seconds',
  pod_memory_working_set_bytes: '[STABLE] Current working set of the pod in bytes',
  resource_scrape_error: '[STABLE] 1 if there was an error while getting container metrics, 0 otherwise',
};

interface PartialPoint {
  cpuSeconds?: number;
  memoryBytes?: number;
  cpuTs?: number;
  memTs?: number;
  startTimeMs?: number;
}

/**
 * Reads /metrics/resource text. Samples without a timestamp take `fallbackTimestampMs` (the time of the
 * scrape). Containers and nodes missing CPU or memory are left out, as metrics-server drops incomplete points.
 */
export function decodeResourceMetrics(text: string, fallbackTimestampMs: number): ResourceSnapshot {
  const node: PartialPoint = {};
  const pods = new Map<
    string,
    { namespace: string; name: string; pod: PartialPoint; containers: Map<string, PartialPoint> }
  >();
  const podEntry = (namespace: string, name: string) => {
    const key = `${namespace}/${name}`;
    let p = pods.get(key);
    if (!p) {
      p = { namespace, name, pod: {}, containers: new Map() };
      pods.set(key, p);
    }
    return p;
  };
  const containerEntry = (l: Record<string, string>) => {
    const p = podEntry(l['namespace'] ?? '', l['pod'] ?? '');
    const name = l['container'] ?? '';
    let c = p.containers.get(name);
    if (!c) {
      c = {};
      p.containers.set(name, c);
    }
    return c;
  };
  for (const s of parsePrometheusText(text)) {
    const ts = s.timestampMs ?? fallbackTimestampMs;
    switch (s.name) {
      case 'node_cpu_usage_seconds_total':
        node.cpuSeconds = s.value;
        node.cpuTs = ts;
        break;
      case 'node_memory_working_set_bytes':
        node.memoryBytes = s.value;
        node.memTs = ts;
        break;
      case 'container_cpu_usage_seconds_total': {
        const c = containerEntry(s.labels);
        c.cpuSeconds = s.value;
        c.cpuTs = ts;
        break;
      }
      case 'container_memory_working_set_bytes': {
        const c = containerEntry(s.labels);
        c.memoryBytes = s.value;
        c.memTs = ts;
        break;
      }
      case 'container_start_time_seconds':
        containerEntry(s.labels).startTimeMs = s.value * 1000;
        break;
      case 'pod_cpu_usage_seconds_total': {
        const p = podEntry(s.labels['namespace'] ?? '', s.labels['pod'] ?? '').pod;
        p.cpuSeconds = s.value;
        p.cpuTs = ts;
        break;
      }
      case 'pod_memory_working_set_bytes': {
        const p = podEntry(s.labels['namespace'] ?? '', s.labels['pod'] ?? '').pod;
        p.memoryBytes = s.value;
        p.memTs = ts;
        break;
      }
    }
  }
  const out: ResourceSnapshot = { pods: [] };
  const nodePoint = complete(node);
  if (nodePoint) out.node = nodePoint;
  for (const p of pods.values()) {
    const containers: ContainerReading[] = [];
    for (const [name, c] of p.containers) {
      const usage = complete(c);
      if (usage && name) containers.push({ name, usage });
    }
    const podUsage = complete(p.pod);
    if (containers.length === 0 && !podUsage) continue;
    out.pods.push({ namespace: p.namespace, name: p.name, ...(podUsage ? { usage: podUsage } : {}), containers });
  }
  return out;
}

/** A point when both CPU and memory were read; the CPU sample's time is the point's time. */
function complete(p: PartialPoint): UsagePoint | undefined {
  if (p.cpuSeconds === undefined || p.memoryBytes === undefined) return undefined;
  const point: UsagePoint = { cpuSeconds: p.cpuSeconds, memoryBytes: p.memoryBytes, timestampMs: p.cpuTs ?? p.memTs! };
  if (p.startTimeMs !== undefined) point.startTimeMs = p.startTimeMs;
  return point;
}

/** The /metrics/resource text for a snapshot, as the kubelet writes it (labels sorted, timestamps in ms). */
export function renderResourceMetrics(snapshot: ResourceSnapshot, opts: { scrapeError?: boolean } = {}): string {
  const fam = (name: keyof typeof HELP, type: MetricFamily['type']): MetricFamily => ({
    name,
    help: HELP[name],
    type,
    samples: [],
  });
  const families = {
    containerCpu: fam('container_cpu_usage_seconds_total', 'counter'),
    containerMem: fam('container_memory_working_set_bytes', 'gauge'),
    containerStart: fam('container_start_time_seconds', 'gauge'),
    nodeCpu: fam('node_cpu_usage_seconds_total', 'counter'),
    nodeMem: fam('node_memory_working_set_bytes', 'gauge'),
    podCpu: fam('pod_cpu_usage_seconds_total', 'counter'),
    podMem: fam('pod_memory_working_set_bytes', 'gauge'),
    scrapeError: fam('resource_scrape_error', 'gauge'),
  };
  for (const p of snapshot.pods) {
    for (const c of p.containers) {
      const labels = { container: c.name, namespace: p.namespace, pod: p.name };
      const ts = c.usage.timestampMs;
      families.containerCpu.samples.push({ labels, value: c.usage.cpuSeconds, timestampMs: ts });
      families.containerMem.samples.push({ labels, value: c.usage.memoryBytes, timestampMs: ts });
      if (c.usage.startTimeMs !== undefined) {
        families.containerStart.samples.push({ labels, value: c.usage.startTimeMs / 1000, timestampMs: ts });
      }
    }
    if (p.usage) {
      const labels = { namespace: p.namespace, pod: p.name };
      families.podCpu.samples.push({ labels, value: p.usage.cpuSeconds, timestampMs: p.usage.timestampMs });
      families.podMem.samples.push({ labels, value: p.usage.memoryBytes, timestampMs: p.usage.timestampMs });
    }
  }
  if (snapshot.node) {
    const { cpuSeconds, memoryBytes, timestampMs } = snapshot.node;
    families.nodeCpu.samples.push({ labels: {}, value: cpuSeconds, timestampMs });
    families.nodeMem.samples.push({ labels: {}, value: memoryBytes, timestampMs });
  }
  families.scrapeError.samples.push({ labels: {}, value: opts.scrapeError ? 1 : 0 });
  return formatPrometheusText(Object.values(families).filter((f) => f.samples.length > 0));
}
