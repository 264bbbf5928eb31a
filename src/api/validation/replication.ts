// ReplicationController and PodTemplate (core validation.go ValidateReplicationController, ValidatePodTemplate).
import { type FieldError, field } from '../../core/status.js';
import type { KubeObject } from '../../core/types.js';
import { labelSelectorFromMap } from '../../core/selectors/index.js';
import { nonNegative, num, obj, strMap } from './access.js';
import { nameIsDNSSubdomain, validateObjectMeta } from './objectmeta.js';
import { validatePodTemplate } from './pod.js';

const STATUS_COUNTS = ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration'];

/** Counters never negative and never above status.replicas (ValidateReplicationControllerStatus). */
function validateStatus(status: Record<string, unknown>): FieldError[] {
  const errs = STATUS_COUNTS.flatMap((f) => nonNegative(`status.${f}`, status[f]));
  const replicas = num(status.replicas) ?? 0;
  const over = 'cannot be greater than status.replicas';
  for (const f of ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas']) {
    const v = num(status[f]) ?? 0;
    if (v > replicas) errs.push(field.invalid(`status.${f}`, v, over));
  }
  const available = num(status.availableReplicas) ?? 0;
  if (available > (num(status.readyReplicas) ?? 0)) {
    errs.push(field.invalid('status.availableReplicas', available, 'cannot be greater than readyReplicas'));
  }
  return errs;
}

/** The template must exist, match the (map) selector, restart Always and have no activeDeadlineSeconds. */
function validateTemplateForRC(template: unknown, selector: Record<string, string>): FieldError[] {
  const t = obj(template);
  if (!t) return [field.required('spec.template', '')];
  const errs: FieldError[] = [];
  const labels = strMap(obj(t.metadata)?.labels);
  if (Object.keys(selector).length > 0 && !labelSelectorFromMap(selector).matches(labels)) {
    errs.push(field.invalid('spec.template.metadata.labels', labels, '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodTemplate(t, 'spec.template', { restartPolicies: ['Always'] }));
  if (obj(t.spec)?.activeDeadlineSeconds !== undefined) {
    errs.push(
      field.forbidden(
        'spec.template.spec.activeDeadlineSeconds',
        'activeDeadlineSeconds in ReplicationController is not Supported',
      ),
    );
  }
  return errs;
}

export function validateReplicationController(o: KubeObject): FieldError[] {
  const spec = obj(o.spec) ?? {};
  const errs = validateObjectMeta(o, { namespaced: true, name: nameIsDNSSubdomain });
  errs.push(...nonNegative('spec.minReadySeconds', spec.minReadySeconds));
  const selector = strMap(spec.selector);
  if (Object.keys(selector).length === 0) errs.push(field.required('spec.selector', ''));
  if (num(spec.replicas) === undefined) errs.push(field.required('spec.replicas', ''));
  else errs.push(...nonNegative('spec.replicas', spec.replicas));
  errs.push(...validateTemplateForRC(spec.template, selector));
  errs.push(...validateStatus(obj(o.status) ?? {}));
  return errs;
}

export function validatePodTemplateObject(o: KubeObject): FieldError[] {
  return [
    ...validateObjectMeta(o, { namespaced: true, name: nameIsDNSSubdomain }),
    ...validatePodTemplate(obj(o.template) ?? {}, 'template'),
  ];
}
