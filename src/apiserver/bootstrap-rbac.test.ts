// Reconciliation of the default RBAC objects at start (upstream's, additive; autoupdate "false" respected), pure.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ClusterRole, ClusterRoleBinding } from '../core/types.js';
import { bootstrapClusterRoleBindings, bootstrapClusterRoles } from './authz/bootstrap-policy.js';
import { reconciledRbacObject } from './bootstrap.js';

const scheduler = () => bootstrapClusterRoles().find((r) => r.metadata.name === 'system:kube-scheduler')!;

describe('reconciledRbacObject', () => {
  it('leaves an up-to-date role or binding alone', () => {
    assert.equal(reconciledRbacObject(scheduler(), scheduler()), undefined);
    const b = bootstrapClusterRoleBindings()[0]!;
    assert.equal(reconciledRbacObject(structuredClone(b), b), undefined);
  });

  it('adds the rules a role lacks after the ones it has, keeping an administrator’s extra rules', () => {
    const desired = scheduler();
    const extra = { apiGroups: ['example.com'], resources: ['widgets'], verbs: ['get'] };
    const existing: ClusterRole = {
      ...structuredClone(desired),
      metadata: { ...desired.metadata, resourceVersion: '42' },
      rules: [desired.rules![0]!, extra],
    };
    const out = reconciledRbacObject(existing, desired)!;
    assert.deepEqual(out.rules, [desired.rules![0], extra, ...desired.rules!.slice(1)]);
    assert.equal(out.metadata.resourceVersion, '42', 'an update of the object read');
  });

  it('removes the node role from every node and from the old shared join token, keeping other subjects', () => {
    const desired = bootstrapClusterRoleBindings().find((b) => b.metadata.name === 'system:node')!;
    assert.equal(desired.subjects, undefined);
    const old: ClusterRoleBinding = {
      ...structuredClone(desired),
      subjects: [
        { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: 'system:nodes' },
        { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'system:node' },
      ],
    };
    assert.equal(reconciledRbacObject(old, desired)!.subjects, undefined);
    const withAdmin: ClusterRoleBinding = {
      ...old,
      subjects: [...old.subjects!, { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'ops' }],
    };
    assert.deepEqual(reconciledRbacObject(withAdmin, desired)!.subjects, [
      { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'ops' },
    ]);
    assert.equal(reconciledRbacObject({ ...desired }, desired), undefined, 'nothing to do once removed');
    const pinned = {
      ...old,
      metadata: { ...old.metadata, annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'false' } },
    };
    assert.equal(reconciledRbacObject(pinned, desired), undefined, 'an administrator’s pinned binding stays');
  });

  it('adds the subjects a binding lacks', () => {
    const desired = bootstrapClusterRoleBindings().find((b) => b.metadata.name === 'system:kube-scheduler')!;
    const other = { apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'someone' };
    const existing: ClusterRoleBinding = { ...structuredClone(desired), subjects: [other] };
    assert.deepEqual(reconciledRbacObject(existing, desired)!.subjects, [other, ...desired.subjects!]);
  });

  it('keeps an object annotated autoupdate "false" as it is', () => {
    const desired = scheduler();
    const existing: ClusterRole = {
      ...structuredClone(desired),
      metadata: { ...desired.metadata, annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'false' } },
      rules: [],
    };
    assert.equal(reconciledRbacObject(existing, desired), undefined);
  });
});
