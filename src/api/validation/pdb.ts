// policy/v1 PodDisruptionBudget (policy validation.go). Upstream's strategy checks only the spec; the
// generic registry then checks ObjectMeta with path-segment names.
import { type FieldError, field } from '../../core/status.js';
import type { KubeObject } from '../../core/types.js';
import { isValidPathSegmentName } from '../../core/names.js';
import { nonNegative, obj, str } from './access.js';
import { isNotMoreThan100Percent, validatePositiveIntOrPercent } from './intorpercent.js';
import { validateLabelSelector } from './labelselector.js';
import { validateObjectMeta } from './objectmeta.js';

const EVICTION_POLICIES = ['AlwaysAllow', 'IfHealthyBudget'];
const STATUS_COUNTS = ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods'];

export function validatePodDisruptionBudget(o: KubeObject): FieldError[] {
  const spec = obj(o.spec) ?? {};
  const errs: FieldError[] = [];
  const isSet = (v: unknown) => v !== undefined && v !== null;
  if (isSet(spec.minAvailable) && isSet(spec.maxUnavailable)) {
    errs.push(field.invalid('spec', spec, 'minAvailable and maxUnavailable cannot be both set'));
  }
  for (const f of ['minAvailable', 'maxUnavailable']) {
    if (!isSet(spec[f])) continue;
    errs.push(...validatePositiveIntOrPercent(spec[f], `spec.${f}`));
    errs.push(...isNotMoreThan100Percent(spec[f], `spec.${f}`));
  }
  errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  const policy = str(spec.unhealthyPodEvictionPolicy);
  if (policy !== undefined && !EVICTION_POLICIES.includes(policy)) {
    errs.push(field.notSupported('spec.unhealthyPodEvictionPolicy', policy, EVICTION_POLICIES));
  }
  const status = obj(o.status) ?? {};
  for (const f of STATUS_COUNTS) errs.push(...nonNegative(`status.${f}`, status[f]));
  errs.push(...validateObjectMeta(o, { namespaced: true, name: isValidPathSegmentName }));
  return errs;
}
