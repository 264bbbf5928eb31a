import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CrashBackoff } from './crash-backoff.js';

test('first restart is immediate, then 10 s doubling to 5 min', () => {
  const b = new CrashBackoff();
  let t = 1_000_000;
  assert.equal(b.remaining('p/c', t - 100, t, t), 0);
  b.restarted('p/c', t - 100, t);
  const waits: number[] = [];
  for (let i = 0; i < 7; i++) {
    t += 1000;
    const exited = t;
    waits.push(b.remaining('p/c', exited - 100, exited, exited));
    b.restarted('p/c', exited - 100, exited);
  }
  assert.deepEqual(waits, [10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000]);
});

test('remaining counts down from the exit time', () => {
  const b = new CrashBackoff();
  b.restarted('k', 0, 1000);
  b.restarted('k', 2000, 3000);
  assert.equal(b.remaining('k', 3000, 4000, 9000), 15_000);
  assert.equal(b.remaining('k', 3000, 4000, 24_000), 0);
});

test('a run of 10 minutes resets the back-off', () => {
  const b = new CrashBackoff();
  b.restarted('k', 0, 1000);
  b.restarted('k', 1000, 2000);
  assert.equal(b.currentDelay('k'), 20_000);
  const start = 10_000;
  const end = start + 600_000;
  assert.equal(b.remaining('k', start, end, end), 0);
  b.restarted('k', start, end);
  assert.equal(b.currentDelay('k'), 10_000);
});

test("forgetPrefix drops a pod's entries only", () => {
  const b = new CrashBackoff();
  b.restarted('uid1/a', 0, 1);
  b.restarted('uid2/a', 0, 1);
  b.forgetPrefix('uid1/');
  assert.equal(b.currentDelay('uid1/a'), 0);
  assert.equal(b.currentDelay('uid2/a'), 10_000);
});
