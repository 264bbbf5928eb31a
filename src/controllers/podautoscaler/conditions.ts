// The HPA's status conditions (AbleToScale, ScalingActive, ScalingLimited) as upstream's setCondition:
// found by type or appended, lastTransitionTime moved only when the status changes.
import { rfc3339 } from '../../core/time.js';
import type { autoscalingv2 } from '../../core/types.js';

export type HpaCondition = autoscalingv2.HorizontalPodAutoscalerCondition;
export type ConditionStatus = 'True' | 'False' | 'Unknown';

export interface ConditionSpec {
  type: string;
  status: ConditionStatus;
  reason: string;
  message: string;
}

export function setCondition(list: HpaCondition[], c: ConditionSpec, nowMs: number): HpaCondition[] {
  const out = list.map((x) => ({ ...x }));
  let existing = out.find((x) => x.type === c.type);
  if (!existing) {
    existing = { type: c.type, status: '' };
    out.push(existing);
  }
  if (existing.status !== c.status) existing.lastTransitionTime = rfc3339(nowMs);
  existing.status = c.status;
  existing.reason = c.reason;
  existing.message = c.message;
  return out;
}
