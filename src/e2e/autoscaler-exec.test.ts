// The exec provider end to end: a test script plays the cloud (it registers a Ready Node through the
// API, as a booting machine's kubelet would). The autoscaler calls it with the node's name, group and
// template in the environment; a script that fails, hangs past the create timeout, or makes a machine
// that never registers is cleaned up (delete is called) and its group backs off, with the reason in the
// status ConfigMap; once the script works again the group scales up and the back-off clears.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { type ClusterAutoscaler, startClusterAutoscaler } from '../autoscaler/controller.js';
import { ExecProvider } from '../autoscaler/providers/exec.js';
import { ApiClient } from '../client/api-client.js';
import { type ControllerContext, newControllerContext } from '../controllers/context.js';
import type { Event, Node, Pod } from '../core/types.js';
import { pollUntil, type TestServer, startTestServer } from './harness.js';

const until = <T>(what: string, ms: number, fn: () => Promise<T | undefined | false>) => pollUntil(what, fn, ms, 100);

/** The "cloud": MODE (file `mode`) register | fail | hang | noop. Logs every call to calls.jsonl. */
const SCRIPT = `#!/usr/bin/env node
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
const dir = process.env.STATE_DIR;
const action = process.env.TUTTI_ACTION;
const name = process.env.TUTTI_NODE_NAME;
const group = process.env.TUTTI_NODE_GROUP;
const mode = existsSync(dir + '/mode') ? readFileSync(dir + '/mode', 'utf8').trim() : 'register';
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('TUTTI_')));
appendFileSync(dir + '/calls.jsonl', JSON.stringify({ action, mode, argv: process.argv.slice(2), env }) + '\\n');
const file = dir + '/machines.json';
const machines = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
const save = () => writeFileSync(file, JSON.stringify(machines));
async function api(method, path, body, type = 'application/json') {
  const r = await fetch(process.env.API + path, {
    method,
    headers: { authorization: 'Bearer ' + process.env.TOKEN, 'content-type': type },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!r.ok && r.status !== 404 && r.status !== 409) throw new Error(method + ' ' + path + ': ' + r.status + ' ' + (await r.text()));
}
if (action === 'list') {
  for (const [n, g] of Object.entries(machines)) if (g === group) console.log(n);
} else if (action === 'delete') {
  delete machines[name];
  save();
  await api('DELETE', '/api/v1/nodes/' + name);
} else if (action === 'create') {
  if (mode === 'fail') {
    console.error('quota exceeded for ' + name);
    process.exit(3);
  }
  if (mode === 'hang') await new Promise(() => setInterval(() => {}, 1000));
  machines[name] = group;
  save();
  if (mode === 'register') {
    const t = JSON.parse(process.env.TUTTI_NODE_TEMPLATE);
    const now = new Date().toISOString().replace(/\\.\\d+Z$/, 'Z');
    await api('POST', '/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: t.labels }, spec: { taints: t.taints } });
    await api('PATCH', '/api/v1/nodes/' + name + '/status', {
      status: {
        capacity: t.capacity,
        allocatable: t.capacity,
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: now, lastTransitionTime: now }],
      },
    }, 'application/merge-patch+json');
  }
}
`;

interface Call {
  action: string;
  mode: string;
  argv: string[];
  env: Record<string, string>;
}

describe('cluster autoscaler, exec provider', () => {
  let s: TestServer;
  let dir: string;
  let client: ApiClient;
  let ctx: ControllerContext;
  let autoscaler: ClusterAutoscaler;

  const calls = (): Call[] =>
    existsSync(join(dir, 'calls.jsonl'))
      ? readFileSync(join(dir, 'calls.jsonl'), 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as Call)
      : [];
  const mode = (m: string) => writeFileSync(join(dir, 'mode'), m);
  const groupNodes = async () =>
    (await client.list<Node>('/api/v1/nodes', { labelSelector: 'autoscaling.tutti.io/node-group=cloud' })).items;
  const status = async () =>
    parse(await s.k('-n', 'kube-system', 'get', 'cm', 'cluster-autoscaler-status', '-o', 'jsonpath={.data.status}'));
  const statusEvents = async (reason: string) =>
    (await client.list<Event>('/api/v1/namespaces/kube-system/events')).items.filter((e) => e.reason === reason);
  const podsOf = async (app: string) =>
    (await client.list<Pod>('/api/v1/namespaces/default/pods', { labelSelector: `app=${app}` })).items;

  before(async () => {
    s = await startTestServer({ controlPlane: true, args: ['--node-monitor-grace-period', '600'] });
    dir = mkdtempSync(join(tmpdir(), 'tutti-exec-e2e-'));
    const script = join(dir, 'cloud.mjs');
    writeFileSync(script, SCRIPT);
    chmodSync(script, 0o755);
    writeFileSync(join(dir, 'ca.pem'), s.caPem);
    client = new ApiClient({ server: s.url, caPem: s.caPem, token: s.token });
    const log = process.env['AUTOSCALER_TEST_LOG']
      ? (msg: string, f: Record<string, unknown>) => console.error(JSON.stringify({ msg, ...f }))
      : () => {};
    ctx = newControllerContext(client, { log });
    const provider = new ExecProvider({
      create: [script, 'create'],
      delete: [script, 'delete'],
      list: [script, 'list'],
      env: { STATE_DIR: dir, API: s.url, TOKEN: s.token, NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem') },
    });
    autoscaler = startClusterAutoscaler(ctx, {
      providers: { cloud: provider },
      scanIntervalMs: 500,
      nodeCreateTimeoutMs: 4000,
      maxNodeProvisionTimeMs: 8000,
      backoff: { initialMs: 1500, maxMs: 6000 },
      scaleDown: { enabled: false },
    });
    ctx.informers.start();
    await s.kubectl(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'tutti-node-groups', namespace: 'kube-system' },
        data: {
          cloud: [
            'provider: cloud',
            'minSize: 0',
            'maxSize: 3',
            'template:',
            '  capacity: {cpu: "2", memory: 4Gi}',
            '  labels: {pool: exec}',
            '  taints: [{key: dedicated, value: exec, effect: NoSchedule}]',
          ].join('\n'),
        },
      }),
    });
  });
  after(async () => {
    await autoscaler?.stop();
    ctx?.informers.stop();
    client?.close();
    await s?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const deployment = (name: string, replicas: number, cpu: string) =>
    JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name, namespace: 'default' },
      spec: {
        replicas,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: {
            nodeSelector: { pool: 'exec' },
            tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'exec', effect: 'NoSchedule' }],
            containers: [{ name: 'c', image: 'busybox:1.35', resources: { requests: { cpu } } }],
          },
        },
      },
    });

  it('creates a node with the name, group and template in the environment; the pod lands on it', async () => {
    mode('register');
    await s.kubectl(['apply', '-f', '-'], { input: deployment('one', 1, '500m') });
    const pod = await until('the pod bound to a new node', 30_000, async () => {
      const [p] = await podsOf('one');
      return p?.spec?.nodeName ? p : undefined;
    });
    const create = calls().find((c) => c.action === 'create')!;
    assert.deepEqual(create.argv, ['create']);
    assert.equal(create.env['TUTTI_NODE_GROUP'], 'cloud');
    assert.match(create.env['TUTTI_NODE_NAME']!, /^cloud-[a-z0-9]{5}$/);
    assert.equal(pod.spec!.nodeName, create.env['TUTTI_NODE_NAME']);
    const template = JSON.parse(create.env['TUTTI_NODE_TEMPLATE']!);
    assert.deepEqual(template.capacity, { cpu: '2', memory: '4Gi', pods: '110' });
    assert.equal(template.labels.pool, 'exec');
    assert.equal(template.labels['autoscaling.tutti.io/node-group'], 'cloud');
    assert.equal(create.env['TUTTI_NODE_TAINTS'], 'dedicated=exec:NoSchedule');
    assert.match(create.env['TUTTI_NODE_LABELS']!, /(^|,)pool=exec(,|$)/);
    assert.ok(calls().some((c) => c.action === 'list' && c.env['TUTTI_NODE_GROUP'] === 'cloud'));
    const st = await until('status target 1', 10_000, async () => {
      const v = await status();
      return v.nodeGroups?.[0]?.health?.cloudProviderTarget === 1 ? v : undefined;
    });
    assert.equal(st.nodeGroups[0].health.status, 'Healthy');
  });

  it('a failing, a hanging and a never-registering machine are removed and back the group off; then it recovers', async () => {
    mode('fail');
    // A second node's worth of pods (1.6 cpu: more than the first node has left).
    await s.kubectl(['apply', '-f', '-'], { input: deployment('more', 1, '1600m') });
    const failed = await until('Backoff after the failing script', 30_000, async () => {
      const v = await status();
      return v.nodeGroups?.[0]?.scaleUp?.status === 'Backoff' ? v.nodeGroups[0].scaleUp : undefined;
    });
    assert.equal(failed.backoffInfo.errorCode, 'providerError');
    assert.match(failed.backoffInfo.errorMessage, /exit code 3: quota exceeded for cloud-/);
    const failedName = calls().find((c) => c.action === 'create' && c.mode === 'fail')!.env['TUTTI_NODE_NAME'];
    await until('delete of the failed machine', 10_000, async () =>
      calls().some((c) => c.action === 'delete' && c.env['TUTTI_NODE_NAME'] === failedName),
    );
    const events = await until('FailedToScaleUpGroup event', 10_000, async () => {
      const es = await statusEvents('FailedToScaleUpGroup');
      return es.length > 0 ? es : undefined;
    });
    assert.match(
      events[0]!.message ?? '',
      /^Scale-up failed for group cloud: creating node cloud-\w+: exec provider create: exit code 3/,
    );
    assert.equal(events[0]!.involvedObject.name, 'cluster-autoscaler-status');

    mode('hang');
    const hung = await until('Backoff after the hanging script (create timeout)', 30_000, async () => {
      const v = await status();
      const up = v.nodeGroups?.[0]?.scaleUp;
      return up?.status === 'Backoff' && up.backoffInfo.errorCode === 'timeout' ? up : undefined;
    });
    assert.match(hung.backoffInfo.errorMessage, /timed out/);

    mode('noop');
    const lost = await until('Backoff after a machine that never registers', 40_000, async () => {
      const v = await status();
      const up = v.nodeGroups?.[0]?.scaleUp;
      return up?.status === 'Backoff' && /did not register within 8s/.test(up.backoffInfo.errorMessage)
        ? up
        : undefined;
    });
    assert.equal(lost.backoffInfo.errorCode, 'timeout');
    const noopName = calls().find((c) => c.action === 'create' && c.mode === 'noop')!.env['TUTTI_NODE_NAME'];
    await until('delete of the machine that never registered', 10_000, async () =>
      calls().some((c) => c.action === 'delete' && c.env['TUTTI_NODE_NAME'] === noopName),
    );

    mode('register');
    await until('the pending pod bound once the script works', 40_000, async () => {
      const [p] = await podsOf('more');
      return !!p?.spec?.nodeName;
    });
    const ok = await until('back-off cleared', 20_000, async () => {
      const v = await status();
      return v.nodeGroups?.[0]?.scaleUp?.status !== 'Backoff' ? v.nodeGroups[0] : undefined;
    });
    assert.equal(ok.health.cloudProviderTarget, 2);
    assert.equal((await groupNodes()).length, 2, 'the failed machines left no Node behind');
  });
});
