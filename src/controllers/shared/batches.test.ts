import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inBatches, slowStartPipeline } from './batches.js';

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
