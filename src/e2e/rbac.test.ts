// RBAC through real kubectl against `tutti server`: a user with a Role reads pods in one namespace and is
// refused (with upstream's 403 messages) elsewhere; `kubectl auth can-i` and `whoami` answer; the aggregated
// `view` role; impersonation needs the `impersonate` verb; the node join token is not an administrator.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pollUntil, startTestServer, type TestServer } from './harness.js';

describe('RBAC', { timeout: 180_000 }, () => {
  let s: TestServer;
  let nodeToken: string;
  before(async () => {
    s = await startTestServer();
    nodeToken = readFileSync(join(s.dataDir, 'node-token'), 'utf8').trim();
    await s.k('create', 'namespace', 'team-a');
    await s.k('create', 'namespace', 'team-b');
    await s.k('create', 'role', 'pod-reader', '--verb=get,list,watch', '--resource=pods', '-n', 'team-a');
    await s.k('create', 'rolebinding', 'jane-reads', '--role=pod-reader', '--user=jane', '-n', 'team-a');
    await s.k('create', 'rolebinding', 'bob-views', '--clusterrole=view', '--user=bob', '-n', 'team-b');
    await s.k('create', 'secret', 'generic', 'db', '--from-literal=password=x', '-n', 'team-b');
  });
  after(async () => {
    await s?.stop();
  });

  const as = (user: string, ...args: string[]) => s.kubectl([`--as=${user}`, ...args]);

  it('a Role lets a user list pods in its namespace, and nothing else', async () => {
    await pollUntil(
      'jane may list pods in team-a',
      async () => ((await as('jane', 'get', 'pods', '-n', 'team-a')).code === 0 ? true : undefined),
      10_000,
    );
    const secrets = await as('jane', 'get', 'secrets', '-n', 'team-b');
    assert.equal(secrets.code, 1);
    assert.match(
      secrets.stderr,
      /Error from server \(Forbidden\): secrets is forbidden: User "jane" cannot list resource "secrets" in API group "" in the namespace "team-b"/,
    );
    const del = await as('jane', 'delete', 'pod', 'x', '-n', 'team-a');
    assert.match(
      del.stderr,
      /pods "x" is forbidden: User "jane" cannot delete resource "pods" in API group "" in the namespace "team-a"/,
    );
    const nodes = await as('jane', 'get', 'nodes');
    assert.match(
      nodes.stderr,
      /nodes is forbidden: User "jane" cannot list resource "nodes" in API group "" at the cluster scope/,
    );
    // the raw body is upstream's Status
    const r = await s.request('GET', '/api/v1/namespaces/team-b/secrets', undefined, { 'Impersonate-User': 'jane' });
    assert.equal(r.status, 403);
    assert.deepEqual(JSON.parse(r.body), {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'secrets is forbidden: User "jane" cannot list resource "secrets" in API group "" in the namespace "team-b"',
      reason: 'Forbidden',
      details: { kind: 'secrets' },
      code: 403,
    });
  });

  it('kubectl auth can-i and whoami answer for the user', async () => {
    const yes = await as('jane', 'auth', 'can-i', 'list', 'pods', '-n', 'team-a');
    assert.equal(yes.stdout.trim(), 'yes');
    assert.equal(yes.code, 0);
    const no = await as('jane', 'auth', 'can-i', 'delete', 'pods', '-n', 'team-a');
    assert.equal(no.stdout.trim(), 'no');
    assert.equal(no.code, 1);
    assert.equal(
      (await s.kubectl(['auth', 'can-i', 'list', 'pods', '-n', 'team-a', '--as=jane'])).stdout.trim(),
      'yes',
    );
    const list = await as('jane', 'auth', 'can-i', '--list', '-n', 'team-a');
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^pods\s+\[\]\s+\[\]\s+\[get list watch\]$/m);
    assert.match(list.stdout, /selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]/);
    const who = await as('jane', 'auth', 'whoami');
    assert.equal(who.code, 0, who.stderr);
    assert.match(who.stdout, /Username\s+jane/);
    assert.match(who.stdout, /Groups\s+\[system:authenticated\]/);
    assert.equal((await s.kubectl(['auth', 'can-i', '*', '*'])).stdout.trim(), 'yes', 'the admin may do everything');
    // wrong types in a review are a 400 and answer nothing
    const ssar = '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews';
    for (const body of [
      [],
      { spec: 5 },
      { spec: { resourceAttributes: 'x' } },
      { spec: { resourceAttributes: { verb: [1] } } },
    ]) {
      const r = await s.request('POST', ssar, body);
      assert.equal(r.status, 400, `${JSON.stringify(body)}: ${r.body}`);
      assert.match(
        JSON.parse(r.body).message,
        /cannot be handled as a SelfSubjectAccessReview: json: cannot unmarshal/,
      );
    }
    const rules = await s.request('POST', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', {
      spec: { namespace: 5 },
    });
    assert.equal(rules.status, 400, rules.body);
  });

  it('the aggregated view role reads workloads but not secrets', async () => {
    assert.equal((await as('bob', 'get', 'pods,deployments,configmaps', '-n', 'team-b')).code, 0);
    const sec = await as('bob', 'get', 'secret', 'db', '-n', 'team-b');
    assert.match(sec.stderr, /secrets "db" is forbidden: User "bob" cannot get resource "secrets"/);
    assert.equal((await as('bob', 'auth', 'can-i', 'create', 'deployments', '-n', 'team-b')).stdout.trim(), 'no');
  });

  it('a user cannot grant what they do not hold (escalation prevention)', async () => {
    await s.k(
      'create',
      'role',
      'rbac-writer',
      '--verb=create,get,list',
      '--resource=roles,rolebindings',
      '-n',
      'team-a',
    );
    await s.k('create', 'rolebinding', 'carol-writes-rbac', '--role=rbac-writer', '--user=carol', '-n', 'team-a');
    await s.k('create', 'rolebinding', 'carol-reads', '--role=pod-reader', '--user=carol', '-n', 'team-a');
    await pollUntil(
      'carol may create roles',
      async () =>
        (await as('carol', 'auth', 'can-i', 'create', 'roles', '-n', 'team-a')).code === 0 ? true : undefined,
      10_000,
    );
    // rules she holds: allowed
    const ok = await as('carol', 'create', 'role', 'pods-only', '--verb=get,list', '--resource=pods', '-n', 'team-a');
    assert.equal(ok.code, 0, ok.stderr);
    const esc = await as('carol', 'create', 'role', 'secrets-too', '--verb=get', '--resource=secrets', '-n', 'team-a');
    assert.equal(esc.code, 1);
    assert.match(
      esc.stderr,
      /roles\.rbac\.authorization\.k8s\.io "secrets-too" is forbidden: user "carol" \(groups=\["system:authenticated"\]\) is attempting to grant RBAC permissions not currently held:\n\{APIGroups:\[""\], Resources:\["secrets"\], Verbs:\["get"\]\}/,
    );
    assert.equal(
      (await as('carol', 'create', 'rolebinding', 'dave-reads', '--role=pods-only', '--user=dave', '-n', 'team-a'))
        .code,
      0,
    );
    const admin = await as(
      'carol',
      'create',
      'rolebinding',
      'dave-admin',
      '--clusterrole=admin',
      '--user=dave',
      '-n',
      'team-a',
    );
    assert.match(admin.stderr, /rolebindings\.rbac\.authorization\.k8s\.io "dave-admin" is forbidden: user "carol"/);
    assert.equal((await s.kubectl(['get', 'role', 'secrets-too', '-n', 'team-a'])).code, 1, 'nothing was stored');
  });

  it('the node join token is only a bootstrapper: not an administrator, not a node, may not impersonate', async () => {
    const node = (...args: string[]) => s.kubectl([`--token=${nodeToken}`, ...args]);
    const nodes = await node('get', 'nodes');
    assert.match(
      nodes.stderr,
      /nodes is forbidden: User "system:bootstrap:node" cannot list resource "nodes" in API group "" at the cluster scope/,
    );
    const secrets = await node('get', 'secrets', '-A');
    assert.match(secrets.stderr, /User "system:bootstrap:node" cannot list resource "secrets"/);
    assert.equal((await node('get', 'csr')).code, 0, 'a bootstrapper may read CSRs');
    const del = await node('delete', 'namespace', 'team-a');
    assert.match(
      del.stderr,
      /namespaces "team-a" is forbidden: User "system:bootstrap:node" cannot delete resource "namespaces" in API group "" in the namespace "team-a"/,
    );
    const rb = await node('create', 'clusterrolebinding', 'mine', '--clusterrole=cluster-admin', '--user=system:node');
    assert.match(rb.stderr, /cannot create resource "clusterrolebindings" in API group "rbac.authorization.k8s.io"/);
    const imp = await node('--as=jane', 'get', 'pods', '-n', 'team-a');
    assert.match(
      imp.stderr,
      /users "jane" is forbidden: User "system:bootstrap:node" cannot impersonate resource "users" in API group "" at the cluster scope/,
    );
    assert.equal((await s.kubectl(['get', 'namespace', 'team-a'])).code, 0);
  });
});
