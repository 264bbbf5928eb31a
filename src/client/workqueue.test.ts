import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeClock } from './clock.js';
import { ExponentialFailureRateLimiter, TokenBucketRateLimiter } from './rate-limiter.js';
import { WorkQueue } from './workqueue.js';

describe('WorkQueue', () => {
  it('deduplicates keys that are waiting', async () => {
    const q = new WorkQueue<string>({ clock: new FakeClock() });
    q.add('a');
    q.add('b');
    q.add('a');
    assert.equal(q.len(), 2);
    assert.equal(await q.get(), 'a');
    assert.equal(await q.get(), 'b');
    assert.equal(q.len(), 0);
  });

  it('requeues a key added while it is processed only after done, and never hands it out twice', async () => {
    const q = new WorkQueue<string>({ clock: new FakeClock() });
    q.add('a');
    const key = await q.get();
    assert.equal(key, 'a');
    q.add('a');
    q.add('a');
    assert.equal(q.len(), 0, 'a is being processed: not handed to another worker');
    q.done('a');
    assert.equal(q.len(), 1);
    assert.equal(await q.get(), 'a');
    q.done('a');
    assert.equal(q.len(), 0);
  });

  it('wakes a waiting get when a key arrives', async () => {
    const q = new WorkQueue<string>({ clock: new FakeClock() });
    const pending = q.get();
    q.add('x');
    assert.equal(await pending, 'x');
  });

  it('returns undefined after shutdown once drained, and ignores new keys', async () => {
    const q = new WorkQueue<string>({ clock: new FakeClock() });
    const waiting = q.get();
    q.add('a');
    assert.equal(await waiting, 'a');
    q.add('b');
    const idle = new WorkQueue<string>({ clock: new FakeClock() });
    const blocked = idle.get();
    idle.shutDown();
    assert.equal(await blocked, undefined);
    q.shutDown();
    q.add('c');
    assert.equal(await q.get(), 'b', 'queued keys drain after shutdown');
    assert.equal(await q.get(), undefined);
  });

  it('addAfter holds a key until the clock reaches it, keeping the earlier of two times', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock });
    q.addAfter('a', 100);
    q.addAfter('a', 50);
    q.addAfter('a', 500);
    clock.advance(49);
    assert.equal(q.len(), 0);
    clock.advance(1);
    assert.equal(q.len(), 1);
    assert.equal(await q.get(), 'a');
    q.done('a');
    clock.advance(1000);
    assert.equal(q.len(), 0, 'the later duplicate timers were dropped');
  });

  it('addRateLimited backs off per key exponentially from 5 ms, and forget resets it', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock });
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      const start = clock.now();
      q.addRateLimited('k');
      for (let waited = 0; q.len() === 0 && waited < 10_000; waited++) clock.advance(1);
      delays.push(clock.now() - start);
      const k = await q.get();
      q.done(k!);
    }
    assert.deepEqual(delays, [5, 10, 20, 40, 80]);
    assert.equal(q.numRequeues('k'), 5);
    q.forget('k');
    assert.equal(q.numRequeues('k'), 0);
    assert.equal(q.numRequeues('other'), 0);
  });

  it('shutdown cancels delayed keys', () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock });
    q.addAfter('a', 10);
    q.shutDown();
    clock.advance(100);
    assert.equal(q.len(), 0);
    assert.equal(clock.pendingTimers(), 0);
  });
});

describe('rate limiters', () => {
  it('per-key exponential back-off caps at 1000 s', () => {
    const rl = new ExponentialFailureRateLimiter<string>(5, 1_000_000);
    let last = 0;
    for (let i = 0; i < 40; i++) last = rl.when('a');
    assert.equal(last, 1_000_000);
    assert.equal(rl.when('b'), 5, 'keys are independent');
  });

  it('token bucket allows a burst of 100, then 10 per second', () => {
    const clock = new FakeClock();
    const rl = new TokenBucketRateLimiter<string>(clock, 10, 100);
    for (let i = 0; i < 100; i++) assert.equal(rl.when(`k${i}`), 0);
    assert.equal(Math.round(rl.when('x')), 100);
    assert.equal(Math.round(rl.when('y')), 200);
    clock.advance(1000);
    // 10 tokens refilled pay off the 2 borrowed; 8 left.
    for (let i = 0; i < 8; i++) assert.equal(rl.when(`z${i}`), 0);
    assert.ok(rl.when('over') > 0);
  });

  it('the default queue limiter is the max of both: the bucket throttles a storm of fresh keys', () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock });
    for (let i = 0; i < 101; i++) q.addRateLimited(`k${i}`);
    clock.advance(5);
    assert.equal(q.len(), 100, '100 keys pass after their 5 ms back-off; the 101st waits for a token');
    clock.advance(95);
    assert.equal(q.len(), 101);
  });
});
