// ResourceQuota and LimitRange (core validation.go ValidateResourceQuota, ValidateLimitRange).
import { type FieldError, field } from '../../core/status.js';
import type { KubeObject } from '../../core/types.js';
import { isQualifiedName } from '../../core/names.js';
import { arr, invalidEach, key, obj, type Obj, str } from './access.js';
import { nameIsDNSSubdomain, validateObjectMeta } from './objectmeta.js';
import { parseQuantity, QUANTITY_MESSAGE } from './quantity.js';

const COMPUTE = ['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory'];
const OBJECT_COUNTS = [
  'pods',
  'services',
  'replicationcontrollers',
  'resourcequotas',
  'secrets',
  'configmaps',
  'persistentvolumeclaims',
  'services.nodeports',
  'services.loadbalancers',
];
const STANDARD_QUOTA = new Set([
  ...COMPUTE,
  'ephemeral-storage',
  'requests.ephemeral-storage',
  'limits.ephemeral-storage',
  'requests.storage',
  ...OBJECT_COUNTS,
]);
const STANDARD_RESOURCES = new Set([...STANDARD_QUOTA, 'storage']);
const CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);
const LIMIT_TYPES = ['Pod', 'Container', 'PersistentVolumeClaim'];
const SCOPES = [
  'Terminating',
  'NotTerminating',
  'BestEffort',
  'NotBestEffort',
  'PriorityClass',
  'CrossNamespacePodAffinity',
];
const CONFLICTING_SCOPES = [
  ['BestEffort', 'NotBestEffort'],
  ['Terminating', 'NotTerminating'],
];

const isHugePages = (name: string) => name.startsWith('hugepages-');
const isQuotaHugePages = (name: string) => name.startsWith('hugepages-') || name.startsWith('requests.hugepages-');
const isStandardQuota = (name: string) => STANDARD_QUOTA.has(name) || isQuotaHugePages(name);
/** Resources that only take whole numbers: object counts, `count/*`, and extended (domain-prefixed) resources. */
const isIntegerResource = (name: string) =>
  OBJECT_COUNTS.includes(name) || name.startsWith('count/') || (name.includes('/') && !name.includes('kubernetes.io/'));

/** Which quota resources a scope may limit (IsResourceQuotaScopeValidForResource). */
function scopeAllows(scope: string, resource: string): boolean {
  if (scope === 'BestEffort') return resource === 'pods';
  return resource === 'pods' || COMPUTE.includes(resource);
}

/** validateResourceName: a qualified name; unprefixed names must be standard. */
function validateResourceName(name: string, path: string, standard: (n: string) => boolean, msg: string): FieldError[] {
  const errs = invalidEach(path, name, isQualifiedName(name));
  if (errs.length) return errs;
  if (!name.includes('/') && !standard(name)) return [field.invalid(path, name, msg)];
  return [];
}

const quotaResourceName = (name: string, path: string): FieldError[] => {
  const errs = validateResourceName(
    name,
    path,
    (n) => STANDARD_RESOURCES.has(n) || isQuotaHugePages(n),
    'must be a standard resource type or fully qualified',
  );
  if (errs.length) return errs;
  return !name.includes('/') && !isStandardQuota(name)
    ? [field.invalid(path, name, 'must be a standard resource for quota')]
    : [];
};

/** ValidateResourceQuantityValue: parses, is non-negative, and whole for integer resources. */
function validateQuantityValue(resource: string, q: unknown, path: string): FieldError[] {
  const v = parseQuantity(q);
  if (v === undefined) return [field.invalid(path, q, QUANTITY_MESSAGE)];
  if (v < 0) return [field.invalid(path, q, 'must be greater than or equal to 0')];
  if (isIntegerResource(resource) && !Number.isInteger(v)) return [field.invalid(path, q, 'must be an integer')];
  return [];
}

function validateResourceList(list: unknown, path: string): FieldError[] {
  return Object.entries(obj(list) ?? {}).flatMap(([name, q]) => [
    ...quotaResourceName(name, key(path, name)),
    ...validateQuantityValue(name, q, key(path, name)),
  ]);
}

function validateScopes(spec: Obj): FieldError[] {
  const scopes = arr(spec.scopes).map(String);
  const hard = Object.keys(obj(spec.hard) ?? {}).sort();
  const errs: FieldError[] = [];
  for (const scope of scopes) {
    if (!SCOPES.includes(scope)) errs.push(field.invalid('spec.scopes', scopes, 'unsupported scope'));
    for (const r of hard) {
      if (isStandardQuota(r) && !scopeAllows(scope, r)) {
        errs.push(field.invalid('spec.scopes', scopes, 'unsupported scope applied to resource'));
      }
    }
  }
  for (const pair of CONFLICTING_SCOPES) {
    if (pair.every((s) => scopes.includes(s))) errs.push(field.invalid('spec.scopes', scopes, 'conflicting scopes'));
  }
  return errs;
}

function validateScopeSelector(spec: Obj): FieldError[] {
  const selector = obj(spec.scopeSelector);
  if (!selector) return [];
  const path = 'spec.scopeSelector.matchExpressions';
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  for (const raw of arr(selector.matchExpressions)) {
    const req = obj(raw) ?? {};
    const scope = str(req.scopeName) ?? '';
    const op = str(req.operator) ?? '';
    const values = arr(req.values);
    if (!SCOPES.includes(scope)) errs.push(field.invalid(`${path}.scopeName`, scope, 'unsupported scope'));
    if (scope !== 'PriorityClass' && SCOPES.includes(scope) && op !== 'Exists') {
      errs.push(
        field.invalid(
          `${path}.operator`,
          op,
          "must be 'Exists' when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort, ResourceQuotaScopeNotBestEffort or ResourceQuotaScopeCrossNamespacePodAffinity",
        ),
      );
    }
    if (op === 'In' || op === 'NotIn') {
      if (values.length === 0) {
        errs.push(
          field.required(
            `${path}.values`,
            "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector",
          ),
        );
      }
    } else if (op === 'Exists' || op === 'DoesNotExist') {
      if (values.length > 0) {
        errs.push(
          field.invalid(
            `${path}.values`,
            values,
            "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector",
          ),
        );
      }
    } else {
      errs.push(field.invalid(`${path}.operator`, op, 'not a valid selector operator'));
    }
    seen.add(scope);
  }
  for (const pair of CONFLICTING_SCOPES) {
    if (pair.every((s) => seen.has(s))) errs.push(field.invalid(path, arr(spec.scopes), 'conflicting scopes'));
  }
  return errs;
}

export function validateResourceQuota(o: KubeObject, old?: KubeObject): FieldError[] {
  const spec = obj(o.spec) ?? {};
  const status = obj(o.status) ?? {};
  const errs = validateObjectMeta(o, { namespaced: true, name: nameIsDNSSubdomain });
  errs.push(...validateResourceList(spec.hard, 'spec.hard'));
  errs.push(...validateScopes(spec));
  errs.push(...validateScopeSelector(spec));
  errs.push(...validateResourceList(status.hard, 'status.hard'));
  errs.push(...validateResourceList(status.used, 'status.used'));
  if (old) {
    const now = new Set(arr(spec.scopes).map(String));
    const before = new Set(arr(obj(old.spec)?.scopes).map(String));
    if (now.size !== before.size || [...now].some((s) => !before.has(s))) {
      errs.push(field.invalid('spec.scopes', arr(spec.scopes), 'field is immutable'));
    }
  }
  return errs;
}

/** Resource names a LimitRange item may list: container resources for Pod/Container, any resource otherwise. */
function limitResourceName(type: string, name: string, path: string): FieldError[] {
  const errs = validateResourceName(
    name,
    path,
    (n) => STANDARD_RESOURCES.has(n) || isQuotaHugePages(n),
    'must be a standard resource type or fully qualified',
  );
  if (type !== 'Pod' && type !== 'Container') return errs;
  if (!name.includes('/')) {
    if (!CONTAINER_RESOURCES.has(name) && !isHugePages(name)) {
      errs.push(field.invalid(path, name, 'must be a standard resource for containers'));
    }
  } else if (name.includes('kubernetes.io/') === false && name.startsWith('requests.')) {
    errs.push(field.invalid(path, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

export function validateLimitRange(o: KubeObject): FieldError[] {
  const errs = validateObjectMeta(o, { namespaced: true, name: nameIsDNSSubdomain });
  const types = new Set<string>();
  arr(obj(o.spec)?.limits).forEach((raw, i) => {
    const p = `spec.limits[${i}]`;
    const item = obj(raw) ?? {};
    const type = str(item.type) ?? '';
    const typeErrs = invalidEach(`${p}.type`, type, isQualifiedName(type));
    if (!typeErrs.length && !type.includes('/') && !LIMIT_TYPES.includes(type)) {
      typeErrs.push(field.invalid(`${p}.type`, type, 'must be a standard limit type or fully qualified'));
    }
    errs.push(...typeErrs);
    if (types.has(type)) errs.push(field.duplicate(`${p}.type`, type));
    types.add(type);
    const lists: Record<string, Obj> = {};
    const kinds = ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'];
    for (const k of kinds) {
      const list = obj(item[k]) ?? {};
      if (type === 'Pod' && (k === 'default' || k === 'defaultRequest')) {
        if (Object.keys(list).length > 0)
          errs.push(field.forbidden(`${p}.${k}`, "may not be specified when `type` is 'Pod'"));
        continue;
      }
      lists[k] = list;
      for (const name of Object.keys(list)) errs.push(...limitResourceName(type, name, key(`${p}.${k}`, name)));
    }
    if (type === 'PersistentVolumeClaim' && lists.min?.storage === undefined && lists.max?.storage === undefined) {
      errs.push(
        field.required(`${p}.limits`, 'either minimum or maximum storage value is required, but neither was provided'),
      );
    }
    errs.push(...validateLimitValues(p, lists));
  });
  return errs;
}

/** The orderings min <= defaultRequest <= default <= max, and a ratio of at least 1 within max/min. */
function validateLimitValues(p: string, lists: Record<string, Obj>): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set(Object.values(lists).flatMap((l) => Object.keys(l)));
  for (const k of names) {
    const raw = (list: string) => lists[list]?.[k];
    const val = (list: string) => parseQuantity(raw(list));
    const [min, max, def, req, ratio] = ['min', 'max', 'default', 'defaultRequest', 'maxLimitRequestRatio'].map(val);
    const s = (list: string) => String(raw(list));
    if (min !== undefined && max !== undefined && min > max) {
      errs.push(
        field.invalid(key(`${p}.min`, k), raw('min'), `min value ${s('min')} is greater than max value ${s('max')}`),
      );
    }
    if (req !== undefined && min !== undefined && min > req) {
      errs.push(
        field.invalid(
          key(`${p}.defaultRequest`, k),
          raw('defaultRequest'),
          `min value ${s('min')} is greater than default request value ${s('defaultRequest')}`,
        ),
      );
    }
    if (req !== undefined && max !== undefined && req > max) {
      errs.push(
        field.invalid(
          key(`${p}.defaultRequest`, k),
          raw('defaultRequest'),
          `default request value ${s('defaultRequest')} is greater than max value ${s('max')}`,
        ),
      );
    }
    if (req !== undefined && def !== undefined && req > def) {
      errs.push(
        field.invalid(
          key(`${p}.defaultRequest`, k),
          raw('defaultRequest'),
          `default request value ${s('defaultRequest')} is greater than default limit value ${s('default')}`,
        ),
      );
    }
    if (def !== undefined && min !== undefined && min > def) {
      errs.push(
        field.invalid(
          key(`${p}.default`, k),
          raw('min'),
          `min value ${s('min')} is greater than default value ${s('default')}`,
        ),
      );
    }
    if (def !== undefined && max !== undefined && def > max) {
      errs.push(
        field.invalid(
          key(`${p}.default`, k),
          raw('max'),
          `default value ${s('default')} is greater than max value ${s('max')}`,
        ),
      );
    }
    if (ratio !== undefined && ratio < 1) {
      errs.push(
        field.invalid(
          key(`${p}.maxLimitRequestRatio`, k),
          raw('maxLimitRequestRatio'),
          `ratio ${s('maxLimitRequestRatio')} is less than 1`,
        ),
      );
    }
    if (ratio !== undefined && min !== undefined && max !== undefined && min > 0 && ratio > max / min) {
      errs.push(
        field.invalid(
          key(`${p}.maxLimitRequestRatio`, k),
          raw('maxLimitRequestRatio'),
          `ratio ${s('maxLimitRequestRatio')} is greater than max/min = ${(max / min).toFixed(6)}`,
        ),
      );
    }
  }
  return errs;
}
