// Pure decisions of the node proxy: which container a request means, where the pod's node agent listens,
// and the agent path for each subresource (upstream: pkg/registry/core/pod/strategy.go *Location).
import type { KubeObject } from '../../core/types.js';
import { errors } from '../../core/status.js';

export type StreamSubresource = 'log' | 'exec' | 'attach' | 'portforward';

export const DEFAULT_AGENT_PORT = 10250;
const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';

interface NamedContainer {
  name?: unknown;
}

function names(list: unknown): string[] {
  return Array.isArray(list) ? (list as NamedContainer[]).map((c) => String(c?.name ?? '')).filter(Boolean) : [];
}

function podSpec(pod: KubeObject): Record<string, unknown> {
  return (pod.spec ?? {}) as Record<string, unknown>;
}

/** The container a request names, or the pod's only/default one; errors worded as upstream. */
export function pickContainer(pod: KubeObject, requested: string | null | undefined): string {
  const spec = podSpec(pod);
  const name = pod.metadata.name ?? '';
  const containers = names(spec.containers);
  const init = names(spec.initContainers);
  const ephemeral = names(spec.ephemeralContainers);
  if (requested) {
    if (![...containers, ...init, ...ephemeral].includes(requested)) {
      throw errors.badRequest(`container ${requested} is not valid for pod ${name}`);
    }
    return requested;
  }
  if (containers.length === 1) return containers[0]!;
  const annotated = pod.metadata.annotations?.[DEFAULT_CONTAINER_ANNOTATION];
  if (annotated && containers.includes(annotated)) return annotated;
  let msg = `a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`;
  if (init.length) msg += ` or one of the init containers: [${init.join(' ')}]`;
  if (ephemeral.length) msg += ` or one of the ephemeral containers: [${ephemeral.join(' ')}]`;
  throw errors.badRequest(msg);
}

export function nodeNameOf(pod: KubeObject): string {
  const node = podSpec(pod).nodeName;
  if (typeof node !== 'string' || !node) {
    throw errors.badRequest(`pod ${pod.metadata.name ?? ''} does not have a host assigned`);
  }
  return node;
}

export interface AgentEndpoint {
  host: string;
  port: number;
}

/** The node's InternalIP (else its first address) and kubelet endpoint port. */
export function agentEndpoint(node: KubeObject): AgentEndpoint {
  const status = (node.status ?? {}) as {
    addresses?: { type?: string; address?: string }[];
    daemonEndpoints?: { kubeletEndpoint?: { Port?: number } };
  };
  const addrs = status.addresses ?? [];
  const pick = (t: string) => addrs.find((a) => a.type === t && a.address)?.address;
  const host = pick('InternalIP') ?? pick('ExternalIP') ?? pick('Hostname') ?? addrs.find((a) => a.address)?.address;
  if (!host) throw errors.badRequest(`node ${node.metadata.name ?? ''} has no address to reach its agent`);
  const port = status.daemonEndpoints?.kubeletEndpoint?.Port;
  return { host, port: typeof port === 'number' && port > 0 ? port : DEFAULT_AGENT_PORT };
}

const LOG_PARAMS = ['follow', 'previous', 'tailLines', 'sinceSeconds', 'sinceTime', 'timestamps', 'limitBytes'];
const STREAM_PARAMS = ['stdin', 'stdout', 'stderr', 'tty'];

/** Path and query on the agent endpoint for a pod subresource request. */
export function agentPath(
  sub: StreamSubresource,
  namespace: string,
  pod: string,
  container: string | undefined,
  query: URLSearchParams,
): string {
  const enc = encodeURIComponent;
  const out = new URLSearchParams();
  const copy = (keys: string[]) => {
    for (const k of keys) for (const v of query.getAll(k)) out.append(k, v);
  };
  let path: string;
  switch (sub) {
    case 'log':
      path = `/containerLogs/${enc(namespace)}/${enc(pod)}/${enc(container ?? '')}`;
      copy(LOG_PARAMS);
      break;
    case 'exec':
      path = `/exec/${enc(namespace)}/${enc(pod)}/${enc(container ?? '')}`;
      copy(['command', ...STREAM_PARAMS]);
      break;
    case 'attach':
      path = `/attach/${enc(namespace)}/${enc(pod)}/${enc(container ?? '')}`;
      copy(STREAM_PARAMS);
      break;
    case 'portforward':
      path = `/portForward/${enc(namespace)}/${enc(pod)}`;
      copy(['ports']);
      break;
  }
  const qs = out.toString();
  return qs ? `${path}?${qs}` : path;
}

/** Parses `/api/v1/namespaces/{ns}/pods/{name}/{sub}` (the only paths the proxy serves). */
export function parsePodSubresourcePath(
  pathname: string,
): { namespace: string; pod: string; sub: StreamSubresource } | undefined {
  const p = pathname.split('/').filter(Boolean);
  if (p.length !== 7 || p[0] !== 'api' || p[1] !== 'v1' || p[2] !== 'namespaces' || p[4] !== 'pods') return undefined;
  const sub = p[6];
  if (sub !== 'log' && sub !== 'exec' && sub !== 'attach' && sub !== 'portforward') return undefined;
  return { namespace: decodeURIComponent(p[3]!), pod: decodeURIComponent(p[5]!), sub };
}
