import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  addressFromReverse,
  canonicalIp,
  endpointHostname,
  InvalidQueryName,
  parseQueryName,
  podLabelAddress,
  reverseName,
} from './names.js';

const Z = 'cluster.local';

describe('parseQueryName', () => {
  it('reads service, endpoint and SRV names', () => {
    assert.deepEqual(parseQueryName('web.default.svc.cluster.local', Z), {
      port: '',
      protocol: '',
      endpoint: '',
      service: 'web',
      namespace: 'default',
      podOrSvc: 'svc',
    });
    assert.equal(parseQueryName('pet-0.db.default.svc.cluster.local', Z).endpoint, 'pet-0');
    const srv = parseQueryName('_http._tcp.web.default.svc.cluster.local', Z);
    assert.equal(srv.port, 'http');
    assert.equal(srv.protocol, 'tcp');
    assert.equal(parseQueryName('1-2-3-4.default.pod.cluster.local', Z).podOrSvc, 'pod');
  });

  it('treats the apex, svc and pod as names without records', () => {
    for (const n of ['cluster.local', 'svc.cluster.local', 'pod.cluster.local']) {
      assert.equal(parseQueryName(n, Z).podOrSvc, '');
    }
    assert.equal(parseQueryName('default.svc.cluster.local', Z).service, '');
  });

  it('rejects names that cannot exist', () => {
    assert.throws(() => parseQueryName('foo.cluster.local', Z), InvalidQueryName);
    assert.throws(() => parseQueryName('a.b.c.web.default.svc.cluster.local', Z), InvalidQueryName);
  });
});

describe('reverse names', () => {
  it('round-trips IPv4 and IPv6', () => {
    assert.equal(reverseName('10.43.0.10'), '10.0.43.10.in-addr.arpa');
    assert.equal(addressFromReverse('10.0.43.10.in-addr.arpa'), '10.43.0.10');
    const v6 = reverseName('fd00::1');
    assert.equal(v6, `1.${'0.'.repeat(27)}0.0.d.f.ip6.arpa`);
    assert.equal(addressFromReverse(v6), 'fd00::1');
  });

  it('gives nothing for partial or invalid reverse names', () => {
    assert.equal(addressFromReverse('43.10.in-addr.arpa'), '');
    assert.equal(addressFromReverse('300.0.43.10.in-addr.arpa'), '');
    assert.equal(addressFromReverse('1.0.ip6.arpa'), '');
    assert.equal(addressFromReverse('example.com'), '');
  });

  it('canonicalizes IPv6', () => {
    assert.equal(canonicalIp('FD00:0:0:0::0001'), 'fd00::1');
    assert.equal(canonicalIp('10.0.0.1'), '10.0.0.1');
  });
});

describe('endpoint and pod labels', () => {
  it('names endpoints by hostname, else by dashed address', () => {
    assert.equal(endpointHostname('10.42.0.5', 'pet-0'), 'pet-0');
    assert.equal(endpointHostname('10.42.0.5', undefined), '10-42-0-5');
    assert.equal(endpointHostname('fd00::', undefined), 'fd00--0');
  });

  it('reads the address of a pod record label', () => {
    assert.equal(podLabelAddress('10-42-0-9'), '10.42.0.9');
    assert.equal(podLabelAddress('fd00--1'), 'fd00::1');
    assert.equal(podLabelAddress('10-42-0'), '');
    assert.equal(podLabelAddress('web'), '');
    assert.equal(podLabelAddress('1-2-3-400'), '');
  });
});
