import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Ingress, IngressClass, KubeObject, PersistentVolume, Pod } from '../../core/types.js';
import { MemoryStore } from '../../storage/index.js';
import { encodeForStorage } from '../objects.js';
import type { Attributes } from './attributes.js';
import { bootstrapClusterRoles } from './bootstrap-policy.js';
import { nodeAuthorize, nodeIdentity } from './node.js';
import { NodeGraphCache } from './node-cache.js';
import { NodeGraph, podReferences } from './node-graph.js';

const RULES = bootstrapClusterRoles().find((r) => r.metadata.name === 'system:node')!.rules!;
const n1 = { name: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };

function attrs(over: Partial<Attributes>): Attributes {
  return {
    user: n1,
    verb: 'get',
    resourceRequest: true,
    apiGroup: '',
    resource: 'secrets',
    subresource: '',
    namespace: 'default',
    name: '',
    path: '',
    ...over,
  };
}

function pod(name: string, nodeName: string | undefined, spec: Record<string, unknown> = {}): Pod {
  return {
    metadata: { name, namespace: 'default' },
    spec: { containers: [{ name: 'c', image: 'i' }], ...(nodeName ? { nodeName } : {}), ...spec },
  } as Pod;
}

function graphOf(...pods: Pod[]): NodeGraph {
  const g = new NodeGraph();
  for (const p of pods) g.setPod(`default/${p.metadata.name}`, p);
  return g;
}

describe('nodeIdentity', () => {
  it('is the name after system:node: in group system:nodes only', () => {
    assert.equal(nodeIdentity(n1), 'n1');
    assert.equal(nodeIdentity({ name: 'system:node:n1', groups: [] }), undefined);
    assert.equal(nodeIdentity({ name: 'system:node', groups: ['system:nodes'] }), undefined);
    assert.equal(nodeIdentity({ name: 'system:node:', groups: ['system:nodes'] }), '');
  });
});

describe('podReferences', () => {
  it('collects secrets, configmaps, PVCs, the ServiceAccount and claims as upstream AddPod', () => {
    const p = pod('p', 'n1', {
      serviceAccountName: 'sa',
      imagePullSecrets: [{ name: 'pull' }],
      initContainers: [{ name: 'i', image: 'i', envFrom: [{ secretRef: { name: 'init-env' } }] }],
      containers: [
        {
          name: 'c',
          image: 'i',
          env: [
            { name: 'A', valueFrom: { secretKeyRef: { name: 'env-secret', key: 'k' } } },
            { name: 'B', valueFrom: { configMapKeyRef: { name: 'env-cm', key: 'k' } } },
          ],
          envFrom: [{ configMapRef: { name: 'envfrom-cm' } }],
        },
      ],
      volumes: [
        { name: 'v1', secret: { secretName: 'vol-secret' } },
        { name: 'v2', configMap: { name: 'vol-cm' } },
        {
          name: 'v3',
          projected: { sources: [{ secret: { name: 'proj-secret' } }, { configMap: { name: 'proj-cm' } }] },
        },
        { name: 'v4', persistentVolumeClaim: { claimName: 'claim' } },
        { name: 'scratch', ephemeral: { volumeClaimTemplate: { spec: {} } } },
        { name: 'v6', csi: { driver: 'd', nodePublishSecretRef: { name: 'csi-secret' } } },
      ],
      resourceClaims: [{ name: 'gpu', resourceClaimName: 'gpu-claim' }],
    });
    assert.deepEqual([...podReferences(p)].sort(), [
      'configmap/default/env-cm',
      'configmap/default/envfrom-cm',
      'configmap/default/proj-cm',
      'configmap/default/vol-cm',
      'pvc/default/claim',
      'pvc/default/p-scratch',
      'resourceclaim/default/gpu-claim',
      'secret/default/csi-secret',
      'secret/default/env-secret',
      'secret/default/init-env',
      'secret/default/proj-secret',
      'secret/default/pull',
      'secret/default/vol-secret',
      'serviceaccount/default/sa',
    ]);
  });
});

describe('nodeAuthorize', () => {
  const p1 = pod('p1', 'n1', { volumes: [{ name: 's', secret: { secretName: 's1' } }], serviceAccountName: 'sa1' });
  const p2 = pod('p2', 'n2', { volumes: [{ name: 's', secret: { secretName: 's2' } }], serviceAccountName: 'sa2' });
  const g = graphOf(p1, p2, pod('pending', undefined, { volumes: [{ name: 's', secret: { secretName: 's3' } }] }));

  it("allows a node to read the secrets its pods use, not another node's nor an unscheduled pod's", () => {
    assert.deepEqual(nodeAuthorize(g, RULES, attrs({ name: 's1' })), { allowed: true, reason: '' });
    assert.deepEqual(nodeAuthorize(g, RULES, attrs({ name: 's2' })), {
      allowed: false,
      reason: "no relationship found between node 'n1' and this object",
    });
    assert.equal(nodeAuthorize(g, RULES, attrs({ name: 's3' })).allowed, false);
    // a watch of the one secret (fieldSelector metadata.name) is a read of it
    assert.equal(nodeAuthorize(g, RULES, attrs({ verb: 'watch', name: 's1' })).allowed, true);
    assert.deepEqual(nodeAuthorize(g, RULES, attrs({ verb: 'list' })), {
      allowed: false,
      reason: 'No Object name found',
    });
    assert.equal(
      nodeAuthorize(g, RULES, attrs({ verb: 'delete', name: 's1' })).reason,
      'can only read resources of this type',
    );
    assert.equal(nodeAuthorize(g, RULES, attrs({ namespace: 'other', name: 's1' })).allowed, false);
  });

  it('follows the pod as it moves: deleted or rebound, the access goes', () => {
    const h = graphOf(p1);
    assert.equal(nodeAuthorize(h, RULES, attrs({ name: 's1' })).allowed, true);
    h.setPod('default/p1', { ...p1, spec: { ...p1.spec!, nodeName: 'n2' } });
    assert.equal(nodeAuthorize(h, RULES, attrs({ name: 's1' })).allowed, false);
    h.setPod('default/p1', p1);
    h.setPod('default/p1', undefined);
    assert.equal(nodeAuthorize(h, RULES, attrs({ name: 's1' })).allowed, false);
  });

  it('counts references: a secret two pods use stays readable until the last goes', () => {
    const a = pod('a', 'n1', { volumes: [{ name: 's', secret: { secretName: 'shared' } }] });
    const b = pod('b', 'n1', { volumes: [{ name: 's', secret: { secretName: 'shared' } }] });
    const h = graphOf(a, b);
    h.setPod('default/a', undefined);
    assert.equal(nodeAuthorize(h, RULES, attrs({ name: 'shared' })).allowed, true);
    h.setPod('default/b', undefined);
    assert.equal(nodeAuthorize(h, RULES, attrs({ name: 'shared' })).allowed, false);
  });

  it('configmaps like secrets; PVC and PV by get only; a PV secret through its claim', () => {
    const p = pod('db', 'n1', {
      volumes: [
        { name: 'c', configMap: { name: 'cm1' } },
        { name: 'd', persistentVolumeClaim: { claimName: 'data' } },
      ],
    });
    const h = graphOf(p);
    const pv = {
      metadata: { name: 'pv1' },
      spec: {
        claimRef: { namespace: 'default', name: 'data' },
        csi: { driver: 'd', volumeHandle: 'h', nodeStageSecretRef: { name: 'pv-secret', namespace: 'storage' } },
      },
    } as PersistentVolume;
    h.setPV('pv1', pv);
    h.setPV('pv2', {
      metadata: { name: 'pv2' },
      spec: { claimRef: { namespace: 'default', name: 'other' } },
    } as PersistentVolume);
    assert.equal(nodeAuthorize(h, RULES, attrs({ resource: 'configmaps', name: 'cm1' })).allowed, true);
    assert.equal(nodeAuthorize(h, RULES, attrs({ resource: 'configmaps', name: 'cm2' })).allowed, false);
    assert.equal(nodeAuthorize(h, RULES, attrs({ resource: 'persistentvolumeclaims', name: 'data' })).allowed, true);
    assert.equal(
      nodeAuthorize(h, RULES, attrs({ resource: 'persistentvolumeclaims', verb: 'list', name: 'data' })).reason,
      'can only get individual resources of this type',
    );
    assert.equal(
      nodeAuthorize(
        h,
        RULES,
        attrs({ resource: 'persistentvolumeclaims', verb: 'patch', subresource: 'status', name: 'data' }),
      ).allowed,
      true,
    );
    assert.equal(
      nodeAuthorize(h, RULES, attrs({ resource: 'persistentvolumes', namespace: '', name: 'pv1' })).allowed,
      true,
    );
    assert.equal(
      nodeAuthorize(h, RULES, attrs({ resource: 'persistentvolumes', namespace: '', name: 'pv2' })).allowed,
      false,
    );
    assert.equal(nodeAuthorize(h, RULES, attrs({ namespace: 'storage', name: 'pv-secret' })).allowed, true);
    h.setPV('pv1', undefined);
    assert.equal(nodeAuthorize(h, RULES, attrs({ namespace: 'storage', name: 'pv-secret' })).allowed, false);
  });

  it('ServiceAccount tokens only for the ServiceAccounts of its pods, nothing else of serviceaccounts', () => {
    const sa = (over: Partial<Attributes>) =>
      attrs({ resource: 'serviceaccounts', verb: 'create', subresource: 'token', ...over });
    assert.equal(nodeAuthorize(g, RULES, sa({ name: 'sa1' })).allowed, true);
    assert.equal(nodeAuthorize(g, RULES, sa({ name: 'sa2' })).allowed, false);
    assert.equal(
      nodeAuthorize(g, RULES, sa({ verb: 'get', subresource: '', name: 'sa1' })).reason,
      'can only create tokens for individual service accounts',
    );
  });

  it('its own lease in kube-node-lease only', () => {
    const lease = (over: Partial<Attributes>) =>
      attrs({
        apiGroup: 'coordination.k8s.io',
        resource: 'leases',
        namespace: 'kube-node-lease',
        verb: 'update',
        ...over,
      });
    assert.equal(nodeAuthorize(g, RULES, lease({ name: 'n1' })).allowed, true);
    assert.equal(nodeAuthorize(g, RULES, lease({ verb: 'create' })).allowed, true);
    assert.deepEqual(nodeAuthorize(g, RULES, lease({ name: 'n2' })), {
      allowed: false,
      reason: 'can only access node lease with the same name as the requesting node',
    });
    assert.equal(
      nodeAuthorize(g, RULES, lease({ namespace: 'default', name: 'n1' })).reason,
      'can only access leases in the "kube-node-lease" system namespace',
    );
    assert.equal(
      nodeAuthorize(g, RULES, lease({ verb: 'list' })).reason,
      'can only get, create, update, patch, or delete a node lease',
    );
  });

  it('its own Node and pods only to read (AuthorizeNodeWithSelectors); writes left to NodeRestriction', () => {
    const nodes = (over: Partial<Attributes>) => attrs({ resource: 'nodes', namespace: '', ...over });
    assert.equal(nodeAuthorize(g, RULES, nodes({ name: 'n1' })).allowed, true);
    assert.equal(
      nodeAuthorize(g, RULES, nodes({ name: 'n2' })).reason,
      "node 'n1' cannot read 'n2', only its own Node object",
    );
    assert.equal(
      nodeAuthorize(g, RULES, nodes({ verb: 'list' })).reason,
      "node 'n1' cannot read all nodes, only its own Node object",
    );
    assert.equal(nodeAuthorize(g, RULES, nodes({ verb: 'patch', name: 'n2' })).allowed, true);
    assert.deepEqual(nodeAuthorize(g, RULES, nodes({ verb: 'delete', name: 'n1' })), { allowed: false, reason: '' });
    const pods = (over: Partial<Attributes>) => attrs({ resource: 'pods', ...over });
    assert.equal(nodeAuthorize(g, RULES, pods({ name: 'p1' })).allowed, true);
    assert.equal(
      nodeAuthorize(g, RULES, pods({ name: 'p2' })).reason,
      "no relationship found between node 'n1' and this object",
    );
    assert.equal(
      nodeAuthorize(g, RULES, pods({ verb: 'watch', namespace: '', fieldSelector: 'spec.nodeName=n1' })).allowed,
      true,
    );
    assert.equal(
      nodeAuthorize(g, RULES, pods({ verb: 'list', fieldSelector: 'spec.nodeName=n2' })).reason,
      'can only list/watch pods with spec.nodeName field selector',
    );
    assert.equal(nodeAuthorize(g, RULES, pods({ verb: 'list', fieldSelector: 'spec.nodeName!=n1' })).allowed, false);
    assert.equal(nodeAuthorize(g, RULES, pods({ verb: 'patch', subresource: 'status', name: 'p2' })).allowed, true);
    assert.equal(nodeAuthorize(g, RULES, pods({ verb: 'create', subresource: 'eviction', name: 'p2' })).allowed, true);
    assert.equal(nodeAuthorize(g, RULES, pods({ verb: 'update', name: 'p1' })).allowed, false);
  });

  it('anything else by the static node rules; non-nodes get no opinion', () => {
    assert.equal(
      nodeAuthorize(
        g,
        RULES,
        attrs({ resource: 'nodes', namespace: '', verb: 'patch', subresource: 'status', name: 'n1' }),
      ).allowed,
      true,
    );
    assert.equal(nodeAuthorize(g, RULES, attrs({ resource: 'events', verb: 'create' })).allowed, true);
    assert.equal(
      nodeAuthorize(g, RULES, attrs({ resource: 'deployments', apiGroup: 'apps', verb: 'list' })).allowed,
      false,
    );
    const admin = { name: 'admin', groups: ['system:masters'] };
    assert.deepEqual(nodeAuthorize(g, RULES, attrs({ user: admin, name: 's1' })), { allowed: false, reason: '' });
    const shared = { name: 'system:node', groups: ['system:nodes'] };
    assert.deepEqual(nodeAuthorize(g, RULES, attrs({ user: shared, name: 's1' })), { allowed: false, reason: '' });
    const nameless = { name: 'system:node:', groups: ['system:nodes'] };
    assert.equal(
      nodeAuthorize(g, RULES, attrs({ user: nameless, name: 's1' })).reason,
      'unknown node for user "system:node:"',
    );
  });
});

describe('node authorizer: TLS secrets of Ingresses of the tutti class', () => {
  const tuttiClass = {
    metadata: { name: 'tutti', annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } },
    spec: { controller: 'tutti.io/ingress' },
  } as IngressClass;
  const ingress = (name: string, secretName: string, ingressClassName?: string, namespace = 'default') =>
    ({
      metadata: { name, namespace },
      spec: { ...(ingressClassName ? { ingressClassName } : {}), tls: [{ hosts: ['a.example'], secretName }] },
    }) as Ingress;
  const get = (g: NodeGraph, over: Partial<Attributes> = {}) =>
    nodeAuthorize(g, RULES, attrs({ name: 'a-tls', ...over })).allowed;

  it('lets any node get by name a secret an Ingress of class tutti names in the same namespace', () => {
    const g = new NodeGraph();
    g.setIngress('default/web', ingress('web', 'a-tls', 'tutti'));
    assert.equal(get(g), true);
    assert.equal(get(g, { user: { name: 'system:node:n2', groups: ['system:nodes'] } }), true);
  });

  it('refuses list, watch, another namespace, another secret and non-nodes', () => {
    const g = new NodeGraph();
    g.setIngress('default/web', ingress('web', 'a-tls', 'tutti'));
    assert.equal(get(g, { verb: 'list', name: '' }), false);
    assert.equal(get(g, { verb: 'watch', name: 'a-tls' }), false);
    assert.equal(get(g, { namespace: 'other' }), false);
    assert.equal(get(g, { name: 'b-tls' }), false);
    assert.equal(get(g, { user: { name: 'alice', groups: ['system:authenticated'] } }), false);
    const d = nodeAuthorize(g, RULES, attrs({ name: 'b-tls' }));
    assert.match(d.reason, /no relationship found between node 'n1' and this object/);
  });

  it('an Ingress of another class grants nothing; without a class only while tutti is the default class', () => {
    const g = new NodeGraph();
    g.setIngress('default/web', ingress('web', 'a-tls', 'nginx'));
    assert.equal(get(g), false);
    g.setIngress('default/web', ingress('web', 'a-tls'));
    assert.equal(get(g), false, 'no default class known');
    g.setIngressClass('tutti', tuttiClass);
    assert.equal(get(g), true);
    g.setIngressClass('tutti', { ...tuttiClass, metadata: { name: 'tutti' } });
    assert.equal(get(g), false, 'tutti no longer the default class');
  });

  it('is refused once the Ingress goes or stops naming the secret', () => {
    const g = new NodeGraph();
    g.setIngress('default/web', ingress('web', 'a-tls', 'tutti'));
    assert.equal(get(g), true);
    g.setIngress('default/web', ingress('web', 'other-tls', 'tutti'));
    assert.equal(get(g), false);
    g.setIngress('default/web', ingress('web', 'a-tls', 'tutti'));
    g.setIngress('default/web', undefined);
    assert.equal(get(g), false);
  });
});

async function waitFor(cond: () => boolean): Promise<void> {
  for (const deadline = Date.now() + 3000; !cond(); ) {
    if (Date.now() > deadline) throw new Error('condition not met in 3 s');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('NodeGraphCache', () => {
  const key = '/registry/core/pods/default/p';
  const put = (store: MemoryStore, p: Pod) =>
    store.txn([], [{ type: 'put', key, value: encodeForStorage(p as KubeObject) }]);
  const secretOf = (p: Pod) =>
    (p.spec?.volumes?.[0] as { secret?: { secretName?: string } } | undefined)?.secret?.secretName;
  const withSecret = (name: string) => pod('p', 'n1', { volumes: [{ name: 'v', secret: { secretName: name } }] });

  it('follows a pod through binding, status writes and an ephemeral container from the store', async () => {
    const store = new MemoryStore();
    const cache = new NodeGraphCache(store);
    await cache.start();
    const can = (name: string) => nodeAuthorize(cache.graph, RULES, attrs({ name })).allowed;
    try {
      const unbound = pod('p', undefined, { volumes: [{ name: 'v', secret: { secretName: 's1' } }] });
      await put(store, unbound);
      await put(store, withSecret('s1'));
      await waitFor(() => can('s1'));
      // A status write: the edges stay.
      await put(store, { ...withSecret('s1'), status: { phase: 'Running' } } as Pod);
      const eph = withSecret('s1');
      (eph.spec as unknown as Record<string, unknown>).ephemeralContainers = [
        { name: 'debug', image: 'i', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 's2', key: 'k' } } }] },
      ];
      await put(store, eph);
      await waitFor(() => can('s2'));
      assert.ok(can('s1'));
      assert.equal(secretOf(eph), 's1');
      await store.txn([], [{ type: 'delete', key }]);
      await waitFor(() => !can('s1') && !can('s2'));
    } finally {
      cache.stop();
      await store.close();
    }
  });
});
