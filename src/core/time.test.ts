import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseTime, rfc3339, rfc3339Micro, rfc3339Nano } from './time.js';

describe('wire time formats', () => {
  const t = Date.UTC(2026, 11, 1, 23, 1, 50, 123);
  it('metav1.Time has whole seconds', () => {
    assert.equal(rfc3339(t), '2026-12-01T23:01:50Z');
    assert.equal(rfc3339(new Date(t)), '2026-12-01T23:01:50Z');
  });
  it('MicroTime and CRI nanosecond times', () => {
    assert.equal(rfc3339Micro(t), '2026-12-01T23:01:50.123000Z');
    assert.equal(rfc3339Nano(t), '2026-12-01T23:01:50.123000000Z');
  });
  it('parseTime', () => {
    assert.equal(parseTime('2026-12-01T23:01:50Z'), Date.UTC(2026, 11, 1, 23, 1, 50));
    assert.equal(parseTime('2026-12-01T23:01:50.123000Z'), t);
    assert.equal(parseTime(undefined), undefined);
    assert.equal(parseTime('yesterday'), undefined);
  });
});
