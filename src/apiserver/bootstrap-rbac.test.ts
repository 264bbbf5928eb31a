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
