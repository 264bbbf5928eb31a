// metrics.k8s.io/v1beta1 in wire form (k8s.io/metrics/pkg/apis/metrics/v1beta1): what metrics-server serves
// and what the HPA controller and `kubectl top` read. kubernetes-types has no such group, hence this file.
import type { ResourceDescriptor } from './resources.js';
import type { ListMeta, ObjectMeta } from './types.js';

export const METRICS_GROUP = 'metrics.k8s.io';
export const METRICS_VERSION = 'v1beta1';
export const METRICS_API_VERSION = 'metrics.k8s.io/v1beta1';

export const metricsResources = {
  pods: { group: METRICS_GROUP, version: METRICS_VERSION, resource: 'pods', namespaced: true },
  nodes: { group: METRICS_GROUP, version: METRICS_VERSION, resource: 'nodes', namespaced: false },
} satisfies Record<string, ResourceDescriptor>;

/** Resource name (cpu, memory) to quantity: cpu in cores (`250m`, `1234567n`), memory in bytes (`64Mi`). */
export type ResourceUsage = Record<string, string>;

export interface ContainerMetrics {
  name: string;
  usage: ResourceUsage;
}

export interface PodMetrics {
  apiVersion?: typeof METRICS_API_VERSION;
  kind?: 'PodMetrics';
  metadata: ObjectMeta;
  /** metav1.Time: the end of the window the usage was averaged over. */
  timestamp: string;
  /** metav1.Duration (Go duration text, e.g. `15.002s`). */
  window: string;
  containers: ContainerMetrics[];
}

export interface NodeMetrics {
  apiVersion?: typeof METRICS_API_VERSION;
  kind?: 'NodeMetrics';
  metadata: ObjectMeta;
  timestamp: string;
  window: string;
  usage: ResourceUsage;
}

export interface PodMetricsList {
  apiVersion?: typeof METRICS_API_VERSION;
  kind?: 'PodMetricsList';
  metadata: ListMeta;
  items: PodMetrics[];
}

export interface NodeMetricsList {
  apiVersion?: typeof METRICS_API_VERSION;
  kind?: 'NodeMetricsList';
  metadata: ListMeta;
  items: NodeMetrics[];
}
