// ControllerRef claiming (upstream ControllerRefManager): which objects an owner keeps, adopts
// (matching orphans) and releases (owned objects that no longer match its selector). The ReplicaSet
// controller claims pods, the Deployment controller ReplicaSets.

import type { KubeObject, LabelSelector, OwnerReference } from '../../core/index.js';

export function controllerRef(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}

export function newControllerRef(owner: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return {
    apiVersion,
    kind,
    name: owner.metadata.name!,
    uid: owner.metadata.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

export interface Claim<T> {
  owned: T[];
  adopt: T[];
  release: T[];
}

/** Sorts candidates; owners being deleted neither adopt nor release (upstream canAdopt / release). */
export function claimObjects<T extends KubeObject>(
  owner: KubeObject,
  selector: LabelSelector,
  candidates: T[],
): Claim<T> {
  const out: Claim<T> = { owned: [], adopt: [], release: [] };
  const ownerDeleting = !!owner.metadata.deletionTimestamp;
  for (const obj of candidates) {
    const ref = controllerRef(obj);
    const matches = selector.matches(obj.metadata.labels);
    if (ref) {
      if (ref.uid !== owner.metadata.uid) continue;
      if (matches || ownerDeleting) out.owned.push(obj);
      else if (!obj.metadata.deletionTimestamp) out.release.push(obj);
      continue;
    }
    if (!matches || ownerDeleting || obj.metadata.deletionTimestamp) continue;
    out.adopt.push(obj);
  }
  return out;
}

/** Strategic merge patch adding the controller ref; metadata.uid makes it fail on a recreated object. */
export function adoptPatch(obj: KubeObject, ref: OwnerReference): object {
  return { metadata: { ownerReferences: [ref], uid: obj.metadata.uid } };
}

export function releasePatch(obj: KubeObject, ownerUid: string): object {
  return { metadata: { ownerReferences: [{ $patch: 'delete', uid: ownerUid }], uid: obj.metadata.uid } };
}
