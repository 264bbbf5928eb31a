// Pod field-selector attributes (pkg/registry/core/pod/strategy.go ToSelectableFields).
import type { KubeObject } from '../../core/types.js';
import { fieldText, valueAt } from './access.js';

export function podFields(pod: KubeObject): Record<string, string> {
  const podIPs = valueAt(pod, ['status', 'podIPs']);
  const firstIP = Array.isArray(podIPs) ? valueAt(podIPs[0], ['ip']) : undefined;
  return {
    'spec.nodeName': fieldText(pod, 'spec', 'nodeName'),
    'spec.restartPolicy': fieldText(pod, 'spec', 'restartPolicy'),
    'spec.schedulerName': fieldText(pod, 'spec', 'schedulerName'),
    'spec.serviceAccountName': fieldText(pod, 'spec', 'serviceAccountName'),
    // Upstream prints the bool, defaulting to false when unset.
    'spec.hostNetwork': String(valueAt(pod, ['spec', 'hostNetwork']) === true),
    'status.phase': fieldText(pod, 'status', 'phase'),
    'status.podIP': typeof firstIP === 'string' ? firstIP : fieldText(pod, 'status', 'podIP'),
    'status.nominatedNodeName': fieldText(pod, 'status', 'nominatedNodeName'),
  };
}
