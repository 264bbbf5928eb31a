// Proves real kubectl 1.32 accepts the documents: `explain` walks them, and `create` (default
// --validate=strict) finds the PATCH fieldValidation parameter instead of failing to download openapi.
// The server is a throwaway HTTPS stub serving discovery, /openapi/v3 and an echoing POST.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { apiVersionOf, CATALOG, groupVersions } from '../catalog.js';
import { openapiV3Document, openapiV3Index } from './index.js';

const run = promisify(execFile);
const TOKEN = 'explain-test-token';
let dir = '';
let server: Server | undefined;
let skip: string | false = false;
const posted: string[] = [];

function resourceList(group: string, version: string): object {
  const resources = CATALOG.filter((r) => r.group === group && r.version === version).map((r) => ({
    name: r.resource,
    singularName: r.singular,
    namespaced: r.namespaced,
    kind: r.kind,
    verbs: r.verbs,
    shortNames: r.shortNames,
  }));
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf({ group, version }), resources };
}

function route(method: string, url: URL, body: string): [number, unknown] | [number, string, string] {
  const p = url.pathname;
  if (p === '/version') return [200, { major: '1', minor: '32', gitVersion: 'v1.32.0', platform: 'linux/amd64' }];
  if (p === '/api') return [200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] }];
  if (p === '/apis') {
    const groups = groupVersions()
      .filter((g) => g.group !== '')
      .map((g) => ({
        name: g.group,
        versions: g.versions.map((v) => ({ groupVersion: `${g.group}/${v}`, version: v })),
        preferredVersion: { groupVersion: `${g.group}/${g.versions[0]}`, version: g.versions[0] },
      }));
    return [200, { kind: 'APIGroupList', apiVersion: 'v1', groups }];
  }
  if (p === '/api/v1') return [200, resourceList('', 'v1')];
  const gv = /^\/apis\/([^/]+)\/([^/]+)$/.exec(p);
  if (gv) return [200, resourceList(gv[1]!, gv[2]!)];
  if (p === '/openapi/v3') return [200, openapiV3Index()];
  if (p.startsWith('/openapi/v3/')) {
    const doc = openapiV3Document(p.slice('/openapi/v3/'.length));
    return doc ? [200, doc.body, 'application/json'] : [404, {}];
  }
  if (method === 'POST' && p === '/api/v1/namespaces/default/configmaps') {
    posted.push(`${url.search} ${body}`);
    const obj = JSON.parse(body) as { metadata: Record<string, unknown> };
    obj.metadata.namespace = 'default';
    return [201, obj];
  }
  return [404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }];
}

before(async () => {
  try {
    await run('kubectl', ['version', '--client']);
    await run('openssl', ['version']);
  } catch {
    skip = 'kubectl or openssl not installed';
    return;
  }
  dir = mkdtempSync(join(tmpdir(), 'openapi-kubectl-'));
  await run('openssl', [
    ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
    ...['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost'],
  ]);
  server = createServer(
    { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
    (req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => {
        body += c.toString();
      });
      req.on('end', () => {
        if (req.headers.authorization !== `Bearer ${TOKEN}`) {
          res.writeHead(401).end();
          return;
        }
        const [code, payload, type] = route(req.method ?? 'GET', new URL(req.url ?? '/', 'https://x'), body);
        res.writeHead(code, { 'Content-Type': type ?? 'application/json' });
        res.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
      });
    },
  );
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  writeFileSync(
    join(dir, 'kubeconfig'),
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server: `https://127.0.0.1:${port}`, 'insecure-skip-tls-verify': true } }],
      users: [{ name: 'u', user: { token: TOKEN } }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u', namespace: 'default' } }],
      'current-context': 'x',
    }),
  );
});

after(() => {
  server?.close();
  server?.closeAllConnections();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run(
    'kubectl',
    ['--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache'), ...args],
    {
      env: { ...process.env, HOME: dir, KUBECONFIG: '' },
      timeout: 60_000,
    },
  );
  return stdout;
}

test('kubectl explain pod.spec.containers reads descriptions and types', async (t) => {
  if (skip) return t.skip(skip);
  const out = await kubectl('explain', 'pod.spec.containers');
  assert.match(out, /KIND:\s+Pod/);
  assert.match(out, /FIELD:\s+containers <\[\]Container>/);
  assert.match(out, /A single application container that you want to run within a pod\./);
  assert.match(out, /image\s+<string>/);
  assert.match(out, /ports\s+<\[\]ContainerPort>/);
});

test('kubectl explain deployment.spec.strategy.rollingUpdate shows IntOrString fields', async (t) => {
  if (skip) return t.skip(skip);
  const out = await kubectl('explain', 'deployment.spec.strategy.rollingUpdate');
  assert.match(out, /GROUP:\s+apps/);
  assert.match(out, /maxSurge\s+<IntOrString>/);
});

test('kubectl create with strict validation downloads openapi and sends fieldValidation=Strict', async (t) => {
  if (skip) return t.skip(skip);
  writeFileSync(
    join(dir, 'cm.json'),
    JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c1' }, data: { a: 'b' } }),
  );
  const out = await kubectl('create', '-f', join(dir, 'cm.json'));
  assert.match(out, /configmap\/c1 created/);
  assert.equal(posted.length, 1);
  assert.match(posted[0] ?? '', /fieldValidation=Strict/);
});
