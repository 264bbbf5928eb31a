// The DNS server on loopback without an API server (records fed straight into its store): both
// transports, forwarding to a test upstream on another 127.0.0.x, the cache, SERVFAIL, truncation, and
// malformed input.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import dnsPacket from 'dns-packet';
import { type ClusterDns, startClusterDns } from './server.js';
import { queryTcp, queryUdp, sendTcp, sendUdp } from './testing/client.js';
import {
  clusterIpService,
  endpointSlice,
  externalNameService,
  headlessService,
  namespace,
} from './testing/fixtures.js';
import { loopbackAddress, startTestUpstream, type TestUpstream } from './testing/upstream.js';

describe('cluster DNS server', () => {
  let dns: ClusterDns;
  let upstream: TestUpstream;
  const host = loopbackAddress(1);
  before(async () => {
    upstream = await startTestUpstream(loopbackAddress(2), {
      'www.example.com': [{ type: 'A', name: 'www.example.com', ttl: 300, data: '192.0.2.10' }],
      'pipe.example.com': [{ type: 'A', name: 'pipe.example.com', ttl: 300, data: '192.0.2.12' }],
      'short.example.com': [{ type: 'A', name: 'short.example.com', ttl: 1, data: '192.0.2.11' }],
    });
    dns = await startClusterDns({
      address: host,
      port: 0,
      upstreams: [`${upstream.address}:${upstream.port}`],
      upstreamTimeoutMs: 300,
    });
    const s = dns.store;
    s.setNamespace(namespace('default'));
    s.setService(clusterIpService('default', 'web', '10.43.0.20', [{ name: 'http', port: 80 }]));
    s.setService(externalNameService('default', 'ext', 'www.example.com'));
    s.setService(externalNameService('default', 'down', 'down.example.com'));
    s.setService(headlessService('default', 'many', [{ name: 'http', port: 80 }]));
    s.setService(headlessService('default', 'mid', [{ name: 'http', port: 80 }]));
    s.setEndpointSlice(
      endpointSlice(
        'default',
        'mid',
        'mid-1',
        Array.from({ length: 20 }, (_, i) => ({ ip: `10.44.0.${i + 1}` })),
        [{ name: 'http', port: 80 }],
      ),
    );
    s.setEndpointSlice(
      endpointSlice(
        'default',
        'many',
        'many-1',
        Array.from({ length: 40 }, (_, i) => ({ ip: `10.42.${i >> 8}.${(i & 255) + 1}`, ready: true })),
        [{ name: 'http', port: 80 }],
      ),
    );
  });
  after(async () => {
    await dns?.stop();
    await upstream?.stop();
  });

  it('answers cluster names over UDP and TCP', async () => {
    for (const query of [queryUdp, queryTcp]) {
      const r = await query(host, dns.port, 'web.default.svc.cluster.local', 'A');
      assert.equal(r.rcode, 'NOERROR');
      assert.equal(r.flag_aa, true);
      assert.deepEqual(
        r.answers?.map((a) => ('data' in a ? a.data : undefined)),
        ['10.43.0.20'],
      );
    }
    const nx = await queryUdp(host, dns.port, 'nope.default.svc.cluster.local', 'A');
    assert.equal(nx.rcode, 'NXDOMAIN');
    assert.equal(nx.authorities?.[0]?.type, 'SOA');
  });

  it('answers several queries pipelined on one TCP connection', async () => {
    const names = ['web.default.svc.cluster.local', 'pipe.example.com', 'nope.default.svc.cluster.local'];
    const replies = await sendTcp(
      host,
      dns.port,
      names.map((name, i) => dnsPacket.encode({ type: 'query', id: 100 + i, questions: [{ name, type: 'A' }] })),
    );
    const byId = new Map(
      replies.map((r) => dnsPacket.decode(r) as { id?: number; rcode?: string }).map((r) => [r.id, r.rcode]),
    );
    assert.deepEqual([byId.get(100), byId.get(101), byId.get(102)], ['NOERROR', 'NOERROR', 'NXDOMAIN']);
  });

  it('forwards other names upstream and caches them for their TTL', async () => {
    upstream.queries.length = 0;
    const r1 = await queryUdp(host, dns.port, 'www.example.com', 'A');
    assert.equal(r1.rcode, 'NOERROR');
    assert.equal(r1.flag_aa, false);
    assert.deepEqual(
      r1.answers?.map((a) => ('data' in a ? a.data : undefined)),
      ['192.0.2.10'],
    );
    const r2 = await queryTcp(host, dns.port, 'WWW.example.com', 'A');
    assert.deepEqual(
      r2.answers?.map((a) => ('data' in a ? a.data : undefined)),
      ['192.0.2.10'],
    );
    assert.deepEqual(upstream.queries, ['www.example.com A']);
    const nx = await queryUdp(host, dns.port, 'nothing.example.com', 'A');
    assert.equal(nx.rcode, 'NXDOMAIN');
    await queryUdp(host, dns.port, 'nothing.example.com', 'A');
    assert.equal(upstream.queries.filter((q) => q === 'nothing.example.com A').length, 1, 'negative answer cached');
  });

  it('asks upstream again once the TTL has passed', async () => {
    upstream.queries.length = 0;
    await queryUdp(host, dns.port, 'short.example.com', 'A');
    await queryUdp(host, dns.port, 'short.example.com', 'A');
    assert.equal(upstream.queries.length, 1);
    await new Promise((r) => setTimeout(r, 1100));
    await queryUdp(host, dns.port, 'short.example.com', 'A');
    assert.equal(upstream.queries.length, 2);
  });

  it('resolves an ExternalName target upstream behind its CNAME', async () => {
    const r = await queryUdp(host, dns.port, 'ext.default.svc.cluster.local', 'A');
    assert.deepEqual(
      r.answers?.map((a) => [a.type, 'data' in a ? a.data : undefined]),
      [
        ['CNAME', 'www.example.com'],
        ['A', '192.0.2.10'],
      ],
    );
  });

  it('is SERVFAIL when the upstream does not answer', async () => {
    upstream.fail = true;
    try {
      const r = await queryUdp(host, dns.port, 'down.example.com', 'A');
      assert.equal(r.rcode, 'SERVFAIL');
      // Cluster names do not depend on the upstream.
      assert.equal((await queryUdp(host, dns.port, 'web.default.svc.cluster.local', 'A')).rcode, 'NOERROR');
      // An ExternalName whose target cannot be resolved: NODATA, as CoreDNS (the CNAME goes too).
      const ext = await queryUdp(host, dns.port, 'down.default.svc.cluster.local', 'A');
      assert.equal(ext.rcode, 'NOERROR');
      assert.deepEqual(ext.answers, []);
      assert.equal(ext.authorities?.[0]?.type, 'SOA');
    } finally {
      upstream.fail = false;
    }
    assert.equal((await queryUdp(host, dns.port, 'down.example.com', 'A')).rcode, 'NXDOMAIN', 'SERVFAIL not cached');
  });

  it('truncates a large UDP answer to 512 bytes (or the EDNS0 size) and answers it whole over TCP', async () => {
    const udp = await queryUdp(host, dns.port, 'many.default.svc.cluster.local', 'A');
    assert.equal(udp.flag_tc, true);
    assert.ok(udp.size <= 512, `${udp.size} bytes`);
    const edns = await queryUdp(host, dns.port, 'many.default.svc.cluster.local', 'A', { edns: 4096 });
    assert.equal(edns.flag_tc, false);
    assert.equal(edns.answers?.length, 40);
    const small = await queryUdp(host, dns.port, 'many.default.svc.cluster.local', 'A', { edns: 1232 });
    assert.equal(small.flag_tc, true);
    assert.ok(small.size <= 1232);
    const tcp = await queryTcp(host, dns.port, 'many.default.svc.cluster.local', 'A');
    assert.equal(tcp.flag_tc, false);
    assert.equal(tcp.answers?.length, 40);
  });

  it('drops additional records before setting TC', async () => {
    // A size where the 20 SRV records fit but their 20 additional addresses do not: no TC, no additionals.
    const whole = await queryTcp(host, dns.port, '_http._tcp.mid.default.svc.cluster.local', 'SRV');
    assert.equal(whole.additionals?.length, 20);
    const size = whole.size - 100;
    assert.ok(size < 4096);
    const r = await queryUdp(host, dns.port, '_http._tcp.mid.default.svc.cluster.local', 'SRV', { edns: size });
    assert.ok(r.size <= size);
    assert.equal(r.answers?.length, 20);
    assert.deepEqual(
      r.additionals?.map((a) => a.type),
      ['OPT'],
    );
    assert.equal(r.flag_tc, false);
  });

  it('answers FORMERR, NOTIMP or nothing to malformed queries, and keeps serving', async () => {
    const formerr = await sendUdp(host, dns.port, Buffer.from([0x12, 0x34, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x3f]));
    assert.ok(formerr);
    const decoded = dnsPacket.decode(formerr) as { rcode?: string; id?: number };
    assert.equal(decoded.rcode, 'FORMERR');
    assert.equal(decoded.id, 0x1234);
    const notimp = await sendUdp(
      host,
      dns.port,
      dnsPacket.encode({ type: 'query', id: 7, flags: 2 << 11, questions: [{ name: 'x', type: 'A' }] }),
    );
    assert.equal((dnsPacket.decode(notimp!) as { rcode?: string }).rcode, 'NOTIMP');
    assert.equal(await sendUdp(host, dns.port, Buffer.from([1, 2, 3]), 200), undefined);
    const response = dnsPacket.encode({ type: 'response', id: 9, questions: [{ name: 'x', type: 'A' }] });
    assert.equal(await sendUdp(host, dns.port, response, 200), undefined, 'responses are never answered');
  });

  it('survives fuzzing: random bytes, truncated packets, huge and looping names, over UDP and TCP', async () => {
    const valid = dnsPacket.encode({
      type: 'query',
      id: 1,
      flags: dnsPacket.RECURSION_DESIRED,
      questions: [{ name: 'web.default.svc.cluster.local', type: 'A' }],
    });
    const cases: Buffer[] = [];
    for (let i = 0; i < 300; i++) cases.push(randomBytes(Math.floor(Math.random() * 600)));
    for (let n = 0; n < valid.length; n++) cases.push(valid.subarray(0, n));
    for (let i = 0; i < 200; i++) {
      const b = Buffer.from(valid);
      for (let j = 0; j < 3; j++) b[Math.floor(Math.random() * b.length)] = Math.floor(Math.random() * 256);
      cases.push(b);
    }
    // A name of 63-byte labels far past 255 bytes, and a compression pointer to itself.
    const huge = Buffer.concat([
      valid.subarray(0, 12),
      ...Array.from({ length: 20 }, () => Buffer.concat([Buffer.from([63]), Buffer.alloc(63, 0x61)])),
      Buffer.from([0, 0, 1, 0, 1]),
    ]);
    const loop = Buffer.concat([valid.subarray(0, 12), Buffer.from([0xc0, 12, 0, 1, 0, 1])]);
    const manyQuestions = Buffer.from(valid);
    manyQuestions.writeUInt16BE(65535, 4);
    cases.push(huge, loop, manyQuestions, Buffer.alloc(65000, 0xff));
    // UDP: fire them all, no waiting for replies.
    const sock = createSocket('udp4');
    await Promise.all(cases.map((c) => new Promise<void>((r) => sock.send(c, dns.port, host, () => r()))));
    sock.close();
    // TCP: the same bytes framed on one connection, then a stream whose length prefix lies.
    const framed = Buffer.concat(
      cases
        .filter((c) => c.length < 65535)
        .map((c) => Buffer.concat([Buffer.from([c.length >> 8, c.length & 255]), c])),
    );
    await new Promise<void>((resolve) => {
      const net = new Socket();
      net.on('error', () => resolve());
      net.connect(dns.port, host, () => {
        net.write(framed);
        net.end(Buffer.from([0xff, 0xff, 1, 2]));
        setTimeout(() => {
          net.destroy();
          resolve();
        }, 300);
      });
    });
    const r = await queryUdp(host, dns.port, 'web.default.svc.cluster.local', 'A');
    assert.equal(r.rcode, 'NOERROR');
    const [tcpReply] = await sendTcp(host, dns.port, [valid]);
    assert.equal((dnsPacket.decode(tcpReply!) as { rcode?: string }).rcode, 'NOERROR');
  });
});
