// RBAC escalation prevention, as upstream's registry/rbac (policybased storage and validation.ConfirmNoEscalation):
// a user may create or update a Role/ClusterRole only with rules they already hold (or with the `escalate` verb
// on it), and a binding only to a role whose rules they hold (or with the `bind` verb on that role).
import { AsyncLocalStorage } from 'node:async_hooks';
import { errors, type StatusError } from '../../core/status.js';
import type { KubeObject, PolicyRule } from '../../core/types.js';
import type { Attributes, UserInfo } from './attributes.js';
import type { Authorizer } from './authorizer.js';
import { clusterRoleRules } from './rbac.js';

/** The user of the request being served (set by the server around each request). */
export const requestUser = new AsyncLocalStorage<UserInfo>();

const RBAC = 'rbac.authorization.k8s.io';
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** The rules of `rules` the user does not hold in `namespace` ('' = cluster-wide). */
function missingRules(authz: Authorizer, user: UserInfo, namespace: string, rules: PolicyRule[]): PolicyRule[] {
  const missing: PolicyRule[] = [];
  for (const rule of rules) {
    const verbs = strings(rule.verbs);
    const base = { user, subresource: '', namespace, name: '', apiGroup: '', resource: '', path: '' };
    let ok = true;
    if (strings(rule.nonResourceURLs).length > 0) {
      for (const path of strings(rule.nonResourceURLs))
        for (const verb of verbs) if (!authz.allows({ ...base, resourceRequest: false, verb, path })) ok = false;
    } else {
      const names = strings(rule.resourceNames);
      for (const apiGroup of strings(rule.apiGroups))
        for (const res of strings(rule.resources)) {
          const slash = res.indexOf('/');
          const resource = slash < 0 ? res : res.slice(0, slash);
          const subresource = slash < 0 ? '' : res.slice(slash + 1);
          for (const verb of verbs)
            for (const name of names.length > 0 ? names : ['']) {
              const a: Attributes = { ...base, resourceRequest: true, verb, apiGroup, resource, subresource, name };
              if (!authz.allows(a)) ok = false;
            }
        }
    }
    if (!ok) missing.push(rule);
  }
  return missing;
}

function ruleString(r: PolicyRule): string {
  const parts: string[] = [];
  const q = (xs: string[]) => `[${xs.map((x) => JSON.stringify(x)).join(' ')}]`;
  if (r.apiGroups?.length) parts.push(`APIGroups:${q(r.apiGroups)}`);
  if (r.resources?.length) parts.push(`Resources:${q(r.resources)}`);
  if (r.resourceNames?.length) parts.push(`ResourceNames:${q(r.resourceNames)}`);
  if (r.nonResourceURLs?.length) parts.push(`NonResourceURLs:${q(r.nonResourceURLs)}`);
  parts.push(`Verbs:${q(r.verbs ?? [])}`);
  return `{${parts.join(', ')}}`;
}

function escalationError(resource: string, name: string, user: UserInfo, missing: PolicyRule[]): StatusError {
  const groups = `[${user.groups.map((g) => JSON.stringify(g)).join(' ')}]`;
  return errors.forbiddenObject(
    RBAC,
    resource,
    name,
    `user ${JSON.stringify(user.name)} (groups=${groups}) is attempting to grant RBAC permissions not currently held:\n${missing.map(ruleString).join('\n')}`,
  );
}

/** Throws 403 when the current request's user would escalate their privileges by writing `obj`. */
export function checkNoEscalation(authz: Authorizer, resource: string, obj: KubeObject): void {
  const user = requestUser.getStore();
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
    const missing = missingRules(authz, user, namespace, rules);
    if (missing.length > 0) throw escalationError(resource, name, user, missing);
    return;
  }
  if (resource !== 'rolebindings' && resource !== 'clusterrolebindings') return;
  const ref = (obj.roleRef ?? {}) as { kind?: string; name?: string };
  const refResource = ref.kind === 'Role' ? 'roles' : 'clusterroles';
  if (verbAllowed('bind', refResource, ref.name ?? '')) return;
  const snapshot = authz.snapshot();
  let rules: PolicyRule[] = [];
  if (ref.kind === 'Role') rules = snapshot.roles.get(`${namespace}/${ref.name}`)?.rules ?? [];
  else {
    const cr = snapshot.clusterRoles.get(ref.name ?? '');
    rules = cr ? clusterRoleRules(snapshot, cr) : [];
  }
  const missing = missingRules(authz, user, namespace, rules);
  if (missing.length > 0) throw escalationError(resource, name, user, missing);
}
