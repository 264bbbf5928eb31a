// networking.k8s.io/v1 NetworkPolicy and IngressClass defaults (networking/v1 defaults.go).
import type { KubeObject } from '../../core/types.js';
import { asObj, child, objects, setDefault } from './access.js';

export function defaultNetworkPolicy(o: KubeObject): void {
  const spec = child(o, 'spec');
  // podSelector is a required struct: Go always writes it, {} when it selects every pod.
  child(spec, 'podSelector');
  const rules = [...objects(spec.ingress), ...objects(spec.egress)];
  for (const rule of rules) for (const port of objects(rule.ports)) setDefault(port, 'protocol', 'TCP');
  if (!Array.isArray(spec.policyTypes) || spec.policyTypes.length === 0) {
    // A policy without policyTypes means Ingress, plus Egress when it has egress rules.
    spec.policyTypes = objects(spec.egress).length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
  }
}

export function defaultIngressClass(o: KubeObject): void {
  const parameters = asObj(asObj(o.spec)?.parameters);
  if (parameters) setDefault(parameters, 'scope', 'Cluster');
}
