// HorizontalPodAutoscaler rows (upstream's printHorizontalPodAutoscaler / formatHPAMetrics). autoscaling/v2
// objects list metrics; autoscaling/v1 ones carry a single CPU utilization target.
import type { TableSpec } from '../policy.js';
import type { KubeObject } from '../../core/types.js';
import { at, list, num, optNum, str } from './access.js';
import { ageColumn, column, nameColumn } from './columns.js';
import { ageSince } from './duration.js';

const UNKNOWN = '<unknown>';
const quantity = (v: unknown): string => (typeof v === 'number' ? String(v) : str(v) || '0');
const percent = (v: unknown): string | undefined => (typeof v === 'number' ? `${v}%` : undefined);

/** One metric as `current/target`, upstream's spelling per source type. */
function formatMetric(spec: unknown, status: unknown): string {
  switch (str(at(spec, 'type'))) {
    case 'External':
    case 'Object': {
      const key = str(at(spec, 'type')) === 'External' ? 'external' : 'object';
      const target = at(spec, key, 'target');
      const current = status === undefined ? undefined : at(status, key, 'current');
      if (at(target, 'averageValue') !== undefined) {
        const cur = at(current, 'averageValue') !== undefined ? quantity(at(current, 'averageValue')) : UNKNOWN;
        return `${cur}/${quantity(at(target, 'averageValue'))} (avg)`;
      }
      const cur = at(status, key) !== undefined ? quantity(at(current, 'value')) : UNKNOWN;
      return `${cur}/${quantity(at(target, 'value'))}`;
    }
    case 'Pods': {
      const cur = at(status, 'pods') !== undefined ? quantity(at(status, 'pods', 'current', 'averageValue')) : UNKNOWN;
      return `${cur}/${quantity(at(spec, 'pods', 'target', 'averageValue'))}`;
    }
    case 'Resource':
    case 'ContainerResource': {
      const key = str(at(spec, 'type')) === 'Resource' ? 'resource' : 'containerResource';
      const name = str(at(spec, key, 'name'));
      const target = at(spec, key, 'target');
      if (at(target, 'averageValue') !== undefined) {
        const cur = at(status, key) !== undefined ? quantity(at(status, key, 'current', 'averageValue')) : UNKNOWN;
        return `${name}: ${cur}/${quantity(at(target, 'averageValue'))}`;
      }
      const cur = percent(at(status, key, 'current', 'averageUtilization')) ?? UNKNOWN;
      return `${name}: ${cur}/${percent(at(target, 'averageUtilization')) ?? '<auto>'}`;
    }
    default:
      return '<unknown type>';
  }
}

export function hpaTargets(hpa: KubeObject): string {
  const v1Target = optNum(at(hpa, 'spec', 'targetCPUUtilizationPercentage'));
  if (v1Target !== undefined) {
    const current = percent(at(hpa, 'status', 'currentCPUUtilizationPercentage')) ?? UNKNOWN;
    return `cpu: ${current}/${v1Target}%`;
  }
  const specs = list(at(hpa, 'spec', 'metrics'));
  if (specs.length === 0) return '<none>';
  const statuses = list(at(hpa, 'status', 'currentMetrics'));
  const max = 2;
  const shown = specs
    .slice(0, max)
    .map((s, i) => formatMetric(s, statuses[i]))
    .join(', ');
  return specs.length > max ? `${shown} + ${specs.length - max} more...` : shown;
}

export const hpaTable: TableSpec = {
  columns: [
    nameColumn(),
    column('Reference', 'string', 'scaleTargetRef points to the target resource to scale.'),
    column(
      'Targets',
      'string',
      'metrics contains the specifications for which to use to calculate the desired replica count.',
    ),
    column(
      'MinPods',
      'string',
      'minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.',
    ),
    column(
      'MaxPods',
      'string',
      'maxReplicas is the upper limit for the number of pods that can be set by the autoscaler.',
    ),
    column('Replicas', 'string', 'currentReplicas is current number of replicas of pods managed by this autoscaler.'),
    ageColumn(),
  ],
  row: (hpa, now) => {
    const min = optNum(at(hpa, 'spec', 'minReplicas'));
    return [
      hpa.metadata.name ?? '',
      `${str(at(hpa, 'spec', 'scaleTargetRef', 'kind'))}/${str(at(hpa, 'spec', 'scaleTargetRef', 'name'))}`,
      hpaTargets(hpa),
      min === undefined ? '<unset>' : String(min),
      num(at(hpa, 'spec', 'maxReplicas')),
      num(at(hpa, 'status', 'currentReplicas')),
      ageSince(hpa.metadata.creationTimestamp, now),
    ];
  },
};
