// batch/v1 Job (pkg/apis/batch/validation): counts, generated selector, template restart policy, immutability.
import { type FieldError, field } from '../../core/status.js';
import type { KubeObject } from '../../core/types.js';
import { arr, immutable, nonNegative, num, obj, str, strMap } from './access.js';
import { isEmptySelector, selectorMatches, validateLabelSelector } from './labelselector.js';
import { nameIsDNSSubdomain, validateObjectMeta } from './objectmeta.js';
import { validatePodTemplate } from './pod.js';

export const JOB_CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
const COMPLETION_MODES = ['NonIndexed', 'Indexed'];
const REPLACEMENT_POLICIES = ['TerminatingOrFailed', 'Failed'];
const POLICY_ACTIONS = ['Count', 'FailIndex', 'FailJob', 'Ignore'];
const EXIT_CODE_OPERATORS = ['In', 'NotIn'];
const CONDITION_STATUSES = ['False', 'True', 'Unknown'];
const MAX_PARALLELISM_FOR_INDEXED_JOB = 100_000;
const MAX_FAILED_INDEXES_FOR_INDEXED_JOB = 100_000;
const MAX_POD_FAILURE_POLICY_RULES = 20;
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
    ...immutable('spec.successPolicy', spec.successPolicy, oldSpec.successPolicy),
    ...immutable('spec.backoffLimitPerIndex', spec.backoffLimitPerIndex, oldSpec.backoffLimitPerIndex),
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

/** upstream validatePodFailurePolicyRule: action, exactly one of onExitCodes / onPodConditions. */
function validatePodFailurePolicy(spec: Record<string, unknown>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const rules = arr(obj(spec.podFailurePolicy)?.rules);
  if (rules.length > MAX_POD_FAILURE_POLICY_RULES) {
    errs.push({
      type: 'FieldValueTooMany',
      field: `${path}.rules`,
      message: `Too many: ${rules.length}: must have at most ${MAX_POD_FAILURE_POLICY_RULES} items`,
    });
  }
  const podSpec = obj(obj(spec.template)?.spec) ?? {};
  const names = [...arr(podSpec.containers), ...arr(podSpec.initContainers)].map((c) => str(obj(c)?.name));
  rules.forEach((r, i) => {
    const rule = obj(r) ?? {};
    const rp = `${path}.rules[${i}]`;
    const action = str(rule.action);
    if (!action) errs.push(field.required(`${rp}.action`, `valid values: ${JSON.stringify(POLICY_ACTIONS)}`));
    else if (!POLICY_ACTIONS.includes(action)) errs.push(field.notSupported(`${rp}.action`, action, POLICY_ACTIONS));
    else if (action === 'FailIndex' && num(spec.backoffLimitPerIndex) === undefined)
      errs.push(field.invalid(`${rp}.action`, action, 'requires the backoffLimitPerIndex to be set'));
    const onExit = obj(rule.onExitCodes);
    const onConds = arr(rule.onPodConditions);
    if (onExit) {
      const ep = `${rp}.onExitCodes`;
      const op = str(onExit.operator);
      if (!op) errs.push(field.required(`${ep}.operator`, ''));
      else if (!EXIT_CODE_OPERATORS.includes(op))
        errs.push(field.notSupported(`${ep}.operator`, op, EXIT_CODE_OPERATORS));
      const cn = str(onExit.containerName);
      if (cn !== undefined && !names.includes(cn)) {
        errs.push(
          field.invalid(
            `${ep}.containerName`,
            cn,
            'must be one of the container or initContainer names in the pod template',
          ),
        );
      }
      const values = arr(onExit.values);
      if (values.length === 0) errs.push(field.invalid(`${ep}.values`, values, 'at least one value is required'));
      values.forEach((v, j) => {
        const vp = `${ep}.values[${j}]`;
        if (!Number.isInteger(v)) errs.push(field.invalid(vp, v, 'must be an integer'));
        else if (values.indexOf(v) !== j) errs.push(field.duplicate(vp, v));
        else if (op === 'In' && v === 0) errs.push(field.invalid(vp, v, 'must not be 0 for the In operator'));
      });
    }
    onConds.forEach((c, j) => {
      const cp = `${rp}.onPodConditions[${j}]`;
      const cond = obj(c) ?? {};
      if (!str(cond.type)) errs.push(field.required(`${cp}.type`, ''));
      const st = str(cond.status);
      if (st === undefined) errs.push(field.required(`${cp}.status`, ''));
      else if (!CONDITION_STATUSES.includes(st)) errs.push(field.notSupported(`${cp}.status`, st, CONDITION_STATUSES));
    });
    if (onExit && onConds.length > 0)
      errs.push({
        type: 'FieldValueInvalid',
        field: rp,
        message: 'Invalid value: specifying both OnExitCodes and OnPodConditions is not supported',
      });
    if (!onExit && onConds.length === 0)
      errs.push({
        type: 'FieldValueInvalid',
        field: rp,
        message: 'Invalid value: specifying one of OnExitCodes and OnPodConditions is required',
      });
  });
  return errs;
}

/** upstream validateJobSpec: Indexed limits, backoffLimitPerIndex / maxFailedIndexes, successPolicy, restart policy Never. */
function validateIndexedAndPolicy(spec: Record<string, unknown>, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const indexed = str(spec.completionMode) === 'Indexed';
  const parallelism = num(spec.parallelism);
  const completions = num(spec.completions);
  const perIndex = num(spec.backoffLimitPerIndex);
  const maxFailed = num(spec.maxFailedIndexes);
  if (indexed) {
    if (parallelism !== undefined && parallelism > MAX_PARALLELISM_FOR_INDEXED_JOB) {
      errs.push(
        field.invalid(
          `${path}.parallelism`,
          parallelism,
          `must be less than or equal to ${MAX_PARALLELISM_FOR_INDEXED_JOB} when completion mode is Indexed`,
        ),
      );
    }
    if (maxFailed !== undefined && completions !== undefined && maxFailed > completions)
      errs.push(field.invalid(`${path}.maxFailedIndexes`, maxFailed, 'must be less than or equal to completions'));
    if (maxFailed !== undefined && maxFailed > MAX_FAILED_INDEXES_FOR_INDEXED_JOB) {
      errs.push(
        field.invalid(
          `${path}.maxFailedIndexes`,
          maxFailed,
          `must be less than or equal to ${MAX_FAILED_INDEXES_FOR_INDEXED_JOB}`,
        ),
      );
    }
  } else {
    if (perIndex !== undefined)
      errs.push(field.invalid(`${path}.backoffLimitPerIndex`, perIndex, 'requires indexed completion mode'));
    if (maxFailed !== undefined)
      errs.push(field.invalid(`${path}.maxFailedIndexes`, maxFailed, 'requires indexed completion mode'));
  }
  errs.push(...nonNegative(`${path}.backoffLimitPerIndex`, spec.backoffLimitPerIndex));
  errs.push(...nonNegative(`${path}.maxFailedIndexes`, spec.maxFailedIndexes));
  if (maxFailed !== undefined && perIndex === undefined)
    errs.push(field.required(`${path}.backoffLimitPerIndex`, 'when maxFailedIndexes is specified'));
  const success = obj(spec.successPolicy);
  if (success) {
    const sp = `${path}.successPolicy`;
    if (!indexed)
      errs.push({ type: 'FieldValueInvalid', field: sp, message: 'Invalid value: requires indexed completion mode' });
    const rules = arr(success.rules);
    if (rules.length === 0)
      errs.push(
        field.required(`${sp}.rules`, 'at least one rules must be specified when the successPolicy is specified'),
      );
    rules.forEach((r, i) => {
      const rule = obj(r) ?? {};
      const rp = `${sp}.rules[${i}]`;
      const count = num(rule.succeededCount);
      if (rule.succeededIndexes == null && rule.succeededCount == null)
        errs.push(field.required(rp, 'at least one of succeededCount or succeededIndexes must be specified'));
      const ixs = str(rule.succeededIndexes);
      if (ixs !== undefined && !/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(ixs))
        errs.push(field.invalid(`${rp}.succeededIndexes`, ixs, 'error parsing succeededIndexes'));
      if (count !== undefined && count < 0)
        errs.push(field.invalid(`${rp}.succeededCount`, count, 'must be greater than or equal to 0'));
      else if (count !== undefined && completions !== undefined && count > completions) {
        errs.push(
          field.invalid(
            `${rp}.succeededCount`,
            count,
            `must be less than or equal to ${completions} (the number of specified completions)`,
          ),
        );
      }
    });
  }
  const restartPolicy = str(obj(obj(spec.template)?.spec)?.restartPolicy);
  if (obj(spec.podFailurePolicy)) {
    errs.push(...validatePodFailurePolicy(spec, `${path}.podFailurePolicy`));
    if (restartPolicy !== 'Never') {
      errs.push(
        field.invalid(
          `${path}.template.spec.restartPolicy`,
          restartPolicy ?? '',
          'only "Never" is supported when podFailurePolicy is specified',
        ),
      );
    }
  }
  if (perIndex !== undefined && restartPolicy !== 'Never') {
    errs.push(
      field.invalid(
        `${path}.template.spec.restartPolicy`,
        restartPolicy ?? '',
        'only "Never" is supported when backoffLimitPerIndex is specified',
      ),
    );
  }
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
  // With a podFailurePolicy, pods are replaced only once they have failed (upstream validatePodReplacementPolicy).
  const policies = obj(spec.podFailurePolicy) ? ['Failed'] : REPLACEMENT_POLICIES;
  if (rpp !== undefined && !policies.includes(rpp)) {
    errs.push(field.notSupported(`${path}.podReplacementPolicy`, rpp, policies));
  }
  errs.push(...validateIndexedAndPolicy(spec, path));
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
