// batch/v1 Job (pkg/apis/batch/validation): counts, generated selector, template restart policy, immutability.
import { type FieldError, field } from '../../core/status.js';
import type { KubeObject } from '../../core/types.js';
import { immutable, nonNegative, num, obj, str, strMap } from './access.js';
import { isEmptySelector, selectorMatches, validateLabelSelector } from './labelselector.js';
import { nameIsDNSSubdomain, validateObjectMeta } from './objectmeta.js';
import { validatePodTemplate } from './pod.js';

export const JOB_CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
const COMPLETION_MODES = ['NonIndexed', 'Indexed'];
const REPLACEMENT_POLICIES = ['TerminatingOrFailed', 'Failed'];
// Scheduling directives may change while a job is suspended (upstream JobMutableSchedulingDirectives).
const SUSPENDED_MUTABLE = ['nodeSelector', 'affinity', 'tolerations', 'schedulingGates'];

function validateSelector(o: KubeObject, spec: Record<string, unknown>): FieldError[] {
  const errs: FieldError[] = [];
  const selector = spec.selector;
  const manual = spec.manualSelector === true;
  if (!obj(selector)) {
    errs.push(field.required('spec.selector', ''));
    return errs;
  }
  errs.push(...validateLabelSelector(selector, 'spec.selector'));
  if (isEmptySelector(selector))
    errs.push(field.invalid('spec.selector', selector, 'empty selector is invalid for job'));
  const labels = strMap(obj(obj(spec.template)?.metadata)?.labels);
  if (!isEmptySelector(selector) && !selectorMatches(selector, labels)) {
    errs.push(field.invalid('spec.template.metadata.labels', labels, '`selector` does not match template `labels`'));
  }
  if (!manual) {
    const uid = o.metadata.uid;
    const generated = strMap(obj(selector)?.matchLabels)[JOB_CONTROLLER_UID_LABEL];
    if (uid && generated !== uid) errs.push(field.invalid('spec.selector', selector, '`selector` not auto-generated'));
  }
  return errs;
}

function withoutSuspendedMutable(template: unknown): unknown {
  const t = obj(template) ?? {};
  const spec = { ...(obj(t.spec) ?? {}) };
  for (const f of SUSPENDED_MUTABLE) delete spec[f];
  const meta = { ...(obj(t.metadata) ?? {}) };
  delete meta.labels;
  delete meta.annotations;
  return { ...t, metadata: meta, spec };
}

function validateJobUpdate(spec: Record<string, unknown>, oldSpec: Record<string, unknown>): FieldError[] {
  const errs = [
    ...immutable('spec.selector', spec.selector, oldSpec.selector),
    ...immutable('spec.completionMode', spec.completionMode, oldSpec.completionMode),
    ...immutable('spec.podFailurePolicy', spec.podFailurePolicy, oldSpec.podFailurePolicy),
  ];
  // Indexed jobs may scale completions together with parallelism (elastic indexed jobs).
  const elastic = str(spec.completionMode) === 'Indexed' && num(spec.completions) === num(spec.parallelism);
  if (!elastic) errs.push(...immutable('spec.completions', spec.completions, oldSpec.completions));
  const suspended = oldSpec.suspend === true;
  const t = suspended ? withoutSuspendedMutable(spec.template) : spec.template;
  const ot = suspended ? withoutSuspendedMutable(oldSpec.template) : oldSpec.template;
  errs.push(...immutable('spec.template', t, ot));
  return errs;
}

/** Counts, completion mode and replacement policy of a JobSpec at `path` (upstream validateJobSpec, less the template). */
function validateJobSpecFields(spec: Record<string, unknown>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished']) {
    errs.push(...nonNegative(`${path}.${f}`, spec[f]));
  }
  const mode = str(spec.completionMode);
  if (mode !== undefined && !COMPLETION_MODES.includes(mode)) {
    errs.push(field.notSupported(`${path}.completionMode`, mode, COMPLETION_MODES));
  }
  if (mode === 'Indexed' && num(spec.completions) === undefined) {
    errs.push(field.required(`${path}.completions`, 'when completion mode is Indexed'));
  }
  const rpp = str(spec.podReplacementPolicy);
  if (rpp !== undefined && !REPLACEMENT_POLICIES.includes(rpp)) {
    errs.push(field.notSupported(`${path}.podReplacementPolicy`, rpp, REPLACEMENT_POLICIES));
  }
  return errs;
}

const validateJobPodTemplate = (template: unknown, path: string): FieldError[] =>
  validatePodTemplate(template, path, { restartPolicies: ['OnFailure', 'Never'] });

/** A CronJob's jobTemplate (ValidateJobTemplateSpec): a JobSpec whose selector the job controller generates. */
export function validateJobTemplateSpec(jobTemplate: unknown, path: string): FieldError[] {
  const spec = obj(obj(jobTemplate)?.spec) ?? {};
  const errs = validateJobSpecFields(spec, `${path}.spec`);
  errs.push(...validateJobPodTemplate(spec.template, `${path}.spec.template`));
  if (spec.selector !== undefined && spec.selector !== null) {
    errs.push(field.invalid(`${path}.spec.selector`, spec.selector, '`selector` will be auto-generated'));
  }
  if (spec.manualSelector === true)
    errs.push(field.notSupported(`${path}.spec.manualSelector`, true, ['nil', 'false']));
  return errs;
}

export function validateJob(o: KubeObject, old?: KubeObject): FieldError[] {
  const spec = obj(o.spec) ?? {};
  const errs = validateObjectMeta(o, { namespaced: true, name: nameIsDNSSubdomain });
  errs.push(...validateJobSpecFields(spec, 'spec'));
  errs.push(...validateSelector(o, spec));
  errs.push(...validateJobPodTemplate(spec.template, 'spec.template'));
  if (old) errs.push(...validateJobUpdate(spec, obj(old.spec) ?? {}));
  return errs;
}
