// The labels upstream's apiserver_request_* metrics give a request (k8s.io/apiserver/pkg/endpoints/metrics:
// CanonicalVerb, cleanVerb, scope), as a pure function of the request. The API server hands them, with the
// code and the duration, to the `metrics` sink it was given (the command layer wires Prometheus).
import type { RequestInfo } from './requestinfo.js';

export interface RequestMetricLabels {
  /** GET, LIST, WATCH, POST, PUT, PATCH, APPLY, DELETE, CONNECT (uppercase, as upstream reports them). */
  verb: string;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  /** resource (named), namespace, cluster; '' for non-resource paths. */
  scope: string;
}

/** What the API server reports; implemented by src/metrics ApiServerPrometheus. */
export interface ApiServerMetricsSink {
  request(labels: RequestMetricLabels, opts: { code: number; seconds: number; dryRun?: boolean }): void;
  /** A WATCH or CONNECT began; the returned function is called when it ends. */
  longRunningStarted(labels: RequestMetricLabels, kind?: string): () => void;
  /** A watcher was closed for falling behind (upstream's apiserver_terminated_watchers_total). */
  watcherTerminated?(group: string, resource: string): void;
  /** The text served on GET /metrics. */
  metrics(): Promise<string>;
}

const CONNECT_SUBRESOURCES = new Set(['exec', 'attach', 'portforward', 'proxy']);
const APPLY_PATCH = 'application/apply-patch+yaml';

export function requestMetricLabels(
  method: string,
  info: RequestInfo,
  query: URLSearchParams,
  contentType = '',
): RequestMetricLabels {
  const m = method.toUpperCase();
  if (info.kind !== 'resource') {
    return { verb: m, group: '', version: '', resource: '', subresource: '', scope: '' };
  }
  const scope = info.name ? 'resource' : info.namespace ? 'namespace' : 'cluster';
  const subresource = info.subresource ?? '';
  let verb = m === 'HEAD' ? 'GET' : m;
  const watch = query.get('watch');
  if (info.watchPrefix || (verb === 'GET' && (watch === 'true' || watch === '1'))) verb = 'WATCH';
  else if (verb === 'GET' && scope !== 'resource') verb = 'LIST';
  else if (verb === 'PATCH' && contentType.split(';')[0]!.trim() === APPLY_PATCH) verb = 'APPLY';
  if (CONNECT_SUBRESOURCES.has(subresource)) verb = 'CONNECT';
  return { verb, group: info.group, version: info.version, resource: info.resource, subresource, scope };
}
