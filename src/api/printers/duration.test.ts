import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ageSince, humanDuration } from './duration.js';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;

describe('humanDuration', () => {
  // Cases from upstream's TestHumanDuration.
  const cases: [number, string][] = [
    [s, '1s'],
    [70 * s, '70s'],
    [190 * s, '3m10s'],
    [182 * s, '3m2s'],
    [5 * m, '5m'],
    [10 * m, '10m'],
    [179 * m + 59 * s, '179m'],
    [3 * h, '3h'],
    [5 * h + 3 * m, '5h3m'],
    [8 * h + 59 * m, '8h'],
    [47 * h + 59 * m, '47h'],
    [48 * h, '2d'],
    [2 * d + 3 * h, '2d3h'],
    [7 * d + 23 * h, '7d23h'],
    [8 * d, '8d'],
    [367 * d, '367d'],
    [2 * 365 * d, '2y'],
    [3 * 365 * d + 20 * d, '3y20d'],
    [8 * 365 * d + 100 * d, '8y'],
    [0, '0s'],
    [-999, '0s'],
    [-1999, '0s'],
    [-2 * s, '<invalid>'],
    [119 * s + 999, '119s'],
  ];
  for (const [ms, want] of cases) {
    it(`${ms}ms → ${want}`, () => assert.equal(humanDuration(ms), want));
  }
});

describe('ageSince', () => {
  it('measures from RFC 3339 timestamps and marks missing ones', () => {
    const now = Date.parse('2024-05-01T12:00:00Z');
    assert.equal(ageSince('2024-05-01T11:56:58Z', now), '3m2s');
    assert.equal(ageSince('2024-05-01T11:59:59.500000Z', now), '0s');
    assert.equal(ageSince(undefined, now), '<unknown>');
    assert.equal(ageSince('not a time', now), '<unknown>');
  });
});
