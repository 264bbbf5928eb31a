// VolumeBinding (upstream plugins/volumebinding with what it needs of binder.go): PreFilter sorts the pod's
// claims into bound, unbound delayed (WaitForFirstConsumer) and unbound immediate ones and rejects the pod
// outright for a missing, lost or deleted claim or an unbound immediate one; Filter keeps the pod off nodes
// where a bound claim's volume cannot be reached (its node affinity) or where an unbound delayed claim can
// neither take an available volume nor be provisioned; Reserve assumes the chosen volumes bound and the claims
// to provision placed, so the next pods do not count on them. Binding itself is left to the PersistentVolume
// controller, which sees the pod placed and binds or provisions for that node.

import {
  ANN_SELECTED_NODE,
  claimClass,
  findMatchingVolume,
  isClaimFullyBound,
  isDelayBinding,
  matchTopologySelectorTerms,
  NOT_SUPPORTED_PROVISIONER,
  podClaimRefs,
  requestedStorage,
  volumeFitsNode,
  type PersistentVolume,
  type PersistentVolumeClaim,
  type Pod,
} from '../../../core/index.js';
import { stateKey } from '../../framework/cycle-state.js';
import type { FilterPlugin, PreFilterPlugin, ReservePlugin } from '../../framework/plugin.js';
import { SKIP, type Status, unresolvable } from '../../framework/status.js';
import type { VolumeLister } from '../../framework/volumes.js';

export const ERR_REASON_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
export const ERR_REASON_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const ERR_REASON_PV_NOT_EXIST = 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)';
export const ERR_UNBOUND_IMMEDIATE = 'pod has unbound immediate PersistentVolumeClaims';

/** The pod's claims as PreFilter sorted them (upstream PodVolumeClaims). */
export interface PodVolumeClaims {
  bound: PersistentVolumeClaim[];
  /** Unbound claims of WaitForFirstConsumer classes without a volume named. */
  delayed: PersistentVolumeClaim[];
  /** Volumes of each delayed claim's class, listed once per cycle. */
  volumesByClass: Map<string, readonly PersistentVolume[]>;
  lister: VolumeLister;
  /** Filter's findings per feasible node, for Reserve. */
  byNode: Map<string, PodVolumes>;
}

const claimsKey = stateKey<PodVolumeClaims>('VolumeBinding/claims');

const claimRef = (c: PersistentVolumeClaim) => `${c.metadata.namespace ?? ''}/${c.metadata.name ?? ''}`;

/** Upstream podHasPVCs: the first claim (in volume order) that cannot be used, as an error message. */
function claimProblem(pod: Pod, claim: PersistentVolumeClaim | undefined, name: string, ephemeral: boolean) {
  if (!claim) {
    return ephemeral
      ? `waiting for ephemeral volume controller to create the persistentvolumeclaim "${name}"`
      : `persistentvolumeclaim "${name}" not found`;
  }
  if (claim.status?.phase === 'Lost') {
    return `persistentvolumeclaim "${name}" bound to non-existent persistentvolume "${claim.spec?.volumeName ?? ''}"`;
  }
  if (claim.metadata.deletionTimestamp) return `persistentvolumeclaim "${name}" is being deleted`;
  if (ephemeral) {
    const owned = (claim.metadata.ownerReferences ?? []).some((r) => r.controller && r.uid === pod.metadata.uid);
    if (claim.metadata.namespace !== pod.metadata.namespace || !owned) {
      const podRef = `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
      return `PVC ${claimRef(claim)} was not created for pod ${podRef} (pod is not owner)`;
    }
  }
  return undefined;
}

/** PreFilter's decision on plain objects: Skip (no claims), a rejection, or the sorted claims. */
export function sortPodClaims(pod: Pod, lister: VolumeLister): PodVolumeClaims | Status {
  const refs = podClaimRefs(pod);
  if (refs.length === 0) return SKIP;
  const ns = pod.metadata.namespace ?? '';
  const claims: PersistentVolumeClaim[] = [];
  for (const r of refs) {
    const claim = lister.claim(ns, r.claimName);
    const problem = claimProblem(pod, claim, r.claimName, r.ephemeral);
    if (problem) return unresolvable(problem);
    claims.push(claim!);
  }
  const out: PodVolumeClaims = { bound: [], delayed: [], volumesByClass: new Map(), lister, byNode: new Map() };
  let immediate = 0;
  for (const claim of claims) {
    if (isClaimFullyBound(claim)) out.bound.push(claim);
    // A claim naming its volume but not yet bound is the PV controller's to finish, as an immediate one.
    else if (isDelayBinding(claim, lister.classes) && !claim.spec?.volumeName) out.delayed.push(claim);
    else immediate++;
  }
  // Upstream: the PV controller binds immediate claims; their update moves the pod back to the active queue.
  if (immediate > 0) return unresolvable(ERR_UNBOUND_IMMEDIATE);
  for (const claim of out.delayed) {
    const cls = claimClass(claim);
    if (!out.volumesByClass.has(cls)) out.volumesByClass.set(cls, lister.volumesOfClass(cls));
  }
  return out;
}

export class VolumeBindingError extends Error {}

type NodeView = { name: string; labels: Record<string, string> };

/** What the pod's delayed claims would use on one node (upstream PodVolumes). */
export interface PodVolumes {
  /** Available volumes chosen for claims. */
  bindings: Array<{ pv: PersistentVolume; claim: PersistentVolumeClaim }>;
  /** Claims to provision on the node. */
  provisions: PersistentVolumeClaim[];
}

/**
 * Upstream FindPodVolumes for one node: the reasons the pod's claims cannot be served there (none when they
 * can) and, when they can, the volumes and provisions that would serve the delayed ones. Throws
 * VolumeBindingError where upstream returns an error (a delayed claim's class is gone).
 */
export function findPodVolumes(c: PodVolumeClaims, node: NodeView): { reasons: string[]; volumes: PodVolumes } {
  let boundPVsFound = true;
  let boundSatisfied = true;
  for (const claim of c.bound) {
    const pv = c.lister.volume(claim.spec?.volumeName ?? '');
    if (!pv) {
      boundPVsFound = false;
      break;
    }
    if (!volumeFitsNode(pv, node)) {
      boundSatisfied = false;
      break;
    }
  }
  const volumes: PodVolumes = { bindings: [], provisions: [] };
  const unboundSatisfied = c.delayed.length === 0 || delayedClaimsFit(c, node, volumes);
  // Upstream's order (there, not enough free storage would come third; Tutti has no CSIStorageCapacity).
  const reasons: string[] = [];
  if (!boundSatisfied) reasons.push(ERR_REASON_NODE_CONFLICT);
  if (!unboundSatisfied) reasons.push(ERR_REASON_BIND_CONFLICT);
  if (!boundPVsFound) reasons.push(ERR_REASON_PV_NOT_EXIST);
  return { reasons, volumes };
}

function delayedClaimsFit(c: PodVolumeClaims, node: NodeView, out: PodVolumes): boolean {
  const toMatch: PersistentVolumeClaim[] = [];
  const toProvision: PersistentVolumeClaim[] = [];
  for (const claim of c.delayed) {
    const selected = claim.metadata.annotations?.[ANN_SELECTED_NODE];
    if (selected === undefined) toMatch.push(claim);
    else if (selected !== node.name)
      return false; // already being provisioned for another node
    else toProvision.push(claim);
  }
  // findMatchingVolumes: smallest requests first, each volume taken at most once.
  toMatch.sort((a, b) => requestedStorage(a) - requestedStorage(b));
  const chosen = new Set<string>();
  for (const claim of toMatch) {
    const pv = findMatchingVolume(claim, c.volumesByClass.get(claimClass(claim)) ?? [], node, true, chosen);
    if (pv) {
      chosen.add(pv.metadata.name ?? '');
      out.bindings.push({ pv, claim });
    } else toProvision.push(claim);
  }
  // checkVolumeProvisions: every claim left must be provisionable on this node.
  for (const claim of toProvision) {
    const className = claimClass(claim);
    if (!className) throw new VolumeBindingError(`no class for claim "${claimRef(claim)}"`);
    const cls = c.lister.classes.get(className);
    if (!cls) throw new VolumeBindingError(`failed to find storage class "${className}"`);
    if (!cls.provisioner || cls.provisioner === NOT_SUPPORTED_PROVISIONER) return false;
    if (!matchTopologySelectorTerms(cls.allowedTopologies, node.labels)) return false;
  }
  out.provisions = toProvision;
  return true;
}

/** The volume as the PV controller will bind it to the claim (upstream GetBindVolumeToClaim's claimRef). */
export function volumeBoundTo(pv: PersistentVolume, claim: PersistentVolumeClaim): PersistentVolume {
  const claimRef = {
    kind: 'PersistentVolumeClaim',
    apiVersion: 'v1',
    namespace: claim.metadata.namespace,
    name: claim.metadata.name,
    uid: claim.metadata.uid,
    resourceVersion: claim.metadata.resourceVersion,
  };
  return { ...pv, spec: { ...pv.spec, claimRef } };
}

/** The claim as provisioning on the node will mark it (volume.kubernetes.io/selected-node). */
export function claimSelecting(claim: PersistentVolumeClaim, nodeName: string): PersistentVolumeClaim {
  const annotations = { ...claim.metadata.annotations, [ANN_SELECTED_NODE]: nodeName };
  return { ...claim, metadata: { ...claim.metadata, annotations } };
}

export const volumeBinding: PreFilterPlugin & FilterPlugin & ReservePlugin = {
  name: 'VolumeBinding',
  preFilter(state, pod, snapshot) {
    const r = sortPodClaims(pod.pod, snapshot.volumes);
    if ('code' in r) return r;
    state.write(claimsKey, r);
    return null;
  },
  filter(state, _pod, node) {
    const c = state.read(claimsKey);
    if (!c) return null;
    let found: ReturnType<typeof findPodVolumes>;
    try {
      found = findPodVolumes(c, node);
    } catch (err) {
      if (err instanceof VolumeBindingError) return { code: 'Error', reasons: [err.message] };
      throw err;
    }
    if (found.reasons.length > 0) return unresolvable(...found.reasons);
    const v = found.volumes;
    if (v.bindings.length > 0 || v.provisions.length > 0) c.byNode.set(node.name, v);
    return null;
  },
  // Upstream AssumePodVolumes / RevertAssumedPodVolumes: the next pods see the volumes taken and the claims
  // placed before the PV controller (which binds and provisions once it sees this pod bound) has caught up.
  reserve(state, _pod, nodeName) {
    const c = state.read(claimsKey);
    const v = c?.byNode.get(nodeName);
    if (!c || !v) return;
    for (const b of v.bindings) c.lister.assumeVolume(volumeBoundTo(b.pv, b.claim));
    for (const claim of v.provisions) c.lister.assumeClaim(claimSelecting(claim, nodeName));
  },
  unreserve(state, _pod, nodeName) {
    const c = state.read(claimsKey);
    const v = c?.byNode.get(nodeName);
    if (!c || !v) return;
    for (const b of v.bindings) c.lister.restoreVolume(b.pv.metadata.name ?? '');
    for (const claim of v.provisions) c.lister.restoreClaim(claim.metadata.namespace ?? '', claim.metadata.name ?? '');
  },
};
