import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { ApiClient } from './api-client.js';
import { FakeClock } from './clock.js';
import { RequestThrottle, TokenBucket } from './throttle.js';

test('the bucket lets a burst through, then one request per 1/qps', () => {
  const b = new TokenBucket(10, 3, 0);
  assert.deepEqual([b.reserve(0), b.reserve(0), b.reserve(0)], [0, 0, 0]);
  assert.equal(b.reserve(0), 100); // the 4th token is due in 100 ms
  assert.equal(b.reserve(0), 200); // and the 5th after it
  // 1 s later the bucket has refilled by 10, capped at burst 3, minus the two reserved: 1 left, then waits.
  assert.equal(b.reserve(1000), 0);
  assert.equal(b.reserve(1000), 0);
  assert.equal(b.reserve(1000), 0);
  assert.equal(b.reserve(1000), 100);
});

test('a throttled request waits on the clock for its token', async () => {
  const clock = new FakeClock(0);
  const t = new RequestThrottle({ qps: 2, burst: 1 }, clock);
  await t.wait();
  let done = false;
  const second = t.wait().then(() => {
    done = true;
  });
  await Promise.resolve();
  assert.equal(done, false);
  clock.advance(499);
  await Promise.resolve();
  assert.equal(done, false);
  clock.advance(1);
  await second;
  assert.equal(done, true);
  assert.deepEqual([t.throttled, t.waitedMs], [1, 500]);
});

test('an ApiClient with qps 20, burst 5 takes about 0.75 s for 20 requests; without a qps it does not wait', async () => {
  const server = createServer((_req, res) => res.end('{"kind":"Status"}'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const limited = new ApiClient({ server: url, qps: 20, burst: 5 });
  const free = new ApiClient({ server: url });
  try {
    assert.equal(free.throttle, undefined);
    let start = Date.now();
    await Promise.all(Array.from({ length: 20 }, () => limited.raw('GET', '/api')));
    const limitedMs = Date.now() - start;
    // 5 at once, then 15 more at 20/s: the last one leaves 750 ms after the first.
    assert.ok(limitedMs >= 700, `20 requests at qps 20 burst 5 took ${limitedMs} ms`);
    assert.equal(limited.throttle?.throttled, 15);
    start = Date.now();
    await Promise.all(Array.from({ length: 20 }, () => free.raw('GET', '/api')));
    assert.ok(Date.now() - start < limitedMs, 'the unlimited client is faster');
  } finally {
    limited.close();
    free.close();
    server.close();
  }
});
