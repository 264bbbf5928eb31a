import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inBatches, slowStartBatch, slowStartPipeline } from './batches.js';

test('inBatches: every item once, at most `concurrency` in flight, the first error after all settle', async () => {
  let inFlight = 0;
  let most = 0;
  const seen: number[] = [];
  const items = Array.from({ length: 10 }, (_, i) => i);
  await assert.rejects(
    inBatches(
      items,
      async (i) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((r) => setTimeout(r, 1));
        inFlight--;
        seen.push(i);
        if (i === 3 || i === 7) throw new Error(`item ${i}`);
      },
      3,
    ),
    /item 3/,
  );
  assert.deepEqual(
    [...seen].sort((a, b) => a - b),
    items,
  );
  assert.equal(most, 3);
  await inBatches([], async () => assert.fail('no items'));
});

test('slowStartBatch: batches 1, 2, 4, ...; results in call order; a failing batch ends the run', async () => {
  let calls = 0;
  const results: string[] = [];
  const all = await slowStartBatch(
    10,
    async () => ++calls,
    (r) => results.push(r.status),
  );
  assert.equal(all, 10);
  assert.equal(results.length, 10);
  calls = 0;
  const settled: PromiseSettledResult<number>[] = [];
  const attempted = await slowStartBatch(
    10,
    async () => {
      const n = ++calls;
      if (n === 3) throw new Error('quota');
      return n;
    },
    (r) => settled.push(r),
  );
  // Batches 1 and 2 (calls 2 and 3) ran; call 3 failed, so the batch of 4 never started.
  assert.equal(attempted, 3);
  assert.deepEqual(
    settled.map((r) => (r.status === 'fulfilled' ? r.value : 'failed')),
    [1, 2, 'failed'],
  );
});

test('slowStartPipeline: 1, 2, 4, ... up to the window, then the window in flight; stops at a failure', async () => {
  let inFlight = 0;
  let most = 0;
  let calls = 0;
  const starts: number[] = [];
  const fn = async () => {
    calls++;
    inFlight++;
    starts.push(inFlight);
    most = Math.max(most, inFlight);
    await new Promise((r) => setTimeout(r, 1));
    inFlight--;
    return calls;
  };
  let settled = 0;
  assert.equal(await slowStartPipeline(300, fn, () => settled++, 16), 300);
  assert.equal(calls, 300);
  assert.equal(settled, 300);
  assert.equal(most, 16);
  assert.deepEqual(starts.slice(0, 3), [1, 1, 2], 'slow start first');

  calls = 0;
  let failures = 0;
  const failing = async () => {
    calls++;
    if (calls === 40) throw new Error('quota');
    await new Promise((r) => setTimeout(r, 1));
  };
  const attempted = await slowStartPipeline(300, failing, (r) => r.status === 'rejected' && failures++, 16);
  assert.equal(failures, 1);
  assert.equal(attempted, calls, 'the count returned is the calls made');
  assert.ok(calls < 60, `no new calls after the failure (made ${calls})`);
});
