import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rfc3339Nano } from '../../core/time.js';
import { criLogLines } from './cri-log.js';

test('complete lines become F records; the tail waits', () => {
  const at = new Date('2025-01-02T03:04:05.123Z');
  assert.equal(rfc3339Nano(at), '2025-01-02T03:04:05.123000000Z');
  const r = criLogLines('hello\nworld\npart', 'stdout', at);
  assert.equal(
    r.lines,
    '2025-01-02T03:04:05.123000000Z stdout F hello\n2025-01-02T03:04:05.123000000Z stdout F world\n',
  );
  assert.equal(r.rest, 'part');
  const long = criLogLines('x'.repeat(20_000), 'stderr', at);
  assert.match(long.lines, /^\S+ stderr P x+\n$/);
  assert.equal(long.rest, '');
});
