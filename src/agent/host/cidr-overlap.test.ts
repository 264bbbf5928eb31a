import assert from 'node:assert/strict';
import { test } from 'node:test';
import { cidrsOverlap, podCidrConflict } from './cidr-overlap.js';

test('CIDRs overlap when one contains the other network', () => {
  assert.equal(cidrsOverlap('10.42.0.0/24', '10.42.0.1/24'), true);
  assert.equal(cidrsOverlap('10.42.0.0/24', '10.42.1.1/24'), false);
  assert.equal(cidrsOverlap('10.42.0.0/16', '10.42.7.1/24'), true);
  assert.equal(cidrsOverlap('10.42.7.0/24', '10.42.0.0/16'), true);
  assert.equal(cidrsOverlap('172.17.0.1/16', '10.42.0.0/24'), false);
});

test('a pod CIDR conflicts with another bridge, never with its own', () => {
  const bridges = [
    { bridge: 'tutti0', cidr: '10.42.0.1/24' },
    { bridge: 'docker0', cidr: '172.17.0.1/16' },
  ];
  assert.equal(podCidrConflict('10.42.0.0/24', 'tutti0', bridges), undefined);
  assert.deepEqual(podCidrConflict('10.42.0.0/24', 'tt-12345678', bridges), bridges[0]);
  assert.equal(podCidrConflict('10.42.1.0/24', 'tt-12345678', bridges), undefined);
  assert.deepEqual(podCidrConflict('172.17.5.0/24', 'tutti0', bridges), bridges[1]);
});
