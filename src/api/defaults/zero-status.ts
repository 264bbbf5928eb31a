// The status that upstream always returns for a kind, even before any controller has written one: Go
// encodes a struct field even when it is empty, and non-omitempty integers as 0. Clients read these
// without checking (the Python client's `svc.status.load_balancer`), so an object never lacks them.
import type { KubeObject } from '../../core/types.js';
import { child, setDefault } from './access.js';

const ZERO_STATUS: Record<string, Record<string, unknown>> = {
  '/Service': { loadBalancer: {} },
  'apps/Deployment': {},
  'apps/ReplicaSet': { replicas: 0 },
  'apps/DaemonSet': { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 },
  'batch/Job': {},
  '/ReplicationController': { replicas: 0 },
  '/PersistentVolume': {},
  '/PersistentVolumeClaim': {},
  '/ResourceQuota': {},
  'apps/StatefulSet': { replicas: 0, availableReplicas: 0 },
  'batch/CronJob': {},
  'networking.k8s.io/Ingress': { loadBalancer: {} },
  'policy/PodDisruptionBudget': { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
  'certificates.k8s.io/CertificateSigningRequest': {},
  'apiregistration.k8s.io/APIService': {},
};

/** Fills the kind's always-present status members that are missing; undefined for kinds without any. */
export function zeroStatusFor(group: string, kind: string): ((o: KubeObject) => void) | undefined {
  const zero = ZERO_STATUS[`${group}/${kind}`];
  if (!zero) return undefined;
  return (o) => {
    const status = child(o, 'status');
    for (const [k, v] of Object.entries(zero)) setDefault(status, k, structuredClone(v));
  };
}
