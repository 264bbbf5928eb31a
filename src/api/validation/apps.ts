// apps/v1 Deployment, ReplicaSet and DaemonSet (pkg/apis/apps/validation).
import { type FieldError, field } from '../../core/status.js';
import type { KubeObject } from '../../core/types.js';
import { immutable, nonNegative, num, obj, str, strMap } from './access.js';
import { intOrPercentValue, isNotMoreThan100Percent, validatePositiveIntOrPercent } from './intorpercent.js';
import { isEmptySelector, selectorMatches, validateLabelSelector } from './labelselector.js';
import { nameIsDNSSubdomain, validateObjectMeta } from './objectmeta.js';
import { validatePodTemplate } from './pod.js';

/** Selector present, non-empty, valid, and matching the template's labels; then the template itself. */
function validateSelectorAndTemplate(spec: Record<string, unknown>, workload: string): FieldError[] {
  const errs: FieldError[] = [];
  const selector = spec.selector;
  if (!obj(selector)) errs.push(field.required('spec.selector', ''));
  else {
    errs.push(...validateLabelSelector(selector, 'spec.selector'));
    if (isEmptySelector(selector))
      errs.push(field.invalid('spec.selector', selector, `empty selector is invalid for ${workload}`));
  }
  const template = obj(spec.template);
  if (!template) {
    errs.push(field.required('spec.template', ''));
    return errs;
  }
  const labels = strMap(obj(template.metadata)?.labels);
  if (obj(selector) && !isEmptySelector(selector) && !selectorMatches(selector, labels)) {
    errs.push(field.invalid('spec.template.metadata.labels', labels, '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodTemplate(template, 'spec.template', { restartPolicies: ['Always'] }));
  return errs;
}

function validateRollingUpdate(ru: Record<string, unknown>, path: string): FieldError[] {
  const errs = [
    ...validatePositiveIntOrPercent(ru.maxUnavailable, `${path}.maxUnavailable`),
    ...validatePositiveIntOrPercent(ru.maxSurge, `${path}.maxSurge`),
    ...isNotMoreThan100Percent(ru.maxUnavailable, `${path}.maxUnavailable`),
  ];
  if (intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
    errs.push(field.invalid(`${path}.maxUnavailable`, ru.maxUnavailable ?? 0, 'may not be 0 when `maxSurge` is 0'));
  }
  return errs;
}

function commonUpdate(o: KubeObject, old?: KubeObject): FieldError[] {
  if (!old) return [];
  return immutable('spec.selector', obj(o.spec)?.selector, obj(old.spec)?.selector);
}

function validateWorkloadMeta(o: KubeObject): FieldError[] {
  return validateObjectMeta(o, { namespaced: true, name: nameIsDNSSubdomain });
}

export function validateDeployment(o: KubeObject, old?: KubeObject): FieldError[] {
  const spec = obj(o.spec) ?? {};
  const errs = [...validateWorkloadMeta(o), ...nonNegative('spec.replicas', spec.replicas)];
  errs.push(...validateSelectorAndTemplate(spec, 'deployment'));
  const strategy = obj(spec.strategy) ?? {};
  const type = str(strategy.type);
  if (type !== undefined && type !== 'Recreate' && type !== 'RollingUpdate') {
    errs.push(field.notSupported('spec.strategy.type', type, ['Recreate', 'RollingUpdate']));
  }
  const ru = obj(strategy.rollingUpdate);
  if (type === 'Recreate' && ru) {
    errs.push(
      field.forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'"),
    );
  } else if (ru) errs.push(...validateRollingUpdate(ru, 'spec.strategy.rollingUpdate'));
  for (const f of ['minReadySeconds', 'revisionHistoryLimit', 'progressDeadlineSeconds']) {
    errs.push(...nonNegative(`spec.${f}`, spec[f]));
  }
  const pds = num(spec.progressDeadlineSeconds);
  if (pds !== undefined && pds <= (num(spec.minReadySeconds) ?? 0)) {
    errs.push(field.invalid('spec.progressDeadlineSeconds', pds, 'must be greater than minReadySeconds'));
  }
  errs.push(...commonUpdate(o, old));
  return errs;
}

export function validateReplicaSet(o: KubeObject, old?: KubeObject): FieldError[] {
  const spec = obj(o.spec) ?? {};
  return [
    ...validateWorkloadMeta(o),
    ...nonNegative('spec.replicas', spec.replicas),
    ...nonNegative('spec.minReadySeconds', spec.minReadySeconds),
    ...validateSelectorAndTemplate(spec, 'deployment'),
    ...commonUpdate(o, old),
  ];
}

export function validateDaemonSet(o: KubeObject, old?: KubeObject): FieldError[] {
  const spec = obj(o.spec) ?? {};
  const errs = [...validateWorkloadMeta(o), ...validateSelectorAndTemplate(spec, 'daemonset')];
  errs.push(...nonNegative('spec.minReadySeconds', spec.minReadySeconds));
  errs.push(...nonNegative('spec.revisionHistoryLimit', spec.revisionHistoryLimit));
  const strategy = obj(spec.updateStrategy) ?? {};
  const type = str(strategy.type);
  if (type !== undefined && type !== 'OnDelete' && type !== 'RollingUpdate') {
    errs.push(field.notSupported('spec.updateStrategy.type', type, ['OnDelete', 'RollingUpdate']));
  }
  const ru = obj(strategy.rollingUpdate);
  if (type === 'RollingUpdate' && ru) {
    const p = 'spec.updateStrategy.rollingUpdate';
    errs.push(...validateRollingUpdate(ru, p));
    if (intOrPercentValue(ru.maxUnavailable) !== 0 && intOrPercentValue(ru.maxSurge) !== 0) {
      errs.push(field.invalid(`${p}.maxUnavailable`, ru.maxUnavailable, 'must be 0 when `maxSurge` is set'));
    }
  }
  errs.push(...commonUpdate(o, old));
  return errs;
}
