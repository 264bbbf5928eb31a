// Public surface of the cluster autoscaler: the controller manager starts it, the command layer reads
// the providers' config; tests and benchmarks use the providers directly.
export {
  type AutoscalerMetrics,
  type ClusterAutoscaler,
  COMPONENT as CLUSTER_AUTOSCALER_COMPONENT,
  startClusterAutoscaler,
} from './controller.js';
export { type NodeGroup, type NodeTemplate, parseNodeGroups } from './node-groups.js';
export type { ClusterAutoscalerOptions, ScaleDownSettings } from './options.js';
export { type ProviderConfig, providerFromConfig, readProvidersFile } from './providers/config.js';
export { ExecProvider, type ExecProviderOptions } from './providers/exec.js';
export { LocalProvider, type LocalProviderOptions } from './providers/local.js';
export type { NewNode, NodeProvider } from './providers/provider.js';
export { SimulatedProvider, type SimulatedProviderOptions } from './providers/simulated.js';
export * from './well-known.js';
