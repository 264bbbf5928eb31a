// persistentVolumeClaimRetentionPolicy through owner references (upstream stateful_set_utils.go,
// isClaimOwnerUpToDate / updateClaimOwnerRefForSetAndPod): the garbage collector deletes a claim with its
// owner, so whenDeleted=Delete makes the set an owner and whenScaled=Delete makes a scaled-down pod one.
//
//   Retain/Retain: no owner ref        whenDeleted=Delete: the set       whenScaled=Delete: the condemned pod
//   Delete/Delete: the set while the pod is in range, the pod once it is scaled down

import type { OwnerReference, PersistentVolumeClaim, Pod, StatefulSet } from '../../core/index.js';
import { newControllerRef } from '../shared/ownership.js';
import { inOrdinalRange } from './identity.js';

interface Policy {
  whenDeleted: string;
  whenScaled: string;
}

export function retentionPolicy(set: StatefulSet): Policy {
  const p = set.spec?.persistentVolumeClaimRetentionPolicy;
  return { whenDeleted: p?.whenDeleted ?? 'Retain', whenScaled: p?.whenScaled ?? 'Retain' };
}

type Owner = { apiVersion: string; kind: string; name?: string; uid?: string };

const setOwner = (set: StatefulSet): Owner => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  name: set.metadata.name,
  uid: set.metadata.uid,
});
const podOwner = (pod: Pod): Owner => ({
  apiVersion: 'v1',
  kind: 'Pod',
  name: pod.metadata.name,
  uid: pod.metadata.uid,
});

const matchesRef = (ref: OwnerReference, o: Owner) =>
  ref.apiVersion === o.apiVersion && ref.kind === o.kind && ref.name === o.name;
const hasOwnerRef = (claim: PersistentVolumeClaim, o: Owner) =>
  (claim.metadata.ownerReferences ?? []).some((r) => r.uid === o.uid);
/** A ref naming the object whose uid differs: left by an earlier incarnation, not to be touched. */
const hasStaleOwnerRef = (claim: PersistentVolumeClaim, o: Owner) => {
  const ref = (claim.metadata.ownerReferences ?? []).find((r) => matchesRef(r, o));
  return ref !== undefined && ref.uid !== o.uid;
};

/** hasUnexpectedController: with a Delete policy, a controller of the claim other than the set or the pod. */
function hasUnexpectedController(claim: PersistentVolumeClaim, set: StatefulSet, pod: Pod): boolean {
  const policy = retentionPolicy(set);
  if (policy.whenScaled === 'Retain' && policy.whenDeleted === 'Retain') return false;
  for (const ref of claim.metadata.ownerReferences ?? []) {
    const ours = [setOwner(set), podOwner(pod)].find((o) => matchesRef(ref, o));
    if (ours) {
      // A uid mismatch means the claim was orphaned wrongly: leave it to the garbage collector.
      if (ref.uid !== ours.uid) return true;
      continue;
    }
    if (ref.controller) return true;
  }
  return false;
}

function hasNonControllerOwner(claim: PersistentVolumeClaim, set: StatefulSet, pod: Pod): boolean {
  return (claim.metadata.ownerReferences ?? []).some(
    (r) => (r.uid === set.metadata.uid || r.uid === pod.metadata.uid) && !r.controller,
  );
}

/** isClaimOwnerUpToDate: the claim's owner refs are what the policy asks for (or it is not ours to fix). */
export function claimOwnerUpToDate(claim: PersistentVolumeClaim, set: StatefulSet, pod: Pod): boolean {
  const s = setOwner(set);
  const p = podOwner(pod);
  if (hasStaleOwnerRef(claim, s) || hasStaleOwnerRef(claim, p)) return true;
  if (hasUnexpectedController(claim, set, pod)) return !(hasOwnerRef(claim, s) || hasOwnerRef(claim, p));
  if (hasNonControllerOwner(claim, set, pod)) return false;
  const policy = retentionPolicy(set);
  const scaledDown = !inOrdinalRange(pod, set);
  const wantSet = policy.whenDeleted === 'Delete' && (policy.whenScaled !== 'Delete' || !scaledDown);
  const wantPod = policy.whenScaled === 'Delete' && scaledDown;
  return hasOwnerRef(claim, s) === wantSet && hasOwnerRef(claim, p) === wantPod;
}

/** updateClaimOwnerRefForSetAndPod: the owner refs the policy asks for, other owners kept. */
export function claimOwnerRefs(claim: PersistentVolumeClaim, set: StatefulSet, pod: Pod): OwnerReference[] {
  const s = setOwner(set);
  const p = podOwner(pod);
  const unexpected = hasUnexpectedController(claim, set, pod);
  let refs = (claim.metadata.ownerReferences ?? []).filter((r) => !matchesRef(r, s) && !matchesRef(r, p));
  if (unexpected) return refs;
  const policy = retentionPolicy(set);
  const scaledDown = !inOrdinalRange(pod, set);
  const add = (owner: Pod | StatefulSet, apiVersion: string, kind: string) => {
    if (!refs.some((r) => r.uid === owner.metadata.uid)) refs = [...refs, newControllerRef(owner, apiVersion, kind)];
  };
  if (policy.whenScaled === 'Delete' && scaledDown) add(pod, 'v1', 'Pod');
  if (policy.whenDeleted === 'Delete' && (policy.whenScaled !== 'Delete' || !scaledDown)) {
    add(set, 'apps/v1', 'StatefulSet');
  }
  return refs;
}
