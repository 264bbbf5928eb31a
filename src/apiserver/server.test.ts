// The HTTP layer of the API server: an ApiServer on a MemoryStore on port 0, spoken to with node:https.
// Status codes, Content-Types, routing errors, authentication, Tables, watch and Warning headers.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type ClusterPki, ensureClusterPki } from '../pki/index.js';
import { MemoryStore } from '../storage/index.js';
import { ApiServer } from './server.js';

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

const JSON_TYPE = 'application/json';
const TABLE_TYPE = 'application/json;as=Table;v=v1;g=meta.k8s.io';

describe('ApiServer over HTTPS', () => {
  let dir: string;
  let pki: ClusterPki;
  let api: ApiServer;

  const call = (
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    /** null: no Authorization header. */
    token: string | null = pki.adminToken,
  ): Promise<Reply> =>
    new Promise((resolve, reject) => {
      const text = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
      const req = request(
        `${api.url}${path}`,
        {
          method,
          ca: pki.caCertPem,
          headers: {
            ...(token ? { Authorization: `Bearer ${token}` } : {}),
            ...(text !== undefined ? { 'Content-Type': JSON_TYPE } : {}),
            ...headers,
          },
        },
        (res) => {
          let data = '';
          res.on('data', (d: Buffer) => {
            data += d.toString();
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: data }));
        },
      );
      req.on('error', reject);
      if (text !== undefined) req.write(text);
      req.end();
    });

  const configMap = (name: string, data: Record<string, string> = { a: '1' }) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name },
    data,
  });
  const CMS = '/api/v1/namespaces/default/configmaps';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tutti-apiserver-test-'));
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

  it('answers each verb with its status code and a JSON body', async () => {
    const created = await call('POST', CMS, configMap('verbs'));
    assert.equal(created.status, 201);
    assert.equal(created.headers['content-type'], JSON_TYPE);
    const obj = JSON.parse(created.body);
    assert.equal(obj.metadata.name, 'verbs');

    const got = await call('GET', `${CMS}/verbs`);
    assert.equal(got.status, 200);
    assert.equal(got.headers['content-type'], JSON_TYPE);
    assert.equal(Number(got.headers['content-length']), Buffer.byteLength(got.body));
    assert.deepEqual(JSON.parse(got.body), obj);

    const list = await call('GET', CMS);
    assert.equal(list.status, 200);
    const items = JSON.parse(list.body);
    assert.equal(items.kind, 'ConfigMapList');
    assert.equal(items.apiVersion, 'v1');
    assert.ok(items.items.some((i: { metadata: { name: string } }) => i.metadata.name === 'verbs'));

    const put = await call('PUT', `${CMS}/verbs`, { ...obj, data: { a: '2' } });
    assert.equal(put.status, 200);
    assert.deepEqual(JSON.parse(put.body).data, { a: '2' });
    const putNew = await call('PUT', `${CMS}/put-new`, configMap('put-new'));
    assert.equal(putNew.status, 201);

    const patched = await call(
      'PATCH',
      `${CMS}/verbs`,
      { data: { b: '3' } },
      {
        'Content-Type': 'application/merge-patch+json',
      },
    );
    assert.equal(patched.status, 200);
    assert.equal(patched.headers['content-type'], JSON_TYPE);
    assert.deepEqual(JSON.parse(patched.body).data, { a: '2', b: '3' });

    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  k: v\n';
    const applyType = { 'Content-Type': 'application/apply-patch+yaml' };
    const applied = await call('PATCH', `${CMS}/applied?fieldManager=test`, yaml, applyType);
    assert.equal(applied.status, 201);
    const reapplied = await call('PATCH', `${CMS}/applied?fieldManager=test`, yaml, applyType);
    assert.equal(reapplied.status, 200);

    const deleted = await call('DELETE', `${CMS}/verbs`);
    assert.equal(deleted.status, 200);
    assert.equal(deleted.headers['content-type'], JSON_TYPE);
    assert.equal((await call('GET', `${CMS}/verbs`)).status, 404);

    const collection = await call('DELETE', CMS);
    assert.equal(collection.status, 200);
    assert.equal(JSON.parse(collection.body).kind, 'ConfigMapList');
  });

  it('writes only the status on a status PATCH of each type, and still rejects a badly typed part or a stale resourceVersion', async () => {
    const PODS = '/api/v1/namespaces/default/pods';
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'st', labels: { app: 'st' } },
      spec: { containers: [{ name: 'c', image: 'x' }] },
    };
    assert.equal((await call('POST', PODS, pod)).status, 201);
    const merge = { 'Content-Type': 'application/merge-patch+json' };
    const strategic = { 'Content-Type': 'application/strategic-merge-patch+json' };
    const phase = { status: { phase: 'Running' }, spec: { containers: [{ name: 'c', image: 'y' }] } };
    const running = await call('PATCH', `${PODS}/st/status`, phase, merge);
    assert.equal(running.status, 200, running.body);
    const r1 = JSON.parse(running.body);
    assert.equal(r1.status.phase, 'Running');
    assert.equal(r1.spec.containers[0].image, 'x', 'a status write leaves the spec as it was');
    assert.deepEqual(r1.metadata.labels, { app: 'st' });

    const ready = { status: { conditions: [{ type: 'Ready', status: 'True' }] } };
    const r2 = JSON.parse((await call('PATCH', `${PODS}/st/status`, ready, strategic)).body);
    assert.equal(r2.status.phase, 'Running');
    assert.deepEqual(
      r2.status.conditions.map((c: { type: string }) => c.type),
      ['Ready'],
    );

    const badType = await call(
      'PATCH',
      `${PODS}/st/status`,
      { spec: { containers: 'c' }, status: { phase: 'Failed' } },
      merge,
    );
    assert.equal(badType.status, 400, badType.body);
    const stale = await call(
      'PATCH',
      `${PODS}/st/status`,
      { metadata: { resourceVersion: '1' }, status: { phase: 'Failed' } },
      merge,
    );
    assert.equal(stale.status, 409, stale.body);
    const unknown = await call('PATCH', `${PODS}/st/status`, { status: { phase: 'Running', bogus: 1 } }, merge);
    assert.equal(unknown.status, 200);
    assert.match(String(unknown.headers.warning), /unknown field \\"status\.bogus\\"/);

    const got = JSON.parse((await call('GET', `${PODS}/st`)).body);
    assert.equal(got.status.phase, 'Running');
    assert.equal(got.spec.containers[0].image, 'x');
    assert.equal(got.metadata.resourceVersion, JSON.parse(unknown.body).metadata.resourceVersion);
  });

  it('answers a graceful delete with 202', async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'graceful' },
      spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox' }] },
    };
    assert.equal((await call('POST', '/api/v1/namespaces/default/pods', pod)).status, 201);
    const del = await call('DELETE', '/api/v1/namespaces/default/pods/graceful');
    assert.equal(del.status, 202);
    assert.ok(JSON.parse(del.body).metadata.deletionTimestamp);
  });

  it('answers errors as Status objects: 404 unknown paths, 405 wrong methods, 401 without a token', async () => {
    for (const path of ['/api/v1/frobnicators', '/apis/nope/v1/things', '/nothing/here', '/api/v1/nodes/n/bogus']) {
      const r = await call('GET', path);
      assert.equal(r.status, 404, path);
      assert.equal(r.headers['content-type'], JSON_TYPE);
      const status = JSON.parse(r.body);
      assert.equal(status.kind, 'Status');
      assert.equal(status.reason, 'NotFound');
    }
    const named = await call('POST', `${CMS}/x`, configMap('x'));
    assert.equal(named.status, 405);
    assert.equal(JSON.parse(named.body).reason, 'MethodNotAllowed');
    assert.equal((await call('PUT', CMS, configMap('x'))).status, 405);
    assert.equal((await call('PATCH', CMS, {})).status, 405);
    assert.equal((await call('OPTIONS', `${CMS}/x`)).status, 405);
    assert.equal((await call('POST', '/api/v1/namespaces/default/pods/p/status', {})).status, 405);

    const anonymous = await call('GET', CMS, undefined, {}, null);
    assert.equal(anonymous.status, 401);
    assert.equal(JSON.parse(anonymous.body).reason, 'Unauthorized');
    assert.equal((await call('GET', CMS, undefined, {}, 'wrong-token')).status, 401);
    const health = await call('GET', '/healthz', undefined, {}, null);
    assert.equal(health.status, 200);
    assert.equal(health.body, 'ok');

    const badPatch = await call('PATCH', '/api/v1/namespaces/default/configmaps/x', '{}', {
      'Content-Type': 'application/xml',
    });
    assert.equal(badPatch.status, 415);
    const noProxy = await call('GET', '/api/v1/namespaces/default/pods/p/log');
    assert.equal(noProxy.status, 404);
    assert.equal(JSON.parse(noProxy.body).message, 'the node agent proxy for pods/log is not available');
  });

  it('serves server-side Tables when asked for them', async () => {
    await call('POST', CMS, configMap('tabled', { a: '1', b: '2' }));
    const accept = { Accept: `${TABLE_TYPE}, application/json` };
    const list = await call('GET', CMS, undefined, accept);
    assert.equal(list.status, 200);
    assert.equal(list.headers['content-type'], TABLE_TYPE);
    const table = JSON.parse(list.body);
    assert.equal(table.kind, 'Table');
    assert.deepEqual(
      table.columnDefinitions.map((c: { name: string }) => c.name),
      ['Name', 'Data', 'Age'],
    );
    const row = table.rows.find((r: { cells: unknown[] }) => r.cells[0] === 'tabled');
    assert.equal(row.cells[1], 2);
    assert.equal(row.object.kind, 'PartialObjectMetadata');
    const one = await call('GET', `${CMS}/tabled?includeObject=None`, undefined, accept);
    assert.equal(one.headers['content-type'], TABLE_TYPE);
    assert.equal(JSON.parse(one.body).rows[0].object, undefined);
  });

  it('streams watch events', async () => {
    const list = JSON.parse((await call('GET', CMS)).body);
    const events: { type: string; object: { metadata: { name: string } } }[] = [];
    let headers: IncomingHttpHeaders = {};
    const req = request(`${api.url}${CMS}?watch=true&resourceVersion=${list.metadata.resourceVersion}`, {
      ca: pki.caCertPem,
      headers: { Authorization: `Bearer ${pki.adminToken}` },
    });
    const got = new Promise<void>((resolve, reject) => {
      req.on('response', (res) => {
        headers = res.headers;
        let buf = '';
        res.on('data', (d: Buffer) => {
          buf += d.toString();
          const lines = buf.split('\n');
          buf = lines.pop()!;
          for (const l of lines) events.push(JSON.parse(l));
          if (events.length > 0) resolve();
        });
      });
      req.on('error', reject);
    });
    req.end();
    await new Promise<void>((r) => req.on('response', () => r()));
    assert.equal((await call('POST', CMS, configMap('watched'))).status, 201);
    await got;
    req.destroy();
    assert.equal(headers['content-type'], JSON_TYPE);
    assert.equal(headers['transfer-encoding'], 'chunked');
    assert.equal(events[0]!.type, 'ADDED');
    assert.equal(events[0]!.object.metadata.name, 'watched');
  });

  it('sends warnings as Warning headers', async () => {
    const r = await call('POST', CMS, { ...configMap('warned'), bogus: true, spec: { x: 1 } });
    assert.equal(r.status, 201);
    const warning = r.headers.warning as string;
    assert.match(warning, /^299 - "unknown field \\"bogus\\""/);
    assert.match(warning, /299 - "unknown field \\"spec\\""/);
    const strict = await call('POST', `${CMS}?fieldValidation=Strict`, { ...configMap('strict'), bogus: true });
    assert.equal(strict.status, 400);
    assert.equal(strict.headers.warning, undefined);
    assert.equal(JSON.parse(strict.body).message, 'strict decoding error: unknown field "bogus"');
  });
});
