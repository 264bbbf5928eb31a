import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseUpstream } from './forwarder.js';
import { upstreamsFromResolvConf } from './upstreams.js';

describe('upstreams', () => {
  it('takes the address nameservers of a resolv.conf', () => {
    assert.deepEqual(
      upstreamsFromResolvConf('nameserver 192.0.2.53\nnameserver fe80::1%eth0\nnameserver not-an-ip\nsearch x\n'),
      [
        { host: '192.0.2.53', port: 53 },
        { host: 'fe80::1', port: 53 },
      ],
    );
  });

  it('parses ip[:port] and [v6]:port', () => {
    assert.deepEqual(parseUpstream('127.0.0.9:5353'), { host: '127.0.0.9', port: 5353 });
    assert.deepEqual(parseUpstream('127.0.0.9'), { host: '127.0.0.9', port: 53 });
    assert.deepEqual(parseUpstream('[0:0::1]:5353'), { host: '::1', port: 5353 });
    assert.deepEqual(parseUpstream('::1'), { host: '::1', port: 53 });
    assert.throws(() => parseUpstream('dns.example:53'), /not an IP address/);
  });
});
