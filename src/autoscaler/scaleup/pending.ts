// Which pods ask for a scale-up: the scheduler marked them PodScheduled=False/Unschedulable, they are not
// bound, not finished, not being deleted, and are older than the scale-up delay (upstream
// --new-pod-scale-up-delay, counted from creation).

import { isPodTerminal, podCondition } from '../../core/pods.js';
import { parseTime } from '../../core/time.js';
import type { Pod } from '../../core/types.js';

export function isUnschedulable(pod: Pod): boolean {
  if (pod.spec?.nodeName || pod.metadata.deletionTimestamp || isPodTerminal(pod)) return false;
  const c = podCondition(pod, 'PodScheduled');
  return c?.status === 'False' && c.reason === 'Unschedulable';
}

export interface PendingPods {
  /** Unschedulable pods old enough to count. */
  ready: Pod[];
  /** When the youngest of the others becomes old enough (ms), if any is waiting. */
  nextAt?: number;
}

export function pendingForScaleUp(pods: Iterable<Pod>, now: number, delayMs: number): PendingPods {
  const out: PendingPods = { ready: [] };
  for (const p of pods) {
    if (!isUnschedulable(p)) continue;
    const created = parseTime(p.metadata.creationTimestamp ?? '') ?? 0;
    const at = created + delayMs;
    if (at <= now) out.ready.push(p);
    else out.nextAt = Math.min(out.nextAt ?? at, at);
  }
  return out;
}
