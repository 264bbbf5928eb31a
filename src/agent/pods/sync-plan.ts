// The pod sync decision (the kubelet's computePodActions), as a pure function: given the pod's spec and what
// the runtime holds for it, which containers to kill, start or leave waiting in back-off, whether the
// sandbox must be (re)created, and whether the pod has finished. The worker executes the plan and calls
// this again on the next change, so every plan is one step towards the spec, safe to recompute.
import type { Container } from '../../core/types.js';
import type { BoundPod } from '../types.js';
import { containerSpecHash } from './labels.js';
import {
  type ContainerKind,
  containersNamed,
  currentSandbox,
  type ObservedContainer,
  type ObservedPod,
} from './observed.js';

export interface ContainerKill {
  id: string;
  name: string;
  /** Why, for the Killing event. */
  message: string;
}

export interface ContainerStart {
  name: string;
  kind: ContainerKind;
  restartCount: number;
}

export interface BackoffWait {
  name: string;
  kind: ContainerKind;
  waitMs: number;
}

export interface PodSyncPlan {
  /** Stop and remove every container and sandbox, then create a new sandbox. */
  createSandbox: boolean;
  sandboxAttempt: number;
  /** Sandboxes to stop and remove (old or broken ones). */
  removeSandboxes: string[];
  killContainers: ContainerKill[];
  /** Exited containers no longer needed for status (older than the last two runs of a name). */
  removeContainers: string[];
  start: ContainerStart[];
  backoff: BackoffWait[];
  /** Set when the pod has run to completion: nothing restarts any more. */
  finished?: 'Succeeded' | 'Failed';
  /** Stop the (ready) sandbox of a finished pod to free its IP. */
  stopSandbox?: string;
}

export interface PlanInput {
  pod: BoundPod;
  observed: ObservedPod;
  /** Milliseconds a container must still wait before a restart (CrashLoopBackOff); 0 if it may restart. */
  backoffRemaining(kind: ContainerKind, last: ObservedContainer): number;
  /** Running containers a failed liveness or startup probe condemned, by id -> message. */
  unhealthy: ReadonlyMap<string, string>;
}

/** `Always`, `OnFailure` or `Never` (defaulted by the API server; `Always` if absent). */
export function restartPolicyOf(pod: BoundPod): string {
  return pod.spec.restartPolicy ?? 'Always';
}

function shouldRestart(policy: string, exitCode: number): boolean {
  return policy === 'Always' || (policy === 'OnFailure' && exitCode !== 0);
}

/** Whether the pod's regular containers have all finished for good under its restart policy. */
export function finishedPhase(pod: BoundPod, observed: ObservedPod): 'Succeeded' | 'Failed' | undefined {
  const policy = restartPolicyOf(pod);
  if (policy === 'Always') return undefined;
  const sb = currentSandbox(observed);
  if (!sb) return undefined;
  const inSandbox: ObservedPod = {
    sandboxes: [sb],
    containers: observed.containers.filter((c) => c.sandboxId === sb.id),
  };
  // An init container that failed under Never fails the pod.
  if (policy === 'Never') {
    for (const ic of pod.spec.initContainers ?? []) {
      const last = containersNamed(inSandbox, ic.name, 'init')[0];
      if (last?.state === 'exited' && last.exitCode !== 0) return 'Failed';
    }
  }
  let failed = false;
  for (const c of pod.spec.containers) {
    const last = containersNamed(inSandbox, c.name, 'regular')[0];
    if (!last || last.state !== 'exited') return undefined;
    if (last.exitCode !== 0) {
      if (policy === 'OnFailure') return undefined;
      failed = true;
    }
  }
  return failed ? 'Failed' : 'Succeeded';
}

export function planPodSync(input: PlanInput): PodSyncPlan {
  const { pod, observed } = input;
  const policy = restartPolicyOf(pod);
  const plan: PodSyncPlan = {
    createSandbox: false,
    sandboxAttempt: 0,
    removeSandboxes: [],
    killContainers: [],
    removeContainers: [],
    start: [],
    backoff: [],
  };
  const sb = currentSandbox(observed);
  plan.removeSandboxes = observed.sandboxes.filter((s) => s !== sb).map((s) => s.id);
  // Containers outside the current sandbox belong to an old pod incarnation.
  for (const c of observed.containers) {
    if (!sb || c.sandboxId !== sb.id) {
      if (c.state === 'running' || c.state === 'created') plan.killContainers.push(kill(c, 'old sandbox'));
      plan.removeContainers.push(c.id);
    }
  }

  const finished = finishedPhase(pod, observed);
  if (finished) {
    plan.finished = finished;
    if (sb?.state === 'ready') plan.stopSandbox = sb.id;
    return plan;
  }

  if (!sb || sb.state !== 'ready') {
    plan.createSandbox = true;
    plan.sandboxAttempt = sb ? sb.attempt + 1 : 0;
    if (sb) plan.removeSandboxes.push(sb.id);
    for (const c of observed.containers) {
      if (sb && c.sandboxId === sb.id && (c.state === 'running' || c.state === 'created')) {
        plan.killContainers.push(kill(c, 'pod sandbox changed'));
      }
    }
    const first = pod.spec.initContainers?.[0];
    const restartBase = (name: string, kind: ContainerKind) => {
      const prev = containersNamed(observed, name, kind)[0];
      return prev ? prev.restartCount + 1 : 0;
    };
    if (first) plan.start.push({ name: first.name, kind: 'init', restartCount: restartBase(first.name, 'init') });
    else {
      for (const c of pod.spec.containers) {
        plan.start.push({ name: c.name, kind: 'regular', restartCount: restartBase(c.name, 'regular') });
      }
    }
    return plan;
  }

  const current: ObservedPod = {
    sandboxes: [sb],
    containers: observed.containers.filter((c) => c.sandboxId === sb.id),
  };
  collectGarbage(pod, current, plan);

  const initialized = planInitContainers(pod, current, policy, input, plan);
  if (!initialized) return plan;

  for (const spec of pod.spec.containers) planContainer(spec, 'regular', current, policy, input, plan);
  return plan;
}

function kill(c: ObservedContainer, message: string): ContainerKill {
  return { id: c.id, name: c.name, message };
}

/** Keeps the newest two runs of each container (the current one and the one `lastState` shows). */
function collectGarbage(pod: BoundPod, current: ObservedPod, plan: PodSyncPlan): void {
  const known = new Set<string>();
  for (const c of pod.spec.initContainers ?? []) known.add(`init/${c.name}`);
  for (const c of pod.spec.containers) known.add(`regular/${c.name}`);
  const seen = new Map<string, number>();
  const ordered = [...current.containers].sort((a, b) => b.restartCount - a.restartCount || b.createdAt - a.createdAt);
  for (const c of ordered) {
    const key = `${c.kind}/${c.name}`;
    if (!known.has(key)) {
      if (c.state === 'running' || c.state === 'created') plan.killContainers.push(kill(c, 'not in the pod spec'));
      plan.removeContainers.push(c.id);
      continue;
    }
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    if (n > 2 && c.state !== 'running') plan.removeContainers.push(c.id);
  }
}

/** Returns true once every init container has succeeded. */
function planInitContainers(
  pod: BoundPod,
  current: ObservedPod,
  policy: string,
  input: PlanInput,
  plan: PodSyncPlan,
): boolean {
  for (const spec of pod.spec.initContainers ?? []) {
    const last = containersNamed(current, spec.name, 'init')[0];
    if (!last) {
      plan.start.push({ name: spec.name, kind: 'init', restartCount: 0 });
      return false;
    }
    if (last.state === 'running') {
      const why = input.unhealthy.get(last.id);
      if (why) plan.killContainers.push(kill(last, why));
      return false;
    }
    if (last.state === 'created' || last.state === 'unknown') {
      plan.killContainers.push(kill(last, 'container did not start'));
      plan.start.push({ name: spec.name, kind: 'init', restartCount: last.restartCount + 1 });
      return false;
    }
    if (last.exitCode === 0) continue;
    // Init containers restart on failure unless the pod never restarts (then finishedPhase failed it).
    if (policy === 'Never') return false;
    restartOrWait(spec, 'init', last, input, plan);
    return false;
  }
  return true;
}

function planContainer(
  spec: Container,
  kind: ContainerKind,
  current: ObservedPod,
  policy: string,
  input: PlanInput,
  plan: PodSyncPlan,
): void {
  const last = containersNamed(current, spec.name, kind)[0];
  if (!last) {
    plan.start.push({ name: spec.name, kind, restartCount: 0 });
    return;
  }
  if (last.state === 'running') {
    const why =
      input.unhealthy.get(last.id) ??
      (last.specHash !== containerSpecHash(spec) ? 'container spec changed, will be restarted' : undefined);
    if (why) {
      plan.killContainers.push(kill(last, why));
      // The next plan sees it exited and restarts it per policy and back-off.
    }
    return;
  }
  if (last.state === 'created' || last.state === 'unknown') {
    plan.killContainers.push(kill(last, 'container did not start'));
    plan.start.push({ name: spec.name, kind, restartCount: last.restartCount + 1 });
    return;
  }
  const specChanged = last.specHash !== containerSpecHash(spec);
  if (!shouldRestart(policy, last.exitCode) && !(specChanged && policy !== 'Never')) return;
  restartOrWait(spec, kind, last, input, plan);
}

function restartOrWait(
  spec: Container,
  kind: ContainerKind,
  last: ObservedContainer,
  input: PlanInput,
  plan: PodSyncPlan,
): void {
  const waitMs = input.backoffRemaining(kind, last);
  if (waitMs > 0) plan.backoff.push({ name: spec.name, kind, waitMs });
  else plan.start.push({ name: spec.name, kind, restartCount: last.restartCount + 1 });
}
