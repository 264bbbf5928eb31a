// The pod status the agent reports (the kubelet's generateAPIPodStatus + getPhase), as a pure function of
// the pod, what the runtime holds, the probe results and the reasons the worker recorded for containers it
// could not start. Conditions keep their lastTransitionTime while their status does not change.
import { rfc3339 } from '../../core/time.js';
import type { Container, ContainerState, ContainerStatus, PodCondition, PodStatus } from '../../core/types.js';
import type { BoundPod } from '../types.js';
import {
  type ContainerKind,
  containersNamed,
  currentSandbox,
  type ObservedContainer,
  type ObservedPod,
} from './observed.js';
import { finishedPhase, restartPolicyOf } from './sync-plan.js';

export interface WaitingReason {
  reason: string;
  message?: string;
}

export interface StatusInput {
  pod: BoundPod;
  observed: ObservedPod;
  now: number;
  hostIP: string;
  /** Prefix of containerID, e.g. `containerd`. */
  runtimeName: string;
  /** Why a container is not running, keyed `init/<name>` or `regular/<name>` (ErrImagePull, CrashLoopBackOff...). */
  waiting: ReadonlyMap<string, WaitingReason>;
  /** Readiness probe results by container id; a container without a readiness probe is ready when running. */
  readiness: ReadonlyMap<string, boolean>;
  /** Startup probe results by container id; absent means started once running. */
  started: ReadonlyMap<string, boolean>;
}

export function waitingKey(kind: ContainerKind, name: string): string {
  return `${kind}/${name}`;
}

/**
 * Upstream writes an unset metav1.Time as `null` (`lastProbeTime: null`), and so does the agent, but
 * kubernetes-types types Time as a string only: this is the one place the agent says null anyway.
 */
const NULL_TIME = null as unknown as string;

const ts = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : rfc3339(ms));

function terminatedView(c: ObservedContainer, runtimeName: string): ContainerState {
  return {
    terminated: {
      exitCode: c.exitCode,
      reason: c.reason || (c.exitCode === 0 ? 'Completed' : 'Error'),
      ...(c.message ? { message: c.message } : {}),
      startedAt: ts(c.startedAt ?? c.createdAt),
      finishedAt: ts(c.finishedAt ?? c.startedAt ?? c.createdAt),
      containerID: `${runtimeName}://${c.id}`,
    },
  };
}

function containerStatus(
  spec: Container,
  kind: ContainerKind,
  input: StatusInput,
  current: ObservedPod,
  defaultWaiting: string,
): ContainerStatus {
  const runs = containersNamed(current, spec.name, kind);
  const [last, previous] = runs;
  const override = input.waiting.get(waitingKey(kind, spec.name));
  const image = spec.image ?? '';
  if (!last) {
    return {
      name: spec.name,
      state: { waiting: { reason: override?.reason ?? defaultWaiting, ...msg(override) } },
      lastState: {},
      ready: false,
      restartCount: 0,
      image,
      imageID: '',
      started: false,
    };
  }
  const base = {
    name: spec.name,
    restartCount: last.restartCount,
    image: last.image || image,
    imageID: last.imageRef,
    containerID: `${input.runtimeName}://${last.id}`,
  };
  if (last.state === 'running') {
    const started = input.started.get(last.id) ?? true;
    const ready = started && (spec.readinessProbe ? (input.readiness.get(last.id) ?? false) : true);
    return {
      ...base,
      state: { running: { startedAt: ts(last.startedAt ?? last.createdAt) } },
      lastState: previous?.state === 'exited' ? terminatedView(previous, input.runtimeName) : {},
      ready,
      started,
    };
  }
  if (last.state === 'exited') {
    // A container about to restart shows why it waits, with its last run as lastState.
    if (override) {
      return {
        ...base,
        state: { waiting: { reason: override.reason, ...msg(override) } },
        lastState: terminatedView(last, input.runtimeName),
        ready: false,
        started: false,
      };
    }
    return {
      ...base,
      state: terminatedView(last, input.runtimeName),
      lastState: previous?.state === 'exited' ? terminatedView(previous, input.runtimeName) : {},
      // A completed init container counts as ready, as upstream reports it.
      ready: kind === 'init' && last.exitCode === 0,
      started: false,
    };
  }
  return {
    ...base,
    state: { waiting: { reason: override?.reason ?? 'ContainerCreating', ...msg(override) } },
    lastState: previous?.state === 'exited' ? terminatedView(previous, input.runtimeName) : {},
    ready: false,
    started: false,
  };
}

function msg(w: WaitingReason | undefined): { message?: string } {
  return w?.message ? { message: w.message } : {};
}

function initComplete(pod: BoundPod, current: ObservedPod): { done: boolean; pending: string[] } {
  const pending: string[] = [];
  for (const ic of pod.spec.initContainers ?? []) {
    const last = containersNamed(current, ic.name, 'init')[0];
    if (!(last?.state === 'exited' && last.exitCode === 0)) pending.push(ic.name);
  }
  // Once a regular container has run, initialisation happened (its init containers may be collected).
  const regularRan = current.containers.some((c) => c.kind === 'regular');
  return { done: pending.length === 0 || regularRan, pending: regularRan ? [] : pending };
}

/** Phase from container states, in the order upstream's getPhase checks them. */
export function podPhase(
  pod: BoundPod,
  statuses: ContainerStatus[],
  initialized: boolean,
  observed: ObservedPod,
): 'Pending' | 'Running' | 'Succeeded' | 'Failed' {
  const finished = finishedPhase(pod, observed);
  if (finished) return finished;
  if (!initialized) return 'Pending';
  let waiting = 0;
  let running = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of statuses) {
    if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state?.waiting && s.lastState?.terminated) stopped++;
    else waiting++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    const policy = restartPolicyOf(pod);
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

function condition(
  type: string,
  ok: boolean,
  now: string,
  previous: PodCondition[] | undefined,
  reason?: string,
  message?: string,
): PodCondition {
  const status = ok ? 'True' : 'False';
  const prev = previous?.find((c) => c.type === type);
  const c: PodCondition = {
    type,
    status,
    lastProbeTime: NULL_TIME,
    lastTransitionTime: prev?.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : now,
  };
  if (!ok && reason) c.reason = reason;
  if (!ok && message) c.message = message;
  return c;
}

export function computePodStatus(input: StatusInput): PodStatus {
  const { pod, observed } = input;
  const previous = pod.status ?? {};
  const now = rfc3339(input.now);
  const sb = currentSandbox(observed);
  const current: ObservedPod = sb
    ? { sandboxes: [sb], containers: observed.containers.filter((c) => c.sandboxId === sb.id) }
    : { sandboxes: [], containers: [] };

  const init = initComplete(pod, current);
  const initStatuses = (pod.spec.initContainers ?? []).map((c) =>
    containerStatus(c, 'init', input, current, 'PodInitializing'),
  );
  const statuses = pod.spec.containers.map((c) =>
    containerStatus(c, 'regular', input, current, init.done ? 'ContainerCreating' : 'PodInitializing'),
  );
  // Init containers that are done with their run are not ready; finished ones report ready=false too.
  const phase = podPhase(pod, statuses, init.done, current);
  const unready = statuses.filter((s) => !s.ready).map((s) => s.name);
  const completed = phase === 'Succeeded' || phase === 'Failed';
  const readyReason = completed ? 'PodCompleted' : 'ContainersNotReady';
  const readyMessage = completed ? undefined : `containers with unready status: [${unready.join(' ')}]`;

  const conditions: PodCondition[] = [
    condition('PodReadyToStartContainers', !!sb && sb.state === 'ready', now, previous.conditions),
    condition(
      'Initialized',
      init.done,
      now,
      previous.conditions,
      'ContainersNotInitialized',
      `containers with incomplete status: [${init.pending.join(' ')}]`,
    ),
    condition('Ready', unready.length === 0 && !completed, now, previous.conditions, readyReason, readyMessage),
    condition(
      'ContainersReady',
      unready.length === 0 && !completed,
      now,
      previous.conditions,
      readyReason,
      readyMessage,
    ),
    condition('PodScheduled', true, now, previous.conditions),
  ];

  const hostNetwork = pod.spec.hostNetwork === true;
  const podIP = hostNetwork ? input.hostIP : (sb?.ip ?? previous.podIP ?? '');
  const status: PodStatus = {
    phase,
    conditions,
    hostIP: input.hostIP,
    hostIPs: [{ ip: input.hostIP }],
    startTime: previous.startTime ?? now,
    containerStatuses: statuses,
  };
  if (podIP) {
    status.podIP = podIP;
    status.podIPs = [{ ip: podIP }];
  }
  if (initStatuses.length) status.initContainerStatuses = initStatuses;
  if (previous.qosClass) status.qosClass = previous.qosClass;
  return status;
}
