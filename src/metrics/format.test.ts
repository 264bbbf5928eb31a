import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatBinaryBytes, formatGoDuration, formatGoFloat, formatNanocores } from './format.js';

describe('metrics formats (upstream Quantity.String, time.Duration.String, strconv g)', () => {
  it('writes nanocores canonically', () => {
    const cases: [number, string][] = [
      [0, '0'],
      [1, '1n'],
      [1234567, '1234567n'],
      [5000, '5u'],
      [250_000_000, '250m'],
      [1_000_000_000, '1'],
      [2_500_000_000, '2500m'],
      [4_000_000_000_000, '4k'],
      [12.9, '12n'],
    ];
    for (const [n, want] of cases) assert.equal(formatNanocores(n), want, String(n));
  });

  it('writes bytes as BinarySI', () => {
    const cases: [number, string][] = [
      [0, '0'],
      [512, '512'],
      [1000, '1k'],
      [1024, '1Ki'],
      [2000, '2000'],
      [13451264, '13136Ki'],
      [67108864, '64Mi'],
      [1234567, '1234567'],
      [1_466_544_128, '1432172Ki'],
      [2 ** 30, '1Gi'],
    ];
    for (const [n, want] of cases) assert.equal(formatBinaryBytes(n), want, String(n));
  });

  it('writes durations as Go does', () => {
    const cases: [number, string][] = [
      [0, '0s'],
      [500, '500ms'],
      [1000, '1s'],
      [15000, '15s'],
      [15002, '15.002s'],
      [15020, '15.02s'],
      [60000, '1m0s'],
      [61500, '1m1.5s'],
      [3_600_000, '1h0m0s'],
      [3_723_004, '1h2m3.004s'],
    ];
    for (const [ms, want] of cases) assert.equal(formatGoDuration(ms), want, String(ms));
  });

  it('writes floats as strconv.FormatFloat(v, g, -1, 64)', () => {
    const cases: [number, string][] = [
      [0, '0'],
      [1, '1'],
      [1.5, '1.5'],
      [357.35491, '357.35491'],
      [123456, '123456'],
      [1234567, '1.234567e+06'],
      [13451264, '1.3451264e+07'],
      [1.7199e9, '1.7199e+09'],
      [0.0001, '0.0001'],
      [0.00001, '1e-05'],
      [-2.5, '-2.5'],
      [Number.NaN, 'NaN'],
      [Number.POSITIVE_INFINITY, '+Inf'],
    ];
    for (const [v, want] of cases) assert.equal(formatGoFloat(v), want, String(v));
  });
});
