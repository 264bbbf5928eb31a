// Bad input gets a Kubernetes Status with the right code and reason, and changes nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type TestServer, startTestServer } from './harness.js';

describe('API errors', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(async () => {
    await s?.stop();
  });

  const status = (body: string) =>
    JSON.parse(body) as {
      kind: string;
      code: number;
      reason: string;
      message: string;
      details?: { causes?: { field: string }[] };
    };

  it('rejects requests without a valid token with 401', async () => {
    const r = await s.request('GET', '/api/v1/namespaces', undefined, { Authorization: 'Bearer wrong' });
    assert.equal(r.status, 401);
    assert.equal(status(r.body).reason, 'Unauthorized');
    const k = await s.kubectl(['get', 'pods', '--token', 'wrong']);
    // kubectl words it by where it failed: discovery (fresh cache) or the request itself.
    assert.match(
      k.stderr,
      /You must be logged in to the server \((Unauthorized|the server has asked for the client to provide credentials)\)/,
    );
  });

  it('answers malformed JSON and YAML with 400', async () => {
    const r = await s.request('POST', '/api/v1/namespaces/default/configmaps', '{"metadata":', {});
    assert.equal(r.status, 400);
    assert.equal(status(r.body).reason, 'BadRequest');
    const y = await s.request('POST', '/api/v1/namespaces/default/configmaps', 'a: [b', {
      'Content-Type': 'application/yaml',
    });
    assert.equal(y.status, 400);
  });

  it('rejects unknown fields under strict validation and warns otherwise', async () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'strict' }, data: { a: '1' }, spek: 1 };
    const r = await s.request('POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Strict', cm);
    assert.equal(r.status, 400);
    assert.match(status(r.body).message, /strict decoding error: unknown field "spek"/);
    const g = await s.request('GET', '/api/v1/namespaces/default/configmaps/strict');
    assert.equal(g.status, 404);
    const w = await s.request('POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Warn', cm);
    assert.equal(w.status, 201);
    assert.equal(String(w.headers.warning), '299 - "unknown field \\"spek\\""');
  });

  it('answers invalid names and specs with 422 and field causes', async () => {
    const r = await s.request('POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'Bad_Name' } });
    assert.equal(r.status, 422);
    const st = status(r.body);
    assert.equal(st.reason, 'Invalid');
    assert.equal(st.details?.causes?.[0].field, 'metadata.name');
    const pod = { metadata: { name: 'p' }, spec: { containers: [] } };
    const p = await s.request('POST', '/api/v1/namespaces/default/pods', pod);
    assert.equal(p.status, 422);
  });

  it('answers oversize bodies with 413', async () => {
    const big = { metadata: { name: 'big' }, data: { a: 'x'.repeat(3 * 1024 * 1024 + 10) } };
    const r = await s.request('POST', '/api/v1/namespaces/default/configmaps', big);
    assert.equal(r.status, 413);
    assert.equal((await s.request('GET', '/api/v1/namespaces/default/configmaps/big')).status, 404);
  });

  it('answers unknown resources with 404 and missing namespaces with 404', async () => {
    assert.equal((await s.request('GET', '/api/v1/widgets')).status, 404);
    assert.equal((await s.request('GET', '/apis/nope.io/v1/things')).status, 404);
    const r = await s.request('POST', '/api/v1/namespaces/nowhere/configmaps', { metadata: { name: 'x' } });
    assert.equal(r.status, 404);
    assert.match(status(r.body).message, /namespaces "nowhere" not found/);
  });

  it('answers duplicates and stale updates with 409', async () => {
    const cm = { metadata: { name: 'dup' }, data: { a: '1' } };
    assert.equal((await s.request('POST', '/api/v1/namespaces/default/configmaps', cm)).status, 201);
    const again = await s.request('POST', '/api/v1/namespaces/default/configmaps', cm);
    assert.equal(again.status, 409);
    assert.equal(status(again.body).reason, 'AlreadyExists');
    const cur = JSON.parse((await s.request('GET', '/api/v1/namespaces/default/configmaps/dup')).body);
    const stale = { ...cur, metadata: { ...cur.metadata, resourceVersion: '1' }, data: { a: '2' } };
    const c = await s.request('PUT', '/api/v1/namespaces/default/configmaps/dup', stale);
    assert.equal(c.status, 409);
    assert.equal(status(c.body).reason, 'Conflict');
    const after = JSON.parse((await s.request('GET', '/api/v1/namespaces/default/configmaps/dup')).body);
    assert.equal(after.data.a, '1');
  });

  it('survives garbage on every path', async () => {
    const junk = ['\u0000\u0001', '[]', '"str"', 'null', '{"metadata":[]}', '{"metadata":{"name":5}}'];
    for (const body of junk) {
      for (const path of [
        '/api/v1/namespaces/default/pods',
        '/apis/apps/v1/namespaces/default/deployments',
        '/api/v1/namespaces',
      ]) {
        const r = await s.request('POST', path, body);
        assert.ok(r.status >= 400 && r.status < 500, `${path} ${JSON.stringify(body)} -> ${r.status} ${r.body}`);
      }
    }
    const patch = await s.request('PATCH', '/api/v1/namespaces/default', '{bad', {
      'Content-Type': 'application/merge-patch+json',
    });
    assert.equal(patch.status, 400);
    assert.equal((await s.request('GET', '/readyz')).status, 200);
  });
});
