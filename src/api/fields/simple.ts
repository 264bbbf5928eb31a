// Field-selector attributes of the kinds that expose one or two plain fields.
import type { KubeObject } from '../../core/types.js';
import { fieldText, valueAt } from './access.js';

export const nodeFields = (node: KubeObject): Record<string, string> => ({
  'spec.unschedulable': String(valueAt(node, ['spec', 'unschedulable']) === true),
});

export const namespaceFields = (ns: KubeObject): Record<string, string> => ({
  'status.phase': fieldText(ns, 'status', 'phase'),
});

export const secretFields = (secret: KubeObject): Record<string, string> => ({
  type: fieldText(secret, 'type'),
});

export const serviceFields = (svc: KubeObject): Record<string, string> => ({
  'spec.clusterIP': fieldText(svc, 'spec', 'clusterIP'),
  'spec.type': fieldText(svc, 'spec', 'type'),
});

// Integer counts print as decimal, 0 when unset (strconv.Itoa of the int32).
const count = (v: unknown): string => String(typeof v === 'number' ? v : 0);

export const replicaSetFields = (rs: KubeObject): Record<string, string> => ({
  'status.replicas': count(valueAt(rs, ['status', 'replicas'])),
});

export const jobFields = (job: KubeObject): Record<string, string> => ({
  'status.successful': count(valueAt(job, ['status', 'succeeded'])),
});

export const replicationControllerFields = (rc: KubeObject): Record<string, string> => ({
  'status.replicas': count(valueAt(rc, ['status', 'replicas'])),
});

// Upstream's apps/v1 conversion accepts this label but no StatefulSet carries it: it matches only ''.
export const statefulSetFields = (): Record<string, string> => ({ 'status.successful': '' });

export const certificateSigningRequestFields = (csr: KubeObject): Record<string, string> => ({
  'spec.signerName': fieldText(csr, 'spec', 'signerName'),
});
