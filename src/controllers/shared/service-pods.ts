// Which pods back a Service, and on which ports: what the endpoints and endpointslice controllers
// agree on (upstream pkg/controller/util/endpoint and podutil.FindPort).
import { objectKey } from '../../client/index.js';
import {
  type EndpointPort,
  isPodTerminal,
  type LabelSelector,
  labelSelectorFromMap,
  type Pod,
  type Service,
  type ServicePort,
} from '../../core/index.js';

/** An endpoint port as these controllers build it: the protocol is always set. */
export type ResolvedPort = EndpointPort & { protocol: string };

/** The Service's pod selector (a plain map: every key must equal its value). */
export function serviceSelector(svc: Service): LabelSelector {
  return labelSelectorFromMap(svc.spec?.selector ?? {});
}

/** The endpoint port a service port maps to on one pod, or undefined if the pod has no such named port. */
export function resolveTargetPort(sp: ServicePort, pod: Pod): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = sp.protocol ?? 'TCP';
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  return undefined;
}

/** The Service's ports as they resolve on one pod (ports the pod lacks are left out). */
export function endpointPortsFor(svc: Service, pod: Pod): ResolvedPort[] {
  const out: ResolvedPort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const port = resolveTargetPort(sp, pod);
    if (port === undefined) continue;
    const ep: ResolvedPort = { port, protocol: sp.protocol ?? 'TCP' };
    if (sp.name) ep.name = sp.name;
    if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
    out.push(ep);
  }
  return out;
}

export function podIp(pod: Pod): string | undefined {
  return pod.status?.podIP || pod.status?.podIPs?.[0]?.ip || undefined;
}

/** Upstream ShouldPodBeInEndpoints: terminal pods never; terminating ones only for slices. */
export function podServes(pod: Pod, includeTerminating: boolean): boolean {
  if (isPodTerminal(pod) || !podIp(pod)) return false;
  if (pod.metadata.deletionTimestamp && !includeTerminating) return false;
  return true;
}

/** A service we manage endpoints for: has a selector, not ExternalName, not the API server's own. */
export function managesEndpoints(svc: Service): boolean {
  if (svc.metadata.namespace === 'default' && svc.metadata.name === 'kubernetes') return false;
  if (svc.spec?.type === 'ExternalName') return false;
  return !!svc.spec?.selector && Object.keys(svc.spec.selector).length > 0;
}

/** Every managed service (of the pod's namespace, as given) whose selector matches the old or the new labels. */
export function servicesForPod(services: readonly Service[], ...pods: (Pod | undefined)[]): string[] {
  const keys = new Set<string>();
  for (const svc of services) {
    if (!managesEndpoints(svc)) continue;
    const selector = serviceSelector(svc);
    for (const p of pods) if (p && selector.matches(p.metadata.labels)) keys.add(objectKey(svc.metadata));
  }
  return [...keys];
}
