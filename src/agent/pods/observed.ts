// What the runtime holds for one pod, as the pod worker sees it: sandboxes and containers identified by
// the agent's labels. Times are epoch milliseconds so the pure planners can compare them cheaply.
import type { ContainerState, SandboxState } from '../runtime/index.js';

export type ContainerKind = 'init' | 'regular';

export interface ObservedSandbox {
  id: string;
  state: SandboxState;
  attempt: number;
  createdAt: number;
  /** Empty until known (host-network sandboxes report none). */
  ip: string;
}

export interface ObservedContainer {
  id: string;
  sandboxId: string;
  name: string;
  kind: ContainerKind;
  /** Restarts before this container: 0 for the first run. */
  restartCount: number;
  specHash: string;
  state: ContainerState;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  exitCode: number;
  /** Runtime's reason for an exit, e.g. `Completed`, `Error`, `OOMKilled`. */
  reason: string;
  message: string;
  image: string;
  imageRef: string;
  /** Grace period the container was started with (for killing it after an agent restart). */
  graceSeconds?: number;
}

export interface ObservedPod {
  sandboxes: ObservedSandbox[];
  containers: ObservedContainer[];
}

export const EMPTY_OBSERVED: ObservedPod = { sandboxes: [], containers: [] };

/** The sandbox the pod lives in now: the newest one (a restarted sandbox gets a higher attempt). */
export function currentSandbox(o: ObservedPod): ObservedSandbox | undefined {
  let best: ObservedSandbox | undefined;
  for (const s of o.sandboxes) {
    if (!best || s.attempt > best.attempt || (s.attempt === best.attempt && s.createdAt > best.createdAt)) best = s;
  }
  return best;
}

/** Containers of one name and kind, newest first (by restart count, then creation time). */
export function containersNamed(o: ObservedPod, name: string, kind: ContainerKind): ObservedContainer[] {
  return o.containers
    .filter((c) => c.name === name && c.kind === kind)
    .sort((a, b) => b.restartCount - a.restartCount || b.createdAt - a.createdAt);
}
