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

/**
 * SetNewReplicaSetAnnotations: copy the deployment's annotations, raise the revision, and on creation
 * set the replica annotations. Returns true when rs changed.
 */
export function newReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, revision: number, creating: boolean): boolean {
  const before = JSON.stringify(rs.metadata.annotations ?? {});
  const a = { ...(rs.metadata.annotations ?? {}) };
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) if (!NOT_COPIED.has(k)) a[k] = v;
  if (revisionOf(rs) < revision) a[REVISION_ANNOTATION] = String(revision);
  if (creating) setReplicaAnnotations(d, a);
  rs.metadata.annotations = a;
  return JSON.stringify(a) !== before;
}

export function setReplicaAnnotations(d: Deployment, annotations: Record<string, string>): void {
  annotations[DESIRED_REPLICAS_ANNOTATION] = String(desiredReplicas(d));
  annotations[MAX_REPLICAS_ANNOTATION] = String(desiredReplicas(d) + maxSurge(d));
}
