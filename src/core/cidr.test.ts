import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostAddress, intToIp, parseCidr } from './cidr.js';

test('parseCidr clears host bits and rejects what is not an IPv4 CIDR', () => {
  assert.deepEqual(parseCidr('10.42.7.9/24'), { ip: 10 * 2 ** 24 + 42 * 2 ** 16 + 7 * 256, bits: 24 });
  assert.deepEqual(parseCidr('255.255.255.255/32'), { ip: 2 ** 32 - 1, bits: 32 });
  assert.deepEqual(parseCidr('192.168.1.1/0'), { ip: 0, bits: 0 });
  for (const bad of ['10.42.0.0', '10.42.0.256/24', '10.42.0.0/33', 'fd00::/64', ' 10.0.0.0/8']) {
    assert.throws(() => parseCidr(bad), /invalid IPv4 CIDR/, bad);
  }
});

test('intToIp prints unsigned addresses, high bit included', () => {
  assert.equal(intToIp(0), '0.0.0.0');
  assert.equal(intToIp(2 ** 32 - 1), '255.255.255.255');
  assert.equal(intToIp(parseCidr('172.16.3.0/24').ip + 5), '172.16.3.5');
});

test('hostAddress gives the n-th usable host of a CIDR', () => {
  assert.equal(hostAddress('10.42.7.0/24', 1), '10.42.7.1');
  assert.equal(hostAddress('10.42.7.0/24', 2), '10.42.7.2');
  assert.equal(hostAddress('10.42.7.0/24', 254), '10.42.7.254');
  assert.equal(hostAddress('10.42.0.0/16', 256), '10.42.1.0');
  assert.throws(() => hostAddress('10.42.7.0/24', 0));
  assert.throws(() => hostAddress('10.42.7.0/24', 255));
});
