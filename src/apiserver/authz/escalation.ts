// RBAC escalation prevention, as upstream's registry/rbac (policybased storage and validation.ConfirmNoEscalation):
// a user may create or update a Role/ClusterRole only with rules they already hold (or with the `escalate` verb
// on it), and a binding only to a role whose rules they hold (or with the `bind` verb on that role).
import { errors, type StatusError } from '../../core/status.js';
import type { KubeObject, PolicyRule } from '../../core/types.js';
import type { Attributes, UserInfo } from './attributes.js';
import type { Authorizer } from './authorizer.js';
import { clusterRoleRules } from './rbac.js';

const RBAC = 'rbac.authorization.k8s.io';
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/**
 * upstream BreakdownRule: the rule as rules of one verb, one group and resource (and one resource name), or one
 * non-resource URL each.
 */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  const verbs = strings(rule.verbs);
  const names = strings(rule.resourceNames);
  for (const apiGroup of strings(rule.apiGroups))
    for (const resource of strings(rule.resources))
      for (const verb of verbs) {
        if (names.length === 0) out.push({ apiGroups: [apiGroup], resources: [resource], verbs: [verb] });
        else
          for (const name of names)
            out.push({ apiGroups: [apiGroup], resources: [resource], resourceNames: [name], verbs: [verb] });
      }
  for (const url of strings(rule.nonResourceURLs))
    for (const verb of verbs) out.push({ nonResourceURLs: [url], verbs: [verb] });
  return out;
}

/**
 * upstream CompactRules over a broken-down list: rules of one group, one resource and at most one name that
 * differ only by verb become one rule, after the others.
 */
export function compactRules(rules: PolicyRule[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const r of rules) {
    const isSimple =
      (r.apiGroups?.length ?? 0) === 1 &&
      (r.resources?.length ?? 0) === 1 &&
      (r.resourceNames?.length ?? 0) <= 1 &&
      (r.nonResourceURLs?.length ?? 0) === 0;
    if (!isSimple) {
      out.push(r);
      continue;
    }
    const key = JSON.stringify([r.apiGroups, r.resources, r.resourceNames ?? []]);
    const had = simple.get(key);
    if (had) had.verbs = [...(had.verbs ?? []), ...(r.verbs ?? [])];
    else simple.set(key, { ...r, verbs: [...(r.verbs ?? [])] });
  }
  return [...out, ...simple.values()];
}

/** upstream Covers: the broken-down rules of `rules` the user does not hold in `namespace` ('' = cluster-wide). */
export function missingRules(
  allows: (a: Attributes) => boolean,
  user: UserInfo,
  namespace: string,
  rules: PolicyRule[],
): PolicyRule[] {
  const base = { user, subresource: '', namespace, name: '', apiGroup: '', resource: '', path: '' };
  return rules.flatMap(breakdownRule).filter((r) => {
    const verb = r.verbs![0]!;
    if (r.nonResourceURLs) return !allows({ ...base, resourceRequest: false, verb, path: r.nonResourceURLs[0]! });
    const res = r.resources![0]!;
    const slash = res.indexOf('/');
    return !allows({
      ...base,
      resourceRequest: true,
      verb,
      apiGroup: r.apiGroups![0]!,
      resource: slash < 0 ? res : res.slice(0, slash),
      subresource: slash < 0 ? '' : res.slice(slash + 1),
      name: r.resourceNames?.[0] ?? '',
    });
  });
}

/** upstream rbacv1helpers.CompactString. */
export function ruleString(r: PolicyRule): string {
  const parts: string[] = [];
  const q = (xs: string[]) => `[${xs.map((x) => JSON.stringify(x)).join(' ')}]`;
  if (r.apiGroups?.length) parts.push(`APIGroups:${q(r.apiGroups)}`);
  if (r.resources?.length) parts.push(`Resources:${q(r.resources)}`);
  if (r.nonResourceURLs?.length) parts.push(`NonResourceURLs:${q(r.nonResourceURLs)}`);
  if (r.resourceNames?.length) parts.push(`ResourceNames:${q(r.resourceNames)}`);
  if (r.verbs?.length) parts.push(`Verbs:${q(r.verbs)}`);
  return `{${parts.join(', ')}}`;
}

/** upstream ConfirmNoEscalation's message: the compacted missing rules, each once, sorted. */
export function escalationMessage(user: UserInfo, missing: PolicyRule[]): string {
  const groups = `[${user.groups.map((g) => JSON.stringify(g)).join(' ')}]`;
  const lines = [...new Set(compactRules(missing).map(ruleString))].sort();
  return `user ${JSON.stringify(user.name)} (groups=${groups}) is attempting to grant RBAC permissions not currently held:\n${lines.join('\n')}`;
}

function escalationError(resource: string, name: string, user: UserInfo, missing: PolicyRule[]): StatusError {
  return errors.forbiddenObject(RBAC, resource, name, escalationMessage(user, missing));
}

/** Throws 403 when `user` would escalate their privileges by writing `obj` (none: the server's own write). */
export function checkNoEscalation(
  authz: Authorizer,
  resource: string,
  obj: KubeObject,
  user: UserInfo | undefined,
): void {
  if (!user || user.groups.includes('system:masters')) return;
  const namespace = obj.metadata.namespace ?? '';
  const name = obj.metadata.name ?? '';
  const verbAllowed = (verb: string, res: string, target: string) =>
    authz.allows({
      user,
      verb,
      resourceRequest: true,
      apiGroup: RBAC,
      resource: res,
      subresource: '',
      namespace,
      name: target,
      path: '',
    });
  if (resource === 'roles' || resource === 'clusterroles') {
    if (verbAllowed('escalate', resource, name)) return;
    const rules = Array.isArray(obj.rules) ? (obj.rules as PolicyRule[]) : [];
    const missing = missingRules((a) => authz.allows(a), user, namespace, rules);
    if (missing.length > 0) throw escalationError(resource, name, user, missing);
    return;
  }
  if (resource !== 'rolebindings' && resource !== 'clusterrolebindings') return;
  const ref = (obj.roleRef ?? {}) as { kind?: string; name?: string };
  const refResource = ref.kind === 'Role' ? 'roles' : 'clusterroles';
  if (verbAllowed('bind', refResource, ref.name ?? '')) return;
  const snapshot = authz.snapshot();
  let rules: PolicyRule[] = [];
  // upstream GetRoleReferenceRules: a role that does not exist is a 404 for whoever may not bind it
  if (ref.kind === 'Role') {
    const role = snapshot.roles.get(`${namespace}/${ref.name}`);
    if (!role) throw errors.notFound(RBAC, 'roles', ref.name ?? '');
    rules = role.rules ?? [];
  } else {
    const cr = snapshot.clusterRoles.get(ref.name ?? '');
    if (!cr) throw errors.notFound(RBAC, 'clusterroles', ref.name ?? '');
    rules = clusterRoleRules(snapshot, cr);
  }
  const missing = missingRules((a) => authz.allows(a), user, namespace, rules);
  if (missing.length > 0) throw escalationError(resource, name, user, missing);
}
