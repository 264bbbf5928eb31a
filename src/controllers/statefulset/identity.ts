// A StatefulSet pod's stable identity (upstream stateful_set_utils.go): the name `<set>-<ordinal>`, the
// pod-name and pod-index labels, hostname and subdomain, and the claims `<template>-<set>-<ordinal>` mounted
// under the templates' names. Also the pod predicates the ordering rules use.

import {
  isPodReady,
  type PersistentVolumeClaim,
  type Pod,
  type PodSpec,
  type StatefulSet,
  type Volume,
} from '../../core/index.js';
import { newControllerRef } from '../shared/ownership.js';
import { isPodAvailable } from '../shared/pods.js';

export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
/** Label on each pod naming the ControllerRevision it was made from (apps StatefulSetRevisionLabel). */
export const REVISION_LABEL = 'controller-revision-hash';

const STATEFUL_POD = /^(.*)-([0-9]+)$/;

/** The parent set's name and the ordinal parsed from a pod's name; ordinal -1 when it has none. */
export function parentAndOrdinal(pod: Pick<Pod, 'metadata'>): { parent: string; ordinal: number } {
  const m = STATEFUL_POD.exec(pod.metadata.name ?? '');
  if (!m) return { parent: '', ordinal: -1 };
  const n = Number(m[2]);
  return { parent: m[1]!, ordinal: Number.isSafeInteger(n) && n <= 2147483647 ? n : -1 };
}

export const ordinalOf = (pod: Pick<Pod, 'metadata'>) => parentAndOrdinal(pod).ordinal;
export const startOrdinal = (set: StatefulSet) => set.spec?.ordinals?.start ?? 0;
export const replicasOf = (set: StatefulSet) => set.spec?.replicas ?? 1;
export const endOrdinal = (set: StatefulSet) => startOrdinal(set) + replicasOf(set) - 1;
export const podName = (set: StatefulSet, ordinal: number) => `${set.metadata.name}-${ordinal}`;
export const isMemberOf = (set: StatefulSet, pod: Pod) => parentAndOrdinal(pod).parent === set.metadata.name;

export function inOrdinalRange(pod: Pod, set: StatefulSet): boolean {
  const o = ordinalOf(pod);
  return o >= startOrdinal(set) && o <= endOrdinal(set);
}

export function claimName(set: StatefulSet, templateName: string, ordinal: number): string {
  return `${templateName}-${set.metadata.name}-${ordinal}`;
}

/** identityMatches: the name, namespace and pod-name label a member with this ordinal has. */
export function identityMatches(set: StatefulSet, pod: Pod): boolean {
  const { parent, ordinal } = parentAndOrdinal(pod);
  return (
    ordinal >= 0 &&
    parent === set.metadata.name &&
    pod.metadata.name === podName(set, ordinal) &&
    pod.metadata.namespace === set.metadata.namespace &&
    pod.metadata.labels?.[POD_NAME_LABEL] === pod.metadata.name
  );
}

/** storageMatches: every claim template is mounted from the pod's own claim. */
export function storageMatches(set: StatefulSet, pod: Pod): boolean {
  const ordinal = ordinalOf(pod);
  if (ordinal < 0) return false;
  const volumes = new Map((pod.spec?.volumes ?? []).map((v) => [v.name, v]));
  for (const t of set.spec?.volumeClaimTemplates ?? []) {
    const v = volumes.get(t.metadata?.name ?? '');
    if (v?.persistentVolumeClaim?.claimName !== claimName(set, t.metadata?.name ?? '', ordinal)) return false;
  }
  return true;
}

/** The claims of the pod with `ordinal`, by template name, as they are created (getPersistentVolumeClaims). */
export function claimsFor(set: StatefulSet, ordinal: number): Map<string, PersistentVolumeClaim> {
  const out = new Map<string, PersistentVolumeClaim>();
  const selectorLabels = set.spec?.selector?.matchLabels ?? {};
  for (const t of set.spec?.volumeClaimTemplates ?? []) {
    const template = t.metadata?.name ?? '';
    const claim: PersistentVolumeClaim = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        ...structuredClone(t.metadata ?? {}),
        name: claimName(set, template, ordinal),
        namespace: set.metadata.namespace,
        labels: { ...(t.metadata?.labels ?? {}), ...selectorLabels },
      },
      spec: structuredClone(t.spec ?? {}),
    };
    out.set(template, claim);
  }
  return out;
}

/** updateIdentity: name, namespace, pod-name and pod-index labels. */
export function updateIdentity(set: StatefulSet, pod: Pod): void {
  const ordinal = ordinalOf(pod);
  pod.metadata.name = podName(set, ordinal);
  pod.metadata.namespace = set.metadata.namespace;
  pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [POD_NAME_LABEL]: pod.metadata.name };
  pod.metadata.labels[POD_INDEX_LABEL] = String(ordinal);
}

/** updateStorage: the claim volumes (in template order), then the pod's other volumes. */
export function updateStorage(set: StatefulSet, pod: Pod): void {
  const ordinal = ordinalOf(pod);
  const templates = (set.spec?.volumeClaimTemplates ?? []).map((t) => t.metadata?.name ?? '');
  const volumes: Volume[] = templates.map((name) => ({
    name,
    persistentVolumeClaim: { claimName: claimName(set, name, ordinal) },
  }));
  for (const v of pod.spec?.volumes ?? []) if (!templates.includes(v.name)) volumes.push(v);
  pod.spec = { ...(pod.spec ?? ({} as PodSpec)), volumes };
}

/** newStatefulSetPod: the template with the member's identity and storage, owned by the set. */
export function newStatefulSetPod(set: StatefulSet, ordinal: number): Pod {
  const t = set.spec?.template;
  const meta = t?.metadata ?? {};
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: podName(set, ordinal),
      generateName: `${set.metadata.name}-`,
      namespace: set.metadata.namespace,
      ownerReferences: [newControllerRef(set, 'apps/v1', 'StatefulSet')],
    },
    spec: structuredClone(t?.spec ?? ({ containers: [] } as PodSpec)),
  };
  if (meta.labels) pod.metadata.labels = { ...meta.labels };
  if (meta.annotations) pod.metadata.annotations = { ...meta.annotations };
  if (meta.finalizers) pod.metadata.finalizers = [...meta.finalizers];
  updateIdentity(set, pod);
  // Hostname and subdomain are set once, at creation (they are immutable afterwards).
  pod.spec!.hostname = pod.metadata.name;
  if (set.spec?.serviceName) pod.spec!.subdomain = set.spec.serviceName;
  updateStorage(set, pod);
  return pod;
}

export function podRevision(pod: Pod): string {
  return pod.metadata.labels?.[REVISION_LABEL] ?? '';
}

export function setPodRevision(pod: Pod, revision: string): void {
  pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [REVISION_LABEL]: revision };
}

/**
 * newVersionedStatefulSetPod: ordinals below start + partition (or, without a rollingUpdate block, below
 * start + currentReplicas) are made at the current revision, the rest at the update revision.
 */
export function newVersionedPod(
  currentSet: StatefulSet,
  updateSet: StatefulSet,
  currentRevision: string,
  updateRevision: string,
  ordinal: number,
): Pod {
  const strategy = currentSet.spec?.updateStrategy;
  const start = startOrdinal(currentSet);
  const atCurrent =
    ((strategy?.type ?? 'RollingUpdate') === 'RollingUpdate' &&
      !strategy?.rollingUpdate &&
      ordinal < start + (currentSet.status?.currentReplicas ?? 0)) ||
    (!!strategy?.rollingUpdate && ordinal < start + (strategy.rollingUpdate.partition ?? 0));
  const pod = newStatefulSetPod(atCurrent ? currentSet : updateSet, ordinal);
  setPodRevision(pod, atCurrent ? currentRevision : updateRevision);
  return pod;
}

/** Created: the API server has given it a phase (objects built here have none). */
export const isCreated = (pod: Pod) => !!pod.status?.phase;
export const isPending = (pod: Pod) => pod.status?.phase === 'Pending';
export const isFailed = (pod: Pod) => pod.status?.phase === 'Failed';
export const isSucceeded = (pod: Pod) => pod.status?.phase === 'Succeeded';
export const isTerminating = (pod: Pod) => !!pod.metadata.deletionTimestamp;
export const isRunningAndReady = (pod: Pod) => pod.status?.phase === 'Running' && isPodReady(pod);
export const isHealthy = (pod: Pod) => isRunningAndReady(pod) && !isTerminating(pod);

export function isRunningAndAvailable(pod: Pod, minReadySeconds: number, nowMs: number): boolean {
  return isPodAvailable(pod, minReadySeconds, nowMs);
}
