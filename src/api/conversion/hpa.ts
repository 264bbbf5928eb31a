// autoscaling/v1 <-> autoscaling/v2 (storage) HorizontalPodAutoscaler, after pkg/apis/autoscaling/v1/conversion.go.
// v1 has only the CPU utilization target; the other metrics, current metrics, conditions and behavior ride in
// `autoscaling.alpha.kubernetes.io/*` annotations so a v1 read-modify-write loses nothing.
import type { VersionConverter } from '../policy.js';
import type { KubeObject } from '../../core/types.js';
import { metricSpecFromV1, metricSpecToV1, metricStatusFromV1, metricStatusToV1 } from './hpa-metrics.js';
import { annotationJson, asObj, metadataWithout, type Obj, pick, present, setAnnotation } from './json.js';

export const METRIC_SPECS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/metrics';
export const METRIC_STATUSES_ANNOTATION = 'autoscaling.alpha.kubernetes.io/current-metrics';
export const CONDITIONS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/conditions';
export const BEHAVIOR_ANNOTATION = 'autoscaling.alpha.kubernetes.io/behavior';
const ROUND_TRIP = [METRIC_SPECS_ANNOTATION, METRIC_STATUSES_ANNOTATION, CONDITIONS_ANNOTATION, BEHAVIOR_ANNOTATION];
const DEFAULT_CPU_UTILIZATION = 80;

const objects = (v: unknown): Obj[] => (Array.isArray(v) ? v.map((x) => asObj(x) ?? {}) : []);

const isCpu = (m: Obj) => m.type === 'Resource' && asObj(m.resource)?.name === 'cpu';
const isCpuUtilization = (m: Obj) => isCpu(m) && present(asObj(asObj(m.resource)?.target)?.averageUtilization);

/**
 * Upstream marshals the internal Go behavior struct, which has no json tags: keys are Go field names
 * (ScaleUp, StabilizationWindowSeconds, ...). Go reads them back case-insensitively; so do we.
 */
function recase(v: unknown, f: (k: string) => string): unknown {
  if (Array.isArray(v)) return v.map((x) => recase(x, f));
  const o = asObj(v);
  if (!o) return v;
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [f(k), recase(x, f)]));
}
const upperFirst = (k: string) => k.charAt(0).toUpperCase() + k.slice(1);
const lowerFirst = (k: string) => k.charAt(0).toLowerCase() + k.slice(1);

function toV1(o: KubeObject): KubeObject {
  const spec = asObj(o.spec) ?? {};
  const status = asObj(o.status) ?? {};
  const metrics = objects(spec.metrics);
  const currentMetrics = objects(status.currentMetrics);
  const conditions = objects(status.conditions);
  const metadata = metadataWithout(o, ROUND_TRIP);

  const v1Spec: Obj = {
    scaleTargetRef: pick(spec.scaleTargetRef, ['kind', 'name', 'apiVersion']),
    ...pick(spec, ['minReplicas', 'maxReplicas']),
  };
  const cpu = metrics.find(isCpu);
  const cpuTarget = asObj(asObj(cpu?.resource)?.target)?.averageUtilization;
  if (present(cpuTarget)) v1Spec.targetCPUUtilizationPercentage = cpuTarget;

  const v1Status: Obj = {
    ...pick(status, ['observedGeneration', 'lastScaleTime']),
    currentReplicas: status.currentReplicas ?? 0,
    desiredReplicas: status.desiredReplicas ?? 0,
  };
  for (const m of currentMetrics) {
    const util = asObj(asObj(m.resource)?.current)?.averageUtilization;
    if (isCpu(m) && present(util)) v1Status.currentCPUUtilizationPercentage = util;
  }

  const others = metrics.filter((m) => !isCpuUtilization(m));
  if (others.length) setAnnotation(metadata, METRIC_SPECS_ANNOTATION, others.map(metricSpecToV1));
  if (currentMetrics.length) setAnnotation(metadata, METRIC_STATUSES_ANNOTATION, currentMetrics.map(metricStatusToV1));
  if (conditions.length) setAnnotation(metadata, CONDITIONS_ANNOTATION, conditions);
  if (present(spec.behavior)) setAnnotation(metadata, BEHAVIOR_ANNOTATION, recase(spec.behavior, upperFirst));

  return { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata, spec: v1Spec, status: v1Status };
}

function fromV1(o: KubeObject): KubeObject {
  const spec = asObj(o.spec) ?? {};
  const status = asObj(o.status) ?? {};
  const v2Spec: Obj = {
    scaleTargetRef: pick(spec.scaleTargetRef, ['kind', 'name', 'apiVersion']),
    ...pick(spec, ['minReplicas', 'maxReplicas']),
  };
  const metrics = objects(annotationJson(o, METRIC_SPECS_ANNOTATION)).map(metricSpecFromV1);
  if (present(spec.targetCPUUtilizationPercentage)) {
    const utilization = spec.targetCPUUtilizationPercentage;
    metrics.push({
      type: 'Resource',
      resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: utilization } },
    });
  }
  if (metrics.length === 0) {
    // v1 used to apply this default in the controller; v2 states it.
    metrics.push({
      type: 'Resource',
      resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: DEFAULT_CPU_UTILIZATION } },
    });
  }
  v2Spec.metrics = metrics;
  const behavior = annotationJson(o, BEHAVIOR_ANNOTATION);
  if (asObj(behavior)) v2Spec.behavior = recase(behavior, lowerFirst);

  const v2Status: Obj = {
    ...pick(status, ['observedGeneration', 'lastScaleTime']),
    currentReplicas: status.currentReplicas ?? 0,
    desiredReplicas: status.desiredReplicas ?? 0,
  };
  const storedCurrent = annotationJson(o, METRIC_STATUSES_ANNOTATION);
  if (Array.isArray(storedCurrent)) v2Status.currentMetrics = objects(storedCurrent).map(metricStatusFromV1);
  else if (present(status.currentCPUUtilizationPercentage)) {
    v2Status.currentMetrics = [
      {
        type: 'Resource',
        resource: { name: 'cpu', current: { averageUtilization: status.currentCPUUtilizationPercentage } },
      },
    ];
  }
  const conditions = annotationJson(o, CONDITIONS_ANNOTATION);
  if (Array.isArray(conditions)) v2Status.conditions = conditions;

  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: metadataWithout(o, ROUND_TRIP),
    spec: v2Spec,
    status: v2Status,
  };
}

export const hpaV1Converter: VersionConverter = { toStorage: fromV1, fromStorage: toV1 };
