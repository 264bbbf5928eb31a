// Hostile input over HTTPS (issue 8): wrong types, deep nesting, oversized objects, garbage bodies. Each
// case is a reproduction from the fuzzing run; the server must answer 4xx, store nothing, and stay up.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ApiServerMetricsSink, RequestMetricLabels } from './request-metrics.js';
import { type Reply, type TestServer, startTestServer } from './test-harness.js';

const CMS = '/api/v1/namespaces/default/configmaps';
const DEPLOYS = '/apis/apps/v1/namespaces/default/deployments';
const PODS = '/api/v1/namespaces/default/pods';

function deployment(name: string, replicas: unknown): unknown {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'c', image: 'busybox' }] },
      },
    },
  };
}

function statusOf(r: Reply): { reason?: string; message?: string; code?: number } {
  return JSON.parse(r.body);
}

describe('hostile request bodies', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(async () => {
    await s?.stop();
  });

  it('refuses wrong-typed replicas with the Go decoder message and stores nothing', async () => {
    const cases: Array<[unknown, string]> = [
      ['3', 'string'],
      [1.5, 'number 1.5'],
      [true, 'bool'],
      [{}, 'object'],
      [[1], 'array'],
      [1e308, 'number 1e+308'],
      [2 ** 31, `number ${2 ** 31}`],
    ];
    for (const [i, [replicas, what]] of cases.entries()) {
      const r = await s.call('POST', DEPLOYS, deployment(`bad-${i}`, replicas));
      assert.equal(r.status, 400, `replicas ${JSON.stringify(replicas)}: ${r.body}`);
      const st = statusOf(r);
      assert.equal(st.reason, 'BadRequest');
      assert.equal(
        st.message,
        `Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal ${what} into Go struct field DeploymentSpec.spec.replicas of type int32`,
      );
    }
    const list = JSON.parse((await s.call('GET', DEPLOYS)).body);
    assert.deepEqual(list.items, []);
    const ok = await s.call('POST', DEPLOYS, deployment('good', 2));
    assert.equal(ok.status, 201, ok.body);
  });

  it('refuses wrong types in updates and in every patch result', async () => {
    const created = await s.call('POST', DEPLOYS, deployment('patched', 1));
    assert.equal(created.status, 201);
    const obj = JSON.parse(created.body);
    const put = await s.call('PUT', `${DEPLOYS}/patched`, { ...obj, spec: { ...obj.spec, replicas: '3' } });
    assert.equal(put.status, 400, put.body);
    const patches: Array<[string, unknown]> = [
      ['application/merge-patch+json', { spec: { replicas: [1] } }],
      ['application/strategic-merge-patch+json', { spec: { replicas: 1e308 } }],
      ['application/json-patch+json', [{ op: 'replace', path: '/spec/replicas', value: '7' }]],
    ];
    for (const [type, doc] of patches) {
      const r = await s.call('PATCH', `${DEPLOYS}/patched`, doc, { 'Content-Type': type });
      assert.equal(r.status, 400, `${type}: ${r.body}`);
      assert.match(statusOf(r).message ?? '', /DeploymentSpec\.spec\.replicas of type int32/);
    }
    const apply = await s.call(
      'PATCH',
      `${DEPLOYS}/patched?fieldManager=t`,
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: patched\nspec:\n  replicas: "4"\n',
      { 'Content-Type': 'application/apply-patch+yaml' },
    );
    assert.equal(apply.status, 400, apply.body);
    const now = JSON.parse((await s.call('GET', `${DEPLOYS}/patched`)).body);
    assert.equal(now.spec.replicas, 1);
    assert.equal(now.metadata.resourceVersion, obj.metadata.resourceVersion);
  });

  it('refuses wrong types in ConfigMap data and pod specs without a 500', async () => {
    const cm = await s.call('POST', CMS, { metadata: { name: 'typed' }, data: { k: 5 } });
    assert.equal(cm.status, 400, cm.body);
    assert.match(
      statusOf(cm).message ?? '',
      /cannot unmarshal number into Go struct field ConfigMap\.data of type string/,
    );
    const sel = await s.call('POST', DEPLOYS, { ...(deployment('sel', 1) as object), spec: { selector: 7 } });
    assert.equal(sel.status, 400, sel.body);
    const pod = (spec: unknown) => ({ metadata: { name: 'p' }, spec });
    const base = { containers: [{ name: 'c', image: 'busybox' }] };
    for (const spec of [{ ...base, tolerations: -1 }, { containers: {} }, { containers: 'x' }]) {
      const r = await s.call('POST', PODS, pod(spec));
      assert.equal(r.status, 400, `${JSON.stringify(spec)}: ${r.body}`);
    }
    // [null] decodes as one empty container (Go's zero value): a validation error, not a crash.
    const nul = await s.call('POST', PODS, pod({ containers: [null] }));
    assert.equal(nul.status, 422, nul.body);
    assert.equal(JSON.parse((await s.call('GET', PODS)).body).items.length, 0);
  });

  it('answers deep YAML and JSON with a 400 in creates and all patch types', async () => {
    for (const depth of [1000, 2000]) {
      const yaml = `${'['.repeat(depth)}${']'.repeat(depth)}`;
      const r = await s.call('POST', CMS, yaml, { 'Content-Type': 'application/yaml' });
      assert.equal(r.status, 400, r.body);
      const a = await s.call('PATCH', `${CMS}/deep?fieldManager=t`, yaml, {
        'Content-Type': 'application/apply-patch+yaml',
      });
      assert.equal(a.status, 400, a.body);
      const nested = `data:\n  k: ${yaml}\n`;
      const n = await s.call('POST', CMS, `metadata:\n  name: deep\n${nested}`, { 'Content-Type': 'application/yaml' });
      assert.equal(n.status, 400, n.body);
    }
    await s.call('POST', CMS, { metadata: { name: 'target' } });
    for (const depth of [10_000, 1_000_000]) {
      const json = `{"metadata":{"name":"deep"},"data":${'['.repeat(depth)}${']'.repeat(depth)}}`;
      const r = await s.call('POST', CMS, json);
      assert.equal(r.status, 400, r.body.slice(0, 200));
      assert.match(statusOf(r).message ?? '', /maximum nesting depth/);
      const doc = `{"data":{"a":${'['.repeat(depth)}${']'.repeat(depth)}}}`;
      for (const type of ['application/merge-patch+json', 'application/strategic-merge-patch+json']) {
        const p = await s.call('PATCH', `${CMS}/target`, doc, { 'Content-Type': type });
        assert.equal(p.status, 400, p.body.slice(0, 200));
      }
      const jp = `[{"op":"add","path":"/data","value":${'['.repeat(depth)}${']'.repeat(depth)}}]`;
      const p = await s.call('PATCH', `${CMS}/target`, jp, { 'Content-Type': 'application/json-patch+json' });
      assert.equal(p.status, 400, p.body.slice(0, 200));
    }
    assert.equal((await s.call('GET', '/readyz')).status, 200);
  });

  it('refuses objects over the stored-object limit with a 413 and keeps the 3 MiB request limit', async () => {
    // A pod has no size rule of its own (a ConfigMap's 1 MiB is a 422): the store's 1.5 MiB decides.
    const pod = (name: string, size: number) => ({
      metadata: { name },
      spec: { containers: [{ name: 'c', image: 'busybox', env: [{ name: 'E', value: 'x'.repeat(size) }] }] },
    });
    const big = await s.call('POST', PODS, pod('big', 1_600_000));
    assert.equal(big.status, 413, big.body.slice(0, 200));
    assert.equal(statusOf(big).reason, 'RequestEntityTooLarge');
    assert.equal((await s.call('GET', `${PODS}/big`)).status, 404);
    const huge = await s.call('POST', CMS, { metadata: { name: 'huge' }, data: { k: 'x'.repeat(3_200_000) } });
    assert.equal(huge.status, 413);
    const fits = await s.call('POST', PODS, pod('fits', 1_000_000));
    assert.equal(fits.status, 201);
    // Growing a stored object past the limit by a patch is refused too.
    const d = deployment('grows', 1) as {
      spec: { template: { spec: { containers: Array<Record<string, unknown>> } } };
    };
    d.spec.template.spec.containers[0].env = [{ name: 'E', value: 'x'.repeat(1_000_000) }];
    assert.equal((await s.call('POST', DEPLOYS, d)).status, 201);
    const more = {
      spec: { template: { spec: { containers: [{ name: 'c', env: [{ name: 'F', value: 'y'.repeat(600_000) }] }] } } },
    };
    const grow = await s.call('PATCH', `${DEPLOYS}/grows`, more, {
      'Content-Type': 'application/strategic-merge-patch+json',
    });
    assert.equal(grow.status, 413, grow.body.slice(0, 200));
  });

  it('takes the stored-object limit from the server option', async () => {
    const small = await startTestServer({ maxObjectBytes: 100_000 });
    try {
      const over = await small.call('POST', CMS, { metadata: { name: 'a' }, data: { k: 'x'.repeat(120_000) } });
      assert.equal(over.status, 413);
      const under = await small.call('POST', CMS, { metadata: { name: 'b' }, data: { k: 'x'.repeat(80_000) } });
      assert.equal(under.status, 201);
    } finally {
      await small.stop();
    }
  });

  it('answers garbage bodies to the scale subresource with a 400', async () => {
    assert.equal((await s.call('POST', DEPLOYS, deployment('scaled', 1))).status, 201);
    const url = `${DEPLOYS}/scaled/scale`;
    const bodies: Array<[string, string]> = [
      ['PUT', '{'],
      ['PUT', '"x"'],
      ['PUT', '[1]'],
      ['PUT', '{"spec":{"replicas":"9"}}'],
      ['PUT', '{"spec":{"replicas":1e308}}'],
      ['PUT', '{"spec":7}'],
      ['PATCH', ''],
      ['PATCH', 'garbage'],
      ['PATCH', '{"spec":{"replicas":[1]}}'],
      ['PATCH', '[1,2]'],
    ];
    for (const [method, body] of bodies) {
      const type = method === 'PATCH' ? 'application/merge-patch+json' : 'application/json';
      const r = await s.call(method, url, body, { 'Content-Type': type });
      assert.ok(r.status === 400 || r.status === 422, `${method} ${body}: ${r.status} ${r.body}`);
    }
    const d = JSON.parse((await s.call('GET', `${DEPLOYS}/scaled`)).body);
    assert.equal(d.spec.replicas, 1);
    const ok = await s.call(
      'PATCH',
      url,
      { spec: { replicas: 3 } },
      { 'Content-Type': 'application/merge-patch+json' },
    );
    assert.equal(ok.status, 200, ok.body);
  });
});

describe('hostile request paths', () => {
  let s: TestServer;
  const NS = '/api/v1/namespaces/victim';
  // Metrics on, as `tutti server` runs: they read every request's path before the handler does.
  const counted: Array<{ labels: RequestMetricLabels; code: number }> = [];
  const metrics: ApiServerMetricsSink = {
    request: (labels, { code }) => counted.push({ labels, code }),
    longRunningStarted: () => () => {},
    metrics: async () => '',
  };
  before(async () => {
    s = await startTestServer({ metrics });
    assert.equal((await s.call('POST', '/api/v1/namespaces', { metadata: { name: 'victim' } })).status, 201);
    assert.equal((await s.call('POST', '/api/v1/namespaces', { metadata: { name: 'other' } })).status, 201);
    for (const name of ['one', 'two']) {
      assert.equal((await s.call('POST', `${NS}/configmaps`, { metadata: { name } })).status, 201);
    }
    const secret = { metadata: { name: 'topsecret' }, stringData: { k: 'v' } };
    assert.equal((await s.call('POST', '/api/v1/namespaces/other/secrets', secret)).status, 201);
  });
  after(async () => {
    await s?.stop();
  });

  const alive = async () => {
    assert.equal((await s.call('GET', '/api/v1/namespaces/victim')).status, 200, 'namespace victim deleted');
    const cms = JSON.parse((await s.call('GET', `${NS}/configmaps`)).body);
    assert.equal(cms.items.length, 2, 'configmaps of victim deleted');
    assert.equal((await s.call('GET', '/api/v1/namespaces/other/secrets/topsecret')).status, 200);
  };

  it('never folds dot segments into the parent', async () => {
    for (const seg of ['..', '%2e%2e', '%2E%2E', '.', '%2e', '.%2e']) {
      for (const method of ['GET', 'DELETE']) {
        const r = await s.call(method, `${NS}/pods/${seg}`);
        assert.equal(r.status, 400, `${method} pods/${seg}: ${r.status} ${r.body}`);
        assert.match(statusOf(r).message ?? '', /^Name parameter invalid: "\.\.?": may not be '\.\.?'$/);
      }
      const cm = await s.call('DELETE', `${NS}/configmaps/${seg}`);
      assert.equal(cm.status, 400, `configmaps/${seg}: ${cm.body}`);
      const ns = await s.call('DELETE', `/api/v1/namespaces/${seg}/configmaps`);
      assert.equal(ns.status, 400, `namespaces/${seg}/configmaps: ${ns.body}`);
    }
    const up = await s.call('GET', `${NS}/pods/../../namespaces`);
    assert.ok(up.status === 400 || up.status === 404, `${up.status}`);
    await alive();
  });

  it('answers an empty name where one is required with a 404, not the collection', async () => {
    for (const path of [`${NS}/configmaps/`, `${NS}/configmaps//`, `${NS}//configmaps`, `${NS}/configmaps//status`]) {
      const r = await s.call('DELETE', path);
      assert.equal(r.status, 404, `DELETE ${path}: ${r.body}`);
    }
    const put = await s.call('PUT', `${NS}/configmaps/`, { metadata: { name: 'one' } });
    assert.equal(put.status, 404);
    await alive();
  });

  it('treats an encoded slash as part of the name: an invalid name, never another namespace', async () => {
    for (const method of ['GET', 'DELETE']) {
      for (const path of [
        '/api/v1/secrets/other%2Ftopsecret',
        '/api/v1/namespaces/victim/secrets/..%2Fother%2Ftopsecret',
      ]) {
        const r = await s.call(method, path);
        assert.equal(r.status, 400, `${method} ${path}: ${r.body}`);
        assert.match(statusOf(r).message ?? '', /may not contain '\/'/);
      }
    }
    const ns = await s.call('GET', '/api/v1/namespaces/other%2Fx/secrets');
    assert.equal(ns.status, 400);
    assert.match(statusOf(ns).message ?? '', /^Namespace parameter invalid/);
    await alive();
  });

  it('answers undecodable escapes with a 400', async () => {
    counted.length = 0;
    for (const seg of ['%E0%A4%A', '%ff', '%', '%zz', 'a%']) {
      for (const path of [`${NS}/configmaps/${seg}`, `/apis/${seg}`, `/api/v1/namespaces/${seg}/pods`]) {
        const r = await s.call('GET', path);
        assert.equal(r.status, 400, `GET ${path}: ${r.status} ${r.body}`);
      }
    }
    await alive();
    // Each refused path was counted (as a request to no resource), and none ended the server.
    const refused = counted.filter((c) => c.code === 400);
    assert.equal(refused.length, 15);
    assert.ok(refused.every((c) => c.labels.resource === '' && c.labels.verb === 'GET'));
  });

  it('answers methods a path does not support with a 405', async () => {
    for (const [method, path] of [
      ['DELETE', '/apis/apps'],
      ['POST', '/apis'],
      ['PUT', '/api/v1'],
      ['DELETE', '/openapi/v3'],
      ['POST', '/version'],
      ['PUT', `${NS}/configmaps`],
      ['POST', `${NS}/configmaps/one`],
      ['PATCH', `${NS}/configmaps`],
      ['DELETE', `${NS}/configmaps/one/status`],
    ]) {
      const r = await s.call(method, path, method === 'GET' || method === 'DELETE' ? undefined : {});
      assert.equal(
        r.status,
        method === 'DELETE' && path.endsWith('/status') ? 404 : 405,
        `${method} ${path}: ${r.body}`,
      );
    }
    assert.equal((await s.call('GET', '/apis/apps')).status, 200);
    await alive();
  });
});

describe('hostile paging parameters', () => {
  let s: TestServer;
  const LIST = '/api/v1/namespaces/default/services';
  const token = (t: unknown) => Buffer.from(JSON.stringify(t)).toString('base64url');
  before(async () => {
    s = await startTestServer();
    const svc = (name: string) => ({ metadata: { name }, spec: { ports: [{ port: 80 }] } });
    for (const n of ['a', 'b', 'c']) assert.equal((await s.call('POST', LIST, svc(n))).status, 201);
    const secret = { metadata: { name: 'hidden' }, stringData: { k: 'v' } };
    assert.equal((await s.call('POST', '/api/v1/namespaces/kube-system/secrets', secret)).status, 201);
  });
  after(async () => {
    await s?.stop();
  });

  it('pages with its own tokens and keeps them inside the list prefix', async () => {
    const first = JSON.parse((await s.call('GET', `${LIST}?limit=2`)).body);
    assert.equal(first.items.length, 2);
    const cont = first.metadata.continue as string;
    const rest = JSON.parse((await s.call('GET', `${LIST}?limit=2&continue=${cont}`)).body);
    assert.deepEqual(
      [...first.items, ...rest.items]
        .map((i: { metadata: { name: string } }) => i.metadata.name)
        .filter((n: string) => n !== 'kubernetes'),
      ['a', 'b', 'c'],
    );
    const rv = JSON.parse(Buffer.from(cont, 'base64url').toString()).rv as number;
    const forged = [
      { rv: 0, start: '/registry/' },
      { v: 'meta.k8s.io/v1', rv, start: '../../secrets/kube-system/' },
      { v: 'meta.k8s.io/v1', rv, start: '/../../' },
      { v: 'meta.k8s.io/v1', rv, start: 'a/../../../x' },
      { v: 'meta.k8s.io/v1', rv, start: '' },
      { v: 'meta.k8s.io/v1', rv: 0, start: 'a' },
      { v: 'meta.k8s.io/v1', rv: 'x', start: 'a' },
      [1, 2],
    ];
    for (const t of forged) {
      const r = await s.call('GET', `${LIST}?continue=${token(t)}`);
      assert.equal(r.status, 400, `${JSON.stringify(t)}: ${r.body.slice(0, 300)}`);
      assert.match(statusOf(r).message ?? '', /^continue key is not valid/);
    }
    for (const garbage of ['%%%', 'bm90IGpzb24', '!!']) {
      const r = await s.call('GET', `${LIST}?continue=${garbage}`);
      assert.equal(r.status, 400, `${garbage}: ${r.body}`);
    }
    // The cluster-wide list of services never reaches another resource's keys either.
    const all = await s.call(
      'GET',
      `/api/v1/services?continue=${token({ v: 'meta.k8s.io/v1', rv, start: '../secrets/' })}`,
    );
    assert.equal(all.status, 400);
  });

  it('refuses a token from the future with a 400 and an expired one with a 410', async () => {
    const future = await s.call(
      'GET',
      `${LIST}?continue=${token({ v: 'meta.k8s.io/v1', rv: 10 ** 9, start: 'b\u0000' })}`,
    );
    assert.equal(future.status, 400, future.body);
    const first = JSON.parse((await s.call('GET', `${LIST}?limit=1`)).body);
    for (let i = 0; i < 3; i++)
      await s.call('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: `c${i}` } });
    await s.store.compact(s.store.currentRevision());
    const expired = await s.call('GET', `${LIST}?limit=1&continue=${first.metadata.continue}`);
    assert.equal(expired.status, 410, expired.body);
    const st = statusOf(expired);
    assert.equal(st.reason, 'Expired');
    assert.match(st.message ?? '', /^The provided continue parameter is too old to display a consistent list result/);
  });

  it('answers a limit that is not an integer with a 400', async () => {
    for (const limit of ['1.5', 'abc', '1e3', '99999999999999999999', '0x10']) {
      const r = await s.call('GET', `${LIST}?limit=${limit}`);
      assert.equal(r.status, 400, `limit=${limit}: ${r.body}`);
    }
    for (const limit of ['', '0', '-1', '1000000']) {
      const r = await s.call('GET', `${LIST}?limit=${limit}`);
      assert.equal(r.status, 200, `limit=${limit}: ${r.body}`);
    }
  });
});

describe('hostile HTTP', () => {
  let s: TestServer;
  const auth = () => `Authorization: Bearer ${s.token}\r\nHost: 127.0.0.1\r\n`;
  before(async () => {
    s = await startTestServer({ headersTimeoutMs: 1000, requestTimeoutMs: 2000 });
  });
  after(async () => {
    await s?.stop();
  });

  const statusLines = (out: string) => [...out.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));

  it('answers malformed requests with 400, 414, 431 or 505 before closing', async () => {
    const cases: Array<[string, number]> = [
      ['FOO / HTTP/1.1\r\nHost: x\r\n\r\n', 400],
      ['GET / HTTP/1.2\r\nHost: x\r\n\r\n', 505],
      ['GET / HTTP/1.1\r\nHost: x\r\nX: a\u0000b\r\n\r\n', 400],
      [
        'POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
        400,
      ],
      [`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
      [`GET /${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`, 414],
      ['GET / HTTP/2.0\r\nHost: x\r\n\r\n', 505],
      ['\u0001\u0002garbage\r\n\r\n', 400],
    ];
    for (const [bytes, code] of cases) {
      const out = await s.raw(bytes);
      assert.deepEqual(
        statusLines(out),
        [code],
        `${JSON.stringify(bytes.slice(0, 40))}: ${JSON.stringify(out.slice(0, 80))}`,
      );
      assert.ok(!out.endsWith('<timeout>'), 'the server closed the connection');
    }
  });

  it('does not let an HTTP/0.9 request line hold the socket', async () => {
    const t0 = Date.now();
    const out = await s.raw('GET /healthz\r\n', { timeoutMs: 5000 });
    assert.deepEqual(statusLines(out), [400], JSON.stringify(out));
    assert.ok(Date.now() - t0 < 1000, `closed after ${Date.now() - t0} ms`);
  });

  it('answers every valid pipelined request before a malformed one, then the 400', async () => {
    const cm = (name: string) => JSON.stringify({ metadata: { name } });
    const post = (name: string) =>
      `POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\n${auth()}Content-Type: application/json\r\nContent-Length: ${cm(name).length}\r\n\r\n${cm(name)}`;
    // Pipelined requests may run concurrently (answers stay in order): read one that exists already.
    assert.equal(
      (await s.call('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'piped-0' } })).status,
      201,
    );
    const get = `GET /api/v1/namespaces/default/configmaps/piped-0 HTTP/1.1\r\n${auth()}\r\n`;
    const out = await s.raw(
      `${post('piped-1')}${post('piped-2')}${get}${post('piped-3')}BROKEN\u0000 / HTTP/1.1\r\n\r\n`,
    );
    assert.deepEqual(statusLines(out), [201, 201, 200, 201, 400], out);
    const list = JSON.parse((await s.call('GET', '/api/v1/namespaces/default/configmaps')).body);
    const names = list.items.map((i: { metadata: { name: string } }) => i.metadata.name);
    assert.deepEqual(names.filter((n: string) => n.startsWith('piped-')).sort(), [
      'piped-0',
      'piped-1',
      'piped-2',
      'piped-3',
    ]);
  });

  it('times out a client that never finishes its headers', async () => {
    const t0 = Date.now();
    const out = await s.raw('GET /healthz HTTP/1.1\r\nHost: x\r\n', { timeoutMs: 8000 });
    assert.ok(!out.endsWith('<timeout>'), `still open after ${Date.now() - t0} ms`);
    assert.ok(
      statusLines(out).every((c) => c === 408),
      out,
    );
  });
});
