// What older kubectl and the official clients rely on, over HTTPS against an ApiServer on a MemoryStore:
// query parameters decoded as upstream, /openapi/v2, the APIService list, upstream's error bodies,
// protected namespaces and unconditional updates.
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
