// The handler's kept encodings of cached upstream replies: served again with the query's ID and with
// their TTLs counted down in the bytes, exactly as the cache counts them, until the entry expires.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import dnsPacket, { type Answer } from 'dns-packet';
import { ReplyCache } from './cache.js';
import { Forwarder } from './forwarder.js';
import { DnsHandler } from './handler.js';
import { RecordStore } from './store.js';
import { ClusterZone } from './zone.js';

function setUp(now: () => number) {
  const cache = new ReplyCache({ now });
  const forwarder = new Forwarder({ upstreams: [], cache });
  const store = new RecordStore();
  const handler = new DnsHandler(new ClusterZone(store, {}), store, forwarder, now);
  return { cache, handler };
}

function ask(handler: DnsHandler, id: number, name: string, type: 'A' | 'AAAA', edns = false) {
  const query = dnsPacket.encode({
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type }],
    additionals: edns ? [{ type: 'OPT', name: '.', udpPayloadSize: 1232, flags: 0 } as Answer] : [],
  });
  const reply = handler.handle(query, 'udp');
  assert.ok(Buffer.isBuffer(reply), 'answered synchronously from the cache');
  return dnsPacket.decode(reply);
}

const ttls = (records: Answer[] | undefined) => (records ?? []).map((a) => ('ttl' in a ? a.ttl : undefined));

describe('DNS handler: cached upstream replies', () => {
  it('counts TTLs down in the kept bytes, as the cache does, and stops at expiry', () => {
    let now = 5_000_000;
    const { cache, handler } = setUp(() => now);
    const a = (ttl: number, data: string): Answer => ({ type: 'A', name: 'www.example.test', ttl, class: 'IN', data });
    cache.set(ReplyCache.key('www.example.test', 'A', 'IN', false), {
      rcode: 'NOERROR',
      answers: [a(30, '192.0.2.1'), a(10, '192.0.2.2')],
      authorities: [],
      additionals: [],
      authenticData: false,
    });
    for (const edns of [false, true]) {
      assert.deepEqual(ttls(ask(handler, 1, 'www.example.test', 'A', edns).answers), [30, 10]);
      now += 2_500;
      const later = ask(handler, 77, 'www.example.test', 'A', edns);
      assert.equal(later.id, 77);
      assert.deepEqual(ttls(later.answers), [28, 8]);
      assert.deepEqual(
        later.answers?.map((x) => ('data' in x ? x.data : undefined)),
        ['192.0.2.1', '192.0.2.2'],
      );
      if (edns) assert.equal(later.additionals?.[0]?.type, 'OPT');
      now -= 2_500;
    }
    now += 9_999;
    assert.deepEqual(ttls(ask(handler, 2, 'www.example.test', 'A').answers), [21, 1]);
    // The entry lives for the smallest TTL: past it the name is not answered from the kept bytes (nor the cache).
    now += 2;
    const gone = handler.handle(
      dnsPacket.encode({
        type: 'query',
        id: 3,
        flags: dnsPacket.RECURSION_DESIRED,
        questions: [{ name: 'www.example.test', type: 'A' }],
      }),
      'udp',
    );
    assert.ok(gone instanceof Promise, 'asks upstream again');
  });

  it('counts down a negative reply’s SOA TTL too', () => {
    let now = 7_000_000;
    const { cache, handler } = setUp(() => now);
    cache.set(ReplyCache.key('none.example.test', 'AAAA', 'IN', false), {
      rcode: 'NOERROR',
      answers: [],
      authorities: [
        {
          type: 'SOA',
          name: 'example.test',
          ttl: 60,
          class: 'IN',
          data: {
            mname: 'ns.example.test',
            rname: 'admin.example.test',
            serial: 1,
            refresh: 60,
            retry: 60,
            expire: 60,
            minimum: 20,
          },
        },
      ],
      additionals: [],
      authenticData: false,
    });
    assert.deepEqual(ttls(ask(handler, 1, 'none.example.test', 'AAAA').authorities), [60]);
    now += 5_000;
    const r = ask(handler, 2, 'none.example.test', 'AAAA');
    assert.deepEqual(ttls(r.authorities), [55]);
    assert.equal(r.authorities?.[0]?.type === 'SOA' && r.authorities[0].data.minimum, 20);
  });
});
