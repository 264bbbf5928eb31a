// Builds a container's environment as the kubelet does (makeEnvironmentVariables): envFrom first, then env
// in order, each value able to reference earlier ones (and the Service variables) as $(NAME); valueFrom reads
// ConfigMaps, Secrets, pod fields and the container's resources; then the Service variables the container does
// not set itself. A missing required source is a CreateContainerConfigError.
import { parseBytes, parseCpuMillis } from '../../core/quantity/index.js';
import type { ConfigMap, Container, corev1, Secret } from '../../core/types.js';
import type { BoundPod } from '../types.js';

/** Reads the objects env and volumes refer to; undefined when absent. */
export interface ConfigSource {
  configMap(namespace: string, name: string): Promise<ConfigMap | undefined>;
  secret(namespace: string, name: string): Promise<Secret | undefined>;
}

/** A container cannot be created because its configuration is incomplete (CreateContainerConfigError). */
export class ContainerConfigError extends Error {
  override readonly name = 'ContainerConfigError';
}

export interface NodeFacts {
  hostIP: string;
  podIP: string;
  /** Node allocatable, used for resourceFieldRef when the container sets no limit. */
  allocatableCpuMillis: number;
  allocatableMemoryBytes: number;
}

/** Expands $(VAR) from vars; $$ escapes a dollar; unknown references stay as written (upstream expansion). */
export function expandVars(input: string, vars: Pick<ReadonlyMap<string, string>, 'has' | 'get'>): string {
  let out = '';
  for (let i = 0; i < input.length; i++) {
    const ch = input[i];
    if (ch !== '$' || i + 1 >= input.length) {
      out += ch;
      continue;
    }
    const next = input[i + 1];
    if (next === '$') {
      out += '$';
      i++;
    } else if (next === '(') {
      const end = input.indexOf(')', i + 2);
      if (end < 0) {
        out += input.slice(i);
        break;
      }
      const name = input.slice(i + 2, end);
      out += vars.has(name) ? vars.get(name) : input.slice(i, end + 1);
      i = end;
    } else {
      out += ch;
    }
  }
  return out;
}

function decodeSecret(v: string): string {
  return Buffer.from(v, 'base64').toString('utf8');
}

/** Value of a pod field (downward API), or undefined for an unsupported path. */
export function podFieldValue(
  pod: BoundPod,
  fieldPath: string,
  facts: Pick<NodeFacts, 'hostIP' | 'podIP'>,
): string | undefined {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (m) {
    const map = m[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations;
    return map?.[m[2]!] ?? '';
  }
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata.name ?? '';
    case 'metadata.namespace':
      return pod.metadata.namespace ?? '';
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
    case 'metadata.labels':
      return formatMap(pod.metadata.labels);
    case 'metadata.annotations':
      return formatMap(pod.metadata.annotations);
    case 'spec.nodeName':
      return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? 'default';
    case 'status.hostIP':
    case 'status.hostIPs':
      return facts.hostIP;
    case 'status.podIP':
    case 'status.podIPs':
      return facts.podIP;
    default:
      return undefined;
  }
}

/** key="value" lines, sorted, as the downward API writes label and annotation files. */
export function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(m![k])}`)
    .join('\n');
}

/** resourceFieldRef value: the limit (or request) divided by divisor, rounded up; limits default to allocatable. */
export function resourceFieldValue(
  pod: BoundPod,
  container: Container | undefined,
  ref: corev1.ResourceFieldSelector,
  facts: NodeFacts,
): string {
  const c = ref.containerName ? pod.spec.containers.find((x) => x.name === ref.containerName) : container;
  const [section, resource] = ref.resource.includes('.') ? ref.resource.split('.', 2) : ['limits', ref.resource];
  const list = section === 'requests' ? c?.resources?.requests : c?.resources?.limits;
  const raw = list?.[resource!];
  // A Quantity may arrive as a JSON number although it is typed as a string.
  const divisor = ref.divisor === undefined || String(ref.divisor) === '0' ? undefined : String(ref.divisor);
  if (resource === 'cpu') {
    const millis =
      raw !== undefined ? parseCpuMillis(String(raw)) : section === 'requests' ? 0 : facts.allocatableCpuMillis;
    const per = divisor ? parseCpuMillis(divisor) : 1000;
    return String(Math.max(section === 'limits' ? 1 : 0, Math.ceil(millis / per)));
  }
  const bytes =
    raw !== undefined
      ? parseBytes(String(raw))
      : resource === 'memory' && section === 'limits'
        ? facts.allocatableMemoryBytes
        : 0;
  const per = divisor ? parseBytes(divisor) : 1;
  return String(Math.ceil(bytes / per));
}

/** Looks names up in the container's own variables first, then in the Service variables (upstream MappingFuncFor). */
function layered(
  first: ReadonlyMap<string, string>,
  then: ReadonlyMap<string, string>,
): Pick<ReadonlyMap<string, string>, 'has' | 'get'> {
  return { has: (k) => first.has(k) || then.has(k), get: (k) => (first.has(k) ? first.get(k) : then.get(k)) };
}

export async function resolveEnv(
  pod: BoundPod,
  container: Container,
  source: ConfigSource,
  facts: NodeFacts,
  serviceEnv: ReadonlyMap<string, string> = new Map(),
): Promise<Map<string, string>> {
  const ns = pod.metadata.namespace ?? 'default';
  const env = new Map<string, string>();
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    if (from.configMapRef) {
      // A reference without a name finds nothing (the message names it "undefined", as it always did).
      const cm = from.configMapRef.name ? await source.configMap(ns, from.configMapRef.name) : undefined;
      if (!cm) {
        if (from.configMapRef.optional) continue;
        throw new ContainerConfigError(`configmap "${from.configMapRef.name}" not found`);
      }
      for (const [k, v] of Object.entries(cm.data ?? {})) env.set(prefix + k, v);
    }
    if (from.secretRef) {
      const s = from.secretRef.name ? await source.secret(ns, from.secretRef.name) : undefined;
      if (!s) {
        if (from.secretRef.optional) continue;
        throw new ContainerConfigError(`secret "${from.secretRef.name}" not found`);
      }
      for (const [k, v] of Object.entries(s.data ?? {})) env.set(prefix + k, decodeSecret(v));
    }
  }
  for (const e of container.env ?? []) {
    if (e.value !== undefined || !e.valueFrom) {
      env.set(e.name, expandVars(e.value ?? '', layered(env, serviceEnv)));
      continue;
    }
    const vf = e.valueFrom;
    if (vf.configMapKeyRef) {
      const ref = vf.configMapKeyRef;
      const cm = await source.configMap(ns, ref.name ?? '');
      const v = cm?.data?.[ref.key];
      if (v === undefined) {
        if (ref.optional) continue;
        throw new ContainerConfigError(
          cm ? `couldn't find key ${ref.key} in ConfigMap ${ns}/${ref.name}` : `configmap "${ref.name}" not found`,
        );
      }
      env.set(e.name, v);
    } else if (vf.secretKeyRef) {
      const ref = vf.secretKeyRef;
      const s = await source.secret(ns, ref.name ?? '');
      const v = s?.data?.[ref.key];
      if (v === undefined) {
        if (ref.optional) continue;
        throw new ContainerConfigError(
          s ? `couldn't find key ${ref.key} in Secret ${ns}/${ref.name}` : `secret "${ref.name}" not found`,
        );
      }
      env.set(e.name, decodeSecret(v));
    } else if (vf.fieldRef) {
      const v = podFieldValue(pod, vf.fieldRef.fieldPath, facts);
      if (v === undefined) throw new ContainerConfigError(`unsupported fieldPath ${vf.fieldRef.fieldPath}`);
      env.set(e.name, v);
    } else if (vf.resourceFieldRef) {
      env.set(e.name, resourceFieldValue(pod, container, vf.resourceFieldRef, facts));
    }
  }
  // Explicit variables win over Service ones of the same name.
  for (const [k, v] of serviceEnv) if (!env.has(k)) env.set(k, v);
  return env;
}
