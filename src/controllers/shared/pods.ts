// Pod and object predicates the workload controllers share (upstream podutil.IsPodAvailable and the
// creation-time ordering of controller_utils).
import { type KubeObject, type Pod, parseTime, podCondition } from '../../core/index.js';

/** Ready for at least minReadySeconds, judged from the Ready condition's lastTransitionTime. */
export function isPodAvailable(pod: Pod, minReadySeconds: number, nowMs: number): boolean {
  const ready = podCondition(pod, 'Ready');
  if (ready?.status !== 'True') return false;
  if (minReadySeconds <= 0) return true;
  const since = parseTime(ready.lastTransitionTime);
  return since !== undefined && since + minReadySeconds * 1000 <= nowMs;
}

/** metadata.creationTimestamp in ms, 0 when absent or unparseable (sorts first). */
export function creationMs(obj: Pick<KubeObject, 'metadata'>): number {
  return parseTime(obj.metadata.creationTimestamp) ?? 0;
}
