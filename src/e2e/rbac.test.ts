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
      '--verb=create,get,list,patch',
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
    // only the part she lacks is named
    const partly = await as(
      'carol',
      'create',
      'role',
      'pods-rw',
      '--verb=get,list,delete',
      '--resource=pods',
      '-n',
      'team-a',
    );
    assert.match(
      partly.stderr,
      /is attempting to grant RBAC permissions not currently held:\n\{APIGroups:\[""\], Resources:\["pods"\], Verbs:\["delete"\]\}$/m,
    );
    // an update that adds a rule she lacks is refused and changes nothing
    const before = await s.k('get', 'role', 'pods-only', '-n', 'team-a', '-o', 'jsonpath={.rules}');
    const patch = await as(
      'carol',
      'patch',
      'role',
      'pods-only',
      '-n',
      'team-a',
      '--type=json',
      '-p=[{"op":"add","path":"/rules/-","value":{"apiGroups":[""],"resources":["secrets"],"verbs":["get"]}}]',
    );
    assert.equal(patch.code, 1);
    assert.match(
      patch.stderr,
      /roles\.rbac\.authorization\.k8s\.io "pods-only" is forbidden: user "carol" \(groups=\["system:authenticated"\]\) is attempting to grant RBAC permissions not currently held:\n\{APIGroups:\[""\], Resources:\["secrets"\], Verbs:\["get"\]\}/,
    );
    assert.equal(await s.k('get', 'role', 'pods-only', '-n', 'team-a', '-o', 'jsonpath={.rules}'), before);
    // a binding to a role that does not exist is a 404, as upstream's GetRoleReferenceRules
    const ghost = await as('carol', 'create', 'rolebinding', 'ghost', '--role=ghost', '--user=dave', '-n', 'team-a');
    assert.match(
      ghost.stderr,
      /error: failed to create rolebinding: roles\.rbac\.authorization\.k8s\.io "ghost" not found/,
    );
    assert.equal((await s.kubectl(['get', 'rolebinding', 'ghost', '-n', 'team-a'])).code, 1);
  });

  it('binding cluster-admin needs the bind verb on it; bind on one role is not bind on another', async () => {
    await s.k('create', 'clusterrole', 'crb-writer', '--verb=create,get,list', '--resource=clusterrolebindings');
    await s.k('create', 'clusterrolebinding', 'erin-writes-crbs', '--clusterrole=crb-writer', '--user=erin');
    await pollUntil(
      'erin may create clusterrolebindings',
      async () => ((await as('erin', 'auth', 'can-i', 'create', 'clusterrolebindings')).code === 0 ? true : undefined),
      10_000,
    );
    const admin = await as(
      'erin',
      'create',
      'clusterrolebinding',
      'erin-admin',
      '--clusterrole=cluster-admin',
      '--user=erin',
    );
    assert.equal(admin.code, 1);
    assert.ok(
      admin.stderr.includes(
        'error: failed to create clusterrolebinding: clusterrolebindings.rbac.authorization.k8s.io "erin-admin" is forbidden: ' +
          'user "erin" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n' +
          '{APIGroups:["*"], Resources:["*"], Verbs:["*"]}\n{NonResourceURLs:["*"], Verbs:["*"]}',
      ),
      admin.stderr,
    );
    const raw = await s.request(
      'POST',
      '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
      {
        metadata: { name: 'erin-admin' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'erin' }],
      },
      { 'Impersonate-User': 'erin' },
    );
    assert.equal(raw.status, 403);
    assert.deepEqual(
      { ...JSON.parse(raw.body), message: undefined },
      {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: undefined,
        reason: 'Forbidden',
        details: { name: 'erin-admin', group: 'rbac.authorization.k8s.io', kind: 'clusterrolebindings' },
        code: 403,
      },
    );
    assert.equal((await s.kubectl(['get', 'clusterrolebinding', 'erin-admin'])).code, 1, 'nothing was stored');
    assert.equal((await as('erin', 'auth', 'can-i', 'delete', 'namespaces')).stdout.trim(), 'no');

    // the bind verb on `view` lets her bind view (whose rules she lacks), not cluster-admin
    await s.k('create', 'clusterrole', 'binds-view', '--verb=bind', '--resource=clusterroles', '--resource-name=view');
    await s.k('create', 'clusterrolebinding', 'erin-binds-view', '--clusterrole=binds-view', '--user=erin');
    const view = await pollUntil(
      'erin may bind view',
      async () => {
        const r = await as('erin', 'create', 'clusterrolebinding', 'frank-views', '--clusterrole=view', '--user=frank');
        return r.code === 0 ? r : undefined;
      },
      10_000,
    );
    assert.match(view.stdout, /clusterrolebinding.rbac.authorization.k8s.io\/frank-views created/);
    const again = await as(
      'erin',
      'create',
      'clusterrolebinding',
      'erin-admin',
      '--clusterrole=cluster-admin',
      '--user=erin',
    );
    assert.match(again.stderr, /is attempting to grant RBAC permissions not currently held/);
    await s.k('delete', 'clusterrolebinding', 'frank-views');
  });

  it('impersonation needs the impersonate verb, for each user and group asked for', async () => {
    const frank = (...args: string[]) => s.kubectl(['--as=frank', ...args]);
    // frank (impersonated by the admin) impersonating jane in turn is a request the API server sees as frank
    // only when his credential is his own: use a token made for him
    await s.k('create', 'serviceaccount', 'frank', '-n', 'team-a');
    const token = (await s.k('create', 'token', 'frank', '-n', 'team-a')).trim();
    const asFrank = (...args: string[]) => s.kubectl([`--token=${token}`, ...args]);
    const user = 'system:serviceaccount:team-a:frank';
    const refused = await asFrank('--as=jane', 'get', 'pods', '-n', 'team-a');
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      new RegExp(
        `Error from server \\(Forbidden\\): users "jane" is forbidden: User "${user}" cannot impersonate resource "users" in API group "" at the cluster scope`,
      ),
    );
    await s.k(
      'create',
      'clusterrole',
      'impersonates-jane',
      '--verb=impersonate',
      '--resource=users',
      '--resource-name=jane',
    );
    await s.k(
      'create',
      'clusterrolebinding',
      'frank-is-jane',
      '--clusterrole=impersonates-jane',
      `--serviceaccount=team-a:frank`,
    );
    await pollUntil(
      'frank may impersonate jane',
      async () => ((await asFrank('--as=jane', 'get', 'pods', '-n', 'team-a')).code === 0 ? true : undefined),
      10_000,
    );
    const who = await asFrank('--as=jane', 'auth', 'whoami');
    assert.match(who.stdout, /Username\s+jane/);
    // jane's rights, not frank's: she may not read secrets
    assert.match(
      (await asFrank('--as=jane', 'get', 'secrets', '-n', 'team-a')).stderr,
      /User "jane" cannot list resource "secrets"/,
    );
    // another user, or a group on top, needs its own grant
    assert.match(
      (await asFrank('--as=bob', 'get', 'pods', '-n', 'team-b')).stderr,
      new RegExp(`users "bob" is forbidden: User "${user}" cannot impersonate resource "users"`),
    );
    assert.match(
      (await asFrank('--as=jane', '--as-group=system:masters', 'get', 'secrets', '-A')).stderr,
      new RegExp(
        `groups "system:masters" is forbidden: User "${user}" cannot impersonate resource "groups" in API group "" at the cluster scope`,
      ),
    );
    assert.match(
      (await asFrank('--as=jane', '--as-uid=1234', 'get', 'pods', '-n', 'team-a')).stderr,
      new RegExp(
        `uids.authentication.k8s.io "1234" is forbidden: User "${user}" cannot impersonate resource "uids" in API group "authentication.k8s.io" at the cluster scope`,
      ),
    );
    const extra = await s.request('GET', '/api/v1/namespaces/team-a/pods', undefined, {
      Authorization: `Bearer ${token}`,
      'Impersonate-User': 'jane',
      'Impersonate-Extra-Scopes': 'view',
    });
    assert.equal(extra.status, 403, extra.body);
    assert.equal(
      JSON.parse(extra.body).message,
      `userextras.authentication.k8s.io "view" is forbidden: User "${user}" cannot impersonate resource "userextras/scopes" in API group "authentication.k8s.io" at the cluster scope`,
    );
    assert.equal((await frank('auth', 'can-i', 'impersonate', 'users/jane')).stdout.trim(), 'no');
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
