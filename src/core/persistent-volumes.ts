// Which PersistentVolume can serve a claim (upstream component-helpers/storage/volume FindMatchingVolume,
// pkg/controller/volume/persistentvolume index.go findBestMatchForClaim and checkVolumeSatisfyClaim): class,
// access modes, capacity, volume mode, selector, node affinity; the smallest fit wins, a volume pre-bound to
// the claim before any other. Shared by the PersistentVolume controller (binding) and the scheduler's
// VolumeBinding plugin (which nodes a pod's claims can be served on). Pure.

import { claimClass, parseQuotaAmount } from './quota/usage.js';
import { compileNodeSelectorTerms } from './scheduling/node-affinity.js';
import { LabelSelector, labelSelectorFromObject } from './selectors/index.js';
import { ANN_BETA_STORAGE_CLASS } from './storage-class.js';
import type { corev1, PersistentVolume, PersistentVolumeClaim, Pod, StorageClass } from './types.js';

export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
export const ANN_DYNAMICALLY_PROVISIONED = 'pv.kubernetes.io/provisioned-by';
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
export const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
export const ANN_BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';

/** A class with this provisioner cannot provision dynamically (upstream volume.NotSupportedProvisioner). */
export const NOT_SUPPORTED_PROVISIONER = 'kubernetes.io/no-provisioner';

/** GetPersistentVolumeClass: the beta annotation wins over spec.storageClassName. */
export function volumeClass(pv: PersistentVolume): string {
  return pv.metadata.annotations?.[ANN_BETA_STORAGE_CLASS] ?? pv.spec?.storageClassName ?? '';
}

const storageOf = (q: unknown) => (q === undefined || q === null ? 0 : parseQuotaAmount('storage', String(q)));
export const requestedStorage = (claim: PersistentVolumeClaim) => storageOf(claim.spec?.resources?.requests?.storage);
export const volumeStorage = (pv: PersistentVolume) => storageOf(pv.spec?.capacity?.storage);

/** IsVolumeBoundToClaim: the volume's claimRef names the claim (and its uid, once set). */
export function isVolumeBoundToClaim(pv: PersistentVolume, claim: PersistentVolumeClaim): boolean {
  const ref = pv.spec?.claimRef;
  if (!ref) return false;
  if (ref.name !== claim.metadata.name || ref.namespace !== claim.metadata.namespace) return false;
  return !ref.uid || ref.uid === claim.metadata.uid;
}

/** CheckVolumeModeMismatches (both default to Filesystem). */
export function volumeModeMismatch(claim: PersistentVolumeClaim, pv: PersistentVolume): boolean {
  return (claim.spec?.volumeMode ?? 'Filesystem') !== (pv.spec?.volumeMode ?? 'Filesystem');
}

/** CheckAccessModes: the volume offers every mode the claim asks for. */
export function accessModesFit(claim: PersistentVolumeClaim, pv: PersistentVolume): boolean {
  const offered = new Set(pv.spec?.accessModes ?? []);
  return (claim.spec?.accessModes ?? []).every((m) => offered.has(m));
}

export interface NodeView {
  name: string;
  labels: Record<string, string>;
}

/** CheckNodeAffinity: the volume's required node affinity admits the node (no affinity admits every node). */
export function volumeFitsNode(pv: PersistentVolume, node: NodeView): boolean {
  const terms = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms;
  if (!terms) return true;
  return compileNodeSelectorTerms(terms)(node.name, node.labels);
}

/**
 * FindMatchingVolume over candidates: a volume pre-bound to the claim wins (if it fits the node), else the
 * smallest Available volume of the claim's class whose labels the selector matches (not one of `excluded`: the
 * scheduler's choices for the pod's other claims). With `node` (the
 * scheduler's path, here WaitForFirstConsumer once a pod is placed) access modes and node affinity are checked;
 * without it a delayed-binding claim only takes a pre-bound volume.
 */
export function findMatchingVolume(
  claim: PersistentVolumeClaim,
  volumes: readonly PersistentVolume[],
  node: NodeView | undefined,
  delayBinding: boolean,
  excluded?: ReadonlySet<string>,
): PersistentVolume | undefined {
  const requested = requestedStorage(claim);
  const cls = claimClass(claim);
  let selector: ReturnType<typeof labelSelectorFromObject> | undefined;
  if (claim.spec?.selector) {
    try {
      selector = labelSelectorFromObject(claim.spec.selector);
    } catch {
      return undefined;
    }
  }
  let smallest: PersistentVolume | undefined;
  for (const pv of volumes) {
    if (excluded?.has(pv.metadata.name ?? '')) continue;
    if (pv.spec?.claimRef && !isVolumeBoundToClaim(pv, claim)) continue;
    const size = volumeStorage(pv);
    if (size < requested) continue;
    if (volumeModeMismatch(claim, pv)) continue;
    if (pv.metadata.deletionTimestamp) continue;
    const fitsNode = node === undefined || volumeFitsNode(pv, node);
    if (isVolumeBoundToClaim(pv, claim)) return fitsNode ? pv : undefined;
    if (node === undefined && delayBinding) continue;
    if (pv.status?.phase !== 'Available') continue;
    if (selector && !selector.matches(pv.metadata.labels)) continue;
    if (volumeClass(pv) !== cls) continue;
    if (!fitsNode) continue;
    if (node !== undefined && !accessModesFit(claim, pv)) continue;
    if (smallest === undefined || volumeStorage(smallest) > size) smallest = pv;
  }
  return smallest;
}

/**
 * findBestMatchForClaim: volumes grouped by their access modes; the groups that offer every requested mode,
 * fewest modes first, each searched with findMatchingVolume.
 */
export function findBestMatchForClaim(
  claim: PersistentVolumeClaim,
  volumes: readonly PersistentVolume[],
  delayBinding: boolean,
  node?: NodeView,
): PersistentVolume | undefined {
  const groups = new Map<string, { modes: Set<string>; volumes: PersistentVolume[] }>();
  for (const pv of volumes) {
    const modes = [...new Set(pv.spec?.accessModes ?? [])].sort();
    const key = modes.join(',');
    const g = groups.get(key) ?? { modes: new Set(modes), volumes: [] };
    g.volumes.push(pv);
    groups.set(key, g);
  }
  const wanted = claim.spec?.accessModes ?? [];
  const fitting = [...groups.values()]
    .filter((g) => wanted.every((m) => g.modes.has(m)))
    .sort((a, b) => a.modes.size - b.modes.size);
  for (const g of fitting) {
    const found = findMatchingVolume(claim, g.volumes, node, delayBinding);
    if (found) return found;
  }
  return undefined;
}

/** checkVolumeSatisfyClaim: why a volume the claim names cannot serve it (undefined when it can). */
export function volumeUnfitReason(pv: PersistentVolume, claim: PersistentVolumeClaim): string | undefined {
  if (volumeStorage(pv) < requestedStorage(claim)) return 'requested PV is too small';
  if (volumeClass(pv) !== claimClass(claim)) return 'storageClassName does not match';
  if (volumeModeMismatch(claim, pv)) return 'incompatible volumeMode';
  if (!accessModesFit(claim, pv)) return 'incompatible accessMode';
  return undefined;
}

/** The class's binding waits for a pod to be scheduled (IsDelayBindingMode). */
export function isDelayBinding(claim: PersistentVolumeClaim, classes: ReadonlyMap<string, StorageClass>): boolean {
  const cls = claimClass(claim);
  if (!cls) return false;
  return classes.get(cls)?.volumeBindingMode === 'WaitForFirstConsumer';
}

/** A claim the PV controller finished binding (upstream isPVCFullyBound: volumeName and bind-completed). */
export function isClaimFullyBound(claim: PersistentVolumeClaim): boolean {
  return Boolean(claim.spec?.volumeName) && claim.metadata.annotations?.[ANN_BIND_COMPLETED] !== undefined;
}

/**
 * MatchTopologySelectorTerms: no terms admit every node; otherwise some term whose label requirements (each
 * `key In values`) all hold. A term without requirements, or with an invalid one, admits nothing.
 */
export function matchTopologySelectorTerms(
  terms: readonly corev1.TopologySelectorTerm[] | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  if (!terms || terms.length === 0) return true;
  return terms.some((term) => {
    const exprs = term.matchLabelExpressions ?? [];
    if (exprs.length === 0) return false;
    if (exprs.some((e) => !e.key || !e.values || e.values.length === 0)) return false;
    return LabelSelector.of(exprs.map((e) => ({ key: e.key, operator: 'in' as const, values: e.values }))).matches(
      labels,
    );
  });
}

/** How a pod refers to one claim: a `persistentVolumeClaim` volume, or a generic ephemeral volume's claim. */
export interface PodClaimRef {
  claimName: string;
  ephemeral: boolean;
}

/** The claims a pod's volumes use, in volume order (ephemeral: `<pod>-<volume>`, upstream VolumeClaimName). */
export function podClaimRefs(pod: Pick<Pod, 'metadata' | 'spec'>): PodClaimRef[] {
  const out: PodClaimRef[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v.persistentVolumeClaim) out.push({ claimName: v.persistentVolumeClaim.claimName, ephemeral: false });
    else if (v.ephemeral) out.push({ claimName: `${pod.metadata.name ?? ''}-${v.name}`, ephemeral: true });
  }
  return out;
}
