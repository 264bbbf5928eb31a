// DaemonSet history as apps/v1 ControllerRevisions (upstream daemon_controller constructHistory):
// one revision per distinct template, named <ds>-<hash>, the current one holding the highest revision.

import type { ControllerRevision, DaemonSet } from '../../core/index.js';
import { computeHash } from '../shared/hash.js';
import { newControllerRef } from '../shared/ownership.js';
import { REVISION_HASH_LABEL } from './daemon-pod.js';

/** The template's hash (upstream ComputeHash, as the Deployment's pod-template-hash): pod label and revision name. */
export function templateHash(template: unknown, collisionCount = 0): string {
  return computeHash(template, collisionCount);
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
      ownerReferences: [newControllerRef(ds, 'apps/v1', 'DaemonSet')],
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
