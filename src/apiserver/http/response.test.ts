// sendJsonParts: small bodies in one write, large ones (a LIST of many objects) in groups, both with the
// whole Content-Length and the parts' bytes in order.
import assert from 'node:assert/strict';
import { createServer, get } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { sendJsonParts } from './response.js';

async function serve(parts: Buffer[]): Promise<{ length: string | undefined; chunked: boolean; body: Buffer }> {
  const server = createServer((_req, res) => sendJsonParts(res, 200, parts));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const { port } = server.address() as AddressInfo;
    return await new Promise((resolve, reject) => {
      get({ host: '127.0.0.1', port, path: '/' }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            length: res.headers['content-length'],
            chunked: res.headers['transfer-encoding'] === 'chunked',
            body: Buffer.concat(chunks),
          }),
        );
      }).on('error', reject);
    });
  } finally {
    server.close();
  }
}

describe('sendJsonParts', () => {
  for (const [what, count] of [
    ['a small body', 10],
    ['a body of several groups', 1200],
  ] as const) {
    it(`sends ${what} with its Content-Length, in order`, async () => {
      const parts = Array.from({ length: count }, (_, i) => Buffer.from(`{"i":${i},"pad":"${'é'.repeat(1500)}"},`));
      const want = Buffer.concat(parts);
      const got = await serve(parts);
      assert.equal(got.length, String(want.length));
      assert.equal(got.chunked, false);
      assert.ok(got.body.equals(want));
    });
  }
});
