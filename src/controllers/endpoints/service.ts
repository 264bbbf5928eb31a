// The Service fields the endpoint controllers read, and the per-pod port resolution they share
// (a named targetPort resolves to the pod's container port of that name, podutil.FindPort).

import type { KubeObject } from '../../core/types.js';
import { isPodReady, isPodTerminal, type Pod } from '../nodelifecycle/core-types.js';

export interface ServicePort {
  name?: string;
  protocol?: string;
  port: number;
  targetPort?: number | string;
  appProtocol?: string;
}

export interface Service extends KubeObject {
  spec?: {
    selector?: Record<string, string>;
    ports?: ServicePort[];
    type?: string;
    clusterIP?: string;
    publishNotReadyAddresses?: boolean;
  };
}

export const serviceResource = { group: '', version: 'v1', resource: 'services', namespaced: true };

/** The endpoint port a service port maps to on one pod, or undefined if the pod has no such named port. */
export function resolveTargetPort(sp: ServicePort, pod: Pod): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  const protocol = sp.protocol ?? 'TCP';
  for (const c of pod.spec.containers ?? []) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  return undefined;
}

/** Whether a pod can back a service at all: has an IP, is not finished, matches the selector. */
export function selectsPod(selector: Record<string, string>, pod: Pod): boolean {
  const labels = pod.metadata.labels ?? {};
  for (const [k, v] of Object.entries(selector)) if (labels[k] !== v) return false;
  return true;
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

export function podIsReady(pod: Pod): boolean {
  return isPodReady(pod);
}

/** A service we manage endpoints for: has a selector, not ExternalName, not the API server's own. */
export function managesEndpoints(svc: Service): boolean {
  if (svc.metadata.namespace === 'default' && svc.metadata.name === 'kubernetes') return false;
  if (svc.spec?.type === 'ExternalName') return false;
  return !!svc.spec?.selector && Object.keys(svc.spec.selector).length > 0;
}
