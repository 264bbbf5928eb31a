// The StatefulSet's decisions as a pure function (upstream defaultStatefulSetControl.updateStatefulSet):
// which pods and claims to create, update and delete, in what order, and the status the observed pods imply.
//
// OrderedReady ("monotonic"): one step at a time in ordinal order; a pod is created only when every lower
// ordinal is Running, Ready and available, scale-down deletes the highest ordinal first and waits for it to
// go, and any pod that is not healthy stops the sync there. Parallel: every replica's work at once (in
// slow-start batches). Then rolling updates: pods at ordinal >= partition that are not at the update revision
// are deleted, highest first, while fewer than maxUnavailable replicas are unavailable (they come back at the
// update revision). OnDelete replaces pods only when someone deletes them.

import {
  type PersistentVolumeClaim,
  type Pod,
  type StatefulSet,
  scaledValueFromIntOrPercent,
  type appsv1,
} from '../../core/index.js';
import { claimOwnerRefs, claimOwnerUpToDate } from './claims.js';
import {
  claimsFor,
  identityMatches,
  inOrdinalRange,
  isCreated,
  isFailed,
  isHealthy,
  isPending,
  isRunningAndAvailable,
  isRunningAndReady,
  isSucceeded,
  isTerminating,
  newVersionedPod,
  ordinalOf,
  podRevision,
  replicasOf,
  startOrdinal,
  storageMatches,
  updateIdentity,
  updateStorage,
} from './identity.js';

export type StatefulSetStatus = appsv1.StatefulSetStatus;

export type StatefulAction =
  /** Create the missing claims (owner refs as the retention policy asks), then the pod. */
  | { kind: 'createPod'; pod: Pod; claims: PersistentVolumeClaim[] }
  /** Create claims a pending pod waits for. */
  | { kind: 'createClaims'; pod: Pod; claims: PersistentVolumeClaim[] }
  | { kind: 'deletePod'; pod: Pod; why: 'failed' | 'scale-down' | 'update' }
  /** PUT the pod with its identity (labels) or storage restored. */
  | { kind: 'updatePod'; pod: Pod }
  /** PUT the claim with the owner refs the retention policy asks for. */
  | { kind: 'updateClaim'; claim: PersistentVolumeClaim };

export interface PlanInput {
  set: StatefulSet;
  /** The set at its current and update revisions (template from each revision). */
  currentSet: StatefulSet;
  updateSet: StatefulSet;
  currentRevision: string;
  updateRevision: string;
  collisionCount: number;
  /** The set's pods (members it owns). */
  pods: Pod[];
  /** Claims of the namespace by name, as the informer has them. */
  claims: ReadonlyMap<string, PersistentVolumeClaim>;
  nowMs: number;
}

export interface StatefulSetPlan {
  status: StatefulSetStatus;
  /**
   * Phases in order; each phase is a list of groups, a group's actions one after another. Phases and groups
   * run one at a time when `parallel` is false, the groups of a phase in slow-start batches when true; the
   * first failure ends the run.
   */
  phases: StatefulAction[][][];
  parallel: boolean;
  /** Why an OrderedReady sync stopped where it did. */
  waiting?: string;
}

/** The counts of status from the pods (upstream computeReplicaStatus). */
export function countReplicas(
  pods: readonly Pod[],
  minReadySeconds: number,
  currentRevision: string,
  updateRevision: string,
  nowMs: number,
): Pick<StatefulSetStatus, 'replicas' | 'readyReplicas' | 'availableReplicas' | 'currentReplicas' | 'updatedReplicas'> {
  const s = { replicas: 0, readyReplicas: 0, availableReplicas: 0, currentReplicas: 0, updatedReplicas: 0 };
  for (const pod of pods) {
    if (isCreated(pod)) s.replicas++;
    if (isRunningAndReady(pod)) {
      s.readyReplicas++;
      if (isRunningAndAvailable(pod, minReadySeconds, nowMs)) s.availableReplicas++;
    }
    if (isCreated(pod) && !isTerminating(pod)) {
      if (podRevision(pod) === currentRevision) s.currentReplicas++;
      if (podRevision(pod) === updateRevision) s.updatedReplicas++;
    }
  }
  return s;
}

/** completeRollingUpdate: once every replica is updated and ready, the update revision becomes current. */
export function completeRollingUpdate(set: StatefulSet, status: StatefulSetStatus): StatefulSetStatus {
  const want = replicasOf(set);
  if (
    (set.spec?.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate' &&
    status.updatedReplicas === want &&
    status.readyReplicas === want &&
    status.replicas === want
  ) {
    return { ...status, currentReplicas: status.updatedReplicas, currentRevision: status.updateRevision };
  }
  return status;
}

/** getStatefulSetMaxUnavailable: an int or a share of replicas rounded down, at least 1. */
export function maxUnavailableOf(set: StatefulSet): number {
  const v = set.spec?.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1;
  return Math.max(1, scaledValueFromIntOrPercent(v, replicasOf(set), false));
}

interface Step {
  group: StatefulAction[];
  exit: boolean;
  waiting?: string;
}

export function planStatefulSet(input: PlanInput): StatefulSetPlan {
  const { set, currentSet, updateSet, currentRevision, updateRevision, claims, nowMs } = input;
  const minReady = set.spec?.minReadySeconds ?? 0;
  const pods = input.pods.filter((p) => ordinalOf(p) >= 0);
  let status: StatefulSetStatus = {
    observedGeneration: set.metadata.generation,
    currentRevision,
    updateRevision,
    collisionCount: input.collisionCount,
    ...countReplicas(pods, minReady, currentRevision, updateRevision, nowMs),
  };
  const done = (phases: StatefulAction[][][], parallel: boolean, waiting?: string): StatefulSetPlan => ({
    status: completeRollingUpdate(set, status),
    phases: phases.filter((p) => p.length > 0),
    parallel,
    ...(waiting ? { waiting } : {}),
  });

  // Replicas by ordinal in [start, start + replicas); the rest (valid ordinals) are condemned.
  const start = startOrdinal(set);
  const count = replicasOf(set);
  const replicas: Pod[] = new Array(count);
  const condemned: Pod[] = [];
  for (const pod of pods) {
    if (inOrdinalRange(pod, set)) replicas[ordinalOf(pod) - start] = pod;
    else condemned.push(pod);
  }
  for (let i = 0; i < count; i++) {
    replicas[i] ??= newVersionedPod(currentSet, updateSet, currentRevision, updateRevision, start + i);
  }
  condemned.sort((a, b) => ordinalOf(b) - ordinalOf(a));
  const firstUnhealthy = replicas.find((p) => !isHealthy(p)) ?? [...condemned].reverse().find((p) => !isHealthy(p));

  if (set.metadata.deletionTimestamp) return done([], false);
  const monotonic = set.spec?.podManagementPolicy !== 'Parallel';

  const existingClaims = (pod: Pod) =>
    [...claimsFor(set, ordinalOf(pod)).values()]
      .map((c) => claims.get(c.metadata.name ?? ''))
      .filter((c): c is PersistentVolumeClaim => c !== undefined);
  const missingClaims = (target: StatefulSet, pod: Pod) =>
    [...claimsFor(target, ordinalOf(pod)).values()]
      .filter((c) => !claims.has(c.metadata.name ?? ''))
      .map((c) => {
        const refs = claimOwnerRefs(c, target, pod);
        if (refs.length > 0) c.metadata.ownerReferences = refs;
        return c;
      });
  const claimFixes = (target: StatefulSet, pod: Pod): StatefulAction[] =>
    existingClaims(pod)
      .filter((c) => !claimOwnerUpToDate(c, target, pod))
      .map((c) => ({
        kind: 'updateClaim',
        claim: { ...c, metadata: { ...c.metadata, ownerReferences: claimOwnerRefs(c, target, pod) } },
      }));

  const processReplica = (pod: Pod): Step => {
    const name = pod.metadata.name;
    // Failed and succeeded pods are deleted and made again (a stopped pod's phase follows its exit code).
    if (isFailed(pod) || isSucceeded(pod)) {
      return {
        group: isTerminating(pod) ? [] : [{ kind: 'deletePod', pod, why: 'failed' }],
        exit: true,
        waiting: `recreating ${name}`,
      };
    }
    const group: StatefulAction[] = [];
    if (!isCreated(pod)) {
      if (existingClaims(pod).some((c) => c.metadata.deletionTimestamp)) {
        return { group, exit: true, waiting: `a claim of ${name} is being deleted` };
      }
      group.push({ kind: 'createPod', pod, claims: missingClaims(set, pod) });
      // A pod built here has no phase yet: none of the checks below can hold it back in Parallel mode.
      return { group, exit: monotonic, waiting: `creating ${name}` };
    }
    if (isPending(pod)) {
      const missing = missingClaims(set, pod);
      if (missing.length > 0) group.push({ kind: 'createClaims', pod, claims: missing });
    }
    if (monotonic && isTerminating(pod)) return { group, exit: true, waiting: `${name} to terminate` };
    if (monotonic && !isRunningAndReady(pod)) return { group, exit: true, waiting: `${name} to be Running and Ready` };
    if (monotonic && !isRunningAndAvailable(pod, minReady, nowMs)) {
      return { group, exit: true, waiting: `${name} to be available` };
    }
    const fixes = claimFixes(updateSet, pod);
    if (identityMatches(set, pod) && storageMatches(set, pod) && fixes.length === 0) return { group, exit: false };
    if (!identityMatches(set, pod) || !storageMatches(set, pod)) {
      const desired = structuredClone(pod);
      if (!identityMatches(set, pod)) updateIdentity(updateSet, desired);
      if (!storageMatches(set, pod)) {
        updateStorage(updateSet, desired);
        const missing = missingClaims(updateSet, desired);
        if (missing.length > 0) group.push({ kind: 'createClaims', pod: desired, claims: missing });
      }
      group.push({ kind: 'updatePod', pod: desired });
    }
    group.push(...fixes);
    return { group, exit: false };
  };

  const processCondemned = (pod: Pod): Step => {
    const name = pod.metadata.name;
    if (isTerminating(pod)) return { group: [], exit: monotonic, waiting: `${name} to terminate before scaling down` };
    if (monotonic && pod !== firstUnhealthy && !isRunningAndReady(pod)) {
      return {
        group: [],
        exit: true,
        waiting: `${firstUnhealthy?.metadata.name} to be Running and Ready before scaling down`,
      };
    }
    if (monotonic && pod !== firstUnhealthy && !isRunningAndAvailable(pod, minReady, nowMs)) {
      return { group: [], exit: true, waiting: `${firstUnhealthy?.metadata.name} to be available before scaling down` };
    }
    return { group: [{ kind: 'deletePod', pod, why: 'scale-down' }], exit: true, waiting: `${name} to go` };
  };

  const phases: StatefulAction[][][] = [];
  /** Runs steps as upstream runForAll: monotonic stops at the first exit; Parallel takes every group. */
  const runForAll = (steps: Step[]): { stopped: boolean; waiting?: string } => {
    const groups: StatefulAction[][] = [];
    phases.push(groups);
    for (const s of steps) {
      if (s.group.length > 0) groups.push(s.group);
      if (monotonic && s.exit) return { stopped: true, waiting: s.waiting };
    }
    return { stopped: false };
  };
  /** Each item's step; in monotonic mode nothing after the first exit is decided. */
  const collect = <T>(items: T[], fn: (t: T) => Step): Step[] => {
    const out: Step[] = [];
    for (const item of items) {
      const s = fn(item);
      out.push(s);
      if (monotonic && s.exit) break;
    }
    return out;
  };

  let r = runForAll(collect(replicas, processReplica));
  if (r.stopped) return done(phases, !monotonic, r.waiting);
  r = runForAll(collect(condemned, (pod) => ({ group: claimFixes(updateSet, pod), exit: false })));
  if (r.stopped) return done(phases, !monotonic, r.waiting);
  r = runForAll(collect(condemned, processCondemned));
  if (r.stopped) return done(phases, !monotonic, r.waiting);

  if (set.spec?.updateStrategy?.type === 'OnDelete') return done(phases, !monotonic);

  // Rolling update (updateStatefulSetAfterInvariantEstablished).
  const partition = set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
  const maxUnavailable = maxUnavailableOf(set);
  const deleted = new Set(
    phases
      .flat(2)
      .filter((a) => a.kind === 'deletePod')
      .map((a) => (a as { pod: Pod }).pod.metadata.name),
  );
  const unavailable = replicas.filter((p) => !isHealthy(p)).length;
  if (unavailable >= maxUnavailable) {
    return done(phases, !monotonic, `${unavailable} unavailable pods, maxUnavailable ${maxUnavailable}`);
  }
  const updates: StatefulAction[][] = [];
  for (let i = replicas.length - 1; i >= partition && updates.length < maxUnavailable - unavailable; i--) {
    const pod = replicas[i]!;
    if (podRevision(pod) === updateRevision || isTerminating(pod) || deleted.has(pod.metadata.name)) continue;
    updates.push([{ kind: 'deletePod', pod, why: 'update' }]);
    status = { ...status, currentReplicas: (status.currentReplicas ?? 0) - 1 };
  }
  phases.push(updates);
  return done(phases, !monotonic, updates.length > 0 ? 'rolling update in progress' : undefined);
}
