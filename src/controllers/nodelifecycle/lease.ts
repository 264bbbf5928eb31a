// coordination.k8s.io/v1 Lease, as node heartbeats use it (name = node name, namespace kube-node-lease).
import type { KubeObject } from '../../core/types.js';

export type { Condition } from './core-types.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

export interface Lease extends KubeObject {
  spec?: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    renewTime?: string;
    acquireTime?: string;
  };
}
