import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostAddress } from '../../core/index.js';
import { CidrAllocator } from './cidr-allocator.js';

test('allocates distinct /24s, skips occupied ones, reuses freed ones only after a full turn', () => {
  const a = new CidrAllocator('10.42.0.0/16', 24);
  assert.equal(a.capacity, 256);
  assert.ok(a.occupy('10.42.1.0/24'));
  assert.equal(a.occupy('10.43.0.0/24'), false);
  assert.equal(a.occupy('10.42.0.0/25'), false);
  assert.equal(a.allocate(), '10.42.0.0/24');
  assert.equal(a.allocate(), '10.42.2.0/24');
  a.release('10.42.0.0/24');
  assert.equal(a.allocate(), '10.42.3.0/24');
  const seen = new Set<string>();
  for (let c = a.allocate(); c; c = a.allocate()) seen.add(c);
  assert.equal(a.allocated, 256);
  assert.ok(seen.has('10.42.0.0/24') && seen.has('10.42.255.0/24'));
  assert.equal(a.allocate(), undefined);
});

test('host addresses within a node CIDR', () => {
  assert.equal(hostAddress('10.42.7.0/24', 2), '10.42.7.2');
  assert.throws(() => hostAddress('10.42.7.0/24', 255));
  const small = new CidrAllocator('192.168.0.0/22', 26);
  assert.equal(small.capacity, 16);
  assert.equal(small.allocate(), '192.168.0.0/26');
  assert.equal(small.allocate(), '192.168.0.64/26');
});
