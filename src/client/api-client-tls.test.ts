import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ApiClient } from './api-client.js';

/** A throwaway self-signed certificate for 127.0.0.1, or undefined when openssl is not installed. */
function selfSigned(): { cert: string; key: string } | undefined {
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
      '/CN=127.0.0.1',
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
