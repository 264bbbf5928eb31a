// Building and annotating a Deployment's ReplicaSets (upstream deployment/util): the new ReplicaSet
// from the template, which existing one is "new", and the revision/replica annotations.

import type { Deployment, ReplicaSet } from '../../core/index.js';
import { newControllerRef } from '../shared/ownership.js';
import { creationMs } from '../shared/pods.js';
import {
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  POD_TEMPLATE_HASH_LABEL,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
} from './annotations.js';
import { podTemplateHash, templatesEqualIgnoringHash } from './hash.js';
import { desiredReplicas, maxSurge, revisionOf } from './rollout.js';

/** Deployment annotations that are the controller's own and are not copied onto ReplicaSets. */
const NOT_COPIED = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  'deprecated.deployment.rollback.to',
]);

/** The oldest ReplicaSet whose template equals the deployment's (FindNewReplicaSet). */
export function findNewReplicaSet(d: Deployment, rss: ReplicaSet[]): ReplicaSet | undefined {
  const sorted = [...rss].sort(
    (a, b) => creationMs(a) - creationMs(b) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
  );
  return sorted.find((rs) => templatesEqualIgnoringHash(rs.spec?.template, d.spec?.template));
}

export function maxRevision(rss: ReplicaSet[]): number {
  return rss.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
}

export function newReplicaSet(d: Deployment, revision: number, replicas: number): ReplicaSet {
  const hash = podTemplateHash(d.spec?.template, d.status?.collisionCount);
  const template = structuredClone(d.spec?.template ?? {});
  template.metadata = {
    ...(template.metadata ?? {}),
    labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash },
  };
  const selector = structuredClone(d.spec?.selector ?? {});
  selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
  const rs: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: d.metadata.namespace,
      labels: { ...(template.metadata.labels ?? {}) },
      ownerReferences: [newControllerRef(d, 'apps/v1', 'Deployment')],
    },
    spec: { replicas, minReadySeconds: d.spec?.minReadySeconds ?? 0, selector, template },
  };
  newReplicaSetAnnotations(d, rs, revision, true);
  return rs;
}

/** Upstream's maxRevHistoryLengthInChars: the revision-history annotation stays within 2000 characters. */
export const MAX_REVISION_HISTORY_CHARS = 2000;

/**
 * The revision-history annotation after rs moves from `oldRevision` to a newer one (a rollback to it):
 * the old revision is appended, the oldest entries dropped to stay within `limit` characters.
 */
export function appendRevisionHistory(
  history: string | undefined,
  oldRevision: string,
  limit = MAX_REVISION_HISTORY_CHARS,
): string | undefined {
  const old = (history ?? '').split(',');
  if (old[0]!.length === 0) return oldRevision;
  let total = (history ?? '').length + oldRevision.length + 1;
  let start = 0;
  while (total > limit && start < old.length) {
    total -= old[start]!.length + 1;
    start++;
  }
  if (total > limit) return history;
  return [...old.slice(start), oldRevision].join(',');
}

/**
 * SetNewReplicaSetAnnotations: copy the deployment's annotations, raise the revision (keeping the one it
 * had in revision-history, as a rollback does), and on creation set the replica annotations. Returns true
 * when rs changed.
 */
export function newReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, revision: number, creating: boolean): boolean {
  const before = JSON.stringify(rs.metadata.annotations ?? {});
  const a = { ...(rs.metadata.annotations ?? {}) };
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) if (!NOT_COPIED.has(k)) a[k] = v;
  const oldRevision = rs.metadata.annotations?.[REVISION_ANNOTATION];
  // A revision that is not a number is left alone, as upstream does (no raise, no history).
  if (oldRevision === undefined || oldRevision === '' || /^[+-]?\d+$/.test(oldRevision)) {
    const oldInt = oldRevision ? Number(oldRevision) : 0;
    if (oldInt < revision) {
      a[REVISION_ANNOTATION] = String(revision);
      if (oldRevision !== undefined) {
        const history = appendRevisionHistory(a[REVISION_HISTORY_ANNOTATION], oldRevision);
        if (history !== undefined) a[REVISION_HISTORY_ANNOTATION] = history;
      }
    }
  }
  if (creating) setReplicaAnnotations(d, a);
  rs.metadata.annotations = a;
  return JSON.stringify(a) !== before;
}

export function setReplicaAnnotations(d: Deployment, annotations: Record<string, string>): void {
  annotations[DESIRED_REPLICAS_ANNOTATION] = String(desiredReplicas(d));
  annotations[MAX_REPLICAS_ANNOTATION] = String(desiredReplicas(d) + maxSurge(d));
}
