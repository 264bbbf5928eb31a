import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SIMULATED_NODE_IP_CAPACITY, simulatedNodeIP } from './node-address.js';

test('simulated nodes get distinct loopback addresses, none of them 127.0.0.x, 127.255.x.x, .0 or .255', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 100_000; i++) {
    const ip = simulatedNodeIP(i);
    const [first, a, b, c] = ip.split('.').map(Number) as [number, number, number, number];
    assert.equal(first, 127, ip);
    assert.ok(a >= 1 && a <= 254, ip);
    assert.ok(b >= 0 && b <= 255, ip);
    assert.ok(c >= 1 && c <= 254, ip);
    seen.add(ip);
  }
  assert.equal(seen.size, 100_000);
  assert.equal(simulatedNodeIP(0), '127.1.0.1');
  assert.equal(simulatedNodeIP(253), '127.1.0.254');
  assert.equal(simulatedNodeIP(254), '127.1.1.1');
  assert.equal(simulatedNodeIP(SIMULATED_NODE_IP_CAPACITY - 1), '127.254.255.254');
});

test('an index past the loopback range is refused', () => {
  assert.throws(() => simulatedNodeIP(SIMULATED_NODE_IP_CAPACITY), RangeError);
  assert.throws(() => simulatedNodeIP(-1), RangeError);
  assert.throws(() => simulatedNodeIP(1.5), RangeError);
});
