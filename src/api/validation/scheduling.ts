// scheduling.k8s.io/v1 PriorityClass (scheduling validation.go): `system-` names are reserved for the two
// built-in classes, user classes stay at or below one billion, value and preemptionPolicy never change.
import { type FieldError, field } from '../../core/status.js';
import type { KubeObject } from '../../core/types.js';
import { immutable, num, str } from './access.js';
import { nameIsDNSSubdomain, validateObjectMeta } from './objectmeta.js';

export const SYSTEM_PRIORITY_CLASS_PREFIX = 'system-';
export const HIGHEST_USER_DEFINABLE_PRIORITY = 1000000000;
/** The classes the API server creates at start-up (scheduling.SystemPriorityClasses). */
export const SYSTEM_PRIORITY_CLASSES = [
  { name: 'system-node-critical', value: 2000001000, globalDefault: false },
  { name: 'system-cluster-critical', value: 2000000000, globalDefault: false },
];
const PREEMPTION_POLICIES = ['Never', 'PreemptLowerPriority'];

/** scheduling.IsKnownSystemPriorityClass: the reason a `system-` class is refused, undefined when it is known. */
function systemClassError(name: string, value: number, globalDefault: boolean): string | undefined {
  const known = SYSTEM_PRIORITY_CLASSES.find((c) => c.name === name);
  if (!known) return `${name} is not a known system priority class`;
  if (known.value !== value) return `value of ${name} PriorityClass must be ${known.value}`;
  if (known.globalDefault !== globalDefault)
    return `globalDefault of ${name} PriorityClass must be ${known.globalDefault}`;
  return undefined;
}

export function validatePriorityClass(o: KubeObject, old?: KubeObject): FieldError[] {
  if (old) {
    const errs: FieldError[] = [];
    if (num(o.value) !== num(old.value)) errs.push(field.forbidden('value', 'may not be changed in an update.'));
    errs.push(...immutable('preemptionPolicy', o.preemptionPolicy, old.preemptionPolicy));
    return errs;
  }
  const errs = validateObjectMeta(o, { namespaced: false, name: nameIsDNSSubdomain });
  const name = o.metadata.name ?? '';
  const value = num(o.value) ?? 0;
  if (name.startsWith(SYSTEM_PRIORITY_CLASS_PREFIX)) {
    const err = systemClassError(name, value, o.globalDefault === true);
    if (err) {
      errs.push(
        field.forbidden(
          'metadata.name',
          `priority class names with '${SYSTEM_PRIORITY_CLASS_PREFIX}' prefix are reserved for system use only. error: ${err}`,
        ),
      );
    }
  } else if (value > HIGHEST_USER_DEFINABLE_PRIORITY) {
    errs.push(
      field.forbidden(
        'value',
        `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`,
      ),
    );
  }
  const policy = str(o.preemptionPolicy);
  if (policy !== undefined && !PREEMPTION_POLICIES.includes(policy)) {
    errs.push(field.notSupported('preemptionPolicy', policy, PREEMPTION_POLICIES));
  }
  return errs;
}
