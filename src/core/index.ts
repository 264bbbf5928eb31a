// The shared core: the typed model of the built-in kinds and one copy of each upstream helper that
// several components need. Imports nothing else of Tutti.
export * from './json.js';
export * from './names.js';
export * from './pods.js';
export * from './quantity/index.js';
export * from './resources.js';
export * from './scheduling/node-affinity.js';
export * from './scheduling/taints.js';
export * from './selectors/index.js';
export * from './status.js';
export * from './time.js';
export type * from './types.js';
export * from './well-known.js';
export * from './cidr.js';
export * from './agent-endpoint.js';
export * from './metrics-api.js';
export * from './intstr.js';
export * from './cron.js';
export * from './disruption.js';
export * from './quota/index.js';
export * from './resolv-conf.js';
export * from './ingress.js';
export * from './storage-class.js';
export * from './persistent-volumes.js';
export * from './cluster-config.js';
