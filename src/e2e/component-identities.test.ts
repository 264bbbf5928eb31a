// The server's own components run as least-privilege users, not as administrators: the scheduler as
// `system:kube-scheduler`, the controller manager as `system:kube-controller-manager`, the metrics.k8s.io
// informers as `system:tutti:metrics-scraper` (the scraper's user), each with its own token in <data-dir>/tls. Through a real
// `tutti server` with simulated nodes and kubectl: the tokens' users, what each is refused, and the control
// plane's work (scheduling, Deployments, Jobs, garbage collection, namespace deletion, ServiceAccounts,
// Endpoints) done under those users without one refused request (the harness's audit log of the components);
// a restart gives their roles back rules they lack (reconciliation of the default policy).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { ApiClient } from '../client/api-client.js';
import type { Pod } from '../core/index.js';
import { pollUntil, type TestServer } from './harness.js';
import { type SimCluster, startSimCluster } from './testing/sim-cluster.js';

describe('component identities', { timeout: 180_000 }, () => {
  let s: TestServer;
  let cluster: SimCluster | undefined;
  let client: ApiClient;
  const token = (name: 'kube-scheduler' | 'kube-controller-manager' | 'metrics-scraper') => s.componentToken(name);
  const withToken = (file: Parameters<typeof token>[0], ...args: string[]) =>
    s.kubectl([`--token=${token(file)}`, ...args]);
  const SCHED = 'kube-scheduler' as const;
  const KCM = 'kube-controller-manager' as const;
  const METRICS = 'metrics-scraper' as const;

  before(async () => {
    cluster = await startSimCluster(
      { controlPlane: true },
      {
        count: 1,
        capacity: { cpu: '8', memory: '16Gi', pods: '110' },
        podStartMs: 100,
        podDeleteMs: 100,
        runToCompletionMs: 300,
        leaseRenewMs: 1000,
        statusUpdateMs: 1000,
      },
    );
    ({ s, client } = cluster);
  });
  after(async () => {
    await cluster?.stop();
  });

  it('each component token is its own user, none of them an administrator', async () => {
    const cases: [Parameters<typeof token>[0], string][] = [
      [SCHED, 'system:kube-scheduler'],
      [KCM, 'system:kube-controller-manager'],
      [METRICS, 'system:tutti:metrics-scraper'],
    ];
    for (const [file, user] of cases) {
      const who = await withToken(file, 'auth', 'whoami', '-o', 'json');
      assert.equal(who.code, 0, who.stderr);
      const status = (JSON.parse(who.stdout) as { status: { userInfo: { username: string; groups: string[] } } })
        .status;
      assert.equal(status.userInfo.username, user);
      assert.deepEqual(status.userInfo.groups, ['system:authenticated']);
      const canAll = await withToken(file, 'auth', 'can-i', '*', '*');
      assert.equal(canAll.stdout.trim(), 'no', file);
    }
    const distinct = new Set([s.token, token(SCHED), token(KCM), token(METRICS)]);
    assert.equal(distinct.size, 4);
  });

  it('the scheduler may not read secrets nor delete a namespace', async () => {
    const list = await withToken(SCHED, 'get', 'secrets', '-n', 'default');
    assert.equal(list.code, 1);
    assert.match(
      list.stderr,
      /secrets is forbidden: User "system:kube-scheduler" cannot list resource "secrets" in API group "" in the namespace "default"/,
    );
    const get = await withToken(SCHED, 'get', 'secret', 'anything', '-n', 'kube-system');
    assert.match(get.stderr, /User "system:kube-scheduler" cannot get resource "secrets"/);
    const del = await withToken(SCHED, 'delete', 'namespace', 'default', '--wait=false');
    assert.equal(del.code, 1);
    assert.match(
      del.stderr,
      /namespaces "default" is forbidden: User "system:kube-scheduler" cannot delete resource "namespaces" in API group "" in the namespace "default"/,
    );
    assert.equal(
      (await withToken(SCHED, 'auth', 'can-i', 'create', 'pods', '--subresource=binding')).stdout.trim(),
      'yes',
    );
  });

  it('the controller manager may not grant itself anything: no ClusterRoleBindings, Roles or impersonation', async () => {
    const crb = await withToken(
      KCM,
      'create',
      'clusterrolebinding',
      'kcm-admin',
      '--clusterrole=cluster-admin',
      '--user=system:kube-controller-manager',
    );
    assert.equal(crb.code, 1);
    assert.match(
      crb.stderr,
      /clusterrolebindings.rbac.authorization.k8s.io is forbidden: User "system:kube-controller-manager" cannot create resource "clusterrolebindings" in API group "rbac.authorization.k8s.io" at the cluster scope/,
    );
    const rb = await withToken(KCM, 'create', 'rolebinding', 'x', '--clusterrole=admin', '--user=me', '-n', 'default');
    assert.match(rb.stderr, /cannot create resource "rolebindings"/);
    const imp = await withToken(KCM, 'get', 'pods', '--as=system:admin', '--as-group=system:masters');
    assert.match(imp.stderr, /cannot impersonate resource "users"/);
    // It may patch everything (the garbage collector's rule), but RBAC's escalation check refuses a binding to a
    // role whose permissions it does not hold: it cannot add itself to cluster-admin's binding.
    const patch = await withToken(
      KCM,
      'patch',
      'clusterrolebinding',
      'cluster-admin',
      '--type=json',
      '-p=[{"op":"add","path":"/subjects/-","value":{"kind":"User","name":"system:kube-controller-manager","apiGroup":"rbac.authorization.k8s.io"}}]',
    );
    assert.equal(patch.code, 1, patch.stdout);
    assert.match(patch.stderr, /forbidden/);
    assert.doesNotMatch(
      await s.k('get', 'clusterrolebinding', 'cluster-admin', '-o', 'json'),
      /kube-controller-manager/,
    );
  });

  it('the scheduler and the controller manager run 10 nicer than the API server, whose thread they wait on', () => {
    const pid = s.process.pid!;
    // /proc/<pid>/task/<tid>/stat: the 17th field after the command's closing parenthesis is the nice value.
    const niceOf = (tid: string) => {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
    };
    const main = niceOf(String(pid));
    const nicer = readdirSync(`/proc/${pid}/task`).filter((tid) => niceOf(tid) === Math.min(19, main + 10));
    assert.equal(nicer.length, 2, `threads at nice ${main + 10}: ${nicer.join(', ')}`);
  });

  it('the control plane does its work under those users, refused nothing', async () => {
    await s.k('create', 'namespace', 'work');
    // the serviceaccount controller
    await pollUntil(
      'default ServiceAccount',
      async () => (await s.kubectl(['get', 'sa', 'default', '-n', 'work'])).code === 0,
      20_000,
    );
    await s.k('create', 'deployment', 'web', '--image=nginx:1.25', '--replicas=2', '--port=80', '-n', 'work');
    await s.k('expose', 'deployment', 'web', '--port=80', '-n', 'work');
    await s.k('create', 'job', 'once', '--image=busybox:1.36', '-n', 'work');
    const running = async () =>
      (await client.list<Pod>('/api/v1/namespaces/work/pods', { labelSelector: 'app=web' })).items.filter(
        (p) => p.spec?.nodeName && p.status?.phase === 'Running',
      );
    await pollUntil('2 web pods scheduled and Running', async () => (await running()).length === 2, 60_000);
    await pollUntil(
      'the Job complete',
      async () => (await s.k('get', 'job', 'once', '-n', 'work', '-o', 'jsonpath={.status.succeeded}')).trim() === '1',
      60_000,
    );
    await pollUntil(
      'Endpoints of web with 2 addresses',
      async () =>
        (await s.k('get', 'endpoints', 'web', '-n', 'work', '-o', 'jsonpath={.subsets[*].addresses[*].ip}'))
          .trim()
          .split(/\s+/)
          .filter(Boolean).length === 2,
      30_000,
    );
    // garbage collection: the Deployment's ReplicaSet and pods go with it
    await s.k('delete', 'deployment', 'web', '-n', 'work');
    await pollUntil(
      'the ReplicaSet collected',
      async () => (await s.k('get', 'rs', '-n', 'work', '-o', 'name')).trim() === '',
      30_000,
    );
    // the namespace controller empties and removes the namespace
    await s.k('delete', 'namespace', 'work', '--wait=false');
    await pollUntil('namespace work gone', async () => (await s.kubectl(['get', 'ns', 'work'])).code === 1, 60_000);
    // metrics.k8s.io lists the pods a request asks about, as the metrics scraper
    await s.k('get', '--raw', '/apis/metrics.k8s.io/v1beta1/namespaces/default/pods');

    const requests = s.componentRequests();
    const did = (user: string, verb: string, uri: RegExp) =>
      requests.some((r) => r.user === user && r.verb === verb && uri.test(r.uri) && r.code < 300);
    assert.ok(did('system:kube-scheduler', 'create', /\/pods\/[^/]+\/binding/), 'the scheduler bound pods');
    assert.ok(did('system:kube-controller-manager', 'create', /\/namespaces\/work\/pods/), 'the manager made pods');
    assert.ok(did('system:kube-controller-manager', 'update', /\/namespaces\/work\/finalize/), 'and finalized');
    assert.ok(did('system:tutti:metrics-scraper', 'list', /^\/api\/v1\/nodes/), 'the metrics informer lists nodes');
    assert.ok(
      did('system:tutti:metrics-scraper', 'list', /^\/api\/v1\/namespaces\/default\/pods/),
      'the metrics API lists the pods asked about',
    );
    assert.deepEqual(s.componentForbidden(), []);
    // the refusals of the tests above (kubectl with the components' tokens) are in the log, but not the components'
    assert.ok(requests.some((r) => r.code === 403 && r.userAgent?.startsWith('kubectl')));
  });

  it('a restart gives the components’ roles back the rules they lack, unless autoupdate is "false"', async () => {
    type Role = {
      rules: { resources?: string[]; verbs?: string[] }[];
      metadata: { annotations?: Record<string, string> };
    };
    const role = async (name: string) => JSON.parse(await s.k('get', 'clusterrole', name, '-o', 'json')) as Role;
    const indexOf = (r: Role, resource: string) => r.rules.findIndex((x) => x.resources?.includes(resource));
    // an older or edited cluster: the scheduler's role without the binding rule; the volume-scheduler's with
    // fewer verbs, and its administrator asked that it be left alone
    const sched = await role('system:kube-scheduler');
    const remove = (i: number) => `-p=[{"op":"remove","path":"/rules/${i}"}]`;
    await s.k('patch', 'clusterrole', 'system:kube-scheduler', '--type=json', remove(indexOf(sched, 'pods/binding')));
    await s.k(
      'annotate',
      'clusterrole',
      'system:volume-scheduler',
      'rbac.authorization.kubernetes.io/autoupdate=false',
      '--overwrite',
    );
    // (the scheduler reads every volume kind at start, so the edit drops a verb it does not need: update)
    const vol = await role('system:volume-scheduler');
    const pvRule = indexOf(vol, 'persistentvolumes');
    await s.k(
      'patch',
      'clusterrole',
      'system:volume-scheduler',
      '--type=json',
      `-p=[{"op":"replace","path":"/rules/${pvRule}/verbs","value":["get","list","watch"]}]`,
    );
    const verbs = async () => (await role('system:volume-scheduler')).rules[pvRule]?.verbs ?? [];
    assert.ok(!(await verbs()).includes('update'));
    assert.equal(indexOf(await role('system:kube-scheduler'), 'pods/binding'), -1);

    await s.kill9();
    await s.restart();
    assert.notEqual(indexOf(await role('system:kube-scheduler'), 'pods/binding'), -1, 'reconciled');
    assert.ok(!(await verbs()).includes('update'), 'left as the admin said');
    // and the scheduler binds again
    await s.k('run', 'after-restart', '--image=busybox:1.36', '--restart=Never', '--', 'sleep', '3600');
    await pollUntil(
      'the pod scheduled after the restart',
      async () => (await s.k('get', 'pod', 'after-restart', '-o', 'jsonpath={.spec.nodeName}')).trim() !== '',
      60_000,
    );
    assert.deepEqual(s.componentForbidden(), []);
  });
});
