// Metrics for simulated nodes: each pod's `tutti.io/simulated-usage` annotation (e.g. `cpu=250m,memory=64Mi`)
// is the usage of each of its containers. SimulatedUsageMeter integrates that rate into the cumulative CPU
// counters an agent reports, so a change of the annotation shows up as a change of rate from the next
// scrape on, and renders the node's /metrics/resource text as an agent serves it.
import { parseBytes, parseCpuMillis } from '../core/quantity/index.js';
import type { Pod } from '../core/types.js';
import { SIMULATED_USAGE_ANNOTATION } from '../core/well-known.js';
import { type PodReading, renderResourceMetrics, type ResourceSnapshot } from './resource-metrics.js';

export interface SimulatedUsage {
  /** CPU in millicores. */
  cpuMillis: number;
  memoryBytes: number;
}

/** Parses `cpu=250m,memory=64Mi` (either part optional, spaces allowed); undefined when malformed. */
export function parseSimulatedUsage(text: string | undefined): SimulatedUsage | undefined {
  if (text === undefined) return undefined;
  const out: SimulatedUsage = { cpuMillis: 0, memoryBytes: 0 };
  for (const part of text.split(',')) {
    const term = part.trim();
    if (!term) continue;
    const eq = term.indexOf('=');
    if (eq < 0) return undefined;
    const key = term.slice(0, eq).trim();
    const value = term.slice(eq + 1).trim();
    try {
      if (key === 'cpu') out.cpuMillis = parseCpuMillis(value);
      else if (key === 'memory') out.memoryBytes = parseBytes(value);
      else return undefined;
    } catch {
      return undefined;
    }
    if (out.cpuMillis < 0 || out.memoryBytes < 0) return undefined;
  }
  return out;
}

interface Counter {
  cpuSeconds: number;
  atMs: number;
  cpuMillis: number;
  startMs: number;
}

export interface SimulatedNodeOptions {
  /** Added to the sum of the pods (the node's own processes). Default 0. */
  nodeBase?: SimulatedUsage;
}

/**
 * One meter serves any number of simulated nodes (counters are kept per node). Pods without the
 * annotation, or not Running, report nothing, as a real agent reports nothing for containers not running.
 */
export class SimulatedUsageMeter {
  /** Per node: the cumulative counter of each container (pod uid/container name). */
  private readonly counters = new Map<string, Map<string, Counter>>();
  private readonly nodes = new Map<string, Counter>();

  constructor(private readonly opts: SimulatedNodeOptions = {}) {}

  /** The node's readings at `nowMs` for the pods bound to it. */
  snapshot(nodeName: string, pods: readonly Pod[], nowMs: number): ResourceSnapshot {
    const seen = new Set<string>();
    let counters = this.counters.get(nodeName);
    if (!counters) {
      counters = new Map();
      this.counters.set(nodeName, counters);
    }
    const readings: PodReading[] = [];
    let nodeCpuMillis = this.opts.nodeBase?.cpuMillis ?? 0;
    let nodeMemory = this.opts.nodeBase?.memoryBytes ?? 0;
    for (const pod of pods) {
      if (pod.spec?.nodeName !== nodeName || pod.status?.phase !== 'Running') continue;
      const usage = parseSimulatedUsage(pod.metadata.annotations?.[SIMULATED_USAGE_ANNOTATION]);
      if (!usage) continue;
      const uid = pod.metadata.uid ?? `${pod.metadata.namespace}/${pod.metadata.name}`;
      const startMs = Date.parse(pod.status?.startTime ?? '') || nowMs;
      const containers = (pod.spec?.containers ?? []).map((c) => {
        const key = `${uid}/${c.name}`;
        seen.add(key);
        const counter = this.advance(counters, key, usage.cpuMillis, startMs, nowMs);
        nodeCpuMillis += usage.cpuMillis;
        nodeMemory += usage.memoryBytes;
        return {
          name: c.name,
          usage: {
            cpuSeconds: counter.cpuSeconds,
            memoryBytes: usage.memoryBytes,
            timestampMs: nowMs,
            startTimeMs: counter.startMs,
          },
        };
      });
      if (containers.length === 0) continue;
      const cpuSeconds = containers.reduce((s, c) => s + c.usage.cpuSeconds, 0);
      const memoryBytes = containers.reduce((s, c) => s + c.usage.memoryBytes, 0);
      readings.push({
        namespace: pod.metadata.namespace ?? '',
        name: pod.metadata.name ?? '',
        usage: { cpuSeconds, memoryBytes, timestampMs: nowMs },
        containers,
      });
    }
    // Containers that went away stop counting (bounded memory).
    for (const key of counters.keys()) if (!seen.has(key)) counters.delete(key);
    const node = this.advance(this.nodes, nodeName, nodeCpuMillis, nowMs, nowMs);
    return {
      node: { cpuSeconds: node.cpuSeconds, memoryBytes: nodeMemory, timestampMs: nowMs },
      pods: readings,
    };
  }

  /** The /metrics/resource text for the node, as its agent would serve it. */
  render(nodeName: string, pods: readonly Pod[], nowMs: number): string {
    return renderResourceMetrics(this.snapshot(nodeName, pods, nowMs));
  }

  /** Forgets a node's counters (the node was removed). */
  forgetNode(nodeName: string): void {
    this.nodes.delete(nodeName);
    this.counters.delete(nodeName);
  }

  /** Integrates the previous rate up to now, then switches to the new rate. */
  private advance(map: Map<string, Counter>, key: string, cpuMillis: number, startMs: number, nowMs: number): Counter {
    let c = map.get(key);
    if (!c) {
      c = { cpuSeconds: 0, atMs: nowMs, cpuMillis, startMs: Math.min(startMs, nowMs) };
      map.set(key, c);
      return c;
    }
    if (nowMs > c.atMs) {
      c.cpuSeconds += (c.cpuMillis / 1000) * ((nowMs - c.atMs) / 1000);
      c.atMs = nowMs;
    }
    c.cpuMillis = cpuMillis;
    return c;
  }
}
