// The fields of Pods and ReplicaSets the workload controllers read and write (wire JSON shapes).

import type { KubeObject, ObjectMeta } from '../../core/types.js';
import type { LabelSelectorObject } from '../../core/selectors/index.js';

export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastUpdateTime?: string;
}

export interface Pod extends KubeObject {
  spec?: { nodeName?: string; [field: string]: unknown };
  status?: {
    phase?: string;
    conditions?: Condition[];
    containerStatuses?: { restartCount?: number }[];
    [field: string]: unknown;
  };
}

export interface PodTemplateSpec {
  metadata?: ObjectMeta;
  spec?: Record<string, unknown>;
}

export interface ReplicaSetStatus {
  replicas: number;
  fullyLabeledReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  observedGeneration?: number;
  conditions?: Condition[];
}

export interface ReplicaSet extends KubeObject {
  spec?: {
    replicas?: number;
    minReadySeconds?: number;
    selector?: LabelSelectorObject;
    template?: PodTemplateSpec;
  };
  status?: ReplicaSetStatus;
}

export const podResource = { group: '', version: 'v1', resource: 'pods', namespaced: true };
export const replicaSetResource = { group: 'apps', version: 'v1', resource: 'replicasets', namespaced: true };
