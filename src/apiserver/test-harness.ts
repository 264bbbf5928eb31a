// An ApiServer on a MemoryStore on 127.0.0.1 port 0 for tests and benchmarks that speak HTTP to it: JSON
// calls with the admin token, and raw bytes over TLS for requests node's client would refuse to send.
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type TLSSocket, connect } from 'node:tls';
import { ensureClusterPki } from '../pki/index.js';
import { MemoryStore } from '../storage/index.js';
import { ApiServer, type ApiServerOptions } from './server.js';

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface TestServer {
  api: ApiServer;
  store: MemoryStore;
  token: string;
  /** The cluster CA (PEM) the server's certificate chains to. */
  ca: string;
  /** One request; `body` is sent as is when a string or Buffer, else as JSON. Never rejects on a status. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Reply>;
  /** Writes `bytes` on a fresh TLS connection and resolves to everything the server sent before closing. */
  raw(bytes: string | Buffer, opts?: { timeoutMs?: number; endAfterWrite?: boolean }): Promise<string>;
  /** A TLS connection to the server (the caller writes, reads and destroys it). */
  connect(): Promise<TLSSocket>;
  stop(): Promise<void>;
}

export async function startTestServer(opts: Partial<ApiServerOptions> = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), 'tutti-apiserver-harness-'));
  const pki = await ensureClusterPki(dir, { hostnames: [], ips: [] });
  const store = new MemoryStore();
  const api = new ApiServer({
    store,
    tls: { cert: pki.serverCertPem, key: pki.serverKeyPem, ca: pki.caCertPem },
    tokens: new Map([[pki.adminToken, { name: 'admin', groups: ['system:masters'] }]]),
    port: 0,
    host: '127.0.0.1',
    ...opts,
  });
  await api.start();
  const token = pki.adminToken;

  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    new Promise<Reply>((resolve, reject) => {
      const data =
        body === undefined
          ? undefined
          : typeof body === 'string' || Buffer.isBuffer(body)
            ? body
            : JSON.stringify(body);
      // Options, not a URL string: a URL would fold `..` before the request leaves (the tests send them raw).
      const req = request(
        {
          hostname: '127.0.0.1',
          port: api.port,
          path,
          method,
          ca: pki.caCertPem,
          agent: false,
          headers: {
            Authorization: `Bearer ${token}`,
            ...(data !== undefined ? { 'Content-Type': 'application/json' } : {}),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (d: Buffer) => chunks.push(d));
          res.on('end', () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString() }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      if (data !== undefined) req.write(data);
      req.end();
    });

  const raw = (bytes: string | Buffer, o: { timeoutMs?: number; endAfterWrite?: boolean } = {}) =>
    new Promise<string>((resolve, reject) => {
      const chunks: Buffer[] = [];
      const socket = connect({ host: '127.0.0.1', port: api.port, ca: pki.caCertPem }, () => {
        socket.write(bytes);
        if (o.endAfterWrite) socket.end();
      });
      const timer = setTimeout(() => {
        socket.destroy();
        resolve(`${Buffer.concat(chunks).toString()}<timeout>`);
      }, o.timeoutMs ?? 5000);
      socket.on('data', (d: Buffer) => chunks.push(d));
      socket.on('close', () => {
        clearTimeout(timer);
        resolve(Buffer.concat(chunks).toString());
      });
      socket.on('error', (e) => {
        clearTimeout(timer);
        if (chunks.length > 0) resolve(Buffer.concat(chunks).toString());
        else reject(e);
      });
    });

  const connectTls = () =>
    new Promise<TLSSocket>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: api.port, ca: pki.caCertPem }, () => resolve(socket));
      socket.once('error', reject);
    });

  return {
    api,
    store,
    token,
    ca: pki.caCertPem,
    call,
    raw,
    connect: connectTls,
    async stop() {
      await api.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
