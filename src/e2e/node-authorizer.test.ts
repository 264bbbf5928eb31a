// The Node authorizer and NodeRestriction through real kubectl against `tutti server`, impersonating a node's
// own credential (`--as=system:node:n1 --as-group=system:nodes`): a node reads the secrets of the pods bound to
// it and no other, cannot list secrets, may patch its own Node status and not another node's, may update the
// status only of its own pods, keeps to its own Lease; the refusals carry upstream's messages. The join token
// (a bootstrapper) and a node credential without a node name get nothing of a node's.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pollUntil, startTestServer, type TestServer } from './harness.js';

const node = (name: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: {} });
const pod = (name: string, nodeName: string, secret: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'default' },
  spec: {
    nodeName,
    containers: [{ name: 'c', image: 'busybox', envFrom: [{ configMapRef: { name: `${name}-env` } }] }],
    volumes: [{ name: 's', secret: { secretName: secret } }],
  },
});

describe('Node authorizer and NodeRestriction', { timeout: 180_000 }, () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer({ dataDir: mkdtempSync('/tmp/h5-node-authz-') });
    for (const secret of ['s1', 's2', 'unused']) await s.k('create', 'secret', 'generic', secret, '--from-literal=k=v');
    await s.k('create', 'configmap', 'p1-env', '--from-literal=k=v');
    await s.k('create', 'configmap', 'p2-env', '--from-literal=k=v');
    const objects = [node('n1'), node('n2'), pod('p1', 'n1', 's1'), pod('p2', 'n2', 's2')];
    await s.kubectl(['create', '-f', '-'], { input: objects.map((o) => JSON.stringify(o)).join('\n') }).then((r) => {
      assert.equal(r.code, 0, r.stderr);
    });
  });
  after(async () => {
    await s?.stop();
  });

  const n1 = (...args: string[]) => s.kubectl(['--as=system:node:n1', '--as-group=system:nodes', ...args]);
  const AS_N1 = { 'Impersonate-User': 'system:node:n1', 'Impersonate-Group': 'system:nodes' };
  /** A merge patch of a status as node n1 sends it (the kubelet never reads the status subresource first). */
  const patchStatus = (path: string, patch: unknown) =>
    s.request('PATCH', `${path}/status`, patch, { ...AS_N1, 'Content-Type': 'application/merge-patch+json' });

  it("reads the secrets and configmaps of its own pods, not another node's, and cannot list them", async () => {
    await pollUntil(
      'n1 may get s1',
      async () => ((await n1('get', 'secret', 's1')).code === 0 ? true : undefined),
      10_000,
    );
    assert.equal((await n1('get', 'configmap', 'p1-env')).code, 0);
    const s2 = await n1('get', 'secret', 's2');
    assert.equal(s2.code, 1);
    assert.match(
      s2.stderr,
      /Error from server \(Forbidden\): secrets "s2" is forbidden: User "system:node:n1" cannot get resource "secrets" in API group "" in the namespace "default": no relationship found between node 'n1' and this object/,
    );
    assert.match((await n1('get', 'secret', 'unused')).stderr, /secrets "unused" is forbidden/);
    assert.match((await n1('get', 'configmap', 'p2-env')).stderr, /configmaps "p2-env" is forbidden/);
    const list = await n1('get', 'secrets');
    assert.match(
      list.stderr,
      /secrets is forbidden: User "system:node:n1" cannot list resource "secrets" in API group "" in the namespace "default": No Object name found/,
    );
    // a watch of the one secret (the kubelet's fieldSelector metadata.name) is a read of it
    const one = await s.request(
      'GET',
      '/api/v1/namespaces/default/secrets?fieldSelector=metadata.name%3Ds1',
      undefined,
      {
        'Impersonate-User': 'system:node:n1',
        'Impersonate-Group': 'system:nodes',
      },
    );
    assert.equal(one.status, 200, one.body);
    assert.equal(JSON.parse(one.body).items.length, 1);
    assert.equal((await n1('auth', 'can-i', 'get', 'secret/s1')).stdout.trim(), 'yes');
    // kubectl prints the reason of a refusal after the no, as upstream
    assert.equal(
      (await n1('auth', 'can-i', 'get', 'secret/s2')).stdout.trim(),
      "no - no relationship found between node 'n1' and this object",
    );
    // the rules review cannot list what the Node authorizer grants: incomplete, as upstream
    const rules = await s.request(
      'POST',
      '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews',
      { spec: { namespace: 'default' } },
      { 'Impersonate-User': 'system:node:n1', 'Impersonate-Group': 'system:nodes' },
    );
    const status = JSON.parse(rules.body).status;
    assert.equal(status.incomplete, true);
    assert.equal(status.evaluationError, 'node authorizer does not support user rule resolution');
  });

  it('loses the secret when the pod goes', async () => {
    await s.k('create', 'secret', 'generic', 's3', '--from-literal=k=v');
    await s.kubectl(['create', '-f', '-'], { input: JSON.stringify(pod('p3', 'n1', 's3')) });
    await pollUntil(
      'n1 may get s3',
      async () => ((await n1('get', 'secret', 's3')).code === 0 ? true : undefined),
      10_000,
    );
    await s.k('delete', 'pod', 'p3', '--grace-period=0', '--force');
    await pollUntil(
      'n1 may no longer get s3',
      async () => ((await n1('get', 'secret', 's3')).code === 1 ? true : undefined),
      10_000,
    );
  });

  it('patches its own Node and its status, not another node, nor its own restricted labels or taints', async () => {
    const ready = { status: { conditions: [{ type: 'Ready', status: 'True' }] } };
    const own = await patchStatus('/api/v1/nodes/n1', ready);
    assert.equal(own.status, 200, own.body);
    const other = await patchStatus('/api/v1/nodes/n2', ready);
    assert.equal(other.status, 403);
    assert.equal(
      JSON.parse(other.body).message,
      'nodes "n2" is forbidden: node "n1" is not allowed to modify node "n2"',
    );
    assert.match((await n1('label', 'node', 'n2', 'a=b')).stderr, /node "n1" is not allowed to modify node "n2"/);
    assert.match(
      (await n1('delete', 'node', 'n2')).stderr,
      /nodes "n2" is forbidden: User "system:node:n1" cannot delete resource "nodes" in API group "" at the cluster scope/,
    );
    // its own Node it reads; another's only through the service proxy's RBAC role the group holds
    assert.equal((await n1('get', 'node', 'n1')).code, 0);
    assert.equal((await n1('label', 'node', 'n1', 'example.com/a=b')).code, 0);
    assert.match(
      (await n1('label', 'node', 'n1', 'node-restriction.kubernetes.io/pool=gold')).stderr,
      /nodes "n1" is forbidden: is not allowed to modify labels: node-restriction.kubernetes.io\/pool/,
    );
    assert.match(
      (await n1('taint', 'node', 'n1', 'k=v:NoSchedule')).stderr,
      /nodes "n1" is forbidden: node "n1" is not allowed to modify taints/,
    );
    const n2 = JSON.parse(await s.k('get', 'node', 'n2', '-o', 'json'));
    assert.equal(n2.status?.conditions, undefined, 'n2 was not touched');
  });

  it('updates the status of its own pods only, and deletes only them', async () => {
    const running = { status: { phase: 'Running' } };
    const own = await patchStatus('/api/v1/namespaces/default/pods/p1', running);
    assert.equal(own.status, 200, own.body);
    const other = await patchStatus('/api/v1/namespaces/default/pods/p2', running);
    assert.equal(other.status, 403);
    assert.equal(
      JSON.parse(other.body).message,
      'pods "p2" is forbidden: node "n1" can only update pod status for pods with spec.nodeName set to itself',
    );
    assert.match(
      (await n1('delete', 'pod', 'p2')).stderr,
      /pods "p2" is forbidden: node "n1" can only delete pods with spec.nodeName set to itself/,
    );
    assert.match(
      (await n1('label', 'pod', 'p1', 'a=b')).stderr,
      /pods "p1" is forbidden: User "system:node:n1" cannot patch resource "pods"/,
    );
    assert.equal(JSON.parse(await s.k('get', 'pod', 'p2', '-o', 'json')).status?.phase, 'Pending');
  });

  it('keeps to its own Lease in kube-node-lease', async () => {
    const lease = (name: string, ns = 'kube-node-lease') =>
      JSON.stringify({
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name, namespace: ns },
        spec: { holderIdentity: name, leaseDurationSeconds: 40 },
      });
    const mine = await s.kubectl(['--as=system:node:n1', '--as-group=system:nodes', 'create', '-f', '-'], {
      input: lease('n1'),
    });
    assert.equal(mine.code, 0, mine.stderr);
    const theirs = await s.kubectl(['--as=system:node:n1', '--as-group=system:nodes', 'create', '-f', '-'], {
      input: lease('n2'),
    });
    assert.match(
      theirs.stderr,
      /leases.coordination.k8s.io "n2" is forbidden: can only access node lease with the same name as the requesting node/,
    );
    const elsewhere = await s.kubectl(['--as=system:node:n1', '--as-group=system:nodes', 'create', '-f', '-'], {
      input: lease('n1', 'default'),
    });
    assert.match(elsewhere.stderr, /can only access leases in the "kube-node-lease" system namespace/);
  });

  it('mints ServiceAccount tokens only bound to its own pods', async () => {
    await s.k('create', 'serviceaccount', 'runner');
    await s.k('create', 'serviceaccount', 'runner2');
    const withSa = (name: string, nodeName: string, sa: string) => ({
      ...pod(name, nodeName, 's1'),
      spec: { ...pod(name, nodeName, 's1').spec, serviceAccountName: sa },
    });
    await s.kubectl(['create', '-f', '-'], {
      input: [withSa('p4', 'n1', 'runner'), withSa('p5', 'n2', 'runner2')].map((o) => JSON.stringify(o)).join('\n'),
    });
    const uid = (await s.k('get', 'pod', 'p4', '-o', 'jsonpath={.metadata.uid}')).trim();
    const bound = ['--bound-object-kind=Pod', '--bound-object-name=p4', `--bound-object-uid=${uid}`];
    await pollUntil(
      'n1 may create a token for runner',
      async () => ((await n1('create', 'token', 'runner', ...bound)).code === 0 ? true : undefined),
      10_000,
    );
    assert.match(
      (await n1('create', 'token', 'runner')).stderr,
      /serviceaccounts "runner" is forbidden: node requested token not bound to a pod/,
    );
    assert.match(
      (await n1('create', 'token', 'runner2')).stderr,
      /serviceaccounts "runner2" is forbidden: User "system:node:n1" cannot create resource "serviceaccounts\/token" in API group "" in the namespace "default": no relationship found between node 'n1' and this object/,
    );
  });

  it('the join token and a nodes-group user without a node name get no node rules', async () => {
    const token = readFileSync(join(s.dataDir, 'node-token'), 'utf8').trim();
    assert.match(
      (await s.kubectl([`--token=${token}`, 'get', 'secret', 's2'])).stderr,
      /secrets "s2" is forbidden: User "system:bootstrap:node" cannot get resource "secrets"/,
    );
    assert.match(
      (await s.kubectl([`--as=system:node`, '--as-group=system:nodes', 'get', 'secret', 'unused'])).stderr,
      /secrets "unused" is forbidden: User "system:node" cannot get resource "secrets"/,
    );
  });
});
