// Where the HPA's metrics come from (upstream pkg/controller/podautoscaler/metrics): resource metrics are
// PodMetrics of the metrics.k8s.io/v1beta1 API, listed through the API server by the target's selector.
// Custom (Pods, Object) and external metrics need custom.metrics.k8s.io / external.metrics.k8s.io, which
// this cluster does not serve: they fail with a clear error that becomes the HPA's condition.
import { type PodMetrics, type PodMetricsList, metricsResources } from '../../core/metrics-api.js';
import { parseCpuMillis } from '../../core/quantity/index.js';
import type { LabelSelector } from '../../core/selectors/index.js';
import { groupVersionPath } from '../../client/index.js';
import { parseGoDuration } from './go-duration.js';
import { exactTerm } from './selectors.js';
import type { PodMetricsInfo } from './replica-calculator.js';

export interface ResourceMetricsResult {
  metrics: PodMetricsInfo;
  /** The first item's timestamp, as upstream reports it. */
  timestampMs: number;
}

export interface MetricsClient {
  /** Usage of `resource` (milli-units) per pod, summed over the containers or of the one container named. */
  getResourceMetric(
    resource: string,
    namespace: string,
    selector: LabelSelector,
    container: string,
  ): Promise<ResourceMetricsResult>;
}

/** The one call of the API client the metrics client needs (ApiClient has it). */
export interface MetricsTransport {
  requestJson<T>(method: string, path: string, query?: Record<string, string | undefined>): Promise<T>;
}

export const CUSTOM_METRICS_NOT_SUPPORTED =
  'custom metrics (custom.metrics.k8s.io) are not supported: no custom metrics API is registered in this cluster';
export const EXTERNAL_METRICS_NOT_SUPPORTED =
  'external metrics (external.metrics.k8s.io) are not supported: no external metrics API is registered in this cluster';

function timeOf(t: string | undefined): number {
  const ms = t ? Date.parse(t) : Number.NaN;
  return Number.isNaN(ms) ? 0 : ms;
}

/** upstream getPodMetrics / getContainerMetrics. Throws when the container is absent from a pod's metrics. */
export function podMetricsInfo(items: readonly PodMetrics[], resource: string, container: string): PodMetricsInfo {
  const out: PodMetricsInfo = new Map();
  for (const m of items) {
    const name = m.metadata.name ?? '';
    const at = { timestampMs: timeOf(m.timestamp), windowMs: parseGoDuration(m.window ?? '') ?? 0 };
    if (container !== '') {
      const c = m.containers?.find((x) => x.name === container);
      if (!c) {
        throw new Error(`container ${container} not present in metrics for pod ${m.metadata.namespace ?? ''}/${name}`);
      }
      const q = c.usage?.[resource];
      if (q !== undefined) out.set(name, { value: parseCpuMillis(q), ...at });
      continue;
    }
    let sum = 0;
    let missing = !m.containers || m.containers.length === 0;
    for (const c of m.containers ?? []) {
      const q = c.usage?.[resource];
      if (q === undefined) {
        missing = true;
        break;
      }
      sum += parseCpuMillis(q);
    }
    if (!missing) out.set(name, { value: sum, ...at });
  }
  return out;
}

export interface RestMetricsClientOptions {
  /**
   * Namespaces to read whole: one LIST of all their PodMetrics serves every HPA of the namespace until it is
   * `namespaceListTtlMs` old, instead of one LIST per HPA. For namespaces with many HPAs; the metrics only
   * change once per metric resolution (15 s) anyway.
   */
  wholeNamespace?(namespace: string): boolean;
  namespaceListTtlMs?: number;
  now?(): number;
}

interface NamespaceList {
  at: number;
  items: Promise<{ byTerm: Map<string, PodMetrics[]>; all: PodMetrics[] }>;
}

/** The resource metrics client over the API (upstream resourceMetricsClient). */
export class RestMetricsClient implements MetricsClient {
  private readonly lists = new Map<string, NamespaceList>();

  constructor(
    private readonly transport: MetricsTransport,
    private readonly opts: RestMetricsClientOptions = {},
  ) {}

  async getResourceMetric(
    resource: string,
    namespace: string,
    selector: LabelSelector,
    container: string,
  ): Promise<ResourceMetricsResult> {
    const items = this.opts.wholeNamespace?.(namespace)
      ? await this.fromNamespaceList(namespace, selector)
      : await this.list(namespace, selector.toString() || undefined);
    if (items.length === 0) throw new Error('no metrics returned from resource metrics API');
    let metrics: PodMetricsInfo;
    try {
      metrics = podMetricsInfo(items, resource, container);
    } catch (err) {
      throw new Error(`failed to get container metrics: ${(err as Error).message}`);
    }
    return { metrics, timestampMs: timeOf(items[0]!.timestamp) };
  }

  private async list(namespace: string, labelSelector: string | undefined): Promise<PodMetrics[]> {
    const path = `${groupVersionPath(metricsResources.pods)}/namespaces/${encodeURIComponent(namespace)}/pods`;
    try {
      const list = await this.transport.requestJson<PodMetricsList>('GET', path, { labelSelector });
      return list.items ?? [];
    } catch (err) {
      throw new Error(`unable to fetch metrics from resource metrics API: ${(err as Error).message ?? String(err)}`);
    }
  }

  /** The selected items of the namespace's cached list (the server's order, which is by name). */
  private async fromNamespaceList(namespace: string, selector: LabelSelector): Promise<PodMetrics[]> {
    const now = (this.opts.now ?? Date.now)();
    let cached = this.lists.get(namespace);
    if (!cached || now - cached.at >= (this.opts.namespaceListTtlMs ?? 5000)) {
      const items = this.list(namespace, undefined).then((all) => {
        // Filed under each label, so a selector that pins one finds its items without a scan.
        const byTerm = new Map<string, PodMetrics[]>();
        for (const m of all) {
          for (const [k, v] of Object.entries(m.metadata.labels ?? {})) {
            const t = `${k}=${v}`;
            const list = byTerm.get(t);
            if (list) list.push(m);
            else byTerm.set(t, [m]);
          }
        }
        return { byTerm, all };
      });
      cached = { at: now, items };
      this.lists.set(namespace, cached);
      // A failed list is not kept: the next HPA asks again.
      items.catch(() => {
        if (this.lists.get(namespace) === cached) this.lists.delete(namespace);
      });
    }
    const { byTerm, all } = await cached.items;
    const term = exactTerm(selector);
    const candidates = term ? (byTerm.get(term) ?? []) : all;
    return candidates.filter((m) => selector.matches(m.metadata.labels));
  }
}
