import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GroupBackoff } from './group-backoff.js';

test('exponential back-off per group: initial, doubling to the maximum, reset after a quiet spell', () => {
  const b = new GroupBackoff({ initialMs: 1000, maxMs: 3000, resetMs: 10_000 });
  assert.equal(b.fail('g', 0, 'timeout', 'x').until, 1000);
  assert.equal(b.active('g', 999)?.errorCode, 'timeout');
  assert.equal(b.active('g', 1000), undefined);
  assert.equal(b.fail('g', 1000, 'providerError', 'y').until, 3000);
  assert.equal(b.fail('g', 3000, 'providerError', 'y').until, 6000); // capped at 3 s
  assert.equal(b.fail('g', 20_000, 'timeout', 'z').until, 21_000); // reset
  assert.equal(b.active('other', 0), undefined);
  b.clear('g');
  assert.equal(b.active('g', 20_500), undefined);
});
