// DaemonSet history as apps/v1 ControllerRevisions (upstream daemon_controller constructHistory):
// one revision per distinct template, named <ds>-<hash>, the current one holding the highest revision.

import type { ControllerRevision, DaemonSet } from '../../core/index.js';
import { REVISION_HASH_LABEL } from './daemon-pod.js';

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** fnv-1a 32-bit. */
function fnv32a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Like upstream ComputeHash: a hash of the template (and collision count), in label-safe characters. */
export function templateHash(template: unknown, collisionCount = 0): string {
  const digits = String(fnv32a(JSON.stringify(template) + (collisionCount ? `#${collisionCount}` : '')));
  let out = '';
  for (const d of digits) out += SAFE_ALPHABET[d.charCodeAt(0) % SAFE_ALPHABET.length];
  return out;
}

/** The revision's data is a strategic merge patch that restores the template. */
export function revisionData(ds: DaemonSet): object {
  return { spec: { template: { ...structuredClone(ds.spec?.template), $patch: 'replace' } } };
}

/**
 * The revision of the DaemonSet's current template (upstream snapshot): it carries the DaemonSet's
 * annotations as they are then (kubernetes.io/change-cause for `kubectl rollout history`,
 * deprecated.daemonset.template.generation), as upstream copies ds.Annotations.
 */
export function newRevision(ds: DaemonSet, hash: string, revision: number): ControllerRevision {
  const annotations = ds.metadata.annotations;
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: `${ds.metadata.name}-${hash}`,
      namespace: ds.metadata.namespace,
      labels: { ...(ds.spec?.template.metadata?.labels ?? {}), [REVISION_HASH_LABEL]: hash },
      ...(annotations && Object.keys(annotations).length > 0 ? { annotations: { ...annotations } } : {}),
      ownerReferences: [
        {
          apiVersion: 'apps/v1',
          kind: 'DaemonSet',
          name: ds.metadata.name ?? '',
          uid: ds.metadata.uid ?? '',
          controller: true,
          blockOwnerDeletion: true,
        },
      ],
    },
    data: revisionData(ds),
    revision,
  };
}

export interface HistoryPlan {
  /** The revision for the current template: create it, or bump an old one to the top revision. */
  current: { action: 'create' | 'bump' | 'none'; revision: ControllerRevision };
  /** Old revisions beyond revisionHistoryLimit not used by any live pod, oldest first. */
  prune: ControllerRevision[];
}

export function planHistory(
  ds: DaemonSet,
  hash: string,
  revisions: readonly ControllerRevision[],
  hashesInUse: ReadonlySet<string>,
): HistoryPlan {
  const max = revisions.reduce((m, r) => Math.max(m, r.revision), 0);
  const existing = revisions.find(
    (r) => r.metadata.labels?.[REVISION_HASH_LABEL] === hash || r.metadata.name === `${ds.metadata.name}-${hash}`,
  );
  let current: HistoryPlan['current'];
  if (!existing) current = { action: 'create', revision: newRevision(ds, hash, max + 1) };
  else if (existing.revision < max) current = { action: 'bump', revision: { ...existing, revision: max + 1 } };
  else current = { action: 'none', revision: existing };
  const limit = ds.spec?.revisionHistoryLimit ?? 10;
  const old = revisions
    .filter((r) => r !== existing && !hashesInUse.has(r.metadata.labels?.[REVISION_HASH_LABEL] ?? ''))
    .sort((a, b) => a.revision - b.revision);
  return { current, prune: old.slice(0, Math.max(0, old.length - limit)) };
}
