// The bootstrap policy is well-formed, and the server's own components (scheduler, controller manager,
// metrics informers) get what they use and not more: decisions of the real RBAC evaluator on the real
// bootstrap objects.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PolicyRule } from '../../core/types.js';
import type { Attributes } from './attributes.js';
import { bootstrapClusterRoleBindings, bootstrapClusterRoles, bootstrapRoleBindings } from './bootstrap-policy.js';
import { emptySnapshot, type RbacSnapshot, rbacAllows } from './rbac.js';

const VERBS = new Set([
  '*',
  'get',
  'list',
  'watch',
  'create',
  'update',
  'patch',
  'delete',
  'deletecollection',
  'impersonate',
  'bind',
  'escalate',
  'approve',
  'sign',
  'proxy',
]);

function snapshot(): RbacSnapshot {
  const s = emptySnapshot();
  for (const r of bootstrapClusterRoles()) s.clusterRoles.set(r.metadata.name!, r);
  for (const b of bootstrapClusterRoleBindings()) s.clusterRoleBindings.set(b.metadata.name!, b);
  for (const b of bootstrapRoleBindings()) s.roleBindings.set(`${b.metadata.namespace}/${b.metadata.name}`, b);
  return s;
}

function ruleProblems(rule: PolicyRule): string[] {
  const out: string[] = [];
  if (!rule.verbs?.length) out.push('no verbs');
  for (const v of rule.verbs ?? []) if (!VERBS.has(v)) out.push(`unknown verb ${v}`);
  const isResource = rule.apiGroups !== undefined || rule.resources !== undefined;
  if (isResource && rule.nonResourceURLs?.length) out.push('both resources and nonResourceURLs');
  if (isResource) {
    if (!rule.apiGroups?.length) out.push('resources without apiGroups');
    if (!rule.resources?.length) out.push('apiGroups without resources');
    for (const r of rule.resources ?? [])
      if (!/^(\*|[a-z0-9.-]+)(\/(\*|[a-z0-9-]+))?$/.test(r)) out.push(`resource ${r}`);
  } else if (!rule.nonResourceURLs?.length) out.push('neither resources nor nonResourceURLs');
  if (rule.resourceNames?.length && rule.verbs?.some((v) => v === 'create' || v === 'list' || v === 'watch'))
    out.push('resourceNames cannot restrict create, list or watch');
  return out;
}

const user = (name: string) => ({ name, groups: ['system:authenticated'] });
const can = (
  s: RbacSnapshot,
  who: string,
  verb: string,
  resource: string,
  opts: { group?: string; ns?: string; name?: string; sub?: string } = {},
) => {
  const a: Attributes = {
    user: user(who),
    verb,
    resourceRequest: true,
    apiGroup: opts.group ?? '',
    resource,
    subresource: opts.sub ?? '',
    namespace: opts.ns ?? '',
    name: opts.name ?? '',
    path: '',
  };
  return rbacAllows(s, a);
};

describe('bootstrap policy', () => {
  it('every role is well-formed, every name unique, every binding refers to a role that exists', () => {
    const roles = bootstrapClusterRoles();
    const names = roles.map((r) => r.metadata.name!);
    assert.equal(new Set(names).size, names.length, 'duplicate ClusterRole names');
    for (const role of roles) {
      assert.equal(role.apiVersion, 'rbac.authorization.k8s.io/v1');
      assert.equal(role.kind, 'ClusterRole');
      assert.equal(role.metadata.labels?.['kubernetes.io/bootstrapping'], 'rbac-defaults', role.metadata.name);
      if (role.aggregationRule) continue;
      assert.ok((role.rules ?? []).length > 0, `${role.metadata.name} has no rules`);
      for (const [i, rule] of (role.rules ?? []).entries())
        assert.deepEqual(ruleProblems(rule), [], `${role.metadata.name} rule ${i}: ${JSON.stringify(rule)}`);
    }
    const bindings = [...bootstrapClusterRoleBindings(), ...bootstrapRoleBindings()];
    const bindingNames = bindings.map((b) => `${b.kind}/${b.metadata.namespace ?? ''}/${b.metadata.name}`);
    assert.equal(new Set(bindingNames).size, bindingNames.length, 'duplicate binding names');
    for (const b of bindings) {
      assert.equal(b.roleRef.kind, 'ClusterRole');
      assert.ok(names.includes(b.roleRef.name), `${b.metadata.name} binds missing ${b.roleRef.name}`);
      // system:node is bound to nobody, as upstream: nodes get its rules from the Node authorizer.
      if (b.metadata.name !== 'system:node')
        assert.ok((b.subjects ?? []).length > 0, `${b.metadata.name} has no subjects`);
    }
  });

  it('the scheduler may bind, update pod status, preempt and lead its own Lease, and no more', () => {
    const s = snapshot();
    const sched = 'system:kube-scheduler';
    assert.ok(can(s, sched, 'list', 'pods'));
    assert.ok(can(s, sched, 'watch', 'nodes'));
    assert.ok(can(s, sched, 'create', 'pods', { ns: 'default', name: 'p', sub: 'binding' }));
    assert.ok(can(s, sched, 'patch', 'pods', { ns: 'default', name: 'p', sub: 'status' }));
    assert.ok(can(s, sched, 'delete', 'pods', { ns: 'default', name: 'p' }));
    assert.ok(can(s, sched, 'create', 'events', { ns: 'default' }));
    assert.ok(can(s, sched, 'patch', 'events', { ns: 'default', name: 'e' }));
    assert.ok(can(s, sched, 'create', 'leases', { group: 'coordination.k8s.io', ns: 'kube-system' }));
    const lease = { group: 'coordination.k8s.io', ns: 'kube-system', name: 'kube-scheduler' };
    assert.ok(can(s, sched, 'get', 'leases', lease));
    assert.ok(can(s, sched, 'update', 'leases', lease));
    assert.ok(can(s, sched, 'update', 'persistentvolumeclaims', { ns: 'default', name: 'c' }), 'volume-scheduler');
    // not another component's lease, not secrets, not namespaces, not RBAC, not writing pods' spec
    assert.ok(!can(s, sched, 'update', 'leases', { ...lease, name: 'tutti-controller-manager' }));
    assert.ok(!can(s, sched, 'get', 'secrets', { ns: 'default', name: 'x' }));
    assert.ok(!can(s, sched, 'list', 'secrets'));
    assert.ok(!can(s, sched, 'delete', 'namespaces', { name: 'default' }));
    assert.ok(!can(s, sched, 'update', 'pods', { ns: 'default', name: 'p' }));
    assert.ok(!can(s, sched, 'create', 'pods', { ns: 'default' }));
    assert.ok(!can(s, sched, 'create', 'clusterrolebindings', { group: 'rbac.authorization.k8s.io' }));
  });

  it('the controller manager may do its controllers’ work but not create RBAC objects or impersonate', () => {
    const s = snapshot();
    const kcm = 'system:kube-controller-manager';
    const apps = { group: 'apps', ns: 'default' };
    assert.ok(can(s, kcm, 'create', 'pods', { ns: 'default' }));
    assert.ok(can(s, kcm, 'create', 'replicasets', apps));
    assert.ok(can(s, kcm, 'create', 'controllerrevisions', apps));
    assert.ok(can(s, kcm, 'update', 'deployments', { ...apps, name: 'd', sub: 'status' }));
    assert.ok(can(s, kcm, 'update', 'replicasets', { ...apps, name: 'r', sub: 'scale' }));
    assert.ok(can(s, kcm, 'create', 'jobs', { group: 'batch', ns: 'default' }));
    assert.ok(can(s, kcm, 'create', 'endpointslices', { group: 'discovery.k8s.io', ns: 'default' }));
    assert.ok(can(s, kcm, 'create', 'serviceaccounts', { ns: 'default' }));
    assert.ok(can(s, kcm, 'create', 'configmaps', { ns: 'default' }));
    assert.ok(can(s, kcm, 'update', 'namespaces', { name: 'x', sub: 'finalize' }));
    assert.ok(can(s, kcm, 'deletecollection', 'secrets', { ns: 'x' }), 'namespace controller');
    assert.ok(can(s, kcm, 'patch', 'widgets', { group: 'example.com', ns: 'x', name: 'w' }), 'garbage collector');
    assert.ok(can(s, kcm, 'get', 'pods', { group: 'metrics.k8s.io', ns: 'x' }), 'HPA');
    assert.ok(can(s, kcm, 'create', 'storageclasses', { group: 'storage.k8s.io' }));
    assert.ok(can(s, kcm, 'create', 'persistentvolumes'));
    assert.ok(can(s, kcm, 'create', 'pods', { ns: 'x', name: 'p', sub: 'eviction' }));
    const lease = { group: 'coordination.k8s.io', ns: 'kube-system', name: 'tutti-controller-manager' };
    assert.ok(can(s, kcm, 'update', 'leases', lease));
    // (any Lease too: the garbage collector's update on everything, as upstream's system:controller:generic-garbage-collector)
    const rbac = 'rbac.authorization.k8s.io';
    for (const r of ['clusterrolebindings', 'clusterroles', 'rolebindings', 'roles'])
      assert.ok(!can(s, kcm, 'create', r, { group: rbac, ns: r.startsWith('role') ? 'default' : '' }), r);
    assert.ok(!can(s, kcm, 'bind', 'clusterroles', { group: rbac, name: 'cluster-admin' }));
    assert.ok(!can(s, kcm, 'escalate', 'clusterroles', { group: rbac, name: 'cluster-admin' }));
    assert.ok(!can(s, kcm, 'impersonate', 'users', { name: 'system:admin' }));
    assert.ok(!can(s, kcm, 'create', 'secrets', { ns: 'default' }));
    assert.ok(!can(s, kcm, 'create', 'serviceaccounts', { ns: 'default', name: 'x', sub: 'token' }));
    assert.ok(!can(s, kcm, 'create', 'customresourcedefinitions', { group: 'apiextensions.k8s.io' }));
  });

  it('the metrics.k8s.io identity may read nodes and pods (and, on agents, their metrics) only', () => {
    const s = snapshot();
    const m = 'system:tutti:metrics-scraper';
    assert.ok(can(s, m, 'list', 'nodes'));
    assert.ok(can(s, m, 'watch', 'pods'));
    assert.ok(!can(s, m, 'list', 'secrets'));
    assert.ok(!can(s, m, 'delete', 'pods', { ns: 'default', name: 'p' }));
  });
});
