import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError } from '../core/status.js';
import type { KubeObject } from '../core/types.js';
import { admitNodeRestriction, type NodeAdmissionRequest } from './noderestriction.js';

const n1 = { name: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };

function req(over: Partial<NodeAdmissionRequest>): NodeAdmissionRequest {
  return {
    user: n1,
    operation: 'UPDATE',
    group: '',
    resource: 'nodes',
    subresource: '',
    namespace: '',
    name: 'n1',
    ...over,
  };
}

/** The 403 message of the refusal, or undefined when admitted. */
function refusal(r: NodeAdmissionRequest): string | undefined {
  try {
    admitNodeRestriction(r);
    return undefined;
  } catch (e) {
    assert.ok(e instanceof StatusError);
    assert.equal(e.code, 403);
    return e.message;
  }
}

const node = (labels: Record<string, string> = {}, spec: Record<string, unknown> = {}) =>
  ({ metadata: { name: 'n1', labels }, spec }) as KubeObject;
const pod = (nodeName: string, extra: Partial<KubeObject> = {}) =>
  ({ metadata: { name: 'p', namespace: 'default' }, spec: { nodeName, containers: [] }, ...extra }) as KubeObject;

describe('NodeRestriction', () => {
  it('lets a node modify only its own Node', () => {
    assert.equal(refusal(req({ object: node(), old: node() })), undefined);
    assert.equal(refusal(req({ subresource: 'status', object: node(), old: node() })), undefined);
    assert.equal(
      refusal(req({ name: 'n2', subresource: 'status' })),
      'nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"',
    );
    assert.equal(
      refusal(req({ operation: 'DELETE', name: 'n2' })),
      'nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"',
    );
    assert.equal(refusal(req({ operation: 'CREATE', name: '', object: node() })), undefined);
  });

  it('keeps taints, configSource and restricted labels out of its reach', () => {
    const taint = { taints: [{ key: 'k', effect: 'NoSchedule' }] };
    assert.equal(
      refusal(req({ object: node({}, {}), old: node({}, taint) })),
      'nodes "n1" is forbidden: node "n1" is not allowed to modify taints',
    );
    assert.equal(refusal(req({ object: node({}, { taints: [] }), old: node({}, {}) })), undefined);
    assert.equal(
      refusal(req({ object: node({ 'node-restriction.kubernetes.io/pool': 'gold' }), old: node() })),
      'nodes "n1" is forbidden: is not allowed to modify labels: node-restriction.kubernetes.io/pool',
    );
    assert.equal(
      refusal(
        req({
          operation: 'CREATE',
          name: '',
          object: node({ 'node-role.kubernetes.io/master': '', 'kubernetes.io/os': 'linux' }),
        }),
      ),
      'nodes "n1" is forbidden: node "n1" is not allowed to set the following labels: node-role.kubernetes.io/master',
    );
    assert.equal(
      refusal(
        req({
          object: node({ 'topology.kubernetes.io/zone': 'z', 'example.com/x': 'y', 'kubelet.kubernetes.io/a': 'b' }),
          old: node(),
        }),
      ),
      undefined,
    );
    assert.equal(
      refusal(req({ operation: 'CREATE', name: '', object: node({}, { configSource: { configMap: {} } }) })),
      'nodes "n1" is forbidden: node "n1" is not allowed to create pods with a non-nil configSource',
    );
  });

  it('pod status only of pods bound to the node, without label changes', () => {
    const pr = (old: KubeObject, object: KubeObject) =>
      req({ resource: 'pods', subresource: 'status', namespace: 'default', name: 'p', old, object });
    assert.equal(refusal(pr(pod('n1'), pod('n1'))), undefined);
    assert.equal(
      refusal(pr(pod('n2'), pod('n2'))),
      'pods "p" is forbidden: node "n1" can only update pod status for pods with spec.nodeName set to itself',
    );
    const relabeled = pod('n1', { metadata: { name: 'p', namespace: 'default', labels: { a: 'b' } } });
    assert.equal(
      refusal(pr(pod('n1'), relabeled)),
      'pods "p" is forbidden: node "n1" cannot update labels through pod status',
    );
  });

  it('deletes and evicts only pods bound to it; no pod updates; mirror pods only', () => {
    const base = { resource: 'pods', namespace: 'default', name: 'p' };
    assert.equal(refusal(req({ ...base, operation: 'DELETE', old: pod('n1') })), undefined);
    assert.equal(
      refusal(req({ ...base, operation: 'DELETE', old: pod('n2') })),
      'pods "p" is forbidden: node "n1" can only delete pods with spec.nodeName set to itself',
    );
    assert.equal(
      refusal(req({ ...base, operation: 'CREATE', subresource: 'eviction', old: pod('n2') })),
      'pods "p" is forbidden: node n1 can only evict pods with spec.nodeName set to itself',
    );
    assert.equal(refusal(req({ ...base, operation: 'CREATE', subresource: 'eviction', old: pod('n1') })), undefined);
    assert.equal(
      refusal(req({ ...base, operation: 'UPDATE', old: pod('n1'), object: pod('n1') })),
      'pods "p" is forbidden: unexpected operation "UPDATE", node "n1" can only create and delete mirror pods',
    );
    assert.equal(
      refusal(req({ ...base, name: '', operation: 'CREATE', object: pod('n1') })),
      'pods "p" is forbidden: pod does not have "kubernetes.io/config.mirror" annotation, node "n1" can only create mirror pods',
    );
    const owner = { apiVersion: 'v1', kind: 'Node', name: 'n1', uid: 'u1', controller: true };
    const mirror = (nodeName: string, spec: Record<string, unknown> = {}) =>
      ({
        metadata: {
          name: 'm',
          namespace: 'default',
          annotations: { 'kubernetes.io/config.mirror': 'x' },
          ownerReferences: [owner],
        },
        spec: { nodeName, containers: [], ...spec },
      }) as KubeObject;
    const create = (object: KubeObject) => req({ ...base, name: '', operation: 'CREATE', object, nodeUid: 'u1' });
    assert.equal(refusal(create(mirror('n1'))), undefined);
    assert.equal(
      refusal(create(mirror('n2'))),
      'pods "m" is forbidden: node "n1" can only create pods with spec.nodeName set to itself',
    );
    assert.equal(
      refusal(create(mirror('n1', { volumes: [{ name: 'v', secret: { secretName: 's' } }] }))),
      'pods "m" is forbidden: node "n1" can not create pods that reference secrets',
    );
    assert.equal(
      refusal(req({ ...base, subresource: 'binding', operation: 'CREATE' })),
      `pods "p" is forbidden: unexpected pod subresource "binding", only 'status' and 'eviction' are allowed`,
    );
  });

  it('its own lease in kube-node-lease; PVC status only', () => {
    const lease = (over: Partial<NodeAdmissionRequest>) =>
      req({ group: 'coordination.k8s.io', resource: 'leases', namespace: 'kube-node-lease', ...over });
    assert.equal(refusal(lease({ operation: 'CREATE', name: '', object: { metadata: { name: 'n1' } } })), undefined);
    assert.equal(
      refusal(lease({ operation: 'CREATE', name: '', object: { metadata: { name: 'n2' } } })),
      'leases.coordination.k8s.io "n2" is forbidden: can only access node lease with the same name as the requesting node',
    );
    assert.equal(
      refusal(lease({ name: 'n2' })),
      'leases.coordination.k8s.io "n2" is forbidden: can only access node lease with the same name as the requesting node',
    );
    assert.equal(
      refusal(lease({ namespace: 'default', name: 'n1' })),
      'leases.coordination.k8s.io "n1" is forbidden: can only access leases in the "kube-node-lease" system namespace',
    );
    const pvc = (status: Record<string, unknown>, labels?: Record<string, string>) =>
      ({
        metadata: { name: 'c', namespace: 'default', ...(labels ? { labels } : {}) },
        spec: {},
        status,
      }) as KubeObject;
    const pr = (old: KubeObject, object: KubeObject) =>
      req({ resource: 'persistentvolumeclaims', subresource: 'status', namespace: 'default', name: 'c', old, object });
    assert.equal(
      refusal(pr(pvc({ phase: 'Bound' }), pvc({ phase: 'Bound', capacity: { storage: '2Gi' } }))),
      undefined,
    );
    assert.match(
      refusal(pr(pvc({ phase: 'Bound' }), pvc({ phase: 'Lost' })))!,
      /is not allowed to update fields other than status.capacity and status.conditions: status$/,
    );
    assert.equal(
      refusal(req({ resource: 'persistentvolumeclaims', name: 'c' })),
      'persistentvolumeclaims "c" is forbidden: may only update PVC status',
    );
  });

  it('a token request of a node is bound to a pod on it, by uid', () => {
    const tr = (boundObjectRef: unknown) =>
      ({ metadata: { name: 'sa' }, spec: { boundObjectRef } }) as unknown as KubeObject;
    const p = { metadata: { name: 'p', namespace: 'default', uid: 'u1' }, spec: { nodeName: 'n1' } } as KubeObject;
    const token = (object: KubeObject, old?: KubeObject) =>
      req({
        resource: 'serviceaccounts',
        subresource: 'token',
        operation: 'CREATE',
        namespace: 'default',
        name: 'sa',
        object,
        old,
      });
    assert.equal(refusal(token(tr({ apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'u1' }), p)), undefined);
    assert.equal(
      refusal(token(tr(null))),
      'serviceaccounts "sa" is forbidden: node requested token not bound to a pod',
    );
    assert.equal(
      refusal(token(tr({ apiVersion: 'v1', kind: 'Pod', name: 'p' }), p)),
      'serviceaccounts "sa" is forbidden: node requested token with a pod binding without a uid',
    );
    assert.equal(
      refusal(token(tr({ apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'u2' }), p)),
      'serviceaccounts "sa" is forbidden: the UID in the bound object reference (u2) does not match the UID in record. The object might have been deleted and then recreated',
    );
    const elsewhere = { ...p, spec: { nodeName: 'n2' } } as KubeObject;
    assert.equal(
      refusal(token(tr({ apiVersion: 'v1', kind: 'Pod', name: 'p', uid: 'u1' }), elsewhere)),
      'serviceaccounts "sa" is forbidden: node requested token bound to a pod scheduled on a different node',
    );
  });

  it('passes everyone but nodes; a node without a name is refused', () => {
    assert.equal(refusal(req({ user: { name: 'system:node', groups: ['system:nodes'] }, name: 'n2' })), undefined);
    assert.equal(refusal(req({ user: { name: 'admin', groups: ['system:masters'] }, name: 'n2' })), undefined);
    assert.equal(
      refusal(req({ user: { name: 'system:node:', groups: ['system:nodes'] } })),
      'nodes "n1" is forbidden: could not determine node from user "system:node:"',
    );
    assert.equal(
      refusal(req({ resource: 'events', operation: 'CREATE', name: '', object: { metadata: { name: 'e' } } })),
      undefined,
    );
  });
});
