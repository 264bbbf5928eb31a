// ControllerRevision history (upstream pkg/controller/history): how a revision is named and hashed, when
// two revisions are the same, their order and the next number. StatefulSets use all of it; the DaemonSet
// (daemonset/history.ts) names revisions by its template's ComputeHash (shared/hash.ts) as upstream does.

import { type ControllerRevision, jsonEqual, type KubeObject, stableJson } from '../../core/index.js';
import { fnv1_32, safeEncode } from './hash.js';
import { newControllerRef } from './ownership.js';

/** Label on a revision holding its hash (apps ControllerRevisionHashLabel). */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller.kubernetes.io/hash';

/** HashControllerRevision: the data (as stable JSON) and the collision count, label-safe. */
export function hashRevisionData(data: unknown, collisionCount?: number): string {
  let h = fnv1_32(stableJson(data));
  if (collisionCount !== undefined) h = fnv1_32(String(collisionCount), h);
  return safeEncode(String(h));
}

/** ControllerRevisionName: `<parent>-<hash>`, the parent's part cut to 223 characters. */
export function revisionName(parentName: string, hash: string): string {
  return `${parentName.slice(0, 223)}-${hash}`;
}

/** NewControllerRevision: owned by the parent, labeled with the template's labels and the hash. */
export function newControllerRevision(
  parent: KubeObject,
  apiVersion: string,
  kind: string,
  templateLabels: Record<string, string> | undefined,
  data: unknown,
  revision: number,
  collisionCount: number,
): ControllerRevision {
  const hash = hashRevisionData(data, collisionCount);
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: revisionName(parent.metadata.name ?? '', hash),
      namespace: parent.metadata.namespace,
      labels: { ...(templateLabels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: hash },
      ownerReferences: [newControllerRef(parent, apiVersion, kind)],
    },
    data: data as ControllerRevision['data'],
    revision,
  };
}

/** SortControllerRevisions: by revision, then creation time, then name. */
export function sortRevisions(revisions: readonly ControllerRevision[]): ControllerRevision[] {
  return [...revisions].sort((a, b) => {
    if (a.revision !== b.revision) return a.revision - b.revision;
    const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
    const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
    if (ta !== tb) return ta - tb;
    return (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
  });
}

/** EqualRevision: the same data. */
export function equalRevision(a: ControllerRevision | undefined, b: ControllerRevision | undefined): boolean {
  if (!a || !b) return a === b;
  return jsonEqual(a.data, b.data);
}

/** FindEqualRevisions, in the given order. */
export function findEqualRevisions(revisions: readonly ControllerRevision[], needle: ControllerRevision) {
  return revisions.filter((r) => equalRevision(r, needle));
}

/** One more than the highest revision of a sorted list; 1 for none. */
export function nextRevision(sorted: readonly ControllerRevision[]): number {
  return sorted.length === 0 ? 1 : sorted[sorted.length - 1]!.revision + 1;
}
