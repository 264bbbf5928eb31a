// StatefulSet history (upstream getStatefulSetRevisions, newRevision, ApplyRevision, truncateHistory): each
// revision stores a strategic merge patch that restores the pod template, so `kubectl rollout undo` can
// apply it; the update revision is the one for the current template, the current revision the one the
// last completed rollout reached.

import type { ControllerRevision, Pod, PodTemplateSpec, StatefulSet } from '../../core/index.js';
import {
  equalRevision,
  findEqualRevisions,
  newControllerRevision,
  nextRevision,
  sortRevisions,
} from '../shared/history.js';
import { podRevision } from './identity.js';

/** getPatch: `{"spec":{"template":{...,"$patch":"replace"}}}`. */
export function revisionData(set: StatefulSet): { spec: { template: Record<string, unknown> } } {
  return { spec: { template: { ...structuredClone(set.spec?.template ?? {}), $patch: 'replace' } } };
}

/** The revision object for the set's current template; annotations copied from the set (change-cause). */
export function newRevision(set: StatefulSet, revision: number, collisionCount: number): ControllerRevision {
  const rev = newControllerRevision(
    set,
    'apps/v1',
    'StatefulSet',
    set.spec?.template?.metadata?.labels,
    revisionData(set),
    revision,
    collisionCount,
  );
  if (set.metadata.annotations) rev.metadata.annotations = { ...set.metadata.annotations };
  return rev;
}

/** ApplyRevision: the set with its template as the revision recorded it. */
export function applyRevision(set: StatefulSet, revision: ControllerRevision): StatefulSet {
  const data = revision.data as { spec?: { template?: Record<string, unknown> } } | undefined;
  const stored = data?.spec?.template;
  if (!stored) return set;
  const { $patch: _, ...template } = stored;
  return { ...set, spec: { ...set.spec!, template: structuredClone(template) as PodTemplateSpec } };
}

export interface RevisionPlan {
  /** The update revision: already there, to bump to the next number (a rollback), or to create. */
  update: { action: 'none' | 'bump' | 'create'; revision: ControllerRevision };
  /** status.currentRevision's object, or the update revision when there is none yet. */
  current: ControllerRevision | undefined;
  collisionCount: number;
}

/** getStatefulSetRevisions over the set's revisions. */
export function planRevisions(set: StatefulSet, revisions: readonly ControllerRevision[]): RevisionPlan {
  const sorted = sortRevisions(revisions);
  const collisionCount = set.status?.collisionCount ?? 0;
  const wanted = newRevision(set, nextRevision(sorted), collisionCount);
  const equal = findEqualRevisions(sorted, wanted);
  const last = sorted[sorted.length - 1];
  let update: RevisionPlan['update'];
  if (equal.length > 0 && equalRevision(last, equal[equal.length - 1])) update = { action: 'none', revision: last! };
  else if (equal.length > 0) {
    update = { action: 'bump', revision: { ...equal[equal.length - 1]!, revision: wanted.revision } };
  } else update = { action: 'create', revision: wanted };
  const current = sorted.find((r) => r.metadata.name === set.status?.currentRevision);
  return { update, current, collisionCount };
}

/**
 * truncateHistory: revisions not live (current, update, or worn by a pod), oldest first, beyond
 * revisionHistoryLimit.
 */
export function revisionsToPrune(
  set: StatefulSet,
  pods: readonly Pod[],
  revisions: readonly ControllerRevision[],
  live: readonly string[],
): ControllerRevision[] {
  const keep = new Set([...live, ...pods.map(podRevision)]);
  const history = sortRevisions(revisions).filter((r) => !keep.has(r.metadata.name ?? ''));
  const limit = set.spec?.revisionHistoryLimit ?? 10;
  return history.length <= limit ? [] : history.slice(0, history.length - limit);
}
