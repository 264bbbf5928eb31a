// Namespace, Node, ServiceAccount, Lease, ControllerRevision: the basic rules of each.
import { type FieldError, field } from '../../core/status.js';
import type { KubeObject } from '../../core/types.js';
import { arr, invalidEach, key, nonNegative, num, obj, str } from './access.js';
import { isQualifiedName, isValidLabelValue } from '../../core/names.js';
import { nameIsDNSLabel, nameIsDNSSubdomain, validateObjectMeta } from './objectmeta.js';
import { TAINT_EFFECTS } from './podspec.js';
import { parseQuantity, QUANTITY_MESSAGE } from './quantity.js';

export function validateNamespace(o: KubeObject): FieldError[] {
  const errs = validateObjectMeta(o, { namespaced: false, name: nameIsDNSLabel });
  arr(obj(o.spec)?.finalizers).forEach((f) => {
    const name = String(f);
    const msgs = isQualifiedName(name);
    if (msgs.length) errs.push(...invalidEach('spec.finalizers', name, msgs));
    else if (name !== 'kubernetes' && !name.includes('/')) {
      errs.push(
        field.invalid('spec.finalizers', name, 'name is neither a standard finalizer name nor is it fully qualified'),
      );
    }
  });
  const phase = str(obj(o.status)?.phase);
  if (phase !== undefined && phase !== 'Active' && phase !== 'Terminating') {
    errs.push(field.notSupported('status.phase', phase, ['Active', 'Terminating']));
  }
  return errs;
}

function validateResourceList(list: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [name, q] of Object.entries(obj(list) ?? {})) {
    const v = parseQuantity(q);
    if (v === undefined) errs.push(field.invalid(key(path, name), q, QUANTITY_MESSAGE));
    else if (v < 0) errs.push(field.invalid(key(path, name), q, 'must be greater than or equal to 0'));
  }
  return errs;
}

export function validateNode(o: KubeObject): FieldError[] {
  const errs = validateObjectMeta(o, { namespaced: false, name: nameIsDNSSubdomain });
  const spec = obj(o.spec) ?? {};
  const seen = new Set<string>();
  arr(spec.taints).forEach((raw, i) => {
    const p = `spec.taints[${i}]`;
    const t = obj(raw) ?? {};
    const k = str(t.key) ?? '';
    errs.push(...invalidEach(`${p}.key`, k, isQualifiedName(k)));
    const value = str(t.value);
    if (value) errs.push(...invalidEach(`${p}.value`, value, isValidLabelValue(value)));
    const effect = str(t.effect) ?? '';
    if (!effect) errs.push(field.required(`${p}.effect`, ''));
    else if (!TAINT_EFFECTS.includes(effect)) errs.push(field.notSupported(`${p}.effect`, effect, TAINT_EFFECTS));
    const id = `${k}:${effect}`;
    if (seen.has(id)) errs.push(field.duplicate(p, { key: k, effect }));
    seen.add(id);
  });
  const status = obj(o.status) ?? {};
  errs.push(...validateResourceList(status.capacity, 'status.capacity'));
  errs.push(...validateResourceList(status.allocatable, 'status.allocatable'));
  return errs;
}

export function validateServiceAccount(o: KubeObject): FieldError[] {
  const errs = validateObjectMeta(o, { namespaced: true, name: nameIsDNSSubdomain });
  for (const f of ['secrets', 'imagePullSecrets']) {
    arr(o[f]).forEach((r, i) => {
      if (!str(obj(r)?.name)) errs.push(field.required(`${f}[${i}].name`, ''));
    });
  }
  return errs;
}

export function validateLease(o: KubeObject): FieldError[] {
  const errs = validateObjectMeta(o, { namespaced: true, name: nameIsDNSSubdomain });
  const spec = obj(o.spec) ?? {};
  const duration = num(spec.leaseDurationSeconds);
  if (duration !== undefined && duration <= 0) {
    errs.push(field.invalid('spec.leaseDurationSeconds', duration, 'must be greater than 0'));
  }
  errs.push(...nonNegative('spec.leaseTransitions', spec.leaseTransitions));
  return errs;
}

export function validateControllerRevision(o: KubeObject, old?: KubeObject): FieldError[] {
  const errs = validateObjectMeta(o, { namespaced: true, name: nameIsDNSSubdomain });
  errs.push(...nonNegative('revision', o.revision));
  if (old && JSON.stringify(o.data) !== JSON.stringify(old.data)) {
    errs.push(field.invalid('data', '', 'field is immutable'));
  }
  return errs;
}
