// What each node's pods use, as upstream's node authorizer graph (plugin/pkg/auth/authorizer/node/graph.go):
// a pod bound to a node (spec.nodeName) reaches the secrets, configmaps, PVCs, ServiceAccount and
// ResourceClaims it references; a PV reaches the PVC of its claimRef, and the secrets its volume source names
// are reached through it. Tutti's addition: every node runs the built-in ingress controller, so the TLS
// secrets that Ingresses of the `tutti` class name (spec.tls[].secretName, same namespace) are reachable by
// `get` from any node (ingressSecret). Pure: fed pods, PVs, Ingresses and IngressClasses by the watch in
// node-cache.ts, asked by the node authorizer.
import { isTuttiIngress } from '../../core/ingress.js';
import type { Ingress, IngressClass, PersistentVolume, Pod } from '../../core/types.js';

export type VertexType = 'pod' | 'secret' | 'configmap' | 'serviceaccount' | 'pvc' | 'pv' | 'resourceclaim';

type Refs = Set<string>;
const ref = (type: VertexType, namespace: string, name: string) => `${type}/${namespace}/${name}`;

interface EnvHolder {
  env?: { valueFrom?: { secretKeyRef?: { name?: string }; configMapKeyRef?: { name?: string } } }[];
  envFrom?: { secretRef?: { name?: string }; configMapRef?: { name?: string } }[];
}

/** Volume sources whose `secretRef` names a secret the kubelet reads (upstream VisitPodSecretNames). */
const SECRET_REF_SOURCES = ['cephfs', 'cinder', 'flexVolume', 'iscsi', 'rbd', 'scaleIO', 'storageos'] as const;

/** Every object a pod references, as `type/namespace/name` (upstream AddPod's edges). */
export function podReferences(pod: Pod): Refs {
  const ns = pod.metadata.namespace ?? '';
  const out: Refs = new Set();
  const add = (type: VertexType, name: unknown) => {
    if (typeof name === 'string' && name) out.add(ref(type, ns, name));
  };
  const spec = pod.spec;
  if (!spec) return out;
  for (const s of spec.imagePullSecrets ?? []) add('secret', s.name);
  const containers = [
    ...(spec.initContainers ?? []),
    ...(spec.containers ?? []),
    ...(spec.ephemeralContainers ?? []),
  ] as EnvHolder[];
  for (const c of containers) {
    for (const e of c.env ?? []) {
      add('secret', e.valueFrom?.secretKeyRef?.name);
      add('configmap', e.valueFrom?.configMapKeyRef?.name);
    }
    for (const e of c.envFrom ?? []) {
      add('secret', e.secretRef?.name);
      add('configmap', e.configMapRef?.name);
    }
  }
  for (const v of spec.volumes ?? []) {
    add('secret', v.secret?.secretName);
    add('configmap', v.configMap?.name);
    for (const src of v.projected?.sources ?? []) {
      add('secret', src.secret?.name);
      add('configmap', src.configMap?.name);
    }
    add('secret', v.azureFile?.secretName);
    add('secret', v.csi?.nodePublishSecretRef?.name);
    const record = v as unknown as Record<string, { secretRef?: { name?: string } } | undefined>;
    for (const key of SECRET_REF_SOURCES) add('secret', record[key]?.secretRef?.name);
    add('pvc', v.persistentVolumeClaim?.claimName);
    // a generic ephemeral volume's claim is named <pod>-<volume> (upstream ephemeral.VolumeClaimName)
    if (v.ephemeral) add('pvc', `${pod.metadata.name}-${v.name}`);
  }
  if (spec.serviceAccountName) add('serviceaccount', spec.serviceAccountName);
  const claimStatuses = pod.status?.resourceClaimStatuses ?? [];
  for (const c of spec.resourceClaims ?? []) {
    const named = (c as { resourceClaimName?: string }).resourceClaimName;
    add('resourceclaim', named ?? claimStatuses.find((s) => s.name === c.name)?.resourceClaimName);
  }
  return out;
}

interface PvEdges {
  /** `namespace/name` of the claim it is bound to. */
  claim: string;
  /** `namespace/name` of the secrets its volume source names for the kubelet. */
  secrets: string[];
}

/** A PV's edges (upstream AddPV: only a PV with a claimRef has any; VisitPVSecretNames, kubelet-visible ones). */
export function pvEdges(pv: PersistentVolume): PvEdges | undefined {
  const claimRef = pv.spec?.claimRef;
  if (!claimRef?.name) return undefined;
  const claimNs = claimRef.namespace ?? '';
  const secrets: string[] = [];
  const add = (name: unknown, namespace: unknown) => {
    if (typeof name === 'string' && name)
      secrets.push(`${typeof namespace === 'string' && namespace ? namespace : claimNs}/${name}`);
  };
  const spec = (pv.spec ?? {}) as Record<string, Record<string, unknown> | undefined>;
  for (const source of Object.values(spec)) {
    if (typeof source !== 'object' || source === null || Array.isArray(source)) continue;
    for (const key of ['secretRef', 'nodePublishSecretRef', 'nodeStageSecretRef', 'nodeExpandSecretRef']) {
      const r = source[key] as { name?: unknown; namespace?: unknown } | undefined;
      if (r && typeof r === 'object') add(r.name, r.namespace);
    }
  }
  const azure = pv.spec?.azureFile;
  if (azure?.secretName) add(azure.secretName, azure.secretNamespace);
  return { claim: `${claimNs}/${claimRef.name}`, secrets };
}

export class NodeGraph {
  /** pod key (`ns/name`) → its node and references. */
  /** `volatile`: the pod has ephemeral containers or resource claim statuses, the parts of a bound pod that change. */
  private readonly pods = new Map<string, { node: string; refs: Refs; volatile: boolean }>();
  /** node → reference → how many of its pods hold it. */
  private readonly byNode = new Map<string, Map<string, number>>();
  private readonly pvs = new Map<string, PvEdges>();
  /** Ingress key (`ns/name`) → the fields that decide its class, and the TLS secrets it names. */
  private readonly ingresses = new Map<string, { ing: Pick<Ingress, 'metadata' | 'spec'>; secrets: Set<string> }>();
  private readonly classes = new Map<string, IngressClass>();

  /** Adds, replaces or (with `undefined`) removes a pod. Pods not bound to a node add nothing. */
  hasPod(key: string): boolean {
    return this.pods.has(key);
  }

  /**
   * Whether a new version of a pod already in the graph can change its edges: its node and uid cannot
   * change, nor (in a pod's spec) what it references, but for ephemeral containers and resource claim
   * statuses (upstream's graph_populator skips an update on the same grounds).
   */
  mayChange(key: string, hasVolatileParts: boolean): boolean {
    const p = this.pods.get(key);
    return !p || p.volatile || hasVolatileParts;
  }

  setPod(key: string, pod: Pod | undefined): void {
    const old = this.pods.get(key);
    if (old) {
      const counts = this.byNode.get(old.node)!;
      for (const r of old.refs) {
        const n = (counts.get(r) ?? 1) - 1;
        if (n <= 0) counts.delete(r);
        else counts.set(r, n);
      }
      if (counts.size === 0) this.byNode.delete(old.node);
      this.pods.delete(key);
    }
    const node = pod?.spec?.nodeName;
    if (!pod || !node) return;
    const refs = podReferences(pod);
    const status = pod.status as { resourceClaimStatuses?: unknown[] } | undefined;
    const volatile =
      (pod.spec?.ephemeralContainers?.length ?? 0) > 0 || (status?.resourceClaimStatuses?.length ?? 0) > 0;
    this.pods.set(key, { node, refs, volatile });
    let counts = this.byNode.get(node);
    if (!counts) {
      counts = new Map();
      this.byNode.set(node, counts);
    }
    for (const r of refs) counts.set(r, (counts.get(r) ?? 0) + 1);
  }

  setPV(name: string, pv: PersistentVolume | undefined): void {
    const edges = pv ? pvEdges(pv) : undefined;
    if (edges) this.pvs.set(name, edges);
    else this.pvs.delete(name);
  }

  /** Adds, replaces or (with `undefined`) removes an Ingress. */
  setIngress(key: string, ing: Ingress | undefined): void {
    if (!ing) {
      this.ingresses.delete(key);
      return;
    }
    const ns = ing.metadata.namespace ?? '';
    const secrets = new Set<string>();
    for (const t of ing.spec?.tls ?? [])
      if (typeof t?.secretName === 'string' && t.secretName) secrets.add(`${ns}/${t.secretName}`);
    this.ingresses.set(key, {
      ing: {
        metadata: { namespace: ns, annotations: ing.metadata.annotations },
        spec: { ingressClassName: ing.spec?.ingressClassName },
      },
      secrets,
    });
  }

  /** Adds, replaces or (with `undefined`) removes an IngressClass. */
  setIngressClass(name: string, cls: IngressClass | undefined): void {
    if (cls) this.classes.set(name, cls);
    else this.classes.delete(name);
  }

  /** Whether an Ingress served by Tutti's class names the secret in `spec.tls` (any node may get it). */
  ingressSecret(namespace: string, name: string): boolean {
    const secret = `${namespace}/${name}`;
    let classes: IngressClass[] | undefined;
    for (const { ing, secrets } of this.ingresses.values()) {
      if (!secrets.has(secret)) continue;
      classes ??= [...this.classes.values()];
      if (isTuttiIngress(ing, classes)) return true;
    }
    return false;
  }

  clear(): void {
    this.pods.clear();
    this.byNode.clear();
    this.pvs.clear();
    this.ingresses.clear();
    this.classes.clear();
  }

  /** Whether the node reaches the object (namespace '' for a PV). */
  hasPath(node: string, type: VertexType, namespace: string, name: string): boolean {
    if (type === 'pod') return this.pods.get(`${namespace}/${name}`)?.node === node;
    const counts = this.byNode.get(node);
    if (!counts) return false;
    if (type === 'pv') {
      const pv = this.pvs.get(name);
      return !!pv && counts.has(`pvc/${pv.claim}`);
    }
    if (counts.has(ref(type, namespace, name))) return true;
    if (type !== 'secret') return false;
    const secret = `${namespace}/${name}`;
    for (const pv of this.pvs.values()) if (pv.secrets.includes(secret) && counts.has(`pvc/${pv.claim}`)) return true;
    return false;
  }
}
