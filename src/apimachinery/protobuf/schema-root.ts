// Loads Tutti's .proto definitions (proto/*.proto, derived from upstream generated.proto) once, on first use.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const protoDir = fileURLToPath(new URL('./proto/', import.meta.url));

let cached: protobuf.Root | undefined;

/** The resolved protobuf root holding every message kubectl's typed commands can send. */
export function kubeProtoRoot(): protobuf.Root {
  if (!cached) {
    const files = readdirSync(protoDir)
      .filter((name) => name.endsWith('.proto'))
      .map((name) => protoDir + name);
    // keepCase: upstream names (e.g. FieldsV1.Raw) must stay as written.
    const root = new protobuf.Root().loadSync(files, { keepCase: true });
    root.resolveAll();
    cached = root;
  }
  return cached;
}

const ENVELOPE = 'k8s.io.apimachinery.pkg.runtime.Unknown';

export function unknownEnvelopeType(): protobuf.Type {
  return kubeProtoRoot().lookupType(ENVELOPE);
}

/**
 * The message for an object kind, or undefined. apiVersion `apps/v1` maps to package `k8s.io.api.apps.v1`,
 * `v1` to `k8s.io.api.core.v1`, `rbac.authorization.k8s.io/v1` to `k8s.io.api.rbac.v1` (upstream's layout).
 * Only top-level objects (those with ObjectMeta metadata) count as kinds.
 */
export function objectTypeFor(apiVersion: string, kind: string): protobuf.Type | undefined {
  const slash = apiVersion.indexOf('/');
  const group = slash < 0 ? '' : apiVersion.slice(0, slash);
  const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
  if (!/^[a-z0-9]+$/.test(version) || !/^[A-Za-z][A-Za-z0-9]*$/.test(kind)) return undefined;
  if (group !== '' && group.includes('.') && !group.endsWith('.k8s.io')) return undefined;
  const dir = group === '' ? 'core' : group.replace(/\.k8s\.io$/, '').split('.')[0];
  const found = kubeProtoRoot().lookup(`k8s.io.api.${dir}.${version}.${kind}`);
  if (!(found instanceof protobuf.Type)) return undefined;
  const metadata = found.fields['metadata'];
  if (metadata?.resolvedType?.fullName !== '.k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta') return undefined;
  return found;
}
