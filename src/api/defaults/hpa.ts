// HorizontalPodAutoscaler defaults: autoscaling/v2 (minReplicas, CPU 80% metric, behavior rules) and v1.
import type { KubeObject } from '../../core/types.js';
import { asObj, child, setDefault } from './access.js';

export const DEFAULT_CPU_UTILIZATION = 80;

/** Upstream GenerateHPAScaleUpRules / GenerateHPAScaleDownRules: fill the unset parts of one direction. */
export function scalingRules(rules: unknown, direction: 'scaleUp' | 'scaleDown'): Record<string, unknown> {
  const given = asObj(rules) ?? {};
  const defaults: Record<string, unknown> =
    direction === 'scaleUp'
      ? {
          stabilizationWindowSeconds: 0,
          selectPolicy: 'Max',
          policies: [
            { type: 'Pods', value: 4, periodSeconds: 15 },
            { type: 'Percent', value: 100, periodSeconds: 15 },
          ],
        }
      : { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] };
  const out = { ...defaults };
  for (const k of ['stabilizationWindowSeconds', 'selectPolicy', 'policies', 'tolerance']) {
    if (given[k] !== undefined && given[k] !== null) out[k] = given[k];
  }
  return out;
}

export function defaultHPA(o: KubeObject): void {
  const spec = child(o, 'spec');
  setDefault(spec, 'minReplicas', 1);
  if (o.apiVersion === 'autoscaling/v1') return;
  if (!Array.isArray(spec.metrics) || spec.metrics.length === 0) {
    spec.metrics = [
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: DEFAULT_CPU_UTILIZATION } },
      },
    ];
  }
  const behavior = asObj(spec.behavior);
  if (behavior) {
    behavior.scaleUp = scalingRules(behavior.scaleUp, 'scaleUp');
    behavior.scaleDown = scalingRules(behavior.scaleDown, 'scaleDown');
  }
}
