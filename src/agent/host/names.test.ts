import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bridgeNameFor, cgroupRootFor, MAX_IFNAME } from './names.js';

test('the default data dir keeps tutti0 and /tutti; others get names of their own', () => {
  assert.equal(bridgeNameFor('/var/lib/tutti/agent'), 'tutti0');
  assert.equal(bridgeNameFor('/var/lib/tutti/agent/'), 'tutti0');
  assert.equal(cgroupRootFor('/var/lib/tutti/agent'), 'tutti');
  const a = bridgeNameFor('/srv/one/agent');
  const b = bridgeNameFor('/srv/two/agent');
  assert.match(a, /^tt-[0-9a-f]{8}$/);
  assert.notEqual(a, b);
  assert.ok(a.length <= MAX_IFNAME);
  assert.equal(bridgeNameFor('/srv/one/agent'), a, 'stable across runs');
  assert.match(cgroupRootFor('/srv/one/agent'), /^tutti-[0-9a-f]{8}$/);
});
