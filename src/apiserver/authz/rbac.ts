// RBAC decisions (rbac.authorization.k8s.io/v1) as pure functions on a snapshot of the Roles, ClusterRoles
// and their bindings, as upstream's plugin/pkg/auth/authorizer/rbac: a request is allowed when a rule of a
// role bound to the user (by name, group or ServiceAccount) allows it; RoleBindings grant in their namespace
// only; aggregated ClusterRoles hold the rules of the ClusterRoles their selectors match.
import { labelSelectorFromObject } from '../../core/selectors/index.js';
import type { ClusterRole, ClusterRoleBinding, PolicyRule, RbacSubject, Role, RoleBinding } from '../../core/types.js';
import type { Attributes, UserInfo } from './attributes.js';

export interface RbacSnapshot {
  roles: Map<string, Role>; // key ns/name
  clusterRoles: Map<string, ClusterRole>;
  roleBindings: Map<string, RoleBinding>; // key ns/name
  clusterRoleBindings: Map<string, ClusterRoleBinding>;
}

export function emptySnapshot(): RbacSnapshot {
  return { roles: new Map(), clusterRoles: new Map(), roleBindings: new Map(), clusterRoleBindings: new Map() };
}

const has = (list: readonly string[] | undefined, v: string) => !!list && (list.includes('*') || list.includes(v));

function nonResourceMatches(patterns: readonly string[] | undefined, path: string): boolean {
  for (const p of patterns ?? []) {
    if (p === '*' || p === path) return true;
    if (p.endsWith('*') && path.startsWith(p.slice(0, -1))) return true;
  }
  return false;
}

/** Whether one rule allows the request (upstream's RuleAllows). */
export function ruleAllows(a: Attributes, r: PolicyRule): boolean {
  if (!has(r.verbs, a.verb)) return false;
  if (!a.resourceRequest) return nonResourceMatches(r.nonResourceURLs, a.path);
  if (!has(r.apiGroups, a.apiGroup)) return false;
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const resources = r.resources ?? [];
  const resourceOk = a.subresource
    ? resources.includes('*') || resources.includes(combined) || resources.includes(`*/${a.subresource}`)
    : resources.includes('*') || resources.includes(a.resource);
  if (!resourceOk) return false;
  const names = r.resourceNames ?? [];
  return names.length === 0 || names.includes(a.name);
}

/** The name a ServiceAccount authenticates as. */
export const serviceAccountUser = (ns: string, name: string) => `system:serviceaccount:${ns}:${name}`;

function subjectMatches(s: RbacSubject, user: UserInfo, bindingNamespace: string): boolean {
  switch (s.kind) {
    case 'User':
      return s.name === user.name;
    case 'Group':
      return user.groups.includes(s.name);
    case 'ServiceAccount':
      return user.name === serviceAccountUser(s.namespace || bindingNamespace, s.name);
    default:
      return false;
  }
}

/** The rules of a ClusterRole, with those of the ClusterRoles its aggregation rule selects. */
export function clusterRoleRules(snapshot: RbacSnapshot, role: ClusterRole): PolicyRule[] {
  const selectors = role.aggregationRule?.clusterRoleSelectors;
  if (!selectors || selectors.length === 0) return role.rules ?? [];
  const out: PolicyRule[] = [...(role.rules ?? [])];
  const compiled = selectors.map((s) => labelSelectorFromObject(s));
  for (const other of snapshot.clusterRoles.values()) {
    if (other === role || other.aggregationRule) continue;
    const labels = other.metadata.labels ?? {};
    if (compiled.some((c) => c.matches(labels))) out.push(...(other.rules ?? []));
  }
  return out;
}

function rulesOf(snapshot: RbacSnapshot, ref: { kind: string; name: string }, namespace: string): PolicyRule[] {
  if (ref.kind === 'ClusterRole') {
    const cr = snapshot.clusterRoles.get(ref.name);
    return cr ? clusterRoleRules(snapshot, cr) : [];
  }
  if (ref.kind === 'Role') return snapshot.roles.get(`${namespace}/${ref.name}`)?.rules ?? [];
  return [];
}

/** Every rule that applies to the user in a namespace ('' = cluster scope only), for SelfSubjectRulesReview. */
export function rulesFor(snapshot: RbacSnapshot, user: UserInfo, namespace: string): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const b of snapshot.clusterRoleBindings.values())
    if ((b.subjects ?? []).some((s) => subjectMatches(s, user, ''))) out.push(...rulesOf(snapshot, b.roleRef, ''));
  if (namespace)
    for (const b of snapshot.roleBindings.values()) {
      if (b.metadata.namespace !== namespace) continue;
      if ((b.subjects ?? []).some((s) => subjectMatches(s, user, namespace)))
        out.push(...rulesOf(snapshot, b.roleRef, namespace));
    }
  return out;
}

/** Whether RBAC allows the request. */
export function rbacAllows(snapshot: RbacSnapshot, a: Attributes): boolean {
  for (const b of snapshot.clusterRoleBindings.values()) {
    if (!(b.subjects ?? []).some((s) => subjectMatches(s, a.user, ''))) continue;
    if (rulesOf(snapshot, b.roleRef, '').some((r) => ruleAllows(a, r))) return true;
  }
  if (!a.namespace) return false;
  for (const b of snapshot.roleBindings.values()) {
    if (b.metadata.namespace !== a.namespace) continue;
    if (!(b.subjects ?? []).some((s) => subjectMatches(s, a.user, a.namespace))) continue;
    if (rulesOf(snapshot, b.roleRef, a.namespace).some((r) => ruleAllows(a, r))) return true;
  }
  return false;
}
