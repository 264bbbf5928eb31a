// The metrics.k8s.io/v1beta1 API as metrics-server serves it (pkg/api/{pod,node}.go), as a function the
// API server calls for GETs under /apis/metrics.k8s.io: get and list NodeMetrics and PodMetrics (one
// namespace or all), label selectors on the objects' labels, field selectors on metadata.name/namespace,
// and the group's discovery documents. Objects without metrics yet are left out of lists and are a 404
// on get, never shown as zero.
import {
  METRICS_API_VERSION,
  METRICS_GROUP,
  METRICS_VERSION,
  type NodeMetrics,
  type NodeMetricsList,
  type PodMetrics,
  type PodMetricsList,
} from '../core/metrics-api.js';
import { type FieldSelector, parseFieldSelector } from '../core/selectors/field-selector.js';
import { parseLabelSelector } from '../core/selectors/label-parser.js';
import { everything, type LabelSelector } from '../core/selectors/label-selector.js';
import { errors, StatusError } from '../core/status.js';
import { rfc3339 } from '../core/time.js';
import type { ObjectMeta } from '../core/types.js';
import { formatBinaryBytes, formatGoDuration, formatNanocores } from './format.js';
import type { MetricsStore, PodUsage, Usage } from './store.js';

export interface MetricsRequest {
  method: string;
  /** URL path, e.g. /apis/metrics.k8s.io/v1beta1/namespaces/default/pods. */
  path: string;
  query?: URLSearchParams;
}

export interface MetricsResponse {
  code: number;
  /** A JSON document: the object, list, discovery document or a metav1.Status. */
  body: unknown;
}

type Awaitable<T> = T | Promise<T>;

/**
 * The pods and nodes that exist (metrics-server lists them from informers): their labels select metrics.
 * The selector and name are hints for a narrower lookup; whatever comes back is matched again.
 */
export interface MetricsObjects {
  /** Pods of one namespace, or of all namespaces when undefined; with `name`, only that pod (if it exists). */
  pods(
    namespace: string | undefined,
    selector?: LabelSelector,
    name?: string,
  ): Awaitable<readonly { metadata: ObjectMeta }[]>;
  nodes(selector?: LabelSelector): Awaitable<readonly { metadata: ObjectMeta }[]>;
}

const GROUP_PATH = `/apis/${METRICS_GROUP}`;
const VERSION_PATH = `${GROUP_PATH}/${METRICS_VERSION}`;

/** True for /apis/metrics.k8s.io and everything below it. */
export function isMetricsPath(path: string): boolean {
  return path === GROUP_PATH || path.startsWith(`${GROUP_PATH}/`);
}

/** The APIGroup document, for /apis/metrics.k8s.io and as an entry of the /apis APIGroupList. */
export function metricsApiGroup(): Record<string, unknown> {
  const version = { groupVersion: METRICS_API_VERSION, version: METRICS_VERSION };
  return { kind: 'APIGroup', apiVersion: 'v1', name: METRICS_GROUP, versions: [version], preferredVersion: version };
}

/** The APIResourceList for /apis/metrics.k8s.io/v1beta1 (metrics-server's: get and list only). */
export function metricsApiResourceList(): Record<string, unknown> {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: METRICS_API_VERSION,
    resources: [
      { name: 'nodes', singularName: '', namespaced: false, kind: 'NodeMetrics', verbs: ['get', 'list'] },
      { name: 'pods', singularName: '', namespaced: true, kind: 'PodMetrics', verbs: ['get', 'list'] },
    ],
  };
}

const usageOf = (u: Usage) => ({ cpu: formatNanocores(u.cpuNanocores), memory: formatBinaryBytes(u.memoryBytes) });

function metaOf(meta: ObjectMeta, nowMs: number): ObjectMeta {
  const out: ObjectMeta = { name: meta.name };
  if (meta.namespace) out.namespace = meta.namespace;
  // metrics-server stamps the time it answered, not the object's creation.
  out.creationTimestamp = rfc3339(nowMs);
  if (meta.labels && Object.keys(meta.labels).length > 0) out.labels = { ...meta.labels };
  return out;
}

export function podMetricsObject(meta: ObjectMeta, usage: PodUsage, nowMs: number): PodMetrics {
  return {
    kind: 'PodMetrics',
    apiVersion: METRICS_API_VERSION,
    metadata: metaOf(meta, nowMs),
    timestamp: rfc3339(usage.timestampMs),
    window: formatGoDuration(usage.windowMs),
    containers: usage.containers.map((c) => ({ name: c.name, usage: usageOf(c.usage) })),
  };
}

export function nodeMetricsObject(meta: ObjectMeta, usage: Usage, nowMs: number): NodeMetrics {
  return {
    kind: 'NodeMetrics',
    apiVersion: METRICS_API_VERSION,
    metadata: metaOf(meta, nowMs),
    timestamp: rfc3339(usage.timestampMs),
    window: formatGoDuration(usage.windowMs),
    usage: usageOf(usage),
  };
}

type Route =
  | { kind: 'group' }
  | { kind: 'resources' }
  | { kind: 'nodes'; name?: string }
  | { kind: 'pods'; namespace?: string; name?: string };

function route(path: string): Route | undefined {
  const p = path.replace(/\/+$/, '');
  if (p === GROUP_PATH) return { kind: 'group' };
  if (p === VERSION_PATH) return { kind: 'resources' };
  if (!p.startsWith(`${VERSION_PATH}/`)) return undefined;
  const seg = p
    .slice(VERSION_PATH.length + 1)
    .split('/')
    .map(decodeURIComponent);
  if (seg[0] === 'nodes' && seg.length <= 2) return { kind: 'nodes', name: seg[1] };
  if (seg[0] === 'pods' && seg.length === 1) return { kind: 'pods' };
  if (seg[0] === 'namespaces' && seg[2] === 'pods' && seg.length >= 3 && seg.length <= 4 && seg[1]) {
    return { kind: 'pods', namespace: seg[1], name: seg[3] };
  }
  return undefined;
}

const byKey = (a: { metadata: ObjectMeta }, b: { metadata: ObjectMeta }) => {
  const ka = `${a.metadata.namespace ?? ''}/${a.metadata.name ?? ''}`;
  const kb = `${b.metadata.namespace ?? ''}/${b.metadata.name ?? ''}`;
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

function selectors(q: URLSearchParams): { labels: LabelSelector; fields: FieldSelector | undefined } {
  const l = q.get('labelSelector');
  const f = q.get('fieldSelector');
  return { labels: l ? parseLabelSelector(l) : everything(), fields: f ? parseFieldSelector(f) : undefined };
}

function fieldsMatch(fields: FieldSelector | undefined, meta: ObjectMeta): boolean {
  if (!fields) return true;
  return fields.matches({ 'metadata.name': meta.name ?? '', 'metadata.namespace': meta.namespace ?? '' });
}

/** Answers a request under /apis/metrics.k8s.io; errors come back as a metav1.Status body with its code. */
export async function serveMetrics(
  store: MetricsStore,
  req: MetricsRequest,
  objects: MetricsObjects,
  nowMs: number = Date.now(),
): Promise<MetricsResponse> {
  try {
    return await answer(store, req, objects, nowMs);
  } catch (e) {
    const err = e instanceof StatusError ? e : errors.internal(String(e));
    return { code: err.code, body: err.toStatus() };
  }
}

async function answer(
  store: MetricsStore,
  req: MetricsRequest,
  objects: MetricsObjects,
  nowMs: number,
): Promise<MetricsResponse> {
  const r = route(req.path);
  if (!r) throw errors.notFoundPath();
  const q = req.query ?? new URLSearchParams();
  const watch = q.get('watch');
  if (req.method !== 'GET' || watch === 'true' || watch === '1') {
    throw errors.methodNotAllowed('the server does not allow this method on the requested resource');
  }
  if (r.kind === 'group') return { code: 200, body: metricsApiGroup() };
  if (r.kind === 'resources') return { code: 200, body: metricsApiResourceList() };
  if (r.kind === 'nodes') {
    if (r.name !== undefined) {
      const nodes = await objects.nodes();
      const node = nodes.find((n) => n.metadata.name === r.name);
      if (!node) throw errors.notFound('', 'nodes', r.name);
      const usage = store.nodeUsage(r.name);
      if (!usage) throw errors.notFound(METRICS_GROUP, 'nodes', r.name);
      return { code: 200, body: nodeMetricsObject(node.metadata, usage, nowMs) };
    }
    const { labels, fields } = selectors(q);
    const selected = (await objects.nodes(labels)).filter(
      (n) => labels.matches(n.metadata.labels) && fieldsMatch(fields, n.metadata),
    );
    const items: NodeMetrics[] = [];
    for (const n of selected.sort(byKey)) {
      const usage = store.nodeUsage(n.metadata.name ?? '');
      if (usage) items.push(nodeMetricsObject(n.metadata, usage, nowMs));
    }
    const list: NodeMetricsList = { kind: 'NodeMetricsList', apiVersion: METRICS_API_VERSION, metadata: {}, items };
    return { code: 200, body: list };
  }
  if (r.name !== undefined) {
    const pods = await objects.pods(r.namespace, undefined, r.name);
    const ns = r.namespace ?? '';
    const pod = pods.find((p) => p.metadata.name === r.name && (p.metadata.namespace ?? '') === ns);
    if (!pod) throw errors.notFound('', 'pods', r.name);
    const usage = store.podUsage(ns, r.name);
    if (!usage) throw errors.notFound(METRICS_GROUP, 'pods', `${ns}/${r.name}`);
    return { code: 200, body: podMetricsObject(pod.metadata, usage, nowMs) };
  }
  const { labels, fields } = selectors(q);
  const selected = (await objects.pods(r.namespace, labels)).filter(
    (p) =>
      (r.namespace === undefined || p.metadata.namespace === r.namespace) &&
      labels.matches(p.metadata.labels) &&
      fieldsMatch(fields, p.metadata),
  );
  const items: PodMetrics[] = [];
  for (const p of selected.sort(byKey)) {
    const usage = store.podUsage(p.metadata.namespace ?? '', p.metadata.name ?? '');
    if (usage) items.push(podMetricsObject(p.metadata, usage, nowMs));
  }
  const list: PodMetricsList = { kind: 'PodMetricsList', apiVersion: METRICS_API_VERSION, metadata: {}, items };
  return { code: 200, body: list };
}
