// rbac.authorization.k8s.io/v1 Role, ClusterRole, RoleBinding, ClusterRoleBinding (rbac validation.go).
// Names are path segments; a binding's roleRef never changes.
import { type FieldError, field } from '../../core/status.js';
import type { KubeObject } from '../../core/types.js';
import { isDNS1123Subdomain, isValidPathSegmentName } from '../../core/names.js';
import { arr, invalidEach, obj, type Obj, str } from './access.js';
import { validateLabelSelector } from './labelselector.js';
import { validateObjectMeta } from './objectmeta.js';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

function validateRule(rule: Obj, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (arr(rule.verbs).length === 0) errs.push(field.required(`${path}.verbs`, 'verbs must contain at least one value'));
  const urls = arr(rule.nonResourceURLs);
  if (urls.length > 0) {
    if (namespaced) {
      errs.push(field.invalid(`${path}.nonResourceURLs`, urls, 'namespaced rules cannot apply to non-resource URLs'));
    }
    if (arr(rule.apiGroups).length || arr(rule.resources).length || arr(rule.resourceNames).length) {
      errs.push(
        field.invalid(
          `${path}.nonResourceURLs`,
          urls,
          'rules cannot apply to both regular resources and non-resource URLs',
        ),
      );
    }
    return errs;
  }
  if (arr(rule.apiGroups).length === 0) {
    errs.push(field.required(`${path}.apiGroups`, 'resource rules must supply at least one api group'));
  }
  if (arr(rule.resources).length === 0) {
    errs.push(field.required(`${path}.resources`, 'resource rules must supply at least one resource'));
  }
  return errs;
}

function validateRules(o: KubeObject, namespaced: boolean): FieldError[] {
  return arr(o.rules).flatMap((r, i) => validateRule(obj(r) ?? {}, namespaced, `rules[${i}]`));
}

export function validateRole(o: KubeObject): FieldError[] {
  return [...validateObjectMeta(o, { namespaced: true, name: isValidPathSegmentName }), ...validateRules(o, true)];
}

export function validateClusterRole(o: KubeObject): FieldError[] {
  const errs = [
    ...validateObjectMeta(o, { namespaced: false, name: isValidPathSegmentName }),
    ...validateRules(o, false),
  ];
  const aggregation = obj(o.aggregationRule);
  if (aggregation) {
    const selectors = arr(aggregation.clusterRoleSelectors);
    if (selectors.length === 0) {
      errs.push(
        field.required(
          'aggregationRule.clusterRoleSelectors',
          'at least one clusterRoleSelector required if aggregationRule is non-nil',
        ),
      );
    }
    selectors.forEach((s, i) => {
      errs.push(...validateLabelSelector(s, `aggregationRule.clusterRoleSelectors[${i}]`));
    });
  }
  return errs;
}

function validateSubject(subject: Obj, namespaced: boolean, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(subject.name) ?? '';
  const group = str(subject.apiGroup) ?? '';
  if (!name) errs.push(field.required(`${path}.name`, ''));
  switch (str(subject.kind) ?? '') {
    case 'ServiceAccount':
      if (name) errs.push(...invalidEach(`${path}.name`, name, isDNS1123Subdomain(name)));
      if (group) errs.push(field.notSupported(`${path}.apiGroup`, group, ['']));
      if (!namespaced && !str(subject.namespace)) errs.push(field.required(`${path}.namespace`, ''));
      break;
    case 'User':
    case 'Group':
      if (group !== RBAC_GROUP) errs.push(field.notSupported(`${path}.apiGroup`, group, [RBAC_GROUP]));
      break;
    default:
      errs.push(field.notSupported(`${path}.kind`, str(subject.kind) ?? '', ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

/** Go's %#v of an rbac.RoleRef, which upstream prints when the roleRef changes. */
function goRoleRef(ref: Obj): string {
  const q = (v: unknown) => JSON.stringify(str(v) ?? '');
  return `rbac.RoleRef{APIGroup:${q(ref.apiGroup)}, Kind:${q(ref.kind)}, Name:${q(ref.name)}}`;
}

function validateBinding(o: KubeObject, namespaced: boolean, old?: KubeObject): FieldError[] {
  const errs = validateObjectMeta(o, { namespaced, name: isValidPathSegmentName });
  const ref = obj(o.roleRef) ?? {};
  const group = str(ref.apiGroup) ?? '';
  if (group !== RBAC_GROUP) errs.push(field.notSupported('roleRef.apiGroup', group, [RBAC_GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  const kind = str(ref.kind) ?? '';
  if (!kinds.includes(kind)) errs.push(field.notSupported('roleRef.kind', kind, kinds));
  const name = str(ref.name) ?? '';
  if (!name) errs.push(field.required('roleRef.name', ''));
  else errs.push(...invalidEach('roleRef.name', name, isValidPathSegmentName(name)));
  arr(o.subjects).forEach((s, i) => {
    errs.push(...validateSubject(obj(s) ?? {}, namespaced, `subjects[${i}]`));
  });
  if (old) {
    const before = obj(old.roleRef) ?? {};
    if (['apiGroup', 'kind', 'name'].some((f) => (str(ref[f]) ?? '') !== (str(before[f]) ?? ''))) {
      errs.push({
        type: 'FieldValueInvalid',
        field: 'roleRef',
        message: `Invalid value: ${goRoleRef(ref)}: cannot change roleRef`,
      });
    }
  }
  return errs;
}

export const validateRoleBinding = (o: KubeObject, old?: KubeObject) => validateBinding(o, true, old);
export const validateClusterRoleBinding = (o: KubeObject, old?: KubeObject) => validateBinding(o, false, old);
