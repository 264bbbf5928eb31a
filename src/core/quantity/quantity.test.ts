import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalQuantity, formatBytes, formatCpuMillis, formatQuantity } from './format.js';
import { isQuantity, parseBytes, parseCpuMillis, parseIntegerQuantity, parseQuantity } from './parse.js';

test('parseQuantity returns base units', () => {
  assert.equal(parseQuantity('100m'), 0.1);
  assert.equal(parseQuantity('0.5'), 0.5);
  assert.equal(parseQuantity('2'), 2);
  assert.equal(parseQuantity('128Mi'), 128 * 1024 * 1024);
  assert.equal(parseQuantity('1G'), 1e9);
  assert.equal(parseQuantity('1e3'), 1000);
  assert.equal(parseQuantity('1E3'), 1000);
  assert.equal(parseQuantity('1.5Gi'), 1.5 * 2 ** 30);
  assert.equal(parseQuantity('1E'), 1e18);
  assert.equal(parseQuantity('-2k'), -2000);
  assert.equal(parseQuantity('.5'), 0.5);
  assert.equal(parseQuantity('5.'), 5);
});

test('cpu millis and bytes round up exactly', () => {
  assert.equal(parseCpuMillis('100m'), 100);
  assert.equal(parseCpuMillis('0.5'), 500);
  assert.equal(parseCpuMillis('2'), 2000);
  assert.equal(parseCpuMillis('0.3'), 300);
  assert.equal(parseCpuMillis('1u'), 1);
  assert.equal(parseCpuMillis('1500u'), 2);
  assert.equal(parseBytes('128Mi'), 134217728);
  assert.equal(parseBytes('1.5Gi'), 1610612736);
  assert.equal(parseBytes('1k'), 1000);
  assert.equal(parseBytes('100m'), 1);
  assert.equal(parseIntegerQuantity('1.5'), 2);
  assert.equal(parseIntegerQuantity('110'), 110);
});

test('malformed quantities are rejected', () => {
  for (const bad of ['', ' 1', '1 ', 'abc', '1KiB', '1Kb', '.', '1..2', '--1', '1e', 'Mi', '1mi', '1.5.5', '1e1.5']) {
    assert.equal(isQuantity(bad), false, bad);
    assert.throws(() => parseQuantity(bad), /quantities must match/);
  }
});

test('format back to canonical strings', () => {
  assert.equal(formatCpuMillis(100), '100m');
  assert.equal(formatCpuMillis(2000), '2');
  assert.equal(formatBytes(134217728), '128Mi');
  assert.equal(formatBytes(1536), '1536');
  assert.equal(formatBytes(1000), '1k');
  assert.equal(formatQuantity(1e9), '1G');
  assert.equal(formatQuantity(0.1), '100m');
  assert.equal(formatQuantity(0), '0');
  assert.equal(formatQuantity(2 ** 30, 'BinarySI'), '1Gi');
  assert.equal(formatQuantity(-1500), '-1500');
  for (const s of ['100m', '128Mi', '1G', '3', '250m', '64Ki']) {
    assert.equal(formatQuantity(parseQuantity(s), s.endsWith('i') ? 'BinarySI' : 'DecimalSI'), s);
  }
});

test('canonicalQuantity prints a quantity as Quantity.String()', () => {
  assert.equal(canonicalQuantity('0.05'), '50m');
  assert.equal(canonicalQuantity('1000m'), '1');
  assert.equal(canonicalQuantity('1.5Gi'), '1536Mi');
  assert.equal(canonicalQuantity('0.5Ki'), '512');
  assert.equal(canonicalQuantity('1500M'), '1500M');
  assert.equal(canonicalQuantity('2000'), '2k');
  assert.equal(canonicalQuantity('not a quantity'), 'not a quantity');
});
