// apps/v1 StatefulSet (apps validation.go ValidateStatefulSet, ValidateStatefulSetUpdate, ValidateStatefulSetStatus).
import { type FieldError, field } from '../../core/status.js';
import type { KubeObject } from '../../core/types.js';
import { deepEqual, nonNegative, num, obj, type Obj, str, strMap } from './access.js';
import { isEmptySelector, selectorMatches, validateLabelSelector } from './labelselector.js';
import { nameIsDNSLabel, validateAnnotations, validateLabels, validateObjectMeta } from './objectmeta.js';

const RETENTION = ['Retain', 'Delete'];
const MUTABLE = [
  'replicas',
  'ordinals',
  'template',
  'updateStrategy',
  'persistentVolumeClaimRetentionPolicy',
  'minReadySeconds',
];

function validateUpdateStrategy(spec: Obj): FieldError[] {
  const strategy = obj(spec.updateStrategy) ?? {};
  const type = str(strategy.type) ?? '';
  const ru = strategy.rollingUpdate;
  switch (type) {
    case '':
      return [field.required('spec.updateStrategy', '')];
    case 'OnDelete':
      return ru === undefined || ru === null
        ? []
        : [field.invalid('spec.updateStrategy.rollingUpdate', ru, "only allowed for updateStrategy 'RollingUpdate'")];
    case 'RollingUpdate':
      return nonNegative('spec.updateStrategy.rollingUpdate.partition', obj(ru)?.partition);
    default:
      return [field.invalid('spec.updateStrategy', strategy, "must be 'RollingUpdate' or 'OnDelete'")];
  }
}

function validateRetention(spec: Obj): FieldError[] {
  const policy = obj(spec.persistentVolumeClaimRetentionPolicy);
  if (!policy) return [];
  const errs: FieldError[] = [];
  for (const f of ['whenDeleted', 'whenScaled']) {
    const v = str(policy[f]) ?? '';
    if (!RETENTION.includes(v)) {
      errs.push(field.notSupported(`spec.persistentVolumeClaimRetentionPolicy.${f}`, v, RETENTION));
    }
  }
  return errs;
}

/** Upstream checks only the template's labels, annotations and restart policy, not its pod spec. */
function validateTemplate(spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const template = obj(spec.template) ?? {};
  const meta = obj(template.metadata) ?? {};
  const labels = strMap(meta.labels);
  const selector = spec.selector;
  if (obj(selector) && !isEmptySelector(selector) && !selectorMatches(selector, labels)) {
    errs.push(field.invalid('spec.template.metadata.labels', labels, '`selector` does not match template `labels`'));
  }
  // Upstream's paths here omit `metadata` (fldPath.Child("labels")).
  errs.push(...validateLabels(meta.labels, 'spec.template.labels'));
  errs.push(...validateAnnotations(meta.annotations, 'spec.template.annotations'));
  const podSpec = obj(template.spec) ?? {};
  const restart = str(podSpec.restartPolicy) ?? '';
  if (restart !== 'Always') errs.push(field.notSupported('spec.template.spec.restartPolicy', restart, ['Always']));
  if (podSpec.activeDeadlineSeconds !== undefined) {
    errs.push(
      field.forbidden(
        'spec.template.spec.activeDeadlineSeconds',
        'activeDeadlineSeconds in StatefulSet is not Supported',
      ),
    );
  }
  return errs;
}

function validateSpec(spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const policy = str(spec.podManagementPolicy) ?? '';
  if (!policy) errs.push(field.required('spec.podManagementPolicy', ''));
  else if (policy !== 'OrderedReady' && policy !== 'Parallel') {
    errs.push(field.invalid('spec.podManagementPolicy', policy, "must be 'OrderedReady' or 'Parallel'"));
  }
  errs.push(...validateUpdateStrategy(spec));
  errs.push(...validateRetention(spec));
  errs.push(...nonNegative('spec.replicas', spec.replicas));
  errs.push(...nonNegative('spec.minReadySeconds', spec.minReadySeconds));
  errs.push(...nonNegative('spec.ordinals.start', obj(spec.ordinals)?.start));
  const selector = spec.selector;
  if (!obj(selector)) errs.push(field.required('spec.selector', ''));
  else {
    errs.push(...validateLabelSelector(selector, 'spec.selector'));
    if (isEmptySelector(selector)) {
      errs.push(field.invalid('spec.selector', selector, 'empty selector is invalid for statefulset'));
    }
  }
  errs.push(...validateTemplate(spec));
  return errs;
}

function validateStatus(status: Obj): FieldError[] {
  const counts = ['replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas'];
  const errs = [...counts, 'observedGeneration', 'collisionCount'].flatMap((f) =>
    nonNegative(`status.${f}`, status[f]),
  );
  const replicas = num(status.replicas) ?? 0;
  for (const f of counts.slice(1)) {
    const v = num(status[f]) ?? 0;
    if (v > replicas) errs.push(field.invalid(`status.${f}`, v, 'cannot be greater than status.replicas'));
  }
  const available = num(status.availableReplicas) ?? 0;
  if (available > (num(status.readyReplicas) ?? 0)) {
    errs.push(field.invalid('status.availableReplicas', available, 'cannot be greater than status.readyReplicas'));
  }
  return errs;
}

export function validateStatefulSet(o: KubeObject, old?: KubeObject): FieldError[] {
  const spec = obj(o.spec) ?? {};
  // Names must be DNS labels (pod hostnames); updates do not recheck them, as older sets used subdomains.
  const errs = old ? [] : validateObjectMeta(o, { namespaced: true, name: nameIsDNSLabel });
  errs.push(...validateSpec(spec));
  errs.push(...validateStatus(obj(o.status) ?? {}));
  if (old) {
    const oldSpec = obj(old.spec) ?? {};
    const rest = (s: Obj) => Object.fromEntries(Object.entries(s).filter(([k]) => !MUTABLE.includes(k)));
    if (!deepEqual(rest(spec), rest(oldSpec))) {
      errs.push(
        field.forbidden(
          'spec',
          "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
        ),
      );
    }
  }
  return errs;
}
