// What older kubectl and the official clients rely on, over HTTPS against an ApiServer on a MemoryStore:
// query parameters decoded as upstream, /openapi/v2, the APIService list, upstream's error bodies,
// protected namespaces and unconditional updates.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { type ClusterPki, ensureClusterPki } from '../pki/index.js';
import { MemoryStore } from '../storage/index.js';
import { ApiServer } from './server.js';

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

describe('ApiServer compatibility with older kubectl and official clients', () => {
  let dir: string;
  let pki: ClusterPki;
  let api: ApiServer;

  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
      const req = request(
        `${api.url}${path}`,
        {
          method,
          ca: pki.caCertPem,
          headers: {
            Authorization: `Bearer ${pki.adminToken}`,
            ...(text !== undefined ? { 'Content-Type': 'application/json' } : {}),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('end', () => {
            const b = Buffer.concat(chunks);
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: b, text: b.toString('utf8') });
          });
        },
      );
      req.on('error', reject);
      if (text !== undefined) req.write(text);
      req.end();
    });

  /** Opens a watch at `path` and resolves with the first event after `trigger` ran. */
  const firstEvent = (path: string, trigger: () => Promise<unknown>) =>
    new Promise<{ type: string; object: { metadata: { name: string } } }>((resolve, reject) => {
      const req = request(`${api.url}${path}`, {
        ca: pki.caCertPem,
        headers: { Authorization: `Bearer ${pki.adminToken}` },
      });
      req.on('response', (res) => {
        if (res.statusCode !== 200) reject(new Error(`watch answered ${res.statusCode}`));
        let buf = '';
        res.on('data', (d: Buffer) => {
          buf += d.toString();
          const nl = buf.indexOf('\n');
          if (nl >= 0) {
            req.destroy();
            resolve(JSON.parse(buf.slice(0, nl)));
          }
        });
        trigger().catch(reject);
      });
      req.on('error', (e) => {
        if (!req.destroyed) reject(e);
      });
      req.end();
    });

  const CMS = '/api/v1/namespaces/default/configmaps';
  const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: '1' } });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tutti-compat-test-'));
    pki = await ensureClusterPki(dir, { hostnames: [], ips: [] });
    api = new ApiServer({
      store: new MemoryStore(),
      tls: { cert: pki.serverCertPem, key: pki.serverKeyPem, ca: pki.caCertPem },
      tokens: new Map([[pki.adminToken, { name: 'admin', groups: ['system:masters'] }]]),
      port: 0,
      host: '127.0.0.1',
    });
    await api.start();
  });

  after(async () => {
    await api?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("treats the Python client's watch=True (and any value but 0/false) as a watch", async () => {
    const rv = JSON.parse((await call('GET', CMS)).text).metadata.resourceVersion;
    const ev = await firstEvent(`${CMS}?watch=True&allowWatchBookmarks=True&resourceVersion=${rv}`, () =>
      call('POST', CMS, cm('py-watch')),
    );
    assert.equal(ev.type, 'ADDED');
    assert.equal(ev.object.metadata.name, 'py-watch');
    // watch=False and watch=0 are a list.
    for (const v of ['False', '0']) {
      const list = await call('GET', `${CMS}?watch=${v}`);
      assert.equal(list.status, 200);
      assert.equal(JSON.parse(list.text).kind, 'ConfigMapList');
    }
  });

  it('serves /openapi/v2 as JSON or gnostic protobuf with one ETag, 304 on a match and 406 otherwise', async () => {
    const json = await call('GET', '/openapi/v2', undefined, { Accept: 'application/json' });
    assert.equal(json.status, 200);
    assert.equal(json.headers['content-type'], 'application/json');
    const doc = JSON.parse(json.text);
    assert.equal(doc.swagger, '2.0');
    assert.ok(doc.definitions['io.k8s.api.apps.v1.Deployment']);
    const etag = json.headers.etag!;
    assert.match(etag, /^"[0-9A-F]{128}"$/);
    assert.deepEqual(json.headers.vary, 'Accept, Accept-Encoding');
    // kubectl 1.27/1.28 ask for the deprecated `@` spelling; the reply names the RFC-valid one.
    const pb = await call('GET', '/openapi/v2', undefined, {
      Accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf',
    });
    assert.equal(pb.status, 200);
    assert.equal(pb.headers['content-type'], 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    assert.equal(pb.headers.etag, etag);
    assert.equal(pb.body[0], 0x0a); // field 1 (swagger), length-delimited
    assert.equal(pb.body.subarray(2, 2 + pb.body[1]!).toString(), '2.0');
    const star = await call('GET', '/openapi/v2', undefined, { Accept: '*/*' });
    assert.equal(star.headers['content-type'], 'application/json');
    // Quality order decides.
    const q = await call('GET', '/openapi/v2', undefined, {
      Accept: 'application/json;q=0.5, application/com.github.proto-openapi.spec.v2.v1.0+protobuf',
    });
    assert.equal(q.headers['content-type'], 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
    const cached = await call('GET', '/openapi/v2', undefined, { Accept: 'application/json', 'If-None-Match': etag });
    assert.equal(cached.status, 304);
    assert.equal(cached.body.length, 0);
    const gz = await call('GET', '/openapi/v2', undefined, { Accept: 'application/json', 'Accept-Encoding': 'gzip' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gz.headers.etag, `${etag.slice(0, -1)}-gzip"`);
    assert.equal(JSON.parse(gunzipSync(gz.body).toString()).swagger, '2.0');
    const no = await call('GET', '/openapi/v2', undefined, { Accept: 'text/plain' });
    assert.equal(no.status, 406);
  });

  it('lists the built-in group-versions as Local APIServices', async () => {
    const r = await call('GET', '/apis/apiregistration.k8s.io/v1/apiservices');
    assert.equal(r.status, 200);
    const list = JSON.parse(r.text) as {
      kind: string;
      items: {
        metadata: { name: string; labels: Record<string, string> };
        spec: Record<string, unknown>;
        status: { conditions: { type: string; status: string; reason: string; message: string }[] };
      }[];
    };
    assert.equal(list.kind, 'APIServiceList');
    const names = list.items.map((i) => i.metadata.name);
    for (const n of ['v1.', 'v1.apps', 'v1.batch', 'v2.autoscaling', 'v1.rbac.authorization.k8s.io']) {
      assert.ok(names.includes(n), `${n} in ${names.join(' ')}`);
    }
    const core = list.items.find((i) => i.metadata.name === 'v1.')!;
    assert.deepEqual(core.spec, { group: '', version: 'v1', groupPriorityMinimum: 18000, versionPriority: 1 });
    assert.equal(core.metadata.labels['kube-aggregator.kubernetes.io/automanaged'], 'onstart');
    const apps = list.items.find((i) => i.metadata.name === 'v1.apps')!;
    assert.deepEqual(apps.spec, { group: 'apps', version: 'v1', groupPriorityMinimum: 17800, versionPriority: 15 });
    assert.deepEqual(
      apps.status.conditions.map(({ type, status, reason, message }) => ({ type, status, reason, message })),
      [{ type: 'Available', status: 'True', reason: 'Local', message: 'Local APIServices are always available' }],
    );
    // Every item names a group-version the server serves.
    for (const i of list.items) {
      const gv = i.spec.group ? `/apis/${i.spec.group}/${i.spec.version}` : `/api/${i.spec.version}`;
      assert.equal((await call('GET', gv)).status, 200, gv);
    }
    const t = await call('GET', '/apis/apiregistration.k8s.io/v1/apiservices/v1.apps', undefined, {
      Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io',
    });
    assert.deepEqual(JSON.parse(t.text).rows[0].cells.slice(0, 3), ['v1.apps', 'Local', 'True']);
  });

  it("answers with upstream's Status bodies, byte for byte: 404, 409 AlreadyExists and Conflict, 422, 403", async () => {
    const body = (r: Reply) => r.text;
    const status = (code: number, reason: string, message: string, details: string) =>
      `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":${JSON.stringify(message)},"reason":"${reason}","details":${details},"code":${code}}`;
    // Core resources leave details.group out.
    assert.equal(
      body(await call('GET', `${CMS}/nope`)),
      status(404, 'NotFound', 'configmaps "nope" not found', '{"name":"nope","kind":"configmaps"}'),
    );
    assert.equal(
      body(await call('GET', '/apis/apps/v1/namespaces/default/deployments/nope')),
      status(
        404,
        'NotFound',
        'deployments.apps "nope" not found',
        '{"name":"nope","group":"apps","kind":"deployments"}',
      ),
    );
    assert.equal(
      body(await call('GET', '/api/v1/namespaces/default/nothings')),
      status(404, 'NotFound', 'the server could not find the requested resource', '{}'),
    );
    assert.equal((await call('POST', CMS, cm('dup'))).status, 201);
    assert.equal(
      body(await call('POST', CMS, cm('dup'))),
      status(409, 'AlreadyExists', 'configmaps "dup" already exists', '{"name":"dup","kind":"configmaps"}'),
    );
    const stale = { ...cm('dup'), metadata: { name: 'dup', resourceVersion: '1' } };
    assert.equal(
      body(await call('PUT', `${CMS}/dup`, stale)),
      status(
        409,
        'Conflict',
        'Operation cannot be fulfilled on configmaps "dup": the object has been modified; please apply your changes to the latest version and try again',
        '{"name":"dup","kind":"configmaps"}',
      ),
    );
    const invalid = await call('POST', CMS, cm('Bad_Name'));
    const why =
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    const msg = `Invalid value: "Bad_Name": ${why}`;
    assert.equal(
      body(invalid),
      status(
        422,
        'Invalid',
        `ConfigMap "Bad_Name" is invalid: metadata.name: ${msg}`,
        `{"name":"Bad_Name","kind":"ConfigMap","causes":[{"reason":"FieldValueInvalid","message":${JSON.stringify(msg)},"field":"metadata.name"}]}`,
      ),
    );
  });

  it('refuses to delete default, kube-system and kube-public as NamespaceLifecycle does', async () => {
    for (const ns of ['default', 'kube-system', 'kube-public']) {
      const r = await call('DELETE', `/api/v1/namespaces/${ns}`);
      assert.equal(r.status, 403);
      assert.equal(
        r.text,
        `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"namespaces \\"${ns}\\" is forbidden: this namespace may not be deleted","reason":"Forbidden","details":{"name":"${ns}","kind":"namespaces"},"code":403}`,
      );
      const dry = await call('DELETE', `/api/v1/namespaces/${ns}?dryRun=All`);
      assert.equal(dry.status, 403);
      const still = JSON.parse((await call('GET', `/api/v1/namespaces/${ns}`)).text);
      assert.equal(still.metadata.deletionTimestamp, undefined);
      assert.equal(still.status.phase, 'Active');
    }
    // Other namespaces go as before.
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'mortal' } };
    assert.equal((await call('POST', '/api/v1/namespaces', ns)).status, 201);
    assert.ok([200, 202].includes((await call('DELETE', '/api/v1/namespaces/mortal')).status));
  });

  it('treats resourceVersion "0" on update and patch as unconditional, like an empty one', async () => {
    const created = JSON.parse((await call('POST', CMS, cm('rv0'))).text);
    const v1 = { ...created, data: { a: '2' } };
    v1.metadata = { ...created.metadata, resourceVersion: '0' };
    const put = await call('PUT', `${CMS}/rv0`, v1);
    assert.equal(put.status, 200, put.text);
    const after = JSON.parse(put.text);
    assert.equal(after.data.a, '2');
    assert.notEqual(after.metadata.resourceVersion, created.metadata.resourceVersion);
    const patch = await call(
      'PATCH',
      `${CMS}/rv0`,
      { metadata: { resourceVersion: '0' }, data: { a: '3' } },
      {
        'Content-Type': 'application/merge-patch+json',
      },
    );
    assert.equal(patch.status, 200, patch.text);
    assert.equal(JSON.parse(patch.text).data.a, '3');
    // A stale non-zero version still conflicts.
    const stale = await call('PUT', `${CMS}/rv0`, {
      ...v1,
      metadata: { ...v1.metadata, resourceVersion: created.metadata.resourceVersion },
    });
    assert.equal(stale.status, 409);
  });

  it('writes concurrent unconditional PATCHes and PUTs of one object all, as GuaranteedUpdate retries', async () => {
    const created = JSON.parse((await call('POST', CMS, cm('race'))).text);
    const merge = { 'Content-Type': 'application/merge-patch+json' };
    const patches = await Promise.all(
      Array.from({ length: 32 }, (_, i) => call('PATCH', `${CMS}/race`, { data: { [`k${i}`]: 'v' } }, merge)),
    );
    assert.deepEqual(
      patches.map((r) => r.status),
      patches.map(() => 200),
      patches.find((r) => r.status !== 200)?.text,
    );
    const merged = JSON.parse((await call('GET', `${CMS}/race`)).text);
    assert.equal(Object.keys(merged.data).length, 33, 'a patch was lost');
    const { resourceVersion: _, ...meta } = merged.metadata;
    const puts = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        call('PUT', `${CMS}/race`, { ...merged, metadata: meta, data: { i: `${i}` } }),
      ),
    );
    assert.deepEqual(
      puts.map((r) => r.status),
      puts.map(() => 200),
      puts.find((r) => r.status !== 200)?.text,
    );
    // A precondition still conflicts at once: a stale resourceVersion in a patch, or a pod bound twice.
    const stale = await call(
      'PATCH',
      `${CMS}/race`,
      { metadata: { resourceVersion: created.metadata.resourceVersion }, data: { a: 'x' } },
      merge,
    );
    assert.equal(stale.status, 409, stale.text);
    const pods = '/api/v1/namespaces/default/pods';
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'race' },
      spec: { containers: [{ name: 'c', image: 'x' }] },
    };
    assert.equal((await call('POST', pods, pod)).status, 201);
    const bind = (node: string) =>
      call('POST', `${pods}/race/binding`, {
        apiVersion: 'v1',
        kind: 'Binding',
        metadata: { name: 'race' },
        target: { apiVersion: 'v1', kind: 'Node', name: node },
      });
    const binds = await Promise.all([bind('n1'), bind('n2'), bind('n3')]);
    assert.deepEqual(binds.map((r) => r.status).sort(), [201, 409, 409]);
    assert.match(binds.find((r) => r.status === 409)!.text, /is already assigned to node/);
  });

  it("records a pod creator's fields before mutating admission, and binds it without an entry for the binder, as upstream", async () => {
    const pods = '/api/v1/namespaces/default/pods';
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'owned' },
      spec: { containers: [{ name: 'c', image: 'x' }] },
    };
    const created = JSON.parse((await call('POST', `${pods}?fieldManager=maker`, pod)).text);
    const binding = {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: 'owned' },
      target: { apiVersion: 'v1', kind: 'Node', name: 'n1' },
    };
    assert.equal((await call('POST', `${pods}/owned/binding?fieldManager=binder`, binding)).status, 201);
    const bound = JSON.parse((await call('GET', `${pods}/owned`)).text);
    assert.equal(bound.spec.nodeName, 'n1');
    assert.equal(bound.status.conditions.find((c: { type: string }) => c.type === 'PodScheduled').status, 'True');
    assert.deepEqual(bound.metadata.managedFields, created.metadata.managedFields);
    // The creator's fields are recorded before mutating admission, as upstream: the default tolerations that
    // admission added belong to no manager, the defaults applied on decode to the creator.
    assert.ok(created.spec.tolerations?.length > 0, JSON.stringify(created.spec));
    const spec = created.metadata.managedFields[0].fieldsV1['f:spec'];
    assert.equal(spec['f:tolerations'], undefined, JSON.stringify(spec));
    assert.ok(spec['f:dnsPolicy'] && spec['f:containers'], JSON.stringify(spec));
    assert.deepEqual(
      bound.metadata.managedFields.map((m: { manager: string }) => m.manager),
      ['maker'],
    );
  });

  it("lists each resource's storageVersionHash in discovery, as upstream computes it", async () => {
    type Entry = { name: string; storageVersionHash?: string };
    const core = JSON.parse((await call('GET', '/api/v1')).text).resources as Entry[];
    const byName = (l: Entry[], n: string) => l.find((e) => e.name === n)!;
    // Values read from a real 1.32 cluster's discovery.
    assert.equal(byName(core, 'configmaps').storageVersionHash, 'qFsyl6wFWjQ=');
    assert.equal(byName(core, 'pods').storageVersionHash, 'xPOwRZ+Yhw8=');
    assert.equal(byName(core, 'pods/status').storageVersionHash, undefined);
    const apps = JSON.parse((await call('GET', '/apis/apps/v1')).text).resources as Entry[];
    assert.equal(byName(apps, 'controllerrevisions').storageVersionHash, '85nkx63pcBU=');
    // Kinds stored in another group-version hash that storage version.
    const events = JSON.parse((await call('GET', '/apis/events.k8s.io/v1')).text).resources as Entry[];
    assert.equal(byName(events, 'events').storageVersionHash, byName(core, 'events').storageVersionHash);
  });

  it('resolves priorityClassName at admission from PriorityClass objects, with the built-in classes', async () => {
    const PODS = '/api/v1/namespaces/default/pods';
    const PCS = '/apis/scheduling.k8s.io/v1/priorityclasses';
    const pod = (name: string, priorityClassName?: string) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name },
      spec: { ...(priorityClassName ? { priorityClassName } : {}), containers: [{ name: 'c', image: 'busybox' }] },
    });
    const specOf = async (body: unknown) => {
      const r = await call('POST', PODS, body);
      assert.equal(r.status, 201, r.text);
      return JSON.parse(r.text).spec as { priority: number; preemptionPolicy: string; priorityClassName?: string };
    };
    const system = JSON.parse((await call('GET', `${PCS}/system-node-critical`)).text);
    assert.equal(system.value, 2000001000);
    assert.equal(system.preemptionPolicy, 'PreemptLowerPriority');
    assert.equal((await call('GET', `${PCS}/system-cluster-critical`)).status, 200);

    const plain = await specOf(pod('prio-none'));
    assert.equal(plain.priority, 0);
    assert.equal(plain.preemptionPolicy, 'PreemptLowerPriority');
    assert.equal((await specOf(pod('prio-node', 'system-node-critical'))).priority, 2000001000);

    const high = { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'high' }, value: 1000 };
    assert.equal((await call('POST', PCS, { ...high, preemptionPolicy: 'Never' })).status, 201);
    const h = await specOf(pod('prio-high', 'high'));
    assert.deepEqual([h.priority, h.preemptionPolicy], [1000, 'Never']);

    const missing = await call('POST', PODS, pod('prio-missing', 'nope'));
    assert.equal(missing.status, 403);
    assert.equal(
      JSON.parse(missing.text).message,
      'pods "prio-missing" is forbidden: no PriorityClass with name nope was found',
    );
    const mismatch = await call('POST', PODS, {
      ...pod('prio-mismatch', 'high'),
      spec: { ...pod('x', 'high').spec, priority: 7 },
    });
    assert.equal(mismatch.status, 403);
    assert.match(
      JSON.parse(mismatch.text).message,
      /the integer value of priority \(7\) must not be provided in pod spec; priority admission controller computed 1000/,
    );

    // The global default class (the lowest value among several) names the class of pods without one.
    for (const [name, value] of [
      ['dflt-b', 60],
      ['dflt-a', 50],
    ] as const) {
      const pc = {
        apiVersion: 'scheduling.k8s.io/v1',
        kind: 'PriorityClass',
        metadata: { name },
        value,
        globalDefault: true,
      };
      assert.equal((await call('POST', PCS, pc)).status, 201);
    }
    const d = await specOf(pod('prio-default'));
    assert.deepEqual([d.priorityClassName, d.priority], ['dflt-a', 50]);
    // Updates keep the priority set on create.
    const live = JSON.parse((await call('GET', `${PODS}/prio-default`)).text);
    live.metadata.labels = { touched: 'yes' };
    delete live.spec.priority;
    const put = await call('PUT', `${PODS}/prio-default`, live);
    assert.equal(put.status, 200, put.text);
    assert.equal(JSON.parse(put.text).spec.priority, 50);
    for (const n of ['dflt-a', 'dflt-b', 'high']) assert.equal((await call('DELETE', `${PCS}/${n}`)).status, 200);
  });

  it('answers TokenReviews of a valid and an invalid token, and stores nothing', async () => {
    const TR = '/apis/authentication.k8s.io/v1/tokenreviews';
    const review = (token: string) => ({
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      spec: { token },
    });
    const ok = await call('POST', TR, review(pki.adminToken));
    assert.equal(ok.status, 201, ok.text);
    const body = JSON.parse(ok.text);
    assert.equal(body.kind, 'TokenReview');
    assert.deepEqual(body.status, {
      authenticated: true,
      user: { username: 'admin', groups: ['system:masters', 'system:authenticated'] },
    });
    const bad = JSON.parse((await call('POST', TR, review('not-a-token'))).text);
    assert.deepEqual(bad.status, { user: {}, error: 'invalid bearer token' });
    const empty = await call('POST', TR, review(''));
    assert.equal(empty.status, 400);
    assert.equal(JSON.parse(empty.text).message, 'token is required for TokenReview in authentication');
    assert.equal((await call('GET', TR)).status, 405);
    const disc = JSON.parse((await call('GET', '/apis/authentication.k8s.io/v1')).text).resources;
    assert.deepEqual(disc, [
      {
        name: 'selfsubjectreviews',
        singularName: 'selfsubjectreview',
        namespaced: false,
        kind: 'SelfSubjectReview',
        verbs: ['create'],
      },
      { name: 'tokenreviews', singularName: 'tokenreview', namespaced: false, kind: 'TokenReview', verbs: ['create'] },
    ]);
  });

  it("answers integers Go would not parse with 400 and strconv's message", async () => {
    const r = await call('GET', `${CMS}?watch=true&timeoutSeconds=ten`);
    assert.equal(r.status, 400);
    const s = JSON.parse(r.text);
    assert.equal(s.reason, 'BadRequest');
    assert.equal(s.message, 'strconv.ParseInt: parsing "ten": invalid syntax');
    assert.equal((await call('POST', CMS, cm('grace'))).status, 201);
    const d = await call('DELETE', `${CMS}/grace?gracePeriodSeconds=1.5`);
    assert.equal(d.status, 400);
    assert.equal((await call('GET', `${CMS}/grace`)).status, 200);
    const ok = await call('DELETE', `${CMS}/grace?gracePeriodSeconds=0&orphanDependents=False`);
    assert.equal(ok.status, 200);
  });
});
