// ControllerRevision history (upstream pkg/controller/history): how a revision is named and hashed, when
// two revisions are the same, their order and the next number. StatefulSets use it (the DaemonSet's
// daemonset/history.ts predates it and can move here).

import { type ControllerRevision, type KubeObject, stableJson } from '../../core/index.js';
import { newControllerRef } from './ownership.js';

/** Label on a revision holding its hash (apps ControllerRevisionHashLabel). */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller.kubernetes.io/hash';

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** FNV-1 32-bit over the UTF-8 bytes (Go's fnv.New32). */
function fnv32(bytes: Uint8Array, h = 0x811c9dc5): number {
  for (const b of bytes) {
    h = Math.imul(h, 0x01000193) >>> 0;
    h = (h ^ b) >>> 0;
  }
  return h >>> 0;
}

/** rand.SafeEncodeString: each character mapped into an alphabet without vowels or look-alikes. */
function safeEncode(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) out += SAFE_ALPHABET[text.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

/** HashControllerRevision: the data (as stable JSON) and the collision count, label-safe. */
export function hashRevisionData(data: unknown, collisionCount?: number): string {
  const enc = new TextEncoder();
  let h = fnv32(enc.encode(stableJson(data)));
  if (collisionCount !== undefined) h = fnv32(enc.encode(String(collisionCount)), h);
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
  return stableJson(a.data) === stableJson(b.data);
}

/** FindEqualRevisions, in the given order. */
export function findEqualRevisions(revisions: readonly ControllerRevision[], needle: ControllerRevision) {
  return revisions.filter((r) => equalRevision(r, needle));
}

/** One more than the highest revision of a sorted list; 1 for none. */
export function nextRevision(sorted: readonly ControllerRevision[]): number {
  return sorted.length === 0 ? 1 : sorted[sorted.length - 1]!.revision + 1;
}
