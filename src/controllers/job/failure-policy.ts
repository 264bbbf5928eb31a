// Pure: a Job's podFailurePolicy applied to one failed pod (upstream pkg/controller/job/pod_failure_policy.go
// matchPodFailurePolicy): the first rule that matches decides — FailJob (with upstream's message), FailIndex,
// Ignore (the failure does not count towards backoffLimit) or Count; no match counts the failure.

import type { Job, Pod } from '../../core/index.js';
import type { batchv1, corev1 } from '../../core/types.js';

export type FailureAction = 'FailJob' | 'FailIndex' | 'Ignore' | 'Count';

export interface FailureVerdict {
  action: FailureAction;
  /** Whether the failure counts towards backoffLimit (false only for Ignore). */
  counts: boolean;
  /** The job's FailureTarget/Failed message, for FailJob. */
  message?: string;
  /** The index of the matching rule, if any. */
  rule?: number;
}

function matchingContainer(
  statuses: readonly corev1.ContainerStatus[] | undefined,
  req: batchv1.PodFailurePolicyOnExitCodesRequirement,
): corev1.ContainerStatus | undefined {
  for (const cs of statuses ?? []) {
    const code = cs.state?.terminated?.exitCode;
    // A container still running or terminating has no exit code; exit code 0 never matches (either operator).
    if (code === undefined || code === 0) continue;
    if (req.containerName && req.containerName !== cs.name) continue;
    const listed = (req.values ?? []).includes(code);
    if (req.operator === 'In' ? listed : req.operator === 'NotIn' ? !listed : false) return cs;
  }
  return undefined;
}

export function matchPodFailurePolicy(job: Job, pod: Pod): FailureVerdict {
  const rules = job.spec?.podFailurePolicy?.rules ?? [];
  const ns = pod.metadata.namespace ?? '';
  const name = pod.metadata.name ?? '';
  const perIndex = job.spec?.backoffLimitPerIndex != null;
  for (const [i, rule] of rules.entries()) {
    let message: string | undefined;
    if (rule.onExitCodes) {
      const req = rule.onExitCodes;
      const cs =
        matchingContainer(pod.status?.containerStatuses, req) ??
        matchingContainer(pod.status?.initContainerStatuses, req);
      if (!cs) continue;
      message = `Container ${cs.name} for pod ${ns}/${name} failed with exit code ${cs.state?.terminated?.exitCode} matching ${rule.action} rule at index ${i}`;
    } else if (rule.onPodConditions) {
      const cond = (pod.status?.conditions ?? []).find((c) =>
        rule.onPodConditions?.some((r) => r.type === c.type && (r.status ?? 'True') === c.status),
      );
      if (!cond) continue;
      message = `Pod ${ns}/${name} has condition ${cond.type} matching ${rule.action} rule at index ${i}`;
    } else continue;
    switch (rule.action) {
      case 'Ignore':
        return { action: 'Ignore', counts: false, rule: i };
      case 'Count':
        return { action: 'Count', counts: true, rule: i };
      case 'FailJob':
        return { action: 'FailJob', counts: true, message, rule: i };
      case 'FailIndex':
        // Only meaningful with backoffLimitPerIndex; upstream skips the rule otherwise.
        if (perIndex) return { action: 'FailIndex', counts: true, rule: i };
        continue;
      default:
        continue;
    }
  }
  return { action: 'Count', counts: true };
}
