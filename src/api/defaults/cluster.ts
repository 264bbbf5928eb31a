// Defaults of the cluster-policy kinds: PriorityClass (scheduling/v1), RBAC bindings (rbac/v1),
// CertificateSigningRequest conditions (certificates/v1) and APIService (apiregistration/v1).
import type { KubeObject } from '../../core/types.js';
import { asObj, objects, setDefault } from './access.js';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

export function defaultPriorityClass(o: KubeObject): void {
  setDefault(o, 'preemptionPolicy', 'PreemptLowerPriority');
}

/** roleRef.apiGroup defaults to rbac; User and Group subjects take the rbac group, ServiceAccounts the core one. */
export function defaultBinding(o: KubeObject): void {
  const roleRef = asObj(o.roleRef);
  if (roleRef) setDefault(roleRef, 'apiGroup', RBAC_GROUP);
  for (const subject of objects(o.subjects)) {
    if (subject.apiGroup) continue;
    if (subject.kind === 'User' || subject.kind === 'Group') subject.apiGroup = RBAC_GROUP;
  }
}

export function defaultCertificateSigningRequest(o: KubeObject): void {
  for (const c of objects(asObj(o.status)?.conditions)) setDefault(c, 'status', 'True');
}

export function defaultAPIService(o: KubeObject): void {
  const service = asObj(asObj(o.spec)?.service);
  if (service) setDefault(service, 'port', 443);
}
