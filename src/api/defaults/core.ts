// Defaults of the small core kinds: Namespace, Secret, Node, Endpoints, EndpointSlice.
import type { KubeObject } from '../../core/types.js';
import { asObj, child, objects, setDefault } from './access.js';

export function defaultNamespace(o: KubeObject): void {
  const spec = child(o, 'spec');
  if (!Array.isArray(spec.finalizers)) spec.finalizers = ['kubernetes'];
  setDefault(child(o, 'status'), 'phase', 'Active');
  // Every namespace carries its own name as a label (NamespaceDefaultLabelName, GA since 1.22).
  if (o.metadata.name) o.metadata.labels = { ...o.metadata.labels, 'kubernetes.io/metadata.name': o.metadata.name };
}

/** Type Opaque, and stringData folded into base64 data the way the v1 conversion does (write-only field). */
export function defaultSecret(o: KubeObject): void {
  setDefault(o, 'type', 'Opaque');
  const stringData = asObj(o.stringData);
  if (stringData) {
    const data = child(o, 'data');
    for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
    delete o.stringData;
  }
}

export function defaultNode(o: KubeObject): void {
  const status = asObj(o.status);
  if (!status) return;
  const capacity = asObj(status.capacity);
  if (capacity && (!asObj(status.allocatable) || Object.keys(asObj(status.allocatable)!).length === 0)) {
    status.allocatable = { ...capacity };
  }
}

export function defaultEndpoints(o: KubeObject): void {
  for (const subset of objects(o.subsets)) {
    for (const port of objects(subset.ports)) setDefault(port, 'protocol', 'TCP');
  }
}

export function defaultEndpointSlice(o: KubeObject): void {
  for (const port of objects(o.ports)) {
    setDefault(port, 'protocol', 'TCP');
    if (port.name === undefined || port.name === null) port.name = '';
  }
}
