import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { describe, it } from 'node:test';
import { ServiceHealthServer } from './server.js';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function get(port: number, path = '/healthz'): Promise<{ status: number; body: string; headers: Headers }> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`);
  return { status: res.status, body: await res.text(), headers: res.headers };
}

describe('ServiceHealthServer', () => {
  it("answers 200 with upstream's body while the node has a local endpoint, 503 without, and closes dropped ports", async () => {
    let healthy = true;
    const hs = new ServiceHealthServer({ host: '127.0.0.1', proxyHealthy: () => healthy });
    const port = await freePort();
    try {
      await hs.sync(new Map([['ns/web', { namespace: 'ns', name: 'web', port, localEndpoints: 2 }]]));
      const ok = await get(port, '/any/path');
      assert.equal(ok.status, 200);
      assert.equal(ok.headers.get('content-type'), 'application/json');
      assert.equal(ok.headers.get('x-load-balancing-endpoint-weight'), '2');
      assert.equal(
        ok.body,
        '{\n\t"service": {\n\t\t"namespace": "ns",\n\t\t"name": "web"\n\t},\n\t"localEndpoints": 2,\n\t"serviceProxyHealthy": true\n}',
      );
      await hs.sync(new Map([['ns/web', { namespace: 'ns', name: 'web', port, localEndpoints: 0 }]]));
      const none = await get(port);
      assert.equal(none.status, 503);
      assert.deepEqual(JSON.parse(none.body).localEndpoints, 0);
      await hs.sync(new Map([['ns/web', { namespace: 'ns', name: 'web', port, localEndpoints: 1 }]]));
      healthy = false;
      assert.equal((await get(port)).status, 503, 'an unhealthy proxy sends load balancers elsewhere');
      await hs.sync(new Map());
      await assert.rejects(get(port), 'listener closed');
    } finally {
      await hs.close();
    }
  });
});
