import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ApiClient } from './api-client.js';

/** A throwaway self-signed certificate for 127.0.0.1, or undefined when openssl is not installed. */
function selfSigned(cn = '127.0.0.1'): { cert: string; key: string } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'tls-'));
  try {
    const r = spawnSync('openssl', [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${cn}`,
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      join(dir, 'key.pem'),
      '-out',
      join(dir, 'cert.pem'),
    ]);
    if (r.status !== 0) return undefined;
    return { cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('ApiClient over HTTPS', () => {
  const tls = selfSigned();
  it(
    'trusts the given CA, sends the bearer token, and refuses an unknown CA',
    { skip: !tls && 'openssl not available' },
    async () => {
      const seen: string[] = [];
      const server = createServer({ cert: tls!.cert, key: tls!.key }, (req, res) => {
        seen.push(req.headers.authorization ?? '');
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"kind":"Namespace","apiVersion":"v1","metadata":{"name":"default"}}');
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const trusted = new ApiClient({ server: url, caPem: tls!.cert, token: 't0ken' });
      const untrusted = new ApiClient({ server: url });
      const insecure = new ApiClient({ server: url, insecure: true });
      try {
        const ns = await trusted.get('/api/v1/namespaces/default');
        assert.equal(ns.metadata.name, 'default');
        assert.deepEqual(seen, ['Bearer t0ken']);
        await assert.rejects(untrusted.get('/api/v1/namespaces/default'), /self.signed|certificate/i);
        assert.equal((await insecure.get('/api/v1/namespaces/default')).metadata.name, 'default');
      } finally {
        for (const c of [trusted, untrusted, insecure]) c.close();
        server.closeAllConnections();
        await new Promise((r) => server.close(r));
      }
    },
  );
});

describe('ApiClient with a client certificate', () => {
  const tls = selfSigned();
  const first = selfSigned('system:node:n1');
  const second = selfSigned('system:node:n1-renewed');
  it(
    'presents it on requests and watches, and a swapped certificate ends the old connections',
    { skip: !(tls && first && second) && 'openssl not available' },
    async () => {
      const seen: string[] = [];
      const server = createServer(
        { cert: tls!.cert, key: tls!.key, requestCert: true, rejectUnauthorized: false },
        (req, res) => {
          const cn = (req.socket as TLSSocket).getPeerCertificate().subject?.CN ?? '';
          seen.push(`${req.url?.includes('watch=true') ? 'watch' : 'get'} ${cn} ${req.headers.authorization ?? '-'}`);
          res.writeHead(200, { 'content-type': 'application/json' });
          if (req.url?.includes('watch=true')) {
            res.write('{"type":"ADDED","object":{"kind":"Node","apiVersion":"v1","metadata":{"name":"n1"}}}\n');
            return; // stays open
          }
          res.end('{"kind":"Node","apiVersion":"v1","metadata":{"name":"n1"}}');
        },
      );
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const client = new ApiClient({ server: url, caPem: tls!.cert, certPem: first!.cert, keyPem: first!.key });
      try {
        assert.equal((await client.get('/api/v1/nodes/n1')).metadata.name, 'n1');
        const events: string[] = [];
        let closedWith: unknown = 'open';
        const added = new Promise<void>((resolve) => {
          client.watch(
            '/api/v1/nodes',
            {},
            (ev) => {
              events.push(`${ev.type} ${ev.object.metadata.name}`);
              resolve();
            },
            (err) => {
              closedWith = err;
            },
          );
        });
        await added;
        assert.deepEqual(events, ['ADDED n1']);
        client.setCredentials({ certPem: second!.cert, keyPem: second!.key }, 0);
        assert.equal((await client.get('/api/v1/nodes/n1')).metadata.name, 'n1');
        await new Promise((r) => setTimeout(r, 100));
        assert.ok(closedWith instanceof Error, 'the watch on the old certificate is closed');
        assert.deepEqual(seen, ['get system:node:n1 -', 'watch system:node:n1 -', 'get system:node:n1-renewed -']);
        client.setCredentials({ token: 'b00tstrap' }, 0);
        await client.get('/api/v1/nodes/n1');
        assert.equal(seen.at(-1), 'get  Bearer b00tstrap');
      } finally {
        client.close();
        server.closeAllConnections();
        await new Promise((r) => server.close(r));
      }
    },
  );
});
