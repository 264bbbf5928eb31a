// HorizontalPodAutoscaler, autoscaling/v1 and v2 shapes (pkg/apis/autoscaling/validation).
import { type FieldError, field } from '../../core/status.js';
import type { KubeObject } from '../../core/types.js';
import { arr, invalidEach, num, obj, str } from './access.js';
import { isValidPathSegmentName } from '../../core/names.js';
import { validateObjectMeta } from './objectmeta.js';

const METRIC_TYPES = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];
const TARGET_TYPES = ['AverageValue', 'Utilization', 'Value'];
const SELECT_POLICIES = ['Disabled', 'Max', 'Min'];
const POLICY_TYPES = ['Percent', 'Pods'];
const SOURCE_FIELD: Record<string, string> = {
  ContainerResource: 'containerResource',
  External: 'external',
  Object: 'object',
  Pods: 'pods',
  Resource: 'resource',
};

function validateScaleTargetRef(ref: unknown): FieldError[] {
  const r = obj(ref) ?? {};
  const errs: FieldError[] = [];
  const kind = str(r.kind) ?? '';
  const name = str(r.name) ?? '';
  if (!kind) errs.push(field.required('spec.scaleTargetRef.kind', ''));
  else errs.push(...invalidEach('spec.scaleTargetRef.kind', kind, isValidPathSegmentName(kind)));
  if (!name) errs.push(field.required('spec.scaleTargetRef.name', ''));
  else errs.push(...invalidEach('spec.scaleTargetRef.name', name, isValidPathSegmentName(name)));
  return errs;
}

function validateMetrics(metrics: unknown): FieldError[] {
  const errs: FieldError[] = [];
  arr(metrics).forEach((raw, i) => {
    const p = `spec.metrics[${i}]`;
    const m = obj(raw) ?? {};
    const type = str(m.type) ?? '';
    if (!type) {
      errs.push(field.required(`${p}.type`, 'must specify a metric source type'));
      return;
    }
    if (!METRIC_TYPES.includes(type)) {
      errs.push(field.notSupported(`${p}.type`, type, METRIC_TYPES));
      return;
    }
    const key = SOURCE_FIELD[type]!;
    const src = obj(m[key]);
    if (!src) {
      errs.push(field.required(`${p}.${key}`, `must populate information for the given metric source`));
      return;
    }
    if ((type === 'Resource' || type === 'ContainerResource') && !str(src.name)) {
      errs.push(field.required(`${p}.${key}.name`, 'must specify a resource name'));
    }
    if (type === 'ContainerResource' && !str(src.container)) errs.push(field.required(`${p}.${key}.container`, ''));
    if (type === 'Object' || type === 'Pods' || type === 'External') {
      if (!str(obj(src.metric)?.name))
        errs.push(field.required(`${p}.${key}.metric.name`, 'must specify a metric name'));
    }
    const target = obj(src.target);
    const ttype = str(target?.type) ?? '';
    if (!target) errs.push(field.required(`${p}.${key}.target`, ''));
    else if (!TARGET_TYPES.includes(ttype))
      errs.push(field.notSupported(`${p}.${key}.target.type`, ttype, TARGET_TYPES));
    const util = num(target?.averageUtilization);
    if (util !== undefined && util < 1) {
      errs.push(field.invalid(`${p}.${key}.target.averageUtilization`, util, 'must be greater than 0'));
    }
  });
  return errs;
}

function validateBehavior(behavior: unknown): FieldError[] {
  const errs: FieldError[] = [];
  const b = obj(behavior);
  if (!b) return errs;
  for (const dir of ['scaleUp', 'scaleDown']) {
    const rules = obj(b[dir]);
    if (!rules) continue;
    const p = `spec.behavior.${dir}`;
    const window = num(rules.stabilizationWindowSeconds);
    if (window !== undefined && (window < 0 || window > 3600)) {
      errs.push(
        field.invalid(
          `${p}.stabilizationWindowSeconds`,
          window,
          'must be less than or equal to 3600 and greater than or equal to 0',
        ),
      );
    }
    const select = str(rules.selectPolicy);
    if (select !== undefined && !SELECT_POLICIES.includes(select)) {
      errs.push(field.notSupported(`${p}.selectPolicy`, select, SELECT_POLICIES));
    }
    const policies = arr(rules.policies);
    if (obj(b[dir]) && policies.length === 0 && select !== 'Disabled') {
      errs.push(field.required(`${p}.policies`, 'must specify at least one Policy'));
    }
    policies.forEach((raw, i) => {
      const pp = `${p}.policies[${i}]`;
      const policy = obj(raw) ?? {};
      const type = str(policy.type) ?? '';
      if (!POLICY_TYPES.includes(type)) errs.push(field.notSupported(`${pp}.type`, type, POLICY_TYPES));
      const value = num(policy.value) ?? 0;
      if (value <= 0) errs.push(field.invalid(`${pp}.value`, value, 'must be greater than zero'));
      const period = num(policy.periodSeconds) ?? 0;
      if (period <= 0) errs.push(field.invalid(`${pp}.periodSeconds`, period, 'must be greater than zero'));
      else if (period > 1800)
        errs.push(field.invalid(`${pp}.periodSeconds`, period, 'must be less than or equal to 1800'));
    });
  }
  return errs;
}

export function validateHPA(o: KubeObject): FieldError[] {
  const errs = validateObjectMeta(o, { namespaced: true, name: isValidPathSegmentName });
  const spec = obj(o.spec) ?? {};
  errs.push(...validateScaleTargetRef(spec.scaleTargetRef));
  const min = num(spec.minReplicas);
  const max = num(spec.maxReplicas) ?? 0;
  if (min !== undefined && min < 1)
    errs.push(field.invalid('spec.minReplicas', min, 'must be greater than or equal to 1'));
  if (max < 1) errs.push(field.invalid('spec.maxReplicas', max, 'must be greater than 0'));
  if (min !== undefined && max > 0 && max < min) {
    errs.push(field.invalid('spec.maxReplicas', max, 'must be greater than or equal to `minReplicas`'));
  }
  if (o.apiVersion === 'autoscaling/v1') {
    const target = num(spec.targetCPUUtilizationPercentage);
    if (target !== undefined && target < 1) {
      errs.push(field.invalid('spec.targetCPUUtilizationPercentage', target, 'must be greater than or equal to 1'));
    }
  } else {
    errs.push(...validateMetrics(spec.metrics), ...validateBehavior(spec.behavior));
  }
  return errs;
}
